/* bench_sweep's natively compiled half (bench/bench_sweep_native.c):
 * the integrand family and the hand-written OpenMP + GSL baseline. */
#ifndef QM_BENCH_SWEEP_H
#define QM_BENCH_SWEEP_H
#include <stddef.h>

/* f(x; p) = 1 / (1 + 25 p x^2) (Runge's function at p = 1) */
double sweep_f(double x, void *p);                                /* gsl_function */
int sweep_batch(size_t n, const double *x, double *y, void *p);   /* qm_batch_fn */

/* The loop a user writes: #pragma omp parallel with one
 * gsl_integration_workspace per thread, #pragma omp for over p[0 .. n)
 * (schedule 0: static, 1: dynamic with chunks of 64, 2: guided),
 * gsl_integration_qags (GK21) on [0, 1] with epsabs 0, epsrel, limit 1000.
 * Returns the number of nonzero GSL statuses. */
#define SWEEP_SCHEDULES 3
long sweep_gsl(int threads, int schedule, size_t n, const double *p,
               double epsrel, double *value, double *abserr);
#endif
