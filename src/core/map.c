/*
 * Map kernels: map, for, map-reduce with built-in and user operations
 * (quadmap.h "Map kernels"; internal entry points in map.h).
 *
 * Everything here is backend-agnostic: the kernels describe their work as a
 * chunk loop (qm__loop_run, core/internal.h) and the executor decides which
 * worker runs which task.
 *
 * Tasks.  The work is cut into tasks whose boundaries depend only on n and
 * the chunk, never on the workers or the schedule, and the loop hands out
 * whole tasks (one body call each).  For qm_map/qm_for task k is the call
 * on elements [k c, (k+1) c) (c = chunk), so with an explicit chunk the
 * calls -- and hence task->first and a failure's index even when the
 * function does not set `failed` -- are the same for any worker count.  The
 * reductions need whole blocks of QM_REDUCE_BLOCK (B) elements per worker:
 * task k is the group of elements [k G, (k+1) G) with G = c rounded up to a
 * multiple of B, and the user's function is called on at most c elements
 * at a time, cut from the start of the group (the automatic chunk is itself
 * a multiple of B, so then a call is a group).  Block k holds the global
 * indices [k B, (k+1) B), which is why `base` must be a multiple of B for
 * qm__map_reduce_blocks.
 *
 * Reproducibility.  Outputs are written in place, so their order never
 * depends on workers.  SUM adds every value to a per-worker exact
 * accumulator (qm_sacc), merged exactly and rounded once: the result is the
 * exact sum, faithfully rounded, for any worker count, schedule, chunk size
 * or split between MPI ranks.  MIN, MAX and COUNT are exact by nature (MIN
 * and MAX break the -0/+0 tie by sign, so even that is deterministic).  User
 * reductions fold each block left to right from the identity, in one
 * worker; the caller combines block values in block order.
 *
 * Failures.  The loop keeps the lowest failing unit; each worker keeps its
 * lowest failing element, and the lowest over workers is reported.  Every
 * call below the lowest failure is still made, so that index -- the lowest
 * failing element overall -- does not depend on timing.
 */
#include "config.h"
#include "core/map.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Automatic chunk: about this many chunks per worker (enough for a
 * load-balancing schedule to even out uneven costs), ... */
#define QM_MAP_AUTO_CHUNKS_PER_WORKER 8
/* ... at most this many elements per call (a few pages of doubles: the
 * call overhead is amortized and a failure is noticed soon). */
#define QM_MAP_AUTO_CHUNK_MAX 4096

/* What QM_SCHEDULE_AUTO means for the map kernels: the loop's AUTO, i.e.
 * factoring (grabs of ceil(remaining tasks / (2 W)) tasks, shrinking to one
 * task at the end).  Measured with bench/bench_map (2 threads, automatic
 * chunk): on costs increasing with the index, dynamic, guided and factoring
 * are within noise of each other and of a hand-written schedule(dynamic)
 * loop; when the expensive elements come first, guided's first grab of n/W
 * elements carries more than a worker's share of the cost (1.5x the time
 * of dynamic), while dynamic and factoring stay balanced; static loses up
 * to 1.5x whenever costs are uneven.  Factoring balances as well as dynamic
 * with far fewer grabs of the shared counter (contiguous ranges early, one
 * task per grab only at the end), which matters at high thread counts with
 * cheap elements.  QM_SCHEDULE_DYNAMIC here would be the runner-up. */
#define QM_MAP_AUTO_SCHEDULE QM_SCHEDULE_AUTO

enum map_kind { MAP_PLAIN, MAP_REDUCE, MAP_REDUCE_USER };

/* One worker's state; a multiple of 64 bytes, so that workers never write
 * to the same cache line. */
typedef struct map_slot {
    _Alignas(64) void *state; /* from the user's init, passed as task->worker */
    void *scratch;            /* reduce kernels: chunk values */
    int init_status;          /* the user init's nonzero return */
    int user_status;          /* with fail_index: lowest failure seen */
    size_t fail_index;        /* global index, SIZE_MAX when none */
    /* built-in reduction partials */
    double min, max;
    int64_t count;
    qm_sacc sum;
} map_slot;

