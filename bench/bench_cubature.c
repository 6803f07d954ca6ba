/*
 * Adaptive cubature: quadmap's qm_cubature (Genz-Malik, 2 OpenMP threads)
 * against Debian's libcubature hcubature_v (serial; compiled in with
 * -DQM_HAVE_LIBCUBATURE) on Genz's six test families over [0,1]^d, same
 * tolerance and budget.  Prints evaluations, time and the true relative
 * error of each, and the time ratio.  Both use the same Genz-Malik rule,
 * so evaluation counts should be close; quadmap's batches (at most 64
 * regions popped per step) trade a few extra evaluations for parallelism.
 */
#include "quadmap_adapt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#ifdef QM_HAVE_LIBCUBATURE
#include <cubature.h>
#endif

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

enum { OSC, PPEAK, CORNER, GAUSS, C0, DISC, NFAM };
static const char *const fam_name[NFAM] = {"oscillatory", "product-peak",
                                           "corner-peak", "gaussian", "C0",
                                           "discontinuous"};
static const double A[NFAM][6] = {
    {1.2, 0.8, 1.5, 0.6, 1.1, 0.9}, {5.0, 4.0, 6.0, 3.0, 5.0, 4.0},
    {0.6, 0.4, 0.8, 0.5, 0.7, 0.3}, {3.0, 2.5, 4.0, 3.5, 2.0, 3.0},
    {2.0, 1.5, 2.5, 1.0, 2.0, 1.8}, {1.0, 0.8, 1.2, 0.6, 0.9, 0.7}};
static const double U[6] = {0.4, 0.6, 0.3, 0.7, 0.5, 0.45};

static double genz_f(int fam, unsigned d, const double *x)
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
    default:
        if (x[0] > U[0] || x[1] > U[1])
            return 0;
        for (unsigned j = 0; j < d; j++)
            s += a[j] * x[j];
        return exp(s);
    }
}

static double genz_exact(int fam, unsigned d)
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
    default:
        for (unsigned j = 0; j < d; j++)
            p *= (exp(a[j] * (j < 2 ? U[j] : 1.0)) - 1) / a[j];
        return p;
    }
}

static int qm_fn(size_t n, unsigned dim, const double *x, unsigned fdim,
                 double *y, void *data)
{
    const int fam = *(const int *)data;
    (void)fdim;
    for (size_t i = 0; i < n; i++)
        y[i] = genz_f(fam, dim, x + i * dim);
    return 0;
}

#ifdef QM_HAVE_LIBCUBATURE
typedef struct cub_data {
    int fam;
    size_t evals;
} cub_data;

static int cub_fn(unsigned dim, size_t n, const double *x, void *data,
                  unsigned fdim, double *y)
{
    cub_data *c = data;
    (void)fdim;
    c->evals += n;
    for (size_t i = 0; i < n; i++)
        y[i] = genz_f(c->fam, dim, x + i * dim);
    return 0;
}
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(void)
{
    const double zero[8] = {0}, one[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    const unsigned dims[2] = {3, 5};
    const double eps[2] = {1e-6, 1e-5};
    const size_t max_eval = 10000000;
    qm_exec *ex = NULL;
    if (qm_exec_new(&ex, QM_BACKEND_DEFAULT) != QM_SUCCESS
        || qm_exec_set_threads(ex, qm_exec_backend(ex) == QM_BACKEND_OPENMP
                                       ? 2 : 1) != QM_SUCCESS) {
        fprintf(stderr, "bench_cubature: no executor\n");
        return 1;
    }
    printf("Adaptive cubature on Genz families over [0,1]^d, budget %zu "
           "evaluations\nquadmap: %s, %d thread(s); ", max_eval,
           qm_backend_name(qm_exec_backend(ex)), qm_exec_threads(ex));
#ifdef QM_HAVE_LIBCUBATURE
    printf("libcubature hcubature_v: serial\n\n");
#else
    printf("libcubature: not compiled in\n\n");
#endif
    printf("%-14s %2s %7s | %10s %9s %9s %3s | %10s %9s %9s %3s | %6s\n",
           "family", "d", "epsrel", "qm evals", "qm s", "qm relerr", "st",
           "hc evals", "hc s", "hc relerr", "st", "hc/qm");
    for (int di = 0; di < 2; di++)
        for (int fam = 0; fam < NFAM; fam++) {
            const unsigned d = dims[di];
            const double I = genz_exact(fam, d);
            qm_cubature_opts o;
            memset(&o, 0, sizeof o);
            o.method = QM_CUBATURE_ADAPTIVE;
            o.epsrel = eps[di];
            o.max_eval = max_eval;
            double v, e;
            qm_cubature_info info;
            /* best of 3 (the machine may be shared) */
            int st = 0;
            double tq = INFINITY, t0;
            for (int rep = 0; rep < 3; rep++) {
                t0 = now();
                st = qm_cubature(ex, qm_fn, &fam, d, zero, one, 1, &o, &v, &e,
                                 &info);
                tq = fmin(tq, now() - t0);
            }
            printf("%-14s %2u %7.0e | %10lld %9.4f %9.2e %3d |", fam_name[fam],
                   d, eps[di], (long long)info.evaluations, tq,
                   fabs(v - I) / fabs(I), st);
#ifdef QM_HAVE_LIBCUBATURE
            cub_data cd = {fam, 0};
            double hv = 0, he = 0, th = INFINITY;
            int hst = 0;
            for (int rep = 0; rep < 3; rep++) {
                cd.evals = 0;
                t0 = now();
                hst = hcubature_v(1, cub_fn, &cd, d, zero, one, max_eval, 0,
                                  eps[di], ERROR_INDIVIDUAL, &hv, &he);
                th = fmin(th, now() - t0);
            }
            printf(" %10zu %9.4f %9.2e %3d | %6.2f\n", cd.evals, th,
                   fabs(hv - I) / fabs(I), hst, th / tq);
#else
            printf(" %10s %9s %9s %3s | %6s\n", "-", "-", "-", "-", "-");
#endif
        }
    printf("\nst: quadmap status (0 ok, 11 budget reached); hc st: "
           "hcubature_v return (0 ok; it stops silently at the budget)\n");
    qm_exec_free(ex);
    return 0;
}
