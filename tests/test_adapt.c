/*
 * Adaptive 1-D integration (qm_integrate_adaptive, qm_gauss_kronrod).
 *
 * Every integrand has a known exact value and is also integrated by GSL
 * (qags, qagiu, qagil, qagi, qagp or qag, same rule and tolerance, error
 * handler off).  Tolerances: on success our error estimate must bound the
 * actual error (that is what the estimate promises) and hence the actual
 * error is under the requested tolerance; our value must agree with GSL's
 * within the sum of the two error estimates.
 */
#include "test_common.h"
#include "quadmap.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

/* ------------------------------------------------------------ integrands */

typedef double (*sfn)(double x);

static double f_x2(double x) { return x * x; }
static double f_exp(double x) { return exp(x); }
static double f_atan(double x) { return 1 / (1 + x * x); }
static double f_sin(double x) { return sin(x); }
static double f_cos(double x) { return cos(x); }
static double f_log(double x) { return log(x); }
static double f_xm09(double x) { return pow(x, -0.9); }
static double f_rsqrt(double x) { return 1 / sqrt(x); }
static double f_sqrtlog(double x) { return sqrt(x) * log(x); }
static double f_peak(double x) { return 1 / ((x - 0.3) * (x - 0.3) + 1e-4); }
static double f_peak8(double x) { return 1 / ((x - 0.3) * (x - 0.3) + 1e-8); }
static double f_cos100(double x) { return cos(100 * x); }
static double f_xsin30(double x) { return x * sin(30 * x); }
static double f_gauss(double x) { return exp(-x * x); }
static double f_xexp(double x) { return x * exp(-x); }
static double f_expcos(double x) { return exp(-x) * cos(x); }
static double f_logatan(double x) { return log(x) / (1 + x * x); }
static double f_f454(double x)
{
    const double x2 = x * x;
    return x2 * x * log(fabs((x2 - 1) * (x2 - 2)));
}
static double f_absthird(double x) { return 1 / sqrt(fabs(x - 1.0 / 3)); }
static double f_loghalf(double x) { return log(fabs(x - 0.5)); }
static double f_x26log(double x) { return pow(x, 2.6) * log(1 / x); }
static double f_logrsqrt(double x) { return log(x) / sqrt(x); }
static double f_exprsqrt(double x) { return exp(-x) / sqrt(x); }
static double f_sinc(double x) { return sin(x) / x; }
static double f_circle(double x) { return sqrt(1 - x * x); }
static double f_runge(double x) { return 1 / (1 + 25 * x * x); }
static double f_halfgauss(double x) { return exp(-0.5 * x * x); }
static double f_inv(double x) { return 1 / x; }

/* Batched adapter over a scalar function (data: sfn). */
static int batch_scalar(size_t n, const double *x, double *y, void *data)
{
    sfn f = *(sfn *)data;
    for (size_t i = 0; i < n; i++)
        y[i] = f(x[i]);
    return 0;
}

/* GSL integrand counting its calls. */
typedef struct gsl_counted {
    sfn f;
    long calls;
} gsl_counted;
static double gsl_wrap(double x, void *p)
{
    gsl_counted *c = p;
    c->calls++;
    return c->f(x);
}

typedef struct icase {
    const char *name;
    sfn f;
    double a, b, exact;
    double epsabs, epsrel;
    int nbp;
    double bp[2];
    int ts;      /* also run tanh-sinh on it (2: expect QM_EROUND) */
} icase;

