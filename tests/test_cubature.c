/*
 * Tests of qm_cubature: adaptive Genz-Malik cubature, Monte Carlo and
 * quasi-Monte Carlo.
 *
 * Reference values are closed forms of Genz's six test families (A. Genz,
 * "Testing multidimensional integration routines", 1984) on [0,1]^d with
 * fixed parameters: products of 1-D integrals for the product peak,
 * Gaussian, C0 and discontinuous families; for the oscillatory family
 * Re(e^{i 2 pi u} prod (e^{i a_j} - 1)/(i a_j)) = cos(2 pi u + sum a_j/2)
 * prod 2 sin(a_j/2)/a_j; for the corner peak (1 + a.x)^{-(d+1)}, d
 * successive integrations give the inclusion-exclusion sum
 * (1/(d! prod a_j)) sum_{S subset of 1..d} (-1)^{|S|} / (1 + sum_{j in S} a_j).
 *
 * Tolerances.  The adaptive method stops when its estimate |R7 - R5| meets
 * the tolerance; for smooth integrands the degree-7 value is far more
 * accurate than that estimate (it bounds the degree-5 rule's error), so we
 * require the true error to meet the requested tolerance itself and to be
 * below the reported error.  The C0 and discontinuous families break that
 * asymptotic argument (kinks and jumps): they are checked against the
 * reported error only, up to a factor 10 (the estimate |R7 - R5| is
 * not a bound there: on the C0 family it underestimates by ~3x).  MC/QMC values are checked within 4 reported
 * standard errors (a false alarm has probability ~6e-5 per check, and the
 * seeds are fixed so the outcome is deterministic).
 */
#include "test_common.h"
#include "quadmap.h"

#include "core/sobol.h" /* QM_SOBOL_MAX_DIM: QMC's dimension limit */

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---------------------------------------------------------- Genz families */

#include "genz.h"

typedef struct genz {
    int fam;
    unsigned dim;
    long calls; /* not used concurrently for anything but a sanity count */
} genz;

static int genz_fn(size_t n, unsigned dim, const double *x, unsigned fdim,
                   double *y, void *data)
{
    const genz *g = data;
    (void)fdim;
    for (size_t i = 0; i < n; i++)
        y[i] = genz_f(g->fam, dim, x + i * dim);
    return 0;
}

/* fdim = 3: gaussian, product peak, oscillatory. */
static int vec3_fn(size_t n, unsigned dim, const double *x, unsigned fdim,
                   double *y, void *data)
{
    (void)data;
    (void)fdim;
    for (size_t i = 0; i < n; i++) {
        y[3 * i + 0] = genz_f(GAUSS, dim, x + i * dim);
        y[3 * i + 1] = genz_f(PPEAK, dim, x + i * dim);
        y[3 * i + 2] = genz_f(OSC, dim, x + i * dim);
    }
    return 0;
}

static const double ZERO[16] = {0}, ONE[16] = {1, 1, 1, 1, 1, 1, 1, 1,
                                               1, 1, 1, 1, 1, 1, 1, 1};

static qm_cubature_opts adaptive_opts(double epsrel, uint64_t max_eval)
{
    qm_cubature_opts o;
    memset(&o, 0, sizeof o);
    o.method = QM_METHOD_GENZ_MALIK;
    o.epsrel = epsrel;
    o.max_eval = max_eval;
    return o;
}

/* ---------------------------------------------------------- the rule */

/* x^a y^b z^c with a + b + c <= 5 on [0,1] x [-1,2] x [0.5,1]: the degree-5
 * embedded rule is exact too, so the error estimate is roundoff and one
 * region (33 points) suffices. */
static int poly_fn(size_t n, unsigned dim, const double *x, unsigned fdim,
                   double *y, void *data)
{
    (void)data;
    (void)fdim;
    for (size_t i = 0; i < n; i++) {
        const double *p = x + i * dim;
        y[i] = p[0] * p[0] * p[1] * p[1] * p[1] + 3 * p[2] * p[2] * p[2] * p[2]
               + p[0] * p[1] * p[2] - 2;
    }
    return 0;
}

