/*
 * The compiled expression engine (src/core/expr.h) against muparser 2.3.3,
 * the CLI's reference engine.
 *
 * - Arithmetic, comparisons, logic, ?:, abs, sign, rint, sqrt, min, max,
 *   sum, avg and x^2 are IEEE operations done in the same order by both, so
 *   they must agree bit for bit with muparser *without its optimizer*
 *   (mupEnableOptimizer false): its optimizer reassociates x+1+2 as x+3 and
 *   turns 2*x into x*2+0 (+0 for x = -0), which the engine deliberately
 *   does not do (it computes what is written).  Against muparser with its
 *   optimizer (what --engine muparser runs) the difference is measured and
 *   bounded, not zero.
 * - x^k for integer constants 3 <= |k| <= 16 is a product in the engine and
 *   pow() in muparser (except x^3, x^4 of a variable with the optimizer,
 *   which are the same products): each product rounds, and binary powering
 *   doubles the relative error at each squaring, so the error is below
 *   (|k| - 1) half-ulps, plus 1 ulp for a reciprocal; pow is within 1 ulp.
 *   The bound checked is |k| + 2 ulp.
 * - Transcendental functions are SLEEF's u10 variants (1.0 ulp) in the
 *   engine and glibc's (< 1 ulp) in muparser: at most 2 ulp apart per call,
 *   and 4 ulp per call is the bound checked.  The random transcendental
 *   expressions are products and quotients of f(a*x+b) and sums of their
 *   absolute values: the arguments a*x+b have the same bits in both, and
 *   neither products nor sums of same-sign terms amplify relative errors, so
 *   the per-call bounds add up.  Differences of terms (cancellation) would
 *   amplify them without bound, which is why the generator avoids them.
 * - NaN matches NaN and infinities match in sign.
 * - muparser's own asinh, acosh and atanh are textbook formulas that lose
 *   accuracy (see ref_asinh), so the reference uses C99's for these three;
 *   and SLEEF's asinh/acosh overflow beyond 1.34e154, so function
 *   expressions are compared for |x| <= 1e150 only.
 */
#include "test_common.h"

#include <muParserDLL.h>

#include "core/expr.h"
#include "core/vmath.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#ifndef M_E
#define M_E 2.7182818284590452354
#endif

/* ------------------------------------------------------------ helpers */

static double mup_x;

/* The C API of muparser 2.3.3 cannot turn its optimizer off
 * (ParserBase::EnableOptimizer is C++ only), so the "no optimizer"
 * reference hides x and the literals behind non-optimizable functions X()
 * and K(c): the optimizer's patterns (VAR*VAL, VAR+VAL, VAL op VAL) then
 * never match, and muparser evaluates the expression as written. */
static double mup_X(void) { return mup_x; }
static double mup_K(double c) { return c; }

static void as_written(const char *text, char *out, size_t size)
{
    size_t n = 0;
    const char *s = text;
    while (*s && n + 16 < size) {
        if ((*s >= '0' && *s <= '9') || (*s == '.' && s[1] >= '0' && s[1] <= '9')) {
            const char *b = s;
            while ((*s >= '0' && *s <= '9') || *s == '.')
                s++;
            if ((*s == 'e' || *s == 'E') && (s[1] == '+' || s[1] == '-' || (s[1] >= '0' && s[1] <= '9'))) {
                s += 2;
                while (*s >= '0' && *s <= '9')
                    s++;
            }
            n += (size_t)snprintf(out + n, size - n, "K(%.*s)", (int)(s - b), b);
        } else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_') {
            const char *b = s;
            while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'
                   || (*s >= '0' && *s <= '9'))
                s++;
            if (s - b == 1 && *b == 'x')
                n += (size_t)snprintf(out + n, size - n, "X()");
            else
                n += (size_t)snprintf(out + n, size - n, "%.*s", (int)(s - b), b);
        } else {
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
}

/* muparser 2.3.3 computes asinh, acosh and atanh by textbook formulas
 * (log(v + sqrt(v*v + 1)), ...), which lose all accuracy for large negative
 * v and give NaN at -inf; the engine uses SLEEF's 1-ulp functions, so the
 * reference takes C99's functions for these three. */
