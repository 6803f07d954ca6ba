/**
 * @file expr_eval.c
 * @brief The register machine of expr.h: each instruction is one loop over
 *        a chunk of points.
 *
 * Points are taken QM_EXPR_CHUNK at a time.  A register holds one value per
 * point of the chunk (6 KiB), so the few registers an expression needs
 * (Sethi-Ullman allocation keeps them to about log2 of its size) stay in L1
 * while the instructions pass over them; the interpreter's dispatch is paid
 * once per chunk and instruction, not per point.  Operand kinds (register,
 * input coordinate, constant) are part of the opcode, so every loop is
 * branch-free and vectorizes (#pragma omp simd; without restrict, because a
 * result may overwrite an operand: every loop is element-wise, so writing
 * d[i] after reading a[i], b[i] is safe and omp simd asserts no other
 * dependence).  The fused (a o1 b) o2 c forms halve the passes over memory
 * for the common a*x+b chains while keeping both roundings: the library is
 * compiled with -ffp-contract=off, so no FMA merges them.
 *
 * Bits do not depend on the chunking: every loop is element-wise, and the
 * vector functions (vmath.h) give the same bits at every vector width.
 */
#include "config.h"

#include "expr.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "quadmap.h"
#include "vmath.h"

/* Points per chunk: the rules' batch (QM_BATCH = 768), so a call from a
 * rule is one chunk and each instruction is dispatched once per call
 * (measured: 0.98 against 1.06 ns/point for 512 and 1.16 for 128 on
 * x*x*x-2*x+1); 6 KiB per register, and the 3 to 5 live registers of
 * common integrands stay in L1. */
#define QM_EXPR_CHUNK QM_BATCH
/* Registers and coordinate buffers kept on the stack (72 KiB); larger
 * expressions or many coordinates allocate per call. */
#define STACK_SLOTS 12

#define LOOP(E)                                  \
    do {                                         \
        _Pragma("omp simd")                      \
        for (size_t i = 0; i < m; i++)           \
            D[i] = (E);                          \
    } while (0)

#define F_ADD(u, v) ((u) + (v))
#define F_SUB(u, v) ((u) - (v))
#define F_MUL(u, v) ((u) * (v))
#define F_DIV(u, v) ((u) / (v))
#define F_LT(u, v) ((u) < (v) ? 1.0 : 0.0)
#define F_GT(u, v) ((u) > (v) ? 1.0 : 0.0)
#define F_LE(u, v) ((u) <= (v) ? 1.0 : 0.0)
#define F_GE(u, v) ((u) >= (v) ? 1.0 : 0.0)
#define F_EQ(u, v) ((u) == (v) ? 1.0 : 0.0)
#define F_NE(u, v) ((u) != (v) ? 1.0 : 0.0)
#define F_AND(u, v) ((((u) != 0) & ((v) != 0)) ? 1.0 : 0.0)
#define F_OR(u, v) ((((u) != 0) | ((v) != 0)) ? 1.0 : 0.0)
#define F_MIN(u, v) QM__X_MIN(u, v)
#define F_MAX(u, v) QM__X_MAX(u, v)

#define BINCASES(BASE, F)                    \
    case BASE + 0: LOOP(F(A[i], B[i])); break; \
    case BASE + 1: LOOP(F(A[i], kb)); break;   \
    case BASE + 2: LOOP(F(ka, B[i])); break;

#define F3FORMS(O1, O2, P1, P2)                                            \
    case QM_X_F3 + 8 * (4 * O1 + O2) + 0: LOOP((A[i] P1 B[i]) P2 C[i]); break; \
    case QM_X_F3 + 8 * (4 * O1 + O2) + 1: LOOP((A[i] P1 B[i]) P2 kc); break;   \
    case QM_X_F3 + 8 * (4 * O1 + O2) + 2: LOOP((A[i] P1 kb) P2 C[i]); break;   \
    case QM_X_F3 + 8 * (4 * O1 + O2) + 3: LOOP((A[i] P1 kb) P2 kc); break;     \
    case QM_X_F3 + 8 * (4 * O1 + O2) + 4: LOOP(C[i] P2 (A[i] P1 B[i])); break; \
    case QM_X_F3 + 8 * (4 * O1 + O2) + 5: LOOP(kc P2 (A[i] P1 B[i])); break;   \
    case QM_X_F3 + 8 * (4 * O1 + O2) + 6: LOOP(C[i] P2 (A[i] P1 kb)); break;   \
    case QM_X_F3 + 8 * (4 * O1 + O2) + 7: LOOP(kc P2 (A[i] P1 kb)); break;

#define F3ROW(O1, P1) \
    F3FORMS(O1, 0, P1, +) F3FORMS(O1, 1, P1, -) F3FORMS(O1, 2, P1, *) F3FORMS(O1, 3, P1, /)

