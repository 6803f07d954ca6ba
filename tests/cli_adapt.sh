#!/bin/sh
# `integrate` with the adaptive rules: infinite bounds, breakpoints,
# tanh-sinh, tolerances, the report's keys, --validate with the matching GSL
# routine, reproducibility across thread counts, and bad input.
# shellcheck disable=SC2317 # helper functions are called through check
set -u
# shellcheck source=tests/cli_common.sh
. "$(dirname "$0")/cli_common.sh"

# value ARGS...: run -q and check "close to EXPECTED within TOL (relative)"
value_near() {
    expected=$1
    tol=$2
    shift 2
    run_cli -q "$@"
    check "exit 0" [ "$rc" -eq 0 ]
    check "result $(cat "$OUT") ~ $expected" near "$(cat "$OUT")" "$expected" "$tol"
}

value_near 1.7724538509055160 1e-10 --rule adaptive 'exp(-x^2)' -inf inf
value_near 1.5707963267948966 1e-10 --rule adaptive '1/(1+x^2)' 0 inf
value_near 1.5707963267948966 1e-10 --rule adaptive '1/(1+x^2)' -inf 0
value_near 1 1e-10 --rule adaptive 'x*exp(-x)' 0 inf
value_near 52.740748383471444998 1e-9 --rule adaptive \
    'x^3*ln(abs((x^2-1)*(x^2-2)))' 0 3 --breakpoints '1,sqrt(2)'
value_near -4 1e-9 --rule adaptive 'ln(x)/sqrt(x)' 0 1
value_near 10 1e-8 --rule tanh-sinh 'x^(-0.9)' 0 1 --epsrel 1e-9
value_near 2 1e-10 --rule adaptive:gk61 'sin(x)' 0 pi
value_near -2 1e-10 --rule adaptive:gk15 'sin(x)' pi 0
value_near 0.66666666666666663 1e-10 --rule tanh-sinh 'sqrt(x)' 0 1

# the report
run_cli --rule adaptive --format json '1/(1+x^2)' 0 inf
check "JSON exit 0" [ "$rc" -eq 0 ]
has_key() { json_get "$1" >/dev/null; }
for key in status message abserr evaluations subregions epsabs epsrel rule; do
    check "JSON has $key" has_key "$key"
done
check "rule adaptive:gk21" [ "$(json_get rule)" = "adaptive:gk21" ]
check "n is null" [ "$(json_get n)" = null ]
check "reference from GSL qagiu" [ "$(json_get reference_kind)" = gsl_qagiu ]
check "several subregions" [ "$(json_get subregions)" -ge 1 ]
check "evaluations are counted" [ "$(json_get evaluations)" -gt 0 ]
run_cli --rule adaptive 'exp(-x^2)' -inf inf
check "text report names the tolerances" grep -q '^rule *: adaptive:gk21, epsabs 0, epsrel 1e-10' "$OUT"
run_cli --rule adaptive --validate 'exp(-x)*cos(x)' 0 inf
check "--validate against qagiu agrees" [ "$rc" -eq 0 ] && grep -q 'agrees: GSL qagiu' "$OUT"
run_cli --rule adaptive --validate 'x^3*ln(abs((x^2-1)*(x^2-2)))' 0 3 --breakpoints '1,sqrt(2)'
check "--validate against qagp agrees" [ "$rc" -eq 0 ] && grep -q 'agrees: GSL qagp' "$OUT"

# same bits for any thread count (a build without OpenMP has one thread)
run_cli --format json -n 10
if [ "$(json_get backend)" = openmp ]; then
    thread_counts="2 3"
else
    echo "note: built without OpenMP, thread-count checks use --serial"
    thread_counts=
fi
for args in "--rule adaptive exp(-x^2)*cos(5*x) -inf inf" "--rule tanh-sinh ln(x)*x^(-0.5) 0 1" \
            "--rule adaptive:gk31 1/((x-0.3)^2+1e-4) 0 1"; do
    # shellcheck disable=SC2086 # word splitting of the argument list is wanted
    run_cli -q -t 1 $args
    ref=$(cat "$OUT")
    for t in $thread_counts; do
        # shellcheck disable=SC2086
        run_cli -q -t "$t" $args
        check "$args: -t $t gives the bits of -t 1" [ "$(cat "$OUT")" = "$ref" ]
    done
done

