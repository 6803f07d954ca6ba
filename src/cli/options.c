/**
 * @file options.c
 * @brief Command-line parsing for `integrate` (getopt_long, RETURN_IN_ORDER).
 *
 * Positionals are EXPR [A B].  Bounds are often negative ("-1"), which
 * getopt would read as option clusters; an argument that starts with '-'
 * followed by a digit, '.' or '(' can never be one of our options, so it is
 * taken as a positional before getopt sees it.  The optstring starts with
 * '-' so that getopt returns the other positionals in order (as option 1)
 * instead of permuting argv, which keeps options and positionals freely
 * mixable.
 */
#include "options.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Long-only options take values above the character range. */
enum {
    OPT_SCHEDULE = 256,
    OPT_CHUNK,
    OPT_SERIAL,
    OPT_BUILTIN,
    OPT_PLUGIN,
    OPT_VALIDATE,
    OPT_FORMAT,
    OPT_REPEAT,
    OPT_LIST_BUILTINS,
    OPT_INFO
};

static const struct option long_options[] = {
    {"points", required_argument, NULL, 'n'},
    {"rule", required_argument, NULL, 'r'},
    {"threads", required_argument, NULL, 't'},
    {"schedule", required_argument, NULL, OPT_SCHEDULE},
    {"chunk", required_argument, NULL, OPT_CHUNK},
    {"serial", no_argument, NULL, OPT_SERIAL},
    {"builtin", required_argument, NULL, OPT_BUILTIN},
    {"plugin", required_argument, NULL, OPT_PLUGIN},
    {"list-builtins", no_argument, NULL, OPT_LIST_BUILTINS},
    {"info", no_argument, NULL, OPT_INFO},
    {"validate", no_argument, NULL, OPT_VALIDATE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}
};

/* '-': RETURN_IN_ORDER; ':': report a missing argument as ':'. */
static const char short_options[] = "-:n:r:t:qhV";

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("integrate: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("integrate: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'integrate --help' for more information.\n", stderr);
}

static void print_help(void)
{
    printf(
"Usage: integrate [OPTION]... [EXPR [A B]]\n"
"Integrate EXPR, a muparser expression in x, over [A, B] with a composite rule\n"
"on N panels, in parallel and with bitwise reproducible results.\n"
"\n"
"Options:\n"
"  -n, --points N       panels, 1 to 2^53, e.g. 1e9 (default 1e8 builtin, 1e6)\n"
"  -r, --rule RULE      left|midpoint|trapezoid|simpson|gauss[:K] (midpoint)\n"
"  -t, --threads T      threads, 1 to 4096 (default OMP_NUM_THREADS, all cores)\n"
"      --schedule S     static|dynamic|guided|auto (default auto = static\n"
"                       for integration); never changes the bits\n"
"      --chunk C        blocks per chunk for the schedule (default OpenMP's)\n"
"      --serial         use the serial backend (one thread)\n"
"      --builtin NAME   integrate a native builtin; positionals are then [A B]\n"
"      --plugin F:SYM   integrate function SYM of shared object F; then [A B]\n"
"      --list-builtins  list the builtins and their formulas, then exit\n"
"      --info           print ranks, threads, cores, CPU binding and MPI, then exit\n"
"      --validate       compare with GSL qags; exit 3 if beyond both estimates\n"
"      --format F       text|json|csv (default text; json is one line)\n"
"      --repeat K       run K times; fastest and median time; bits must match\n"
"  -q, --quiet          print only the result (17 significant digits; text)\n"
"  -h, --help           print this help and exit\n"
"  -V, --version        print the version and exit\n"
"\n"
"Defaults: EXPR = x^2, A = 0, B = 10; N = 1e8 for builtins (an EXPR equal to\n"
"a builtin's formula, like x^2, runs the native builtin), else 1e6.\n"
"A and B are expressions too (pi/2).  An argument starting with '-' and a\n"
"digit, '.' or '(' is an argument (integrate 'x^3' -1 1); put others after --.\n"
"A plugin function is int SYM(size_t n, const double *x, double *y, void *d),\n"
"called concurrently with d = NULL; nonzero return stops the run.\n"
"Under MPI (mpirun -np P ./integrate ...) the ranks share the work, each with\n"
"its threads; rank 0 prints one report, bitwise equal to a single-process run.\n"
"Exit status: 0 success, 1 integration failure, 2 usage error,\n"
"3 --validate disagreement.  See integrate(1).\n");
}

