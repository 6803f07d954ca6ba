/*
 * Adaptive 1-D integration: QUADPACK's QAG, QAGS (Wynn epsilon
 * extrapolation), QAGP (breakpoints) and QAGI (infinite ranges), as in
 * Piessens et al. 1983 and GSL's integration/qag.c, qags.c, qelg.c,
 * with one change that makes them parallel: each step bisects a *batch* of
 * intervals instead of one.
 *
 * The batch (Gladwell's vectorized QUADPACK, cubature's hcubature_v): in
 * order of decreasing error (ties: lower left end first), the intervals
 * whose removal is needed to bring the error sum under the tolerance, at
 * most QM_ADAPT_BATCH.  QAGS restricts the batch as QUADPACK restricts its
 * next bisection: in the extrapolation phase only "large" intervals (level
 * below the deepest level) are bisected, until their error is under the
 * extrapolation test ertest.  The 2 x batch Gauss-Kronrod rules of a step are
 * the units of one executor loop (qm__loop_run), each writing its own slot;
 * the interval list is then updated in batch order.  Nothing looks at the
 * worker count and the error and area sums are exact (superaccumulator,
 * updated by exact add/remove), so the result's bits do not depend on it.
 */
#include "config.h"
#include "core/internal.h"
#include "core/adapt.h"
#include "quadmap.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Most intervals bisected per step. */
#define QM_ADAPT_BATCH 64
/* First room for intervals beyond the initial ones, and for step slots:
 * buffers of a few hundred bytes, which malloc serves from its per-thread
 * cache (a call without a workspace makes them). */
#define QM_FIRST_ROOM 8
/* Wynn epsilon table length (QUADPACK limexp + 2). */
#define QM_EPS_TABLE 52


/* ----------------------------------------------------------- the rule */

typedef struct gk_rule {
    int key, m;               /* points, (key + 1) / 2 */
    double x[31], wk[31], wg[16];
} gk_rule;

/* One Gauss-Kronrod evaluation (QUADPACK qk's outputs): a step's slot. */
typedef struct gk_out {
    double a, b;
    double result, abserr, resabs, resasc;
    qm_unit_status us;        /* a failure of the integrand */
} gk_out;

typedef struct problem {
    qm_infmap map;            /* the integrand, on (0, 1] for infinite ranges */
    const gk_rule *rule;
} problem;

/* QUADPACK qk on [o->a, o->b]: one integrand call with the key nodes.
 * Inlined with a constant m for each rule (gk_eval), so that the loops
 * unroll; the operations and their order do not depend on that. */
static inline __attribute__((always_inline)) void
gk_eval_m(const problem *p, gk_out *o, const int m)
{
    const gk_rule *r = p->rule;
    const double c = 0.5 * (o->a + o->b), h = 0.5 * (o->b - o->a);
    const double ah = fabs(h);
    double t[61], fv[61];
    /* t[0] = centre, t[2j+1] = c - h x_j, t[2j+2] = c + h x_j */
    t[0] = c;
#pragma GCC unroll 32
    for (int j = 0; j < m - 1; j++) {
        t[2 * j + 1] = c - h * r->x[j];
        t[2 * j + 2] = c + h * r->x[j];
    }
    const size_t n = (size_t)r->key;
    /* written by the call only for QM_EUSER; qm_result::user_status is 0
     * for every other status */
    o->us.user_status = 0;
    o->us.status = qm__infmap_eval(&p->map, n, t, NULL, fv, &o->us.x,
                                   &o->us.user_status);
    if (o->us.status != QM_SUCCESS) {
        o->result = o->abserr = o->resabs = o->resasc = NAN;
        return;
    }
    const double fc = fv[0];
    /* the centre is a Gauss node when the Gauss rule has an odd count */
    double rg = (m % 2 == 0) ? fc * r->wg[m / 2 - 1] : 0.0;
    double rk = fc * r->wk[m - 1];
    double rabs = fabs(rk);
#pragma GCC unroll 32
    for (int j = 0; j < m - 1; j++) {
        const double f1 = fv[2 * j + 1], f2 = fv[2 * j + 2];
        const double s = f1 + f2;
        if (j % 2 == 1)
            rg += r->wg[j / 2] * s;
        rk += r->wk[j] * s;
        rabs += r->wk[j] * (fabs(f1) + fabs(f2));
    }
    const double mean = rk * 0.5;
    double rasc = r->wk[m - 1] * fabs(fc - mean);
#pragma GCC unroll 32
    for (int j = 0; j < m - 1; j++)
        rasc += r->wk[j] * (fabs(fv[2 * j + 1] - mean)
                            + fabs(fv[2 * j + 2] - mean));
    double err = fabs((rk - rg) * h);
    const double result = rk * h;
    rabs *= ah;
    rasc *= ah;
    /* QUADPACK's error rescaling (qk.c rescale_error) */
    if (rasc != 0 && err != 0) {
        const double scale = pow(200 * err / rasc, 1.5);
        err = scale < 1 ? rasc * scale : rasc;
    }
    if (rabs > DBL_MIN / (50 * DBL_EPSILON)) {
        const double min_err = 50 * DBL_EPSILON * rabs;
        if (min_err > err)
            err = min_err;
    }
    o->result = result;
    o->abserr = err;
    o->resabs = rabs;
    o->resasc = rasc;
}

static void gk_eval(const problem *p, gk_out *o)
{
    switch (p->rule->m) {
    case 8: gk_eval_m(p, o, 8); break;    /* GK15 */
    case 11: gk_eval_m(p, o, 11); break;  /* GK21 */
    case 16: gk_eval_m(p, o, 16); break;  /* GK31 */
    default: gk_eval_m(p, o, p->rule->m); break;
    }
}

/* ------------------------------------------------- parallel evaluation */

static int batch_body(void *vctx, int worker, int64_t lo, int64_t hi,
                      int64_t *fail_at)
{
    (void)worker;
    const problem *p = ((const void **)vctx)[0];
    gk_out *out = ((void **)vctx)[1];
    for (int64_t u = lo; u < hi; u++) {
        gk_eval(p, &out[u]);
        if (out[u].us.status != QM_SUCCESS) {
            *fail_at = u;
            return out[u].us.status;
        }
    }
    return QM_SUCCESS;
}

/* Evaluate rules out[0..n) (a, b filled in) as one step.  Returns the
 * status of the lowest failing rule (*fail_unit) or QM_SUCCESS. */
