/*
 * Internal interfaces shared by the core and the backends (not installed).
 *
 * The one parallel primitive is qm__loop_run(): a chunked loop over units
 * [0, n) with per-worker init/fini hooks, lowest-failure tracking and a
 * cancel flag.  Integration (qm__exec_run: evaluate blocks [b0, b1), each
 * adding its partials into per-worker exact accumulators, then combine them)
 * and the map kernels (src/core/map.c) are built on it.  Backends only
 * decide *who* evaluates *which* units (FFTW's "spawn loop" idea); the
 * numerics live in the core.
 */
#ifndef QM_INTERNAL_H
#define QM_INTERNAL_H

#include "quadmap.h"
#include "quadmap_map.h"
#include "core/dist.h"
#include "core/sum_exact.h"

/* Panels per block.  Fixed, independent of the worker count: block
 * boundaries depend only on the problem.  Divisible by 6 so that residues of
 * point indices mod 2 and mod 3 (used by the nested error estimates) are the
 * same at the start of every block. */
#define QM_BLOCK 12288
/* Points per integrand call: the x/y scratch arrays (2 x 6 KiB) stay in L1. */
#define QM_BATCH 768

/* Hot kernels: compiled for several vector ISAs, chosen at load time.  The
 * library is built with -ffp-contract=off, so all clones give identical
 * bits. */
#if defined(QM_HAVE_TARGET_CLONES)
#define QM_KERNEL __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define QM_KERNEL
#endif

/* The most exact accumulators a block function may fill. */
#define QM_MAX_ACC 2

struct qm_loop;

/* A local backend: runs a chunk loop with at most `workers` workers. */
typedef int (*qm_loop_runner)(const struct qm_loop *loop, int workers);

struct qm_exec {
    qm_backend backend;
    qm_loop_runner run;   /* the local backend (src/backends.c) */
    int threads;
    qm_schedule schedule;
    int64_t chunk;
    /* the distributor (NULL: this process alone) and this process's place */
    const qm_dist_ops *dist;
    void *dctx;
    int rank, nranks;
    /* polled before every piece of every loop run on this executor; set on
     * the private copy an asynchronous submission makes (the one way work
     * is cancelled) */
    const volatile int *cancel;
};

/* The runner of a compiled-in backend (QM_BACKEND_SERIAL or _OPENMP), or
 * NULL: the registry of src/backends.c, so that the core never calls a
 * backend by name. */
qm_loop_runner qm__backend_runner(qm_backend backend);
/* The backend's default thread count (OpenMP's default, else 1). */
int qm__backend_threads(qm_backend backend);
/* A copy of ex whose distributor (if any) is a clone on a separate channel
 * (collective when ex is distributed): for runs on another thread.  Free
 * with qm_exec_free. */
int qm__exec_clone(const qm_exec *ex, qm_exec **out);
/* The agreement check every collective entry point makes once: with a
 * distributor, the agreed status (QM_EINVAL when the processes' argument
 * hashes differ); without, `status`. */
static inline int qm__agree(const qm_exec *ex, int status, uint64_t hash)
{
    return ex->dist ? ex->dist->agree(ex->dctx, status, hash) : status;
}

/* Where and why a block failed; the failure kept is the one of the lowest
 * block, so the report is deterministic. */
typedef struct qm_fail qm_fail;
struct qm_fail {
    int status;       /* QM_SUCCESS when nothing failed */
    int64_t block;    /* failing block index (INT64_MAX when none) */
    double x;         /* offending abscissa */
    int user_status;  /* integrand's return value for QM_EUSER */
};

/* Per-thread scratch passed to block functions. */
typedef struct qm_scratch {
    double *x, *y; /* QM_BATCH doubles each */
    /* idx[j] = j as a double: abscissae are generated as base + idx[j] H
     * without an int-to-double conversion or a loop-carried counter */
    double *idx;
} qm_scratch;

/* Evaluate block `block`, adding into acc[0..nacc).  Return QM_SUCCESS or a
 * status with *fail filled (fail->block is set by the caller). */
typedef int (*qm_block_fn)(void *ctx, int64_t block, qm_scratch *scratch,
                           qm_sacc *acc, qm_fail *fail);

/* Run blocks [b0, b1) on the executor; acc[0..nacc) receive the exact sums
 * (they are initialized here).  *fail receives the lowest failing block's
 * failure.  Returns QM_SUCCESS, QM_ENOMEM or the failure's status.  A block
 * function returning QM_ECANCELED stops every block, not only those above.
 * Implemented on top of qm__loop_run (below). */
int qm__exec_run(const qm_exec *ex, int64_t b0, int64_t b1, qm_block_fn fn,
                 void *ctx, int nacc, qm_sacc *acc, qm_fail *fail);

