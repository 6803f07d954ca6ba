/* Executor handles, the chunk loop's shared parts and its serial backend,
 * and integration blocks on the chunk loop.  The OpenMP backend plugs in
 * through the registry (src/backends.c); nothing here names it. */
#include "config.h"
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

int qm_backend_available(qm_backend backend)
{
    if (backend == QM_BACKEND_DEFAULT)
        return 1;
    return qm__backend_runner(backend) != NULL;
}

const char *qm_backend_name(qm_backend backend)
{
    switch (backend) {
    case QM_BACKEND_DEFAULT: return "default";
    case QM_BACKEND_SERIAL: return "serial";
    case QM_BACKEND_OPENMP: return "openmp";
    }
    return "unknown";
}

static const char *const schedule_names[] = {"static", "dynamic", "guided", "auto"};

const char *qm_schedule_name(qm_schedule schedule)
{
    if ((unsigned)schedule < 4)
        return schedule_names[schedule];
    return "unknown";
}

int qm_schedule_parse(const char *name, qm_schedule *out)
{
    if (!name || !out)
        return QM_EINVAL;
    for (int i = 0; i < 4; i++)
        if (strcmp(name, schedule_names[i]) == 0) {
            *out = (qm_schedule)i;
            return QM_SUCCESS;
        }
    return QM_EINVAL;
}

int qm_exec_new(qm_exec **out, qm_backend backend)
{
    if (!out)
        return QM_EINVAL;
    *out = NULL;
    if (backend == QM_BACKEND_DEFAULT)
        backend = qm_backend_available(QM_BACKEND_OPENMP) ? QM_BACKEND_OPENMP
                                                          : QM_BACKEND_SERIAL;
    if (backend != QM_BACKEND_SERIAL && backend != QM_BACKEND_OPENMP)
        return QM_EINVAL;
    if (!qm_backend_available(backend))
        return QM_ENOTSUP;
    qm_exec *ex = calloc(1, sizeof *ex);
    if (!ex)
        return QM_ENOMEM;
    ex->backend = backend;
    ex->run = qm__backend_runner(backend);
    ex->rank = 0;
    ex->nranks = 1;
    ex->schedule = QM_SCHEDULE_AUTO;
    ex->chunk = 0;
    ex->threads = qm__backend_threads(backend);
    *out = ex;
    return QM_SUCCESS;
}

void qm_exec_free(qm_exec *ex)
{
    if (ex && ex->dist)
        ex->dist->release(ex->dctx);
    free(ex);
}

int qm__exec_clone(const qm_exec *ex, qm_exec **out)
{
    *out = NULL;
    qm_exec *c = malloc(sizeof *c);
    int st = c ? QM_SUCCESS : QM_ENOMEM;
    if (ex->dist) {
        /* every process clones, even one that is out of memory, so that
         * the collective clone completes everywhere */
        void *d = NULL;
        const int cst = ex->dist->clone(ex->dctx, &d);
        st = ex->dist->agree(ex->dctx, st != QM_SUCCESS ? st : cst, 0);
        if (st != QM_SUCCESS) {
            if (cst == QM_SUCCESS)
                ex->dist->release(d);
            free(c);
            return st;
        }
        *c = *ex;
        c->dctx = d;
    } else if (c) {
        *c = *ex;
    }
    *out = c;
    return st;
}

int qm_exec_rank(const qm_exec *ex) { return ex ? ex->rank : 0; }
int qm_exec_ranks(const qm_exec *ex) { return ex ? ex->nranks : 1; }

/* The id of the worker running on this thread (qm_worker_id); set around
 * every piece, restored afterwards (nested runs). */
static _Thread_local int tls_worker = -1;

int qm_worker_id(void)
{
    return tls_worker;
}

int qm_exec_set_threads(qm_exec *ex, int nthreads)
{
    if (!ex || nthreads < 0)
        return QM_EINVAL;
    if (ex->backend == QM_BACKEND_SERIAL) {
        if (nthreads > 1)
            return QM_EINVAL;
        return QM_SUCCESS;
    }
    ex->threads = nthreads == 0 ? qm__backend_threads(ex->backend) : nthreads;
    return QM_SUCCESS;
}

int qm_exec_set_schedule(qm_exec *ex, qm_schedule schedule, int64_t chunk)
{
    if (!ex || (unsigned)schedule > QM_SCHEDULE_AUTO || chunk < 0 ||
        chunk > INT32_MAX)
        return QM_EINVAL;
    ex->schedule = schedule;
    ex->chunk = chunk;
    return QM_SUCCESS;
}

qm_backend qm_exec_backend(const qm_exec *ex) { return ex ? ex->backend : QM_BACKEND_SERIAL; }
int qm_exec_threads(const qm_exec *ex) { return ex ? ex->threads : 0; }
qm_schedule qm_exec_schedule(const qm_exec *ex) { return ex ? ex->schedule : QM_SCHEDULE_AUTO; }
int64_t qm_exec_chunk(const qm_exec *ex) { return ex ? ex->chunk : 0; }