#define PI 3.14159265358979323846
static icase cases[] = {
    {"x^2 [0,1]", f_x2, 0, 1, 1.0 / 3, 0, 1e-10, 0, {0}, 1},
    {"exp [0,1]", f_exp, 0, 1, 1.71828182845904523536, 0, 1e-10, 0, {0}, 1},
    {"1/(1+x^2) [0,1]", f_atan, 0, 1, PI / 4, 0, 1e-10, 0, {0}, 1},
    {"sin [0,pi]", f_sin, 0, PI, 2.0, 0, 1e-10, 0, {0}, 1},
    {"cos [0,pi/2]", f_cos, 0, PI / 2, 1.0, 0, 1e-10, 0, {0}, 1},
    {"log x [0,1]", f_log, 0, 1, -1.0, 0, 1e-10, 0, {0}, 1},
    {"x^-0.9 [0,1]", f_xm09, 0, 1, 10.0, 0, 1e-10, 0, {0}, 1},
    {"1/sqrt x [0,1]", f_rsqrt, 0, 1, 2.0, 0, 1e-10, 0, {0}, 1},
    {"sqrt(x) log x [0,1]", f_sqrtlog, 0, 1, -4.0 / 9, 0, 1e-10, 0, {0}, 1},
    {"x^2.6 log(1/x) [0,1]", f_x26log, 0, 1, 1 / 12.96, 0, 1e-10, 0, {0}, 1},
    {"log(x)/sqrt x [0,1]", f_logrsqrt, 0, 1, -4.0, 0, 1e-10, 0, {0}, 1},
    {"sqrt(1-x^2) [-1,1]", f_circle, -1, 1, PI / 2, 0, 1e-10, 0, {0}, 1},
    {"runge [-1,1]", f_runge, -1, 1, 0.4 * 1.37340076694501586539, 0, 1e-10, 0, {0}, 1},
    {"sin(x)/x [1e-300,pi]", f_sinc, 1e-300, PI, 1.85193705198246617036, 0, 1e-10, 0, {0}, 1},
    {"narrow peak at 0.3 [0,1]", f_peak8, 0, 1, 0, 0, 1e-10, 0, {0}, 0},
    {"peak at 0.3 [0,1]", f_peak, 0, 1, 100 * (1.55651158899830298736 + 1.53747533091664942439), 0, 1e-10, 0, {0}, 0},
    {"cos(100x) [0,1]", f_cos100, 0, 1, -0.00506365641109758794, 0, 1e-10, 0, {0}, 0},
    {"x sin(30x) [0,1]", f_xsin30, 0, 1, 0.0, 0, 1e-10, 0, {0}, 0},
    {"exp(-x^2) (-inf,inf)", f_gauss, -INFINITY, INFINITY, 1.77245385090551602730, 0, 1e-10, 0, {0}, 1},
    {"1/(1+x^2) [0,inf)", f_atan, 0, INFINITY, PI / 2, 0, 1e-10, 0, {0}, 1},
    {"x e^-x [0,inf)", f_xexp, 0, INFINITY, 1.0, 0, 1e-10, 0, {0}, 1},
    {"e^-x cos x [0,inf)", f_expcos, 0, INFINITY, 0.5, 0, 1e-10, 0, {0}, 0},
    {"log(x)/(1+x^2) [0,inf)", f_logatan, 0, INFINITY, 0.0, 1e-10, 0, 0, {0}, 0},
    {"e^-x/sqrt x [0,inf)", f_exprsqrt, 0, INFINITY, 1.77245385090551602730, 0, 1e-10, 0, {0}, 1},
    {"exp(-x^2/2) (-inf,0]", f_halfgauss, -INFINITY, 0, 1.25331413731550025121, 0, 1e-10, 0, {0}, 1},
    {"exp (-inf,0]", f_exp, -INFINITY, 0, 1.0, 0, 1e-10, 0, {0}, 1},
    {"f454 [0,3] bp 1,sqrt2", f_f454, 0, 3, 52.740748383471444998, 0, 1e-10, 2, {1, 1.41421356237309504880}, 1},
    /* ts = 2: tanh-sinh must report QM_EROUND: the part of the integral
     * within one ulp of 1/3 (about 2 sqrt(ulp) = 2e-8) cannot be sampled,
     * as f is evaluated at x, not at the distance from the singularity */
    {"|x-1/3|^-1/2 [0,1] bp 1/3", f_absthird, 0, 1, 0.0, 0, 1e-10, 1, {1.0 / 3}, 2},
    {"log|x-1/2| [0,1] bp 1/2", f_loghalf, 0, 1, -1.69314718055994530942, 0, 1e-10, 1, {0.5}, 1},
};
#define NCASES (sizeof cases / sizeof cases[0])

static void fix_exact(void)
{
    for (size_t i = 0; i < NCASES; i++) {
        if (cases[i].f == f_xsin30)
            cases[i].exact = -cos(30.0) / 30 + sin(30.0) / 900;
        if (cases[i].f == f_cos100)
            cases[i].exact = sin(100.0) / 100;
        if (cases[i].f == f_absthird)
            cases[i].exact = 2 * sqrt(1.0 / 3) + 2 * sqrt(2.0 / 3);
        if (cases[i].f == f_peak)
            cases[i].exact = 100 * (atan(70.0) + atan(30.0));
        if (cases[i].f == f_peak8)
            cases[i].exact = 1e4 * (atan(7e3) + atan(3e3));
        if (cases[i].f == f_runge)
            cases[i].exact = 0.4 * atan(5.0);
    }
}

/* GSL's answer for a case (qags / qagp / qagi / qagiu / qagil). */
static int gsl_solve(const icase *c, int qag, double *val, double *err,
                     long *calls)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    gsl_counted cnt = {c->f, 0};
    gsl_function F = {gsl_wrap, &cnt};
    int st;
    if (qag)
        st = gsl_integration_qag(&F, c->a, c->b, c->epsabs, c->epsrel, 1000,
                                 GSL_INTEG_GAUSS21, w, val, err);
    else if (c->nbp > 0) {
        double pts[4];
        pts[0] = c->a;
        for (int i = 0; i < c->nbp; i++)
            pts[i + 1] = c->bp[i];
        pts[c->nbp + 1] = c->b;
        st = gsl_integration_qagp(&F, pts, (size_t)c->nbp + 2, c->epsabs,
                                  c->epsrel, 1000, w, val, err);
    } else if (isinf(c->a) && isinf(c->b))
        st = gsl_integration_qagi(&F, c->epsabs, c->epsrel, 1000, w, val, err);
    else if (isinf(c->b))
        st = gsl_integration_qagiu(&F, c->a, c->epsabs, c->epsrel, 1000, w,
                                   val, err);
    else if (isinf(c->a))
        st = gsl_integration_qagil(&F, c->b, c->epsabs, c->epsrel, 1000, w,
                                   val, err);
    else
        st = gsl_integration_qags(&F, c->a, c->b, c->epsabs, c->epsrel, 1000,
                                  w, val, err);
    gsl_integration_workspace_free(w);
    *calls = cnt.calls;
    return st;
}

