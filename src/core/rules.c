/*
 * Composite fixed rules: planning, the block kernel and the driver.
 *
 * Error estimate (documented in quadmap.h): Richardson comparison of the rule
 * Q_N with the same rule on panels r times wider over the first r*floor(N/r)
 * panels (the fine panels on the remaining ones).  Expressed as a second set
 * of weights on the same points (plus, for Gauss-Legendre, extra coarse
 * points), it costs one more multiply-add per block, not per point.
 */
#include "config.h"
#include "core/rules.h"

#include <float.h>
#include <math.h>
#include <time.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ rule names */

static const char *const rule_names[] = {"left", "midpoint", "trapezoid",
                                         "simpson", "gauss"};

static int rule_valid(const qm_rule *r)
{
    if (!r || (unsigned)r->kind > QM_RULE_GAUSS)
        return 0;
    if (r->kind == QM_RULE_GAUSS &&
        (r->points < 1 || r->points > QM_GAUSS_MAX_POINTS))
        return 0;
    return 1;
}

int qm_rule_parse(const char *text, qm_rule *out)
{
    if (!text || !out)
        return QM_EINVAL;
    for (int i = 0; i <= QM_RULE_GAUSS; i++) {
        size_t len = strlen(rule_names[i]);
        if (strncmp(text, rule_names[i], len) != 0)
            continue;
        if (text[len] == '\0') {
            out->kind = (qm_rule_kind)i;
            out->points = i == QM_RULE_GAUSS ? QM_GAUSS_DEFAULT_POINTS : 0;
            return QM_SUCCESS;
        }
        if (i == QM_RULE_GAUSS && text[len] == ':') {
            const char *p = text + len + 1;
            int k = 0;
            if (*p == '\0')
                return QM_EINVAL;
            for (; *p; p++) {
                if (*p < '0' || *p > '9' || k > QM_GAUSS_MAX_POINTS)
                    return QM_EINVAL;
                k = 10 * k + (*p - '0');
            }
            if (k < 1 || k > QM_GAUSS_MAX_POINTS)
                return QM_EINVAL;
            out->kind = QM_RULE_GAUSS;
            out->points = k;
            return QM_SUCCESS;
        }
    }
    return QM_EINVAL;
}

int qm_rule_name(const qm_rule *rule, char *buf, size_t size)
{
    if (!rule_valid(rule) || !buf)
        return QM_EINVAL;
    int len = rule->kind == QM_RULE_GAUSS
                  ? snprintf(buf, size, "gauss:%d", rule->points)
                  : snprintf(buf, size, "%s", rule_names[rule->kind]);
    return len < 0 || (size_t)len >= size ? QM_EINVAL : QM_SUCCESS;
}

/* Largest N: point indices must be exact in double. */
#define QM_MAX_N ((int64_t)1 << 53)

int64_t qm_rule_evaluations(const qm_rule *rule, int64_t n)
{
    if (!rule_valid(rule) || n < 1 || n > QM_MAX_N)
        return -1;
    switch (rule->kind) {
    case QM_RULE_LEFT:
    case QM_RULE_MIDPOINT: return n;
    case QM_RULE_TRAPEZOID: return n + 1;
    case QM_RULE_SIMPSON: return 2 * n + 1;
    case QM_RULE_GAUSS:
        return rule->points * (n + (n >= 4 ? n / 2 : 0));
    }
    return -1;
}

/* ------------------------------------------------------------ planning */

static qm_prog *add_prog(qm_plan *p, double x0, double c, double H,
                         int64_t i0, int64_t i1, double wf, double wc)
{
    qm_prog *g = &p->prog[p->nprogs++];
    g->x0 = x0;
    g->c = c;
    g->H = H;
    g->i_begin = i0;
    g->i_end = i1;
    g->wf = wf;
    for (int r = 0; r < 6; r++)
        g->wc[r] = wc;
    return g;
}

/* A single point at x with fine and coarse weights. */
static void add_point(qm_plan *p, double x, double wf, double wc)
{
    add_prog(p, x, 0.0, 0.0, 0, 1, wf, wc);
}

/* Coarse weights alternating by parity of the point index. */
static void set_parity(qm_prog *g, double w_even, double w_odd)
{
    for (int r = 0; r < 6; r++)
        g->wc[r] = r % 2 == 0 ? w_even : w_odd;
}

