/**
 * @file expr.c
 * @brief An expression in x as a qm_batch_fn: quadmap's compiled
 *        expressions (default) or muparser (--engine muparser).
 *
 * The compiled engine (src/core/expr.h) needs no per-thread state: one
 * immutable expression is shared by every thread and evaluates a whole
 * batch per call.  The CLI's constants pi, e and inf are named constants
 * of the compilation (folded like literals).
 *
 * muparser path:
 * A muparser handle is not thread-safe (it evaluates on a stack it owns and
 * reads x from one variable), so each thread gets its own handle and its own
 * x, found by qm_worker_id() (the executor's worker number; -1 outside a
 * run, e.g. for the bounds, which uses slot 0).  The slots are cache-line aligned so that
 * threads writing their x do not share a line.
 *
 * Points are evaluated one at a time with mupEval: muparser's bulk mode
 * (mupEvalBulk) was measured slower here (57 vs 41 ns per point for
 * "sin(x)*exp(-x^2)+x^3", muparser 2.3.3), and Debian builds it with OpenMP,
 * so it would open nested parallel regions and change the calling thread's
 * omp_set_num_threads setting.
 */
#include "expr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <muParserDLL.h>

#include "quadmap.h"
#include "core/expr.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#ifndef M_E
#define M_E 2.7182818284590452354
#endif

#define CACHE_LINE 64

/* One thread's parser and its variables (x, or x1..xD). */
typedef struct slot {
    _Alignas(CACHE_LINE) double x[CLI_EXPR_MAX_DIM];
    muParserHandle_t parser;
} slot;

struct cli_expr {
    cli_engine engine;
    qm_expr *vm; /* CLI_ENGINE_VM */
    int nslots;
    int dim;     /* 1: the variable is x; D > 1: x1..xD */
    slot *slots; /* nslots, CACHE_LINE-aligned */
};

static int thread_index(void)
{
    const int w = qm_worker_id();
    return w > 0 ? w : 0;
}

/* One-line message for the parser's pending error.  mupGetErrorMsg and
 * mupGetErrorToken return the same static buffer, so copy at once. */
static void format_error(muParserHandle_t parser, const char *what,
                         const char *text, char *err, size_t errsize)
{
    char msg[256];
    snprintf(msg, sizeof msg, "%s", mupGetErrorMsg(parser));
    int pos = mupGetErrorPos(parser);
    size_t len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '.' || msg[len - 1] == ' '))
        msg[--len] = '\0';
    if (pos >= 0 && strstr(msg, "position") == NULL)
        snprintf(err, errsize, "invalid %s '%s': %s at position %d", what,
                 text, msg, pos);
    else
        snprintf(err, errsize, "invalid %s '%s': %s", what, text, msg);
}

/* A parser with the constants, the variables bound to x[0..dim) (x NULL:
 * none; dim 1: "x" and "x1"; else "x1".."xD"), and the text. */
static muParserHandle_t parser_new_dim(const char *text, double *x, int dim)
{
    muParserHandle_t parser = mupCreate(muBASETYPE_FLOAT);
    if (parser == NULL)
        return NULL;
    mupDefineConst(parser, "pi", M_PI);
    mupDefineConst(parser, "e", M_E);
    mupDefineConst(parser, "inf", INFINITY); /* infinite bounds */
    if (x != NULL) {
        if (dim == 1)
            mupDefineVar(parser, "x", x);
        for (int k = 0; k < dim; k++) {
            char name[8];
            snprintf(name, sizeof name, "x%d", k + 1);
            mupDefineVar(parser, name, &x[k]);
        }
    }
    mupSetExpr(parser, text);
    return parser;
}

static muParserHandle_t parser_new(const char *text, double *x)
{
    return parser_new_dim(text, x, 1);
}

/* Evaluate once; reports syntax errors and a comma list of several values. */
static int parser_check(muParserHandle_t parser, const char *what,
                        const char *text, char *err, size_t errsize)
{
    int nresults = 0;
    /* mupError also clears the flag, so read it once per evaluation. */
    (void)mupEval(parser);
    int failed = mupError(parser);
    if (!failed) {
        (void)mupEvalMulti(parser, &nresults);
        failed = mupError(parser);
    }
    if (failed) {
        format_error(parser, what, text, err, errsize);
        return -1;
    }
    if (nresults != 1) {
        snprintf(err, errsize, "invalid %s '%s': %d comma-separated values, "
                 "expected one", what, text, nresults);
        return -1;
    }
    return 0;
}

