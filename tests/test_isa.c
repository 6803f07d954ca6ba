/*
 * The bits do not depend on the instruction set: SLEEF's deterministic
 * vector math and the fused built-in kernels, table by table (scalar, SSE2,
 * AVX2, AVX-512 where the CPU has them), against the plain-C table; and the
 * fused fixed-rule path against the general one (x[] and y[] in memory).
 * tests/isa_bits.sh does the same through whole runs of `integrate` under
 * QUADMAP_ISA.
 */
#include "config.h"
#include "test_common.h"

#include "core/internal.h"
#include "core/kernels_isa.h"
#include "core/vmath.h"

#define NPTS 4099 /* not a multiple of any vector width: tails are used */

static const char *const fn_names[QM_VM_NFN] = {
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
    "asinh", "acosh", "atanh", "exp", "log", "log2", "log10"};
static double (*const libm_fns[QM_VM_NFN])(double) = {
    sin, cos, tan, asin, acos, atan, sinh, cosh, tanh,
    asinh, acosh, atanh, exp, log, log2, log10};

/* The tables this CPU can run, lowest first. */
static int tables(const qm_isa_kernels *out[4])
{
    int n = 0;
    out[n++] = &qm__kernels_scalar;
#if defined(QM_HAVE_X86_ISA)
    const qm_isa best = qm__isa_best();
    if (best >= QM_ISA_SSE2)
        out[n++] = &qm__kernels_sse2;
    if (best >= QM_ISA_AVX2)
        out[n++] = &qm__kernels_avx2;
    if (best >= QM_ISA_AVX512)
        out[n++] = &qm__kernels_avx512;
#endif
    return n;
}

/* Inputs over many scales and every special value. */
static void fill_inputs(double *x, size_t n, unsigned seed)
{
    static const double special[] = {0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0,
                                     INFINITY, -INFINITY, NAN, DBL_MIN,
                                     DBL_TRUE_MIN, -DBL_TRUE_MIN, DBL_MAX,
                                     -DBL_MAX, 709.78, -745.2, 1e-300, 1e300,
                                     3.141592653589793, 1.5707963267948966,
                                     0.9999999999999999, 1.0000000000000002};
    const size_t ns = sizeof special / sizeof special[0];
    uint64_t s = 0x9E3779B97F4A7C15ull * (seed + 1);
    for (size_t i = 0; i < n; i++) {
        if (i < ns) {
            x[i] = special[i];
            continue;
        }
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        const double u = (double)(s >> 11) * 0x1p-53;        /* [0, 1) */
        const double e = ldexp(1.0, (int)(s % 41) - 20);      /* 2^-20..2^20 */
        x[i] = (s & 1 ? -1.0 : 1.0) * u * e;
    }
}

static void every_table_gives_the_bits_of_the_scalar_table(void)
{
    const qm_isa_kernels *t[4];
    const int nt = tables(t);
    static double x[NPTS], y0[NPTS], y1[NPTS];
    fill_inputs(x, NPTS, 1);
    for (int f = 0; f < QM_VM_NFN; f++) {
        t[0]->unary[f](NPTS, x, y0);
        for (int k = 1; k < nt; k++) {
            /* odd offsets and lengths: aligned and unaligned loads, tails */
            for (size_t off = 0; off < 3; off++) {
                memset(y1, 0, sizeof y1);
                t[k]->unary[f](NPTS - off, x + off, y1 + off);
                size_t bad = NPTS;
                for (size_t i = off; i < NPTS; i++)
                    if (!qmt_same_bits(y0[i], y1[i])) {
                        bad = i;
                        break;
                    }
                QMT_CHECK(bad == NPTS, "%s on %s differs from scalar at x=%a: %a vs %a",
                          fn_names[f], qm__isa_name(t[k]->isa),
                          bad < NPTS ? x[bad] : 0.0, bad < NPTS ? y1[bad] : 0.0,
                          bad < NPTS ? y0[bad] : 0.0);
            }
        }
    }
}

static void pow_and_atan2_give_the_same_bits_on_every_table(void)
{
    const qm_isa_kernels *t[4];
    const int nt = tables(t);
    static double a[NPTS], b[NPTS], y0[NPTS], y1[NPTS];
    fill_inputs(a, NPTS, 2);
    fill_inputs(b, NPTS, 3);
    for (size_t i = 0; i < NPTS; i += 3) /* integer exponents too */
        b[i] = (double)((int)(i % 17) - 8);
    for (int op = 0; op < 2; op++) {
        (op ? t[0]->atan2 : t[0]->pow)(NPTS, a, b, y0);
        for (int k = 1; k < nt; k++) {
            (op ? t[k]->atan2 : t[k]->pow)(NPTS, a, b, y1);
            int same = memcmp(y0, y1, sizeof y0) == 0;
            QMT_CHECK(same, "%s on %s differs from scalar", op ? "atan2" : "pow",
                      qm__isa_name(t[k]->isa));
        }
    }
    /* in place (y = x1), as the expression engine uses it */
    t[0]->pow(NPTS, a, b, y0);
    memcpy(y1, a, sizeof y1);
    t[nt - 1]->pow(NPTS, y1, b, y1);
    QMT_CHECK(memcmp(y0, y1, sizeof y0) == 0, "in-place pow differs");
}

