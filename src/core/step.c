/*
 * The step primitive (core/internal.h): evaluate units into slots on the
 * executor, gather the slots on every process, find the lowest failing
 * unit.  Every adaptive, cubature and Monte Carlo algorithm is a sequence
 * of steps; this file is the only place that knows how a step is spread.
 */
#include "config.h"
#include "core/internal.h"

#include <string.h>

typedef struct step_shift {
    const qm_loop *user;
    int64_t off;
} step_shift;

/* The user's body on global unit numbers: this process runs [off, off+n). */
static int shifted_body(void *c, int worker, int64_t lo, int64_t hi,
                        int64_t *fail_at)
{
    const step_shift *s = c;
    int64_t at = lo + s->off;
    const int st = s->user->body(s->user->ctx, worker, lo + s->off,
                                 hi + s->off, &at);
    *fail_at = at - s->off;
    return st;
}

static int shifted_init(void *c, int worker)
{
    const step_shift *s = c;
    return s->user->init(s->user->ctx, worker);
}

static void shifted_fini(void *c, int worker)
{
    const step_shift *s = c;
    s->user->fini(s->user->ctx, worker);
}

void qm__step_init(qm_step *step, void *base, size_t n, size_t slot_size,
                   size_t fail_off)
{
    memset(step, 0, sizeof *step);
    step->n = n;
    step->base = base;
    step->slot_size = slot_size;
    step->fail_off = fail_off;
}

void qm__step_report(const qm_exec *ex, const qm_step *step, int st,
                     size_t fu, qm_result *res)
{
    if (st != QM_ENONFINITE && st != QM_EUSER)
        return;
    const qm_unit_status *us = qm__step_unit(step, fu);
    res->fail_x = us->x;
    res->user_status = us->user_status;
    res->fail_rank = qm__step_owner(ex, step->n, fu);
}

int qm__step_run(const qm_exec *ex, qm_step *step, size_t *fail_unit)
{
    uint64_t lo = 0, hi = step->n;
    if (ex->dist)
        qm__share(step->n, ex->rank, ex->nranks, &lo, &hi);
    /* slots that are skipped (above a failure) must read as successes */
    for (size_t u = 0; u < step->n; u++) {
        qm_unit_status *us = qm__step_unit(step, u);
        us->status = QM_SUCCESS;
        us->user_status = 0;
        us->x = 0.0;
    }

    int st = QM_SUCCESS;
    if (hi > lo && lo == 0) {
        /* local numbers are global ones (always without a distributor) */
        step->loop.n = (int64_t)hi;
        st = qm__loop_run(ex, &step->loop);
    } else if (hi > lo) {
        step_shift sh = {&step->loop, (int64_t)lo};
        qm_loop loop = step->loop;
        loop.n = (int64_t)(hi - lo);
        loop.ctx = &sh;
        loop.body = shifted_body;
        loop.init = step->loop.init ? shifted_init : NULL;
        loop.fini = step->loop.fini ? shifted_fini : NULL;
        st = qm__loop_run(ex, &loop);
    }
    /* a unit's failure travels in its slot; anything else is the
     * process's own outcome, agreed on below */
    if (st == QM_ENONFINITE || st == QM_EUSER)
        st = QM_SUCCESS;
    if (ex->dist)
        st = ex->dist->allgather(ex->dctx, step->base, step->n,
                                 step->slot_size, 1, st);
    if (st != QM_SUCCESS)
        return st;
    for (size_t u = 0; u < step->n; u++) {
        const qm_unit_status *us = qm__step_unit(step, u);
        if (us->status != QM_SUCCESS) {
            *fail_unit = u;
            return us->status;
        }
    }
    return QM_SUCCESS;
}
