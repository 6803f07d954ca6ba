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

#include <errno.h>
#include <getopt.h>
#include <math.h>
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
    OPT_INFO,
    OPT_EPSABS,
    OPT_EPSREL,
    OPT_LIMIT,
    OPT_BREAKPOINTS,
    OPT_DIM,
    OPT_SEED,
    OPT_ENGINE
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
    {"epsabs", required_argument, NULL, OPT_EPSABS},
    {"epsrel", required_argument, NULL, OPT_EPSREL},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"breakpoints", required_argument, NULL, OPT_BREAKPOINTS},
    {"dim", required_argument, NULL, OPT_DIM},
    {"seed", required_argument, NULL, OPT_SEED},
    {"engine", required_argument, NULL, OPT_ENGINE},
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
"Integrate EXPR, an expression in x (muparser's syntax), over [A, B] with a\n"
"composite rule"
" on N panels, in parallel and with bitwise reproducible results.\n"
"\n"
"Options:\n"
"  -n, --points N       panels, 1 to 2^53, e.g. 1e9 (default 1e8 builtin, 1e6)\n"
"  -r, --rule RULE      left|midpoint|trapezoid|simpson|gauss[:K] (midpoint),\n"
"                       or adaptive[:gkN] (N = 15,21,31,41,51,61) | tanh-sinh\n"
"                       | cubature | mc | qmc (multi-dimensional, see --dim)\n"
"      --epsabs E       adaptive: absolute tolerance (default 0)\n"
"      --epsrel E       adaptive: relative tolerance (default 1e-10)\n"
"      --limit L        adaptive: most subintervals (default 1000)\n"
"      --breakpoints P  adaptive, tanh-sinh: interior points P1,P2,... (expressions)\n"
"      --dim D          with --rule cubature|mc|qmc: EXPR in x1..xD, then\n"
"                       bounds A1 B1 ... AD BD (default [0,1]^D); -n is the\n"
"                       evaluation budget (cubature, 1e7) or samples (1e6)\n"
"      --seed S         mc/qmc random seed (default 0)\n"
"      --engine E       expressions: vm (compiled once, evaluated in batches;\n"
"                       default) or muparser (point by point, the reference);\n"
"                       vm rejects assignments (x=3)\n"
"  -t, --threads T      threads, 1 to 4096 (default OMP_NUM_THREADS, all cores)\n"
"      --schedule S     static|dynamic|guided|auto (default auto = static\n"
"                       for integration); never changes the bits\n"
"      --chunk C        blocks per chunk for the schedule (default OpenMP's)\n"
"      --serial         use the serial backend (one thread)\n"
"      --builtin NAME   integrate a native builtin; positionals are then [A B]\n"
"      --plugin F:SYM   integrate function SYM of shared object F; then [A B]\n"
"      --list-builtins  list the builtins and their formulas, then exit\n"
"      --info           print ranks, threads, cores, CPU binding and MPI, then exit\n"
"      --validate       compare with GSL (qags, qagiu, qagil, qagi or qagp);\n"
"                       exit 3 if beyond both error estimates\n"
"      --format F       text|json|csv (default text; json is one line)\n"
"      --repeat K       run K times; fastest and median time; bits must match\n"
"  -q, --quiet          print only the result (17 significant digits; text)\n"
"  -h, --help           print this help and exit\n"
"  -V, --version        print the version and exit\n"
"\n"
"Expressions: numbers (2, .5, 1e-3), x (or x1..xD with --dim), constants pi,\n"
"e, inf, _pi, _e; + - * / ^ (^ binds tightest, right to left: -2^2 = -4),\n"
"< > <= >= == != (1 or 0), && ||, c ? a : b; sin cos tan asin acos atan\n"
"atan2(y,x) sinh cosh tanh asinh acosh atanh exp ln log (natural) log2 log10\n"
"sqrt abs sign rint, and min max sum avg of any number of arguments.\n"
"They are compiled once (constants folded, x^k for integer |k| <= 16 as\n"
"products) and run in vectorized batches, about 1 ns per point for a\n"
"polynomial and 5-30 ns with elementary functions (SLEEF's deterministic\n"
"vector math: the same bits on every CPU, within a few ulp of glibc).\n"
"\n"
"Defaults: EXPR = x^2, A = 0, B = 10; N = 1e8 for builtins (an EXPR equal to\n"
"a builtin's formula, like x^2, runs the native builtin), else 1e6.\n"
"A and B are expressions too (pi/2); inf and -inf bound adaptive rules.\n"
"An argument starting with '-' and a digit, '.', '(', 'inf' or 'pi' is an\n"
"argument (integrate 'x^3' -1 1); put others after --.\n"
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
           ((arg[1] >= '0' && arg[1] <= '9') || arg[1] == '.' || arg[1] == '(' ||
            strncmp(arg + 1, "inf", 3) == 0 || strncmp(arg + 1, "pi", 2) == 0);
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

