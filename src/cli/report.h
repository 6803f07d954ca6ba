/**
 * @file report.h
 * @brief Output of `integrate`: text, JSON (one line) or CSV (header + line).
 */
#ifndef QM_CLI_REPORT_H
#define QM_CLI_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "options.h"
#include "quadmap.h"
#include "validate.h"

/** Everything a report shows.  Strings are borrowed. */
typedef struct cli_report {
    /* the problem */
    const char *expression; /**< formula: EXPR, the builtin's formula, FILE:SYMBOL */
    const char *integrand;  /**< "builtin", "expression" or "plugin" */
    const char *builtin;    /**< builtin name, or NULL */
    double a, b;            /**< bounds */
    int64_t n;              /**< panels (0 for the adaptive methods) */
    char rule[24];          /**< canonical rule name ("gauss:5", "adaptive:gk21") */
    int adaptive;           /**< an adaptive method: epsabs/epsrel apply */
    double epsabs, epsrel;  /**< adaptive tolerances */
    int64_t subregions;     /**< final subintervals (adaptive), panels (fixed) */
    int dim;                /**< dimensions (1, or --dim) */
    const double *lo, *hi;  /**< the box's bounds when dim > 1 */
    /* how it ran */
    const char *backend;    /**< qm_backend_name */
    int threads;
    int ranks;              /**< 1 until the MPI build */
    const char *schedule;   /**< qm_schedule_name */
    int64_t chunk;          /**< 0 = default */
    int repeat;             /**< number of runs */
    double seconds;         /**< fastest run, wall clock */
    double seconds_median;  /**< median run */
    /* the outcome */
    int status;             /**< library status */
    qm_result res;
    int fail_rank;          /**< MPI rank that failed, or -1 */
    /* reference value */
    const char *reference_kind; /**< "exact", "gsl_qags" or NULL (none) */
    double reference;
    double reference_abserr;    /**< 0 for exact */
    int reference_status;       /**< GSL status for gsl_qags, else 0 */
    /* --validate */
    int validated;          /**< whether GSL was compared */
    cli_gsl_result gsl;
    int agrees;
} cli_report;

/**
 * @brief Print the report on @p out in @p format (-q: the result only).
 */
void cli_report_print(FILE *out, cli_format format, int quiet,
                      const cli_report *r);

/**
 * @brief Print the one-line diagnostic for a failed integration on stderr,
 *        e.g. "integrate: integrand returned a non-finite value at
 *        x = 3.0000000000000000 (status 100)".
 */
void cli_report_failure(const cli_report *r);

#endif /* QM_CLI_REPORT_H */
