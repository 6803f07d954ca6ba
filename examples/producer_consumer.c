/*
 * Lesson: producer/consumer with a bounded queue.
 *
 * One producer puts items into a queue of fixed capacity; several consumers
 * take them out.  The queue is a ring buffer guarded by one mutex and two
 * condition variables:
 *   not_full  -- the producer waits on it while the queue is full (this is
 *                the back-pressure that keeps memory bounded);
 *   not_empty -- consumers wait on it while the queue is empty.
 * A condition variable is always waited on in a loop (`while`, not `if`):
 * wake-ups can be spurious, and another consumer may have taken the item.
 *
 * Stopping: after the last item the producer puts one "poison pill" per
 * consumer; a consumer that takes a pill stops.  Each consumer takes exactly
 * one pill, because it stops right after it.
 *
 * The consumers are tasks on quadmap's blocking-task pool: they spend their
 * time waiting on the queue, which is what the pool's threads are for.
 *
 * Check: every item is consumed exactly once (exit 1 otherwise).
 * Run: ./producer_consumer [items] [consumers]   (default 10000 4)
 */
#include "quadmap_map.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define CAPACITY 16
#define POISON (-1L)

typedef struct queue {
    long items[CAPACITY];
    size_t head, count;
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
} queue;

static void queue_put(queue *q, long item)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == CAPACITY)
        pthread_cond_wait(&q->not_full, &q->lock);
    q->items[(q->head + q->count) % CAPACITY] = item;
    q->count++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

static long queue_get(queue *q)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == 0)
        pthread_cond_wait(&q->not_empty, &q->lock);
    const long item = q->items[q->head];
    q->head = (q->head + 1) % CAPACITY;
    q->count--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->lock);
    return item;
}

typedef struct consumer {
    queue *q;
    int *seen;      /* seen[item]: how many times the item was consumed */
    long consumed;  /* items this consumer took (pill excluded) */
} consumer;

static int consume(void *arg)
{
    consumer *c = arg;
    for (;;) {
        const long item = queue_get(c->q);
        if (item == POISON)
            return 0;
        /* several consumers may update seen[] at once (different items, or
         * the same one if the queue were wrong): count atomically */
        __atomic_add_fetch(&c->seen[item], 1, __ATOMIC_RELAXED);
        c->consumed++;
    }
}

int main(int argc, char **argv)
{
    const long nitems = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
    const int nconsumers = argc > 2 ? atoi(argv[2]) : 4;
    if (nitems < 1 || nconsumers < 1 || nconsumers > 1024) {
        fprintf(stderr, "producer_consumer: items >= 1, 1 <= consumers <= 1024\n");
        return 2;
    }

    queue q = {.head = 0, .count = 0};
    pthread_mutex_init(&q.lock, NULL);
    pthread_cond_init(&q.not_full, NULL);
    pthread_cond_init(&q.not_empty, NULL);
    int *seen = calloc((size_t)nitems, sizeof *seen);
    consumer *cons = calloc((size_t)nconsumers, sizeof *cons);
    qm_future **fut = calloc((size_t)nconsumers, sizeof *fut);
    qm_pool *pool = NULL;
    int st = seen && cons && fut ? qm_pool_new(&pool, nconsumers) : QM_ENOMEM;
    if (st != QM_SUCCESS) {
        fprintf(stderr, "producer_consumer: %s\n", qm_strerror(st));
        return 1;
    }

    for (int c = 0; c < nconsumers; c++) {
        cons[c] = (consumer){&q, seen, 0};
        qm_pool_submit(pool, consume, &cons[c], NULL, NULL, &fut[c]);
    }

    /* the producer: this thread */
    for (long i = 0; i < nitems; i++)
        queue_put(&q, i);
    for (int c = 0; c < nconsumers; c++)
        queue_put(&q, POISON);

    long consumed = 0;
    for (int c = 0; c < nconsumers; c++) {
        qm_future_free(fut[c]); /* waits for the consumer to stop */
        printf("consumer %d: %ld items\n", c, cons[c].consumed);
        consumed += cons[c].consumed;
    }
    qm_pool_free(pool);

    long missing = 0, duplicated = 0;
    for (long i = 0; i < nitems; i++) {
        missing += seen[i] == 0;
        duplicated += seen[i] > 1;
    }
    printf("produced %ld items, consumed %ld items, %d poison pills\n", nitems,
           consumed, nconsumers);
    printf("every item consumed exactly once: %s (missing %ld, duplicated %ld)\n",
           missing == 0 && duplicated == 0 && consumed == nitems ? "yes" : "NO",
           missing, duplicated);

    const int ok = missing == 0 && duplicated == 0 && consumed == nitems;
    free(seen);
    free(cons);
    free(fut);
    pthread_cond_destroy(&q.not_empty);
    pthread_cond_destroy(&q.not_full);
    pthread_mutex_destroy(&q.lock);
    return ok ? 0 : 1;
}