static double ref_asinh(double v) { return asinh(v); }
static double ref_acosh(double v) { return acosh(v); }
static double ref_atanh(double v) { return atanh(v); }

static muParserHandle_t mup_new(const char *text, int optimize)
{
    static char buf[16384];
    muParserHandle_t p = mupCreate(muBASETYPE_FLOAT);
    mupDefineConst(p, "pi", M_PI);
    mupDefineConst(p, "e", M_E);
    mupDefineConst(p, "inf", INFINITY);
    mupDefineVar(p, "x", &mup_x);
    if (!optimize) {
        mupDefineFun0(p, "X", mup_X, 0);
        mupDefineFun1(p, "K", mup_K, 0);
        mupDefineFun1(p, "asinh", ref_asinh, 0);
        mupDefineFun1(p, "acosh", ref_acosh, 0);
        mupDefineFun1(p, "atanh", ref_atanh, 0);
        as_written(text, buf, sizeof buf);
        text = buf;
    }
    mupSetExpr(p, text);
    return p;
}

static const char *const vnames[] = {"x"};
static const int vcoord[] = {0};
static const char *const cnames[] = {"pi", "e", "inf"};
static const double cvalues[] = {M_PI, M_E, INFINITY};

static qm_expr *vm_new(const char *text, qm_expr_error *err)
{
    qm_expr *e = NULL;
    qm_expr_error local;
    int st = qm__expr_compile_with(&e, text, 1, vnames, vcoord, 3, cnames, cvalues,
                                   err != NULL ? err : &local);
    return st == QM_SUCCESS ? e : NULL;
}

/* Distance in ulps (0 for equal bits, NaN = NaN, -0 = +0 is 0 apart). */
static double ulps(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) ? 0 : INFINITY;
    if (a == b)
        return 0;
    if (isinf(a) || isinf(b))
        return INFINITY;
    int64_t ia, ib;
    memcpy(&ia, &a, 8);
    memcpy(&ib, &b, 8);
    if ((ia < 0) != (ib < 0))
        return INFINITY; /* opposite signs (zeros were equal above) */
    int64_t d = ia > ib ? ia - ib : ib - ia; /* same sign: no overflow */
    return (double)d;
}

