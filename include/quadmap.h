/**
 * @file quadmap.h
 * @brief quadmap: reproducible parallel numerical integration (core API).
 *
 * The library evaluates composite quadrature rules on [a, b] with a serial or
 * an OpenMP executor.  Work is cut into blocks whose boundaries depend only on
 * the problem (N, rule), never on the number of workers, and block partials
 * are combined with an exact (fixed-point "superaccumulator") summation.  The
 * result is therefore bitwise identical for any thread count, schedule and
 * chunk size.
 *
 * Every function returns an int status (::QM_SUCCESS == 0) and never prints,
 * aborts or exits.  There is no global mutable state: all calls are reentrant
 * and may be made concurrently from several threads on distinct handles (an
 * executor may also be shared by threads that only read it).
 */
#ifndef QUADMAP_H
#define QUADMAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Package version string, e.g. "0.1.0". */
#define QM_VERSION_STRING "0.1.0"

/**
 * @brief Status codes.
 *
 * Numerical failures reuse GSL's numbers and meanings (gsl_errno.h) so that
 * results can be compared with GSL directly.  Codes of 100 and above are
 * specific to quadmap.
 */
enum qm_status {
    QM_SUCCESS   = 0,   /**< success */
    QM_EINVAL    = 4,   /**< invalid argument: NULL pointer, N = 0, non-finite bound, bad option (GSL_EINVAL) */
    QM_ENOMEM    = 8,   /**< memory allocation failed (GSL_ENOMEM) */
    QM_EMAXITER  = 11,  /**< maximum number of subdivisions reached (GSL_EMAXITER) */
    QM_EOVRFLW   = 16,  /**< the sum overflowed although every integrand value was finite (GSL_EOVRFLW) */
    QM_EROUND    = 18,  /**< roundoff error prevents reaching the tolerance (GSL_EROUND) */
    QM_ESING     = 21,  /**< bad integrand behaviour / singularity (GSL_ESING) */
    QM_EDIVERGE  = 22,  /**< integral divergent or slowly convergent (GSL_EDIVERGE) */
    QM_ENONFINITE = 100, /**< the integrand returned NaN or +-Inf; see qm_result::fail_x */
    QM_EUSER     = 101, /**< the integrand returned a nonzero status; see qm_result::user_status */
    QM_ENOTSUP   = 102, /**< feature not compiled in (e.g. OpenMP backend built with --disable-openmp) */
    QM_ECANCELED = 103, /**< the work was cancelled (::qm_future_cancel) */
    QM_EMAPFN    = 104  /**< a map function returned nonzero; see qm_map_result */
};

/**
 * @brief Human-readable message for a status code.
 * @param status a value of ::qm_status (unknown values give "unknown error").
 * @return a static, constant string; never NULL.
 */
const char *qm_strerror(int status);

/* ------------------------------------------------------------------------ */
/** @name Integrands */
/**@{*/

/**
 * @brief Batched integrand: y[i] = f(x[i]) for i in [0, n).
 *
 * Called concurrently from several threads with disjoint x/y arrays (at most
 * a few thousand points per call); it must be thread-safe with respect to
 * @p data.  Return 0 on success; any nonzero value stops the run and the
 * integration returns ::QM_EUSER with the value in qm_result::user_status.
 * @param n    number of points (>= 1)
 * @param x    abscissae (read only)
 * @param y    output values (write only)
 * @param data user pointer passed through unchanged
 * @return 0 on success, nonzero user error code otherwise.
 */
typedef int (*qm_batch_fn)(size_t n, const double *x, double *y, void *data);

/** @brief Scalar integrand: returns f(x). */
typedef double (*qm_scalar_fn)(double x, void *data);

/**
 * @brief Adapter turning a scalar integrand into a batched one.
 *
 * Fill in @c fn and @c data and pass ::qm_scalar_batch as the integrand with
 * a pointer to this struct as its data.  ::qm_integrate_scalar does exactly
 * that, so scalar and batched integrands share one code path.
 */
typedef struct qm_scalar_adapter {
    qm_scalar_fn fn; /**< the scalar function */
    void *data;      /**< its user data */
} qm_scalar_adapter;