static void rule_is_exact_for_degree5_polynomials_in_one_region(void)
{
    qm_exec *ex = qmt_serial();
    const double lo[3] = {0, -1, 0.5}, hi[3] = {1, 2, 1};
    /* volume 1.5; int x^2 = 1/3, int y^3 over [-1,2] = 15/4, z-length 1/2;
     * int z^4 over [0.5,1] = 31/160; int x = 1/2, int y = 3/2, int z = 3/8 */
    const double exact = (1.0 / 3) * (15.0 / 4) * 0.5 + 3 * 1 * 3 * (31.0 / 160)
                         + 0.5 * 1.5 * 0.375 - 2 * 1.5;
    qm_cubature_opts o = adaptive_opts(1e-12, 0);
    double v, e;
    qm_result info;
    int st = qm_cubature(ex, poly_fn, NULL, 3, lo, hi, 1, &o, &v, &e, &info);
    QMT_CHECK(st == QM_SUCCESS, "status %d", st);
    QMT_CHECK(fabs(v - exact) <= 1e-14, "v %.17g exact %.17g", v, exact);
    QMT_CHECK(info.evaluations == 33 && info.subregions == 1,
              "evals %lld regions %zu", (long long)info.evaluations,
              info.subregions);
    qm_exec_free(ex);
}

/* -------------------------------------------------- Genz, adaptive */

static void check_family(qm_exec *ex, int fam, unsigned d, double epsrel,
                         uint64_t max_eval, int strict)
{
    genz g = {fam, d, 0};
    qm_cubature_opts o = adaptive_opts(epsrel, max_eval);
    double v, e;
    qm_result info;
    const int st = qm_cubature(ex, genz_fn, &g, d, ZERO, ONE, 1, &o, &v, &e,
                               &info);
    const double ex_v = genz_exact(fam, d), tru = fabs(v - ex_v);
    QMT_CHECK(st == QM_SUCCESS, "%s d=%u: status %d (evals %lld)",
              fam_name[fam], d, st, (long long)info.evaluations);
    if (strict)
        QMT_CHECK(tru <= e, "%s d=%u: true error %.3g > reported %.3g",
                  fam_name[fam], d, tru, e);
    else /* kinks/jumps: |R7 - R5| is no bound; allow a factor 10 */
        QMT_CHECK(tru <= 10 * fmax(e, epsrel * fabs(ex_v)),
                  "%s d=%u: true error %.3g vs reported %.3g", fam_name[fam],
                  d, tru, e);
    if (strict)
        QMT_CHECK(tru <= epsrel * fabs(ex_v),
                  "%s d=%u: true rel error %.3g > %.3g", fam_name[fam], d,
                  tru / fabs(ex_v), epsrel);
    QMT_CHECK(e <= epsrel * fabs(v) || st != QM_SUCCESS,
              "%s d=%u: reported %.3g above tolerance", fam_name[fam], d, e);
    QMT_CHECK(info.evaluations <= (int64_t)max_eval, "evals %lld",
              (long long)info.evaluations);
}

static void genz_smooth_families_meet_1e6_in_dims_2_to_4(void)
{
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_AUTO, 0);
    if (!ex)
        ex = qmt_serial();
    for (unsigned d = 2; d <= 4; d++)
        for (int fam = OSC; fam <= GAUSS; fam++)
            check_family(ex, fam, d, 1e-6, 10000000, 1);
    qm_exec_free(ex);
}

static void genz_smooth_families_meet_1e4_in_dims_5_and_6(void)
{
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_AUTO, 0);
    if (!ex)
        ex = qmt_serial();
    for (unsigned d = 5; d <= 6; d++)
        for (int fam = OSC; fam <= GAUSS; fam++)
            check_family(ex, fam, d, 1e-4, 10000000, 1);
    qm_exec_free(ex);
}

static void genz_c0_and_discontinuous_are_within_reported_error(void)
{
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_AUTO, 0);
    if (!ex)
        ex = qmt_serial();
    for (unsigned d = 2; d <= 4; d++) {
        check_family(ex, C0, d, 1e-3, 5000000, 0);
        check_family(ex, DISC, d, 1e-3, 5000000, 0);
    }
    qm_exec_free(ex);
}

