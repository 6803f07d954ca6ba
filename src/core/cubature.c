/*
 * Adaptive cubature over hyper-rectangles (qm_cubature, method
 * QM_METHOD_GENZ_MALIK), parallel and reproducible; argument checking for
 * every method of qm_cubature (MC and QMC live in montecarlo.c).
 *
 * Rule.  The Genz-Malik embedded pair (A. C. Genz and A. A. Malik, "An
 * adaptive algorithm for numerical integration over an n-dimensional
 * rectangular region", J. Comput. Appl. Math. 6 (1980) 295-302; weights as
 * in S. G. Johnson's cubature package, hcubature, after J. Berntsen,
 * T. O. Espelid and A. Genz, ACM TOMS 17 (1991)): a degree-7 rule on
 * 2^d + 2d^2 + 2d + 1 points and an embedded degree-5 rule on the points
 * other than the 2^d corners.  Points, for a region of centre c and
 * half-widths h (l2 = sqrt(9/70), l4 = sqrt(9/10), l5 = sqrt(9/19)):
 *   c                                  weight w1, e1
 *   c +- l2 h_j e_j       (2d points)  w2, e2
 *   c +- l4 h_j e_j       (2d points)  w3, e3
 *   c +- l4 h_j e_j +- l4 h_k e_k (j < k, 2d(d-1) points)  w4, e4
 *   c +- l5 h             (2^d corners) w5, -
 * Both rules integrate constants exactly (the weights sum to 1; checked by
 * the tests on polynomials).  The region's error is |R7 - R5| per
 * component; it is split in half along the axis with the largest fourth
 * difference |f(c+l2)+f(c-l2)-2f(c) - (l2/l4)^2 (f(c+l4)+f(c-l4)-2f(c))|
 * summed over components (ties, e.g. by symmetry, go to the widest axis,
 * then the lowest index).
 *
 * Parallel batches (Gladwell's idea, as cubature's hcubature_v).  Each step
 * pops regions in decreasing order of their largest component error
 * (ties by region number: a total order) until either the error of the
 * regions left meets the tolerance, or QM_CUB_POP regions were popped, or
 * the evaluation budget would be exceeded; it splits each into two and
 * evaluates all new regions.  The choice sees only region errors, never the
 * worker count.  The new regions are cut into tasks of a fixed number of
 * regions (from the point count only) and run on the executor's chunk loop;
 * each region's value, error and split axis are computed from its own
 * points in a fixed order and written in place, and the heap is updated
 * serially in batch order.  The totals are exact (qm_sacc) running sums of
 * the current regions' values and errors (adding a region's value, later
 * adding its negation), so they are the exact sums of the partition,
 * rounded once.  Hence the result, the error, the evaluation count and any
 * failure report are bitwise identical for every executor and thread count.
 */
#include "config.h"
#include "core/internal.h"
#include "core/adapt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Most regions popped (hence 2 x regions evaluated) per step.  A step's
 * batch stays large enough to feed a few threads with work while not
 * refining far past the tolerance. */
#define QM_CUB_POP 64
/* Target points per integrand call: regions per task = max(1, this / npts). */
#define QM_CUB_TASK_POINTS 256
/* Default evaluation budget. */
#define QM_CUB_DEFAULT_MAX_EVAL 10000000ULL


/* ---------------------------------------------------------- the norms */

/* Whether (val, err) meets max(epsabs, epsrel |val|) in the given norm, with
 * the meanings of cubature's ERROR_* constants (PAIRED: consecutive pairs
 * as complex numbers, an odd last component alone; L2, L1, LINF: the norm
 * of the error vector against the same norm of the value vector). */
static double scaled_hypot(const double *v, unsigned n, unsigned stride)
{
    double m = 0, s = 0;
    for (unsigned i = 0; i < n; i++)
        if (fabs(v[i * stride]) > m)
            m = fabs(v[i * stride]);
    if (m == 0 || !isfinite(m))
        return m;
    for (unsigned i = 0; i < n; i++) {
        const double t = v[i * stride] / m;
        s += t * t;
    }
    return m * sqrt(s);
}