/**
 * @brief Batched trampoline for a ::qm_scalar_adapter (pass as qm_batch_fn).
 * @param n       number of points
 * @param x       abscissae
 * @param y       output values
 * @param adapter a `qm_scalar_adapter *`
 * @return always 0 (NaN/Inf values are detected by the caller).
 */
int qm_scalar_batch(size_t n, const double *x, double *y, void *adapter);

/**
 * @brief Built-in native integrand (vectorizable, batched).
 *
 * Selected by name (::qm_builtin_find).  @c formula is the same function in
 * muparser syntax; @c fn ignores its data pointer.
 */
typedef struct qm_builtin {
    const char *name;        /**< short name, e.g. "x2" */
    const char *formula;     /**< the function in muparser syntax, e.g. "x^2" */
    qm_batch_fn fn;          /**< batched implementation (data unused, may be NULL) */
    /** Exact antiderivative F with F' = f (used for exact reference values). */
    double (*antiderivative)(double x);
} qm_builtin;

/**
 * @brief Look up a built-in integrand by name.
 * @param name e.g. "x2", "poly", "sin", "cos", "exp", "runge", "gauss", "sqrt"
 * @return the descriptor, or NULL when no built-in has that name.
 */
const qm_builtin *qm_builtin_find(const char *name);

/** @brief Number of built-in integrands. */
size_t qm_builtin_count(void);

/**
 * @brief The i-th built-in integrand (0 <= i < qm_builtin_count()).
 * @return the descriptor, or NULL when @p i is out of range.
 */
const qm_builtin *qm_builtin_at(size_t i);

/**
 * @brief Exact integral of a built-in over [a, b], F(b) - F(a).
 * @param bi  built-in descriptor
 * @param a   lower bound
 * @param b   upper bound
 * @param out exact value
 * @return ::QM_SUCCESS, or ::QM_EINVAL for NULL arguments, non-finite bounds or
 *         bounds outside the function's domain (e.g. sqrt on negative x).
 */
int qm_builtin_integral(const qm_builtin *bi, double a, double b, double *out);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Executors */
/**@{*/

/** @brief Who evaluates the blocks. */
typedef enum qm_backend {
    QM_BACKEND_DEFAULT = 0, /**< OpenMP when compiled in, else serial */
    QM_BACKEND_SERIAL  = 1, /**< the calling thread only */
    QM_BACKEND_OPENMP  = 2  /**< an OpenMP parallel region per call */
} qm_backend;

/** @brief How blocks are handed to threads (OpenMP loop schedule). */
typedef enum qm_schedule {
    QM_SCHEDULE_STATIC  = 0, /**< contiguous shares */
    QM_SCHEDULE_DYNAMIC = 1, /**< first come, first served, @c chunk blocks at a time */
    QM_SCHEDULE_GUIDED  = 2, /**< decreasing chunks, at least @c chunk blocks */
    /** the default: static for integration (uniform cost per block), a
     *  load-balancing schedule for the map kernels (uneven costs):
     *  factoring, i.e. grabs of ceil(remaining chunks / (2 threads))
     *  chunks, shrinking to one chunk at the end */
    QM_SCHEDULE_AUTO    = 3
} qm_schedule;

/** @brief Opaque executor handle. */
typedef struct qm_exec qm_exec;

/**
 * @brief Create an executor.
 *
 * The thread count defaults to OpenMP's default (OMP_NUM_THREADS when set,
 * else all cores) for the OpenMP backend and to 1 for the serial backend.
 * @param out     receives the new handle (free with ::qm_exec_free)
 * @param backend ::qm_backend
 * @return ::QM_SUCCESS, ::QM_EINVAL (NULL out, unknown backend),
 *         ::QM_ENOTSUP (OpenMP requested but not compiled in), ::QM_ENOMEM.
 */
int qm_exec_new(qm_exec **out, qm_backend backend);

/** @brief Free an executor (NULL is allowed). */
void qm_exec_free(qm_exec *ex);

