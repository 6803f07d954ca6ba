/*
 * The MPI executor (run by tests/mpi_check.sh under mpiexec at -np 1, 2,
 * 3, 4 and 16): the library's ordinary calls on an executor from
 * qm_exec_new_mpi give the one-process bits, failures and bad arguments
 * are collective, mismatched arguments are QM_EINVAL on every rank.  Every
 * rank runs every test; only rank 0 prints, and the failure count is
 * reduced with MPI_MAX so that every rank exits with the same status.
 */
#include "test_mpi_common.h"

#include <mpi.h>
#include <unistd.h>

#include "quadmap_mpi.h"

static int rank, size, thread_level;

/* An MPI executor whose local part is `local`'s backend, threads and
 * schedule (collective). */
static qm_exec *dist_of(const qm_exec *local)
{
    qm_exec *ex = NULL;
    int st = qm_exec_new_mpi(&ex, MPI_COMM_WORLD, qm_exec_backend(local));
    if (st != QM_SUCCESS)
        MPI_Abort(MPI_COMM_WORLD, 3);
    qm_exec_set_threads(ex, qm_exec_threads(local));
    qm_exec_set_schedule(ex, qm_exec_schedule(local), qm_exec_chunk(local));
    return ex;
}

/* The ordinary calls on a fresh MPI executor like `local` (so the tests
 * below read as "distributed versus one process"). */
static int dist_integrate(const qm_exec *local, qm_batch_fn f, void *d,
                          double a, double b, int64_t n, const qm_rule *rule,
                          qm_result *res, int *fail_rank)
{
    qm_exec *ex = dist_of(local);
    const int st = qm_integrate(ex, f, d, a, b, n, rule, res);
    if (fail_rank)
        *fail_rank = res->fail_rank;
    qm_exec_free(ex);
    return st;
}

static int dist_adaptive(const qm_exec *local, qm_batch_fn f, void *d,
                         double a, double b, const qm_adapt_opts *o,
                         qm_result *res)
{
    qm_exec *ex = dist_of(local);
    const int st = qm_integrate_adaptive(ex, f, d, a, b, o, res);
    qm_exec_free(ex);
    return st;
}

