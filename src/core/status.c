/* Status messages (qm_strerror). */
#include "quadmap.h"

const char *qm_strerror(int status)
{
    switch (status) {
    case QM_SUCCESS: return "success";
    case QM_EINVAL: return "invalid argument";
    case QM_ENOMEM: return "out of memory";
    case QM_EMAXITER: return "maximum number of subdivisions reached";
    case QM_EOVRFLW: return "sum overflowed (integrand values finite but too large)";
    case QM_EROUND: return "roundoff error prevents reaching the requested tolerance";
    case QM_ESING: return "bad integrand behaviour (singularity) detected";
    case QM_EDIVERGE: return "integral is divergent or slowly convergent";
    case QM_ENONFINITE: return "integrand returned a non-finite value (NaN or Inf)";
    case QM_EUSER: return "integrand reported an error (nonzero return)";
    case QM_ENOTSUP: return "feature not available in this build";
    case QM_ECANCELED: return "cancelled";
    case QM_EMAPFN: return "map function reported an error (nonzero return)";
    default: return "unknown error";
    }
}
