/**
 * @file quadmap.h
 * @brief quadmap: reproducible parallel numerical integration.
 *
 * Integration: fixed composite rules (::qm_integrate), adaptive 1-D
 * (::qm_integrate_adaptive, ::qm_qags), tanh-sinh, cubature, Monte Carlo and
 * quasi-Monte Carlo (::qm_cubature), all on one kind of executor: serial,
 * OpenMP, or distributed over MPI ranks (::qm_exec_new_mpi in
 * quadmap_mpi.h), with the same calls.  The map kernels, futures and the
 * task pool are in quadmap_map.h.
 *
 * The library evaluates its rules with a serial or
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
 * @return 0 (NaN/Inf values are detected by the caller), or ::QM_EINVAL for
 *         a NULL adapter, function or array (which an integrator reports
 *         as ::QM_EUSER with that user status).
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

/** @brief Free an executor (NULL is allowed).  Collective over the ranks
 *  for a distributed executor (::qm_exec_new_mpi). */
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
/** @brief This process's rank among the processes a distributed executor
 *         spreads work over (0 for a local executor). */
int qm_exec_rank(const qm_exec *ex);
/** @brief Number of processes the executor spreads work over (1 for a
 *         local executor, the communicator's size for ::qm_exec_new_mpi). */
int qm_exec_ranks(const qm_exec *ex);

/**
 * @brief The calling worker's id, for per-worker state in an integrand or
 *        map function.
 *
 * Inside an integrand or map function called by an executor: the worker's
 * id, 0 <= id < qm_exec_threads() of that executor (the thread's number in
 * this process; ranks number their threads independently).  Elsewhere -1.
 * Nested runs (an integrand that itself integrates) see the inner
 * executor's ids and get the outer id back afterwards.
 * @return the id, or -1.
 */
int qm_worker_id(void);

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

/**
 * @brief Result of every integrator (fixed rules, adaptive 1-D, tanh-sinh,
 *        cubature, Monte Carlo, quasi-Monte Carlo).
 *
 * Always written by the integrators (when the pointer is non-NULL), also on
 * failure.  Under a distributed executor (::qm_exec_new_mpi) it is the same,
 * bit for bit, on every rank.
 */
typedef struct qm_result {
    double value;        /**< the integral estimate (cubature: component 0;
                              NaN when the integrand failed) */
    double abserr;       /**< estimate of |value - exact| (MC/QMC: one
                              standard error) */
    int64_t evaluations; /**< number of integrand evaluations (points) */
    size_t subregions;   /**< intervals or boxes of the final partition
                              (adaptive), tanh-sinh levels, else 0 */
    size_t steps;        /**< parallel steps (batches evaluated), 0 for
                              fixed rules */
    double fail_x;       /**< abscissa where the integrand failed (its first
                              coordinate in several dimensions; NaN when it
                              did not) */
    int user_status;     /**< the integrand's nonzero return value with
                              ::QM_EUSER, else 0 */
    int fail_rank;       /**< the rank that evaluated the failing point
                              under a distributed executor, 0 in one
                              process, -1 when nothing failed */
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
 * count, schedule, chunk size, rank count).  With a > b the result is the
 * negated integral over [b, a]; with a == b it is 0 (no evaluation).
 *
 * Collective under a distributed executor (::qm_exec_new_mpi): every rank
 * passes the same a, b, n and rule (checked: ::QM_EINVAL on every rank
 * otherwise); each rank evaluates its share of the blocks and every rank
 * receives the same result, with res->fail_rank the rank that evaluated a
 * failing point.
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
/** @name Methods */
/**@{*/

/**
 * @brief The integration methods (one enum for every integrator).
 *
 * ::qm_integrate_adaptive accepts ::QM_METHOD_QAGS, ::QM_METHOD_QAG and
 * ::QM_METHOD_TANH_SINH; ::qm_cubature accepts ::QM_METHOD_GENZ_MALIK,
 * ::QM_METHOD_MC and ::QM_METHOD_QMC.  ::QM_METHOD_DEFAULT (0, what a
 * zero-initialized options struct holds) is QAGS in 1-D and Genz-Malik in
 * several dimensions.  Fixed composite rules are ::qm_rule values, not
 * methods.
 */
