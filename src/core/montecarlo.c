/*
 * Monte Carlo and quasi-Monte Carlo cubature (qm_cubature with
 * QM_CUBATURE_MC / QM_CUBATURE_QMC), bitwise reproducible for any executor.
 *
 * MC.  Sample i (0 <= i < N) is a point whose coordinates come from
 * Random123's Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC'11) with key =
 * seed and counter = (i mod 2^32, i div 2^32, draw j, stream tag): each
 * call gives four 32-bit words, two uniform doubles of 53 bits each
 * (u = (k + 1/2) 2^-53 with k = (w0 >> 5) 2^26 + (w1 >> 6), so u lies in
 * (0, 1) and never hits a face of the box).  A sample is thus a pure
 * function of (seed, i), not of who draws it.  Samples are cut into blocks
 * of QM_MC_BLOCK (boundaries depend on N only); each block's sum and
 * centred sum of squares are computed in sample order and stored in place;
 * the value is the exact (qm_sacc) sum of block sums and the variance
 * comes from combining the blocks' (count, mean, M2) in block order (Chan,
 * Golub, LeVeque 1979).  err = V s / sqrt(N), one standard error.
 *
 * QMC.  n = N / QM_QMC_REPLICAS points of the Sobol sequence with Joe &
 * Kuo's direction numbers (core/sobol.h, dim <= QM_SOBOL_MAX_DIM = 3667),
 * indices 0 .. n - 1 in Gray-code order, each replica r shifted modulo 1
 * by its own uniform vector (Cranley-Patterson rotation; shifts from Philox
 * with key = seed, counter = (r, draw, 0, QMC tag)).  Index 0, the origin,
 * is kept: once shifted it is a point like the others, and with it the
 * first 2^m points form a (t, m, s)-net, which dropping it would break
 * (A. B. Owen, "On dropping the first Sobol' point", MCQMC 2020).  The
 * replicas are independent unbiased estimates; the value is their mean and
 * err their standard error, sd / sqrt(R).  Points are taken in chunks of
 * QM_QMC_CHUNK, each evaluated in parallel in tasks (replica, sub-block of
 * QM_QMC_BLOCK points); a task computes its own points from their indices
 * (the generator has random access), so they are the same bits whoever
 * evaluates them, and task sums are added in task order into exact
 * per-replica accumulators.  At most 2^52 points per replica (the
 * generator's 52-bit direction numbers): a larger N is QM_EINVAL.
 *
 * Failures: a task that sees a nonzero return or a non-finite value
 * reports it; the lowest failing task is always run by the chunk loop, so
 * the report (status, first coordinate of the first bad point) does not
 * depend on the workers either.
 */
#include "config.h"
#include "core/internal.h"
#include "core/adapt.h"
#include "core/sobol.h"

#include <Random123/philox.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define QM_MC_BLOCK 2048
#define QM_MC_DEFAULT_SAMPLES 1000000ULL
#define QM_QMC_REPLICAS 16
#define QM_QMC_CHUNK 16384
#define QM_QMC_BLOCK 1024
#define QM_QMC_MAX_DIM QM_SOBOL_MAX_DIM /* rows of core/sobol_table.c */

/* Stream tags (the counter's last word) keep MC samples and QMC shifts
 * apart for the same seed. */
#define TAG_MC 0x4d43u  /* "MC" */
#define TAG_QMC 0x514du /* "QM" */


/* Uniform doubles in (0, 1) from (seed, a, b, tag): out[0..1]. */
static void philox_uniform2(uint64_t seed, uint32_t a, uint32_t b,
                            uint32_t c, uint32_t tag, double out[2])
{
    philox4x32_ctr_t ctr = {{a, b, c, tag}};
    philox4x32_key_t key = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    philox4x32_ctr_t r = philox4x32(ctr, key);
    for (int i = 0; i < 2; i++) {
        const uint64_t k = ((uint64_t)(r.v[2 * i] >> 5) << 26)
                           | (uint64_t)(r.v[2 * i + 1] >> 6);
        out[i] = ((double)k + 0.5) * 0x1p-53;
    }
}

typedef struct mc_slot {
    double *x, *fv;
} mc_slot;

