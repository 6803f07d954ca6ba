/**
 * @file quadmap_map.h
 * @brief quadmap's map kernels (map, for, map-reduce), asynchronous
 *        submission with futures, and a pool for blocking tasks:
 *        `#include <quadmap_map.h>` (it includes quadmap.h).
 *
 * The kernels run on the same executors as the integrators.  On a
 * distributed executor (::qm_exec_new_mpi) they are collective: every rank
 * holds the whole input (replicated data), evaluates its share of the
 * elements, and every rank receives the whole output, reduction and failure
 * report, identical to one process's.  To spread an array that only one
 * rank holds, use the scatter/gather maps of quadmap_mpi.h.
 *
 * Asynchronous calls on a distributed executor run their collective
 * operations on a thread of their own, on a duplicate of the communicator:
 * MPI must be initialized with MPI_THREAD_MULTIPLE (else ::QM_ENOTSUP), and
 * every rank must submit in the same order.
 */
#ifndef QUADMAP_MAP_H
#define QUADMAP_MAP_H

#include "quadmap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/** @name Map kernels: map, map-reduce, for, on the same executors
 *
 * The classic process/thread-pool toolbox (Python's Pool.map with a
 * chunksize, map-reduce, initializers) in C.  Work over elements [0, n) is
 * handed out in chunks of ::qm_map_opts::chunk elements following the
 * executor's schedule (::qm_exec_set_schedule; its chunk argument is ignored
 * here).  Results are written in input order; reductions are bitwise
 * identical for any worker count, schedule and chunk size.
 */
/**@{*/

/**
 * @brief One call of a map function: elements [first, first + n).
 *
 * @c in and @c out point at element @c first of the input and output arrays
 * (NULL when the kernel has none: ::qm_for has neither, the reduce kernels
 * give @c out as a scratch array of value_size elements).  On failure the
 * function may set @c failed to the offset (0 .. n-1) of the failing
 * element; it stays 0 otherwise.
 */
typedef struct qm_task {
    size_t first;     /**< global index of the first element */
    size_t n;         /**< number of elements in this call (>= 1) */
    const void *in;   /**< input element @c first, or NULL */
    void *out;        /**< output element @c first, or NULL */
    void *worker;     /**< this worker's state from qm_map_opts::init, or NULL */
    int worker_id;    /**< 0 .. workers - 1, as ::qm_worker_id (this
                           process's thread number) */
    size_t failed;    /**< out: offset of the failing element (default 0) */
} qm_task;

/**
 * @brief Map function: process the elements of @p t.
 * Called concurrently by several workers with disjoint tasks.
 * @return 0 on success; nonzero stops the remaining work (see ::qm_map).
 */
typedef int (*qm_map_fn)(qm_task *t, void *data);

/** @brief Per-worker initializer: returns the worker's state in *state
 *  (0 on success, nonzero aborts the kernel with ::QM_EMAPFN).
 *  Every worker of the team (at most min(threads, number of chunks)) calls
 *  it before any chunk runs.  When one fails no chunk runs at all,
 *  qm_map_result::fail_index is SIZE_MAX and qm_map_result::user_status is
 *  the nonzero return of the lowest-numbered failing worker; the workers
 *  whose init succeeded still get their fini. */
typedef int (*qm_worker_init)(int worker_id, void **state, void *data);
/** @brief Per-worker finalizer, called once per initialized worker. */
typedef void (*qm_worker_fini)(int worker_id, void *state, void *data);

/** @brief Options of the map kernels (zero-initialize for the defaults). */
typedef struct qm_map_opts {
    size_t chunk;          /**< elements per call; 0 = automatic (about 8
                                chunks per worker, at most 4096 elements).
                                The calls are the chunks [k chunk, (k+1)
                                chunk), whatever the worker count and
                                schedule.  The reduce kernels schedule whole
                                blocks of ::QM_REDUCE_BLOCK: chunk rounded up
                                to a multiple of it per task, still at most
                                chunk elements per call */
    qm_worker_init init;   /**< per-worker initializer, or NULL */
    qm_worker_fini fini;   /**< per-worker finalizer, or NULL */
    void *hook_data;       /**< passed to init and fini */
} qm_map_opts;

/** @brief Outcome of a map kernel besides its status. */
typedef struct qm_map_result {
    size_t fail_index;     /**< lowest failing element index (SIZE_MAX when none) */
    int user_status;       /**< the map function's nonzero return, else 0 */
} qm_map_result;

