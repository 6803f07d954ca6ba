/*
 * Running a CUnit registry under MPI (header only): every rank runs every
 * test, only rank 0 prints, and the failure count is reduced with MPI_MAX so
 * that every rank exits with the same status.
 */
#ifndef QM_TEST_MPI_COMMON_H
#define QM_TEST_MPI_COMMON_H

#include <mpi.h>

#include "test_common.h"

/* Run the registered tests; returns 1 when a test failed on any rank. */
static QMT_UNUSED int qmt_mpi_run(int rank, int size)
{
    CU_basic_set_mode(rank == 0 ? CU_BRM_VERBOSE : CU_BRM_SILENT);
    if (rank != 0) {
        fflush(stdout);
        if (!freopen("/dev/null", "w", stdout))
            MPI_Abort(MPI_COMM_WORLD, 2);
    }
    CU_basic_run_tests();
    int failed = (int)CU_get_number_of_failures() + (CU_get_error() != CUE_SUCCESS);
    int any = 0;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (rank == 0)
        printf("\n%d ranks: %s\n", size, any ? "FAILURES (on some rank)" : "all ranks passed");
    CU_cleanup_registry();
    return any;
}

#endif
