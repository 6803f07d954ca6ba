/*
 * The MPI program a user would write by hand for the benchmark problem
 * (midpoint rule, x^2 on [0, 10]): each rank sums its contiguous slice of
 * the points through a function pointer, then MPI_Reduce to rank 0.
 * Usage: mpirun -np P bench/bench_mpi_hand [N] [REPEAT]
 * Prints one line: "hand-mpi <ranks> <seconds> <points/s> <result>".
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static double f(double x) { return x * x; }
/* volatile: the compiler must call through the pointer, as with a user's
 * integrand chosen at run time */
static double (*volatile integrand)(double) = f;

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int64_t n = argc > 1 ? (int64_t)strtod(argv[1], NULL) : INT64_C(4000000000);
    const int repeat = argc > 2 ? atoi(argv[2]) : 3;
    const double a = 0.0, b = 10.0, h = (b - a) / (double)n;
    const int64_t lo = n / size * rank + (rank < n % size ? rank : n % size);
    const int64_t hi = lo + n / size + (rank < n % size ? 1 : 0);
    double best = 1e300, total = 0.0;
    for (int k = 0; k < repeat; k++) {
        double (*fn)(double) = integrand;
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime(), s = 0.0;
        for (int64_t i = lo; i < hi; i++)
            s += fn(a + ((double)i + 0.5) * h);
        MPI_Reduce(&s, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
        double dt = MPI_Wtime() - t0;
        MPI_Bcast(&dt, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        if (dt < best)
            best = dt;
    }
    if (rank == 0)
        printf("hand-mpi %d %.6f %.6e %.17g\n", size, best, (double)n / best, total * h);
    MPI_Finalize();
    return 0;
}
