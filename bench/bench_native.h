/* Baselines compiled -O3 -march=native (bench/bench_native.c). */
#ifndef QM_BENCH_NATIVE_H
#define QM_BENCH_NATIVE_H
#include <stddef.h>
#include <stdint.h>
/* midpoint rule for x^2 on [a, b], N panels, each thread its share */
double native_simd_loop(double a, double b, int64_t n);
double native_fnptr_loop(double (*f)(double, void *), double a, double b, int64_t n);
double native_register_kernel(double a, double b, int64_t n);
/* exp(-x^2) as a quadmap batched integrand (glibc exp) */
int native_gauss_batch(size_t n, const double *x, double *y, void *data);
/* bench_expr's expressions in C, y[i] = f(x[i]) */
void native_poly(size_t n, const double *restrict x, double *restrict y);
void native_rat(size_t n, const double *restrict x, double *restrict y);
void native_sqrt(size_t n, const double *restrict x, double *restrict y);
void native_log(size_t n, const double *restrict x, double *restrict y);
void native_gauss_cos(size_t n, const double *restrict x, double *restrict y);
void native_trig(size_t n, const double *restrict x, double *restrict y);
void native_hyp(size_t n, const double *restrict x, double *restrict y);
void native_pow(size_t n, const double *restrict x, double *restrict y);
#endif
