/**
 * @file expr_parse.c
 * @brief Expression compiler: tokenizer, precedence parser to a tree with
 *        constant folding, then register allocation and bytecode emission
 *        for the machine in expr_eval.c.
 *
 * The grammar is muparser 2.3.3's (probed operator by operator), lowest
 * precedence first:
 *
 *     ternary := or [ '?' ternary ':' ternary ]        (right associative)
 *     or      := and { '||' and }
 *     and     := cmp { '&&' cmp }
 *     cmp     := add { ('<'|'>'|'<='|'>='|'=='|'!=') add }
 *     add     := mul { ('+'|'-') mul }
 *     mul     := unary { ('*'|'/') unary }
 *     unary   := ('-'|'+') pow | pow                    (one sign only: --x
 *                                                        is an error)
 *     pow     := primary [ '^' unary ]                  (right associative,
 *                                                        -2^2 = -4, 2^-x)
 *     primary := number | name | name '(' args ')' | '(' ternary ')'
 *
 * muparser gives unary minus the precedence of + and -, i.e. -a*b is
 * -(a*b); parsing it as (-a)*b instead gives the same bits, because negation
 * is exact and rounding to nearest is symmetric.
 *
 * Constants are folded while the tree is built, with the scalar code the
 * machine's loops use (expr.h, vmath.h's qm__vm_scalar*), so a folded value
 * has the bits the loop would have produced.
 */
#include "expr.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quadmap.h"
#include "vmath.h"

/* Deeper nesting is refused rather than risking the stack of a thread. */
#define MAX_DEPTH 200

/* muparser 2.3.3's _pi is the literal 3.141592653589 (0x1.921fb5444261ep+1),
 * not M_PI; _e is M_E. */
#define MUP_PI 3.141592653589
#define MUP_E 2.7182818284590452354

/* ------------------------------------------------------------ tree */

enum kind { K_CONST, K_VAR, K_UN, K_BIN, K_SEL, K_POWI };

typedef struct node {
    int kind;
    int op;      /* QM_X_* base opcode (K_UN, K_BIN) */
    int fn;      /* qm_vm_fn (QM_X_FN), exponent (K_POWI) */
    int coord;   /* K_VAR */
    double v;    /* K_CONST */
    int a, b, c; /* children */
    int need;    /* registers needed to evaluate (Sethi-Ullman) */
    int plan;    /* how gen_node emits it (PLAN_*), chosen by plan() */
    int cost;    /* instructions emitted for the subtree with that plan */
} node;

/* ------------------------------------------------------------ tokens */

enum tok {
    T_END, T_NUM, T_NAME, T_OP, T_LP, T_RP, T_COMMA, T_QUEST, T_COLON,
    T_ASSIGN, T_BAD
};

typedef struct token {
    int type;
    int pos, len;
    int op;   /* T_OP: base opcode */
    double v; /* T_NUM */
} token;

typedef struct parser {
    const char *s;
    int len;
    int pos; /* next unread character */
    int nvars;
    const char *const *names;
    const int *coord;
    int nconsts;
    const char *const *cnames;
    const double *cvalues;
    node *nodes;
    int nnodes, cap;
    int failed; /* 0, QM_EINVAL or QM_ENOMEM */
    qm_expr_error *err;
    int depth;
} parser;

