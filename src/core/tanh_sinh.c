/*
 * Double-exponential (tanh-sinh) quadrature, Takahasi & Mori 1974:
 * x = c + hl tanh(pi/2 sinh t), the trapezoidal rule in t with step h
 * halved at every level (each level adds the odd multiples of the new h,
 * so no value is computed twice).
 *
 * Endpoint singularities: the abscissae are computed as a distance from the
 * nearer end, d = hl * 2 / (1 + exp(pi sinh |t|)) (= hl (1 - tanh u) without
 * the cancellation), and x = a + d or b - d, so f is evaluated at points as
 * close to the end as doubles allow; points equal to an end are skipped.
 * Infinite ranges are mapped to (0, 1] as in adapt.c (x = a + (1 - t)/t,
 * both signs for (-inf, inf)), which puts the mapping's singularity at an
 * end, where the rule excels.
 *
 * Truncation: level 0 (h = 1/2) runs out to |t| = QM_TS_TMAX; each side is
 * then cut after the last point whose term exceeds 1e-3 eps * sum |terms|.
 * Where abscissae round onto a (nonzero) end, the integral within about
 * one ulp of it cannot be sampled: it is estimated as 4 d |f(x)| at the
 * accepted point nearest that end (distance d) and added to the error
 * estimate; when it alone exceeds the tolerance the status is QM_EROUND.
 * (Put a singularity at 0 when you can: there doubles go down to 1e-308.)
 * Error estimate: with S_k the level-k sum, d_k = |S_k - S_{k-1}|; the rule
 * converges quadratically in the number of digits, so the error of S_k is
 * about d_k^2 / d_{k-1}; we report max(d_k^2 / d_{k-1}, 4 eps sum|terms|)
 * and stop when d_k itself is under 10x the tolerance and the quadratic
 * estimate is under the tolerance.
 *
 * Parallelism: the new points of a level are cut into fixed chunks of
 * QM_TS_CHUNK points (boundaries depend only on the level), evaluated by the
 * executor; the weighted terms are summed in an exact accumulator, so the
 * result does not depend on the worker count.
 */
#include "config.h"
#include "core/internal.h"
#include "core/adapt.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define QM_TS_TMAX 6.5
#define QM_TS_CHUNK 64
#define QM_TS_MAX_LEVEL 16


/* A chunk's slot in a level's step: its failure and its weighted terms. */
typedef struct ts_slot {
    qm_unit_status us;
    double term[QM_TS_CHUNK];
} ts_slot;

typedef struct ts_ctx {
    qm_infmap map;       /* the integrand, on (0, 1] for infinite ranges */
    const double *x;     /* abscissae in the integration variable */
    const double *om;    /* 1 - x, exact (from the distance to the end) */
    const double *w;     /* weights */
    ts_slot *slot;       /* per chunk */
    size_t n;
} ts_ctx;

static int ts_body(void *vctx, int worker, int64_t lo, int64_t hi,
                   int64_t *fail_at)
{
    (void)worker;
    ts_ctx *c = vctx;
    double y[QM_TS_CHUNK];
    for (int64_t u = lo; u < hi; u++) {
        const size_t i0 = (size_t)u * QM_TS_CHUNK;
        const size_t m = c->n - i0 < QM_TS_CHUNK ? c->n - i0 : QM_TS_CHUNK;
        ts_slot *sl = &c->slot[u];
        const int st = qm__infmap_eval(&c->map, m, c->x + i0,
                                       c->map.kind != QM_INF_NONE
                                           ? c->om + i0 : NULL,
                                       y, &sl->us.x, &sl->us.user_status);
        if (st != QM_SUCCESS) {
            sl->us.status = st;
            *fail_at = u;
            return st;
        }
        for (size_t i = 0; i < m; i++)
            sl->term[i] = c->w[i0 + i] * y[i];
    }
    return QM_SUCCESS;
}

/* Abscissa and weight of t (> 0) on the right (side = +1) or left.
 * Returns 1, 0 (negligible: zero distance or weight) or -1 (the abscissa
 * rounds onto the end: skipped, and the part of the integral that close to
 * the end is lost; see the tail estimate). */
