/*
 * The exact, order-independent accumulator (internal, core/sum_exact.h).
 *
 * References are exact by construction: sums whose value is known because
 * terms cancel in pairs, or integer combinations m_i 2^(k_i + E) whose sum is
 * computed exactly in 128-bit integer arithmetic.  sum_exact.h promises a
 * faithfully rounded result (|error| < 1 ulp: one of the two doubles
 * bracketing the exact sum), and the exact value whenever it is a double.
 */
#include "test_common.h"

#include "core/sum_exact.h"

/* ------------------------------------------------------------ helpers */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static int64_t rng_range(int64_t lo, int64_t hi) /* [lo, hi] */
{
    return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

/* A random double with a random sign and a binary exponent in [emin, emax]
 * (subnormal when emin is low enough). */
static double rng_double(int emin, int emax)
{
    double m = 1.0 + (double)(rng() >> 12) * 0x1p-52;
    double x = ldexp(m, (int)rng_range(emin, emax));
    return (rng() & 1) ? -x : x;
}

static void shuffle(double *v, size_t n)
{
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(rng() % (i + 1));
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

static double sum_all(const double *v, size_t n)
{
    qm_sacc s;
    qm__sacc_init(&s);
    for (size_t i = 0; i < n; i++)
        qm__sacc_add(&s, v[i]);
    return qm__sacc_round(&s);
}

/* Sum v split at random cut points into `parts` accumulators, merged in a
 * random order (as threads or ranks would). */
static double sum_split(const double *v, size_t n, int parts)
{
    qm_sacc acc[16];
    int order[16];
    size_t cut[17];
    cut[0] = 0;
    cut[parts] = n;
    for (int p = 1; p < parts; p++)
        cut[p] = (size_t)(rng() % (n + 1));
    for (int p = 1; p < parts; p++) /* sort the cuts */
        for (int q = p; q > 1 && cut[q] < cut[q - 1]; q--) {
            size_t t = cut[q];
            cut[q] = cut[q - 1];
            cut[q - 1] = t;
        }
    for (int p = 0; p < parts; p++) {
        qm__sacc_init(&acc[p]);
        for (size_t i = cut[p]; i < cut[p + 1]; i++)
            qm__sacc_add(&acc[p], v[i]);
        order[p] = p;
    }
    for (int p = parts - 1; p > 0; p--) {
        int j = (int)(rng() % (uint64_t)(p + 1)), t = order[p];
        order[p] = order[j];
        order[j] = t;
    }
    for (int p = 1; p < parts; p++)
        qm__sacc_merge(&acc[order[0]], &acc[order[p]]);
    return qm__sacc_round(&acc[order[0]]);
}

/* ------------------------------------------------------------ exactness */

static void cancellation_of_huge_terms_is_exact(void)
{
    /* every order of {1e100, 1, -1e100} gives exactly 1 */
    const double t[3] = {1e100, 1.0, -1e100};
    const int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int p = 0; p < 6; p++) {
        double v[3] = {t[perm[p][0]], t[perm[p][1]], t[perm[p][2]]};
        double s = sum_all(v, 3);
        QMT_CHECK(s == 1.0, "order %d%d%d: %.17g", perm[p][0], perm[p][1], perm[p][2], s);
    }
    /* the whole exponent range at once */
    double w[3] = {DBL_MAX, DBL_TRUE_MIN, -DBL_MAX};
    CU_ASSERT_EQUAL(sum_all(w, 3), DBL_TRUE_MIN);
    double z[4] = {0x1p1023, -0x1p-1074, -0x1p1023, 0x1p-1022};
    CU_ASSERT_EQUAL(sum_all(z, 4), 0x1p-1022 - 0x1p-1074);
    qm_sacc s;
    qm__sacc_init(&s);
    CU_ASSERT(qmt_same_bits(qm__sacc_round(&s), 0.0)); /* empty sum: +0 */
}

/* Random terms over the whole exponent range (normal and subnormal) and
 * their negations, shuffled, plus one target: the sum is exactly the
 * target, whatever the order or split.  Targets include negative and tiny
 * totals, e.g. -1e-300 left over from terms up to ~1e300. */
static void cancelling_pairs_leave_exactly_the_remainder(void)
{
    const double targets[] = {0.1, -1e-300, 3 * DBL_TRUE_MIN, -DBL_MIN, 1.0,
                              -123456.789, 0x1.fffffffffffffp+1000, -0.0};
    enum { NPAIRS = 2000 };
    static double v[2 * NPAIRS + 1];
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        for (int i = 0; i < NPAIRS; i++) {
            v[2 * i] = rng_double(-1074, 1000);
            v[2 * i + 1] = -v[2 * i];
        }
        v[2 * NPAIRS] = targets[t];
        for (int trial = 0; trial < 5; trial++) {
            shuffle(v, 2 * NPAIRS + 1);
            double s = trial == 0 ? sum_all(v, 2 * NPAIRS + 1)
                                  : sum_split(v, 2 * NPAIRS + 1, 1 + trial * 3);
            /* the value is exact; a -0 target may come back as +0 */
            QMT_CHECK(s == targets[t], "target %.17g trial %d: got %.17g",
                      targets[t], trial, s);
        }
    }
}

