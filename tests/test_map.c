/*
 * Map kernels: qm_map, qm_for, qm_map_reduce, qm_map_reduce_user and the
 * internal entry points of core/map.h (base offset, cancel flag, unrounded
 * sums, block values).
 *
 * Every kernel is run on the serial executor and on OpenMP executors with
 * 1, 2, 3, 4 and 7 threads x every schedule (static, dynamic, guided, auto)
 * x chunk sizes 0 (automatic), 1, 2, 7, 1000, 1024 and more than n; outputs
 * are checked element by element against a serial computation, reductions
 * bit for bit.  OpenMP parts are skipped when the backend is not built.
 *
 * Choices the header leaves open, fixed by the implementation and pinned
 * here:
 *  - a failing per-worker init gives QM_EMAPFN with fail_index == SIZE_MAX
 *    (no element failed) and user_status == the init's return value (of the
 *    lowest-numbered failing worker); no chunk runs, and fini runs for every
 *    worker whose init succeeded;
 *  - MIN/MAX ignore NaN; with only NaN values the result is the identity
 *    (+Inf / -Inf), the extremum of the empty set of non-NaN values, so
 *    partial results of ranks or workers combine associatively; the tie
 *    -0/+0 goes to -0 for MIN and +0 for MAX whatever the order;
 *  - COUNT counts values that compare != 0, so NaN counts;
 *  - a map function's `failed` offset >= task->n is blamed on the call's
 *    first element;
 *  - for the reductions the user's function is called on at most `chunk`
 *    elements, and work is scheduled in whole blocks of QM_REDUCE_BLOCK.
 */
#include "test_common.h"

#include <signal.h>
#include <unistd.h>

#include "core/map.h"

/* ------------------------------------------------------------ executors */

static const int thread_counts[] = {1, 2, 3, 4, 7};
static const qm_schedule schedules[] = {QM_SCHEDULE_STATIC, QM_SCHEDULE_DYNAMIC,
                                        QM_SCHEDULE_GUIDED, QM_SCHEDULE_AUTO};
#define NSCHED (sizeof schedules / sizeof schedules[0])

/* The serial executor followed by every OpenMP (threads x schedule) one the
 * build offers. */
#define MAX_EXECS 32
typedef struct exec_set {
    int n;
    qm_exec *ex[MAX_EXECS];
    char name[MAX_EXECS][40];
} exec_set;

static void execs_open(exec_set *s)
{
    s->n = 0;
    s->ex[0] = qmt_serial();
    QMT_CHECK(s->ex[0] != NULL, "serial executor");
    if (s->ex[0]) {
        snprintf(s->name[0], sizeof s->name[0], "serial");
        s->n = 1;
    }
    for (size_t t = 0; t < sizeof thread_counts / sizeof *thread_counts; t++)
        for (size_t k = 0; k < NSCHED; k++) {
            qm_exec *ex = qmt_openmp(thread_counts[t], schedules[k], 0);
            if (!ex)
                return; /* OpenMP not built: serial only */
            s->ex[s->n] = ex;
            snprintf(s->name[s->n], sizeof s->name[s->n], "omp %d thr %s",
                     thread_counts[t], qm_schedule_name(schedules[k]));
            s->n++;
        }
}

static void execs_close(exec_set *s)
{
    for (int i = 0; i < s->n; i++)
        qm_exec_free(s->ex[i]);
    s->n = 0;
}

static const size_t chunks[] = {0, 1, 2, 7, 1000, 1024, (size_t)1 << 40};
#define NCHUNKS (sizeof chunks / sizeof chunks[0])

static qm_map_opts opts_chunk(size_t chunk)
{
    qm_map_opts o;
    memset(&o, 0, sizeof o);
    o.chunk = chunk;
    return o;
}

/* Deterministic PRNG (xorshift64*) for test data. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

/* =================================================== map: outputs, sizes */

/* A byte-level map between elements of any sizes: output byte k of element
 * i depends on i, k and input byte k mod in_size.  With out == NULL the
 * function folds the same bytes into a checksum instead. */
typedef struct gen {
    const unsigned char *in0; /* whole arrays, to check task pointers */
    unsigned char *out0;
    size_t in_size, out_size;
    size_t chunk;          /* 0: no bound to check */
    uint64_t checksum;     /* atomically summed with out == NULL */
    int bad;               /* a task broke the contract */
    uint64_t calls;
} gen;

static unsigned char gen_byte(const unsigned char *in, size_t in_size,
                              size_t i, size_t k)
{
    return (unsigned char)((in ? in[k % in_size] : 0u) * 7u + i * 13u
                           + k * 3u + 1u);
}

static int gen_fn(qm_task *t, void *data)
{
    gen *g = data;
    const unsigned char *in = t->in;
    unsigned char *out = t->out;
    int bad = t->n == 0 || (g->chunk && t->n > g->chunk)
              || in != (g->in0 ? g->in0 + t->first * g->in_size : NULL)
              || out != (g->out0 ? g->out0 + t->first * g->out_size : NULL)
              || t->failed != 0;
    if (bad)
        __atomic_store_n(&g->bad, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&g->calls, 1, __ATOMIC_RELAXED);
    const size_t os = g->out_size ? g->out_size : 5;
    uint64_t sum = 0;
    for (size_t j = 0; j < t->n; j++) {
        const unsigned char *e = in ? in + j * g->in_size : NULL;
        for (size_t k = 0; k < os; k++) {
            unsigned char b = gen_byte(e, g->in_size, t->first + j, k);
            if (out)
                out[j * g->out_size + k] = b;
            else
                sum += (uint64_t)b * (t->first + j + 1);
        }
    }
    if (!out)
        __atomic_add_fetch(&g->checksum, sum, __ATOMIC_RELAXED);
    return 0;
}

/* Run one map on ex and compare with the serial expectation. */
static void check_map_once(const qm_exec *ex, const char *exname, size_t n,
                           size_t in_size, size_t out_size, int with_in,
                           int with_out, size_t chunk)
{
    unsigned char *in = with_in ? malloc(n * in_size + 1) : NULL;
    unsigned char *out = with_out ? malloc(n * out_size + 1) : NULL;
    unsigned char *want = with_out ? malloc(n * out_size + 1) : NULL;
    uint64_t want_sum = 0, seed = 12345 + n;
    for (size_t i = 0; in && i < n * in_size; i++)
        in[i] = (unsigned char)rng_next(&seed);
    if (out)
        memset(out, 0xAA, n * out_size);
    for (size_t i = 0; i < n; i++) {
        const unsigned char *e = in ? in + i * in_size : NULL;
        for (size_t k = 0; k < (with_out ? out_size : 5); k++) {
            unsigned char b = gen_byte(e, in_size, i, k);
            if (want)
                want[i * out_size + k] = b;
            else
                want_sum += (uint64_t)b * (i + 1);
        }
    }
    gen g = {in, out, in_size, with_out ? out_size : 0,
             chunk > n ? n : chunk, 0, 0, 0};
    qm_map_opts o = opts_chunk(chunk);
    qm_map_result mr = {0, 7};
    int st = qm_map(ex, gen_fn, &g, in, with_in ? in_size : 0, out,
                    with_out ? out_size : 0, n, &o, &mr);
    size_t first_bad = SIZE_MAX;
    for (size_t i = 0; out && i < n && first_bad == SIZE_MAX; i++)
        if (memcmp(out + i * out_size, want + i * out_size, out_size) != 0)
            first_bad = i;
    QMT_CHECK(st == QM_SUCCESS && mr.fail_index == SIZE_MAX
                  && mr.user_status == 0 && !g.bad && first_bad == SIZE_MAX
                  && (out || g.checksum == want_sum),
              "%s n=%zu in %zu%s out %zu%s chunk=%zu: status %d fail %zu/%d "
              "bad task %d, first wrong element %zu, checksum %llu vs %llu",
              exname, n, in_size, with_in ? "" : "(NULL)", out_size,
              with_out ? "" : "(NULL)", chunk, st, mr.fail_index,
              mr.user_status, g.bad, first_bad,
              (unsigned long long)g.checksum, (unsigned long long)want_sum);
    free(in);
    free(out);
    free(want);
}