/**
 * @brief Set the number of threads.
 * @param ex       executor
 * @param nthreads >= 1, or 0 for the default; the serial backend accepts 0 or 1
 * @return ::QM_SUCCESS or ::QM_EINVAL.
 */
int qm_exec_set_threads(qm_exec *ex, int nthreads);

/**
 * @brief Set the loop schedule and chunk size (in blocks).
 * @param ex       executor
 * @param schedule ::qm_schedule
 * @param chunk    blocks per chunk, >= 1, or 0 for the OpenMP default
 * @return ::QM_SUCCESS or ::QM_EINVAL.  Never changes the result's bits.
 */
int qm_exec_set_schedule(qm_exec *ex, qm_schedule schedule, int64_t chunk);

/** @brief The executor's backend (never ::QM_BACKEND_DEFAULT). */
qm_backend qm_exec_backend(const qm_exec *ex);
/** @brief Number of threads the executor uses. */
int qm_exec_threads(const qm_exec *ex);
/** @brief The executor's schedule. */
qm_schedule qm_exec_schedule(const qm_exec *ex);
/** @brief The executor's chunk size (0 = default). */
int64_t qm_exec_chunk(const qm_exec *ex);

/** @brief Nonzero when @p backend is compiled into this library. */
int qm_backend_available(qm_backend backend);
/** @brief Name of a backend: "serial", "openmp" or "default". */
const char *qm_backend_name(qm_backend backend);

/**
 * @brief The vector instruction set of this process's kernels: "scalar",
 *        "sse2", "avx2" or "avx512".
 *
 * It is the best level the CPU supports, or the level named by the
 * environment variable QUADMAP_ISA (scalar|sse2|avx2|avx512) when the CPU
 * supports it; chosen once per process.  Results are bitwise identical on
 * every level (SLEEF's deterministic vector math, no FMA contraction); only
 * the speed differs.  Thread-safe.
 * @return a static string.
 */
const char *qm_vector_isa(void);
/** @brief Name of a schedule: "static", "dynamic", "guided" or "auto". */
const char *qm_schedule_name(qm_schedule schedule);
/**
 * @brief Parse a schedule name ("static", "dynamic", "guided", "auto").
 * @return ::QM_SUCCESS or ::QM_EINVAL.
 */
int qm_schedule_parse(const char *name, qm_schedule *out);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Fixed composite rules */
/**@{*/

/** @brief Composite rule kinds. */
typedef enum qm_rule_kind {
    QM_RULE_LEFT      = 0, /**< left Riemann sum, h * sum f(a + i h), i < N; order 1 */
    QM_RULE_MIDPOINT  = 1, /**< midpoint, h * sum f(a + (i+1/2) h); order 2 */
    QM_RULE_TRAPEZOID = 2, /**< trapezoid on N panels (N+1 points); order 2 */
    QM_RULE_SIMPSON   = 3, /**< Simpson on N panels (2N+1 points); order 4 */
    QM_RULE_GAUSS     = 4  /**< Gauss-Legendre, k points per panel (k*N points); order 2k */
} qm_rule_kind;

/** Largest number of Gauss-Legendre points per panel. */
#define QM_GAUSS_MAX_POINTS 64
/** Default number of Gauss-Legendre points per panel ("gauss" without ":k"). */
#define QM_GAUSS_DEFAULT_POINTS 5

/** @brief A rule: kind plus, for Gauss-Legendre, the points per panel. */
typedef struct qm_rule {
    qm_rule_kind kind; /**< which rule */
    int points;        /**< Gauss-Legendre points per panel (1..QM_GAUSS_MAX_POINTS); ignored otherwise */
} qm_rule;

/**
 * @brief Parse "left", "midpoint", "trapezoid", "simpson", "gauss" or "gauss:k".
 * @return ::QM_SUCCESS or ::QM_EINVAL.
 */
int qm_rule_parse(const char *text, qm_rule *out);

/**
 * @brief Canonical name of a rule ("midpoint", "gauss:7", ...).
 * @param rule the rule
 * @param buf  output buffer
 * @param size its size in bytes (16 is always enough)
 * @return ::QM_SUCCESS or ::QM_EINVAL (invalid rule, NULL buffer, too small).
 */
