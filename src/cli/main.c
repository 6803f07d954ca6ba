/**
 * @file main.c
 * @brief `integrate`: command-line front end of quadmap.
 *
 * The flow is flat: parse options -> bounds -> executor -> integrand -> run
 * -> reference and validation -> report.  Under MPI (parallel.h) every rank
 * runs the same flow; set-up codes are agreed before the collective run,
 * rank 0 alone writes, and the exit code is agreed at the end.
 */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quadmap.h"
#include "quadmap.h"

#include "expr.h"
#include "options.h"
#include "parallel.h"
#include "report.h"
#include "validate.h"

/** The function being integrated, whichever its source. */
typedef struct integrand {
    qm_batch_fn fn;
    void *data;
    const char *kind;           /* "builtin", "expression", "plugin" */
    const char *formula;        /* shown in the report */
    const qm_builtin *builtin;  /* when native */
    cli_expr *expr;             /* owned, when an expression */
    void *plugin;               /* dlopen handle, when a plugin */
    char *plugin_path;          /* owned */
} integrand;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Equal up to white space: "x ^ 2" is the builtin "x^2". */
static int same_formula(const char *s, const char *t)
{
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        while (*t == ' ' || *t == '\t')
            t++;
        if (*s != *t)
            return 0;
        if (*s == '\0')
            return 1;
        s++;
        t++;
    }
}

static const qm_builtin *builtin_with_formula(const char *text)
{
    size_t count = qm_builtin_count();
    for (size_t i = 0; i < count; i++) {
        const qm_builtin *bi = qm_builtin_at(i);
        if (bi != NULL && same_formula(text, bi->formula))
            return bi;
    }
    return NULL;
}

static void use_builtin(integrand *ig, const qm_builtin *bi)
{
    ig->fn = bi->fn;
    ig->data = NULL;
    ig->kind = "builtin";
    ig->formula = bi->formula;
    ig->builtin = bi;
}

/* Load FILE:SYMBOL; the split is at the last ':' so FILE may hold one. */
static int open_plugin(integrand *ig, const char *spec)
{
    const char *colon = strrchr(spec, ':');
    if (colon == NULL || colon == spec || colon[1] == '\0') {
        cli_usage_error("invalid --plugin '%s' (expected FILE:SYMBOL)", spec);
        return CLI_EXIT_USAGE;
    }
    size_t len = (size_t)(colon - spec);
    /* dlopen searches the library path for a bare name; users mean ./ */
    int local = memchr(spec, '/', len) == NULL;
    ig->plugin_path = malloc(len + 3);
    if (ig->plugin_path == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_FAILURE;
    }
    snprintf(ig->plugin_path, len + 3, "%s%.*s", local ? "./" : "", (int)len,
             spec);

    ig->plugin = dlopen(ig->plugin_path, RTLD_NOW | RTLD_LOCAL);
    if (ig->plugin == NULL) {
        cli_usage_error("cannot load plugin: %s", dlerror());
        return CLI_EXIT_USAGE;
    }
    dlerror();
    void *sym = dlsym(ig->plugin, colon + 1);
    const char *msg = dlerror();
    if (msg != NULL || sym == NULL) {
        cli_usage_error("cannot load plugin symbol '%s': %s", colon + 1,
                        msg != NULL ? msg : "symbol is NULL");
        return CLI_EXIT_USAGE;
    }
    /* POSIX guarantees a data pointer from dlsym converts to a function. */
    memcpy(&ig->fn, &sym, sizeof ig->fn);
    ig->data = NULL;
    ig->kind = "plugin";
    ig->formula = spec;
    return CLI_EXIT_OK;
}

