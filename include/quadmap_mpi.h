/**
 * @file quadmap_mpi.h
 * @brief quadmap's MPI backend (libquadmap_mpi): an executor that spreads
 *        every integrator and map kernel of libquadmap over MPI ranks, with
 *        results bitwise identical to one process; plus scatter/gather maps
 *        for data that only one rank holds.
 *
 * Distribution is a property of the executor: make one with
 * ::qm_exec_new_mpi and pass it to ::qm_integrate, ::qm_integrate_adaptive,
 * ::qm_cubature, ::qm_map, ::qm_map_reduce, ::qm_map_reduce_user,
 * ::qm_for and the asynchronous calls, unchanged.  Those calls become
 * collective over the communicator: every rank makes them in the same
 * order with the same arguments (checked once per call with a hash of the
 * arguments: a mismatch is ::QM_EINVAL on every rank, never a wrong answer
 * or a hang), and every rank gets the same status and result.  Inside a
 * rank the local backend (OpenMP threads) evaluates the rank's share.
 *
 * How work is spread: a fixed rule's blocks in balanced contiguous shares
 * (with a small all-reduce per round so that a failure stops every rank
 * promptly), then one all-reduce of the exact accumulators through a
 * user-defined MPI_Op; each step of an adaptive, cubature or Monte Carlo
 * algorithm in shares of its units, gathered on every rank
 * (MPI_Allgatherv), after which every rank takes the same decisions; map
 * kernels in shares of the elements (replicated input), outputs gathered.
 * Ranks must share one floating-point format (any homogeneous cluster).
 *
 * MPI_Init is left to the caller: MPI_THREAD_FUNNELED is enough (OpenMP
 * threads never call MPI), MPI_THREAD_MULTIPLE is needed for the
 * asynchronous calls.  The library duplicates the communicator it is given.
 * Link with `pkg-config --libs quadmap-mpi`.
 */
#ifndef QUADMAP_MPI_H
#define QUADMAP_MPI_H

#include <mpi.h>

#include "quadmap.h"
#include "quadmap_map.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Create an executor that spreads work over the ranks of @p comm.
 *        Collective over @p comm.
 * @param out   receives the executor (free with ::qm_exec_free,
 *              collectively); ::qm_exec_set_threads and
 *              ::qm_exec_set_schedule set this rank's local part
 * @param comm  the communicator; it is duplicated (MPI_Comm_dup), so the
 *              library's messages never mix with the caller's
 * @param local the backend inside each rank: ::QM_BACKEND_OPENMP,
 *              ::QM_BACKEND_SERIAL or ::QM_BACKEND_DEFAULT
 * @return ::QM_SUCCESS, ::QM_EINVAL (NULL out, MPI not initialized,
 *         comm == MPI_COMM_NULL), ::QM_ENOTSUP (local backend not compiled
 *         in), ::QM_ENOMEM; the same on every rank.
 */
int qm_exec_new_mpi(qm_exec **out, MPI_Comm comm, qm_backend local);

/**
 * @brief The executor's (duplicated) communicator, or MPI_COMM_NULL for an
 *        executor that is not an MPI one.  Owned by the executor.
 */
MPI_Comm qm_exec_comm(const qm_exec *ex);

/**
 * @brief Agree on a status: returns the largest @p status over all ranks
 *        (so a failure anywhere is a failure everywhere).  Collective over
 *        the executor's communicator; for a local executor it returns
 *        @p status.
 * @param ex     an MPI executor
 * @param status this rank's status
 * @param rank   receives the lowest rank holding that status (may be NULL)
 * @return the agreed status.
 */
int qm_mpi_agree(const qm_exec *ex, int status, int *rank);

/* ------------------------------------------------------------------------ */
/** @name Scatter/gather map kernels
 *
 * For an array that only one rank (the root) holds: the scatter / compute
 * / gather pattern as one call.  (When every rank holds the input, call
 * ::qm_map on the MPI executor instead: nothing needs scattering.)
 * Collective over the executor's communicator; every rank passes the same
 * f, n, sizes, root and schedule (checked: ::QM_EINVAL everywhere
 * otherwise).  Results (output arrays, reductions, failure index and status)
 * are identical to ::qm_map / ::qm_map_reduce on one process, whatever the
 * rank count, thread count and schedule.
 */
/**@{*/

/** @brief How elements are spread over ranks. */
typedef enum qm_mpi_schedule {
    /** contiguous balanced shares: MPI_Scatterv from the root, map with the
     *  local executor, MPI_Gatherv back */
    QM_MPI_STATIC = 0,
    /** a work queue served by the root, which hands out chunks of elements
     *  on request and also works between requests (MPI_Iprobe): for uneven
     *  costs */
    QM_MPI_DYNAMIC = 1
} qm_mpi_schedule;

/** @brief Options of the distributed map kernels (zero = defaults). */
typedef struct qm_mpi_map_opts {
    int root;                 /**< rank holding the input (and the output) */
    int gather_all;           /**< nonzero: every rank receives the whole output */
    qm_mpi_schedule schedule; /**< QM_MPI_STATIC (default) or QM_MPI_DYNAMIC */
    size_t chunk;             /**< elements per dynamic request; 0 = automatic */
    /** options of the local (per-rank) kernel; note that its init/fini
     *  hooks run once per local kernel call: once per rank with the static
     *  schedule, once per chunk with the dynamic one */
    qm_map_opts local;
} qm_mpi_map_opts;

/**
 * @brief ::qm_map of an array held by the root.  Collective.
 * @param ex  an executor from ::qm_exec_new_mpi (its local part maps each
 *            rank's elements)
 * @param in  input (n elements of in_size bytes), significant on the root
 * @param out output (n elements of out_size bytes), written on the root, or
 *            on every rank with gather_all
 * @param mr  failure details (the same on every rank), or NULL
 * @return as ::qm_map, the same on every rank.  Failures: with the static
 *         schedule the other ranks finish their (locally early-stopped)
 *         shares before the agreement; the dynamic root stops handing out
 *         chunks above the lowest known failure.
 */
int qm_scatter_map(const qm_exec *ex, qm_map_fn f, void *data,
                   const void *in, size_t in_size, void *out,
                   size_t out_size, size_t n, const qm_mpi_map_opts *opts,
                   qm_map_result *mr);

/**
 * @brief ::qm_map_reduce of an array held by the root, with a built-in op;
 *        *result is set on every rank and is bitwise identical to the
 *        single-process result (sums are merged exactly across ranks).
 *        Collective.
 */
int qm_scatter_map_reduce(const qm_exec *ex, qm_map_fn f, void *data,
                          const void *in, size_t in_size, size_t n,
                          qm_reduce_op op, const qm_mpi_map_opts *opts,
                          double *result, qm_map_result *mr);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* QUADMAP_MPI_H */