int qm_rule_name(const qm_rule *rule, char *buf, size_t size);

/**
 * @brief Number of integrand evaluations the rule makes for N panels,
 *        error estimate included (see ::qm_integrate).
 * @return the count, or -1 for an invalid rule or N.
 */
int64_t qm_rule_evaluations(const qm_rule *rule, int64_t n);

/** @brief Result of an integration. */
typedef struct qm_result {
    double value;        /**< the integral estimate */
    double abserr;       /**< estimate of |value - exact| (see ::qm_integrate) */
    int64_t evaluations; /**< number of integrand evaluations */
    double fail_x;       /**< abscissa where the integrand failed (NaN when it did not) */
    int user_status;     /**< the integrand's nonzero return value with ::QM_EUSER, else 0 */
} qm_result;

/**
 * @brief Integrate f over [a, b] with a composite rule on N panels.
 *
 * The error estimate is obtained by Richardson comparison with a coarser rule
 * of the same kind on the same interval: 2 |Q_N - Q_coarse| / (r^p - 1) (the
 * asymptotic estimate with a safety factor of 2), where
 * p is the rule's order and Q_coarse uses panels r times wider (r = 3 for the
 * midpoint rule, 2 otherwise) on the first r*floor(N/r) panels and the fine
 * panels on the rest.  For left, midpoint, trapezoid and Simpson the coarse
 * rule's nodes are a subset of the fine rule's, so the estimate is free; for
 * Gauss-Legendre the coarse rule costs k*floor(N/2) extra evaluations.  With
 * fewer than 2r panels no coarse rule exists and abserr is |value|.  A
 * roundoff term of 50 * DBL_EPSILON * |value| is added.
 *
 * Reproducibility: the result is bitwise identical for any executor (thread
 * count, schedule, chunk size).  With a > b the result is the negated
 * integral over [b, a]; with a == b it is 0 (no evaluation).
 *
 * Failures: when the integrand returns NaN or +-Inf the status is
 * ::QM_ENONFINITE and res->fail_x is the lowest-indexed offending abscissa;
 * when it returns nonzero the status is ::QM_EUSER, res->user_status holds
 * the value and res->fail_x the first abscissa of the failing batch.  The
 * failure reported is always the one in the lowest block, whatever the
 * thread count.  On failure res->value is NaN.
 *
 * @param ex   executor (NULL is ::QM_EINVAL)
 * @param f    batched integrand
 * @param data passed to @p f
 * @param a    lower bound (finite)
 * @param b    upper bound (finite)
 * @param n    number of panels N, 1 <= N <= 2^53 (1e12 is fine)
 * @param rule the rule
 * @param res  receives the result (always written when non-NULL)
 * @return ::QM_SUCCESS, ::QM_EINVAL, ::QM_ENOMEM, ::QM_ENONFINITE,
 *         ::QM_EUSER or ::QM_EOVRFLW.
 */
int qm_integrate(const qm_exec *ex, qm_batch_fn f, void *data,
                 double a, double b, int64_t n, const qm_rule *rule,
                 qm_result *res);

/**
 * @brief ::qm_integrate for a scalar integrand (through ::qm_scalar_batch).
 * @see qm_integrate
 */
int qm_integrate_scalar(const qm_exec *ex, qm_scalar_fn f, void *data,
                        double a, double b, int64_t n, const qm_rule *rule,
                        qm_result *res);

/**
 * @brief Gauss-Legendre nodes and weights on [-1, 1].
 *
 * Computed by Newton's method on the three-term recurrence in extended
 * precision, so every node and weight is accurate to full double precision.
 * Nodes are in increasing order.
 * @param k       number of points, 1 <= k <= ::QM_GAUSS_MAX_POINTS
 * @param nodes   array of k doubles
 * @param weights array of k doubles
 * @return ::QM_SUCCESS or ::QM_EINVAL.
 */
