/*
 * The infinite-range maps as integrand wrappers (core/internal.h), used by
 * the adaptive Gauss-Kronrod driver and by tanh-sinh: GSL's qagiu, qagil
 * and qagi substitutions, x = bound + (1 - t)/t, x = bound - (1 - t)/t and
 * x = +-(1 - t)/t, with |dx/dt| = 1/t^2.
 */
#include "config.h"
#include "core/internal.h"

#include <math.h>
#include <string.h>

/* Whether y[0 .. n) are all finite: y - y is +0 for a finite y and NaN for
 * an infinity or a NaN, so the sum of those is 0 exactly when all are
 * finite.  Two lanes and two sums at a time, without a branch per value. */
typedef double qm_v2d __attribute__((vector_size(16)));
static int all_finite(const double *y, size_t n)
{
    qm_v2d s0 = {0, 0}, s1 = {0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        qm_v2d a, b;
        memcpy(&a, y + i, sizeof a);
        memcpy(&b, y + i + 2, sizeof b);
        s0 += a - a;
        s1 += b - b;
    }
    s0 += s1;
    double r = s0[0] + s0[1];
    for (; i < n; i++)
        r += y[i] - y[i];
    return r == 0;
}

void qm__infmap_init(qm_infmap *m, qm_batch_fn f, void *data, double a,
                     double b)
{
    m->f = f;
    m->data = data;
    m->bound = 0.0;
    if (isinf(a) && isinf(b)) {
        m->kind = QM_INF_BOTH;
    } else if (isinf(b)) {
        m->kind = QM_INF_UPPER;
        m->bound = a;
    } else if (isinf(a)) {
        m->kind = QM_INF_LOWER;
        m->bound = b;
    } else {
        m->kind = QM_INF_NONE;
    }
}

int qm__infmap_eval(const qm_infmap *m, size_t n, const double *t,
                    const double *om, double *y, double *fail_x, int *user)
{
    double xs[256], ys[256];
    const double *xp = t;
    double *yp = m->kind == QM_INF_NONE ? y : ys;
    size_t nf = n;
    for (size_t i = 0; m->kind != QM_INF_NONE && i < n; i++) {
        /* 1 - t, exact near t = 1 when the caller knows it */
        const double d = (om ? om[i] : 1 - t[i]) / t[i];
        switch (m->kind) {
        case QM_INF_UPPER: xs[i] = m->bound + d; break;
        case QM_INF_LOWER: xs[i] = m->bound - d; break;
        default:
            xs[i] = d;
            xs[n + i] = -d;
            break;
        }
    }
    if (m->kind != QM_INF_NONE)
        xp = xs;
    if (m->kind == QM_INF_BOTH)
        nf = 2 * n;
    const int st = m->f(nf, xp, yp, m->data);
    if (st != 0) {
        *user = st;
        *fail_x = xp[0];
        return QM_EUSER;
    }
    /* values are almost always finite: screen them all at once, then look
     * for the first offender only when there is one */
    if (!all_finite(yp, nf))
        for (size_t i = 0; i < nf; i++)
            if (!isfinite(yp[i])) {
                *fail_x = xp[i];
                return QM_ENONFINITE;
            }
    if (m->kind != QM_INF_NONE)
        for (size_t i = 0; i < n; i++) {
            const double v = m->kind == QM_INF_BOTH ? ys[i] + ys[n + i]
                                                    : ys[i];
            y[i] = v / t[i] / t[i];
        }
    return QM_SUCCESS;
}
