/*
 * Distributed map-reduce with uneven costs: static shares vs the dynamic
 * work queue (make bench runs it as
 *   mpiexec -q -np 2 --map-by slot:PE=1 bench/bench_mpi_map).
 *
 * Element i costs 20 times more in the first 10% of the index range, so the
 * static schedule (contiguous balanced shares) puts all the expensive
 * elements on rank 0: with P = 2 it takes 2.4 of the 2.9 cost units, while
 * a perfect balance takes 1.45 -- an ideal ratio static / dynamic of 1.66.
 * Target: >= 1.5 (the dynamic queue within 10% of perfect balance).  Both
 * schedules must give the same bits (the sum is merged exactly).
 *
 * One thread per rank: the point is the distribution between ranks.  The
 * two schedules alternate (best of REPEAT each), so a load change on a
 * shared machine affects both alike.
 * Usage: bench_mpi_map [N] [REPEAT]     (defaults 400000, best of 5)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "quadmap_mpi.h"

#define HEAVY_FRACTION 10 /* the first 1/10 of the elements ... */
#define HEAVY_FACTOR 20   /* ... cost 20 times more */
#define BASE_WORK 40      /* sin() calls per cheap element (~1 us) */

typedef struct cost {
    size_t n;
} cost;

static int skewed(qm_task *t, void *data)
{
    const cost *c = data;
    const double *x = t->in;
    double *y = t->out;
    for (size_t k = 0; k < t->n; k++) {
        const size_t i = t->first + k;
        const int reps = i < c->n / HEAVY_FRACTION ? BASE_WORK * HEAVY_FACTOR
                                                   : BASE_WORK;
        double s = 0.0;
        for (int r = 0; r < reps; r++)
            s += sin(x[k] + r);
        y[k] = s;
    }
    return 0;
}

/* Wall time of one run of a schedule (the slowest rank's time). */
static double run(const qm_exec *ex, cost *c, const double *x,
                  qm_mpi_schedule sched, double *result, int *st)
{
    qm_mpi_map_opts o;
    memset(&o, 0, sizeof o);
    o.schedule = sched;
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    *st = qm_scatter_map_reduce(ex, skewed, c, x, sizeof *x, c->n,
                            QM_REDUCE_SUM, &o, result, NULL);
    double dt = MPI_Wtime() - t0, slowest;
    MPI_Allreduce(&dt, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return slowest;
}

int main(int argc, char **argv)
{
    int provided, rank, size;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    cost c = {argc > 1 ? (size_t)atof(argv[1]) : 400000};
    const int repeat = argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 5;

    qm_exec *m = NULL; /* the ranks, one thread each */
    qm_exec *ex = NULL;
    if (qm_exec_new_mpi(&m, MPI_COMM_WORLD, QM_BACKEND_SERIAL) != QM_SUCCESS
        || qm_exec_new(&ex, QM_BACKEND_SERIAL) != QM_SUCCESS)
        MPI_Abort(MPI_COMM_WORLD, 1);

    double *x = NULL; /* the input lives on the root only */
    if (rank == 0) {
        x = malloc(c.n * sizeof *x);
        for (size_t i = 0; i < c.n; i++)
            x[i] = 1e-3 * (double)i;
    }

    /* the reference: one process, qm_map_reduce (on the root) */
    double r_serial = 0.0, t_serial = 0.0;
    int s0 = QM_SUCCESS;
    if (rank == 0) {
        const double t0 = MPI_Wtime();
        s0 = qm_map_reduce(ex, skewed, &c, x, sizeof *x, c.n, QM_REDUCE_SUM,
                           NULL, &r_serial, NULL);
        t_serial = MPI_Wtime() - t0;
    }
    MPI_Bcast(&r_serial, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    MPI_Bcast(&s0, 1, MPI_INT, 0, MPI_COMM_WORLD);

    double r_static = 0, r_dynamic = 0, t_static = INFINITY, t_dynamic = INFINITY;
    int s1 = QM_SUCCESS, s2 = QM_SUCCESS;
    for (int r = 0; r < repeat; r++) {
        double v, t;
        int st;
        t = run(m, &c, x, QM_MPI_STATIC, &v, &st);
        if (t < t_static) t_static = t;
        if (st != QM_SUCCESS) s1 = st;
        r_static = v;
        t = run(m, &c, x, QM_MPI_DYNAMIC, &v, &st);
        if (t < t_dynamic) t_dynamic = t;
        if (st != QM_SUCCESS) s2 = st;
        r_dynamic = v;
    }
    const int same = s0 == QM_SUCCESS && s1 == QM_SUCCESS && s2 == QM_SUCCESS
                     && memcmp(&r_static, &r_dynamic, sizeof r_static) == 0
                     && memcmp(&r_static, &r_serial, sizeof r_static) == 0;
    if (rank == 0) {
        const double ratio = t_static / t_dynamic;
        printf("quadmap MPI map-reduce, skewed costs (first 1/%d of N = %zu "
               "costs %dx), %d ranks x 1 thread, best of %d\n",
               HEAVY_FRACTION, c.n, HEAVY_FACTOR, size, repeat);
        printf("1 process: %8.3f s   sum %.17g\n", t_serial, r_serial);
        printf("static   : %8.3f s   sum %.17g\n", t_static, r_static);
        printf("dynamic  : %8.3f s   sum %.17g   (%.0f%% of perfect balance)\n",
               t_dynamic, r_dynamic, 100.0 * t_serial / size / t_dynamic);
        printf("results  : %s\n", same ? "bitwise equal (1 process, static, dynamic)"
                                       : "DIFFER");
        printf("ratio static / dynamic time: %6.2f  (target >= 1.5) %s\n",
               ratio, ratio >= 1.5 ? "PASS" : "MISS");
    }
    free(x);
    qm_exec_free(ex);
    qm_exec_free(m);
    MPI_Finalize();
    return same ? 0 : 1;
}
