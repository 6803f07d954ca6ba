#!/bin/sh
# Output and behaviour of `integrate` on valid input.
# shellcheck disable=SC2317 # helper functions are called through check
set -u
# shellcheck source=tests/cli_common.sh
. "$(dirname "$0")/cli_common.sh"

third=333.333333333333333 # 1000/3, the default problem's exact value

# --- default run: x^2 on [0, 10] with the native builtin
run_cli
check "exits 0" [ "$rc" -eq 0 ]
check "says it uses the builtin" grep -q '^integrand *: x^2 (builtin x2)$' "$OUT"
check "prints an exact reference" grep -q '^reference *: 333.333333333333[0-9]* (exact)$' "$OUT"
check "prints the backend" grep -Eq '^backend *: (openmp|serial), [0-9]+ threads?' "$OUT"
for label in result reference error abserr evaluations rule time throughput; do
    check "has a '$label' line" grep -q "^$label *: " "$OUT"
done
check "nothing on stderr" [ ! -s "$ERR" ]

# --- JSON: one line, every key, values
run_cli --format json
check "json exits 0" [ "$rc" -eq 0 ]
check "json is one line" [ "$(lines "$OUT")" -eq 1 ]
for key in result abserr reference reference_kind error rule n a b expression \
           evaluations backend threads ranks schedule chunk seconds \
           points_per_second status message fail_x; do
    check "json has key $key" json_get "$key" >/dev/null
done
check "json result is 1000/3 within 1e-9" near "$(json_get result)" "$third" 1e-9
check "json reference is exact" [ "$(json_get reference_kind)" = exact ]
check "json reference is 1000/3" near "$(json_get reference)" "$third" 1e-15
check "json default N is 1e8" [ "$(json_get n)" = 100000000 ]
check "json status 0" [ "$(json_get status)" = 0 ]
check "json expression is the builtin formula" [ "$(json_get expression)" = 'x^2' ]
check "json ranks 1" [ "$(json_get ranks)" = 1 ]
check "json fail_x null on success" [ "$(json_get fail_x)" = null ]
check "json evaluations = N" [ "$(json_get evaluations)" = 100000000 ]

# --- CSV: header + one line with as many fields
run_cli --format csv
check "csv exits 0" [ "$rc" -eq 0 ]
check "csv has two lines" [ "$(lines "$OUT")" -eq 2 ]
check "csv header names result and status" \
    grep -q '^result,abserr,reference,.*,status,message,fail_x' "$OUT"
check "csv rows have equal field counts" \
    awk -F, 'NR == 1 { n = NF } NR == 2 { exit NF != n }' "$OUT"

# --- -q: one number
run_cli -q
check "-q prints one line" [ "$(lines "$OUT")" -eq 1 ]
check "-q prints a number" is_number "$(cat "$OUT")"
check "-q value is 1000/3" near "$(cat "$OUT")" "$third" 1e-9
default_bits=$(cat "$OUT")

# --- negative bounds, expressions as bounds, options anywhere, --
run_cli 'x^3' -1 1 -q -n 1000
check "'x^3' -1 1 is 0" near "$(cat "$OUT")" 0 1e-12
run_cli '2*sin(x)' 0 pi/2 -q
check "2 sin(x) over [0, pi/2] is 2" near "$(cat "$OUT")" 2 1e-9
run_cli 'sin(x)' 0 pi/2 -q
check "sin(x) over [0, pi/2] is 1" near "$(cat "$OUT")" 1 1e-9
run_cli x -.5 '-(1)' -q -n 10
check "-.5 and -(1) are bounds" near "$(cat "$OUT")" 0.375 1e-14
run_cli -q -n 10 -r trapezoid x 0 1
check "options before positionals" near "$(cat "$OUT")" 0.5 1e-15
run_cli x 0 1 -n 10 -r trapezoid -q
check "options after positionals" near "$(cat "$OUT")" 0.5 1e-15
run_cli -q -n 10 x 0 -- 2
check "-- before the last positional" near "$(cat "$OUT")" 2 1e-14
run_cli -q -n 100 -- -x -pi pi
check "-- lets -x and -pi through" near "$(cat "$OUT")" 0 1e-12
run_cli -q --points=1e3 --rule=trapezoid x 0 1
check "--points=1e3 and --rule= work" near "$(cat "$OUT")" 0.5 1e-15
run_cli --format json -n 4e3 x 0 1
check "-n 4e3 is 4000" [ "$(json_get n)" = 4000 ]
run_cli --format json -n 1000000 x 0 1
check "-n 1000000 is 1000000" [ "$(json_get n)" = 1000000 ]

# --- every rule
e_minus_1=1.7182818284590452
for rule in left midpoint trapezoid simpson gauss gauss:1 gauss:7 gauss:64; do
    run_cli -q -r "$rule" -n 1000 'exp(x)' 0 1
    check "rule $rule exits 0" [ "$rc" -eq 0 ]
    check "rule $rule integrates exp over [0, 1]" near "$(cat "$OUT")" "$e_minus_1" 1e-3
    run_cli --format json -r "$rule" -n 1000 'exp(x)' 0 1
    expected_name=$(echo "$rule" | sed 's/^gauss$/gauss:5/')
    check "rule $rule is named" [ "$(json_get rule)" = "$expected_name" ]
done
run_cli -q -r gauss:7 -n 10 'exp(x)' 0 1
check "gauss:7 is accurate to 1e-14" near "$(cat "$OUT")" "$e_minus_1" 1e-14

# --- bitwise identical results for any threads, schedule, chunk, backend
run_cli --format json -n 10
if [ "$(json_get backend)" = openmp ]; then
    configs="-t 1|-t 2|-t 3|-t 2 --schedule dynamic --chunk 1|-t 3 --schedule guided --chunk 7|-t 3 --schedule dynamic|-t 2 --schedule static --chunk 3|--serial"
