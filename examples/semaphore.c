/*
 * Lesson: a counting semaphore limits how many threads are inside a section
 * at once -- e.g. at most 3 simultaneous connections to a server, or 3
 * concurrent readers of a slow disk -- while the others wait their turn.
 *
 * A POSIX semaphore (sem_t) starting at 3: sem_wait takes a slot (blocking
 * while none is free), sem_post gives it back.  Ten workers of quadmap's
 * blocking-task pool each enter the section once and stay there a while
 * (a sleep standing for the slow resource).  A counter of workers inside,
 * updated atomically, records the most ever seen at once.
 *
 * Check: that maximum must be <= 3 (exit 1 otherwise), and should reach 3:
 * ten workers compete for three slots.  (On a very loaded machine a worker
 * could leave before the third one arrives; that is reported, not failed.)
 *
 * Unnamed semaphores (sem_init) are Linux/POSIX; on macOS use
 * dispatch_semaphore or a mutex and a condition variable.
 *
 * Run: ./semaphore [seconds inside]     (default 0.1)
 */
#include "quadmap_map.h"

#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define LIMIT 3
#define WORKERS 10

static sem_t slots;
static int inside, max_inside;
static double hold_seconds = 0.1;

static int use_resource(void *arg)
{
    const int id = (int)(size_t)arg;
    while (sem_wait(&slots) != 0) /* EINTR: try again */
        ;
    int now = __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
    int seen = __atomic_load_n(&max_inside, __ATOMIC_SEQ_CST);
    while (now > seen
           && !__atomic_compare_exchange_n(&max_inside, &seen, now, 0,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
    printf("worker %d enters (%d inside)\n", id, now);
    struct timespec t;
    t.tv_sec = (time_t)hold_seconds;
    t.tv_nsec = (long)((hold_seconds - (double)t.tv_sec) * 1e9);
    while (nanosleep(&t, &t) != 0)
        ;
    __atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
    sem_post(&slots);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        hold_seconds = strtod(argv[1], NULL);
    if (!(hold_seconds >= 0.0 && hold_seconds <= 10.0)) {
        fprintf(stderr, "semaphore: seconds inside must be in [0, 10]\n");
        return 2;
    }
    /* stdout is shared by the workers: line-buffer it so lines stay whole */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (sem_init(&slots, 0, LIMIT) != 0) {
        perror("semaphore: sem_init");
        return 1;
    }
    qm_pool *pool;
    int st = qm_pool_new(&pool, WORKERS);
    if (st != QM_SUCCESS) {
        fprintf(stderr, "semaphore: %s\n", qm_strerror(st));
        return 1;
    }
    qm_future *fut[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        qm_pool_submit(pool, use_resource, (void *)(size_t)i, NULL, NULL,
                       &fut[i]);
    for (int i = 0; i < WORKERS; i++)
        qm_future_free(fut[i]);
    qm_pool_free(pool);
    sem_destroy(&slots);

    printf("max inside at once: %d (limit %d, %d workers)\n", max_inside,
           LIMIT, WORKERS);
    printf("limit respected: %s\n", max_inside <= LIMIT ? "yes" : "NO");
    printf("limit reached: %s\n",
           max_inside == LIMIT ? "yes" : "no (a loaded machine?)");
    return max_inside <= LIMIT ? 0 : 1;
}