static int run_case(const qm_exec *ex, const icase *c, qm_method m,
                    qm_result *r)
{
    qm_adapt_opts o;
    memset(&o, 0, sizeof o);
    o.epsabs = c->epsabs;
    o.epsrel = c->epsrel;
    o.method = m;
    if (c->nbp > 0) {
        o.breakpoints = c->bp;
        o.nbreakpoints = (size_t)c->nbp;
    }
    sfn f = c->f;
    return qm_integrate_adaptive(ex, batch_scalar, &f, c->a, c->b, &o, r);
}

static double tol_of(const icase *c)
{
    return fmax(c->epsabs, c->epsrel * fabs(c->exact));
}

/* ------------------------------------------------------------------ tests */

static void gk_tables_have_weights_summing_to_2_and_degree_3n_plus_1(void)
{
    static const int keys[] = {15, 21, 31, 41, 51, 61};
    for (int k = 0; k < 6; k++) {
        const int key = keys[k], m = (key + 1) / 2, ng = (key + 1) / 4;
        const int n = (key - 1) / 2; /* Gauss points */
        double x[31], wk[31], wg[16];
        QMT_CHECK(qm_gauss_kronrod(key, x, wk, wg) == QM_SUCCESS, "key %d", key);
        long double sk = wk[m - 1], sg = 0;
        for (int j = 0; j < m - 1; j++)
            sk += 2.0L * wk[j];
        for (int j = 0; j < ng; j++)
            sg += (m % 2 == 0 && j == ng - 1) ? wg[j] : 2.0L * wg[j];
        QMT_CHECK(fabsl(sk - 2) < 1e-15, "key %d Kronrod sum %.17Lg", key, sk);
        QMT_CHECK(fabsl(sg - 2) < 1e-15, "key %d Gauss sum %.17Lg", key, sg);
        QMT_CHECK(x[m - 1] == 0.0, "key %d centre", key);
        /* degree d monomials: Kronrod exact up to 3n+1 (n Gauss points),
         * Gauss up to 2n-1; roundoff ~ m eps */
        for (int d = 0; d <= 3 * n + 1; d++) {
            long double q = (d == 0) ? wk[m - 1] : 0, g = 0;
            for (int j = 0; j < m - 1; j++)
                q += wk[j] * (powl(x[j], d) + powl(-x[j], d));
            for (int j = 0; j < ng; j++) {
                const int idx = 2 * j + 1;
                const long double xd = powl(x[idx], d);
                g += (idx == m - 1) ? (d == 0 ? wg[j] : 0)
                                    : wg[j] * (xd + powl(-x[idx], d));
            }
            const long double ex = (d % 2) ? 0.0L : 2.0L / (d + 1);
            QMT_CHECK(fabsl(q - ex) < 1e-14, "key %d degree %d: %.17Lg", key, d, q);
            if (d <= 2 * n - 1)
                QMT_CHECK(fabsl(g - ex) < 1e-14, "key %d Gauss degree %d: %.17Lg", key, d, g);
        }
    }
    double x[31], wk[31], wg[16];
    QMT_CHECK(qm_gauss_kronrod(17, x, wk, wg) == QM_EINVAL, "key 17");
    QMT_CHECK(qm_gauss_kronrod(21, NULL, wk, wg) == QM_EINVAL, "NULL");
}

static void qags_matches_exact_and_gsl_on_29_integrands(void)
{
    qm_exec *ex = qmt_serial();
    long tot_ours = 0, tot_gsl = 0;
    printf("\n  %-28s %11s %9s %9s %6s %6s %4s %4s %5s %5s\n", "integrand (QAGS)",
           "value", "err", "est", "neval", "gsl", "st", "gst", "ivals", "steps");
    for (size_t i = 0; i < NCASES; i++) {
        const icase *c = &cases[i];
        qm_result r;
        const int st = run_case(ex, c, QM_METHOD_QAGS, &r);
        double gv, ge;
        long gcalls;
        const int gst = gsl_solve(c, 0, &gv, &ge, &gcalls);
        const double err = fabs(r.value - c->exact);
        printf("  %-28s %11.8g %9.2e %9.2e %6lld %6ld %4d %4d %5zu %5zu\n", c->name,
               r.value, err, r.abserr, (long long)r.evaluations, gcalls, st, gst,
               r.subregions, r.steps);
        tot_ours += (long)r.evaluations;
        tot_gsl += gcalls;
        QMT_CHECK(isfinite(r.value), "%s: value", c->name);
        if (gst == GSL_SUCCESS)
            QMT_CHECK(st == QM_SUCCESS, "%s: status %d, GSL succeeded", c->name, st);
        if (st == QM_SUCCESS) {
            QMT_CHECK(r.abserr >= err, "%s: estimate %g < error %g", c->name, r.abserr, err);
            QMT_CHECK(err <= tol_of(c), "%s: error %g over tolerance", c->name, err);
        }
        QMT_CHECK(fabs(r.value - gv) <= r.abserr + ge + 1e-15 * fabs(gv),
                  "%s: ours %.17g GSL %.17g", c->name, r.value, gv);
        QMT_CHECK(r.subregions >= 1 && r.steps >= 1, "%s: info", c->name);
        QMT_CHECK(r.evaluations <= 2 * gcalls + 21 * 4,
                  "%s: %lld evaluations vs GSL %ld", c->name,
                  (long long)r.evaluations, gcalls);
    }
    printf("  total evaluations: quadmap %ld, GSL %ld (ratio %.3f)\n", tot_ours,
           tot_gsl, (double)tot_ours / tot_gsl);
    QMT_CHECK(tot_ours <= 1.2 * tot_gsl, "total %ld vs GSL %ld", tot_ours, tot_gsl);
    qm_exec_free(ex);
}

