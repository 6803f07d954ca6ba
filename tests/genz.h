/*
 * Genz's six test families on [0,1]^d with fixed parameters and their
 * closed-form integrals, shared by tests/test_cubature.c and
 * bench/bench_cubature.c (header only, all static).
 */
#ifndef QM_TEST_GENZ_H
#define QM_TEST_GENZ_H

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#if defined(__GNUC__)
#define QM_GENZ_UNUSED __attribute__((unused))
#else
#define QM_GENZ_UNUSED
#endif

enum { OSC, PPEAK, CORNER, GAUSS, C0, DISC, NFAM };
static QM_GENZ_UNUSED const char *const fam_name[NFAM] = {"oscillatory", "product peak",
                                           "corner peak", "gaussian",
                                           "C0", "discontinuous"};

/* Fixed parameters (difficulty in the range of Genz's tests). */
static const double A[NFAM][6] = {
    {1.2, 0.8, 1.5, 0.6, 1.1, 0.9},   /* oscillatory */
    {5.0, 4.0, 6.0, 3.0, 5.0, 4.0},   /* product peak: widths 1/a */
    {0.6, 0.4, 0.8, 0.5, 0.7, 0.3},   /* corner peak */
    {3.0, 2.5, 4.0, 3.5, 2.0, 3.0},   /* gaussian */
    {2.0, 1.5, 2.5, 1.0, 2.0, 1.8},   /* C0 */
    {1.0, 0.8, 1.2, 0.6, 0.9, 0.7}};  /* discontinuous */
static const double U[6] = {0.4, 0.6, 0.3, 0.7, 0.5, 0.45};


static QM_GENZ_UNUSED double genz_f(int fam, unsigned d, const double *x)
{
    const double *a = A[fam];
    double s = 0, p = 1;
    switch (fam) {
    case OSC:
        for (unsigned j = 0; j < d; j++)
            s += a[j] * x[j];
        return cos(2 * M_PI * U[0] + s);
    case PPEAK:
        for (unsigned j = 0; j < d; j++)
            p *= 1.0 / (1.0 / (a[j] * a[j]) + (x[j] - U[j]) * (x[j] - U[j]));
        return p;
    case CORNER:
        for (unsigned j = 0; j < d; j++)
            s += a[j] * x[j];
        return pow(1 + s, -(double)(d + 1));
    case GAUSS:
        for (unsigned j = 0; j < d; j++)
            s += a[j] * a[j] * (x[j] - U[j]) * (x[j] - U[j]);
        return exp(-s);
    case C0:
        for (unsigned j = 0; j < d; j++)
            s += a[j] * fabs(x[j] - U[j]);
        return exp(-s);
    case DISC:
        if (x[0] > U[0] || x[1] > U[1])
            return 0;
        for (unsigned j = 0; j < d; j++)
            s += a[j] * x[j];
        return exp(s);
    }
    return NAN;
}

static QM_GENZ_UNUSED double genz_exact(int fam, unsigned d)
{
    const double *a = A[fam];
    double p = 1, s = 0;
    switch (fam) {
    case OSC:
        for (unsigned j = 0; j < d; j++) {
            p *= 2 * sin(a[j] / 2) / a[j];
            s += a[j] / 2;
        }
        return p * cos(2 * M_PI * U[0] + s);
    case PPEAK:
        for (unsigned j = 0; j < d; j++)
            p *= a[j] * (atan(a[j] * (1 - U[j])) + atan(a[j] * U[j]));
        return p;
    case CORNER: {
        double fact = 1, sum = 0;
        for (unsigned j = 0; j < d; j++)
            fact *= (j + 1) * a[j];
        for (unsigned m = 0; m < (1u << d); m++) {
            double as = 0;
            int bits = 0;
            for (unsigned j = 0; j < d; j++)
                if (m >> j & 1) {
                    as += a[j];
                    bits++;
                }
            sum += (bits & 1 ? -1.0 : 1.0) / (1 + as);
        }
        return sum / fact;
    }
    case GAUSS:
        for (unsigned j = 0; j < d; j++)
            p *= sqrt(M_PI) / (2 * a[j])
                 * (erf(a[j] * (1 - U[j])) + erf(a[j] * U[j]));
        return p;
    case C0:
        for (unsigned j = 0; j < d; j++)
            p *= (2 - exp(-a[j] * U[j]) - exp(-a[j] * (1 - U[j]))) / a[j];
        return p;
    case DISC:
        for (unsigned j = 0; j < d; j++)
            p *= (exp(a[j] * (j < 2 ? U[j] : 1.0)) - 1) / a[j];
        return p;
    }
    return NAN;
}

#endif
