/*
 * The MPI executor (quadmap_mpi.h): a local executor plus a distributor
 * over a duplicated communicator.  This file is the whole of what the core
 * needs from MPI -- the agreement check, the all-gather of step slots, the
 * exact all-reduce of accumulators and a minimum -- and nothing here
 * knows an algorithm: every integrator and map kernel of libquadmap runs
 * distributed through these operations (src/core/dist.h).
 *
 * Accumulators and failures travel together as one record of int64 words
 * through a user-defined MPI_Op that merges the exact accumulators
 * (associative and commutative, so MPI may combine in any order) and keeps
 * the lowest failure (by unit, then by rank).
 */
#include "config.h"
#include "mpi/mpi_internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Everything one rank contributes to an all-reduce. */
typedef struct qm_mpi_rec {
    qm_sacc acc[2];
    int64_t status, block, x_bits, user_status, rank;
} qm_mpi_rec;

#define REC_WORDS (sizeof(qm_mpi_rec) / sizeof(int64_t))

static void rec_fail_lower(qm_mpi_rec *dst, const qm_mpi_rec *src)
{
    if (src->status != QM_SUCCESS &&
        (dst->status == QM_SUCCESS || src->block < dst->block ||
         (src->block == dst->block && src->rank < dst->rank))) {
        dst->status = src->status;
        dst->block = src->block;
        dst->x_bits = src->x_bits;
        dst->user_status = src->user_status;
        dst->rank = src->rank;
    }
}

static void rec_reduce(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    const qm_mpi_rec *a = in;
    qm_mpi_rec *b = inout;
    for (int i = 0; i < *len; i++) {
        qm__sacc_merge(&b[i].acc[0], &a[i].acc[0]);
        qm__sacc_merge(&b[i].acc[1], &a[i].acc[1]);
        rec_fail_lower(&b[i], &a[i]);
    }
}

/* ------------------------------------------------------- the operations */

static int op_agree(void *d, int status, uint64_t hash)
{
    qm_mpi *m = d;
    /* one all-reduce (minimum) of {hash, ~hash, ~status}: min and max of
     * the hashes, max of the statuses */
    uint64_t v[3] = {hash, ~hash, ~(uint64_t)(uint32_t)status}, r[3];
    MPI_Allreduce(v, r, 3, MPI_UINT64_T, MPI_MIN, m->comm);
    const int st = (int)(uint32_t)~r[2];
    if (st != QM_SUCCESS)
        return st;
    return r[0] == ~r[1] ? QM_SUCCESS : QM_EINVAL;
}

static int op_allgather(void *d, void *base, size_t n, size_t slot_size,
                        size_t gran, int status)
{
    qm_mpi *m = d;
    int st = status;
    MPI_Allreduce(MPI_IN_PLACE, &st, 1, MPI_INT, MPI_MAX, m->comm);
    if (st != QM_SUCCESS || n == 0)
        return st;
    const int P = m->size;
    if (n * slot_size / slot_size == n && n * slot_size <= (size_t)INT_MAX) {
        /* the usual case (a step's slots): one MPI_Allgatherv of bytes */
        for (int r = 0; r < P; r++) {
            uint64_t lo, hi;
            qm__share_gran(n, gran, r, P, &lo, &hi);
            m->counts[r] = (int)((hi - lo) * slot_size);
            m->displs[r] = (int)(lo * slot_size);
        }
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, base, m->counts,
                       m->displs, MPI_BYTE, m->comm);
        return QM_SUCCESS;
    }
    /* larger than int counts allow (a map's output): every rank's share
     * broadcast in pieces of at most 1 GiB */
    const size_t piece = (size_t)1 << 30;
    for (int r = 0; r < P; r++) {
        uint64_t lo, hi;
        qm__share_gran(n, gran, r, P, &lo, &hi);
        char *p = (char *)base + lo * slot_size;
        for (size_t left = (hi - lo) * slot_size; left > 0;) {
            const size_t k = left < piece ? left : piece;
            MPI_Bcast(p, (int)k, MPI_BYTE, r, m->comm);
            p += k;
            left -= k;
        }
    }
    return QM_SUCCESS;
}

static void op_allreduce(void *d, qm_sacc *acc, int nacc, qm_fail *fail,
                         int *fail_rank)
{
    qm_mpi *m = d;
    qm_mpi_rec rec, all;
    memset(&rec, 0, sizeof rec);
    for (int k = 0; k < 2; k++) {
        if (k < nacc)
            rec.acc[k] = acc[k];
        else
            qm__sacc_init(&rec.acc[k]);
    }
    rec.status = fail->status;
    rec.block = fail->status != QM_SUCCESS ? fail->block : INT64_MAX;
    memcpy(&rec.x_bits, &fail->x, sizeof rec.x_bits);
    rec.user_status = fail->user_status;
    rec.rank = m->rank;
    MPI_Allreduce(&rec, &all, 1, m->rec_type, m->rec_op, m->comm);
    for (int k = 0; k < nacc; k++)
        acc[k] = all.acc[k];
    fail->status = (int)all.status;
    fail->block = all.block;
    memcpy(&fail->x, &all.x_bits, sizeof fail->x);
    fail->user_status = (int)all.user_status;
    if (fail_rank)
        *fail_rank = all.status != QM_SUCCESS ? (int)all.rank : -1;
}