static int not_met(double e, double v, double epsabs, double epsrel)
{
    return e > epsabs && e > fabs(v) * epsrel;
}

static int converged(unsigned fdim, const double *val, const double *err,
                     double epsabs, double epsrel, qm_norm norm)
{
    unsigned j;
    switch (norm) {
    case QM_NORM_INDIVIDUAL:
        for (j = 0; j < fdim; j++)
            if (not_met(err[j], val[j], epsabs, epsrel))
                return 0;
        return 1;
    case QM_NORM_PAIRED:
        for (j = 0; j + 1 < fdim; j += 2)
            if (not_met(scaled_hypot(err + j, 2, 1),
                        scaled_hypot(val + j, 2, 1), epsabs, epsrel))
                return 0;
        if (j < fdim && not_met(err[j], val[j], epsabs, epsrel))
            return 0;
        return 1;
    case QM_NORM_L2:
        return !not_met(scaled_hypot(err, fdim, 1), scaled_hypot(val, fdim, 1),
                        epsabs, epsrel);
    case QM_NORM_L1: {
        double e = 0, v = 0;
        for (j = 0; j < fdim; j++) {
            e += err[j];
            v += fabs(val[j]);
        }
        return !not_met(e, v, epsabs, epsrel);
    }
    case QM_NORM_LINF: {
        double e = 0, v = 0;
        for (j = 0; j < fdim; j++) {
            if (err[j] > e)
                e = err[j];
            if (fabs(val[j]) > v)
                v = fabs(val[j]);
        }
        return !not_met(e, v, epsabs, epsrel);
    }
    }
    return 0;
}

/* ----------------------------------------------------------- the rule */

/* Genz-Malik constants (see the file comment). */
#define GM_L2 0.35856858280031809199 /* sqrt(9/70) */
#define GM_L4 0.94868329805051379960 /* sqrt(9/10) */
#define GM_L5 0.68824720161168529772 /* sqrt(9/19) */
#define GM_RATIO (1.0 / 7.0)         /* (l2/l4)^2 = (9/70)/(9/10) */

typedef struct gm_weights {
    double w1, w2, w3, w4, w5; /* degree 7 */
    double e1, e2, e3, e4;     /* degree 5 */
} gm_weights;

static void gm_weights_init(gm_weights *w, unsigned d)
{
    const double D = (double)d;
    w->w1 = (12824.0 - 9120.0 * D + 400.0 * D * D) / 19683.0;
    w->w2 = 980.0 / 6561.0;
    w->w3 = (1820.0 - 400.0 * D) / 19683.0;
    w->w4 = 200.0 / 19683.0;
    w->w5 = ldexp(6859.0 / 19683.0, -(int)d);
    w->e1 = (729.0 - 950.0 * D + 50.0 * D * D) / 729.0;
    w->e2 = 245.0 / 486.0;
    w->e3 = (265.0 - 100.0 * D) / 1458.0;
    w->e4 = 25.0 / 729.0;
}

static size_t gm_points(unsigned d)
{
    return ((size_t)1 << d) + 2 * (size_t)d * d + 2 * (size_t)d + 1;
}

/* Write the rule's points for centre c, half-widths h into x (npts x d). */
static void gm_fill(unsigned d, const double *c, const double *h, double *x)
{
    double *p = x;
#define GM_POINT() (memcpy(p, c, d * sizeof *p), p += d, p - d)
    memcpy(p, c, d * sizeof *p);
    p += d;
    for (unsigned j = 0; j < d; j++) {
        double *q;
        q = GM_POINT(); q[j] = c[j] - GM_L2 * h[j];
        q = GM_POINT(); q[j] = c[j] + GM_L2 * h[j];
        q = GM_POINT(); q[j] = c[j] - GM_L4 * h[j];
        q = GM_POINT(); q[j] = c[j] + GM_L4 * h[j];
    }
    for (unsigned j = 0; j < d; j++)
        for (unsigned k = j + 1; k < d; k++)
            for (int s = 0; s < 4; s++) {
                double *q = GM_POINT();
                q[j] = c[j] + ((s & 1) ? GM_L4 : -GM_L4) * h[j];
                q[k] = c[k] + ((s & 2) ? GM_L4 : -GM_L4) * h[k];
            }
    for (size_t m = 0; m < ((size_t)1 << d); m++) {
        double *q = GM_POINT();
        for (unsigned j = 0; j < d; j++)
            q[j] = c[j] + (((m >> j) & 1) ? GM_L5 : -GM_L5) * h[j];
    }
#undef GM_POINT
}