/* The faithful pair bracketing S 2^E, S an exact 128-bit integer.
 * (double)S is correctly rounded (round to nearest) by the compiler's
 * int128 conversion; the scalings by 2^E below are exact in the normal
 * range. */
static void bracket(__int128 S, int E, double *rn, double *lo, double *hi)
{
    double d = (double)S;
    __int128 D = (__int128)d;
    *rn = ldexp(d, E);
    if (D == S) {
        *lo = *hi = *rn;
    } else if (D < S) {
        *lo = *rn;
        *hi = ldexp(nextafter(d, INFINITY), E);
    } else {
        *hi = *rn;
        *lo = ldexp(nextafter(d, -INFINITY), E);
    }
}

/*
 * Integer combinations: terms m_i 2^(k_i + E), |m_i| < 2^53, k_i in [0, 60],
 * 64 terms, so the exact sum S 2^E has |S| < 2^119 and is computed exactly
 * in __int128.  The result must be a faithful rounding of it (exact when
 * representable).  E spans subnormal units (-1074), small, unit and large
 * scales; cancellation makes many sums much smaller than their terms.
 * We also count how often the result is the correctly rounded one.
 */
static void integer_combinations_are_faithfully_rounded(void)
{
    const int scales[] = {-1074, -600, 0, 800};
    enum { NTERMS = 64, NTRIALS = 400 };
    double v[NTERMS];
    int correctly_rounded = 0, total = 0;
    for (size_t e = 0; e < sizeof scales / sizeof scales[0]; e++) {
        int E = scales[e];
        for (int trial = 0; trial < NTRIALS; trial++) {
            __int128 S = 0;
            int kmax = (int)rng_range(0, 60);
            for (int i = 0; i < NTERMS; i++) {
                int64_t m = rng_range(-(INT64_C(1) << 53) + 1, (INT64_C(1) << 53) - 1);
                int k = (int)rng_range(0, kmax);
                /* in every other trial, make the terms cancel almost
                 * completely: the last term offsets the running sum */
                if (trial % 2 == 1 && i == NTERMS - 1) {
                    __int128 want = -S + (__int128)rng_range(-1000, 1000);
                    /* represent `want` as m 2^k with |m| < 2^53 if possible */
                    k = 0;
                    while (want >= ((__int128)1 << 53) || want <= -((__int128)1 << 53)) {
                        want /= 2; /* truncation keeps it an integer */
                        k++;
                    }
                    m = (int64_t)want;
                }
                S += (__int128)m * ((__int128)1 << k);
                v[i] = ldexp((double)m, k + E);
            }
            double rn, lo, hi;
            bracket(S, E, &rn, &lo, &hi);
            for (int split = 0; split < 2; split++) {
                shuffle(v, NTERMS);
                double s = split ? sum_split(v, NTERMS, 5) : sum_all(v, NTERMS);
                QMT_CHECK(s == lo || s == hi,
                          "E=%d trial %d: got %a, exact sum lies in [%a, %a]",
                          E, trial, s, lo, hi);
                correctly_rounded += s == rn;
                total++;
            }
        }
    }
    printf("\n    [%d of %d results correctly rounded, all must be faithful] ",
           correctly_rounded, total);
}

