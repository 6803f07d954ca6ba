/*
 * MPI layer of the adaptive 1-D integrator (qm_mpi_integrate_adaptive).
 *
 * Every rank runs the same deterministic driver (src/core/adapt.c).  At each
 * step the batch of Gauss-Kronrod rules is split into contiguous shares, a
 * rank evaluates its share with its local executor, and one MPI_Allgatherv
 * gives every rank every rule's result.  All ranks then hold the same data
 * and take the same decisions, so the partition, the exact sums and the
 * result are identical on every rank and to the single-process run; a
 * failing rule is found by the same scan everywhere.  Rule results travel as
 * bytes: the ranks must share one floating-point format (any homogeneous
 * cluster).
 */
#include "config.h"
#include "mpi/mpi_internal.h"
#include "core/adapt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct dist_ctx {
    qm_mpi *m;
    int *counts, *displs; /* per rank, in bytes */
} dist_ctx;

static int allgather_units(void *vctx, size_t n, void *base, size_t slot,
                           qm_local_units_fn local, void *lctx)
{
    dist_ctx *c = vctx;
    const size_t P = (size_t)c->m->size, r = (size_t)c->m->rank;
    size_t off = 0;
    for (size_t k = 0; k < P; k++) {
        const size_t share = n / P + (k < n % P ? 1 : 0);
        /* a step has at most a few hundred rules of ~100 bytes: no overflow */
        c->counts[k] = (int)(share * slot);
        c->displs[k] = (int)(off * slot);
        if (k == r && share > 0)
            local(lctx, off, off + share);
        off += share;
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, base, c->counts,
                   c->displs, MPI_BYTE, c->m->comm);
    return QM_SUCCESS;
}

/* Every rank must pass the same problem: compare the scalar arguments. */
static int same_everywhere(qm_mpi *m, double a, double b,
                           const qm_adapt_opts *o)
{
    double v[8] = {a, b, o->epsabs, o->epsrel, (double)o->limit, (double)o->key,
                   (double)o->method, (double)o->nbreakpoints};
    double lo[8], hi[8];
    MPI_Allreduce(v, lo, 8, MPI_DOUBLE, MPI_MIN, m->comm);
    MPI_Allreduce(v, hi, 8, MPI_DOUBLE, MPI_MAX, m->comm);
    for (int i = 0; i < 8; i++)
        if (memcmp(&lo[i], &hi[i], sizeof lo[i]) != 0 && !(isnan(lo[i]) && isnan(hi[i])))
            return 0;
    return 1;
}

int qm_mpi_integrate_adaptive(qm_mpi *m, const qm_exec *ex, qm_batch_fn f,
                              void *data, double a, double b,
                              const qm_adapt_opts *opts, qm_result *res,
                              qm_adapt_info *info)
{
    if (info) {
        info->subregions = 0;
        info->steps = 0;
    }
    if (res) {
        res->value = res->abserr = res->fail_x = NAN;
        res->evaluations = 0;
        res->user_status = 0;
    }
    if (!m)
        return QM_EINVAL;
    int st = !ex || !f || !res ? QM_EINVAL : qm__adapt_check(opts, a, b);
    /* tanh-sinh is distributed on one interval, not with breakpoints */
    if (st == QM_SUCCESS && opts->method == QM_ADAPT_TANH_SINH
        && opts->nbreakpoints > 0)
        st = QM_ENOTSUP;
    dist_ctx c = {m, malloc((size_t)m->size * sizeof(int)),
                  malloc((size_t)m->size * sizeof(int))};
    if (st == QM_SUCCESS && (!c.counts || !c.displs))
        st = QM_ENOMEM;
    /* bad arguments or memory anywhere stop everybody before any step */
    st = qm_mpi_agree(m, st, NULL);
    if (st == QM_SUCCESS && !same_everywhere(m, a, b, opts))
        st = QM_EINVAL;
    if (st == QM_SUCCESS) {
        const qm_distributor dist = {allgather_units, &c};
        if (opts->method != QM_ADAPT_TANH_SINH)
            st = qm__integrate_adaptive_dist(ex, f, data, a, b, opts, res,
                                             info, &dist);
        else if (a == b) { /* as qm_integrate_adaptive */
            res->value = 0.0;
            res->abserr = 0.0;
        } else
            st = qm__tanh_sinh_dist(ex, f, data, a, b, opts, res, info,
                                    &dist);
    }
    free(c.counts);
    free(c.displs);
    return st;
}

