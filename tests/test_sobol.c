/*
 * Tests of the in-tree Sobol generator (src/core/sobol.h) and of QMC
 * cubature on it.
 *
 * What is checked, and why it pins the generator down:
 * - Dimension 1 is van der Corput's sequence taken in Gray-code order:
 *   x_1(i) = phi_2(gray(i)), phi_2 the base-2 radical inverse, computed here
 *   independently by reversing bits.
 * - The first points of dimensions 2 and 3, derived by hand (comment at
 *   first_points_of_dimensions_2_and_3_match_joe_kuo) from Joe & Kuo's rows.
 * - Every dimension of the table is a (0, m)-net in one dimension: for
 *   m = 10 the 2^m points of indices [k 2^m, (k+1) 2^m) put exactly one
 *   point in each interval [j 2^-m, (j+1) 2^-m).  This holds exactly when
 *   every m_k is odd, so it catches a corrupted row or recurrence.
 * - Two-dimensional projections of the low dimensions are (t, m, 2)-nets
 *   with t no larger than the theorem allows (Sobol 1967; Niederreiter 1988:
 *   t <= sum of (degree - 1) over the two polynomials, dimension 1 counting
 *   as degree 1), and dimensions 1 and 2 form a (0, m, 2)-net.
 * - Every direction number of every dimension (52 bits) equals the one
 *   given by Bratley & Fox's recurrence written on the fixed-point numbers,
 *   an independent form of the generator's recurrence on the m's.  (The
 *   generator's first 4096 points in all dimensions were also compared once
 *   with a separate transcription of Joe & Kuo's sobol.cc algorithm, 32-bit,
 *   read from the original file: identical.)
 * - Random access: any range equals the same indices generated from 0, a
 *   point's coordinates do not depend on the generator's dimension, and the
 *   last indices (2^52 - 1) still follow the definition in dimension 1.
 * - The table: one row per dimension 2 .. max, rows well formed, and every
 *   primitive polynomial of degree <= 15 present once (their number is
 *   phi(2^s - 1) / s for each degree s), as the table's comment states.
 * - QMC through qm_cubature in 1000 dimensions and at the table's size is
 *   within 4 reported standard errors of the exact integral (the convention
 *   of test_cubature.c: a false alarm has probability ~6e-5 per check, and
 *   the seed is fixed); one dimension more, or more than 2^52 points per
 *   replica, is QM_EINVAL.
 */
#include "test_common.h"
#include "quadmap.h"

#include "core/sobol.h"

/* ---------------------------------------------------------------- helpers */

static uint64_t gray(uint64_t i)
{
    return i ^ (i >> 1);
}

/* Base-2 radical inverse of n < 2^52: bit k of n becomes 2^-(k+1). */
static double radical_inverse(uint64_t n)
{
    uint64_t r = 0;
    for (int k = 0; k < 52; k++)
        if ((n >> k) & 1)
            r |= (uint64_t)1 << (51 - k);
    return (double)r * 0x1p-52;
}

/* A generator of dim coordinates, or NULL (and a failed check). */
static qm_sobol *sobol(unsigned dim)
{
    qm_sobol *s = NULL;
    const int st = qm__sobol_new(&s, dim);
    QMT_CHECK(st == QM_SUCCESS && s, "qm__sobol_new(%u): status %d", dim, st);
    return s;
}

/* x * 2^52 as an integer: points are exact multiples of 2^-52. */
static uint64_t fixed52(double x)
{
    return (uint64_t)(x * 0x1p52);
}

/* ------------------------------------------------------------ generator */