typedef struct mc_state {
    unsigned dim, fdim;
    const double *c, *h; /* centre, half-widths */
    qm_vector_fn f;
    void *data;
    uint64_t seed;
    size_t maxpts;       /* points per task, at most */
    mc_slot *slot;
    int nslots;
    /* MC */
    uint64_t N;
    double *part;        /* per block: fdim sums then fdim M2 */
    /* QMC */
    const qm_sobol *sobol;
    uint64_t first;      /* index of the chunk's first point */
    size_t cn, nsub;     /* points in the chunk, sub-blocks per replica */
    const double *shift; /* R x dim */
    double *tsum;        /* per task of the chunk: fdim sums */
    /* a step covers units [ubase, ubase + its n) (MC blocks, QMC tasks of
     * the chunk), each with a slot: a qm_unit_status, then its 2 fdim
     * (MC: sums, M2) or fdim (QMC: sums) doubles */
    int qmc;
    int64_t ubase;
    unsigned char *dbuf;
    size_t dslot;
} mc_state;

static qm_unit_status *slot_status(const mc_state *s, int64_t u)
{
    return (qm_unit_status *)(void *)(s->dbuf + (size_t)u * s->dslot);
}

static double *slot_data(const mc_state *s, int64_t u)
{
    return (double *)(void *)(s->dbuf + (size_t)u * s->dslot
                              + sizeof(qm_unit_status));
}

static int mc_init(void *ctx, int worker)
{
    mc_state *s = ctx;
    mc_slot *sl = &s->slot[worker];
    if (sl->x)
        return QM_SUCCESS;
    sl->x = malloc(s->maxpts * s->dim * sizeof *sl->x);
    sl->fv = malloc(s->maxpts * s->fdim * sizeof *sl->fv);
    return sl->x && sl->fv ? QM_SUCCESS : QM_ENOMEM;
}

/* Evaluate n points in sl->x; QM_SUCCESS or the failure, recorded in the
 * unit's slot u. */
static int mc_eval(mc_state *s, mc_slot *sl, size_t n, int64_t u)
{
    const int us = s->f(n, s->dim, sl->x, s->fdim, sl->fv, s->data);
    qm_unit_status *rec = slot_status(s, u);
    if (us != 0) {
        rec->status = QM_EUSER;
        rec->user_status = us;
        rec->x = NAN;
        return QM_EUSER;
    }
    for (size_t i = 0; i < n * s->fdim; i++)
        if (!isfinite(sl->fv[i])) {
            rec->status = QM_ENONFINITE;
            rec->x = sl->x[(i / s->fdim) * s->dim];
            return QM_ENONFINITE;
        }
    return QM_SUCCESS;
}

static int mc_body(void *ctx, int worker, int64_t lo, int64_t hi,
                   int64_t *fail_at)
{
    mc_state *s = ctx;
    mc_slot *sl = &s->slot[worker];
    const unsigned d = s->dim, fd = s->fdim;
    for (int64_t b0 = lo; b0 < hi; b0++) {
        const int64_t b = b0 + s->ubase; /* the block */
        const uint64_t i0 = (uint64_t)b * QM_MC_BLOCK;
        const size_t n = s->N - i0 < QM_MC_BLOCK ? (size_t)(s->N - i0)
                                                 : QM_MC_BLOCK;
        for (size_t p = 0; p < n; p++) {
            const uint64_t i = i0 + p;
            double *x = sl->x + p * d;
            for (unsigned j = 0; j < d; j += 2) {
                double u[2];
                philox_uniform2(s->seed, (uint32_t)i, (uint32_t)(i >> 32),
                                j / 2, TAG_MC, u);
                x[j] = s->c[j] + (2 * u[0] - 1) * s->h[j];
                if (j + 1 < d)
                    x[j + 1] = s->c[j + 1] + (2 * u[1] - 1) * s->h[j + 1];
            }
        }
        const int st = mc_eval(s, sl, n, b0);
        if (st != QM_SUCCESS) {
            *fail_at = b0;
            return st;
        }
        double *sum = slot_data(s, b0), *m2 = sum + fd;
        for (unsigned k = 0; k < fd; k++) {
            double a = 0;
            for (size_t p = 0; p < n; p++)
                a += sl->fv[p * fd + k];
            const double mean = a / (double)n;
            double q = 0;
            for (size_t p = 0; p < n; p++) {
                const double e = sl->fv[p * fd + k] - mean;
                q += e * e;
            }
            sum[k] = a;
            m2[k] = q;
        }
    }
    return QM_SUCCESS;
}

