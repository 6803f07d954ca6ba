/*
 * Asynchronous submission and the blocking-task pool.
 *
 * - Async map, map-reduce and integration give the same bits as the
 *   synchronous calls; futures report completion (wait, test), failures and
 *   cancellation; the callback runs exactly once, on another thread, before
 *   wait returns; 32 submissions are in flight at the same time.
 * - The pool overlaps waiting tasks, starts tasks in FIFO order, skips a
 *   cancelled queued task (still calling its callback), reports each task's
 *   status and runs every queued task before qm_pool_free returns.
 *
 * The machine may be loaded: nothing here asserts a wall time.  Concurrency
 * is shown by overlap (how many tasks are inside a section at once); hangs
 * are caught by alarm(), whose default action kills the test (a failure).
 */
#include "test_common.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

/* Hang guard for the whole program, and a tighter one around cancellation. */
#define GUARD_ALL_S 240
#define GUARD_CANCEL_S 60

/* ------------------------------------------------------------ helpers */

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0)
        ;
}

/* A two-thread executor when OpenMP is there (so the async thread runs a
 * team), else serial. */
static qm_exec *ex_par(void)
{
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_DYNAMIC, 0);
    return ex ? ex : qmt_serial();
}

/* A gate that tasks wait on until the test opens it. */
typedef struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int open;
    int arrived; /* threads that reached the gate */
} gate;

#define GATE_INIT {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0}

