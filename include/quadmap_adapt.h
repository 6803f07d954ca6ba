/**
 * @file quadmap_adapt.h
 * @brief Adaptive 1-D integration (Gauss-Kronrod, extrapolation,
 *        breakpoints, infinite ranges, tanh-sinh) and multi-dimensional
 *        integration (adaptive cubature, Monte Carlo, quasi-Monte Carlo),
 *        parallel and reproducible.  Included by quadmap.h users who need
 *        it: `#include <quadmap_adapt.h>` (it includes quadmap.h).
 *
 * Parallelism never changes results: each step of an adaptive algorithm
 * chooses its batch of regions by a rule that does not look at the worker
 * count (Gladwell-style), the executor's workers only evaluate the batch, and
 * sums go through the exact accumulator.  Random numbers come from a
 * counter-based generator keyed by (seed, sample index).
 *
 * Status codes keep GSL's meanings: ::QM_EMAXITER (subdivision or
 * evaluation limit reached), ::QM_EROUND (roundoff prevents the
 * tolerance), ::QM_ESING (bad integrand behaviour), ::QM_EDIVERGE
 * (divergent or slowly convergent); the best estimate is returned with them.
 */
#ifndef QUADMAP_ADAPT_H
#define QUADMAP_ADAPT_H

#include "quadmap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/** @name 1-D adaptive integration */
/**@{*/

/** @brief Adaptive methods. */
typedef enum qm_adapt_method {
    /** global adaptive Gauss-Kronrod with Wynn epsilon extrapolation (as
     *  GSL qags / qagp / qagi); the default */
    QM_ADAPT_QAGS = 0,
    /** global adaptive Gauss-Kronrod without extrapolation (as GSL qag) */
    QM_ADAPT_QAG = 1,
    /** double-exponential (tanh-sinh) quadrature with level doubling;
     *  excels on endpoint singularities (abscissae are computed as
     *  distances from the nearer end; the part within one ulp of a nonzero
     *  end cannot be sampled, is estimated, and gives ::QM_EROUND when it
     *  exceeds the tolerance, so put singularities at 0 when possible) */
    QM_ADAPT_TANH_SINH = 2
} qm_adapt_method;

/** @brief Options (zero-initialize, then set a tolerance). */
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
    qm_adapt_method method; /**< ::qm_adapt_method */
    const double *breakpoints; /**< interior points where the integrand
                                 misbehaves (as GSL qagp), strictly
                                 ascending, strictly inside (min(a, b),
                                 max(a, b)); finite a and b only; with
                                 tanh-sinh each segment is integrated on
                                 its own to max(epsabs / segments,
                                 epsrel |segment integral|) and the
                                 results add up; NULL when none */
    size_t nbreakpoints;    /**< number of breakpoints */
} qm_adapt_opts;

/** @brief Outcome details besides qm_result. */
typedef struct qm_adapt_info {
    size_t subregions;      /**< subintervals in the final partition (or
                                 tanh-sinh levels used) */
    size_t steps;           /**< parallel steps (batches evaluated) */
} qm_adapt_info;

/**
 * @brief Integrate f over [a, b] to max(epsabs, epsrel |I|).
 *
 * a and b may be infinite (-INFINITY, INFINITY): the range is mapped to
 * (0, 1] by x = a + (1 - t)/t or its two-sided variant, as GSL's qagiu,
 * qagil and qagi do.  a > b gives the negated integral.
 * Each step bisects a batch of intervals chosen without looking at the
 * worker count (in order of decreasing error, ties by position, the
 * intervals whose removal is needed to meet the tolerance, at most 64;
 * QAGS's extrapolation phase takes only the intervals QUADPACK would
 * bisect, those above the deepest level), and the executor evaluates the
 * batch's Gauss-Kronrod rules in parallel, one integrand call per rule;
 * interval sums are exact.  The result is bitwise identical for any
 * executor and thread count.  Tanh-sinh evaluates each level's new points
 * in fixed chunks of 64 (twice that for (-inf, inf)).
 * Integrand failures: NaN or Inf gives ::QM_ENONFINITE with res->fail_x
 * (the abscissa given to f), a nonzero return ::QM_EUSER with
 * res->user_status; the failure kept is that of the lowest rule or chunk
 * of the step, whatever the thread count; res->value is then NaN.
 * res->evaluations counts integrand values (two per node on (-inf, inf)).
 * @param ex   executor
 * @param f    batched integrand (called with one rule's nodes per call)
 * @param data passed to f
 * @param a    lower bound (may be -INFINITY)
 * @param b    upper bound (may be INFINITY)
 * @param opts options (tolerances required)
 * @param res  value, abserr, evaluations (always written)
 * @param info subregions (final intervals; tanh-sinh: levels) and steps
 *             (parallel steps), or NULL
 * @return ::QM_SUCCESS, ::QM_EINVAL, ::QM_ENOMEM, ::QM_EMAXITER,
 *         ::QM_EROUND, ::QM_ESING, ::QM_EDIVERGE, ::QM_ENONFINITE or
 *         ::QM_EUSER (the best estimate is in res when there is one).
 */