static int qmc_body(void *ctx, int worker, int64_t lo, int64_t hi,
                    int64_t *fail_at)
{
    mc_state *s = ctx;
    mc_slot *sl = &s->slot[worker];
    const unsigned d = s->dim, fd = s->fdim;
    for (int64_t t0 = lo; t0 < hi; t0++) {
        const int64_t t = t0; /* the task of the chunk */
        const size_t r = (size_t)t / s->nsub, sb = (size_t)t % s->nsub;
        const size_t p0 = sb * QM_QMC_BLOCK;
        const size_t n = s->cn - p0 < QM_QMC_BLOCK ? s->cn - p0 : QM_QMC_BLOCK;
        const double *sh = s->shift + r * d;
        qm__sobol_points(s->sobol, s->first + p0, n, sl->x);
        for (size_t p = 0; p < n; p++) {
            double *x = sl->x + p * d;
            for (unsigned j = 0; j < d; j++) {
                double y = x[j] + sh[j];
                if (y >= 1)
                    y -= 1;
                x[j] = s->c[j] + (2 * y - 1) * s->h[j];
            }
        }
        const int st = mc_eval(s, sl, n, t);
        if (st != QM_SUCCESS) {
            *fail_at = t0;
            return st;
        }
        for (unsigned k = 0; k < fd; k++) {
            double a = 0;
            for (size_t p = 0; p < n; p++)
                a += sl->fv[p * fd + k];
            slot_data(s, t)[k] = a;
        }
    }
    return QM_SUCCESS;
}

static void loop_setup(qm_loop *loop, const qm_exec *ex, mc_state *s,
                       int64_t n, int qmc)
{
    memset(loop, 0, sizeof *loop);
    loop->n = n;
    loop->schedule = ex->schedule == QM_SCHEDULE_AUTO ? QM_SCHEDULE_STATIC
                                                      : ex->schedule;
    loop->grab = ex->chunk;
    loop->piece = 1;
    loop->ctx = s;
    loop->init = mc_init;
    loop->body = qmc ? qmc_body : mc_body;
}

/* Units ubase + [0, n) as one step; every process then holds every
 * unit's results (copied to `to`, nd doubles per unit) and finds the same
 * lowest failure. */
static int mc_step(const qm_exec *ex, mc_state *s, size_t n, double *to,
                   size_t nd, qm_result *res)
{
    qm_step step;
    qm__step_init(&step, s->dbuf, n, s->dslot, 0);
    loop_setup(&step.loop, ex, s, 0, s->qmc);
    size_t fu = 0;
    res->steps++;
    const int st = qm__step_run(ex, &step, &fu);
    qm__step_report(ex, &step, st, fu, res);
    if (st != QM_SUCCESS)
        return st;
    for (size_t u = 0; u < n; u++)
        memcpy(to + u * nd, slot_data(s, (int64_t)u), nd * sizeof(double));
    return QM_SUCCESS;
}

/* MC blocks per step, at most (a step's slots stay within 64 MiB). */
static size_t mc_step_blocks(const mc_state *s)
{
    const size_t k = ((size_t)1 << 26) / s->dslot;
    return k < 1 ? 1 : k > 4096 ? 4096 : k;
}

