/*
 * Lesson: a shared counter incremented by several threads without
 * synchronization loses updates.  `counter++` is three steps -- load, add,
 * store -- and two threads that load the same value both store value + 1:
 * one increment is lost.  Three ways to count N events on W workers:
 *
 *   1. unsynchronized  wrong (usually): updates are lost.
 *   2. a mutex         right, slow: every increment waits for the lock, and
 *                      the workers take turns instead of running in parallel.
 *   3. an atomic add   right (__atomic_fetch_add, or `omp atomic`): a
 *                      lighter lock, but all workers still fight over the
 *                      one cache line that holds the counter.
 *   4. a reduction     right and the fastest of the right ones: every worker
 *                      counts privately and the partial counts are combined
 *                      once at the end (qm_map_reduce; its sums are exact
 *                      and reproducible).  Nothing is shared, nothing waits.
 *
 * The shared counter here is a plain C variable, and OpenMP threads really
 * run at the same time on different cores (C has no GIL to serialize them),
 * so the race is real.  Strictly, case 1 is a data race, which is undefined
 * behaviour in C; `volatile` keeps the compiler from merging the loads and
 * stores so that the lost updates show what the hardware does.  Never write
 * this outside a lesson.
 *
 * Lost updates are likely but not certain (on a machine with one free core
 * the workers may never overlap): they are printed, not required.  The exit
 * status is 1 if the mutex, atomic or reduction count is wrong.
 *
 * Run: ./race_condition [increments] [workers]   (default 1000000 4)
 */
#include "quadmap_map.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct shared {
    volatile long counter;
    pthread_mutex_t lock;
} shared;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* 1. read-modify-write with a window between the read and the write */
static int add_unsafe(qm_task *t, void *data)
{
    shared *s = data;
    for (size_t i = 0; i < t->n; i++) {
        long seen = s->counter; /* another worker may store here ... */
        s->counter = seen + 1;  /* ... and this store overwrites it */
    }
    return 0;
}

/* 2. the same under a lock */
static int add_locked(qm_task *t, void *data)
{
    shared *s = data;
    for (size_t i = 0; i < t->n; i++) {
        pthread_mutex_lock(&s->lock);
        s->counter = s->counter + 1;
        pthread_mutex_unlock(&s->lock);
    }
    return 0;
}

/* 3. one indivisible read-modify-write per increment */
static int add_atomic(qm_task *t, void *data)
{
    shared *s = data;
    for (size_t i = 0; i < t->n; i++)
        __atomic_fetch_add(&s->counter, 1, __ATOMIC_RELAXED);
    return 0;
}

/* 4. each element contributes 1 to a private partial sum; nothing shared */
static int one_each(qm_task *t, void *data)
{
    (void)data;
    double *out = t->out; /* a scratch array owned by this worker */
    for (size_t i = 0; i < t->n; i++)
        out[i] = 1.0;
    return 0;
}

static void report(const char *how, long count, long expected, double secs)
{
    if (count == expected)
        printf("%-15s: counter = %ld (correct)  %.4f s\n", how, count, secs);
    else
        printf("%-15s: counter = %ld (lost %ld updates)  %.4f s\n", how,
               count, expected - count, secs);
}

int main(int argc, char **argv)
{
    const long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    const int workers = argc > 2 ? atoi(argv[2]) : 4;
    if (n < 1 || workers < 1) {
        fprintf(stderr, "race_condition: increments and workers must be >= 1\n");
        return 2;
    }

    qm_exec *ex;
    int st = qm_exec_new(&ex, QM_BACKEND_DEFAULT);
    if (st == QM_SUCCESS && qm_exec_backend(ex) == QM_BACKEND_OPENMP)
        st = qm_exec_set_threads(ex, workers);
    if (st != QM_SUCCESS) {
        fprintf(stderr, "race_condition: %s\n", qm_strerror(st));
        return 1;
    }
    printf("workers: %d, increments: %ld\n", qm_exec_threads(ex), n);
    if (qm_exec_threads(ex) < 2)
        printf("note: one worker (no OpenMP): nothing can race\n");

    shared s;
    s.counter = 0;
    pthread_mutex_init(&s.lock, NULL);

    /* start the worker threads once, so that they all run the first race
     * from its beginning rather than joining it late */
    st = qm_for(ex, add_locked, &s, (size_t)qm_exec_threads(ex), NULL, NULL);
    s.counter = 0;

    /* 1. unsynchronized */
    double t0 = now();
    if (st == QM_SUCCESS)
        st = qm_for(ex, add_unsafe, &s, (size_t)n, NULL, NULL);
    double t = now() - t0;
    const long unsafe = s.counter;
    report("unsynchronized", unsafe, n, t);

    /* 2. mutex */
    s.counter = 0;
    t0 = now();
    if (st == QM_SUCCESS)
        st = qm_for(ex, add_locked, &s, (size_t)n, NULL, NULL);
    t = now() - t0;
    const long locked = s.counter;
    report("mutex", locked, n, t);

    /* 3. atomic */
    s.counter = 0;
    t0 = now();
    if (st == QM_SUCCESS)
        st = qm_for(ex, add_atomic, &s, (size_t)n, NULL, NULL);
    t = now() - t0;
    const long atomic = s.counter;
    report("atomic", atomic, n, t);

    /* 4. reduction */
    double sum = 0.0;
    t0 = now();
    if (st == QM_SUCCESS)
        st = qm_map_reduce(ex, one_each, NULL, NULL, 0, (size_t)n,
                           QM_REDUCE_SUM, NULL, &sum, NULL);
    t = now() - t0;
    const long reduced = (long)sum;
    report("reduction", reduced, n, t);

    pthread_mutex_destroy(&s.lock);
    qm_exec_free(ex);
    if (st != QM_SUCCESS) {
        fprintf(stderr, "race_condition: %s\n", qm_strerror(st));
        return 1;
    }
    printf("lost updates without synchronization: %s\n",
           unsafe < n ? "yes" : "none this time (the race is still there)");
    return locked == n && atomic == n && reduced == n ? 0 : 1;
}
