/*
 * bench_fixed: quadmap's fixed-rule kernel against the loops a user would
 * otherwise write, on one problem, in one process.
 *
 *   midpoint rule, f(x) = x^2 on [0, 10], N panels (default 4e9), all cores
 *
 * Usage: bench/bench_fixed [N]      (e.g. bench/bench_fixed 1e9)
 *
 * Variants (each timed with omp_get_wtime, best of 3, run round-robin):
 *  1. quadmap, built-in batched integrand "x2", OpenMP executor, default threads
 *  2. quadmap, scalar callback through qm_integrate_scalar
 *  3. hand-written `omp parallel for simd reduction` loop, integrand inlined
 *  4. hand-written `omp parallel for reduction` loop calling the integrand
 *     through an opaque function pointer
 *  5. quadmap built-in on 1 and on 2 threads (2-thread efficiency)
 *  6. cost of the exact (reproducible) combination of block partials,
 *     measured directly: the same number of qm_sacc additions the library
 *     makes (two per block: the rule and the coarse rule of the error
 *     estimate) versus plain double additions, as a fraction of variant 1.
 *
 * Not a test: it prints a table and the ratios with their targets.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#else
static double omp_get_wtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
static int omp_get_max_threads(void) { return 1; }
#endif

#include "quadmap.h"
#include "core/internal.h" /* QM_BLOCK: panels per block */
#include "core/sum_exact.h"
#include "bench_native.h"

#define REPS 3

static const double A = 0.0, B = 10.0;
static const double EXACT = 1000.0 / 3.0;

static double sq(double x, void *data)
{
    (void)data;
    return x * x;
}

typedef struct timing {
    const char *name;
    int threads;
    double seconds; /* best of REPS */
    double value;
    int status;
} timing;

/* ------------------------------------------------------------ variants */

static timing run_quadmap(const char *name, int threads, int scalar, int64_t n)
{
    timing t = {name, threads, INFINITY, NAN, QM_SUCCESS};
    qm_exec *ex = NULL;
    int st = qm_exec_new(&ex, QM_BACKEND_DEFAULT);
    if (st == QM_SUCCESS && threads > 0 && qm_exec_backend(ex) == QM_BACKEND_OPENMP)
        st = qm_exec_set_threads(ex, threads);
    if (st != QM_SUCCESS) {
        t.status = st;
        qm_exec_free(ex);
        return t;
    }
    t.threads = qm_exec_threads(ex);
    const qm_builtin *x2 = qm_builtin_find("x2");
    qm_rule mid = {QM_RULE_MIDPOINT, 0};
    {
        qm_result res;
        double t0 = omp_get_wtime();
        if (scalar)
            st = qm_integrate_scalar(ex, sq, NULL, A, B, n, &mid, &res);
        else
            st = x2 ? qm_integrate(ex, x2->fn, NULL, A, B, n, &mid, &res) : QM_EINVAL;
        double dt = omp_get_wtime() - t0;
        if (st != QM_SUCCESS)
            t.status = st;
        t.seconds = dt;
        t.value = res.value;
    }
    qm_exec_free(ex);
    return t;
}

/* Volatile, so the compiler cannot see which function is called and inline
 * it: the loop pays a real indirect call per point, as with a user's
 * callback. */
static double (*volatile opaque_fn)(double, void *) = sq;

/* The hand-written baselines live in bench_native.c, compiled -O3
 * -march=native. */
static timing run_native(const char *name, int which, int64_t n)
{
    timing t = {name, omp_get_max_threads(), INFINITY, NAN, QM_SUCCESS};
    double t0 = omp_get_wtime();
    switch (which) {
    case 0: t.value = native_simd_loop(A, B, n); break;
    case 1: t.value = native_register_kernel(A, B, n); break;
    default: t.value = native_fnptr_loop(opaque_fn, A, B, n); break;
    }
    t.seconds = omp_get_wtime() - t0;
    return t;
}

/* exp(-x^2) on [0, 3] with the midpoint rule: the built-in gauss (SLEEF,
 * fused block kernel) or a user's batched plugin with glibc's exp. */
