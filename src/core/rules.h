/* Internal: rule tables shared by the fixed-rule driver. */
#ifndef QM_RULES_H
#define QM_RULES_H

/* Gauss-Legendre nodes (increasing) and weights on [-1, 1] in long double. */
int qm__gauss_legendre_ld(int k, long double *t, long double *w);

#endif

#ifndef QM_RULES_PLAN_H
#define QM_RULES_PLAN_H
#include "core/internal.h"
#include "core/kernels_isa.h"

/* The fused block kernel of a built-in batch function (its formula evaluated
 * where the abscissae are formed, same bits), or NULL for any other f. */
qm_fused_fn qm__builtin_fused(qm_batch_fn f);

/*
 * A fixed rule on [a, b] with N panels is planned as a list of arithmetic
 * progressions of abscissae x = x0 + (i + c) H, i in [i_begin, i_end).  Each
 * point carries a fine weight wf (the rule) and a coarse weight wc[i mod 6]
 * (the nested coarser rule used for the error estimate).  Progressions are cut
 * into blocks of QM_BLOCK points, numbered consecutively over the list: the
 * decomposition depends only on (rule, N), never on the workers.
 */
typedef struct qm_prog {
    double x0, c, H;
    int64_t i_begin, i_end;
    double wf, wc[6];
    int64_t first_block; /* global index of this progression's first block */
} qm_prog;

#define QM_MAX_PROGS (3 * QM_GAUSS_MAX_POINTS + 8)

typedef struct qm_plan {
    qm_batch_fn f;
    void *data;
    qm_fused_fn fused; /* f's fused kernel (a built-in), else NULL */
    const qm_isa_kernels *kernels; /* the process's ISA table */
    int64_t nblocks;
    int64_t evaluations;
    int has_coarse;   /* the error estimate is available */
    double richardson; /* r^p - 1 */
    int negate;        /* a > b: integrate over [b, a] and negate */
    int nprogs;
    qm_prog prog[QM_MAX_PROGS]; /* last: planning zeroes what precedes it */
} qm_plan;

/* Build the plan (validates arguments).  a == b gives nblocks == 0. */
int qm__plan_fixed(qm_plan *plan, qm_batch_fn f, void *data, double a,
                   double b, int64_t n, const qm_rule *rule);
/* The block function for qm__exec_run (ctx is a const qm_plan *); it fills
 * acc[0] (fine rule) and acc[1] (coarse rule). */
int qm__plan_block(void *ctx, int64_t block, qm_scratch *sc, qm_sacc *acc,
                   qm_fail *fail);
/* Turn the two exact sums and the run status into a result. */
int qm__plan_finish(const qm_plan *plan, int status, const qm_sacc acc[2],
                    const qm_fail *fail, qm_result *res);
#endif