typedef struct map_run {
    enum map_kind kind;
    qm_map_fn f;
    void *data;
    const char *in;
    size_t in_size;
    char *out;
    size_t out_size;
    size_t n, base;
    size_t chunk;         /* most elements per call */
    size_t group;         /* reduce kernels: elements per loop unit, a
                             multiple of QM_REDUCE_BLOCK */
    qm_worker_init init;
    qm_worker_fini fini;
    void *hook_data;
    size_t scratch_bytes; /* per worker (reduce kernels) */
    /* MAP_REDUCE */
    qm_reduce_op op;
    /* MAP_REDUCE_USER */
    size_t value_size;
    const void *identity;
    qm_combine_fn combine;
    void *combine_data;
    char *blocks;
    map_slot *slot;
} map_run;

static void mr_clear(qm_map_result *mr)
{
    if (mr) {
        mr->fail_index = SIZE_MAX;
        mr->user_status = 0;
    }
}

/* Arguments common to every kernel.  Element indices are carried in int64
 * units by the loop, and SIZE_MAX means "no failure", so every global index
 * base + i must stay below both. */
static int check_common(const qm_exec *ex, qm_map_fn f, const void *in,
                        size_t in_size, size_t n, size_t base)
{
    if (!ex || !f)
        return QM_EINVAL;
    if (in && in_size == 0)
        return QM_EINVAL;
    if (n > (size_t)INT64_MAX || base > SIZE_MAX - n)
        return QM_EINVAL;
    if (in && n > SIZE_MAX / in_size)
        return QM_EINVAL;
    return QM_SUCCESS;
}

/* Workers the executor would use with one element per task: the automatic
 * chunk aims at QM_MAP_AUTO_CHUNKS_PER_WORKER chunks for each of them. */
static size_t auto_chunk(const qm_exec *ex, size_t n)
{
    const size_t workers = ex->backend == QM_BACKEND_OPENMP && ex->threads > 1
                               ? (size_t)ex->threads : 1;
    const size_t per = workers * QM_MAP_AUTO_CHUNKS_PER_WORKER;
    size_t c = n / per + (n % per != 0);
    if (c > QM_MAP_AUTO_CHUNK_MAX)
        c = QM_MAP_AUTO_CHUNK_MAX;
    return c ? c : 1;
}

/* ----------------------------------------------------------- hooks */

static int run_init(void *c, int w)
{
    map_run *r = c;
    map_slot *s = &r->slot[w];
    if (r->scratch_bytes) {
        s->scratch = aligned_alloc(64, r->scratch_bytes);
        if (!s->scratch)
            return QM_ENOMEM;
    }
    if (r->init) {
        void *state = NULL;
        const int u = r->init(w, &state, r->hook_data);
        if (u != 0) {
            s->init_status = u;
            free(s->scratch);
            s->scratch = NULL;
            return QM_EMAPFN;
        }
        s->state = state;
    }
    return QM_SUCCESS;
}

static void run_fini(void *c, int w)
{
    map_run *r = c;
    map_slot *s = &r->slot[w];
    if (r->fini) /* state is NULL without an init */
        r->fini(w, s->state, r->hook_data);
    free(s->scratch);
    s->scratch = NULL;
}

/* Call f on elements [i0, i1) (relative to base); on failure record the
 * lowest failing element and return its index in *fail_elem. */
static inline int call_f(const map_run *r, map_slot *s, int w, size_t i0,
                         size_t i1, void *out, size_t *fail_elem)
{
    qm_task t;
    t.first = r->base + i0;
    t.n = i1 - i0;
    t.in = r->in ? r->in + i0 * r->in_size : NULL;
    t.out = out;
    t.worker = s->state;
    t.worker_id = w;
    t.failed = 0;
    const int u = r->f(&t, r->data);
    if (u == 0)
        return 0;
    /* An offset outside the call is the function's bug: blame the call's
     * first element rather than an element it was not given. */
    const size_t off = t.failed < i1 - i0 ? t.failed : 0;
    *fail_elem = i0 + off;
    if (r->base + i0 + off < s->fail_index) {
        s->fail_index = r->base + i0 + off;
        s->user_status = u;
    }
    return u;
}

