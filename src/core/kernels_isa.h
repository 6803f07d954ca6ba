/*
 * Internal: the kernels compiled once per instruction-set level (not
 * installed).  src/core/kernels_isa.c is compiled four times, with
 * QM_ISA_LEVEL = 0 (plain C), 1 (-msse2), 2 (-mavx2) and 3 (-mavx512f), into
 * the tables below; src/core/vmath.c picks one table per process (qm__isa).
 * Every table computes the same bits: SLEEF's deterministic cinz functions
 * for the transcendental ones, IEEE arithmetic without FMA contraction
 * (-ffp-contract=off) and a fixed summation order for the rest.
 */
#ifndef QM_KERNELS_ISA_H
#define QM_KERNELS_ISA_H

#include "core/vmath.h"

/* The built-in integrands that have a fused block kernel (builtins.c). */
typedef enum qm_bi_id {
    QM_BI_X2, QM_BI_POLY, QM_BI_SIN, QM_BI_COS, QM_BI_EXP, QM_BI_RUNGE,
    QM_BI_GAUSS, QM_BI_SQRT, QM_BI_N
} qm_bi_id;

/*
 * A fused fixed-rule block kernel: for j in [0, m) it forms the abscissa
 * x_j = base + idx[j] * H (as rules.c does), evaluates the built-in at x_j and adds the
 * value into s[j mod 6], in exactly the order of the general path's sum24
 * (24 lanes over 24 consecutive values, folded lane by lane, then the tail),
 * so it gives the same bits as writing x[] and y[] and summing them --
 * without the memory round trip.  m is a multiple of 24 except for the last
 * batch of a progression; idx[j] = j.
 */
typedef void (*qm_fused_fn)(double base, double H, const double *restrict idx,
                            int m, double s[6]);

/* s[j mod 6] += y[j] for j in [0, m), in the lane order described above. */
typedef void (*qm_sum24_fn)(const double *restrict y, int m, double s[6]);

typedef struct qm_isa_kernels {
    qm_isa isa;
    qm_sum24_fn sum24;
    qm_vm_unary_fn unary[QM_VM_NFN];
    qm_vm_binary_fn pow, atan2;
    qm_fused_fn fused[QM_BI_N];
} qm_isa_kernels;

extern const qm_isa_kernels qm__kernels_scalar;
#if defined(QM_HAVE_X86_ISA)
extern const qm_isa_kernels qm__kernels_sse2;
extern const qm_isa_kernels qm__kernels_avx2;
extern const qm_isa_kernels qm__kernels_avx512;
#endif

/* The table of the process's ISA (qm__isa()). */
const qm_isa_kernels *qm__kernels(void);

#endif
