/*
 * Scatter/gather map kernels: qm_scatter_map and qm_scatter_map_reduce
 * (see quadmap_mpi.h), for data that only the root holds.  (Replicated
 * data needs nothing here: qm_map on an MPI executor.)  The numerics are the core's local kernels (src/core/map.c:
 * qm__map_run, qm__map_reduce_run); this file only decides which rank maps
 * which elements and moves the bytes.
 *
 * Every call has the same three steps:
 *
 *  1. Agreement (one MPI_Allreduce, MAX): each rank's argument check, the
 *     root's "no input / no output" flags, and every parameter that must be
 *     the same everywhere (sent as x and ~x, so MAX yields both the largest
 *     and the smallest value: they differ exactly when a rank disagrees).
 *     Bad arguments on any rank are QM_EINVAL on every rank before a single
 *     byte moves, so nobody is left waiting in a collective.
 *
 *  2. Work.
 *     Static: rank r gets the r-th of P balanced contiguous shares (in units
 *     of QM_REDUCE_BLOCK indices for reductions, so shares start at global
 *     block boundaries, as qm_map_reduce cuts them); MPI_Scatterv of the
 *     input, the local kernel with base = share start (so tasks and
 *     failures carry global indices), MPI_Gatherv (MPI_Allgatherv with
 *     gather_all) of the output.  The root maps in place from `in` into
 *     `out`; with gather_all every rank maps straight into its part of `out`.
 *     Dynamic: a work queue served by the root (see dyn_root / dyn_worker).
 *
 *  3. Final record (one MPI_Allreduce with a user-defined op): the exact
 *     sum (qm_sacc, merged exactly, so the once-rounded result does not
 *     depend on how elements were spread), min, max, count, the worst
 *     status and the lowest failing index with its user status.  Every rank
 *     derives its status, mr and *result from the same merged record, so
 *     they are identical everywhere and equal to the single-process ones.
 *
 * Message sizes: counts and displacements of MPI collectives are ints, in
 * units of a contiguous datatype of one element (in_size or out_size bytes).
 * When n exceeds MSG_MAX elements the displacements could overflow, so the
 * static path moves shares with point-to-point messages of at most MSG_MAX
 * elements each instead; dynamic chunks never exceed MSG_MAX elements.
 */
#include "config.h"
#include "mpi/mpi_internal.h"
#include "core/map.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Most elements in one message (and the bound under which the collectives
 * are used).  Overridable at compile time only to exercise the large-count
 * path on small arrays in a test build. */
#ifndef QM_MPI_MAP_MSG_MAX
#define QM_MPI_MAP_MSG_MAX INT_MAX
#endif
#define MSG_MAX ((size_t)QM_MPI_MAP_MSG_MAX)

/* Point-to-point tags of the library's own (duplicated) communicator. */
enum {
    TAG_BULK = 0x7100, /* static shares, large-count path */
    TAG_REQ = 0x7101,  /* worker -> root: request / results header */
    TAG_OUT = 0x7102,  /* worker -> root: outputs of a chunk */
    TAG_WORK = 0x7103, /* root -> worker: {start, count}; count 0 = stop */
    TAG_IN = 0x7104    /* root -> worker: inputs of that chunk */
};

/* Dynamic queue: automatic chunk aims at this many chunks per rank, within
 * [DYN_MIN_ELEMS, DYN_MAX_ELEMS] elements and DYN_MAX_BYTES per message. */
#define DYN_CHUNKS_PER_RANK 16
#define DYN_MIN_ELEMS 64
#define DYN_MAX_ELEMS ((size_t)1 << 16)
#define DYN_MAX_BYTES ((size_t)4 << 20)
/* The root works on pieces of its own chunk between polls; their length
 * adapts to keep a piece between these times (seconds), so a request waits
 * at most about DYN_PIECE_HI. */
#define DYN_PIECE_LO 0.25e-3
#define DYN_PIECE_HI 1e-3

/* Everything a rank contributes to the final MPI_Allreduce, as int64 words
 * (doubles travel as their bits) so one contiguous datatype carries it. */
typedef struct map_rec {
    qm_sacc sum;          /* exact sum of the values (QM_REDUCE_SUM) */
    int64_t min_bits;     /* double: minimum (+Inf when none) */
    int64_t max_bits;     /* double: maximum (-Inf when none) */
    int64_t count;        /* QM_REDUCE_COUNT */
    int64_t status;       /* worst status (see status_rank) */
    int64_t fail_index;   /* size_t: lowest failing index, SIZE_MAX if none */
    int64_t user_status;  /* the map function's return at fail_index */
} map_rec;

