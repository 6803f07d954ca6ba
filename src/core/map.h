/*
 * Internal interface of the map kernels (src/core/map.c), shared with the
 * asynchronous layer (src/core/async.c) and the MPI layer (src/mpi/map_mpi.c).
 */
#ifndef QM_MAP_H
#define QM_MAP_H

#include "core/internal.h"

#include <math.h>

/*
 * qm_map over elements [0, n) of `in`/`out`, with every task's `first` and
 * every reported failure index offset by `base` (the global index of
 * element 0: the MPI layer maps a rank's share of a larger array).  Runs
 * in this process only (the executor's distributor is not used); the
 * executor's cancel flag is polled between chunks (QM_ECANCELED).
 */
int qm__map_run(const qm_exec *ex, qm_map_fn f, void *data, const void *in,
                size_t in_size, void *out, size_t out_size, size_t n,
                size_t base, const qm_map_opts *opts, qm_map_result *mr);

/*
 * Map then reduce elements [0, n) (indices offset by `base` as above) with a
 * built-in op.  For QM_REDUCE_SUM the exact sum is also returned unrounded
 * in *sum (may be NULL), so that partial sums of several ranks can be merged
 * exactly (qm__sacc_merge) before rounding.
 */
int qm__map_reduce_run(const qm_exec *ex, qm_map_fn f, void *data,
                       const void *in, size_t in_size, size_t n, size_t base,
                       qm_reduce_op op, const qm_map_opts *opts,
                       double *result, qm_sacc *sum, qm_map_result *mr);

/*
 * User reduction of elements [0, n) grouped in blocks of QM_REDUCE_BLOCK
 * *global* indices (block k covers [k*QM_REDUCE_BLOCK, (k+1)*QM_REDUCE_BLOCK)
 * of the global index space; `base` must be a multiple of QM_REDUCE_BLOCK).
 * Writes one value per block, in block order, into `blocks`
 * (ceil(n / QM_REDUCE_BLOCK) * value_size bytes); the caller combines them
 * left to right.  This is how the result stays independent of workers and
 * of ranks.
 */
int qm__map_reduce_blocks(const qm_exec *ex, qm_map_fn f, void *data,
                          const void *in, size_t in_size, size_t n,
                          size_t base, size_t value_size, const void *identity,
                          qm_combine_fn combine, void *combine_data,
                          const qm_map_opts *opts, void *blocks,
                          qm_map_result *mr);

/* Lowest-failure bookkeeping shared by the kernels: keep (index, status) if
 * index is lower than the one already in *mr. */
static inline void qm__map_fail_keep(qm_map_result *mr, size_t index,
                                     int user_status)
{
    if (index < mr->fail_index) {
        mr->fail_index = index;
        mr->user_status = user_status;
    }
}

/*
 * Combine two partial results of a built-in reduction exactly as the kernel
 * combines its workers' partials (for merging ranks): MIN/MAX ignore NaN and
 * break the -0/+0 tie by sign (MIN prefers -0, MAX +0), so the result does
 * not depend on the order of the partials; COUNT adds.  SUM partials are
 * merged as qm_sacc (qm__sacc_merge), not with this.
 */
static inline double qm__reduce_combine(qm_reduce_op op, double a, double b)
{
    switch (op) {
    case QM_REDUCE_MIN:
        return (b < a || (b == a && signbit(b))) ? b : a;
    case QM_REDUCE_MAX:
        return (b > a || (b == a && !signbit(b))) ? b : a;
    default:
        return a + b;
    }
}

#endif