static int ts_point(double lo, double hi, double hl, double t, int side,
                    int mapped, double *x, double *w, double *om, double *dist)
{
    const double u = M_PI_2 * sinh(t);
    const double d = hl * 2.0 / (1.0 + exp(2.0 * u));
    const double ch = cosh(u);
    const double wt = hl * M_PI_2 * cosh(t) / (ch * ch);
    const double xx = side > 0 ? hi - d : lo + d;
    /* an abscissa that rounds to an end is skipped, except under the
     * infinite-range maps, which use d itself (1 - t) near t = 1 */
    if (!(d > 0) || !(wt > 0))
        return 0;
    if (xx <= lo || (xx >= hi && !mapped))
        return -1;
    *x = xx;
    *w = wt;
    /* 1 - x for the infinite-range maps (lo = 0, hi = 1): exact near 1 */
    *om = side > 0 ? d : 1.0 - xx;
    *dist = d;
    return 1;
}

int qm__tanh_sinh(const qm_exec *ex, qm_batch_fn f, void *data, double a,
                  double b, const qm_adapt_opts *opts, qm_result *res)
{
    qm__result_clear(res);
    double sign = 1, lo = a, hi = b;
    if (a > b) {
        sign = -1;
        lo = b;
        hi = a;
    }
    ts_ctx c;
    memset(&c, 0, sizeof c);
    qm__infmap_init(&c.map, f, data, lo, hi);
    const int mapped = c.map.kind != QM_INF_NONE;
    if (mapped) {
        lo = 0;
        hi = 1;
    }
    const double hl = 0.5 * (hi - lo);
    /* level L has about 13 * 2^L new points (h = 2^-(L+1) on |t| <= 6.5);
     * beyond QM_TS_MAX_LEVEL the cost is absurd, so the limit is capped */
    const size_t maxlevel = opts->limit == 0 ? 12
                            : opts->limit > QM_TS_MAX_LEVEL ? QM_TS_MAX_LEVEL
                                                            : opts->limit;
    const double tol_abs = opts->epsabs, tol_rel = opts->epsrel;
    /* the most points a level adds: 2 tmax / h + 1 at the finest h */
    const size_t cap = (size_t)(2 * QM_TS_TMAX * ldexp(1.0, (int)maxlevel + 1)) + 8;
    double *x = malloc(cap * sizeof *x), *w = malloc(cap * sizeof *w);
    double *term = malloc(cap * sizeof *term);
    double *om = malloc(cap * sizeof *om);
    double *dist = malloc(cap * sizeof *dist);
    signed char *side = malloc(cap * sizeof *side);
    const size_t nchunk_max = cap / QM_TS_CHUNK + 1;
    ts_slot *slot = malloc(nchunk_max * sizeof *slot);
    int st = x && w && term && om && dist && side && slot ? QM_SUCCESS
                                                          : QM_ENOMEM;
    /* out of memory on one process is out of memory everywhere */
    if (ex->dist)
        st = ex->dist->agree(ex->dctx, st, 0);
    if (st != QM_SUCCESS)
        goto done;
    c.x = x; c.om = om; c.w = w; c.slot = slot;

    qm_sacc sum, sabs;
    qm__sacc_init(&sum);
    qm__sacc_init(&sabs);
    double tmax_l = QM_TS_TMAX, tmax_r = QM_TS_TMAX;
    double h = 0.5, prev = NAN, dprev = NAN, value = NAN, err = INFINITY;
    size_t level;
    int64_t evals = 0;
    size_t steps = 0;
    int converged = 0, rounding = 0;
    int rounded[2] = {0, 0};              /* [0] left end, [1] right end */
    double dmin[2] = {INFINITY, INFINITY}, fnear[2] = {0, 0};
    for (level = 0; level <= maxlevel; level++) {
        /* points of this level: t = j h, j odd (all j >= 0 at level 0) */
        size_t n = 0;
        const size_t jstep = level == 0 ? 1 : 2;
        const size_t j0 = level == 0 ? 0 : 1;
        for (size_t j = j0;; j += jstep) {
            const double t = (double)j * h;
            if (t > tmax_l && t > tmax_r)
                break;
            if (j == 0) {
                x[n] = lo + hl;
                om[n] = 1.0 - x[n];
                w[n] = hl * M_PI_2;
                side[n] = 0;
                dist[n] = hl;
                n++;
                continue;
            }
            for (int sd = +1; sd >= -1; sd -= 2) {
                if (t > (sd > 0 ? tmax_r : tmax_l))
                    continue;
                const int k = ts_point(lo, hi, hl, t, sd, mapped, &x[n], &w[n],
                                       &om[n], &dist[n]);
                if (k > 0)
                    side[n++] = (signed char)sd;
                else if (k < 0)
                    rounded[sd > 0] = 1;
            }
        }
        c.n = n;
        const size_t nch = (n + QM_TS_CHUNK - 1) / QM_TS_CHUNK;
        qm_step step;
        qm__step_init(&step, slot, nch, sizeof *slot, offsetof(ts_slot, us));
        step.loop.schedule = QM_SCHEDULE_DYNAMIC;
        step.loop.grab = 1;
        step.loop.piece = 1;
        step.loop.ctx = &c;
        step.loop.body = ts_body;
        steps++;
        evals += (int64_t)n * (c.map.kind == QM_INF_BOTH ? 2 : 1);
        size_t fu = 0;
        st = qm__step_run(ex, &step, &fu);
        if (st != QM_SUCCESS) {
            qm__step_report(ex, &step, st, fu, res);
            res->evaluations = evals;
            res->steps = steps;
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            term[i] = slot[i / QM_TS_CHUNK].term[i % QM_TS_CHUNK];
        for (size_t i = 0; i < n; i++) {
            qm__sacc_add(&sum, term[i]);
            qm__sacc_add(&sabs, fabs(term[i]));
        }
        const double tot_abs = qm__sacc_round(&sabs);
        /* the point nearest each end, for the tail estimate */
        for (size_t i = 0; i < n; i++)
            if (side[i] != 0 && dist[i] < dmin[side[i] > 0]) {
                dmin[side[i] > 0] = dist[i];
                fnear[side[i] > 0] = fabs(term[i] / w[i]);
            }
        /* lost tail where abscissae round onto an end: int_0^dmin |f| is
         * 2 dmin |f(dmin)| for a 1/sqrt singularity, (1/(1-alpha)) dmin
         * |f(dmin)| for u^-alpha; we take 4 dmin |f(dmin)| (alpha <= 3/4) */
        double tail = 0;
        for (int sd = 0; sd < 2; sd++)
            if (rounded[sd] && dmin[sd] < INFINITY)
                tail += 4 * dmin[sd] * fnear[sd];
        if (level == 0) {
            /* cut each side after its last non-negligible term */
            double lastr = 0, lastl = 0;
            /* walk t again in generation order (right, then left) */
            size_t i = 0;
            for (size_t j = 0;; j++) {
                const double t = (double)j * h;
                if (t > QM_TS_TMAX)
                    break;
                double xx, ww, oo, dd;
                if (j == 0) {
                    i++;
                    continue;
                }
                if (ts_point(lo, hi, hl, t, +1, mapped, &xx, &ww, &oo, &dd) > 0) {
                    if (fabs(term[i]) > DBL_EPSILON * 1e-3 * tot_abs)
                        lastr = t;
                    i++;
                }
                if (ts_point(lo, hi, hl, t, -1, mapped, &xx, &ww, &oo, &dd) > 0) {
                    if (fabs(term[i]) > DBL_EPSILON * 1e-3 * tot_abs)
                        lastl = t;
                    i++;
                }
            }
            tmax_r = lastr + h;
            tmax_l = lastl + h;
            if (tmax_r > QM_TS_TMAX) tmax_r = QM_TS_TMAX;
            if (tmax_l > QM_TS_TMAX) tmax_l = QM_TS_TMAX;
        }
        value = h * qm__sacc_round(&sum);
        const double floor_err = 4 * DBL_EPSILON * h * tot_abs;
        if (level > 0) {
            const double d = fabs(value - prev);
            double e = d;
            if (level > 1 && dprev > 0 && d < dprev)
                e = d * d / dprev;
            const double eq = fmax(e, floor_err);
            err = eq + tail;
            const double tol = fmax(tol_abs, tol_rel * fabs(value));
            if (eq <= tol && d <= 10 * tol + floor_err) {
                /* converged; a tail over the tolerance is lost to the
                 * representation of the abscissae: refining cannot help */
                converged = tail <= tol;
                rounding = !converged;
                dprev = d;
                break;
            }
            dprev = d;
        }
        prev = value;
        h *= 0.5;
    }
    res->value = sign * value;
    res->abserr = err;
    st = converged ? QM_SUCCESS : rounding ? QM_EROUND : QM_EMAXITER;
    /* finite terms whose sum is not: the integral diverges (an infinite
     * value is never a success) */
    if (!isfinite(value) || isnan(err))
        st = QM_EDIVERGE;
    res->subregions = level > maxlevel ? maxlevel + 1 : level + 1;
    res->steps = steps;
    res->evaluations = evals;
    goto out;
done:
    res->value = NAN;
    res->abserr = NAN;
out:
    free(x); free(w); free(term); free(om); free(dist); free(side); free(slot);
    return st;
}
