/*
 * Error paths: every documented status, the result filled on failure,
 * deterministic failure reports whatever the thread count, and prompt
 * termination after an integrand failure.
 */
#include "test_common.h"

#include <limits.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ helpers */

static int square_fn(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] * x[i];
    return 0;
}

static int stop_at_once(size_t n, const double *x, double *y, void *data)
{
    (void)n; (void)x; (void)y; (void)data;
    return 3;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Expect `status` and a result marking failure (value NaN). */
#define CHECK_FAILS(call, status, res, what)                                    \
    do {                                                                        \
        (res).value = 1.0;                                                      \
        int st_ = (call);                                                       \
        QMT_CHECK(st_ == (status) && isnan((res).value),                        \
                  "%s: status %d (want %d), value %g (want NaN)", (what), st_, \
                  (int)(status), (res).value);                                  \
    } while (0)

static const qm_rule all_rules[] = {
    {QM_RULE_LEFT, 0}, {QM_RULE_MIDPOINT, 0}, {QM_RULE_TRAPEZOID, 0},
    {QM_RULE_SIMPSON, 0}, {QM_RULE_GAUSS, 1}, {QM_RULE_GAUSS, 7},
};
#define NRULES (sizeof all_rules / sizeof all_rules[0])

/* ------------------------------------------------------------ invalid arguments */

static void null_pointers_are_einval(void)
{
    qm_exec *ex = qmt_serial();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
    qm_rule mid = {QM_RULE_MIDPOINT, 0};
    qm_result res;
    CHECK_FAILS(qm_integrate(NULL, square_fn, NULL, 0, 1, 10, &mid, &res), QM_EINVAL, res, "NULL ex");
    CHECK_FAILS(qm_integrate(ex, NULL, NULL, 0, 1, 10, &mid, &res), QM_EINVAL, res, "NULL f");
    CHECK_FAILS(qm_integrate(ex, square_fn, NULL, 0, 1, 10, NULL, &res), QM_EINVAL, res, "NULL rule");
    CU_ASSERT_EQUAL(qm_integrate(ex, square_fn, NULL, 0, 1, 10, &mid, NULL), QM_EINVAL);
    CHECK_FAILS(qm_integrate_scalar(NULL, NULL, NULL, 0, 1, 10, &mid, &res), QM_EINVAL, res, "scalar NULL ex");
    CHECK_FAILS(qm_integrate_scalar(ex, NULL, NULL, 0, 1, 10, &mid, &res), QM_EINVAL, res, "scalar NULL f");
    CU_ASSERT_EQUAL(qm_integrate_scalar(ex, NULL, NULL, 0, 1, 10, &mid, NULL), QM_EINVAL);
    qm_exec_free(ex);
    qm_exec_free(NULL); /* allowed */
}

static void nonpositive_or_huge_n_is_einval(void)
{
    qm_exec *ex = qmt_serial();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
    qm_rule mid = {QM_RULE_MIDPOINT, 0};
    qm_result res;
    const int64_t bad[] = {0, -1, -12289, INT64_MIN};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "N=%lld", (long long)bad[i]);
        CHECK_FAILS(qm_integrate(ex, square_fn, NULL, 0, 1, bad[i], &mid, &res), QM_EINVAL, res, what);
    }
    /* The documented range is N <= 2^53.  (The integrand stops at once,
     * so an implementation accepting these would return QM_EUSER, not
     * hang.) */
    const int64_t huge[] = {(INT64_C(1) << 53) + 2, INT64_MAX};
    qm_rule simp = {QM_RULE_SIMPSON, 0};
    for (size_t i = 0; i < 2; i++) {
        char what[64];
        snprintf(what, sizeof what, "N=%lld (> 2^53)", (long long)huge[i]);
        CHECK_FAILS(qm_integrate(ex, stop_at_once, NULL, 0, 1, huge[i], &simp, &res), QM_EINVAL, res, what);
        CU_ASSERT_EQUAL(qm_rule_evaluations(&simp, huge[i]), -1);
    }
    qm_exec_free(ex);
}