static void map_writes_every_element_in_input_order_for_any_element_size(void)
{
    /* (in_size, out_size, in given, out given) */
    static const size_t shapes[][4] = {
        {1, 8, 1, 1}, {3, 24, 1, 1}, {8, 3, 1, 1}, {24, 1, 1, 1},
        {8, 8, 1, 1}, {24, 24, 1, 1}, {1, 3, 0, 1}, {24, 1, 1, 0},
    };
    static const size_t sizes[] = {1, 3, 1000, 4099};
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e++)
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
            for (size_t k = 0; k < NCHUNKS; k++)
                for (size_t m = 0; m < sizeof sizes / sizeof *sizes; m++)
                    check_map_once(es.ex[e], es.name[e], sizes[m], shapes[s][0],
                                   shapes[s][1], (int)shapes[s][2],
                                   (int)shapes[s][3], chunks[k]);
    execs_close(&es);
}

static int count_calls_fn(qm_task *t, void *data)
{
    (void)t;
    __atomic_add_fetch((int *)data, 1, __ATOMIC_RELAXED);
    return 0;
}

static void map_of_zero_elements_succeeds_without_calling_f(void)
{
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e++) {
        int calls = 0;
        double x = 1.0, y = 2.0, r = 5.0;
        qm_map_result mr = {0, 3};
        int st = qm_map(es.ex[e], count_calls_fn, &calls, &x, sizeof x, &y,
                        sizeof y, 0, NULL, &mr);
        QMT_CHECK(st == QM_SUCCESS && calls == 0 && y == 2.0
                      && mr.fail_index == SIZE_MAX && mr.user_status == 0,
                  "%s: map n=0 status %d calls %d", es.name[e], st, calls);
        st = qm_for(es.ex[e], count_calls_fn, &calls, 0, NULL, NULL);
        QMT_CHECK(st == QM_SUCCESS && calls == 0, "%s: for n=0 status %d",
                  es.name[e], st);
        st = qm_map_reduce(es.ex[e], count_calls_fn, &calls, NULL, 0, 0,
                           QM_REDUCE_SUM, NULL, &r, NULL);
        QMT_CHECK(st == QM_SUCCESS && calls == 0 && qmt_same_bits(r, 0.0),
                  "%s: map_reduce n=0 status %d result %g", es.name[e], st, r);
    }
    execs_close(&es);
}

/* Records the worker of every element and checks task->worker_id. */
typedef struct who {
    int *worker;  /* per element */
    int max_workers;
    int bad;
} who;

static int who_fn(qm_task *t, void *data)
{
    who *w = data;
    if (t->worker_id < 0 || t->worker_id >= w->max_workers)
        __atomic_store_n(&w->bad, 1, __ATOMIC_RELAXED);
    for (size_t j = 0; j < t->n; j++)
        w->worker[t->first + j] = t->worker_id;
    return 0;
}

static void static_schedule_gives_each_worker_one_contiguous_share(void)
{
    enum { N = 10007 };
    for (int nt = 2; nt <= 4; nt++) {
        qm_exec *ex = qmt_openmp(nt, QM_SCHEDULE_STATIC, 0);
        if (!ex)
            return;
        int *wk = malloc(N * sizeof *wk);
        who w = {wk, nt, 0};
        qm_map_opts o = opts_chunk(100);
        int st = qm_for(ex, who_fn, &w, N, &o, NULL);
        /* contiguous shares in worker order: the worker id never decreases
         * and changes at most nt - 1 times */
        int changes = 0, monotone = 1;
        for (int i = 1; i < N; i++) {
            changes += wk[i] != wk[i - 1];
            monotone &= wk[i] >= wk[i - 1];
        }
        QMT_CHECK(st == QM_SUCCESS && !w.bad && monotone && changes <= nt - 1,
                  "%d threads: status %d, %d changes of worker, monotone %d",
                  nt, st, changes, monotone);
        free(wk);
        qm_exec_free(ex);
    }
}

/* Serial backend: one worker, calls in increasing order. */
typedef struct order_rec {
    size_t next;
    int bad;
} order_rec;

static int order_fn(qm_task *t, void *data)
{
    order_rec *o = data;
    if (t->first != o->next || t->worker_id != 0)
        o->bad = 1;
    o->next = t->first + t->n;
    return 0;
}

static void serial_backend_calls_in_order_on_worker_0(void)
{
    qm_exec *ex = qmt_serial();
    for (size_t k = 0; k < NCHUNKS; k++) {
        order_rec o = {0, 0};
        qm_map_opts op = opts_chunk(chunks[k]);
        int st = qm_for(ex, order_fn, &o, 5000, &op, NULL);
        QMT_CHECK(st == QM_SUCCESS && !o.bad && o.next == 5000,
                  "chunk %zu: status %d bad %d end %zu", chunks[k], st, o.bad,
                  o.next);
    }
    qm_exec_free(ex);
}

/* Largest call seen. */
static int max_call_fn(qm_task *t, void *data)
{
    size_t *mx = data, cur = __atomic_load_n(mx, __ATOMIC_RELAXED);
    while (t->n > cur
           && !__atomic_compare_exchange_n(mx, &cur, t->n, 0, __ATOMIC_RELAXED,
                                           __ATOMIC_RELAXED))
        ;
    return 0;
}

static void automatic_chunk_is_8_per_worker_at_most_4096(void)
{
    /* 2 workers: n = 1600 -> 100 per call; n = 1e6 -> 4096; n = 5 -> 1 */
    static const size_t n[] = {1600, 1000000, 5};
    static const size_t want[] = {100, 4096, 1};
    for (size_t s = 0; s < NSCHED; s++) {
        qm_exec *ex = qmt_openmp(2, schedules[s], 0);
        if (!ex)
            return;
        for (int i = 0; i < 3; i++) {
            size_t mx = 0;
            int st = qm_for(ex, max_call_fn, &mx, n[i], NULL, NULL);
            QMT_CHECK(st == QM_SUCCESS && mx == want[i],
                      "%s n=%zu: largest call %zu, want %zu",
                      qm_schedule_name(schedules[s]), n[i], mx, want[i]);
        }
        qm_exec_free(ex);
    }
}

/* ================================================================= for */

static int visit_fn(qm_task *t, void *data)
{
    unsigned char *seen = data;
    if (t->in || t->out)
        return 99;
    for (size_t j = 0; j < t->n; j++)
        __atomic_add_fetch(&seen[t->first + j], 1, __ATOMIC_RELAXED);
    return 0;
}