/* ------------------------------------------------------------ cubature */

/* Every rank must pass the same problem: compare the scalar options, then
 * (dim being the same) the bounds.  Collective; the same answer everywhere. */
static int same_cubature(qm_mpi *m, unsigned dim, const double *xmin,
                         const double *xmax, unsigned fdim,
                         const qm_cubature_opts *o)
{
    uint64_t u[6] = {dim, fdim, (uint64_t)o->method, (uint64_t)o->norm,
                     o->max_eval, o->seed};
    uint64_t ulo[6], uhi[6];
    MPI_Allreduce(u, ulo, 6, MPI_UINT64_T, MPI_MIN, m->comm);
    MPI_Allreduce(u, uhi, 6, MPI_UINT64_T, MPI_MAX, m->comm);
    if (memcmp(ulo, uhi, sizeof ulo) != 0)
        return 0;
    const size_t n = 2 + 2 * (size_t)dim;
    double *v = malloc(3 * n * sizeof *v);
    int ok = v != NULL;
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, m->comm);
    if (!ok) {
        free(v);
        return -1;
    }
    double *lo = v + n, *hi = lo + n;
    v[0] = o->epsabs;
    v[1] = o->epsrel;
    memcpy(v + 2, xmin, dim * sizeof *v);
    memcpy(v + 2 + dim, xmax, dim * sizeof *v);
    MPI_Allreduce(v, lo, (int)n, MPI_DOUBLE, MPI_MIN, m->comm);
    MPI_Allreduce(v, hi, (int)n, MPI_DOUBLE, MPI_MAX, m->comm);
    for (size_t i = 0; i < n && ok; i++)
        if (memcmp(&lo[i], &hi[i], sizeof lo[i]) != 0
            && !(isnan(lo[i]) && isnan(hi[i])))
            ok = 0;
    free(v);
    return ok;
}

int qm_mpi_cubature(qm_mpi *m, const qm_exec *ex, qm_vector_fn f, void *data,
                    unsigned dim, const double *xmin, const double *xmax,
                    unsigned fdim, const qm_cubature_opts *opts, double *val,
                    double *err, qm_cubature_info *info)
{
    if (info) {
        info->evaluations = 0;
        info->subregions = 0;
        info->fail_x0 = NAN;
        info->user_status = 0;
    }
    if (val && err && fdim > 0)
        for (unsigned k = 0; k < fdim; k++)
            val[k] = err[k] = NAN;
    if (!m)
        return QM_EINVAL;
    int st = !ex || !f || !val || !err
                 ? QM_EINVAL
                 : qm__cubature_check(dim, xmin, xmax, fdim, opts);
    dist_ctx c = {m, malloc((size_t)m->size * sizeof(int)),
                  malloc((size_t)m->size * sizeof(int))};
    if (st == QM_SUCCESS && (!c.counts || !c.displs))
        st = QM_ENOMEM;
    /* bad arguments or memory anywhere stop everybody before any step */
    st = qm_mpi_agree(m, st, NULL);
    if (st == QM_SUCCESS) {
        const int same = same_cubature(m, dim, xmin, xmax, fdim, opts);
        st = same < 0 ? QM_ENOMEM : same ? QM_SUCCESS : QM_EINVAL;
    }
    if (st == QM_SUCCESS) {
        const qm_distributor dist = {allgather_units, &c};
        st = qm__cubature_dist(ex, f, data, dim, xmin, xmax, fdim, opts, val,
                               err, info, &dist);
    }
    free(c.counts);
    free(c.displs);
    return st;
}