static void budget_exhaustion_gives_emaxiter_with_best_estimate(void)
{
    qm_exec *ex = qmt_serial();
    genz g = {PPEAK, 4, 0};
    qm_cubature_opts o = adaptive_opts(1e-12, 5000);
    double v, e;
    qm_result info;
    const int st = qm_cubature(ex, genz_fn, &g, 4, ZERO, ONE, 1, &o, &v, &e,
                               &info);
    const double ex_v = genz_exact(PPEAK, 4);
    QMT_CHECK(st == QM_EMAXITER, "status %d", st);
    QMT_CHECK(info.evaluations <= 5000 && info.evaluations > 4000,
              "evals %lld", (long long)info.evaluations);
    QMT_CHECK(isfinite(v) && fabs(v - ex_v) <= e, "v %g exact %g err %g", v,
              ex_v, e);
    qm_exec_free(ex);
}

/* ------------------------------------------------------ vector / norms */

static void vector_integrand_meets_tolerance_in_each_norm(void)
{
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_AUTO, 0);
    if (!ex)
        ex = qmt_serial();
    const unsigned d = 3;
    const double I[3] = {genz_exact(GAUSS, d), genz_exact(PPEAK, d),
                         genz_exact(OSC, d)};
    const double eps = 1e-6;
    for (int norm = QM_NORM_INDIVIDUAL; norm <= QM_NORM_LINF; norm++) {
        qm_cubature_opts o = adaptive_opts(eps, 0);
        o.norm = (qm_norm)norm;
        double v[3], e[3], t[3];
        qm_result info;
        const int st = qm_cubature(ex, vec3_fn, NULL, d, ZERO, ONE, 3, &o, v,
                                   e, &info);
        QMT_CHECK(st == QM_SUCCESS, "norm %d: status %d", norm, st);
        for (int k = 0; k < 3; k++) {
            t[k] = fabs(v[k] - I[k]);
            QMT_CHECK(t[k] <= e[k], "norm %d comp %d: true %.3g > err %.3g",
                      norm, k, t[k], e[k]);
        }
        /* the reported errors satisfy the norm's criterion (which the true
         * errors, being smaller, then satisfy too) */
        double en = 0, vn = 0;
        int ok = 1;
        switch (norm) {
        case QM_NORM_INDIVIDUAL:
            for (int k = 0; k < 3; k++)
                ok &= e[k] <= eps * fabs(v[k]);
            break;
        case QM_NORM_PAIRED:
            ok = hypot(e[0], e[1]) <= eps * hypot(v[0], v[1])
                 && e[2] <= eps * fabs(v[2]);
            break;
        case QM_NORM_L2:
            ok = sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2])
                 <= eps * sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            break;
        case QM_NORM_L1:
            for (int k = 0; k < 3; k++) {
                en += e[k];
                vn += fabs(v[k]);
            }
            ok = en <= eps * vn;
            break;
        case QM_NORM_LINF:
            for (int k = 0; k < 3; k++) {
                en = fmax(en, e[k]);
                vn = fmax(vn, fabs(v[k]));
            }
            ok = en <= eps * vn;
            break;
        }
        QMT_CHECK(ok, "norm %d: errors %.3g %.3g %.3g vs values %.6g %.6g "
                      "%.6g", norm, e[0], e[1], e[2], v[0], v[1], v[2]);
    }
    qm_exec_free(ex);
}

/* ------------------------------------------------------ reproducibility */

typedef struct run_out {
    int st;
    double v[3], e[3];
    qm_result info;
} run_out;

static run_out run_with(qm_exec *ex, qm_method m, uint64_t n)
{
    run_out r;
    qm_cubature_opts o = adaptive_opts(1e-5, n);
    o.method = m;
    o.norm = QM_NORM_L2;
    o.seed = 12345;
    r.st = qm_cubature(ex, vec3_fn, NULL, 4, ZERO, ONE, 3, &o, r.v, r.e,
                       &r.info);
    return r;
}

static int same_run(const run_out *a, const run_out *b)
{
    return a->st == b->st && memcmp(a->v, b->v, sizeof a->v) == 0
           && memcmp(a->e, b->e, sizeof a->e) == 0
           && a->info.evaluations == b->info.evaluations
           && a->info.subregions == b->info.subregions;
}