/* Guards against a wrong table entry (cos for sin...): SLEEF's u10
 * functions are within 1 ulp of the true value and glibc's within 1 ulp
 * too, so they differ by at most 2 ulp where the function is finite. */
static void vector_math_is_within_2_ulp_of_glibc(void)
{
    static double x[NPTS], y[NPTS];
    fill_inputs(x, NPTS, 4);
    for (int f = 0; f < QM_VM_NFN; f++) {
        qm__vm_apply((qm_vm_fn)f, NPTS, x, y);
        int bad = 0;
        double worst_x = 0.0;
        for (size_t i = 0; i < NPTS; i++) {
            const double r = libm_fns[f](x[i]);
            if (isnan(r) || isnan(y[i])) {
                if (isnan(r) != isnan(y[i]) && !bad++)
                    worst_x = x[i];
                continue;
            }
            if (isinf(r) || fabs(r) < DBL_MIN) /* overflow / underflow edges */
                continue;
            /* SLEEF documents asinh and acosh for |x| <= 1.34e154 only
             * (beyond, x*x overflows and they return inf) */
            if ((f == QM_VM_ASINH || f == QM_VM_ACOSH) && fabs(x[i]) > 1.34e154)
                continue;
            if (fabs(y[i] - r) > 2 * qmt_ulp(r) && !bad++)
                worst_x = x[i];
        }
        QMT_CHECK(bad == 0, "%s: %d values beyond 2 ulp of glibc (first x=%a)",
                  fn_names[f], bad, worst_x);
    }
    CU_ASSERT(fabs(qm__vm_scalar_pow(2.0, 0.5) - sqrt(2.0)) <= qmt_ulp(sqrt(2.0)));
    CU_ASSERT(fabs(qm__vm_scalar_atan2(1.0, 1.0) - atan(1.0)) <= qmt_ulp(atan(1.0)));
    double one = 1.0, e1;
    qm__vm_apply(QM_VM_EXP, 1, &one, &e1);
    CU_ASSERT(qmt_same_bits(qm__vm_scalar(QM_VM_EXP, 1.0), e1));
}

static void isa_choice_is_supported_and_honours_quadmap_isa(void)
{
    const qm_isa isa = qm__isa(), best = qm__isa_best();
    CU_ASSERT(isa <= best);
    CU_ASSERT(qm__kernels()->isa == isa);
    const char *env = getenv("QUADMAP_ISA");
    if (env != NULL) {
        int asked = -1;
        for (int i = 0; i <= (int)QM_ISA_AVX512; i++)
            if (strcmp(env, qm__isa_name((qm_isa)i)) == 0)
                asked = i;
        if (asked >= 0 && asked <= (int)best)
            QMT_CHECK((int)isa == asked, "QUADMAP_ISA=%s but %s used", env,
                      qm__isa_name(isa));
    }
}

/* ------------------------------------------------------------ fused */

/* rules.c's order: 24 lanes over consecutive values, folded 0..23, tail. */
static void reference_sum(const double *y, int m, double s[6])
{
    double lane[24] = {0};
    int j = 0;
    for (; j + 24 <= m; j += 24)
        for (int p = 0; p < 24; p++)
            lane[p] += y[j + p];
    for (int p = 0; p < 24; p++)
        s[p % 6] += lane[p];
    for (; j < m; j++)
        s[j % 6] += y[j];
}

