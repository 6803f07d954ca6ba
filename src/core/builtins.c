/*
 * Built-in native integrands: batched, written so that the compiler
 * vectorizes them ('omp simd'), with exact antiderivatives for reference
 * values.  The formula strings use muparser syntax (the CLI matches them).
 */
#include "config.h"
#include "core/internal.h"

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
BATCH_FN(f_sin, sin(v))
BATCH_FN(f_cos, cos(v))
BATCH_FN(f_exp, exp(v))
BATCH_FN(f_runge, 1.0 / (1.0 + 25.0 * v * v))
BATCH_FN(f_gauss, exp(-v * v))
BATCH_FN(f_sqrt, sqrt(v))

static double F_x2(double x) { return x * x * x / 3.0; }
static double F_poly(double x) { return x * (1.0 + x * (-1.0 + x * (1.0 - x / 8.0))); }
static double F_sin(double x) { return -cos(x); }
static double F_cos(double x) { return sin(x); }
static double F_exp(double x) { return exp(x); }
static double F_runge(double x) { return atan(5.0 * x) / 5.0; }
static double F_gauss(double x) { return 0.886226925452758013649083741671 * erf(x); } /* sqrt(pi)/2 */
static double F_sqrt(double x) { return 2.0 / 3.0 * x * sqrt(x); }

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