static void results_are_identical_for_serial_and_1_2_3_threads(void)
{
    const qm_method ms[3] = {QM_METHOD_GENZ_MALIK, QM_METHOD_MC,
                                      QM_METHOD_QMC};
    const uint64_t ns[3] = {3000000, 200000, 200000};
    for (int i = 0; i < 3; i++) {
        qm_exec *ser = qmt_serial();
        const run_out ref = run_with(ser, ms[i], ns[i]);
        qm_exec_free(ser);
        QMT_CHECK(ref.st == QM_SUCCESS, "method %d: status %d", (int)ms[i],
                  ref.st);
        if (!qmt_have_openmp())
            continue;
        const qm_schedule sch[2] = {QM_SCHEDULE_STATIC, QM_SCHEDULE_DYNAMIC};
        for (int t = 1; t <= 3; t++)
            for (int s = 0; s < 2; s++) {
                qm_exec *ex = qmt_openmp(t, sch[s], s);
                const run_out r = run_with(ex, ms[i], ns[i]);
                qm_exec_free(ex);
                QMT_CHECK(same_run(&ref, &r),
                          "method %d threads %d sched %d: %.17g vs %.17g",
                          (int)ms[i], t, s, r.v[0], ref.v[0]);
            }
    }
}

/* ------------------------------------------------------------ MC, QMC */

static int quarter_disc(size_t n, unsigned dim, const double *x,
                        unsigned fdim, double *y, void *data)
{
    (void)dim;
    (void)fdim;
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1] < 1.0;
    return 0;
}

static void mc_pi_is_within_4_standard_errors(void)
{
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_AUTO, 0);
    if (!ex)
        ex = qmt_serial();
    qm_cubature_opts o;
    memset(&o, 0, sizeof o);
    o.method = QM_METHOD_MC;
    o.max_eval = 1000000;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        o.seed = seed;
        double v, e;
        qm_result info;
        const int st = qm_cubature(ex, quarter_disc, NULL, 2, ZERO, ONE, 1,
                                   &o, &v, &e, &info);
        QMT_CHECK(st == QM_SUCCESS, "status %d", st);
        /* the standard error of a Bernoulli(pi/4) mean: sqrt(p(1-p)/N) */
        const double p = M_PI / 4, se = sqrt(p * (1 - p) / 1e6);
        QMT_CHECK(fabs(4 * v - M_PI) <= 4 * 4 * e,
                  "seed %llu: pi ~ %.8f +- %.2g", (unsigned long long)seed,
                  4 * v, 4 * e);
        QMT_CHECK(fabs(e - se) <= 0.01 * se, "se %.4g expected %.4g", e, se);
        QMT_CHECK(info.evaluations == 1000000, "evals %lld",
                  (long long)info.evaluations);
    }
    qm_exec_free(ex);
}

static void qmc_error_is_much_smaller_than_mc_on_smooth_integrand(void)
{
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_AUTO, 0);
    if (!ex)
        ex = qmt_serial();
    genz g = {GAUSS, 4, 0};
    const double I = genz_exact(GAUSS, 4);
    double v[2], e[2];
    for (int m = 0; m < 2; m++) {
        qm_cubature_opts o;
        memset(&o, 0, sizeof o);
        o.method = m ? QM_METHOD_QMC : QM_METHOD_MC;
        o.max_eval = 1 << 18;
        o.seed = 7;
        qm_result info;
        const int st = qm_cubature(ex, genz_fn, &g, 4, ZERO, ONE, 1, &o,
                                   &v[m], &e[m], &info);
        QMT_CHECK(st == QM_SUCCESS, "method %d: status %d", m, st);
        QMT_CHECK(fabs(v[m] - I) <= 4 * e[m], "method %d: %.10g vs %.10g "
                  "(se %.3g)", m, v[m], I, e[m]);
        QMT_CHECK(info.evaluations == 1 << 18, "evals %lld",
                  (long long)info.evaluations);
    }
    QMT_CHECK(e[1] <= e[0] / 20, "QMC se %.3g not << MC se %.3g", e[1], e[0]);
    qm_exec_free(ex);
}

