/*
 * Asynchronous submission: qm_map_async, qm_map_reduce_async,
 * qm_integrate_async and the future operations (shared with the pool).
 *
 * Threads.  Each submission gets a POSIX thread of its own that calls the
 * ordinary kernel; with an OpenMP executor that thread becomes the master of
 * its own OpenMP team (libgomp keeps one thread pool per initial thread, so
 * parallel regions started from different pthreads run side by side).
 * Several submissions may therefore be in flight at once, each with its own
 * team; oversubscribing the cores is the caller's choice.
 *
 * Callbacks.  The completion callback runs on the submission thread, after
 * the kernel returned (also after a cancellation) and before the future is
 * marked done: qm_future_wait and qm_future_test only report completion once
 * the callback has returned.  The callback may read the results and call
 * qm_future_test or qm_future_cancel on its future (test reports 0: still
 * running), but must not wait on or free it, which would wait for itself.
 *
 * Cancellation.  qm_future_cancel sets a flag the kernels poll between
 * chunks (map kernels) or blocks (integration); the kernel then returns
 * QM_ECANCELED.  A kernel that finished before it saw the flag keeps its
 * status, and its results are complete and valid.
 */
#include "config.h"
#include "core/future.h"
#include "core/map.h"
#include "core/rules.h"

#include <stdlib.h>

/* ------------------------------------------------------------ futures */

qm_future *qm__future_new(qm_future_kind kind, qm_callback cb, void *cb_data)
{
    qm_future *fut = calloc(1, sizeof *fut);
    if (!fut)
        return NULL;
    if (pthread_mutex_init(&fut->lock, NULL) != 0) {
        free(fut);
        return NULL;
    }
    if (pthread_cond_init(&fut->cond, NULL) != 0) {
        pthread_mutex_destroy(&fut->lock);
        free(fut);
        return NULL;
    }
    fut->kind = kind;
    fut->cb = cb;
    fut->cb_data = cb_data;
    fut->status = QM_SUCCESS;
    return fut;
}

void qm__future_destroy(qm_future *fut)
{
    qm_exec_free(fut->ex); /* set only when the work never ran */
    pthread_cond_destroy(&fut->cond);
    pthread_mutex_destroy(&fut->lock);
    free(fut);
}

void qm__future_complete(qm_future *fut, int status)
{
    /* status is written before the callback so that qm_future_test from
     * inside the callback cannot see a half-written future (done is 0). */
    pthread_mutex_lock(&fut->lock);
    fut->status = status;
    pthread_mutex_unlock(&fut->lock);
    if (fut->cb)
        fut->cb(fut, status, fut->cb_data);
    pthread_mutex_lock(&fut->lock);
    fut->done = 1;
    pthread_cond_broadcast(&fut->cond);
    /* from here on a waiter may free the future: do not touch it again */
    pthread_mutex_unlock(&fut->lock);
}

int qm_future_wait(qm_future *fut, int *status)
{
    if (!fut)
        return QM_EINVAL;
    pthread_mutex_lock(&fut->lock);
    while (!fut->done)
        pthread_cond_wait(&fut->cond, &fut->lock);
    if (status)
        *status = fut->status;
    pthread_mutex_unlock(&fut->lock);
    return QM_SUCCESS;
}

int qm_future_test(qm_future *fut, int *status)
{
    if (!fut)
        return -QM_EINVAL;
    pthread_mutex_lock(&fut->lock);
    const int done = fut->done;
    if (done && status)
        *status = fut->status;
    pthread_mutex_unlock(&fut->lock);
    return done;
}

int qm_future_cancel(qm_future *fut)
{
    if (!fut)
        return QM_EINVAL;
    /* An atomic store on the volatile flag: the kernels' plain volatile
     * loads see it at their next poll. */
    __atomic_store_n(&fut->cancel, 1, __ATOMIC_RELEASE);
    return QM_SUCCESS;
}

void qm_future_free(qm_future *fut)
{
    if (!fut)
        return;
    qm_future_wait(fut, NULL);
    /* The submission thread no longer touches the future, but it is not
     * detached: joining it releases its stack and thread resources. */
    if (fut->has_thread)
        pthread_join(fut->thread, NULL);
    qm__future_destroy(fut);
}

/* ------------------------------------------------------------ submission */

static void *run_async(void *arg)
{
    qm_future *fut = arg;
    const qm_map_opts *opts = fut->has_opts ? &fut->opts : NULL;
    int st;
    switch (fut->kind) {
    case QM_FUTURE_MAP:
        st = qm_map(fut->ex, fut->u.map.f, fut->u.map.data, fut->u.map.in,
                    fut->u.map.in_size, fut->u.map.out, fut->u.map.out_size,
                    fut->u.map.n, opts, fut->u.map.mr);
        break;
    case QM_FUTURE_MAP_REDUCE:
        st = qm_map_reduce(fut->ex, fut->u.map.f, fut->u.map.data,
                           fut->u.map.in, fut->u.map.in_size, fut->u.map.n,
                           fut->u.map.op, opts, fut->u.map.result,
                           fut->u.map.mr);
        break;
    case QM_FUTURE_INTEGRATE:
        st = qm_integrate(fut->ex, fut->u.integ.f, fut->u.integ.data,
                          fut->u.integ.a, fut->u.integ.b, fut->u.integ.n,
                          &fut->u.integ.rule, fut->u.integ.res);
        break;
    default:
        st = QM_EINVAL;
        break;
    }
    /* collective for a distributed copy: every process's submission thread
     * frees its own */
    qm_exec_free(fut->ex);
    fut->ex = NULL;
    qm__future_complete(fut, st);
    return NULL;
}

