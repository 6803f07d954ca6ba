/*
 * MPI layer: distributes the core's blocks over ranks and reduces the exact
 * accumulators with a user-defined MPI_Op (see quadmap_mpi.h).
 *
 * Distribution: rank r of P evaluates the contiguous block range
 * [r*nb/P, (r+1)*nb/P) (balanced to within one block), computed identically
 * on every rank from the plan.  Nothing is scattered: every rank already
 * holds the problem (integrand, bounds, N), so a scatter would only add a
 * message.  Inside its range a rank uses its local executor (OpenMP).
 *
 * Failures: ranks work in rounds (of adaptive length, see run_share); after
 * each round one small MPI_Allreduce
 * (MIN) shares the lowest failing block known anywhere and whether everybody
 * is done.  Blocks at or above that failure are skipped on every rank, blocks
 * below it are still evaluated, so the failure finally reported is the lowest
 * failing block overall -- deterministic, the one the serial library reports
 * -- and the job stops promptly.  The final record (two exact accumulators +
 * the failure) travels through one MPI_Allreduce with qm_mpi_op.
 */
#include "config.h"
#include "mpi/mpi_internal.h"
#include "core/rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Everything one rank contributes, as int64 words for one MPI datatype. */
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

/* The reduction: exact merge of the accumulators (associative and
 * commutative, so MPI may combine in any order) and the lowest failure. */
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

int qm_mpi_new(qm_mpi **out, MPI_Comm comm)
{
    int init = 0, fin = 0;
    if (!out)
        return QM_EINVAL;
    *out = NULL;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (!init || fin || comm == MPI_COMM_NULL)
        return QM_EINVAL;
    qm_mpi *m = calloc(1, sizeof *m);
    int ok = m != NULL, all_ok = 0;
    /* agree before any rank returns, so nobody is left in a collective */
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_LAND, comm);
    if (!all_ok) {
        free(m);
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

void qm_mpi_free(qm_mpi *m)
{
    if (!m)
        return;
    MPI_Op_free(&m->rec_op);
    MPI_Type_free(&m->rec_type);
    MPI_Comm_free(&m->comm);
    free(m);
}

int qm_mpi_rank(const qm_mpi *m) { return m ? m->rank : -1; }
int qm_mpi_size(const qm_mpi *m) { return m ? m->size : 0; }

int qm_mpi_agree(qm_mpi *m, int status, int *rank)
{
    int in[2], out[2];
    /* MAXLOC would favour the highest rank on ties: use MINLOC on -status */
    in[0] = -status;
    in[1] = m->rank;
    MPI_Allreduce(in, out, 1, MPI_2INT, MPI_MINLOC, m->comm);
    if (rank)
        *rank = out[1];
    return -out[0];
}

/* Evaluate blocks [lo, hi) of the plan on this rank in rounds (see the file
 * comment); rec receives this rank's accumulators and lowest failure. */
static void run_share(qm_mpi *m, const qm_exec *ex, qm_plan *plan, int64_t lo,
                      int64_t hi, qm_mpi_rec *rec)
{
    /* Round length adapts to the integrand's cost: aim at 20-80 ms per
     * round, so a failure elsewhere is noticed within ~0.1 s while the
     * per-round MPI_Allreduce stays negligible.  Round lengths never change
     * the result (they only decide when ranks talk), so they may depend on
     * timing. */
    const int64_t threads = qm_exec_threads(ex);
    int64_t round = 4 * threads, cur = lo;
    int64_t known[2] = {INT64_MAX, 0}; /* {lowest failing block, all done} */

    for (;;) {
        const int64_t stop = hi < known[0] ? hi : known[0];
        int64_t end = cur + round < stop ? cur + round : stop;
        if (cur < end) {
            const double t0 = MPI_Wtime();
            qm_sacc acc[2];
            qm_fail fail;
            int st = qm__exec_run(ex, cur, end, qm__plan_block, plan, 2, acc,
                                  &fail);
            qm__sacc_merge(&rec->acc[0], &acc[0]);
            qm__sacc_merge(&rec->acc[1], &acc[1]);
            if (st != QM_SUCCESS) {
                qm_mpi_rec f;
                f.status = st;
                /* a local failure that is not a block's (out of memory)
                 * stops everything: it ranks below every block */
                f.block = fail.status != QM_SUCCESS ? fail.block : -1;
                memcpy(&f.x_bits, &fail.x, sizeof f.x_bits);
                f.user_status = fail.user_status;
                f.rank = m->rank;
                rec_fail_lower(rec, &f);
            }
            cur = end;
            const double dt = MPI_Wtime() - t0;
            if (dt < 0.02 && round < (INT64_MAX / 4))
                round *= 2;
            else if (dt > 0.08 && round > threads)
                round /= 2;
        }
        int64_t mine[2];
        mine[0] = rec->status != QM_SUCCESS ? rec->block : INT64_MAX;
        int64_t left = hi < known[0] ? hi : known[0];
        if (mine[0] < left)
            left = mine[0];
        mine[1] = cur >= left; /* nothing below any known failure remains */
        MPI_Allreduce(mine, known, 2, MPI_INT64_T, MPI_MIN, m->comm);
        if (known[1])
            break;
    }
}

int qm_mpi_integrate(qm_mpi *m, const qm_exec *ex, qm_batch_fn f, void *data,
                     double a, double b, int64_t n, const qm_rule *rule,
                     qm_result *res, int *fail_rank)
{
    if (fail_rank)
        *fail_rank = -1;
    if (!m)
        return QM_EINVAL;
    qm_plan *plan = malloc(sizeof *plan);
    qm_mpi_rec *rec = malloc(sizeof *rec), *all = malloc(sizeof *all);
    int st = plan && rec && all ? QM_SUCCESS : QM_ENOMEM;
    if (st == QM_SUCCESS)
        st = !ex || !res ? QM_EINVAL
                         : qm__plan_fixed(plan, f, data, a, b, n, rule);
    if (res) {
        res->value = res->abserr = res->fail_x = NAN;
        res->evaluations = 0;
        res->user_status = 0;
    }
    /* bad arguments anywhere are bad arguments everywhere */
    int bad_rank;
    st = qm_mpi_agree(m, st, &bad_rank);
    if (st != QM_SUCCESS) {
        if (fail_rank)
            *fail_rank = bad_rank;
        free(plan);
        free(rec);
        free(all);
        return st;
    }

    memset(rec, 0, sizeof *rec);
    qm__sacc_init(&rec->acc[0]);
    qm__sacc_init(&rec->acc[1]);
    rec->status = QM_SUCCESS;
    rec->block = INT64_MAX;
    rec->rank = m->rank;
    const int64_t nb = plan->nblocks, P = m->size, r = m->rank;
    /* nb <= 2^60 and P < 2^31: the products fit in int64 only when split */
    const int64_t lo = (nb / P) * r + (r < nb % P ? r : nb % P);
    const int64_t hi = lo + nb / P + (r < nb % P ? 1 : 0);
    run_share(m, ex, plan, lo, hi, rec);

    MPI_Allreduce(rec, all, 1, m->rec_type, m->rec_op, m->comm);

    qm_fail fail = {(int)all->status, all->block, 0.0, (int)all->user_status};
    memcpy(&fail.x, &all->x_bits, sizeof fail.x);
    st = qm__plan_finish(plan, (int)all->status, all->acc, &fail, res);
    if (fail_rank && all->status != QM_SUCCESS)
        *fail_rank = (int)all->rank;
    free(plan);
    free(rec);
    free(all);
    return st;
}