/* Build the integrand from --builtin, --plugin or EXPR. */
static int open_integrand(integrand *ig, const cli_options *opt, int nthreads,
                          double a)
{
    memset(ig, 0, sizeof *ig);
    if (opt->builtin != NULL) {
        const qm_builtin *bi = qm_builtin_find(opt->builtin);
        if (bi == NULL) {
            char names[256] = "";
            size_t count = qm_builtin_count(), used = 0;
            for (size_t i = 0; i < count && used < sizeof names; i++) {
                const qm_builtin *b = qm_builtin_at(i);
                if (b != NULL)
                    used += (size_t)snprintf(names + used, sizeof names - used,
                                             "%s%s", i ? ", " : "", b->name);
            }
            cli_usage_error("unknown builtin '%s' (available: %s)",
                            opt->builtin, names);
            return CLI_EXIT_USAGE;
        }
        use_builtin(ig, bi);
        return CLI_EXIT_OK;
    }
    if (opt->plugin != NULL)
        return open_plugin(ig, opt->plugin);

    const char *text = opt->expr != NULL ? opt->expr : CLI_DEFAULT_EXPR;
    const qm_builtin *bi = builtin_with_formula(text);
    if (bi != NULL) {
        use_builtin(ig, bi);
        return CLI_EXIT_OK;
    }
    char err[512];
    if (cli_expr_new(&ig->expr, text, opt->engine, nthreads, a, err, sizeof err) != 0) {
        cli_usage_error("%s", err);
        return CLI_EXIT_USAGE;
    }
    ig->fn = cli_expr_batch;
    ig->data = ig->expr;
    ig->kind = "expression";
    ig->formula = text;
    return CLI_EXIT_OK;
}

static void close_integrand(integrand *ig)
{
    cli_expr_free(ig->expr);
    if (ig->plugin != NULL)
        dlclose(ig->plugin);
    free(ig->plugin_path);
    memset(ig, 0, sizeof *ig);
}

static int compare_doubles(const void *p, const void *q)
{
    double x = *(const double *)p, y = *(const double *)q;
    return (x > y) - (x < y);
}

/* Run opt->repeat times; the first run's result is kept, and every other
 * run must reproduce its bits (a different answer is a library bug). */
/* Breakpoints of the adaptive rules, parsed from "p1,p2,...". */
typedef struct breakpoints {
    double points[CLI_MAX_BREAKPOINTS];
    size_t n;
} breakpoints;

/* Parse opt->breakpoints; prints the usage error itself. */
static int parse_breakpoints(const char *text, cli_engine engine, breakpoints *bp)
{
    char item[256], err[512];
    bp->n = 0;
    while (text != NULL && *text != '\0') {
        const char *comma = strchr(text, ',');
        size_t len = comma ? (size_t)(comma - text) : strlen(text);
        if (len == 0 || len >= sizeof item || bp->n == CLI_MAX_BREAKPOINTS) {
            cli_usage_error("invalid --breakpoints (expected up to %d "
                            "comma-separated expressions)", CLI_MAX_BREAKPOINTS);
            return CLI_EXIT_USAGE;
        }
        memcpy(item, text, len);
        item[len] = '\0';
        if (cli_expr_constant(item, "breakpoint", engine, &bp->points[bp->n], err, sizeof err)) {
            cli_usage_error("%s", err);
            return CLI_EXIT_USAGE;
        }
        bp->n++;
        text = comma ? comma + 1 : NULL;
    }
    return CLI_EXIT_OK;
}

static int run(cli_par *par, const qm_exec *ex, const integrand *ig,
               const cli_options *opt, const breakpoints *bp, cli_report *r)
{
    double *times = malloc((size_t)opt->repeat * sizeof *times);
    if (times == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_FAILURE;
    }
    int runs = 0, rc = CLI_EXIT_OK;
    for (int k = 0; k < opt->repeat; k++) {
        qm_result res;
        cli_par_barrier(par);
        double t0 = now_seconds();
        int status;
        if (opt->fixed) {
            status = qm_integrate(ex, ig->fn, ig->data, r->a, r->b, r->n,
                                  &opt->rule, &res);
            r->subregions = r->n;
        } else {
            qm_adapt_opts ao;
            memset(&ao, 0, sizeof ao);
            ao.epsabs = opt->epsabs;
            ao.epsrel = opt->epsrel;
            ao.limit = (size_t)opt->limit;
            ao.key = opt->gk_key;
            ao.method = opt->method;
            ao.breakpoints = bp->points;
            ao.nbreakpoints = bp->n;
            status = qm_integrate_adaptive(ex, ig->fn, ig->data, r->a, r->b,
                                           &ao, &res);
            r->subregions = (int64_t)res.subregions;
        }
        times[runs++] = now_seconds() - t0;
        if (k == 0) {
            r->status = status;
            r->res = res;
            r->fail_rank = qm_exec_ranks(ex) > 1 ? res.fail_rank : -1;
        } else if (status != r->status ||
                   memcmp(&res.value, &r->res.value, sizeof res.value) != 0 ||
                   memcmp(&res.abserr, &r->res.abserr, sizeof res.abserr) != 0 ||
                   res.evaluations != r->res.evaluations) {
            cli_error("run %d of %d gave %.17g (status %d), run 1 gave %.17g "
                      "(status %d): results are not reproducible, a quadmap bug",
                      k + 1, opt->repeat, res.value, status, r->res.value,
                      r->status);
            rc = CLI_EXIT_FAILURE;
            break;
        }
        if (status != QM_SUCCESS)
            break;
    }
    qsort(times, (size_t)runs, sizeof *times, compare_doubles);
    r->repeat = runs;
    r->seconds = times[0];
    r->seconds_median = runs % 2 ? times[runs / 2]
                                 : 0.5 * (times[runs / 2 - 1] + times[runs / 2]);
    free(times);
    return rc;
}