static int eval_batch(const qm_exec *ex, const problem *p, gk_out *out,
                      size_t n, size_t *fail_unit)
{
    const void *ctx[2] = {p, out};
    qm_step step;
    qm__step_init(&step, out, n, sizeof *out, offsetof(gk_out, us));
    step.loop.schedule = QM_SCHEDULE_DYNAMIC;
    step.loop.grab = 1;
    step.loop.piece = 1;
    step.loop.ctx = (void *)ctx;
    step.loop.body = batch_body;
    return qm__step_run(ex, &step, fail_unit);
}

/* ------------------------------------------------- the interval list */

typedef struct ival {
    double a, b, r, e;
    size_t level;
} ival;

/* An exact sum of the few terms of a list (the areas or the errors of the
 * intervals), rounded as the superaccumulator rounds (qm__sacc_round).
 *
 * Terms are fixed-point numbers on the accumulator's grid of 32-bit limbs,
 * and the few terms of a small integral's list are within a few dozen bits
 * of each other: they are added into one 128-bit integer anchored one limb
 * below the first term's lowest limb (32 to 63 bits of room below it, 4 to
 * 35 above), as long as each fits (lowest bit at or above the anchor,
 * highest below bit 120, at most 128 terms: no overflow).  Its
 * magnitude's 32-bit digits are then the accumulator's normalized digits,
 * and the rounding adds them from the lowest up, as qm__sacc_round does, so
 * the bits are the same.  The first term that does not fit moves the sum
 * into the accumulator (exactly) for the rest of the run, where rounding
 * and zeroing cost the span of limbs its additions touched.  Between runs
 * the accumulator is zero outside that span. */
#if defined(__SIZEOF_INT128__)
#define QM_XSUM_WINDOW 1
#define QM_XSUM_TOP 120       /* bits a term may reach above the anchor */
#define QM_XSUM_TERMS 128     /* terms the window takes: sum < 2^127 */
#endif
typedef struct xsum {
#ifdef QM_XSUM_WINDOW
    __int128 v;               /* the sum, in units of 2^(32 base - BIAS) */
    int base;                 /* the anchor limb; -1 before the first term */
    /* the inline path takes a normal term whose exponent field is in
     * [fast_lo, fast_lo + fast_span] (it fits the window) while room > 0 */
    int fast_lo, fast_span, room;
#endif
    int wide;                 /* the sum is in s (else in v) */
    int acc_ready;            /* s is zero outside [lo, hi] (else never
                                 zeroed: a window sum needs no s) */
    int lo, hi;               /* limbs of s possibly nonzero (lo > hi: none) */
    int64_t terms;            /* additions since zeroed */
    qm_sacc s;
} xsum;

/* fast_lo for "no inline path" (any exponent field minus it is negative) */
#define QM_XSUM_NEVER (1 << 20)

static void xsum_reset(xsum *x)
{
#ifdef QM_XSUM_WINDOW
    x->v = 0;
    x->base = -1;
    x->fast_lo = QM_XSUM_NEVER;
    x->fast_span = 0;
    x->room = QM_XSUM_TERMS;
    x->wide = 0;
#else
    x->wide = 1;
#endif
    x->lo = QM_SACC_LIMBS;
    x->hi = -1;
    x->terms = 0;
}

/* A new sum (its accumulator is zeroed when first needed). */
static void xsum_fresh(xsum *x)
{
    x->acc_ready = 0;
    xsum_reset(x);
}

/* The accumulator, zeroed if it never was. */
static void xsum_acc(xsum *x)
{
    if (!x->acc_ready) {
        qm__sacc_init(&x->s);
        x->acc_ready = 1;
    }
}

/* Back to zero for the next sum. */
static void xsum_clear(xsum *x)
{
    if (x->acc_ready) {
        if (x->terms >= QM_SACC_NORM_AT) {
            /* it may have been normalized: limbs outside the span changed */
            qm__sacc_init(&x->s);
        } else {
            for (int i = x->lo; i <= x->hi; i++)
                x->s.limb[i] = 0;
            x->s.pending = x->s.n_pinf = x->s.n_minf = x->s.n_nan = 0;
        }
    }
    xsum_reset(x);
}

#ifdef QM_XSUM_WINDOW
/* Move the window's sum into the (zero) accumulator: v = c0 + c1 2^32 +
 * c2 2^64 + c3 2^96 with 0 <= c0, c1, c2 < 2^32, c3 signed. */
static void xsum_spill(xsum *x)
{
    xsum_acc(x);
    x->wide = 1;
    x->fast_lo = QM_XSUM_NEVER;
    x->terms = QM_XSUM_TERMS - x->room;
    if (x->base < 0)
        return;
    const unsigned __int128 u = (unsigned __int128)x->v;
    for (int k = 0; k < 3; k++)
        x->s.limb[x->base + k] += (int64_t)((uint64_t)(u >> (32 * k)) & 0xffffffffu);
    x->s.limb[x->base + 3] += (int64_t)(x->v >> 96);
    x->s.pending = 1; /* every limb below 2^32 in magnitude */
    x->lo = x->base;
    x->hi = x->base + 3;
}

/* Anchor the window at the first term, v = mant 2^e (e >= -1074, as in
 * qm__sacc_add), lowest bit at pos = e + QM_SACC_BIAS, and derive the
 * exponent fields the inline path takes: normal terms (field >= 1) whose
 * offset pos - 32 base = field + 13 - 32 base is in [0, QM_XSUM_TOP - 53]. */
static inline void xsum_anchor(xsum *x, int pos)
{
    x->base = pos >= 32 ? (pos >> 5) - 1 : 0;
    const int lo = 32 * x->base - (QM_SACC_BIAS - 1075);
    int span = QM_XSUM_TOP - 53;
    if (lo + span > 0x7fe)
        span = 0x7fe - lo;
    x->fast_lo = lo >= 1 ? lo : QM_XSUM_NEVER;
    x->fast_span = span;
}
#endif

/* xsum_add for what the inline path does not take: zero, subnormal and
 * non-finite terms, one that leaves the window or finds it full, and a
 * sum in the accumulator. */