static void dimension_1_is_van_der_corput_in_gray_code_order(void)
{
    enum { N = 4096 };
    qm_sobol *s = sobol(1);
    if (!s)
        return;
    static double x[N];
    qm__sobol_points(s, 0, N, x);
    int bad = 0;
    for (uint64_t i = 0; i < N; i++)
        bad += !qmt_same_bits(x[i], radical_inverse(gray(i)));
    QMT_CHECK(bad == 0, "%d of %d points differ from phi_2(gray(i))", bad, N);
    /* the first 2^12 points are the set {j / 2^12}, as van der Corput's */
    static unsigned char seen[N];
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < N; i++)
        seen[(size_t)(x[i] * N)]++;
    int once = 1;
    for (size_t j = 0; j < N; j++)
        once &= seen[j] == 1;
    QMT_CHECK(once, "the first 4096 points are not {j / 4096}");
    qm__sobol_free(s);
}

static void first_points_of_dimensions_2_and_3_match_joe_kuo(void)
{
    /* Point i is the XOR of v_k = m_k / 2^k over the set bits (k - 1) of
     * gray(i); gray(0..9) = 0, 1, 3, 2, 6, 7, 5, 4, 12, 13.
     * Dimension 1: m_k = 1, v = .1, .01, .001, .0001 (binary).
     * Dimension 2: s = 1, a = 0 (x + 1), m_1 = 1; m_k = 2 m_(k-1) ^ m_(k-1):
     *   m = 1, 3, 5, 15, so v = .1, .11, .101, .1111.
     * Dimension 3: s = 2, a = 1 (x^2 + x + 1), m_1 = 1, m_2 = 3;
     *   m_k = 2 m_(k-1) ^ 4 m_(k-2) ^ m_(k-2): m_3 = 6 ^ 4 ^ 1 = 3,
     *   m_4 = 6 ^ 12 ^ 3 = 9, so v = .1, .11, .011, .1001.
     * E.g. i = 4, gray 6 = v_2 ^ v_3: .011 = .375, .011 = .375 and
     * .101 = .625; i = 9, gray 13 = v_1 ^ v_3 ^ v_4: .1011 = .6875,
     * .1101 = .8125, .0111 = .4375. */
    static const double want[10][3] = {
        {0, 0, 0},
        {0.5, 0.5, 0.5},
        {0.75, 0.25, 0.25},
        {0.25, 0.75, 0.75},
        {0.375, 0.375, 0.625},
        {0.875, 0.875, 0.125},
        {0.625, 0.125, 0.875},
        {0.125, 0.625, 0.375},
        {0.1875, 0.3125, 0.9375},
        {0.6875, 0.8125, 0.4375},
    };
    qm_sobol *s = sobol(3);
    if (!s)
        return;
    double x[10][3];
    qm__sobol_points(s, 0, 10, &x[0][0]);
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 3; j++)
            QMT_CHECK(x[i][j] == want[i][j], "point %d, dim %d: %.17g, not %g",
                      i, j + 1, x[i][j], want[i][j]);
    qm__sobol_free(s);
}

/* One point per interval [j 2^-m, (j+1) 2^-m) in each of the d coordinates
 * of the 2^m points in x; returns the number of coordinates that fail. */
static unsigned net_1d_failures(const double *x, unsigned d, unsigned m,
                                unsigned *first_bad)
{
    const size_t n = (size_t)1 << m;
    unsigned char *seen = malloc(n);
    unsigned bad = 0;
    for (unsigned j = 0; seen && j < d; j++) {
        memset(seen, 0, n);
        int ok = 1;
        for (size_t p = 0; p < n; p++) {
            const double v = x[p * d + j];
            if (!(v >= 0 && v < 1) || seen[(size_t)(v * (double)n)]++)
                ok = 0;
        }
        if (!ok && bad++ == 0)
            *first_bad = j + 1;
    }
    free(seen);
    return seen ? bad : d;
}

