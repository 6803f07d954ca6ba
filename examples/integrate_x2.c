/*
 * The classic lesson "integrate x^2 from 0 to 10" two ways:
 *   1. the plain serial loop everybody writes first,
 *        integrate(f, a, b, N) = h * sum_{i<N} f(a + i h)   (left Riemann sum)
 *   2. quadmap's parallel, reproducible version of the same rule.
 * Same answer (to rounding: quadmap sums exactly, the loop does not), and the
 * speedup is printed.
 *
 * Build against an installed quadmap:
 *   cc integrate_x2.c $(pkg-config --cflags --libs quadmap) -o integrate_x2
 * Run: ./integrate_x2 [N]      (default N = 1e8)
 */
#include <quadmap.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double f(double x, void *data)
{
    (void)data;
    return x * x;
}

/* The textbook loop: one thread, one accumulator. */
static double integrate(double (*fn)(double, void *), double a, double b,
                        int64_t n)
{
    const double h = (b - a) / (double)n;
    double s = 0.0;
    for (int64_t i = 0; i < n; i++)
        s += fn(a + (double)i * h, NULL);
    return s * h;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    const double a = 0.0, b = 10.0, exact = 1000.0 / 3.0;
    const int64_t n = argc > 1 ? (int64_t)strtod(argv[1], NULL) : 100000000;
    if (n < 1) {
        fprintf(stderr, "integrate_x2: N must be a positive integer\n");
        return 2;
    }

    double t0 = now();
    const double serial = integrate(f, a, b, n);
    const double t_serial = now() - t0;

    qm_exec *ex;
    int st = qm_exec_new(&ex, QM_BACKEND_DEFAULT);
    if (st != QM_SUCCESS) {
        fprintf(stderr, "integrate_x2: %s\n", qm_strerror(st));
        return 1;
    }
    const qm_rule left = {QM_RULE_LEFT, 0};
    qm_result r;
    t0 = now();
    /* the same scalar function, through the library's batched code path */
    st = qm_integrate_scalar(ex, f, NULL, a, b, n, &left, &r);
    const double t_par = now() - t0;
    if (st != QM_SUCCESS) {
        fprintf(stderr, "integrate_x2: %s\n", qm_strerror(st));
        qm_exec_free(ex);
        return 1;
    }

    printf("N = %lld, exact = %.17g\n", (long long)n, exact);
    printf("serial loop : %.17g  (%.3f s)\n", serial, t_serial);
    printf("quadmap     : %.17g  (%.3f s, %d threads, abserr %.3g)\n",
           r.value, t_par, qm_exec_threads(ex), r.abserr);
    printf("difference  : %.3g (relative %.3g)\n", r.value - serial,
           (r.value - serial) / exact);
    printf("speedup     : %.2fx\n", t_serial / t_par);
    qm_exec_free(ex);
    /* the two sums differ only by the serial loop's rounding */
    return (r.value - serial) / exact < 1e-6 && (serial - r.value) / exact < 1e-6 ? 0 : 1;
}