/* ------------------------------------------------------------ map, for */

static int map_body(void *c, int w, int64_t lo, int64_t hi, int64_t *fail_at)
{
    const map_run *r = c;
    map_slot *s = &r->slot[w];
    for (int64_t u = lo; u < hi; u++) {
        const size_t i0 = (size_t)u * r->chunk;
        const size_t i1 = r->n - i0 < r->chunk ? r->n : i0 + r->chunk;
        void *out = r->out ? r->out + i0 * r->out_size : NULL;
        size_t at;
        if (call_f(r, s, w, i0, i1, out, &at) != 0) {
            *fail_at = u;
            return QM_EMAPFN;
        }
    }
    return QM_SUCCESS;
}

/* ------------------------------------------------ built-in reductions */

static void fold_builtin(const map_run *r, map_slot *s, const double *v,
                         size_t m)
{
    switch (r->op) {
    case QM_REDUCE_SUM:
        for (size_t j = 0; j < m; j++)
            qm__sacc_add(&s->sum, v[j]);
        break;
    case QM_REDUCE_MIN: {
        double x = s->min;
        for (size_t j = 0; j < m; j++) /* NaN compares false: ignored */
            if (v[j] < x || (v[j] == x && signbit(v[j])))
                x = v[j];
        s->min = x;
        break;
    }
    case QM_REDUCE_MAX: {
        double x = s->max;
        for (size_t j = 0; j < m; j++)
            if (v[j] > x || (v[j] == x && !signbit(v[j])))
                x = v[j];
        s->max = x;
        break;
    }
    case QM_REDUCE_COUNT: {
        int64_t k = 0;
        for (size_t j = 0; j < m; j++)
            k += v[j] != 0.0; /* NaN != 0: counted */
        s->count += k;
        break;
    }
    }
}

/* Elements [e0, e1) of groups [lo, hi), relative to base. */
static void group_range(const map_run *r, int64_t lo, int64_t hi, size_t *e0,
                        size_t *e1)
{
    *e0 = (size_t)lo * r->group;
    *e1 = r->n - *e0 < (size_t)(hi - lo) * r->group
              ? r->n : *e0 + (size_t)(hi - lo) * r->group;
}

static int reduce_body(void *c, int w, int64_t lo, int64_t hi,
                       int64_t *fail_at)
{
    const map_run *r = c;
    map_slot *s = &r->slot[w];
    size_t e0, e1, at;
    group_range(r, lo, hi, &e0, &e1);
    for (size_t g0 = e0; g0 < e1; g0 += r->group) {
        const size_t g1 = e1 - g0 < r->group ? e1 : g0 + r->group;
        for (size_t c0 = g0; c0 < g1; c0 += r->chunk) {
            const size_t c1 = g1 - c0 < r->chunk ? g1 : c0 + r->chunk;
            if (call_f(r, s, w, c0, c1, s->scratch, &at) != 0) {
                *fail_at = (int64_t)(at / r->group);
                return QM_EMAPFN;
            }
            fold_builtin(r, s, s->scratch, c1 - c0);
        }
    }
    return QM_SUCCESS;
}

/* ---------------------------------------------------- user reductions */

static int reduce_user_body(void *c, int w, int64_t lo, int64_t hi,
                            int64_t *fail_at)
{
    const map_run *r = c;
    map_slot *s = &r->slot[w];
    const size_t vs = r->value_size, B = QM_REDUCE_BLOCK;
    size_t e0, e1, at;
    group_range(r, lo, hi, &e0, &e1);
    for (size_t c0 = e0; c0 < e1;) {
        /* calls are cut from the start of each group */
        const size_t gend = (c0 / r->group + 1) * r->group;
        const size_t lim = gend < e1 ? gend : e1;
        const size_t c1 = lim - c0 < r->chunk ? lim : c0 + r->chunk;
        if (call_f(r, s, w, c0, c1, s->scratch, &at) != 0) {
            *fail_at = (int64_t)(at / r->group);
            return QM_EMAPFN;
        }
        /* Fold into the accumulators of the blocks the call covers.  This
         * worker owns whole blocks and visits them left to right, so each
         * block starts from the identity at its first element. */
        const char *v = s->scratch;
        for (size_t p = c0; p < c1;) {
            const size_t b = p / B, bend = (b + 1) * B < c1 ? (b + 1) * B : c1;
            char *acc = r->blocks + b * vs;
            if (p == b * B)
                memcpy(acc, r->identity, vs);
            for (; p < bend; p++)
                r->combine(acc, v + (p - c0) * vs, r->combine_data);
        }
        c0 = c1;
    }
    return QM_SUCCESS;
}

