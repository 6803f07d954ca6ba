/*
 * MPI layer tests (run by tests/mpi_check.sh under mpiexec at -np 1, 2, 3,
 * 4 and 16).  Every rank runs every test; only rank 0 prints, and the
 * failure count is reduced with MPI_MAX so that every rank exits with the
 * same status.
 */
#include "test_mpi_common.h"

#include <mpi.h>
#include <unistd.h>

#include "quadmap_mpi.h"

static int rank, size;
static qm_mpi *ctx;

/* An integrand whose magnitudes vary wildly: plain summation in another
 * order would change the bits, so bitwise agreement means something. */
static int wild(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = 1e16 * sin(1000 * x[i]) + 1.0 / (1e-3 + x[i] * x[i]);
    return 0;
}

static const char *const rule_texts[] = {"left", "midpoint", "trapezoid",
                                         "simpson", "gauss:3", "gauss:7"};
#define NRULES (int)(sizeof rule_texts / sizeof rule_texts[0])

/* N = 1 gives fewer blocks than ranks; the others are not multiples of the
 * block size, of the rank counts, or of each other. */
static const int64_t sizes[] = {1, 2, 5, 7, 12289, 100003, 1234567};
#define NSIZES (int)(sizeof sizes / sizeof sizes[0])

static void check_against_serial(qm_batch_fn f, double a, double b, int threads)
{
    qm_exec *serial = qmt_serial(), *local = threads > 1
        ? qmt_openmp(threads, QM_SCHEDULE_DYNAMIC, 3) : qmt_serial();
    if (!local) /* no OpenMP in this build */
        local = qmt_serial();
    for (int r = 0; r < NRULES; r++) {
        qm_rule rule;
        qm_rule_parse(rule_texts[r], &rule);
        for (int k = 0; k < NSIZES; k++) {
            qm_result ref, got;
            int fr = 7;
            int s0 = qm_integrate(serial, f, NULL, a, b, sizes[k], &rule, &ref);
            int s1 = qm_mpi_integrate(ctx, local, f, NULL, a, b, sizes[k],
                                      &rule, &got, &fr);
            QMT_CHECK(s0 == QM_SUCCESS && s1 == QM_SUCCESS && fr == -1,
                      "%s N=%lld: status serial %d, mpi %d", rule_texts[r],
                      (long long)sizes[k], s0, s1);
            QMT_CHECK(qmt_same_result(&ref, &got),
                      "%s N=%lld np=%d threads=%d: serial %.17g +- %.3g, mpi "
                      "%.17g +- %.3g", rule_texts[r], (long long)sizes[k],
                      size, threads, ref.value, ref.abserr, got.value,
                      got.abserr);
        }
    }
    qm_exec_free(serial);
    qm_exec_free(local);
}

static void mpi_result_is_bitwise_serial_for_every_rule_and_size(void)
{
    check_against_serial(qm_builtin_find("runge")->fn, -1.0, 3.0, 1);
    check_against_serial(wild, 0.0, 1.0, 1);
}

static void hybrid_threads_per_rank_give_the_same_bits(void)
{
    /* 2 and 3 threads in every rank; oversubscribed at -np 16 on 2 cores */
    check_against_serial(wild, 0.0, 1.0, 2);
    if (size <= 4)
        check_against_serial(qm_builtin_find("sin")->fn, 0.0, 30.0, 3);
}