static void plan_left(qm_plan *p, double a, double h, int64_t n)
{
    const int64_t m = n / 2;
    p->richardson = 1.0; /* 2^1 - 1 */
    if (!p->has_coarse) {
        add_prog(p, a, 0.0, h, 0, n, h, 0.0);
        return;
    }
    set_parity(add_prog(p, a, 0.0, h, 0, 2 * m, h, 0.0), 2 * h, 0.0);
    if (n > 2 * m)
        add_prog(p, a, 0.0, h, 2 * m, n, h, h);
}

static void plan_midpoint(qm_plan *p, double a, double h, int64_t n)
{
    const int64_t m = n / 3;
    p->richardson = 8.0; /* 3^2 - 1 */
    if (!p->has_coarse) {
        add_prog(p, a, 0.5, h, 0, n, h, 0.0);
        return;
    }
    /* the coarse midpoints are the fine points with i = 1 (mod 3) */
    qm_prog *g = add_prog(p, a, 0.5, h, 0, 3 * m, h, 0.0);
    g->wc[1] = g->wc[4] = 3 * h;
    if (n > 3 * m)
        add_prog(p, a, 0.5, h, 3 * m, n, h, h);
}

static void plan_trapezoid(qm_plan *p, double a, double b, double h, int64_t n)
{
    const int64_t m = n / 2;
    p->richardson = 3.0; /* 2^2 - 1 */
    if (!p->has_coarse) {
        add_point(p, a, h / 2, 0.0);
        add_prog(p, a, 0.0, h, 1, n, h, 0.0);
        add_point(p, b, h / 2, 0.0);
        return;
    }
    add_point(p, a, h / 2, h);
    set_parity(add_prog(p, a, 0.0, h, 1, 2 * m, h, 0.0), 2 * h, 0.0);
    if (n == 2 * m) {
        add_point(p, b, h / 2, h);
    } else {
        /* x_{2m} ends the last coarse panel and starts the fine tail panel */
        add_prog(p, a, 0.0, h, 2 * m, 2 * m + 1, h, 1.5 * h);
        add_point(p, b, h / 2, h / 2);
    }
}

static void plan_simpson(qm_plan *p, double a, double b, double h, int64_t n)
{
    const int64_t m = n / 2;
    const double s = h / 6;
    p->richardson = 15.0; /* 2^4 - 1 */
    if (!p->has_coarse) {
        add_point(p, a, s, 0.0);
        add_prog(p, a, 0.0, h, 1, n, 2 * s, 0.0);
        add_point(p, b, s, 0.0);
        add_prog(p, a, 0.5, h, 0, n, 4 * s, 0.0);
        return;
    }
    /* coarse Simpson on panels 2h: panel ends x_{2j} (weight 2*2h/6),
     * panel middles x_{2j+1} (weight 4*2h/6) */
    add_point(p, a, s, 2 * s);
    set_parity(add_prog(p, a, 0.0, h, 1, 2 * m, 2 * s, 0.0), 4 * s, 8 * s);
    if (n == 2 * m) {
        add_point(p, b, s, 2 * s);
    } else {
        add_prog(p, a, 0.0, h, 2 * m, 2 * m + 1, 2 * s, 3 * s);
        add_point(p, b, s, s);
    }
    add_prog(p, a, 0.5, h, 0, 2 * m, 4 * s, 0.0);
    if (n > 2 * m)
        add_prog(p, a, 0.5, h, 2 * m, n, 4 * s, 4 * s);
}

static void plan_gauss(qm_plan *p, double a, double h, int64_t n, int k)
{
    long double t[QM_GAUSS_MAX_POINTS], w[QM_GAUSS_MAX_POINTS];
    const int64_t m = n / 2;
    qm__gauss_legendre_ld(k, t, w);
    p->richardson = ldexp(1.0, 2 * k) - 1.0; /* 2^(2k) - 1 */
    for (int j = 0; j < k; j++) {
        /* node offset within a panel, in panel widths; computed in long
         * double so nodes near the panel ends keep their relative accuracy */
        const double c = (double)((1.0L + t[j]) / 2.0L);
        const double om = (double)(w[j] / 2.0L);
        if (!p->has_coarse) {
            add_prog(p, a, c, h, 0, n, om * h, 0.0);
            continue;
        }
        add_prog(p, a, c, h, 0, 2 * m, om * h, 0.0);
        if (n > 2 * m)
            add_prog(p, a, c, h, 2 * m, n, om * h, om * h);
        /* the coarse rule's own nodes on panels 2h */
        add_prog(p, a, c, 2 * h, 0, m, 0.0, om * 2 * h);
    }
}