static __attribute__((noinline)) void xsum_add_slow(xsum *x, double v)
{
#ifdef QM_XSUM_WINDOW
    if (!x->wide) {
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        const int expo = (int)((bits >> 52) & 0x7ff);
        uint64_t mant = bits & ((UINT64_C(1) << 52) - 1);
        if (expo == 0 && mant == 0)
            return;
        if (expo != 0x7ff && x->room > 0) {
            int e = -1074;
            if (expo != 0) {
                mant |= UINT64_C(1) << 52;
                e = expo - 1075;
            }
            const int pos = e + QM_SACC_BIAS;
            if (x->base < 0)
                xsum_anchor(x, pos);
            const int off = pos - 32 * x->base;
            if (off >= 0 && off + 53 <= QM_XSUM_TOP) {
                x->room--;
                const __int128 m = (__int128)mant << off;
                x->v += (bits >> 63) ? -m : m;
                return;
            }
        }
        xsum_spill(x);
    }
#endif
    xsum_acc(x); /* (a window sum has made it ready when it spilled) */
    x->terms++;
    const int li = qm__sacc_add(&x->s, v);
    if (li >= 0) {
        if (li < x->lo)
            x->lo = li;
        if (li + 2 > x->hi)
            x->hi = li + 2;
    }
}

/* x += v, exactly.  Inline: a normal term that fits the window. */
static inline void xsum_add(xsum *x, double v)
{
#ifdef QM_XSUM_WINDOW
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    const int expo = (int)((bits >> 52) & 0x7ff);
    if (x->base < 0 && !x->wide && expo >= 19 && expo != 0x7ff)
        xsum_anchor(x, expo + (QM_SACC_BIAS - 1075)); /* pos >= 32 */
    const unsigned off = (unsigned)(expo - x->fast_lo);
    if (off <= (unsigned)x->fast_span && x->room > 0) {
        x->room--;
        const uint64_t mant = (bits & ((UINT64_C(1) << 52) - 1))
                              | (UINT64_C(1) << 52);
        const __int128 m = (__int128)mant << off;
        x->v += (bits >> 63) ? -m : m;
        return;
    }
#endif
    xsum_add_slow(x, v);
}

static double xsum_round(const xsum *x)
{
#ifdef QM_XSUM_WINDOW
    if (!x->wide) {
        if (x->v == 0)
            return 0.0;
        const int neg = x->v < 0;
        const unsigned __int128 mag = neg ? -(unsigned __int128)x->v
                                          : (unsigned __int128)x->v;
        const uint64_t m0 = (uint64_t)mag, m1 = (uint64_t)(mag >> 64);
        const double d[4] = {(double)(int64_t)(m0 & 0xffffffffu),
                             (double)(int64_t)(m0 >> 32),
                             (double)(int64_t)(m1 & 0xffffffffu),
                             (double)(int64_t)(m1 >> 32)};
        double r = 0.0;
        const int e0 = 32 * x->base - QM_SACC_BIAS;
        if (e0 >= -1022 && e0 + 96 <= 1023 - 32) {
            /* the four scales are normal: no branch per digit (a zero
             * digit adds +0 to a partial sum that is +0 or positive, which
             * changes nothing, so the bits are those of skipping it) */
            const uint64_t b0 = (uint64_t)(e0 + 1023) << 52;
            const uint64_t step = (uint64_t)32 << 52;
            double w[4];
            for (int k = 0; k < 4; k++) {
                const uint64_t bk = b0 + (uint64_t)k * step;
                memcpy(&w[k], &bk, sizeof w[k]);
            }
            r = d[0] * w[0];
            r += d[1] * w[1];
            r += d[2] * w[2];
            r += d[3] * w[3];
        } else {
            for (int k = 0; k < 4; k++)
                if (d[k] != 0)
                    r += qm__sacc_digit_value((int64_t)d[k], x->base + k);
        }
        return neg ? -1.0 * r : r;
    }
#endif
    if (!x->acc_ready)
        return 0.0; /* no term reached it */
    if (x->terms >= QM_SACC_NORM_AT)
        return qm__sacc_round(&x->s);
    return qm__sacc_round_span(&x->s, x->lo, x->hi);
}

typedef struct wspace {
    ival *iv;
    size_t n, cap;
    size_t *order;            /* indices by decreasing error */
    xsum area, err;           /* exact sums of r and e over the list */
    int sums_on;              /* area and err follow the list (else they
                                 are summed from it when needed) */
} wspace;

/* Sort indices by decreasing error, ties by increasing left end (a total
 * order on distinct intervals, so the order does not depend on the sort). */
static void sort_order(wspace *w)
{
    size_t *o = w->order;
    const ival *v = w->iv;
    for (size_t i = 0; i < w->n; i++)
        o[i] = i;
    /* insertion sort on a mostly sorted list would do, but n is at most a
     * few thousand and this runs once per step: use a merge sort */
    size_t *tmp = o + w->cap;
    for (size_t width = 1; width < w->n; width *= 2) {
        for (size_t lo = 0; lo < w->n; lo += 2 * width) {
            size_t mid = lo + width < w->n ? lo + width : w->n;
            size_t hi = lo + 2 * width < w->n ? lo + 2 * width : w->n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                const ival *x = &v[o[i]], *y = &v[o[j]];
                const int take_j = y->e > x->e || (y->e == x->e && y->a < x->a);
                tmp[k++] = take_j ? o[j++] : o[i++];
            }
            while (i < mid) tmp[k++] = o[i++];
            while (j < hi) tmp[k++] = o[j++];
        }
        memcpy(o, tmp, w->n * sizeof *o);
    }
}

/* Room for `need` intervals (the list grows with the partition, so a large
 * limit costs nothing until it is used; a workspace keeps what it got). */
static int ws_reserve(wspace *w, size_t need)
{
    if (need <= w->cap)
        return QM_SUCCESS;
    size_t cap = 2 * w->cap > need ? 2 * w->cap : need;
    ival *iv = realloc(w->iv, cap * sizeof *iv);
    if (!iv)
        return QM_ENOMEM;
    w->iv = iv;
    size_t *order = realloc(w->order, 2 * cap * sizeof *order);
    if (!order)
        return QM_ENOMEM;
    w->order = order;
    w->cap = cap;
    return QM_SUCCESS;
}

static void ws_free(wspace *w)
{
    free(w->iv);
    free(w->order);
}

/* Append an interval to the list (not to the sums). */
static void ws_push(wspace *w, double a, double b, double r, double e,
                    size_t level)
{
    ival *v = &w->iv[w->n++];
    v->a = a; v->b = b; v->r = r; v->e = e; v->level = level;
}