static void all_ranks_hold_the_same_result(void)
{
    qm_exec *ex = qmt_serial();
    qm_rule rule = qmt_rule(QM_RULE_GAUSS, 5);
    qm_result r;
    double v[2], lo[2], hi[2];
    int st = qm_mpi_integrate(ctx, ex, wild, NULL, 0.0, 2.0, 333333, &rule, &r, NULL);
    QMT_CHECK(st == QM_SUCCESS, "status %d", st);
    v[0] = r.value;
    v[1] = r.abserr;
    MPI_Allreduce(v, lo, 2, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(v, hi, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    QMT_CHECK(qmt_same_bits(lo[0], hi[0]) && qmt_same_bits(lo[1], hi[1]),
              "ranks disagree: value in [%.17g, %.17g]", lo[0], hi[0]);
    qm_exec_free(ex);
}

/* Fails (user status 42) only on the highest rank, wherever it works. */
static int fails_on_last_rank(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i];
    return rank == size - 1 ? 42 : 0;
}

static void failure_on_one_rank_reaches_every_rank(void)
{
    qm_exec *ex = qmt_serial();
    qm_rule rule = qmt_rule(QM_RULE_MIDPOINT, 0);
    qm_result r;
    int fr = -5;
    int st = qm_mpi_integrate(ctx, ex, fails_on_last_rank, NULL, 0.0, 1.0,
                              1000000, &rule, &r, &fr);
    QMT_CHECK(st == QM_EUSER, "status %d, expected QM_EUSER", st);
    QMT_CHECK(r.user_status == 42, "user status %d", r.user_status);
    QMT_CHECK(fr == size - 1, "failing rank %d, expected %d", fr, size - 1);
    QMT_CHECK(isnan(r.value), "value %.17g on failure", r.value);
    /* the same abscissa on every rank */
    double x[2] = {r.fail_x, -r.fail_x}, m[2];
    MPI_Allreduce(x, m, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    QMT_CHECK(m[0] == r.fail_x && -m[1] == r.fail_x,
              "fail_x differs between ranks: %.17g", r.fail_x);
    qm_exec_free(ex);
}

/* NaN on [0.7, 0.7001) and again at x > 0.9: the lowest one is reported. */
static int nan_twice(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = (x[i] >= 0.7 && x[i] < 0.7001) || x[i] > 0.9 ? NAN : x[i];
    return 0;
}

static void nonfinite_value_reports_the_serial_abscissa(void)
{
    qm_exec *serial = qmt_serial();
    qm_exec *omp = qmt_openmp(2, QM_SCHEDULE_GUIDED, 1);
    qm_rule rule = qmt_rule(QM_RULE_SIMPSON, 0);
    qm_result ref, got;
    int fr;
    int s0 = qm_integrate(serial, nan_twice, NULL, 0.0, 1.0, 2000000, &rule, &ref);
    int s1 = qm_mpi_integrate(ctx, omp ? omp : serial, nan_twice, NULL, 0.0,
                              1.0, 2000000, &rule, &got, &fr);
    QMT_CHECK(s0 == QM_ENONFINITE && s1 == QM_ENONFINITE,
              "status serial %d, mpi %d", s0, s1);
    QMT_CHECK(qmt_same_bits(ref.fail_x, got.fail_x),
              "fail_x serial %.17g, mpi %.17g", ref.fail_x, got.fail_x);
    QMT_CHECK(got.fail_x >= 0.7 && got.fail_x < 0.7001, "fail_x %.17g",
              got.fail_x);
    QMT_CHECK(fr >= 0 && fr < size, "failing rank %d", fr);
    qm_exec_free(serial);
    qm_exec_free(omp);
}

/* Fails at the very start of a huge job: every rank must stop promptly. */
static int fails_near_a(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i];
    return x[0] < 1e-9 ? 7 : 0;
}

static void early_failure_stops_the_whole_job_promptly(void)
{
    qm_exec *ex = qmt_serial();
    qm_rule rule = qmt_rule(QM_RULE_LEFT, 0);
    qm_result r;
    /* 10^12 points would take several minutes on 2 cores; the alarm turns a
     * job that does not stop into a test failure instead of a hang */
    alarm(120);
    double t0 = MPI_Wtime();
    int st = qm_mpi_integrate(ctx, ex, fails_near_a, NULL, 0.0, 1.0,
                              INT64_C(1000000000000), &rule, &r, NULL);
    double dt = MPI_Wtime() - t0;
    alarm(0);
    QMT_CHECK(st == QM_EUSER && r.user_status == 7, "status %d / %d", st,
              r.user_status);
    QMT_CHECK(r.fail_x == 0.0, "fail_x %.17g", r.fail_x);
    if (rank == 0)
        printf("\n    (early failure stopped after %.2f s)\n", dt);
    qm_exec_free(ex);
}

static void bad_arguments_on_any_rank_fail_everywhere(void)
{
    qm_exec *ex = qmt_serial();
    qm_rule rule = qmt_rule(QM_RULE_MIDPOINT, 0);
    qm_result r;
    int st = qm_mpi_integrate(ctx, ex, wild, NULL, 0.0, 1.0, 0, &rule, &r, NULL);
    QMT_CHECK(st == QM_EINVAL, "N = 0: status %d", st);
    /* only the last rank passes a NULL executor: nobody may hang */
    int fr;
    st = qm_mpi_integrate(ctx, rank == size - 1 ? NULL : ex, wild, NULL, 0.0,
                          1.0, 100, &rule, &r, &fr);
    QMT_CHECK(st == QM_EINVAL, "NULL executor on one rank: status %d", st);
    QMT_CHECK(fr == size - 1, "reported rank %d", fr);
    st = qm_mpi_integrate(ctx, ex, wild, NULL, 0.0, INFINITY, 100, &rule, &r, NULL);
    QMT_CHECK(st == QM_EINVAL, "infinite bound: status %d", st);
    QMT_CHECK(qm_mpi_integrate(NULL, ex, wild, NULL, 0, 1, 10, &rule, &r, NULL)
                  == QM_EINVAL, "NULL context");
    qm_exec_free(ex);
}

/* ------------------------------------------------------ adaptive 1-D */

static int f_gauss(size_t n, const double *x, double *y, void *d)
{
    (void)d;
    for (size_t i = 0; i < n; i++)
        y[i] = exp(-x[i] * x[i]) * cos(5 * x[i]);
    return 0;
}

static int f_invsqrt(size_t n, const double *x, double *y, void *d)
{
    (void)d;
    for (size_t i = 0; i < n; i++)
        y[i] = log(x[i]) / sqrt(x[i]);
    return 0;
}

/* GSL's qagp test f454: x^3 log|(x^2-1)(x^2-2)| on [0, 3] */
static int f454(size_t n, const double *x, double *y, void *d)
{
    (void)d;
    for (size_t i = 0; i < n; i++) {
        const double x2 = x[i] * x[i];
        y[i] = x2 * x[i] * log(fabs((x2 - 1) * (x2 - 2)));
    }
    return 0;
}

static int f_peaks(size_t n, const double *x, double *y, void *d)
{
    (void)d;
    for (size_t i = 0; i < n; i++)
        y[i] = 1 / ((x[i] - 0.3) * (x[i] - 0.3) + 1e-6) + sin(200 * x[i]);
    return 0;
}

static void adaptive_is_bitwise_the_single_process_result(void)
{
    static const double bp454[] = {1.0, 1.4142135623730951};
    struct { qm_batch_fn f; double a, b; const double *bp; size_t nbp; } cases[] = {
        {f_gauss, -INFINITY, INFINITY, NULL, 0},
        {f_invsqrt, 0.0, 1.0, NULL, 0},
        {f454, 0.0, 3.0, bp454, 2},
        {f_peaks, 0.0, 1.0, NULL, 0},
        {f_peaks, 1.0, 0.0, NULL, 0},
    };
    qm_exec *serial = qmt_serial();
    for (int threads = 1; threads <= 2; threads++) {
        qm_exec *local = threads == 1 ? qmt_serial()
                                      : qmt_openmp(2, QM_SCHEDULE_DYNAMIC, 1);
        if (!local)
            continue;
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
            for (int method = 0; method <= 1; method++) {
                qm_adapt_opts o;
                memset(&o, 0, sizeof o);
                o.epsrel = 1e-10;
                o.method = method == 0 ? QM_ADAPT_QAGS : QM_ADAPT_QAG;
                o.breakpoints = cases[c].bp;
                o.nbreakpoints = cases[c].nbp;
                qm_result ref, got;
                qm_adapt_info iref, igot;
                int s0 = qm_integrate_adaptive(serial, cases[c].f, NULL, cases[c].a,
                                               cases[c].b, &o, &ref, &iref);
                int s1 = qm_mpi_integrate_adaptive(ctx, local, cases[c].f, NULL,
                                                   cases[c].a, cases[c].b, &o,
                                                   &got, &igot);
                QMT_CHECK(s0 == s1, "case %zu method %d: status %d vs %d", c,
                          method, s0, s1);
                QMT_CHECK(qmt_same_result(&ref, &got) &&
                              iref.subregions == igot.subregions,
                          "case %zu method %d np=%d t=%d: %.17g +- %.3g (%lld) vs "
                          "%.17g +- %.3g (%lld)", c, method, size, threads,
                          ref.value, ref.abserr, (long long)ref.evaluations,
                          got.value, got.abserr, (long long)got.evaluations);
            }
        qm_exec_free(local);
    }
    qm_exec_free(serial);
}

/* NaN on (0.6, 0.8): tanh-sinh meets it at its first levels. */
static int nan_mid(size_t n, const double *x, double *y, void *d)
{
    (void)d;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.6 && x[i] < 0.8 ? NAN : 1 / (x[i] + 0.01);
    return 0;
}

static void tanh_sinh_is_bitwise_the_single_process_result(void)
{
    struct { qm_batch_fn f; double a, b; } cases[] = {
        {f_gauss, -INFINITY, INFINITY}, {f_gauss, 0.5, INFINITY},
        {f_invsqrt, 0.0, 1.0},          {f_peaks, 0.0, 1.0},
        {f_peaks, 1.0, 0.0},            {f_peaks, 0.25, 0.25},
        {nan_mid, 0.0, 1.0},
    };
    qm_exec *serial = qmt_serial();
    for (int threads = 1; threads <= 2; threads++) {
        qm_exec *local = threads == 1 ? qmt_serial()
                                      : qmt_openmp(2, QM_SCHEDULE_DYNAMIC, 1);
        if (!local)
            continue;
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            qm_adapt_opts o;
            memset(&o, 0, sizeof o);
            o.epsrel = 1e-12;
            o.method = QM_ADAPT_TANH_SINH;
            qm_result ref, got;
            qm_adapt_info iref, igot;
            int s0 = qm_integrate_adaptive(serial, cases[c].f, NULL, cases[c].a,
                                           cases[c].b, &o, &ref, &iref);
            int s1 = qm_mpi_integrate_adaptive(ctx, local, cases[c].f, NULL,
                                               cases[c].a, cases[c].b, &o, &got,
                                               &igot);
            QMT_CHECK(s0 == s1, "tanh-sinh case %zu: status %d vs %d", c, s0, s1);
            QMT_CHECK(c + 1 < sizeof cases / sizeof cases[0] || s0 == QM_ENONFINITE,
                      "tanh-sinh NaN case: status %d", s0);
            QMT_CHECK(qmt_same_result(&ref, &got)
                          && qmt_same_bits(ref.fail_x, got.fail_x)
                          && iref.subregions == igot.subregions
                          && iref.steps == igot.steps,
                      "tanh-sinh case %zu np=%d t=%d: %.17g +- %.3g (%lld) vs "
                      "%.17g +- %.3g (%lld)", c, size, threads, ref.value,
                      ref.abserr, (long long)ref.evaluations, got.value,
                      got.abserr, (long long)got.evaluations);
        }
        qm_exec_free(local);
    }
    qm_exec_free(serial);
}