static void for_visits_every_index_exactly_once(void)
{
    static const size_t sizes[] = {1, 2, 5, 999, 20011};
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e++)
        for (size_t k = 0; k < NCHUNKS; k++)
            for (size_t m = 0; m < sizeof sizes / sizeof *sizes; m++) {
                const size_t n = sizes[m];
                unsigned char *seen = calloc(n, 1);
                qm_map_opts o = opts_chunk(chunks[k]);
                int st = qm_for(es.ex[e], visit_fn, seen, n, &o, NULL);
                size_t bad = SIZE_MAX;
                for (size_t i = 0; i < n && bad == SIZE_MAX; i++)
                    if (seen[i] != 1)
                        bad = i;
                QMT_CHECK(st == QM_SUCCESS && bad == SIZE_MAX,
                          "%s n=%zu chunk=%zu: status %d, index %zu seen %d "
                          "times", es.name[e], n, chunks[k], st, bad,
                          bad == SIZE_MAX ? 1 : seen[bad]);
                free(seen);
            }
    execs_close(&es);
}

static int sum_n_fn(qm_task *t, void *data)
{
    __atomic_add_fetch((uint64_t *)data, (uint64_t)t->n, __ATOMIC_RELAXED);
    return 0;
}

static void for_handles_more_than_2_to_the_31_indices(void)
{
    const size_t n = (size_t)3000000000u;
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e += 5) { /* a sample of executors suffices */
        uint64_t total = 0;
        qm_map_opts o = opts_chunk(1u << 20);
        int st = qm_for(es.ex[e], sum_n_fn, &total, n, &o, NULL);
        QMT_CHECK(st == QM_SUCCESS && total == n, "%s: status %d, %llu of %zu",
                  es.name[e], st, (unsigned long long)total, n);
    }
    execs_close(&es);
}

/* ========================================================= reduce: SUM */

/* Copies the input doubles into task->out (the scratch values). */
static int copy_fn(qm_task *t, void *data)
{
    (void)data;
    memcpy(t->out, t->in, t->n * sizeof(double));
    return 0;
}

/*
 * Sum data with a known exact sum, where the plain sum depends on the order:
 * even indices hold small binary fractions k/64, odd ones huge values
 * +-m 2^45 whose partners of opposite sign sit in the other half of the
 * array, so partial sums reach ~2^66 (ulp 2^14) and swallow the small
 * values -- in different ways for different orders.  The huge values cancel
 * exactly, so the sum is that of the small values, computed exactly in
 * integer arithmetic (it is a multiple of 1/64 below 2^53 / 64).
 */
#define SUM_N 100003
static double *sum_data;
static double sum_exact;

static void make_sum_data(void)
{
    if (sum_data)
        return;
    sum_data = malloc(SUM_N * sizeof *sum_data);
    uint64_t seed = 42;
    int64_t small_total = 0; /* in units of 1/64 */
    size_t nodd = SUM_N / 2, half = nodd / 2;
    double *big = malloc(half * sizeof *big);
    for (size_t k = 0; k < half; k++) {
        double m = (double)(rng_next(&seed) % 1000000 + 1) * 0x1p45;
        big[k] = rng_next(&seed) & 1 ? m : -m;
    }
    for (size_t i = 0, odd = 0; i < SUM_N; i++) {
        if (i % 2 == 0) {
            int64_t k = (int64_t)(rng_next(&seed) % 6400) + 1;
            small_total += k;
            sum_data[i] = (double)k / 64.0;
        } else {
            /* first half: big[k]; second half: -big[half-1-k]; leftover 0 */
            if (odd < half)
                sum_data[i] = big[odd];
            else if (odd < 2 * half)
                sum_data[i] = -big[2 * half - 1 - odd];
            else
                sum_data[i] = 0.0;
            odd++;
        }
    }
    free(big);
    sum_exact = (double)small_total / 64.0;
}

static void naive_sums_of_the_test_data_depend_on_the_order(void)
{
    make_sum_data();
    double fwd = 0.0, bwd = 0.0, halves[2] = {0.0, 0.0};
    for (size_t i = 0; i < SUM_N; i++)
        fwd += sum_data[i];
    for (size_t i = SUM_N; i-- > 0;)
        bwd += sum_data[i];
    for (size_t i = 0; i < SUM_N; i++) /* two "threads" */
        halves[i >= SUM_N / 2] += sum_data[i];
    const double two = halves[0] + halves[1];
    QMT_CHECK(!qmt_same_bits(fwd, bwd) && !qmt_same_bits(fwd, sum_exact)
                  && !qmt_same_bits(two, sum_exact),
              "plain sums must differ: forward %.17g backward %.17g two "
              "halves %.17g exact %.17g", fwd, bwd, two, sum_exact);
}

static void sum_is_exact_and_identical_for_any_threads_schedule_and_chunk(void)
{
    make_sum_data();
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e++)
        for (size_t k = 0; k < NCHUNKS; k++) {
            qm_map_opts o = opts_chunk(chunks[k]);
            double r = 0.0;
            qm_map_result mr;
            int st = qm_map_reduce(es.ex[e], copy_fn, NULL, sum_data,
                                   sizeof(double), SUM_N, QM_REDUCE_SUM, &o,
                                   &r, &mr);
            QMT_CHECK(st == QM_SUCCESS && qmt_same_bits(r, sum_exact)
                          && mr.fail_index == SIZE_MAX,
                      "%s chunk=%zu: status %d sum %.17g, exact %.17g",
                      es.name[e], chunks[k], st, r, sum_exact);
        }
    execs_close(&es);
}

/* The unrounded sums of ranks' shares (any split: the sum is exact) merge
 * to the bits of the whole. */
static void sum_shares_merge_exactly_into_the_whole(void)
{
    make_sum_data();
    static const size_t cuts[][2] = {{0, 0}, {1024, 50 * 1024},
                                     {777, 50001}, {SUM_N, SUM_N}};
    qm_exec *ex = qmt_openmp(3, QM_SCHEDULE_AUTO, 0);
    if (!ex)
        ex = qmt_serial();
    for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
        const size_t at[4] = {0, cuts[c][0], cuts[c][1], SUM_N};
        qm_sacc total;
        qm__sacc_init(&total);
        int ok = 1;
        for (int p = 0; p < 3; p++) {
            qm_sacc part;
            double r;
            int st = qm__map_reduce_run(ex, copy_fn, NULL, sum_data + at[p],
                                        sizeof(double), at[p + 1] - at[p],
                                        at[p], QM_REDUCE_SUM, NULL, &r,
                                        &part, NULL);
            ok &= st == QM_SUCCESS
                  && qmt_same_bits(r, qm__sacc_round(&part));
            qm__sacc_merge(&total, &part);
        }
        const double r = qm__sacc_round(&total);
        QMT_CHECK(ok && qmt_same_bits(r, sum_exact),
                  "cut at %zu, %zu: merged %.17g, exact %.17g", cuts[c][0],
                  cuts[c][1], r, sum_exact);
    }
    qm_exec_free(ex);
}

/* task->first carries base: the map sees global indices. */
static int index_value_fn(qm_task *t, void *data)
{
    (void)data;
    double *y = t->out;
    for (size_t j = 0; j < t->n; j++)
        y[j] = (double)(t->first + j);
    return 0;
}