static void ws_add(wspace *w, double a, double b, double r, double e,
                   size_t level)
{
    ws_push(w, a, b, r, e, level);
    if (w->sums_on) {
        xsum_add(&w->area, r);
        xsum_add(&w->err, e);
    }
}

/* Start the exact sums from the intervals in the list. */
static void ws_sum_list(wspace *w)
{
    xsum_clear(&w->area);
    xsum_clear(&w->err);
    for (size_t i = 0; i < w->n; i++) {
        xsum_add(&w->area, w->iv[i].r);
        xsum_add(&w->err, w->iv[i].e);
    }
}

/* Lists of at most this many intervals are summed afresh when their sums
 * are needed (2 n additions); longer ones keep their sums up to date (6
 * additions per bisection).  Exact sums of the same list: the same bits. */
#define QM_LIST_SUMMED 8

/* The list's area and error sums, rounded. */
static void ws_sums(wspace *w, double *area, double *err)
{
    if (!w->sums_on) {
        ws_sum_list(w);
        w->sums_on = w->n > QM_LIST_SUMMED;
    }
    *area = xsum_round(&w->area);
    *err = xsum_round(&w->err);
}

/* Replace interval i by its halves (exact removal from the sums). */
static void ws_split(wspace *w, size_t i, const gk_out *o1, const gk_out *o2)
{
    ival *v = &w->iv[i];
    if (w->sums_on) {
        xsum_add(&w->area, -v->r);
        xsum_add(&w->err, -v->e);
        xsum_add(&w->area, o1->result);
        xsum_add(&w->err, o1->abserr);
    }
    const size_t level = v->level + 1;
    v->a = o1->a; v->b = o1->b; v->r = o1->result; v->e = o1->abserr;
    v->level = level;
    ws_add(w, o2->a, o2->b, o2->result, o2->abserr, level);
}

/* ------------------------------------------------ Wynn epsilon (qelg) */

typedef struct eps_table {
    size_t n;
    double rlist2[QM_EPS_TABLE + 1];
    size_t nres;
    double res3la[3];
} eps_table;

static void table_append(eps_table *t, double y)
{
    if (t->n < QM_EPS_TABLE) {
        t->rlist2[t->n] = y;
        t->n++;
    }
}

/* QUADPACK dqelg as in GSL qelg.c: the epsilon algorithm on the sequence
 * of areas; returns the extrapolated value and an error estimate from the
 * last three results. */
static void qelg(eps_table *table, double *result, double *abserr)
{
    double *epstab = table->rlist2;
    double *res3la = table->res3la;
    const size_t n = table->n - 1;
    const double current = epstab[n];
    double absolute = DBL_MAX;
    double relative = 5 * DBL_EPSILON * fabs(current);
    const size_t newelm = n / 2;
    const size_t n_orig = n;
    size_t n_final = n;
    const size_t nres_orig = table->nres;

    *result = current;
    *abserr = DBL_MAX;
    if (n < 2) {
        *result = current;
        *abserr = fmax(absolute, relative);
        return;
    }
    epstab[n + 2] = epstab[n];
    epstab[n] = DBL_MAX;
    for (size_t i = 0; i < newelm; i++) {
        double res = epstab[n - 2 * i + 2];
        const double e0 = epstab[n - 2 * i - 2];
        const double e1 = epstab[n - 2 * i - 1];
        const double e2 = res;
        const double e1abs = fabs(e1);
        const double delta2 = e2 - e1, err2 = fabs(delta2);
        const double tol2 = fmax(fabs(e2), e1abs) * DBL_EPSILON;
        const double delta3 = e1 - e0, err3 = fabs(delta3);
        const double tol3 = fmax(e1abs, fabs(e0)) * DBL_EPSILON;
        if (err2 < tol2 && err3 < tol3) {
            /* e0, e1, e2 equal to machine accuracy: converged */
            *result = res;
            absolute = err2 + err3;
            relative = 5 * DBL_EPSILON * fabs(res);
            *abserr = fmax(absolute, relative);
            return;
        }
        const double e3 = epstab[n - 2 * i];
        epstab[n - 2 * i] = e1;
        const double delta1 = e1 - e3, err1 = fabs(delta1);
        const double tol1 = fmax(e1abs, fabs(e3)) * DBL_EPSILON;
        if (err1 < tol1 || err2 < tol2 || err3 < tol3) {
            n_final = 2 * i;
            break;
        }
        const double ss = (1 / delta1 + 1 / delta2) - 1 / delta3;
        if (fabs(ss * e1) <= 0.0001) {
            n_final = 2 * i;
            break;
        }
        res = e1 + 1 / ss;
        epstab[n - 2 * i] = res;
        const double error = err2 + fabs(res - e2) + err3;
        if (error <= *abserr) {
            *abserr = error;
            *result = res;
        }
    }
    {
        const size_t limexp = 50 - 1;
        if (n_final == limexp)
            n_final = 2 * (limexp / 2);
    }
    if (n_orig % 2 == 1) {
        for (size_t i = 0; i <= newelm; i++)
            epstab[1 + i * 2] = epstab[i * 2 + 3];
    } else {
        for (size_t i = 0; i <= newelm; i++)
            epstab[i * 2] = epstab[i * 2 + 2];
    }
    if (n_orig != n_final)
        for (size_t i = 0; i <= n_final; i++)
            epstab[i] = epstab[n_orig - n_final + i];
    table->n = n_final + 1;
    if (nres_orig < 3) {
        res3la[nres_orig] = *result;
        *abserr = DBL_MAX;
    } else {
        *abserr = fabs(*result - res3la[2]) + fabs(*result - res3la[1])
                  + fabs(*result - res3la[0]);
        res3la[0] = res3la[1];
        res3la[1] = res3la[2];
        res3la[2] = *result;
    }
    table->nres = nres_orig + 1;
    *abserr = fmax(*abserr, 5 * DBL_EPSILON * fabs(*result));
}

/* -------------------------------------------------------- the driver */

/* QUADPACK's internal error codes (ier) before the final mapping. */
static int map_ier(int ier)
{
    switch (ier) {
    case 0: return QM_SUCCESS;
    case 1: return QM_EMAXITER;
    case 2: return QM_EROUND;
    case 3: return QM_ESING;
    case 4: return QM_EROUND;   /* extrapolation table roundoff */
    case 5: return QM_EDIVERGE;
    default: return QM_ESING;
    }
}

