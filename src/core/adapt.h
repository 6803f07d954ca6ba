/* Internal entry points shared by the adaptive and multi-dimensional
 * drivers (not installed). */
#ifndef QM_ADAPT_INTERNAL_H
#define QM_ADAPT_INTERNAL_H

#include "quadmap_adapt.h"

/* Tanh-sinh (tanh_sinh.c), called by qm_integrate_adaptive. */
int qm__tanh_sinh(const qm_exec *ex, qm_batch_fn f, void *data, double a,
                  double b, const qm_adapt_opts *opts, qm_result *res,
                  qm_adapt_info *info);

/* Monte Carlo and quasi-Monte Carlo (montecarlo.c); arguments already
 * checked by qm_cubature. */
int qm__cubature_mc(const qm_exec *ex, qm_vector_fn f, void *data,
                    unsigned dim, const double *xmin, const double *xmax,
                    unsigned fdim, const qm_cubature_opts *opts, double *val,
                    double *err, qm_cubature_info *info);

#endif