/* Ties and near-ties of negative totals reached through cancellation: the
 * result is one of the two neighbours of the exact value (a sign or
 * floor/truncation mix-up gives something else). */
static void negative_totals_with_cancellation_round_to_a_neighbour(void)
{
    const int scales[] = {-1000, -52, 0, 700};
    const int64_t tails[] = {1, 2, 3, -1}; /* -(2^53 + tail) */
    for (size_t e = 0; e < 4; e++)
        for (size_t t = 0; t < 4; t++) {
            int E = scales[e];
            double v[4] = {ldexp(1, 100 + E), -ldexp(1, 53 + E),
                           -ldexp((double)tails[t], E), -ldexp(1, 100 + E)};
            __int128 S = -((__int128)1 << 53) - tails[t];
            double rn, lo, hi;
            bracket(S, E, &rn, &lo, &hi);
            double s = sum_all(v, 4);
            QMT_CHECK(s == lo || s == hi,
                      "-(2^53 + %lld) 2^%d: got %a, want %a or %a",
                      (long long)tails[t], E, s, lo, hi);
        }
    /* -1e-300 plus a term below half its ulp, under huge cancelling terms */
    double w[6] = {1e300, -1e-300, -3e-320, -1e300, 1e200, -1e200};
    double s = sum_all(w, 6);
    QMT_CHECK(s == -1e-300 || s == nextafter(-1e-300, -INFINITY),
              "-1e-300 - 3e-320: got %.17g", s);
}

/* ------------------------------------------------------------ order independence */

/*
 * 10000 random doubles of random sign with exponents in [-300, 300]:
 * 20 random orders, each split at random into 1..16 accumulators merged
 * in random order, all give the same bits.  As a sanity check (not the
 * exact reference), a long double Neumaier sum in decreasing magnitude order
 * agrees to 1 ulp when the condition number sum|x| / |sum x| is small.
 */
static int cmp_mag_desc(const void *p, const void *q)
{
    double a = fabs(*(const double *)p), b = fabs(*(const double *)q);
    return (a < b) - (a > b);
}

static void order_and_splitting_do_not_change_bits(void)
{
    enum { N = 10000 };
    static double v[N], sorted[N];
    for (int set = 0; set < 2; set++) {
        for (int i = 0; i < N; i++) {
            v[i] = rng_double(-300, 300);
            if (set == 1)
                v[i] = fabs(v[i]); /* all positive: condition number 1 */
        }
        double first = sum_all(v, N);
        for (int trial = 0; trial < 20; trial++) {
            shuffle(v, N);
            int parts = (int)rng_range(1, 16);
            double s = sum_split(v, N, parts);
            QMT_CHECK(qmt_same_bits(s, first), "set %d trial %d (%d parts): %a vs %a",
                      set, trial, parts, s, first);
        }
        memcpy(sorted, v, sizeof v);
        qsort(sorted, N, sizeof sorted[0], cmp_mag_desc);
        long double s = 0, c = 0, mag = 0;
        for (int i = 0; i < N; i++) {
            long double x = sorted[i], t = s + x;
            c += fabsl(s) >= fabsl(x) ? (s - t) + x : (x - t) + s;
            s = t;
            mag += fabsl(x);
        }
        double ref = (double)(s + c);
        long double cond = mag / fabsl(s + c);
        if (cond < 256)
            QMT_CHECK(fabs(first - ref) <= qmt_ulp(ref),
                      "set %d: exact accumulator %.17g, long double Neumaier %.17g",
                      set, first, ref);
    }
}

/* ------------------------------------------------------------ special values */