static timing run_gauss(const char *name, qm_batch_fn f, int64_t n)
{
    timing t = {name, 0, INFINITY, NAN, QM_SUCCESS};
    qm_exec *ex = NULL;
    qm_rule mid = {QM_RULE_MIDPOINT, 0};
    qm_result res;
    int st = qm_exec_new(&ex, QM_BACKEND_DEFAULT);
    if (st == QM_SUCCESS) {
        t.threads = qm_exec_threads(ex);
        double t0 = omp_get_wtime();
        st = qm_integrate(ex, f, NULL, 0.0, 3.0, n, &mid, &res);
        t.seconds = omp_get_wtime() - t0;
        t.value = res.value;
    }
    t.status = st;
    qm_exec_free(ex);
    return t;
}

/*
 * The reproducible combination costs qm__sacc_add per block partial (two
 * per block: fine and coarse sums) plus a merge per thread, where a plain
 * reduction costs a double addition.  Time both on realistic partials
 * (the x^2 block sums, whose magnitudes grow across [0, 10]) in one
 * thread: an upper bound, since the library spreads these additions over
 * its threads.  Best of REPS, each repeating the work until >= 50 ms.
 */
static void sum_overhead(int64_t n, int nthreads, double *t_exact, double *t_plain)
{
    int64_t nblocks = (n + QM_BLOCK - 1) / QM_BLOCK;
    double *part = malloc((size_t)nblocks * sizeof *part);
    if (part == NULL) {
        *t_exact = *t_plain = NAN;
        return;
    }
    const double h = (B - A) / (double)n;
    for (int64_t b = 0; b < nblocks; b++) {
        double xc = A + ((double)b + 0.5) * QM_BLOCK * h;
        part[b] = xc * xc * QM_BLOCK + 1e-3 * (double)(b % 7); /* vary low bits */
    }
    volatile double sink = 0.0;
    *t_exact = *t_plain = INFINITY;
    for (int r = 0; r < REPS; r++) {
        int reps = 0;
        double t0 = omp_get_wtime(), dt;
        do {
            qm_sacc fine, coarse, total;
            qm__sacc_init(&fine);
            qm__sacc_init(&coarse);
            qm__sacc_init(&total);
            for (int64_t b = 0; b < nblocks; b++) {
                qm__sacc_add(&fine, part[b]);
                qm__sacc_add(&coarse, 0.5 * part[b]);
            }
            for (int k = 0; k < nthreads; k++) /* one merge per thread and sum */
                qm__sacc_merge(&total, &fine);
            sink = qm__sacc_round(&total) + qm__sacc_round(&coarse);
            reps++;
            dt = omp_get_wtime() - t0;
        } while (dt < 0.05);
        if (dt / reps < *t_exact)
            *t_exact = dt / reps;

        reps = 0;
        t0 = omp_get_wtime();
        do {
            double fine = 0.0, coarse = 0.0;
            for (int64_t b = 0; b < nblocks; b++) {
                fine += part[b];
                coarse += 0.5 * part[b];
            }
            sink = fine + coarse;
            reps++;
            dt = omp_get_wtime() - t0;
        } while (dt < 0.05);
        if (dt / reps < *t_plain)
            *t_plain = dt / reps;
    }
    (void)sink;
    free(part);
}

/* ------------------------------------------------------------ report */

static void print_row(const timing *t, int64_t n)
{
    if (t->status != QM_SUCCESS) {
        printf("%-46s %4d  failed: %s\n", t->name, t->threads, qm_strerror(t->status));
        return;
    }
    printf("%-46s %4d %9.4f %9.3f  %.17g  %.3g\n", t->name, t->threads, t->seconds,
           (double)n / t->seconds * 1e-9, t->value, fabs(t->value - EXACT));
}

static void print_ratio(const char *what, double value, double target, int higher_better,
                        const char *unit)
{
    int pass = higher_better ? value >= target : value <= target;
    printf("  %-44s %8.3f%s  (target %s %g%s)  %s\n", what, value, unit,
           higher_better ? ">=" : "<=", target, unit, isfinite(value) ? (pass ? "PASS" : "MISS") : "n/a");
}

