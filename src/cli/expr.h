/**
 * @file expr.h
 * @brief Expressions in x (or x1..xD) as quadmap batched integrands.
 *
 * Two engines: the library's compiled expressions (src/core/expr.h, the
 * default: one immutable compiled expression shared by all threads,
 * evaluated a batch at a time) and muparser (one parser per thread, point by
 * point; kept as the reference and for benchmarks, --engine muparser).
 */
#ifndef QM_CLI_EXPR_H
#define QM_CLI_EXPR_H

#include <stddef.h>

/** Integrand status of ::cli_expr_batch when called from a thread index at or
 *  beyond the number of parsers created (the executor has more threads than
 *  it reported): never expected. */
#define CLI_EXPR_ETHREAD (-1)
/** Integrand status of ::cli_expr_batch when muparser reported an error. */
#define CLI_EXPR_EEVAL (-2)

/** Expression engines (--engine). */
typedef enum cli_engine {
    CLI_ENGINE_VM = 0,      /**< quadmap's compiled expressions (default) */
    CLI_ENGINE_MUPARSER = 1 /**< muparser, one parser per thread */
} cli_engine;

/** Longest text given to muparser: 2.3.3 copies the expression into
 *  fixed-size message buffers and crashes on errors in texts of ~2500
 *  characters, so longer ones are refused up front. */
#define CLI_EXPR_MUPARSER_MAX_TEXT 2000

/** Most variables x1..xD of a multi-dimensional expression. */
#define CLI_EXPR_MAX_DIM 16

/** A compiled expression in x (engine-specific). */
typedef struct cli_expr cli_expr;

/**
 * @brief Compile @p text as a function of x for up to @p nthreads threads.
 *
 * The engine compiles the text once (::CLI_ENGINE_VM) or creates one parser
 * per thread and evaluates each once at @p x0 on the calling thread
 * (::CLI_ENGINE_MUPARSER), so syntax errors are reported before any
 * parallel use.  The constants pi, e and inf are defined besides muparser's
 * _pi and _e.
 * @param out      receives the expression (free with ::cli_expr_free)
 * @param text     the expression, e.g. "sin(x)*exp(-x^2)"
 * @param engine   ::CLI_ENGINE_VM or ::CLI_ENGINE_MUPARSER
 * @param nthreads muparser only: number of threads that will call
 *                 ::cli_expr_batch (>= 1); thread i uses the parser
 *                 omp_get_thread_num() == i
 * @param x0       where to evaluate it once
 * @param err      on failure, one line such as
 *                 "invalid expression 'sin(x': missing \")\" at position 6"
 * @param errsize  size of @p err
 * @return 0, or -1 with @p err filled.
 */
int cli_expr_new(cli_expr **out, const char *text, cli_engine engine,
                 int nthreads, double x0,
                 char *err, size_t errsize);

/**
 * @brief Like ::cli_expr_new for a function of x1..xD (D = @p dim; with
 *        D = 1 both x and x1 name the variable), evaluated once at x0[0..D).
 */
int cli_expr_new_dim(cli_expr **out, const char *text, cli_engine engine,
                     int dim, int nthreads,
                     const double *x0, char *err, size_t errsize);

/**
 * @brief qm_vector_fn (quadmap_adapt.h) evaluating a ::cli_expr_new_dim
 *        expression at npts points of dim coordinates (fdim must be 1).
 */
int cli_expr_vector(size_t npts, unsigned dim, const double *x, unsigned fdim,
                    double *fval, void *expr);

/** @brief Free an expression (NULL is allowed). */
void cli_expr_free(cli_expr *expr);

/**
 * @brief qm_batch_fn evaluating a ::cli_expr (passed as data).
 *
 * Thread-safe: the compiled expression is read-only; with muparser each
 * OpenMP thread uses its own parser.
 * @return 0, ::CLI_EXPR_ETHREAD or ::CLI_EXPR_EEVAL.
 */
int cli_expr_batch(size_t n, const double *x, double *y, void *expr);

/**
 * @brief Evaluate a constant expression such as "pi/2", "-1e3" or "inf"
 *        (NaN is rejected; infinities are accepted).
 * @param text    the expression (x is not defined)
 * @param what    what it is, for the message ("lower bound")
 * @param engine  ::CLI_ENGINE_VM or ::CLI_ENGINE_MUPARSER
 * @param value   its value
 * @param err     on failure, one line "invalid lower bound 'foo': ..."
 * @param errsize size of @p err
 * @return 0, or -1 with @p err filled.
 */
int cli_expr_constant(const char *text, const char *what, cli_engine engine,
                      double *value,
                      char *err, size_t errsize);

#endif /* QM_CLI_EXPR_H */
