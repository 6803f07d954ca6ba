/*
 * Multi-dimensional integration with quadmap: one call, qm_cubature, three
 * methods chosen by qm_cubature_opts.method:
 *
 *   QM_METHOD_GENZ_MALIK  adaptive Genz-Malik 7/5 cubature (as the cubature
 *                         package's hcubature): deterministic, to a
 *                         tolerance, for smooth integrands in 2..16 dims;
 *   QM_METHOD_MC          plain Monte Carlo, max_eval random samples
 *                         (Philox keyed by seed and sample index);
 *   QM_METHOD_QMC         quasi-Monte Carlo on Sobol points, 16 randomly
 *                         shifted replicas for the error.
 *
 * All three give the same bits for any thread count (and rank count, on an
 * MPI executor).  The integrand is exp(-(x1^2 + x2^2 + x3^2)) on [0, 1]^3,
 * exactly (sqrt(pi)/2 erf(1))^3 = 0.41653...
 *
 * Build against an installed quadmap:
 *   cc cubature.c $(pkg-config --cflags --libs quadmap) -lm -o cubature
 * Run: ./cubature
 * Exits 1 when a result is off by more than its error estimate (Genz-Malik)
 * or by more than 4 standard errors (MC, QMC: the seed is fixed, so this is
 * a deterministic check, not a flaky one).
 */
#include <quadmap.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Vectorized integrand (as hcubature_v): npts points of dim coordinates,
 * point i at x[i*dim .. i*dim + dim - 1], fdim values per point. */
static int gauss3(size_t npts, unsigned dim, const double *x, unsigned fdim,
                  double *fval, void *data)
{
    (void)data;
    for (size_t i = 0; i < npts; i++) {
        double r2 = 0.0;
        for (unsigned k = 0; k < dim; k++)
            r2 += x[i * dim + k] * x[i * dim + k];
        fval[i * fdim] = exp(-r2);
    }
    return 0; /* nonzero would stop the run with QM_EUSER */
}

int main(void)
{
    const double xmin[3] = {0, 0, 0}, xmax[3] = {1, 1, 1};
    const double g = 0.5 * sqrt(acos(-1.0)) * erf(1.0);
    const double exact = g * g * g;
    static const struct {
        qm_method method;
        double tolerance; /* allowed |error| in units of err */
    } runs[] = {{QM_METHOD_GENZ_MALIK, 1}, {QM_METHOD_MC, 4}, {QM_METHOD_QMC, 4}};
    int bad = 0;

    qm_exec *ex;
    if (qm_exec_new(&ex, QM_BACKEND_DEFAULT) != QM_SUCCESS)
        return 1;
    printf("exact: %.17g\n", exact);
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        qm_cubature_opts opts;
        memset(&opts, 0, sizeof opts);
        opts.method = runs[i].method;
        opts.epsrel = 1e-9;     /* Genz-Malik: stop at this tolerance ... */
        opts.max_eval = 1 << 20; /* ... or budget; MC/QMC: the sample count */
        opts.seed = 2024;       /* MC and QMC: fixed seed, same numbers */
        double val, err;
        qm_result res;
        const int st = qm_cubature(ex, gauss3, NULL, 3, xmin, xmax, 1, &opts,
                                   &val, &err, &res);
        if (st != QM_SUCCESS) {
            printf("%-10s failed: %s (status %d)\n",
                   qm_method_name(runs[i].method), qm_strerror(st), st);
            bad = 1;
            continue;
        }
        const double off = fabs(val - exact);
        printf("%-10s %.17g +- %.2g (true error %.2g), %lld evaluations\n",
               qm_method_name(runs[i].method), val, err, off,
               (long long)res.evaluations);
        if (off > runs[i].tolerance * err)
            bad = 1;
    }
    qm_exec_free(ex);
    return bad;
}