/* Interval too small to bisect (QUADPACK subinterval_too_small). */
static int too_small(double a1, double a2, double b2)
{
    const double e = DBL_EPSILON, u = DBL_MIN;
    const double tmp = (1 + 100 * e) * (fabs(a2) + 1000 * u);
    return fabs(a1) <= tmp && fabs(b2) <= tmp;
}

/* Every buffer of a QAG/QAGS run, kept between the calls that share it
 * (qm_adapt_opts::workspace) or made for one call.  Nothing in it carries
 * over into a result: each call starts from an empty list and zero sums. */
struct qm_workspace {
    wspace w;                     /* the interval list and its exact sums */
    gk_out *out;                  /* a step's rules; the initial ones too */
    size_t out_cap;
    size_t sel[QM_ADAPT_BATCH];   /* the intervals a step bisects */
    gk_rule rule;                 /* the last rule used (key 0: none) */
};

/* An empty workspace (no buffers yet). */
static void ws_empty(qm_workspace *ws)
{
    ws->w.iv = NULL;
    ws->w.order = NULL;
    ws->w.n = ws->w.cap = 0;
    xsum_fresh(&ws->w.area);
    xsum_fresh(&ws->w.err);
    ws->out = NULL;
    ws->out_cap = 0;
    ws->rule.key = 0;
}

static void ws_release(qm_workspace *ws)
{
    ws_free(&ws->w);
    free(ws->out);
}

/* At least nout step slots (their contents need not survive). */
static int ws_reserve_out(qm_workspace *ws, size_t nout)
{
    if (ws->out_cap >= nout)
        return QM_SUCCESS;
    free(ws->out);
    ws->out_cap = 0;
    ws->out = malloc(nout * sizeof *ws->out);
    if (!ws->out)
        return QM_ENOMEM;
    ws->out_cap = nout;
    return QM_SUCCESS;
}

/* Buffers for a run: nout step slots and room intervals. */
static int ws_prepare(qm_workspace *ws, size_t nout, size_t room)
{
    ws->w.n = 0;
    ws->w.sums_on = 0;
    const int st = ws_reserve_out(ws, nout);
    return st != QM_SUCCESS ? st : ws_reserve(&ws->w, room);
}

int qm_workspace_new(qm_workspace **out)
{
    if (!out)
        return QM_EINVAL;
    *out = malloc(sizeof **out);
    if (!*out)
        return QM_ENOMEM;
    ws_empty(*out);
    return QM_SUCCESS;
}

void qm_workspace_free(qm_workspace *ws)
{
    if (!ws)
        return;
    ws_release(ws);
    free(ws);
}

typedef struct run_state {
    const qm_exec *ex;
    problem prob;
    qm_workspace *ws;
    wspace *w;                /* the workspace's list */
    gk_out *out;              /* the workspace's slots */
    size_t *sel;              /* selected intervals of the step */
    size_t room, out_room;    /* agreed capacities of the list and the
                                 slots (see adapt_run) */
    int64_t evals;            /* integrand evaluations */
    int64_t per_rule;         /* evaluations per rule */
    size_t steps;
    double fail_x;
    int user_status;
    int fail_rank;
} run_state;

/* Bisect intervals sel[0..k) in one parallel step; per-pair roundoff
 * counters as QUADPACK.  Returns QM_SUCCESS or an integrand failure. */
static int bisect_step(run_state *s, size_t k, int extrapolate,
                       int *round1, int *round2, int *round3, int *too_sm,
                       double *old_e_sum, double *new_e_large,
                       size_t *max_level, size_t iteration)
{
    gk_out *out = s->out;
    for (size_t i = 0; i < k; i++) {
        const ival *v = &s->w->iv[s->sel[i]];
        const double m = 0.5 * (v->a + v->b);
        out[2 * i].a = v->a;
        out[2 * i].b = m;
        out[2 * i + 1].a = m;
        out[2 * i + 1].b = v->b;
    }
    size_t fu = 0;
    s->steps++;
    s->evals += (int64_t)(2 * k) * s->per_rule;
    const int st = eval_batch(s->ex, &s->prob, out, 2 * k, &fu);
    if (st != QM_SUCCESS) {
        s->fail_x = out[fu].us.x;
        s->user_status = out[fu].us.user_status;
        s->fail_rank = qm__step_owner(s->ex, 2 * k, fu);
        return st;
    }
    /* children are "large" when below the deepest level after the step
     * (QUADPACK compares with the level after each bisection) */
    for (size_t i = 0; i < k; i++)
        if (s->w->iv[s->sel[i]].level + 1 > *max_level)
            *max_level = s->w->iv[s->sel[i]].level + 1;
    const size_t lev = *max_level;
    double olds = 0, newl = 0;
    for (size_t i = 0; i < k; i++) {
        const size_t idx = s->sel[i];
        const ival old = s->w->iv[idx];
        const gk_out *o1 = &out[2 * i], *o2 = &out[2 * i + 1];
        const double area12 = o1->result + o2->result;
        const double error12 = o1->abserr + o2->abserr;
        if (o1->resasc != o1->abserr && o2->resasc != o2->abserr) {
            const double delta = old.r - area12;
            if (fabs(delta) <= 1.0e-5 * fabs(area12)
                && error12 >= 0.99 * old.e) {
                if (!extrapolate)
                    (*round1)++;
                else
                    (*round2)++;
            }
            if (iteration + i > 10 && error12 > old.e)
                (*round3)++;
        }
        if (too_small(o1->a, o2->a, o2->b))
            *too_sm = 1;
        olds += old.e;
        if (old.level + 1 < lev)
            newl += error12;
        ws_split(s->w, idx, o1, o2);
    }
    *old_e_sum = olds;
    *new_e_large = newl;
    return QM_SUCCESS;
}

/* Select, in order of decreasing error, the intervals whose removal is
 * needed to bring `total` under `tol`; with large_only, only intervals of
 * level < max_level.  At least one when any qualifies, at most cap.
 * Returns the count. */
static size_t select_batch(run_state *s, double total, double tol,
                           int large_only, size_t max_level, size_t cap)
{
    size_t k = 0;
    double rem = total;
    for (size_t j = 0; j < s->w->n && k < cap; j++) {
        const ival *v = &s->w->iv[s->w->order[j]];
        if (large_only && v->level >= max_level)
            continue;
        if (k > 0 && rem <= tol)
            break;
        s->sel[k++] = s->w->order[j];
        rem -= v->e;
    }
    return k;
}

static double sacc_val(const qm_sacc *a) { return qm__sacc_round(a); }