/*
 * The chunk loop: the one parallel primitive of the library.
 *
 * Units [0, n) (blocks of an integration, chunks of elements or groups of
 * reduction blocks of a map kernel: boundaries that depend only on the
 * problem) are handed to workers in *grabs* following a schedule; each grab is
 * processed in increasing order in *pieces* of at most `piece` units, one
 * body call per piece.  The backend decides only who runs which piece; what a
 * piece computes and how partials are combined is the caller's business, so
 * results can be made independent of the schedule by construction.
 *
 * Schedules (grab sizes; `grab` is in units):
 *   STATIC   grab == 0: one contiguous share per worker (n/W, the first
 *            n % W workers one unit more); grab > 0: grabs of `grab` units
 *            dealt round robin (OpenMP's schedule(static, grab)).
 *   DYNAMIC  grabs of max(grab, 1) units, first come first served.
 *   GUIDED   grabs of max(grab, ceil(remaining / W)) units (OpenMP guided).
 *   AUTO     "factoring" (Hummel, Schonberg, Flynn 1992): grabs of
 *            max(grab, ceil(remaining / (2 W))) units: large grabs while much
 *            work remains, shrinking to `grab` at the end, so uneven costs
 *            balance without tuning.  Callers that want static for AUTO
 *            (integration) resolve it before calling.
 *
 * Failures: a body returning nonzero sets *fail_at to the failing unit
 * (lo <= *fail_at < hi).  The lowest failing unit seen so far is shared;
 * pieces starting above it are skipped, pieces at or below it still run, so
 * the lowest failing unit overall is always found (deterministic) while the
 * rest of the work stops promptly.  A body status of QM_ECANCELED, a nonzero
 * *cancel (polled before every piece) or a failing init stops every piece.
 *
 * Workers: worker ids are 0 .. W-1 with W <= qm__loop_workers(); init (if
 * any) is called once by every worker before its first piece, fini (if any)
 * once by every worker whose init returned 0, after its last piece (also on
 * failure).  With sync_init, no piece starts before every init returned, and
 * none starts at all if one failed (so an init failure is deterministic).
 * Bodies of different workers run concurrently; a worker's calls are
 * sequential.  Per-worker state is the caller's (an array indexed by worker).
 *
 * Returns QM_SUCCESS; else, in this order of precedence: an init's nonzero
 * return (QM_ENOMEM if any init returned it), QM_ECANCELED when *cancel was
 * seen or a body returned it, or the status of the lowest failing unit.
 */
typedef struct qm_loop {
    int64_t n;            /* units [0, n), n >= 0 */
    qm_schedule schedule; /* see above */
    int64_t grab;         /* units per grab (see above), >= 0 */
    int64_t piece;        /* most units per body call, >= 1 */
    int sync_init;        /* barrier after init (see above) */
    void *ctx;            /* passed to the hooks */
    int (*init)(void *ctx, int worker);          /* may be NULL */
    int (*body)(void *ctx, int worker, int64_t lo, int64_t hi,
                int64_t *fail_at);
    void (*fini)(void *ctx, int worker);         /* may be NULL */
    /* set by qm__loop_run from the executor (callers leave it NULL) */
    const volatile int *cancel;
} qm_loop;

/* Upper bound on the number of workers qm__loop_run uses for `loop` on `ex`
 * (size the per-worker state with it): 1 for the serial backend, else
 * min(threads, ceil(n / piece)), at least 1. */
int qm__loop_workers(const qm_exec *ex, const qm_loop *loop);

/* Run the loop on the executor (serial in the calling thread when
 * qm__loop_workers() is 1). */
int qm__loop_run(const qm_exec *ex, const qm_loop *loop);

/* Serial and OpenMP implementations (same contract); the OpenMP one uses at
 * most `workers` threads.  Only the registry (src/backends.c) names them. */
int qm__loop_run_serial(const qm_loop *loop, int workers);
int qm__loop_run_omp(const qm_loop *loop, int workers);

/* Building blocks shared by the backends.  A worker's outcome: */
typedef struct qm_loop_worker {
    int64_t unit;  /* lowest failing unit it saw (INT64_MAX: none) */
    int status;    /* that unit's status */
    int cancelled; /* it saw *cancel set or a body returned QM_ECANCELED */
} qm_loop_worker;
#define QM_LOOP_WORKER_INIT {INT64_MAX, QM_SUCCESS, 0}
/* Process grab [lo, hi) in pieces (failure, cancel and skip rules above);
 * *lowest is the shared lowest failing unit (-1 stops everything).  Returns
 * 1 when this worker must take no further grab. */
int qm__loop_pieces(const qm_loop *loop, int worker, int64_t lo, int64_t hi,
                    int64_t *lowest, qm_loop_worker *me);
/* Keep the lower failure of *dst and *w, and either cancellation (callers
 * serialize). */
void qm__loop_worker_merge(qm_loop_worker *dst, const qm_loop_worker *w);
/* The loop's return value from the first failing init's status (or
 * QM_SUCCESS) and the merged outcome of all workers. */
int qm__loop_status(int init_status, const qm_loop_worker *all);

/* Size of the next grab at position cur of [0, n) for the dynamic, guided
 * and auto schedules with W workers (shared by the backends). */