int qm__scratch_alloc(qm_scratch *s)
{
    /* 64-byte alignment: whole cache lines, aligned vector loads. */
    /* The three arrays are staggered (not 4 KiB apart) so that loads from
     * one never falsely alias stores to another ("4K aliasing"), which
     * otherwise stalls the generate/evaluate/sum loops. */
    enum { STRIDE = QM_BATCH + 40 };
    s->x = aligned_alloc(64, 3 * STRIDE * sizeof(double));
    if (!s->x) {
        s->y = s->idx = NULL;
        return QM_ENOMEM;
    }
    s->y = s->x + STRIDE;
    s->idx = s->y + STRIDE;
    for (int j = 0; j < QM_BATCH; j++)
        s->idx[j] = (double)j;
    return QM_SUCCESS;
}

void qm__scratch_free(qm_scratch *s)
{
    free(s->x);
    s->x = s->y = s->idx = NULL;
}

void qm__fail_keep_lowest(qm_fail *dst, const qm_fail *f, int64_t block)
{
    if (dst->status == QM_SUCCESS || block < dst->block) {
        *dst = *f;
        dst->block = block;
    }
}

static void fail_clear(qm_fail *f)
{
    f->status = QM_SUCCESS;
    f->block = INT64_MAX;
    f->x = 0.0;
    f->user_status = 0;
}

/* ------------------------------------------------------------ chunk loop */

int qm__loop_workers(const qm_exec *ex, const qm_loop *loop)
{
    if (ex->backend != QM_BACKEND_OPENMP || ex->threads <= 1 || loop->n <= 1)
        return 1;
    const int64_t piece = loop->piece > 0 ? loop->piece : 1;
    const int64_t tasks = loop->n / piece + (loop->n % piece != 0);
    return tasks < ex->threads ? (int)tasks : ex->threads;
}

int qm__loop_pieces(const qm_loop *loop, int worker, int64_t lo, int64_t hi,
                    int64_t *lowest, qm_loop_worker *me)
{
    const int64_t piece = loop->piece > 0 ? loop->piece : 1;
    for (int64_t p = lo; p < hi;) {
        /* Grabs come in increasing order for every schedule, so once p is
         * above the lowest known failure, so is everything this worker
         * would do later. */
        if (p > __atomic_load_n(lowest, __ATOMIC_RELAXED))
            return 1;
        if (loop->cancel
            && __atomic_load_n((const volatile int *)loop->cancel,
                               __ATOMIC_RELAXED)) {
            me->cancelled = 1;
            __atomic_store_n(lowest, (int64_t)-1, __ATOMIC_RELAXED);
            return 1;
        }
        const int64_t q = hi - p < piece ? hi : p + piece;
        int64_t at = p;
        const int saved = tls_worker;
        tls_worker = worker;
        const int st = loop->body(loop->ctx, worker, p, q, &at);
        tls_worker = saved;
        if (st != QM_SUCCESS) {
            if (at < p || at >= q)
                at = p;
            if (at < me->unit) {
                me->unit = at;
                me->status = st;
            }
            /* a cancellation stops every piece, not only those above */
            const int64_t stop_at = st == QM_ECANCELED ? -1 : at;
            if (st == QM_ECANCELED)
                me->cancelled = 1;
            int64_t cur = __atomic_load_n(lowest, __ATOMIC_RELAXED);
            while (stop_at < cur
                   && !__atomic_compare_exchange_n(lowest, &cur, stop_at, 0,
                                                   __ATOMIC_RELAXED,
                                                   __ATOMIC_RELAXED))
                ;
            return 1;
        }
        p = q;
    }
    return 0;
}

int qm__loop_status(int init_status, const qm_loop_worker *all)
{
    if (init_status != QM_SUCCESS)
        return init_status;
    if (all->cancelled)
        return QM_ECANCELED;
    return all->status;
}

void qm__loop_worker_merge(qm_loop_worker *dst, const qm_loop_worker *w)
{
    if (w->unit < dst->unit) {
        dst->unit = w->unit;
        dst->status = w->status;
    }
    dst->cancelled |= w->cancelled;
}

int qm__loop_run_serial(const qm_loop *loop, int workers)
{
    (void)workers;
    int64_t lowest = INT64_MAX;
    qm_loop_worker me = QM_LOOP_WORKER_INIT;
    if (loop->init) {
        const int st = loop->init(loop->ctx, 0);
        if (st != QM_SUCCESS)
            return st;
    }
    qm__loop_pieces(loop, 0, 0, loop->n, &lowest, &me);
    if (loop->fini)
        loop->fini(loop->ctx, 0);
    return qm__loop_status(QM_SUCCESS, &me);
}

