/* Internal entry points shared by the adaptive and multi-dimensional
 * drivers (not installed). */
#ifndef QM_ADAPT_INTERNAL_H
#define QM_ADAPT_INTERNAL_H

#include "core/internal.h"

/* Tanh-sinh on one interval (tanh_sinh.c), called by qm_integrate_adaptive
 * with checked and agreed arguments, a != b.  Fills every field of *res. */
int qm__tanh_sinh(const qm_exec *ex, qm_batch_fn f, void *data, double a,
                  double b, const qm_adapt_opts *opts, qm_result *res);

/* Monte Carlo and quasi-Monte Carlo (montecarlo.c); arguments already
 * checked and agreed by qm_cubature. */
int qm__cubature_mc(const qm_exec *ex, qm_vector_fn f, void *data,
                    unsigned dim, const double *xmin, const double *xmax,
                    unsigned fdim, const qm_cubature_opts *opts, double *val,
                    double *err, qm_result *res);
/* The MC/QMC-specific argument check (QMC's dimension limit). */
int qm__cubature_mc_check(unsigned dim);

#endif
