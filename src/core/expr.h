/**
 * @file expr.h
 * @brief Internal: compiled arithmetic expressions evaluated in batches.
 *
 * An expression such as "exp(-x^2)*cos(3*x)" is parsed once into bytecode
 * for a small register machine; evaluation then runs each instruction as a
 * tight loop over a chunk of points (numexpr's design), so the cost per point
 * is a few vector operations instead of an interpreter dispatch per
 * operation.  Written as if it could become public (Doxygen, status codes),
 * but not installed.
 *
 * Language: the muparser 2.3.3 default grammar (binary + - * / ^, unary - +,
 * comparisons, && ||, ?:, its built-in functions and the constants _pi, _e)
 * plus the caller's variable names.  Differences from muparser:
 *  - assignment (x=3, x+=1) is rejected: an integrand has no state;
 *  - the result is computed exactly as written (no reassociation of x+1+2 as
 *    x+3, which muparser's optimizer does) and constant folding gives the
 *    bits the run-time loop would give (muparser folds 0.5&&1 to 0 but
 *    evaluates x&&1 at x = 0.5 to 1; here both are 1);
 *  - x^k for an integer constant 2 <= |k| <= ::QM_EXPR_POWI_MAX is computed
 *    by multiplications (x^2..x^4 in muparser's order, left to right, so
 *    they agree with muparser's own optimization for a variable base), and
 *    other powers and the transcendental functions by SLEEF's deterministic
 *    vector functions (vmath.h) instead of glibc: within a few ulp of
 *    muparser, and the same bits on every instruction set.
 *
 * Thread-safety: a compiled expression is immutable; any number of threads
 * may evaluate it at once.  Evaluation keeps its scratch space on the stack
 * (or, for very large expressions, in memory allocated per call).
 */
#ifndef QM_CORE_EXPR_H
#define QM_CORE_EXPR_H

#include <stddef.h>

/** Largest |k| for which x^k (k an integer constant) becomes multiplications;
 *  beyond it the rounding error of the products (about |k|/2 ulp in the
 *  worst case) would exceed pow's 1 ulp. */
#define QM_EXPR_POWI_MAX 16

/** Longest expression text accepted (characters). */
#define QM_EXPR_MAX_TEXT 100000

/** A compiled expression (opaque, immutable after ::qm__expr_compile). */
typedef struct qm_expr qm_expr;

/** Where and why compilation failed. */
typedef struct qm_expr_error {
    /** 0-based character offset of the offending token; the end of the text
     *  is reported as strlen(text) + 1, as muparser does; -1 when none. */
    int position;
    /** One line, without the position, e.g. "missing ')'". */
    char message[160];
} qm_expr_error;

/**
 * @brief Compile @p text.
 *
 * @param out   receives the expression (free with ::qm__expr_free); NULL on
 *              failure
 * @param text  NUL-terminated expression
 * @param nvars number of variable names (>= 0)
 * @param names the variable names (identifiers; a name that is also a
 *              constant or function hides it)
 * @param coord coord[k] is the input coordinate (0-based) that names[k]
 *              stands for; several names may share a coordinate (x and x1)
 * @param err   on ::QM_EINVAL, the position and reason (may be NULL)
 * @return ::QM_SUCCESS, ::QM_EINVAL (syntax error, unknown name, bad
 *         arguments) or ::QM_ENOMEM.
 */
int qm__expr_compile(qm_expr **out, const char *text, int nvars,
                     const char *const *names, const int *coord,
                     qm_expr_error *err);

/**
 * @brief ::qm__expr_compile with named constants besides _pi and _e.
 *
 * @param nconsts      number of constants (>= 0)
 * @param const_names  their names (a variable of the same name hides one)
 * @param const_values their values
 */
int qm__expr_compile_with(qm_expr **out, const char *text, int nvars,
                          const char *const *names, const int *coord,
                          int nconsts, const char *const *const_names,
                          const double *const_values, qm_expr_error *err);

/**
 * @brief Number of coordinates a point must have: 1 + the largest coordinate
 *        the expression could read (from the names given), so at least 1
 *        when variables were given, 0 for none.
 */
int qm__expr_ncoords(const qm_expr *e);

/**
 * @brief Evaluate at @p n points: y[i] = f(x[i*stride + 0 .. ncoords-1]).
 *
 * Any n (0 is allowed); the bits of y[i] depend only on point i, never on n,
 * the chunking or the layout.  @p y may be the same array as @p x (in place:
 * y[i] overwrites x[i] after point i and all earlier points were read) but
 * must not otherwise overlap it.  Reentrant.
 * @param e      the expression
 * @param n      number of points
 * @param x      coordinates; may be NULL when ::qm__expr_ncoords is 0
 * @param stride distance between points in @p x (>= ::qm__expr_ncoords)
 * @param y      n results
 * @return ::QM_SUCCESS, ::QM_EINVAL (NULL pointer, stride too small) or
 *         ::QM_ENOMEM (only for expressions too large for stack scratch).
 */
