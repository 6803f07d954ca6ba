/* Executor handles and the serial backend of the block loop. */
#include "config.h"
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

int qm_backend_available(qm_backend backend)
{
    switch (backend) {
    case QM_BACKEND_DEFAULT:
    case QM_BACKEND_SERIAL:
        return 1;
    case QM_BACKEND_OPENMP:
#ifdef QM_HAVE_OPENMP
        return 1;
#else
        return 0;
#endif
    }
    return 0;
}

const char *qm_backend_name(qm_backend backend)
{
    switch (backend) {
    case QM_BACKEND_DEFAULT: return "default";
    case QM_BACKEND_SERIAL: return "serial";
    case QM_BACKEND_OPENMP: return "openmp";
    }
    return "unknown";
}

static const char *const schedule_names[] = {"static", "dynamic", "guided", "auto"};

const char *qm_schedule_name(qm_schedule schedule)
{
    if ((unsigned)schedule < 4)
        return schedule_names[schedule];
    return "unknown";
}

int qm_schedule_parse(const char *name, qm_schedule *out)
{
    if (!name || !out)
        return QM_EINVAL;
    for (int i = 0; i < 4; i++)
        if (strcmp(name, schedule_names[i]) == 0) {
            *out = (qm_schedule)i;
            return QM_SUCCESS;
        }
    return QM_EINVAL;
}

int qm_exec_new(qm_exec **out, qm_backend backend)
{
    if (!out)
        return QM_EINVAL;
    *out = NULL;
    if (backend == QM_BACKEND_DEFAULT)
        backend = qm_backend_available(QM_BACKEND_OPENMP) ? QM_BACKEND_OPENMP
                                                          : QM_BACKEND_SERIAL;
    if (backend != QM_BACKEND_SERIAL && backend != QM_BACKEND_OPENMP)
        return QM_EINVAL;
    if (!qm_backend_available(backend))
        return QM_ENOTSUP;
    qm_exec *ex = calloc(1, sizeof *ex);
    if (!ex)
        return QM_ENOMEM;
    ex->backend = backend;
    ex->schedule = QM_SCHEDULE_AUTO;
    ex->chunk = 0;
    ex->threads = backend == QM_BACKEND_SERIAL ? 1 : qm__omp_default_threads();
    *out = ex;
    return QM_SUCCESS;
}

void qm_exec_free(qm_exec *ex)
{
    free(ex);
}

int qm_exec_set_threads(qm_exec *ex, int nthreads)
{
    if (!ex || nthreads < 0)
        return QM_EINVAL;
    if (ex->backend == QM_BACKEND_SERIAL) {
        if (nthreads > 1)
            return QM_EINVAL;
        return QM_SUCCESS;
    }
    ex->threads = nthreads == 0 ? qm__omp_default_threads() : nthreads;
    return QM_SUCCESS;
}

int qm_exec_set_schedule(qm_exec *ex, qm_schedule schedule, int64_t chunk)
{
    if (!ex || (unsigned)schedule > QM_SCHEDULE_AUTO || chunk < 0 ||
        chunk > INT32_MAX)
        return QM_EINVAL;
    ex->schedule = schedule;
    ex->chunk = chunk;
    return QM_SUCCESS;
}

qm_backend qm_exec_backend(const qm_exec *ex) { return ex ? ex->backend : QM_BACKEND_SERIAL; }
int qm_exec_threads(const qm_exec *ex) { return ex ? ex->threads : 0; }
qm_schedule qm_exec_schedule(const qm_exec *ex) { return ex ? ex->schedule : QM_SCHEDULE_AUTO; }
int64_t qm_exec_chunk(const qm_exec *ex) { return ex ? ex->chunk : 0; }

int qm__scratch_alloc(qm_scratch *s)
{
    /* 64-byte alignment: whole cache lines, aligned vector loads. */
    /* The three arrays are staggered (not 4 KiB apart) so that loads from
     * one never falsely alias stores to another ("4K aliasing"), which
     * otherwise stalls the generate/evaluate/sum loops. */
    enum { STRIDE = QM_BATCH + 40 };
    s->x = aligned_alloc(64, 3 * STRIDE * sizeof(double));
    if (!s->x) {
        s->y = s->idx = NULL;
        return QM_ENOMEM;
    }
    s->y = s->x + STRIDE;
    s->idx = s->y + STRIDE;
    for (int j = 0; j < QM_BATCH; j++)
        s->idx[j] = (double)j;
    return QM_SUCCESS;
}

void qm__scratch_free(qm_scratch *s)
{
    free(s->x);
    s->x = s->y = s->idx = NULL;
}

void qm__fail_keep_lowest(qm_fail *dst, const qm_fail *f, int64_t block)
{
    if (dst->status == QM_SUCCESS || block < dst->block) {
        *dst = *f;
        dst->block = block;
    }
}

static void fail_clear(qm_fail *f)
{
    f->status = QM_SUCCESS;
    f->block = INT64_MAX;
    f->x = 0.0;
    f->user_status = 0;
}

int qm__exec_run_serial(int64_t b0, int64_t b1, qm_block_fn fn, void *ctx,
                        int nacc, qm_sacc *acc, qm_fail *fail)
{
    qm_scratch sc;
    if (qm__scratch_alloc(&sc) != QM_SUCCESS)
        return QM_ENOMEM;
    for (int k = 0; k < nacc; k++)
        qm__sacc_init(&acc[k]);
    for (int64_t b = b0; b < b1; b++) {
        qm_fail f;
        fail_clear(&f);
        int st = fn(ctx, b, &sc, acc, &f);
        if (st != QM_SUCCESS) {
            f.status = st;
            qm__fail_keep_lowest(fail, &f, b);
            break; /* blocks are visited in order: this is the lowest */
        }
    }
    qm__scratch_free(&sc);
    return fail->status;
}

int qm__exec_run(const qm_exec *ex, int64_t b0, int64_t b1, qm_block_fn fn,
                 void *ctx, int nacc, qm_sacc *acc, qm_fail *fail)
{
    fail_clear(fail);
    if (ex->backend == QM_BACKEND_OPENMP && ex->threads > 1 && b1 - b0 > 1)
        return qm__exec_run_omp(ex, b0, b1, fn, ctx, nacc, acc, fail);
    return qm__exec_run_serial(b0, b1, fn, ctx, nacc, acc, fail);
}