int qm__plan_fixed(qm_plan *p, qm_batch_fn f, void *data, double a, double b,
                   int64_t n, const qm_rule *rule)
{
    if (!p || !f || !rule_valid(rule) || n < 1 || n > QM_MAX_N ||
        !isfinite(a) || !isfinite(b))
        return QM_EINVAL;
    memset(p, 0, offsetof(qm_plan, prog));
    p->f = f;
    p->data = data;
    p->fused = qm__builtin_fused(f);
    p->kernels = qm__kernels();
    if (a == b)
        return QM_SUCCESS; /* empty plan: the integral is 0 */
    p->negate = a > b;
    if (p->negate) {
        double t = a;
        a = b;
        b = t;
    }
    const double h = (b - a) / (double)n;
    if (!isfinite(h) || h == 0.0)
        return QM_EINVAL; /* b - a overflows, or N beyond the interval's resolution */
    const int r = rule->kind == QM_RULE_MIDPOINT ? 3 : 2;
    p->has_coarse = n >= 2 * r;
    switch (rule->kind) {
    case QM_RULE_LEFT: plan_left(p, a, h, n); break;
    case QM_RULE_MIDPOINT: plan_midpoint(p, a, h, n); break;
    case QM_RULE_TRAPEZOID: plan_trapezoid(p, a, b, h, n); break;
    case QM_RULE_SIMPSON: plan_simpson(p, a, b, h, n); break;
    case QM_RULE_GAUSS: plan_gauss(p, a, h, n, rule->points); break;
    }
    for (int i = 0; i < p->nprogs; i++) {
        qm_prog *g = &p->prog[i];
        const int64_t cnt = g->i_end - g->i_begin;
        g->first_block = p->nblocks;
        p->nblocks += (cnt + QM_BLOCK - 1) / QM_BLOCK;
        p->evaluations += cnt;
    }
    return QM_SUCCESS;
}

/* ------------------------------------------------------------ the kernel */

/* Whether the six residue sums add up to a finite number (no NaN, no Inf,
 * no overflow of the raw sum). */
static inline int finite6(const double s[6])
{
    return isfinite(s[0] + s[1] + s[2] + s[3] + s[4] + s[5]);
}

/* Add the weighted residue sums s[q] into the accumulators one by one (the
 * overflow-safe path) and clear them. */
static void flush_weighted(const qm_prog *g, int r0, double s[6], qm_sacc *acc)
{
    for (int q = 0; q < 6; q++) {
        qm__sacc_add(&acc[0], g->wf * s[q]);
        qm__sacc_add(&acc[1], g->wc[(r0 + q) % 6] * s[q]);
        s[q] = 0.0;
    }
}