/* "adaptive", "adaptive:gk31", "tanh-sinh": 0 when recognized (prints a
 * usage error and returns -2 for a bad Gauss-Kronrod key), -1 otherwise. */
static int parse_method(const char *text, cli_options *opt)
{
    static const struct { const char *name; qm_method m; } named[] = {
        {"tanh-sinh", QM_METHOD_TANH_SINH}, {"cubature", QM_METHOD_GENZ_MALIK},
        {"mc", QM_METHOD_MC}, {"qmc", QM_METHOD_QMC}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(text, named[i].name) == 0) {
            opt->method = named[i].m;
            opt->fixed = 0;
            return 0;
        }
    if (strncmp(text, "adaptive", 8) != 0 || (text[8] != '\0' && text[8] != ':'))
        return -1;
    opt->method = QM_METHOD_QAGS;
    opt->fixed = 0;
    opt->gk_key = 0;
    if (text[8] == ':') {
        static const char *const keys[] = {"gk15", "gk21", "gk31", "gk41", "gk51", "gk61"};
        for (int i = 0; i < 6; i++)
            if (strcmp(text + 9, keys[i]) == 0)
                opt->gk_key = atoi(keys[i] + 2);
        if (opt->gk_key == 0)
            return -1;
    }
    return 0;
}

/* EXPR [A1 B1 ... AD BD] of the multi-dimensional methods. */
static int multi_positionals(cli_options *opt, const char *const *pos, int npos)
{
    if (opt->builtin != NULL || opt->plugin != NULL || opt->breakpoints != NULL) {
        cli_usage_error("--rule cubature, mc and qmc take an expression in "
                        "x1..xD (not --builtin, --plugin or --breakpoints)");
        return CLI_PARSE_ERROR;
    }
    if (opt->method == QM_METHOD_GENZ_MALIK && opt->dim < 2) {
        cli_usage_error("--rule cubature needs --dim 2 or more "
                        "(use --rule adaptive in one dimension)");
        return CLI_PARSE_ERROR;
    }
    if (npos == 0) {
        cli_usage_error("--rule %s needs an expression in x1..x%d",
                        opt->method == QM_METHOD_GENZ_MALIK ? "cubature"
                        : opt->method == QM_METHOD_MC ? "mc" : "qmc", opt->dim);
        return CLI_PARSE_ERROR;
    }
    if (npos != 1 && npos != 1 + 2 * opt->dim) {
        cli_usage_error("--dim %d takes EXPR and %d bounds (A1 B1 ... A%d B%d), "
                        "got %d", opt->dim, 2 * opt->dim, opt->dim, opt->dim,
                        npos - 1);
        return CLI_PARSE_ERROR;
    }
    if (opt->method == QM_METHOD_GENZ_MALIK && opt->epsabs <= 0.0 &&
        opt->epsrel <= 0.0) {
        cli_usage_error("--epsabs and --epsrel cannot both be zero");
        return CLI_PARSE_ERROR;
    }
    opt->expr = pos[0];
    for (int k = 0; k < opt->dim; k++) {
        opt->lo_text[k] = npos > 1 ? pos[1 + 2 * k] : "0";
        opt->hi_text[k] = npos > 1 ? pos[2 + 2 * k] : "1";
    }
    opt->a_text = opt->lo_text[0];
    opt->b_text = opt->hi_text[0];
    return CLI_PARSE_RUN;
}

