#!/bin/sh
# bench_cli_expr.sh: expressions typed on the command line against the same
# integrands written as batched C plugins compiled -O3 -march=native (glibc
# math), through the same ./integrate binary, in one run; plus today's
# muparser path (--engine muparser) and adaptive / cubature runs.
#
#   top_builddir=. sh bench/bench_cli_expr.sh [N]      (default N = 2e7)
#
# Prints ns per point, the ratios with their targets, and the geometric mean.
# Not a test: timings depend on the machine; ratios are what to read.
set -u
: "${top_builddir:=.}"
INTEGRATE="$top_builddir/integrate"
N=${1:-2e7}
THREADS=${THREADS:-2}
CC=${CC:-cc}
NATIVE_CFLAGS=${BENCH_NATIVE_CFLAGS:--O3 -march=native}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_expr.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# name | expression | C body for y[i] (v = x[i]) -- as a careful user writes it
cat >"$tmp/cases" <<'CASES'
polynomial|x*x*x-2*x+1|v*v*v - 2*v + 1
rational|1/(1+x^4)|1/(1 + v*v*v*v)
sqrt|sqrt(1+x*x)|sqrt(1 + v*v)
log|log(1+x)|log(1 + v)
exp-trig|exp(-x^2)*cos(3*x)|exp(-v*v)*cos(3*v)
trig|sin(x)^2+cos(x)^3|sin(v)*sin(v) + cos(v)*cos(v)*cos(v)
hyperbolic|tanh(x)+cosh(x/4)|tanh(v) + cosh(v/4)
power|x^2.5|pow(v, 2.5)
CASES

# seconds NAME ARGS...: fastest of 3 runs, from the JSON report
seconds() {
    "$INTEGRATE" --format json -t "$THREADS" --repeat 5 "$@" >"$tmp/out" 2>"$tmp/err" || {
        echo "bench_cli_expr: integrate $* failed: $(cat "$tmp/err")" >&2
        echo nan
        return
    }
    sed 's/.*"seconds": \([^,]*\),.*/\1/' "$tmp/out"
}
value() { sed 's/.*"result": \([^,]*\),.*/\1/' "$tmp/out"; }

echo "quadmap bench_cli_expr: midpoint rule on [0.5, 3], N = $N, $THREADS threads, best of 5"
echo "plugins: $CC $NATIVE_CFLAGS (glibc libm); vector ISA: $("$INTEGRATE" --info | awk -F': ' '/^vector ISA/ {split($2, a, " "); print a[1]}')"
echo
printf '%-11s %-22s %9s %9s %9s %8s %8s\n' case expression "expr ns" "plugin ns" "mup ns" "expr/plg" "expr/mup"
: >"$tmp/ratios"
i=0
while IFS='|' read -r name expr body; do
    i=$((i + 1))
    cat >"$tmp/p$i.c" <<SRC
#include <math.h>
#include <stddef.h>
int f(size_t n, const double *x, double *y, void *d)
{
    (void)d;
    for (size_t i = 0; i < n; i++) {
        const double v = x[i];
        y[i] = $body;
    }
    return 0;
}
SRC
    $CC $NATIVE_CFLAGS -fPIC -shared "$tmp/p$i.c" -o "$tmp/p$i.so" -lm || exit 1
    te=$(seconds "$expr" 0.5 3 -n "$N")
    ve=$(value)
    tp=$(seconds --plugin "$tmp/p$i.so:f" 0.5 3 -n "$N")
    vp=$(value)
    # muparser is ~50x slower: a tenth of the points, time scaled per point
    tm=$(seconds --engine muparser "$expr" 0.5 3 -n "$(awk -v n="$N" 'BEGIN {printf "%.0f", n / 10}')")
    awk -v name="$name" -v expr="$expr" -v te="$te" -v tp="$tp" -v tm="$tm" -v n="$N" \
        -v ve="$ve" -v vp="$vp" 'BEGIN {
        ne = te / n * 1e9; np = tp / n * 1e9; nm = tm / (n / 10) * 1e9
        printf "%-11s %-22s %9.3f %9.3f %9.2f %8.2f %8.1f   (%s vs %s)\n",
               name, expr, ne, np, nm, np / ne, nm / ne, ve, vp
    }'
    awk -v name="$name" -v te="$te" -v tp="$tp" -v tm="$tm" -v n="$N" \
        'BEGIN {printf "%s %.6g %.6g\n", name, tp / te, (tm * 10) / te}' >>"$tmp/ratios"
done <"$tmp/cases"

echo
awk '
{ lg += log($2); k++; if (worst == "" || $2 < worst) { worst = $2; wn = $1 }
  if ($1 == "polynomial") poly = $3 }
END {
    gm = exp(lg / k)
    printf "ratios (speed = 1 / time):\n"
    printf "  expression / plugin, geometric mean of %d     %8.2f  (target >= 1.5)  %s\n", k, gm, ((gm >= 1.5) ? "PASS" : "MISS")
    printf "  expression / plugin, worst (%-12s)    %8.2f  (target >= 0.7)  %s\n", wn, worst, ((worst >= 0.7) ? "PASS" : "MISS")
    printf "  polynomial: engine / muparser                 %8.1f  (target >= 20)   %s\n", poly, ((poly >= 20) ? "PASS" : "MISS")
}' "$tmp/ratios"

echo
echo "adaptive and cubature with expressions (engine vs --engine muparser):"
run_pair() {
    label=$1
    shift
    tv=$(seconds "$@")
    ev=$(sed 's/.*"evaluations": \([^,]*\),.*/\1/' "$tmp/out")
    tm=$(seconds --engine muparser "$@")
    awk -v l="$label" -v tv="$tv" -v tm="$tm" -v ev="$ev" 'BEGIN {
        printf "  %-52s %10d evals  engine %9.3f ms  muparser %9.3f ms  speed-up %5.1fx\n",
               l, ev, 1e3 * tv, 1e3 * tm, tm / tv }'
}
run_pair "adaptive gk21 sin(1/x) on [0.0005,1]" --rule adaptive 'sin(1/x)' 0.0005 1 --limit 100000
run_pair "adaptive x^3*ln(abs((x^2-1)*(x^2-2))) on [0,3]" --rule adaptive 'x^3*ln(abs((x^2-1)*(x^2-2)))' 0 3 --breakpoints '1,sqrt(2)'
run_pair "tanh-sinh log(x)*cos(60*x) on [0,1]" --rule tanh-sinh 'log(x)*cos(60*x)' 0 1 --epsrel 1e-12
run_pair "cubature 3-D exp(-(x1^2+x2^2+x3^2))*cos(x1*x2*x3)" --rule cubature --dim 3 'exp(-(x1^2+x2^2+x3^2))*cos(x1*x2*x3)' -1 1 -1 1 -1 1 -n 3e6
run_pair "qmc 4-D exp(-(x1+x2+x3+x4))*log(1+x1)" --rule qmc --dim 4 'exp(-(x1+x2+x3+x4))*log(1+x1)' -n 2e6
