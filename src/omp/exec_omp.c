/*
 * OpenMP backend of the chunk loop (qm__loop_run, see core/internal.h).
 *
 * One parallel region per call.  Each thread calls the loop's init hook,
 * takes grabs of units following the schedule and processes them in pieces
 * (qm__loop_pieces), then calls the fini hook.  The schedules are
 * implemented here rather than with `omp for` because a body call must see
 * a whole range of units (one batched call per piece, nothing per unit), and
 * because GUIDED and AUTO hand out grabs larger than a piece: `omp for`
 * exposes neither its chunk boundaries nor the size of the grab.  The
 * dispenser is one shared counter advanced by compare-and-swap, as libgomp
 * does for guided loops; the swap never overflows, whatever n.
 *
 * Failures: the lowest failing unit seen so far is shared (atomically); a
 * thread skips pieces above it but still runs pieces below it, so the
 * failure finally kept is the lowest failing unit overall -- deterministic --
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

/* Units [lo, hi) of a contiguous share: OpenMP's schedule(static)
 * partition, which is qm__share's. */
static void static_share(int64_t n, int w, int W, int64_t *lo, int64_t *hi)
{
    uint64_t l, h;
    qm__share((uint64_t)n, w, W, &l, &h);
    *lo = (int64_t)l;
    *hi = (int64_t)h;
}

/* Grabs of g units dealt round robin: worker w takes grabs w, w + W, ... */
static void run_round_robin(const qm_loop *loop, int w, int W,
                            int64_t *lowest, qm_loop_worker *me)
{
    const int64_t n = loop->n;
    const int64_t g = loop->grab < n ? loop->grab : n;
    /* first grab w*g, stride W*g: compare by division so nothing overflows */
    if (g <= 0 || w > (n - 1) / g)
        return;
    for (int64_t s = (int64_t)w * g;;) {
        const int64_t e = n - s < g ? n : s + g;
        if (qm__loop_pieces(loop, w, s, e, lowest, me))
            return;
        if ((n - s - 1) / g < W) /* no grab left at s + W*g */
            return;
        s += (int64_t)W * g;
    }
}

/* Grabs from the shared counter *next (dynamic, guided, auto). */
static void run_dispensed(const qm_loop *loop, int w, int W, int64_t *next,
                          int64_t *lowest, qm_loop_worker *me)
{
    for (;;) {
        int64_t cur = __atomic_load_n(next, __ATOMIC_RELAXED), len;
        do {
            if (cur >= loop->n)
                return;
            len = qm__loop_grab(loop, cur, W);
        } while (!__atomic_compare_exchange_n(next, &cur, cur + len, 0,
                                              __ATOMIC_RELAXED,
                                              __ATOMIC_RELAXED));
        if (qm__loop_pieces(loop, w, cur, cur + len, lowest, me))
            return;
    }
}

int qm__loop_run_omp(const qm_loop *loop, int workers)
{
    int64_t next = 0;           /* first unit not yet handed out */
    int64_t lowest = INT64_MAX; /* lowest failing unit; -1 stops all */
    int init_status = QM_SUCCESS;
    qm_loop_worker all = QM_LOOP_WORKER_INIT;

#pragma omp parallel num_threads(workers)
    {
        const int w = omp_get_thread_num(), W = omp_get_num_threads();
        qm_loop_worker me = QM_LOOP_WORKER_INIT;
        const int ist = loop->init ? loop->init(loop->ctx, w) : QM_SUCCESS;
        if (ist != QM_SUCCESS) {
#pragma omp critical(qm_loop_merge)
            if (init_status != QM_ENOMEM)
                init_status = ist;
            __atomic_store_n(&lowest, (int64_t)-1, __ATOMIC_RELAXED);
        }
        if (loop->sync_init) {
#pragma omp barrier
        }
        if (ist == QM_SUCCESS) {
            if (loop->schedule == QM_SCHEDULE_STATIC && loop->grab <= 0) {
                int64_t lo, hi;
                static_share(loop->n, w, W, &lo, &hi);
                qm__loop_pieces(loop, w, lo, hi, &lowest, &me);
            } else if (loop->schedule == QM_SCHEDULE_STATIC) {
                run_round_robin(loop, w, W, &lowest, &me);
            } else {
                run_dispensed(loop, w, W, &next, &lowest, &me);
            }
            if (loop->fini)
                loop->fini(loop->ctx, w);
        }
        if (me.unit != INT64_MAX || me.cancelled) {
#pragma omp critical(qm_loop_merge)
            qm__loop_worker_merge(&all, &me);
        }
    }
    return qm__loop_status(init_status, &all);
}

#endif