/* The same checks at looser and tighter tolerances (no table). */
static void qags_matches_gsl_at_epsrel_1e_6_and_1e_13(void)
{
    static const double tols[2] = {1e-6, 1e-13};
    qm_exec *ex = qmt_serial();
    for (int k = 0; k < 2; k++) {
        long tot_ours = 0, tot_gsl = 0;
        int nsame = 0, n = 0;
        for (size_t i = 0; i < NCASES; i++) {
            icase c = cases[i];
            if (c.epsrel > 0)
                c.epsrel = tols[k];
            else
                c.epsabs = tols[k];
            qm_result r;
            const int st = run_case(ex, &c, QM_METHOD_QAGS, &r);
            double gv, ge;
            long gcalls;
            const int gst = gsl_solve(&c, 0, &gv, &ge, &gcalls);
            const double err = fabs(r.value - c.exact);
            tot_ours += (long)r.evaluations;
            tot_gsl += gcalls;
            n++;
            nsame += st == gst;
            if (gst == GSL_SUCCESS)
                QMT_CHECK(st == QM_SUCCESS, "%s at %g: status %d, GSL succeeded",
                          c.name, tols[k], st);
            if (st == QM_SUCCESS)
                QMT_CHECK(r.abserr >= err && err <= tol_of(&c),
                          "%s at %g: error %g estimate %g", c.name, tols[k], err, r.abserr);
            QMT_CHECK(isfinite(r.value)
                          && fabs(r.value - gv) <= r.abserr + ge + 1e-15 * fabs(gv),
                      "%s at %g: ours %.17g GSL %.17g", c.name, tols[k], r.value, gv);
        }
        printf("\n  tolerance %g: evaluations quadmap %ld, GSL %ld (ratio %.3f); "
               "same status as GSL on %d of %d", tols[k], tot_ours, tot_gsl,
               (double)tot_ours / tot_gsl, nsame, n);
        QMT_CHECK(tot_ours <= 1.2 * tot_gsl, "at %g: total %ld vs GSL %ld", tols[k],
                  tot_ours, tot_gsl);
    }
    printf("\n");
    qm_exec_free(ex);
}

static void qag_matches_exact_and_gsl_qag_on_finite_ranges(void)
{
    qm_exec *ex = qmt_serial();
    long tot_ours = 0, tot_gsl = 0;
    for (size_t i = 0; i < NCASES; i++) {
        const icase *c = &cases[i];
        if (isinf(c->a) || isinf(c->b) || c->nbp > 0)
            continue;
        qm_result r;
        const int st = run_case(ex, c, QM_METHOD_QAG, &r);
        double gv, ge;
        long gcalls;
        const int gst = gsl_solve(c, 1, &gv, &ge, &gcalls);
        const double err = fabs(r.value - c->exact);
        tot_ours += (long)r.evaluations;
        tot_gsl += gcalls;
        if (gst == GSL_SUCCESS)
            QMT_CHECK(st == QM_SUCCESS, "%s: QAG status %d, GSL succeeded", c->name, st);
        else
            QMT_CHECK(st != QM_SUCCESS || err <= tol_of(c), "%s: QAG %d vs GSL %d", c->name, st, gst);
        if (st == QM_SUCCESS)
            QMT_CHECK(r.abserr >= err && err <= tol_of(c), "%s: QAG error %g est %g",
                      c->name, err, r.abserr);
        QMT_CHECK(isfinite(r.value), "%s: QAG value", c->name);
    }
    printf("\n  QAG total evaluations: quadmap %ld, GSL %ld\n", tot_ours, tot_gsl);
    QMT_CHECK(tot_ours <= 1.3 * tot_gsl, "QAG total %ld vs GSL %ld", tot_ours, tot_gsl);
    qm_exec_free(ex);
}

static void tanh_sinh_meets_tolerance_on_singular_and_smooth_integrands(void)
{
    qm_exec *ex = qmt_serial();
    printf("\n  %-28s %11s %9s %9s %6s %6s\n", "integrand (tanh-sinh)", "value",
           "err", "est", "neval", "qags");
    for (size_t i = 0; i < NCASES; i++) {
        const icase *c = &cases[i];
        if (!c->ts)
            continue;
        qm_result r, q;
        const int st = run_case(ex, c, QM_METHOD_TANH_SINH, &r);
        run_case(ex, c, QM_METHOD_QAGS, &q);
        const double err = fabs(r.value - c->exact);
        printf("  %-28s %11.8g %9.2e %9.2e %6lld %6lld\n", c->name, r.value, err,
               r.abserr, (long long)r.evaluations, (long long)q.evaluations);
        if (c->ts == 2) {
            QMT_CHECK(st == QM_EROUND, "%s: tanh-sinh status %d", c->name, st);
        } else {
            QMT_CHECK(st == QM_SUCCESS, "%s: tanh-sinh status %d", c->name, st);
            QMT_CHECK(err <= tol_of(c), "%s: tanh-sinh error %g", c->name, err);
        }
        QMT_CHECK(r.abserr >= err, "%s: tanh-sinh estimate %g < error %g", c->name,
                  r.abserr, err);
        if (c->f == f_xm09 || c->f == f_log)
            QMT_CHECK(r.evaluations < q.evaluations, "%s: tanh-sinh %lld >= QAGS %lld",
                      c->name, (long long)r.evaluations, (long long)q.evaluations);
    }
    qm_exec_free(ex);
}