static void reduce_tasks_see_global_indices_with_base(void)
{
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_DYNAMIC, 0);
    if (!ex)
        ex = qmt_serial();
    const size_t base = 3 * QM_REDUCE_BLOCK, n = 5000;
    double r = 0.0;
    int st = qm__map_reduce_run(ex, index_value_fn, NULL, NULL, 0, n, base,
                                QM_REDUCE_SUM, NULL, &r, NULL, NULL);
    const double want = (double)n * (double)(2 * base + n - 1) / 2.0;
    QMT_CHECK(st == QM_SUCCESS && r == want, "status %d sum %.17g want %.17g",
              st, r, want);
    qm_exec_free(ex);
}

static void sum_follows_ieee_for_infinities_and_nan(void)
{
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_AUTO, 0);
    if (!ex)
        ex = qmt_serial();
    double v[3000];
    for (int i = 0; i < 3000; i++)
        v[i] = 1.0;
    double r;
    v[2500] = INFINITY;
    qm_map_reduce(ex, copy_fn, NULL, v, sizeof(double), 3000, QM_REDUCE_SUM,
                  NULL, &r, NULL);
    QMT_CHECK(r == INFINITY, "+Inf: %g", r);
    v[10] = -INFINITY;
    qm_map_reduce(ex, copy_fn, NULL, v, sizeof(double), 3000, QM_REDUCE_SUM,
                  NULL, &r, NULL);
    QMT_CHECK(isnan(r), "+Inf - Inf: %g", r);
    v[10] = v[2500] = 1.0;
    v[7] = NAN;
    qm_map_reduce(ex, copy_fn, NULL, v, sizeof(double), 3000, QM_REDUCE_SUM,
                  NULL, &r, NULL);
    QMT_CHECK(isnan(r), "NaN: %g", r);
    qm_exec_free(ex);
}

/* ================================================ reduce: MIN MAX COUNT */

static void expected_min_max_count(const double *v, size_t n, double *mn,
                                   double *mx, double *cnt)
{
    *mn = INFINITY;
    *mx = -INFINITY;
    *cnt = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] != 0.0)
            *cnt += 1;
        if (isnan(v[i]))
            continue;
        if (v[i] < *mn || (v[i] == *mn && signbit(v[i])))
            *mn = v[i];
        if (v[i] > *mx || (v[i] == *mx && !signbit(v[i])))
            *mx = v[i];
    }
}

static void min_max_count_agree_with_serial_for_any_executor(void)
{
    /* values in [-1, 1] with NaNs, +0 and -0 sprinkled; and a set of only
     * zeros of both signs, whose extrema depend on the tie rule */
    enum { N = 30011 };
    double *v = malloc(N * sizeof *v), *z = malloc(N * sizeof *z),
           *z2 = malloc(N * sizeof *z2);
    uint64_t seed = 7;
    for (size_t i = 0; i < N; i++) {
        uint64_t r = rng_next(&seed);
        v[i] = (double)(int64_t)(r % 2000001) / 1e6 - 1.0;
        if (r % 97 == 0)
            v[i] = NAN;
        else if (r % 89 == 0)
            v[i] = 0.0;
        else if (r % 83 == 0)
            v[i] = -0.0;
        z[i] = r & 1 ? 0.0 : -0.0;
        z2[i] = z[i];
    }
    /* a first-come rule would give +0 as the MIN of z, -0 as the MAX of z2 */
    z[0] = 0.0;
    z2[0] = -0.0;
    const double *sets[3] = {v, z, z2};
    static const qm_reduce_op ops[3] = {QM_REDUCE_MIN, QM_REDUCE_MAX,
                                        QM_REDUCE_COUNT};
    exec_set es;
    execs_open(&es);
    for (int d = 0; d < 3; d++) {
        double want[3];
        expected_min_max_count(sets[d], N, &want[0], &want[1], &want[2]);
        for (int e = 0; e < es.n; e++)
            for (size_t k = 0; k < NCHUNKS; k++)
                for (int o = 0; o < 3; o++) {
                    qm_map_opts op = opts_chunk(chunks[k]);
                    double r = 12345.0;
                    int st = qm_map_reduce(es.ex[e], copy_fn, NULL, sets[d],
                                           sizeof(double), N, ops[o], &op, &r,
                                           NULL);
                    QMT_CHECK(st == QM_SUCCESS && qmt_same_bits(r, want[o]),
                              "%s chunk=%zu data %d op %d: status %d got %g "
                              "(sign %d) want %g (sign %d)", es.name[e],
                              chunks[k], d, (int)ops[o], st, r, !!signbit(r),
                              want[o], !!signbit(want[o]));
                }
    }
    execs_close(&es);
    free(v);
    free(z);
    free(z2);
}

static void min_and_max_of_only_nan_are_the_identities(void)
{
    qm_exec *ex = qmt_serial();
    double v[5] = {NAN, NAN, NAN, NAN, NAN}, r;
    qm_map_reduce(ex, copy_fn, NULL, v, sizeof(double), 5, QM_REDUCE_MIN, NULL,
                  &r, NULL);
    QMT_CHECK(r == INFINITY, "min of NaNs: %g", r);
    qm_map_reduce(ex, copy_fn, NULL, v, sizeof(double), 5, QM_REDUCE_MAX, NULL,
                  &r, NULL);
    QMT_CHECK(r == -INFINITY, "max of NaNs: %g", r);
    qm_map_reduce(ex, copy_fn, NULL, v, sizeof(double), 5, QM_REDUCE_COUNT,
                  NULL, &r, NULL);
    QMT_CHECK(r == 5.0, "NaN counts as nonzero: %g", r);
    qm_exec_free(ex);
}

static void reductions_of_zero_elements_are_the_identities(void)
{
    static const double want[4] = {0.0, INFINITY, -INFINITY, 0.0};
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_AUTO, 0);
    if (!ex)
        ex = qmt_serial();
    for (int op = 0; op < 4; op++) {
        double r = 1.0;
        int st = qm_map_reduce(ex, copy_fn, NULL, NULL, 0, 0,
                               (qm_reduce_op)op, NULL, &r, NULL);
        QMT_CHECK(st == QM_SUCCESS && qmt_same_bits(r, want[op]),
                  "op %d: status %d result %g", op, st, r);
    }
    qm_exec_free(ex);
}

/* ========================================================= reduce: user */

/* acc = 0.5 acc + val: far from associative (and not commutative). */
static void halving_combine(void *acc, const void *val, void *data)
{
    (void)data;
    double *a = acc;
    *a = 0.5 * *a + *(const double *)val;
}

/* float accumulation: rounding depends on the order. */
static void float_add(void *acc, const void *val, void *data)
{
    (void)data;
    *(float *)acc += *(const float *)val;
}

static int to_float_fn(qm_task *t, void *data)
{
    (void)data;
    const double *x = t->in;
    float *y = t->out;
    for (size_t j = 0; j < t->n; j++)
        y[j] = (float)x[j];
    return 0;
}

/* The documented order, serially: blocks left to right from the identity,
 * then the block values left to right from the identity. */