static void every_dimension_is_a_0_m_net_in_one_dimension(void)
{
    const unsigned d = qm__sobol_max_dim(), m = 10;
    const size_t n = (size_t)1 << m;
    qm_sobol *s = sobol(d);
    double *x = malloc(n * d * sizeof *x);
    QMT_CHECK(x != NULL, "out of memory");
    /* blocks k = 0, 1, 12345 and 2^41 + 3 (indices near 2^51) */
    const uint64_t ks[4] = {0, 1, 12345, ((uint64_t)1 << 41) + 3};
    for (int b = 0; s && x && b < 4; b++) {
        qm__sobol_points(s, ks[b] << m, n, x);
        unsigned first_bad = 0;
        const unsigned bad = net_1d_failures(x, d, m, &first_bad);
        QMT_CHECK(bad == 0, "block %llu: %u of %u dimensions are not "
                  "(0,%u)-nets (first: %u)", (unsigned long long)ks[b], bad,
                  d, m, first_bad);
    }
    free(x);
    qm__sobol_free(s);
}

/* Degree of dimension j's polynomial (dimension 1 counts as degree 1). */
static unsigned degree(unsigned j)
{
    const uint16_t *row = qm__sobol_table;
    for (unsigned k = 2; k < j; k++)
        row += 2 + row[0];
    return j == 1 ? 1 : row[0];
}

/* Smallest t such that the 2^m points (x, y) form a (t, m, 2)-net: every
 * box [i 2^-a, (i+1) 2^-a) x [j 2^-b, (j+1) 2^-b) with a + b = m - t
 * holds 2^t points. */
static unsigned t_value(const uint64_t *x, const uint64_t *y, unsigned m)
{
    const size_t n = (size_t)1 << m;
    unsigned *count = malloc(n * sizeof *count);
    if (!count)
        return m + 1;
    unsigned t = 0;
    for (; t <= m; t++) {
        int ok = 1;
        for (unsigned a = 0; ok && a <= m - t; a++) {
            const unsigned b = m - t - a;
            memset(count, 0, n * sizeof *count);
            for (size_t p = 0; p < n; p++) {
                const uint64_t i = x[p] >> (52 - a), j = y[p] >> (52 - b);
                count[(i << b) | j]++;
            }
            for (size_t c = 0; c < ((size_t)1 << (m - t)); c++)
                ok &= count[c] == 1u << t;
        }
        if (ok)
            break;
    }
    free(count);
    return t;
}

static void two_dimensional_projections_are_nets_within_the_t_bound(void)
{
    enum { D = 16, M = 12, N = 1 << M };
    qm_sobol *s = sobol(D);
    if (!s)
        return;
    static double x[N * D];
    static uint64_t c[D][N];
    /* the block of indices [3 * 2^M, 4 * 2^M): any aligned block is a net */
    qm__sobol_points(s, 3 * N, N, x);
    for (unsigned j = 0; j < D; j++)
        for (size_t p = 0; p < N; p++)
            c[j][p] = fixed52(x[p * D + j]);
    QMT_CHECK(t_value(c[0], c[1], M) == 0, "dimensions 1, 2: t = %u, not 0",
              t_value(c[0], c[1], M));
    for (unsigned j = 0; j < D; j++)
        for (unsigned k = j + 1; k < D; k++) {
            const unsigned bound = degree(j + 1) - 1 + degree(k + 1) - 1;
            const unsigned t = t_value(c[j], c[k], M);
            QMT_CHECK(t <= bound, "dimensions %u, %u: t = %u > %u", j + 1,
                      k + 1, t, bound);
        }
    qm__sobol_free(s);
}

/* Every direction number of every dimension, from Bratley & Fox's
 * recurrence written on the fixed-point v's, V_k = m_k 2^(52-k)
 * (independently of the generator's form on the m's):
 *   V_k = a_1 V_(k-1) ^ ... ^ a_(s-1) V_(k-s+1) ^ V_(k-s) ^ (V_(k-s) >> s).
 * Point 2^k - 1 is V_k alone (gray(2^k - 1) = 2^(k-1)).  Dimension 7
 * (s = 4, a = 4: a_1 = 1, a_2 = a_3 = 0) tells a from its bit reversal:
 * m_5 = 2 * 13 ^ 16 ^ 1 = 11, not 8 * 3 ^ 16 ^ 1 = 9. */
