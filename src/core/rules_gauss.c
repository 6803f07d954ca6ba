/*
 * Gauss-Legendre nodes and weights.
 *
 * Nodes are the roots of P_k, found by Newton's method on the three-term
 * recurrence (k+1) P_{k+1} = (2k+1) x P_k - k P_{k-1}, started from the
 * Tricomi-type guess cos(pi (i + 3/4) / (k + 1/2)); weights are
 * w_i = 2 / ((1 - x_i^2) P_k'(x_i)^2) (Abramowitz & Stegun 25.4.29;
 * Press et al., Numerical Recipes, 3rd ed., sec. 4.6).  The iteration runs in
 * long double (64-bit mantissa on x86), so the values rounded to double are
 * accurate to full double precision; the test suite checks them against GSL's
 * precomputed glfixed tables.  Nodes are symmetric by construction.
 */
#include "core/internal.h"
#include "core/rules.h"

#include <math.h>

static void legendre(int k, long double x, long double *p, long double *dp)
{
    long double p0 = 1.0L, p1 = x;
    for (int j = 2; j <= k; j++) {
        long double p2 = ((2 * j - 1) * x * p1 - (j - 1) * p0) / j;
        p0 = p1;
        p1 = p2;
    }
    if (k == 0) {
        *p = 1.0L;
        *dp = 0.0L;
        return;
    }
    *p = p1;
    /* P_k'(x) = k (x P_k - P_{k-1}) / (x^2 - 1), valid for |x| < 1 */
    *dp = k * (x * p1 - p0) / (x * x - 1.0L);
}

int qm__gauss_legendre_ld(int k, long double *t, long double *w)
{
    if (k < 1 || k > QM_GAUSS_MAX_POINTS || !t || !w)
        return QM_EINVAL;
    const long double pi = 3.141592653589793238462643383279502884L;
    const int half = (k + 1) / 2;
    for (int i = 0; i < half; i++) {
        long double x = cosl(pi * (i + 0.75L) / (k + 0.5L));
        long double p, dp;
        for (int it = 0; it < 100; it++) {
            legendre(k, x, &p, &dp);
            long double dx = p / dp;
            x -= dx;
            if (fabsl(dx) <= 1e-19L * fabsl(x) + 1e-300L)
                break;
        }
        if (k % 2 == 1 && i == half - 1)
            x = 0.0L; /* the middle node of an odd rule is exactly 0 */
        legendre(k, x, &p, &dp);
        long double wi = 2.0L / ((1.0L - x * x) * dp * dp);
        /* x decreases with i: mirror into increasing order */
        t[k - 1 - i] = x;
        t[i] = -x;
        w[i] = w[k - 1 - i] = wi;
    }
    return QM_SUCCESS;
}

int qm_gauss_legendre(int k, double *nodes, double *weights)
{
    long double t[QM_GAUSS_MAX_POINTS], w[QM_GAUSS_MAX_POINTS];
    if (!nodes || !weights)
        return QM_EINVAL;
    int st = qm__gauss_legendre_ld(k, t, w);
    if (st != QM_SUCCESS)
        return st;
    for (int i = 0; i < k; i++) {
        nodes[i] = (double)t[i];
        weights[i] = (double)w[i];
    }
    return QM_SUCCESS;
}