int qm_integrate_adaptive(const qm_exec *ex, qm_batch_fn f, void *data,
                          double a, double b, const qm_adapt_opts *opts,
                          qm_result *res, qm_adapt_info *info);

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

/** @brief Multi-dimensional methods. */
typedef enum qm_cubature_method {
    QM_CUBATURE_ADAPTIVE = 0, /**< Genz-Malik degree 7/5 adaptive cubature */
    QM_CUBATURE_MC = 1,       /**< plain Monte Carlo (Philox4x32 keyed by sample) */
    QM_CUBATURE_QMC = 2       /**< quasi-Monte Carlo (Sobol points, randomly
                                   shifted replicas for the error) */
} qm_cubature_method;

/** @brief Options of ::qm_cubature (zero-initialize, then set tolerances). */
typedef struct qm_cubature_opts {
    qm_cubature_method method;
    double epsabs, epsrel;  /**< tolerances (adaptive) */
    qm_norm norm;           /**< error norm for fdim > 1 */
    uint64_t max_eval;      /**< evaluation budget (0 = 10^7 adaptive); the
                                 number of samples for MC / QMC (0 = 10^6) */
    uint64_t seed;          /**< MC / QMC seed */
} qm_cubature_opts;

/** @brief Outcome of ::qm_cubature. */
typedef struct qm_cubature_info {
    int64_t evaluations;    /**< integrand evaluations */
    size_t subregions;      /**< hyper-rectangles in the final partition (adaptive) */
    double fail_x0;         /**< first coordinate of a failing point (NaN if none) */
    int user_status;        /**< integrand's nonzero return with ::QM_EUSER */
} qm_cubature_info;

/** Largest dimension accepted by ::qm_cubature. */
#define QM_CUBATURE_MAX_DIM 16

/**
 * @brief Integrate a vector-valued f over the box [xmin, xmax] in @p dim
 *        dimensions (2 <= dim <= ::QM_CUBATURE_MAX_DIM for the adaptive
 *        method; 1 <= dim for MC; 1 <= dim <= 3667 for QMC, the
 *        dimensions of its table of Joe & Kuo's Sobol direction numbers).
 *        QMC uses the Sobol points of indices 0 .. n - 1, n = max_eval /
 *        16 (at least 1, at most 2^52), in each of 16 randomly shifted
 *        replicas.
 *
 * Reproducible for any thread count: adaptive batches are chosen by a rule
 * blind to the workers; MC samples are keyed by (seed, sample index); QMC
 * uses fixed Sobol indices; sums are exact.
 * @param val receives fdim values
 * @param err receives fdim error estimates (one standard error for MC/QMC)
 * @return ::QM_SUCCESS, ::QM_EINVAL, ::QM_ENOMEM, ::QM_EMAXITER (budget
 *         reached before the tolerance), ::QM_ENONFINITE, ::QM_EUSER.
 */
int qm_cubature(const qm_exec *ex, qm_vector_fn f, void *data, unsigned dim,
                const double *xmin, const double *xmax, unsigned fdim,
                const qm_cubature_opts *opts, double *val, double *err,
                qm_cubature_info *info);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* QUADMAP_ADAPT_H */