static int parse_n(const char *s, int64_t *n)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= 1.0) || v > 9.0e15
        || v != floor(v))
        return -1;
    *n = (int64_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    int64_t n = INT64_C(4000000000);
    if (argc > 2 || (argc == 2 && parse_n(argv[1], &n) != 0)) {
        fprintf(stderr, "usage: %s [N]   (N panels, e.g. 1e9; default 4e9)\n", argv[0]);
        return 2;
    }
    int nthreads = omp_get_max_threads();
    printf("quadmap %s bench_fixed: midpoint rule, x^2 on [%g, %g], N = %lld "
           "(%.3g), %d thread(s), best of %d\n", QM_VERSION_STRING, A, B,
           (long long)n, (double)n, nthreads, REPS);
    printf("OpenMP backend: %s; block = %d panels\n\n",
           qm_backend_available(QM_BACKEND_OPENMP) ? "yes" : "no (serial)", QM_BLOCK);

    /* Round-robin over the variants, keeping each one's best time, so that
     * load from other processes hits all variants alike. */
    double t_start = omp_get_wtime();
    const qm_builtin *gauss = qm_builtin_find("gauss");
    const int64_t ng = n / 8 > 0 ? n / 8 : 1; /* gauss costs more per point */
    enum { NV = 9 };
    timing best[NV];
    for (int r = 0; r < REPS; r++) {
        timing v[NV];
        v[0] = run_quadmap("quadmap built-in x2 (fused kernel)", 0, 0, n);
        v[1] = run_quadmap("quadmap scalar callback", 0, 1, n);
        v[2] = run_native("hand omp parallel for simd, inlined", 0, n);
        v[3] = run_native("hand register kernel (machine limit)", 1, n);
        v[4] = run_native("hand omp parallel for, fn pointer", 2, n);
        v[5] = run_quadmap("quadmap built-in, 1 thread", 1, 0, n);
        v[6] = run_quadmap("quadmap built-in, 2 threads", 2, 0, n);
        v[7] = run_gauss("quadmap built-in gauss (N/8, [0,3])", gauss ? gauss->fn : NULL, ng);
        v[8] = run_gauss("batched plugin exp(-x*x), glibc", native_gauss_batch, ng);
        for (int k = 0; k < NV; k++)
            if (r == 0 || v[k].status != QM_SUCCESS
                || (best[k].status == QM_SUCCESS && v[k].seconds < best[k].seconds))
                best[k] = v[k];
    }
    timing builtin = best[0], scalar = best[1], simd = best[2], reg = best[3],
           fnptr = best[4], one = best[5], two = best[6], bgauss = best[7],
           pgauss = best[8];
    double t_exact, t_plain;
    sum_overhead(n, nthreads, &t_exact, &t_plain);

    printf("%-46s %4s %9s %9s  %-23s  %s\n", "variant", "thr", "seconds", "Gpts/s",
           "result", "|result - 1000/3|");
    for (int k = 0; k < 7; k++)
        print_row(&best[k], n);
    const double gexact = 0.886226925452758013649083741671 * erf(3.0);
    for (int k = 7; k < 9; k++) {
        if (best[k].status != QM_SUCCESS)
            printf("%-46s %4d  failed: %s\n", best[k].name, best[k].threads,
                   qm_strerror(best[k].status));
        else
            printf("%-46s %4d %9.4f %9.3f  %.17g  %.3g\n", best[k].name,
                   best[k].threads, best[k].seconds,
                   (double)ng / best[k].seconds * 1e-9, best[k].value,
                   fabs(best[k].value - gexact));
    }
    int64_t nblocks = (n + QM_BLOCK - 1) / QM_BLOCK;
    printf("\nexact combination of %lld block partials x 2 (fine + coarse): "
           "%.3f ms; plain double sums: %.3f ms\n", (long long)nblocks,
           1e3 * t_exact, 1e3 * t_plain);

    printf("\nratios (speed = 1 / time):\n");
    print_ratio("speed built-in / simd loop (-O3 -march=native)",
                simd.seconds / builtin.seconds, 1.2, 1, "");
    print_ratio("speed built-in / register kernel (limit)",
                reg.seconds / builtin.seconds, 0.7, 1, "");
    print_ratio("speed built-in gauss / glibc plugin",
                pgauss.seconds / bgauss.seconds, 3.0, 1, "");
    print_ratio("speed scalar / fn-pointer loop", fnptr.seconds / scalar.seconds, 1.0, 1, "");
    if (two.threads == 2 && nthreads >= 2)
        print_ratio("2-thread efficiency T1 / (2 T2)", one.seconds / (2.0 * two.seconds), 0.9, 1, "");
    else
        printf("  2-thread efficiency: n/a (fewer than 2 threads available)\n");
    print_ratio("reproducible summation overhead",
                100.0 * (t_exact - t_plain) / builtin.seconds, 5.0, 0, "%");
    printf("\ntotal bench time %.1f s\n", omp_get_wtime() - t_start);
    int failed = builtin.status || scalar.status || one.status || two.status
                 || bgauss.status || pgauss.status;
    return failed ? 1 : 0;
}
