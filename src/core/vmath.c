/*
 * Deterministic batched vector math: the ISA choice and the dispatch to the
 * per-ISA kernel tables (kernels_isa.c).  See vmath.h.
 */
#include "config.h"
#include "quadmap.h"
#include "core/vmath.h"
#include "core/kernels_isa.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sleef.h>

static const char *const isa_names[] = {"scalar", "sse2", "avx2", "avx512"};

const char *qm__isa_name(qm_isa isa)
{
    return (unsigned)isa <= QM_ISA_AVX512 ? isa_names[isa] : "unknown";
}

qm_isa qm__isa_best(void)
{
#if defined(QM_HAVE_X86_ISA)
    __builtin_cpu_init();
    /* the AVX-512 table is compiled with -mavx512f only; libgcc checks that
     * the OS saves the registers (XCR0) as well as the CPUID bit */
    if (__builtin_cpu_supports("avx512f"))
        return QM_ISA_AVX512;
    if (__builtin_cpu_supports("avx2"))
        return QM_ISA_AVX2;
    return QM_ISA_SSE2; /* baseline of x86-64 */
#else
    return QM_ISA_SCALAR;
#endif
}

static pthread_once_t isa_once = PTHREAD_ONCE_INIT;
static qm_isa isa_chosen; /* written once, under isa_once */

static void isa_choose(void)
{
    const qm_isa best = qm__isa_best();
    qm_isa isa = best;
    const char *env = getenv("QUADMAP_ISA");
    if (env != NULL)
        for (int i = 0; i <= (int)QM_ISA_AVX512; i++)
            /* a level above the CPU's would fault: keep the best then */
            if (strcmp(env, isa_names[i]) == 0 && i <= (int)best)
                isa = (qm_isa)i;
    isa_chosen = isa;
}

qm_isa qm__isa(void)
{
    pthread_once(&isa_once, isa_choose);
    return isa_chosen;
}

const char *qm_vector_isa(void) { return qm__isa_name(qm__isa()); }

const qm_isa_kernels *qm__kernels(void)
{
    switch (qm__isa()) {
#if defined(QM_HAVE_X86_ISA)
    case QM_ISA_AVX512: return &qm__kernels_avx512;
    case QM_ISA_AVX2: return &qm__kernels_avx2;
    case QM_ISA_SSE2: return &qm__kernels_sse2;
#endif
    default: return &qm__kernels_scalar;
    }
}

qm_vm_unary_fn qm__vm_unary(qm_vm_fn fn)
{
    if ((unsigned)fn >= QM_VM_NFN)
        return NULL;
    return qm__kernels()->unary[fn];
}

qm_vm_binary_fn qm__vm_pow(void) { return qm__kernels()->pow; }
qm_vm_binary_fn qm__vm_atan2(void) { return qm__kernels()->atan2; }

void qm__vm_apply(qm_vm_fn fn, size_t n, const double *x, double *y)
{
    qm_vm_unary_fn f = qm__vm_unary(fn);
    if (f != NULL)
        f(n, x, y);
}

double qm__vm_scalar(qm_vm_fn fn, double x)
{
    double y = x;
    if ((unsigned)fn < QM_VM_NFN)
        qm__kernels_scalar.unary[fn](1, &x, &y);
    return y;
}

double qm__vm_scalar_pow(double x, double y)
{
    return Sleef_cinz_powd1_u10purec(x, y);
}

double qm__vm_scalar_atan2(double y, double x)
{
    return Sleef_cinz_atan2d1_u10purec(y, x);
}