/* ---------------------------------------------------------- the driver */

/* The loop over `units` tasks (chunks or groups) for kernel r. */
static void setup_loop(qm_loop *loop, const qm_exec *ex, map_run *r,
                       int64_t units)
{
    qm_schedule sched = ex->schedule;
    if (sched == QM_SCHEDULE_AUTO)
        sched = QM_MAP_AUTO_SCHEDULE;
    memset(loop, 0, sizeof *loop);
    loop->n = units;
    loop->piece = 1; /* one task per body call: a failure is seen soon */
    loop->schedule = sched;
    /* static: contiguous shares of tasks; dynamic: one task per grab;
     * guided and auto: grabs shrink down to one task */
    loop->grab = sched == QM_SCHEDULE_STATIC ? 0 : 1;
    loop->ctx = r;
    loop->init = (r->init || r->scratch_bytes) ? run_init : NULL;
    loop->fini = (r->fini || r->scratch_bytes) ? run_fini : NULL;
    /* A user init may fail: let every worker finish its init first, so
     * that a failure runs no task at all, whatever the timing. */
    loop->sync_init = r->init != NULL;
    loop->body = r->kind == MAP_PLAIN    ? map_body
                 : r->kind == MAP_REDUCE ? reduce_body
                                         : reduce_user_body;
}

/* Run r over its elements; fills *mr (failure) and leaves the per-worker
 * partials in r->slot[0 .. *workers) (caller frees r->slot). */
static int run_kernel(const qm_exec *ex, map_run *r, const qm_map_opts *opts,
                      qm_map_result *mr, int *workers)
{
    static const qm_map_opts defaults;
    if (!opts)
        opts = &defaults;
    r->init = opts->init;
    r->fini = opts->fini;
    r->hook_data = opts->hook_data;
    r->chunk = opts->chunk ? opts->chunk : auto_chunk(ex, r->n);
    if (r->chunk > r->n)
        r->chunk = r->n;

    int64_t units;
    if (r->kind == MAP_PLAIN) {
        units = (int64_t)(r->n / r->chunk + (r->n % r->chunk != 0));
    } else {
        const size_t B = QM_REDUCE_BLOCK;
        if (!opts->chunk) /* whole blocks per call: no partial calls */
            r->chunk = (r->chunk + B - 1) / B * B;
        r->group = (r->chunk + B - 1) / B * B;
        units = (int64_t)(r->n / r->group + (r->n % r->group != 0));
        const size_t vs = r->kind == MAP_REDUCE ? sizeof(double) : r->value_size;
        if (r->chunk > (SIZE_MAX - 64) / vs)
            return QM_ENOMEM;
        r->scratch_bytes = (r->chunk * vs + 63) / 64 * 64;
    }

    qm_loop loop;
    setup_loop(&loop, ex, r, units);
    const int W = qm__loop_workers(ex, &loop);
    r->slot = aligned_alloc(64, (size_t)W * sizeof *r->slot);
    if (!r->slot)
        return QM_ENOMEM;
    for (int w = 0; w < W; w++) {
        map_slot *s = &r->slot[w];
        memset(s, 0, sizeof *s);
        s->fail_index = SIZE_MAX;
        s->min = INFINITY;
        s->max = -INFINITY;
        qm__sacc_init(&s->sum);
    }
    *workers = W;

    int st = qm__loop_run(ex, &loop);
    if (st == QM_EMAPFN && mr) {
        /* A failing init is reported with fail_index SIZE_MAX (no element
         * failed) and the init's return value, from the lowest-numbered
         * worker whose init failed; no chunk ran (sync_init). */
        int init_failed = 0;
        for (int w = 0; w < W && !init_failed; w++)
            if (r->slot[w].init_status != 0) {
                mr->user_status = r->slot[w].init_status;
                init_failed = 1;
            }
        for (int w = 0; w < W && !init_failed; w++)
            qm__map_fail_keep(mr, r->slot[w].fail_index,
                              r->slot[w].user_status);
    }
    return st;
}