static void print_builtins(void)
{
    size_t count = qm_builtin_count();
    for (size_t i = 0; i < count; i++) {
        const qm_builtin *bi = qm_builtin_at(i);
        if (bi != NULL)
            printf("%-8s %s\n", bi->name, bi->formula);
    }
}

/* A '-' followed by a digit, '.' or '(' starts no option of ours: it is a
 * negative number or expression and thus a positional argument. */
static int looks_negative(const char *arg)
{
    return arg[0] == '-' &&
           ((arg[1] >= '0' && arg[1] <= '9') || arg[1] == '.' || arg[1] == '(');
}

int cli_parse_count(const char *text, int64_t min, int64_t max, int64_t *out,
                    const char **why)
{
    /* Exact decimal parsing (strtod would round 2^53 + 1 to 2^53): collect
     * the significant digits and the decimal exponent, then scale. */
    enum { MAX_DIGITS = 40 };
    char digits[MAX_DIGITS];
    int nd = 0, any = 0, negative = 0;
    long frac = 0, exp10 = 0;
    const char *p = text;

    if (*p == '+' || *p == '-')
        negative = (*p++ == '-');
    for (; *p >= '0' && *p <= '9'; p++) {
        any = 1;
        if (nd == 0 && *p == '0')
            continue;
        if (nd == MAX_DIGITS)
            goto too_long;
        digits[nd++] = *p;
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            any = 1;
            frac++;
            if (nd == 0 && *p == '0')
                continue;
            if (nd == MAX_DIGITS)
                goto too_long;
            digits[nd++] = *p;
        }
    }
    if (!any)
        goto not_number;
    if (*p == 'e' || *p == 'E') {
        int eneg = 0, edigits = 0;
        p++;
        if (*p == '+' || *p == '-')
            eneg = (*p++ == '-');
        for (; *p >= '0' && *p <= '9'; p++, edigits++)
            if (exp10 < 100000)
                exp10 = 10 * exp10 + (*p - '0');
        if (edigits == 0)
            goto not_number;
        if (eneg)
            exp10 = -exp10;
    }
    if (*p != '\0')
        goto not_number;

    long shift = exp10 - frac;
    if (shift < 0) {
        /* The dropped digits must be zeros, else the value is fractional. */
        if (-shift > nd) {
            if (nd > 0)
                goto not_integer;
            shift = 0;
        } else {
            for (int i = nd + (int)shift; i < nd; i++)
                if (digits[i] != '0')
                    goto not_integer;
            nd += (int)shift;
            shift = 0;
        }
    }
    if (nd == 0) /* zero, whatever the exponent */
        shift = 0;
    if (negative && nd > 0) {
        *why = "too small";
        return -1;
    }
    if (nd + shift > 19)
        goto too_large;
    uint64_t value = 0;
    for (long i = 0; i < nd + shift; i++) {
        value = 10 * value + (uint64_t)(i < nd ? digits[i] - '0' : 0);
        if (value > (uint64_t)max)
            goto too_large;
    }
    if ((int64_t)value < min) {
        *why = "too small";
        return -1;
    }
    *out = (int64_t)value;
    return 0;

too_long:
    *why = "too many digits";
    return -1;
not_number:
    *why = "not a number";
    return -1;
not_integer:
    *why = "not an integer";
    return -1;
too_large:
    *why = "too large";
    return -1;
}