static void nonfinite_bounds_are_einval(void)
{
    qm_exec *ex = qmt_serial();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
    qm_rule mid = {QM_RULE_MIDPOINT, 0};
    qm_result res;
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < 3; i++) {
        char what[64];
        snprintf(what, sizeof what, "a=%g", bad[i]);
        CHECK_FAILS(qm_integrate(ex, square_fn, NULL, bad[i], 1, 10, &mid, &res), QM_EINVAL, res, what);
        snprintf(what, sizeof what, "b=%g", bad[i]);
        CHECK_FAILS(qm_integrate(ex, square_fn, NULL, 0, bad[i], 10, &mid, &res), QM_EINVAL, res, what);
        snprintf(what, sizeof what, "a=b=%g", bad[i]);
        CHECK_FAILS(qm_integrate(ex, square_fn, NULL, bad[i], bad[i], 10, &mid, &res), QM_EINVAL, res, what);
    }
    qm_exec_free(ex);
}

static void invalid_rules_are_einval(void)
{
    qm_exec *ex = qmt_serial();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
    qm_rule bad[] = {{QM_RULE_GAUSS, 0}, {QM_RULE_GAUSS, -1},
                     {QM_RULE_GAUSS, QM_GAUSS_MAX_POINTS + 1},
                     {(qm_rule_kind)99, 0}, {(qm_rule_kind)-1, 0}};
    char buf[16];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        qm_result res;
        char what[64];
        snprintf(what, sizeof what, "rule kind %d points %d", (int)bad[i].kind, bad[i].points);
        CHECK_FAILS(qm_integrate(ex, square_fn, NULL, 0, 1, 10, &bad[i], &res), QM_EINVAL, res, what);
        CU_ASSERT_EQUAL(qm_rule_evaluations(&bad[i], 10), -1);
        CU_ASSERT_EQUAL(qm_rule_name(&bad[i], buf, sizeof buf), QM_EINVAL);
    }
    qm_rule mid = {QM_RULE_MIDPOINT, 0}, g = {QM_RULE_GAUSS, 64};
    CU_ASSERT_EQUAL(qm_rule_evaluations(&mid, 0), -1);
    CU_ASSERT_EQUAL(qm_rule_evaluations(&mid, -5), -1);
    CU_ASSERT_EQUAL(qm_rule_evaluations(NULL, 5), -1);
    CU_ASSERT_EQUAL(qm_rule_name(&g, buf, 16), QM_SUCCESS);   /* "16 is always enough" */
    CU_ASSERT_EQUAL(qm_rule_name(&g, buf, 3), QM_EINVAL);     /* too small */
    CU_ASSERT_EQUAL(qm_rule_name(&g, NULL, 16), QM_EINVAL);
    qm_exec_free(ex);
}

static void rule_parse_rejects_malformed_names(void)
{
    const char *bad[] = {"gauss:0", "gauss:65", "gauss:x", "simp", "", "gauss:",
                         "gauss:-1", "gauss:7x", "gauss:3:4", "midpoints",
                         "left ", "trapezoidal"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        qm_rule r;
        int st = qm_rule_parse(bad[i], &r);
        QMT_CHECK(st == QM_EINVAL, "qm_rule_parse(\"%s\") = %d, want QM_EINVAL",
                  bad[i], st);
    }
    qm_rule r;
    CU_ASSERT_EQUAL(qm_rule_parse(NULL, &r), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_rule_parse("midpoint", NULL), QM_EINVAL);
}

static void executor_settings_reject_bad_values(void)
{
    qm_exec *ex = NULL;
    CU_ASSERT_EQUAL(qm_exec_new(NULL, QM_BACKEND_SERIAL), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_exec_new(&ex, (qm_backend)99), QM_EINVAL);
    CU_ASSERT_PTR_NULL(ex);
    CU_ASSERT_EQUAL(qm_exec_set_threads(NULL, 1), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_exec_set_schedule(NULL, QM_SCHEDULE_STATIC, 0), QM_EINVAL);

    ex = qmt_serial();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
    CU_ASSERT_EQUAL(qm_exec_set_threads(ex, -1), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_exec_set_threads(ex, 2), QM_EINVAL); /* serial: 0 or 1 */
    CU_ASSERT_EQUAL(qm_exec_set_threads(ex, 1), QM_SUCCESS);
    CU_ASSERT_EQUAL(qm_exec_set_threads(ex, 0), QM_SUCCESS);
    qm_exec_free(ex);

    int st = qm_exec_new(&ex, QM_BACKEND_OPENMP);
    if (st == QM_ENOTSUP) {
        CU_ASSERT_FALSE(qm_backend_available(QM_BACKEND_OPENMP));
        return;
    }
    CU_ASSERT_EQUAL_FATAL(st, QM_SUCCESS);
    CU_ASSERT_EQUAL(qm_exec_set_threads(ex, -1), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_exec_set_threads(ex, INT_MIN), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_exec_set_schedule(ex, (qm_schedule)99, 0), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_exec_set_schedule(ex, (qm_schedule)-1, 0), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_exec_set_schedule(ex, QM_SCHEDULE_DYNAMIC, -1), QM_EINVAL);
    /* a rejected setting leaves the executor as it was */
    CU_ASSERT_EQUAL(qm_exec_schedule(ex), QM_SCHEDULE_AUTO);
    CU_ASSERT_EQUAL(qm_exec_chunk(ex), 0);
    qm_exec_free(ex);
}