/* ------------------------------------------------------ internal API */

int qm__map_run(const qm_exec *ex, qm_map_fn f, void *data, const void *in,
                size_t in_size, void *out, size_t out_size, size_t n,
                size_t base, const qm_map_opts *opts,
                qm_map_result *mr)
{
    mr_clear(mr);
    int st = check_common(ex, f, in, in_size, n, base);
    if (st != QM_SUCCESS)
        return st;
    if (out && (out_size == 0 || n > SIZE_MAX / out_size))
        return QM_EINVAL;
    if (n == 0)
        return QM_SUCCESS;
    map_run r = {.kind = MAP_PLAIN, .f = f, .data = data, .in = in,
                 .in_size = in_size, .out = out, .out_size = out_size,
                 .n = n, .base = base};
    int W = 0;
    st = run_kernel(ex, &r, opts, mr, &W);
    free(r.slot);
    return st;
}

int qm__map_reduce_run(const qm_exec *ex, qm_map_fn f, void *data,
                       const void *in, size_t in_size, size_t n, size_t base,
                       qm_reduce_op op, const qm_map_opts *opts,
                       double *result, qm_sacc *sum, qm_map_result *mr)
{
    mr_clear(mr);
    if (result)
        *result = NAN;
    if (sum)
        qm__sacc_init(sum);
    int st = check_common(ex, f, in, in_size, n, base);
    if (st != QM_SUCCESS)
        return st;
    if ((unsigned)op > QM_REDUCE_COUNT)
        return QM_EINVAL;
    /* identities: 0, +Inf, -Inf, 0 */
    double value = op == QM_REDUCE_MIN   ? INFINITY
                   : op == QM_REDUCE_MAX ? -INFINITY
                                         : 0.0;
    if (n > 0) {
        map_run r = {.kind = MAP_REDUCE, .f = f, .data = data, .in = in,
                     .in_size = in_size, .n = n, .base = base, .op = op};
        int W = 0;
        st = run_kernel(ex, &r, opts, mr, &W);
        if (st == QM_SUCCESS) {
            /* Partials are exact or exact-by-nature: merge order is free. */
            qm_sacc total;
            int64_t count = 0;
            qm__sacc_init(&total);
            for (int w = 0; w < W; w++) {
                const map_slot *s = &r.slot[w];
                qm__sacc_merge(&total, &s->sum);
                value = op == QM_REDUCE_MIN   ? qm__reduce_combine(op, value, s->min)
                        : op == QM_REDUCE_MAX ? qm__reduce_combine(op, value, s->max)
                                              : value;
                count += s->count;
            }
            if (op == QM_REDUCE_SUM) {
                value = qm__sacc_round(&total);
                if (sum)
                    *sum = total;
            } else if (op == QM_REDUCE_COUNT) {
                value = (double)count;
            }
        }
        free(r.slot);
        if (st != QM_SUCCESS)
            return st;
    }
    if (result)
        *result = value;
    return QM_SUCCESS;
}

int qm__map_reduce_blocks(const qm_exec *ex, qm_map_fn f, void *data,
                          const void *in, size_t in_size, size_t n,
                          size_t base, size_t value_size, const void *identity,
                          qm_combine_fn combine, void *combine_data,
                          const qm_map_opts *opts, void *blocks,
                          qm_map_result *mr)
{
    mr_clear(mr);
    int st = check_common(ex, f, in, in_size, n, base);
    if (st != QM_SUCCESS)
        return st;
    if (value_size == 0 || !identity || !combine || base % QM_REDUCE_BLOCK
        || (n > 0 && !blocks))
        return QM_EINVAL;
    if (n == 0)
        return QM_SUCCESS;
    map_run r = {.kind = MAP_REDUCE_USER, .f = f, .data = data, .in = in,
                 .in_size = in_size, .n = n, .base = base,
                 .value_size = value_size, .identity = identity,
                 .combine = combine, .combine_data = combine_data,
                 .blocks = blocks};
    int W = 0;
    st = run_kernel(ex, &r, opts, mr, &W);
    free(r.slot);
    return st;
}

