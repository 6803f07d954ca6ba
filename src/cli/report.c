/**
 * @file report.c
 * @brief Text, JSON and CSV reports.
 *
 * JSON and CSV are written from one table of fields so that they always
 * carry the same keys in the same order.  Values are printed with 17
 * significant digits (%.17g), which round-trips doubles, so runs can be
 * compared bit for bit; non-finite values become JSON null / empty CSV.
 */
#include "report.h"

#include <math.h>
#include <string.h>

typedef enum field_type { FIELD_NUM, FIELD_INT, FIELD_STR } field_type;

typedef struct field {
    const char *key;
    field_type type;
    double num;      /* FIELD_NUM; non-finite = null */
    long long integer;
    const char *str; /* FIELD_STR; NULL = null */
} field;

enum { MAX_FIELDS = 40 };

static double abs_error(const cli_report *r)
{
    if (r->reference_kind == NULL || r->status != QM_SUCCESS)
        return NAN;
    return fabs(r->res.value - r->reference);
}

static double rel_error(const cli_report *r)
{
    double e = abs_error(r);
    return r->reference != 0.0 ? e / fabs(r->reference) : NAN;
}

static double throughput(const cli_report *r)
{
    return r->seconds > 0.0 ? (double)r->res.evaluations / r->seconds : NAN;
}

#define NUM(k, v) f[n++] = (field){.key = (k), .type = FIELD_NUM, .num = (v)}
#define INT(k, v) f[n++] = (field){.key = (k), .type = FIELD_INT, .integer = (v)}
#define STR(k, v) f[n++] = (field){.key = (k), .type = FIELD_STR, .str = (v)}

static size_t collect_fields(const cli_report *r, field *f)
{
    size_t n = 0;
    int ok = r->status == QM_SUCCESS;
    int have_ref = ok && r->reference_kind != NULL;

    NUM("result", r->res.value);
    NUM("abserr", ok || r->adaptive ? r->res.abserr : NAN);
    NUM("reference", have_ref ? r->reference : NAN);
    NUM("reference_abserr", have_ref ? r->reference_abserr : NAN);
    STR("reference_kind", r->reference_kind);
    NUM("error", abs_error(r));
    NUM("rel_error", rel_error(r));
    STR("rule", r->rule);
    if (r->adaptive && r->n == 0)
        STR("n", NULL);
    else
        INT("n", r->n);
    NUM("epsabs", r->adaptive ? r->epsabs : NAN);
    NUM("epsrel", r->adaptive ? r->epsrel : NAN);
    INT("subregions", r->subregions);
    INT("dim", r->dim > 0 ? r->dim : 1);
    NUM("a", r->a);
    NUM("b", r->b);
    STR("expression", r->expression);
    STR("integrand", r->integrand);
    STR("builtin", r->builtin);
    INT("evaluations", r->res.evaluations);
    STR("backend", r->backend);
    INT("threads", r->threads);
    INT("ranks", r->ranks);
    STR("schedule", r->schedule);
    INT("chunk", r->chunk);
    INT("repeat", r->repeat);
    NUM("seconds", r->seconds);
    NUM("seconds_median", r->seconds_median);
    NUM("points_per_second", throughput(r));
    INT("status", r->status);
    STR("message", qm_strerror(r->status));
    NUM("fail_x", r->res.fail_x);
    INT("user_status", r->res.user_status);
    if (r->fail_rank >= 0)
        INT("fail_rank", r->fail_rank);
    else
        STR("fail_rank", NULL);
    STR("validation", !r->validated ? NULL : r->agrees ? "agree" : "disagree");
    NUM("gsl_result", r->validated ? r->gsl.value : NAN);
    NUM("gsl_abserr", r->validated ? r->gsl.abserr : NAN);
    if (r->validated)
        INT("gsl_status", r->gsl.status);
    else
        STR("gsl_status", NULL);
    STR("version", QM_VERSION_STRING);
    return n;
}

#undef NUM
#undef INT
#undef STR

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':  fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void print_json(FILE *out, const field *f, size_t n)
{
    fputc('{', out);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputs(", ", out);
        json_string(out, f[i].key);
        fputs(": ", out);
        switch (f[i].type) {
        case FIELD_NUM:
            if (isfinite(f[i].num))
                fprintf(out, "%.17g", f[i].num);
            else
                fputs("null", out);
            break;
        case FIELD_INT:
            fprintf(out, "%lld", f[i].integer);
            break;
        case FIELD_STR:
            if (f[i].str != NULL)
                json_string(out, f[i].str);
            else
                fputs("null", out);
            break;
        }
    }
    fputs("}\n", out);
}

/* RFC 4180: quote fields holding a comma, quote or line break. */
static void csv_string(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void print_csv(FILE *out, const field *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i > 0 ? "," : "", f[i].key);
    fputc('\n', out);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc(',', out);
        switch (f[i].type) {
        case FIELD_NUM:
            if (isfinite(f[i].num))
                fprintf(out, "%.17g", f[i].num);
            break;
        case FIELD_INT:
            fprintf(out, "%lld", f[i].integer);
            break;
        case FIELD_STR:
            if (f[i].str != NULL)
                csv_string(out, f[i].str);
            break;
        }
    }
    fputc('\n', out);
}