/* ------------------------------------------------------------ cubature */

/* Genz-like smooth integrands: a product peak and an oscillatory one (the
 * second component only when fdim is 2). */
static int genz(size_t n, unsigned dim, const double *x, unsigned fdim,
                double *y, void *d)
{
    (void)d;
    for (size_t i = 0; i < n; i++) {
        const double *p = x + i * dim;
        double prod = 1, s = 0;
        for (unsigned j = 0; j < dim; j++) {
            const double t = p[j] - 0.3 - 0.1 * j;
            prod *= 1 / (1.0 / 25 + t * t);
            s += (j + 1) * p[j];
        }
        y[i * fdim] = prod;
        if (fdim > 1)
            y[i * fdim + 1] = cos(1.5707963267948966 + s);
    }
    return 0;
}

/* NaN at the points with first coordinate in (0.61, 0.62): a failure in
 * the middle of the work. */
static int genz_nan(size_t n, unsigned dim, const double *x, unsigned fdim,
                    double *y, void *d)
{
    genz(n, dim, x, fdim, y, d);
    for (size_t i = 0; i < n; i++)
        if (x[i * dim] > 0.61 && x[i * dim] < 0.62)
            y[i * fdim] = NAN;
    return 0;
}

static int cubature_case(qm_exec *serial, qm_exec *local, qm_vector_fn f,
                          const qm_cubature_opts *o, unsigned dim,
                          unsigned fdim, int threads)
{
    const double xmin[4] = {0, 0, 0, 0}, xmax[4] = {1, 1.5, 1, 1};
    double v0[2], e0[2], v1[2], e1[2];
    qm_cubature_info i0, i1;
    int s0 = qm_cubature(serial, f, NULL, dim, xmin, xmax, fdim, o, v0, e0, &i0);
    int s1 = qm_mpi_cubature(ctx, local, f, NULL, dim, xmin, xmax, fdim, o, v1,
                             e1, &i1);
    QMT_CHECK(s0 == s1, "method %d dim %u fdim %u np=%d t=%d: status %d vs %d",
              (int)o->method, dim, fdim, size, threads, s0, s1);
    int same = i0.evaluations == i1.evaluations
               && i0.subregions == i1.subregions
               && qmt_same_bits(i0.fail_x0, i1.fail_x0)
               && i0.user_status == i1.user_status;
    for (unsigned k = 0; k < fdim; k++)
        same = same && qmt_same_bits(v0[k], v1[k]) && qmt_same_bits(e0[k], e1[k]);
    QMT_CHECK(same, "method %d dim %u fdim %u np=%d t=%d: %.17g +- %.3g "
              "(%lld evals, %zu regions) vs %.17g +- %.3g (%lld, %zu)",
              (int)o->method, dim, fdim, size, threads, v0[0], e0[0],
              (long long)i0.evaluations, i0.subregions, v1[0], e1[0],
              (long long)i1.evaluations, i1.subregions);
    return s0;
}

