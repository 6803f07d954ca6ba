/**
 * @file validate.c
 * @brief Reference values and --validate through GSL's qags.
 */
#include "validate.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

/* GSL QUADPACK tolerances: as tight as is useful in double precision; qags
 * reports GSL_EROUND when roundoff stops it first, with a usable value. */
#define GSL_EPSABS 0.0
#define GSL_EPSREL 1e-12
#define GSL_LIMIT 1000

typedef struct scalar_call {
    qm_batch_fn f;
    void *data;
} scalar_call;

static double scalar_eval(double x, void *params)
{
    const scalar_call *call = params;
    double y;
    if (call->f(1, &x, &y, call->data) != 0)
        return NAN;
    return y;
}

int cli_gsl_qags(qm_batch_fn f, void *data, double a, double b,
                 cli_gsl_result *out)
{
    scalar_call call = {f, data};
    gsl_function fn = {scalar_eval, &call};

    /* GSL's default handler aborts; the CLI reports statuses itself. */
    gsl_set_error_handler_off();
    out->value = NAN;
    out->abserr = NAN;
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(GSL_LIMIT);
    if (ws == NULL) {
        out->status = GSL_ENOMEM;
    } else {
        out->status = gsl_integration_qags(&fn, a, b, GSL_EPSABS, GSL_EPSREL,
                                           GSL_LIMIT, ws, &out->value,
                                           &out->abserr);
        gsl_integration_workspace_free(ws);
    }
    out->message = gsl_strerror(out->status);
    out->routine = "qags";
    return out->status;
}

int cli_gsl_reference(qm_batch_fn f, void *data, double a, double b,
                      const double *pts, size_t npts, cli_gsl_result *out)
{
    scalar_call call = {f, data};
    gsl_function fn = {scalar_eval, &call};
    double sign = 1.0;
    if (a > b) {
        double t = a;
        a = b;
        b = t;
        sign = -1.0;
    }
    gsl_set_error_handler_off();
    out->value = NAN;
    out->abserr = NAN;
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(GSL_LIMIT);
    double *all = NULL;
    if (ws == NULL) {
        out->status = GSL_ENOMEM;
        out->routine = "qags";
    } else if (isinf(a) && isinf(b)) {
        out->routine = "qagi";
        out->status = gsl_integration_qagi(&fn, GSL_EPSABS, GSL_EPSREL, GSL_LIMIT,
                                           ws, &out->value, &out->abserr);
    } else if (isinf(b)) {
        out->routine = "qagiu";
        out->status = gsl_integration_qagiu(&fn, a, GSL_EPSABS, GSL_EPSREL,
                                            GSL_LIMIT, ws, &out->value,
                                            &out->abserr);
    } else if (isinf(a)) {
        out->routine = "qagil";
        out->status = gsl_integration_qagil(&fn, b, GSL_EPSABS, GSL_EPSREL,
                                            GSL_LIMIT, ws, &out->value,
                                            &out->abserr);
    } else if (npts > 0 && (all = malloc((npts + 2) * sizeof *all)) != NULL) {
        /* qagp wants the end points in the list too */
        out->routine = "qagp";
        all[0] = a;
        for (size_t i = 0; i < npts; i++)
            all[i + 1] = pts[i];
        all[npts + 1] = b;
        out->status = gsl_integration_qagp(&fn, all, npts + 2, GSL_EPSABS,
                                           GSL_EPSREL, GSL_LIMIT, ws,
                                           &out->value, &out->abserr);
    } else if (npts > 0) {
        out->routine = "qagp";
        out->status = GSL_ENOMEM;
    } else {
        out->routine = "qags";
        out->status = gsl_integration_qags(&fn, a, b, GSL_EPSABS, GSL_EPSREL,
                                           GSL_LIMIT, ws, &out->value,
                                           &out->abserr);
    }
    free(all);
    if (ws != NULL)
        gsl_integration_workspace_free(ws);
    out->value *= sign;
    out->message = gsl_strerror(out->status);
    return out->status;
}

int cli_gsl_agrees(double value, double abserr, const cli_gsl_result *gsl)
{
    double tol = abserr + gsl->abserr + 4.0 * DBL_EPSILON * fabs(gsl->value);
    /* Written so that NaN anywhere means disagreement. */
    return fabs(value - gsl->value) <= tol;
}