static void user_reference(const void *vals, size_t n, size_t vs,
                           const void *identity, qm_combine_fn combine,
                           void *out)
{
    unsigned char acc[64], blk[64];
    memcpy(acc, identity, vs);
    for (size_t b0 = 0; b0 < n; b0 += QM_REDUCE_BLOCK) {
        memcpy(blk, identity, vs);
        for (size_t i = b0; i < n && i < b0 + QM_REDUCE_BLOCK; i++)
            combine(blk, (const char *)vals + i * vs, NULL);
        combine(acc, blk, NULL);
    }
    memcpy(out, acc, vs);
}

static void user_reduce_is_bitwise_identical_for_a_non_associative_combine(void)
{
    make_sum_data();
    float *fv = malloc(SUM_N * sizeof *fv);
    for (size_t i = 0; i < SUM_N; i++)
        fv[i] = (float)sum_data[i];
    const double did = 0.0;
    const float fid = 0.0f;
    double dref;
    float fref, fnaive = 0.0f;
    user_reference(sum_data, SUM_N, sizeof(double), &did, halving_combine, &dref);
    user_reference(fv, SUM_N, sizeof(float), &fid, float_add, &fref);
    for (size_t i = 0; i < SUM_N; i++)
        fnaive += fv[i];
    /* the float data is order-sensitive: blocking changes the bits */
    QMT_CHECK(fnaive != fref, "float sum must depend on grouping: %a vs %a",
              (double)fnaive, (double)fref);
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e++)
        for (size_t k = 0; k < NCHUNKS; k++) {
            qm_map_opts o = opts_chunk(chunks[k]);
            double d = 1.0;
            float f = 1.0f;
            int st1 = qm_map_reduce_user(es.ex[e], copy_fn, NULL, sum_data,
                                         sizeof(double), SUM_N, sizeof(double),
                                         &did, halving_combine, NULL, &o, &d,
                                         NULL);
            int st2 = qm_map_reduce_user(es.ex[e], to_float_fn, NULL, sum_data,
                                         sizeof(double), SUM_N, sizeof(float),
                                         &fid, float_add, NULL, &o, &f, NULL);
            QMT_CHECK(st1 == QM_SUCCESS && st2 == QM_SUCCESS
                          && qmt_same_bits(d, dref)
                          && memcmp(&f, &fref, sizeof f) == 0,
                      "%s chunk=%zu: status %d %d, halving %a vs %a, float %a "
                      "vs %a", es.name[e], chunks[k], st1, st2, d, dref,
                      (double)f, (double)fref);
        }
    execs_close(&es);
    free(fv);
}

/* A 24-byte value: (count, sum of indices, xor of indices). */
typedef struct stat3 {
    uint64_t count, sum, xr;
} stat3;

static int stat3_fn(qm_task *t, void *data)
{
    (void)data;
    stat3 *y = t->out;
    for (size_t j = 0; j < t->n; j++)
        y[j] = (stat3){1, t->first + j, (t->first + j) * 2654435761u};
    return 0;
}

static void stat3_combine(void *acc, const void *val, void *data)
{
    (void)data;
    stat3 *a = acc;
    const stat3 *v = val;
    a->count += v->count;
    a->sum += v->sum;
    a->xr ^= v->xr;
}

static void user_reduce_handles_struct_values(void)
{
    const size_t n = 7777;
    stat3 want = {0, 0, 0}, id = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        want.count++;
        want.sum += i;
        want.xr ^= i * 2654435761u;
    }
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e++)
        for (size_t k = 0; k < NCHUNKS; k++) {
            qm_map_opts o = opts_chunk(chunks[k]);
            stat3 r;
            int st = qm_map_reduce_user(es.ex[e], stat3_fn, NULL, NULL, 0, n,
                                        sizeof r, &id, stat3_combine, NULL, &o,
                                        &r, NULL);
            QMT_CHECK(st == QM_SUCCESS && memcmp(&r, &want, sizeof r) == 0,
                      "%s chunk=%zu: status %d count %llu", es.name[e],
                      chunks[k], st, (unsigned long long)r.count);
        }
    execs_close(&es);
}

static void user_reduce_of_zero_elements_is_the_identity(void)
{
    qm_exec *ex = qmt_serial();
    const double id = -3.5;
    double r = 0.0;
    int st = qm_map_reduce_user(ex, copy_fn, NULL, NULL, 0, 0, sizeof r, &id,
                                halving_combine, NULL, NULL, &r, NULL);
    QMT_CHECK(st == QM_SUCCESS && r == id, "status %d result %g", st, r);
    qm_exec_free(ex);
}

static void reduce_blocks_writes_one_value_per_global_block(void)
{
    make_sum_data();
    const size_t base = 2 * QM_REDUCE_BLOCK, n = 5 * QM_REDUCE_BLOCK + 17;
    const size_t nb = (n + QM_REDUCE_BLOCK - 1) / QM_REDUCE_BLOCK;
    const double id = 0.0;
    double blocks[8], want[8];
    for (size_t b = 0; b < nb; b++) {
        want[b] = id;
        for (size_t i = b * QM_REDUCE_BLOCK;
             i < n && i < (b + 1) * QM_REDUCE_BLOCK; i++)
            halving_combine(&want[b], &sum_data[i], NULL);
    }
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e++) {
        qm_map_opts o = opts_chunk(700);
        memset(blocks, 0, sizeof blocks);
        int st = qm__map_reduce_blocks(es.ex[e], copy_fn, NULL, sum_data,
                                       sizeof(double), n, base, sizeof(double),
                                       &id, halving_combine, NULL, &o,
                                       blocks, NULL);
        QMT_CHECK(st == QM_SUCCESS && memcmp(blocks, want, nb * sizeof *want) == 0,
                  "%s: status %d", es.name[e], st);
    }
    execs_close(&es);
    qm_exec *ex = qmt_serial();
    int st = qm__map_reduce_blocks(ex, copy_fn, NULL, sum_data, sizeof(double),
                                   n, base + 1, sizeof(double), &id,
                                   halving_combine, NULL, NULL, blocks,
                                   NULL);
    QMT_CHECK(st == QM_EINVAL, "base off a block boundary: status %d", st);
    qm_exec_free(ex);
}

/* ============================================================ failures */

/* Fails at the listed indices (status = 100 + position in the list),
 * reporting the first failing offset of the call; writes doubles when out
 * is given. */
typedef struct failer {
    size_t at[3];
    int nat;
} failer;

static int fail_fn(qm_task *t, void *data)
{
    const failer *fl = data;
    double *y = t->out;
    for (size_t j = 0; j < t->n; j++) {
        for (int k = 0; k < fl->nat; k++)
            if (t->first + j == fl->at[k]) {
                t->failed = j;
                return 100 + k;
            }
        if (y)
            y[j] = 1.0;
    }
    return 0;
}

static void user_combine_add(void *acc, const void *val, void *data)
{
    (void)data;
    *(double *)acc += *(const double *)val;
}

