/*
 * Adaptive 1-D integration with quadmap: give a tolerance, not a number of
 * panels.
 *
 *   1. qm_qags: the common case in one call (like GSL's gsl_integration_qags:
 *      Gauss-Kronrod 21 with extrapolation, at most 1000 subintervals, on
 *      the calling thread; no executor, no workspace to manage);
 *   2. qm_integrate_adaptive on an OpenMP executor: the same algorithm with
 *      options (method, key, limit, breakpoints), each step's Gauss-Kronrod
 *      rules evaluated by the executor's threads.  The intervals bisected at
 *      each step are chosen without looking at the thread count, so the
 *      result is the same bits as qm_qags and as any other thread count.
 *
 * Two integrals a fixed rule handles badly:
 *   - log(x)/sqrt(x) on (0, 1]: a singularity at 0; exact value -4;
 *   - exp(-x^2) on (-inf, inf): an infinite range (pass -INFINITY and
 *     INFINITY; the range is mapped to (0, 1] as GSL's qagi does); exact
 *     value sqrt(pi).
 *
 * Build against an installed quadmap:
 *   cc adaptive_1d.c $(pkg-config --cflags --libs quadmap) -lm -o adaptive_1d
 * Run: ./adaptive_1d            (OMP_NUM_THREADS=4 ./adaptive_1d ...)
 * Exits 1 when a result is off by more than its error estimate.
 */
#include <quadmap.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Batched integrands: y[i] = f(x[i]).  The nodes never include the end
 * points, so log(0) is never evaluated. */
static int log_over_sqrt(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = log(x[i]) / sqrt(x[i]);
    return 0; /* nonzero would stop the run with QM_EUSER */
}

static int gaussian(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = exp(-x[i] * x[i]);
    return 0;
}

/* Print one result; return 1 when it is wrong (status or accuracy). */
static int report(const char *what, int st, const qm_result *r, double exact)
{
    if (st != QM_SUCCESS) {
        printf("%-34s failed: %s (status %d)\n", what, qm_strerror(st), st);
        return 1;
    }
    const double err = fabs(r->value - exact);
    printf("%-34s %.17g +- %.2g (true error %.2g), %lld evaluations, "
           "%zu subintervals\n", what, r->value, r->abserr, err,
           (long long)r->evaluations, r->subregions);
    return err > r->abserr; /* the estimate must bound the true error */
}

int main(void)
{
    const double sqrt_pi = sqrt(acos(-1.0));
    int bad = 0;
    qm_result r1, r2;

    /* 1. One call, serial, as GSL's qags: tolerances epsabs, epsrel. */
    int st = qm_qags(log_over_sqrt, NULL, 0.0, 1.0, 0.0, 1e-10, &r1);
    bad |= report("qm_qags log(x)/sqrt(x), (0,1]:", st, &r1, -4.0);

    /* 2. The same algorithm on the threads of an OpenMP executor (serial
     *    when the library was built without OpenMP). */
    qm_exec *ex;
    if (qm_exec_new(&ex, QM_BACKEND_OPENMP) != QM_SUCCESS &&
        qm_exec_new(&ex, QM_BACKEND_SERIAL) != QM_SUCCESS)
        return 1;

    qm_adapt_opts opts;
    memset(&opts, 0, sizeof opts); /* QAGS, GK21, limit 1000, no breakpoints */
    opts.epsrel = 1e-10;
    st = qm_integrate_adaptive(ex, log_over_sqrt, NULL, 0.0, 1.0, &opts, &r2);
    bad |= report("adaptive log(x)/sqrt(x), (0,1]:", st, &r2, -4.0);
    /* same algorithm, same bits, whatever the executor */
    const int same = st == QM_SUCCESS &&
                     memcmp(&r1.value, &r2.value, sizeof r1.value) == 0 &&
                     memcmp(&r1.abserr, &r2.abserr, sizeof r1.abserr) == 0;
    printf("qm_qags and %d %s threads: %s\n", qm_exec_threads(ex),
           qm_backend_name(qm_exec_backend(ex)),
           same ? "identical bits" : "DIFFERENT BITS");
    bad |= !same;

    /* Infinite range: the bounds are simply +-INFINITY (GK15 by default). */
    st = qm_integrate_adaptive(ex, gaussian, NULL, -INFINITY, INFINITY, &opts,
                               &r2);
    bad |= report("adaptive exp(-x^2), (-inf,inf):", st, &r2, sqrt_pi);

    qm_exec_free(ex);
    return bad;
}
