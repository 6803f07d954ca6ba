/*
 * Internal: deterministic batched vector math (not installed).
 *
 * Every function here maps n doubles to n doubles with SLEEF's deterministic
 * "cinz" variants (no FMA, the same algorithm at every vector width), so the
 * result bits do not depend on the instruction set: purec (1 lane), SSE2 (2),
 * AVX (4) and AVX-512F (8) all give the same bits for the same input.  The
 * vector width is chosen once per process (qm__isa), by the CPU or forced
 * with the environment variable QUADMAP_ISA=scalar|sse2|avx2|avx512 (tests
 * and benchmarks use it to prove the bits equal).
 *
 * Accuracy: the u10 variants (1.0 ulp) throughout; sqrt, fabs and the
 * arithmetic are IEEE operations and need no library.
 *
 * Thread-safety: all functions are reentrant; the ISA choice is made once,
 * under pthread_once, and never changes.
 */
#ifndef QM_VMATH_H
#define QM_VMATH_H

#include <stddef.h>

/* Instruction-set levels, lowest first.  SCALAR is plain C (one lane). */
typedef enum qm_isa {
    QM_ISA_SCALAR = 0,
    QM_ISA_SSE2 = 1,
    QM_ISA_AVX2 = 2,   /* SLEEF's AVX variants (4 lanes); kernels use AVX2 */
    QM_ISA_AVX512 = 3  /* SLEEF's avx512fnofma variants (8 lanes) */
} qm_isa;

/* The level used by this process: QUADMAP_ISA when it names a level the CPU
 * supports (else the best supported level), decided once. */
qm_isa qm__isa(void);
/* Best level the CPU supports (ignores QUADMAP_ISA). */
qm_isa qm__isa_best(void);
/* "scalar", "sse2", "avx2", "avx512". */
const char *qm__isa_name(qm_isa isa);

/* Unary functions, y[i] = f(x[i]); x and y may be the same array (in place)
 * but must not otherwise overlap. */
typedef enum qm_vm_fn {
    QM_VM_SIN, QM_VM_COS, QM_VM_TAN,
    QM_VM_ASIN, QM_VM_ACOS, QM_VM_ATAN,
    QM_VM_SINH, QM_VM_COSH, QM_VM_TANH,
    QM_VM_ASINH, QM_VM_ACOSH, QM_VM_ATANH,
    QM_VM_EXP, QM_VM_LOG, QM_VM_LOG2, QM_VM_LOG10,
    QM_VM_NFN
} qm_vm_fn;

typedef void (*qm_vm_unary_fn)(size_t n, const double *x, double *y);
typedef void (*qm_vm_binary_fn)(size_t n, const double *x1, const double *x2,
                                double *y);

/* The batched implementation of fn for the process's ISA (never NULL for a
 * valid fn). */
qm_vm_unary_fn qm__vm_unary(qm_vm_fn fn);
/* pow(x1, x2) and atan2(x1, x2), element by element; y may equal x1 or x2. */
qm_vm_binary_fn qm__vm_pow(void);
qm_vm_binary_fn qm__vm_atan2(void);

/* Convenience wrappers over the above. */
void qm__vm_apply(qm_vm_fn fn, size_t n, const double *x, double *y);

/* Scalar values with the same bits as the batched functions (purec). */
double qm__vm_scalar(qm_vm_fn fn, double x);
double qm__vm_scalar_pow(double x, double y);
double qm__vm_scalar_atan2(double y, double x);

#endif
