/*
 * The future shared by the asynchronous submissions (src/core/async.c) and
 * the blocking-task pool (src/core/pool.c).  Not installed.
 *
 * Life cycle: created by a submission with done == 0; the thread that runs
 * the work (a submission thread or a pool worker) stores the status, calls
 * the user's callback, then sets done under the lock and broadcasts.  After
 * that broadcast the running thread never touches the future again, so a
 * waiter may free it as soon as it sees done (an async future additionally
 * joins its submission thread in qm_future_free).
 */
#ifndef QM_FUTURE_H
#define QM_FUTURE_H

#include "quadmap.h"
#include "core/internal.h"

#include <pthread.h>

/* What the future runs; selects the union member below. */
typedef enum qm_future_kind {
    QM_FUTURE_MAP = 0,        /* qm_map_async */
    QM_FUTURE_MAP_REDUCE = 1, /* qm_map_reduce_async */
    QM_FUTURE_INTEGRATE = 2,  /* qm_integrate_async */
    QM_FUTURE_POOL = 3        /* qm_pool_submit */
} qm_future_kind;

struct qm_pool;

struct qm_future {
    pthread_mutex_t lock;
    pthread_cond_t cond;     /* signalled once, when done becomes 1 */
    int done;                /* under lock: work and callback finished */
    int status;              /* the work's status; read only once done */
    /*
     * Cancellation request, polled by the kernels between chunks/blocks
     * (they take a `const volatile int *`).  Written with an atomic store
     * and never reset, so the only race is "seen now or at the next poll".
     */
    volatile int cancel;
    qm_callback cb;          /* may be NULL */
    void *cb_data;
    qm_future_kind kind;

    /* async submissions: the thread that runs the work (joined by free) */
    int has_thread;
    pthread_t thread;

    /* pool tasks: FIFO link, owned by the pool's lock while queued */
    struct qm_future *next;

    /* Copies of the arguments (the executor is copied too: it is plain data,
     * so the caller's handle may be freed once the submission returned). */
    qm_exec *ex;  /* the submission's own copy (qm__exec_clone), with
                     ex->cancel pointing at `cancel` */
    qm_map_opts opts;
    int has_opts;            /* opts holds a copy (else the defaults, NULL) */
    union {
        struct {
            qm_map_fn f;
            void *data;
            const void *in;
            size_t in_size;
            void *out;
            size_t out_size;
            size_t n;
            qm_reduce_op op;     /* map-reduce only */
            double *result;      /* map-reduce only */
            qm_map_result *mr;
        } map;
        struct {
            qm_batch_fn f;
            void *data;
            double a, b;
            int64_t n;
            qm_rule rule;
            qm_result *res;
        } integ;
        struct {
            qm_task_fn fn;
            void *arg;
        } task;
    } u;
};

/* Allocate and initialize a future (done = 0).  NULL on failure. */
qm_future *qm__future_new(qm_future_kind kind, qm_callback cb, void *cb_data);
/* Run the callback, then publish `status` and wake the waiters.  Called
 * once, by the thread that ran (or skipped) the work. */
void qm__future_complete(qm_future *fut, int status);
/* Destroy a future that was never handed to a running thread. */
void qm__future_destroy(qm_future *fut);

#endif