static void subnormals_are_summed_exactly(void)
{
    qm_sacc s;
    qm__sacc_init(&s);
    for (int i = 0; i < 1000; i++)
        qm__sacc_add(&s, DBL_TRUE_MIN);
    CU_ASSERT_EQUAL(qm__sacc_round(&s), 1000 * DBL_TRUE_MIN);
    double a[3] = {DBL_MIN, -DBL_TRUE_MIN, 0.0};
    CU_ASSERT_EQUAL(sum_all(a, 3), DBL_MIN - DBL_TRUE_MIN); /* largest subnormal */
    double b[2] = {DBL_MIN / 2, DBL_MIN / 2};
    CU_ASSERT_EQUAL(sum_all(b, 2), DBL_MIN);
    double c[3] = {1.0, DBL_TRUE_MIN, -1.0};
    CU_ASSERT_EQUAL(sum_all(c, 3), DBL_TRUE_MIN);
    double d[2] = {-3 * DBL_TRUE_MIN, DBL_TRUE_MIN};
    CU_ASSERT_EQUAL(sum_all(d, 2), -2 * DBL_TRUE_MIN);
    /* integer multiples of 2^-1074 below 2^-1022 are all representable:
     * random sums of subnormals are exact */
    for (int trial = 0; trial < 200; trial++) {
        double v[64];
        int64_t S = 0;
        for (int i = 0; i < 64; i++) {
            int64_t m = rng_range(-(INT64_C(1) << 44), INT64_C(1) << 44);
            S += m;
            v[i] = (double)m * DBL_TRUE_MIN;
        }
        double want = (double)S * DBL_TRUE_MIN; /* |S| < 2^50: exact */
        double got = sum_split(v, 64, 3);
        QMT_CHECK(got == want, "subnormal sum: %a, want %a", got, want);
    }
}

static void largest_doubles_overflow_only_when_rounded(void)
{
    qm_sacc s;
    qm__sacc_init(&s);
    qm__sacc_add(&s, DBL_MAX);
    qm__sacc_add(&s, DBL_MAX);
    CU_ASSERT_EQUAL(qm__sacc_round(&s), INFINITY);
    qm__sacc_add(&s, -DBL_MAX); /* the accumulator itself stayed finite */
    CU_ASSERT_EQUAL(qm__sacc_round(&s), DBL_MAX);

    qm__sacc_init(&s);
    qm__sacc_add(&s, -DBL_MAX);
    qm__sacc_add(&s, -DBL_MAX);
    CU_ASSERT_EQUAL(qm__sacc_round(&s), -INFINITY);
    qm__sacc_add(&s, DBL_MAX);
    CU_ASSERT_EQUAL(qm__sacc_round(&s), -DBL_MAX);

    /* DBL_MAX plus less than an ulp: |error| < 1 ulp excludes +Inf */
    double v[2] = {DBL_MAX, 1.0};
    CU_ASSERT_EQUAL(sum_all(v, 2), DBL_MAX);

    /* 2^20 additions of DBL_MAX/2 (2^1043 in all), then their negations
     * in another accumulator, merged, plus 1.5: exactly 1.5 */
    qm_sacc pos, neg;
    qm__sacc_init(&pos);
    qm__sacc_init(&neg);
    for (int i = 0; i < (1 << 20); i++) {
        qm__sacc_add(&pos, DBL_MAX / 2);
        qm__sacc_add(&neg, -DBL_MAX / 2);
    }
    CU_ASSERT_EQUAL(qm__sacc_round(&pos), INFINITY);
    CU_ASSERT_EQUAL(qm__sacc_round(&neg), -INFINITY);
    qm__sacc_add(&neg, 1.5);
    qm__sacc_merge(&pos, &neg);
    CU_ASSERT_EQUAL(qm__sacc_round(&pos), 1.5);
}

