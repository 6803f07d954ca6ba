/*
 * bench_sweep: a parameter sweep of small adaptive integrals, quadmap
 * against the OpenMP + GSL loop a user would otherwise write.
 *
 *   I(p_i) = int_0^1 dx / (1 + 25 p_i x^2),  p_i = i / N,  i < N = 10^6
 *
 * (exact: atan(5 sqrt(p)) / (5 sqrt(p))), QAGS with GK21, epsabs 0,
 * epsrel 1e-10: GK21 needs one interval for small p, two or three towards
 * Runge's function at p = 1, so the cost is per-call overhead as much as
 * integrand evaluations.  Both sides use 2 threads:
 *
 *   quadmap  qm_map over the parameters on an OpenMP executor; each worker
 *            holds a qm_workspace (made in the init hook) and calls
 *            qm_integrate_adaptive on a serial executor shared read-only
 *            by all workers, with the batched integrand;
 *   GSL      #pragma omp parallel, one gsl_integration_workspace per
 *            thread, #pragma omp for over gsl_integration_qags
 *            (bench/bench_sweep_native.c, -O3 -march=native), with each
 *            of the schedules static, dynamic (chunks of 64) and guided;
 *            the baseline is its best (the cost grows with p, so static
 *            shares are uneven).
 *
 * Also timed: quadmap without a workspace (opts.workspace = NULL), to show
 * what the workspace saves.  Every I(p_i) from quadmap must agree with
 * GSL's within max(abserr_gsl, abserr_quadmap) (exit status 1 otherwise).
 *
 * Usage: bench/bench_sweep [N]   (default 1000000); best of 7 runs each.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "quadmap.h"
#include "quadmap_map.h"
#include "bench_sweep.h"

#define REPS 7
#define THREADS 2
#define EPSREL 1e-10

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef struct sweep_out {
    double value, abserr;
    size_t intervals;
    int status;
} sweep_out;

typedef struct sweep_ctx {
    const qm_exec *inner; /* serial, shared read-only by the workers */
    int use_workspace;
} sweep_ctx;

static int ws_init(int worker, void **state, void *data)
{
    (void)worker;
    (void)data;
    return qm_workspace_new((qm_workspace **)state) != QM_SUCCESS;
}

static void ws_fini(int worker, void *state, void *data)
{
    (void)worker;
    (void)data;
    qm_workspace_free(state);
}

static int sweep_task(qm_task *t, void *data)
{
    const sweep_ctx *c = data;
    const double *p = t->in;
    sweep_out *out = t->out;
    qm_adapt_opts o;
    memset(&o, 0, sizeof o);
    o.epsrel = EPSREL;
    o.method = QM_METHOD_QAGS;
    o.key = 21;
    o.workspace = c->use_workspace ? t->worker : NULL;
    for (size_t i = 0; i < t->n; i++) {
        qm_result r;
        out[i].status = qm_integrate_adaptive(c->inner, sweep_batch,
                                              (void *)&p[i], 0, 1, &o, &r);
        out[i].value = r.value;
        out[i].abserr = r.abserr;
        out[i].intervals = r.subregions;
    }
    return 0;
}

static double run_quadmap(const qm_exec *ex, const qm_exec *inner,
                          int use_workspace, const double *p, size_t n,
                          sweep_out *out)
{
    sweep_ctx c = {inner, use_workspace};
    qm_map_opts mo;
    memset(&mo, 0, sizeof mo);
    if (use_workspace) {
        mo.init = ws_init;
        mo.fini = ws_fini;
    }
    const double t0 = now();
    const int st = qm_map(ex, sweep_task, &c, p, sizeof *p, out, sizeof *out,
                          n, &mo, NULL);
    const double t = now() - t0;
    if (st != QM_SUCCESS) {
        fprintf(stderr, "bench_sweep: qm_map: %s\n", qm_strerror(st));
        exit(2);
    }
    return t;
}

static double exact(double p)
{
    if (p == 0)
        return 1;
    const double s = 5 * sqrt(p);
    return atan(s) / s;
}