static void direction_numbers_follow_the_recurrence_in_every_dimension(void)
{
    const unsigned d = qm__sobol_max_dim();
    qm_sobol *s = sobol(d);
    double *x = malloc((size_t)d * sizeof *x);
    uint64_t (*v)[52] = malloc((size_t)d * sizeof *v);
    QMT_CHECK(x && v, "out of memory");
    if (!s || !x || !v)
        goto out;
    const uint16_t *row = qm__sobol_table;
    for (unsigned j = 0; j < d; j++) {
        if (j == 0) { /* van der Corput: all m_k = 1 */
            for (unsigned k = 1; k <= 52; k++)
                v[0][k - 1] = (uint64_t)1 << (52 - k);
            continue;
        }
        const unsigned deg = row[0], a = row[1];
        for (unsigned k = 1; k <= deg; k++)
            v[j][k - 1] = (uint64_t)row[1 + k] << (52 - k);
        row += 2 + deg;
        for (unsigned k = deg + 1; k <= 52; k++) {
            uint64_t w = v[j][k - deg - 1] ^ (v[j][k - deg - 1] >> deg);
            for (unsigned i = 1; i < deg; i++)
                if ((a >> (deg - 1 - i)) & 1)
                    w ^= v[j][k - i - 1];
            v[j][k - 1] = w;
        }
    }
    int bad = 0;
    for (unsigned k = 1; k <= 52; k++) {
        qm__sobol_points(s, ((uint64_t)1 << k) - 1, 1, x);
        for (unsigned j = 0; j < d; j++)
            if (fixed52(x[j]) != v[j][k - 1] && bad++ < 5)
                QMT_CHECK(0, "dimension %u, V_%u: %.17g, not %.17g", j + 1,
                          k, x[j], (double)v[j][k - 1] * 0x1p-52);
    }
    QMT_CHECK(bad == 0, "%d of %u direction numbers differ", bad, 52 * d);
    QMT_CHECK(v[6][4] == (uint64_t)11 << 47, "dimension 7: m_5 = %g, not 11",
              (double)v[6][4] * 0x1p-47);
out:
    free(x);
    free(v);
    qm__sobol_free(s);
}

static void random_access_equals_sequential_generation(void)
{
    /* 150 coordinates: three groups of the generator's inner loop */
    enum { D = 150, FIRST = 12345, COUNT = 100, N = FIRST + COUNT };
    qm_sobol *s = sobol(D);
    double *all = malloc((size_t)N * D * sizeof *all);
    double *part = malloc((size_t)N * D * sizeof *part);
    QMT_CHECK(all && part, "out of memory");
    if (s && all && part) {
        qm__sobol_points(s, 0, N, all);
        qm__sobol_points(s, FIRST, COUNT, part);
        QMT_CHECK(memcmp(part, all + (size_t)FIRST * D,
                         (size_t)COUNT * D * sizeof *all) == 0,
                  "points %d .. %d differ from the tail of 0 .. %d", FIRST,
                  N - 1, N - 1);
        /* the same range in pieces of 1, 2, 3, ... points */
        size_t at = 0;
        for (size_t len = 1; at < N; len++) {
            const size_t k = N - at < len ? N - at : len;
            qm__sobol_points(s, at, k, part + at * D);
            at += k;
        }
        QMT_CHECK(memcmp(part, all, (size_t)N * D * sizeof *all) == 0,
                  "pieces of 1, 2, 3, ... points differ from one call");
    }
    free(all);
    free(part);
    qm__sobol_free(s);
}

