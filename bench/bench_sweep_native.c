/*
 * bench_sweep's baseline and integrands, compiled as a user who cares about
 * speed compiles them (-O3 -march=native, BENCH_NATIVE_CFLAGS in
 * Makefile.am): the hand-written OpenMP loop over GSL's qags, and the
 * integrand in both forms (GSL's scalar gsl_function and quadmap's batched
 * qm_batch_fn), so that both sides evaluate f with the same code
 * generation.
 */
#include <omp.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "bench_sweep.h"

double sweep_f(double x, void *p)
{
    const double a = 25 * *(const double *)p;
    return 1 / (1 + a * x * x);
}

int sweep_batch(size_t n, const double *x, double *y, void *p)
{
    const double a = 25 * *(const double *)p;
    for (size_t i = 0; i < n; i++)
        y[i] = 1 / (1 + a * x[i] * x[i]);
    return 0;
}

long sweep_gsl(int threads, int schedule, size_t n, const double *p,
               double epsrel, double *value, double *abserr)
{
    long bad = 0;
    /* the schedule a user would pick: static, dynamic or guided (the cost
     * grows with p, so static shares are uneven) */
    omp_set_schedule(schedule == 0 ? omp_sched_static
                     : schedule == 1 ? omp_sched_dynamic : omp_sched_guided,
                     schedule == 1 ? 64 : 0);
#pragma omp parallel num_threads(threads) reduction(+:bad)
    {
        gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
#pragma omp for schedule(runtime)
        for (size_t i = 0; i < n; i++) {
            gsl_function F = {sweep_f, (void *)&p[i]};
            bad += gsl_integration_qags(&F, 0, 1, 0, epsrel, 1000, w,
                                        &value[i], &abserr[i]) != GSL_SUCCESS;
        }
        gsl_integration_workspace_free(w);
    }
    return bad;
}