int main(int argc, char **argv)
{
    const size_t n = argc > 1 ? (size_t)atof(argv[1]) : 1000000;
    if (n == 0) {
        fprintf(stderr, "usage: bench_sweep [N >= 1]\n");
        return 2;
    }
    gsl_set_error_handler_off();
    double *p = malloc(n * sizeof *p);
    double *gv = malloc(n * sizeof *gv), *ge = malloc(n * sizeof *ge);
    sweep_out *qo = malloc(n * sizeof *qo), *qn = malloc(n * sizeof *qn);
    if (!p || !gv || !ge || !qo || !qn) {
        fprintf(stderr, "bench_sweep: out of memory\n");
        return 2;
    }
    for (size_t i = 0; i < n; i++)
        p[i] = (double)i / (double)n;

    qm_exec *ex = NULL, *inner = NULL;
    if (qm_exec_new(&ex, QM_BACKEND_OPENMP) != QM_SUCCESS
        || qm_exec_set_threads(ex, THREADS) != QM_SUCCESS
        || qm_exec_new(&inner, QM_BACKEND_SERIAL) != QM_SUCCESS) {
        fprintf(stderr, "bench_sweep: OpenMP backend not available\n");
        return 77;
    }

    double t_gsl = 1e30, t_qm = 1e30, t_qm_nows = 1e30;
    double t_sched[SWEEP_SCHEDULES] = {1e30, 1e30, 1e30};
    long gsl_bad = 0;
    for (int rep = 0; rep < REPS; rep++) {
        double t;
        for (int sc = 0; sc < SWEEP_SCHEDULES; sc++) {
            const double t0 = now();
            gsl_bad += sweep_gsl(THREADS, sc, n, p, EPSREL, gv, ge);
            t = now() - t0;
            if (t < t_sched[sc])
                t_sched[sc] = t;
            if (t < t_gsl)
                t_gsl = t;
        }
        t = run_quadmap(ex, inner, 1, p, n, qo);
        if (t < t_qm)
            t_qm = t;
        t = run_quadmap(ex, inner, 0, p, n, qn);
        if (t < t_qm_nows)
            t_qm_nows = t;
    }

    /* agreement with GSL, bitwise agreement with and without a workspace */
    size_t disagree = 0, qm_bad = 0, ws_differs = 0, worst = 0;
    double max_rel = 0, max_err_exact = 0;
    size_t hist[5] = {0};
    for (size_t i = 0; i < n; i++) {
        const double tol = fmax(ge[i], qo[i].abserr);
        const double d = fabs(qo[i].value - gv[i]);
        if (qo[i].status != QM_SUCCESS)
            qm_bad++;
        if (!(d <= tol)) {
            if (disagree++ < 5)
                fprintf(stderr, "  p = %.17g: quadmap %.17g +- %.3g, GSL "
                        "%.17g +- %.3g\n", p[i], qo[i].value, qo[i].abserr,
                        gv[i], ge[i]);
        }
        const double rel = d / fabs(gv[i]);
        if (rel > max_rel) {
            max_rel = rel;
            worst = i;
        }
        const double ex_err = fabs(qo[i].value - exact(p[i])) / exact(p[i]);
        if (ex_err > max_err_exact)
            max_err_exact = ex_err;
        if (memcmp(&qo[i].value, &qn[i].value, sizeof(double))
            || memcmp(&qo[i].abserr, &qn[i].abserr, sizeof(double))
            || qo[i].intervals != qn[i].intervals)
            ws_differs++;
        hist[qo[i].intervals < 4 ? qo[i].intervals : 4]++;
    }

    printf("bench_sweep: %zu integrals int_0^1 dx / (1 + 25 p x^2), p = i/%zu, "
           "QAGS GK21, epsrel %g, %d threads, best of %d\n", n, n, EPSREL,
           THREADS, REPS);
    printf("  intervals per integral: 1: %zu, 2: %zu, 3: %zu, more: %zu\n",
           hist[1], hist[2], hist[3], hist[4]);
    printf("  %-46s %9s %12s\n", "variant", "time [s]", "integrals/s");
    printf("  %-46s %9.4f %12.3e\n",
           "GSL qags, omp parallel for (-O3 -march=native)", t_gsl,
           (double)n / t_gsl);
    printf("    (its best schedule; static %.4f, dynamic,64 %.4f, guided %.4f)\n",
           t_sched[0], t_sched[1], t_sched[2]);
    printf("  %-46s %9.4f %12.3e\n", "quadmap qm_map + qm_workspace per worker",
           t_qm, (double)n / t_qm);
    printf("  %-46s %9.4f %12.3e\n", "quadmap qm_map, no workspace", t_qm_nows,
           (double)n / t_qm_nows);
    printf("  per integral: GSL %.0f ns, quadmap %.0f ns (%.0f ns without a "
           "workspace), per thread\n", 1e9 * THREADS * t_gsl / (double)n,
           1e9 * THREADS * t_qm / (double)n, 1e9 * THREADS * t_qm_nows / (double)n);
    printf("  results: %zu of %zu outside max(abserr_gsl, abserr_quadmap) of "
           "GSL's; max |quadmap - GSL| / |GSL| = %.2e (p = %.6g); max relative "
           "error vs exact %.2e\n", disagree, n, max_rel, p[worst],
           max_err_exact);
    printf("  statuses: GSL %ld nonzero, quadmap %zu nonzero; with/without "
           "workspace bitwise equal: %s\n", gsl_bad, qm_bad,
           ws_differs ? "NO" : "yes");
    const double ratio = t_gsl / t_qm;
    printf("  speed vs GSL (GSL time / quadmap time): %5.2fx  target >= 1.00x  "
           "%s\n", ratio, ratio >= 1.0 ? "PASS" : "MISS");

    qm_exec_free(inner);
    qm_exec_free(ex);
    free(p); free(gv); free(ge); free(qo); free(qn);
    return (disagree || qm_bad || gsl_bad || ws_differs) ? 1 : 0;
}