static int find_prog(const qm_plan *p, int64_t block)
{
    int lo = 0, hi = p->nprogs - 1;
    while (lo < hi) { /* last progression with first_block <= block */
        int mid = (lo + hi + 1) / 2;
        if (p->prog[mid].first_block <= block)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

QM_KERNEL int qm__plan_block(void *ctx, int64_t block, qm_scratch *sc, qm_sacc *acc,
                   qm_fail *fail)
{
    const qm_plan *p = ctx;
    const qm_prog *g = &p->prog[find_prog(p, block)];
    const int64_t i0 = g->i_begin + (block - g->first_block) * QM_BLOCK;
    const int64_t cnt = g->i_end - i0 < QM_BLOCK ? g->i_end - i0 : QM_BLOCK;
    double *restrict x = sc->x, *restrict y = sc->y;
    const double *restrict idx = sc->idx;
    double s[6] = {0};
    /* s[q] holds points with index = i0 + q (mod 6); i0 = i_begin (mod 6)
     * because QM_BLOCK is a multiple of 6, and so does every batch */
    const int r0 = (int)(((i0 % 6) + 6) % 6);

    for (int64_t off = 0; off < cnt; off += QM_BATCH) {
        const int m = (int)(cnt - off < QM_BATCH ? cnt - off : QM_BATCH);
        /* x_j = base + j H: one multiply and one add per point, the least
         * that forms an abscissa from an index; base carries the batch's
         * offset once (exact t for the Newton-Cotes rules, c = 0 or 1/2) */
        const double H = g->H;
        const double base = g->x0 + ((double)(i0 + off) + g->c) * H;
        /* bs[q] += values of the points j = q (mod 6) of this batch, summed
         * in a fixed order (24 lanes of consecutive values folded in lane
         * order, then the tail: kernels_isa.c), so the bits depend neither
         * on the ISA nor on the path */
        double bs[6] = {0};
        if (p->fused != NULL) /* a built-in: x and f(x) stay in registers */
            p->fused(base, H, idx, m, bs);
        if (p->fused == NULL || !finite6(bs)) {
            /* the general path, and the fused one's rare slow path: the
             * values themselves are needed to find a bad one */
#pragma omp simd
            for (int j = 0; j < m; j++)
                x[j] = base + idx[j] * H;
            int st = p->f((size_t)m, x, y, p->data);
            if (st != 0) {
                fail->x = x[0];
                fail->user_status = st;
                return QM_EUSER;
            }
            memset(bs, 0, sizeof bs);
            p->kernels->sum24(y, m, bs);
        }
        if (finite6(bs)) {
            double u[6];
            for (int q = 0; q < 6; q++)
                u[q] = s[q] + bs[q];
            if (finite6(u)) {
                memcpy(s, u, sizeof s);
            } else { /* the block sum would overflow: bank what we have */
                flush_weighted(g, r0, s, acc);
                memcpy(s, bs, sizeof s);
            }
            continue;
        }
        /* a NaN or Inf value, or huge finite values whose raw sum
         * overflows although their weighted sum may not */
        for (int j = 0; j < m; j++)
            if (!isfinite(y[j])) {
                fail->x = x[j];
                return QM_ENONFINITE;
            }
        for (int j = 0; j < m; j++) { /* rare: exact, point by point */
            qm__sacc_add(&acc[0], g->wf * y[j]);
            qm__sacc_add(&acc[1], g->wc[(r0 + j) % 6] * y[j]);
        }
    }
    double fine = 0.0, coarse = 0.0;
    for (int q = 0; q < 6; q++) {
        fine += s[q];
        coarse += g->wc[(r0 + q) % 6] * s[q];
    }
    fine *= g->wf;
    if (isfinite(fine + coarse)) {
        qm__sacc_add(&acc[0], fine);
        qm__sacc_add(&acc[1], coarse);
    } else {
        flush_weighted(g, r0, s, acc);
    }
    return QM_SUCCESS;
}

int qm__plan_finish(const qm_plan *p, int status, const qm_sacc acc[2],
                    const qm_fail *fail, qm_result *res)
{
    res->value = NAN;
    res->abserr = NAN;
    res->evaluations = p->evaluations;
    res->fail_x = NAN;
    res->user_status = 0;
    if (status != QM_SUCCESS) {
        if (fail->status != QM_SUCCESS) {
            res->fail_x = fail->x;
            res->user_status = fail->user_status;
        }
        return status;
    }
    if (p->nblocks == 0) {
        res->value = 0.0;
        res->abserr = 0.0;
        return QM_SUCCESS;
    }
    const double fine = qm__sacc_round(&acc[0]);
    double err;
    if (p->has_coarse) {
        const double coarse = qm__sacc_round(&acc[1]);
        /* twice the asymptotic Richardson estimate: the asymptotic value is
         * as often below the true error as above it */
        err = 2.0 * fabs(fine - coarse) / p->richardson;
    } else {
        err = fabs(fine);
    }
    err += 50 * DBL_EPSILON * fabs(fine);
    res->value = p->negate ? -fine : fine;
    res->abserr = err;
    if (!isfinite(fine))
        return QM_EOVRFLW;
    return QM_SUCCESS;
}

/* ------------------------------------------------------------ drivers */

/* Monotonic seconds, for the round lengths of a distributed run. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/*
 * A distributed fixed-rule run: this process evaluates its balanced share
 * [lo, hi) of the blocks (qm__share) with its local executor, in rounds.
 * After each round one small all-reduce (minimum) shares the lowest
 * failing block known anywhere and whether everybody is done; blocks at or
 * above that failure are skipped everywhere, blocks below it still run, so
 * the failure finally kept is the lowest failing block overall -- the one
 * a single process reports -- while the run stops promptly.  Round lengths
 * adapt to the integrand's cost (20-80 ms) and only decide when processes
 * talk, never the result.  The exact sums and the failure then travel
 * through one all-reduce.
 */
static int run_distributed(const qm_exec *ex, const qm_plan *plan,
                           qm_sacc acc[2], qm_fail *fail, int *fail_rank)
{
    uint64_t lo, hi;
    qm__share((uint64_t)plan->nblocks, ex->rank, ex->nranks, &lo, &hi);
    qm__sacc_init(&acc[0]);
    qm__sacc_init(&acc[1]);
    fail->status = QM_SUCCESS;
    fail->block = INT64_MAX;
    fail->x = 0.0;
    fail->user_status = 0;
    const int64_t threads = ex->threads;
    int64_t round = 4 * threads, cur = (int64_t)lo;
    int64_t known[2] = {INT64_MAX, 0}; /* {lowest failing block, all done} */
    for (;;) {
        const int64_t stop = (int64_t)hi < known[0] ? (int64_t)hi : known[0];
        const int64_t end = cur + round < stop ? cur + round : stop;
        if (cur < end) {
            const double t0 = now();
            qm_sacc part[2];
            qm_fail f;
            const int st = qm__exec_run(ex, cur, end, qm__plan_block,
                                        (void *)plan, 2, part, &f);
            qm__sacc_merge(&acc[0], &part[0]);
            qm__sacc_merge(&acc[1], &part[1]);
            if (st != QM_SUCCESS) {
                /* a failure that is not a block's (out of memory, a
                 * cancellation) stops everything: it ranks below every
                 * block */
                if (f.status == QM_SUCCESS) {
                    f.status = st;
                    f.block = -1;
                    f.x = NAN;
                }
                qm__fail_keep_lowest(fail, &f, f.block);
            }
            cur = end;
            const double dt = now() - t0;
            if (dt < 0.02 && round < INT64_MAX / 4)
                round *= 2;
            else if (dt > 0.08 && round > threads)
                round /= 2;
        }
        int64_t mine[2];
        mine[0] = fail->status != QM_SUCCESS ? fail->block : INT64_MAX;
        int64_t left = (int64_t)hi < known[0] ? (int64_t)hi : known[0];
        if (mine[0] < left)
            left = mine[0];
        mine[1] = cur >= left; /* nothing below any known failure left */
        ex->dist->min_i64(ex->dctx, mine, 2);
        known[0] = mine[0];
        known[1] = mine[1];
        if (known[1]) /* the minimum: every process is done */
            break;
    }
    ex->dist->allreduce(ex->dctx, acc, 2, fail, fail_rank);
    return fail->status;
}

int qm_integrate(const qm_exec *ex, qm_batch_fn f, void *data, double a,
                 double b, int64_t n, const qm_rule *rule, qm_result *res)
{
    qm_plan plan;
    qm_sacc acc[2];
    qm_fail fail;
    if (res)
        qm__result_clear(res);
    if (!ex)
        return QM_EINVAL;
    int st = res ? qm__plan_fixed(&plan, f, data, a, b, n, rule) : QM_EINVAL;
    uint64_t h = qm__hash_u64(QM_HASH_INIT, 0x46495844u); /* "FIXD" */
    h = qm__hash_f64(h, a);
    h = qm__hash_f64(h, b);
    h = qm__hash_u64(h, (uint64_t)n);
    if (rule) {
        h = qm__hash_u64(h, (uint64_t)rule->kind);
        h = qm__hash_u64(h, rule->kind == QM_RULE_GAUSS ? (uint64_t)rule->points
                                                        : 0);
    }
    st = qm__agree(ex, st, h);
    if (st != QM_SUCCESS)
        return st;
    int fail_rank = -1;
    if (ex->dist && plan.nblocks > 0) {
        st = run_distributed(ex, &plan, acc, &fail, &fail_rank);
    } else {
        st = qm__exec_run(ex, 0, plan.nblocks, qm__plan_block, &plan, 2, acc,
                          &fail);
        if (fail.status != QM_SUCCESS)
            fail_rank = 0;
    }
    st = qm__plan_finish(&plan, st, acc, &fail, res);
    if (st == QM_ENONFINITE || st == QM_EUSER)
        res->fail_rank = fail_rank;
    return st;
}

int qm_scalar_batch(size_t n, const double *x, double *y, void *adapter)
{
    const qm_scalar_adapter *ad = adapter;
    if (!ad || !ad->fn || (n > 0 && (!x || !y)))
        return QM_EINVAL;
    const qm_scalar_fn fn = ad->fn;
    void *data = ad->data;
    for (size_t i = 0; i < n; i++)
        y[i] = fn(x[i], data);
    return 0;
}

int qm_integrate_scalar(const qm_exec *ex, qm_scalar_fn f, void *data,
                        double a, double b, int64_t n, const qm_rule *rule,
                        qm_result *res)
{
    qm_scalar_adapter ad = {f, data};
    if (!f) {
        if (res)
            qm__result_clear(res);
        return QM_EINVAL;
    }
    return qm_integrate(ex, qm_scalar_batch, &ad, a, b, n, rule, res);
}