/**
 * @brief out[i] = f(in[i]) for i in [0, n), in input order.
 *
 * Failures: a nonzero return stops the remaining work promptly; the status
 * is ::QM_EMAPFN and @p mr holds the lowest failing index (element
 * first + failed of the failing call) and its return value, whatever the
 * worker count: chunks below the lowest known failure are still completed,
 * chunks above it are skipped.
 *
 * @param ex       executor (threads and schedule)
 * @param f        map function
 * @param data     passed to @p f
 * @param in       input array of n elements of @p in_size bytes (may be NULL)
 * @param in_size  input element size in bytes
 * @param out      output array of n elements of @p out_size bytes (may be NULL)
 * @param out_size output element size in bytes
 * @param n        number of elements (0 is a no-op)
 * @param opts     options, or NULL for the defaults
 * @param mr       failure details, or NULL
 * @return ::QM_SUCCESS, ::QM_EINVAL, ::QM_ENOMEM or ::QM_EMAPFN.
 */
int qm_map(const qm_exec *ex, qm_map_fn f, void *data, const void *in,
           size_t in_size, void *out, size_t out_size, size_t n,
           const qm_map_opts *opts, qm_map_result *mr);

/**
 * @brief A chunked loop over [0, n) that is not a map: f gets tasks with
 *        in = out = NULL.  Same schedule and failure rules as ::qm_map.
 */
int qm_for(const qm_exec *ex, qm_map_fn f, void *data, size_t n,
           const qm_map_opts *opts, qm_map_result *mr);

/** @brief Built-in reductions (values are doubles). */
typedef enum qm_reduce_op {
    QM_REDUCE_SUM = 0,   /**< exact (superaccumulator), reproducible sum, faithfully rounded */
    QM_REDUCE_MIN = 1,   /**< minimum (NaN values are ignored: only NaN
                              gives the identity +Inf; -0 < +0) */
    QM_REDUCE_MAX = 2,   /**< maximum (NaN values are ignored: only NaN
                              gives the identity -Inf; +0 > -0) */
    QM_REDUCE_COUNT = 3  /**< number of values != 0, NaN included (as a
                              double) */
} qm_reduce_op;

/**
 * @brief Map every element to a double and reduce with a built-in op.
 *
 * The map function writes one double per element into task->out (a scratch
 * array).  SUM uses the exact accumulator, so the result is bitwise identical
 * for any worker count, schedule and chunk size.
 * @param result receives the reduction (the identity for n = 0: 0, +Inf,
 *               -Inf, 0; NaN on failure)
 * @return as ::qm_map.
 */
int qm_map_reduce(const qm_exec *ex, qm_map_fn f, void *data, const void *in,
                  size_t in_size, size_t n, qm_reduce_op op,
                  const qm_map_opts *opts, double *result, qm_map_result *mr);

/**
 * @brief User reduction: *acc = combine(*acc, *val), both of value_size
 *        bytes.  Need not be exactly associative (floating point): the
 *        library combines in a fixed order that does not depend on workers.
 */
typedef void (*qm_combine_fn)(void *acc, const void *val, void *data);

/**
 * @brief Map then reduce with a user operation and identity.
 *
 * Elements are grouped in fixed blocks of ::QM_REDUCE_BLOCK consecutive
 * indices; each block is reduced left to right starting from the identity,
 * and the block results are combined left to right in block order.  The
 * grouping depends only on n, so the result's bits do not depend on the
 * worker count, the schedule or the chunk size.
 * @param value_size bytes per value (the map output and the accumulator)
 * @param identity   value_size bytes: the identity of @p combine
 * @param result     value_size bytes, receives the reduction (the
 *                   identity on failure)
 * @return as ::qm_map.
 */
int qm_map_reduce_user(const qm_exec *ex, qm_map_fn f, void *data,
                       const void *in, size_t in_size, size_t n,
                       size_t value_size, const void *identity,
                       qm_combine_fn combine, void *combine_data,
                       const qm_map_opts *opts, void *result,
                       qm_map_result *mr);

/** Elements per fixed reduction block (::qm_map_reduce_user). */
#define QM_REDUCE_BLOCK 1024
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Asynchronous submission
 *
 * Submit a map, map-reduce or integration and get a ::qm_future back at
 * once; the work runs on a thread of its own (which runs the executor's
 * OpenMP team), so several submissions can be in flight.  The completion
 * callback, when given, runs on that submission thread after the work ends
 * (also after a cancellation), before ::qm_future_wait returns.
 * All arguments (arrays, options, executor) must stay valid until the
 * future completes.
 */
