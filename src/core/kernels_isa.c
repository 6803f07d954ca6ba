/*
 * Kernels compiled once per instruction-set level (see kernels_isa.h).
 *
 * QM_ISA_LEVEL selects SLEEF's deterministic ("cinz": no FMA, the same
 * algorithm for every width) variant of each function: purec (1 lane), SSE2
 * (2), AVX (4) or AVX-512F without FMA (8).  SLEEF documents that these give
 * bit-identical results, which tests/test_isa.c checks.  The arithmetic uses
 * GCC vector extensions, which have lane-wise IEEE semantics, and the file is
 * compiled with -ffp-contract=off, so the compiler's choice of instructions
 * cannot change a bit either.
 */
#include "config.h"
#include "core/kernels_isa.h"

#include <math.h>
#include <string.h>

#ifndef QM_ISA_LEVEL
#error "QM_ISA_LEVEL must be defined (0..3)"
#endif

#if QM_ISA_LEVEL >= 1
#include <immintrin.h>
#endif
#include <sleef.h>

#define SLEEF1(f) Sleef_cinz_##f##d1_u10purec

#if QM_ISA_LEVEL == 3
#define TABLE qm__kernels_avx512
#define ISA QM_ISA_AVX512
#define VW 8
typedef __m512d vnat;
#define VLOAD _mm512_loadu_pd
#define VSTORE _mm512_storeu_pd
#define SLEEFV(f) Sleef_cinz_##f##d8_u10avx512fnofma
#define VSQRT _mm512_sqrt_pd
#elif QM_ISA_LEVEL == 2
#define TABLE qm__kernels_avx2
#define ISA QM_ISA_AVX2
#define VW 4
typedef __m256d vnat;
#define VLOAD _mm256_loadu_pd
#define VSTORE _mm256_storeu_pd
#define SLEEFV(f) Sleef_cinz_##f##d4_u10avx
#define VSQRT _mm256_sqrt_pd
#elif QM_ISA_LEVEL == 1
#define TABLE qm__kernels_sse2
#define ISA QM_ISA_SSE2
#define VW 2
typedef __m128d vnat;
#define VLOAD _mm_loadu_pd
#define VSTORE _mm_storeu_pd
#define SLEEFV(f) Sleef_cinz_##f##d2_u10sse2
#define VSQRT _mm_sqrt_pd
#else
#define TABLE qm__kernels_scalar
#define ISA QM_ISA_SCALAR
#define VW 1
typedef double vnat;
#define VLOAD(p) (*(p))
#define VSTORE(p, v) (*(p) = (v))
#define SLEEFV(f) SLEEF1(f)
#define VSQRT sqrt
#endif

/* ---------------------------------------------------------------- batches */

/* y[i] = f(x[i]): whole vectors, then the tail with the one-lane variant
 * (the same bits, by SLEEF's determinism guarantee). */
#define UNARY(NAME, F)                                                         \
    static void NAME(size_t n, const double *x, double *y)                    \
    {                                                                          \
        size_t i = 0;                                                          \
        for (; i + VW <= n; i += VW)                                           \
            VSTORE(y + i, SLEEFV(F)(VLOAD(x + i)));                            \
        for (; i < n; i++)                                                     \
            y[i] = SLEEF1(F)(x[i]);                                            \
    }

#define BINARY(NAME, F)                                                        \
    static void NAME(size_t n, const double *x1, const double *x2, double *y) \
    {                                                                          \
        size_t i = 0;                                                          \
        for (; i + VW <= n; i += VW)                                           \
            VSTORE(y + i, SLEEFV(F)(VLOAD(x1 + i), VLOAD(x2 + i)));            \
        for (; i < n; i++)                                                     \
            y[i] = SLEEF1(F)(x1[i], x2[i]);                                    \
    }

UNARY(v_sin, sin)
UNARY(v_cos, cos)
UNARY(v_tan, tan)
UNARY(v_asin, asin)
UNARY(v_acos, acos)
UNARY(v_atan, atan)
UNARY(v_sinh, sinh)
UNARY(v_cosh, cosh)
UNARY(v_tanh, tanh)
UNARY(v_asinh, asinh)
UNARY(v_acosh, acosh)
UNARY(v_atanh, atanh)
UNARY(v_exp, exp)
UNARY(v_log, log)
UNARY(v_log2, log2)
UNARY(v_log10, log10)
BINARY(v_pow, pow)
BINARY(v_atan2, atan2)

/* ---------------------------------------------------------------- fused */

/* vd: a native-width vector of VW lanes (GCC generic vectors of the native
 * width compile to plain register code; 64-byte ones do not on AVX2). */
#if VW > 1
typedef double vd __attribute__((vector_size(8 * VW)));
#define TO_NAT(v) ((vnat)(v))
#define FROM_NAT(v) ((vd)(v))
#else
typedef double vd;
#define TO_NAT(v) (v)
#define FROM_NAT(v) (v)
#endif
#define NV (24 / VW) /* native vectors per group of 24 values */

#define V_SLEEF(F, v) FROM_NAT(SLEEFV(F)(TO_NAT(v)))

