/**
 * @file validate.h
 * @brief Cross-checks with GSL's QUADPACK routines (qags, qagi*, qagp).
 */
#ifndef QM_CLI_VALIDATE_H
#define QM_CLI_VALIDATE_H

#include "quadmap.h"

/** Result of ::cli_gsl_qags. */
typedef struct cli_gsl_result {
    double value;  /**< GSL's estimate */
    double abserr; /**< GSL's error estimate */
    int status;    /**< GSL status (0 = success; GSL_EROUND etc. otherwise) */
    const char *message; /**< gsl_strerror(status), static */
    const char *routine; /**< "qags", "qagiu", "qagil", "qagi" or "qagp" */
} cli_gsl_result;

/**
 * @brief Integrate a batched integrand over [a, b] with gsl_integration_qags.
 *
 * The integrand is called one point at a time (n = 1) on the calling thread,
 * through the same qm_batch_fn the library uses; a nonzero return becomes
 * NaN.  GSL's error handler is switched off, so failures come back as a
 * status.  Tolerances: epsabs = 0, epsrel = 1e-12, 1000 subintervals.
 * @return the GSL status (also in out->status).
 */
int cli_gsl_qags(qm_batch_fn f, void *data, double a, double b,
                 cli_gsl_result *out);

/**
 * @brief Like ::cli_gsl_qags, with the GSL routine matching the problem:
 *        qagi for (-inf, inf), qagiu for [a, inf), qagil for (-inf, b],
 *        qagp when breakpoints are given (finite range), else qags.
 *        a > b integrates over [b, a] and negates.
 * @param pts  interior breakpoints (ascending), or NULL
 * @param npts their number
 */
int cli_gsl_reference(qm_batch_fn f, void *data, double a, double b,
                      const double *pts, size_t npts, cli_gsl_result *out);

/**
 * @brief Whether @p value (with estimate @p abserr) agrees with GSL:
 *        |value - gsl| <= abserr + gsl_abserr + 4 DBL_EPSILON |gsl|.
 * @return 1 when they agree, 0 otherwise (also for NaN).
 */
int cli_gsl_agrees(double value, double abserr, const cli_gsl_result *gsl);

#endif /* QM_CLI_VALIDATE_H */
