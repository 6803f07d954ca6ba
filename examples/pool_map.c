/*
 * Lesson: a parallel map with a chunk size, synchronous and asynchronous --
 * Python's Pool(5).map(square, range(1, 15), chunksize=3) and
 * Pool.map_async(..., callback=...) in C.
 *
 * qm_map cuts the 14 elements into chunks of 3 (the last one has 2), hands
 * the chunks to 5 OpenMP workers and writes the results in input order,
 * whichever worker computed them.  Bigger chunks mean fewer hand-outs (less
 * overhead), smaller ones a better balance when elements cost unevenly.
 *
 * qm_map_async returns at once with a future; the map runs on a thread of
 * its own, and the callback runs on that thread when the map is done, before
 * qm_future_wait returns.  Meanwhile the caller is free to do other work.
 *
 * Unlike Python's process pool, the workers are threads sharing memory: the
 * input and output arrays are not copied or pickled, and (no GIL) the
 * squares are really computed in parallel.
 *
 * Run: ./pool_map      Prints the list twice; exits 1 if a list is wrong.
 */
#include "quadmap_map.h"

#include <stdio.h>

#define N 14
#define CHUNK 3
#define WORKERS 5

/* which worker computed which chunk (for the printout only) */
static int chunk_worker[(N + CHUNK - 1) / CHUNK];

static int square(qm_task *t, void *data)
{
    (void)data;
    const long *in = t->in;
    long *out = t->out;
    for (size_t i = 0; i < t->n; i++)
        out[i] = in[i] * in[i];
    chunk_worker[t->first / CHUNK] = t->worker_id; /* one writer per chunk */
    return 0;
}

static void on_done(qm_future *fut, int status, void *data)
{
    (void)fut;
    (void)data;
    /* runs on the submission thread, before qm_future_wait returns */
    printf("callback: status %d\n", status);
}

/* Prints "[1, 4, 9, ...]"; returns 1 when every value is the square. */
static int print_list(const char *label, const long *in, const long *out)
{
    int ok = 1;
    printf("%s[", label);
    for (int i = 0; i < N; i++) {
        printf(i ? ", %ld" : "%ld", out[i]);
        ok &= out[i] == in[i] * in[i];
    }
    printf("]\n");
    return ok;
}

int main(void)
{
    long in[N], out[N];
    for (int i = 0; i < N; i++)
        in[i] = i + 1;

    qm_exec *ex;
    int st = qm_exec_new(&ex, QM_BACKEND_DEFAULT);
    if (st == QM_SUCCESS && qm_exec_backend(ex) == QM_BACKEND_OPENMP)
        st = qm_exec_set_threads(ex, WORKERS);
    if (st != QM_SUCCESS) {
        fprintf(stderr, "pool_map: %s\n", qm_strerror(st));
        return 1;
    }
    qm_map_opts opts = {0};
    opts.chunk = CHUNK;
    printf("%d workers, chunk size %d\n", qm_exec_threads(ex), CHUNK);

    /* synchronous */
    for (int i = 0; i < N; i++)
        out[i] = 0;
    st = qm_map(ex, square, NULL, in, sizeof in[0], out, sizeof out[0], N,
                &opts, NULL);
    int ok = st == QM_SUCCESS && print_list("map      : ", in, out);
    for (int c = 0; c < (N + CHUNK - 1) / CHUNK; c++)
        printf("  elements %2d..%2d on worker %d\n", c * CHUNK + 1,
               (c + 1) * CHUNK < N ? (c + 1) * CHUNK : N, chunk_worker[c]);

    /* asynchronous: submit, (do something else), wait */
    for (int i = 0; i < N; i++)
        out[i] = 0;
    qm_future *fut;
    st = qm_map_async(ex, square, NULL, in, sizeof in[0], out, sizeof out[0],
                      N, &opts, NULL, on_done, NULL, &fut);
    if (st != QM_SUCCESS) {
        fprintf(stderr, "pool_map: %s\n", qm_strerror(st));
        qm_exec_free(ex);
        return 1;
    }
    printf("submitted; waiting\n");
    int status;
    qm_future_wait(fut, &status);
    qm_future_free(fut);
    ok &= status == QM_SUCCESS && print_list("map_async: ", in, out);

    qm_exec_free(ex);
    return ok ? 0 : 1;
}