/* The formulas of builtins.c, on a vector (V) and on one value (S); both
 * are the same operations in the same order as builtins.c. */
#define F_X2(v) ((v) * (v))
#define F_POLY(v) (1.0 + (v) * (-2.0 + (v) * (3.0 - 0.5 * (v))))
#define F_RUNGE(v) (1.0 / (1.0 + 25.0 * (v) * (v)))
#define V_SIN(v) V_SLEEF(sin, v)
#define S_SIN(v) SLEEF1(sin)(v)
#define V_COS(v) V_SLEEF(cos, v)
#define S_COS(v) SLEEF1(cos)(v)
#define V_EXP(v) V_SLEEF(exp, v)
#define S_EXP(v) SLEEF1(exp)(v)
#define V_GAUSS(v) V_SLEEF(exp, -(v) * (v))
#define S_GAUSS(v) SLEEF1(exp)(-(v) * (v))
#define V_SQRT(v) FROM_NAT(VSQRT(TO_NAT(v)))
#define S_SQRT(v) sqrt(v)

/* Fold the 24 lanes (value 0 to 23 of a group) into the residues mod 6, in
 * lane order: the one summation order of every path. */
static inline void fold24(const vd acc[NV], double s[6])
{
    double lanes[24];
    memcpy(lanes, acc, sizeof lanes);
    for (int p = 0; p < 24; p++)
        s[p % 6] += lanes[p];
}

/* acc[q] lane l holds the values j = q*VW + l (mod 24) of every group of 24:
 * the same 24 add chains as sum24 below (the general path), folded in the
 * same order (value 0 to 23 of the group), so the same bits at every VW. */
#define FUSED(NAME, VF, SF)                                                    \
    static void NAME(double base, double H, const double *restrict idx, int m, \
                     double s[6])                                              \
    {                                                                          \
        vd acc[NV];                                                            \
        memset(acc, 0, sizeof acc);                                            \
        int j = 0;                                                             \
        for (; j + 24 <= m; j += 24)                                           \
            _Pragma("GCC unroll 24")                                           \
            for (int q = 0; q < NV; q++) {                                     \
                vd iv;                                                         \
                memcpy(&iv, idx + j + q * VW, sizeof iv);                      \
                const vd u = base + iv * H;                                    \
                acc[q] += VF(u);                                               \
            }                                                                  \
        fold24(acc, s);                                                        \
        for (; j < m; j++) {                                                   \
            const double u = base + idx[j] * H;                                \
            s[j % 6] += SF(u);                                                 \
        }                                                                      \
    }

/* The general path's sum of y[0..m) in the same lane order (rules.c uses it
 * after the integrand has filled y). */
static void sum24(const double *restrict y, int m, double s[6])
{
    vd acc[NV];
    memset(acc, 0, sizeof acc);
    int j = 0;
    for (; j + 24 <= m; j += 24)
        _Pragma("GCC unroll 24")
        for (int q = 0; q < NV; q++) {
            vd v;
            memcpy(&v, y + j + q * VW, sizeof v);
            acc[q] += v;
        }
    fold24(acc, s);
    for (; j < m; j++)
        s[j % 6] += y[j];
}

FUSED(fused_x2, F_X2, F_X2)
FUSED(fused_poly, F_POLY, F_POLY)
FUSED(fused_runge, F_RUNGE, F_RUNGE)
FUSED(fused_sin, V_SIN, S_SIN)
FUSED(fused_cos, V_COS, S_COS)
FUSED(fused_exp, V_EXP, S_EXP)
FUSED(fused_gauss, V_GAUSS, S_GAUSS)
FUSED(fused_sqrt, V_SQRT, S_SQRT)

const qm_isa_kernels TABLE = {
    .isa = ISA,
    .unary = {
        [QM_VM_SIN] = v_sin, [QM_VM_COS] = v_cos, [QM_VM_TAN] = v_tan,
        [QM_VM_ASIN] = v_asin, [QM_VM_ACOS] = v_acos, [QM_VM_ATAN] = v_atan,
        [QM_VM_SINH] = v_sinh, [QM_VM_COSH] = v_cosh, [QM_VM_TANH] = v_tanh,
        [QM_VM_ASINH] = v_asinh, [QM_VM_ACOSH] = v_acosh,
        [QM_VM_ATANH] = v_atanh,
        [QM_VM_EXP] = v_exp, [QM_VM_LOG] = v_log, [QM_VM_LOG2] = v_log2,
        [QM_VM_LOG10] = v_log10,
    },
    .sum24 = sum24,
    .pow = v_pow,
    .atan2 = v_atan2,
    .fused = {
        [QM_BI_X2] = fused_x2, [QM_BI_POLY] = fused_poly,
        [QM_BI_SIN] = fused_sin, [QM_BI_COS] = fused_cos,
        [QM_BI_EXP] = fused_exp, [QM_BI_RUNGE] = fused_runge,
        [QM_BI_GAUSS] = fused_gauss, [QM_BI_SQRT] = fused_sqrt,
    },
};