static int same(const qm_result *x, const qm_result *y)
{
    return qmt_same_result(x, y) && x->subregions == y->subregions
           && x->steps == y->steps;
}

static void results_are_identical_for_serial_and_1_2_3_threads(void)
{
    static const struct { const char *name; qm_method m; } meth[] = {
        {"QAGS", QM_METHOD_QAGS}, {"QAG", QM_METHOD_QAG}, {"tanh-sinh", QM_METHOD_TANH_SINH}};
    qm_exec *ser = qmt_serial();
    for (size_t i = 0; i < NCASES; i++) {
        const icase *c = &cases[i];
        for (int k = 0; k < 3; k++) {
            if (meth[k].m == QM_METHOD_QAG && (isinf(c->a) || isinf(c->b)))
                continue;
            if (meth[k].m == QM_METHOD_TANH_SINH && !c->ts)
                continue;
            qm_result r0, r;
            const int s0 = run_case(ser, c, meth[k].m, &r0);
            if (!qmt_have_openmp())
                continue;
            for (int t = 1; t <= 3; t++) {
                qm_exec *ex = qmt_openmp(t, t == 3 ? QM_SCHEDULE_DYNAMIC : QM_SCHEDULE_AUTO, 0);
                const int s = run_case(ex, c, meth[k].m, &r);
                QMT_CHECK(s == s0 && same(&r0, &r),
                          "%s %s: %d threads differ (%.17g vs %.17g)", meth[k].name,
                          c->name, t, r.value, r0.value);
                qm_exec_free(ex);
            }
        }
    }
    qm_exec_free(ser);
}

static void negated_interval_gives_negated_integral(void)
{
    qm_exec *ex = qmt_serial();
    qm_adapt_opts o;
    memset(&o, 0, sizeof o);
    o.epsrel = 1e-10;
    sfn f = f_f454;
    const double bp[2] = {1, sqrt(2.0)};
    qm_result r, s;
    for (int m = QM_METHOD_QAGS; m <= QM_METHOD_TANH_SINH; m++) {
        o.method = (qm_method)m;
        sfn g = f_log;
        QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &g, 0, 1, &o, &r) == 0
                  && qm_integrate_adaptive(ex, batch_scalar, &g, 1, 0, &o, &s) == 0
                  && s.value == -r.value, "method %d: %g vs %g", m, s.value, r.value);
    }
    o.method = QM_METHOD_QAGS;
    o.breakpoints = bp;
    o.nbreakpoints = 2;
    QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &f, 3, 0, &o, &s) == 0
              && fabs(s.value + 52.740748383471444998) < 1e-8, "f454 reversed %g", s.value);
    o.breakpoints = NULL;
    o.nbreakpoints = 0;
    sfn g = f_gauss;
    QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &g, INFINITY, -INFINITY, &o, &s) == 0
              && fabs(s.value + sqrt(PI)) < 1e-9, "gauss reversed %g", s.value);
    QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &g, 2, 2, &o, &s) == 0
              && s.value == 0 && s.evaluations == 0, "empty range");
    qm_exec_free(ex);
}

static void bad_input_is_einval(void)
{
    qm_exec *ex = qmt_serial();
    sfn f = f_x2;
    qm_adapt_opts o;
    qm_result r;
    const double nan = NAN;
#define BAD(setup, a, b)                                                     \
    do {                                                                     \
        memset(&o, 0, sizeof o);                                             \
        o.epsrel = 1e-8;                                                     \
        setup;                                                               \
        QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &f, a, b, &o, &r) \
                      == QM_EINVAL, "%s", #setup);                           \
    } while (0)
    BAD(o.epsabs = nan, 0, 1);
    BAD(o.epsrel = nan, 0, 1);
    BAD((o.epsabs = 0, o.epsrel = 0), 0, 1);
    BAD((o.epsabs = 0, o.epsrel = 1e-17), 0, 1);   /* GSL EBADTOL */
    BAD(o.epsabs = -1, 0, 1);
    BAD(o.key = 17, 0, 1);
    BAD(o.method = (qm_method)7, 0, 1);
    BAD((void)0, nan, 1);
    BAD((void)0, 0, nan);
    static const double out[1] = {2.0}, desc[2] = {0.6, 0.4}, edge[1] = {0.0};
    BAD((o.breakpoints = out, o.nbreakpoints = 1), 0, 1);
    BAD((o.breakpoints = desc, o.nbreakpoints = 2), 0, 1);
    BAD((o.breakpoints = edge, o.nbreakpoints = 1), 0, 1);
    BAD((o.breakpoints = NULL, o.nbreakpoints = 1), 0, 1);
    memset(&o, 0, sizeof o);
    o.epsrel = 1e-8;
    QMT_CHECK(qm_integrate_adaptive(NULL, batch_scalar, &f, 0, 1, &o, &r) == QM_EINVAL, "NULL ex");
    QMT_CHECK(qm_integrate_adaptive(ex, NULL, &f, 0, 1, &o, &r) == QM_EINVAL, "NULL f");
    QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &f, 0, 1, NULL, &r) == QM_EINVAL, "NULL opts");
    QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &f, 0, 1, &o, NULL) == QM_EINVAL, "NULL res");
    /* limit 0 means the default (1000), documented in the header; a huge
     * limit allocates nothing up front; tanh-sinh caps it at level 16 */
    QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &f, 0, 1, &o, &r) == QM_SUCCESS, "limit 0");
    o.limit = SIZE_MAX;
    QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &f, 0, 1, &o, &r) == QM_SUCCESS, "limit max");
    o.method = QM_METHOD_TANH_SINH;
    QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &f, 0, 1, &o, &r) == QM_SUCCESS, "ts limit max");
    static const double mid[1] = {0.5};
    o.breakpoints = mid;
    o.nbreakpoints = 1;
    QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &f, 0, INFINITY, &o, &r) == QM_EINVAL,
              "tanh-sinh breakpoints with an infinite range");
    o.method = QM_METHOD_QAGS;
    QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &f, 0, INFINITY, &o, &r) == QM_EINVAL,
              "breakpoints with an infinite range");
    qm_exec_free(ex);