static void cubature_is_bitwise_the_single_process_result(void)
{
    qm_exec *serial = qmt_serial();
    for (int threads = 1; threads <= 2; threads++) {
        qm_exec *local = threads == 1 ? qmt_serial()
                                      : qmt_openmp(2, QM_SCHEDULE_DYNAMIC, 1);
        if (!local)
            continue;
        qm_cubature_opts o;
        memset(&o, 0, sizeof o);
        o.method = QM_CUBATURE_ADAPTIVE;
        o.epsrel = 1e-7;
        o.norm = QM_NORM_INDIVIDUAL;
        for (unsigned fdim = 1; fdim <= 2; fdim++)
            cubature_case(serial, local, genz, &o, 3, fdim, threads);
        o.max_eval = 3000; /* the budget ends it */
        o.epsrel = 1e-14;
        cubature_case(serial, local, genz, &o, 3, 2, threads);
        memset(&o, 0, sizeof o);
        o.method = QM_CUBATURE_MC;
        o.seed = 12345;
        o.max_eval = 100001;
        for (unsigned fdim = 1; fdim <= 2; fdim++)
            cubature_case(serial, local, genz, &o, 2, fdim, threads);
        o.max_eval = 20000000; /* several distributed steps */
        cubature_case(serial, local, genz, &o, 2, 1, threads);
        o.method = QM_CUBATURE_QMC;
        o.max_eval = 16 * 40000;
        for (unsigned fdim = 1; fdim <= 2; fdim++)
            cubature_case(serial, local, genz, &o, 3, fdim, threads);
        qm_exec_free(local);
    }
    qm_exec_free(serial);
}