#define REC_WORDS ((int)(sizeof(map_rec) / sizeof(int64_t)))

_Static_assert(sizeof(size_t) <= sizeof(int64_t),
               "a size_t travels in an int64 word");

static double bits_dbl(int64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

static int64_t dbl_bits(double x)
{
    int64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

/* Which of two statuses wins: errors that are not the map function's
 * (ENOMEM, EINVAL from a local kernel...) rank above QM_EMAPFN, because a
 * rank that could not work may hide a lower failing index. */
static int status_rank(int64_t s)
{
    if (s == QM_SUCCESS) return 0;
    if (s == QM_EMAPFN) return 1;
    return 2 + (int)(s & 0xffff);
}

static void rec_init(map_rec *r)
{
    memset(r, 0, sizeof *r);
    qm__sacc_init(&r->sum);
    r->min_bits = dbl_bits(INFINITY);
    r->max_bits = dbl_bits(-INFINITY);
    r->status = QM_SUCCESS;
    r->fail_index = (int64_t)SIZE_MAX;
}

/* Status and failure part of the merge (idempotent: the dynamic root also
 * merges the failure reports of workers into its own record). */
static void rec_merge_fail(map_rec *dst, int64_t status, int64_t fail_index,
                           int64_t user_status)
{
    if (status_rank(status) > status_rank(dst->status))
        dst->status = status;
    const size_t fi = (size_t)fail_index, di = (size_t)dst->fail_index;
    if (fi < di || (fi == di && user_status != 0 &&
                    (dst->user_status == 0 || user_status < dst->user_status))) {
        dst->fail_index = fail_index;
        dst->user_status = user_status;
    }
}

/* The MPI_Op: exact and order-independent in every field, so MPI may
 * combine the ranks in any order. */
static void rec_reduce(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    const map_rec *a = in;
    map_rec *b = inout;
    for (int i = 0; i < *len; i++) {
        qm__sacc_merge(&b[i].sum, &a[i].sum);
        /* MIN/MAX as the kernel merges its workers (ties by sign) */
        b[i].min_bits = dbl_bits(qm__reduce_combine(
            QM_REDUCE_MIN, bits_dbl(b[i].min_bits), bits_dbl(a[i].min_bits)));
        b[i].max_bits = dbl_bits(qm__reduce_combine(
            QM_REDUCE_MAX, bits_dbl(b[i].max_bits), bits_dbl(a[i].max_bits)));
        b[i].count += a[i].count;
        rec_merge_fail(&b[i], a[i].status, a[i].fail_index, a[i].user_status);
    }
}

/* Below this global index nothing may be skipped: chunks starting at or
 * above it are not handed out.  A failure without an index (a worker
 * initializer, out of memory) stops everything. */
static size_t rec_stop_at(const map_rec *r)
{
    if (r->status == QM_SUCCESS)
        return SIZE_MAX;
    if (r->status == QM_EMAPFN && (size_t)r->fail_index != SIZE_MAX)
        return (size_t)r->fail_index;
    return 0;
}

/* ------------------------------------------------------------------ job */

/* One call's constant arguments. */
typedef struct job {
    const qm_exec *ex;
    qm_map_fn f;
    void *data;
    size_t in_size, out_size;
    const qm_map_opts *local;
    int op;                 /* reduce op, or -1 for a plain map */
} job;

/* Map elements [base, base + count) (in and out point at element base, or
 * are NULL) with the local kernel and add the outcome to *rec. */
static void job_run(const job *j, const void *in, void *out, size_t count,
                    size_t base, map_rec *rec)
{
    if (count == 0)
        return;
    qm_map_result lmr = {SIZE_MAX, 0};
    int st;
    if (j->op < 0) {
        st = qm__map_run(j->ex, j->f, j->data, in, j->in_size, out,
                         j->out_size, count, base, j->local, &lmr);
    } else {
        qm_sacc sum;
        double r = 0.0;
        st = qm__map_reduce_run(j->ex, j->f, j->data, in, j->in_size, count,
                                base, (qm_reduce_op)j->op, j->local, &r,
                                j->op == QM_REDUCE_SUM ? &sum : NULL, &lmr);
        if (st == QM_SUCCESS) {
            switch (j->op) {
            case QM_REDUCE_SUM:
                qm__sacc_merge(&rec->sum, &sum);
                break;
            case QM_REDUCE_MIN:
                rec->min_bits = dbl_bits(
                    qm__reduce_combine(QM_REDUCE_MIN, bits_dbl(rec->min_bits), r));
                break;
            case QM_REDUCE_MAX:
                rec->max_bits = dbl_bits(
                    qm__reduce_combine(QM_REDUCE_MAX, bits_dbl(rec->max_bits), r));
                break;
            default:
                rec->count += (int64_t)r;
                break;
            }
        }
    }
    if (st != QM_SUCCESS)
        rec_merge_fail(rec, st, st == QM_EMAPFN ? (int64_t)lmr.fail_index
                                                : (int64_t)SIZE_MAX,
                       st == QM_EMAPFN ? lmr.user_status : 0);
}

/* Everything one call needs besides the job. */
typedef struct plan {
    qm_mpi *m;
    job j;
    const char *in;         /* root: the input; elsewhere NULL */
    char *out;              /* output where significant, else NULL */
    size_t n;
    int root, gather_all;
    int has_in, has_out;    /* agreed: the root has an input / an output */
    size_t gran;            /* 1, or QM_REDUCE_BLOCK for reductions */
    size_t chunk;           /* dynamic chunk (elements) */
    size_t cap;             /* elements a dynamic chunk can hold: min(chunk, n) */
    MPI_Datatype tin, tout; /* one element of in_size / out_size bytes */
} plan;

static const char *elem(const char *p, size_t i, size_t size)
{
    return p ? p + i * size : NULL;
}

static char *elem_w(char *p, size_t i, size_t size)
{
    return p ? p + i * size : NULL;
}

/* ----------------------------------------------------------- bulk moves */

/* Point-to-point moves of count elements in messages of <= MSG_MAX. */
static void send_pieces(const char *p, size_t count, size_t size,
                        MPI_Datatype t, int dest, MPI_Comm comm)
{
    for (size_t off = 0; off < count; off += MSG_MAX) {
        size_t k = count - off < MSG_MAX ? count - off : MSG_MAX;
        MPI_Send(p + off * size, (int)k, t, dest, TAG_BULK, comm);
    }
}

static void recv_pieces(char *p, size_t count, size_t size, MPI_Datatype t,
                        int src, MPI_Comm comm)
{
    for (size_t off = 0; off < count; off += MSG_MAX) {
        size_t k = count - off < MSG_MAX ? count - off : MSG_MAX;
        MPI_Recv(p + off * size, (int)k, t, src, TAG_BULK, comm,
                 MPI_STATUS_IGNORE);
    }
}

static void bcast_pieces(char *p, size_t count, size_t size, MPI_Datatype t,
                         int root, MPI_Comm comm)
{
    for (size_t off = 0; off < count; off += MSG_MAX) {
        size_t k = count - off < MSG_MAX ? count - off : MSG_MAX;
        MPI_Bcast(p + off * size, (int)k, t, root, comm);
    }
}

/* ------------------------------------------------------------ static */

/* Rank r's share [*lo, *lo + *cnt): the r-th of P balanced runs of
 * `gran`-element units (the last unit may be short). */
static void share_of(size_t n, size_t gran, int P, int r, size_t *lo,
                     size_t *cnt)
{
    const size_t units = n / gran + (n % gran != 0);
    uint64_t u0, u1;
    qm__share(units, r, P, &u0, &u1);
    const size_t full = n / gran;
    const size_t e0 = u0 <= full ? u0 * gran : n;
    const size_t e1 = u1 <= full ? u1 * gran : n;
    *lo = e0;
    *cnt = e1 - e0;
}

/* Buffers of the static schedule, allocated before the agreement. */
typedef struct static_bufs {
    int *counts, *displs;   /* per rank, in elements (n <= MSG_MAX) */
    char *inbuf, *outbuf;   /* this rank's share, when not in place */
} static_bufs;

static int static_alloc(plan *p, static_bufs *b)
{
    const int P = p->m->size, me = p->m->rank;
    size_t lo, cnt;
    memset(b, 0, sizeof *b);
    share_of(p->n, p->gran, P, me, &lo, &cnt);
    b->counts = malloc((size_t)P * sizeof *b->counts);
    b->displs = malloc((size_t)P * sizeof *b->displs);
    if (!b->counts || !b->displs)
        return QM_ENOMEM;
    /* the root maps in place; the others receive their input share */
    if (me != p->root && p->j.in_size > 0 && cnt > 0) {
        b->inbuf = malloc(cnt * p->j.in_size);
        if (!b->inbuf)
            return QM_ENOMEM;
    }
    /* with gather_all every rank maps into its part of out */
    if (me != p->root && !p->gather_all && p->j.op < 0 && p->j.out_size > 0
        && cnt > 0) {
        b->outbuf = malloc(cnt * p->j.out_size);
        if (!b->outbuf)
            return QM_ENOMEM;
    }
    return QM_SUCCESS;
}

static void static_free(static_bufs *b)
{
    free(b->counts);
    free(b->displs);
    free(b->inbuf);
    free(b->outbuf);
}

static void static_run(plan *p, static_bufs *b, map_rec *rec)
{
    MPI_Comm comm = p->m->comm;
    const int P = p->m->size, me = p->m->rank, root = p->root;
    const int collective = p->n <= MSG_MAX;
    const size_t isz = p->j.in_size, osz = p->j.out_size;
    size_t lo, cnt;
    share_of(p->n, p->gran, P, me, &lo, &cnt);
    if (collective) {
        for (int r = 0; r < P; r++) {
            size_t l, c;
            share_of(p->n, p->gran, P, r, &l, &c);
            b->counts[r] = (int)c;
            b->displs[r] = (int)l;
        }
    }

    /* 1. scatter the input shares */
    const char *in = NULL;
    if (p->has_in) {
        if (me == root)
            in = p->in + lo * isz;
        else
            in = b->inbuf;
        if (collective) {
            MPI_Scatterv(p->in, b->counts, b->displs, p->tin,
                         me == root ? MPI_IN_PLACE : b->inbuf, (int)cnt,
                         p->tin, root, comm);
        } else if (me == root) {
            for (int r = 0; r < P; r++) {
                size_t l, c;
                share_of(p->n, p->gran, P, r, &l, &c);
                if (r != root)
                    send_pieces(p->in + l * isz, c, isz, p->tin, r, comm);
            }
        } else {
            recv_pieces(b->inbuf, cnt, isz, p->tin, root, comm);
        }
    }

    /* 2. map the share locally (the local kernel stops early on failure) */
    char *out = NULL;
    if (p->has_out)
        out = me == root || p->gather_all ? p->out + lo * osz : b->outbuf;
    job_run(&p->j, in, out, cnt, lo, rec);

    /* 3. gather the outputs (also after a failure: outputs below the
     *    failing index are valid, as with qm_map) */
    if (!p->has_out)
        return;
    if (collective) {
        if (p->gather_all)
            MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, p->out,
                           b->counts, b->displs, p->tout, comm);
        else
            MPI_Gatherv(me == root ? MPI_IN_PLACE : b->outbuf, (int)cnt,
                        p->tout, p->out, b->counts, b->displs, p->tout, root,
                        comm);
        return;
    }
    if (me == root) {
        for (int r = 0; r < P; r++) {
            size_t l, c;
            share_of(p->n, p->gran, P, r, &l, &c);
            if (r != root)
                recv_pieces(p->out + l * osz, c, osz, p->tout, r, comm);
        }
    } else {
        send_pieces(out, cnt, osz, p->tout, root, comm);
    }
    if (p->gather_all)
        bcast_pieces(p->out, p->n, osz, p->tout, root, comm);
}

/* ----------------------------------------------------------- dynamic */
/*
 * Protocol (tags above; every message is received within the call):
 *
 *   worker -> root  TAG_REQ  int64[4] {flags, status, fail_index, user_status}
 *                   flags: bits 0-7 = chunks wanted, FLAG_RESULTS = the
 *                   oldest chunk handed to this worker is done; with an
 *                   output its outputs follow as TAG_OUT.  The failure
 *                   fields are the worker's record so far.
 *   root -> worker  TAG_WORK int64[2] {start, count}, one reply per chunk
 *                   wanted, in order; count 0 means stop.  With an input,
 *                   TAG_IN follows (count elements, empty for stop).
 *
 * A worker starts by wanting 2 chunks and then, after each chunk, returns
 * its results and wants 1 more: it always holds the next chunk while it
 * works on the current one, so it never waits for the root's reply (the
 * receives for the next reply are posted before the work starts, and the
 * outputs leave with MPI_Isend from alternating buffers).
 *
 * The root hands out chunks in increasing order, never one that starts at
 * or above the lowest failure it knows of, and works on chunks itself in
 * short pieces, polling with MPI_Iprobe between pieces.  It is done when
 * its own work is done and every worker has been told to stop and has
 * returned the results of all its chunks.
 */
#define FLAG_RESULTS 0x100
#define WANT_MASK 0xff

/* Chunk length: a multiple of gran, at most MSG_MAX elements. */
static size_t dyn_chunk(const plan *p, size_t user)
{
    const size_t gran = p->gran;
    size_t c = user;
    if (c == 0) {
        size_t esz = p->j.in_size > p->j.out_size ? p->j.in_size : p->j.out_size;
        c = p->n / ((size_t)p->m->size * DYN_CHUNKS_PER_RANK);
        if (c < DYN_MIN_ELEMS)
            c = DYN_MIN_ELEMS;
        if (c > DYN_MAX_ELEMS)
            c = DYN_MAX_ELEMS;
        if (esz > 0 && c > DYN_MAX_BYTES / esz)
            c = DYN_MAX_BYTES / esz;
    }
    if (c > p->n)
        c = p->n;
    if (c > MSG_MAX / gran * gran)
        c = MSG_MAX / gran * gran;
    if (c == 0)
        c = 1;
    c = (c + gran - 1) / gran * gran;
    return c;
}

typedef struct dyn_bufs {
    /* worker: two input and two output buffers of `chunk` elements */
    char *inb[2], *outb[2];
    /* root: per-worker state */
    struct wstate *w;
} dyn_bufs;

typedef struct wstate {
    size_t fstart[2], fcount[2]; /* chunks handed out, results pending */
    int fhead, flen;
    int64_t reply[2][2];         /* reply headers in flight */
    MPI_Request rq_reply[2][2];  /* ... their sends (header, input) */
    unsigned nreply;
    MPI_Request rq_out[2];       /* output receives in flight */
    unsigned nout;
    int stopped;                 /* told to stop at least once */
} wstate;

static int dyn_alloc(plan *p, dyn_bufs *b)
{
    memset(b, 0, sizeof *b);
    const size_t cnt = p->cap;
    if (p->m->rank == p->root) {
        b->w = calloc((size_t)p->m->size, sizeof *b->w);
        if (!b->w)
            return QM_ENOMEM;
        for (int r = 0; r < p->m->size; r++)
            for (int k = 0; k < 2; k++) {
                b->w[r].rq_reply[k][0] = b->w[r].rq_reply[k][1] =
                    MPI_REQUEST_NULL;
                b->w[r].rq_out[k] = MPI_REQUEST_NULL;
            }
        return QM_SUCCESS;
    }
    for (int k = 0; k < 2; k++) {
        if (p->j.in_size > 0 && !(b->inb[k] = malloc(cnt * p->j.in_size)))
            return QM_ENOMEM;
        if (p->j.op < 0 && p->j.out_size > 0
            && !(b->outb[k] = malloc(cnt * p->j.out_size)))
            return QM_ENOMEM;
    }
    return QM_SUCCESS;
}

static void dyn_free(dyn_bufs *b)
{
    for (int k = 0; k < 2; k++) {
        free(b->inb[k]);
        free(b->outb[k]);
    }
    free(b->w);
}

static void dyn_worker(plan *p, dyn_bufs *b, map_rec *rec)
{
    MPI_Comm comm = p->m->comm;
    const int root = p->root;
    int64_t hdr[2][2];
    MPI_Request rq_hdr[2], rq_in[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    MPI_Request rq_out[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    int64_t msg[4];
    /* reply k lands in slot k % 2 */
    for (int s = 0; s < 2; s++) {
        MPI_Irecv(hdr[s], 2, MPI_INT64_T, root, TAG_WORK, comm, &rq_hdr[s]);
        if (p->has_in)
            MPI_Irecv(b->inb[s], (int)p->cap, p->tin, root, TAG_IN, comm,
                      &rq_in[s]);
    }
    msg[0] = 2;
    msg[1] = rec->status;
    msg[2] = rec->fail_index;
    msg[3] = rec->user_status;
    MPI_Send(msg, 4, MPI_INT64_T, root, TAG_REQ, comm);
    uint64_t wanted = 2, got = 0;
    int stopped = 0;
    while (got < wanted) {
        const int s = (int)(got % 2);
        MPI_Wait(&rq_hdr[s], MPI_STATUS_IGNORE);
        MPI_Wait(&rq_in[s], MPI_STATUS_IGNORE);
        got++;
        const size_t start = (size_t)hdr[s][0], count = (size_t)hdr[s][1];
        if (count == 0) {
            stopped = 1;
            continue;
        }
        /* outputs of the chunk before last may still be leaving */
        MPI_Wait(&rq_out[s], MPI_STATUS_IGNORE);
        job_run(&p->j, p->has_in ? b->inb[s] : NULL,
                p->has_out ? b->outb[s] : NULL, count, start, rec);
        if (p->has_out)
            MPI_Isend(b->outb[s], (int)count, p->tout, root, TAG_OUT, comm,
                      &rq_out[s]);
        const int want = !stopped;
        if (want) { /* its reply is number `wanted`, in slot s */
            MPI_Irecv(hdr[s], 2, MPI_INT64_T, root, TAG_WORK, comm, &rq_hdr[s]);
            if (p->has_in)
                MPI_Irecv(b->inb[s], (int)p->cap, p->tin, root, TAG_IN, comm,
                          &rq_in[s]);
        }
        msg[0] = FLAG_RESULTS | want;
        msg[1] = rec->status;
        msg[2] = rec->fail_index;
        msg[3] = rec->user_status;
        MPI_Send(msg, 4, MPI_INT64_T, root, TAG_REQ, comm);
        wanted += (uint64_t)want;
    }
    MPI_Waitall(2, rq_out, MPI_STATUSES_IGNORE);
}

/* The root's side of one worker message. */
static void dyn_serve(plan *p, dyn_bufs *b, int src, const int64_t msg[4],
                      size_t *next, int *done_workers, map_rec *rec)
{
    MPI_Comm comm = p->m->comm;
    wstate *w = &b->w[src];
    rec_merge_fail(rec, msg[1], msg[2], msg[3]);
    const int was_done = w->stopped && w->flen == 0;
    if ((msg[0] & FLAG_RESULTS) && w->flen > 0) {
        const size_t start = w->fstart[w->fhead], count = w->fcount[w->fhead];
        w->fhead = (w->fhead + 1) % 2;
        w->flen--;
        if (p->has_out) {
            MPI_Request *rq = &w->rq_out[w->nout % 2];
            MPI_Wait(rq, MPI_STATUS_IGNORE);
            MPI_Irecv(p->out + start * p->j.out_size, (int)count, p->tout, src,
                      TAG_OUT, comm, rq);
            w->nout++;
        }
    }
    for (int k = 0; k < (int)(msg[0] & WANT_MASK); k++) {
        size_t limit = rec_stop_at(rec);
        if (limit > p->n)
            limit = p->n;
        size_t start = 0, count = 0;
        if (*next < limit && w->flen < 2) {
            start = *next;
            count = p->n - start < p->chunk ? p->n - start : p->chunk;
            *next += count;
            w->fstart[(w->fhead + w->flen) % 2] = start;
            w->fcount[(w->fhead + w->flen) % 2] = count;
            w->flen++;
        } else {
            w->stopped = 1;
        }
        const int slot = (int)(w->nreply % 2);
        MPI_Waitall(2, w->rq_reply[slot], MPI_STATUSES_IGNORE);
        w->reply[slot][0] = (int64_t)start;
        w->reply[slot][1] = (int64_t)count;
        MPI_Isend(w->reply[slot], 2, MPI_INT64_T, src, TAG_WORK, comm,
                  &w->rq_reply[slot][0]);
        if (p->has_in)
            MPI_Isend(p->in + start * p->j.in_size, (int)count, p->tin, src,
                      TAG_IN, comm, &w->rq_reply[slot][1]);
        w->nreply++;
    }
    /* done: told to stop and holding no chunk (then it sends no more) */
    *done_workers += (w->stopped && w->flen == 0) - was_done;
}

static void dyn_root(plan *p, dyn_bufs *b, map_rec *rec)
{
    MPI_Comm comm = p->m->comm;
    const int workers = p->m->size - 1;
    const size_t isz = p->j.in_size, osz = p->j.out_size;
    size_t next = 0, own = 0, own_end = 0, piece = p->gran;
    int done = 0;
    int64_t msg[4];
    MPI_Status st;

    for (;;) {
        /* serve every pending request first: workers must not starve */
        for (;;) {
            int flag = 0;
            MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQ, comm, &flag, &st);
            if (!flag)
                break;
            MPI_Recv(msg, 4, MPI_INT64_T, st.MPI_SOURCE, TAG_REQ, comm,
                     MPI_STATUS_IGNORE);
            dyn_serve(p, b, st.MPI_SOURCE, msg, &next, &done, rec);
        }
        size_t limit = rec_stop_at(rec);
        if (limit > p->n)
            limit = p->n;
        if (own >= own_end || own >= limit) {
            own = own_end = 0;
            if (next < limit) { /* take the next chunk for the root */
                own = next;
                own_end = p->n - next < p->chunk ? p->n : next + p->chunk;
                next = own_end;
            }
        }
        if (own < own_end) {
            /* one short piece of the root's own chunk */
            const size_t end = own_end - own < piece ? own_end : own + piece;
            const double t0 = MPI_Wtime();
            job_run(&p->j, p->has_in ? elem(p->in, own, isz) : NULL,
                    p->has_out ? elem_w(p->out, own, osz) : NULL, end - own,
                    own, rec);
            const double dt = MPI_Wtime() - t0;
            own = end;
            if (dt < DYN_PIECE_LO && piece < p->chunk)
                piece *= 2;
            else if (dt > DYN_PIECE_HI && piece >= 2 * p->gran)
                piece /= 2;
            continue;
        }
        if (done == workers)
            break;
        MPI_Recv(msg, 4, MPI_INT64_T, MPI_ANY_SOURCE, TAG_REQ, comm, &st);
        dyn_serve(p, b, st.MPI_SOURCE, msg, &next, &done, rec);
    }
    for (int r = 0; r < p->m->size; r++) {
        MPI_Waitall(2, b->w[r].rq_out, MPI_STATUSES_IGNORE);
        MPI_Waitall(2, b->w[r].rq_reply[0], MPI_STATUSES_IGNORE);
        MPI_Waitall(2, b->w[r].rq_reply[1], MPI_STATUSES_IGNORE);
    }
}

/* ------------------------------------------------------------- driver */

/* Parameters that must be equal on every rank. */
enum { A_STATUS, A_ROOT_NO_IN, A_ROOT_NO_OUT, A_SOME_NO_OUT, A_FLAGS };
#define A_PARAMS 8

static int run(const qm_exec *dex, qm_map_fn f, void *data,
               const void *in, size_t in_size, void *out, size_t out_size,
               size_t n, int op, const qm_mpi_map_opts *opts, double *result,
               qm_map_result *mr)
{
    qm_mpi *m = NULL;
    /* the executor's local part maps each rank's elements */
    qm_exec local;
    const qm_exec *ex = NULL;
    if (qm__mpi_of(dex, &m) == QM_SUCCESS) {
        local = *dex;
        local.dist = NULL;
        local.dctx = NULL;
        local.rank = 0;
        local.nranks = 1;
        ex = &local;
    }
    static const qm_mpi_map_opts defaults; /* zero: root 0, static */
    if (mr) {
        mr->fail_index = SIZE_MAX;
        mr->user_status = 0;
    }
    if (result)
        *result = NAN;
    if (!m) /* no communicator to agree over */
        return QM_EINVAL;
    if (!opts)
        opts = &defaults;

    plan p;
    memset(&p, 0, sizeof p);
    p.m = m;
    p.j.ex = ex;
    p.j.f = f;
    p.j.data = data;
    p.j.in_size = in_size;
    p.j.out_size = out_size;
    p.j.local = &opts->local;
    p.j.op = op;
    p.n = n;
    p.root = opts->root;
    p.gather_all = opts->gather_all != 0;
    p.gran = op >= 0 ? QM_REDUCE_BLOCK : 1;
    p.tin = p.tout = MPI_DATATYPE_NULL;
    const int me = m->rank, P = m->size;
    const int is_root = me == opts->root;

    /* 1. this rank's view of the arguments: the local kernel's own checks
     *    (arrays where they are significant) plus the distribution's */
    const int holds_out = is_root || opts->gather_all;
    int st = QM_SUCCESS;
    if (!ex || !f || opts->root < 0 || opts->root >= P
        || (opts->schedule != QM_MPI_STATIC && opts->schedule != QM_MPI_DYNAMIC)
        || n > (size_t)INT64_MAX
        || in_size > INT_MAX || out_size > INT_MAX
        || (in_size > 0 && n > SIZE_MAX / in_size)
        || (out_size > 0 && n > SIZE_MAX / out_size)
        || (is_root && in && in_size == 0)
        || (holds_out && out && out_size == 0)
        || (op >= 0 && (!result || op > QM_REDUCE_COUNT)))
        st = QM_EINVAL;
    if (st == QM_SUCCESS) {
        p.chunk = dyn_chunk(&p, opts->chunk);
        p.cap = p.chunk < n ? p.chunk : n;
    }
    const int dynamic = opts->schedule == QM_MPI_DYNAMIC && P > 1;

    static_bufs sb;
    dyn_bufs db;
    memset(&sb, 0, sizeof sb);
    memset(&db, 0, sizeof db);
    if (st == QM_SUCCESS && P > 1 && n > 0)
        st = dynamic ? dyn_alloc(&p, &db) : static_alloc(&p, &sb);

    /* 2. agreement: status, the root's NULL arrays, equal parameters */
    uint64_t a[A_FLAGS + 2 * A_PARAMS], g[A_FLAGS + 2 * A_PARAMS];
    const uint64_t prm[A_PARAMS] = {
        n, in_size, out_size, (uint64_t)(int64_t)opts->root,
        (uint64_t)opts->schedule, (uint64_t)p.gather_all, opts->chunk,
        (uint64_t)(int64_t)op};
    a[A_STATUS] = (uint64_t)st;
    a[A_ROOT_NO_IN] = is_root && !in;
    a[A_ROOT_NO_OUT] = is_root && !out;
    a[A_SOME_NO_OUT] = !out;
    for (int i = 0; i < A_PARAMS; i++) {
        a[A_FLAGS + 2 * i] = prm[i];
        a[A_FLAGS + 2 * i + 1] = ~prm[i];
    }
    MPI_Allreduce(a, g, A_FLAGS + 2 * A_PARAMS, MPI_UINT64_T, MPI_MAX,
                  m->comm);
    st = (int)g[A_STATUS];
    for (int i = 0; i < A_PARAMS; i++)
        if (g[A_FLAGS + 2 * i] != ~g[A_FLAGS + 2 * i + 1])
            st = QM_EINVAL; /* some rank passed a different value */
    p.has_in = in_size > 0 && !g[A_ROOT_NO_IN];
    p.has_out = op < 0 && out_size > 0 && !g[A_ROOT_NO_OUT];
    /* gather_all writes out on every rank: it must exist everywhere */
    if (st == QM_SUCCESS && p.gather_all && p.has_out && n > 0
        && g[A_SOME_NO_OUT])
        st = QM_EINVAL;
    if (st != QM_SUCCESS) {
        static_free(&sb);
        dyn_free(&db);
        return st;
    }
    p.in = is_root ? in : NULL;
    p.out = is_root || p.gather_all ? out : NULL;

    /* 3. the work */
    map_rec rec_mine, rec_all, *rec = &rec_mine, *all = &rec_all;
    rec_init(rec);
    if (P == 1 || n == 0) {
        /* one rank: the local kernel over everything, no messages */
        job_run(&p.j, in, out, n, 0, rec);
        *all = *rec;
    } else {
        if (p.has_in) {
            MPI_Type_contiguous((int)in_size, MPI_BYTE, &p.tin);
            MPI_Type_commit(&p.tin);
        }
        if (p.has_out) {
            MPI_Type_contiguous((int)out_size, MPI_BYTE, &p.tout);
            MPI_Type_commit(&p.tout);
        }
        if (!dynamic)
            static_run(&p, &sb, rec);
        else if (is_root)
            dyn_root(&p, &db, rec);
        else
            dyn_worker(&p, &db, rec);
        MPI_Datatype rt;
        MPI_Op rop;
        MPI_Type_contiguous(REC_WORDS, MPI_INT64_T, &rt);
        MPI_Type_commit(&rt);
        MPI_Op_create(rec_reduce, 1, &rop);
        MPI_Allreduce(rec, all, 1, rt, rop, m->comm);
        MPI_Op_free(&rop);
        MPI_Type_free(&rt);
        if (dynamic && p.gather_all && p.has_out)
            bcast_pieces(out, n, out_size, p.tout, p.root, m->comm);
        if (p.tin != MPI_DATATYPE_NULL)
            MPI_Type_free(&p.tin);
        if (p.tout != MPI_DATATYPE_NULL)
            MPI_Type_free(&p.tout);
    }
    static_free(&sb);
    dyn_free(&db);

    /* 4. the same merged record gives the same answer on every rank */
    st = (int)all->status;
    if (st == QM_EMAPFN && mr) {
        mr->fail_index = (size_t)all->fail_index;
        mr->user_status = (int)all->user_status;
    }
    if (st == QM_SUCCESS && result) {
        switch (op) {
        case QM_REDUCE_SUM: *result = qm__sacc_round(&all->sum); break;
        case QM_REDUCE_MIN: *result = bits_dbl(all->min_bits); break;
        case QM_REDUCE_MAX: *result = bits_dbl(all->max_bits); break;
        case QM_REDUCE_COUNT: *result = (double)all->count; break;
        default: break;
        }
    }
    return st;
}

int qm_scatter_map(const qm_exec *ex, qm_map_fn f, void *data,
                   const void *in, size_t in_size, void *out,
                   size_t out_size, size_t n, const qm_mpi_map_opts *opts,
                   qm_map_result *mr)
{
    return run(ex, f, data, in, in_size, out, out_size, n, -1, opts, NULL,
               mr);
}

int qm_scatter_map_reduce(const qm_exec *ex, qm_map_fn f, void *data,
                          const void *in, size_t in_size, size_t n,
                          qm_reduce_op op, const qm_mpi_map_opts *opts,
                          double *result, qm_map_result *mr)
{
    /* an out-of-range op must still reach the agreement as "bad" */
    const int iop = (int)op >= 0 && (int)op <= QM_REDUCE_COUNT ? (int)op
                                                                : INT_MAX;
    return run(ex, f, data, in, in_size, NULL, 0, n, iop, opts, result, mr);
}