#undef BAD
}

static void divergent_integral_gives_gsl_like_error_status(void)
{
    qm_exec *ex = qmt_serial();
    icase c = {"1/x [0,1]", f_inv, 0, 1, 0, 0, 1e-10, 0, {0}, 0};
    qm_result r;
    const int st = run_case(ex, &c, QM_METHOD_QAGS, &r);
    double gv, ge;
    long calls;
    const int gst = gsl_solve(&c, 0, &gv, &ge, &calls);
    printf("\n  1/x on [0,1]: quadmap status %d (%s) value %g; GSL status %d value %g\n",
           st, qm_strerror(st), r.value, gst, gv);
    QMT_CHECK(st == QM_EDIVERGE || st == QM_EROUND || st == QM_ESING || st == QM_EMAXITER,
              "status %d", st);
    QMT_CHECK(st == gst, "status %d, GSL %d", st, gst);
    /* same partition as GSL (999 intervals), so the same best estimate up
     * to the order of summation */
    QMT_CHECK(fabs(r.value - gv) <= 1e-12 * fabs(gv), "value %.17g, GSL %.17g", r.value, gv);
    qm_exec_free(ex);
}

static void subdivision_limit_gives_emaxiter_with_finite_estimate(void)
{
    qm_exec *ex = qmt_serial();
    for (int m = QM_METHOD_QAGS; m <= QM_METHOD_QAG; m++) {
        qm_adapt_opts o;
        memset(&o, 0, sizeof o);
        o.epsrel = 1e-12;
        o.limit = 4;
        o.method = (qm_method)m;
        sfn f = f_cos100;
        qm_result r;
        const int st = qm_integrate_adaptive(ex, batch_scalar, &f, 0, 1, &o, &r);
        QMT_CHECK(st == QM_EMAXITER, "method %d: status %d", m, st);
        QMT_CHECK(isfinite(r.value) && isfinite(r.abserr) && r.subregions <= 4,
                  "method %d: %g %g %zu", m, r.value, r.abserr, r.subregions);
    }
    /* tanh-sinh: the limit is the level */
    qm_adapt_opts o;
    memset(&o, 0, sizeof o);
    o.epsrel = 1e-13;
    o.limit = 2;
    o.method = QM_METHOD_TANH_SINH;
    sfn f = f_cos100;
    qm_result r;
    QMT_CHECK(qm_integrate_adaptive(ex, batch_scalar, &f, 0, 1, &o, &r) == QM_EMAXITER
              && isfinite(r.value), "tanh-sinh limit");
    qm_exec_free(ex);
}

static int nan_above(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.7 ? NAN : x[i];
    return 0;
}
static int fail_user(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++) {
        if (x[i] > 0.5)
            return 42;
        y[i] = x[i];
    }
    return 0;
}

static void integrand_failures_give_enonfinite_and_euser(void)
{
    for (int t = 0; t < 2; t++) {
        qm_exec *ex = t == 0 ? qmt_serial() : qmt_openmp(3, QM_SCHEDULE_AUTO, 0);
        if (!ex)
            continue;
        for (int m = QM_METHOD_QAGS; m <= QM_METHOD_TANH_SINH; m++) {
            qm_adapt_opts o;
            memset(&o, 0, sizeof o);
            o.epsrel = 1e-10;
            o.method = (qm_method)m;
            qm_result r;
            int st = qm_integrate_adaptive(ex, nan_above, NULL, 0, 1, &o, &r);
            QMT_CHECK(st == QM_ENONFINITE && r.fail_x > 0.7 && isnan(r.value),
                      "method %d: %d fail_x %g", m, st, r.fail_x);
            st = qm_integrate_adaptive(ex, fail_user, NULL, 0, 1, &o, &r);
            QMT_CHECK(st == QM_EUSER && r.user_status == 42 && isnan(r.value),
                      "method %d: %d user %d", m, st, r.user_status);
        }
        qm_exec_free(ex);
    }
}