#define S3FORMS(O1, O2, O3, P1, P2, P3)                                              \
    case QM_X_S3 + 8 * (9 * O1 + 3 * O2 + O3) + 0: LOOP(((A[i] P1 B[i]) P2 C[i]) P3 E[i]); break; \
    case QM_X_S3 + 8 * (9 * O1 + 3 * O2 + O3) + 1: LOOP(((A[i] P1 B[i]) P2 C[i]) P3 ke); break;   \
    case QM_X_S3 + 8 * (9 * O1 + 3 * O2 + O3) + 2: LOOP(((A[i] P1 B[i]) P2 kc) P3 E[i]); break;   \
    case QM_X_S3 + 8 * (9 * O1 + 3 * O2 + O3) + 3: LOOP(((A[i] P1 B[i]) P2 kc) P3 ke); break;     \
    case QM_X_S3 + 8 * (9 * O1 + 3 * O2 + O3) + 4: LOOP(((A[i] P1 kb) P2 C[i]) P3 E[i]); break;   \
    case QM_X_S3 + 8 * (9 * O1 + 3 * O2 + O3) + 5: LOOP(((A[i] P1 kb) P2 C[i]) P3 ke); break;     \
    case QM_X_S3 + 8 * (9 * O1 + 3 * O2 + O3) + 6: LOOP(((A[i] P1 kb) P2 kc) P3 E[i]); break;     \
    case QM_X_S3 + 8 * (9 * O1 + 3 * O2 + O3) + 7: LOOP(((A[i] P1 kb) P2 kc) P3 ke); break;       \
    case QM_X_S2 + 4 * (9 * O1 + 3 * O2 + O3) + 0: LOOP((A[i] P1 (B[i] P2 C[i])) P3 E[i]); break; \
    case QM_X_S2 + 4 * (9 * O1 + 3 * O2 + O3) + 1: LOOP((A[i] P1 (B[i] P2 C[i])) P3 ke); break;   \
    case QM_X_S2 + 4 * (9 * O1 + 3 * O2 + O3) + 2: LOOP((A[i] P1 (B[i] P2 kc)) P3 E[i]); break;   \
    case QM_X_S2 + 4 * (9 * O1 + 3 * O2 + O3) + 3: LOOP((A[i] P1 (B[i] P2 kc)) P3 ke); break;

#define S3ROW3(O1, O2, P1, P2) S3FORMS(O1, O2, 0, P1, P2, +) S3FORMS(O1, O2, 1, P1, P2, -) \
    S3FORMS(O1, O2, 2, P1, P2, *)
#define S3ROW2(O1, P1) S3ROW3(O1, 0, P1, +) S3ROW3(O1, 1, P1, -) S3ROW3(O1, 2, P1, *)

/* x^k, k != 0 (k = 2 is QM_X_SQR), with the order of powi_scalar in
 * expr_parse.c: x*x*x, x*x*x*x left to right (muparser's order for a
 * variable), binary powering beyond. */
static inline void run_powi(size_t m, const double *A, double *D, double *T, int k)
{
    unsigned n = (unsigned)(k < 0 ? -k : k);
    if (n <= 4) {
        if (n == 1)
            LOOP(A[i]);
        else if (n == 2)
            LOOP(A[i] * A[i]);
        else if (n == 3)
            LOOP((A[i] * A[i]) * A[i]);
        else
            LOOP(((A[i] * A[i]) * A[i]) * A[i]);
    } else {
        int first = 1;
        memcpy(T, A, m * sizeof *T); /* D may be A */
        while (n) {
            if (n & 1u) {
                if (first)
                    memcpy(D, T, m * sizeof *D);
                else
                    LOOP(D[i] * T[i]);
                first = 0;
            }
            n >>= 1;
            if (n) {
                double *TT = T;
                _Pragma("omp simd")
                for (size_t i = 0; i < m; i++)
                    TT[i] = TT[i] * TT[i];
            }
        }
    }
    if (k < 0)
        LOOP(1.0 / D[i]);
}