static int same_bits_or_nan(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Points: specials, then random ones of several scales. */
#define NPTS 96
static double pts[NPTS];

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static double urand(void) { return (double)(rng() >> 11) * 0x1p-53; }

static void make_points(void)
{
    const double special[] = {0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, -2.5, 3.0,
                              1e-300, -1e-300, 1e300, INFINITY, -INFINITY, NAN};
    int n = 0;
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        pts[n++] = special[i];
    while (n < NPTS) {
        double scale = n % 3 == 0 ? 1.0 : n % 3 == 1 ? 4.0 : 100.0;
        pts[n++] = (2 * urand() - 1) * scale;
    }
}

enum cmp_kind { EXACT, POWI, TRANS };

typedef struct stats {
    double max_ulp_exact_noopt; /* must be 0 */
    double max_ulp_opt;         /* against muparser's optimizer */
    long ndiff_opt;             /* values differing from it */
    char worst_opt[256];        /* the expression of max_ulp_opt */
    double max_ulp_powi;
    double max_ulp_trans;
    long compared;
} stats;
static stats st;

/* Compare the engine with muparser on every point; calls = function calls
 * (bounds of TRANS), k = largest |exponent| (POWI). */
static void compare(const char *text, int kind, int calls, int k)
{
    qm_expr_error err;
    qm_expr *e = vm_new(text, &err);
    QMT_CHECK(e != NULL, "'%s' rejected: %s at %d", text, err.message, err.position);
    if (e == NULL)
        return;
    double y[NPTS];
    QMT_CHECK(qm__expr_eval(e, NPTS, pts, 1, y) == QM_SUCCESS, "eval '%s'", text);
    muParserHandle_t p0 = mup_new(text, 0), p1 = mup_new(text, 1);
    for (int i = 0; i < NPTS; i++) {
        mup_x = pts[i];
        double r0 = mupEval(p0);
        QMT_CHECK(!mupError(p0), "muparser rejects '%s': %s", text, mupGetErrorMsg(p0));
        double r1 = mupEval(p1);
        double d0 = ulps(y[i], r0), d1 = ulps(y[i], r1);
        st.compared++;
        if (!same_bits_or_nan(y[i], r1))
            st.ndiff_opt++;
        if (d1 > st.max_ulp_opt && isfinite(d1)) {
            st.max_ulp_opt = d1;
            snprintf(st.worst_opt, sizeof st.worst_opt, "%.200s at x=%g", text, pts[i]);
        }
        if (kind == EXACT) {
            QMT_CHECK(same_bits_or_nan(y[i], r0),
                      "'%s' at x=%.17g: engine %.17g (%a), muparser %.17g (%a)", text,
                      pts[i], y[i], y[i], r0, r0);
            if (d0 > st.max_ulp_exact_noopt)
                st.max_ulp_exact_noopt = d0;
        } else {
            /* SLEEF's asinh and acosh overflow to inf beyond sqrt(DBL_MAX)
             * (1.34e154; glibc is exact there): outside the domain the
             * ulp bounds are stated for. */
            if (kind == TRANS && fabs(pts[i]) > 1e150)
                continue;
            double bound = kind == POWI ? k + 2.0 : 4.0 * calls;
            if (isinf(y[i]) || isinf(r0) || y[i] == 0 || r0 == 0 || isnan(y[i]) || isnan(r0)) {
                /* overflow/underflow thresholds of products and pow differ
                 * by an ulp: compare only the class unless both are normal */
                if (fabs(y[i]) > 1e-290 && fabs(r0) > 1e-290 && fabs(y[i]) < 1e300 && fabs(r0) < 1e300)
                    QMT_CHECK(d0 == 0, "'%s' at x=%.17g: %.17g vs %.17g", text, pts[i], y[i], r0);
                else
                    QMT_CHECK(isnan(y[i]) == isnan(r0), "'%s' at x=%.17g: %.17g vs %.17g",
                              text, pts[i], y[i], r0);
                continue;
            }
            if (fabs(r0) < 1e-290 || fabs(r0) > 1e300)
                continue; /* subnormal or near-overflow: absolute, not relative */
            QMT_CHECK(d0 <= bound, "'%s' at x=%.17g: %.17g vs muparser %.17g: %.0f ulp > %.0f",
                      text, pts[i], y[i], r0, d0, bound);
            double *mx = kind == POWI ? &st.max_ulp_powi : &st.max_ulp_trans;
            if (d0 > *mx)
                *mx = d0;
        }
    }
    mupRelease(p0);
    mupRelease(p1);
    qm__expr_free(e);
}

/* ------------------------------------------------------------ fixed lists */

static const char *const exact_list[] = {
    "x", "1", "x+1", "x-1", "1-x", "x*3", "3*x", "x/3", "3/x", "x*x", "x^2",
    "-x", "+x", "-2^2", "-x^2", "2*-x", "1--x", "1-+x", "1+-x", "x^1", "x^0",
    "x*x*x-2*x+1", "1/(1+x*x)", "(x+1)*(x-1)/(x*x+1)", "3-2-1", "2/2/2", "x/2/3",
    "1+2*3", "x+1+2", "1+x+2", "2*x*3", "4*x/2", "x+x", "x-x", "2*x+1", "x*2-x",
    "x<1", "x>1", "x<=1", "x>=1", "x==1", "x!=1", "1<2==1", "x<0<1", "-1<x",
    "x&&1", "x||0", "x&&0", "x<0||x>1&&x<2", "1||0&&0", "x&&x-0.5",
    "x<0?-x:x", "x<0?1:x<1?2:3", "1?2:3?4:5", "(x>0?x:0)+1", "x>0?x:0/0",
    "x!=x?1:2", "0/0?1:2",
    "abs(x)", "sign(x)", "sign(-x)", "rint(x)", "rint(x*3)", "rint(-x)", "sqrt(x)",
    "sqrt(1+x*x)", "min(x,1)", "min(1,x)", "max(x,-1)", "max(-1,x)", "min(x,0/0)",
    "min(0/0,x)", "max(x,0/0)", "max(0/0,x)", "min(x,1,-x,2)", "max(x,1,-x,2)",
    "sum(x)", "sum(x,1,x*x)", "avg(x)", "avg(x,1,x*x)", "sum(-x)", "min(x)",
    "_pi*x", "_e+x", "pi*x", "e*x", "x*inf", "-inf+x", "_pi", "pi/2", "-inf",
    "x*0", "0*x", "x/0", "0/x", "(x)", "((x))", "1e3*x", ".5*x", "1.*x", "1e+3+x",
    "1E-3*x", "x^2*x^2", "(x*x+1)^2", "2^2*x", "2^-2*x",
    /* fused forms: (a o b) o c, ((a o b) o c) o d, (a o (b o c)) o d */
    "3*x^2+2*x+1", "x*(x*(x+1)+2)+3", "((x-1)*x+2)*x-3", "(x+1)-(x*3)*2",
    "2-(x*3)", "(x-2)/(x+3)", "1-x*x", "x*x-x*3", "(x*2+1)*3", "x-(x*x-1)+2",
    "(2*x-1)*(3*x+1)", "x*x*x*x+x*x*x+x*x+x+1",
};

static const char *const powi_list[] = {
    "x^3", "x^4", "x^5", "x^7", "x^8", "x^16", "x^-1", "x^-2", "x^-3", "x^-5",
    "(1+x)^3", "(x*x+1)^4", "1/(1+x^4)", "x^3-x", "(x/3)^16", "2^-x^2",
};

static const char *const trans_list[] = {
    "sin(x)", "cos(x)", "tan(x)", "asin(x/200)", "acos(x/200)", "atan(x)", "sinh(x/4)",
    "cosh(x/4)", "tanh(x)", "asinh(x)", "acosh(1+x*x)", "atanh(x/200)", "log2(x)",
    "log10(x)", "log(x)", "ln(x)", "exp(x/4)", "exp(-x^2)*cos(3*x)", "sin(x)^2",
    "cos(x)^3", "tanh(x)+cosh(x/4)", "x^2.5", "x^0.5", "2^x", "atan2(x,2)",
    "atan2(1,x)", "atan2(x,x*x+1)", "log(1+x*x)", "exp(sin(x))", "sqrt(exp(x/10))",
};

static void test_fixed_exact(void)
{
    for (size_t i = 0; i < sizeof exact_list / sizeof exact_list[0]; i++)
        compare(exact_list[i], EXACT, 0, 0);
}

static void test_fixed_powi(void)
{
    for (size_t i = 0; i < sizeof powi_list / sizeof powi_list[0]; i++)
        compare(powi_list[i], POWI, 0, 16);
}

static void test_fixed_trans(void)
{
    for (size_t i = 0; i < sizeof trans_list / sizeof trans_list[0]; i++)
        compare(trans_list[i], TRANS, 3, 0);
}

/* ------------------------------------------------------------ random */

static void gen_exact(char *b, size_t size, int depth)
{
    char l[1024], r[1024], c[1024];
    unsigned pick = depth <= 0 ? (unsigned)(rng() % 3) : (unsigned)(rng() % 24);
    switch (pick) {
    case 0: snprintf(b, size, "x"); return;
    case 1: snprintf(b, size, "%d", (int)(rng() % 7)); return;
    case 2: snprintf(b, size, "%.3g", 4 * urand() - 2); return;
    default: break;
    }
    gen_exact(l, sizeof l, depth - 1);
    gen_exact(r, sizeof r, depth - 1);
    static const char *const bin[] = {"+", "-", "*", "/", "<", ">", "<=", ">=", "==",
                                      "!=", "&&", "||"};
    switch (pick) {
    case 3: case 4: case 5: case 6: case 7: case 8:
        snprintf(b, size, "(%s%s%s)", l, bin[(pick - 3) % 4], r); return;
    case 9: case 10:
        snprintf(b, size, "(%s%s%s)", l, bin[4 + rng() % 8], r); return;
    case 11: snprintf(b, size, "-(%s)", l); return;
    case 12: snprintf(b, size, "(%s)^2", l); return;
    case 13:
        gen_exact(c, sizeof c, depth - 1);
        snprintf(b, size, "(%s?%s:%s)", c, l, r); return;
    case 14: snprintf(b, size, "min(%s,%s)", l, r); return;
    case 15: snprintf(b, size, "max(%s,%s)", l, r); return;
    case 16: snprintf(b, size, "sum(%s,%s)", l, r); return;
    case 17: snprintf(b, size, "avg(%s,%s)", l, r); return;
    case 18: snprintf(b, size, "abs(%s)", l); return;
    case 19: snprintf(b, size, "sign(%s)", l); return;
    case 20: snprintf(b, size, "rint(%s)", l); return;
    case 21: snprintf(b, size, "sqrt(%s)", l); return;
    default: snprintf(b, size, "(%s%s%s)", l, bin[rng() % 4], r); return;
    }
}

/* Only + - * / over x and constants: the fused forms in every combination. */
static void gen_arith(char *b, size_t size, int depth)
{
    char l[1024], r[1024];
    if (depth <= 0 || rng() % 5 == 0) {
        if (rng() % 2)
            snprintf(b, size, "x");
        else
            snprintf(b, size, "%.3g", 4 * urand() - 2);
        return;
    }
    gen_arith(l, sizeof l, depth - 1);
    gen_arith(r, sizeof r, depth - 1);
    static const char *const ops[] = {"+", "-", "*", "/"};
    snprintf(b, size, "(%s%s%s)", l, ops[rng() % 4], r);
}

static void test_random_exact(void)
{
    char arith[4096];
    for (int i = 0; i < 400; i++) {
        gen_arith(arith, sizeof arith, 2 + (int)(rng() % 4));
        compare(arith, EXACT, 0, 0);
    }
    char text[4096];
    for (int i = 0; i < 600; i++) {
        gen_exact(text, sizeof text, 1 + (int)(rng() % 5));
        compare(text, EXACT, 0, 0);
    }
}

/* f(a*x+b) for a well-conditioned f on the argument's range. */
static int gen_factor(char *b, size_t size)
{
    static const char *const fns[] = {"exp", "cosh", "sin", "cos", "atan", "tanh",
                                      "sqrt", "asinh", "sinh"};
    const char *f = fns[rng() % (sizeof fns / sizeof fns[0])];
    double a = (double)(int)(rng() % 5 + 1) / 8, c = (double)(int)(rng() % 9) / 4;
    if (strcmp(f, "sqrt") == 0)
        snprintf(b, size, "sqrt(abs(%g*x+%g))", a, c);
    else
        snprintf(b, size, "%s(%g*x+%g)", f, a, c);
    return 1;
}

static void test_random_trans(void)
{
    char text[2048], f[256];
    for (int i = 0; i < 200; i++) {
        int calls = 0;
        text[0] = '\0';
        int nterms = 1 + (int)(rng() % 3);
        for (int t = 0; t < nterms; t++) {
            size_t len = strlen(text);
            snprintf(text + len, sizeof text - len, "%sabs(", t ? "+" : "");
            int nf = 1 + (int)(rng() % 3);
            for (int k = 0; k < nf; k++) {
                calls += gen_factor(f, sizeof f);
                len = strlen(text);
                snprintf(text + len, sizeof text - len, "%s%s", k ? (rng() % 2 ? "*" : "/") : "", f);
            }
            len = strlen(text);
            snprintf(text + len, sizeof text - len, ")");
        }
        compare(text, TRANS, calls, 0);
    }
}

/* ------------------------------------------------------------ errors */

static const char *const bad_list[] = {
    "fmod(1,2)", "!1", "1&2", "2x", "sin x", "1,2", "sin(x", "--x", "-+x", "+-x",
    "x+*2", "y+1", "sin()", "atan2(1)", "atan2(1,2,3)", "min()", "(1)(2)",
    "sin(x)(2)", "x x", "1e", "1e+", "1..2", ".", "1?2", "1:2", "1?(2,3):4",
    "sin(x)+", "1+", "(", ")", "()", "1)", "sin(", "sin(1,)", "sin(,1)",
    "min(1,,2)", "1 2", "x(", "pi(1)", "1?2:", "1?:2", "3e400", "0x10", "1e3.5",
    "sin", "1=<2", "1=2", "1<>2", "&&1", "1||", "a", "_foo", "x1", "1+(2",
    "(1+2))", "Sin(x)", "x+=1", "3%2", "",
};

static void test_rejects(void)
{
    for (size_t i = 0; i < sizeof bad_list / sizeof bad_list[0]; i++) {
        const char *text = bad_list[i];
        qm_expr_error err;
        qm_expr *e = vm_new(text, &err);
        QMT_CHECK(e == NULL, "engine accepts '%s'", text);
        qm__expr_free(e);
        QMT_CHECK(err.message[0] != '\0', "no message for '%s'", text);
        muParserHandle_t p = mup_new(text, 1);
        int nres = 0;
        (void)mupEval(p);
        int mfail = mupError(p);
        int mpos = mfail ? mupGetErrorPos(p) : -1;
        if (!mfail) {
            (void)mupEvalMulti(p, &nres);
            mfail = mupError(p) || nres != 1;
        }
        QMT_CHECK(mfail, "muparser accepts '%s' (list is wrong)", text);
        if (mpos >= 0)
            QMT_CHECK(err.position >= 0 && (abs(err.position - mpos) <= 2 || err.position < mpos),
                      "'%s': position %d, muparser's %d (%s)", text, err.position, mpos,
                      err.message);
        else
            QMT_CHECK(text[0] == '\0' || err.position >= 0, "'%s': no position", text);
        mupRelease(p);
    }
    /* muparser accepts assignment; an integrand has no state, so the
     * engine says so */
    qm_expr_error err;
    QMT_CHECK(vm_new("x=3", &err) == NULL && strstr(err.message, "assignment") != NULL
              && err.position == 1, "x=3: %s at %d", err.message, err.position);
    /* messages */
    struct { const char *text, *msg; int pos; } m[] = {
        {"fmod(1,2)", "unknown function \"fmod\"", 0},
        {"sin(x", "missing \")\"", 6},
        {"sin()", "too few arguments for \"sin\"", 4},
        {"y+1", "unknown variable \"y\"", 0},
        {"1,2", "expected one value", 1},
        {"x+*2", "unexpected operator \"*\"", 2},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        qm_expr *e = vm_new(m[i].text, &err);
        QMT_CHECK(e == NULL && strstr(err.message, m[i].msg) != NULL && err.position == m[i].pos,
                  "'%s': '%s' at %d, expected '%s' at %d", m[i].text, err.message,
                  err.position, m[i].msg, m[i].pos);
    }
}

static void test_long_and_deep(void)
{
    static char text[40000];
    size_t n = 0;
    for (int i = 0; i < 5000; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%ssin(x)", i ? "+" : "");
    qm_expr *e = vm_new(text, NULL);
    QMT_CHECK(e != NULL, "5000-term sum rejected");
    double x = 0.5, y = 0;
    QMT_CHECK(e != NULL && qm__expr_eval(e, 1, &x, 1, &y) == QM_SUCCESS && fabs(y - 5000 * sin(0.5)) < 1e-9,
              "5000-term sum: %.17g", y);
    qm__expr_free(e);
    /* right-nested: Sethi-Ullman order keeps the registers few */
    n = 0;
    for (int i = 0; i < 150; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "sin(x)+(");
    n += (size_t)snprintf(text + n, sizeof text - n, "x");
    for (int i = 0; i < 150; i++)
        text[n++] = ')';
    text[n] = '\0';
    e = vm_new(text, NULL);
    QMT_CHECK(e != NULL && e->nregs <= 4, "right-nested: %d registers", e ? e->nregs : -1);
    qm__expr_free(e);
    /* too deep is an error, not a crash */
    memset(text, '(', 3000);
    text[3000] = 'x';
    memset(text + 3001, ')', 3000);
    text[6001] = '\0';
    qm_expr_error err;
    QMT_CHECK(vm_new(text, &err) == NULL && strstr(err.message, "deep") != NULL,
              "3000 parentheses: %s", err.message);
}

/* ------------------------------------------------------------ layout */

static const char *const layout_list[] = {
    "x*x*x-2*x+1", "exp(-x^2)*cos(3*x)", "x<0?sqrt(-x):log(x)", "x^7+x^-3",
    "min(x,1,sin(x))", "2", "x", "sum(x,x^2,x^3)/(1+abs(x))", "atan2(x,1)+x^2.5",
};

static void test_layout(void)
{
    enum { N = 1000 };
    static double x[N], y[N], z[N], xs[3 * N];
    for (int i = 0; i < N; i++) {
        x[i] = (2 * urand() - 1) * 5;
        xs[3 * i + 1] = x[i];
        xs[3 * i] = xs[3 * i + 2] = NAN;
    }
    const char *const names[] = {"x"};
    const int coord1[] = {1};
    for (size_t t = 0; t < sizeof layout_list / sizeof layout_list[0]; t++) {
        qm_expr *e = vm_new(layout_list[t], NULL);
        QMT_CHECK(e != NULL, "'%s'", layout_list[t]);
        if (e == NULL)
            continue;
        qm__expr_eval(e, N, x, 1, y);
        /* one point at a time */
        int ok = 1;
        for (int i = 0; i < N; i++) {
            qm__expr_eval(e, 1, &x[i], 1, &z[i]);
            ok &= same_bits_or_nan(z[i], y[i]) && memcmp(&z[i], &y[i], 8) == 0;
        }
        QMT_CHECK(ok, "'%s': n=1 differs", layout_list[t]);
        /* odd splits */
        for (size_t step = 2; step < N; step = step * 3 + 1) {
            for (size_t i = 0; i < N; i += step)
                qm__expr_eval(e, i + step <= N ? step : N - i, x + i, 1, z + i);
            QMT_CHECK(memcmp(z, y, sizeof y) == 0, "'%s': split %zu differs", layout_list[t], step);
        }
        /* strided: coordinate 1 of 3 */
        qm_expr *es = NULL;
        qm__expr_compile_with(&es, layout_list[t], 1, names, coord1, 3, cnames, cvalues, NULL);
        QMT_CHECK(es != NULL && qm__expr_eval(es, N, xs, 3, z) == QM_SUCCESS
                  && memcmp(z, y, sizeof y) == 0, "'%s': stride 3 differs", layout_list[t]);
        qm__expr_free(es);
        /* in place */
        memcpy(z, x, sizeof z);
        qm__expr_eval(e, N, z, 1, z);
        QMT_CHECK(memcmp(z, y, sizeof y) == 0, "'%s': in place differs", layout_list[t]);
        qm__expr_free(e);
    }
}

/* One compiled expression evaluated by several threads at once (no hidden
 * per-thread state) gives the serial bits. */
static void test_threads(void)
{
    enum { N = 20000 };
    static double x[N], y1[N], y2[N];
    for (int i = 0; i < N; i++)
        x[i] = (2 * urand() - 1) * 3;
    qm_expr *e = vm_new("x<0?exp(x)*sin(3*x):x*x*x-2*x+1+sqrt(x)", NULL);
    QMT_CHECK(e != NULL, "compile");
    if (e == NULL)
        return;
    qm__expr_eval(e, N, x, 1, y1);
    int failures = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(4) reduction(+ : failures)
    for (int b = 0; b < N / 100; b++)
        failures += qm__expr_eval(e, 100 - (size_t)(b % 7), x + 100 * b, 1, y2 + 100 * b) != QM_SUCCESS;
    for (int b = 0; b < N / 100; b++) /* the points each block skipped */
        qm__expr_eval(e, (size_t)(b % 7), x + 100 * b + 100 - b % 7, 1, y2 + 100 * b + 100 - b % 7);
    QMT_CHECK(failures == 0 && memcmp(y1, y2, sizeof y1) == 0, "threads differ from serial");
    qm__expr_free(e);
}

static void test_constant_folding(void)
{
    /* a folded constant has the bits the loop gives at that x */
    const char *const pairs[][2] = {
        {"2^3", "x^3"}, {"0.1^3", "(x/10)^3"}, {"1.7^-5", "x^-5"}, {"sin(0.5)", "sin(x/2)"},
        {"exp(-1)", "exp(-x)"}, {"1.5^2.5", "(x*1.5)^2.5"}, {"rint(2.5)", "rint(x*2.5)"},
        {"0.5&&1", "(x/2)&&1"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        qm_expr *c = vm_new(pairs[i][0], NULL), *v = vm_new(pairs[i][1], NULL);
        double cv = NAN, xv = 1.0, yv = 0;
        if (strstr(pairs[i][0], "0.1"))
            xv = 1.0;
        if (strstr(pairs[i][0], "1.7"))
            xv = 1.7;
        if (strstr(pairs[i][0], "2^3"))
            xv = 2.0;
        QMT_CHECK(c != NULL && qm__expr_is_constant(c, &cv), "'%s' not constant", pairs[i][0]);
        QMT_CHECK(v != NULL && !qm__expr_is_constant(v, NULL), "'%s' constant", pairs[i][1]);
        if (c != NULL && v != NULL) {
            qm__expr_eval(v, 1, &xv, 1, &yv);
            QMT_CHECK(memcmp(&cv, &yv, 8) == 0, "'%s' = %.17g but '%s' = %.17g", pairs[i][0],
                      cv, pairs[i][1], yv);
        }
        qm__expr_free(c);
        qm__expr_free(v);
    }
    double v;
    qm_expr *e = vm_new("_pi", NULL);
    QMT_CHECK(e != NULL && qm__expr_is_constant(e, &v) && v == 3.141592653589,
              "_pi is muparser's 3.141592653589");
    qm__expr_free(e);
    QMT_CHECK(qm__expr_eval(NULL, 1, &v, 1, &v) == QM_EINVAL, "NULL expression");
}

/* Each vector function alone against glibc, on the test points and their
 * quarters (the engine's bound of 4 ulp per call is checked above; this
 * prints the actual maximum). */
static void report_functions(void)
{
    static double (*const libm[QM_VM_NFN])(double) = {
        sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh,
        exp, log, log2, log10};
    static const char *const name[QM_VM_NFN] = {
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
        "acosh", "atanh", "exp", "log", "log2", "log10"};
    printf("\n  max ulp vs glibc:");
    for (int f = 0; f < QM_VM_NFN; f++) {
        double mx = 0;
        for (int i = 0; i < NPTS; i++)
            for (int q = 0; q < 3; q++) {
                double v = q == 0 ? pts[i] : q == 1 ? pts[i] / 4 : pts[i] / 1000;
                if (fabs(v) > 1e150)
                    continue;
                double d = ulps(qm__vm_scalar((qm_vm_fn)f, v), libm[f](v));
                if (d > mx)
                    mx = d;
            }
        printf(" %s %.0f", name[f], mx);
    }
    double mp = 0;
    for (int i = 0; i < NPTS; i++) {
        double v = fabs(pts[i]) > 1e150 ? 1 : pts[i];
        double d = ulps(qm__vm_scalar_pow(fabs(v), 2.5), pow(fabs(v), 2.5));
        if (d > mp && isfinite(d))
            mp = d;
    }
    printf(" pow %.0f\n", mp);
}

static void test_report(void)
{
    report_functions();
    printf("\n  compared %ld values; max ulp vs muparser evaluating as written: "
           "arithmetic %.0f, integer powers %.0f, functions %.0f\n"
           "  vs muparser with its optimizer: %ld values differ, worst %.3g ulp ('%s')\n",
           st.compared, st.max_ulp_exact_noopt, st.max_ulp_powi, st.max_ulp_trans,
           st.ndiff_opt, st.max_ulp_opt, st.worst_opt);
    CU_ASSERT(st.max_ulp_exact_noopt == 0);
}

int main(void)
{
    make_points();
    if (CU_initialize_registry() != CUE_SUCCESS)
        return CU_get_error();
    CU_pSuite s = CU_add_suite("expr", NULL, NULL);
    CU_add_test(s, "arithmetic_agrees_bitwise_with_muparser", test_fixed_exact);
    CU_add_test(s, "integer_powers_within_k_plus_2_ulp", test_fixed_powi);
    CU_add_test(s, "functions_within_4_ulp_per_call", test_fixed_trans);
    CU_add_test(s, "random_arithmetic_agrees_bitwise", test_random_exact);
    CU_add_test(s, "random_function_products_within_bound", test_random_trans);
    CU_add_test(s, "bad_expressions_rejected_with_position", test_rejects);
    CU_add_test(s, "long_expressions_compile_deep_ones_fail", test_long_and_deep);
    CU_add_test(s, "bits_independent_of_n_stride_in_place", test_layout);
    CU_add_test(s, "folding_gives_run_time_bits", test_constant_folding);
    CU_add_test(s, "shared_expression_is_thread_safe", test_threads);
    CU_add_test(s, "report_ulp_agreement", test_report);
    return qmt_run();
}