int qm_gauss_legendre(int k, double *nodes, double *weights);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Map kernels: map, map-reduce, for, on the same executors
 *
 * The classic process/thread-pool toolbox (Python's Pool.map with a
 * chunksize, map-reduce, initializers) in C.  Work over elements [0, n) is
 * handed out in chunks of ::qm_map_opts::chunk elements following the
 * executor's schedule (::qm_exec_set_schedule; its chunk argument is ignored
 * here).  Results are written in input order; reductions are bitwise
 * identical for any worker count, schedule and chunk size.
 */
/**@{*/

/**
 * @brief One call of a map function: elements [first, first + n).
 *
 * @c in and @c out point at element @c first of the input and output arrays
 * (NULL when the kernel has none: ::qm_for has neither, the reduce kernels
 * give @c out as a scratch array of value_size elements).  On failure the
 * function may set @c failed to the offset (0 .. n-1) of the failing
 * element; it stays 0 otherwise.
 */
typedef struct qm_task {
    size_t first;     /**< global index of the first element */
    size_t n;         /**< number of elements in this call (>= 1) */
    const void *in;   /**< input element @c first, or NULL */
    void *out;        /**< output element @c first, or NULL */
    void *worker;     /**< this worker's state from qm_map_opts::init, or NULL */
    int worker_id;    /**< 0 .. workers - 1 (OpenMP thread number) */
    size_t failed;    /**< out: offset of the failing element (default 0) */
} qm_task;

/**
 * @brief Map function: process the elements of @p t.
 * Called concurrently by several workers with disjoint tasks.
 * @return 0 on success; nonzero stops the remaining work (see ::qm_map).
 */
typedef int (*qm_map_fn)(qm_task *t, void *data);

/** @brief Per-worker initializer: returns the worker's state in *state
 *  (0 on success, nonzero aborts the kernel with ::QM_EMAPFN).
 *  Every worker of the team (at most min(threads, number of chunks)) calls
 *  it before any chunk runs.  When one fails no chunk runs at all,
 *  qm_map_result::fail_index is SIZE_MAX and qm_map_result::user_status is
 *  the nonzero return of the lowest-numbered failing worker; the workers
 *  whose init succeeded still get their fini. */
typedef int (*qm_worker_init)(int worker_id, void **state, void *data);
/** @brief Per-worker finalizer, called once per initialized worker. */
typedef void (*qm_worker_fini)(int worker_id, void *state, void *data);

/** @brief Options of the map kernels (zero-initialize for the defaults). */
typedef struct qm_map_opts {
    size_t chunk;          /**< elements per call; 0 = automatic (about 8
                                chunks per worker, at most 4096 elements).
                                The calls are the chunks [k chunk, (k+1)
                                chunk), whatever the worker count and
                                schedule.  The reduce kernels schedule whole
                                blocks of ::QM_REDUCE_BLOCK: chunk rounded up
                                to a multiple of it per task, still at most
                                chunk elements per call */
    qm_worker_init init;   /**< per-worker initializer, or NULL */
    qm_worker_fini fini;   /**< per-worker finalizer, or NULL */
    void *hook_data;       /**< passed to init and fini */
} qm_map_opts;

/** @brief Outcome of a map kernel besides its status. */
typedef struct qm_map_result {
    size_t fail_index;     /**< lowest failing element index (SIZE_MAX when none) */
    int user_status;       /**< the map function's nonzero return, else 0 */
} qm_map_result;

/**
 * @brief out[i] = f(in[i]) for i in [0, n), in input order.
 *
 * Failures: a nonzero return stops the remaining work promptly; the status
 * is ::QM_EMAPFN and @p mr holds the lowest failing index (element
 * first + failed of the failing call) and its return value, whatever the
 * worker count: chunks below the lowest known failure are still completed,
 * chunks above it are skipped.
 *
 * @param ex       executor (threads and schedule)
 * @param f        map function
 * @param data     passed to @p f
 * @param in       input array of n elements of @p in_size bytes (may be NULL)
 * @param in_size  input element size in bytes
 * @param out      output array of n elements of @p out_size bytes (may be NULL)
 * @param out_size output element size in bytes
 * @param n        number of elements (0 is a no-op)
 * @param opts     options, or NULL for the defaults
 * @param mr       failure details, or NULL
 * @return ::QM_SUCCESS, ::QM_EINVAL, ::QM_ENOMEM or ::QM_EMAPFN.
 */
