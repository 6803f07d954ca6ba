/*
 * Adaptive cubature: quadmap's qm_cubature (Genz-Malik, 2 OpenMP threads)
 * against Debian's libcubature hcubature_v (serial; compiled in with
 * -DQM_HAVE_LIBCUBATURE) on Genz's six test families over [0,1]^d, same
 * tolerance and budget.  Prints evaluations, time and the true relative
 * error of each, and the time ratio.  Both use the same Genz-Malik rule,
 * so evaluation counts should be close; quadmap's batches (at most 64
 * regions popped per step) trade a few extra evaluations for parallelism.
 */
#include "quadmap.h"

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

#include "tests/genz.h"

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
            o.method = QM_METHOD_GENZ_MALIK;
            o.epsrel = eps[di];
            o.max_eval = max_eval;
            double v, e;
            qm_result info;
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