static void coordinates_do_not_depend_on_the_generator_dimension(void)
{
    enum { N = 1000 };
    const unsigned ds[3] = {1, 65, 1000};
    qm_sobol *big = sobol(ds[2]);
    double *ref = malloc((size_t)N * ds[2] * sizeof *ref);
    double *x = malloc((size_t)N * ds[2] * sizeof *x);
    if (big && ref && x) {
        qm__sobol_points(big, 777, N, ref);
        for (int i = 0; i < 2; i++) {
            qm_sobol *s = sobol(ds[i]);
            if (!s)
                continue;
            qm__sobol_points(s, 777, N, x);
            int same = 1;
            for (size_t p = 0; p < N; p++)
                same &= memcmp(x + p * ds[i], ref + p * ds[2],
                               ds[i] * sizeof *x) == 0;
            QMT_CHECK(same, "dimension %u: coordinates differ from the "
                      "first %u of dimension %u", ds[i], ds[i], ds[2]);
            qm__sobol_free(s);
        }
    }
    free(ref);
    free(x);
    qm__sobol_free(big);
}

static void last_indices_follow_the_definition(void)
{
    enum { D = 5, COUNT = 64 };
    qm_sobol *s = sobol(D);
    if (!s)
        return;
    const uint64_t first = QM_SOBOL_MAX_POINTS - COUNT;
    double x[COUNT * D], one[D];
    qm__sobol_points(s, first, COUNT, x);
    int bad = 0;
    for (uint64_t p = 0; p < COUNT; p++) {
        bad += !qmt_same_bits(x[p * D], radical_inverse(gray(first + p)));
        qm__sobol_points(s, first + p, 1, one);
        bad += memcmp(one, x + p * D, sizeof one) != 0;
        for (int j = 0; j < D; j++)
            bad += !(x[p * D + j] >= 0 && x[p * D + j] < 1);
    }
    QMT_CHECK(bad == 0, "%d mismatches among the last %d indices", bad, COUNT);
    qm__sobol_free(s);
}

static void bad_dimensions_are_einval(void)
{
    qm_sobol *s = (qm_sobol *)&s;
    QMT_CHECK(qm__sobol_new(&s, 0) == QM_EINVAL && s == NULL, "dim 0");
    s = (qm_sobol *)&s;
    QMT_CHECK(qm__sobol_new(&s, qm__sobol_max_dim() + 1) == QM_EINVAL
                  && s == NULL, "dim max + 1");
    QMT_CHECK(qm__sobol_new(NULL, 3) == QM_EINVAL, "NULL out");
    QMT_CHECK(qm__sobol_max_dim() >= 1000, "only %u dimensions",
              qm__sobol_max_dim());
    qm__sobol_free(NULL);
}

/* ---------------------------------------------------------------- table */

/* a * b mod p in GF(2)[x], deg a, deg b < deg p = s <= 16. */
static uint32_t gf2_mulmod(uint32_t a, uint32_t b, uint32_t p, unsigned s)
{
    uint32_t r = 0;
    for (; b; b >>= 1) {
        if (b & 1)
            r ^= a;
        a <<= 1;
        if (a >> s & 1)
            a ^= p;
    }
    return r;
}

/* x^e mod p. */
static uint32_t gf2_xpow(uint64_t e, uint32_t p, unsigned s)
{
    uint32_t r = 1, b = s > 1 ? 2 : 2 ^ p; /* x mod p */
    for (; e; e >>= 1) {
        if (e & 1)
            r = gf2_mulmod(r, b, p, s);
        b = gf2_mulmod(b, b, p, s);
    }
    return r;
}

/* p of degree s is primitive iff x has order 2^s - 1 modulo p. */
static int primitive(uint32_t p, unsigned s)
{
    const uint64_t n = ((uint64_t)1 << s) - 1;
    if (gf2_xpow(n, p, s) != 1)
        return 0;
    uint64_t r = n; /* n's prime factors q, by trial division */
    for (uint64_t q = 2; r > 1; q++) {
        if (q * q > r)
            q = r; /* what is left is prime */
        if (r % q)
            continue;
        if (gf2_xpow(n / q, p, s) == 1)
            return 0;
        while (r % q == 0)
            r /= q;
    }
    return 1;
}