static int run_mc(const qm_exec *ex, mc_state *s, double vol, double *val,
                  double *err, qm_result *info)
{
    const unsigned fd = s->fdim;
    const uint64_t nblk = s->N / QM_MC_BLOCK + (s->N % QM_MC_BLOCK != 0);
    const size_t step = mc_step_blocks(s);
    /* one step's block results at a time: memory does not grow with N */
    s->part = malloc(step * 2 * fd * sizeof *s->part);
    qm_sacc *acc = malloc(fd * sizeof *acc);
    double *run = malloc(3 * (size_t)fd * sizeof *run); /* cnt, mean, M2 */
    int st = s->part && acc && run ? QM_SUCCESS : QM_ENOMEM;
    if (ex->dist)
        st = ex->dist->agree(ex->dctx, st, 0);
    if (st != QM_SUCCESS) {
        free(s->part);
        free(acc);
        free(run);
        return st;
    }
    for (unsigned k = 0; k < fd; k++) {
        qm__sacc_init(&acc[k]);
        run[3 * k] = run[3 * k + 1] = run[3 * k + 2] = 0;
    }
    for (uint64_t b0 = 0; st == QM_SUCCESS && b0 < nblk; b0 += step) {
        const size_t nb_step = nblk - b0 < step ? (size_t)(nblk - b0) : step;
        s->ubase = (int64_t)b0;
        st = mc_step(ex, s, nb_step, s->part, 2 * (size_t)fd, info);
        /* value: exact sum of block sums; variance: blocks combined in
         * block order (Chan et al.), step after step -- the same order as
         * over all blocks at once */
        for (unsigned k = 0; st == QM_SUCCESS && k < fd; k++) {
            double cnt = run[3 * k], mean = run[3 * k + 1], m2 = run[3 * k + 2];
            for (size_t j = 0; j < nb_step; j++) {
                const uint64_t b = b0 + j;
                const double *sum = s->part + j * 2 * fd;
                const double nb = (double)(b + 1 < nblk ? QM_MC_BLOCK
                                                        : s->N - b * QM_MC_BLOCK);
                qm__sacc_add(&acc[k], sum[k]);
                const double mb = sum[k] / nb, delta = mb - mean;
                const double ntot = cnt + nb;
                mean += delta * (nb / ntot);
                m2 += sum[fd + k] + delta * delta * (cnt * nb / ntot);
                cnt = ntot;
            }
            run[3 * k] = cnt;
            run[3 * k + 1] = mean;
            run[3 * k + 2] = m2;
        }
    }
    s->ubase = 0;
    info->evaluations = (int64_t)s->N;
    if (st == QM_SUCCESS)
        for (unsigned k = 0; k < fd; k++) {
            const double N = (double)s->N, m2 = run[3 * k + 2];
            val[k] = vol * (qm__sacc_round(&acc[k]) / N);
            err[k] = s->N > 1 ? vol * sqrt(m2 / (N - 1) / N) : INFINITY;
        }
    free(s->part);
    free(acc);
    free(run);
    return st;
}

static int run_qmc(const qm_exec *ex, mc_state *s, double vol, double *val,
                   double *err, qm_result *info)
{
    const unsigned d = s->dim, fd = s->fdim;
    const uint64_t n = s->N / QM_QMC_REPLICAS ? s->N / QM_QMC_REPLICAS : 1;
    const size_t R = QM_QMC_REPLICAS;
    if (n > QM_SOBOL_MAX_POINTS)
        return QM_EINVAL;
    qm_sobol *q = NULL;
    int st = qm__sobol_new(&q, d);
    if (st != QM_SUCCESS)
        return st;
    double *shift = malloc(R * d * sizeof *shift);
    const size_t maxtask = R * (QM_QMC_CHUNK / QM_QMC_BLOCK);
    s->tsum = malloc(maxtask * fd * sizeof *s->tsum);
    qm_sacc *acc = malloc(R * fd * sizeof *acc);
    if (!shift || !s->tsum || !acc)
        st = QM_ENOMEM;
    if (ex->dist)
        st = ex->dist->agree(ex->dctx, st, 0);
    if (st == QM_SUCCESS) {
        for (size_t r = 0; r < R; r++)
            for (unsigned j = 0; j < d; j += 2) {
                double u[2];
                philox_uniform2(s->seed, (uint32_t)r, j / 2, 0, TAG_QMC, u);
                shift[r * d + j] = u[0];
                if (j + 1 < d)
                    shift[r * d + j + 1] = u[1];
            }
        for (size_t i = 0; i < R * fd; i++)
            qm__sacc_init(&acc[i]);
        s->sobol = q;
        s->shift = shift;
    }
    for (uint64_t done = 0; st == QM_SUCCESS && done < n;) {
        s->cn = n - done < QM_QMC_CHUNK ? (size_t)(n - done) : QM_QMC_CHUNK;
        s->first = done;
        s->nsub = (s->cn + QM_QMC_BLOCK - 1) / QM_QMC_BLOCK;
        st = mc_step(ex, s, R * s->nsub, s->tsum, fd, info);
        if (st != QM_SUCCESS)
            break;
        for (size_t t = 0; t < R * s->nsub; t++)
            for (unsigned k = 0; k < fd; k++)
                qm__sacc_add(&acc[(t / s->nsub) * fd + k], s->tsum[t * fd + k]);
        done += s->cn;
    }
    info->evaluations = (int64_t)(n * R);
    if (st == QM_SUCCESS)
        for (unsigned k = 0; k < fd; k++) {
            double m[QM_QMC_REPLICAS], mean = 0, ss = 0;
            for (size_t r = 0; r < R; r++) {
                m[r] = qm__sacc_round(&acc[r * fd + k]) / (double)n;
                mean += m[r];
            }
            mean /= (double)R;
            for (size_t r = 0; r < R; r++)
                ss += (m[r] - mean) * (m[r] - mean);
            val[k] = vol * mean;
            err[k] = vol * sqrt(ss / (double)(R - 1) / (double)R);
        }
    qm__sobol_free(q);
    free(shift);
    free(s->tsum);
    free(acc);
    return st;
}

