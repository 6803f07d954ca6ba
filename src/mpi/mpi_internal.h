/*
 * Internal interface of the MPI layer (not installed): the distributor's
 * context, shared by the executor (exec_mpi.c) and the scatter/gather maps
 * (map_mpi.c).
 */
#ifndef QM_MPI_INTERNAL_H
#define QM_MPI_INTERNAL_H

#include "quadmap_mpi.h"
#include "core/internal.h"

typedef struct qm_mpi {
    MPI_Comm comm;          /* duplicate of the caller's communicator */
    int rank, size;
    MPI_Datatype rec_type;  /* exec_mpi.c's reduction record ... */
    MPI_Op rec_op;          /* ... and its exact merge */
    int *counts, *displs;   /* per rank, for MPI_Allgatherv */
} qm_mpi;

/* The MPI context of an executor made by qm_exec_new_mpi, or QM_EINVAL. */
int qm__mpi_of(const qm_exec *ex, qm_mpi **m);

#endif