static void print_text(FILE *out, const cli_report *r)
{
    if (r->builtin != NULL)
        fprintf(out, "integrand   : %s (builtin %s)\n", r->expression, r->builtin);
    else
        fprintf(out, "integrand   : %s (%s)\n", r->expression, r->integrand);
    if (r->dim > 1 && r->lo != NULL && r->hi != NULL) {
        fprintf(out, "box         : ");
        for (int k = 0; k < r->dim; k++)
            fprintf(out, "%s[%.17g, %.17g]", k ? " x " : "", r->lo[k], r->hi[k]);
        fputc('\n', out);
    } else {
        fprintf(out, "interval    : [%.17g, %.17g]\n", r->a, r->b);
    }
    if (r->adaptive && r->n > 0) /* Monte Carlo: samples */
        fprintf(out, "rule        : %s, %lld samples\n", r->rule, (long long)r->n);
    else if (r->adaptive)
        fprintf(out, "rule        : %s, epsabs %.3g, epsrel %.3g, %lld subregions\n",
                r->rule, r->epsabs, r->epsrel, (long long)r->subregions);
    else
        fprintf(out, "rule        : %s, N = %lld panels\n", r->rule, (long long)r->n);
    fprintf(out, "result      : %.17g\n", r->res.value);
    if (r->status != QM_SUCCESS) {
        fprintf(out, "status      : %d (%s)\n", r->status, qm_strerror(r->status));
    } else if (r->reference_kind != NULL) {
        if (strcmp(r->reference_kind, "exact") == 0)
            fprintf(out, "reference   : %.17g (exact)\n", r->reference);
        else if (r->reference_status == 0)
            fprintf(out, "reference   : %.17g (GSL %s, abserr %.2g)\n",
                    r->reference, r->gsl.routine ? r->gsl.routine : "qags",
                    r->reference_abserr);
        else
            fprintf(out, "reference   : %.17g (GSL %s, abserr %.2g; GSL "
                    "status %d: %s)\n", r->reference,
                    r->gsl.routine ? r->gsl.routine : "qags", r->reference_abserr,
                    r->reference_status, r->gsl.message != NULL
                    ? r->gsl.message : "failed");
        fprintf(out, "error       : %.2e absolute, %.2e relative\n",
                abs_error(r), rel_error(r));
    }
    if (r->status == QM_SUCCESS || (r->adaptive && isfinite(r->res.abserr)))
        fprintf(out, "abserr      : %.2e (estimate)\n", r->res.abserr);
    fprintf(out, "evaluations : %lld\n", (long long)r->res.evaluations);
    fprintf(out, "backend     : %s, %d thread%s, %d rank%s, schedule %s, chunk ",
            r->backend, r->threads, r->threads == 1 ? "" : "s", r->ranks,
            r->ranks == 1 ? "" : "s", r->schedule);
    if (r->chunk > 0)
        fprintf(out, "%lld\n", (long long)r->chunk);
    else
        fputs("default\n", out);
    if (r->repeat > 1)
        fprintf(out, "time        : %.6f s (fastest of %d runs; median %.6f s)\n",
                r->seconds, r->repeat, r->seconds_median);
    else
        fprintf(out, "time        : %.6f s\n", r->seconds);
    fprintf(out, "throughput  : %.3e evaluations/s\n", throughput(r));
    if (r->validated) {
        double diff = fabs(r->res.value - r->gsl.value);
        fprintf(out, "validation  : %s: GSL %s %.17g, abserr %.2g (status %d), "
                "|difference| %.2e\n", r->agrees ? "agrees" : "DISAGREES",
                r->gsl.routine ? r->gsl.routine : "qags", r->gsl.value, r->gsl.abserr, r->gsl.status, diff);
    }
}

void cli_report_print(FILE *out, cli_format format, int quiet,
                      const cli_report *r)
{
    field f[MAX_FIELDS];
    size_t n;

    switch (format) {
    case CLI_FORMAT_JSON:
        n = collect_fields(r, f);
        print_json(out, f, n);
        break;
    case CLI_FORMAT_CSV:
        n = collect_fields(r, f);
        print_csv(out, f, n);
        break;
    case CLI_FORMAT_TEXT:
    default:
        if (quiet)
            fprintf(out, "%.17g\n", r->res.value);
        else
            print_text(out, r);
        break;
    }
}

void cli_report_failure(const cli_report *r)
{
    /* %#.17g keeps trailing zeros: 3 prints as 3.0000000000000000, so the
     * abscissa is visibly a full-precision value. */
    char where[96] = "";
    int len = 0;
    if (!isnan(r->res.fail_x))
        len = snprintf(where, sizeof where, " at x = %#.17g", r->res.fail_x);
    if (r->ranks > 1 && r->fail_rank >= 0 && len >= 0 &&
        (size_t)len < sizeof where)
        snprintf(where + len, sizeof where - (size_t)len, " on rank %d",
                 r->fail_rank);

    switch (r->status) {
    case QM_ENONFINITE:
        cli_error("integrand returned a non-finite value%s (status %d)",
                  where, r->status);
        break;
    case QM_EUSER:
        cli_error("integrand failed with user status %d%s (status %d)",
                  r->res.user_status, where, r->status);
        break;
    default:
        cli_error("%s (status %d)", qm_strerror(r->status), r->status);
        break;
    }
}