static void fail(parser *p, int pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(parser *p, int pos, const char *fmt, ...)
{
    if (p->failed)
        return; /* keep the first error: it is the cause */
    p->failed = QM_EINVAL;
    if (p->err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
        va_end(ap);
        p->err->position = pos;
    }
}

/* muparser reports the end of the text one past its last character. */
static int end_pos(const parser *p) { return p->len + 1; }

static int is_name_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(int c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* Read the token at p->pos without consuming it. */
static token peek(parser *p)
{
    const char *s = p->s;
    int i = p->pos;
    while (i < p->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    token t = {T_END, i, 0, 0, 0.0};
    if (i >= p->len)
        return t;
    int c = s[i], c1 = i + 1 < p->len ? s[i + 1] : 0;
    t.len = 1;
    if (is_digit(c) || (c == '.' && is_digit(c1))) {
        int j = i;
        while (j < p->len && is_digit(s[j]))
            j++;
        if (j < p->len && s[j] == '.') {
            j++;
            while (j < p->len && is_digit(s[j]))
                j++;
        }
        if (j < p->len && (s[j] == 'e' || s[j] == 'E')) {
            int k = j + 1;
            if (k < p->len && (s[k] == '+' || s[k] == '-'))
                k++;
            if (k < p->len && is_digit(s[k])) {
                while (k < p->len && is_digit(s[k]))
                    k++;
                j = k;
            } else {
                t.type = T_BAD; /* "1e", "1e+": muparser rejects them too */
                t.len = k - i;
                return t;
            }
        }
        char buf[128];
        t.type = T_NUM;
        t.len = j - i;
        if (t.len >= (int)sizeof buf) {
            t.type = T_BAD;
            return t;
        }
        memcpy(buf, s + i, (size_t)t.len);
        buf[t.len] = '\0';
        /* strtod is correctly rounded (glibc), as muparser's stream input;
         * the text is ASCII digits, '.', 'e', so only a locale with another
         * decimal point could disturb it, and the CLI keeps "C". */
        t.v = strtod(buf, NULL);
        return t;
    }
    if (is_name_start(c)) {
        int j = i;
        while (j < p->len && is_name_char(s[j]))
            j++;
        t.type = T_NAME;
        t.len = j - i;
        return t;
    }
    t.type = T_OP;
    switch (c) {
    case '+': t.op = QM_X_ADD; break;
    case '-': t.op = QM_X_SUB; break;
    case '*': t.op = QM_X_MUL; break;
    case '/': t.op = QM_X_DIV; break;
    case '^': t.op = QM_X_POW; break;
    case '(': t.type = T_LP; return t;
    case ')': t.type = T_RP; return t;
    case ',': t.type = T_COMMA; return t;
    case '?': t.type = T_QUEST; return t;
    case ':': t.type = T_COLON; return t;
    case '<':
        if (c1 == '=') { t.op = QM_X_LE; t.len = 2; }
        else t.op = QM_X_LT;
        return t;
    case '>':
        if (c1 == '=') { t.op = QM_X_GE; t.len = 2; }
        else t.op = QM_X_GT;
        return t;
    case '=':
        if (c1 == '=') { t.op = QM_X_EQ; t.len = 2; }
        else t.type = T_ASSIGN;
        return t;
    case '!':
        if (c1 == '=') { t.op = QM_X_NE; t.len = 2; }
        else t.type = T_BAD;
        return t;
    case '&':
        if (c1 == '&') { t.op = QM_X_AND; t.len = 2; }
        else t.type = T_BAD;
        return t;
    case '|':
        if (c1 == '|') { t.op = QM_X_OR; t.len = 2; }
        else t.type = T_BAD;
        return t;
    default:
        t.type = T_BAD;
        return t;
    }
    /* + - * / followed by '=' are muparser's assignment operators. */
    if (c1 == '=') {
        t.type = T_ASSIGN;
        t.len = 2;
    }
    return t;
}

static void consume(parser *p, const token *t) { p->pos = t->pos + t->len; }

static const char *op_text(int op)
{
    switch (op) {
    case QM_X_ADD: return "+";
    case QM_X_SUB: return "-";
    case QM_X_MUL: return "*";
    case QM_X_DIV: return "/";
    case QM_X_POW: return "^";
    case QM_X_LT: return "<";
    case QM_X_GT: return ">";
    case QM_X_LE: return "<=";
    case QM_X_GE: return ">=";
    case QM_X_EQ: return "==";
    case QM_X_NE: return "!=";
    case QM_X_AND: return "&&";
    case QM_X_OR: return "||";
    default: return "?";
    }
}

/* The error for a token found where it does not belong. */
static void unexpected(parser *p, const token *t)
{
    int n = t->len > 40 ? 40 : t->len;
    switch (t->type) {
    case T_END: fail(p, end_pos(p), "unexpected end of expression"); break;
    case T_NUM: fail(p, t->pos, "unexpected value \"%.*s\"", n, p->s + t->pos); break;
    case T_NAME: fail(p, t->pos, "unexpected name \"%.*s\"", n, p->s + t->pos); break;
    case T_OP: fail(p, t->pos, "unexpected operator \"%s\"", op_text(t->op)); break;
    case T_LP: fail(p, t->pos, "unexpected \"(\""); break;
    case T_RP: fail(p, t->pos, "unexpected \")\""); break;
    case T_COMMA:
        fail(p, t->pos, "unexpected \",\" (several values where one is expected)");
        break;
    case T_QUEST: fail(p, t->pos, "unexpected \"?\""); break;
    case T_COLON: fail(p, t->pos, "misplaced \":\""); break;
    case T_ASSIGN:
        fail(p, t->pos, "assignment \"%.*s\" is not supported", n, p->s + t->pos);
        break;
    default:
        if (n == 1 || p->s[t->pos] == '!' || p->s[t->pos] == '&' || p->s[t->pos] == '|')
            fail(p, t->pos, "unexpected character \"%c\"", p->s[t->pos]);
        else
            fail(p, t->pos, "invalid number \"%.*s\"", n, p->s + t->pos);
        break;
    }
}

/* ------------------------------------------------------------ folding */

/* Scalar value of a binary operation, with the loops' formulas. */
static double fold_bin(int op, double u, double v)
{
    switch (op) {
    case QM_X_ADD: return u + v;
    case QM_X_SUB: return u - v;
    case QM_X_MUL: return u * v;
    case QM_X_DIV: return u / v;
    case QM_X_LT: return u < v ? 1.0 : 0.0;
    case QM_X_GT: return u > v ? 1.0 : 0.0;
    case QM_X_LE: return u <= v ? 1.0 : 0.0;
    case QM_X_GE: return u >= v ? 1.0 : 0.0;
    case QM_X_EQ: return u == v ? 1.0 : 0.0;
    case QM_X_NE: return u != v ? 1.0 : 0.0;
    case QM_X_AND: return (u != 0) & (v != 0) ? 1.0 : 0.0;
    case QM_X_OR: return (u != 0) | (v != 0) ? 1.0 : 0.0;
    case QM_X_MIN: return QM__X_MIN(u, v);
    case QM_X_MAX: return QM__X_MAX(u, v);
    case QM_X_POW: return qm__vm_scalar_pow(u, v);
    case QM_X_ATAN2: return qm__vm_scalar_atan2(u, v);
    default: return NAN;
    }
}

static double fold_un(int op, int fn, double u)
{
    switch (op) {
    case QM_X_NEG: return -u;
    case QM_X_SQRT: return sqrt(u);
    case QM_X_ABS: return QM__X_ABS(u);
    case QM_X_SIGN: return qm__x_sign(u);
    case QM_X_RINT: return QM__X_RINT(u);
    case QM_X_FN: return qm__vm_scalar((qm_vm_fn)fn, u);
    default: return NAN;
    }
}

/* ------------------------------------------------------------ tree building */

static int new_node(parser *p, node n)
{
    if (p->failed)
        return -1;
    if (p->nnodes == p->cap) {
        int cap = p->cap ? 2 * p->cap : 64;
        node *grown = realloc(p->nodes, (size_t)cap * sizeof *grown);
        if (grown == NULL) {
            p->failed = QM_ENOMEM;
            if (p->err != NULL) {
                p->err->position = -1;
                snprintf(p->err->message, sizeof p->err->message, "out of memory");
            }
            return -1;
        }
        p->nodes = grown;
        p->cap = cap;
    }
    p->nodes[p->nnodes] = n;
    return p->nnodes++;
}

static int mk_const(parser *p, double v)
{
    node n = {.kind = K_CONST, .v = v, .a = -1, .b = -1, .c = -1};
    return new_node(p, n);
}

static int is_const(const parser *p, int i) { return p->nodes[i].kind == K_CONST; }

static int mk_un(parser *p, int op, int fn, int a)
{
    if (a < 0)
        return -1;
    if (is_const(p, a))
        return mk_const(p, fold_un(op, fn, p->nodes[a].v));
    node n = {.kind = K_UN, .op = op, .fn = fn, .a = a, .b = -1, .c = -1};
    return new_node(p, n);
}

/* x^k by the multiplications expr_eval.c performs for QM_X_POWI (one
 * definition of the order, mirrored there). */
static double powi_scalar(double x, int k)
{
    unsigned m = (unsigned)(k < 0 ? -k : k);
    double r;
    if (m == 1) {
        r = x;
    } else if (m <= 4) {
        r = x * x;
        if (m >= 3)
            r = r * x;
        if (m == 4)
            r = r * x;
    } else {
        double t = x;
        int first = 1;
        r = 1.0;
        while (m) {
            if (m & 1u) {
                r = first ? t : r * t;
                first = 0;
            }
            m >>= 1;
            if (m)
                t = t * t;
        }
    }
    return k < 0 ? 1.0 / r : r;
}

static int mk_bin(parser *p, int op, int a, int b)
{
    if (a < 0 || b < 0)
        return -1;
    if (is_const(p, a) && is_const(p, b)) {
        double u = p->nodes[a].v, k = p->nodes[b].v;
        /* c^k folds as x^k would run at x = c (multiplications) */
        if (op == QM_X_POW && k == rint(k) && k != 0 && fabs(k) <= QM_EXPR_POWI_MAX)
            return mk_const(p, powi_scalar(u, (int)k));
        return mk_const(p, fold_bin(op, u, k));
    }
    if (op == QM_X_POW && is_const(p, b)) {
        double k = p->nodes[b].v;
        /* pow(x, 0) = 1 and pow(x, 1) = x for every x, NaN included. */
        if (k == 0)
            return mk_const(p, 1.0);
        if (k == 1)
            return a;
        if (k == rint(k) && fabs(k) <= QM_EXPR_POWI_MAX) {
            node n = {.kind = K_POWI, .fn = (int)k, .a = a, .b = -1, .c = -1};
            return new_node(p, n);
        }
    }
    node n = {.kind = K_BIN, .op = op, .a = a, .b = b, .c = -1};
    return new_node(p, n);
}

static int mk_sel(parser *p, int c, int a, int b)
{
    if (c < 0 || a < 0 || b < 0)
        return -1;
    if (is_const(p, c))
        return p->nodes[c].v != 0 ? a : b; /* NaN is true, as in muparser */
    node n = {.kind = K_SEL, .a = c, .b = a, .c = b};
    return new_node(p, n);
}

/* ------------------------------------------------------------ functions */

enum fkind { F_UN, F_VM, F_ATAN2, F_SUM, F_AVG, F_MIN, F_MAX };

typedef struct fdef {
    const char *name;
    int kind;
    int op; /* F_UN: opcode; F_VM: qm_vm_fn */
} fdef;

static const fdef functions[] = {
    {"sin", F_VM, QM_VM_SIN},     {"cos", F_VM, QM_VM_COS},
    {"tan", F_VM, QM_VM_TAN},     {"asin", F_VM, QM_VM_ASIN},
    {"acos", F_VM, QM_VM_ACOS},   {"atan", F_VM, QM_VM_ATAN},
    {"sinh", F_VM, QM_VM_SINH},   {"cosh", F_VM, QM_VM_COSH},
    {"tanh", F_VM, QM_VM_TANH},   {"asinh", F_VM, QM_VM_ASINH},
    {"acosh", F_VM, QM_VM_ACOSH}, {"atanh", F_VM, QM_VM_ATANH},
    {"log2", F_VM, QM_VM_LOG2},   {"log10", F_VM, QM_VM_LOG10},
    {"log", F_VM, QM_VM_LOG},     {"ln", F_VM, QM_VM_LOG},
    {"exp", F_VM, QM_VM_EXP},     {"sqrt", F_UN, QM_X_SQRT},
    {"sign", F_UN, QM_X_SIGN},    {"rint", F_UN, QM_X_RINT},
    {"abs", F_UN, QM_X_ABS},      {"atan2", F_ATAN2, 0},
    {"sum", F_SUM, 0},            {"avg", F_AVG, 0},
    {"min", F_MIN, 0},            {"max", F_MAX, 0},
};

static const fdef *find_function(const char *s, int len)
{
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
        if ((int)strlen(functions[i].name) == len && memcmp(functions[i].name, s, (size_t)len) == 0)
            return &functions[i];
    return NULL;
}

/* ------------------------------------------------------------ parser */

static int parse_ternary(parser *p);
static int parse_unary(parser *p, int allow_sign);

/* Expect ')' closing the '(' at open_pos. */
static int expect_rp(parser *p)
{
    token t = peek(p);
    if (t.type == T_RP) {
        consume(p, &t);
        return 1;
    }
    if (t.type == T_END)
        fail(p, end_pos(p), "missing \")\"");
    else
        unexpected(p, &t);
    return 0;
}

/* name '(' args ')' with the name already consumed. */
static int parse_call(parser *p, const fdef *f, const token *name)
{
    int args[64 + 1];
    int nargs = 0, nmax = (int)(sizeof args / sizeof args[0]) - 1;
    token t = peek(p); /* '(' */
    consume(p, &t);
    t = peek(p);
    if (t.type == T_RP) {
        consume(p, &t);
        fail(p, t.pos, "too few arguments for \"%.*s\"", name->len, p->s + name->pos);
        return -1;
    }
    for (;;) {
        int a = parse_ternary(p);
        if (a < 0)
            return -1;
        if (nargs == nmax) {
            fail(p, t.pos, "too many arguments for \"%.*s\" (at most %d)",
                 name->len, p->s + name->pos, nmax);
            return -1;
        }
        args[nargs++] = a;
        t = peek(p);
        if (t.type == T_COMMA) {
            consume(p, &t);
            continue;
        }
        if (t.type == T_RP)
            break;
        if (t.type == T_END)
            fail(p, end_pos(p), "missing \")\"");
        else
            unexpected(p, &t);
        return -1;
    }
    consume(p, &t); /* ')' */
    int want = f->kind == F_ATAN2 ? 2 : (f->kind == F_UN || f->kind == F_VM) ? 1 : 0;
    if (want && nargs < want) {
        fail(p, t.pos, "too few arguments for \"%.*s\"", name->len, p->s + name->pos);
        return -1;
    }
    if (want && nargs > want) {
        fail(p, t.pos, "too many arguments for \"%.*s\"", name->len, p->s + name->pos);
        return -1;
    }
    int r;
    switch (f->kind) {
    case F_UN: return mk_un(p, f->op, 0, args[0]);
    case F_VM: return mk_un(p, QM_X_FN, f->op, args[0]);
    case F_ATAN2: return mk_bin(p, QM_X_ATAN2, args[0], args[1]);
    case F_SUM:
    case F_AVG:
        /* muparser: fRes = 0; fRes += a[i] (so sum(-0) is +0); avg divides. */
        r = mk_const(p, 0.0);
        for (int i = 0; i < nargs; i++)
            r = mk_bin(p, QM_X_ADD, r, args[i]);
        return f->kind == F_AVG ? mk_bin(p, QM_X_DIV, r, mk_const(p, (double)nargs)) : r;
    default: /* F_MIN, F_MAX: fRes = a[0]; fRes = std::min(fRes, a[i]) */
        r = args[0];
        for (int i = 1; i < nargs; i++)
            r = mk_bin(p, f->kind == F_MIN ? QM_X_MIN : QM_X_MAX, r, args[i]);
        return r;
    }
}

static int parse_primary(parser *p)
{
    token t = peek(p);
    switch (t.type) {
    case T_NUM:
        consume(p, &t);
        if (isinf(t.v)) {
            fail(p, t.pos, "number \"%.*s\" out of range", t.len > 40 ? 40 : t.len,
                 p->s + t.pos);
            return -1;
        }
        return mk_const(p, t.v);
    case T_LP: {
        consume(p, &t);
        int e = parse_ternary(p);
        if (e < 0)
            return -1;
        token u = peek(p);
        if (u.type == T_COMMA) {
            fail(p, u.pos, "unexpected \",\" (argument list without a function)");
            return -1;
        }
        return expect_rp(p) ? e : -1;
    }
    case T_NAME: {
        consume(p, &t);
        const char *s = p->s + t.pos;
        token u = peek(p);
        for (int k = 0; k < p->nvars; k++)
            if ((int)strlen(p->names[k]) == t.len && memcmp(p->names[k], s, (size_t)t.len) == 0) {
                if (u.type == T_LP) {
                    unexpected(p, &u);
                    return -1;
                }
                node n = {.kind = K_VAR, .coord = p->coord[k], .a = -1, .b = -1, .c = -1};
                return new_node(p, n);
            }
        for (int k = 0; k < p->nconsts; k++)
            if ((int)strlen(p->cnames[k]) == t.len && memcmp(p->cnames[k], s, (size_t)t.len) == 0) {
                if (u.type == T_LP) {
                    unexpected(p, &u);
                    return -1;
                }
                return mk_const(p, p->cvalues[k]);
            }
        if ((t.len == 3 && memcmp(s, "_pi", 3) == 0) || (t.len == 2 && memcmp(s, "_e", 2) == 0)) {
            if (u.type == T_LP) {
                unexpected(p, &u);
                return -1;
            }
            return mk_const(p, t.len == 3 ? MUP_PI : MUP_E);
        }
        const fdef *f = find_function(s, t.len);
        if (f != NULL) {
            if (u.type != T_LP) {
                fail(p, t.pos, "missing \"(\" after function \"%.*s\"", t.len, s);
                return -1;
            }
            return parse_call(p, f, &t);
        }
        if (u.type == T_LP)
            fail(p, t.pos, "unknown function \"%.*s\"", t.len > 40 ? 40 : t.len, s);
        else
            fail(p, t.pos, "unknown variable \"%.*s\"", t.len > 40 ? 40 : t.len, s);
        return -1;
    }
    default:
        unexpected(p, &t);
        return -1;
    }
}

static int parse_pow(parser *p)
{
    int base = parse_primary(p);
    if (base < 0)
        return -1;
    token t = peek(p);
    if (t.type == T_OP && t.op == QM_X_POW) {
        consume(p, &t);
        int ex = parse_unary(p, 1);
        return mk_bin(p, QM_X_POW, base, ex);
    }
    return base;
}

static int parse_unary(parser *p, int allow_sign)
{
    token t = peek(p);
    if (t.type == T_OP && (t.op == QM_X_SUB || t.op == QM_X_ADD)) {
        if (!allow_sign) {
            unexpected(p, &t);
            return -1;
        }
        consume(p, &t);
        if (++p->depth > MAX_DEPTH) {
            fail(p, t.pos, "expression nested too deeply (more than %d levels)", MAX_DEPTH);
            return -1;
        }
        int a = parse_unary(p, 0);
        p->depth--;
        return t.op == QM_X_SUB ? mk_un(p, QM_X_NEG, 0, a) : a;
    }
    return parse_pow(p);
}

static int parse_mul(parser *p)
{
    int l = parse_unary(p, 1);
    for (;;) {
        token t = peek(p);
        if (l < 0 || t.type != T_OP || (t.op != QM_X_MUL && t.op != QM_X_DIV))
            return l;
        consume(p, &t);
        l = mk_bin(p, t.op, l, parse_unary(p, 1));
    }
}

static int parse_add(parser *p)
{
    int l = parse_mul(p);
    for (;;) {
        token t = peek(p);
        if (l < 0 || t.type != T_OP || (t.op != QM_X_ADD && t.op != QM_X_SUB))
            return l;
        consume(p, &t);
        l = mk_bin(p, t.op, l, parse_mul(p));
    }
}

static int parse_cmp(parser *p)
{
    int l = parse_add(p);
    for (;;) {
        token t = peek(p);
        if (l < 0 || t.type != T_OP || t.op < QM_X_LT || t.op > QM_X_NE)
            return l;
        consume(p, &t);
        l = mk_bin(p, t.op, l, parse_add(p));
    }
}

static int parse_and(parser *p)
{
    int l = parse_cmp(p);
    for (;;) {
        token t = peek(p);
        if (l < 0 || t.type != T_OP || t.op != QM_X_AND)
            return l;
        consume(p, &t);
        l = mk_bin(p, QM_X_AND, l, parse_cmp(p));
    }
}

static int parse_or(parser *p)
{
    int l = parse_and(p);
    for (;;) {
        token t = peek(p);
        if (l < 0 || t.type != T_OP || t.op != QM_X_OR)
            return l;
        consume(p, &t);
        l = mk_bin(p, QM_X_OR, l, parse_and(p));
    }
}

static int parse_ternary(parser *p)
{
    token t0 = peek(p);
    if (++p->depth > MAX_DEPTH) {
        fail(p, t0.pos, "expression nested too deeply (more than %d levels)", MAX_DEPTH);
        return -1;
    }
    int c = parse_or(p);
    token t = peek(p);
    if (c >= 0 && t.type == T_QUEST) {
        consume(p, &t);
        int a = parse_ternary(p);
        if (a < 0)
            return -1;
        token u = peek(p);
        if (u.type != T_COLON) {
            if (u.type == T_END)
                fail(p, end_pos(p), "missing \":\" (else branch) of the \"?\"");
            else
                unexpected(p, &u);
            return -1;
        }
        consume(p, &u);
        int b = parse_ternary(p);
        c = mk_sel(p, c, a, b);
    }
    p->depth--;
    return c;
}

/* ------------------------------------------------------------ code generation */

typedef struct gen {
    parser *p;
    qm__xinsn *insns;
    int ninsns, cap;
    int nregs;         /* highest register used */
    unsigned char *busy; /* busy[r] for r in 1..maxregs */
    int maxregs;
    int nslots_coord0; /* slot of coordinate 0 (set after allocation) */
    int *coord_used;
    int ncoords;
} gen;

/* An operand: a slot (register >= 1, or a coordinate, encoded -2 - k until
 * the register count is known) or a constant. */
typedef struct opnd {
    int is_const;
    int slot;
    double k;
} opnd;

static int is_reg(opnd o) { return !o.is_const && o.slot >= 1; }

static int emit(gen *g, qm__xinsn in)
{
    if (g->ninsns == g->cap) {
        int cap = g->cap ? 2 * g->cap : 32;
        qm__xinsn *grown = realloc(g->insns, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return QM_ENOMEM;
        g->insns = grown;
        g->cap = cap;
    }
    g->insns[g->ninsns++] = in;
    return QM_SUCCESS;
}

static int alloc_reg(gen *g)
{
    for (int r = 1; r <= g->maxregs; r++)
        if (!g->busy[r]) {
            g->busy[r] = 1;
            if (r > g->nregs)
                g->nregs = r;
            return r;
        }
    return -1; /* cannot happen: maxregs >= the tree's Sethi-Ullman number */
}

static void release(gen *g, opnd o)
{
    if (is_reg(o))
        g->busy[o.slot] = 0;
}

/* Registers needed by node i when its children are evaluated biggest
 * first (Sethi-Ullman): a tree of N nodes needs at most log2(N) + 2. */
static int label(parser *p, int i)
{
    node *n = &p->nodes[i];
    switch (n->kind) {
    case K_CONST:
    case K_VAR:
        n->need = 0;
        break;
    case K_UN:
    case K_POWI:
        n->need = label(p, n->a);
        if (n->need < 1)
            n->need = 1;
        break;
    default: {
        int k[3] = {label(p, n->a), label(p, n->b), n->c >= 0 ? label(p, n->c) : 0};
        int cnt = n->c >= 0 ? 3 : 2;
        /* sort descending: child j is evaluated while j others are held */
        for (int x = 0; x < cnt; x++)
            for (int y = x + 1; y < cnt; y++)
                if (k[y] > k[x]) {
                    int t = k[x]; k[x] = k[y]; k[y] = t;
                }
        int need = 1 + cnt; /* operands held, plus the result (SEL broadcasts) */
        for (int x = 0; x < cnt; x++)
            if (k[x] + x > need)
                need = k[x] + x;
        n->need = need;
    }
    }
    return n->need;
}

static opnd gen_node(gen *g, int i);

static int arith(int op)
{
    return op == QM_X_ADD || op == QM_X_SUB || op == QM_X_MUL || op == QM_X_DIV;
}

static int arith_index(int op) { return (op - QM_X_ADD) / 3; } /* + - * / -> 0..3 */

/* + - * (the three-operation chains leave out /: a division costs more than
 * the pass saved) */
static int chain_op(const node *n) { return n->kind == K_BIN && arith(n->op) && n->op != QM_X_DIV; }
static int commutes(int op) { return op == QM_X_ADD || op == QM_X_MUL; }

/* How an arithmetic node is emitted.  Every plan computes the same
 * operations in the same order (only the number of passes over memory
 * differs), so the choice never changes the bits. */
enum {
    PLAN_PLAIN, /* d = a o b */
    PLAN_F3L,   /* d = (a o1 b) o2 c, the left child fused */
    PLAN_F3R,   /* d = c o2 (a o1 b), the right child fused */
    PLAN_S3,    /* d = ((a o1 b) o2 c) o3 e */
    PLAN_S2,    /* d = (a o1 (b o2 c)) o3 e */
    PLAN_SQR    /* d = x*x for the same variable */
};

/* Node i can be the inner operation of a fused op: + - * / whose first
 * operand is not a constant (or can be swapped to be). */
static int fusable(parser *p, int i)
{
    node *n = &p->nodes[i];
    if (n->kind != K_BIN || !arith(n->op))
        return 0;
    if (p->nodes[n->a].kind == K_CONST)
        return commutes(n->op);
    return 1;
}

/* Choose every node's plan bottom-up, the fewest instructions first
 * (ties: the simpler plan). */
static int plan(parser *p, int i)
{
    node *n = &p->nodes[i];
    switch (n->kind) {
    case K_CONST:
    case K_VAR:
        return n->cost = 0;
    case K_UN:
    case K_POWI:
        return n->cost = 1 + plan(p, n->a);
    case K_SEL:
        return n->cost = 1 + plan(p, n->a) + plan(p, n->b) + plan(p, n->c);
    default:
        break;
    }
    int ca = plan(p, n->a), cb = plan(p, n->b);
    n->plan = PLAN_PLAIN;
    n->cost = 1 + ca + cb;
    if (!arith(n->op))
        return n->cost;
    node *l = &p->nodes[n->a], *r = &p->nodes[n->b];
    if (n->op == QM_X_MUL && l->kind == K_VAR && r->kind == K_VAR && l->coord == r->coord) {
        n->plan = PLAN_SQR;
        return n->cost;
    }
    int best = n->cost;
    if (fusable(p, n->a)) {
        int c = 1 + p->nodes[l->a].cost + p->nodes[l->b].cost + cb;
        if (c < best) {
            best = c;
            n->plan = PLAN_F3L;
        }
    }
    if (fusable(p, n->b)) {
        int c = 1 + p->nodes[r->a].cost + p->nodes[r->b].cost + ca;
        if (c < best) {
            best = c;
            n->plan = PLAN_F3R;
        }
    }
    if (chain_op(n) && chain_op(l)) {
        node *ll = &p->nodes[l->a], *lr = &p->nodes[l->b];
        /* S3: l's left child is a chain op with a non-constant first operand */
        if (chain_op(ll) && (p->nodes[ll->a].kind != K_CONST || commutes(ll->op))) {
            int c = 1 + p->nodes[ll->a].cost + p->nodes[ll->b].cost + lr->cost + cb;
            if (c < best) {
                best = c;
                n->plan = PLAN_S3;
            }
        }
        /* S2: l's right child is a chain op, l's left operand not constant,
         * and the inner op's first operand not constant (or swappable) */
        if (chain_op(lr) && ll->kind != K_CONST
            && (p->nodes[lr->a].kind != K_CONST || commutes(lr->op))) {
            int c = 1 + ll->cost + p->nodes[lr->a].cost + p->nodes[lr->b].cost + cb;
            if (c < best) {
                best = c;
                n->plan = PLAN_S2;
            }
        }
    }
    return n->cost = best;
}

/* Evaluate subtrees idx[0..cnt), the most demanding first (Sethi-Ullman),
 * into out[]. */
static void gen_held(gen *g, const int *idx, opnd *out, int cnt)
{
    parser *p = g->p;
    int order[4] = {0, 1, 2, 3};
    for (int x = 0; x < cnt; x++)
        for (int y = x + 1; y < cnt; y++)
            if (p->nodes[idx[order[y]]].need > p->nodes[idx[order[x]]].need) {
                int t = order[x]; order[x] = order[y]; order[y] = t;
            }
    for (int x = 0; x < cnt; x++)
        out[order[x]] = gen_node(g, idx[order[x]]);
}

/* gen_held, then free the operands' registers: the instruction emitted
 * next may write its result over one of them (element-wise, so safe). */
static void gen_many(gen *g, const int *idx, opnd *out, int cnt)
{
    gen_held(g, idx, out, cnt);
    for (int x = 0; x < cnt; x++)
        release(g, out[x]);
}

static int vslot(opnd o) { return o.is_const ? -1 : o.slot; }

static opnd result(gen *g, qm__xinsn in)
{
    opnd r = {0, alloc_reg(g), 0};
    in.d = r.slot;
    if (emit(g, in) != QM_SUCCESS)
        g->p->failed = QM_ENOMEM;
    return r;
}

/* Make a constant operand a register (for SEL). */
static opnd materialize(gen *g, opnd o)
{
    if (!o.is_const)
        return o;
    qm__xinsn in = {.op = QM_X_BCAST, .a = -1, .b = -1, .c = -1, .e = -1, .ka = o.k};
    return result(g, in);
}

/* Children of a commutative inner node, the constant second. */
static void inner_operands(parser *p, const node *n, int *ia, int *ib)
{
    *ia = n->a;
    *ib = n->b;
    if (p->nodes[*ia].kind == K_CONST) { /* 2*x -> x*2: the same bits */
        int t = *ia; *ia = *ib; *ib = t;
    }
}

static opnd gen_node(gen *g, int i)
{
    parser *p = g->p;
    node *n = &p->nodes[i];
    opnd o[4];
    int idx[4];
    qm__xinsn in = {.a = -1, .b = -1, .c = -1, .e = -1};
    switch (n->kind) {
    case K_CONST:
        return (opnd){1, 0, n->v};
    case K_VAR:
        g->coord_used[n->coord] = 1;
        return (opnd){0, -2 - n->coord, 0};
    case K_UN:
        idx[0] = n->a;
        gen_many(g, idx, o, 1);
        in.op = n->op;
        in.fn = n->fn;
        in.a = o[0].slot;
        return result(g, in);
    case K_POWI:
        idx[0] = n->a;
        gen_many(g, idx, o, 1);
        /* x*x is the common case: the cheapest loop */
        in.op = n->fn == 2 ? QM_X_SQR : QM_X_POWI;
        in.fn = n->fn;
        in.a = o[0].slot;
        return result(g, in);
    case K_SEL: {
        idx[0] = n->a;
        idx[1] = n->b;
        idx[2] = n->c;
        gen_held(g, idx, o, 3);
        opnd c = materialize(g, o[0]), a = materialize(g, o[1]), b = materialize(g, o[2]);
        release(g, a);
        release(g, b);
        release(g, c);
        in.op = QM_X_SEL;
        in.a = c.slot;
        in.b = a.slot;
        in.c = b.slot;
        return result(g, in);
    }
    default:
        break;
    }
    node *l = &p->nodes[n->a], *r = &p->nodes[n->b];
    switch (n->kind == K_BIN ? n->plan : PLAN_PLAIN) {
    case PLAN_SQR:
        o[0] = gen_node(g, n->a);
        in.op = QM_X_SQR;
        in.a = o[0].slot;
        return result(g, in);
    case PLAN_F3L:
    case PLAN_F3R: {
        int mirrored = n->plan == PLAN_F3R;
        const node *inner = mirrored ? r : l;
        inner_operands(p, inner, &idx[0], &idx[1]);
        idx[2] = mirrored ? n->a : n->b;
        gen_many(g, idx, o, 3);
        int form = (o[2].is_const ? 1 : 0) | (o[1].is_const ? 2 : 0) | (mirrored ? 4 : 0);
        in.op = QM_X_F3 + 8 * (4 * arith_index(inner->op) + arith_index(n->op)) + form;
        in.a = vslot(o[0]);
        in.b = vslot(o[1]);
        in.c = vslot(o[2]);
        in.kb = o[1].k;
        in.kc = o[2].k;
        return result(g, in);
    }
    case PLAN_S3: {
        const node *ll = &p->nodes[l->a];
        inner_operands(p, ll, &idx[0], &idx[1]);
        idx[2] = l->b;
        idx[3] = n->b;
        gen_many(g, idx, o, 4);
        int form = (o[3].is_const ? 1 : 0) | (o[2].is_const ? 2 : 0) | (o[1].is_const ? 4 : 0);
        in.op = QM_X_S3 + 8 * (9 * arith_index(ll->op) + 3 * arith_index(l->op)
                               + arith_index(n->op)) + form;
        goto chain;
    }
    case PLAN_S2: {
        const node *lr = &p->nodes[l->b];
        idx[0] = l->a;
        inner_operands(p, lr, &idx[1], &idx[2]);
        idx[3] = n->b;
        gen_many(g, idx, o, 4);
        int form = (o[3].is_const ? 1 : 0) | (o[2].is_const ? 2 : 0);
        in.op = QM_X_S2 + 4 * (9 * arith_index(l->op) + 3 * arith_index(lr->op)
                               + arith_index(n->op)) + form;
        goto chain;
    }
    default:
        break;
    }
    idx[0] = n->a;
    idx[1] = n->b;
    gen_many(g, idx, o, 2);
    in.op = n->op + (o[0].is_const ? 2 : o[1].is_const ? 1 : 0);
    in.a = vslot(o[0]);
    in.b = vslot(o[1]);
    in.ka = o[0].k;
    in.kb = o[1].k;
    return result(g, in);
chain:
    in.a = vslot(o[0]);
    in.b = vslot(o[1]);
    in.c = vslot(o[2]);
    in.e = vslot(o[3]);
    in.kb = o[1].k;
    in.kc = o[2].k;
    in.ke = o[3].k;
    return result(g, in);
}

/* ------------------------------------------------------------ compile */

int qm__expr_compile(qm_expr **out, const char *text, int nvars,
                     const char *const *names, const int *coord,
                     qm_expr_error *err)
{
    return qm__expr_compile_with(out, text, nvars, names, coord, 0, NULL, NULL, err);
}

int qm__expr_compile_with(qm_expr **out, const char *text, int nvars,
                          const char *const *names, const int *coord,
                          int nconsts, const char *const *const_names,
                          const double *const_values, qm_expr_error *err)
{
    if (err != NULL) {
        err->position = -1;
        err->message[0] = '\0';
    }
    if (out == NULL || text == NULL || nvars < 0 || (nvars > 0 && (names == NULL || coord == NULL))
        || nconsts < 0 || (nconsts > 0 && (const_names == NULL || const_values == NULL))) {
        if (err != NULL)
            snprintf(err->message, sizeof err->message, "invalid argument");
        return QM_EINVAL;
    }
    *out = NULL;
    size_t len = strlen(text);
    if (len > QM_EXPR_MAX_TEXT) {
        if (err != NULL)
            snprintf(err->message, sizeof err->message,
                     "expression too long (%zu characters, at most %d)", len, QM_EXPR_MAX_TEXT);
        return QM_EINVAL;
    }
    int ncoords = 0;
    for (int k = 0; k < nvars; k++) {
        if (names[k] == NULL || coord[k] < 0 || coord[k] > 4096) {
            if (err != NULL)
                snprintf(err->message, sizeof err->message, "invalid variable %d", k);
            return QM_EINVAL;
        }
        if (coord[k] + 1 > ncoords)
            ncoords = coord[k] + 1;
    }

    parser p = {.s = text, .len = (int)len, .nvars = nvars, .names = names,
                .coord = coord, .nconsts = nconsts, .cnames = const_names,
                .cvalues = const_values, .err = err};
    token t = peek(&p);
    if (t.type == T_END) {
        if (err != NULL)
            snprintf(err->message, sizeof err->message, "expression is empty");
        return QM_EINVAL;
    }
    int root = parse_ternary(&p);
    if (!p.failed) {
        t = peek(&p);
        if (t.type != T_END) {
            if (t.type == T_COMMA)
                fail(&p, t.pos, "comma-separated values, expected one value");
            else
                unexpected(&p, &t);
        }
    }
    if (p.failed) {
        free(p.nodes);
        return p.failed;
    }

    qm_expr *e = calloc(1, sizeof *e);
    if (e == NULL) {
        free(p.nodes);
        return QM_ENOMEM;
    }
    e->ncoords = ncoords;
    if (p.nodes[root].kind == K_CONST) {
        e->constant = 1;
        e->value = p.nodes[root].v;
        free(p.nodes);
        *out = e;
        return QM_SUCCESS;
    }

    gen g = {.p = &p};
    (void)label(&p, root);
    /* Sethi-Ullman order keeps the count near label(root) (+3 for the
     * operands a fused op holds); the array allows any count. */
    g.maxregs = p.nnodes + 2;
    plan(&p, root);
    g.busy = calloc((size_t)g.maxregs + 1, 1);
    g.coord_used = calloc((size_t)ncoords + 1, sizeof *g.coord_used);
    if (g.busy == NULL || g.coord_used == NULL) {
        p.failed = QM_ENOMEM;
    } else {
        opnd r = gen_node(&g, root);
        if (!p.failed) {
            if (is_reg(r)) {
                /* the root is computed by the last instruction: write it
                 * straight to the output */
                g.insns[g.ninsns - 1].d = 0;
            } else {
                qm__xinsn in = {.op = QM_X_COPY, .d = 0, .a = r.slot, .b = -1, .c = -1, .e = -1};
                if (emit(&g, in) != QM_SUCCESS)
                    p.failed = QM_ENOMEM;
            }
        }
    }
    if (!p.failed) {
        /* coordinates live after the registers: slot nregs + 1 + k */
        for (int j = 0; j < g.ninsns; j++) {
            int *s[5] = {&g.insns[j].d, &g.insns[j].a, &g.insns[j].b, &g.insns[j].c,
                         &g.insns[j].e};
            for (int q = 0; q < 5; q++)
                if (*s[q] <= -2)
                    *s[q] = g.nregs + 1 + (-2 - *s[q]);
        }
        e->nregs = g.nregs;
        e->ninsns = g.ninsns;
        e->insns = g.insns;
        e->nused = 0;
        e->used = malloc(((size_t)ncoords + 1) * sizeof *e->used);
        if (e->used == NULL)
            p.failed = QM_ENOMEM;
        else
            for (int k = 0; k < ncoords; k++)
                if (g.coord_used[k])
                    e->used[e->nused++] = k;
    }
    free(g.busy);
    free(g.coord_used);
    free(p.nodes);
    if (p.failed) {
        if (e->insns == NULL)
            free(g.insns);
        qm__expr_free(e);
        if (err != NULL && p.failed == QM_ENOMEM) {
            err->position = -1;
            snprintf(err->message, sizeof err->message, "out of memory");
        }
        return p.failed;
    }
    *out = e;
    return QM_SUCCESS;
}

int qm__expr_ncoords(const qm_expr *e) { return e != NULL ? e->ncoords : 0; }

int qm__expr_is_constant(const qm_expr *e, double *value)
{
    if (e == NULL || !e->constant)
        return 0;
    if (value != NULL)
        *value = e->value;
    return 1;
}

void qm__expr_free(qm_expr *e)
{
    if (e == NULL)
        return;
    free(e->insns);
    free(e->used);
    free(e);
}
