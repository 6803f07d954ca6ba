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

/* QM_SACC_NORM_AT (sum_exact.h): additions allowed between two carry
 * normalizations (< 2^31 by the bound above; a merge counts as the sum of
 * both sides' pending additions). */

void qm__sacc_init(qm_sacc *s)
{
    memset(s, 0, sizeof *s);
}

/* Propagate carries so that limbs 0..L-2 lie in [0, 2^32); the top limb keeps
 * the sign.  Arithmetic right shift of negative int64 is floor division on
 * every compiler we support (GCC, Clang document it). */
void qm__sacc_normalize(qm_sacc *s)
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

void qm__sacc_merge(qm_sacc *s, const qm_sacc *t)
{
    if (s->pending + t->pending >= QM_SACC_NORM_AT) {
        qm_sacc tn = *t;
        qm__sacc_normalize(s);
        qm__sacc_normalize(&tn);
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

/* normalize() restricted to the limbs that can change: digits d[lo .. hi]
 * (the limbs below lo are zero, those above hi are taken as zero and need
 * not be initialized), carries propagated into d[hi + 1 ..] while they are
 * positive.  Returns end: d[lo .. end) are the normalized digits (every
 * limb below the top one in [0, 2^32), the top one keeping the rest) and
 * the limbs from end up are zero, except that a negative carry out of the
 * span, which normalize() would run up to the top limb, is stored in
 * *neg_carry instead: the value is then sum d[i] 2^(32 i) + *neg_carry
 * 2^(32 end), negative. */
static int normalize_span(int64_t *d, int lo, int hi, int64_t *neg_carry)
{
    int64_t carry = 0;
    int i = lo;
    *neg_carry = 0;
    for (; i < QM_SACC_LIMBS - 1; i++) {
        int64_t v;
        if (i <= hi)
            v = d[i] + carry;
        else if (carry > 0)
            v = carry;
        else
            break;
        carry = v >> 32;
        d[i] = v - (carry * ((int64_t)1 << 32));
    }
    if (i == QM_SACC_LIMBS - 1) {
        d[i] = (hi == i ? d[i] : 0) + carry;
        return QM_SACC_LIMBS;
    }
    *neg_carry = carry;
    return i;
}

/* The first nonzero limb from i upwards (QM_SACC_LIMBS when none) or
 * downwards (one must exist); most limbs are zero, so look at four at a
 * time first. */
static int first_nonzero_up(const int64_t *l, int i)
{
    while (i + 4 <= QM_SACC_LIMBS && (l[i] | l[i + 1] | l[i + 2] | l[i + 3]) == 0)
        i += 4;
    while (i < QM_SACC_LIMBS && l[i] == 0)
        i++;
    return i;
}

static int first_nonzero_down(const int64_t *l, int i)
{
    while (i >= 3 && (l[i] | l[i - 1] | l[i - 2] | l[i - 3]) == 0)
        i -= 4;
    while (l[i] == 0)
        i--;
    return i;
}

double qm__sacc_round(const qm_sacc *s)
{
    /* Only the nonzero limbs and the carries out of them matter (sums of
     * a few doubles touch a few of the 70 limbs): the digits are those of
     * normalize() on every limb, at the cost of the span. */
    const int lo = first_nonzero_up(s->limb, 0);
    const int hi = lo == QM_SACC_LIMBS ? -1
                                       : first_nonzero_down(s->limb, QM_SACC_LIMBS - 1);
    return qm__sacc_round_span(s, lo, hi);
}

double qm__sacc_round_span(const qm_sacc *s, int lo, int hi)
{
    if (s->n_nan || (s->n_pinf && s->n_minf))
        return NAN;
    if (s->n_pinf)
        return INFINITY;
    if (s->n_minf)
        return -INFINITY;
    /* zero limbs at either end of the span change nothing */
    while (lo <= hi && s->limb[lo] == 0)
        lo++;
    while (hi >= lo && s->limb[hi] == 0)
        hi--;
    if (lo > hi)
        return 0.0;
    int64_t t[QM_SACC_LIMBS];
    for (int i = lo; i <= hi; i++)
        t[i] = s->limb[i];
    /* Sign-magnitude: the digits of |sum| are unique, so they are those
     * that negating and normalizing every limb finds. */
    double sign = 1.0;
    int64_t carry;
    int end = normalize_span(t, lo, hi, &carry);
    if (carry < 0 || (end == QM_SACC_LIMBS && t[end - 1] < 0)) {
        sign = -1.0;
        int top = end - 1;
        if (carry < 0)
            t[++top] = carry;
        for (int i = lo; i <= top; i++)
            t[i] = -t[i];
        end = normalize_span(t, lo, top, &carry); /* positive: no carry */
    }
    /* Digits below the top three nonzero ones cannot change a faithful
     * result beyond one ulp, but adding them all is cheap and deterministic
     * (from the least significant up; every digit value is exact). */
    double r = 0.0;
    for (int i = lo; i < end; i++)
        if (t[i] != 0)
            r += qm__sacc_digit_value(t[i], i);
    return sign * r;
}
