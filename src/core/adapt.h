/* Internal entry points shared by the adaptive and multi-dimensional
 * drivers (not installed). */
#ifndef QM_ADAPT_INTERNAL_H
#define QM_ADAPT_INTERNAL_H

#include "quadmap_adapt.h"

/* Tanh-sinh (tanh_sinh.c), called by qm_integrate_adaptive. */
int qm__tanh_sinh(const qm_exec *ex, qm_batch_fn f, void *data, double a,
                  double b, const qm_adapt_opts *opts, qm_result *res,
                  qm_adapt_info *info);
/* The same with each level's chunks of points spread by `dist` (NULL: the
 * executor alone; see qm_distributor below): identical results on every
 * process and to qm__tanh_sinh.  Arguments already checked, a != b. */
struct qm_distributor;
int qm__tanh_sinh_dist(const qm_exec *ex, qm_batch_fn f, void *data,
                       double a, double b, const qm_adapt_opts *opts,
                       qm_result *res, qm_adapt_info *info,
                       const struct qm_distributor *dist);

/*
 * Distribution of a step's units over processes (the MPI layer): run() must
 * call local(lctx, lo, hi) for this process's share of units [0, n), whose
 * results land in slots base[lo..hi) of slot_size bytes, and then make every
 * slot of [0, n) hold the owning process's bytes on every process (e.g. with
 * MPI_Allgatherv).  Returns QM_SUCCESS or QM_ENOMEM, the same everywhere.
 */
typedef int (*qm_local_units_fn)(void *lctx, size_t lo, size_t hi);
typedef struct qm_distributor {
    int (*run)(void *dctx, size_t n, void *base, size_t slot_size,
               qm_local_units_fn local, void *lctx);
    void *dctx;
} qm_distributor;

/* qm_integrate_adaptive (QAG / QAGS, not tanh-sinh) whose rule evaluations
 * are spread by `dist` (NULL: the executor alone).  Every process runs the
 * same driver on the same gathered rule results, so the partition, the sums
 * and the result are identical everywhere and to the single-process run. */
int qm__integrate_adaptive_dist(const qm_exec *ex, qm_batch_fn f, void *data,
                                double a, double b, const qm_adapt_opts *opts,
                                qm_result *res, qm_adapt_info *info,
                                const qm_distributor *dist);

/* The argument checks of qm_integrate_adaptive (tolerances, bounds,
 * breakpoints, key, method): QM_SUCCESS or QM_EINVAL. */
int qm__adapt_check(const qm_adapt_opts *opts, double a, double b);

/* Monte Carlo and quasi-Monte Carlo (montecarlo.c); arguments already
 * checked by qm_cubature.  dist as for qm__cubature_dist. */
int qm__cubature_mc(const qm_exec *ex, qm_vector_fn f, void *data,
                    unsigned dim, const double *xmin, const double *xmax,
                    unsigned fdim, const qm_cubature_opts *opts, double *val,
                    double *err, qm_cubature_info *info,
                    const qm_distributor *dist);
/* The MC/QMC-specific argument check (QMC's dimension limit). */
int qm__cubature_mc_check(unsigned dim);

/* qm_cubature (every method) whose per-step evaluations (adaptive: tasks of
 * regions; MC: blocks of samples; QMC: tasks of a chunk) are spread by
 * `dist` (NULL: the executor alone).  Every process gets every unit's
 * results and runs the same serial remainder, so the result, error, counts
 * and failure report are identical everywhere and to qm_cubature. */
int qm__cubature_dist(const qm_exec *ex, qm_vector_fn f, void *data,
                      unsigned dim, const double *xmin, const double *xmax,
                      unsigned fdim, const qm_cubature_opts *opts,
                      double *val, double *err, qm_cubature_info *info,
                      const qm_distributor *dist);
/* The argument checks of qm_cubature on dim, bounds, fdim and opts
 * (not ex, f, val, err): QM_SUCCESS or QM_EINVAL. */
int qm__cubature_check(unsigned dim, const double *xmin, const double *xmax,
                       unsigned fdim, const qm_cubature_opts *opts);

#endif