# bad input: exit 2, one line
usage() {
    pattern=$1
    shift
    run_cli "$@"
    check "exit 2" [ "$rc" -eq 2 ]
    check "nothing on stdout" [ ! -s "$OUT" ]
    check "message matches '$pattern'" grep -q -- "$pattern" "$ERR"
}
usage "infinite bounds need --rule adaptive" 'exp(-x)' 0 inf
usage "invalid --epsabs '-1'" --rule adaptive --epsabs -1 x 0 1
usage "invalid --epsrel 'nan'" --rule adaptive --epsrel nan x 0 1
usage "cannot both be zero" --rule adaptive --epsrel 0 x 0 1
usage "-n applies to the fixed rules" --rule adaptive -n 100 x 0 1
usage "needs --rule adaptive" --breakpoints 0.5 x 0 1
usage "invalid breakpoint" --rule adaptive --breakpoints '0.5,foo(' x 0 1
usage "unknown rule 'adaptive:gk99'" --rule adaptive:gk99 x 0 1

# multi-dimensional: cubature, Monte Carlo, quasi-Monte Carlo
value_near 0.25 1e-12 --rule cubature --dim 2 'x1*x2' 0 1 0 1
value_near 3.332307087093105 1e-8 --rule cubature --dim 3 --epsrel 1e-9 \
    'exp(-(x1^2+x2^2+x3^2))' -1 1 -1 1 -1 1
value_near 0.125 1e-12 --rule cubature --dim 3 'x1*x2*x3'
run_cli --rule mc --dim 2 --format json -n 1e6 '4*(x1^2+x2^2<=1)'
check "MC pi: exit 0" [ "$rc" -eq 0 ]
mc_err=$(json_get abserr)
check "MC pi within 4 standard errors ($(json_get result) +- $mc_err)" \
    near "$(json_get result)" 3.141592653589793 "$(awk -v e="$mc_err" 'BEGIN{print 4*e/3.1416}')"
check "MC: n = samples" [ "$(json_get n)" = 1000000 ]
check "MC: dim 2" [ "$(json_get dim)" = 2 ]
run_cli --rule mc --dim 2 --format json -n 1e6 'exp(-x1*x2)'
mc_err=$(json_get abserr)
run_cli --rule qmc --dim 2 --format json -n 1e6 'exp(-x1*x2)'
check "QMC: exit 0" [ "$rc" -eq 0 ]
qmc_err=$(json_get abserr)
check "QMC error $qmc_err at least 10x below MC's $mc_err" \
    awk -v q="$qmc_err" -v m="$mc_err" 'BEGIN { exit !(q > 0 && 10 * q < m) }'
check "QMC result near 0.79659959929705..." near "$(json_get result)" 0.7965995992970534 "$(awk -v e="$qmc_err" 'BEGIN{print 5*e}')"
for args in "--rule cubature --dim 3 exp(x1*x2*x3)" "--rule mc --dim 2 -n 1e5 sin(x1+x2)" \
            "--rule qmc --dim 4 -n 65536 x1*x2+x3*x4"; do
    # shellcheck disable=SC2086
    run_cli -q -t 1 $args
    ref=$(cat "$OUT")
    for t in $thread_counts; do
        # shellcheck disable=SC2086
        run_cli -q -t "$t" $args
        check "$args: -t $t gives the bits of -t 1" [ "$(cat "$OUT")" = "$ref" ]
    done
done
run_cli --rule cubature --dim 2 'x1+x2' 0 1 0 2
check "text report shows the box" grep -q '^box *: \[0, 1\] x \[0, 2\]' "$OUT"
usage "cubature needs --dim 2" --rule cubature 'x' 0 1
usage "takes EXPR and 6 bounds" --rule cubature --dim 3 'x1' 0 1 0 1
usage "needs --rule cubature, mc or qmc" --dim 2 'x1*x2' 0 1 0 1
usage "--validate compares one-dimensional" --rule mc --dim 2 --validate 'x1'
usage "invalid expression 'x4'" --rule cubature --dim 3 'x4'
usage "bounds of x2 must be finite" --rule cubature --dim 2 'x1' 0 1 1 0

# a library failure keeps its GSL-like status and best estimate
run_cli --rule adaptive --limit 3 'sin(100*x)' 0 10
check "subdivision limit: exit 1" [ "$rc" -eq 1 ]
check "names the limit" grep -q 'maximum number of subdivisions' "$ERR"

finish