/* Euler's phi. */
static uint64_t phi(uint64_t n)
{
    uint64_t r = n;
    for (uint64_t q = 2; q * q <= n; q++)
        if (n % q == 0) {
            while (n % q == 0)
                n /= q;
            r -= r / q;
        }
    if (n > 1)
        r -= r / n;
    return r;
}

static void table_rows_are_the_primitive_polynomials_up_to_degree_15(void)
{
    const uint16_t *row = qm__sobol_table, *end = row + qm__sobol_table_len;
    unsigned rows = 0, per_degree[17] = {0}, last_s = 0, last_a = 0;
    int bad_m = 0, bad_poly = 0, bad_order = 0;
    while (row < end) {
        const unsigned s = row[0], a = row[1];
        if (s < 1 || s > 16 || row + 2 + s > end || a >> (s - 1)) {
            bad_poly++;
            break;
        }
        for (unsigned k = 1; k <= s; k++)
            bad_m += row[1 + k] % 2 != 1 || row[1 + k] >> k;
        bad_poly += !primitive((1u << s) | (a << 1) | 1u, s);
        bad_order += s < last_s || (s == last_s && a <= last_a);
        per_degree[s]++;
        last_s = s;
        last_a = a;
        row += 2 + s;
        rows++;
    }
    QMT_CHECK(rows == qm__sobol_max_dim() - 1 && row == end,
              "%u rows for dimensions 2 .. %u", rows, qm__sobol_max_dim());
    QMT_CHECK(bad_m == 0, "%d values of m not odd or not below 2^k", bad_m);
    QMT_CHECK(bad_poly == 0, "%d rows are not primitive polynomials",
              bad_poly);
    QMT_CHECK(bad_order == 0, "%d rows out of (degree, a) order", bad_order);
    for (unsigned s = 1; s <= 15; s++)
        QMT_CHECK(per_degree[s] == phi(((uint64_t)1 << s) - 1) / s,
                  "degree %u: %u polynomials, not %llu", s, per_degree[s],
                  (unsigned long long)(phi(((uint64_t)1 << s) - 1) / s));
    /* spot rows of new-joe-kuo-6.21201: dimensions 1000 and 3667 */
    static const uint16_t d1000[] = {13, 3396, 1, 1, 3, 9, 3, 3, 105, 201,
                                     373, 877, 919, 1263, 6649};
    static const uint16_t d3667[] = {15, 16382, 1, 3, 3, 11, 9, 1, 53, 127,
                                     375, 499, 1487, 121, 1465, 3175, 24337};
    row = qm__sobol_table;
    for (unsigned d = 2; d < 1000; d++)
        row += 2 + row[0];
    QMT_CHECK(memcmp(row, d1000, sizeof d1000) == 0, "row of dimension 1000");
    QMT_CHECK(memcmp(end - 17, d3667, sizeof d3667) == 0,
              "row of dimension 3667");
}

/* ------------------------------------------------------------------ QMC */

enum { BIG = QM_SOBOL_MAX_DIM + 1 };
static double lo[BIG], hi[BIG];

/* y0 = prod (1 + (x_j - 1/2) / j^2), y1 = (3/d) sum x_j^2: both integrate
 * to 1 over [0, 1]^d; every coordinate weighs the same in y1. */
static int smooth2(size_t n, unsigned dim, const double *x, unsigned fdim,
                   double *y, void *data)
{
    (void)fdim;
    (void)data;
    for (size_t i = 0; i < n; i++) {
        const double *p = x + i * dim;
        double prod = 1, sq = 0;
        for (unsigned j = 0; j < dim; j++) {
            const double jj = (double)(j + 1);
            prod *= 1 + (p[j] - 0.5) / (jj * jj);
            sq += p[j] * p[j];
        }
        y[2 * i] = prod;
        y[2 * i + 1] = 3 * sq / dim;
    }
    return 0;
}