typedef enum qm_method {
    QM_METHOD_DEFAULT    = 0, /**< QAGS (1-D), Genz-Malik (cubature) */
    /** global adaptive Gauss-Kronrod with Wynn epsilon extrapolation (GSL
     *  qags / qagp / qagi) */
    QM_METHOD_QAGS       = 1,
    /** global adaptive Gauss-Kronrod without extrapolation (GSL qag) */
    QM_METHOD_QAG        = 2,
    /** double-exponential (tanh-sinh) quadrature with level doubling;
     *  excels on endpoint singularities (abscissae are computed as
     *  distances from the nearer end; the part within one ulp of a nonzero
     *  end cannot be sampled, is estimated, and gives ::QM_EROUND when it
     *  exceeds the tolerance, so put singularities at 0 when possible) */
    QM_METHOD_TANH_SINH  = 3,
    /** adaptive Genz-Malik degree 7/5 cubature (as cubature's hcubature) */
    QM_METHOD_GENZ_MALIK = 4,
    /** plain Monte Carlo (Philox4x32-10 keyed by sample index) */
    QM_METHOD_MC         = 5,
    /** quasi-Monte Carlo: Sobol points (Joe-Kuo direction numbers), randomly
     *  shifted replicas for the error */
    QM_METHOD_QMC        = 6
} qm_method;

/** @brief Name of a method ("qags", "qag", "tanh-sinh", "genz-malik",
 *         "mc", "qmc"; "default"), or "unknown". */
const char *qm_method_name(qm_method method);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Workspaces */
/**@{*/

/**
 * @brief Opaque reusable workspace of the adaptive 1-D integrator.
 *
 * Holds the interval list, the extrapolation table and the evaluation
 * buffers.  Pass it in qm_adapt_opts::workspace: it grows as needed and is
 * kept between calls, so a loop of many small integrals (a parameter sweep)
 * allocates nothing per call after the first.  One workspace serves one
 * call at a time: give each thread its own (a map kernel's per-worker
 * init hook is the place).  Results do not depend on whether a workspace
 * is used.
 */
typedef struct qm_workspace qm_workspace;

/**
 * @brief Create an empty workspace.
 * @param out receives the handle (free with ::qm_workspace_free)
 * @return ::QM_SUCCESS, ::QM_EINVAL (NULL out) or ::QM_ENOMEM.
 */
int qm_workspace_new(qm_workspace **out);

/** @brief Free a workspace (NULL is allowed). */
void qm_workspace_free(qm_workspace *ws);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Adaptive 1-D integration */
/**@{*/

/** @brief Options of ::qm_integrate_adaptive (zero-initialize, then set a
 *         tolerance). */
typedef struct qm_adapt_opts {
    double epsabs;          /**< absolute tolerance (>= 0) */
    double epsrel;          /**< relative tolerance (>= 0); as GSL,
                                 epsabs <= 0 needs epsrel >= 50 DBL_EPSILON
                                 (else ::QM_EINVAL, GSL_EBADTOL) */
    size_t limit;           /**< maximum subintervals (0 = 1000, GSL's
                                 usual workspace size); for tanh-sinh the
                                 maximum level, the step being 2^-(level+1)
                                 (0 = 12; above 16 means 16) */
    int key;                /**< Gauss-Kronrod points: 15, 21, 31, 41, 51
                                 or 61 (0 = 21 on finite ranges, 15 on
                                 infinite ones as GSL qagi does) */
    qm_method method;       /**< ::QM_METHOD_QAGS (default), ::QM_METHOD_QAG
                                 or ::QM_METHOD_TANH_SINH */
    const double *breakpoints; /**< interior points where the integrand
                                 misbehaves (as GSL qagp), strictly
                                 ascending, strictly inside (min(a, b),
                                 max(a, b)); finite a and b only; with
                                 tanh-sinh each segment is integrated on
                                 its own to max(epsabs / segments,
                                 epsrel |segment integral|) and the
                                 results add up; NULL when none */
    size_t nbreakpoints;    /**< number of breakpoints */
    qm_workspace *workspace; /**< reusable buffers (QAG/QAGS), or NULL to
                                 allocate them for this call */
} qm_adapt_opts;

