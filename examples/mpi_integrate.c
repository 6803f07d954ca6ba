/*
 * Hybrid MPI + OpenMP integration with quadmap: distribution is a property
 * of the executor.
 *
 *   mpiexec -np 4 examples/mpi_integrate          (OMP_NUM_THREADS=2 ...)
 *
 * qm_exec_new_mpi makes an executor that spreads work over the ranks of a
 * communicator, each rank using its own OpenMP threads.  Every call of
 * libquadmap accepts it unchanged -- here qm_integrate (a fixed rule),
 * qm_integrate_adaptive and qm_map_reduce (a parameter sweep) -- and
 * becomes collective: every rank makes the same calls with the same
 * arguments and gets the same status and the same result, bit for bit the
 * result of one process.  This program checks that on every rank against a
 * local executor, and shows the argument-agreement check: ranks that pass
 * different arguments all get QM_EINVAL, never a wrong answer.
 *
 * Build against an installed quadmap:
 *   mpicc mpi_integrate.c $(pkg-config --cflags --libs quadmap-mpi) -lm -o mpi_integrate
 * Exits 1 (on every rank) when a call fails or a result differs from one
 * process's.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mpi.h>

#include <quadmap_mpi.h> /* includes quadmap.h, quadmap_map.h and mpi.h */

/* exp(-x^2), batched.  Called on every rank, from its OpenMP threads. */
static int gaussian(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = exp(-x[i] * x[i]);
    return 0;
}

/* x^3 log|(x^2 - 1)(x^2 - 2)|: log singularities at 1 and sqrt(2) (GSL's
 * qagp test integrand, QUADPACK's example for qagp). */
#define QAGP_EXACT 52.740748383471444998
static int qagp_example(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++) {
        const double x2 = x[i] * x[i];
        y[i] = x2 * x[i] * log(fabs((x2 - 1.0) * (x2 - 2.0)));
    }
    return 0;
}

/* x^p for the parameter p passed as data. */
static int power(size_t n, const double *x, double *y, void *data)
{
    const double p = *(const double *)data;
    for (size_t i = 0; i < n; i++)
        y[i] = pow(x[i], p);
    return 0;
}

/* The sweep's map function: for each parameter p, the integral of x^p on
 * [0, 1] (exactly 1 / (p + 1)) by qm_qags, which runs on the calling
 * worker.  The elements are spread over the ranks and their threads. */
static int sweep(qm_task *t, void *data)
{
    (void)data;
    const double *p = t->in;
    double *v = t->out;
    for (size_t i = 0; i < t->n; i++) {
        qm_result r;
        const int st = qm_qags(power, (void *)&p[i], 0.0, 1.0, 0.0, 1e-12, &r);
        if (st != QM_SUCCESS) {
            t->failed = i;
            return st;
        }
        v[i] = r.value;
    }
    return 0;
}

#define NP 2000 /* parameters of the sweep */

/* The three calls, on any executor; returns the first failing status. */
static int run(const qm_exec *ex, const double *params, qm_result *fixed,
               qm_result *adapt, double *sum)
{
    const qm_rule gauss7 = {QM_RULE_GAUSS, 7};
    int st = qm_integrate(ex, gaussian, NULL, -5.0, 5.0, 1000000, &gauss7,
                          fixed);
    if (st != QM_SUCCESS)
        return st;

    const double bp[2] = {1.0, sqrt(2.0)};
    qm_adapt_opts opts;
    memset(&opts, 0, sizeof opts); /* QAGS, GK21 */
    opts.epsrel = 1e-10;
    opts.breakpoints = bp;
    opts.nbreakpoints = 2;
    st = qm_integrate_adaptive(ex, qagp_example, NULL, 0.0, 3.0, &opts, adapt);
    if (st != QM_SUCCESS)
        return st;

    return qm_map_reduce(ex, sweep, NULL, params, sizeof(double), NP,
                         QM_REDUCE_SUM, NULL, sum, NULL);
}