/* Run every kernel with fl on ex; check the reported failure. */
static void check_failure(const qm_exec *ex, const char *exname,
                          const failer *fl, size_t n, size_t chunk,
                          size_t want_index, int want_status)
{
    qm_map_opts o = opts_chunk(chunk);
    double *out = malloc(n * sizeof *out);
    for (int kernel = 0; kernel < 4; kernel++) {
        qm_map_result mr = {0, 0};
        double r = 0.0;
        int st;
        switch (kernel) {
        case 0:
            st = qm_map(ex, fail_fn, (void *)fl, NULL, 0, out, sizeof *out, n,
                        &o, &mr);
            break;
        case 1:
            st = qm_for(ex, fail_fn, (void *)fl, n, &o, &mr);
            break;
        case 2:
            st = qm_map_reduce(ex, fail_fn, (void *)fl, NULL, 0, n,
                               QM_REDUCE_SUM, &o, &r, &mr);
            break;
        default: {
            const double id = 0.0;
            st = qm_map_reduce_user(ex, fail_fn, (void *)fl, NULL, 0, n,
                                    sizeof r, &id, user_combine_add, NULL, &o,
                                    &r, &mr);
        }
        }
        QMT_CHECK(st == QM_EMAPFN && mr.fail_index == want_index
                      && mr.user_status == want_status
                      && (kernel != 2 || isnan(r)),
                  "%s kernel %d n=%zu chunk=%zu: status %d, fail %zu/%d, "
                  "want %zu/%d", exname, kernel, n, chunk, st, mr.fail_index,
                  mr.user_status, want_index, want_status);
    }
    free(out);
}

static void failure_at_first_middle_and_last_index_is_reported_exactly(void)
{
    const size_t n = 20000;
    const size_t where[3] = {0, 12345, n - 1};
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e++)
        for (size_t k = 0; k < NCHUNKS; k++)
            for (int w = 0; w < 3; w++) {
                failer fl = {{where[w]}, 1};
                check_failure(es.ex[e], es.name[e], &fl, n, chunks[k],
                              where[w], 100);
            }
    execs_close(&es);
}

static void with_two_failures_the_lowest_index_is_reported(void)
{
    /* the higher failure sits where a second worker starts (static) or
     * early in another chunk; the lower one late in the first worker's
     * share; and both in one chunk */
    static const size_t pairs[][2] = {{9000, 10001}, {10001, 3}, {500, 501}};
    const size_t n = 20000;
    exec_set es;
    execs_open(&es);
    for (int rep = 0; rep < 3; rep++)
        for (int e = 0; e < es.n; e++)
            for (size_t k = 0; k < NCHUNKS; k++)
                for (int p = 0; p < 3; p++) {
                    failer fl = {{pairs[p][0], pairs[p][1]}, 2};
                    const int lo = pairs[p][0] < pairs[p][1] ? 0 : 1;
                    check_failure(es.ex[e], es.name[e], &fl, n, chunks[k],
                                  pairs[p][lo], 100 + lo);
                }
    execs_close(&es);
}

static int bad_offset_fn(qm_task *t, void *data)
{
    (void)data;
    if (t->first <= 50 && 50 < t->first + t->n) {
        t->failed = t->n + 10; /* out of the call */
        return 9;
    }
    return 0;
}

static void failed_offset_outside_the_call_blames_its_first_element(void)
{
    qm_exec *ex = qmt_serial();
    qm_map_opts o = opts_chunk(16); /* the call [48, 64) holds index 50 */
    qm_map_result mr;
    int st = qm_for(ex, bad_offset_fn, NULL, 1000, &o, &mr);
    QMT_CHECK(st == QM_EMAPFN && mr.fail_index == 48 && mr.user_status == 9,
              "status %d fail %zu/%d", st, mr.fail_index, mr.user_status);
    qm_exec_free(ex);
}

/* Fails at index 0; every other call is slow. */
static int slow_fn(qm_task *t, void *data)
{
    __atomic_add_fetch((int *)data, 1, __ATOMIC_RELAXED);
    if (t->first == 0)
        return 3;
    usleep(2000);
    return 0;
}

static void failure_at_index_0_stops_a_huge_slow_run_promptly(void)
{
    /* Without prompt stopping this would take years; alarm() kills the
     * program (a visible failure) if the run does not stop. */
    const size_t n = (size_t)1 << 40;
    exec_set es;
    execs_open(&es);
    alarm(60);
    for (int e = 0; e < es.n; e++) {
        int calls = 0;
        qm_map_result mr;
        int st = qm_for(es.ex[e], slow_fn, &calls, n, NULL, &mr);
        QMT_CHECK(st == QM_EMAPFN && mr.fail_index == 0 && mr.user_status == 3,
                  "%s: status %d fail %zu/%d after %d calls", es.name[e], st,
                  mr.fail_index, mr.user_status, calls);
        double r;
        st = qm_map_reduce(es.ex[e], slow_fn, &calls, NULL, 0, n,
                           QM_REDUCE_SUM, NULL, &r, &mr);
        QMT_CHECK(st == QM_EMAPFN && mr.fail_index == 0,
                  "%s reduce: status %d fail %zu", es.name[e], st,
                  mr.fail_index);
    }
    alarm(0);
    execs_close(&es);
}

static void success_reports_no_failure_index(void)
{
    qm_exec *ex = qmt_serial();
    qm_map_result mr = {5, 5};
    int calls = 0;
    int st = qm_for(ex, count_calls_fn, &calls, 10, NULL, &mr);
    QMT_CHECK(st == QM_SUCCESS && mr.fail_index == SIZE_MAX && mr.user_status == 0,
              "status %d fail %zu/%d", st, mr.fail_index, mr.user_status);
    qm_exec_free(ex);
}

/* =============================================================== hooks */

typedef struct hook_state {
    int worker_id;
    int magic;
    int64_t tasks;
} hook_state;

typedef struct hook_count {
    int inits, finis, fini_bad, task_bad;
    int64_t tasks, tasks_by_state;
    unsigned init_mask, fini_mask;
    int fail_worker;  /* init of this worker fails (-1: none) */
    int fail_all;     /* every init fails */
} hook_count;

static int hook_init(int worker_id, void **state, void *data)
{
    hook_count *h = data;
    __atomic_add_fetch(&h->inits, 1, __ATOMIC_RELAXED);
    __atomic_or_fetch(&h->init_mask, 1u << worker_id, __ATOMIC_RELAXED);
    if (h->fail_all || worker_id == h->fail_worker)
        return 40 + worker_id;
    hook_state *s = malloc(sizeof *s);
    s->worker_id = worker_id;
    s->magic = 0x5eed;
    s->tasks = 0;
    *state = s;
    return 0;
}

static void hook_fini(int worker_id, void *state, void *data)
{
    hook_count *h = data;
    hook_state *s = state;
    __atomic_add_fetch(&h->finis, 1, __ATOMIC_RELAXED);
    __atomic_or_fetch(&h->fini_mask, 1u << worker_id, __ATOMIC_RELAXED);
    if (!s || s->magic != 0x5eed || s->worker_id != worker_id)
        __atomic_store_n(&h->fini_bad, 1, __ATOMIC_RELAXED);
    if (s)
        __atomic_add_fetch(&h->tasks_by_state, s->tasks, __ATOMIC_RELAXED);
    free(s);
}

static int hook_task_fn(qm_task *t, void *data)
{
    hook_count *h = data;
    hook_state *s = t->worker;
    if (!s || s->magic != 0x5eed || s->worker_id != t->worker_id)
        __atomic_store_n(&h->task_bad, 1, __ATOMIC_RELAXED);
    else
        s->tasks++; /* this worker's own state: no race */
    __atomic_add_fetch(&h->tasks, 1, __ATOMIC_RELAXED);
    double *y = t->out;
    for (size_t j = 0; y && j < t->n; j++)
        y[j] = 1.0;
    return 0;
}

