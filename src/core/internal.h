/*
 * Internal interfaces shared by the core and the backends (not installed).
 *
 * The one parallel primitive is qm__exec_run(): evaluate blocks [b0, b1) of
 * a problem, each block adding its partials into per-thread exact
 * accumulators, and combine the accumulators.  Backends only decide *who*
 * evaluates *which* blocks (FFTW's "spawn loop" idea); the numerics live in
 * the block functions of the core.
 */
#ifndef QM_INTERNAL_H
#define QM_INTERNAL_H

#include "quadmap.h"
#include "core/sum_exact.h"

/* Panels per block.  Fixed, independent of the worker count: block
 * boundaries depend only on the problem.  Divisible by 6 so that residues of
 * point indices mod 2 and mod 3 (used by the nested error estimates) are the
 * same at the start of every block. */
#define QM_BLOCK 12288
/* Points per integrand call: the x/y scratch arrays (2 x 6 KiB) stay in L1. */
#define QM_BATCH 768

/* Hot kernels: compiled for several vector ISAs, chosen at load time.  The
 * library is built with -ffp-contract=off, so all clones give identical
 * bits. */
#if defined(QM_HAVE_TARGET_CLONES)
#define QM_KERNEL __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define QM_KERNEL
#endif

/* The most exact accumulators a block function may fill. */
#define QM_MAX_ACC 2

struct qm_exec {
    qm_backend backend;
    int threads;
    qm_schedule schedule;
    int64_t chunk;
};

/* Where and why a block failed; the failure kept is the one of the lowest
 * block, so the report is deterministic. */
typedef struct qm_fail {
    int status;       /* QM_SUCCESS when nothing failed */
    int64_t block;    /* failing block index (INT64_MAX when none) */
    double x;         /* offending abscissa */
    int user_status;  /* integrand's return value for QM_EUSER */
} qm_fail;

/* Per-thread scratch passed to block functions. */
typedef struct qm_scratch {
    double *x, *y; /* QM_BATCH doubles each */
    /* idx[j] = j as a double: abscissae are generated as x0 + (t + idx[j]) H
     * without an int-to-double conversion or a loop-carried counter */
    double *idx;
} qm_scratch;

/* Evaluate block `block`, adding into acc[0..nacc).  Return QM_SUCCESS or a
 * status with *fail filled (fail->block is set by the caller). */
typedef int (*qm_block_fn)(void *ctx, int64_t block, qm_scratch *scratch,
                           qm_sacc *acc, qm_fail *fail);

/* Run blocks [b0, b1) on the executor; acc[0..nacc) receive the exact sums
 * (they are initialized here).  *fail receives the lowest failing block's
 * failure.  Returns QM_SUCCESS, QM_ENOMEM or the failure's status. */
int qm__exec_run(const qm_exec *ex, int64_t b0, int64_t b1, qm_block_fn fn,
                 void *ctx, int nacc, qm_sacc *acc, qm_fail *fail);

/* Serial and OpenMP implementations of qm__exec_run (same contract). */
int qm__exec_run_serial(int64_t b0, int64_t b1, qm_block_fn fn, void *ctx,
                        int nacc, qm_sacc *acc, qm_fail *fail);
int qm__exec_run_omp(const qm_exec *ex, int64_t b0, int64_t b1,
                     qm_block_fn fn, void *ctx, int nacc, qm_sacc *acc,
                     qm_fail *fail);
int qm__omp_default_threads(void);

/* Scratch allocation helpers (aligned, freed with qm__scratch_free). */
int qm__scratch_alloc(qm_scratch *s);
void qm__scratch_free(qm_scratch *s);

/* Record failure f at block `block` into *dst if it is lower than the one
 * already there (callers serialize). */
void qm__fail_keep_lowest(qm_fail *dst, const qm_fail *f, int64_t block);

#endif