/* ------------------------------------------------------------ workspaces */

/* Every field of two results, bit for bit. */
static int same_everything(const qm_result *x, const qm_result *y)
{
    return qmt_same_bits(x->value, y->value)
        && qmt_same_bits(x->abserr, y->abserr)
        && x->evaluations == y->evaluations && x->subregions == y->subregions
        && x->steps == y->steps && qmt_same_bits(x->fail_x, y->fail_x)
        && x->user_status == y->user_status && x->fail_rank == y->fail_rank;
}

/* NaN above 0.6 (a failure in the middle of a run). */
static int ws_nan_above(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.6 ? NAN : x[i];
    return 0;
}

/* 1 / (1 + 25 p x^2), data: p (a parameter sweep of small integrals). */
static int ws_runge(size_t n, const double *x, double *y, void *data)
{
    const double a = 25 * *(const double *)data;
    for (size_t i = 0; i < n; i++)
        y[i] = 1 / (1 + a * x[i] * x[i]);
    return 0;
}

/* One integral with and without the workspace: same status, same bits. */
static void ws_check(const qm_exec *ex, qm_batch_fn f, void *data, double a,
                     double b, qm_adapt_opts *o, qm_workspace *ws,
                     const char *what)
{
    qm_result r0, r1;
    o->workspace = NULL;
    const int s0 = qm_integrate_adaptive(ex, f, data, a, b, o, &r0);
    o->workspace = ws;
    const int s1 = qm_integrate_adaptive(ex, f, data, a, b, o, &r1);
    QMT_CHECK(s0 == s1 && same_everything(&r0, &r1),
              "%s (method %d key %d limit %zu epsabs %g epsrel %g): status "
              "%d/%d, %.17g/%.17g +- %.3g/%.3g, %zu/%zu intervals", what,
              (int)o->method, o->key, o->limit, o->epsabs, o->epsrel, s0, s1,
              r0.value, r1.value, r0.abserr, r1.abserr, r0.subregions,
              r1.subregions);
}

static void workspace_gives_the_same_bits_and_is_reusable(void)
{
    CU_ASSERT(qm_workspace_new(NULL) == QM_EINVAL);
    qm_workspace_free(NULL);
    qm_workspace *ws = NULL;
    CU_ASSERT_EQUAL_FATAL(qm_workspace_new(&ws), QM_SUCCESS);
    qm_exec *ser = qmt_serial();
    qm_exec *par = qmt_have_openmp() ? qmt_openmp(2, QM_SCHEDULE_DYNAMIC, 0)
                                     : NULL;
    static const int keys[] = {0, 15, 21, 61};
    static const double tols[] = {1e-4, 1e-10, 1e-13};
    static const size_t limits[] = {0, 5};
    /* every integrand (finite, infinite, breakpoints), QAGS and QAG, keys,
     * tolerances, a limit that is reached; one workspace throughout, so it
     * is reused after large runs and small ones, on either executor */
    for (size_t i = 0; i < NCASES; i++) {
        const icase *c = &cases[i];
        sfn f = c->f;
        for (int m = 0; m < 2; m++)
            for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
                for (size_t t = 0; t < sizeof tols / sizeof *tols; t++)
                    for (size_t l = 0; l < sizeof limits / sizeof *limits; l++) {
                        qm_adapt_opts o;
                        memset(&o, 0, sizeof o);
                        if (c->epsrel > 0)
                            o.epsrel = tols[t];
                        else
                            o.epsabs = tols[t];
                        o.method = m ? QM_METHOD_QAG : QM_METHOD_QAGS;
                        o.key = keys[k];
                        o.limit = limits[l];
                        if (c->nbp) {
                            o.breakpoints = c->bp;
                            o.nbreakpoints = (size_t)c->nbp;
                        }
                        const qm_exec *ex = par && (i + k + t) % 2 ? par : ser;
                        ws_check(ex, batch_scalar, &f, c->a, c->b, &o, ws,
                                 c->name);
                        if (k == 0 && l == 0) /* reversed bounds */
                            ws_check(ex, batch_scalar, &f, c->b, c->a, &o, ws,
                                     c->name);
                    }
    }
    /* more initial intervals than a step has slots (the slots grow), then
     * small integrals on the grown workspace */
    {
        double bp[299];
        for (int j = 0; j < 299; j++)
            bp[j] = (j + 1) / 300.0;
        qm_adapt_opts o;
        memset(&o, 0, sizeof o);
        o.epsrel = 1e-10;
        o.breakpoints = bp;
        o.nbreakpoints = 299;
        sfn f = f_peak;
        ws_check(ser, batch_scalar, &f, 0, 1, &o, ws, "peak, 299 breakpoints");
        o.limit = 200; /* fewer than the initial intervals: QM_EMAXITER */
        ws_check(ser, batch_scalar, &f, 0, 1, &o, ws, "peak, 299 bp, limit 200");
    }
    /* a failing integrand, then a sweep of small integrals */
    for (int m = 0; m < 2; m++) {
        qm_adapt_opts o;
        memset(&o, 0, sizeof o);
        o.epsrel = 1e-10;
        o.method = m ? QM_METHOD_QAG : QM_METHOD_QAGS;
        ws_check(ser, ws_nan_above, NULL, 0, 1, &o, ws, "NaN above 0.6");
        for (int i = 0; i <= 200; i++) {
            double p = i / 200.0;
            o.key = i % 3 ? 21 : 15;
            ws_check(i % 2 && par ? par : ser, ws_runge, &p, 0, 1, &o, ws,
                     "sweep");
        }
    }
    qm_exec_free(par);
    qm_exec_free(ser);
    qm_workspace_free(ws);
}