/* Apply the rule to values fv (npts x fdim) of a region with half-widths h:
 * val, err (fdim each) and the split axis.  diff: d doubles of scratch. */
static unsigned gm_apply(unsigned d, unsigned fdim, const gm_weights *w,
                         const double *h, const double *fv, double *val,
                         double *err, double *diff)
{
    const size_t npairs = 2 * (size_t)d * (d - 1), ncorner = (size_t)1 << d;
    double vol = 1;
    for (unsigned j = 0; j < d; j++) {
        vol *= 2 * h[j];
        diff[j] = 0;
    }
    for (unsigned k = 0; k < fdim; k++) {
        const double *F = fv + k;
#define FV(i) F[(size_t)(i) * fdim]
        const double f0 = FV(0);
        double s2 = 0, s3 = 0, s4 = 0, s5 = 0;
        for (unsigned j = 0; j < d; j++) {
            const double a = FV(1 + 4 * j) + FV(2 + 4 * j);
            const double b = FV(3 + 4 * j) + FV(4 + 4 * j);
            s2 += a;
            s3 += b;
            diff[j] += fabs(a - 2 * f0 - GM_RATIO * (b - 2 * f0));
        }
        const size_t p4 = 1 + 4 * (size_t)d, p5 = p4 + npairs;
        for (size_t i = 0; i < npairs; i++)
            s4 += FV(p4 + i);
        for (size_t i = 0; i < ncorner; i++)
            s5 += FV(p5 + i);
#undef FV
        const double r7 = vol * (w->w1 * f0 + w->w2 * s2 + w->w3 * s3
                                 + w->w4 * s4 + w->w5 * s5);
        const double r5 = vol * (w->e1 * f0 + w->e2 * s2 + w->e3 * s3
                                 + w->e4 * s4);
        val[k] = r7;
        err[k] = fabs(r7 - r5);
    }
    /* Largest fourth difference; near-ties (within roundoff, or all zero)
     * go to the widest axis so that symmetric integrands are cut evenly. */
    double dmax = 0;
    for (unsigned j = 0; j < d; j++)
        if (diff[j] > dmax)
            dmax = diff[j];
    const double thresh = dmax * (1 - 1e-10);
    unsigned best = 0;
    int have = 0;
    for (unsigned j = 0; j < d; j++)
        if (diff[j] >= thresh && (!have || h[j] > h[best])) {
            best = j;
            have = 1;
        }
    return best;
}

/* ------------------------------------------------------- region store */

typedef struct cub_state {
    unsigned dim, fdim;
    size_t npts;      /* points per region */
    size_t per_task;  /* regions per task */
    gm_weights w;
    qm_vector_fn f;
    void *data;
    /* regions, struct of arrays */
    size_t n, cap;
    double *geo;      /* 2*dim per region: centre, half-widths */
    double *val, *err;/* fdim per region */
    double *emax;     /* largest component error */
    unsigned *split;  /* axis to split along */
    /* max-heap of region numbers */
    size_t *heap, nheap;
    /* the step's batch */
    size_t batch[2 * QM_CUB_POP];
    size_t nbatch;
    /* per-worker scratch */
    int nslots;
    struct cub_slot {
        double *x, *fv, *diff;
    } *slot;
    /* the step's slots, one per task: a qm_unit_status, then per_task
     * regions of 2 fdim + 2 doubles (val, err, emax, split) */
    unsigned char *dbuf;
    size_t dslot;
} cub_state;