static int dist_cubature(const qm_exec *local, qm_vector_fn f, void *d,
                         unsigned dim, const double *xmin, const double *xmax,
                         unsigned fdim, const qm_cubature_opts *o, double *v,
                         double *e, qm_result *res)
{
    qm_exec *ex = dist_of(local);
    const int st = qm_cubature(ex, f, d, dim, xmin, xmax, fdim, o, v, e, res);
    qm_exec_free(ex);
    return st;
}

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
            int s1 = dist_integrate(local, f, NULL, a, b, sizes[k],
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
    int st = dist_integrate(ex, wild, NULL, 0.0, 2.0, 333333, &rule, &r, NULL);
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
    int st = dist_integrate(ex, fails_on_last_rank, NULL, 0.0, 1.0,
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
    int s1 = dist_integrate(omp ? omp : serial, nan_twice, NULL, 0.0,
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
    int st = dist_integrate(ex, fails_near_a, NULL, 0.0, 1.0,
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
    int st = dist_integrate(ex, wild, NULL, 0.0, 1.0, 0, &rule, &r, NULL);
    QMT_CHECK(st == QM_EINVAL, "N = 0: status %d", st);
    /* only the last rank passes a bad rule: nobody may hang */
    qm_rule badrule = qmt_rule(QM_RULE_GAUSS, QM_GAUSS_MAX_POINTS + 1);
    st = dist_integrate(ex, wild, NULL, 0.0, 1.0, 100,
                        rank == size - 1 ? &badrule : &rule, &r, NULL);
    QMT_CHECK(st == QM_EINVAL, "bad rule on one rank: status %d", st);
    st = dist_integrate(ex, wild, NULL, 0.0, INFINITY, 100, &rule, &r, NULL);
    QMT_CHECK(st == QM_EINVAL, "infinite bound: status %d", st);
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
                o.method = method == 0 ? QM_METHOD_QAGS : QM_METHOD_QAG;
                o.breakpoints = cases[c].bp;
                o.nbreakpoints = cases[c].nbp;
                qm_result ref, got;
                int s0 = qm_integrate_adaptive(serial, cases[c].f, NULL, cases[c].a,
                                               cases[c].b, &o, &ref);
                int s1 = dist_adaptive(local, cases[c].f, NULL, cases[c].a, cases[c].b, &o, &got);
                QMT_CHECK(s0 == s1, "case %zu method %d: status %d vs %d", c,
                          method, s0, s1);
                QMT_CHECK(qmt_same_result(&ref, &got) &&
                              ref.subregions == got.subregions,
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
            o.method = QM_METHOD_TANH_SINH;
            qm_result ref, got;
            int s0 = qm_integrate_adaptive(serial, cases[c].f, NULL, cases[c].a,
                                           cases[c].b, &o, &ref);
            int s1 = dist_adaptive(local, cases[c].f, NULL, cases[c].a, cases[c].b, &o, &got);
            QMT_CHECK(s0 == s1, "tanh-sinh case %zu: status %d vs %d", c, s0, s1);
            QMT_CHECK(c + 1 < sizeof cases / sizeof cases[0] || s0 == QM_ENONFINITE,
                      "tanh-sinh NaN case: status %d", s0);
            QMT_CHECK(qmt_same_result(&ref, &got)
                          && qmt_same_bits(ref.fail_x, got.fail_x)
                          && ref.subregions == got.subregions
                          && ref.steps == got.steps,
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
    qm_result i0, i1;
    int s0 = qm_cubature(serial, f, NULL, dim, xmin, xmax, fdim, o, v0, e0, &i0);
    int s1 = dist_cubature(local, f, NULL, dim, xmin, xmax, fdim, o, v1,
                             e1, &i1);
    QMT_CHECK(s0 == s1, "method %d dim %u fdim %u np=%d t=%d: status %d vs %d",
              (int)o->method, dim, fdim, size, threads, s0, s1);
    int same = i0.evaluations == i1.evaluations
               && i0.subregions == i1.subregions
               && qmt_same_bits(i0.fail_x, i1.fail_x)
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
        o.method = QM_METHOD_GENZ_MALIK;
        o.epsrel = 1e-7;
        o.norm = QM_NORM_INDIVIDUAL;
        for (unsigned fdim = 1; fdim <= 2; fdim++)
            cubature_case(serial, local, genz, &o, 3, fdim, threads);
        o.max_eval = 3000; /* the budget ends it */
        o.epsrel = 1e-14;
        cubature_case(serial, local, genz, &o, 3, 2, threads);
        memset(&o, 0, sizeof o);
        o.method = QM_METHOD_MC;
        o.seed = 12345;
        o.max_eval = 100001;
        for (unsigned fdim = 1; fdim <= 2; fdim++)
            cubature_case(serial, local, genz, &o, 2, fdim, threads);
        o.max_eval = 20000000; /* several distributed steps */
        cubature_case(serial, local, genz, &o, 2, 1, threads);
        o.method = QM_METHOD_QMC;
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
    for (int m = QM_METHOD_GENZ_MALIK; m <= QM_METHOD_QMC; m++) {
        o.method = (qm_method)m;
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
    for (int m = QM_METHOD_GENZ_MALIK; m <= QM_METHOD_QMC; m++) {
        qm_cubature_opts bad = o;
        bad.method = (qm_method)m;
        bad.max_eval = m == QM_METHOD_GENZ_MALIK ? 0 : 10000;
        bad.epsrel = 1e-3;
        if (rank == size - 1)
            bad.epsrel = 1e-6;
        int st = dist_cubature(serial, genz, NULL, 3, xmin, xmax, 1,
                                 &bad, v, e, NULL);
        QMT_CHECK(size == 1 ? st == QM_SUCCESS : st == QM_EINVAL,
                  "method %d, different epsrel on one rank: status %d", m, st);
        st = dist_cubature(serial, genz, NULL, 3, xmin,
                             rank == size - 1 ? xbad : xmax, 1, &bad, v, e, NULL);
        QMT_CHECK(size == 1 ? st == QM_SUCCESS : st == QM_EINVAL,
                  "method %d, different box on one rank: status %d", m, st);
        st = dist_cubature(serial, genz, NULL, 3, xmin, xmax, 1, &bad,
                           rank == 0 ? NULL : v, e, NULL);
        QMT_CHECK(st == QM_EINVAL, "method %d, NULL val on rank 0: %d",
                  m, st);
        st = dist_cubature(serial, genz, NULL, rank == 0 ? 2 : 3, xmin,
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
    int s0 = qm_integrate_adaptive(ex, nan_near_07, NULL, 0, 1, &o, &ref);
    int s1 = dist_adaptive(ex, nan_near_07, NULL, 0, 1, &o, &got);
    QMT_CHECK(s0 == s1, "NaN: status %d vs %d", s0, s1);
    QMT_CHECK(qmt_same_bits(ref.fail_x, got.fail_x), "fail_x %.17g vs %.17g",
              ref.fail_x, got.fail_x);
    /* one rank asks for another tolerance: nobody may hang, all refuse */
    alarm(60);
    qm_adapt_opts bad = o;
    if (rank == size - 1)
        bad.epsrel = 1e-6;
    int st = dist_adaptive(ex, f_gauss, NULL, 0, 1, &bad, &got);
    QMT_CHECK(size == 1 ? st == QM_SUCCESS : st == QM_EINVAL,
              "different tolerances on one rank: status %d", st);
    st = dist_adaptive(ex, f_gauss, NULL, 0, 1, &o, rank == 0 ? NULL : &got);
    QMT_CHECK(st == QM_EINVAL, "NULL result on rank 0: status %d", st);
    alarm(0);
    /* tanh-sinh with breakpoints is distributed too */
    static const double half[] = {0.5};
    qm_adapt_opts ts = o;
    ts.method = QM_METHOD_TANH_SINH;
    ts.breakpoints = half;
    ts.nbreakpoints = 1;
    s0 = qm_integrate_adaptive(ex, f_gauss, NULL, 0, 1, &ts, &ref);
    st = dist_adaptive(ex, f_gauss, NULL, 0, 1, &ts, &got);
    QMT_CHECK(st == s0 && qmt_same_result(&ref, &got),
              "tanh-sinh with breakpoints: status %d vs %d, %.17g vs %.17g",
              st, s0, got.value, ref.value);
    qm_exec_free(ex);
}

static void executor_duplicates_and_works_on_a_split_communicator(void)
{
    qm_exec *m = NULL;
    QMT_CHECK(qm_exec_new_mpi(&m, MPI_COMM_NULL, QM_BACKEND_SERIAL)
                  == QM_EINVAL && m == NULL, "MPI_COMM_NULL accepted");
    QMT_CHECK(qm_exec_new_mpi(NULL, MPI_COMM_WORLD, QM_BACKEND_SERIAL)
                  == QM_EINVAL, "NULL out");
    MPI_Comm half;
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
    int st = qm_exec_new_mpi(&m, half, QM_BACKEND_SERIAL);
    QMT_CHECK(st == QM_SUCCESS, "qm_exec_new_mpi: %d", st);
    if (st == QM_SUCCESS) {
        int hs, hr, cmp = MPI_UNEQUAL;
        MPI_Comm_size(half, &hs);
        MPI_Comm_rank(half, &hr);
        MPI_Comm_compare(qm_exec_comm(m), half, &cmp);
        QMT_CHECK(qm_exec_ranks(m) == hs && qm_exec_rank(m) == hr
                      && cmp == MPI_CONGRUENT,
                  "ranks %d/%d vs %d/%d, compare %d", qm_exec_rank(m),
                  qm_exec_ranks(m), hr, hs, cmp);
        qm_exec *ex = qmt_serial();
        qm_rule rule = qmt_rule(QM_RULE_TRAPEZOID, 0);
        qm_result ref, got;
        qm_integrate(ex, wild, NULL, 0.0, 1.0, 77777, &rule, &ref);
        st = qm_integrate(m, wild, NULL, 0.0, 1.0, 77777, &rule, &got);
        QMT_CHECK(st == QM_SUCCESS && qmt_same_result(&ref, &got),
                  "split communicator: %.17g vs %.17g", got.value, ref.value);
        QMT_CHECK(qm_exec_comm(ex) == MPI_COMM_NULL && qm_exec_ranks(ex) == 1,
                  "a local executor has no communicator");
        qm_exec_free(ex);
        qm_exec_free(m);
    }
    MPI_Comm_free(&half);
}

static void agree_returns_the_worst_status_and_its_lowest_rank(void)
{
    qm_exec *ex = NULL;
    qm_exec_new_mpi(&ex, MPI_COMM_WORLD, QM_BACKEND_SERIAL);
    int who;
    int st = qm_mpi_agree(ex, rank >= size / 2 ? QM_ENOMEM : QM_SUCCESS, &who);
    const int expect = QM_ENOMEM; /* rank size/2 always exists */
    QMT_CHECK(st == expect, "agreed %d", st);
    QMT_CHECK(who == size / 2, "rank %d, expected %d", who, size / 2);
    st = qm_mpi_agree(ex, QM_SUCCESS, &who);
    QMT_CHECK(st == QM_SUCCESS, "all success gave %d", st);
    qm_exec_free(ex);
}

/* ------------------------------------------------- maps on the executor */

/* Values of wildly varying magnitude, and a failure at element fail_at
 * (SIZE_MAX: none), whoever maps it. */
typedef struct mapdata {
    const double *x;
    size_t fail_at;
} mapdata;

static int wild_map(qm_task *t, void *d)
{
    const mapdata *md = d;
    const double *in = t->in;
    double *out = t->out;
    for (size_t i = 0; i < t->n; i++) {
        if (t->first + i == md->fail_at) {
            t->failed = i;
            return 9;
        }
        out[i] = 1e15 * sin(7 * in[i]) + in[i] * in[i] - 0.5;
        if (t->first + i == 77)
            out[i] = -0.0; /* MIN must pick -0 over +0 */
        if (t->first + i == 78)
            out[i] = 0.0;
    }
    return 0;
}

/* Two-double accumulator with a non-associative combine (fixed order
 * matters): acc = (acc + v) * 1.0000001, and a count. */
static void odd_combine(void *acc, const void *val, void *d)
{
    (void)d;
    double *a = acc;
    const double *v = val;
    a[0] = (a[0] + v[0]) * 1.0000001;
    a[1] += v[1];
}

static int pair_map(qm_task *t, void *d)
{
    (void)d;
    const double *in = t->in;
    double *out = t->out;
    for (size_t i = 0; i < t->n; i++) {
        out[2 * i] = sin(in[i]) * 1e10;
        out[2 * i + 1] = 1;
    }
    return 0;
}

static void maps_on_the_mpi_executor_give_the_one_process_results(void)
{
    enum { N = 100003 };
    double *x = malloc(N * sizeof *x), *y0 = malloc(N * sizeof *y0);
    double *y1 = malloc(N * sizeof *y1);
    for (size_t i = 0; i < N; i++)
        x[i] = (double)i * 0.001;
    qm_exec *one = qmt_serial();
    for (int threads = 1; threads <= 2; threads++) {
        qm_exec *local = threads == 1 ? qmt_serial()
                                      : qmt_openmp(2, QM_SCHEDULE_DYNAMIC, 0);
        if (!local)
            continue;
        qm_exec *ex = dist_of(local);
        const size_t chunks[] = {0, 1, 1000, 4096};
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            qm_map_opts o;
            memset(&o, 0, sizeof o);
            o.chunk = chunks[c];
            mapdata md = {x, SIZE_MAX};
            memset(y1, 0, N * sizeof *y1);
            int s0 = qm_map(one, wild_map, &md, x, sizeof *x, y0, sizeof *y0, N,
                            &o, NULL);
            int s1 = qm_map(ex, wild_map, &md, x, sizeof *x, y1, sizeof *y1, N,
                            &o, NULL);
            QMT_CHECK(s0 == QM_SUCCESS && s1 == QM_SUCCESS
                          && memcmp(y0, y1, N * sizeof *y0) == 0,
                      "map chunk %zu np=%d t=%d: status %d/%d or outputs differ",
                      chunks[c], size, threads, s0, s1);
            for (int op = QM_REDUCE_SUM; op <= QM_REDUCE_COUNT; op++) {
                double r0 = 1, r1 = 2;
                s0 = qm_map_reduce(one, wild_map, &md, x, sizeof *x, N,
                                   (qm_reduce_op)op, &o, &r0, NULL);
                s1 = qm_map_reduce(ex, wild_map, &md, x, sizeof *x, N,
                                   (qm_reduce_op)op, &o, &r1, NULL);
                QMT_CHECK(s0 == QM_SUCCESS && s1 == s0 && qmt_same_bits(r0, r1),
                          "map_reduce op %d chunk %zu np=%d: %.17g vs %.17g",
                          op, chunks[c], size, r0, r1);
            }
            const double id[2] = {0, 0};
            double u0[2], u1[2];
            s0 = qm_map_reduce_user(one, pair_map, NULL, x, sizeof *x, N,
                                    sizeof id, id, odd_combine, NULL, &o, u0,
                                    NULL);
            s1 = qm_map_reduce_user(ex, pair_map, NULL, x, sizeof *x, N,
                                    sizeof id, id, odd_combine, NULL, &o, u1,
                                    NULL);
            QMT_CHECK(s0 == QM_SUCCESS && s1 == s0 && qmt_same_bits(u0[0], u1[0])
                          && u1[1] == N,
                      "map_reduce_user chunk %zu np=%d: %.17g vs %.17g (%g)",
                      chunks[c], size, u0[0], u1[0], u1[1]);
            /* a failure: the lowest failing index, on every rank */
            md.fail_at = N / 3 + 11;
            qm_map_result m0, m1;
            double r0, r1;
            s0 = qm_map_reduce(one, wild_map, &md, x, sizeof *x, N,
                               QM_REDUCE_SUM, &o, &r0, &m0);
            s1 = qm_map_reduce(ex, wild_map, &md, x, sizeof *x, N,
                               QM_REDUCE_SUM, &o, &r1, &m1);
            QMT_CHECK(s0 == QM_EMAPFN && s1 == QM_EMAPFN
                          && m1.fail_index == N / 3 + 11 && m1.user_status == 9
                          && m0.fail_index == m1.fail_index,
                      "map_reduce failure np=%d: %d/%d at %zu/%zu", size, s0,
                      s1, m0.fail_index, m1.fail_index);
            s1 = qm_map(ex, wild_map, &md, x, sizeof *x, y1, sizeof *y1, N, &o,
                        &m1);
            QMT_CHECK(s1 == QM_EMAPFN && m1.fail_index == N / 3 + 11,
                      "map failure np=%d: %d at %zu", size, s1, m1.fail_index);
        }
        qm_exec_free(ex);
        qm_exec_free(local);
    }
    qm_exec_free(one);
    free(x);
    free(y0);
    free(y1);
}

static int count_for(qm_task *t, void *d)
{
    (void)d;
    return t->first + t->n > 4000 && t->first <= 4000 ? 5 : 0;
}

static void for_on_the_mpi_executor_reports_the_lowest_failure(void)
{
    qm_exec *ex = NULL;
    qm_exec_new_mpi(&ex, MPI_COMM_WORLD, QM_BACKEND_SERIAL);
    qm_map_opts o;
    memset(&o, 0, sizeof o);
    o.chunk = 100;
    qm_map_result mr;
    int st = qm_for(ex, count_for, NULL, 10000, &o, &mr);
    QMT_CHECK(st == QM_EMAPFN && mr.fail_index == 4000 && mr.user_status == 5,
              "for: status %d at %zu (%d)", st, mr.fail_index, mr.user_status);
    st = qm_for(ex, count_for, NULL, 3000, &o, &mr);
    QMT_CHECK(st == QM_SUCCESS, "for without failure: %d", st);
    qm_exec_free(ex);
}

/* ------------------------------------------ argument agreement checks */

static int sq(size_t n, const double *x, double *y, void *d)
{
    (void)d;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] * x[i];
    return 0;
}

static int vsq(size_t n, unsigned dim, const double *x, unsigned fdim,
               double *y, void *d)
{
    (void)d;
    (void)fdim;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i * dim] * x[i * dim + 1];
    return 0;
}

static int ident_map(qm_task *t, void *d)
{
    (void)d;
    double *out = t->out;
    for (size_t i = 0; i < t->n; i++)
        out[i] = (double)(t->first + i);
    return 0;
}

static void add_combine(void *acc, const void *val, void *d)
{
    (void)d;
    *(double *)acc += *(const double *)val;
}

#define EXPECT_MISMATCH(what, call)                                          \
    do {                                                                     \
        const int st_ = (call);                                              \
        QMT_CHECK(size == 1 ? st_ == QM_SUCCESS : st_ == QM_EINVAL,          \
                  "%s differs on the last rank: status %d", what, st_);      \
    } while (0)

static void mismatched_arguments_are_einval_on_every_rank_for_every_call(void)
{
    alarm(120); /* a hang is a failure */
    const int last = rank == size - 1;
    qm_exec *ex = NULL;
    qm_exec_new_mpi(&ex, MPI_COMM_WORLD, QM_BACKEND_DEFAULT);
    qm_result r;
    qm_rule mid = qmt_rule(QM_RULE_MIDPOINT, 0), g5 = qmt_rule(QM_RULE_GAUSS, 5);
    /* the review's case: two ranks integrating to b = 1 and b = 2 */
    EXPECT_MISMATCH("b", qm_integrate(ex, sq, NULL, 0, last ? 2 : 1, 1000,
                                      &mid, &r));
    QMT_CHECK(size == 1 || isnan(r.value), "a value came back: %g", r.value);
    EXPECT_MISMATCH("a", qm_integrate(ex, sq, NULL, last ? -1 : 0, 1, 1000,
                                      &mid, &r));
    EXPECT_MISMATCH("N", qm_integrate(ex, sq, NULL, 0, 1, last ? 1001 : 1000,
                                      &mid, &r));
    EXPECT_MISMATCH("rule", qm_integrate(ex, sq, NULL, 0, 1, 1000,
                                         last ? &g5 : &mid, &r));
    qm_adapt_opts o;
    memset(&o, 0, sizeof o);
    o.epsrel = 1e-9;
    EXPECT_MISMATCH("adaptive b", qm_integrate_adaptive(ex, sq, NULL, 0,
                                                        last ? 2 : 1, &o, &r));
    qm_adapt_opts o2 = o;
    o2.key = last ? 31 : 0;
    EXPECT_MISMATCH("key", qm_integrate_adaptive(ex, sq, NULL, 0, 1, &o2, &r));
    o2 = o;
    o2.method = last ? QM_METHOD_QAG : QM_METHOD_QAGS;
    EXPECT_MISMATCH("method", qm_integrate_adaptive(ex, sq, NULL, 0, 1, &o2, &r));
    const double bp1[] = {0.5}, bp2[] = {0.25};
    o2 = o;
    o2.breakpoints = last ? bp2 : bp1;
    o2.nbreakpoints = 1;
    EXPECT_MISMATCH("breakpoint values",
                    qm_integrate_adaptive(ex, sq, NULL, 0, 1, &o2, &r));
    o2.method = QM_METHOD_TANH_SINH;
    EXPECT_MISMATCH("tanh-sinh breakpoints",
                    qm_integrate_adaptive(ex, sq, NULL, 0, 1, &o2, &r));
    const double lo[2] = {0, 0}, hi[2] = {1, 1}, hi2[2] = {1, 2};
    double v, e;
    for (int m = QM_METHOD_GENZ_MALIK; m <= QM_METHOD_QMC; m++) {
        qm_cubature_opts co;
        memset(&co, 0, sizeof co);
        co.method = (qm_method)m;
        co.epsrel = 1e-6;
        co.max_eval = m == QM_METHOD_GENZ_MALIK ? 0 : 4096;
        co.seed = 3;
        EXPECT_MISMATCH("box", qm_cubature(ex, vsq, NULL, 2, lo,
                                           last ? hi2 : hi, 1, &co, &v, &e,
                                           &r));
        qm_cubature_opts c2 = co;
        c2.seed = last ? 4 : 3;
        if (m != QM_METHOD_GENZ_MALIK)
            EXPECT_MISMATCH("seed", qm_cubature(ex, vsq, NULL, 2, lo, hi, 1,
                                                &c2, &v, &e, &r));
        c2 = co;
        c2.max_eval = last ? 8192 : co.max_eval;
        EXPECT_MISMATCH("max_eval", qm_cubature(ex, vsq, NULL, 2, lo, hi, 1,
                                                &c2, &v, &e, &r));
    }
    enum { N = 5000 };
    double *x = calloc(N + 1, sizeof *x), *y = calloc(N + 1, sizeof *y), res;
    EXPECT_MISMATCH("map n", qm_map(ex, ident_map, NULL, x, sizeof *x, y,
                                    sizeof *y, last ? N + 1 : N, NULL, NULL));
    qm_map_opts mo;
    memset(&mo, 0, sizeof mo);
    mo.chunk = last ? 7 : 8;
    EXPECT_MISMATCH("map chunk", qm_map(ex, ident_map, NULL, x, sizeof *x, y,
                                        sizeof *y, N, &mo, NULL));
    EXPECT_MISMATCH("for n", qm_for(ex, count_for, NULL, last ? 10 : 11, NULL,
                                    NULL));
    EXPECT_MISMATCH("reduce op",
                    qm_map_reduce(ex, ident_map, NULL, x, sizeof *x, N,
                                  last ? QM_REDUCE_MAX : QM_REDUCE_SUM, NULL,
                                  &res, NULL));
    EXPECT_MISMATCH("reduce n",
                    qm_map_reduce(ex, ident_map, NULL, x, sizeof *x,
                                  last ? N - 1 : N, QM_REDUCE_SUM, NULL, &res,
                                  NULL));
    const double id = 0;
    EXPECT_MISMATCH("user reduce n",
                    qm_map_reduce_user(ex, ident_map, NULL, x, sizeof *x,
                                       last ? N - 1 : N, sizeof id, &id,
                                       add_combine, NULL, NULL, &res, NULL));
    free(x);
    free(y);
    qm_exec_free(ex);
    alarm(0);
}

/* ------------------------------------------------------------ async */

static void async_calls_run_distributed_on_their_own_channel(void)
{
    qm_exec *one = qmt_serial(), *ex = NULL;
    qm_exec_new_mpi(&ex, MPI_COMM_WORLD, QM_BACKEND_SERIAL);
    enum { N = 20000 };
    double *x = malloc(N * sizeof *x);
    for (size_t i = 0; i < N; i++)
        x[i] = (double)i;
    mapdata md = {x, SIZE_MAX};
    double r0 = 0, r1 = 1;
    qm_map_reduce(one, wild_map, &md, x, sizeof *x, N, QM_REDUCE_SUM, NULL,
                  &r0, NULL);
    qm_future *f1 = NULL, *f2 = NULL;
    qm_rule rule = qmt_rule(QM_RULE_SIMPSON, 0);
    qm_result ref, got;
    qm_integrate(one, wild, NULL, 0, 1, 99999, &rule, &ref);
    int st1 = qm_map_reduce_async(ex, wild_map, &md, x, sizeof *x, N,
                                  QM_REDUCE_SUM, NULL, &r1, NULL, NULL, NULL,
                                  &f1);
    int st2 = st1 == QM_SUCCESS
                  ? qm_integrate_async(ex, wild, NULL, 0, 1, 99999, &rule, &got,
                                       NULL, NULL, &f2)
                  : st1;
    if (thread_level < MPI_THREAD_MULTIPLE) {
        QMT_CHECK(st1 == QM_ENOTSUP, "async without MPI_THREAD_MULTIPLE: %d",
                  st1);
    } else {
        /* the caller keeps using MPI while both run */
        int token = rank, sum = 0;
        MPI_Allreduce(&token, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
        int w1 = -1, w2 = -1;
        qm_future_wait(f1, &w1);
        qm_future_wait(f2, &w2);
        QMT_CHECK(st1 == QM_SUCCESS && st2 == QM_SUCCESS && w1 == QM_SUCCESS
                      && w2 == QM_SUCCESS && qmt_same_bits(r0, r1)
                      && qmt_same_result(&ref, &got)
                      && sum == size * (size - 1) / 2,
                  "async np=%d: %d/%d %d/%d, %.17g vs %.17g", size, st1, st2,
                  w1, w2, r0, r1);
    }
    qm_future_free(f1);
    qm_future_free(f2);
    free(x);
    qm_exec_free(ex);
    qm_exec_free(one);
}

int main(int argc, char **argv)
{
    int provided;
    /* MULTIPLE for the asynchronous calls; the rest needs FUNNELED */
    MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
    thread_level = provided;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (provided < MPI_THREAD_FUNNELED) {
        if (rank == 0)
            fprintf(stderr, "MPI provides thread level %d < FUNNELED\n", provided);
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
    CU_pSuite c = qmt_suite("mpi_executor");
    CU_add_test(c, "executor_duplicates_and_works_on_a_split_communicator",
                executor_duplicates_and_works_on_a_split_communicator);
    CU_add_test(c, "agree_returns_the_worst_status_and_its_lowest_rank",
                agree_returns_the_worst_status_and_its_lowest_rank);
    CU_add_test(c, "mismatched_arguments_are_einval_on_every_rank_for_every_call",
                mismatched_arguments_are_einval_on_every_rank_for_every_call);
    CU_pSuite mp = qmt_suite("mpi_maps");
    CU_add_test(mp, "maps_on_the_mpi_executor_give_the_one_process_results",
                maps_on_the_mpi_executor_give_the_one_process_results);
    CU_add_test(mp, "for_on_the_mpi_executor_reports_the_lowest_failure",
                for_on_the_mpi_executor_reports_the_lowest_failure);
    CU_add_test(mp, "async_calls_run_distributed_on_their_own_channel",
                async_calls_run_distributed_on_their_own_channel);

    const int any = qmt_mpi_run(rank, size);
    MPI_Finalize();
    return any ? 1 : 0;
}