/* Start the submission thread; on failure the future is destroyed. */
static int launch(qm_future *fut, qm_future **out)
{
    fut->has_thread = 1;
    const int rc = pthread_create(&fut->thread, NULL, run_async, fut);
    if (rc != 0) {
        qm__future_destroy(fut);
        /* EAGAIN: out of threads or memory for a stack; EPERM/EINVAL
         * cannot happen with default attributes */
        return QM_ENOMEM;
    }
    *out = fut;
    return QM_SUCCESS;
}

static int submit(qm_future *ft, const qm_exec *ex, qm_future **fut,
                  void *out, size_t out_size, qm_reduce_op op,
                  double *result);

/* Give ft its own copy of ex, cancelled through ft.  Collective when ex is
 * distributed: every process clones, even one that has no future (out of
 * memory), so that no process is left waiting.  On failure ft (if any) is
 * destroyed. */
static int attach_exec(qm_future *ft, const qm_exec *ex)
{
    if (!ft) {
        qm_exec *tmp = NULL;
        if (ex->dist && qm__exec_clone(ex, &tmp) == QM_SUCCESS)
            qm_exec_free(tmp);
        return QM_ENOMEM;
    }
    const int st = qm__exec_clone(ex, &ft->ex);
    if (st != QM_SUCCESS) {
        qm__future_destroy(ft);
        return st;
    }
    ft->ex->cancel = &ft->cancel;
    return QM_SUCCESS;
}

static qm_future *new_map_future(qm_future_kind kind, qm_map_fn f, void *data, const void *in,
                                 size_t in_size, size_t n,
                                 const qm_map_opts *opts, qm_map_result *mr,
                                 qm_callback cb, void *cb_data)
{
    qm_future *fut = qm__future_new(kind, cb, cb_data);
    if (!fut)
        return NULL;
    if (opts) {
        fut->opts = *opts;
        fut->has_opts = 1;
    }
    fut->u.map.f = f;
    fut->u.map.data = data;
    fut->u.map.in = in;
    fut->u.map.in_size = in_size;
    fut->u.map.n = n;
    fut->u.map.mr = mr;
    return fut;
}

/*
 * Argument checks at submission cover what the caller can get wrong without
 * looking at the data (NULL handles, function or outputs, unknown reduction).
 * Everything else (element sizes, n) is checked by the kernel itself on the
 * submission thread and comes back as the future's status (QM_EINVAL): one
 * source of truth for the kernels' rules.
 */
int qm_map_async(const qm_exec *ex, qm_map_fn f, void *data, const void *in,
                 size_t in_size, void *out, size_t out_size, size_t n,
                 const qm_map_opts *opts, qm_map_result *mr,
                 qm_callback cb, void *cb_data, qm_future **fut)
{
    if (!fut)
        return QM_EINVAL;
    *fut = NULL;
    if (!ex || !f)
        return QM_EINVAL;
    qm_future *ft = new_map_future(QM_FUTURE_MAP, f, data, in, in_size,
                                   n, opts, mr, cb, cb_data);
    return submit(ft, ex, fut, out, out_size, 0, NULL);
}

/* Attach the executor (attach_exec) and start; on failure the future is
 * destroyed.  out/out_size for a map, op/result for
 * a map-reduce. */
static int submit(qm_future *ft, const qm_exec *ex, qm_future **fut,
                  void *out, size_t out_size, qm_reduce_op op, double *result)
{
    const int st = attach_exec(ft, ex);
    if (st != QM_SUCCESS)
        return st;
    ft->u.map.out = out;
    ft->u.map.out_size = out_size;
    ft->u.map.op = op;
    ft->u.map.result = result;
    return launch(ft, fut);
}

int qm_map_reduce_async(const qm_exec *ex, qm_map_fn f, void *data,
                        const void *in, size_t in_size, size_t n,
                        qm_reduce_op op, const qm_map_opts *opts,
                        double *result, qm_map_result *mr, qm_callback cb,
                        void *cb_data, qm_future **fut)
{
    if (!fut)
        return QM_EINVAL;
    *fut = NULL;
    if (!ex || !f || !result || (unsigned)op > QM_REDUCE_COUNT)
        return QM_EINVAL;
    qm_future *ft = new_map_future(QM_FUTURE_MAP_REDUCE, f, data, in,
                                   in_size, n, opts, mr, cb, cb_data);
    return submit(ft, ex, fut, NULL, 0, op, result);
}

int qm_integrate_async(const qm_exec *ex, qm_batch_fn f, void *data, double a,
                       double b, int64_t n, const qm_rule *rule,
                       qm_result *res, qm_callback cb, void *cb_data,
                       qm_future **fut)
{
    if (!fut)
        return QM_EINVAL;
    *fut = NULL;
    if (!ex || !rule || !res)
        return QM_EINVAL;
    /* Planning is cheap and validates f, the bounds, N and the rule, so a
     * bad argument is reported here rather than through the future. */
    qm_plan plan;
    if (qm__plan_fixed(&plan, f, data, a, b, n, rule) != QM_SUCCESS
        && !ex->dist)
        /* the synchronous call fails at once the same way and fills *res
         * exactly as qm_integrate documents */
        return qm_integrate(ex, f, data, a, b, n, rule, res);
    qm_future *ft = qm__future_new(QM_FUTURE_INTEGRATE, cb, cb_data);
    const int st = attach_exec(ft, ex);
    if (st != QM_SUCCESS)
        return st;
    ft->u.integ.f = f;
    ft->u.integ.data = data;
    ft->u.integ.a = a;
    ft->u.integ.b = b;
    ft->u.integ.n = n;
    ft->u.integ.rule = *rule;
    ft->u.integ.res = res;
    return launch(ft, fut);
}