static int cub_reserve(cub_state *s, size_t need)
{
    if (need <= s->cap)
        return QM_SUCCESS;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < need)
        cap *= 2;
    double *geo = realloc(s->geo, cap * 2 * s->dim * sizeof *geo);
    if (geo)
        s->geo = geo;
    double *val = realloc(s->val, cap * s->fdim * sizeof *val);
    if (val)
        s->val = val;
    double *err = realloc(s->err, cap * s->fdim * sizeof *err);
    if (err)
        s->err = err;
    double *emax = realloc(s->emax, cap * sizeof *emax);
    if (emax)
        s->emax = emax;
    unsigned *split = realloc(s->split, cap * sizeof *split);
    if (split)
        s->split = split;
    size_t *heap = realloc(s->heap, cap * sizeof *heap);
    if (heap)
        s->heap = heap;
    if (!geo || !val || !err || !emax || !split || !heap)
        return QM_ENOMEM;
    s->cap = cap;
    return QM_SUCCESS;
}

/* Heap order: larger emax first, ties by lower region number. */
static int heap_before(const cub_state *s, size_t a, size_t b)
{
    const double ea = s->emax[a], eb = s->emax[b];
    if (ea != eb)
        return ea > eb || isnan(ea); /* NaN cannot occur: values are checked */
    return a < b;
}

static void heap_push(cub_state *s, size_t r)
{
    size_t i = s->nheap++;
    while (i > 0) {
        const size_t p = (i - 1) / 2;
        if (!heap_before(s, r, s->heap[p]))
            break;
        s->heap[i] = s->heap[p];
        i = p;
    }
    s->heap[i] = r;
}

static size_t heap_pop(cub_state *s)
{
    const size_t top = s->heap[0], last = s->heap[--s->nheap];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->nheap)
            break;
        if (c + 1 < s->nheap && heap_before(s, s->heap[c + 1], s->heap[c]))
            c++;
        if (!heap_before(s, s->heap[c], last))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->nheap > 0)
        s->heap[i] = last;
    return top;
}

/* --------------------------------------------------- parallel evaluation */

static int cub_init(void *ctx, int worker)
{
    cub_state *s = ctx;
    struct cub_slot *sl = &s->slot[worker];
    if (sl->x)
        return QM_SUCCESS;
    const size_t pts = s->per_task * s->npts;
    sl->x = malloc(pts * s->dim * sizeof *sl->x);
    sl->fv = malloc(pts * s->fdim * sizeof *sl->fv);
    sl->diff = malloc(s->dim * sizeof *sl->diff);
    if (!sl->x || !sl->fv || !sl->diff)
        return QM_ENOMEM; /* freed with the state */
    return QM_SUCCESS;
}

static double *cub_rec_data(const cub_state *s, size_t t)
{
    return (double *)(void *)(s->dbuf + t * s->dslot + sizeof(qm_unit_status));
}

/* Evaluate tasks [lo, hi) of the batch into their slots: task t holds
 * batch entries [t*per_task, min((t+1)*per_task, nbatch)). */
static int cub_body(void *ctx, int worker, int64_t lo, int64_t hi,
                    int64_t *fail_at)
{
    cub_state *s = ctx;
    struct cub_slot *sl = &s->slot[worker];
    const unsigned d = s->dim, fd = s->fdim;
    for (int64_t t = lo; t < hi; t++) {
        qm_unit_status *us = (qm_unit_status *)(void *)(s->dbuf + (size_t)t * s->dslot);
        const size_t b0 = (size_t)t * s->per_task;
        const size_t b1 = b0 + s->per_task < s->nbatch ? b0 + s->per_task
                                                       : s->nbatch;
        for (size_t b = b0; b < b1; b++) {
            const double *g = s->geo + s->batch[b] * 2 * d;
            gm_fill(d, g, g + d, sl->x + (b - b0) * s->npts * d);
        }
        const size_t np = (b1 - b0) * s->npts;
        const int u = s->f(np, d, sl->x, fd, sl->fv, s->data);
        if (u != 0) {
            us->status = QM_EUSER;
            us->user_status = u;
            us->x = NAN;
            *fail_at = t;
            return QM_EUSER;
        }
        for (size_t i = 0; i < np * fd; i++)
            if (!isfinite(sl->fv[i])) {
                us->status = QM_ENONFINITE;
                us->x = sl->x[(i / fd) * d];
                *fail_at = t;
                return QM_ENONFINITE;
            }
        double *o = cub_rec_data(s, (size_t)t);
        for (size_t b = b0; b < b1; b++, o += 2 * (size_t)fd + 2) {
            const size_t r = s->batch[b];
            const unsigned split = gm_apply(d, fd, &s->w,
                                            s->geo + r * 2 * d + d,
                                            sl->fv + (b - b0) * s->npts * fd,
                                            o, o + fd, sl->diff);
            double em = 0;
            for (unsigned k = 0; k < fd; k++)
                if (o[fd + k] > em)
                    em = o[fd + k];
            o[2 * fd] = em;
            o[2 * fd + 1] = (double)split;
        }
    }
    return QM_SUCCESS;
}

