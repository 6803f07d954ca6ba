/*
 * The registry of local backends: the one place that names them, so the
 * core (src/core) reaches a backend only through the runner stored in its
 * executor and the backends (src/omp) depend on the core, never the other
 * way round.
 */
#include "config.h"
#include "core/internal.h"

qm_loop_runner qm__backend_runner(qm_backend backend)
{
    switch (backend) {
    case QM_BACKEND_SERIAL:
        return qm__loop_run_serial;
    case QM_BACKEND_OPENMP:
#ifdef QM_HAVE_OPENMP
        return qm__loop_run_omp;
#else
        return NULL;
#endif
    default:
        return NULL;
    }
}

int qm__backend_threads(qm_backend backend)
{
#ifdef QM_HAVE_OPENMP
    if (backend == QM_BACKEND_OPENMP)
        return qm__omp_default_threads();
#endif
    (void)backend;
    return 1;
}