static void qmc_is_within_4_standard_errors(unsigned dim, uint64_t nsamp)
{
    qm_exec *ex = qmt_openmp(2, QM_SCHEDULE_AUTO, 0);
    if (!ex)
        ex = qmt_serial();
    qm_cubature_opts o;
    memset(&o, 0, sizeof o);
    o.method = QM_METHOD_QMC;
    o.max_eval = nsamp;
    o.seed = 11;
    double v[2], e[2];
    qm_result info;
    const int st = qm_cubature(ex, smooth2, NULL, dim, lo, hi, 2, &o, v, e,
                               &info);
    QMT_CHECK(st == QM_SUCCESS, "dim %u: status %d", dim, st);
    for (int k = 0; st == QM_SUCCESS && k < 2; k++)
        QMT_CHECK(fabs(v[k] - 1) <= 4 * e[k] && e[k] > 0,
                  "dim %u, output %d: %.12g +- %.3g, exact 1", dim, k, v[k],
                  e[k]);
    QMT_CHECK(info.evaluations == (int64_t)nsamp, "evaluations %lld",
              (long long)info.evaluations);
    qm_exec_free(ex);
}

static void qmc_in_1000_dimensions_is_within_4_standard_errors(void)
{
    qmc_is_within_4_standard_errors(1000, 16 * 1024);
}

static void qmc_at_the_table_size_works_and_one_more_is_einval(void)
{
    qmc_is_within_4_standard_errors(qm__sobol_max_dim(), 16 * 128);
    qm_exec *ex = qmt_serial();
    qm_cubature_opts o;
    memset(&o, 0, sizeof o);
    o.method = QM_METHOD_QMC;
    o.max_eval = 1024;
    double v[2], e[2];
    int st = qm_cubature(ex, smooth2, NULL, qm__sobol_max_dim() + 1, lo, hi,
                         2, &o, v, e, NULL);
    QMT_CHECK(st == QM_EINVAL, "dim max + 1: status %d", st);
    /* more than 2^52 points per replica */
    o.max_eval = 16 * (QM_SOBOL_MAX_POINTS + 1);
    st = qm_cubature(ex, smooth2, NULL, 2, lo, hi, 2, &o, v, e, NULL);
    QMT_CHECK(st == QM_EINVAL, "2^52 + 1 points per replica: status %d", st);
    qm_exec_free(ex);
}

int main(void)
{
    for (int j = 0; j < BIG; j++)
        hi[j] = 1;
    QMT_INIT_REGISTRY();
    CU_pSuite gen = qmt_suite("sobol_points");
    QMT_ADD(gen, dimension_1_is_van_der_corput_in_gray_code_order);
    QMT_ADD(gen, first_points_of_dimensions_2_and_3_match_joe_kuo);
    QMT_ADD(gen, every_dimension_is_a_0_m_net_in_one_dimension);
    QMT_ADD(gen, two_dimensional_projections_are_nets_within_the_t_bound);
    QMT_ADD(gen, direction_numbers_follow_the_recurrence_in_every_dimension);
    QMT_ADD(gen, random_access_equals_sequential_generation);
    QMT_ADD(gen, coordinates_do_not_depend_on_the_generator_dimension);
    QMT_ADD(gen, last_indices_follow_the_definition);
    QMT_ADD(gen, bad_dimensions_are_einval);
    CU_pSuite tab = qmt_suite("sobol_table");
    QMT_ADD(tab, table_rows_are_the_primitive_polynomials_up_to_degree_15);
    CU_pSuite qmc = qmt_suite("qmc_cubature");
    QMT_ADD(qmc, qmc_in_1000_dimensions_is_within_4_standard_errors);
    QMT_ADD(qmc, qmc_at_the_table_size_works_and_one_more_is_einval);
    return qmt_run();
}