static void schedule_and_backend_names_parse(void)
{
    qm_schedule s;
    const qm_schedule all[] = {QM_SCHEDULE_STATIC, QM_SCHEDULE_DYNAMIC, QM_SCHEDULE_GUIDED,
                               QM_SCHEDULE_AUTO};
    for (size_t i = 0; i < 4; i++) {
        const char *name = qm_schedule_name(all[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(name);
        CU_ASSERT_EQUAL(qm_schedule_parse(name, &s), QM_SUCCESS);
        CU_ASSERT_EQUAL(s, all[i]);
    }
    CU_ASSERT_EQUAL(qm_schedule_parse("bogus", &s), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_schedule_parse("", &s), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_schedule_parse(NULL, &s), QM_EINVAL);
    CU_ASSERT_STRING_EQUAL(qm_backend_name(QM_BACKEND_SERIAL), "serial");
    CU_ASSERT_STRING_EQUAL(qm_backend_name(QM_BACKEND_OPENMP), "openmp");
    CU_ASSERT_STRING_EQUAL(qm_backend_name(QM_BACKEND_DEFAULT), "default");
    CU_ASSERT_TRUE(qm_backend_available(QM_BACKEND_SERIAL));
}

static void other_entry_points_reject_bad_arguments(void)
{
    double x[QM_GAUSS_MAX_POINTS + 1], w[QM_GAUSS_MAX_POINTS + 1], out = 1.0;
    CU_ASSERT_EQUAL(qm_gauss_legendre(0, x, w), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_gauss_legendre(QM_GAUSS_MAX_POINTS + 1, x, w), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_gauss_legendre(3, NULL, w), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_gauss_legendre(3, x, NULL), QM_EINVAL);
    const qm_builtin *sq = qm_builtin_find("sqrt"), *x2 = qm_builtin_find("x2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sq);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x2);
    CU_ASSERT_EQUAL(qm_builtin_integral(NULL, 0, 1, &out), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_builtin_integral(x2, 0, 1, NULL), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_builtin_integral(x2, NAN, 1, &out), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_builtin_integral(x2, 0, INFINITY, &out), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_builtin_integral(sq, -1, 1, &out), QM_EINVAL); /* domain */
    CU_ASSERT_EQUAL(qm_builtin_integral(x2, 0, 3, &out), QM_SUCCESS);
    CU_ASSERT_DOUBLE_EQUAL(out, 9.0, 8 * DBL_EPSILON * 9.0);
}

static void strerror_never_returns_null(void)
{
    const int known[] = {QM_SUCCESS, QM_EINVAL, QM_ENOMEM, QM_EMAXITER, QM_EOVRFLW,
                         QM_EROUND, QM_ESING, QM_EDIVERGE, QM_ENONFINITE,
                         QM_EUSER, QM_ENOTSUP, QM_ECANCELED, QM_EMAPFN};
    const int unknown[] = {-1, 1, 3, 99, 105, 1000, INT_MAX, INT_MIN};
    const char *unknown_msg = qm_strerror(INT_MAX);
    CU_ASSERT_PTR_NOT_NULL_FATAL(unknown_msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(unknown_msg, "unknown"));
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const char *m = qm_strerror(known[i]);
        QMT_CHECK(m != NULL && m[0] != '\0' && strcmp(m, unknown_msg) != 0,
                  "qm_strerror(%d) = %s", known[i], m ? m : "(null)");
        for (size_t j = 0; j < i; j++) /* distinct messages */
            QMT_CHECK(m == NULL || strcmp(m, qm_strerror(known[j])) != 0,
                      "qm_strerror(%d) == qm_strerror(%d)", known[i], known[j]);
    }
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *m = qm_strerror(unknown[i]);
        QMT_CHECK(m != NULL && strcmp(m, unknown_msg) == 0,
                  "qm_strerror(%d) = %s", unknown[i], m ? m : "(null)");
    }
}

/* ------------------------------------------------------------ integrand failures */

/*
 * An integrand failing in two separate places of [0, 1]: in A = [0.3, 0.3+w)
 * and in B = [0.8, 0.8+w), w = 3h, far apart (different blocks) so that
 * with several threads B's block may well be evaluated before A's.  It
 * records the lowest failing abscissa it saw (atomically: for positive
 * doubles the bit patterns order like the values).
 */
typedef struct twofail {
    double w;
    int mode;          /* 0: NaN in A, +Inf in B; 1: return 7 in A, 9 in B */
    uint64_t min_bits; /* lowest failing x seen */
} twofail;

static void atomic_min_pos(uint64_t *slot, double x)
{
    uint64_t bits, old = __atomic_load_n(slot, __ATOMIC_RELAXED);
    memcpy(&bits, &x, sizeof bits);
    while (bits < old
           && !__atomic_compare_exchange_n(slot, &old, bits, 1, __ATOMIC_RELAXED,
                                           __ATOMIC_RELAXED))
        ;
}

static int in_a(const twofail *t, double x) { return x >= 0.3 && x < 0.3 + t->w; }
static int in_b(const twofail *t, double x) { return x >= 0.8 && x < 0.8 + t->w; }

static int twofail_fn(size_t n, const double *x, double *y, void *data)
{
    twofail *t = data;
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        y[i] = x[i];
        if (in_a(t, x[i])) {
            atomic_min_pos(&t->min_bits, x[i]);
            y[i] = NAN;
            if (t->mode == 1 && status == 0)
                status = 7;
        } else if (in_b(t, x[i])) {
            atomic_min_pos(&t->min_bits, x[i]);
            y[i] = INFINITY;
            if (t->mode == 1 && status == 0)
                status = 9;
        }
    }
    return t->mode == 1 ? status : 0;
}

