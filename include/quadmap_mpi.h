/**
 * @file quadmap_mpi.h
 * @brief quadmap's MPI layer (libquadmap_mpi): distributed, hybrid MPI+OpenMP
 *        integration with results bitwise identical to the serial library.
 *
 * Ranks evaluate contiguous shares of the same blocks the shared-memory
 * executors use (each share computed identically on every rank from the
 * problem size: no data needs scattering, since every rank already knows the
 * problem), each with its local ::qm_exec (OpenMP threads inside the rank).
 * The exact block accumulators and the failure record travel together through
 * one MPI_Allreduce with a user-defined MPI_Op, so rounding does not depend on
 * the rank count and every rank returns the same status and result.
 *
 * MPI_Init is left to the caller; the library duplicates the communicator it
 * is given.  The OpenMP threads never call MPI, so MPI_THREAD_FUNNELED is
 * enough.  Link with `pkg-config --libs quadmap-mpi`.
 */
#ifndef QUADMAP_MPI_H
#define QUADMAP_MPI_H

#include <mpi.h>

#include "quadmap.h"
#include "quadmap_adapt.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Opaque handle: a duplicated communicator plus the reduction op. */
typedef struct qm_mpi qm_mpi;

/**
 * @brief Create an MPI context.  Collective over @p comm.
 * @param out  receives the handle (free with ::qm_mpi_free, collectively)
 * @param comm communicator to use; it is duplicated (MPI_Comm_dup), so the
 *             library's messages never mix with the caller's
 * @return ::QM_SUCCESS, ::QM_EINVAL (NULL out, MPI not initialized, or
 *         comm == MPI_COMM_NULL), ::QM_ENOMEM; the same on every rank.
 */
int qm_mpi_new(qm_mpi **out, MPI_Comm comm);

/** @brief Free the handle.  Collective over the handle's communicator. */
void qm_mpi_free(qm_mpi *m);

/** @brief This process's rank in the handle's communicator. */
int qm_mpi_rank(const qm_mpi *m);
/** @brief Number of ranks in the handle's communicator. */
int qm_mpi_size(const qm_mpi *m);

/**
 * @brief Distributed ::qm_integrate.  Collective over the handle's
 *        communicator: every rank passes the same f, a, b, n and rule.
 *
 * The result (value, abserr, evaluations) is bitwise identical on every rank
 * and identical to ::qm_integrate's for any rank count, thread count and
 * schedule.  Failures are collective: if the integrand fails on any rank,
 * every rank returns the same status, fail_x and user_status, those of the
 * lowest failing block overall (the same failure qm_integrate reports), and
 * @p fail_rank receives the rank that evaluated it.  Work above the lowest
 * known failure stops promptly on every rank.
 *
 * @param m         MPI context
 * @param ex        this rank's local executor (threads per rank)
 * @param f         batched integrand
 * @param data      passed to @p f
 * @param a         lower bound
 * @param b         upper bound
 * @param n         number of panels
 * @param rule      the rule
 * @param res       receives the result on every rank
 * @param fail_rank receives the failing rank, or -1 (may be NULL)
 * @return as ::qm_integrate, the same on every rank.
 */
int qm_mpi_integrate(qm_mpi *m, const qm_exec *ex, qm_batch_fn f, void *data,
                     double a, double b, int64_t n, const qm_rule *rule,
                     qm_result *res, int *fail_rank);

/**
 * @brief Agree on a status: returns the largest @p status over all ranks
 *        (so a failure anywhere is a failure everywhere).  Collective.
 * @param m      MPI context
 * @param status this rank's status
 * @param rank   receives the lowest rank holding that status (may be NULL)
 * @return the agreed status.
 */
int qm_mpi_agree(qm_mpi *m, int status, int *rank);

/**
 * @brief Distributed ::qm_integrate_adaptive (QAG / QAGS, with breakpoints
 *        and infinite ranges).  Collective: every rank passes the same f,
 *        bounds and options.
 *
 * Each step's batch of Gauss-Kronrod rules is split over the ranks (each
 * with its local executor) and gathered on every rank with one
 * MPI_Allgatherv; every rank then runs the same deterministic driver, so the
 * result, status and failure details are bitwise identical on every rank
 * and to the single-process call.  Ranks must share one floating-point
 * format.
 * @return as ::qm_integrate_adaptive, the same on every rank;
 *         ::QM_EINVAL also when the ranks' scalar arguments differ;
 *         ::QM_ENOTSUP for ::QM_ADAPT_TANH_SINH (not distributed yet).
 */
int qm_mpi_integrate_adaptive(qm_mpi *m, const qm_exec *ex, qm_batch_fn f,
                              void *data, double a, double b,
                              const qm_adapt_opts *opts, qm_result *res,
                              qm_adapt_info *info);

/**
 * @brief ::qm_cubature (adaptive, MC and QMC) spread over the ranks
 *        (collective).
 *
 * Every rank passes the same problem (dim, bounds, fdim, options; f and
 * data computing the same function).  Each step's units (adaptive: tasks of
 * new regions; MC: blocks of samples; QMC: tasks of a chunk of points) are
 * split into contiguous shares, evaluated by their rank with its local
 * executor and gathered on every rank with one MPI_Allgatherv; every rank
 * then runs the same serial remainder (heap, exact sums, block combination
 * in order), so val, err, info and the status are bitwise identical on
 * every rank and to ::qm_cubature on one process, for any rank and thread
 * count.  Ranks must share one floating-point format.
 * @return as ::qm_cubature, the same on every rank; ::QM_EINVAL also when
 *         the ranks' arguments differ.
 */
int qm_mpi_cubature(qm_mpi *m, const qm_exec *ex, qm_vector_fn f, void *data,
                    unsigned dim, const double *xmin, const double *xmax,
                    unsigned fdim, const qm_cubature_opts *opts, double *val,
                    double *err, qm_cubature_info *info);

/* ------------------------------------------------------------------------ */
/** @name Distributed map kernels
 *
 * The scatter / compute / gather pattern as one call.  Collective over the
 * handle's communicator; every rank passes the same f, n, sizes, root and
 * schedule.  Results (output arrays, reductions, failure index and status)
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
 * @brief Distributed ::qm_map.  Collective.
 * @param in  input (n elements of in_size bytes), significant on the root
 * @param out output (n elements of out_size bytes), written on the root, or
 *            on every rank with gather_all
 * @param mr  failure details (the same on every rank), or NULL
 * @return as ::qm_map, the same on every rank.  Failures: with the static
 *         schedule the other ranks finish their (locally early-stopped)
 *         shares before the agreement; the dynamic root stops handing out
 *         chunks above the lowest known failure.
 */
int qm_mpi_map(qm_mpi *m, const qm_exec *ex, qm_map_fn f, void *data,
               const void *in, size_t in_size, void *out, size_t out_size,
               size_t n, const qm_mpi_map_opts *opts, qm_map_result *mr);

/**
 * @brief Distributed ::qm_map_reduce with a built-in op; *result is set on
 *        every rank and is bitwise identical to the single-process result
 *        (sums are merged exactly across ranks).  Collective.
 */
int qm_mpi_map_reduce(qm_mpi *m, const qm_exec *ex, qm_map_fn f, void *data,
                      const void *in, size_t in_size, size_t n,
                      qm_reduce_op op, const qm_mpi_map_opts *opts,
                      double *result, qm_map_result *mr);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* QUADMAP_MPI_H */
