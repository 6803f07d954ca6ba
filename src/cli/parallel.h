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

typedef struct cli_par {
    int rank, size;
    int mpi;             /* MPI is initialized and in use */
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
/** The executor: an MPI executor over MPI_COMM_WORLD when MPI is in use
 *  (collective), else a local one; same calls either way. */
int cli_par_exec_new(cli_par *p, qm_backend local, qm_exec **ex);
/** The backend name for reports: "openmp", or "mpi+openmp" with ranks. */
const char *cli_par_backend(const cli_par *p, const qm_exec *ex);
/** --info: ranks, threads per rank, cores, each rank's host and CPU
 *  binding, MPI library and thread level (collective; rank 0 prints). */
void cli_par_info(cli_par *p, const qm_exec *ex, FILE *out);
/** Agree on the exit code, finalize MPI, return the code to exit with. */
int cli_par_finalize(cli_par *p, int code);

#endif