static double bits_to_double(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* Executors to compare: serial first, then OpenMP ones when available. */
static int make_executors(qm_exec **ex, int max)
{
    int n = 0;
    ex[n++] = qmt_serial();
    if (!qmt_have_openmp())
        return n;
    const int threads[] = {1, 2, 3, 4, 7};
    for (int t = 0; t < 5 && n + 2 <= max; t++) {
        ex[n++] = qmt_openmp(threads[t], QM_SCHEDULE_STATIC, 0);
        ex[n++] = qmt_openmp(threads[t], QM_SCHEDULE_DYNAMIC, 1);
    }
    return n;
}

static void free_executors(qm_exec **ex, int n)
{
    for (int i = 0; i < n; i++)
        qm_exec_free(ex[i]);
}

/*
 * NaN/Inf: status QM_ENONFINITE, value NaN, and fail_x is the lowest
 * failing abscissa (in A, not B), bitwise the same for every executor.
 * For rules whose points form one increasing sequence (left, midpoint,
 * trapezoid) "lowest-indexed" and "lowest" coincide, and fail_x must equal
 * the lowest failing abscissa the integrand saw.  For Simpson and Gauss
 * quadmap.h promises the lowest-*indexed* abscissa: the points are indexed
 * one node family after another, so another family may hold a lower
 * failing x; there we check that fail_x lies in A (not B) and is
 * deterministic.
 */
static void nonfinite_reports_lowest_abscissa_for_any_thread_count(void)
{
    qm_exec *ex[11];
    int nex = make_executors(ex, 11);
    for (int i = 0; i < nex; i++)
        CU_ASSERT_PTR_NOT_NULL_FATAL(ex[i]);
    const int64_t n = 200003;
    for (size_t r = 0; r < NRULES; r++) {
        const qm_rule *rule = &all_rules[r];
        char name[32];
        qmt_rule_str(rule, name);
        double first_fail = NAN;
        for (int e = 0; e < nex; e++) {
            twofail t = {3.0 / (double)n, 0, UINT64_MAX};
            qm_result res;
            res.value = 0;
            int st = qm_integrate(ex[e], twofail_fn, &t, 0.0, 1.0, n, rule, &res);
            double lowest = bits_to_double(t.min_bits);
            QMT_CHECK(st == QM_ENONFINITE && isnan(res.value)
                      && in_a(&t, res.fail_x) && res.user_status == 0,
                      "%s exec %d: status %d value %g fail_x %.17g (want in "
                      "[0.3, 0.3+3h)) user_status %d", name, e, st, res.value,
                      res.fail_x, res.user_status);
            if (rule->kind == QM_RULE_LEFT || rule->kind == QM_RULE_MIDPOINT
                || rule->kind == QM_RULE_TRAPEZOID)
                QMT_CHECK(res.fail_x == lowest,
                          "%s exec %d: fail_x %.17g, lowest failing abscissa %.17g",
                          name, e, res.fail_x, lowest);
            if (e == 0)
                first_fail = res.fail_x;
            else
                QMT_CHECK(qmt_same_bits(res.fail_x, first_fail),
                          "%s: fail_x %.17g with %d thread(s) %s, serial %.17g",
                          name, res.fail_x, qm_exec_threads(ex[e]),
                          qm_schedule_name(qm_exec_schedule(ex[e])), first_fail);
        }
    }
    free_executors(ex, nex);
}

/* Nonzero return: QM_EUSER, the status of the lowest failing batch (7, not
 * 9), fail_x = the first abscissa of that batch, so fail_x <= the lowest
 * offending abscissa, and the same for every executor. */
static void user_error_status_is_passed_through_deterministically(void)
{
    qm_exec *ex[11];
    int nex = make_executors(ex, 11);
    for (int i = 0; i < nex; i++)
        CU_ASSERT_PTR_NOT_NULL_FATAL(ex[i]);
    const int64_t n = 200003;
    for (size_t r = 0; r < NRULES; r++) {
        const qm_rule *rule = &all_rules[r];
        char name[32];
        qmt_rule_str(rule, name);
        qm_result first;
        for (int e = 0; e < nex; e++) {
            twofail t = {3.0 / (double)n, 1, UINT64_MAX};
            qm_result res;
            int st = qm_integrate(ex[e], twofail_fn, &t, 0.0, 1.0, n, rule, &res);
            double lowest = bits_to_double(t.min_bits);
            QMT_CHECK(st == QM_EUSER && res.user_status == 7 && isnan(res.value)
                      && res.fail_x >= 0.0 && res.fail_x <= lowest,
                      "%s exec %d: status %d user_status %d value %g fail_x "
                      "%.17g (lowest offending %.17g)", name, e, st,
                      res.user_status, res.value, res.fail_x, lowest);
            if (e == 0)
                first = res;
            else
                QMT_CHECK(qmt_same_bits(res.fail_x, first.fail_x)
                          && res.user_status == first.user_status,
                          "%s: fail_x %.17g status %d with %d thread(s) %s, "
                          "serial %.17g status %d", name, res.fail_x,
                          res.user_status, qm_exec_threads(ex[e]),
                          qm_schedule_name(qm_exec_schedule(ex[e])),
                          first.fail_x, first.user_status);
        }
    }
    free_executors(ex, nex);
}

/* On success fail_x is NaN and user_status 0. */
static void success_leaves_failure_fields_clear(void)
{
    qm_exec *ex = qmt_serial();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
    qm_rule mid = {QM_RULE_MIDPOINT, 0};
    qm_result res;
    res.fail_x = 0.0;
    res.user_status = 5;
    CU_ASSERT_EQUAL(qm_integrate(ex, square_fn, NULL, 0, 1, 100, &mid, &res), QM_SUCCESS);
    CU_ASSERT(isnan(res.fail_x));
    CU_ASSERT_EQUAL(res.user_status, 0);
    qm_exec_free(ex);
}

/* Which points a rule evaluates: the open rules never touch an endpoint
 * (1/sqrt(x) on [0,1] is fine for midpoint and Gauss), left never touches
 * b, and trapezoid evaluates a: 1/x fails there with fail_x == 0. */
static double inv_sqrt(double x, void *d) { (void)d; return 1.0 / sqrt(x); }
static double inv_1mx(double x, void *d) { (void)d; return 1.0 / (1.0 - x); }
static double inv_x(double x, void *d) { (void)d; return 1.0 / x; }

static void endpoints_are_evaluated_only_by_closed_rules(void)
{
    qm_exec *ex = qmt_serial();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
    qm_rule mid = {QM_RULE_MIDPOINT, 0}, g = {QM_RULE_GAUSS, 5};
    qm_rule left = {QM_RULE_LEFT, 0}, trap = {QM_RULE_TRAPEZOID, 0};
    qm_rule simp = {QM_RULE_SIMPSON, 0};
    qm_result res;
    CU_ASSERT_EQUAL(qm_integrate_scalar(ex, inv_sqrt, NULL, 0, 1, 1000, &mid, &res), QM_SUCCESS);
    CU_ASSERT_EQUAL(qm_integrate_scalar(ex, inv_sqrt, NULL, 0, 1, 1000, &g, &res), QM_SUCCESS);
    CU_ASSERT_EQUAL(qm_integrate_scalar(ex, inv_1mx, NULL, 0, 1, 1000, &left, &res), QM_SUCCESS);
    int st = qm_integrate_scalar(ex, inv_x, NULL, 0, 1, 1000, &trap, &res);
    QMT_CHECK(st == QM_ENONFINITE && res.fail_x == 0.0 && isnan(res.value),
              "trapezoid 1/x on [0,1]: status %d fail_x %g value %g", st,
              res.fail_x, res.value);
    st = qm_integrate_scalar(ex, inv_1mx, NULL, 0, 1, 1000, &simp, &res);
    QMT_CHECK(st == QM_ENONFINITE && res.fail_x == 1.0 && isnan(res.value),
              "simpson 1/(1-x) on [0,1]: status %d fail_x %g value %g", st,
              res.fail_x, res.value);
    qm_exec_free(ex);
}

/*
 * Finite values whose integral exceeds DBL_MAX: QM_EOVRFLW.  Values just as
 * large whose integral is representable must succeed: with weights h or
 * h w_i <= 1 every weighted term is finite, and the exact accumulator has
 * 128 bits of headroom, so only a final result beyond DBL_MAX can overflow.
 * Tolerance 1e-15 relative: a constant is integrated exactly up to the
 * rounding of h w_i and of the sum.
 */
static double half_max(double x, void *d) { (void)x; (void)d; return DBL_MAX / 2; }

static void overflowing_integral_is_eovrflw(void)
{
    qm_exec *ex = qmt_serial();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
    qm_rule mid = {QM_RULE_MIDPOINT, 0};
    qm_result res;
    int st = qm_integrate_scalar(ex, half_max, NULL, 0.0, 8.0, 16, &mid, &res);
    QMT_CHECK(st == QM_EOVRFLW, "integral 4 DBL_MAX: status %d (%s), value %g",
              st, qm_strerror(st), res.value);
    qm_exec_free(ex);
}

static void huge_values_with_representable_integral_succeed(void)
{
    qm_exec *ex = qmt_serial();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
    const qm_rule rules[] = {{QM_RULE_MIDPOINT, 0}, {QM_RULE_TRAPEZOID, 0},
                             {QM_RULE_GAUSS, 3}};
    const struct { double b; int64_t n; } cases[] = {
        {1.0, 1000},    /* integral DBL_MAX/2 */
        {1.5, 3},       /* integral 0.75 DBL_MAX */
        {1e-300, 1000}, /* integral ~9e7 */
    };
    for (size_t r = 0; r < 3; r++)
        for (size_t c = 0; c < 3; c++) {
            qm_result res;
            int st = qm_integrate_scalar(ex, half_max, NULL, 0.0, cases[c].b,
                                         cases[c].n, &rules[r], &res);
            double want = cases[c].b * (DBL_MAX / 2);
            char name[32];
            QMT_CHECK(st == QM_SUCCESS && fabs(res.value - want) <= 1e-15 * want,
                      "%s, f = DBL_MAX/2 on [0, %g], N=%lld: status %d (%s) value "
                      "%g, want %g", qmt_rule_str(&rules[r], name), cases[c].b,
                      (long long)cases[c].n, st, qm_strerror(st), res.value, want);
        }
    qm_exec_free(ex);
}

/* ------------------------------------------------------------ prompt stop */

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "\nFAILED: an integration did not stop within 20 s "
                              "after the integrand failed\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(1);
}

