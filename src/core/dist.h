/*
 * Distribution: how a run is spread over processes (not installed).
 *
 * An executor may carry a distributor: a table of the few collective
 * operations the algorithms need, supplied by a backend that plugs in
 * (src/mpi/exec_mpi.c installs one with qm_exec_new_mpi).  The core never
 * names the backend: it calls through this table, and with no distributor
 * everything runs in this process.  Every operation is collective over the
 * distributor's processes, and every process must make the same sequence
 * of calls; the results are the same on every process.
 */
#ifndef QM_DIST_H
#define QM_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "core/sum_exact.h"

struct qm_fail;

typedef struct qm_dist_ops {
    /* The agreed status: the largest `status` over the processes; when all
     * are QM_SUCCESS but two `hash`es differ (the processes passed
     * different arguments), QM_EINVAL. */
    int (*agree)(void *d, int status, uint64_t hash);
    /* Slots base[0 .. n) of slot_size bytes, in units of `gran` slots (the
     * last unit may be short): on entry this process has filled its share
     * (qm__share of the units, clipped to n), on return every process
     * holds every process's share.  `status` is this process's local outcome (not a
     * unit's failure: QM_ENOMEM, QM_ECANCELED); the return value is the
     * largest over the processes, and the slots are only valid when it is
     * QM_SUCCESS. */
    int (*allgather)(void *d, void *base, size_t n, size_t slot_size,
                     size_t gran, int status);
    /* Exact sum of acc[0 .. nacc) over the processes (nacc <= 2) and the
     * lowest failure (by block, then by process); *fail_rank receives the
     * process that holds it (-1 when none). */
    void (*allreduce)(void *d, qm_sacc *acc, int nacc, struct qm_fail *fail,
                      int *fail_rank);
    /* v[0 .. n) = their minimum over the processes (n <= 4). */
    void (*min_i64)(void *d, int64_t *v, int n);
    /* A distributor over the same processes on a separate channel (for a
     * run on another thread: qm_*_async), or QM_ENOTSUP / QM_ENOMEM; the
     * status is the same everywhere. */
    int (*clone)(void *d, void **out);
    /* Release a distributor (collective). */
    void (*release)(void *d);
} qm_dist_ops;

/* Process r's balanced contiguous share [*lo, *hi) of units [0, n) over P
 * processes: n / P each, the first n % P one more.  The one share formula
 * of the library (integration blocks, step units, map elements). */
static inline void qm__share(uint64_t n, int r, int P, uint64_t *lo,
                             uint64_t *hi)
{
    const uint64_t q = n / (uint64_t)P, m = n % (uint64_t)P;
    const uint64_t ur = (uint64_t)r;
    *lo = q * ur + (ur < m ? ur : m);
    *hi = *lo + q + (ur < m ? 1 : 0);
}

/* Process r's share [*lo, *hi) of elements [0, n) cut in units of gran
 * elements (the last unit may be short): qm__share of the units, clipped. */
static inline void qm__share_gran(uint64_t n, uint64_t gran, int r, int P,
                                  uint64_t *lo, uint64_t *hi)
{
    const uint64_t units = n / gran + (n % gran != 0);
    uint64_t u0, u1;
    qm__share(units, r, P, &u0, &u1);
    *lo = u0 * gran < n ? u0 * gran : n;
    *hi = u1 * gran < n ? u1 * gran : n;
}

/* The process whose share holds unit u of [0, n) (inverse of qm__share). */
static inline int qm__share_owner(uint64_t n, int P, uint64_t u)
{
    const uint64_t q = n / (uint64_t)P, m = n % (uint64_t)P;
    if (u < m * (q + 1))
        return (int)(u / (q + 1));
    return (int)(m + (u - m * (q + 1)) / q);
}

/* Argument hashing for the agreement check (FNV-1a, 64 bits): fold every
 * argument that must be the same on every process. */
#define QM_HASH_INIT 0xcbf29ce484222325ULL
static inline uint64_t qm__hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
static inline uint64_t qm__hash_u64(uint64_t h, uint64_t v)
{
    return qm__hash_bytes(h, &v, sizeof v);
}
static inline uint64_t qm__hash_f64(uint64_t h, double v)
{
    return qm__hash_bytes(h, &v, sizeof v);
}

#endif