static void cubature_failures_and_bad_arguments_are_collective(void)
{
    qm_exec *serial = qmt_serial();
    qm_exec *local = qmt_openmp(2, QM_SCHEDULE_DYNAMIC, 1);
    qm_cubature_opts o;
    memset(&o, 0, sizeof o);
    o.epsrel = 1e-9;
    o.max_eval = 2000000;
    o.seed = 7;
    for (int m = 0; m <= 2; m++) {
        o.method = (qm_cubature_method)m;
        const int st = cubature_case(serial, serial, genz_nan, &o, 3, 2, 1);
        QMT_CHECK(st == QM_ENONFINITE, "method %d: NaN gave status %d", m, st);
        if (local)
            cubature_case(serial, local, genz_nan, &o, 3, 2, 2);
    }
    qm_exec_free(local);
    /* one rank asks for another tolerance or box: nobody hangs, all refuse */
    alarm(60);
    const double xmin[3] = {0, 0, 0}, xmax[3] = {1, 1, 1}, xbad[3] = {1, 1, 2};
    double v[2], e[2];
    for (int m = 0; m <= 2; m++) {
        qm_cubature_opts bad = o;
        bad.method = (qm_cubature_method)m;
        bad.max_eval = m == QM_CUBATURE_ADAPTIVE ? 0 : 10000;
        bad.epsrel = 1e-3;
        if (rank == size - 1)
            bad.epsrel = 1e-6;
        int st = qm_mpi_cubature(ctx, serial, genz, NULL, 3, xmin, xmax, 1,
                                 &bad, v, e, NULL);
        QMT_CHECK(size == 1 ? st == QM_SUCCESS : st == QM_EINVAL,
                  "method %d, different epsrel on one rank: status %d", m, st);
        st = qm_mpi_cubature(ctx, serial, genz, NULL, 3, xmin,
                             rank == size - 1 ? xbad : xmax, 1, &bad, v, e, NULL);
        QMT_CHECK(size == 1 ? st == QM_SUCCESS : st == QM_EINVAL,
                  "method %d, different box on one rank: status %d", m, st);
        st = qm_mpi_cubature(ctx, rank == 0 ? NULL : serial, genz, NULL, 3,
                             xmin, xmax, 1, &bad, v, e, NULL);
        QMT_CHECK(st == QM_EINVAL, "method %d, NULL executor on rank 0: %d",
                  m, st);
        st = qm_mpi_cubature(ctx, serial, genz, NULL, rank == 0 ? 2 : 3, xmin,
                             xmax, 1, &bad, v, e, NULL);
        QMT_CHECK(size == 1 ? st == QM_SUCCESS : st == QM_EINVAL,
                  "method %d, different dim on one rank: status %d", m, st);
    }
    alarm(0);
    qm_exec_free(serial);
}