/* Fails on the first few points of [0, 1] only. */
static int fail_at_start(size_t n, const double *x, double *y, void *data)
{
    int mode = *(const int *)data;
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        y[i] = x[i] * x[i];
        if (x[i] < 1e-9) {
            y[i] = NAN;
            status = 5;
        }
    }
    return mode ? status : 0;
}

/*
 * N = 1e11 panels would take minutes even on many cores; a failure in the
 * first block must end the run promptly, on every thread.  No timing
 * assertion: an alarm(20) guard ends the program with a failure instead.
 */
static void failure_near_a_stops_the_run_promptly(void)
{
    qm_exec *ex[11];
    int nex = make_executors(ex, 11);
    qm_rule mid = {QM_RULE_MIDPOINT, 0};
    signal(SIGALRM, on_alarm);
    for (int mode = 0; mode < 2; mode++)
        for (int e = 0; e < nex; e += (nex > 3 ? 3 : 1)) {
            CU_ASSERT_PTR_NOT_NULL_FATAL(ex[e]);
            qm_result res;
            alarm(20);
            double t0 = wall();
            int st = qm_integrate(ex[e], fail_at_start, &mode, 0.0, 1.0,
                                  INT64_C(100000000000), &mid, &res);
            double t = wall() - t0;
            alarm(0);
            QMT_CHECK(st == (mode ? QM_EUSER : QM_ENONFINITE) && res.fail_x < 1e-9,
                      "mode %d exec %d: status %d fail_x %g", mode, e, st, res.fail_x);
            printf("[%s %d thr: %.3f s] ", mode ? "EUSER" : "ENONFINITE",
                   qm_exec_threads(ex[e]), t);
        }
    free_executors(ex, nex);
}