/**
 * @brief Integrate f over [a, b] to max(epsabs, epsrel |I|).
 *
 * a and b may be infinite (-INFINITY, INFINITY): the range is mapped to
 * (0, 1] by x = a + (1 - t)/t or its two-sided variant, as GSL's qagiu,
 * qagil and qagi do.  a > b gives the negated integral; a == b gives 0.
 * Each step bisects a batch of intervals chosen without looking at the
 * worker count (in order of decreasing error, ties by position, the
 * intervals whose removal is needed to meet the tolerance, at most 64;
 * QAGS's extrapolation phase takes only the intervals QUADPACK would
 * bisect, those above the deepest level), and the executor evaluates the
 * batch's Gauss-Kronrod rules in parallel, one integrand call per rule;
 * interval sums are exact.  The result is bitwise identical for any
 * executor, thread count and rank count.  Tanh-sinh evaluates each
 * level's new points in fixed chunks of 64 (twice that for (-inf, inf)).
 *
 * Integrand failures: NaN or Inf gives ::QM_ENONFINITE with res->fail_x
 * (the abscissa given to f), a nonzero return ::QM_EUSER with
 * res->user_status; the failure kept is that of the lowest rule or chunk
 * of the step, whatever the thread count; res->value is then NaN.
 * res->evaluations counts integrand values (two per node on (-inf, inf)),
 * res->subregions the final intervals (tanh-sinh: levels), res->steps the
 * parallel steps.
 *
 * Collective under a distributed executor: every rank passes the same a, b
 * and options (checked: ::QM_EINVAL on every rank otherwise).
 * @param ex   executor
 * @param f    batched integrand (called with one rule's nodes per call)
 * @param data passed to f
 * @param a    lower bound (may be -INFINITY)
 * @param b    upper bound (may be INFINITY)
 * @param opts options (tolerances required)
 * @param res  the result (always written)
 * @return ::QM_SUCCESS, ::QM_EINVAL, ::QM_ENOMEM, ::QM_EMAXITER,
 *         ::QM_EROUND, ::QM_ESING, ::QM_EDIVERGE, ::QM_ENONFINITE,
 *         ::QM_EUSER or ::QM_ECANCELED (the best estimate is in res when
 *         there is one).
 */
int qm_integrate_adaptive(const qm_exec *ex, qm_batch_fn f, void *data,
                          double a, double b, const qm_adapt_opts *opts,
                          qm_result *res);

/**
 * @brief The common case in one call, as GSL's qags: adaptive
 *        Gauss-Kronrod (21 points, 15 on infinite ranges) with
 *        extrapolation, at most 1000 subintervals, on the calling thread.
 *
 * Same result, bit for bit, as ::qm_integrate_adaptive with
 * ::QM_METHOD_QAGS on any executor.
 * @param f      batched integrand
 * @param data   passed to f
 * @param a      lower bound (may be -INFINITY)
 * @param b      upper bound (may be INFINITY)
 * @param epsabs absolute tolerance
 * @param epsrel relative tolerance
 * @param res    the result (always written)
 * @return as ::qm_integrate_adaptive.
 */
int qm_qags(qm_batch_fn f, void *data, double a, double b, double epsabs,
            double epsrel, qm_result *res);