static void qags_one_call_equals_integrate_adaptive(void)
{
    qm_exec *ser = qmt_serial();
    qm_exec *par = qmt_have_openmp() ? qmt_openmp(3, QM_SCHEDULE_AUTO, 0)
                                     : NULL;
    for (size_t i = 0; i < NCASES; i++) {
        const icase *c = &cases[i];
        if (c->nbp) /* qm_qags has no breakpoints */
            continue;
        sfn f = c->f;
        for (int rev = 0; rev < 2; rev++) {
            const double a = rev ? c->b : c->a, b = rev ? c->a : c->b;
            qm_result r, r1;
            const int s = qm_qags(batch_scalar, &f, a, b, c->epsabs,
                                  c->epsrel, &r);
            qm_adapt_opts o;
            memset(&o, 0, sizeof o);
            o.epsabs = c->epsabs;
            o.epsrel = c->epsrel;
            o.method = QM_METHOD_QAGS;
            for (int e = 0; e < 2; e++) {
                const qm_exec *ex = e ? par : ser;
                if (!ex)
                    continue;
                const int s1 = qm_integrate_adaptive(ex, batch_scalar, &f, a,
                                                     b, &o, &r1);
                QMT_CHECK(s == s1 && same_everything(&r, &r1),
                          "%s%s (%s): qm_qags %d %.17g, adaptive %d %.17g",
                          c->name, rev ? " reversed" : "",
                          e ? "3 threads" : "serial", s, r.value, s1, r1.value);
            }
        }
    }
    /* failures and bad input the same way too */
    qm_result r, r1;
    qm_adapt_opts o;
    memset(&o, 0, sizeof o);
    o.epsrel = 1e-10;
    int s = qm_qags(ws_nan_above, NULL, 0, 1, 0, 1e-10, &r);
    int s1 = qm_integrate_adaptive(ser, ws_nan_above, NULL, 0, 1, &o, &r1);
    QMT_CHECK(s == QM_ENONFINITE && s1 == s && same_everything(&r, &r1),
              "NaN: %d %d", s, s1);
    s = qm_qags(ws_nan_above, NULL, 0, 1, 0, 0, &r);
    CU_ASSERT(s == QM_EINVAL && isnan(r.value));
    CU_ASSERT(qm_qags(NULL, NULL, 0, 1, 0, 1e-10, &r) == QM_EINVAL);
    qm_exec_free(par);
    qm_exec_free(ser);
}

static int pow_m09(size_t n, const double *x, double *y, void *d)
{
    (void)d;
    for (size_t i = 0; i < n; i++)
        y[i] = pow(x[i], -0.9);
    return 0;
}

/* x^-0.9 on (0, inf) diverges at infinity: tanh-sinh used to return an
 * infinite value with QM_SUCCESS. */
static void divergent_tanh_sinh_is_not_a_success(void)
{
    qm_exec *ex = qmt_serial();
    qm_adapt_opts o;
    memset(&o, 0, sizeof o);
    o.epsrel = 1e-10;
    o.method = QM_METHOD_TANH_SINH;
    qm_result r;
    const int st = qm_integrate_adaptive(ex, pow_m09, NULL, 0, INFINITY, &o, &r);
    QMT_CHECK(st != QM_SUCCESS, "status %d, value %g", st, r.value);
    QMT_CHECK(st == QM_EDIVERGE || isfinite(r.value), "status %d with value %g",
              st, r.value);
    qm_exec_free(ex);
}

int main(void)
{
    gsl_set_error_handler_off();
    fix_exact();
    QMT_INIT_REGISTRY();
    CU_pSuite s = qmt_suite("gauss_kronrod");
    QMT_ADD(s, divergent_tanh_sinh_is_not_a_success);
    QMT_ADD(s, gk_tables_have_weights_summing_to_2_and_degree_3n_plus_1);
    s = qmt_suite("adaptive_1d");
    QMT_ADD(s, qags_matches_exact_and_gsl_on_29_integrands);
    QMT_ADD(s, qags_matches_gsl_at_epsrel_1e_6_and_1e_13);
    QMT_ADD(s, qag_matches_exact_and_gsl_qag_on_finite_ranges);
    QMT_ADD(s, tanh_sinh_meets_tolerance_on_singular_and_smooth_integrands);
    QMT_ADD(s, results_are_identical_for_serial_and_1_2_3_threads);
    QMT_ADD(s, negated_interval_gives_negated_integral);
    QMT_ADD(s, bad_input_is_einval);
    QMT_ADD(s, divergent_integral_gives_gsl_like_error_status);
    QMT_ADD(s, subdivision_limit_gives_emaxiter_with_finite_estimate);
    QMT_ADD(s, integrand_failures_give_enonfinite_and_euser);
    QMT_ADD(s, workspace_gives_the_same_bits_and_is_reusable);
    QMT_ADD(s, qags_one_call_equals_integrate_adaptive);
    return qmt_run();
}