/* A tolerance: a finite number >= 0.  Prints the usage error itself. */
static int parse_tolerance(const char *name, const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !(v >= 0.0) || isinf(v)) {
        cli_usage_error("invalid %s '%s' (expected a finite number >= 0)", name, text);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_options(int argc, char **argv, cli_options *opt)
{
    enum { MAXPOS = 1 + 2 * CLI_MAX_DIM };
    const char *positional[MAXPOS];
    int npos = 0;
    int64_t value;

    memset(opt, 0, sizeof *opt);
    opt->fixed = 1;
    opt->rule.kind = QM_RULE_MIDPOINT;
    opt->rule.points = QM_GAUSS_DEFAULT_POINTS;
    opt->schedule = QM_SCHEDULE_AUTO;
    opt->format = CLI_FORMAT_TEXT;
    opt->repeat = 1;
    opt->epsabs = CLI_DEFAULT_EPSABS;
    opt->epsrel = CLI_DEFAULT_EPSREL;
    opt->dim = 1;

    opterr = 0;
    optind = 1;
    for (;;) {
        /* getopt has finished every element before optind (an element
         * starting "-<digit>" is never begun by it, see looks_negative), so
         * skipping one here cannot split an option cluster. */
        if (optind < argc && looks_negative(argv[optind])) {
            const char *arg = argv[optind++];
            if (npos == MAXPOS) {
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
            if (npos == MAXPOS) {
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
            if (parse_method(optarg, opt) == 0)
                break;
            opt->fixed = 1;
            opt->method = QM_METHOD_DEFAULT;
            if (qm_rule_parse(optarg, &opt->rule) != QM_SUCCESS) {
                cli_usage_error("unknown rule '%s' (expected left, midpoint, "
                                "trapezoid, simpson, gauss[:K] with "
                                "1 <= K <= %d, adaptive[:gkN] or tanh-sinh)",
                                optarg, QM_GAUSS_MAX_POINTS);
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
        case OPT_ENGINE:
            if (strcmp(optarg, "vm") == 0)
                opt->engine = CLI_ENGINE_VM;
            else if (strcmp(optarg, "muparser") == 0)
                opt->engine = CLI_ENGINE_MUPARSER;
            else {
                cli_usage_error("unknown engine '%s' (expected vm or muparser)", optarg);
                return CLI_PARSE_ERROR;
            }
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
        case OPT_EPSABS:
        case OPT_EPSREL:
            if (parse_tolerance(c == OPT_EPSABS ? "--epsabs" : "--epsrel", optarg,
                                c == OPT_EPSABS ? &opt->epsabs : &opt->epsrel))
                return CLI_PARSE_ERROR;
            break;
        case OPT_LIMIT:
            if (parse_count_option("subinterval limit", optarg, INT32_MAX, &opt->limit))
                return CLI_PARSE_ERROR;
            break;
        case OPT_BREAKPOINTS:
            opt->breakpoints = optarg;
            break;
        case OPT_DIM:
            if (parse_count_option("dimension", optarg, CLI_MAX_DIM, &value))
                return CLI_PARSE_ERROR;
            opt->dim = (int)value;
            break;
        case OPT_SEED: {
            const char *why = NULL;
            if (cli_parse_count(optarg, 0, INT64_MAX, &value, &why) != 0) {
                cli_usage_error("invalid seed '%s': %s", optarg, why);
                return CLI_PARSE_ERROR;
            }
            opt->seed = (uint64_t)value;
            break;
        }
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
        if (npos == MAXPOS) {
            cli_usage_error("too many arguments: '%s'", argv[optind]);
            return CLI_PARSE_ERROR;
        }
        positional[npos++] = argv[optind];
    }

    if (opt->builtin != NULL && opt->plugin != NULL) {
        cli_usage_error("--builtin and --plugin cannot be combined");
        return CLI_PARSE_ERROR;
    }
    if (CLI_METHOD_IS_MULTI(opt->method))
        return multi_positionals(opt, positional, npos);
    if (opt->dim != 1) {
        cli_usage_error("--dim %d needs --rule cubature, mc or qmc", opt->dim);
        return CLI_PARSE_ERROR;
    }
    if (npos > 3) {
        cli_usage_error("too many arguments: '%s'", positional[3]);
        return CLI_PARSE_ERROR;
    }
    if (!opt->fixed && opt->n > 0) {
        cli_usage_error("-n applies to the fixed rules, not to --rule %s "
                        "(use --epsabs/--epsrel/--limit)",
                        opt->method == QM_METHOD_QAGS ? "adaptive" : "tanh-sinh");
        return CLI_PARSE_ERROR;
    }
    if (opt->fixed && opt->breakpoints != NULL) {
        cli_usage_error("--breakpoints needs --rule adaptive or tanh-sinh");
        return CLI_PARSE_ERROR;
    }
    if (!opt->fixed && opt->epsabs <= 0.0 && opt->epsrel <= 0.0) {
        cli_usage_error("--epsabs and --epsrel cannot both be zero");
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