static void init_and_fini_run_once_per_worker_with_the_state_tasks_see(void)
{
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e++)
        for (int kernel = 0; kernel < 2; kernel++) {
            hook_count h;
            memset(&h, 0, sizeof h);
            h.fail_worker = -1;
            qm_map_opts o = opts_chunk(10);
            o.init = hook_init;
            o.fini = hook_fini;
            o.hook_data = &h;
            double r = 0.0;
            int st = kernel == 0
                         ? qm_for(es.ex[e], hook_task_fn, &h, 1000, &o, NULL)
                         : qm_map_reduce(es.ex[e], hook_task_fn, &h, NULL, 0,
                                         5000, QM_REDUCE_SUM, &o, &r, NULL);
            const int nt = qm_exec_threads(es.ex[e]);
            /* each worker id at most once: as many bits as calls */
            QMT_CHECK(st == QM_SUCCESS && h.inits >= 1 && h.inits <= nt
                          && h.finis == h.inits
                          && __builtin_popcount(h.init_mask) == h.inits
                          && h.fini_mask == h.init_mask && !h.fini_bad
                          && !h.task_bad && h.tasks_by_state == h.tasks
                          && (kernel == 0 || r == 5000.0),
                      "%s kernel %d: status %d, %d inits (mask %x) %d finis "
                      "(mask %x), bad %d/%d, tasks %lld by state %lld",
                      es.name[e], kernel, st, h.inits, h.init_mask, h.finis,
                      h.fini_mask, h.fini_bad, h.task_bad, (long long)h.tasks,
                      (long long)h.tasks_by_state);
        }
    execs_close(&es);
}

static void failing_init_gives_emapfn_runs_no_chunk_and_finis_the_others(void)
{
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e++) {
        const int nt = qm_exec_threads(es.ex[e]);
        for (int fw = 0; fw < 2 && fw < nt; fw++) {
            hook_count h;
            memset(&h, 0, sizeof h);
            h.fail_worker = fw;
            qm_map_opts o = opts_chunk(10);
            o.init = hook_init;
            o.fini = hook_fini;
            o.hook_data = &h;
            qm_map_result mr;
            int st = qm_for(es.ex[e], hook_task_fn, &h, 1000, &o, &mr);
            /* 1000 elements / 10 per chunk: every thread is a worker */
            QMT_CHECK(st == QM_EMAPFN && mr.fail_index == SIZE_MAX
                          && mr.user_status == 40 + fw && h.tasks == 0
                          && h.inits == nt && h.finis == nt - 1
                          && !(h.fini_mask & (1u << fw)) && !h.fini_bad,
                      "%s init of worker %d fails: status %d fail %zu/%d, "
                      "%lld tasks, %d inits %d finis", es.name[e], fw, st,
                      mr.fail_index, mr.user_status, (long long)h.tasks,
                      h.inits, h.finis);
        }
        /* all fail: the lowest worker's status is reported */
        hook_count h;
        memset(&h, 0, sizeof h);
        h.fail_worker = -1;
        h.fail_all = 1;
        qm_map_opts o = opts_chunk(10);
        o.init = hook_init;
        o.fini = hook_fini;
        o.hook_data = &h;
        qm_map_result mr;
        double r;
        int st = qm_map_reduce(es.ex[e], hook_task_fn, &h, NULL, 0, 100000,
                               QM_REDUCE_SUM, &o, &r, &mr);
        QMT_CHECK(st == QM_EMAPFN && mr.fail_index == SIZE_MAX
                      && mr.user_status == 40 && h.finis == 0 && h.tasks == 0
                      && isnan(r),
                  "%s all inits fail: status %d fail %zu/%d, %d finis",
                  es.name[e], st, mr.fail_index, mr.user_status, h.finis);
    }
    execs_close(&es);
}

static int fail_late_with_hooks_fn(qm_task *t, void *data)
{
    hook_task_fn(t, data);
    return t->first + t->n >= 900 ? 1 : 0;
}

static void fini_runs_also_when_the_map_function_fails(void)
{
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e++) {
        hook_count h;
        memset(&h, 0, sizeof h);
        h.fail_worker = -1;
        qm_map_opts o = opts_chunk(10);
        o.init = hook_init;
        o.fini = hook_fini;
        o.hook_data = &h;
        qm_map_result mr;
        int st = qm_for(es.ex[e], fail_late_with_hooks_fn, &h, 1000, &o, &mr);
        QMT_CHECK(st == QM_EMAPFN && mr.fail_index == 890 && h.inits >= 1
                      && h.finis == h.inits && !h.fini_bad,
                  "%s: status %d fail %zu, %d inits %d finis", es.name[e], st,
                  mr.fail_index, h.inits, h.finis);
    }
    execs_close(&es);
}

/* ============================================================== cancel */

static void preset_cancel_flag_cancels_before_any_call(void)
{
    exec_set es;
    execs_open(&es);
    volatile int flag = 1;
    for (int e = 0; e < es.n; e++) {
        int calls = 0;
        double out[100], r = 0.0;
        qm_map_result mr;
        qm_exec cx = *es.ex[e]; /* cancelled through the executor */
        cx.cancel = &flag;
        int st1 = qm__map_run(&cx, count_calls_fn, &calls, NULL, 0, out,
                              sizeof *out, 100, 0, NULL, &mr);
        int st2 = qm__map_reduce_run(&cx, count_calls_fn, &calls, NULL, 0,
                                     5000, 0, QM_REDUCE_SUM, NULL, &r,
                                     NULL, NULL);
        const double id = 0.0;
        double blocks[5];
        int st3 = qm__map_reduce_blocks(&cx, count_calls_fn, &calls, NULL,
                                        0, 5000, 0, sizeof(double), &id,
                                        user_combine_add, NULL, NULL,
                                        blocks, NULL);
        QMT_CHECK(st1 == QM_ECANCELED && st2 == QM_ECANCELED
                      && st3 == QM_ECANCELED && calls == 0
                      && mr.fail_index == SIZE_MAX && isnan(r),
                  "%s: status %d %d %d after %d calls", es.name[e], st1, st2,
                  st3, calls);
    }
    execs_close(&es);
}

typedef struct canceller {
    volatile int flag;
    int calls;
} canceller;

static int cancelling_fn(qm_task *t, void *data)
{
    (void)t;
    canceller *c = data;
    __atomic_add_fetch(&c->calls, 1, __ATOMIC_RELAXED);
    __atomic_store_n((int *)&c->flag, 1, __ATOMIC_RELAXED);
    return 0;
}

static void cancel_during_the_run_stops_at_the_next_chunk(void)
{
    exec_set es;
    execs_open(&es);
    for (int e = 0; e < es.n; e++) {
        canceller c = {0, 0};
        qm_map_opts o = opts_chunk(1);
        qm_exec cx = *es.ex[e]; /* cancelled through the executor */
        cx.cancel = &c.flag;
        int st = qm__map_run(&cx, cancelling_fn, &c, NULL, 0, NULL, 0,
                             100000, 0, &o, NULL);
        /* each worker makes at most one call before it sees the flag */
        QMT_CHECK(st == QM_ECANCELED && c.calls >= 1
                      && c.calls <= qm_exec_threads(es.ex[e]),
                  "%s: status %d after %d calls", es.name[e], st, c.calls);
    }
    execs_close(&es);
}