static void loop_setup(qm_loop *loop, const qm_exec *ex, cub_state *s,
                       int64_t n)
{
    memset(loop, 0, sizeof *loop);
    loop->n = n;
    loop->schedule = ex->schedule == QM_SCHEDULE_AUTO ? QM_SCHEDULE_STATIC
                                                      : ex->schedule;
    loop->grab = ex->chunk;
    loop->piece = 1;
    loop->ctx = s;
    loop->init = cub_init;
    loop->body = cub_body;
}

/* Evaluate the batch as one step, then store every region's results; on
 * failure fill res from the lowest failing task. */
static int cub_eval(const qm_exec *ex, cub_state *s, qm_result *res)
{
    const unsigned fd = s->fdim;
    const size_t ntask = (s->nbatch + s->per_task - 1) / s->per_task;
    qm_step step;
    qm__step_init(&step, s->dbuf, ntask, s->dslot, 0);
    loop_setup(&step.loop, ex, s, 0);
    size_t fu = 0;
    const int st = qm__step_run(ex, &step, &fu);
    qm__step_report(ex, &step, st, fu, res);
    if (st != QM_SUCCESS)
        return st;
    for (size_t t = 0; t < ntask; t++) {
        const double *o = cub_rec_data(s, t);
        const size_t b0 = t * s->per_task;
        const size_t b1 = b0 + s->per_task < s->nbatch ? b0 + s->per_task
                                                       : s->nbatch;
        for (size_t b = b0; b < b1; b++, o += 2 * (size_t)fd + 2) {
            const size_t r = s->batch[b];
            memcpy(s->val + r * fd, o, fd * sizeof *o);
            memcpy(s->err + r * fd, o + fd, fd * sizeof *o);
            s->emax[r] = o[2 * fd];
            s->split[r] = (unsigned)o[2 * fd + 1];
        }
    }
    return QM_SUCCESS;
}

/* ------------------------------------------------------------ driver */

static void sacc_add_region(const cub_state *s, size_t r, qm_sacc *vs,
                            qm_sacc *es, double sign)
{
    for (unsigned k = 0; k < s->fdim; k++) {
        qm__sacc_add(&vs[k], sign * s->val[r * s->fdim + k]);
        qm__sacc_add(&es[k], sign * s->err[r * s->fdim + k]);
    }
}