/* The exact sum of the one term x, rounded as sacc_val rounds: x itself,
 * except that -0 gives +0 (and a non-finite x what the accumulator says). */
static double sum_of_one(double x)
{
    if (isfinite(x))
        return x + 0.0;
    qm_sacc t;
    qm__sacc_init(&t);
    qm__sacc_add(&t, x);
    return sacc_val(&t);
}

/* QAG (extrapolate == 0) and QAGS / QAGP / QAGI (extrapolate == 1), from
 * the npts initial intervals in s->out[0 .. npts) (a and b filled in). */
static int adapt_run(run_state *s, size_t npts,
                     double epsabs, double epsrel, size_t limit,
                     int extrap, double *result, double *abserr)
{
    /* ----- initial rules (one parallel step, in the step slots) */
    gk_out *init = s->out;
    size_t fu = 0;
    s->steps++;
    s->evals += (int64_t)npts * s->per_rule;
    int st = eval_batch(s->ex, &s->prob, init, npts, &fu);
    if (st != QM_SUCCESS) {
        s->fail_x = init[fu].us.x;
        s->user_status = init[fu].us.user_status;
        s->fail_rank = qm__step_owner(s->ex, npts, fu);
        return st;
    }
    double abserr0, resabs0, area, errsum, err_init_round = 0;
    const int single = npts == 1;
    if (single) {
        /* one term per sum: no accumulator needed until a bisection (the
         * usual case for a small integral is to stop here) */
        ws_push(s->w, init[0].a, init[0].b, init[0].result, init[0].abserr, 0);
        abserr0 = errsum = sum_of_one(init[0].abserr);
        resabs0 = sum_of_one(init[0].resabs);
        area = sum_of_one(init[0].result);
    } else {
        /* QAGP (GSL qagp.c): an interval whose estimate is the crude
         * resasc bound gets the whole initial error sum abserr0
         * (QUADPACK's ndin) */
        qm_sacc s0, sabs;
        qm__sacc_init(&s0);
        qm__sacc_init(&sabs);
        for (size_t i = 0; i < npts; i++) {
            qm__sacc_add(&s0, init[i].abserr);
            qm__sacc_add(&sabs, init[i].resabs);
        }
        abserr0 = sacc_val(&s0);
        resabs0 = sacc_val(&sabs);
        for (size_t i = 0; i < npts; i++) {
            double e = init[i].abserr;
            if (e == init[i].resasc && e != 0)
                e = abserr0;
            ws_push(s->w, init[i].a, init[i].b, init[i].result, e, 0);
        }
        ws_sums(s->w, &area, &errsum);
    }
    const double resasc0 = init[0].resasc;
    double tolerance = fmax(epsabs, epsrel * fabs(area));
    err_init_round = 100 * DBL_EPSILON * resabs0;
    /* initial tests on abserr0 (equal to errsum without breakpoints) */
    if (!extrap) {
        /* GSL qag */
        if (abserr0 <= 50 * DBL_EPSILON * resabs0 && abserr0 > tolerance) {
            *result = area; *abserr = errsum;
            return QM_EROUND;
        }
    } else if (abserr0 <= err_init_round && abserr0 > tolerance) {
        *result = area; *abserr = errsum;
        return QM_EROUND;
    }
    if ((abserr0 <= tolerance && (!single || abserr0 != resasc0))
        || abserr0 == 0.0) {
        *result = area; *abserr = errsum;
        return QM_SUCCESS;
    }
    if (limit <= npts) {
        *result = area; *abserr = errsum;
        return QM_EMAXITER;
    }

    int ier = 0, ier2 = 0;
    int round1 = 0, round2 = 0, round3 = 0, too_sm = 0;
    size_t max_level = 0;
    size_t iteration = npts;
    eps_table table;
    table.n = table.nres = 0; /* qelg writes before it reads (GSL qelg.c) */
    table_append(&table, area);
    double res_ext = area, err_ext = DBL_MAX, correc = 0;
    double erlarge = 0, ertest = tolerance;
    int extrapolate = 0, disallow = 0, ktmin = 0, first = 1;
    const int positive = fabs(area) >= (1 - 50 * DBL_EPSILON) * resabs0;

    /* GSL qags stops at limit - 1 intervals, qag at limit */
    const size_t stop_at = extrap ? limit - 1 : limit;
    while (iteration < limit) {
        /* ----- choose the batch */
        sort_order(s->w);
        size_t cap = QM_ADAPT_BATCH;
        if (cap > stop_at - iteration)
            cap = stop_at > iteration ? stop_at - iteration : 1;
        size_t k;
        if (!extrapolate)
            k = select_batch(s, errsum, tolerance, 0, 0, cap);
        else
            k = select_batch(s, erlarge, ertest, 1, max_level, cap);
        if (k == 0)
            break;
        if (s->w->n + k > s->room || 2 * k > s->out_room) {
            /* Grow as buffers of their own would (doubling from the rooms
             * agreed at entry), whatever the workspace already holds: the
             * same steps on every process, so that one out of memory is
             * known to all before the next collective step. */
            st = QM_SUCCESS;
            if (s->w->n + k > s->room) {
                s->room = 2 * s->room > s->w->n + k ? 2 * s->room
                                                    : s->w->n + k;
                st = ws_reserve(s->w, s->room);
            }
            if (2 * k > s->out_room) {
                s->out_room = 4 * s->out_room > 2 * k ? 4 * s->out_room
                                                      : 2 * k;
                if (st == QM_SUCCESS)
                    st = ws_reserve_out(s->ws, s->out_room);
                s->out = s->ws->out;
            }
            if (s->ex->dist)
                st = s->ex->dist->agree(s->ex->dctx, st, 0);
            if (st != QM_SUCCESS)
                return st;
        }
        double olds = 0, newl = 0;
        st = bisect_step(s, k, extrapolate, &round1, &round2, &round3,
                         &too_sm, &olds, &newl, &max_level, iteration);
        if (st != QM_SUCCESS)
            return st;
        iteration += k;
        ws_sums(s->w, &area, &errsum);
        tolerance = fmax(epsabs, epsrel * fabs(area));
        if (round1 + round2 >= 10 || round3 >= 20)
            ier = 2;
        if (round2 >= 5)
            ier2 = 1;
        if (too_sm)
            ier = 4;
        if (errsum <= tolerance)
            goto compute_result;
        if (ier)
            break;
        if (iteration >= stop_at) {
            ier = 1;
            break;
        }
        if (!extrap)
            continue;
        if (first) {
            first = 0;
            erlarge = errsum;
            ertest = tolerance;
            table_append(&table, area);
            continue;
        }
        if (disallow)
            continue;
        erlarge -= olds;
        erlarge += newl;
        if (!extrapolate) {
            /* keep bisecting normally while the largest error is on a
             * large interval */
            sort_order(s->w);
            if (s->w->iv[s->w->order[0]].level < max_level)
                continue;
            extrapolate = 1;
        }
        if (!ier2 && erlarge > ertest) {
            /* is there a large interval left to bisect? */
            int any = 0;
            for (size_t j = 0; j < s->w->n; j++)
                if (s->w->iv[j].level < max_level) {
                    any = 1;
                    break;
                }
            if (any)
                continue;
        }
        table_append(&table, area);
        double reseps, abseps;
        qelg(&table, &reseps, &abseps);
        ktmin++;
        if (ktmin > 5 && err_ext < 0.001 * errsum)
            ier = 5;
        if (abseps < err_ext) {
            ktmin = 0;
            err_ext = abseps;
            res_ext = reseps;
            correc = erlarge;
            ertest = fmax(epsabs, epsrel * fabs(reseps));
            if (err_ext <= ertest)
                break;
        }
        if (table.n == 1)
            disallow = 1;
        if (ier == 5)
            break;
        extrapolate = 0;
        erlarge = errsum;
    }
    if (!extrap) {
        if (iteration >= limit && errsum > tolerance && !ier)
            ier = 1;
        goto compute_result;
    }

    *result = res_ext;
    *abserr = err_ext;
    if (err_ext == DBL_MAX)
        goto compute_result;
    if (ier || ier2) {
        if (ier2)
            err_ext += correc;
        if (ier == 0)
            ier = 3;
        if (res_ext != 0.0 && area != 0.0) {
            if (err_ext / fabs(res_ext) > errsum / fabs(area))
                goto compute_result;
        } else if (err_ext > errsum) {
            goto compute_result;
        } else if (area == 0.0) {
            goto return_error;
        }
    }
    {
        const double max_area = fmax(fabs(res_ext), fabs(area));
        if (!positive && max_area < 0.01 * resabs0)
            goto return_error;
    }
    {
        const double ratio = res_ext / area;
        if (ratio < 0.01 || ratio > 100.0 || errsum > fabs(area))
            ier = 6;
    }
    goto return_error;

compute_result:
    *result = area;
    *abserr = errsum;
return_error:
    if (ier > 2)
        ier--;
    return map_ier(ier);
}