static void mc_seeds_give_different_samples(void)
{
    qm_exec *ex = qmt_serial();
    qm_cubature_opts o;
    memset(&o, 0, sizeof o);
    o.method = QM_METHOD_MC;
    o.max_eval = 10000;
    double v1, v2, e;
    o.seed = 1;
    qm_cubature(ex, quarter_disc, NULL, 2, ZERO, ONE, 1, &o, &v1, &e, NULL);
    o.seed = 2;
    qm_cubature(ex, quarter_disc, NULL, 2, ZERO, ONE, 1, &o, &v2, &e, NULL);
    QMT_CHECK(v1 != v2, "seeds 1 and 2 gave %.17g", v1);
    qm_exec_free(ex);
}

/* ------------------------------------------------------------- errors */

static int nan_above(size_t n, unsigned dim, const double *x, unsigned fdim,
                     double *y, void *data)
{
    (void)fdim;
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i * dim] > 0.7 ? NAN : 1.0;
    return 0;
}

static int user_fail(size_t n, unsigned dim, const double *x, unsigned fdim,
                     double *y, void *data)
{
    (void)fdim;
    (void)data;
    for (size_t i = 0; i < n; i++) {
        if (x[i * dim] > 0.9)
            return 42;
        y[i] = 1.0;
    }
    return 0;
}

static void bad_arguments_return_einval(void)
{
    qm_exec *ex = qmt_serial();
    genz g = {GAUSS, 3, 0};
    qm_cubature_opts o = adaptive_opts(1e-6, 0);
    double v[2], e[2];
    const double lo[3] = {0, 1, 0}, hi[3] = {1, 0, 1};
    const double inf[3] = {0, INFINITY, 1}, nan3[3] = {0, NAN, 0};
    /* valid bounds ([0, 0]) for the dimensions beyond each method's limit */
    static const double zeros[QM_SOBOL_MAX_DIM + 1] = {0};
#define BAD(call) QMT_CHECK((call) == QM_EINVAL, "%s", #call)
    BAD(qm_cubature(NULL, genz_fn, &g, 3, ZERO, ONE, 1, &o, v, e, NULL));
    BAD(qm_cubature(ex, NULL, &g, 3, ZERO, ONE, 1, &o, v, e, NULL));
    BAD(qm_cubature(ex, genz_fn, &g, 3, NULL, ONE, 1, &o, v, e, NULL));
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, NULL, 1, &o, v, e, NULL));
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 1, NULL, v, e, NULL));
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 1, &o, NULL, e, NULL));
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 1, &o, v, NULL, NULL));
    BAD(qm_cubature(ex, genz_fn, &g, 0, ZERO, ONE, 1, &o, v, e, NULL));
    BAD(qm_cubature(ex, genz_fn, &g, 1, ZERO, ONE, 1, &o, v, e, NULL));
    BAD(qm_cubature(ex, genz_fn, &g, QM_CUBATURE_MAX_DIM + 1, zeros, zeros,
                    1, &o, v, e, NULL));
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 0, &o, v, e, NULL));
    BAD(qm_cubature(ex, genz_fn, &g, 3, lo, hi, 1, &o, v, e, NULL));
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, inf, 1, &o, v, e, NULL));
    BAD(qm_cubature(ex, genz_fn, &g, 3, nan3, ONE, 1, &o, v, e, NULL));
    o.epsrel = NAN;
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 1, &o, v, e, NULL));
    o.epsrel = 0;
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 1, &o, v, e, NULL));
    o.epsrel = -1e-6;
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 1, &o, v, e, NULL));
    o.epsrel = 1e-6;
    o.epsabs = NAN;
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 1, &o, v, e, NULL));
    o.epsabs = 0;
    o.norm = (qm_norm)7;
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 1, &o, v, e, NULL));
    o.norm = QM_NORM_INDIVIDUAL;
    o.method = (qm_method)9;
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 1, &o, v, e, NULL));
    o.method = QM_METHOD_QMC;
    BAD(qm_cubature(ex, genz_fn, &g, QM_SOBOL_MAX_DIM + 1, zeros, zeros, 1,
                    &o, v, e, NULL));
    o.method = QM_METHOD_MC;
    BAD(qm_cubature(ex, genz_fn, &g, 0, ZERO, ONE, 1, &o, v, e, NULL));
    /* a sample count whose block count wrapped used to give success, value
     * 0 and -1 evaluations */
    o.max_eval = UINT64_MAX;
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 1, &o, v, e, NULL));
    o.max_eval = ((uint64_t)1 << 53) + 1;
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 1, &o, v, e, NULL));
    o.method = QM_METHOD_QMC;
    BAD(qm_cubature(ex, genz_fn, &g, 3, ZERO, ONE, 1, &o, v, e, NULL));
    o.max_eval = 0;
    /* the dimension is checked before the bounds are read: a 17-D request
     * with 3-entry arrays must not touch entry 3 (ASan in CI) */
    o.method = QM_METHOD_GENZ_MALIK;
    BAD(qm_cubature(ex, genz_fn, &g, QM_CUBATURE_MAX_DIM + 1, ZERO, ONE, 1,
                    &o, v, e, NULL));
