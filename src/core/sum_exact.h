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

#include <math.h>
#include <stdint.h>
#include <string.h>

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
/* s += t, exactly. */
void qm__sacc_merge(qm_sacc *s, const qm_sacc *t);
/* The sum rounded to double (faithfully rounded: |error| < 1 ulp);
 * NaN if any NaN or both infinities were added, +-Inf if one was. */
double qm__sacc_round(const qm_sacc *s);

/* Additions between two carry normalizations (< 2^31: no limb overflows).
 * An accumulator given fewer additions since it was zeroed has never been
 * normalized, so its nonzero limbs are those its additions touched. */
#define QM_SACC_NORM_AT ((int64_t)1 << 30)

/* Propagate carries (qm__sacc_add does it every QM_SACC_NORM_AT
 * additions). */
void qm__sacc_normalize(qm_sacc *s);

/* s += x, exactly (x may be any double).  Inline: it is the inner loop of
 * the sums.  Returns the lowest limb it changed (it changes that one and
 * the next two), or -1 when it changed none (x zero or not finite). */
static inline int qm__sacc_add(qm_sacc *s, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    const int neg = (int)(bits >> 63);
    const int expo = (int)((bits >> 52) & 0x7ff);
    uint64_t mant = bits & ((UINT64_C(1) << 52) - 1);

    if (expo == 0x7ff) {
        if (mant != 0)
            s->n_nan++;
        else if (neg)
            s->n_minf++;
        else
            s->n_pinf++;
        return -1;
    }
    if (expo == 0 && mant == 0)
        return -1;
    /* x = mant * 2^e with e >= -1074 */
    int e;
    if (expo == 0) {
        e = -1074;
    } else {
        mant |= UINT64_C(1) << 52;
        e = expo - 1075;
    }
    const int pos = e + QM_SACC_BIAS; /* >= 14 */
    const int li = pos >> 5, sh = pos & 31;
    /* mant < 2^53, shifted by < 32: spans three 32-bit digits */
    const uint64_t lo = (mant << sh) & 0xffffffffu;
    const uint64_t mid = (mant >> (32 - sh)) & 0xffffffffu;
    const uint64_t hi = sh ? (mant >> (64 - sh)) : 0;
    /* with sh == 0 the "mid" shift is 32: mant >> 32 is fine (< 2^21) */
    if (neg) {
        s->limb[li] -= (int64_t)lo;
        s->limb[li + 1] -= (int64_t)mid;
        s->limb[li + 2] -= (int64_t)hi;
    } else {
        s->limb[li] += (int64_t)lo;
        s->limb[li + 1] += (int64_t)mid;
        s->limb[li + 2] += (int64_t)hi;
    }
    if (++s->pending >= QM_SACC_NORM_AT)
        qm__sacc_normalize(s);
    return li;
}

/* digit * 2^(32 limb - QM_SACC_BIAS) for a digit of a normalized
 * magnitude (0 <= digit < 2^32 below the top limb): exact, because the value
 * is a multiple of 2^-1074 (a sum of doubles) and representable unless it
 * overflows; by a power of two where that is a normal number, else ldexp
 * (exact then too).  qm__sacc_round adds these, from the lowest limb up. */
static inline double qm__sacc_digit_value(int64_t digit, int limb)
{
    const int e = 32 * limb - QM_SACC_BIAS;
    if (e >= -1022 && e <= 1023 - 32) {
        const uint64_t bits = (uint64_t)(e + 1023) << 52;
        double scale;
        memcpy(&scale, &bits, sizeof scale);
        return (double)digit * scale;
    }
    return ldexp((double)digit, e);
}

/* qm__sacc_round for an accumulator whose nonzero limbs all lie in
 * [lo, hi] (lo > hi: none): the same result, at the cost of the span
 * instead of all QM_SACC_LIMBS limbs (sums of a few terms). */
double qm__sacc_round_span(const qm_sacc *s, int lo, int hi);

#endif