/* ------------------------------------------------ distributed kernels */

/*
 * On a distributed executor every process holds the whole input; process
 * r evaluates elements qm__share(n) (reductions: whole blocks of
 * QM_REDUCE_BLOCK) with its local executor, indices kept global.  Then one
 * all-reduce agrees on the lowest failure (an element's, or a process's
 * own: out of memory, cancelled) and on success the outputs, the exact sum
 * or the block values are gathered on every process.  Every process makes
 * the same calls in the same order, so nothing hangs, and the results are
 * those of one process.
 */

/* The executor without its distributor: this process's share runs on it. */
static qm_exec local_of(const qm_exec *ex)
{
    qm_exec l = *ex;
    l.dist = NULL;
    l.dctx = NULL;
    l.rank = 0;
    l.nranks = 1;
    return l;
}

static uint64_t map_hash(int kind, size_t n, size_t in_size, int has_in,
                         size_t out_size, int has_out, uint64_t extra,
                         const qm_map_opts *opts)
{
    uint64_t h = qm__hash_u64(QM_HASH_INIT, 0x4d415000u + (uint64_t)kind);
    h = qm__hash_u64(h, n);
    h = qm__hash_u64(h, has_in ? in_size : 0);
    h = qm__hash_u64(h, has_out ? out_size : 0);
    h = qm__hash_u64(h, extra);
    return qm__hash_u64(h, opts ? opts->chunk : 0);
}

/* Agree on the lowest failure over the processes: this process's status
 * st and failure *mr in, the agreed status and failure out. */
static int agree_failure(const qm_exec *ex, int st, qm_map_result *mr)
{
    qm_fail f;
    f.status = st;
    f.x = 0.0;
    f.user_status = 0;
    f.block = -1; /* a process's own failure ranks below every element */
    if (st == QM_EMAPFN) {
        f.block = mr->fail_index == SIZE_MAX ? INT64_MAX
                                             : (int64_t)mr->fail_index;
        f.user_status = mr->user_status;
    } else if (st == QM_SUCCESS) {
        f.block = INT64_MAX;
    }
    int rank;
    ex->dist->allreduce(ex->dctx, NULL, 0, &f, &rank);
    if (f.status == QM_EMAPFN) {
        mr->fail_index = f.block == INT64_MAX ? SIZE_MAX : (size_t)f.block;
        mr->user_status = f.user_status;
    }
    return f.status;
}

/* Elements per unit of the split between processes: whole calls with an
 * explicit chunk (so task->first and the calls are those of one process;
 * the reductions' whole groups), else whole reduction blocks. */
static size_t split_gran(const qm_map_opts *opts, int reduce)
{
    const size_t B = QM_REDUCE_BLOCK;
    if (!opts || !opts->chunk)
        return B;
    return reduce ? (opts->chunk + B - 1) / B * B : opts->chunk;
}

static int dist_map(const qm_exec *ex, qm_map_fn f, void *data,
                    const char *in, size_t in_size, char *out,
                    size_t out_size, size_t n, const qm_map_opts *opts,
                    qm_map_result *mr)
{
    const qm_exec l = local_of(ex);
    const size_t gran = split_gran(opts, 0);
    uint64_t lo, hi;
    qm__share_gran(n, gran, ex->rank, ex->nranks, &lo, &hi);
    qm_map_result mine;
    int st = qm__map_run(&l, f, data, in ? in + lo * in_size : NULL, in_size,
                         out ? out + lo * out_size : NULL, out_size,
                         (size_t)(hi - lo), (size_t)lo, opts, &mine);
    st = agree_failure(ex, st, &mine);
    if (mr)
        *mr = mine;
    if (st == QM_SUCCESS && out)
        st = ex->dist->allgather(ex->dctx, out, n, out_size, gran, QM_SUCCESS);
    return st;
}

