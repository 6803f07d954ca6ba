/*
 * A user integrand plugin for the CLI tests (integrate --plugin
 * tests/.libs/plugin_test.so:SYMBOL).  Each symbol is a qm_batch_fn; the
 * CLI passes NULL data.
 */
#include <math.h>
#include <stddef.h>

#include "quadmap.h"

int cube(size_t n, const double *x, double *y, void *data);
int fails_above_5(size_t n, const double *x, double *y, void *data);
int nan_at_3(size_t n, const double *x, double *y, void *data);

/* Status returned by fails_above_5, checked by tests/cli_errors.sh. */
#define FAILS_ABOVE_5_STATUS 42

_Static_assert(_Generic(&cube, qm_batch_fn: 1, default: 0), "cube is a qm_batch_fn");
_Static_assert(_Generic(&fails_above_5, qm_batch_fn: 1, default: 0), "qm_batch_fn");
_Static_assert(_Generic(&nan_at_3, qm_batch_fn: 1, default: 0), "qm_batch_fn");

/* x^3: the integral over [a, b] is (b^4 - a^4) / 4. */
int cube(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] * x[i] * x[i];
    return 0;
}

/* x, but the call fails with status 42 when any x > 5. */
int fails_above_5(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++) {
        if (x[i] > 5.0)
            return FAILS_ABOVE_5_STATUS;
        y[i] = x[i];
    }
    return 0;
}

/* x, except NaN on [3, 3.001). */
int nan_at_3(size_t n, const double *x, double *y, void *data)
{
    (void)data;
    for (size_t i = 0; i < n; i++)
        y[i] = (x[i] >= 3.0 && x[i] < 3.001) ? NAN : x[i];
    return 0;
}
