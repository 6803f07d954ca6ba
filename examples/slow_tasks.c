/*
 * Lesson: tasks that *wait* (sleep, disk, network) do not need cores, they
 * need threads.  Five one-second tasks take five seconds one after the
 * other, and about one second on a pool of five worker threads -- even on a
 * machine with fewer than five cores, because a sleeping thread uses no CPU.
 *
 * "Use threads for I/O, processes for CPU" is Python advice: there the GIL
 * lets only one thread run Python code at a time, so threads help only while
 * they wait.  C has no GIL.  In C/HPC terms:
 *   - waiting (I/O-bound) work: a blocking-task pool (qm_pool), more workers
 *     than cores if that many tasks wait at once;
 *   - computing (CPU-bound) work: OpenMP threads (quadmap's executors), one
 *     per core, sharing memory -- they do run in parallel;
 *   - more cores or memory than one machine has: MPI ranks, which are
 *     separate processes, possibly on other machines, that exchange
 *     messages (quadmap_mpi.h).
 *
 * Run: ./slow_tasks [seconds per task]     (default 1; tests use 0.2)
 * Prints both times and the speedup; exits 1 if the pool did not run the
 * five tasks at the same time.  Overlap is measured directly (how many tasks
 * were asleep at once), not inferred from the times, which a loaded machine
 * can stretch.
 */
#include "quadmap_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NTASKS 5

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* How many tasks are asleep right now, and the most ever seen at once. */
static int asleep, max_asleep;

/* The "slow" task: stands for a download, a query, a file read. */
static int slow_task(void *arg)
{
    const double seconds = *(const double *)arg;
    int inside = __atomic_add_fetch(&asleep, 1, __ATOMIC_SEQ_CST);
    int seen = __atomic_load_n(&max_asleep, __ATOMIC_SEQ_CST);
    while (inside > seen
           && !__atomic_compare_exchange_n(&max_asleep, &seen, inside, 0,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
    struct timespec t;
    t.tv_sec = (time_t)seconds;
    t.tv_nsec = (long)((seconds - (double)t.tv_sec) * 1e9);
    while (nanosleep(&t, &t) != 0) /* resume after a signal */
        ;
    __atomic_sub_fetch(&asleep, 1, __ATOMIC_SEQ_CST);
    return 0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? strtod(argv[1], NULL) : 1.0;
    if (!(seconds > 0.0 && seconds <= 60.0)) {
        fprintf(stderr, "slow_tasks: seconds per task must be in (0, 60]\n");
        return 2;
    }

    /* 1. one after the other */
    double t0 = now();
    for (int i = 0; i < NTASKS; i++)
        slow_task(&seconds);
    const double t_seq = now() - t0;
    const int seq_overlap = max_asleep;
    printf("sequential  : %d tasks of %.2f s in %.2f s (at most %d asleep at once)\n",
           NTASKS, seconds, t_seq, seq_overlap);

    /* 2. a pool of five workers: submit all five, then wait for them */
    qm_pool *pool;
    int st = qm_pool_new(&pool, NTASKS);
    if (st != QM_SUCCESS) {
        fprintf(stderr, "slow_tasks: %s\n", qm_strerror(st));
        return 1;
    }
    max_asleep = 0;
    qm_future *fut[NTASKS];
    int failed = 0;
    t0 = now();
    for (int i = 0; i < NTASKS; i++) {
        st = qm_pool_submit(pool, slow_task, &seconds, NULL, NULL, &fut[i]);
        if (st != QM_SUCCESS) { /* cannot happen with valid arguments */
            fprintf(stderr, "slow_tasks: %s\n", qm_strerror(st));
            return 1;
        }
    }
    for (int i = 0; i < NTASKS; i++) {
        int task_status;
        qm_future_wait(fut[i], &task_status);
        failed |= task_status != QM_SUCCESS;
        qm_future_free(fut[i]);
    }
    const double t_pool = now() - t0;
    qm_pool_free(pool);
    printf("pool (%d workers): %d tasks of %.2f s in %.2f s (at most %d asleep at once)\n",
           NTASKS, NTASKS, seconds, t_pool, max_asleep);
    printf("speedup     : %.2fx\n", t_seq / t_pool);

    const int overlapped = max_asleep == NTASKS;
    printf("overlap     : %s\n", overlapped ? "yes, all tasks slept at the same time"
                                            : "NO");
    return overlapped && !failed && seq_overlap == 1 ? 0 : 1;
}
