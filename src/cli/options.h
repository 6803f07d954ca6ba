/**
 * @file options.h
 * @brief Command-line options of the `integrate` program.
 */
#ifndef QM_CLI_OPTIONS_H
#define QM_CLI_OPTIONS_H

#include <stdint.h>

#include "quadmap.h"
#include "expr.h"

/** Exit statuses of `integrate` (documented in integrate(1)). */
enum cli_exit {
    CLI_EXIT_OK = 0,       /**< success */
    CLI_EXIT_FAILURE = 1,  /**< the integration failed (library status) */
    CLI_EXIT_USAGE = 2,    /**< bad options, arguments, expressions, plugins */
    CLI_EXIT_DISAGREE = 3  /**< --validate: result and GSL qags disagree */
};

/** Output formats. */
typedef enum cli_format {
    CLI_FORMAT_TEXT = 0,
    CLI_FORMAT_JSON = 1,
    CLI_FORMAT_CSV = 2
} cli_format;

/** Default problem: x^2 on [0, 10]. */
#define CLI_DEFAULT_EXPR "x^2"
#define CLI_DEFAULT_A "0"
#define CLI_DEFAULT_B "10"
/** Default N for native (builtin) integrands and for expressions/plugins. */
#define CLI_DEFAULT_N_BUILTIN INT64_C(100000000)
#define CLI_DEFAULT_N_OTHER INT64_C(1000000)
/** Largest N accepted (the library's limit, 2^53). */
#define CLI_MAX_N (INT64_C(1) << 53)
/** Largest -t: each thread gets its own muparser instance, and far more
 *  threads than any machine has only exhausts memory. */
#define CLI_MAX_THREADS 4096
/** Most --breakpoints. */
#define CLI_MAX_BREAKPOINTS 256
/** Largest --repeat count. */
#define CLI_MAX_REPEAT 1000000

/** The multi-dimensional methods (expressions in x1..xD, 2D bounds). */
#define CLI_METHOD_IS_MULTI(m) \
    ((m) == QM_METHOD_GENZ_MALIK || (m) == QM_METHOD_MC || (m) == QM_METHOD_QMC)
/** Most dimensions of --dim. */
#define CLI_MAX_DIM 16
/** Default samples of mc/qmc and evaluation budget of cubature. */
#define CLI_DEFAULT_SAMPLES INT64_C(1000000)
#define CLI_DEFAULT_MAX_EVAL INT64_C(10000000)

/** Default tolerances of the adaptive methods. */
#define CLI_DEFAULT_EPSABS 0.0
#define CLI_DEFAULT_EPSREL 1e-10

/** Parsed command line.  Strings point into argv. */
typedef struct cli_options {
    const char *expr;    /**< EXPR positional, or NULL when not given */
    const char *a_text;  /**< lower bound (constant expression) */
    const char *b_text;  /**< upper bound (muparser expression) */
    int64_t n;           /**< panels; 0 = the default for the integrand kind */
    qm_rule rule;        /**< the rule (default midpoint) */
    int fixed;           /**< --rule names a fixed rule (in rule) */
    qm_method method;    /**< else the library's method */
    int gk_key;          /**< adaptive: Gauss-Kronrod points, 0 = default */
    double epsabs;       /**< adaptive tolerances */
    double epsrel;
    int64_t limit;       /**< adaptive: subinterval limit, 0 = default */
    const char *breakpoints; /**< "p1,p2,...": expressions, or NULL */
    int dim;             /**< --dim D (default 1) */
    const char *lo_text[CLI_MAX_DIM]; /**< multi-D lower bounds (expressions) */
    const char *hi_text[CLI_MAX_DIM]; /**< multi-D upper bounds */
    uint64_t seed;       /**< --seed for mc/qmc */
    int threads;         /**< 0 = the executor's default */
    int serial;          /**< --serial: QM_BACKEND_SERIAL */
    int schedule_given;  /**< --schedule or --chunk given */
    qm_schedule schedule;
    int64_t chunk;       /**< blocks per chunk, 0 = default */
    const char *builtin; /**< --builtin NAME, or NULL */
    const char *plugin;  /**< --plugin FILE:SYMBOL, or NULL */
    int validate;        /**< --validate */
    cli_format format;
    int repeat;          /**< >= 1 */
    int quiet;           /**< -q */
    int info;            /**< --info: describe the run's resources and exit */
    cli_engine engine;   /**< --engine vm|muparser (default vm) */
} cli_options;

/** Results of ::cli_parse_options. */
enum cli_parse_result {
    CLI_PARSE_RUN = 0,  /**< options are valid: go on */
    CLI_PARSE_DONE = 1, /**< --help, --version, --list-builtins printed: exit 0 */
    CLI_PARSE_ERROR = 2 /**< a usage error was printed on stderr: exit 2 */
};

/**
 * @brief Parse argv into @p opt.
 *
 * Arguments that start with '-' followed by a digit, '.' or '(' (such as
 * "-1", "-.5", "-(pi/2)") are positional, so negative bounds need no "--".
 * Options and positionals may be mixed in any order; "--" ends the options.
 * On a usage error one line "integrate: ..." and a "Try" hint are printed.
 * @return a value of ::cli_parse_result.
 */
int cli_parse_options(int argc, char **argv, cli_options *opt);

/**
 * @brief Parse a count such as "1000000", "1e9" or "4.5e3" exactly.
 * @param text the text
 * @param min  smallest accepted value
 * @param max  largest accepted value
 * @param out  the value
 * @param why  on failure, a static reason ("not a number", "not an integer",
 *             "must be at least 1", "too large", ...)
 * @return 0 on success, -1 on failure.
 */
int cli_parse_count(const char *text, int64_t min, int64_t max, int64_t *out,
                    const char **why);

/** Print "integrate: <message>" and a newline on stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/** ::cli_error, then "Try 'integrate --help' for more information." */
void cli_usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif /* QM_CLI_OPTIONS_H */
