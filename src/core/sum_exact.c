/*
 * Exact superaccumulator (see sum_exact.h for the design and references).
 *
 * Invariant: the represented value is sum_i limb[i] * 2^(32 i - QM_SACC_BIAS).
 * Each addition puts at most 2^32 - 1 (in magnitude) into a limb, so after
 * fewer than 2^31 additions no limb can overflow int64; qm__sacc_add()
 * normalizes (propagates carries) before that bound is reached.
 */
#include "core/sum_exact.h"

#include <math.h>
#include <string.h>

/* Additions allowed between two carry normalizations (< 2^31 by the bound
 * above; a merge counts as the sum of both sides' pending additions). */
#define QM_SACC_NORM_AT ((int64_t)1 << 30)

void qm__sacc_init(qm_sacc *s)
{
    memset(s, 0, sizeof *s);
}

/* Propagate carries so that limbs 0..L-2 lie in [0, 2^32); the top limb keeps
 * the sign.  Arithmetic right shift of negative int64 is floor division on
 * every compiler we support (GCC, Clang document it). */
static void normalize(qm_sacc *s)
{
    int64_t carry = 0;
    for (int i = 0; i < QM_SACC_LIMBS - 1; i++) {
        int64_t v = s->limb[i] + carry;
        carry = v >> 32;
        s->limb[i] = v - (carry * ((int64_t)1 << 32));
    }
    s->limb[QM_SACC_LIMBS - 1] += carry;
    s->pending = 0;
}

void qm__sacc_add(qm_sacc *s, double x)
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
        return;
    }
    if (expo == 0 && mant == 0)
        return;
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
        normalize(s);
}

void qm__sacc_merge(qm_sacc *s, const qm_sacc *t)
{
    if (s->pending + t->pending >= QM_SACC_NORM_AT) {
        qm_sacc tn = *t;
        normalize(s);
        normalize(&tn);
        for (int i = 0; i < QM_SACC_LIMBS; i++)
            s->limb[i] += tn.limb[i];
        s->pending = 2; /* each normalized limb is < 2^32 in magnitude */
    } else {
        for (int i = 0; i < QM_SACC_LIMBS; i++)
            s->limb[i] += t->limb[i];
        s->pending += t->pending;
    }
    s->n_pinf += t->n_pinf;
    s->n_minf += t->n_minf;
    s->n_nan += t->n_nan;
}

double qm__sacc_round(const qm_sacc *s)
{
    if (s->n_nan || (s->n_pinf && s->n_minf))
        return NAN;
    if (s->n_pinf)
        return INFINITY;
    if (s->n_minf)
        return -INFINITY;

    qm_sacc t = *s;
    normalize(&t);
    /* Sign-magnitude: with all digits non-negative, adding them from the
     * least to the most significant in double is faithful (no cancellation). */
    double sign = 1.0;
    if (t.limb[QM_SACC_LIMBS - 1] < 0) {
        sign = -1.0;
        for (int i = 0; i < QM_SACC_LIMBS; i++)
            t.limb[i] = -t.limb[i];
        normalize(&t);
    }
    /* Digits below the top three nonzero ones cannot change a faithful
     * result beyond one ulp, but adding them all is cheap and deterministic. */
    double r = 0.0;
    for (int i = 0; i < QM_SACC_LIMBS; i++)
        if (t.limb[i] != 0)
            r += ldexp((double)t.limb[i], 32 * i - QM_SACC_BIAS);
    return sign * r;
}