static int cub_adaptive(const qm_exec *ex, qm_vector_fn f, void *data,
                        unsigned dim, const double *xmin, const double *xmax,
                        unsigned fdim, const qm_cubature_opts *opts,
                        double *val, double *err, qm_result *info)
{
    const uint64_t max_eval = opts->max_eval ? opts->max_eval
                                             : QM_CUB_DEFAULT_MAX_EVAL;
    cub_state s;
    memset(&s, 0, sizeof s);
    s.dim = dim;
    s.fdim = fdim;
    s.npts = gm_points(dim);
    s.per_task = s.npts >= QM_CUB_TASK_POINTS ? 1 : QM_CUB_TASK_POINTS / s.npts;
    gm_weights_init(&s.w, dim);
    s.f = f;
    s.data = data;
    s.dslot = sizeof(qm_unit_status)
              + s.per_task * (2 * (size_t)fdim + 2) * sizeof(double);
    s.dbuf = malloc(2 * QM_CUB_POP * s.dslot);

    qm_sacc *vs = malloc(2 * (size_t)fdim * sizeof *vs);
    double *vt = malloc(2 * (size_t)fdim * sizeof *vt); /* rounded totals */
    qm_loop probe;
    loop_setup(&probe, ex, &s, INT64_MAX / 2);
    s.nslots = qm__loop_workers(ex, &probe);
    s.slot = calloc((size_t)s.nslots, sizeof *s.slot);
    int st = (vs && vt && s.slot && s.dbuf) ? cub_reserve(&s, 1024)
                                            : QM_ENOMEM;
    /* out of memory on one process is out of memory everywhere */
    if (ex->dist)
        st = ex->dist->agree(ex->dctx, st, 0);
    qm_sacc *es = vs + fdim;
    double *et = vt + fdim;
    uint64_t evals = 0;

    if (st == QM_SUCCESS) {
        for (unsigned k = 0; k < fdim; k++) {
            qm__sacc_init(&vs[k]);
            qm__sacc_init(&es[k]);
        }
        for (unsigned j = 0; j < dim; j++) {
            s.geo[j] = 0.5 * xmin[j] + 0.5 * xmax[j];
            s.geo[dim + j] = 0.5 * xmax[j] - 0.5 * xmin[j];
        }
        s.n = 1;
        s.batch[0] = 0;
        s.nbatch = 1;
        st = cub_eval(ex, &s, info);
        info->steps++;
        evals += s.npts;
        if (st == QM_SUCCESS) {
            sacc_add_region(&s, 0, vs, es, 1.0);
            heap_push(&s, 0);
        }
    }
    while (st == QM_SUCCESS) {
        for (unsigned k = 0; k < fdim; k++) {
            vt[k] = qm__sacc_round(&vs[k]);
            et[k] = qm__sacc_round(&es[k]);
        }
        if (converged(fdim, vt, et, opts->epsabs, opts->epsrel, opts->norm))
            break;
        /* Choose the batch: the worst regions until the rest meets the
         * tolerance (relative to the current total), at most QM_CUB_POP,
         * within the budget. */
        st = cub_reserve(&s, s.n + QM_CUB_POP);
        if (ex->dist)
            st = ex->dist->agree(ex->dctx, st, 0);
        if (st != QM_SUCCESS)
            break;
        s.nbatch = 0;
        while (s.nheap > 0 && s.nbatch < 2 * QM_CUB_POP
               && evals + (s.nbatch + 2) * s.npts <= max_eval) {
            const size_t r = heap_pop(&s), r2 = s.n++;
            sacc_add_region(&s, r, vs, es, -1.0);
            double *g = s.geo + r * 2 * dim, *g2 = s.geo + r2 * 2 * dim;
            const unsigned a = s.split[r];
            g[dim + a] *= 0.5;
            memcpy(g2, g, 2 * dim * sizeof *g);
            g[a] -= g[dim + a];
            g2[a] += g[dim + a];
            s.batch[s.nbatch++] = r;
            s.batch[s.nbatch++] = r2;
            for (unsigned k = 0; k < fdim; k++)
                et[k] = qm__sacc_round(&es[k]);
            if (converged(fdim, vt, et, opts->epsabs, opts->epsrel,
                          opts->norm))
                break;
        }
        if (s.nbatch == 0) {
            st = QM_EMAXITER;
            break;
        }
        st = cub_eval(ex, &s, info);
        info->steps++;
        evals += s.nbatch * s.npts;
        if (st != QM_SUCCESS)
            break;
        for (size_t b = 0; b < s.nbatch; b++) {
            sacc_add_region(&s, s.batch[b], vs, es, 1.0);
            heap_push(&s, s.batch[b]);
        }
    }

    if (vs && vt && (st == QM_SUCCESS || st == QM_EMAXITER)) {
        for (unsigned k = 0; k < fdim; k++) {
            val[k] = qm__sacc_round(&vs[k]);
            err[k] = qm__sacc_round(&es[k]);
        }
    } else {
        for (unsigned k = 0; k < fdim; k++)
            val[k] = err[k] = NAN;
    }
    info->evaluations = (int64_t)evals;
    info->subregions = s.n;
    info->value = val[0];
    info->abserr = err[0];

    for (int w = 0; s.slot && w < s.nslots; w++) {
        free(s.slot[w].x);
        free(s.slot[w].fv);
        free(s.slot[w].diff);
    }
    free(s.slot);
    free(s.dbuf);
    free(s.geo);
    free(s.val);
    free(s.err);
    free(s.emax);
    free(s.split);
    free(s.heap);
    free(vs);
    free(vt);
    return st;
}