static int nan_near_07(size_t n, const double *x, double *y, void *d)
{
    (void)d;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.7 && x[i] < 0.70001 ? NAN : 1 / (x[i] + 0.01);
    return 0;
}

static void adaptive_failures_and_bad_arguments_are_collective(void)
{
    qm_exec *ex = qmt_serial();
    qm_adapt_opts o;
    memset(&o, 0, sizeof o);
    o.epsrel = 1e-12;
    qm_result ref, got;
    int s0 = qm_integrate_adaptive(ex, nan_near_07, NULL, 0, 1, &o, &ref, NULL);
    int s1 = qm_mpi_integrate_adaptive(ctx, ex, nan_near_07, NULL, 0, 1, &o, &got, NULL);
    QMT_CHECK(s0 == s1, "NaN: status %d vs %d", s0, s1);
    QMT_CHECK(qmt_same_bits(ref.fail_x, got.fail_x), "fail_x %.17g vs %.17g",
              ref.fail_x, got.fail_x);
    /* one rank asks for another tolerance: nobody may hang, all refuse */
    alarm(60);
    qm_adapt_opts bad = o;
    if (rank == size - 1)
        bad.epsrel = 1e-6;
    int st = qm_mpi_integrate_adaptive(ctx, ex, f_gauss, NULL, 0, 1, &bad, &got, NULL);
    QMT_CHECK(size == 1 ? st == QM_SUCCESS : st == QM_EINVAL,
              "different tolerances on one rank: status %d", st);
    st = qm_mpi_integrate_adaptive(ctx, rank == 0 ? NULL : ex, f_gauss, NULL, 0, 1,
                                   &o, &got, NULL);
    QMT_CHECK(st == QM_EINVAL, "NULL executor on rank 0: status %d", st);
    alarm(0);
    static const double half[] = {0.5};
    qm_adapt_opts ts = o;
    ts.method = QM_ADAPT_TANH_SINH;
    ts.breakpoints = half;
    ts.nbreakpoints = 1;
    st = qm_mpi_integrate_adaptive(ctx, ex, f_gauss, NULL, 0, 1, &ts, &got, NULL);
    QMT_CHECK(st == QM_ENOTSUP, "tanh-sinh with breakpoints: status %d", st);
    qm_exec_free(ex);
}

static void context_duplicates_and_works_on_a_split_communicator(void)
{
    qm_mpi *m = NULL;
    QMT_CHECK(qm_mpi_new(&m, MPI_COMM_NULL) == QM_EINVAL && m == NULL,
              "MPI_COMM_NULL accepted");
    QMT_CHECK(qm_mpi_new(NULL, MPI_COMM_WORLD) == QM_EINVAL, "NULL out");
    MPI_Comm half;
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
    int st = qm_mpi_new(&m, half);
    QMT_CHECK(st == QM_SUCCESS, "qm_mpi_new: %d", st);
    if (st == QM_SUCCESS) {
        int hs;
        MPI_Comm_size(half, &hs);
        QMT_CHECK(qm_mpi_size(m) == hs, "size %d vs %d", qm_mpi_size(m), hs);
        qm_exec *ex = qmt_serial();
        qm_rule rule = qmt_rule(QM_RULE_TRAPEZOID, 0);
        qm_result ref, got;
        qm_integrate(ex, wild, NULL, 0.0, 1.0, 77777, &rule, &ref);
        st = qm_mpi_integrate(m, ex, wild, NULL, 0.0, 1.0, 77777, &rule, &got, NULL);
        QMT_CHECK(st == QM_SUCCESS && qmt_same_result(&ref, &got),
                  "split communicator: %.17g vs %.17g", got.value, ref.value);
        qm_exec_free(ex);
        qm_mpi_free(m);
    }
    MPI_Comm_free(&half);
}