/* Parse a count option; prints the usage error itself. */
static int parse_count_option(const char *name, const char *text, int64_t max,
                              int64_t *out)
{
    const char *why = NULL;
    if (cli_parse_count(text, 1, max, out, &why) == 0)
        return 0;
    cli_usage_error("invalid %s '%s': %s (expected an integer from 1 to %lld)",
                    name, text, why, (long long)max);
    return -1;
}

/* Name of the option getopt was looking at in argv[elem], for messages. */
static void option_name(char *buf, size_t size, const char *elem, int opt)
{
    if (elem != NULL && strncmp(elem, "--", 2) == 0) {
        size_t len = strcspn(elem, "=");
        snprintf(buf, size, "%.*s", (int)len, elem);
    } else if (opt > 0 && opt < 256) {
        snprintf(buf, size, "-%c", opt);
    } else {
        snprintf(buf, size, "%s", elem != NULL ? elem : "?");
    }
}

/* How many long options "--xyz[=...]" abbreviates (0 unless it starts "--"). */
static int count_prefix_matches(const char *elem)
{
    if (elem == NULL || strncmp(elem, "--", 2) != 0)
        return 0;
    size_t len = strcspn(elem + 2, "=");
    int count = 0;
    for (const struct option *o = long_options; o->name != NULL; o++)
        count += strncmp(o->name, elem + 2, len) == 0;
    return count;
}

