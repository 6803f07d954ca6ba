/*
 * Built-in native integrands: batched, written so that the compiler
 * vectorizes them ('omp simd'), with exact antiderivatives for reference
 * values.  The formula strings use the CLI's expression syntax (the CLI
 * matches them).  Transcendental ones call SLEEF's deterministic vector
 * functions (vmath.h), so their bits do not depend on the vector ISA.  Each
 * also has a fused fixed-rule block kernel (kernels_isa.c) that the fixed
 * rules use instead of this batch function (qm__builtin_fused): the same
 * formula, the same bits, no x[]/y[] round trip through memory.
 */
#include "config.h"
#include "core/internal.h"
#include "core/kernels_isa.h"

#include <math.h>
#include <string.h>

#define BATCH_FN(NAME, EXPR)                                                   \
    QM_KERNEL static int NAME(size_t n, const double *restrict x, double *restrict y,    \
                    void *data)                                                \
    {                                                                          \
        (void)data;                                                            \
        _Pragma("omp simd") for (size_t i = 0; i < n; i++)                     \
        {                                                                      \
            const double v = x[i];                                             \
            y[i] = (EXPR);                                                     \
        }                                                                      \
        return 0;                                                              \
    }

BATCH_FN(f_x2, v * v)
/* poly: 1 - 2x + 3x^2 - x^3/2 in Horner form */
BATCH_FN(f_poly, 1.0 + v * (-2.0 + v * (3.0 - 0.5 * v)))
BATCH_FN(f_runge, 1.0 / (1.0 + 25.0 * v * v))
BATCH_FN(f_sqrt, sqrt(v))

#define VMATH_FN(NAME, FN)                                                     \
    static int NAME(size_t n, const double *x, double *y, void *data)         \
    {                                                                          \
        (void)data;                                                            \
        qm__vm_apply(FN, n, x, y);                                             \
        return 0;                                                              \
    }
VMATH_FN(f_sin, QM_VM_SIN)
VMATH_FN(f_cos, QM_VM_COS)
VMATH_FN(f_exp, QM_VM_EXP)

/* exp(-x^2): the argument into y, then exp in place */
static int f_gauss(size_t n, const double *restrict x, double *restrict y,
                   void *data)
{
    (void)data;
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        y[i] = -x[i] * x[i];
    qm__vm_apply(QM_VM_EXP, n, y, y);
    return 0;
}

static double F_x2(double x) { return x * x * x / 3.0; }
static double F_poly(double x) { return x * (1.0 + x * (-1.0 + x * (1.0 - x / 8.0))); }
static double F_sin(double x) { return -cos(x); }
static double F_cos(double x) { return sin(x); }
static double F_exp(double x) { return exp(x); }
static double F_runge(double x) { return atan(5.0 * x) / 5.0; }
static double F_gauss(double x) { return 0.886226925452758013649083741671 * erf(x); } /* sqrt(pi)/2 */
static double F_sqrt(double x) { return 2.0 / 3.0 * x * sqrt(x); }

/* Same order as builtins[] below. */
static const qm_bi_id fused_ids[] = {QM_BI_X2, QM_BI_POLY, QM_BI_SIN, QM_BI_COS,
                                     QM_BI_EXP, QM_BI_RUNGE, QM_BI_GAUSS, QM_BI_SQRT};

static const qm_builtin builtins[] = {
    {"x2", "x^2", f_x2, F_x2},
    {"poly", "1 - 2*x + 3*x^2 - 0.5*x^3", f_poly, F_poly},
    {"sin", "sin(x)", f_sin, F_sin},
    {"cos", "cos(x)", f_cos, F_cos},
    {"exp", "exp(x)", f_exp, F_exp},
    {"runge", "1/(1+25*x^2)", f_runge, F_runge},
    {"gauss", "exp(-x^2)", f_gauss, F_gauss},
    {"sqrt", "sqrt(x)", f_sqrt, F_sqrt},
};

#define NBUILTINS (sizeof builtins / sizeof builtins[0])
_Static_assert(sizeof fused_ids / sizeof fused_ids[0] == NBUILTINS,
               "one fused kernel per builtin");

size_t qm_builtin_count(void) { return NBUILTINS; }

const qm_builtin *qm_builtin_at(size_t i)
{
    return i < NBUILTINS ? &builtins[i] : NULL;
}

const qm_builtin *qm_builtin_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < NBUILTINS; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return &builtins[i];
    return NULL;
}

qm_fused_fn qm__builtin_fused(qm_batch_fn f)
{
    for (size_t i = 0; i < NBUILTINS; i++)
        if (builtins[i].fn == f)
            return qm__kernels()->fused[fused_ids[i]];
    return NULL;
}

int qm_builtin_integral(const qm_builtin *bi, double a, double b, double *out)
{
    if (!bi || !out || !isfinite(a) || !isfinite(b))
        return QM_EINVAL;
    if (bi->fn == f_sqrt && (a < 0 || b < 0))
        return QM_EINVAL;
    /* exp overflows beyond ~709.78: then the exact value is not finite */
    double v = bi->antiderivative(b) - bi->antiderivative(a);
    if (!isfinite(v))
        return QM_EINVAL;
    *out = v;
    return QM_SUCCESS;
}