/* Exact reference for builtins, else GSL qags; and --validate. */
static void reference_and_validation(const integrand *ig, const cli_options *opt,
                                     const breakpoints *bp, cli_report *r)
{
    static char kind[16];
    int have_gsl = 0;
    if (ig->builtin != NULL &&
        qm_builtin_integral(ig->builtin, r->a, r->b, &r->reference) == QM_SUCCESS) {
        r->reference_kind = "exact";
        r->reference_abserr = 0.0;
    } else {
        cli_gsl_reference(ig->fn, ig->data, r->a, r->b, bp->points, bp->n, &r->gsl);
        have_gsl = 1;
        snprintf(kind, sizeof kind, "gsl_%s", r->gsl.routine);
        r->reference_kind = kind;
        r->reference = r->gsl.value;
        r->reference_abserr = r->gsl.abserr;
        r->reference_status = r->gsl.status;
    }
    if (opt->validate) {
        if (!have_gsl)
            cli_gsl_reference(ig->fn, ig->data, r->a, r->b, bp->points, bp->n,
                              &r->gsl);
        r->validated = 1;
        r->agrees = cli_gsl_agrees(r->res.value, r->res.abserr, &r->gsl);
    }
}

/* Agree on a set-up code before anything collective; rank 0 explains a
 * failure that happened only elsewhere. */
static int agreed(cli_par *par, int rc)
{
    int who;
    int all = cli_par_agree(par, rc, &who);
    if (all != CLI_EXIT_OK && rc == CLI_EXIT_OK)
        cli_error("set-up failed on rank %d (exit status %d)", who, all);
    return all;
}