static int check_opts(const qm_adapt_opts *o, double a, double b)
{
    if (isnan(o->epsabs) || isnan(o->epsrel) || isnan(a) || isnan(b))
        return QM_EINVAL;
    if (o->epsabs < 0 || o->epsrel < 0)
        return QM_EINVAL;
    /* GSL: epsabs <= 0 and epsrel < 50 eps is GSL_EBADTOL */
    if (o->epsabs <= 0 && o->epsrel < 50 * DBL_EPSILON)
        return QM_EINVAL;
    if (o->method != QM_METHOD_DEFAULT && o->method != QM_METHOD_QAGS
        && o->method != QM_METHOD_QAG && o->method != QM_METHOD_TANH_SINH)
        return QM_EINVAL;
    if (o->key != 0 && o->key != 15 && o->key != 21 && o->key != 31
        && o->key != 41 && o->key != 51 && o->key != 61)
        return QM_EINVAL;
    if (o->nbreakpoints > 0) {
        if (!o->breakpoints || !isfinite(a) || !isfinite(b))
            return QM_EINVAL;
        const double lo = a < b ? a : b, hi = a < b ? b : a;
        for (size_t i = 0; i < o->nbreakpoints; i++) {
            const double p = o->breakpoints[i];
            if (!(p > lo && p < hi))
                return QM_EINVAL;
            if (i > 0 && !(p > o->breakpoints[i - 1]))
                return QM_EINVAL;
        }
    }
    return QM_SUCCESS;
}

/* Everything every process must pass alike (the agreement check). */
static uint64_t args_hash(double a, double b, const qm_adapt_opts *o)
{
    uint64_t h = qm__hash_u64(QM_HASH_INIT, 0x41444150u); /* "ADAP" */
    h = qm__hash_f64(h, a);
    h = qm__hash_f64(h, b);
    if (!o)
        return h;
    h = qm__hash_f64(h, o->epsabs);
    h = qm__hash_f64(h, o->epsrel);
    h = qm__hash_u64(h, o->limit);
    h = qm__hash_u64(h, (uint64_t)o->key);
    h = qm__hash_u64(h, (uint64_t)o->method);
    h = qm__hash_u64(h, o->nbreakpoints);
    if (o->breakpoints)
        h = qm__hash_bytes(h, o->breakpoints,
                           o->nbreakpoints * sizeof *o->breakpoints);
    return h;
}

/* Tanh-sinh with breakpoints: the rule on each segment (singularities at
 * its ends are what it handles best), in order, each to max(epsabs / m,
 * epsrel |I_segment|) with m segments; values and estimates add up (in
 * segment order, so deterministic); the first failing segment's status is
 * returned, a worse numerical status otherwise. */
static int tanh_sinh_pieces(const qm_exec *ex, qm_batch_fn f, void *data,
                            double a, double b, const qm_adapt_opts *opts,
                            qm_result *res)
{
    const double sign = a > b ? -1.0 : 1.0;
    const double lo = a > b ? b : a, hi = a > b ? a : b;
    const size_t m = opts->nbreakpoints + 1;
    qm_adapt_opts o = *opts;
    o.breakpoints = NULL;
    o.nbreakpoints = 0;
    o.epsabs = opts->epsabs / (double)m;
    double value = 0, err = 0;
    int64_t evals = 0;
    size_t levels = 0, steps = 0;
    int status = QM_SUCCESS;
    for (size_t i = 0; i < m; i++) {
        const double s0 = i == 0 ? lo : opts->breakpoints[i - 1];
        const double s1 = i == m - 1 ? hi : opts->breakpoints[i];
        qm_result r;
        const int st = qm__tanh_sinh(ex, f, data, s0, s1, &o, &r);
        evals += r.evaluations;
        steps += r.steps;
        if (r.subregions > levels)
            levels = r.subregions;
        if (st == QM_ENONFINITE || st == QM_EUSER || st == QM_ENOMEM
            || st == QM_ECANCELED) {
            res->fail_x = r.fail_x;
            res->user_status = r.user_status;
            res->fail_rank = r.fail_rank;
            status = st;
            break;
        }
        if (st != QM_SUCCESS && status == QM_SUCCESS)
            status = st;
        value += r.value;
        err += r.abserr;
    }
    res->subregions = levels;
    res->steps = steps;
    res->evaluations = evals;
    if (status == QM_ENONFINITE || status == QM_EUSER || status == QM_ENOMEM
        || status == QM_ECANCELED)
        return status;
    res->value = sign * value;
    res->abserr = err;
    return status;
}