static int dist_map_reduce(const qm_exec *ex, qm_map_fn f, void *data,
                           const char *in, size_t in_size, size_t n,
                           qm_reduce_op op, const qm_map_opts *opts,
                           double *result, qm_map_result *mr)
{
    const qm_exec l = local_of(ex);
    uint64_t lo, hi;
    qm__share_gran(n, split_gran(opts, 1), ex->rank, ex->nranks, &lo, &hi);
    qm_map_result mine;
    qm_sacc sum;
    double part = NAN;
    int st = qm__map_reduce_run(&l, f, data, in ? in + lo * in_size : NULL,
                                in_size, (size_t)(hi - lo), (size_t)lo, op,
                                opts, &part, &sum, &mine);
    if (st != QM_SUCCESS)
        qm__sacc_init(&sum);
    if (op == QM_REDUCE_COUNT && st == QM_SUCCESS)
        qm__sacc_add(&sum, part); /* counts below 2^53 add exactly */
    /* the failure and the exact sum in one all-reduce */
    qm_fail fl;
    fl.status = st;
    fl.x = 0.0;
    fl.user_status = st == QM_EMAPFN ? mine.user_status : 0;
    fl.block = st == QM_SUCCESS ? INT64_MAX
               : st != QM_EMAPFN ? -1
               : mine.fail_index == SIZE_MAX ? INT64_MAX
                                             : (int64_t)mine.fail_index;
    int rank;
    ex->dist->allreduce(ex->dctx, &sum, 1, &fl, &rank);
    st = fl.status;
    if (st == QM_EMAPFN) {
        mine.fail_index = fl.block == INT64_MAX ? SIZE_MAX : (size_t)fl.block;
        mine.user_status = fl.user_status;
    }
    if (mr)
        *mr = mine;
    if (st != QM_SUCCESS)
        return st;
    if (op == QM_REDUCE_SUM || op == QM_REDUCE_COUNT) {
        *result = qm__sacc_round(&sum);
        return QM_SUCCESS;
    }
    /* MIN, MAX: every process's partial, combined as the kernel combines
     * its workers' (order-free) */
    double *parts = malloc((size_t)ex->nranks * sizeof *parts);
    const int mst = parts ? QM_SUCCESS : QM_ENOMEM;
    st = ex->dist->agree(ex->dctx, mst, 0);
    if (st == QM_SUCCESS) {
        parts[ex->rank] = part;
        st = ex->dist->allgather(ex->dctx, parts, (size_t)ex->nranks,
                                 sizeof *parts, 1, QM_SUCCESS);
    }
    if (st == QM_SUCCESS) {
        double v = parts[0];
        for (int r = 1; r < ex->nranks; r++)
            v = qm__reduce_combine(op, v, parts[r]);
        *result = v;
    }
    free(parts);
    return st;
}

static int dist_map_reduce_user(const qm_exec *ex, qm_map_fn f, void *data,
                                const char *in, size_t in_size, size_t n,
                                size_t value_size, const void *identity,
                                qm_combine_fn combine, void *combine_data,
                                const qm_map_opts *opts, char *blocks,
                                qm_map_result *mr)
{
    const qm_exec l = local_of(ex);
    const size_t B = QM_REDUCE_BLOCK, nb = (n + B - 1) / B;
    const size_t gb = split_gran(opts, 1) / B; /* blocks per unit */
    uint64_t b0, b1;
    qm__share_gran(nb, gb, ex->rank, ex->nranks, &b0, &b1);
    const size_t e0 = (size_t)b0 * B, e1 = (size_t)b1 * B < n ? (size_t)b1 * B : n;
    qm_map_result mine;
    int st = qm__map_reduce_blocks(&l, f, data, in ? in + e0 * in_size : NULL,
                                   in_size, e1 > e0 ? e1 - e0 : 0, e0,
                                   value_size, identity, combine,
                                   combine_data, opts, blocks + b0 * value_size,
                                   &mine);
    st = agree_failure(ex, st, &mine);
    if (mr)
        *mr = mine;
    if (st == QM_SUCCESS)
        st = ex->dist->allgather(ex->dctx, blocks, nb, value_size, gb,
                                 QM_SUCCESS);
    return st;
}

/* -------------------------------------------------------- public API */

