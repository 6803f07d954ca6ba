/*
 * bench_expr: the compiled expression engine (src/core/expr.h) against
 * muparser (point by point, as the CLI's --engine muparser) and against the
 * same expression written in C and compiled -O3 -march=native (this file's
 * flags, see Makefile.am): what a user who writes a plugin gets.
 *
 * Each is timed on batches of 768 points (QM_BATCH, what the integration
 * rules hand an integrand), x in [0.1, 2.1), best of several repetitions.
 * Prints ns/point and the ratios: "vs muparser" = muparser time / engine
 * time (speed-up), "vs C" = C time / engine time (1 = as fast as compiled C).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <muParserDLL.h>

#include "quadmap.h"
#include "core/expr.h"

#define BATCH 768 /* QM_BATCH: what the rules pass per call */
#define TOTAL (BATCH * 20480) /* points per timing */

#include "bench_native.h"

typedef void (*cfn)(size_t n, const double *x, double *y);

/* The baselines (bench_native.c, compiled -O3 -march=native by an explicit
 * rule: per-target CFLAGS would be overridden by the project's -O2). */
static const struct {
    const char *text;
    cfn c;
} cases[] = {
    {"x*x*x-2*x+1", native_poly},
    {"1/(1+x^4)", native_rat},
    {"sqrt(1+x*x)", native_sqrt},
    {"log(1+x)", native_log},
    {"exp(-x^2)*cos(3*x)", native_gauss_cos},
    {"sin(x)^2+cos(x)^3", native_trig},
    {"tanh(x)+cosh(x/4)", native_hyp},
    {"x^2.5", native_pow},
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double sink;

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    if (reps < 1)
        reps = 1;
    static double x[BATCH], y[BATCH];
    for (int i = 0; i < BATCH; i++)
        x[i] = 0.1 + 2.0 * (i + 0.5) / BATCH;
    const char *const names[] = {"x"};
    const int coord[] = {0};
    printf("%-22s %10s %10s %10s %12s %8s\n", "expression", "vm ns/pt", "C ns/pt",
           "mup ns/pt", "vs muparser", "vs C");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        qm_expr *e = NULL;
        qm_expr_error err;
        if (qm__expr_compile(&e, cases[c].text, 1, names, coord, &err) != QM_SUCCESS) {
            fprintf(stderr, "bench_expr: '%s': %s\n", cases[c].text, err.message);
            return 1;
        }
        double best_vm = INFINITY, best_c = INFINITY, best_mup = INFINITY;
        for (int r = 0; r < reps; r++) {
            double t0 = now();
            for (int k = 0; k < TOTAL / BATCH; k++) {
                qm__expr_eval(e, BATCH, x, 1, y);
                sink += y[k % BATCH];
            }
            double t1 = now();
            for (int k = 0; k < TOTAL / BATCH; k++) {
                cases[c].c(BATCH, x, y);
                sink += y[k % BATCH];
            }
            double t2 = now();
            if (t1 - t0 < best_vm)
                best_vm = t1 - t0;
            if (t2 - t1 < best_c)
                best_c = t2 - t1;
        }
        /* muparser is ~100x slower: time a 16th of the points */
        double mx = 0;
        muParserHandle_t p = mupCreate(muBASETYPE_FLOAT);
        mupDefineVar(p, "x", &mx);
        mupSetExpr(p, cases[c].text);
        (void)mupEval(p);
        for (int r = 0; r < (reps < 3 ? reps : 3); r++) {
            double t0 = now();
            for (int k = 0; k < TOTAL / BATCH / 16; k++)
                for (int i = 0; i < BATCH; i++) {
                    mx = x[i];
                    y[i] = mupEval(p);
                }
            sink += y[0];
            double t = (now() - t0) * 16;
            if (t < best_mup)
                best_mup = t;
        }
        mupRelease(p);
        qm__expr_free(e);
        double ns_vm = 1e9 * best_vm / TOTAL, ns_c = 1e9 * best_c / TOTAL,
               ns_mup = 1e9 * best_mup / TOTAL;
        printf("%-22s %10.3f %10.3f %10.2f %11.1fx %7.2fx\n", cases[c].text, ns_vm, ns_c,
               ns_mup, ns_mup / ns_vm, ns_c / ns_vm);
    }
    if (sink == 42.0)
        printf("\n");
    return 0;
}
