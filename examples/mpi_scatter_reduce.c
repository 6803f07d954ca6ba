/*
 * The scatter / compute / reduce lesson with quadmap's MPI layer.
 *
 *   mpiexec -np 4 examples/mpi_scatter_reduce        (OMP_NUM_THREADS=2 ...)
 *
 * MPI ranks are separate processes: each has its own memory, and they may
 * run on different machines.  Nothing is shared between them; data moves
 * only in messages.  So the classic pattern is:
 *
 *   1. scatter: the root (rank 0), which holds the whole array, sends each
 *      rank its contiguous share (MPI_Scatterv);
 *   2. compute: every rank works on its share -- and inside a rank, OpenMP
 *      threads share that rank's memory, so they split the share among
 *      themselves without any message (hybrid MPI + OpenMP);
 *   3. reduce (MPI_Reduce / MPI_Allreduce) or gather (MPI_Gatherv) the
 *      partial results.
 *
 * qm_scatter_map_reduce and qm_scatter_map do the three steps in one collective
 * call.  The sum is merged across ranks with an exact accumulator, so the
 * result is bit for bit the single-process qm_map_reduce, whatever the
 * number of ranks and threads -- which a hand-written MPI_Reduce(MPI_SUM) of
 * rounded partial sums does not guarantee.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "quadmap_mpi.h"

#define N 100000 /* sum of squares 1..N = 333338333350000 < 2^53: exact */

/* The map function: y = x^2 for the elements of one task.  The library
 * calls it on every rank, from that rank's OpenMP threads. */
static int square(qm_task *t, void *data)
{
    (void)data;
    const double *x = t->in;
    double *y = t->out;
    for (size_t i = 0; i < t->n; i++)
        y[i] = x[i] * x[i];
    return 0;
}

/* y = 1/x: the harmonic sum is not exact in doubles, so the order of the
 * additions matters -- except with an exact accumulator. */
static int reciprocal(qm_task *t, void *data)
{
    (void)data;
    const double *x = t->in;
    double *y = t->out;
    for (size_t i = 0; i < t->n; i++)
        y[i] = 1.0 / x[i];
    return 0;
}

int main(int argc, char **argv)
{
    int provided, rank, size;
    /* the OpenMP threads never call MPI: FUNNELED is enough */
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    qm_exec *ex = NULL; /* the ranks, with threads inside each */
    if (qm_exec_new_mpi(&ex, MPI_COMM_WORLD, QM_BACKEND_DEFAULT) != QM_SUCCESS)
        MPI_Abort(MPI_COMM_WORLD, 1);

    /* Only the root holds the data: the other ranks never allocate it. */
    double *x = NULL;
    if (rank == 0) {
        x = malloc(N * sizeof *x);
        for (int i = 0; i < N; i++)
            x[i] = i + 1.0;
    }

    /* Scatter, square, sum: one collective call, the result on every rank. */
    qm_mpi_map_opts opts;
    memset(&opts, 0, sizeof opts); /* root 0, static shares */
    double sum = 0.0;
    int st = qm_scatter_map_reduce(ex, square, NULL, x, sizeof(double), N,
                               QM_REDUCE_SUM, &opts, &sum, NULL);

    double harmonic = 0.0;
    int st2 = qm_scatter_map_reduce(ex, reciprocal, NULL, x, sizeof(double),
                                N, QM_REDUCE_SUM, &opts, &harmonic, NULL);

    int ok = st == QM_SUCCESS && st2 == QM_SUCCESS;
    if (rank == 0) {
        const uint64_t n = N, exact = n * (n + 1) * (2 * n + 1) / 6;
        /* the reference: the same reduction in this one process, on a
         * local executor (the MPI one is collective) */
        qm_exec *one = NULL;
        qm_exec_new(&one, QM_BACKEND_DEFAULT);
        double ref = 0.0;
        int st1 = qm_map_reduce(one, square, NULL, x, sizeof(double), N,
                                QM_REDUCE_SUM, NULL, &ref, NULL);
        ok = ok && st1 == QM_SUCCESS && memcmp(&sum, &ref, sizeof sum) == 0;
        printf("MPI ranks: %d (separate processes), OpenMP threads per rank: %d\n",
               qm_exec_ranks(ex), qm_exec_threads(ex));
        printf("sum of squares 1..%d over %d ranks: %.17g (exact %" PRIu64 ")\n",
               N, size, sum, exact);
        printf("single-process qm_map_reduce:        %.17g -> %s\n", ref,
               ok ? "matches bit for bit" : "DIFFERS");
        double href = 0.0;
        st1 = qm_map_reduce(one, reciprocal, NULL, x, sizeof(double), N,
                            QM_REDUCE_SUM, NULL, &href, NULL);
        qm_exec_free(one);
        const int hok = st1 == QM_SUCCESS
                        && memcmp(&harmonic, &href, sizeof href) == 0;
        printf("harmonic sum 1/1 + ... + 1/%d: %.17g, single process %.17g -> %s\n",
               N, harmonic, href, hok ? "matches bit for bit" : "DIFFERS");
        ok = ok && hok;
    }

    /* Scatter, square, gather back to the root: out is only needed there. */
    double *y = rank == 0 ? malloc(N * sizeof *y) : NULL;
    st = qm_scatter_map(ex, square, NULL, x, sizeof(double), y,
                    sizeof(double), N, &opts, NULL);
    ok = ok && st == QM_SUCCESS;
    if (rank == 0 && st == QM_SUCCESS) {
        printf("first squares gathered on rank 0:");
        for (int i = 0; i < 5; i++)
            printf(" %g", y[i]);
        printf(" ... %.17g\n", y[N - 1]);
    }

    /* every rank exits with the root's verdict */
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(x);
    free(y);
    qm_exec_free(ex);
    MPI_Finalize();
    return ok ? 0 : 1;
}
