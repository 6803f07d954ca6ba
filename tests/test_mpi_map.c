/*
 * Scatter/gather map kernels (qm_scatter_map, qm_scatter_map_reduce), run by
 * tests/mpi_check.sh under mpiexec at -np 1, 2, 3, 4 and 16.  Every rank
 * runs every test; only rank 0 prints, and the failure count is reduced with
 * MPI_MAX so that every rank exits with the same status.
 *
 * The reference is always the single-process kernel (qm_map /
 * qm_map_reduce) on the whole array, computed on every rank: outputs must be
 * equal byte for byte, reductions bit for bit, failures (status, index, user
 * status) exactly, on every rank, for both schedules.
 */
#include "test_mpi_common.h"

#include <limits.h>
#include <mpi.h>
#include <unistd.h>

#include "quadmap_mpi.h"

static int rank, size;

/* qm_scatter_map / qm_scatter_map_reduce on an MPI executor whose local
 * part is `local`'s (collective). */
static qm_exec *dist_of(const qm_exec *local)
{
    qm_exec *ex = NULL;
    if (qm_exec_new_mpi(&ex, MPI_COMM_WORLD, qm_exec_backend(local))
        != QM_SUCCESS)
        MPI_Abort(MPI_COMM_WORLD, 3);
    qm_exec_set_threads(ex, qm_exec_threads(local));
    qm_exec_set_schedule(ex, qm_exec_schedule(local), qm_exec_chunk(local));
    return ex;
}

static int smap(const qm_exec *local, qm_map_fn f, void *data,
                const void *in, size_t in_size, void *out, size_t out_size,
                size_t n, const qm_mpi_map_opts *opts, qm_map_result *mr)
{
    qm_exec *ex = dist_of(local);
    const int st = qm_scatter_map(ex, f, data, in, in_size, out, out_size, n,
                                  opts, mr);
    qm_exec_free(ex);
    return st;
}

static int smap_reduce(const qm_exec *local, qm_map_fn f, void *data,
                       const void *in, size_t in_size, size_t n,
                       qm_reduce_op op, const qm_mpi_map_opts *opts,
                       double *result, qm_map_result *mr)
{
    qm_exec *ex = dist_of(local);
    const int st = qm_scatter_map_reduce(ex, f, data, in, in_size, n, op,
                                         opts, result, mr);
    qm_exec_free(ex);
    return st;
}

/* Non-root ranks pass this as `in`: the library must never read it there. */
#define POISON ((const void *)(uintptr_t)0x10)

/* ----------------------------------------------------------- test data */

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

/* Byte j of input element i. */
static unsigned char in_byte(size_t i, size_t j)
{
    return (unsigned char)mix(i * 131 + j);
}

static unsigned char *make_input(size_t n, size_t in_size)
{
    unsigned char *in = malloc(n * in_size + 1);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < in_size; j++)
            in[i * in_size + j] = in_byte(i, j);
    return in;
}

/* What every map function call sees: sizes, and where it fails. */
typedef struct bytes_arg {
    size_t in_size, out_size;
    size_t fail_at[2];   /* global indices that fail (SIZE_MAX: none) */
    int fail_status[2];
    int fail_rank;       /* >= 0: fail (status 3) at every element, but only
                            when run on this rank; fail_at is then unused */
    int bad_input;       /* set (racy but only ever to 1) on a wrong input */
} bytes_arg;

/* out = hash of (global index, input bytes); checks that the input seen is
 * the one of that global index, so a misplaced share shows up. */
static int map_bytes(qm_task *t, void *data)
{
    bytes_arg *a = data;
    const unsigned char *in = t->in;
    unsigned char *out = t->out;
    for (size_t k = 0; k < t->n; k++) {
        const size_t i = t->first + k;
        if (a->fail_rank >= 0 && a->fail_rank == rank) {
            t->failed = k;
            return 3;
        }
        for (int q = 0; q < 2 && a->fail_rank < 0; q++)
            if (i == a->fail_at[q]) {
                t->failed = k;
                return a->fail_status[q];
            }
        uint64_t h = mix(i + 1);
        for (size_t j = 0; j < a->in_size; j++) {
            const unsigned char b = in ? in[k * a->in_size + j] : 0;
            if (in && b != in_byte(i, j))
                a->bad_input = 1;
            h = mix(h ^ b);
        }
        if (out)
            for (size_t j = 0; j < a->out_size; j++)
                out[k * a->out_size + j] = (unsigned char)mix(h + j);
    }
    return 0;
}

