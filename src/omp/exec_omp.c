/*
 * OpenMP backend of the block loop.
 *
 * Each thread owns its scratch and exact accumulators; blocks are handed out
 * by the requested OpenMP schedule; thread accumulators are merged exactly at
 * the end, so neither the schedule nor the thread count changes the bits.
 *
 * Failures: the lowest failing block seen so far is shared (atomically); a
 * thread skips blocks above it but still evaluates blocks below it, so the
 * failure finally kept is the lowest failing block overall -- deterministic --
 * while the remaining work stops promptly.
 */
#include "config.h"
#include "core/internal.h"

#include <stdlib.h>

#ifdef QM_HAVE_OPENMP
#include <omp.h>

int qm__omp_default_threads(void)
{
    return omp_get_max_threads();
}

/* One loop body for the three schedules (the schedule clause must be
 * spelled out at compile time). */
#define QM_BLOCK_LOOP(SCHED)                                                   \
    _Pragma(SCHED) for (int64_t b = b0; b < b1; b++)                           \
    {                                                                          \
        if (b > __atomic_load_n(&lowest, __ATOMIC_RELAXED))                    \
            continue;                                                          \
        qm_fail f = {QM_SUCCESS, INT64_MAX, 0.0, 0};                           \
        int st = fn(ctx, b, &sc, local, &f);                                   \
        if (st != QM_SUCCESS) {                                                \
            f.status = st;                                                     \
            qm__fail_keep_lowest(&mine, &f, b);                                \
            /* a cancellation stops every block, not only those above */      \
            const int64_t stop_at = st == QM_ECANCELED ? -1 : b;               \
            int64_t cur = __atomic_load_n(&lowest, __ATOMIC_RELAXED);          \
            while (stop_at < cur && !__atomic_compare_exchange_n(              \
                                  &lowest, &cur, stop_at, 0, __ATOMIC_RELAXED, \
                                  __ATOMIC_RELAXED))                           \
                ;                                                              \
        }                                                                      \
    }

int qm__exec_run_omp(const qm_exec *ex, int64_t b0, int64_t b1,
                     qm_block_fn fn, void *ctx, int nacc, qm_sacc *acc,
                     qm_fail *fail)
{
    int64_t lowest = INT64_MAX;
    int nomem = 0;
    const int chunk = (int)ex->chunk;
    const qm_schedule sched = ex->schedule;

    for (int k = 0; k < nacc; k++)
        qm__sacc_init(&acc[k]);

#pragma omp parallel num_threads(ex->threads)
    {
        qm_scratch sc;
        qm_sacc local[QM_MAX_ACC];
        qm_fail mine = {QM_SUCCESS, INT64_MAX, 0.0, 0};
        int ok = qm__scratch_alloc(&sc) == QM_SUCCESS;
        if (!ok) {
#pragma omp atomic write
            nomem = 1;
            /* stop everybody: no block is below -1 */
            __atomic_store_n(&lowest, (int64_t)-1, __ATOMIC_RELAXED);
        }
        for (int k = 0; k < nacc; k++)
            qm__sacc_init(&local[k]);
        /* Every thread must reach the worksharing loop (barrier semantics),
         * even one whose allocation failed: it then skips all blocks. */
        if (sched == QM_SCHEDULE_DYNAMIC) {
            if (chunk > 0) {
                QM_BLOCK_LOOP("omp for schedule(dynamic, chunk) nowait")
            } else {
                QM_BLOCK_LOOP("omp for schedule(dynamic) nowait")
            }
        } else if (sched == QM_SCHEDULE_GUIDED) {
            if (chunk > 0) {
                QM_BLOCK_LOOP("omp for schedule(guided, chunk) nowait")
            } else {
                QM_BLOCK_LOOP("omp for schedule(guided) nowait")
            }
        } else {
            if (chunk > 0) {
                QM_BLOCK_LOOP("omp for schedule(static, chunk) nowait")
            } else {
                QM_BLOCK_LOOP("omp for schedule(static) nowait")
            }
        }
#pragma omp critical(qm_exec_merge)
        {
            for (int k = 0; k < nacc; k++)
                qm__sacc_merge(&acc[k], &local[k]);
            if (mine.status != QM_SUCCESS)
                qm__fail_keep_lowest(fail, &mine, mine.block);
        }
        if (ok)
            qm__scratch_free(&sc);
    }
    if (nomem)
        return QM_ENOMEM;
    return fail->status;
}

#else /* !QM_HAVE_OPENMP */

int qm__omp_default_threads(void)
{
    return 1;
}

int qm__exec_run_omp(const qm_exec *ex, int64_t b0, int64_t b1,
                     qm_block_fn fn, void *ctx, int nacc, qm_sacc *acc,
                     qm_fail *fail)
{
    (void)ex;
    return qm__exec_run_serial(b0, b1, fn, ctx, nacc, acc, fail);
}

#endif
