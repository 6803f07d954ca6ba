/**
 * @file parallel.h
 * @brief The CLI's view of MPI: one process or many ranks, same code path.
 *
 * Built without MPI every function degenerates to the single-process case.
 * Built with MPI, the program calls MPI_Init_thread(MPI_THREAD_FUNNELED)
 * (singleton init when started without mpirun), only rank 0 writes
 * (the others' stdout and stderr go to /dev/null), and every exit code is
 * agreed by all ranks.
 */
#ifndef QM_CLI_PARALLEL_H
#define QM_CLI_PARALLEL_H

#include <stdio.h>

#include "quadmap.h"
#include "quadmap_adapt.h"

typedef struct cli_par {
    int rank, size;
    void *mpi;           /* qm_mpi *, when built with MPI */
    int thread_level;    /* MPI_Init_thread's provided level, or -1 */
    int mpi_initialized; /* this program called MPI_Init_thread */
} cli_par;

/** Initialize MPI when built with it.  Returns 0 or an exit code. */
int cli_par_init(cli_par *p, int *argc, char ***argv);
/** Agree on a status/exit code: the largest over all ranks; @p who gets
 *  the lowest rank holding it (may be NULL). */
int cli_par_agree(cli_par *p, int code, int *who);
/** Barrier (timing starts together on every rank). */
void cli_par_barrier(cli_par *p);
/** qm_integrate, or qm_mpi_integrate over all ranks when size > 1. */
int cli_par_integrate(cli_par *p, const qm_exec *ex, qm_batch_fn f, void *data,
                      double a, double b, int64_t n, const qm_rule *rule,
                      qm_result *res, int *fail_rank);
/** qm_integrate_adaptive, or qm_mpi_integrate_adaptive when size > 1. */
int cli_par_integrate_adaptive(cli_par *p, const qm_exec *ex, qm_batch_fn f,
                               void *data, double a, double b,
                               const qm_adapt_opts *o, qm_result *res,
                               qm_adapt_info *info);
/** qm_cubature, or qm_mpi_cubature when size > 1. */
int cli_par_cubature(cli_par *p, const qm_exec *ex, qm_vector_fn f, void *data,
                     unsigned dim, const double *xmin, const double *xmax,
                     const qm_cubature_opts *o, double *val, double *err,
                     qm_cubature_info *info);
/** The backend name for reports: "openmp", or "mpi+openmp" with ranks. */
const char *cli_par_backend(const cli_par *p, const qm_exec *ex);
/** --info: ranks, threads per rank, cores, each rank's host and CPU
 *  binding, MPI library and thread level (collective; rank 0 prints). */
void cli_par_info(cli_par *p, const qm_exec *ex, FILE *out);
/** Agree on the exit code, finalize MPI, return the code to exit with. */
int cli_par_finalize(cli_par *p, int code);

#endif