static bytes_arg arg_ok(size_t in_size, size_t out_size)
{
    bytes_arg a = {in_size, out_size, {SIZE_MAX, SIZE_MAX}, {0, 0}, -1, 0};
    return a;
}

/* Every rank holds the same bits of x, the same index and status. */
static int same_everywhere(double x, size_t idx, int st)
{
    int64_t v[3], lo[3], hi[3];
    memcpy(&v[0], &x, sizeof x);
    v[1] = (int64_t)idx;
    v[2] = st;
    MPI_Allreduce(v, lo, 3, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(v, hi, 3, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
    return memcmp(lo, hi, sizeof lo) == 0;
}

static const char *sched_name(qm_mpi_schedule s)
{
    return s == QM_MPI_DYNAMIC ? "dynamic" : "static";
}

/* --------------------------------------------------------------- maps */

/* qm_scatter_map against qm_map for one configuration. */
static void check_map(const qm_exec *local, size_t in_size, size_t out_size,
                      size_t n, int root, int gather_all, qm_mpi_schedule sch,
                      size_t chunk)
{
    qm_exec *serial = qmt_serial();
    unsigned char *in = make_input(n, in_size);
    unsigned char *ref = calloc(n * out_size + 1, 1);
    unsigned char *out = malloc(n * out_size + 1);
    memset(out, 0xAB, n * out_size + 1);
    bytes_arg a0 = arg_ok(in_size, out_size), a1 = a0;
    qm_map_result r0, r1 = {12345, 6};
    int s0 = qm_map(serial, map_bytes, &a0, in, in_size, ref, out_size, n,
                    NULL, &r0);
    qm_mpi_map_opts o;
    memset(&o, 0, sizeof o);
    o.root = root;
    o.gather_all = gather_all;
    o.schedule = sch;
    o.chunk = chunk;
    const int holds = rank == root || gather_all;
    int s1 = smap(local, map_bytes, &a1,
                        rank == root ? (const void *)in : POISON, in_size,
                        holds ? out : NULL, out_size, n, &o, &r1);
    QMT_CHECK(s0 == QM_SUCCESS && s1 == QM_SUCCESS,
              "n=%zu sizes %zu/%zu: serial %d, mpi %d", n, in_size, out_size,
              s0, s1);
    QMT_CHECK(r1.fail_index == SIZE_MAX && r1.user_status == 0,
              "mr not reset: %zu %d", r1.fail_index, r1.user_status);
    QMT_CHECK(!a1.bad_input, "a rank saw the wrong input bytes (n=%zu)", n);
    if (holds) {
        QMT_CHECK(memcmp(ref, out, n * out_size) == 0,
                  "np=%d n=%zu in %zu out %zu root %d %s %s chunk %zu: "
                  "output differs from qm_map", size, n, in_size, out_size,
                  root, gather_all ? "all" : "root", sched_name(sch), chunk);
        QMT_CHECK(out[n * out_size] == 0xAB, "wrote past the end");
    }
    free(in);
    free(ref);
    free(out);
    qm_exec_free(serial);
}

static void map_output_is_bytewise_serial_for_sizes_roots_and_schedules(void)
{
    static const size_t esz[][2] = {{1, 1}, {8, 8}, {24, 24}, {1, 24}, {24, 8}};
    const size_t ns[] = {0, 1, (size_t)size - 1 > 1 ? (size_t)size - 1 : 2,
                         1000, 4099};
    qm_exec *ex = qmt_serial();
    for (int e = 0; e < 5; e++)
        for (int k = 0; k < 5; k++)
            for (int root = 0; root < size; root += size > 1 ? size - 1 : 1)
                for (int g = 0; g < 2; g++)
                    for (int s = 0; s < 2; s++)
                        check_map(ex, esz[e][0], esz[e][1], ns[k], root, g,
                                  (qm_mpi_schedule)s, 0);
    qm_exec_free(ex);
}

static void map_of_100003_elements_is_bytewise_serial(void)
{
    qm_exec *ex = qmt_serial();
    for (int s = 0; s < 2; s++) {
        check_map(ex, 8, 24, 100003, 0, 0, (qm_mpi_schedule)s, 0);
        check_map(ex, 24, 1, 100003, size - 1, 1, (qm_mpi_schedule)s, 0);
    }
    qm_exec_free(ex);
}

static void dynamic_chunk_sizes_do_not_change_the_output(void)
{
    qm_exec *ex = qmt_serial();
    const size_t chunks[] = {1, 7, 1000, 1u << 20};
    for (int c = 0; c < 4; c++)
        check_map(ex, 8, 8, size > 4 ? 3001 : 20011, size / 2, c % 2,
                  QM_MPI_DYNAMIC, chunks[c]);
    qm_exec_free(ex);
}

static void openmp_threads_per_rank_give_the_same_output(void)
{
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_DYNAMIC, 1);
    if (!ex)
        ex = qmt_serial();
    for (int s = 0; s < 2; s++)
        check_map(ex, 24, 8, size > 4 ? 5003 : 50021, 0, s, (qm_mpi_schedule)s,
                  0);
    qm_exec_free(ex);
}

static void map_without_input_or_output_follows_qm_map(void)
{
    /* no input (in = NULL on the root, in_size 0): outputs from the index */
    qm_exec *ex = qmt_serial();
    const size_t n = 777;
    unsigned char ref[777 * 8], out[777 * 8];
    bytes_arg a = arg_ok(0, 8);
    int s0 = qm_map(ex, map_bytes, &a, NULL, 0, ref, 8, n, NULL, NULL);
    for (int s = 0; s < 2; s++) {
        qm_mpi_map_opts o = {0, 1, (qm_mpi_schedule)s, 0, {0}};
        memset(out, 0, sizeof out);
        int s1 = smap(ex, map_bytes, &a, NULL, 0, out, 8, n, &o, NULL);
        QMT_CHECK(s0 == QM_SUCCESS && s1 == QM_SUCCESS, "%d %d", s0, s1);
        QMT_CHECK(memcmp(ref, out, sizeof out) == 0, "%s: outputs differ",
                  sched_name((qm_mpi_schedule)s));
        /* no output at all: the map runs for its effects only */
        bytes_arg b = arg_ok(0, 8);
        s1 = smap(ex, map_bytes, &b, NULL, 0, NULL, 8, n, &o, NULL);
        QMT_CHECK(s1 == QM_SUCCESS, "no output: %d", s1);
    }
    qm_exec_free(ex);
}

/* --------------------------------------------------------- reductions */

/* Values whose magnitudes vary wildly, so that plain summation in another
 * order (or a rounded partial sum per rank) changes the bits. */
static int map_wild(qm_task *t, void *data)
{
    (void)data;
    const double *x = t->in;
    double *y = t->out;
    for (size_t k = 0; k < t->n; k++) {
        const double v = x ? x[k] : (double)(t->first + k);
        y[k] = 1e16 * sin(1000.0 * v) + 1.0 / (1e-3 + v * v)
               + ((t->first + k) % 7 == 0 ? 0.0 : 1e-7 * v);
        if ((t->first + k) % 5 == 0)
            y[k] = 0.0; /* zeros for COUNT */
    }
    return 0;
}

static double *wild_input(size_t n)
{
    double *x = malloc((n + 1) * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = (double)mix(i) / 18446744073709551616.0 * 3.0 - 1.0;
    return x;
}

static void check_reduce(const qm_exec *local, size_t n, qm_reduce_op op,
                         int root, qm_mpi_schedule sch, size_t chunk,
                         int with_input)
{
    qm_exec *serial = qmt_serial();
    double *x = with_input ? wild_input(n) : NULL;
    const size_t isz = with_input ? sizeof(double) : 0;
    double ref = -1, got = -2;
    qm_map_result r0, r1;
    int s0 = qm_map_reduce(serial, map_wild, NULL, x, isz, n, op, NULL, &ref,
                           &r0);
    qm_mpi_map_opts o;
    memset(&o, 0, sizeof o);
    o.root = root;
    o.schedule = sch;
    o.chunk = chunk;
    int s1 = smap_reduce(local, map_wild, NULL,
                               rank == root ? (const void *)x : POISON, isz, n,
                               op, &o, &got, &r1);
    QMT_CHECK(s0 == QM_SUCCESS && s1 == QM_SUCCESS, "op %d n %zu: %d %d",
              (int)op, n, s0, s1);
    QMT_CHECK(qmt_same_bits(ref, got),
              "np=%d op %d n=%zu root %d %s chunk %zu: serial %.17g, mpi %.17g",
              size, (int)op, n, root, sched_name(sch), chunk, ref, got);
    QMT_CHECK(same_everywhere(got, r1.fail_index, s1), "ranks disagree");
    free(x);
    qm_exec_free(serial);
}

static void sum_is_bitwise_single_process_for_both_schedules(void)
{
    qm_exec *ex = qmt_serial();
    const size_t ns[] = {0, 1, 1023, 1025, 5000, 100003};
    for (int k = 0; k < 6; k++)
        for (int s = 0; s < 2; s++) {
            check_reduce(ex, ns[k], QM_REDUCE_SUM, 0, (qm_mpi_schedule)s, 0, 1);
            check_reduce(ex, ns[k], QM_REDUCE_SUM, size - 1,
                         (qm_mpi_schedule)s, 0, 0);
        }
    /* chunk 1 is rounded up to a whole reduction block */
    check_reduce(ex, 30001, QM_REDUCE_SUM, 0, QM_MPI_DYNAMIC, 1, 1);
    check_reduce(ex, 30001, QM_REDUCE_SUM, 0, QM_MPI_DYNAMIC, 5000, 1);
    qm_exec_free(ex);
}

static void min_max_count_match_single_process(void)
{
    qm_exec *ex = qmt_serial();
    const size_t ns[] = {0, 1, 3000, 100003};
    for (int op = QM_REDUCE_MIN; op <= QM_REDUCE_COUNT; op++)
        for (int k = 0; k < 4; k++)
            for (int s = 0; s < 2; s++)
                check_reduce(ex, ns[k], (qm_reduce_op)op, k % size,
                             (qm_mpi_schedule)s, 0, k % 2);
    qm_exec_free(ex);
}

static void hybrid_threads_give_the_same_sum(void)
{
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_GUIDED, 1);
    if (!ex)
        ex = qmt_serial();
    for (int s = 0; s < 2; s++)
        check_reduce(ex, size > 4 ? 20011 : 200003, QM_REDUCE_SUM, 0,
                     (qm_mpi_schedule)s, 0, 1);
    qm_exec_free(ex);
}

/* ----------------------------------------------------------- failures */

/* Runs map and map-reduce with a failing argument under both schedules and
 * checks the status, index and user status on every rank against
 * `want_*` (the serial kernel's outcome when want_from_serial). */
static void check_failure(bytes_arg a, size_t n, int want_from_serial)
{
    qm_exec *ex = qmt_serial();
    unsigned char *in = make_input(n, a.in_size);
    unsigned char *ref = calloc(n * a.out_size + 1, 1);
    unsigned char *out = calloc(n * a.out_size + 1, 1);
    qm_map_result r0 = {0, 0};
    bytes_arg as = a;
    as.fail_rank = -1;
    int s0 = qm_map(ex, map_bytes, &as, in, a.in_size, ref, a.out_size, n,
                    NULL, &r0);
    for (int s = 0; s < 2; s++)
        for (int g = 0; g < 2; g++) {
            qm_mpi_map_opts o;
            memset(&o, 0, sizeof o);
            o.schedule = (qm_mpi_schedule)s;
            o.gather_all = g;
            o.root = g ? size - 1 : 0;
            qm_map_result r1 = {0, 0};
            /* a failure seen on one rank only: the last rank under the
             * static schedule; the root under the dynamic one, where it
             * takes a chunk of its own once every worker holds two (the
             * caller passes more chunks than that) */
            if (!want_from_serial) {
                a.fail_rank = s == QM_MPI_DYNAMIC ? o.root : size - 1;
                o.chunk = QM_REDUCE_BLOCK;
            }
            bytes_arg a1 = a;
            int s1 = smap(ex, map_bytes, &a1,
                                rank == o.root ? (const void *)in : POISON,
                                a.in_size,
                                rank == o.root || g ? out : NULL, a.out_size,
                                n, &o, &r1);
            QMT_CHECK(s1 == QM_EMAPFN, "%s: status %d", sched_name(o.schedule),
                      s1);
            QMT_CHECK(same_everywhere(0.0, r1.fail_index, r1.user_status),
                      "%s: ranks disagree on the failure",
                      sched_name(o.schedule));
            if (want_from_serial) {
                QMT_CHECK(s0 == QM_EMAPFN && r1.fail_index == r0.fail_index
                              && r1.user_status == r0.user_status,
                          "np=%d %s: index %zu status %d, serial %zu %d", size,
                          sched_name(o.schedule), r1.fail_index, r1.user_status,
                          r0.fail_index, r0.user_status);
                /* everything below the failing index is complete */
                if ((rank == o.root || g) && r1.fail_index != SIZE_MAX)
                    QMT_CHECK(memcmp(ref, out, r1.fail_index * a.out_size) == 0,
                              "%s: outputs below the failure differ",
                              sched_name(o.schedule));
            } else {
                QMT_CHECK(r1.user_status == 3 && r1.fail_index < n,
                          "one-rank failure: index %zu status %d",
                          r1.fail_index, r1.user_status);
            }
            /* the same failure through map_reduce (no input check there) */
            double res = 0;
            qm_map_result r2 = {0, 0};
            bytes_arg a2 = a;
            a2.out_size = 0;
            s1 = smap_reduce(ex, map_bytes, &a2,
                                   rank == o.root ? (const void *)in : POISON,
                                   a.in_size, n, QM_REDUCE_SUM, &o, &res, &r2);
            QMT_CHECK(s1 == QM_EMAPFN, "reduce %s: status %d",
                      sched_name(o.schedule), s1);
            QMT_CHECK(same_everywhere(res, r2.fail_index, r2.user_status),
                      "reduce: ranks disagree");
            if (want_from_serial)
                QMT_CHECK(r2.fail_index == r0.fail_index
                              && r2.user_status == r0.user_status,
                          "reduce %s: index %zu status %d, serial %zu %d",
                          sched_name(o.schedule), r2.fail_index,
                          r2.user_status, r0.fail_index, r0.user_status);
        }
    free(in);
    free(ref);
    free(out);
    qm_exec_free(ex);
}

static void failures_at_two_indices_report_the_lowest_on_every_rank(void)
{
    const size_t n = 50000;
    /* one failing index in the first rank's static share, one in the last
     * rank's (each a whole reduction block inside the share) */
    bytes_arg a = arg_ok(8, 8);
    a.fail_at[0] = n - 3;          /* last rank */
    a.fail_status[0] = 11;
    a.fail_at[1] = size > 1 ? 2500 : n - 10; /* first rank: the lowest */
    a.fail_status[1] = 22;
    check_failure(a, n, 1);
    /* both on the last rank */
    a.fail_at[1] = n - 2;
    check_failure(a, n, 1);
    /* the lowest in a middle rank's share (for np >= 3), not the root's */
    a.fail_at[1] = n / 2 + 1;
    check_failure(a, n, 1);
    /* the lowest failure below the root's chunk of a dynamic run */
    a.fail_at[0] = 1;
    a.fail_at[1] = n - 1;
    check_failure(a, n, 1);
}

static void failure_seen_only_on_one_rank_reaches_every_rank(void)
{
    /* fails at every element, but only when run on the last rank: which
     * elements that is depends on the schedule, not the failure's report */
    if (size > 1)
        check_failure(arg_ok(8, 8), QM_REDUCE_BLOCK * (2 * (size_t)size + 1), 0);
}

/* Cheap, no input or output; fails at index 5. */
static int fails_at_5(qm_task *t, void *data)
{
    (void)data;
    if (t->first <= 5 && 5 < t->first + t->n) {
        t->failed = 5 - t->first;
        return 8;
    }
    return 0;
}

static void dynamic_failure_stops_a_huge_job_promptly(void)
{
    /* 10^12 elements would take hours: the queue must stop handing out
     * chunks once index 5 has failed (the alarm turns a hang into a
     * failure) */
    qm_exec *ex = qmt_serial();
    qm_mpi_map_opts o = {0, 0, QM_MPI_DYNAMIC, 0, {0}};
    qm_map_result mr;
    double res;
    alarm(120);
    const double t0 = MPI_Wtime();
    int st = smap(ex, fails_at_5, NULL, NULL, 0, NULL, 0,
                        (size_t)1000000000000, &o, &mr);
    QMT_CHECK(st == QM_EMAPFN && mr.fail_index == 5 && mr.user_status == 8,
              "map: %d at %zu (%d)", st, mr.fail_index, mr.user_status);
    o.root = size - 1;
    st = smap_reduce(ex, fails_at_5, NULL, NULL, 0,
                           (size_t)1000000000000, QM_REDUCE_MAX, &o, &res, &mr);
    QMT_CHECK(st == QM_EMAPFN && mr.fail_index == 5 && mr.user_status == 8,
              "reduce: %d at %zu (%d)", st, mr.fail_index, mr.user_status);
    QMT_CHECK(isnan(res), "result %g on failure", res);
    const double dt = MPI_Wtime() - t0;
    alarm(0);
    if (rank == 0)
        printf("\n    (stopped after %.3f s)\n", dt);
    qm_exec_free(ex);
}

static int init_fails(int worker_id, void **state, void *data)
{
    (void)worker_id;
    (void)data;
    *state = NULL;
    return 9;
}

static void failing_worker_init_is_reported_as_by_qm_map(void)
{
    qm_exec *ex = qmt_serial();
    const size_t n = 5000;
    double *x = wild_input(n), res;
    qm_map_opts lo = {0, init_fails, NULL, NULL};
    qm_map_result r0, r1;
    int s0 = qm_map_reduce(ex, map_wild, NULL, x, 8, n, QM_REDUCE_SUM, &lo,
                           &res, &r0);
    for (int s = 0; s < 2; s++) {
        qm_mpi_map_opts o = {0, 0, (qm_mpi_schedule)s, 0, lo};
        int s1 = smap_reduce(ex, map_wild, NULL, rank ? POISON : x,
                                   8, n, QM_REDUCE_SUM, &o, &res, &r1);
        QMT_CHECK(s0 == QM_EMAPFN && s1 == s0 && r1.fail_index == r0.fail_index
                      && r1.user_status == r0.user_status,
                  "%s: %d (%zu, %d), serial %d (%zu, %d)",
                  sched_name(o.schedule), s1, r1.fail_index, r1.user_status,
                  s0, r0.fail_index, r0.user_status);
        QMT_CHECK(same_everywhere(res, r1.fail_index, r1.user_status),
                  "ranks disagree");
    }
    free(x);
    qm_exec_free(ex);
}

static void bad_arguments_on_one_rank_fail_everywhere_without_hanging(void)
{
    qm_exec *ex = qmt_serial();
    double x[64] = {0}, res;
    unsigned char out[64 * 8];
    bytes_arg a = arg_ok(8, 8);
    const int last = rank == size - 1;
    alarm(60); /* a hang becomes a failure */
    for (int s = 0; s < 2; s++) {
        qm_mpi_map_opts o;
        memset(&o, 0, sizeof o);
        o.schedule = (qm_mpi_schedule)s;
        int st = smap(ex, map_bytes, &a, x, last ? 0 : 8, out, 8, 64, &o,
                      NULL);
        QMT_CHECK(st == QM_EINVAL, "in_size 0 on one rank: %d", st);
        st = smap(ex, last ? NULL : map_bytes, &a, x, 8, out, 8, 64,
                        &o, NULL);
        QMT_CHECK(st == QM_EINVAL, "NULL function on one rank: %d", st);
        st = smap(ex, map_bytes, &a, x, 8, out, 8, last ? 63 : 64,
                        &o, NULL);
        QMT_CHECK(st == (size == 1 ? QM_SUCCESS : QM_EINVAL),
                  "different n on one rank: %d", st);
        o.root = last ? size : 0;
        st = smap(ex, map_bytes, &a, x, 8, out, 8, 64, &o, NULL);
        QMT_CHECK(st == QM_EINVAL, "root out of range on one rank: %d", st);
        o.root = last ? size - 1 : 0;
        st = smap(ex, map_bytes, &a, x, 8, out, 8, 64, &o, NULL);
        QMT_CHECK(size == 1 ? st == QM_SUCCESS : st == QM_EINVAL,
                  "different roots: %d", st);
        o.root = 0;
        o.gather_all = 1;
        st = smap(ex, map_bytes, &a, x, 8, last ? NULL : out, 8, 64,
                        &o, NULL);
        /* (with one rank, out = NULL on the root just means "no output") */
        QMT_CHECK(st == (size == 1 ? QM_SUCCESS : QM_EINVAL),
                  "gather_all without out on one rank: %d", st);
        o.gather_all = 0;
        st = smap_reduce(ex, map_wild, NULL, x, 8, 64,
                               last ? (qm_reduce_op)9 : QM_REDUCE_SUM, &o,
                               &res, NULL);
        QMT_CHECK(st == QM_EINVAL, "bad op on one rank: %d", st);
        st = smap_reduce(ex, map_wild, NULL, x, 8, 64, QM_REDUCE_SUM,
                               &o, last ? NULL : &res, NULL);
        QMT_CHECK(st == QM_EINVAL, "NULL result on one rank: %d", st);
        st = smap(ex, map_bytes, &a, x, (size_t)INT_MAX + 1, out, 8,
                        last ? 1 : 0, &o, NULL);
        QMT_CHECK(st == QM_EINVAL, "element too large for a datatype: %d", st);
        o.schedule = (qm_mpi_schedule)7;
        st = smap(ex, map_bytes, &a, x, 8, out, 8, 64, &o, NULL);
        QMT_CHECK(st == QM_EINVAL, "unknown schedule: %d", st);
    }
    /* the context still works afterwards (no message was left behind) */
    qm_mpi_map_opts o = {0, 1, QM_MPI_DYNAMIC, 0, {0}};
    for (size_t i = 0; i < 64; i++)
        x[i] = (double)i;
    int st = smap_reduce(ex, map_wild, NULL, x, 8, 64, QM_REDUCE_MAX,
                               &o, &res, NULL);
    QMT_CHECK(st == QM_SUCCESS, "after the bad calls: %d", st);
    alarm(0);
    qm_map_result mr = {0, 0};
    /* a local executor has no ranks to scatter to */
    QMT_CHECK(qm_scatter_map(ex, map_bytes, &a, x, 8, out, 8, 64, NULL, &mr)
                  == QM_EINVAL && mr.fail_index == SIZE_MAX,
              "local executor");
    QMT_CHECK(qm_scatter_map_reduce(ex, map_wild, NULL, x, 8, 64,
                                    QM_REDUCE_SUM, NULL, &res, NULL)
                  == QM_EINVAL, "local executor (reduce)");
    qm_exec_free(ex);
}

/* Cheap but unequal costs: a dynamic run must finish and agree. */
static int map_skewed(qm_task *t, void *data)
{
    (void)data;
    double *y = t->out;
    for (size_t k = 0; k < t->n; k++) {
        const size_t i = t->first + k;
        const int reps = i < 2000 ? 200 : 1;
        double s = 0;
        for (int r = 0; r < reps; r++)
            s += sin((double)(i + (size_t)r));
        y[k] = s;
    }
    return 0;
}

static void skewed_costs_dynamic_equals_static_equals_serial(void)
{
    qm_exec *ex = qmt_serial();
    const size_t n = 20000;
    double ref, r[2];
    qm_map_reduce(ex, map_skewed, NULL, NULL, 0, n, QM_REDUCE_SUM, NULL, &ref,
                  NULL);
    for (int s = 0; s < 2; s++) {
        qm_mpi_map_opts o = {0, 0, (qm_mpi_schedule)s, 0, {0}};
        int st = smap_reduce(ex, map_skewed, NULL, NULL, 0, n,
                                   QM_REDUCE_SUM, &o, &r[s], NULL);
        QMT_CHECK(st == QM_SUCCESS, "%d", st);
    }
    QMT_CHECK(qmt_same_bits(ref, r[0]) && qmt_same_bits(ref, r[1]),
              "serial %.17g static %.17g dynamic %.17g", ref, r[0], r[1]);
    qm_exec_free(ex);
}

int main(int argc, char **argv)
{
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (provided < MPI_THREAD_FUNNELED) {
        if (rank == 0)
            fprintf(stderr, "MPI provides thread level %d < FUNNELED\n", provided);
        MPI_Finalize();
        return 1;
    }
    if (CU_initialize_registry() != CUE_SUCCESS)
        MPI_Abort(MPI_COMM_WORLD, 2);

    CU_pSuite m = qmt_suite("mpi_map");
    CU_add_test(m, "map_output_is_bytewise_serial_for_sizes_roots_and_schedules",
                map_output_is_bytewise_serial_for_sizes_roots_and_schedules);
    CU_add_test(m, "map_of_100003_elements_is_bytewise_serial",
                map_of_100003_elements_is_bytewise_serial);
    CU_add_test(m, "dynamic_chunk_sizes_do_not_change_the_output",
                dynamic_chunk_sizes_do_not_change_the_output);
    CU_add_test(m, "openmp_threads_per_rank_give_the_same_output",
                openmp_threads_per_rank_give_the_same_output);
    CU_add_test(m, "map_without_input_or_output_follows_qm_map",
                map_without_input_or_output_follows_qm_map);
    CU_pSuite r = qmt_suite("mpi_map_reduce");
    CU_add_test(r, "sum_is_bitwise_single_process_for_both_schedules",
                sum_is_bitwise_single_process_for_both_schedules);
    CU_add_test(r, "min_max_count_match_single_process",
                min_max_count_match_single_process);
    CU_add_test(r, "hybrid_threads_give_the_same_sum",
                hybrid_threads_give_the_same_sum);
    CU_add_test(r, "skewed_costs_dynamic_equals_static_equals_serial",
                skewed_costs_dynamic_equals_static_equals_serial);
    CU_pSuite e = qmt_suite("mpi_map_errors");
    CU_add_test(e, "failures_at_two_indices_report_the_lowest_on_every_rank",
                failures_at_two_indices_report_the_lowest_on_every_rank);
    CU_add_test(e, "failure_seen_only_on_one_rank_reaches_every_rank",
                failure_seen_only_on_one_rank_reaches_every_rank);
    CU_add_test(e, "dynamic_failure_stops_a_huge_job_promptly",
                dynamic_failure_stops_a_huge_job_promptly);
    CU_add_test(e, "failing_worker_init_is_reported_as_by_qm_map",
                failing_worker_init_is_reported_as_by_qm_map);
    CU_add_test(e, "bad_arguments_on_one_rank_fail_everywhere_without_hanging",
                bad_arguments_on_one_rank_fail_everywhere_without_hanging);

    const int any = qmt_mpi_run(rank, size);
    MPI_Finalize();
    return any ? 1 : 0;
}