static void agree_returns_the_worst_status_and_its_lowest_rank(void)
{
    int who;
    int st = qm_mpi_agree(ctx, rank >= size / 2 ? QM_ENOMEM : QM_SUCCESS, &who);
    const int expect = QM_ENOMEM; /* rank size/2 always exists */
    QMT_CHECK(st == expect, "agreed %d", st);
    QMT_CHECK(who == size / 2, "rank %d, expected %d", who, size / 2);
    st = qm_mpi_agree(ctx, QM_SUCCESS, &who);
    QMT_CHECK(st == QM_SUCCESS, "all success gave %d", st);
}

int main(int argc, char **argv)
{
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (provided < MPI_THREAD_FUNNELED) {
        if (rank == 0)
            fprintf(stderr, "MPI provides thread level %d < FUNNELED\n", provided);
        MPI_Finalize();
        return 1;
    }
    if (qm_mpi_new(&ctx, MPI_COMM_WORLD) != QM_SUCCESS) {
        MPI_Finalize();
        return 1;
    }

    if (CU_initialize_registry() != CUE_SUCCESS) {
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    CU_pSuite s = qmt_suite("mpi_reproducibility");
    CU_add_test(s, "mpi_result_is_bitwise_serial_for_every_rule_and_size",
                mpi_result_is_bitwise_serial_for_every_rule_and_size);
    CU_add_test(s, "hybrid_threads_per_rank_give_the_same_bits",
                hybrid_threads_per_rank_give_the_same_bits);
    CU_add_test(s, "all_ranks_hold_the_same_result", all_ranks_hold_the_same_result);
    CU_pSuite e = qmt_suite("mpi_errors");
    CU_add_test(e, "failure_on_one_rank_reaches_every_rank",
                failure_on_one_rank_reaches_every_rank);
    CU_add_test(e, "nonfinite_value_reports_the_serial_abscissa",
                nonfinite_value_reports_the_serial_abscissa);
    CU_add_test(e, "early_failure_stops_the_whole_job_promptly",
                early_failure_stops_the_whole_job_promptly);
    CU_add_test(e, "bad_arguments_on_any_rank_fail_everywhere",
                bad_arguments_on_any_rank_fail_everywhere);
    CU_pSuite ad = qmt_suite("mpi_adaptive");
    CU_add_test(ad, "adaptive_is_bitwise_the_single_process_result",
                adaptive_is_bitwise_the_single_process_result);
    CU_add_test(ad, "adaptive_failures_and_bad_arguments_are_collective",
                adaptive_failures_and_bad_arguments_are_collective);
    CU_pSuite cu = qmt_suite("mpi_cubature");
    CU_add_test(cu, "tanh_sinh_is_bitwise_the_single_process_result",
                tanh_sinh_is_bitwise_the_single_process_result);
    CU_add_test(cu, "cubature_is_bitwise_the_single_process_result",
                cubature_is_bitwise_the_single_process_result);
    CU_add_test(cu, "cubature_failures_and_bad_arguments_are_collective",
                cubature_failures_and_bad_arguments_are_collective);
    CU_pSuite c = qmt_suite("mpi_context");
    CU_add_test(c, "context_duplicates_and_works_on_a_split_communicator",
                context_duplicates_and_works_on_a_split_communicator);
    CU_add_test(c, "agree_returns_the_worst_status_and_its_lowest_rank",
                agree_returns_the_worst_status_and_its_lowest_rank);

    const int any = qmt_mpi_run(rank, size);
    qm_mpi_free(ctx);
    MPI_Finalize();
    return any ? 1 : 0;
}