static inline int64_t qm__loop_grab(const qm_loop *loop, int64_t cur, int W)
{
    const int64_t left = loop->n - cur;
    int64_t g = loop->grab > 0 ? loop->grab : 1;
    if (loop->schedule == QM_SCHEDULE_GUIDED
        || loop->schedule == QM_SCHEDULE_AUTO) {
        const int64_t div = loop->schedule == QM_SCHEDULE_GUIDED
                                ? (int64_t)W : 2 * (int64_t)W;
        const int64_t q = left / div + (left % div != 0);
        if (q > g)
            g = q;
    }
    return g < left ? g : left;
}

int qm__omp_default_threads(void);

/* Scratch allocation helpers (aligned, freed with qm__scratch_free). */
int qm__scratch_alloc(qm_scratch *s);
void qm__scratch_free(qm_scratch *s);

/* Record failure f at block `block` into *dst if it is lower than the one
 * already there (callers serialize). */
void qm__fail_keep_lowest(qm_fail *dst, const qm_fail *f, int64_t block);

/*
 * The step: the one primitive under every adaptive, cubature and Monte
 * Carlo algorithm.  A step is units [0, n) whose results go to slots
 * base[0 .. n) of slot_size bytes; each slot holds, at offset fail_off, a
 * qm_unit_status that the unit's body sets when it fails.  The step runs
 * the body over this process's share of units (all of them without a
 * distributor) on the executor, gathers every slot on every process, and
 * finds the lowest failing unit by one scan: the loop always runs the
 * lowest failing unit (pieces below a known failure still run), so the
 * unit found -- and hence the failure reported -- is the same for any
 * worker count, schedule and process count.
 */
typedef struct qm_unit_status {
    int32_t status;       /* QM_SUCCESS, QM_ENONFINITE or QM_EUSER */
    int32_t user_status;  /* the integrand's return with QM_EUSER */
    double x;             /* the offending abscissa (first coordinate) */
} qm_unit_status;

typedef struct qm_step {
    size_t n;             /* units */
    void *base;           /* n slots */
    size_t slot_size;
    size_t fail_off;      /* offset of the qm_unit_status in a slot */
    /* the loop: schedule, grab, piece, hooks, ctx; body receives global
     * unit numbers and returns a unit's failure status */
    qm_loop loop;
} qm_step;

/* A step of n units over slots base[0 .. n) of slot_size bytes, the unit
 * record at fail_off; the loop is zeroed for the caller to fill. */
void qm__step_init(qm_step *step, void *base, size_t n, size_t slot_size,
                   size_t fail_off);

/* Run the step.  Returns QM_SUCCESS, a non-unit failure (QM_ENOMEM,
 * QM_ECANCELED; the same on every process) or the lowest failing unit's
 * status with its number in *fail_unit and its record in the slot. */
int qm__step_run(const qm_exec *ex, qm_step *step, size_t *fail_unit);

/* The process that evaluated unit u of a step of n units (0 without a
 * distributor). */
static inline int qm__step_owner(const qm_exec *ex, size_t n, size_t u)
{
    return ex->dist ? qm__share_owner(n, ex->nranks, u) : 0;
}

/* With a unit's failure status st (QM_ENONFINITE, QM_EUSER) from
 * qm__step_run, copy unit fu's record and its process into res;
 * otherwise leave res alone. */
void qm__step_report(const qm_exec *ex, const qm_step *step, int st,
                     size_t fu, qm_result *res);

/* Reset a result to "nothing computed": NaN value, error and failure
 * abscissa, zero counts, fail_rank -1. */
void qm__result_clear(qm_result *res);

/* The unit record inside slot u of a step. */
static inline qm_unit_status *qm__step_unit(const qm_step *s, size_t u)
{
    return (qm_unit_status *)((char *)s->base + u * s->slot_size
                              + s->fail_off);
}

/* The infinite-range maps (GSL qagi, qagiu, qagil) as integrand wrappers:
 * g(t) = f(x(t)) |x'(t)| on t in (0, 1], with x = bound + (1 - t) / t,
 * bound - (1 - t) / t, or both signs (f(x) + f(-x)) for (-inf, inf).
 * om[i] = 1 - t[i] when known exactly (tanh-sinh), else NULL. */
typedef enum { QM_INF_NONE = 0, QM_INF_UPPER, QM_INF_LOWER, QM_INF_BOTH } qm_inf_kind;
typedef struct qm_infmap {
    qm_batch_fn f;
    void *data;
    qm_inf_kind kind;
    double bound;
} qm_infmap;
/* Set up the map for [a, b] (kind QM_INF_NONE when both are finite). */
void qm__infmap_init(qm_infmap *m, qm_batch_fn f, void *data, double a,
                     double b);
/* y[i] = g(t[i]) for i < n (n <= 128); on failure the status with
 * *fail_x (in x) and *user.  Values are checked for NaN/Inf here. */
int qm__infmap_eval(const qm_infmap *m, size_t n, const double *t,
                    const double *om, double *y, double *fail_x, int *user);

#endif