int cli_parse_options(int argc, char **argv, cli_options *opt)
{
    const char *positional[3];
    int npos = 0;
    int64_t value;

    memset(opt, 0, sizeof *opt);
    opt->rule.kind = QM_RULE_MIDPOINT;
    opt->rule.points = QM_GAUSS_DEFAULT_POINTS;
    opt->schedule = QM_SCHEDULE_AUTO;
    opt->format = CLI_FORMAT_TEXT;
    opt->repeat = 1;

    opterr = 0;
    optind = 1;
    for (;;) {
        /* getopt has finished every element before optind (an element
         * starting "-<digit>" is never begun by it, see looks_negative), so
         * skipping one here cannot split an option cluster. */
        if (optind < argc && looks_negative(argv[optind])) {
            const char *arg = argv[optind++];
            if (npos == 3) {
                cli_usage_error("too many arguments: '%s'", arg);
                return CLI_PARSE_ERROR;
            }
            positional[npos++] = arg;
            continue;
        }
        int elem = optind;
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1)
            break;
        const char *elem_text = elem < argc ? argv[elem] : NULL;
        char name[64];
        switch (c) {
        case 1:
            if (npos == 3) {
                cli_usage_error("too many arguments: '%s'", optarg);
                return CLI_PARSE_ERROR;
            }
            positional[npos++] = optarg;
            break;
        case 'n':
            if (parse_count_option("number of points", optarg, CLI_MAX_N, &opt->n))
                return CLI_PARSE_ERROR;
            break;
        case 'r':
            if (qm_rule_parse(optarg, &opt->rule) != QM_SUCCESS) {
                cli_usage_error("unknown rule '%s' (expected left, midpoint, "
                                "trapezoid, simpson, gauss or gauss:K with "
                                "1 <= K <= %d)", optarg, QM_GAUSS_MAX_POINTS);
                return CLI_PARSE_ERROR;
            }
            break;
        case 't':
            if (parse_count_option("number of threads", optarg, CLI_MAX_THREADS,
                                   &value))
                return CLI_PARSE_ERROR;
            opt->threads = (int)value;
            break;
        case OPT_SCHEDULE:
            if (qm_schedule_parse(optarg, &opt->schedule) != QM_SUCCESS) {
                cli_usage_error("unknown schedule '%s' (expected static, "
                                "dynamic, guided or auto)", optarg);
                return CLI_PARSE_ERROR;
            }
            opt->schedule_given = 1;
            break;
        case OPT_CHUNK:
            if (parse_count_option("chunk size", optarg, INT64_MAX, &opt->chunk))
                return CLI_PARSE_ERROR;
            opt->schedule_given = 1;
            break;
        case OPT_SERIAL:
            opt->serial = 1;
            break;
        case OPT_BUILTIN:
            opt->builtin = optarg;
            break;
        case OPT_PLUGIN:
            opt->plugin = optarg;
            break;
        case OPT_LIST_BUILTINS:
            print_builtins();
            return CLI_PARSE_DONE;
        case OPT_VALIDATE:
            opt->validate = 1;
            break;
        case OPT_INFO:
            opt->info = 1;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0) {
                opt->format = CLI_FORMAT_TEXT;
            } else if (strcmp(optarg, "json") == 0) {
                opt->format = CLI_FORMAT_JSON;
            } else if (strcmp(optarg, "csv") == 0) {
                opt->format = CLI_FORMAT_CSV;
            } else {
                cli_usage_error("unknown format '%s' (expected text, json or csv)",
                                optarg);
                return CLI_PARSE_ERROR;
            }
            break;
        case OPT_REPEAT:
            if (parse_count_option("repeat count", optarg, CLI_MAX_REPEAT, &value))
                return CLI_PARSE_ERROR;
            opt->repeat = (int)value;
            break;
        case 'q':
            opt->quiet = 1;
            break;
        case 'h':
            print_help();
            return CLI_PARSE_DONE;
        case 'V':
            printf("integrate (quadmap) %s\n", QM_VERSION_STRING);
            return CLI_PARSE_DONE;
        case ':':
            option_name(name, sizeof name, elem_text, optopt);
            cli_usage_error("option '%s' requires an argument", name);
            return CLI_PARSE_ERROR;
        default: /* '?' */
            option_name(name, sizeof name, elem_text, optopt);
            if (elem_text != NULL && strncmp(elem_text, "--", 2) == 0 &&
                optopt != 0 && strchr(elem_text, '=') != NULL)
                cli_usage_error("option '%s' doesn't allow an argument", name);
            else if (count_prefix_matches(elem_text) > 1)
                cli_usage_error("ambiguous option '%s'", name);
            else
                cli_usage_error("unrecognized option '%s'", name);
            return CLI_PARSE_ERROR;
        }
    }
    for (; optind < argc; optind++) { /* after "--" */
        if (npos == 3) {
            cli_usage_error("too many arguments: '%s'", argv[optind]);
            return CLI_PARSE_ERROR;
        }
        positional[npos++] = argv[optind];
    }

    if (opt->builtin != NULL && opt->plugin != NULL) {
        cli_usage_error("--builtin and --plugin cannot be combined");
        return CLI_PARSE_ERROR;
    }
    if (opt->serial && opt->threads > 1) {
        cli_usage_error("--serial runs on one thread, not %d", opt->threads);
        return CLI_PARSE_ERROR;
    }

    /* EXPR [A B], or only [A B] when the integrand comes from an option. */
    int first_bound = 0;
    if (opt->builtin == NULL && opt->plugin == NULL) {
        if (npos == 2) {
            cli_usage_error("lower bound '%s' given without an upper bound",
                            positional[1]);
            return CLI_PARSE_ERROR;
        }
        if (npos >= 1)
            opt->expr = positional[0];
        first_bound = 1;
    } else {
        if (npos == 3) {
            cli_usage_error("an expression ('%s') cannot be combined with %s",
                            positional[0],
                            opt->builtin != NULL ? "--builtin" : "--plugin");
            return CLI_PARSE_ERROR;
        }
        if (npos == 1) {
            cli_usage_error("lower bound '%s' given without an upper bound",
                            positional[0]);
            return CLI_PARSE_ERROR;
        }
    }
    if (npos > first_bound) {
        opt->a_text = positional[first_bound];
        opt->b_text = positional[first_bound + 1];
    } else {
        opt->a_text = CLI_DEFAULT_A;
        opt->b_text = CLI_DEFAULT_B;
    }
    return CLI_PARSE_RUN;
}