static void infinities_and_nan_propagate(void)
{
    const struct { double a, b, want; } cases[] = {
        {INFINITY, 1.0, INFINITY},       {-INFINITY, 1.0, -INFINITY},
        {INFINITY, INFINITY, INFINITY},  {-INFINITY, -INFINITY, -INFINITY},
        {INFINITY, -INFINITY, NAN},      {NAN, 1.0, NAN},
        {NAN, INFINITY, NAN},            {INFINITY, -DBL_MAX, INFINITY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int merged = 0; merged < 2; merged++) {
            qm_sacc s, t;
            qm__sacc_init(&s);
            qm__sacc_init(&t);
            qm__sacc_add(&s, 5.0);
            qm__sacc_add(&s, cases[i].a);
            qm__sacc_add(merged ? &t : &s, cases[i].b);
            qm__sacc_add(&s, -3.0);
            if (merged)
                qm__sacc_merge(&s, &t);
            double got = qm__sacc_round(&s), want = cases[i].want;
            QMT_CHECK(isnan(want) ? isnan(got) : got == want,
                      "%g + %g (%s): got %g, want %g", cases[i].a, cases[i].b,
                      merged ? "merged" : "added", got, want);
        }
    }
}

/* ------------------------------------------------------------ headroom */

/*
 * Carries over very many additions.  2^31 additions would take ~13 s here
 * (~6 ns each), so we reach the same counts through merges, which count as
 * the sum of both sides' additions: doubling an accumulator by merging a
 * copy of itself 44 times represents 2^44 * 2^10 additions of x, past the
 * point where unnormalized 32-bit digits would overflow their int64 limbs.
 * x has all 53 significand bits set, straddling limb boundaries, so every
 * limb it touches receives a full digit each time.  The exact result
 * 2^54 x is a double, so it must come back exactly (and at every level).
 */
static void merges_equivalent_to_2_pow_54_additions_stay_exact(void)
{
    const double xs[] = {0x1.fffffffffffffp-3, -0x1.fffffffffffffp+17,
                         0x1.fffffffffffffp-1020, -0x1.fffffffffffffp+960};
    for (size_t k = 0; k < sizeof xs / sizeof xs[0]; k++) {
        double x = xs[k];
        qm_sacc s, copy;
        qm__sacc_init(&s);
        for (int i = 0; i < 1024; i++)
            qm__sacc_add(&s, x);
        int ok = qm__sacc_round(&s) == ldexp(x, 10);
        for (int level = 1; level <= 44; level++) {
            copy = s;
            qm__sacc_merge(&s, &copy);
            double got = qm__sacc_round(&s);
            if (got != ldexp(x, 10 + level)) {
                QMT_CHECK(0, "x=%a level %d: got %a, want %a", x, level, got,
                          ldexp(x, 10 + level));
                ok = 0;
                break;
            }
        }
        QMT_CHECK(ok, "x=%a: doubling by merges lost exactness", x);
        /* and cancels back to zero against the negated twin */
        qm_sacc neg;
        qm__sacc_init(&neg);
        qm__sacc_add(&neg, -ldexp(x, 54));
        qm__sacc_merge(&s, &neg);
        CU_ASSERT_EQUAL(qm__sacc_round(&s), 0.0);
    }
}

int main(void)
{
    QMT_INIT_REGISTRY();
    CU_pSuite s;

    s = qmt_suite("exactness");
    QMT_ADD(s, cancellation_of_huge_terms_is_exact);
    QMT_ADD(s, cancelling_pairs_leave_exactly_the_remainder);
    QMT_ADD(s, integer_combinations_are_faithfully_rounded);
    QMT_ADD(s, negative_totals_with_cancellation_round_to_a_neighbour);

    s = qmt_suite("order_independence");
    QMT_ADD(s, order_and_splitting_do_not_change_bits);

    s = qmt_suite("special_values");
    QMT_ADD(s, subnormals_are_summed_exactly);
    QMT_ADD(s, largest_doubles_overflow_only_when_rounded);
    QMT_ADD(s, infinities_and_nan_propagate);

    s = qmt_suite("headroom");
    QMT_ADD(s, merges_equivalent_to_2_pow_54_additions_stay_exact);

    return qmt_run();
}
