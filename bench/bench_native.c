/*
 * The baselines of bench_fixed, compiled as a user who cares about speed
 * compiles them: -O3 -march=native (and GCC's default FMA contraction), by
 * an explicit rule in Makefile.am so that the project's CFLAGS (-O2, no
 * -march, -ffp-contract=off) cannot weaken them.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench_native.h"

double native_simd_loop(double a, double b, int64_t n)
{
    const double h = (b - a) / (double)n;
    double s = 0.0;
#pragma omp parallel for simd reduction(+:s)
    for (int64_t i = 0; i < n; i++) {
        double x = a + ((double)i + 0.5) * h;
        s += x * x;
    }
    return s * h;
}

double native_fnptr_loop(double (*f)(double, void *), double a, double b,
                         int64_t n)
{
    const double h = (b - a) / (double)n;
    double s = 0.0;
#pragma omp parallel for reduction(+:s)
    for (int64_t i = 0; i < n; i++)
        s += f(a + ((double)i + 0.5) * h, NULL);
    return s * h;
}

/* The machine's limit: abscissae formed in registers from a vector counter,
 * four independent vector accumulators (to hide the add latency), the
 * integrand inlined, full native width. */
#if defined(__AVX512F__)
#define VBYTES 64
#elif defined(__AVX__)
#define VBYTES 32
#else
#define VBYTES 16
#endif
#define L (VBYTES / 8)
typedef double vn __attribute__((vector_size(VBYTES)));

double native_register_kernel(double a, double b, int64_t n)
{
    const double h = (b - a) / (double)n;
    double total = 0.0;
#pragma omp parallel reduction(+:total)
    {
        int nt = 1, id = 0;
#ifdef _OPENMP
        nt = omp_get_num_threads();
        id = omp_get_thread_num();
#endif
        const int64_t lo = n / nt * id + (id < n % nt ? id : n % nt);
        const int64_t hi = lo + n / nt + (id < n % nt);
        vn lane;
        for (int l = 0; l < L; l++)
            lane[l] = l;
        vn c = (double)lo + 0.5 + lane;
        vn s0 = {0}, s1 = s0, s2 = s0, s3 = s0;
        int64_t i = lo;
        for (; i + 4 * L <= hi; i += 4 * L) {
            const vn x0 = a + c * h, x1 = a + (c + L) * h;
            const vn x2 = a + (c + 2 * L) * h, x3 = a + (c + 3 * L) * h;
            s0 += x0 * x0;
            s1 += x1 * x1;
            s2 += x2 * x2;
            s3 += x3 * x3;
            c += 4 * L;
        }
        const vn s = (s0 + s1) + (s2 + s3);
        double part = 0.0;
        for (int l = 0; l < L; l++)
            part += s[l];
        for (; i < hi; i++) {
            double x = a + ((double)i + 0.5) * h;
            part += x * x;
        }
        total += part;
    }
    return total * h;
}

/* A user's batched plugin for exp(-x^2), glibc's exp. */
int native_gauss_batch(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = exp(-x[i] * x[i]);
    return 0;
}

/* bench_expr's baselines: the expressions as a user writes them in C (x^k
 * as products, x^2.5 as pow); the polynomials vectorize (with FMA), the
 * libm calls stay scalar (no -ffast-math). */
#define BASE(name, expr)                                                       \
    void name(size_t n, const double *restrict x, double *restrict y)        \
    {                                                                          \
        for (size_t i = 0; i < n; i++) {                                       \
            const double v = x[i];                                             \
            y[i] = (expr);                                                     \
        }                                                                      \
    }
BASE(native_poly, v * v * v - 2 * v + 1)
BASE(native_rat, 1 / (1 + v * v * v * v))
BASE(native_sqrt, sqrt(1 + v * v))
BASE(native_log, log(1 + v))
BASE(native_gauss_cos, exp(-(v * v)) * cos(3 * v))
BASE(native_trig, sin(v) * sin(v) + cos(v) * cos(v) * cos(v))
BASE(native_hyp, tanh(v) + cosh(v / 4))
BASE(native_pow, pow(v, 2.5))
