/*
 * Sobol points in base 2 (internal, not installed).
 *
 * Dimension j's point of index i is x_j(i) = (XOR over the set bits k of
 * g = gray(i) = i ^ (i >> 1) of V_j[k]) * 2^-52, where V_j[k] = m_{j,k+1}
 * 2^(51-k) are direction numbers with QM_SOBOL_BITS bits (Bratley & Fox,
 * ACM TOMS 14 (1988) 88-100; Antonov & Saleev 1979 for the Gray-code
 * order).  The initial m of each dimension and its primitive polynomial come
 * from Joe & Kuo's set new-joe-kuo-6.21201 (src/core/sobol_table.c);
 * dimension 1 is van der Corput's (all m = 1).
 *
 * Why 52 bits: a point is an integer below 2^52 times 2^-52, so it converts
 * to double exactly, and the index may go up to 2^52 - 1 (a 32-bit table
 * would stop at 2^32 points, 6.9e10 evaluations over 16 replicas, within a
 * cluster's reach).  Points of index < 2^32 only use V[0..31], whose bits lie
 * in the first 32 binary places, so they equal those of the usual 32-bit
 * generator (Joe & Kuo's sobol.cc) bit for bit.
 *
 * Index 0 (the origin) is a point like any other here; the caller decides
 * whether to use it.  The Gray-code order visits the same set as the natural
 * order within every aligned block [k 2^m, (k+1) 2^m) of indices, so such a
 * block is a (t, m, s)-net, as in the natural order.
 *
 * A generator is read-only after qm__sobol_new: any number of threads may
 * call qm__sobol_points on it at once, and a point depends only on
 * (dimension, index).
 */
#ifndef QM_SOBOL_H
#define QM_SOBOL_H

#include <stddef.h>
#include <stdint.h>

/* Bits of the direction numbers, and the number of points: indices are
 * 0 .. QM_SOBOL_MAX_POINTS - 1. */
#define QM_SOBOL_BITS 52
#define QM_SOBOL_MAX_POINTS ((uint64_t)1 << QM_SOBOL_BITS)

/* Dimensions in the table: 1 (van der Corput) and the 3666 rows of
 * src/core/sobol_table.c (dimensions 2 .. 3667 of new-joe-kuo-6.21201,
 * every primitive polynomial of degree <= 15). */
#define QM_SOBOL_MAX_DIM 3667

/* Dimensions 2 .. QM_SOBOL_MAX_DIM, one row each in order: s, a, m_1 ..
 * m_s (the columns of Joe & Kuo's file: degree of the primitive
 * polynomial, its inner coefficients as the bits of a, initial m). */
extern const uint16_t qm__sobol_table[];
extern const size_t qm__sobol_table_len;

typedef struct qm_sobol qm_sobol;

/* A generator of the first `dim` coordinates: QM_SUCCESS, QM_EINVAL (dim 0
 * or above qm__sobol_max_dim()) or QM_ENOMEM.  *out is NULL on failure. */
int qm__sobol_new(qm_sobol **out, unsigned dim);
void qm__sobol_free(qm_sobol *s);
/* QM_SOBOL_MAX_DIM. */
unsigned qm__sobol_max_dim(void);

/* Points of indices first .. first + count - 1 into out (count x dim
 * doubles, row-major; nothing for count 0), each in [0, 1) and a multiple
 * of 2^-52.  Requires first + count <= QM_SOBOL_MAX_POINTS (not checked;
 * the caller bounds its indices). */
void qm__sobol_points(const qm_sobol *s, uint64_t first, size_t count,
                      double *out);

#endif