unsigned qm_qmc_max_dim(void)
{
    return QM_QMC_MAX_DIM;
}

int qm__cubature_mc_check(unsigned dim)
{
    return dim > QM_QMC_MAX_DIM ? QM_EINVAL : QM_SUCCESS;
}

int qm__cubature_mc(const qm_exec *ex, qm_vector_fn f, void *data,
                    unsigned dim, const double *xmin, const double *xmax,
                    unsigned fdim, const qm_cubature_opts *opts, double *val,
                    double *err, qm_result *info)
{
    const int qmc = opts->method == QM_METHOD_QMC;
    if (qmc && dim > QM_QMC_MAX_DIM)
        return QM_EINVAL;
    mc_state s;
    memset(&s, 0, sizeof s);
    s.dim = dim;
    s.fdim = fdim;
    s.f = f;
    s.data = data;
    s.seed = opts->seed;
    s.N = opts->max_eval ? opts->max_eval : QM_MC_DEFAULT_SAMPLES;
    s.maxpts = qmc ? QM_QMC_BLOCK : QM_MC_BLOCK;
    s.qmc = qmc;
    s.dslot = sizeof(qm_unit_status) + (qmc ? 1 : 2) * (size_t)fdim * sizeof(double);
    s.dbuf = malloc((qmc ? (size_t)QM_QMC_REPLICAS
                               * (QM_QMC_CHUNK / QM_QMC_BLOCK)
                         : mc_step_blocks(&s)) * s.dslot);
    double *ch = malloc(2 * (size_t)dim * sizeof *ch);
    qm_loop probe;
    loop_setup(&probe, ex, &s, INT64_MAX / 2, qmc);
    s.nslots = qm__loop_workers(ex, &probe);
    s.slot = calloc((size_t)s.nslots, sizeof *s.slot);
    int st = ch && s.slot && s.dbuf ? QM_SUCCESS : QM_ENOMEM;
    /* out of memory on one process is out of memory everywhere */
    if (ex->dist)
        st = ex->dist->agree(ex->dctx, st, 0);
    if (st == QM_SUCCESS) {
        double vol = 1;
        for (unsigned j = 0; j < dim; j++) {
            ch[j] = 0.5 * xmin[j] + 0.5 * xmax[j];
            ch[dim + j] = 0.5 * xmax[j] - 0.5 * xmin[j];
            vol *= 2 * ch[dim + j];
        }
        s.c = ch;
        s.h = ch + dim;
        st = qmc ? run_qmc(ex, &s, vol, val, err, info)
                 : run_mc(ex, &s, vol, val, err, info);
    }
    info->value = val[0];
    info->abserr = err[0];
    for (int w = 0; s.slot && w < s.nslots; w++) {
        free(s.slot[w].x);
        free(s.slot[w].fv);
    }
    free(s.slot);
    free(s.dbuf);
    free(ch);
    return st;
}