/* qm__loop_run_serial for a loop without init and fini hooks: the same
 * pieces in the same order, the same cancellation and failure rules (one
 * worker: the first failure stops the loop, and its status is the loop's,
 * QM_ECANCELED included), without the per-piece bookkeeping that several
 * workers need.  This is the path of every step of a small integral on a
 * serial executor, so its cost is per step.  The worker id is set once
 * around the loop: between pieces no user code runs. */
static int loop_run_serial_plain(const qm_loop *loop,
                                 const volatile int *cancel)
{
    const int64_t piece = loop->piece > 0 ? loop->piece : 1;
    const int saved = tls_worker;
    tls_worker = 0;
    int st = QM_SUCCESS;
    for (int64_t p = 0; p < loop->n;) {
        if (cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED)) {
            st = QM_ECANCELED;
            break;
        }
        const int64_t q = loop->n - p < piece ? loop->n : p + piece;
        int64_t at = p;
        st = loop->body(loop->ctx, 0, p, q, &at);
        if (st != QM_SUCCESS)
            break;
        p = q;
    }
    tls_worker = saved;
    return st;
}

int qm__loop_run(const qm_exec *ex, const qm_loop *loop)
{
    const int workers = qm__loop_workers(ex, loop);
    if (workers == 1 && !loop->init && !loop->fini)
        return loop_run_serial_plain(loop, ex->cancel);
    qm_loop l = *loop;
    l.cancel = ex->cancel;
    if (workers > 1)
        return ex->run(&l, workers);
    return qm__loop_run_serial(&l, 1);
}

/* ------------------------------------------- integration on the chunk loop */

/* One worker's scratch, exact accumulators and lowest failure; a multiple
 * of 64 bytes, so workers never share a cache line. */
typedef struct exec_slot {
    _Alignas(64) qm_scratch sc;
    qm_sacc acc[QM_MAX_ACC];
    qm_fail fail;
} exec_slot;

typedef struct exec_ctx {
    int64_t b0;
    qm_block_fn fn;
    void *ctx;
    exec_slot *slot;
} exec_ctx;

static int exec_init(void *c, int worker)
{
    exec_ctx *e = c;
    return qm__scratch_alloc(&e->slot[worker].sc);
}

static void exec_fini(void *c, int worker)
{
    exec_ctx *e = c;
    qm__scratch_free(&e->slot[worker].sc);
}

static int exec_body(void *c, int worker, int64_t lo, int64_t hi,
                     int64_t *fail_at)
{
    exec_ctx *e = c;
    exec_slot *s = &e->slot[worker];
    for (int64_t u = lo; u < hi; u++) {
        const int64_t b = e->b0 + u;
        qm_fail f;
        fail_clear(&f);
        const int st = e->fn(e->ctx, b, &s->sc, s->acc, &f);
        if (st != QM_SUCCESS) {
            f.status = st;
            qm__fail_keep_lowest(&s->fail, &f, b);
            *fail_at = u;
            return st;
        }
    }
    return QM_SUCCESS;
}

int qm__exec_run(const qm_exec *ex, int64_t b0, int64_t b1, qm_block_fn fn,
                 void *ctx, int nacc, qm_sacc *acc, qm_fail *fail)
{
    fail_clear(fail);
    for (int k = 0; k < nacc; k++)
        qm__sacc_init(&acc[k]);
    /* Integration costs are uniform per block: AUTO means static here.  A
     * chunk of 0 is OpenMP's default (contiguous shares for static, 1 block
     * per grab otherwise). */
    qm_loop loop = {0};
    loop.n = b1 > b0 ? b1 - b0 : 0;
    loop.schedule = ex->schedule == QM_SCHEDULE_AUTO ? QM_SCHEDULE_STATIC
                                                     : ex->schedule;
    loop.grab = ex->chunk;
    loop.piece = 1;
    loop.init = exec_init;
    loop.body = exec_body;
    loop.fini = exec_fini;

    const int workers = qm__loop_workers(ex, &loop);
    exec_slot *slot = aligned_alloc(64, (size_t)workers * sizeof *slot);
    if (!slot)
        return QM_ENOMEM;
    for (int w = 0; w < workers; w++) {
        for (int k = 0; k < QM_MAX_ACC; k++)
            qm__sacc_init(&slot[w].acc[k]);
        fail_clear(&slot[w].fail);
    }
    exec_ctx e = {b0, fn, ctx, slot};
    loop.ctx = &e;
    const int st = qm__loop_run(ex, &loop);
    /* Exact accumulators: the merge order does not change the bits. */
    for (int w = 0; w < workers; w++) {
        for (int k = 0; k < nacc; k++)
            qm__sacc_merge(&acc[k], &slot[w].acc[k]);
        if (slot[w].fail.status != QM_SUCCESS)
            qm__fail_keep_lowest(fail, &slot[w].fail, slot[w].fail.block);
    }
    free(slot);
    if (st == QM_ENOMEM || st == QM_ECANCELED)
        return st;
    return fail->status;
}
