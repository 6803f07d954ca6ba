/*
 * bench_adapt: quadmap's adaptive 1-D integration (QAGS, 2 threads) against
 * GSL's gsl_integration_qags, same problem, same tolerance, same process.
 *
 *   f(x) = sum_{k=1}^{50} exp(-x/(10 k)) (sin(k x / 10) + cos(k x / 10)),
 *   on [0, L]
 *
 * 50 exp + 50 sin + 50 cos per call (about 1 us), closed-form integral
 * (int_0^L e^{-a x} sin(b x) dx = (b - e^{-aL}(a sin bL + b cos bL)) /
 * (a^2 + b^2), int_0^L e^{-a x} cos(b x) dx = (a - e^{-aL}(a cos bL -
 * b sin bL)) / (a^2 + b^2)), oscillatory enough that GK21 needs a few
 * hundred intervals at epsrel 1e-10.
 *
 * Usage: bench/bench_adapt [L]   (default 600)
 * Prints the best of 3 wall times, evaluations and the ratios against the
 * targets: >= 1.7x GSL's speed on 2 threads with <= 1.2x its evaluations.
 * Then tanh-sinh vs qags evaluations on x^-0.9 over [0, 1].
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "quadmap.h"

#define REPS 3
#define TERMS 50

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double f1(double x)
{
    double s = 0;
    for (int k = 1; k <= TERMS; k++)
        s += exp(-x / (10.0 * k)) * (sin(0.1 * k * x) + cos(0.1 * k * x));
    return s;
}

static double exact(double L)
{
    double s = 0;
    for (int k = 1; k <= TERMS; k++) {
        const double a = 1 / (10.0 * k), b = 0.1 * k;
        const double e = exp(-a * L), c = cos(b * L), sn = sin(b * L);
        s += ((b - e * (a * sn + b * c)) + (a - e * (a * c - b * sn)))
             / (a * a + b * b);
    }
    return s;
}

static int fb(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = f1(x[i]);
    return 0;
}

static double fg(double x, void *data)
{
    (*(long *)data)++;
    return f1(x);
}

static double xm09(double x, void *data)
{
    (*(long *)data)++;
    return pow(x, -0.9);
}
static int xm09b(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = pow(x[i], -0.9);
    return 0;
}

int main(int argc, char **argv)
{
    const double L = argc > 1 ? atof(argv[1]) : 600.0;
    const double epsrel = 1e-10, I = exact(L);
    gsl_set_error_handler_off();
    qm_exec *ex2 = NULL, *ex1 = NULL;
    if (qm_exec_new(&ex2, QM_BACKEND_OPENMP) != QM_SUCCESS
        || qm_exec_set_threads(ex2, 2) != QM_SUCCESS) {
        fprintf(stderr, "bench_adapt: OpenMP backend not available\n");
        qm_exec_free(ex2);
        qm_exec_new(&ex2, QM_BACKEND_SERIAL);
    }
    qm_exec_new(&ex1, QM_BACKEND_SERIAL);
    qm_adapt_opts o;
    memset(&o, 0, sizeof o);
    o.epsrel = epsrel;
    o.method = QM_METHOD_QAGS;

    double t_gsl = 1e30, t_q2 = 1e30, t_q1 = 1e30;
    double v_gsl = 0, e_gsl = 0;
    long n_gsl = 0;
    int s_gsl = 0, s_q2 = 0;
    qm_result r2, r1;
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    for (int rep = 0; rep < REPS; rep++) {
        long calls = 0;
        gsl_function F = {fg, &calls};
        double t0 = now();
        s_gsl = gsl_integration_qags(&F, 0, L, 0, epsrel, 1000, w, &v_gsl, &e_gsl);
        double t = now() - t0;
        if (t < t_gsl) t_gsl = t;
        n_gsl = calls;
        t0 = now();
        s_q2 = qm_integrate_adaptive(ex2, fb, NULL, 0, L, &o, &r2);
        t = now() - t0;
        if (t < t_q2) t_q2 = t;
        t0 = now();
        qm_integrate_adaptive(ex1, fb, NULL, 0, L, &o, &r1);
        t = now() - t0;
        if (t < t_q1) t_q1 = t;
    }
    gsl_integration_workspace_free(w);
    printf("bench_adapt: f = sum of %d exp*(sin+cos) terms on [0, %g], epsrel %g, "
           "exact %.15g\n", TERMS, L, epsrel, I);
    printf("  %-26s %10s %10s %10s %8s %6s\n", "variant", "time [ms]", "error",
           "estimate", "evals", "status");
    printf("  %-26s %10.3f %10.2e %10.2e %8ld %6d\n", "GSL qags (1 thread)",
           1e3 * t_gsl, fabs(v_gsl - I), e_gsl, n_gsl, s_gsl);
    printf("  %-26s %10.3f %10.2e %10.2e %8lld %6d\n", "quadmap QAGS serial",
           1e3 * t_q1, fabs(r1.value - I), r1.abserr,
           (long long)r1.evaluations, 0);
    printf("  %-26s %10.3f %10.2e %10.2e %8lld %6d\n", "quadmap QAGS 2 threads",
           1e3 * t_q2, fabs(r2.value - I), r2.abserr,
           (long long)r2.evaluations, s_q2);
    printf("  integrand cost: %.2f us per call (GSL time / evaluations)\n",
           1e6 * t_gsl / (double)n_gsl);
    printf("  quadmap: %zu intervals, %zu parallel steps; bitwise equal "
           "serial/2 threads: %s\n", r2.subregions, r2.steps,
           (r1.value == r2.value && r1.abserr == r2.abserr) ? "yes" : "NO");
    const double speed = t_gsl / t_q2;
    const double eratio = (double)r2.evaluations / (double)n_gsl;
    printf("  speed vs GSL (2 threads):  %6.2fx  target >= 1.70x  %s\n", speed,
           speed >= 1.7 ? "PASS" : "MISS");
    printf("  evaluations vs GSL:        %6.2fx  target <= 1.20x  %s\n", eratio,
           eratio <= 1.2 ? "PASS" : "MISS");

    /* tanh-sinh on an endpoint singularity */
    long calls = 0;
    gsl_function G = {xm09, &calls};
    double gv, ge;
    w = gsl_integration_workspace_alloc(1000);
    gsl_integration_qags(&G, 0, 1, 0, epsrel, 1000, w, &gv, &ge);
    gsl_integration_workspace_free(w);
    qm_result rt, rq;
    o.method = QM_METHOD_TANH_SINH;
    qm_integrate_adaptive(ex1, xm09b, NULL, 0, 1, &o, &rt);
    o.method = QM_METHOD_QAGS;
    qm_integrate_adaptive(ex1, xm09b, NULL, 0, 1, &o, &rq);
    printf("  x^-0.9 on [0,1] (exact 10), epsrel %g: tanh-sinh %lld evals "
           "(error %.1e), quadmap QAGS %lld, GSL qags %ld (error %.1e)\n",
           epsrel, (long long)rt.evaluations, fabs(rt.value - 10),
           (long long)rq.evaluations, calls, fabs(gv - 10));
    qm_exec_free(ex1);
    qm_exec_free(ex2);
    return 0;
}