static void op_min_i64(void *d, int64_t *v, int n)
{
    qm_mpi *m = d;
    MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_INT64_T, MPI_MIN, m->comm);
}

static int mpi_ctx_new(MPI_Comm comm, qm_mpi **out);

static int op_clone(void *d, void **out)
{
    qm_mpi *m = d;
    int provided = MPI_THREAD_SINGLE;
    MPI_Query_thread(&provided);
    /* another thread will make collective calls while this one may too */
    int st = provided >= MPI_THREAD_MULTIPLE ? QM_SUCCESS : QM_ENOTSUP;
    MPI_Allreduce(MPI_IN_PLACE, &st, 1, MPI_INT, MPI_MAX, m->comm);
    *out = NULL;
    if (st != QM_SUCCESS)
        return st;
    qm_mpi *c = NULL;
    st = mpi_ctx_new(m->comm, &c);
    *out = c;
    return st;
}

static void op_release(void *d)
{
    qm_mpi *m = d;
    MPI_Op_free(&m->rec_op);
    MPI_Type_free(&m->rec_type);
    MPI_Comm_free(&m->comm);
    free(m->counts);
    free(m->displs);
    free(m);
}

static const qm_dist_ops mpi_ops = {
    op_agree, op_allgather, op_allreduce, op_min_i64, op_clone, op_release,
};

/* A context over a duplicate of comm; collective, the same status on
 * every rank. */
static int mpi_ctx_new(MPI_Comm comm, qm_mpi **out)
{
    int size = 0;
    MPI_Comm_size(comm, &size);
    qm_mpi *m = calloc(1, sizeof *m);
    if (m) {
        m->counts = malloc((size_t)size * sizeof *m->counts);
        m->displs = malloc((size_t)size * sizeof *m->displs);
    }
    int ok = m && m->counts && m->displs, all_ok = 0;
    /* agree before any rank returns, so nobody is left in a collective */
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_LAND, comm);
    if (!all_ok) {
        if (m) {
            free(m->counts);
            free(m->displs);
        }
        free(m);
        *out = NULL;
        return QM_ENOMEM;
    }
    MPI_Comm_dup(comm, &m->comm);
    MPI_Comm_rank(m->comm, &m->rank);
    MPI_Comm_size(m->comm, &m->size);
    MPI_Type_contiguous((int)REC_WORDS, MPI_INT64_T, &m->rec_type);
    MPI_Type_commit(&m->rec_type);
    MPI_Op_create(rec_reduce, 1, &m->rec_op);
    *out = m;
    return QM_SUCCESS;
}

/* ------------------------------------------------------------ public API */

int qm_exec_new_mpi(qm_exec **out, MPI_Comm comm, qm_backend local)
{
    int init = 0, fin = 0;
    if (!out)
        return QM_EINVAL;
    *out = NULL;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (!init || fin || comm == MPI_COMM_NULL)
        return QM_EINVAL;
    qm_exec *ex = NULL;
    int st = qm_exec_new(&ex, local);
    /* every rank must build the same kind of executor */
    MPI_Allreduce(MPI_IN_PLACE, &st, 1, MPI_INT, MPI_MAX, comm);
    if (st != QM_SUCCESS) {
        qm_exec_free(ex);
        return st;
    }
    qm_mpi *m = NULL;
    st = mpi_ctx_new(comm, &m);
    if (st != QM_SUCCESS) {
        qm_exec_free(ex);
        return st;
    }
    ex->dist = &mpi_ops;
    ex->dctx = m;
    ex->rank = m->rank;
    ex->nranks = m->size;
    *out = ex;
    return QM_SUCCESS;
}

MPI_Comm qm_exec_comm(const qm_exec *ex)
{
    if (!ex || ex->dist != &mpi_ops)
        return MPI_COMM_NULL;
    return ((const qm_mpi *)ex->dctx)->comm;
}

int qm__mpi_of(const qm_exec *ex, qm_mpi **m)
{
    if (!ex || ex->dist != &mpi_ops)
        return QM_EINVAL;
    *m = ex->dctx;
    return QM_SUCCESS;
}

int qm_mpi_agree(const qm_exec *ex, int status, int *rank)
{
    qm_mpi *m;
    if (qm__mpi_of(ex, &m) != QM_SUCCESS) {
        if (rank)
            *rank = 0;
        return status;
    }
    int in[2], out[2];
    /* MAXLOC would favour the highest rank on ties: MINLOC on -status */
    in[0] = -status;
    in[1] = m->rank;
    MPI_Allreduce(in, out, 1, MPI_2INT, MPI_MINLOC, m->comm);
    if (rank)
        *rank = out[1];
    return -out[0];
}