/**@{*/

/** @brief Opaque handle of a submitted piece of work. */
typedef struct qm_future qm_future;

/** @brief Completion callback: @p status is the work's return value.
 *  It must not call ::qm_future_wait or ::qm_future_free on @p fut (that
 *  waits for itself); ::qm_future_test reports 0 inside it. */
typedef void (*qm_callback)(qm_future *fut, int status, void *data);

/** @brief Submit ::qm_map; returns at once.  NULL ex, f or fut is rejected
 *  here (*fut = NULL); arguments only the kernel checks (sizes) give a
 *  future whose status is ::QM_EINVAL.  The executor and options are
 *  copied (the caller may free the executor after submitting).
 *  @return QM_SUCCESS, QM_EINVAL or QM_ENOMEM. */
int qm_map_async(const qm_exec *ex, qm_map_fn f, void *data, const void *in,
                 size_t in_size, void *out, size_t out_size, size_t n,
                 const qm_map_opts *opts, qm_map_result *mr,
                 qm_callback cb, void *cb_data, qm_future **fut);

/** @brief Submit ::qm_map_reduce; *result is written before completion. */
int qm_map_reduce_async(const qm_exec *ex, qm_map_fn f, void *data,
                        const void *in, size_t in_size, size_t n,
                        qm_reduce_op op, const qm_map_opts *opts,
                        double *result, qm_map_result *mr, qm_callback cb,
                        void *cb_data, qm_future **fut);

/** @brief Submit ::qm_integrate; *res is written before completion.
 *  Bad arguments are reported here, as ::qm_integrate reports them. */
int qm_integrate_async(const qm_exec *ex, qm_batch_fn f, void *data, double a,
                       double b, int64_t n, const qm_rule *rule,
                       qm_result *res, qm_callback cb, void *cb_data,
                       qm_future **fut);

/**
 * @brief Wait for completion (and for the callback to return).
 * @param fut    the future
 * @param status receives the work's status (may be NULL)
 * @return ::QM_SUCCESS, or ::QM_EINVAL for NULL.
 */
int qm_future_wait(qm_future *fut, int *status);

/**
 * @brief Non-blocking test.
 * @return 1 when done (status written), 0 when still running (status not
 *         written), -::QM_EINVAL on a NULL future.
 */
int qm_future_test(qm_future *fut, int *status);

/**
 * @brief Request cancellation: map kernels stop at the next chunk and
 *        return ::QM_ECANCELED; an integration stops at the next block.
 *        Work that already finished keeps its status.  Does not wait.
 *        Pool tasks: a queued task is not run (status ::QM_ECANCELED, its
 *        callback is still called, on a worker, in queue order); a running
 *        task is not affected.
 * @return ::QM_SUCCESS, or ::QM_EINVAL for NULL.
 */
int qm_future_cancel(qm_future *fut);

/** @brief Wait, then free the future.  NULL is allowed. */
void qm_future_free(qm_future *fut);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Blocking-task pool (I/O-bound work)
 *
 * A fixed set of POSIX threads serving a FIFO queue of tasks that mostly
 * wait (sleep, read a file, wait on a socket): more workers than cores are
 * allowed, and five one-second tasks finish in about one second on five
 * workers.  Not for CPU-bound work: use the executors for that.
 */
/**@{*/

/** @brief Opaque pool handle. */
typedef struct qm_pool qm_pool;

/** @brief A task: returns a status that its future reports. */
typedef int (*qm_task_fn)(void *arg);

/**
 * @brief Start a pool of @p workers threads (1 .. 4096).
 * @return ::QM_SUCCESS, ::QM_EINVAL or ::QM_ENOMEM.
 */
int qm_pool_new(qm_pool **out, int workers);

/**
 * @brief Queue a task; returns at once with its future (wait, test, cancel
 *        a task not started yet, callback on the worker thread).
 * @return ::QM_SUCCESS, ::QM_EINVAL (NULL pool, fn or fut; *fut = NULL) or
 *         ::QM_ENOMEM.
 */
int qm_pool_submit(qm_pool *pool, qm_task_fn fn, void *arg, qm_callback cb,
                   void *cb_data, qm_future **fut);

/** @brief Number of worker threads. */
int qm_pool_workers(const qm_pool *pool);

/** @brief Finish every queued task, stop the workers, free the pool.
 *  Futures stay valid (free them with ::qm_future_free).  Not from a task
 *  or callback of the same pool. */
void qm_pool_free(qm_pool *pool);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* QUADMAP_MAP_H */