static double qmt_sq_scalar(double x, void *d)
{
    (void)d;
    return x * x;
}

/* The scalar trampoline is public: a NULL adapter or array is QM_EINVAL,
 * as everywhere else, not a crash. */
static void scalar_batch_rejects_null_adapter_and_arrays(void)
{
    double x[2] = {1, 2}, y[2];
    qm_scalar_adapter empty = {NULL, NULL};
    QMT_CHECK(qm_scalar_batch(2, x, y, NULL) == QM_EINVAL, "NULL adapter");
    QMT_CHECK(qm_scalar_batch(2, x, y, &empty) == QM_EINVAL, "NULL function");
    qm_scalar_adapter ad = {qmt_sq_scalar, NULL};
    QMT_CHECK(qm_scalar_batch(2, NULL, y, &ad) == QM_EINVAL, "NULL x");
    QMT_CHECK(qm_scalar_batch(2, x, NULL, &ad) == QM_EINVAL, "NULL y");
    QMT_CHECK(qm_scalar_batch(2, x, y, &ad) == 0 && y[0] == 1 && y[1] == 4,
              "valid call");
}

int main(void)
{
    QMT_INIT_REGISTRY();
    CU_pSuite s;

    s = qmt_suite("invalid_arguments");
    QMT_ADD(s, null_pointers_are_einval);
    QMT_ADD(s, nonpositive_or_huge_n_is_einval);
    QMT_ADD(s, nonfinite_bounds_are_einval);
    QMT_ADD(s, invalid_rules_are_einval);
    QMT_ADD(s, rule_parse_rejects_malformed_names);
    QMT_ADD(s, executor_settings_reject_bad_values);
    QMT_ADD(s, schedule_and_backend_names_parse);
    QMT_ADD(s, other_entry_points_reject_bad_arguments);

    s = qmt_suite("status_messages");
    QMT_ADD(s, strerror_never_returns_null);

    s = qmt_suite("integrand_failures");
    QMT_ADD(s, nonfinite_reports_lowest_abscissa_for_any_thread_count);
    QMT_ADD(s, user_error_status_is_passed_through_deterministically);
    QMT_ADD(s, success_leaves_failure_fields_clear);
    QMT_ADD(s, endpoints_are_evaluated_only_by_closed_rules);
    QMT_ADD(s, overflowing_integral_is_eovrflw);
    QMT_ADD(s, huge_values_with_representable_integral_succeed);

    s = qmt_suite("prompt_stop");
    QMT_ADD(s, failure_near_a_stops_the_run_promptly);
    QMT_ADD(s, scalar_batch_rejects_null_adapter_and_arrays);

    return qmt_run();
}