void qm__result_clear(qm_result *res)
{
    res->value = NAN;
    res->abserr = NAN;
    res->evaluations = 0;
    res->subregions = 0;
    res->steps = 0;
    res->fail_x = NAN;
    res->user_status = 0;
    res->fail_rank = -1;
}

const char *qm_method_name(qm_method method)
{
    switch (method) {
    case QM_METHOD_DEFAULT: return "default";
    case QM_METHOD_QAGS: return "qags";
    case QM_METHOD_QAG: return "qag";
    case QM_METHOD_TANH_SINH: return "tanh-sinh";
    case QM_METHOD_GENZ_MALIK: return "genz-malik";
    case QM_METHOD_MC: return "mc";
    case QM_METHOD_QMC: return "qmc";
    }
    return "unknown";
}

int qm_qags(qm_batch_fn f, void *data, double a, double b, double epsabs,
            double epsrel, qm_result *res)
{
    /* the serial executor on the stack: nothing to allocate or free */
    qm_exec ex;
    memset(&ex, 0, sizeof ex);
    ex.backend = QM_BACKEND_SERIAL;
    ex.run = qm__loop_run_serial;
    ex.threads = 1;
    ex.nranks = 1;
    qm_adapt_opts o;
    memset(&o, 0, sizeof o);
    o.epsabs = epsabs;
    o.epsrel = epsrel;
    return qm_integrate_adaptive(&ex, f, data, a, b, &o, res);
}

int qm_integrate_adaptive(const qm_exec *ex, qm_batch_fn f, void *data,
                          double a, double b, const qm_adapt_opts *opts,
                          qm_result *res)
{
    if (res)
        qm__result_clear(res);
    if (!ex)
        return QM_EINVAL;
    int st = !f || !res || !opts ? QM_EINVAL : check_opts(opts, a, b);
    /* the hash only matters to a distributor (FNV over ~60 bytes is a
     * fifth of a small integral's cost) */
    st = qm__agree(ex, st, ex->dist ? args_hash(a, b, opts) : 0);
    if (st != QM_SUCCESS)
        return st;
    if (a == b) {
        res->value = 0.0;
        res->abserr = 0.0;
        return QM_SUCCESS;
    }
    if (opts->method == QM_METHOD_TANH_SINH) {
        st = opts->nbreakpoints
                 ? tanh_sinh_pieces(ex, f, data, a, b, opts, res)
                 : qm__tanh_sinh(ex, f, data, a, b, opts, res);
        if (st == QM_ENONFINITE || st == QM_EUSER)
            res->value = res->abserr = NAN;
        return st;
    }

    /* a > b: integrate over [b, a] and negate (breakpoints are ascending
     * inside (min(a, b), max(a, b)) either way) */
    double sign = 1.0, lo = a, hi = b;
    if (a > b) {
        sign = -1.0;
        lo = b;
        hi = a;
    }
    run_state s;
    memset(&s, 0, sizeof s);
    s.ex = ex;
    qm__infmap_init(&s.prob.map, f, data, lo, hi);
    s.fail_x = NAN;
    int key = opts->key;
    double t0 = lo, t1 = hi;
    if (s.prob.map.kind != QM_INF_NONE) {
        t0 = 0.0;
        t1 = 1.0;
        if (key == 0)
            key = 15;
    }
    if (key == 0)
        key = 21;
    const size_t limit = opts->limit ? opts->limit : 1000;
    const size_t npts = opts->nbreakpoints + 1;
    /* Without a workspace, one for this call: the same code either way, so
     * the same bits. */
    qm_workspace tmp, *ws = opts->workspace;
    if (!ws) {
        ws_empty(&tmp);
        ws = &tmp;
    }
    /* small first rooms (a small integral needs a few intervals and slots;
     * they double on demand) */
    s.room = npts + QM_FIRST_ROOM;
    s.out_room = npts > QM_FIRST_ROOM ? npts : QM_FIRST_ROOM;
    st = ws_prepare(ws, s.out_room, s.room);
    /* out of memory on one process is out of memory everywhere */
    if (ex->dist)
        st = ex->dist->agree(ex->dctx, st, 0);
    if (st != QM_SUCCESS) {
        if (ws == &tmp)
            ws_release(&tmp);
        return st;
    }
    if (ws->rule.key != key) {
        ws->rule.key = key;
        ws->rule.m = (key + 1) / 2;
        qm_gauss_kronrod(key, ws->rule.x, ws->rule.wk, ws->rule.wg);
    }
    s.prob.rule = &ws->rule;
    s.per_rule = key * (s.prob.map.kind == QM_INF_BOTH ? 2 : 1);
    s.ws = ws;
    s.w = &ws->w;
    s.out = ws->out;
    s.sel = ws->sel;
    /* the initial intervals: [t0, t1] cut at the breakpoints */
    for (size_t i = 0; i < npts; i++) {
        s.out[i].a = i == 0 ? t0 : opts->breakpoints[i - 1];
        s.out[i].b = i == npts - 1 ? t1 : opts->breakpoints[i];
    }
    double result = NAN, abserr = NAN;
    st = adapt_run(&s, npts, opts->epsabs, opts->epsrel, limit,
                   opts->method != QM_METHOD_QAG, &result, &abserr);
    res->evaluations = s.evals;
    if (st == QM_ENONFINITE || st == QM_EUSER) {
        res->fail_x = s.fail_x;
        res->user_status = s.user_status;
        res->fail_rank = s.fail_rank;
    } else if (st != QM_ENOMEM && st != QM_ECANCELED) {
        res->value = sign * result;
        res->abserr = abserr;
    }
    res->subregions = s.w->n;
    res->steps = s.steps;
    if (ws == &tmp)
        ws_release(&tmp);
    return st;
}