/* One chunk: run the code with slot pointers sp (sp[0] is the output). */
QM_KERNEL
static void run_chunk(const qm_expr *e, size_t m, double *const *sp, double *kbuf)
{
    for (int j = 0; j < e->ninsns; j++) {
        const qm__xinsn *in = &e->insns[j];
        double *D = sp[in->d];
        const double *A = in->a >= 0 ? sp[in->a] : NULL;
        const double *B = in->b >= 0 ? sp[in->b] : NULL;
        const double *C = in->c >= 0 ? sp[in->c] : NULL;
        const double *E = in->e >= 0 ? sp[in->e] : NULL;
        const double ka = in->ka, kb = in->kb, kc = in->kc, ke = in->ke;
        switch (in->op) {
        case QM_X_COPY: LOOP(A[i]); break;
        case QM_X_BCAST: LOOP(ka); break;
        BINCASES(QM_X_ADD, F_ADD)
        BINCASES(QM_X_SUB, F_SUB)
        BINCASES(QM_X_MUL, F_MUL)
        BINCASES(QM_X_DIV, F_DIV)
        BINCASES(QM_X_LT, F_LT)
        BINCASES(QM_X_GT, F_GT)
        BINCASES(QM_X_LE, F_LE)
        BINCASES(QM_X_GE, F_GE)
        BINCASES(QM_X_EQ, F_EQ)
        BINCASES(QM_X_NE, F_NE)
        BINCASES(QM_X_AND, F_AND)
        BINCASES(QM_X_OR, F_OR)
        BINCASES(QM_X_MIN, F_MIN)
        BINCASES(QM_X_MAX, F_MAX)
        case QM_X_POW:
        case QM_X_ATAN2: {
            qm_vm_binary_fn f = in->op == QM_X_POW ? qm__vm_pow() : qm__vm_atan2();
            f(m, A, B, D);
            break;
        }
        case QM_X_POW + 1:
        case QM_X_ATAN2 + 1: {
            qm_vm_binary_fn f = in->op == QM_X_POW + 1 ? qm__vm_pow() : qm__vm_atan2();
            double *K = kbuf;
            _Pragma("omp simd")
            for (size_t i = 0; i < m; i++)
                K[i] = kb;
            f(m, A, K, D);
            break;
        }
        case QM_X_POW + 2:
        case QM_X_ATAN2 + 2: {
            qm_vm_binary_fn f = in->op == QM_X_POW + 2 ? qm__vm_pow() : qm__vm_atan2();
            double *K = kbuf;
            _Pragma("omp simd")
            for (size_t i = 0; i < m; i++)
                K[i] = ka;
            f(m, K, B, D);
            break;
        }
        case QM_X_NEG: LOOP(-A[i]); break;
        case QM_X_SQRT: LOOP(sqrt(A[i])); break;
        case QM_X_ABS: LOOP(QM__X_ABS(A[i])); break;
        case QM_X_SIGN: LOOP(A[i] < 0 ? -1.0 : A[i] > 0 ? 1.0 : 0.0); break;
        case QM_X_RINT: LOOP(QM__X_RINT(A[i])); break;
        case QM_X_SQR: LOOP(A[i] * A[i]); break;
        case QM_X_FN: qm__vm_unary((qm_vm_fn)in->fn)(m, A, D); break;
        case QM_X_SEL: LOOP(A[i] != 0 ? B[i] : C[i]); break;
        case QM_X_POWI: run_powi(m, A, D, kbuf, in->fn); break;
        F3ROW(0, +)
        F3ROW(1, -)
        F3ROW(2, *)
        F3ROW(3, /)
        S3ROW2(0, +)
        S3ROW2(1, -)
        S3ROW2(2, *)
        default: break;
        }
    }
}

int qm__expr_eval(const qm_expr *e, size_t n, const double *x, size_t stride,
                  double *y)
{
    if (e == NULL || (n > 0 && y == NULL))
        return QM_EINVAL;
    if (n == 0)
        return QM_SUCCESS;
    if (e->constant) {
        for (size_t i = 0; i < n; i++)
            y[i] = e->value;
        return QM_SUCCESS;
    }
    if (e->nused > 0 && (x == NULL || stride < (size_t)e->ncoords))
        return QM_EINVAL;
    /* stride 1: the single coordinate is read where it lies (no copy) */
    const int direct = stride == 1;
    const int nbuf = e->nregs + 1 + (direct ? 0 : e->nused); /* + kbuf */
    const int nslots = 1 + e->nregs + e->ncoords;

    double stackbuf[STACK_SLOTS * QM_EXPR_CHUNK + 8];
    double *heap = NULL, *buf = stackbuf;
    double *spbuf[64];
    double **sp = spbuf;
    if (nbuf > STACK_SLOTS || nslots > 64) {
        heap = malloc(((size_t)nbuf * QM_EXPR_CHUNK + 8) * sizeof *heap
                      + (size_t)nslots * sizeof *sp);
        if (heap == NULL)
            return QM_ENOMEM;
        buf = heap;
        sp = (double **)(heap + (size_t)nbuf * QM_EXPR_CHUNK + 8);
    }
    /* 64-byte alignment for the vector loads */
    double *base = (double *)(((uintptr_t)buf + 63) & ~(uintptr_t)63);
    for (int r = 1; r <= e->nregs; r++)
        sp[r] = base + (size_t)(r - 1) * QM_EXPR_CHUNK;
    double *kbuf = base + (size_t)e->nregs * QM_EXPR_CHUNK;
    double *gather = kbuf + QM_EXPR_CHUNK;
    for (int k = 0; k < e->ncoords; k++)
        sp[e->nregs + 1 + k] = NULL;

    for (size_t off = 0; off < n; off += QM_EXPR_CHUNK) {
        size_t m = n - off < QM_EXPR_CHUNK ? n - off : QM_EXPR_CHUNK;
        sp[0] = y + off;
        for (int u = 0; u < e->nused; u++) {
            int k = e->used[u];
            if (direct) {
                sp[e->nregs + 1 + k] = (double *)(x + off);
            } else {
                double *G = gather + (size_t)u * QM_EXPR_CHUNK;
                const double *src = x + off * stride + (size_t)k;
                for (size_t i = 0; i < m; i++)
                    G[i] = src[i * stride];
                sp[e->nregs + 1 + k] = G;
            }
        }
        run_chunk(e, m, sp, kbuf);
    }
    free(heap);
    return QM_SUCCESS;
}