static void fused_kernels_equal_the_materialized_sum_on_every_table(void)
{
    static const char *const names[QM_BI_N] = {"x2", "poly", "sin", "cos",
                                               "exp", "runge", "gauss", "sqrt"};
    const qm_isa_kernels *t[4];
    const int nt = tables(t);
    double idx[QM_BATCH], x[QM_BATCH], y[QM_BATCH];
    for (int j = 0; j < QM_BATCH; j++)
        idx[j] = j;
    static const int ms[] = {QM_BATCH, 24 * 5 + 7, 23, 1, 0};
    static const double bases[][2] = {{0.0, 1e-3}, {-3.0, 7.3e-3}, {0.1, 1.0 / 3.0},
                                      {1e5, 0.125}};
    for (int b = 0; b < QM_BI_N; b++) {
        const qm_builtin *bi = qm_builtin_find(names[b]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(bi);
        for (size_t q = 0; q < sizeof bases / sizeof bases[0]; q++)
            for (size_t mi = 0; mi < sizeof ms / sizeof ms[0]; mi++) {
                const int m = ms[mi];
                const double base = bases[q][0], H = bases[q][1];
                for (int j = 0; j < m; j++)
                    x[j] = base + idx[j] * H;
                CU_ASSERT_EQUAL(bi->fn((size_t)m, x, y, NULL), 0);
                double ref[6] = {0};
                reference_sum(y, m, ref);
                for (int k = 0; k < nt; k++) {
                    double s[6] = {0};
                    t[k]->fused[b](base, H, idx, m, s);
                    QMT_CHECK(memcmp(s, ref, sizeof s) == 0,
                              "fused %s on %s, base %g H %g m %d: %a vs %a",
                              names[b], qm__isa_name(t[k]->isa), base, H, m,
                              s[0], ref[0]);
                }
            }
    }
}

/* A wrapper hides the built-in from the fused path: same bits expected. */
static int through_wrapper(size_t n, const double *x, double *y, void *bi)
{
    return ((const qm_builtin *)bi)->fn(n, x, y, NULL);
}

static void fused_and_general_paths_integrate_to_the_same_bits(void)
{
    qm_exec *ex = qmt_openmp(3, QM_SCHEDULE_DYNAMIC, 1);
    if (ex == NULL)
        ex = qmt_serial();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
    static const qm_rule_kind kinds[] = {QM_RULE_LEFT, QM_RULE_MIDPOINT,
                                         QM_RULE_TRAPEZOID, QM_RULE_SIMPSON,
                                         QM_RULE_GAUSS};
    static const int64_t ns[] = {1, 7, 12288 * 3 + 1001, 100003};
    for (size_t i = 0; i < qm_builtin_count(); i++) {
        const qm_builtin *bi = qm_builtin_at(i);
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++) {
                qm_rule rule = qmt_rule(kinds[k], kinds[k] == QM_RULE_GAUSS ? 5 : 0);
                qm_result r1, r2;
                int s1 = qm_integrate(ex, bi->fn, NULL, 0.25, 2.5, ns[j], &rule, &r1);
                int s2 = qm_integrate(ex, through_wrapper, (void *)bi, 0.25, 2.5,
                                      ns[j], &rule, &r2);
                char buf[32];
                QMT_CHECK(s1 == QM_SUCCESS && s2 == QM_SUCCESS
                              && qmt_same_result(&r1, &r2),
                          "%s %s N=%lld: fused %.17g, general %.17g", bi->name,
                          qmt_rule_str(&rule, buf), (long long)ns[j], r1.value,
                          r2.value);
            }
    }
    qm_exec_free(ex);
}

/* exp overflows at the end of [700, 720]: the fused kernel's non-finite
 * sum falls back to the general path, which reports the first bad point. */
static void fused_path_reports_the_first_non_finite_point(void)
{
    qm_exec *ex = qmt_serial();
    const qm_builtin *bi = qm_builtin_find("exp");
    qm_rule mid = qmt_rule(QM_RULE_MIDPOINT, 0);
    qm_result r1, r2;
    int s1 = qm_integrate(ex, bi->fn, NULL, 700.0, 720.0, 100000, &mid, &r1);
    int s2 = qm_integrate(ex, through_wrapper, (void *)bi, 700.0, 720.0, 100000,
                          &mid, &r2);
    CU_ASSERT_EQUAL(s1, QM_ENONFINITE);
    CU_ASSERT_EQUAL(s2, QM_ENONFINITE);
    CU_ASSERT(qmt_same_bits(r1.fail_x, r2.fail_x));
    CU_ASSERT(r1.fail_x > 709.7 && r1.fail_x < 709.8);
    qm_exec_free(ex);
}

int main(void)
{
    QMT_INIT_REGISTRY();
    CU_pSuite s;

    s = qmt_suite("vector_math");
    QMT_ADD(s, every_table_gives_the_bits_of_the_scalar_table);
    QMT_ADD(s, pow_and_atan2_give_the_same_bits_on_every_table);
    QMT_ADD(s, vector_math_is_within_2_ulp_of_glibc);
    QMT_ADD(s, isa_choice_is_supported_and_honours_quadmap_isa);

    s = qmt_suite("fused_kernels");
    QMT_ADD(s, fused_kernels_equal_the_materialized_sum_on_every_table);
    QMT_ADD(s, fused_and_general_paths_integrate_to_the_same_bits);
    QMT_ADD(s, fused_path_reports_the_first_non_finite_point);

    const qm_isa_kernels *t[4];
    printf("vector ISA tables tested: %d (best on this CPU: %s)\n", tables(t),
           qm__isa_name(qm__isa_best()));
    return qmt_run();
}