/**
 * @brief Gauss-Kronrod nodes and weights on [-1, 1] (the QUADPACK tables,
 *        as in GSL: nodes x[0..n/2] from the end point towards 0, Kronrod
 *        weights wk and Gauss weights wg for the odd-indexed nodes).
 * @param key 15, 21, 31, 41, 51 or 61
 * @param x   receives (key + 1) / 2 nodes
 * @param wk  receives (key + 1) / 2 Kronrod weights
 * @param wg  receives (key + 1) / 4 Gauss weights (integer division:
 *            4, 5, 8, 10, 13, 15; when the Gauss rule has an odd number
 *            of points the last one is the weight of the centre)
 * @return ::QM_SUCCESS or ::QM_EINVAL.
 */
int qm_gauss_kronrod(int key, double *x, double *wk, double *wg);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Multi-dimensional integration */
/**@{*/

/**
 * @brief Vectorized, vector-valued integrand (as cubature's hcubature_v):
 *        fval[i*fdim + k] = f_k(x[i*dim .. i*dim + dim - 1]), i < npts.
 * @return 0, or nonzero to stop (::QM_EUSER).
 */
typedef int (*qm_vector_fn)(size_t npts, unsigned dim, const double *x,
                            unsigned fdim, double *fval, void *data);

/** @brief How the error of a vector-valued integrand is measured. */
typedef enum qm_norm {
    QM_NORM_INDIVIDUAL = 0, /**< every component must meet the tolerance */
    QM_NORM_PAIRED = 1,     /**< consecutive pairs as complex numbers */
    QM_NORM_L2 = 2,         /**< Euclidean norm of the error vector */
    QM_NORM_L1 = 3,         /**< sum of absolute errors */
    QM_NORM_LINF = 4        /**< largest absolute error */
} qm_norm;

/** @brief Options of ::qm_cubature (zero-initialize, then set tolerances). */
typedef struct qm_cubature_opts {
    qm_method method;       /**< ::QM_METHOD_GENZ_MALIK (default),
                                 ::QM_METHOD_MC or ::QM_METHOD_QMC */
    double epsabs, epsrel;  /**< tolerances (Genz-Malik) */
    qm_norm norm;           /**< error norm for fdim > 1 */
    uint64_t max_eval;      /**< evaluation budget (0 = 10^7 adaptive); the
                                 number of samples for MC / QMC (0 = 10^6,
                                 at most 2^53; MC memory does not grow
                                 with it) */
    uint64_t seed;          /**< MC / QMC seed */
} qm_cubature_opts;

/** Largest dimension of the Genz-Malik method. */
#define QM_CUBATURE_MAX_DIM 16

/**
 * @brief Integrate a vector-valued f over the box [xmin, xmax] in @p dim
 *        dimensions (2 <= dim <= ::QM_CUBATURE_MAX_DIM for Genz-Malik;
 *        1 <= dim for MC; 1 <= dim <= ::qm_qmc_max_dim() for QMC).  QMC uses
 *        max_eval / 16 Sobol points in each of 16 randomly shifted
 *        replicas.
 *
 * Reproducible for any thread and rank count: adaptive batches are chosen
 * by a rule blind to the workers; MC samples are keyed by (seed, sample
 * index); QMC uses fixed Sobol indices; sums are exact.  Collective under a
 * distributed executor: every rank passes the same dim, bounds, fdim and
 * options (checked: ::QM_EINVAL on every rank otherwise).
 * @param val receives fdim values
 * @param err receives fdim error estimates (one standard error for MC/QMC)
 * @param res value and abserr of component 0, evaluations, subregions
 *            (Genz-Malik), steps, failure details; may be NULL
 * @return ::QM_SUCCESS, ::QM_EINVAL, ::QM_ENOMEM, ::QM_EMAXITER (budget
 *         reached before the tolerance), ::QM_ENONFINITE, ::QM_EUSER,
 *         ::QM_ECANCELED.
 */
int qm_cubature(const qm_exec *ex, qm_vector_fn f, void *data, unsigned dim,
                const double *xmin, const double *xmax, unsigned fdim,
                const qm_cubature_opts *opts, double *val, double *err,
                qm_result *res);

/** @brief Largest dimension of ::QM_METHOD_QMC (the Sobol table's size). */
unsigned qm_qmc_max_dim(void);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* QUADMAP_H */