/* --rule cubature|mc|qmc with --dim D: an expression in x1..xD over a box. */
static int run_multi(cli_par *par, const qm_exec *ex, const cli_options *opt)
{
    const int dim = opt->dim;
    double lo[CLI_MAX_DIM], hi[CLI_MAX_DIM];
    char err[512];
    for (int k = 0; k < dim; k++)
        if (cli_expr_constant(opt->lo_text[k], "lower bound", opt->engine, &lo[k], err, sizeof err) ||
            cli_expr_constant(opt->hi_text[k], "upper bound", opt->engine, &hi[k], err, sizeof err)) {
            cli_usage_error("%s", err);
            return CLI_EXIT_USAGE;
        }
    for (int k = 0; k < dim; k++)
        if (!isfinite(lo[k]) || !isfinite(hi[k]) || lo[k] > hi[k]) {
            cli_usage_error("bounds of x%d must be finite with A%d <= B%d", k + 1,
                            k + 1, k + 1);
            return CLI_EXIT_USAGE;
        }
    if (opt->validate) {
        cli_usage_error("--validate compares one-dimensional integrals with GSL; "
                        "not with --rule %s", opt->method == QM_METHOD_GENZ_MALIK
                        ? "cubature" : opt->method == QM_METHOD_MC ? "mc" : "qmc");
        return CLI_EXIT_USAGE;
    }
    cli_expr *e = NULL;
    if (cli_expr_new_dim(&e, opt->expr, opt->engine, dim, qm_exec_threads(ex), lo, err,
                         sizeof err) != 0) {
        cli_usage_error("%s", err);
        return CLI_EXIT_USAGE;
    }

    cli_report r;
    memset(&r, 0, sizeof r);
    qm_cubature_opts co;
    memset(&co, 0, sizeof co);
    co.method = opt->method;
    co.epsabs = opt->epsabs;
    co.epsrel = opt->epsrel;
    co.norm = QM_NORM_INDIVIDUAL;
    co.max_eval = (uint64_t)(opt->n > 0 ? opt->n
                             : opt->method == QM_METHOD_GENZ_MALIK ? CLI_DEFAULT_MAX_EVAL
                                                                  : CLI_DEFAULT_SAMPLES);
    co.seed = opt->seed;

    r.expression = opt->expr;
    r.integrand = "expression";
    r.dim = dim;
    r.lo = lo;
    r.hi = hi;
    r.a = lo[0];
    r.b = hi[0];
    r.adaptive = 1;
    r.epsabs = opt->epsabs;
    r.epsrel = opt->epsrel;
    r.n = co.method == QM_METHOD_GENZ_MALIK ? 0 : (int64_t)co.max_eval;
    snprintf(r.rule, sizeof r.rule, "%s", co.method == QM_METHOD_GENZ_MALIK
             ? "cubature" : co.method == QM_METHOD_MC ? "mc" : "qmc");
    r.backend = cli_par_backend(par, ex);
    r.threads = qm_exec_threads(ex);
    r.ranks = par->size;
    r.schedule = qm_schedule_name(qm_exec_schedule(ex));
    r.chunk = qm_exec_chunk(ex);
    r.fail_rank = -1;

    int rc = CLI_EXIT_OK;
    double best = INFINITY;
    for (int k = 0; k < opt->repeat; k++) {
        double val = NAN, abserr = NAN;
        qm_result info;
        double t0 = now_seconds();
        cli_par_barrier(par);
        int st = qm_cubature(ex, cli_expr_vector, e, (unsigned)dim, lo, hi, 1,
                             &co, &val, &abserr, &info);
        double dt = now_seconds() - t0;
        if (dt < best)
            best = dt;
        if (k == 0) {
            r.status = st;
            r.res.value = val;
            r.res.abserr = abserr;
            r.res = info;
            r.fail_rank = qm_exec_ranks(ex) > 1 ? info.fail_rank : -1;
            r.subregions = (int64_t)info.subregions;
        } else if (st != r.status || memcmp(&val, &r.res.value, sizeof val) != 0) {
            cli_error("run %d of %d gave %.17g, run 1 gave %.17g: results are not "
                      "reproducible, a quadmap bug", k + 1, opt->repeat, val,
                      r.res.value);
            rc = CLI_EXIT_FAILURE;
            break;
        }
        r.repeat = k + 1;
        if (st != QM_SUCCESS)
            break;
    }
    r.seconds = r.seconds_median = best;
    cli_expr_free(e);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (r.status == QM_SUCCESS || opt->format != CLI_FORMAT_TEXT ||
        isfinite(r.res.value))
        cli_report_print(stdout, opt->format, opt->quiet, &r);
    if (r.status != QM_SUCCESS) {
        cli_report_failure(&r);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

static int cli_main(int argc, char **argv, cli_par *par)
{
    cli_options opt;
    switch (cli_parse_options(argc, argv, &opt)) {
    case CLI_PARSE_DONE:
        return CLI_EXIT_OK;
    case CLI_PARSE_ERROR:
        return CLI_EXIT_USAGE;
    default:
        break;
    }

    cli_report r;
    memset(&r, 0, sizeof r);
    char err[512];
    if (cli_expr_constant(opt.a_text, "lower bound", opt.engine, &r.a, err, sizeof err) ||
        cli_expr_constant(opt.b_text, "upper bound", opt.engine, &r.b, err, sizeof err)) {
        cli_usage_error("%s", err);
        return CLI_EXIT_USAGE;
    }
    if (opt.fixed && (isinf(r.a) || isinf(r.b))) {
        cli_usage_error("infinite bounds need --rule adaptive or tanh-sinh");
        return CLI_EXIT_USAGE;
    }
    if (isnan(r.a) || isnan(r.b)) {
        cli_usage_error("the bounds must be numbers");
        return CLI_EXIT_USAGE;
    }
    breakpoints bp;
    if (parse_breakpoints(opt.breakpoints, opt.engine, &bp) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    qm_exec *ex = NULL;
    int status = cli_par_exec_new(par, opt.serial ? QM_BACKEND_SERIAL
                                                  : QM_BACKEND_DEFAULT, &ex);
    if (status != QM_SUCCESS) {
        cli_error("cannot create the executor: %s (status %d)",
                  qm_strerror(status), status);
        return CLI_EXIT_FAILURE;
    }
    if (opt.threads > 0 && qm_exec_set_threads(ex, opt.threads) != QM_SUCCESS) {
        cli_usage_error("the %s backend cannot use %d threads",
                        qm_backend_name(qm_exec_backend(ex)), opt.threads);
        qm_exec_free(ex);
        return CLI_EXIT_USAGE;
    }
    if (opt.schedule_given &&
        qm_exec_set_schedule(ex, opt.schedule, opt.chunk) != QM_SUCCESS) {
        cli_usage_error("invalid schedule %s with chunk %lld",
                        qm_schedule_name(opt.schedule), (long long)opt.chunk);
        qm_exec_free(ex);
        return CLI_EXIT_USAGE;
    }
    if (opt.info) {
        cli_par_info(par, ex, stdout);
        qm_exec_free(ex);
        return CLI_EXIT_OK;
    }
    if (CLI_METHOD_IS_MULTI(opt.method)) {
        int mrc = run_multi(par, ex, &opt);
        qm_exec_free(ex);
        return mrc;
    }

    integrand ig;
    int rc = agreed(par, open_integrand(&ig, &opt, qm_exec_threads(ex), r.a));
    if (rc != CLI_EXIT_OK) {
        close_integrand(&ig);
        qm_exec_free(ex);
        return rc;
    }

    r.expression = ig.formula;
    r.integrand = ig.kind;
    r.builtin = ig.builtin != NULL ? ig.builtin->name : NULL;
    r.n = opt.n > 0 ? opt.n
                    : ig.builtin != NULL ? CLI_DEFAULT_N_BUILTIN : CLI_DEFAULT_N_OTHER;
    qm_rule_name(&opt.rule, r.rule, sizeof r.rule);
    if (!opt.fixed) {
        r.adaptive = 1;
        r.n = 0;
        r.epsabs = opt.epsabs;
        r.epsrel = opt.epsrel;
        if (opt.method == QM_METHOD_TANH_SINH)
            snprintf(r.rule, sizeof r.rule, "tanh-sinh");
        else
            snprintf(r.rule, sizeof r.rule, "adaptive:gk%d",
                     opt.gk_key ? opt.gk_key : 21);
    }
    r.backend = cli_par_backend(par, ex);
    r.threads = qm_exec_threads(ex);
    r.ranks = par->size;
    r.fail_rank = -1;
    r.schedule = qm_schedule_name(qm_exec_schedule(ex));
    r.chunk = qm_exec_chunk(ex);

    rc = run(par, ex, &ig, &opt, &bp, &r);
    /* the reference (GSL) and the report are rank 0's job */
    if (rc == CLI_EXIT_OK && r.status == QM_SUCCESS && par->rank == 0)
        reference_and_validation(&ig, &opt, &bp, &r);

    if (rc == CLI_EXIT_OK) {
        /* Text mode shows failures only as the diagnostic line. */
        /* an adaptive method that stopped short still has a best estimate */
        if (r.status == QM_SUCCESS || opt.format != CLI_FORMAT_TEXT ||
            (r.adaptive && isfinite(r.res.value)))
            cli_report_print(stdout, opt.format, opt.quiet, &r);
        if (r.status != QM_SUCCESS) {
            cli_report_failure(&r);
            rc = CLI_EXIT_FAILURE;
        } else if (r.validated && !r.agrees) {
            cli_error("result %.17g disagrees with GSL qags %.17g: |difference| "
                      "%.2e exceeds the error estimates %.2e + %.2e",
                      r.res.value, r.gsl.value, fabs(r.res.value - r.gsl.value),
                      r.res.abserr, r.gsl.abserr);
            rc = CLI_EXIT_DISAGREE;
        }
    }

    close_integrand(&ig);
    qm_exec_free(ex);
    return rc;
}

int main(int argc, char **argv)
{
    cli_par par;
    int rc = cli_par_init(&par, &argc, &argv);
    if (rc == CLI_EXIT_OK)
        rc = cli_main(argc, argv, &par);
    /* every path (report, cubature/mc/qmc, --info, --help, --list-builtins):
     * output that did not reach its destination is a failure */
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == CLI_EXIT_OK) {
        cli_error("write error on standard output");
        rc = CLI_EXIT_FAILURE;
    }
    return cli_par_finalize(&par, rc);
}
