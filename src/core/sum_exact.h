/*
 * Exact, order-independent summation of doubles (internal).
 *
 * A qm_sacc is a fixed-point "superaccumulator" in the spirit of ExBLAS
 * (Collange, Defour, Graillat, Iakymchuk 2015) and Kulisch's long
 * accumulator: every finite double is an integer multiple of 2^-1074, so the
 * sum of any set of doubles is an integer times 2^-1074 that fits in ~2100
 * bits.  The accumulator holds it exactly in 32-bit digits stored in signed
 * 64-bit limbs (the spare bits absorb carries), so adding is exact and
 * therefore associative and commutative: any thread, rank or schedule that
 * adds the same multiset of doubles obtains the same bits.  Rounding to double
 * happens once, in qm__sacc_round(), deterministically.
 *
 * Non-finite inputs are tracked separately (counts of +Inf, -Inf and NaN), so
 * the rounded value follows IEEE semantics for them.
 */
#ifndef QM_SUM_EXACT_H
#define QM_SUM_EXACT_H

#include <stdint.h>

/* Limb i has weight 2^(32*i - QM_SACC_BIAS).  The smallest subnormal is
 * 2^-1074 and the largest finite double < 2^1024; 70 limbs cover
 * [2^-1088, 2^1152), leaving 128 bits of headroom for sums of up to 2^100
 * terms of the largest magnitude. */
#define QM_SACC_LIMBS 70
#define QM_SACC_BIAS 1088

typedef struct qm_sacc {
    int64_t limb[QM_SACC_LIMBS];
    int64_t pending;  /* additions since the last carry normalization */
    int64_t n_pinf, n_minf, n_nan;
} qm_sacc;

/* Set to zero. */
void qm__sacc_init(qm_sacc *s);
/* s += x, exactly (x may be any double). */
void qm__sacc_add(qm_sacc *s, double x);
/* s += t, exactly. */
void qm__sacc_merge(qm_sacc *s, const qm_sacc *t);
/* The sum rounded to double (faithfully rounded: |error| < 1 ulp);
 * NaN if any NaN or both infinities were added, +-Inf if one was. */
double qm__sacc_round(const qm_sacc *s);

#endif
