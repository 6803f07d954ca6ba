/*
 * Helpers shared by the CUnit test programs (header only, all static).
 *
 * - qmt_run() runs the registry and turns failures into a non-zero exit
 *   status: CU_basic_run_tests() returns CUE_SUCCESS even when assertions
 *   fail, so `make check` would otherwise report a broken build as passing.
 * - QMT_CHECK() is CU_ASSERT with a printf-style message, so a failure says
 *   which rule, N, thread count... and the values involved (CUnit copies the
 *   condition string, so a stack buffer is fine).
 * - Executor constructors that return NULL when the backend is absent
 *   (QM_ENOTSUP), so OpenMP parts are skipped on --disable-openmp builds.
 */
#ifndef QM_TEST_COMMON_H
#define QM_TEST_COMMON_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quadmap.h"
#include "quadmap_map.h"

/* Automake's "skipped" exit status. */
#define QMT_EXIT_SKIP 77

#if defined(__GNUC__)
#define QMT_UNUSED __attribute__((unused))
#define QMT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define QMT_UNUSED
#define QMT_PRINTF(f, a)
#endif

/* ------------------------------------------------------------ assertions */

static void qmt_check_impl(int ok, unsigned line, const char *file,
                           const char *fmt, ...) QMT_PRINTF(4, 5) QMT_UNUSED;
static void qmt_check_impl(int ok, unsigned line, const char *file,
                           const char *fmt, ...)
{
    char msg[512];
    if (ok) {
        CU_assertImplementation(CU_TRUE, line, "", file, "", CU_FALSE);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    CU_assertImplementation(CU_FALSE, line, msg, file, "", CU_FALSE);
}

/* CU_ASSERT(cond) that records a formatted message when it fails. */
#define QMT_CHECK(cond, ...) \
    qmt_check_impl((cond) ? 1 : 0, __LINE__, __FILE__, __VA_ARGS__)

/* One unit in the last place of |x| (spacing of doubles at x). */
static QMT_UNUSED double qmt_ulp(double x)
{
    x = fabs(x);
    if (x < DBL_MIN)
        return DBL_TRUE_MIN;
    return nextafter(x, INFINITY) - x;
}

/* Bitwise equality (distinguishes -0 from +0, equal NaN payloads). */
static QMT_UNUSED int qmt_same_bits(double x, double y)
{
    return memcmp(&x, &y, sizeof x) == 0;
}

/* Bitwise equality of the numeric part of two results. */
static QMT_UNUSED int qmt_same_result(const qm_result *r, const qm_result *s)
{
    return qmt_same_bits(r->value, s->value)
        && qmt_same_bits(r->abserr, s->abserr)
        && r->evaluations == s->evaluations;
}

/* Observed convergence order from errors at N and 2N. */
static QMT_UNUSED double qmt_order(double err_n, double err_2n)
{
    return log2(fabs(err_n) / fabs(err_2n));
}

/* ------------------------------------------------------------- executors */

static QMT_UNUSED qm_exec *qmt_serial(void)
{
    qm_exec *ex = NULL;
    if (qm_exec_new(&ex, QM_BACKEND_SERIAL) != QM_SUCCESS)
        return NULL;
    return ex;
}

/* OpenMP executor, or NULL when the backend is not compiled in (or the
 * settings are rejected, which the caller's own assertions then expose). */
static QMT_UNUSED qm_exec *qmt_openmp(int nthreads, qm_schedule sched,
                                      int64_t chunk)
{
    qm_exec *ex = NULL;
    if (qm_exec_new(&ex, QM_BACKEND_OPENMP) != QM_SUCCESS)
        return NULL;
    if (qm_exec_set_threads(ex, nthreads) != QM_SUCCESS
        || qm_exec_set_schedule(ex, sched, chunk) != QM_SUCCESS) {
        qm_exec_free(ex);
        return NULL;
    }
    return ex;
}

static QMT_UNUSED int qmt_have_openmp(void)
{
    return qm_backend_available(QM_BACKEND_OPENMP);
}

static QMT_UNUSED qm_rule qmt_rule(qm_rule_kind kind, int points)
{
    qm_rule r;
    r.kind = kind;
    r.points = points;
    return r;
}

static QMT_UNUSED const char *qmt_rule_str(const qm_rule *r, char buf[32])
{
    if (qm_rule_name(r, buf, 32) != QM_SUCCESS)
        snprintf(buf, 32, "rule(%d,%d)", (int)r->kind, r->points);
    return buf;
}

/* ------------------------------------------------------------- registry */

/* Registry set-up: exit early with a message when CUnit itself fails. */
#define QMT_INIT_REGISTRY()                                                  \
    do {                                                                     \
        if (CU_initialize_registry() != CUE_SUCCESS) {                       \
            fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());              \
            return 2;                                                        \
        }                                                                    \
    } while (0)

static QMT_UNUSED CU_pSuite qmt_suite(const char *name)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (s == NULL)
        fprintf(stderr, "CUnit: cannot add suite %s: %s\n", name,
                CU_get_error_msg());
    return s;
}

/* Add a test named after its function: the name states the behaviour. */
#define QMT_ADD(suite, fn)                                                   \
    do {                                                                     \
        if ((suite) == NULL || CU_add_test((suite), #fn, (fn)) == NULL) {    \
            fprintf(stderr, "CUnit: cannot add test %s\n", #fn);             \
            CU_cleanup_registry();                                           \
            return 2;                                                        \
        }                                                                    \
    } while (0)

/* Run every registered test; the exit status is 0 only when no assertion
 * failed and CUnit reported no error. */
static QMT_UNUSED int qmt_run(void)
{
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_ErrorCode rc = CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    unsigned tests_failed = CU_get_number_of_tests_failed();
    CU_ErrorCode reg = CU_get_error();
    printf("\n");
    CU_cleanup_registry();
    if (rc != CUE_SUCCESS || reg != CUE_SUCCESS) {
        fprintf(stderr, "CUnit error: %d/%d\n", (int)rc, (int)reg);
        return 2;
    }
    return (failures > 0 || tests_failed > 0) ? 1 : 0;
}

#endif /* QM_TEST_COMMON_H */