/* =========================================================== arguments */

static void invalid_arguments_give_einval(void)
{
    qm_exec *ex = qmt_serial();
    double x[4] = {1, 2, 3, 4}, y[4], r = 0.0;
    const double id = 0.0;
    qm_map_result mr;
#define EXPECT_EINVAL(call)                                                  \
    do {                                                                     \
        mr.fail_index = 0;                                                   \
        mr.user_status = 1;                                                  \
        int st_ = (call);                                                    \
        QMT_CHECK(st_ == QM_EINVAL && mr.fail_index == SIZE_MAX              \
                      && mr.user_status == 0,                                \
                  "%s: status %d", #call, st_);                              \
    } while (0)
    EXPECT_EINVAL(qm_map(NULL, copy_fn, NULL, x, 8, y, 8, 4, NULL, &mr));
    EXPECT_EINVAL(qm_map(ex, NULL, NULL, x, 8, y, 8, 4, NULL, &mr));
    EXPECT_EINVAL(qm_map(ex, copy_fn, NULL, x, 0, y, 8, 4, NULL, &mr));
    EXPECT_EINVAL(qm_map(ex, copy_fn, NULL, x, 8, y, 0, 4, NULL, &mr));
    EXPECT_EINVAL(qm_map(ex, copy_fn, NULL, x, 8, y, 8, SIZE_MAX, NULL, &mr));
    EXPECT_EINVAL(qm_map(ex, copy_fn, NULL, x, SIZE_MAX / 2, y, 8, 4, NULL, &mr));
    EXPECT_EINVAL(qm_for(NULL, copy_fn, NULL, 4, NULL, &mr));
    EXPECT_EINVAL(qm_for(ex, NULL, NULL, 4, NULL, &mr));
    EXPECT_EINVAL(qm_for(ex, NULL, NULL, 0, NULL, &mr));
    EXPECT_EINVAL(qm_map_reduce(NULL, copy_fn, NULL, x, 8, 4, QM_REDUCE_SUM,
                                NULL, &r, &mr));
    EXPECT_EINVAL(qm_map_reduce(ex, NULL, NULL, x, 8, 4, QM_REDUCE_SUM, NULL,
                                &r, &mr));
    EXPECT_EINVAL(qm_map_reduce(ex, copy_fn, NULL, x, 8, 4, QM_REDUCE_SUM,
                                NULL, NULL, &mr));
    EXPECT_EINVAL(qm_map_reduce(ex, copy_fn, NULL, x, 0, 4, QM_REDUCE_SUM,
                                NULL, &r, &mr));
    EXPECT_EINVAL(qm_map_reduce(ex, copy_fn, NULL, x, 8, 4, (qm_reduce_op)9,
                                NULL, &r, &mr));
    QMT_CHECK(isnan(r), "failed map_reduce leaves NaN: %g", r);
    EXPECT_EINVAL(qm_map_reduce_user(ex, copy_fn, NULL, x, 8, 4, 8, NULL,
                                     user_combine_add, NULL, NULL, &r, &mr));
    EXPECT_EINVAL(qm_map_reduce_user(ex, copy_fn, NULL, x, 8, 4, 8, &id, NULL,
                                     NULL, NULL, &r, &mr));
    EXPECT_EINVAL(qm_map_reduce_user(ex, copy_fn, NULL, x, 8, 4, 0, &id,
                                     user_combine_add, NULL, NULL, &r, &mr));
    EXPECT_EINVAL(qm_map_reduce_user(ex, copy_fn, NULL, x, 8, 4, 8, &id,
                                     user_combine_add, NULL, NULL, NULL, &mr));
    EXPECT_EINVAL(qm_map_reduce_user(NULL, copy_fn, NULL, x, 8, 4, 8, &id,
                                     user_combine_add, NULL, NULL, &r, &mr));
    EXPECT_EINVAL(qm__map_run(ex, copy_fn, NULL, x, 8, y, 8, 4, SIZE_MAX - 2,
                              NULL, &mr));
#undef EXPECT_EINVAL
    qm_exec_free(ex);
}

/* ================================================================ main */

int main(void)
{
    QMT_INIT_REGISTRY();
    CU_pSuite s;

    s = qmt_suite("map");
    QMT_ADD(s, map_writes_every_element_in_input_order_for_any_element_size);
    QMT_ADD(s, map_of_zero_elements_succeeds_without_calling_f);
    QMT_ADD(s, static_schedule_gives_each_worker_one_contiguous_share);
    QMT_ADD(s, serial_backend_calls_in_order_on_worker_0);
    QMT_ADD(s, automatic_chunk_is_8_per_worker_at_most_4096);

    s = qmt_suite("for");
    QMT_ADD(s, for_visits_every_index_exactly_once);
    QMT_ADD(s, for_handles_more_than_2_to_the_31_indices);

    s = qmt_suite("reduce_sum");
    QMT_ADD(s, naive_sums_of_the_test_data_depend_on_the_order);
    QMT_ADD(s, sum_is_exact_and_identical_for_any_threads_schedule_and_chunk);
    QMT_ADD(s, sum_shares_merge_exactly_into_the_whole);
    QMT_ADD(s, reduce_tasks_see_global_indices_with_base);
    QMT_ADD(s, sum_follows_ieee_for_infinities_and_nan);

    s = qmt_suite("reduce_min_max_count");
    QMT_ADD(s, min_max_count_agree_with_serial_for_any_executor);
    QMT_ADD(s, min_and_max_of_only_nan_are_the_identities);
    QMT_ADD(s, reductions_of_zero_elements_are_the_identities);

    s = qmt_suite("reduce_user");
    QMT_ADD(s, user_reduce_is_bitwise_identical_for_a_non_associative_combine);
    QMT_ADD(s, user_reduce_handles_struct_values);
    QMT_ADD(s, user_reduce_of_zero_elements_is_the_identity);
    QMT_ADD(s, reduce_blocks_writes_one_value_per_global_block);

    s = qmt_suite("failures");
    QMT_ADD(s, failure_at_first_middle_and_last_index_is_reported_exactly);
    QMT_ADD(s, with_two_failures_the_lowest_index_is_reported);
    QMT_ADD(s, failed_offset_outside_the_call_blames_its_first_element);
    QMT_ADD(s, failure_at_index_0_stops_a_huge_slow_run_promptly);
    QMT_ADD(s, success_reports_no_failure_index);

    s = qmt_suite("worker_hooks");
    QMT_ADD(s, init_and_fini_run_once_per_worker_with_the_state_tasks_see);
    QMT_ADD(s, failing_init_gives_emapfn_runs_no_chunk_and_finis_the_others);
    QMT_ADD(s, fini_runs_also_when_the_map_function_fails);

    s = qmt_suite("cancel");
    QMT_ADD(s, preset_cancel_flag_cancels_before_any_call);
    QMT_ADD(s, cancel_during_the_run_stops_at_the_next_chunk);

    s = qmt_suite("arguments");
    QMT_ADD(s, invalid_arguments_give_einval);

    return qmt_run();
}