int qm_map(const qm_exec *ex, qm_map_fn f, void *data, const void *in,
           size_t in_size, void *out, size_t out_size, size_t n,
           const qm_map_opts *opts, qm_map_result *mr)
{
    if (!ex || !ex->dist)
        return qm__map_run(ex, f, data, in, in_size, out, out_size, n, 0,
                           opts, mr);
    mr_clear(mr);
    int st = check_common(ex, f, in, in_size, n, 0);
    if (st == QM_SUCCESS && out && (out_size == 0 || n > SIZE_MAX / out_size))
        st = QM_EINVAL;
    st = qm__agree(ex, st, map_hash(0, n, in_size, in != NULL, out_size,
                                    out != NULL, 0, opts));
    if (st != QM_SUCCESS || n == 0)
        return st;
    return dist_map(ex, f, data, in, in_size, out, out_size, n, opts, mr);
}

int qm_for(const qm_exec *ex, qm_map_fn f, void *data, size_t n,
           const qm_map_opts *opts, qm_map_result *mr)
{
    return qm_map(ex, f, data, NULL, 0, NULL, 0, n, opts, mr);
}

int qm_map_reduce(const qm_exec *ex, qm_map_fn f, void *data, const void *in,
                  size_t in_size, size_t n, qm_reduce_op op,
                  const qm_map_opts *opts, double *result, qm_map_result *mr)
{
    if (!ex || !ex->dist) {
        if (!result) {
            mr_clear(mr);
            return QM_EINVAL;
        }
        return qm__map_reduce_run(ex, f, data, in, in_size, n, 0, op, opts,
                                  result, NULL, mr);
    }
    mr_clear(mr);
    if (result)
        *result = NAN;
    int st = !result || (unsigned)op > QM_REDUCE_COUNT
                 ? QM_EINVAL : check_common(ex, f, in, in_size, n, 0);
    st = qm__agree(ex, st, map_hash(1, n, in_size, in != NULL, 0, 0,
                                    (uint64_t)op, opts));
    if (st != QM_SUCCESS)
        return st;
    if (n == 0)
        return qm__map_reduce_run(ex, f, data, in, in_size, 0, 0, op, opts,
                                  result, NULL, mr);
    return dist_map_reduce(ex, f, data, in, in_size, n, op, opts, result, mr);
}

int qm_map_reduce_user(const qm_exec *ex, qm_map_fn f, void *data,
                       const void *in, size_t in_size, size_t n,
                       size_t value_size, const void *identity,
                       qm_combine_fn combine, void *combine_data,
                       const qm_map_opts *opts, void *result,
                       qm_map_result *mr)
{
    mr_clear(mr);
    int st = !result || !identity || value_size == 0 || !combine
                 ? QM_EINVAL : check_common(ex, f, in, in_size, n, 0);
    /* On any failure *result holds the identity (a defined value). */
    if (result && identity && value_size)
        memmove(result, identity, value_size);
    if (ex)
        st = qm__agree(ex, st, map_hash(2, n, in_size, in != NULL, 0, 0,
                                        value_size, opts));
    if (st != QM_SUCCESS || n == 0)
        return st;
    const size_t nb = (n + QM_REDUCE_BLOCK - 1) / QM_REDUCE_BLOCK;
    char *blocks = nb <= SIZE_MAX / value_size ? malloc(nb * value_size)
                                               : NULL;
    st = blocks ? QM_SUCCESS : QM_ENOMEM;
    if (ex->dist) {
        st = ex->dist->agree(ex->dctx, st, 0);
        if (st == QM_SUCCESS)
            st = dist_map_reduce_user(ex, f, data, in, in_size, n,
                                      value_size, identity, combine,
                                      combine_data, opts, blocks, mr);
    } else if (st == QM_SUCCESS) {
        st = qm__map_reduce_blocks(ex, f, data, in, in_size, n, 0,
                                   value_size, identity, combine,
                                   combine_data, opts, blocks, mr);
    }
    if (st == QM_SUCCESS) {
        /* result == identity already; fold the blocks in block order */
        for (size_t b = 0; b < nb; b++)
            combine(result, blocks + b * value_size, combine_data);
    }
    free(blocks);
    return st;
}