static int same(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

int main(int argc, char **argv)
{
    int provided, rank, size;
    /* OpenMP threads never call MPI: FUNNELED is enough (the asynchronous
     * calls on an MPI executor would need MPI_THREAD_MULTIPLE) */
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (provided < MPI_THREAD_FUNNELED) {
        if (rank == 0)
            fprintf(stderr, "mpi_integrate: MPI_THREAD_FUNNELED not provided\n");
        MPI_Finalize();
        return 1;
    }

    /* The distributed executor (collective; the communicator is
     * duplicated), and a local one for the single-process reference. */
    qm_exec *ex = NULL, *local = NULL;
    int st = qm_exec_new_mpi(&ex, MPI_COMM_WORLD, QM_BACKEND_DEFAULT);
    if (st != QM_SUCCESS) {
        if (rank == 0)
            fprintf(stderr, "mpi_integrate: %s\n", qm_strerror(st));
        MPI_Finalize();
        return 1;
    }
    if (qm_exec_new(&local, QM_BACKEND_DEFAULT) != QM_SUCCESS)
        MPI_Abort(MPI_COMM_WORLD, 1);

    double params[NP]; /* every rank holds the sweep's (small) input */
    for (int i = 0; i < NP; i++)
        params[i] = 0.01 * i;

    qm_result fixed, adapt, fixed1, adapt1;
    double sum = 0.0, sum1 = 0.0;
    st = run(ex, params, &fixed, &adapt, &sum);  /* collective */
    int st1 = run(local, params, &fixed1, &adapt1, &sum1); /* this rank alone */

    int ok = st == QM_SUCCESS && st1 == QM_SUCCESS &&
             same(fixed.value, fixed1.value) && same(fixed.abserr, fixed1.abserr) &&
             same(adapt.value, adapt1.value) && same(adapt.abserr, adapt1.abserr) &&
             same(sum, sum1);
    double exact_sum = 0.0;
    for (int i = NP - 1; i >= 0; i--)
        exact_sum += 1.0 / (params[i] + 1.0);
    ok = ok && fabs(sum - exact_sum) <= 1e-10 * exact_sum &&
         fabs(adapt.value - QAGP_EXACT) <= adapt.abserr;

    if (rank == 0) {
        printf("MPI ranks: %d, threads per rank: %d (%s)\n", qm_exec_ranks(ex),
               qm_exec_threads(ex), qm_backend_name(qm_exec_backend(ex)));
        if (st != QM_SUCCESS)
            printf("failed: %s (status %d)\n", qm_strerror(st), st);
        printf("fixed gauss:7, exp(-x^2) on [-5,5]: %.17g +- %.2g\n",
               fixed.value, fixed.abserr);
        printf("adaptive, 2 breakpoints:           %.17g +- %.2g "
               "(exact %.17g; %zu subintervals, %zu steps)\n", adapt.value,
               adapt.abserr, QAGP_EXACT, adapt.subregions, adapt.steps);
        printf("sweep of %d integrals, sum:        %.17g (exact %.17g)\n",
               NP, sum, exact_sum);
    }

    /* Argument agreement: every collective call hashes its arguments once.
     * Here each rank asks for a different upper bound, so every rank gets
     * QM_EINVAL (with one rank there is nothing to disagree with). */
    if (size > 1) {
        qm_adapt_opts opts;
        memset(&opts, 0, sizeof opts);
        opts.epsrel = 1e-10;
        qm_result r;
        const int bad = qm_integrate_adaptive(ex, gaussian, NULL, 0.0,
                                              1.0 + rank, &opts, &r);
        ok = ok && bad == QM_EINVAL;
        if (rank == 0)
            printf("ranks passing different bounds: %s on every rank\n",
                   qm_strerror(bad));
    }

    /* One verdict for all ranks: the largest status anywhere. */
    int where;
    const int verdict = qm_mpi_agree(ex, ok ? QM_SUCCESS : QM_EINVAL, &where);
    if (rank == 0) {
        if (verdict == QM_SUCCESS)
            printf("every result identical to one process, bit for bit\n");
        else
            printf("rank %d: a result DIFFERS from one process's\n", where);
    }
    qm_exec_free(local);
    qm_exec_free(ex); /* collective for an MPI executor */
    MPI_Finalize();
    return verdict == QM_SUCCESS ? 0 : 1;
}
