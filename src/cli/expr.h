/**
 * @file expr.h
 * @brief muparser expressions in x as quadmap batched integrands.
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

/** Most variables x1..xD of a multi-dimensional expression. */
#define CLI_EXPR_MAX_DIM 16

/** A compiled expression in x, one muparser handle per thread. */
typedef struct cli_expr cli_expr;

/**
 * @brief Compile @p text as a function of x for up to @p nthreads threads.
 *
 * Every parser is evaluated once at @p x0 (on the calling thread), which
 * reports syntax errors and compiles the bytecode before any parallel use.
 * The constants pi and e are defined besides muparser's _pi and _e.
 * @param out      receives the expression (free with ::cli_expr_free)
 * @param text     the expression, e.g. "sin(x)*exp(-x^2)"
 * @param nthreads number of threads that will call ::cli_expr_batch (>= 1);
 *                 thread i uses the parser omp_get_thread_num() == i
 * @param x0       where to evaluate it once
 * @param err      on failure, one line such as
 *                 "invalid expression 'sin(x': Missing parenthesis at position 6"
 * @param errsize  size of @p err
 * @return 0, or -1 with @p err filled.
 */
int cli_expr_new(cli_expr **out, const char *text, int nthreads, double x0,
                 char *err, size_t errsize);

/**
 * @brief Like ::cli_expr_new for a function of x1..xD (D = @p dim; with
 *        D = 1 both x and x1 name the variable), evaluated once at x0[0..D).
 */
int cli_expr_new_dim(cli_expr **out, const char *text, int dim, int nthreads,
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
 * Thread-safe: each OpenMP thread uses its own parser.
 * @return 0, ::CLI_EXPR_ETHREAD or ::CLI_EXPR_EEVAL.
 */
int cli_expr_batch(size_t n, const double *x, double *y, void *expr);

/**
 * @brief Evaluate a constant expression such as "pi/2", "-1e3" or "inf"
 *        (NaN is rejected; infinities are accepted).
 * @param text    the expression (x is not defined)
 * @param what    what it is, for the message ("lower bound")
 * @param value   its value
 * @param err     on failure, one line "invalid lower bound 'foo': ..."
 * @param errsize size of @p err
 * @return 0, or -1 with @p err filled.
 */
int cli_expr_constant(const char *text, const char *what, double *value,
                      char *err, size_t errsize);

#endif /* QM_CLI_EXPR_H */