/* --------------------------------------------------------- public API */

static int cubature_check(unsigned dim, const double *xmin,
                          const double *xmax, unsigned fdim,
                          const qm_cubature_opts *opts)
{
    if (!xmin || !xmax || !opts || fdim == 0 || dim == 0)
        return QM_EINVAL;
    /* the method's own limits first: the bounds are read for dim entries */
    switch (opts->method) {
    case QM_METHOD_DEFAULT:
    case QM_METHOD_GENZ_MALIK:
        if (dim < 2 || dim > QM_CUBATURE_MAX_DIM)
            return QM_EINVAL;
        if (isnan(opts->epsabs) || isnan(opts->epsrel) || opts->epsabs < 0
            || opts->epsrel < 0 || (opts->epsabs <= 0 && opts->epsrel <= 0))
            return QM_EINVAL;
        if ((unsigned)opts->norm > QM_NORM_LINF)
            return QM_EINVAL;
        break;
    case QM_METHOD_MC:
    case QM_METHOD_QMC:
        /* sample counts and indices stay exact in doubles and int64 */
        if (opts->max_eval > ((uint64_t)1 << 53))
            return QM_EINVAL;
        if (opts->method == QM_METHOD_QMC && qm__cubature_mc_check(dim))
            return QM_EINVAL;
        break;
    default:
        return QM_EINVAL;
    }
    for (unsigned j = 0; j < dim; j++)
        if (!isfinite(xmin[j]) || !isfinite(xmax[j]) || xmin[j] > xmax[j])
            return QM_EINVAL;
    return QM_SUCCESS;
}

/* Everything every process must pass alike (the agreement check); only
 * what the local checks let through is read. */
static uint64_t cubature_hash(unsigned dim, const double *xmin,
                              const double *xmax, unsigned fdim,
                              const qm_cubature_opts *o)
{
    uint64_t h = qm__hash_u64(QM_HASH_INIT, 0x43554241u); /* "CUBA" */
    h = qm__hash_u64(h, dim);
    h = qm__hash_u64(h, fdim);
    h = qm__hash_u64(h, (uint64_t)o->method);
    h = qm__hash_f64(h, o->epsabs);
    h = qm__hash_f64(h, o->epsrel);
    h = qm__hash_u64(h, (uint64_t)o->norm);
    h = qm__hash_u64(h, o->max_eval);
    h = qm__hash_u64(h, o->seed);
    h = qm__hash_bytes(h, xmin, dim * sizeof *xmin);
    return qm__hash_bytes(h, xmax, dim * sizeof *xmax);
}

int qm_cubature(const qm_exec *ex, qm_vector_fn f, void *data, unsigned dim,
                const double *xmin, const double *xmax, unsigned fdim,
                const qm_cubature_opts *opts, double *val, double *err,
                qm_result *res)
{
    qm_result dummy;
    if (!res)
        res = &dummy;
    qm__result_clear(res);
    if (!ex)
        return QM_EINVAL;
    if (val && err)
        for (unsigned k = 0; k < fdim; k++)
            val[k] = err[k] = NAN;
    int st = !f || !val || !err
                 ? QM_EINVAL
                 : cubature_check(dim, xmin, xmax, fdim, opts);
    st = qm__agree(ex, st,
                   st == QM_SUCCESS ? cubature_hash(dim, xmin, xmax, fdim, opts)
                                    : 0);
    if (st != QM_SUCCESS)
        return st;
    if (opts->method == QM_METHOD_DEFAULT
        || opts->method == QM_METHOD_GENZ_MALIK)
        return cub_adaptive(ex, f, data, dim, xmin, xmax, fdim, opts, val,
                            err, res);
    return qm__cubature_mc(ex, f, data, dim, xmin, xmax, fdim, opts, val, err,
                           res);
}