int qm_map(const qm_exec *ex, qm_map_fn f, void *data, const void *in,
           size_t in_size, void *out, size_t out_size, size_t n,
           const qm_map_opts *opts, qm_map_result *mr);

/**
 * @brief A chunked loop over [0, n) that is not a map: f gets tasks with
 *        in = out = NULL.  Same schedule and failure rules as ::qm_map.
 */
int qm_for(const qm_exec *ex, qm_map_fn f, void *data, size_t n,
           const qm_map_opts *opts, qm_map_result *mr);

/** @brief Built-in reductions (values are doubles). */
typedef enum qm_reduce_op {
    QM_REDUCE_SUM = 0,   /**< exact (superaccumulator), reproducible sum, faithfully rounded */
    QM_REDUCE_MIN = 1,   /**< minimum (NaN values are ignored: only NaN
                              gives the identity +Inf; -0 < +0) */
    QM_REDUCE_MAX = 2,   /**< maximum (NaN values are ignored: only NaN
                              gives the identity -Inf; +0 > -0) */
    QM_REDUCE_COUNT = 3  /**< number of values != 0, NaN included (as a
                              double) */
} qm_reduce_op;

/**
 * @brief Map every element to a double and reduce with a built-in op.
 *
 * The map function writes one double per element into task->out (a scratch
 * array).  SUM uses the exact accumulator, so the result is bitwise identical
 * for any worker count, schedule and chunk size.
 * @param result receives the reduction (the identity for n = 0: 0, +Inf,
 *               -Inf, 0; NaN on failure)
 * @return as ::qm_map.
 */
int qm_map_reduce(const qm_exec *ex, qm_map_fn f, void *data, const void *in,
                  size_t in_size, size_t n, qm_reduce_op op,
                  const qm_map_opts *opts, double *result, qm_map_result *mr);

/**
 * @brief User reduction: *acc = combine(*acc, *val), both of value_size
 *        bytes.  Need not be exactly associative (floating point): the
 *        library combines in a fixed order that does not depend on workers.
 */
typedef void (*qm_combine_fn)(void *acc, const void *val, void *data);

/**
 * @brief Map then reduce with a user operation and identity.
 *
 * Elements are grouped in fixed blocks of ::QM_REDUCE_BLOCK consecutive
 * indices; each block is reduced left to right starting from the identity,
 * and the block results are combined left to right in block order.  The
 * grouping depends only on n, so the result's bits do not depend on the
 * worker count, the schedule or the chunk size.
 * @param value_size bytes per value (the map output and the accumulator)
 * @param identity   value_size bytes: the identity of @p combine
 * @param result     value_size bytes, receives the reduction (the
 *                   identity on failure)
 * @return as ::qm_map.
 */
int qm_map_reduce_user(const qm_exec *ex, qm_map_fn f, void *data,
                       const void *in, size_t in_size, size_t n,
                       size_t value_size, const void *identity,
                       qm_combine_fn combine, void *combine_data,
                       const qm_map_opts *opts, void *result,
                       qm_map_result *mr);

/** Elements per fixed reduction block (::qm_map_reduce_user). */
#define QM_REDUCE_BLOCK 1024
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Asynchronous submission
 *
 * Submit a map, map-reduce or integration and get a ::qm_future back at
 * once; the work runs on a thread of its own (which runs the executor's
 * OpenMP team), so several submissions can be in flight.  The completion
 * callback, when given, runs on that submission thread after the work ends
 * (also after a cancellation), before ::qm_future_wait returns.
 * All arguments (arrays, options, executor) must stay valid until the
 * future completes.
 */
/**@{*/

/** @brief Opaque handle of a submitted piece of work. */
typedef struct qm_future qm_future;

/** @brief Completion callback: @p status is the work's return value.
 *  It must not call ::qm_future_wait or ::qm_future_free on @p fut (that
 *  waits for itself); ::qm_future_test reports 0 inside it. */