int qm__expr_eval(const qm_expr *e, size_t n, const double *x, size_t stride,
                  double *y);

/**
 * @brief Whether the expression reads no variable; if so, its value.
 * @param e     the expression
 * @param value receives the value when constant (may be NULL)
 * @return 1 if constant, 0 otherwise.
 */
int qm__expr_is_constant(const qm_expr *e, double *value);

/** @brief Free an expression (NULL is allowed). */
void qm__expr_free(qm_expr *e);

/* ---- shared between expr_parse.c and expr_eval.c (not API) ---- */

/** Opcodes of the register machine.  Operand kinds are part of the opcode
 *  (V = vector slot, C = constant), so the loops have no branches. */
enum qm__xop {
    QM_X_COPY,  /* d = a (V) */
    QM_X_BCAST, /* d = ka */
    /* binary: base + form (0 VV, 1 VC, 2 CV) */
    QM_X_ADD = 4, QM_X_SUB = 7, QM_X_MUL = 10, QM_X_DIV = 13,
    QM_X_LT = 16, QM_X_GT = 19, QM_X_LE = 22, QM_X_GE = 25,
    QM_X_EQ = 28, QM_X_NE = 31, QM_X_AND = 34, QM_X_OR = 37,
    QM_X_MIN = 40, QM_X_MAX = 43,
    QM_X_POW = 46, QM_X_ATAN2 = 49,
    /* unary on V */
    QM_X_NEG = 52, QM_X_SQRT, QM_X_ABS, QM_X_SIGN, QM_X_RINT, QM_X_SQR,
    QM_X_FN,    /* d = vmath fn (fn field) of a */
    QM_X_SEL,   /* d = a != 0 ? b : c (all V) */
    QM_X_POWI,  /* d = a^fn, fn a nonzero integer, |fn| <= QM_EXPR_POWI_MAX */
    /* fused d = (a o1 b) o2 c or d = c o2 (a o1 b): base + 8*(4*o1+o2) +
     * form, form bit 0: c constant, bit 1: b constant, bit 2: mirrored */
    QM_X_F3 = 64,
    /* three-operation chains of + - * (o = 0, 1, 2), one pass for what
     * would be three: polynomials written out, as x*x*x-2*x+1.
     * S3: d = ((a o1 b) o2 c) o3 e, base + 8*(9*o1+3*o2+o3) + form, form
     *     bit 0: e constant, bit 1: c constant, bit 2: b constant;
     * S2: d = (a o1 (b o2 c)) o3 e, base + 4*(9*o1+3*o2+o3) + form, form
     *     bit 0: e constant, bit 1: c constant. */
    QM_X_S3 = QM_X_F3 + 128,
    QM_X_S2 = QM_X_S3 + 216,
    QM_X_NOPS = QM_X_S2 + 108
};

/** One instruction: d = op(a, b, c) on slots, ka/kb/kc constants. */
typedef struct qm__xinsn {
    int op;
    int fn;            /* qm_vm_fn for QM_X_FN */
    int d, a, b, c, e;     /* slots */
    double ka, kb, kc, ke; /* constant operands */
} qm__xinsn;

/** Slot numbering: 0 = the output, 1..nregs = registers, then one slot per
 *  coordinate. */
struct qm_expr {
    int ncoords;      /* coordinates a point must have */
    int nregs;        /* scratch registers */
    int constant;     /* 1: no variable read; value holds the result */
    double value;
    int ninsns;
    qm__xinsn *insns;
    int nused;        /* coordinates read by the code */
    int *used;        /* their indices, increasing */
};

/* Scalar semantics shared by constant folding and the loops (one
 * definition, so folding gives the run-time bits). */
static inline double qm__x_sign(double v) { return v < 0 ? -1.0 : v > 0 ? 1.0 : 0.0; }
/* muparser's rint: floor(v + 0.5) (rounds halves up, not to even). */
#define QM__X_RINT(v) floor((v) + 0.5)
/* std::min/std::max as muparser calls them: the first operand unless the
 * second compares less (greater), so a NaN second operand is ignored. */
/* muparser's abs: v >= 0 ? v : -v, so abs(-0) is -0 (not fabs). */
#define QM__X_ABS(v) ((v) >= 0 ? (v) : -(v))
#define QM__X_MIN(a, b) ((b) < (a) ? (b) : (a))
#define QM__X_MAX(a, b) ((a) < (b) ? (b) : (a))

#endif /* QM_CORE_EXPR_H */
