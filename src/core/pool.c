/*
 * The blocking-task pool: a fixed set of POSIX threads serving one FIFO
 * queue (a mutex and a condition variable), for tasks that mostly wait.
 *
 * Why threads and not the executors: a task that sleeps or blocks on I/O
 * holds its thread while using no CPU, so the useful number of workers is
 * the number of tasks waiting at once, not the number of cores.  (C has no
 * global interpreter lock: these threads could also compute in parallel,
 * but CPU-bound loops belong to the executors, which add reproducible
 * reductions and a team sized to the cores.)
 *
 * Semantics, as seen through the futures (src/core/future.h):
 * - Tasks start in submission order (FIFO); with one worker they also end in
 *   that order.
 * - The callback runs on the worker thread, after the task returned and
 *   before qm_future_wait returns.
 * - qm_future_cancel on a task still in the queue: the worker that dequeues
 *   it does not run it; its status is QM_ECANCELED and its callback is still
 *   called (on that worker, in queue order).  On a task already running the
 *   request has no effect: a task is plain user code with no cancellation
 *   point, and it reports its own status.
 * - qm_pool_free runs every task still queued (cancelled ones are completed
 *   without running), then joins the workers.  Futures stay valid after the
 *   pool is gone and are freed with qm_future_free.
 * - As in any fixed-size pool, a task that waits for another task of the
 *   same pool needs a free worker to run that one: if every worker waits,
 *   nothing progresses.
 */
#include "config.h"
#include "core/future.h"

#include <stdlib.h>

struct qm_pool {
    pthread_mutex_t lock;
    pthread_cond_t work;      /* signalled when a task is queued or on stop */
    qm_future *head, *tail;   /* FIFO queue, linked through future->next */
    int stopping;             /* qm_pool_free: drain the queue, then exit */
    int nworkers;             /* threads started */
    pthread_t *threads;
};

static void *worker_main(void *arg)
{
    qm_pool *pool = arg;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        while (!pool->head && !pool->stopping)
            pthread_cond_wait(&pool->work, &pool->lock);
        qm_future *fut = pool->head;
        if (!fut) { /* stopping and nothing left */
            pthread_mutex_unlock(&pool->lock);
            return NULL;
        }
        pool->head = fut->next;
        if (!pool->head)
            pool->tail = NULL;
        fut->next = NULL;
        pthread_mutex_unlock(&pool->lock);

        /* A cancellation that arrives after this load is too late: the task
         * is running from now on. */
        int st;
        if (__atomic_load_n(&fut->cancel, __ATOMIC_ACQUIRE))
            st = QM_ECANCELED;
        else
            st = fut->u.task.fn(fut->u.task.arg);
        qm__future_complete(fut, st);
    }
}

/* Stop and join the first n workers (no task can be queued yet). */
static void stop_workers(qm_pool *pool, int n)
{
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->work);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < n; i++)
        pthread_join(pool->threads[i], NULL);
}

static void destroy(qm_pool *pool)
{
    pthread_cond_destroy(&pool->work);
    pthread_mutex_destroy(&pool->lock);
    free(pool->threads);
    free(pool);
}

int qm_pool_new(qm_pool **out, int workers)
{
    if (!out)
        return QM_EINVAL;
    *out = NULL;
    if (workers < 1 || workers > 4096)
        return QM_EINVAL;
    qm_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return QM_ENOMEM;
    pool->threads = calloc((size_t)workers, sizeof *pool->threads);
    if (!pool->threads) {
        free(pool);
        return QM_ENOMEM;
    }
    if (pthread_mutex_init(&pool->lock, NULL) != 0) {
        free(pool->threads);
        free(pool);
        return QM_ENOMEM;
    }
    if (pthread_cond_init(&pool->work, NULL) != 0) {
        pthread_mutex_destroy(&pool->lock);
        free(pool->threads);
        free(pool);
        return QM_ENOMEM;
    }
    for (int i = 0; i < workers; i++) {
        if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) {
            /* out of threads (EAGAIN): undo, report as out of memory */
            stop_workers(pool, i);
            destroy(pool);
            return QM_ENOMEM;
        }
    }
    pool->nworkers = workers;
    *out = pool;
    return QM_SUCCESS;
}

int qm_pool_submit(qm_pool *pool, qm_task_fn fn, void *arg, qm_callback cb,
                   void *cb_data, qm_future **fut)
{
    if (!fut)
        return QM_EINVAL;
    *fut = NULL;
    if (!pool || !fn)
        return QM_EINVAL;
    qm_future *ft = qm__future_new(QM_FUTURE_POOL, cb, cb_data);
    if (!ft)
        return QM_ENOMEM;
    ft->u.task.fn = fn;
    ft->u.task.arg = arg;
    /* The future is published before the task is queued: a worker may
     * complete it before this function returns, and the caller's pointer
     * must already be valid for a callback that looks at it. */
    *fut = ft;
    pthread_mutex_lock(&pool->lock);
    if (pool->tail)
        pool->tail->next = ft;
    else
        pool->head = ft;
    pool->tail = ft;
    pthread_cond_signal(&pool->work);
    pthread_mutex_unlock(&pool->lock);
    return QM_SUCCESS;
}

int qm_pool_workers(const qm_pool *pool)
{
    return pool ? pool->nworkers : 0;
}

/*
 * Workers leave only when the queue is empty and the pool is stopping, so a
 * task may still submit to its own pool while it is being freed: the
 * submitting worker is alive and sees the new task before it exits.  Must
 * not be called from a task or callback of this pool (it would join its own
 * thread).
 */
void qm_pool_free(qm_pool *pool)
{
    if (!pool)
        return;
    stop_workers(pool, pool->nworkers);
    destroy(pool);
}