typedef void (*qm_callback)(qm_future *fut, int status, void *data);

/** @brief Submit ::qm_map; returns at once.  NULL ex, f or fut is rejected
 *  here (*fut = NULL); arguments only the kernel checks (sizes) give a
 *  future whose status is ::QM_EINVAL.  The executor and options are
 *  copied (the caller may free the executor after submitting).
 *  @return QM_SUCCESS, QM_EINVAL or QM_ENOMEM. */
int qm_map_async(const qm_exec *ex, qm_map_fn f, void *data, const void *in,
                 size_t in_size, void *out, size_t out_size, size_t n,
                 const qm_map_opts *opts, qm_map_result *mr,
                 qm_callback cb, void *cb_data, qm_future **fut);

/** @brief Submit ::qm_map_reduce; *result is written before completion. */
int qm_map_reduce_async(const qm_exec *ex, qm_map_fn f, void *data,
                        const void *in, size_t in_size, size_t n,
                        qm_reduce_op op, const qm_map_opts *opts,
                        double *result, qm_map_result *mr, qm_callback cb,
                        void *cb_data, qm_future **fut);

/** @brief Submit ::qm_integrate; *res is written before completion. */
int qm_integrate_async(const qm_exec *ex, qm_batch_fn f, void *data, double a,
                       double b, int64_t n, const qm_rule *rule,
                       qm_result *res, qm_callback cb, void *cb_data,
                       qm_future **fut);

/**
 * @brief Wait for completion (and for the callback to return).
 * @param fut    the future
 * @param status receives the work's status (may be NULL)
 * @return ::QM_SUCCESS, or ::QM_EINVAL for NULL.
 */
int qm_future_wait(qm_future *fut, int *status);

/**
 * @brief Non-blocking test.
 * @return 1 when done (status written), 0 when still running (status not
 *         written), -::QM_EINVAL on a NULL future.
 */
int qm_future_test(qm_future *fut, int *status);

/**
 * @brief Request cancellation: map kernels stop at the next chunk and
 *        return ::QM_ECANCELED; an integration stops at the next block.
 *        Work that already finished keeps its status.  Does not wait.
 *        Pool tasks: a queued task is not run (status ::QM_ECANCELED, its
 *        callback is still called, on a worker, in queue order); a running
 *        task is not affected.
 * @return ::QM_SUCCESS, or ::QM_EINVAL for NULL.
 */
int qm_future_cancel(qm_future *fut);

/** @brief Wait, then free the future.  NULL is allowed. */
void qm_future_free(qm_future *fut);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Blocking-task pool (I/O-bound work)
 *
 * A fixed set of POSIX threads serving a FIFO queue of tasks that mostly
 * wait (sleep, read a file, wait on a socket): more workers than cores are
 * allowed, and five one-second tasks finish in about one second on five
 * workers.  Not for CPU-bound work: use the executors for that.
 */
/**@{*/

/** @brief Opaque pool handle. */
typedef struct qm_pool qm_pool;

/** @brief A task: returns a status that its future reports. */
typedef int (*qm_task_fn)(void *arg);

/**
 * @brief Start a pool of @p workers threads (1 .. 4096).
 * @return ::QM_SUCCESS, ::QM_EINVAL or ::QM_ENOMEM.
 */
int qm_pool_new(qm_pool **out, int workers);

/**
 * @brief Queue a task; returns at once with its future (wait, test, cancel
 *        a task not started yet, callback on the worker thread).
 * @return ::QM_SUCCESS, ::QM_EINVAL (NULL pool, fn or fut; *fut = NULL) or
 *         ::QM_ENOMEM.
 */
int qm_pool_submit(qm_pool *pool, qm_task_fn fn, void *arg, qm_callback cb,
                   void *cb_data, qm_future **fut);

/** @brief Number of worker threads. */
int qm_pool_workers(const qm_pool *pool);

/** @brief Finish every queued task, stop the workers, free the pool.
 *  Futures stay valid (free them with ::qm_future_free).  Not from a task
 *  or callback of the same pool. */
void qm_pool_free(qm_pool *pool);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* QUADMAP_H */