/* The text as shown in messages: long texts are cut (the message is one
 * line, and muparser's own buffers overflow on them). */
static void show_text(const char *text, char *buf, size_t size)
{
    if (strlen(text) > 80)
        snprintf(buf, size, "%.60s... (%zu characters)", text, strlen(text));
    else
        snprintf(buf, size, "%s", text);
}

/* The CLI's constants besides muparser's _pi and _e. */
static const char *const vm_const_names[] = {"pi", "e", "inf"};
static const double vm_const_values[] = {M_PI, M_E, INFINITY};

/* Compile for the VM with variables x (dim 1, also x1) or x1..xD (dim 0:
 * none); on failure fill err in the CLI's format. */
static int vm_compile(qm_expr **out, const char *text, int dim, const char *what,
                      char *err, size_t errsize)
{
    char names_buf[CLI_EXPR_MAX_DIM + 1][8];
    const char *names[CLI_EXPR_MAX_DIM + 1];
    int coord[CLI_EXPR_MAX_DIM + 1];
    int nvars = 0;
    if (dim == 1) {
        names[nvars] = "x";
        coord[nvars++] = 0;
    }
    for (int k = 0; k < dim; k++) {
        snprintf(names_buf[k], sizeof names_buf[k], "x%d", k + 1);
        names[nvars] = names_buf[k];
        coord[nvars++] = k;
    }
    qm_expr_error e;
    int st = qm__expr_compile_with(out, text, nvars, names, coord, 3, vm_const_names,
                                   vm_const_values, &e);
    if (st == QM_SUCCESS)
        return 0;
    char shown[128];
    show_text(text, shown, sizeof shown);
    if (st == QM_ENOMEM)
        snprintf(err, errsize, "out of memory");
    else if (e.position >= 0)
        snprintf(err, errsize, "invalid %s '%s': %s at position %d", what, shown,
                 e.message, e.position);
    else
        snprintf(err, errsize, "invalid %s '%s': %s", what, shown, e.message);
    return -1;
}

/* muparser 2.3.3 crashes on errors in long texts: refuse them up front. */
static int muparser_too_long(const char *text, const char *what, char *err, size_t errsize)
{
    size_t len = strlen(text);
    if (len <= CLI_EXPR_MUPARSER_MAX_TEXT)
        return 0;
    char shown[128];
    show_text(text, shown, sizeof shown);
    snprintf(err, errsize, "invalid %s '%s': too long for --engine muparser "
             "(at most %d characters; the default engine has no such limit)",
             what, shown, CLI_EXPR_MUPARSER_MAX_TEXT);
    return 1;
}

int cli_expr_new(cli_expr **out, const char *text, cli_engine engine,
                 int nthreads, double x0, char *err, size_t errsize)
{
    return cli_expr_new_dim(out, text, engine, 1, nthreads, &x0, err, errsize);
}