static void gate_pass(gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->arrived++;
    pthread_cond_broadcast(&g->cond);
    while (!g->open)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

/* Wait until at least n threads reached the gate. */
static void gate_wait_arrived(gate *g, int n)
{
    pthread_mutex_lock(&g->lock);
    while (g->arrived < n)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void gate_open(gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->open = 1;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

/* What a callback saw. */
typedef struct cb_record {
    int calls;          /* atomic */
    int status;
    qm_future *fut;
    pthread_t thread;
} cb_record;

static void record_cb(qm_future *fut, int status, void *data)
{
    cb_record *r = data;
    r->status = status;
    r->fut = fut;
    r->thread = pthread_self();
    __atomic_fetch_add(&r->calls, 1, __ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------------ map functions */

/* out[i] = a function of in[i] whose bits depend on nothing else. */
static int map_wave(qm_task *t, void *data)
{
    (void)data;
    const double *in = t->in;
    double *out = t->out;
    for (size_t i = 0; i < t->n; i++)
        out[i] = sin(in[i]) * 1e6 + in[i] * in[i];
    return 0;
}

/* Fails at element *data. */
static int map_fail_at(qm_task *t, void *data)
{
    const size_t bad = *(const size_t *)data;
    double *out = t->out;
    for (size_t i = 0; i < t->n; i++) {
        if (t->first + i == bad) {
            t->failed = i;
            return 42;
        }
        out[i] = 1.0;
    }
    return 0;
}

/* Slow and endless in practice: 1 ms per call, signals its first call. */
static int map_slow(qm_task *t, void *data)
{
    gate *g = data;
    (void)t;
    if (__atomic_load_n(&g->arrived, __ATOMIC_RELAXED) == 0) {
        pthread_mutex_lock(&g->lock);
        /* atomic: the unlocked check above reads it concurrently */
        __atomic_fetch_add(&g->arrived, 1, __ATOMIC_RELAXED);
        pthread_cond_broadcast(&g->cond);
        pthread_mutex_unlock(&g->lock);
    }
    sleep_ms(1);
    return 0;
}

/* Blocks on a gate until the test opens it. */
static int map_gated(qm_task *t, void *data)
{
    (void)t;
    gate_pass(data);
    return 0;
}

static double *wave_input(size_t n)
{
    double *in = malloc(n * sizeof *in);
    if (in)
        for (size_t i = 0; i < n; i++)
            in[i] = 0.001 * (double)i - 17.0;
    return in;
}

/* ------------------------------------------------------------ async: results */

static void map_async_gives_the_same_bits_as_map(void)
{
    const size_t n = 100003;
    qm_exec *ex = ex_par();
    double *in = wave_input(n);
    double *sync = malloc(n * sizeof *sync), *async = malloc(n * sizeof *async);
    CU_ASSERT_FATAL(ex && in && sync && async);
    qm_map_opts opts = {0};
    opts.chunk = 1000;
    int st = qm_map(ex, map_wave, NULL, in, sizeof *in, sync, sizeof *sync, n,
                    &opts, NULL);
    CU_ASSERT_EQUAL(st, QM_SUCCESS);
    qm_future *fut = NULL;
    qm_map_result mr;
    st = qm_map_async(ex, map_wave, NULL, in, sizeof *in, async, sizeof *async,
                      n, &opts, &mr, NULL, NULL, &fut);
    CU_ASSERT_EQUAL_FATAL(st, QM_SUCCESS);
    int fst = -1;
    CU_ASSERT_EQUAL(qm_future_wait(fut, &fst), QM_SUCCESS);
    QMT_CHECK(fst == QM_SUCCESS, "status %d", fst);
    CU_ASSERT(memcmp(sync, async, n * sizeof *sync) == 0);
    CU_ASSERT_EQUAL(mr.fail_index, SIZE_MAX);
    qm_future_free(fut);
    free(in);
    free(sync);
    free(async);
    qm_exec_free(ex);
}

static void map_reduce_async_gives_the_same_bits_as_map_reduce(void)
{
    const size_t n = 250001;
    qm_exec *ex = ex_par();
    double *in = wave_input(n);
    CU_ASSERT_FATAL(ex && in);
    const qm_reduce_op ops[] = {QM_REDUCE_SUM, QM_REDUCE_MIN, QM_REDUCE_MAX,
                                QM_REDUCE_COUNT};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        double sync = NAN, async = NAN;
        int st = qm_map_reduce(ex, map_wave, NULL, in, sizeof *in, n, ops[k],
                               NULL, &sync, NULL);
        CU_ASSERT_EQUAL(st, QM_SUCCESS);
        qm_future *fut = NULL;
        st = qm_map_reduce_async(ex, map_wave, NULL, in, sizeof *in, n, ops[k],
                                 NULL, &async, NULL, NULL, NULL, &fut);
        CU_ASSERT_EQUAL_FATAL(st, QM_SUCCESS);
        int fst = -1;
        qm_future_wait(fut, &fst);
        QMT_CHECK(fst == QM_SUCCESS, "op %d: status %d", (int)ops[k], fst);
        QMT_CHECK(qmt_same_bits(sync, async), "op %d: %.17g vs %.17g",
                  (int)ops[k], sync, async);
        qm_future_free(fut);
    }
    free(in);
    qm_exec_free(ex);
}

static void integrate_async_gives_the_same_bits_as_integrate(void)
{
    const qm_builtin *bi = qm_builtin_find("runge");
    qm_exec *ex = ex_par();
    CU_ASSERT_FATAL(bi && ex);
    const qm_rule rules[] = {{QM_RULE_MIDPOINT, 0}, {QM_RULE_GAUSS, 5}};
    for (int k = 0; k < 2; k++) {
        qm_result sync, async;
        int st = qm_integrate(ex, bi->fn, NULL, -1.0, 2.0, 1000003, &rules[k],
                              &sync);
        CU_ASSERT_EQUAL(st, QM_SUCCESS);
        qm_future *fut = NULL;
        st = qm_integrate_async(ex, bi->fn, NULL, -1.0, 2.0, 1000003,
                                &rules[k], &async, NULL, NULL, &fut);
        CU_ASSERT_EQUAL_FATAL(st, QM_SUCCESS);
        int fst = -1;
        qm_future_wait(fut, &fst);
        CU_ASSERT_EQUAL(fst, QM_SUCCESS);
        QMT_CHECK(qmt_same_result(&sync, &async), "rule %d: %.17g vs %.17g",
                  k, sync.value, async.value);
        qm_future_free(fut);
    }
    qm_exec_free(ex);
}

static void executor_may_be_freed_after_submission(void)
{
    /* the submission copies the executor (documented: it must stay valid,
     * but a copy costs nothing and removes a use-after-free trap) */
    const qm_builtin *bi = qm_builtin_find("x2");
    qm_exec *ex = ex_par();
    CU_ASSERT_FATAL(bi && ex);
    const qm_rule rule = {QM_RULE_SIMPSON, 0};
    qm_result res;
    qm_future *fut = NULL;
    CU_ASSERT_EQUAL_FATAL(qm_integrate_async(ex, bi->fn, NULL, 0.0, 3.0, 99,
                                             &rule, &res, NULL, NULL, &fut),
                          QM_SUCCESS);
    qm_exec_free(ex);
    int st = -1;
    qm_future_wait(fut, &st);
    CU_ASSERT_EQUAL(st, QM_SUCCESS);
    /* Simpson is exact for x^2 up to rounding */
    QMT_CHECK(fabs(res.value - 9.0) < 1e-13, "value %.17g", res.value);
    qm_future_free(fut);
}

static void map_failure_is_reported_through_the_future(void)
{
    const size_t n = 50000, bad = 31337;
    qm_exec *ex = ex_par();
    double *out = malloc(n * sizeof *out);
    CU_ASSERT_FATAL(ex && out);
    size_t badv = bad;
    qm_map_result smr, amr;
    const int sst = qm_map(ex, map_fail_at, &badv, NULL, 0, out, sizeof *out, n,
                           NULL, &smr);
    qm_future *fut = NULL;
    CU_ASSERT_EQUAL_FATAL(qm_map_async(ex, map_fail_at, &badv, NULL, 0, out,
                                       sizeof *out, n, NULL, &amr, NULL, NULL,
                                       &fut),
                          QM_SUCCESS);
    int st = -1;
    qm_future_wait(fut, &st);
    CU_ASSERT_EQUAL(sst, QM_EMAPFN);
    CU_ASSERT_EQUAL(st, QM_EMAPFN);
    CU_ASSERT_EQUAL(amr.fail_index, bad);
    CU_ASSERT_EQUAL(amr.user_status, 42);
    CU_ASSERT_EQUAL(amr.fail_index, smr.fail_index);
    qm_future_free(fut);
    free(out);
    qm_exec_free(ex);
}

/* ------------------------------------------------------------ async: futures */

static void test_reports_running_then_done_and_wait_returns_status(void)
{
    qm_exec *ex = ex_par();
    double out[8];
    CU_ASSERT_FATAL(ex != NULL);
    gate g = GATE_INIT;
    qm_map_opts opts = {0};
    opts.chunk = 8;
    qm_future *fut = NULL;
    CU_ASSERT_EQUAL_FATAL(qm_map_async(ex, map_gated, &g, NULL, 0, out,
                                       sizeof out[0], 8, &opts, NULL, NULL,
                                       NULL, &fut),
                          QM_SUCCESS);
    gate_wait_arrived(&g, 1); /* the work is running and blocked */
    int st = -7;
    CU_ASSERT_EQUAL(qm_future_test(fut, &st), 0);
    CU_ASSERT_EQUAL(st, -7); /* not written while running */
    gate_open(&g);
    CU_ASSERT_EQUAL(qm_future_wait(fut, &st), QM_SUCCESS);
    CU_ASSERT_EQUAL(st, QM_SUCCESS);
    st = -7;
    CU_ASSERT_EQUAL(qm_future_test(fut, &st), 1);
    CU_ASSERT_EQUAL(st, QM_SUCCESS);
    /* waiting again is allowed and gives the same status */
    st = -7;
    CU_ASSERT_EQUAL(qm_future_wait(fut, &st), QM_SUCCESS);
    CU_ASSERT_EQUAL(st, QM_SUCCESS);
    CU_ASSERT_EQUAL(qm_future_test(fut, NULL), 1);
    qm_future_free(fut);
    qm_exec_free(ex);
}

static void cancel_stops_a_long_map_with_ecanceled(void)
{
    qm_exec *ex = ex_par();
    CU_ASSERT_FATAL(ex != NULL);
    gate g = GATE_INIT;
    cb_record rec = {0};
    qm_map_opts opts = {0};
    opts.chunk = 1;
    /* 2^40 calls of 1 ms: centuries unless the cancellation works */
    const size_t n = (size_t)1 << 40;
    qm_map_result mr;
    qm_future *fut = NULL;
    alarm(GUARD_CANCEL_S);
    CU_ASSERT_EQUAL_FATAL(qm_map_async(ex, map_slow, &g, NULL, 0, NULL, 0, n,
                                       &opts, &mr, record_cb, &rec, &fut),
                          QM_SUCCESS);
    gate_wait_arrived(&g, 1);
    CU_ASSERT_EQUAL(qm_future_test(fut, NULL), 0);
    CU_ASSERT_EQUAL(qm_future_cancel(fut), QM_SUCCESS);
    int st = -1;
    qm_future_wait(fut, &st);
    alarm(GUARD_ALL_S);
    QMT_CHECK(st == QM_ECANCELED, "status %d (%s)", st, qm_strerror(st));
    CU_ASSERT_EQUAL(rec.calls, 1);
    CU_ASSERT_EQUAL(rec.status, QM_ECANCELED);
    qm_future_free(fut);
    qm_exec_free(ex);
}

/* 1 ms per batch: an integration of 2^40 panels would take years.  (Not
 * more panels: an executor may step through the remaining blocks' indices
 * once after a cancellation, which must stay cheap.) */
static int slow_integrand(size_t n, const double *x, double *y, void *data)
{
    gate *g = data;
    if (__atomic_load_n(&g->arrived, __ATOMIC_RELAXED) == 0) {
        pthread_mutex_lock(&g->lock);
        /* atomic: the unlocked check above reads it concurrently */
        __atomic_fetch_add(&g->arrived, 1, __ATOMIC_RELAXED);
        pthread_cond_broadcast(&g->cond);
        pthread_mutex_unlock(&g->lock);
    }
    for (size_t i = 0; i < n; i++)
        y[i] = x[i];
    sleep_ms(1);
    return 0;
}

static void cancel_stops_a_long_integration_with_ecanceled(void)
{
    qm_exec *ex = ex_par();
    CU_ASSERT_FATAL(ex != NULL);
    gate g = GATE_INIT;
    const qm_rule rule = {QM_RULE_MIDPOINT, 0};
    qm_result res;
    qm_future *fut = NULL;
    alarm(GUARD_CANCEL_S);
    CU_ASSERT_EQUAL_FATAL(qm_integrate_async(ex, slow_integrand, &g, 0.0, 1.0,
                                             (int64_t)1 << 40, &rule, &res,
                                             NULL, NULL, &fut),
                          QM_SUCCESS);
    gate_wait_arrived(&g, 1);
    qm_future_cancel(fut);
    int st = -1;
    qm_future_wait(fut, &st);
    alarm(GUARD_ALL_S);
    QMT_CHECK(st == QM_ECANCELED, "status %d (%s)", st, qm_strerror(st));
    CU_ASSERT(isnan(res.value));
    qm_future_free(fut);
    qm_exec_free(ex);
}

static void cancel_after_completion_keeps_the_status_and_results(void)
{
    const size_t n = 1000;
    qm_exec *ex = ex_par();
    double *in = wave_input(n);
    CU_ASSERT_FATAL(ex && in);
    double sync = 0, async = 0;
    qm_map_reduce(ex, map_wave, NULL, in, sizeof *in, n, QM_REDUCE_SUM, NULL,
                  &sync, NULL);
    qm_future *fut = NULL;
    CU_ASSERT_EQUAL_FATAL(qm_map_reduce_async(ex, map_wave, NULL, in,
                                              sizeof *in, n, QM_REDUCE_SUM,
                                              NULL, &async, NULL, NULL, NULL,
                                              &fut),
                          QM_SUCCESS);
    int st = -1;
    qm_future_wait(fut, &st);
    CU_ASSERT_EQUAL(qm_future_cancel(fut), QM_SUCCESS);
    st = -1;
    CU_ASSERT_EQUAL(qm_future_test(fut, &st), 1);
    CU_ASSERT_EQUAL(st, QM_SUCCESS);
    CU_ASSERT(qmt_same_bits(sync, async));
    qm_future_free(fut);
    free(in);
    qm_exec_free(ex);
}

/* Checks, from inside the callback, that wait has not returned yet. */
typedef struct order_check {
    cb_record rec;
    int waited; /* set by the test after qm_future_wait returned */
    int waited_seen_in_cb;
} order_check;

static void order_cb(qm_future *fut, int status, void *data)
{
    order_check *oc = data;
    /* give a wrongly ordered wait every chance to return first */
    sleep_ms(50);
    oc->waited_seen_in_cb = __atomic_load_n(&oc->waited, __ATOMIC_SEQ_CST);
    record_cb(fut, status, &oc->rec);
}

static void callback_runs_once_on_another_thread_before_wait_returns(void)
{
    const size_t n = 5000;
    qm_exec *ex = ex_par();
    double *in = wave_input(n);
    double *out = malloc(n * sizeof *out);
    CU_ASSERT_FATAL(ex && in && out);
    order_check oc = {{0}, 0, 0};
    qm_future *fut = NULL;
    CU_ASSERT_EQUAL_FATAL(qm_map_async(ex, map_wave, NULL, in, sizeof *in,
                                       out, sizeof *out, n, NULL, NULL,
                                       order_cb, &oc, &fut),
                          QM_SUCCESS);
    int st = -1;
    qm_future_wait(fut, &st);
    __atomic_store_n(&oc.waited, 1, __ATOMIC_SEQ_CST);
    CU_ASSERT_EQUAL(oc.rec.calls, 1);
    CU_ASSERT_EQUAL(oc.waited_seen_in_cb, 0);
    CU_ASSERT_EQUAL(oc.rec.status, st);
    CU_ASSERT_PTR_EQUAL(oc.rec.fut, fut);
    CU_ASSERT(!pthread_equal(oc.rec.thread, pthread_self()));
    qm_future_free(fut);
    CU_ASSERT_EQUAL(oc.rec.calls, 1); /* free does not call it again */

    /* the same for an integration, with a failing integrand's status */
    cb_record rec = {0};
    const qm_rule rule = {QM_RULE_LEFT, 0};
    qm_result res;
    CU_ASSERT_EQUAL_FATAL(qm_integrate_async(ex, qm_builtin_find("sqrt")->fn,
                                             NULL, 0.0, 1.0, 1000, &rule, &res,
                                             record_cb, &rec, &fut),
                          QM_SUCCESS);
    qm_future_free(fut); /* free waits */
    CU_ASSERT_EQUAL(rec.calls, 1);
    CU_ASSERT_EQUAL(rec.status, QM_SUCCESS);
    CU_ASSERT(!pthread_equal(rec.thread, pthread_self()));
    free(in);
    free(out);
    qm_exec_free(ex);
}

#define INFLIGHT 32

/* Each submission blocks its first call until all INFLIGHT submissions are
 * inside their map function (bounded: at most 20 s), and records how many
 * it saw at once. */
typedef struct inflight {
    int entered;   /* atomic: submissions that reached their first call */
    int max_seen;  /* atomic */
} inflight;

typedef struct sub {
    inflight *shared;
    int first_done; /* atomic */
    double k;
} sub;

static int map_scaled_index(qm_task *t, void *data)
{
    sub *s = data;
    if (!__atomic_exchange_n(&s->first_done, 1, __ATOMIC_SEQ_CST)) {
        int now = __atomic_add_fetch(&s->shared->entered, 1, __ATOMIC_SEQ_CST);
        for (int waited = 0; now < INFLIGHT && waited < 20000; waited++) {
            sleep_ms(1);
            now = __atomic_load_n(&s->shared->entered, __ATOMIC_SEQ_CST);
        }
        int m = __atomic_load_n(&s->shared->max_seen, __ATOMIC_SEQ_CST);
        while (now > m && !__atomic_compare_exchange_n(&s->shared->max_seen,
                                                       &m, now, 0,
                                                       __ATOMIC_SEQ_CST,
                                                       __ATOMIC_SEQ_CST))
            ;
    }
    double *out = t->out;
    for (size_t i = 0; i < t->n; i++)
        out[i] = s->k * (double)(t->first + i);
    return 0;
}

static void thirty_two_submissions_in_flight_all_complete_correctly(void)
{
    const size_t n = 20000;
    qm_exec *ex = qmt_serial(); /* 32 threads, not 32 teams, on 2 cores */
    CU_ASSERT_FATAL(ex != NULL);
    inflight shared = {0, 0};
    sub subs[INFLIGHT];
    double results[INFLIGHT];
    qm_future *futs[INFLIGHT];
    cb_record recs[INFLIGHT];
    memset(recs, 0, sizeof recs);
    alarm(GUARD_CANCEL_S);
    for (int k = 0; k < INFLIGHT; k++) {
        subs[k] = (sub){&shared, 0, (double)(k + 1)};
        results[k] = NAN;
        CU_ASSERT_EQUAL_FATAL(qm_map_reduce_async(ex, map_scaled_index,
                                                  &subs[k], NULL, 0, n,
                                                  QM_REDUCE_SUM, NULL,
                                                  &results[k], NULL,
                                                  record_cb, &recs[k],
                                                  &futs[k]),
                              QM_SUCCESS);
    }
    /* k * sum_{i<n} i, exact in doubles */
    const double base = (double)n * (double)(n - 1) / 2.0;
    for (int k = 0; k < INFLIGHT; k++) {
        int st = -1;
        qm_future_wait(futs[k], &st);
        CU_ASSERT_EQUAL(st, QM_SUCCESS);
        QMT_CHECK(results[k] == base * (k + 1), "submission %d: %.17g", k,
                  results[k]);
        CU_ASSERT_EQUAL(recs[k].calls, 1);
        qm_future_free(futs[k]);
    }
    alarm(GUARD_ALL_S);
    QMT_CHECK(shared.max_seen == INFLIGHT,
              "at most %d of %d submissions were in flight at once",
              shared.max_seen, INFLIGHT);
    qm_exec_free(ex);
}

static void async_invalid_arguments_give_einval(void)
{
    qm_exec *ex = qmt_serial();
    CU_ASSERT_FATAL(ex != NULL);
    double out[4], r;
    const qm_rule rule = {QM_RULE_MIDPOINT, 0}, bad_rule = {QM_RULE_GAUSS, 0};
    const qm_builtin *bi = qm_builtin_find("x2");
    qm_result res;
    qm_future *fut = (qm_future *)&r; /* must be reset to NULL */

    CU_ASSERT_EQUAL(qm_map_async(ex, map_wave, NULL, out, 8, out, 8, 4, NULL,
                                 NULL, NULL, NULL, NULL), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_map_async(NULL, map_wave, NULL, out, 8, out, 8, 4, NULL,
                                 NULL, NULL, NULL, &fut), QM_EINVAL);
    CU_ASSERT_PTR_NULL(fut);
    CU_ASSERT_EQUAL(qm_map_async(ex, NULL, NULL, out, 8, out, 8, 4, NULL, NULL,
                                 NULL, NULL, &fut), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_map_reduce_async(ex, map_wave, NULL, out, 8, 4,
                                        QM_REDUCE_SUM, NULL, NULL, NULL, NULL,
                                        NULL, &fut), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_map_reduce_async(NULL, map_wave, NULL, out, 8, 4,
                                        QM_REDUCE_SUM, NULL, &r, NULL, NULL,
                                        NULL, &fut), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_map_reduce_async(ex, map_wave, NULL, out, 8, 4,
                                        (qm_reduce_op)99, NULL, &r, NULL, NULL,
                                        NULL, &fut), QM_EINVAL);
    CU_ASSERT_PTR_NULL(fut);
    /* what only the kernel checks comes back through the future */
    CU_ASSERT_EQUAL_FATAL(qm_map_async(ex, map_wave, NULL, out, 0, out, 8, 4,
                                       NULL, NULL, NULL, NULL, &fut),
                          QM_SUCCESS);
    int kst = -1;
    qm_future_wait(fut, &kst);
    CU_ASSERT_EQUAL(kst, QM_EINVAL);
    qm_future_free(fut);
    fut = (qm_future *)&r;
    CU_ASSERT_EQUAL(qm_integrate_async(ex, bi->fn, NULL, 0, 1, 10, &rule, &res,
                                       NULL, NULL, NULL), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_integrate_async(NULL, bi->fn, NULL, 0, 1, 10, &rule,
                                       &res, NULL, NULL, &fut), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_integrate_async(ex, NULL, NULL, 0, 1, 10, &rule, &res,
                                       NULL, NULL, &fut), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_integrate_async(ex, bi->fn, NULL, 0, 1, 0, &rule, &res,
                                       NULL, NULL, &fut), QM_EINVAL);
    CU_ASSERT(isnan(res.value)); /* written as by qm_integrate */
    CU_ASSERT_EQUAL(qm_integrate_async(ex, bi->fn, NULL, 0, INFINITY, 10,
                                       &rule, &res, NULL, NULL, &fut),
                    QM_EINVAL);
    CU_ASSERT_EQUAL(qm_integrate_async(ex, bi->fn, NULL, 0, 1, 10, &bad_rule,
                                       &res, NULL, NULL, &fut), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_integrate_async(ex, bi->fn, NULL, 0, 1, 10, NULL, &res,
                                       NULL, NULL, &fut), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_integrate_async(ex, bi->fn, NULL, 0, 1, 10, &rule, NULL,
                                       NULL, NULL, &fut), QM_EINVAL);
    CU_ASSERT_PTR_NULL(fut);

    int st = 12345;
    CU_ASSERT_EQUAL(qm_future_wait(NULL, &st), QM_EINVAL);
    CU_ASSERT(qm_future_test(NULL, &st) < 0);
    CU_ASSERT_EQUAL(st, 12345);
    CU_ASSERT_EQUAL(qm_future_cancel(NULL), QM_EINVAL);
    qm_future_free(NULL);
    qm_exec_free(ex);
}

/* ------------------------------------------------------------ pool */

static void sleep_200ms_task_counted_body(int *sleeping, int *max_sleeping)
{
    int now = __atomic_add_fetch(sleeping, 1, __ATOMIC_SEQ_CST);
    int m = __atomic_load_n(max_sleeping, __ATOMIC_SEQ_CST);
    while (now > m && !__atomic_compare_exchange_n(max_sleeping, &m, now, 0,
                                                   __ATOMIC_SEQ_CST,
                                                   __ATOMIC_SEQ_CST))
        ;
    sleep_ms(200);
    __atomic_sub_fetch(sleeping, 1, __ATOMIC_SEQ_CST);
}

static int sleeping_now, sleeping_max;

static int sleep_200ms_task(void *arg)
{
    (void)arg;
    sleep_200ms_task_counted_body(&sleeping_now, &sleeping_max);
    return 0;
}

static void five_sleeping_tasks_overlap_on_five_workers(void)
{
    qm_pool *pool = NULL;
    CU_ASSERT_EQUAL_FATAL(qm_pool_new(&pool, 5), QM_SUCCESS);
    CU_ASSERT_EQUAL(qm_pool_workers(pool), 5);
    sleeping_now = sleeping_max = 0;
    qm_future *futs[5];
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL_FATAL(qm_pool_submit(pool, sleep_200ms_task, NULL,
                                             NULL, NULL, &futs[i]),
                              QM_SUCCESS);
    for (int i = 0; i < 5; i++) {
        int st = -1;
        qm_future_wait(futs[i], &st);
        CU_ASSERT_EQUAL(st, QM_SUCCESS);
        qm_future_free(futs[i]);
    }
    /* all five were asleep at the same moment: the pool overlapped them */
    QMT_CHECK(sleeping_max == 5, "at most %d tasks slept at once",
              sleeping_max);
    CU_ASSERT_EQUAL(sleeping_now, 0);
    qm_pool_free(pool);
}

typedef struct fifo_log {
    pthread_mutex_t lock;
    int order[64];
    int count;
} fifo_log;

typedef struct fifo_arg {
    fifo_log *log;
    int id;
} fifo_arg;

static int fifo_task(void *arg)
{
    fifo_arg *a = arg;
    pthread_mutex_lock(&a->log->lock);
    a->log->order[a->log->count++] = a->id;
    pthread_mutex_unlock(&a->log->lock);
    return a->id;
}

static void one_worker_runs_tasks_in_fifo_order_and_futures_report_statuses(void)
{
    qm_pool *pool = NULL;
    CU_ASSERT_EQUAL_FATAL(qm_pool_new(&pool, 1), QM_SUCCESS);
    fifo_log log = {PTHREAD_MUTEX_INITIALIZER, {0}, 0};
    fifo_arg args[40];
    qm_future *futs[40];
    for (int i = 0; i < 40; i++) {
        args[i] = (fifo_arg){&log, i};
        CU_ASSERT_EQUAL_FATAL(qm_pool_submit(pool, fifo_task, &args[i], NULL,
                                             NULL, &futs[i]),
                              QM_SUCCESS);
    }
    for (int i = 39; i >= 0; i--) { /* wait order does not matter */
        int st = -1;
        qm_future_wait(futs[i], &st);
        QMT_CHECK(st == i, "task %d reported %d", i, st);
        qm_future_free(futs[i]);
    }
    CU_ASSERT_EQUAL(log.count, 40);
    int in_order = 1;
    for (int i = 0; i < log.count; i++)
        in_order &= log.order[i] == i;
    CU_ASSERT(in_order);
    qm_pool_free(pool);
}

static int gated_task(void *arg)
{
    gate_pass(arg);
    return 7;
}

static int flag_task(void *arg)
{
    __atomic_store_n((int *)arg, 1, __ATOMIC_SEQ_CST);
    return 0;
}

static void cancel_of_a_queued_task_skips_it_and_calls_back(void)
{
    qm_pool *pool = NULL;
    CU_ASSERT_EQUAL_FATAL(qm_pool_new(&pool, 1), QM_SUCCESS);
    gate g = GATE_INIT;
    int ran = 0, ran_after = 0;
    cb_record rec = {0};
    qm_future *busy, *queued, *after;
    alarm(GUARD_CANCEL_S);
    CU_ASSERT_EQUAL_FATAL(qm_pool_submit(pool, gated_task, &g, NULL, NULL,
                                         &busy), QM_SUCCESS);
    gate_wait_arrived(&g, 1); /* the only worker is busy */
    CU_ASSERT_EQUAL_FATAL(qm_pool_submit(pool, flag_task, &ran, record_cb,
                                         &rec, &queued), QM_SUCCESS);
    CU_ASSERT_EQUAL_FATAL(qm_pool_submit(pool, flag_task, &ran_after, NULL,
                                         NULL, &after), QM_SUCCESS);
    CU_ASSERT_EQUAL(qm_future_cancel(queued), QM_SUCCESS);
    CU_ASSERT_EQUAL(qm_future_test(queued, NULL), 0); /* still queued */
    gate_open(&g);
    int st = -1;
    qm_future_wait(queued, &st);
    CU_ASSERT_EQUAL(st, QM_ECANCELED);
    CU_ASSERT_EQUAL(ran, 0);
    CU_ASSERT_EQUAL(rec.calls, 1);
    CU_ASSERT_EQUAL(rec.status, QM_ECANCELED);
    CU_ASSERT(!pthread_equal(rec.thread, pthread_self()));
    qm_future_wait(after, &st); /* the task behind it still runs */
    CU_ASSERT_EQUAL(st, QM_SUCCESS);
    CU_ASSERT_EQUAL(ran_after, 1);
    qm_future_wait(busy, &st);
    CU_ASSERT_EQUAL(st, 7);
    alarm(GUARD_ALL_S);
    qm_future_free(busy);
    qm_future_free(queued);
    qm_future_free(after);
    qm_pool_free(pool);
}

static void cancel_of_a_running_task_has_no_effect(void)
{
    qm_pool *pool = NULL;
    CU_ASSERT_EQUAL_FATAL(qm_pool_new(&pool, 2), QM_SUCCESS);
    gate g = GATE_INIT;
    cb_record rec = {0};
    qm_future *fut;
    CU_ASSERT_EQUAL_FATAL(qm_pool_submit(pool, gated_task, &g, record_cb, &rec,
                                         &fut), QM_SUCCESS);
    gate_wait_arrived(&g, 1);
    qm_future_cancel(fut);
    gate_open(&g);
    int st = -1;
    qm_future_wait(fut, &st);
    CU_ASSERT_EQUAL(st, 7);
    CU_ASSERT_EQUAL(rec.calls, 1);
    CU_ASSERT_EQUAL(rec.status, 7);
    CU_ASSERT_PTR_EQUAL(rec.fut, fut);
    CU_ASSERT(!pthread_equal(rec.thread, pthread_self()));
    qm_future_free(fut);
    qm_pool_free(pool);
}

static int count_task(void *arg)
{
    sleep_ms(2);
    __atomic_add_fetch((int *)arg, 1, __ATOMIC_SEQ_CST);
    return 0;
}

static void pool_free_runs_every_queued_task(void)
{
    enum { NTASKS = 30 };
    qm_pool *pool = NULL;
    CU_ASSERT_EQUAL_FATAL(qm_pool_new(&pool, 2), QM_SUCCESS);
    int count = 0;
    cb_record recs[NTASKS];
    memset(recs, 0, sizeof recs);
    qm_future *futs[NTASKS];
    for (int i = 0; i < NTASKS; i++)
        CU_ASSERT_EQUAL_FATAL(qm_pool_submit(pool, count_task, &count,
                                             record_cb, &recs[i], &futs[i]),
                              QM_SUCCESS);
    qm_pool_free(pool); /* most tasks are still queued here */
    CU_ASSERT_EQUAL(count, NTASKS);
    for (int i = 0; i < NTASKS; i++) {
        int st = -1;
        /* futures outlive the pool */
        CU_ASSERT_EQUAL(qm_future_test(futs[i], &st), 1);
        CU_ASSERT_EQUAL(st, QM_SUCCESS);
        CU_ASSERT_EQUAL(recs[i].calls, 1);
        qm_future_free(futs[i]);
    }
}

static void pool_invalid_arguments_give_einval(void)
{
    qm_pool *pool = (qm_pool *)&pool;
    CU_ASSERT_EQUAL(qm_pool_new(NULL, 1), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_pool_new(&pool, 0), QM_EINVAL);
    CU_ASSERT_PTR_NULL(pool);
    CU_ASSERT_EQUAL(qm_pool_new(&pool, -3), QM_EINVAL);
    CU_ASSERT_EQUAL(qm_pool_new(&pool, 4097), QM_EINVAL);
    CU_ASSERT_EQUAL_FATAL(qm_pool_new(&pool, 1), QM_SUCCESS);
    int x = 0;
    qm_future *fut = (qm_future *)&x;
    CU_ASSERT_EQUAL(qm_pool_submit(NULL, flag_task, &x, NULL, NULL, &fut),
                    QM_EINVAL);
    CU_ASSERT_PTR_NULL(fut);
    CU_ASSERT_EQUAL(qm_pool_submit(pool, NULL, &x, NULL, NULL, &fut),
                    QM_EINVAL);
    CU_ASSERT_EQUAL(qm_pool_submit(pool, flag_task, &x, NULL, NULL, NULL),
                    QM_EINVAL);
    CU_ASSERT_EQUAL(qm_pool_workers(NULL), 0);
    qm_pool_free(pool);
    qm_pool_free(NULL);
    CU_ASSERT_EQUAL(x, 0);
}

/* ------------------------------------------------------------ main */

int main(void)
{
    alarm(GUARD_ALL_S);
    QMT_INIT_REGISTRY();
    CU_pSuite s;

    s = qmt_suite("async results");
    QMT_ADD(s, map_async_gives_the_same_bits_as_map);
    QMT_ADD(s, map_reduce_async_gives_the_same_bits_as_map_reduce);
    QMT_ADD(s, integrate_async_gives_the_same_bits_as_integrate);
    QMT_ADD(s, executor_may_be_freed_after_submission);
    QMT_ADD(s, map_failure_is_reported_through_the_future);

    s = qmt_suite("futures");
    QMT_ADD(s, test_reports_running_then_done_and_wait_returns_status);
    QMT_ADD(s, cancel_stops_a_long_map_with_ecanceled);
    QMT_ADD(s, cancel_stops_a_long_integration_with_ecanceled);
    QMT_ADD(s, cancel_after_completion_keeps_the_status_and_results);
    QMT_ADD(s, callback_runs_once_on_another_thread_before_wait_returns);
    QMT_ADD(s, thirty_two_submissions_in_flight_all_complete_correctly);
    QMT_ADD(s, async_invalid_arguments_give_einval);

    s = qmt_suite("blocking-task pool");
    QMT_ADD(s, five_sleeping_tasks_overlap_on_five_workers);
    QMT_ADD(s, one_worker_runs_tasks_in_fifo_order_and_futures_report_statuses);
    QMT_ADD(s, cancel_of_a_queued_task_skips_it_and_calls_back);
    QMT_ADD(s, cancel_of_a_running_task_has_no_effect);
    QMT_ADD(s, pool_free_runs_every_queued_task);
    QMT_ADD(s, pool_invalid_arguments_give_einval);

    return qmt_run();
}
