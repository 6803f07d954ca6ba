/*
 * Internal interface of the MPI layer (not installed): the context handle,
 * shared by the integration driver (exec_mpi.c) and the distributed map
 * kernels (map_mpi.c).
 */
#ifndef QM_MPI_INTERNAL_H
#define QM_MPI_INTERNAL_H

#include "quadmap_mpi.h"

struct qm_mpi {
    MPI_Comm comm;          /* duplicate of the caller's communicator */
    int rank, size;
    MPI_Datatype rec_type;  /* exec_mpi.c's reduction record ... */
    MPI_Op rec_op;          /* ... and its exact merge */
};

#endif