#undef BAD
    qm_exec_free(ex);
}

static void integrand_failures_are_reported_identically(void)
{
    for (int m = QM_METHOD_GENZ_MALIK; m <= QM_METHOD_QMC; m++) {
        qm_result ref[2];
        memset(ref, 0, sizeof ref);
        for (int t = 0; t <= 3; t++) {
            qm_exec *ex = t == 0 ? qmt_serial()
                                 : qmt_openmp(t, QM_SCHEDULE_DYNAMIC, 1);
            if (!ex)
                continue;
            qm_cubature_opts o = adaptive_opts(1e-6, 100000);
            o.method = (qm_method)m;
            double v, e;
            qm_result info[2];
            int st = qm_cubature(ex, nan_above, NULL, 3, ZERO, ONE, 1, &o, &v,
                                 &e, &info[0]);
            QMT_CHECK(st == QM_ENONFINITE && info[0].fail_x > 0.7,
                      "method %d: status %d x0 %g", m, st, info[0].fail_x);
            st = qm_cubature(ex, user_fail, NULL, 3, ZERO, ONE, 1, &o, &v, &e,
                             &info[1]);
            QMT_CHECK(st == QM_EUSER && info[1].user_status == 42,
                      "method %d: status %d user %d", m, st,
                      info[1].user_status);
            if (t == 0)
                memcpy(ref, info, sizeof ref);
            else
                QMT_CHECK(qmt_same_bits(ref[0].fail_x, info[0].fail_x)
                              && ref[0].evaluations == info[0].evaluations,
                          "method %d threads %d: x0 %.17g vs %.17g", m, t,
                          info[0].fail_x, ref[0].fail_x);
            qm_exec_free(ex);
        }
    }
}

int main(void)
{
    QMT_INIT_REGISTRY();
    CU_pSuite rule = qmt_suite("genz_malik_rule");
    QMT_ADD(rule, rule_is_exact_for_degree5_polynomials_in_one_region);
    CU_pSuite ad = qmt_suite("adaptive_cubature");
    QMT_ADD(ad, genz_smooth_families_meet_1e6_in_dims_2_to_4);
    QMT_ADD(ad, genz_smooth_families_meet_1e4_in_dims_5_and_6);
    QMT_ADD(ad, genz_c0_and_discontinuous_are_within_reported_error);
    QMT_ADD(ad, budget_exhaustion_gives_emaxiter_with_best_estimate);
    QMT_ADD(ad, vector_integrand_meets_tolerance_in_each_norm);
    CU_pSuite mc = qmt_suite("monte_carlo");
    QMT_ADD(mc, mc_pi_is_within_4_standard_errors);
    QMT_ADD(mc, qmc_error_is_much_smaller_than_mc_on_smooth_integrand);
    QMT_ADD(mc, mc_seeds_give_different_samples);
    CU_pSuite rep = qmt_suite("reproducibility");
    QMT_ADD(rep, results_are_identical_for_serial_and_1_2_3_threads);
    CU_pSuite err = qmt_suite("errors");
    QMT_ADD(err, bad_arguments_return_einval);
    QMT_ADD(err, integrand_failures_are_reported_identically);
    return qmt_run();
}