int cli_expr_new_dim(cli_expr **out, const char *text, cli_engine engine,
                     int dim, int nthreads, const double *x0, char *err,
                     size_t errsize)
{
    *out = NULL;
    if (dim < 1 || dim > CLI_EXPR_MAX_DIM) {
        snprintf(err, errsize, "invalid dimension %d (1 to %d)", dim,
                 CLI_EXPR_MAX_DIM);
        return -1;
    }
    if (engine == CLI_ENGINE_VM) {
        cli_expr *expr = calloc(1, sizeof *expr);
        if (expr == NULL) {
            snprintf(err, errsize, "out of memory");
            return -1;
        }
        expr->engine = CLI_ENGINE_VM;
        expr->dim = dim;
        if (vm_compile(&expr->vm, text, dim, "expression", err, errsize) != 0) {
            free(expr);
            return -1;
        }
        *out = expr;
        return 0;
    }
    if (muparser_too_long(text, "expression", err, errsize))
        return -1;
    if (nthreads < 1)
        nthreads = 1;
    cli_expr *expr = calloc(1, sizeof *expr);
    slot *slots = aligned_alloc(CACHE_LINE, (size_t)nthreads * sizeof *slots);
    if (expr == NULL || slots == NULL) {
        free(expr);
        free(slots);
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    memset(slots, 0, (size_t)nthreads * sizeof *slots);
    expr->engine = CLI_ENGINE_MUPARSER;
    expr->slots = slots;
    expr->dim = dim;
    for (int i = 0; i < nthreads; i++) {
        memcpy(slots[i].x, x0, (size_t)dim * sizeof *x0);
        slots[i].parser = parser_new_dim(text, slots[i].x, dim);
        if (slots[i].parser == NULL) {
            snprintf(err, errsize, "out of memory");
            cli_expr_free(expr);
            return -1;
        }
        expr->nslots = i + 1;
        /* Compile here, on one thread, rather than on first use. */
        if (parser_check(slots[i].parser, "expression", text, err, errsize)) {
            cli_expr_free(expr);
            return -1;
        }
    }
    *out = expr;
    return 0;
}

void cli_expr_free(cli_expr *expr)
{
    if (expr == NULL)
        return;
    qm__expr_free(expr->vm);
    for (int i = 0; i < expr->nslots; i++)
        mupRelease(expr->slots[i].parser);
    free(expr->slots);
    free(expr);
}

int cli_expr_batch(size_t n, const double *x, double *y, void *data)
{
    const cli_expr *expr = data;
    if (expr->engine == CLI_ENGINE_VM)
        return qm__expr_eval(expr->vm, n, x, 1, y) == QM_SUCCESS ? 0 : CLI_EXPR_EEVAL;
    int t = thread_index();
    if (t < 0 || t >= expr->nslots)
        return CLI_EXPR_ETHREAD;
    slot *s = &expr->slots[t];
    for (size_t i = 0; i < n; i++) {
        s->x[0] = x[i];
        y[i] = mupEval(s->parser);
    }
    return mupError(s->parser) ? CLI_EXPR_EEVAL : 0;
}

int cli_expr_vector(size_t npts, unsigned dim, const double *x, unsigned fdim,
                    double *fval, void *data)
{
    const cli_expr *expr = data;
    if ((int)dim != expr->dim || fdim != 1)
        return CLI_EXPR_EEVAL;
    if (expr->engine == CLI_ENGINE_VM)
        return qm__expr_eval(expr->vm, npts, x, dim, fval) == QM_SUCCESS ? 0 : CLI_EXPR_EEVAL;
    int t = thread_index();
    if (t < 0 || t >= expr->nslots)
        return CLI_EXPR_ETHREAD;
    slot *s = &expr->slots[t];
    for (size_t i = 0; i < npts; i++) {
        memcpy(s->x, x + i * dim, dim * sizeof *x);
        fval[i] = mupEval(s->parser);
    }
    return mupError(s->parser) ? CLI_EXPR_EEVAL : 0;
}

int cli_expr_constant(const char *text, const char *what, cli_engine engine,
                      double *value, char *err, size_t errsize)
{
    int rc;
    if (engine == CLI_ENGINE_VM) {
        qm_expr *e = NULL;
        rc = vm_compile(&e, text, 0, what, err, errsize);
        if (rc == 0 && !qm__expr_is_constant(e, value)) {
            snprintf(err, errsize, "invalid %s '%s': not a constant", what, text);
            rc = -1; /* unreachable: no variable is defined */
        }
        qm__expr_free(e);
    } else {
        if (muparser_too_long(text, what, err, errsize))
            return -1;
        muParserHandle_t parser = parser_new(text, NULL);
        if (parser == NULL) {
            snprintf(err, errsize, "out of memory");
            return -1;
        }
        rc = parser_check(parser, what, text, err, errsize);
        if (rc == 0)
            *value = mupEval(parser);
        mupRelease(parser);
    }
    if (rc == 0 && isnan(*value)) { /* +-inf are bounds of the adaptive rules */
        char shown[128];
        show_text(text, shown, sizeof shown);
        snprintf(err, errsize, "invalid %s '%s': not a number", what, shown);
        rc = -1;
    }
    return rc;
}
