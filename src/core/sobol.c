/*
 * Sobol points with Joe & Kuo's direction numbers (see core/sobol.h).
 *
 * Direction numbers.  For a dimension with primitive polynomial
 * x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1 and initial m_1 .. m_s, the
 * others follow from Bratley & Fox's recurrence (as in Joe & Kuo 2008):
 *   m_k = 2 a_1 m_(k-1) ^ 4 a_2 m_(k-2) ^ ... ^ 2^(s-1) a_(s-1) m_(k-s+1)
 *         ^ 2^s m_(k-s) ^ m_(k-s)        (k > s, ^ = XOR),
 * and V[k-1] = m_k 2^(52-k) is m_k / 2^k in 52-bit fixed point.  They are
 * stored bit-major (V[k] of every dimension together) so that a step of the
 * Gray-code walk reads one contiguous row.
 *
 * Points.  x(i) is the XOR of V[k] over the set bits k of gray(i); gray(i)
 * and gray(i+1) differ in bit ctz(i+1) only, so after the first point of a
 * range each next one costs one XOR per coordinate, applied to the
 * previous row of the output (see xor_row), so the generator itself is
 * never written to and needs no scratch.
 */
#include "config.h"
#include "core/sobol.h"
#include "quadmap.h"

#include <stdlib.h>
#include <string.h>

struct qm_sobol {
    unsigned dim;
    uint64_t *v; /* v[k * dim + j] = V_j[k], k < QM_SOBOL_BITS */
};

unsigned qm__sobol_max_dim(void)
{
    return QM_SOBOL_MAX_DIM;
}

/* m_1 .. m_QM_SOBOL_BITS of the dimension whose table row starts at row
 * (NULL: dimension 1, all m = 1) into m[0 ..]; returns the next row. */
static const uint16_t *direction_m(const uint16_t *row, uint64_t *m)
{
    if (!row) {
        for (unsigned k = 0; k < QM_SOBOL_BITS; k++)
            m[k] = 1;
        return qm__sobol_table;
    }
    const unsigned s = row[0], a = row[1];
    for (unsigned k = 0; k < s; k++)
        m[k] = row[2 + k];
    for (unsigned k = s; k < QM_SOBOL_BITS; k++) {
        uint64_t x = m[k - s] ^ (m[k - s] << s);
        for (unsigned i = 1; i < s; i++)
            if ((a >> (s - 1 - i)) & 1u)
                x ^= m[k - i] << i;
        m[k] = x;
    }
    return row + 2 + s;
}

int qm__sobol_new(qm_sobol **out, unsigned dim)
{
    if (!out)
        return QM_EINVAL;
    *out = NULL;
    if (dim == 0 || dim > QM_SOBOL_MAX_DIM)
        return QM_EINVAL;
    qm_sobol *s = malloc(sizeof *s);
    uint64_t *v = malloc((size_t)QM_SOBOL_BITS * dim * sizeof *v);
    if (!s || !v) {
        free(s);
        free(v);
        return QM_ENOMEM;
    }
    const uint16_t *row = NULL;
    for (unsigned j = 0; j < dim; j++) {
        uint64_t m[QM_SOBOL_BITS];
        row = direction_m(row, m);
        for (unsigned k = 0; k < QM_SOBOL_BITS; k++)
            v[(size_t)k * dim + j] = m[k] << (QM_SOBOL_BITS - 1 - k);
    }
    s->dim = dim;
    s->v = v;
    *out = s;
    return QM_SUCCESS;
}

void qm__sobol_free(qm_sobol *s)
{
    if (!s)
        return;
    free(s->v);
    free(s);
}

/* Index of the lowest set bit of n != 0. */
static unsigned lowest_bit(uint64_t n)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(n);
#else
    unsigned c = 0;
    while (!(n & 1)) {
        n >>= 1;
        c++;
    }
    return c;
#endif
}

/* The bits of a double, and back (memcpy: no aliasing games). */
static inline uint64_t bits_of(double y)
{
    uint64_t b;
    memcpy(&b, &y, sizeof b);
    return b;
}

static inline double double_of(uint64_t b)
{
    double y;
    memcpy(&y, &b, sizeof y);
    return y;
}

/* dst = src XOR v, coordinate-wise, on points held as doubles: for
 * y = k 2^-52 (k < 2^52), 1 + y is exact and its mantissa is k, so XORing v
 * (< 2^52) into its bits gives 1 + (k ^ v) 2^-52, and subtracting 1 is
 * exact (Sterbenz).  dst may be src.  Vectorizes on every x86 level (an
 * int64 -> double conversion would need AVX-512DQ). */
static void xor_row(double *dst, const double *src, const uint64_t *v,
                    unsigned d)
{
#pragma omp simd
    for (unsigned j = 0; j < d; j++)
        dst[j] = double_of(bits_of(src[j] + 1.0) ^ v[j]) - 1.0;
}

void qm__sobol_points(const qm_sobol *s, uint64_t first, size_t count,
                      double *out)
{
    if (count == 0)
        return;
    const unsigned d = s->dim;
    const uint64_t g = first ^ (first >> 1);
    for (unsigned j = 0; j < d; j++)
        out[j] = 0;
    for (unsigned k = 0; k < QM_SOBOL_BITS; k++)
        if ((g >> k) & 1)
            xor_row(out, out, s->v + (size_t)k * d, d);
    for (size_t p = 1; p < count; p++)
        xor_row(out + p * d, out + (p - 1) * d,
                s->v + (size_t)lowest_bit(first + p) * d, d);
}