else
    echo "note: built without OpenMP, thread-count checks reduced"
    configs="-t 1|--serial|--schedule dynamic --chunk 2"
fi
same_bits() { # ARGS...: -q result for every configuration equals the first
    ref=
    old_ifs=$IFS
    IFS='|'
    for cfg in $configs; do # the list is split once, on '|'
        IFS=$old_ifs
        # shellcheck disable=SC2086
        run_cli -q $cfg "$@"
        [ "$rc" -eq 0 ] || return 1
        got=$(cat "$OUT")
        [ -n "$ref" ] || ref=$got
        [ "$got" = "$ref" ] || { echo "  $cfg gave $got, -t 1 gave $ref"; return 1; }
    done
    IFS=$old_ifs
}
check "same bits: expression" same_bits 'sin(x)*exp(-x)+1/(1+x^2)' -3 7 -n 123457 -r gauss:3
check "same bits: builtin" same_bits --builtin runge -1 1 -n 1000003 -r simpson
check "same bits: default problem" same_bits -n 1e6
if [ -f "$PLUGIN" ]; then
    check "same bits: plugin" same_bits --plugin "$PLUGIN:cube" -1 2 -n 100001
fi

# --- builtin vs the same expression through muparser
run_cli -q --builtin runge -1 1 -n 100000
builtin_value=$(cat "$OUT")
run_cli -q '1/(1+25*x*x)' -1 1 -n 100000
check "builtin and expression agree" near "$(cat "$OUT")" "$builtin_value" 1e-13
run_cli --format json 'x ^ 2' 0 10 -n 1000
check "an EXPR equal to a builtin formula uses the builtin" [ "$(json_get builtin)" = x2 ]
run_cli --format json 'x*x' 0 10 -n 1000
check "other expressions use muparser" [ "$(json_get integrand)" = expression ]
check "expressions have a GSL reference" [ "$(json_get reference_kind)" = gsl_qags ]
run_cli --format json 'x*x' 0 10
check "expressions' default N is 1e6" [ "$(json_get n)" = 1000000 ]

# --- plugin
if [ -f "$PLUGIN" ]; then
    run_cli --plugin "$PLUGIN:cube" -1 2 --format json
    check "plugin exits 0" [ "$rc" -eq 0 ]
    check "plugin cube over [-1, 2] is 15/4" near "$(json_get result)" 3.75 1e-9
    check "plugin integrand kind" [ "$(json_get integrand)" = plugin ]
    run_cli --plugin "$PLUGIN:fails_above_5" 0 5 -q -n 100
    check "plugin fails_above_5 works up to 5" near "$(cat "$OUT")" 12.5 1e-12
else
    echo "note: $PLUGIN not built, plugin checks skipped"
fi

# --- --validate on a smooth integrand.  The library's Richardson estimate is
# asymptotically exact (not a bound), so use rules whose error is well below
# the estimate's roundoff term (50 eps |value|) to keep a safe margin.
run_cli 'exp(-x^2)+x' 0 2 -r simpson -n 1000 --validate --format json
check "--validate agrees: exit 0" [ "$rc" -eq 0 ]
check "--validate says agree" [ "$(json_get validation)" = agree ]
check "--validate gives gsl_result" near "$(json_get gsl_result)" "$(json_get result)" 1e-9
run_cli --builtin gauss -2 3 -r gauss -n 1000 --validate
check "--validate text exit 0" [ "$rc" -eq 0 ]
check "--validate text line" grep -q '^validation *: agrees' "$OUT"

# --- --repeat
run_cli --repeat 3 -n 1e6 --format json
check "--repeat 3 exits 0" [ "$rc" -eq 0 ]
check "--repeat 3 reported" [ "$(json_get repeat)" = 3 ]
check "fastest <= median" awk -v a="$(json_get seconds)" -v b="$(json_get seconds_median)" \
    'BEGIN { exit !(a + 0 <= b + 0) }'
run_cli --repeat 3 -n 1e6
check "--repeat text mentions the runs" grep -q 'fastest of 3 runs' "$OUT"

# --- serial backend
run_cli --serial --format json -n 1e5
check "--serial backend" [ "$(json_get backend)" = serial ]
check "--serial one thread" [ "$(json_get threads)" = 1 ]
run_cli -t 3 --format json -n 1e5
if [ "$(json_get backend)" = openmp ]; then
    check "-t 3 threads" [ "$(json_get threads)" = 3 ]
fi

# --- a > b, a == b
run_cli -q 'x^2+1' 0 3 -n 999
forward=$(cat "$OUT")
run_cli -q 'x^2+1' 3 0 -n 999
check "a > b negates the bits" [ "$(cat "$OUT")" = "-$forward" ]
run_cli -q 'x^2+1' 2 2
check "a == b gives 0" near "$(cat "$OUT")" 0 0
run_cli -q --builtin x2 10 0
check "default problem reversed" [ "$(cat "$OUT")" = "-$default_bits" ]

# --- --help, --version, --list-builtins
run_cli --help
check "--help exits 0" [ "$rc" -eq 0 ]
for opt in points rule threads schedule chunk serial builtin plugin list-builtins \
           validate format repeat quiet help version; do
    check "--help mentions --$opt" grep -q -- "--$opt" "$OUT"
done
run_cli --version
check "--version" [ "$(cat "$OUT")" = "integrate (quadmap) 0.1.0" ]
run_cli -V
check "-V exits 0" [ "$rc" -eq 0 ]
run_cli --list-builtins
check "--list-builtins lists x2" grep -q '^x2 *x^2$' "$OUT"

finish
