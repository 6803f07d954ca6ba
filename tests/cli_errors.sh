#!/bin/sh
# Exit statuses and messages of `integrate` on bad input and failures:
# shellcheck disable=SC2317 # helper functions are called through check
# 2 for usage errors (nothing on stdout, one "integrate: " line on stderr,
# optionally followed by the --help hint), 1 for integration failures,
# 3 for a --validate disagreement.
set -u
# shellcheck source=tests/cli_common.sh
. "$(dirname "$0")/cli_common.sh"

# One diagnostic line, plus at most the "Try 'integrate --help'" hint.
one_error_line() {
    head -n 1 "$ERR" | grep -q '^integrate: ' || return 1
    n=$(lines "$ERR")
    [ "$n" -eq 1 ] && return 0
    [ "$n" -eq 2 ] && sed -n 2p "$ERR" | grep -q "^Try 'integrate --help'"
}

# usage_error PATTERN ARGS...: exit 2, empty stdout, one line matching PATTERN.
usage_error() {
    pattern=$1
    shift
    run_cli "$@"
    check "exit 2" [ "$rc" -eq 2 ]
    check "nothing on stdout" [ ! -s "$OUT" ]
    check "one 'integrate:' line on stderr" one_error_line
    check "message matches '$pattern'" grep -q -- "$pattern" "$ERR"
}

usage_error "unrecognized option '--bogus'" --bogus
usage_error "unrecognized option '-z'" -z
usage_error "unrecognized option '-z'" -qz
usage_error "ambiguous option '--s'" --s
usage_error "doesn't allow an argument" --serial=1
usage_error "option '-n' requires an argument" -n
usage_error "option '--rule' requires an argument" x 0 1 --rule
usage_error "invalid number of points '0'" -n 0
usage_error "invalid number of points '-5'" -n -5
usage_error "invalid number of points '-5'" -n-5
usage_error "not an integer" -n 1.5
usage_error "not an integer" -n 1e-3
usage_error "not a number" -n abc
usage_error "not a number" -n 10k
usage_error "not a number" -n ''
usage_error "too large" -n 1e300
usage_error "too large" -n 99999999999999999999999
usage_error "too large" -n 9007199254740993
usage_error "unknown rule 'foo'" -r foo
usage_error "unknown rule 'gauss:0'" -r gauss:0
usage_error "unknown rule 'gauss:65'" -r gauss:65
usage_error "invalid number of threads '0'" -t 0
usage_error "invalid number of threads '-1'" -t -1
usage_error "invalid number of threads 'x'" -t x
usage_error "invalid number of threads '5000': too large" -t 5000
usage_error "unknown schedule 'foo'" --schedule foo
usage_error "invalid chunk size '0'" --chunk 0
usage_error "unknown format 'xml'" --format xml
usage_error "invalid repeat count '0'" --repeat 0
usage_error "--serial runs on one thread" --serial -t 4

# expressions and bounds: muparser's message and the position
usage_error "invalid expression 'sin(x': .*position 6" 'sin(x'
usage_error "invalid expression 'x+\*2': .*position 2" 'x+*2'
usage_error "invalid expression 'y+1': .*\"y\".*position 0" 'y+1'
usage_error "invalid expression '': [Ee]xpression is empty" ''
usage_error "invalid expression 'x,1'" 'x,1'
# the expression engine (default) and the muparser reference
usage_error "unknown engine 'bogus'" --engine bogus x 0 1
usage_error "invalid expression 'x=3': assignment" x=3 0 1
usage_error "invalid expression 'fmod(x,2)': unknown function \"fmod\" at position 0" 'fmod(x,2)' 0 1
usage_error "invalid expression '2x': .*position 1" 2x 0 1
usage_error "invalid expression 'sin(x': .*position 6" --engine muparser 'sin(x' 0 1
long=$(awk 'BEGIN { s = "x"; for (i = 0; i < 1500; i++) s = s "+1"; print s }')
run_cli "$long" 0 1 -q -n 10
check "a 3001-character expression integrates (engine)" [ "$rc" -eq 0 ] && near "$(cat "$OUT")" 1500.5 1e-12
usage_error "too long for --engine muparser (at most 2000 characters" --engine muparser "$long" 0 1
usage_error "invalid lower bound 'foo'" x foo 1
usage_error "invalid upper bound 'x'" x 0 x
usage_error "infinite bounds need --rule adaptive" x 0 1/0
usage_error "invalid upper bound '0/0': not a number" x 0 0/0
usage_error "lower bound '1' given without an upper bound" x 1
usage_error "too many arguments: '2'" x 0 1 2
usage_error "too many arguments: '-2'" x 0 1 -2
usage_error "too many arguments" x 0 1 -- 2

# builtins and plugins
usage_error "unknown builtin 'nope' (available: .*x2" --builtin nope
usage_error "cannot be combined with --builtin" --builtin x2 x 0 1
usage_error "lower bound '0' given without an upper bound" --builtin x2 0
usage_error "--builtin and --plugin cannot be combined" --builtin x2 --plugin a.so:f
usage_error "expected FILE:SYMBOL" --plugin nocolon
usage_error "expected FILE:SYMBOL" --plugin file.so:
usage_error "cannot load plugin: .*no-such-plugin.so" --plugin no-such-plugin.so:f
if [ -f "$PLUGIN" ]; then
    usage_error "cannot load plugin symbol 'nosym': .*undefined symbol" \
        --plugin "$PLUGIN:nosym"
    usage_error "cannot be combined with --plugin" --plugin "$PLUGIN:cube" x 0 1

    # integration failures: exit 1, one line, the status and the abscissa
    run_cli --plugin "$PLUGIN:fails_above_5" 0 10 -n 1000
    check "user failure: exit 1" [ "$rc" -eq 1 ]
    check "user failure: nothing on stdout" [ ! -s "$OUT" ]
    check "user failure: one line" [ "$(lines "$ERR")" -eq 1 ]
    check "user failure: names the user status" \
        grep -q '^integrate: integrand failed with user status 42 at x = .*(status 101)$' "$ERR"

    run_cli --plugin "$PLUGIN:nan_at_3" 0 10 -n 10 -r left
    check "NaN: exit 1" [ "$rc" -eq 1 ]
    check "NaN: nothing on stdout" [ ! -s "$OUT" ]
    check "NaN: the documented line" [ "$(cat "$ERR")" = \
        "integrate: integrand returned a non-finite value at x = 3.0000000000000000 (status 100)" ]
    run_cli --plugin "$PLUGIN:nan_at_3" 0 10 -n 1e5 -q
    check "NaN, -q: exit 1" [ "$rc" -eq 1 ]
    check "NaN, -q: mentions x = 3.000" grep -q 'non-finite value at x = 3\.000' "$ERR"

    run_cli --plugin "$PLUGIN:nan_at_3" 0 10 -n 1e5 --format json
    check "NaN, json: exit 1" [ "$rc" -eq 1 ]
    check "NaN, json: one report line" [ "$(lines "$OUT")" -eq 1 ]
    check "NaN, json: status 100" [ "$(json_get status)" = 100 ]
    check "NaN, json: fail_x near 3" near "$(json_get fail_x)" 3 1e-3
    check "NaN, json: result null" [ "$(json_get result)" = null ]
    check "NaN, json: message" [ -n "$(json_get message)" ]
    run_cli --plugin "$PLUGIN:nan_at_3" 0 10 -n 1e5 --format csv
    check "NaN, csv: exit 1" [ "$rc" -eq 1 ]
    check "NaN, csv: header and one line" [ "$(lines "$OUT")" -eq 2 ]
    check "NaN, csv: status 100" grep -q ',100,' "$OUT"
    run_cli --plugin "$PLUGIN:fails_above_5" 0 10 -n 1000 --format json
    check "user failure, json: status 101 and user status 42" \
        [ "$(json_get status),$(json_get user_status)" = 101,42 ]
fi

run_cli 'log(x)' 0 1 -r left -n 100
check "log(0): exit 1" [ "$rc" -eq 1 ]
check "log(0): one line at x = 0" [ "$(cat "$ERR")" = \
    "integrate: integrand returned a non-finite value at x = 0.0000000000000000 (status 100)" ]

# --validate disagreement: 4 left panels alias cos(8 pi x) to the constant 1
# (coarse and fine rules agree, so the error estimate is ~0; exact value 0).
run_cli 'cos(8*pi*x)' 0 1 -n 4 -r left --validate
check "disagreement: exit 3" [ "$rc" -eq 3 ]
check "disagreement: report on stdout" grep -q '^validation *: DISAGREES' "$OUT"
check "disagreement: one line on stderr" [ "$(lines "$ERR")" -eq 1 ]
check "disagreement: says so" grep -q '^integrate: result 1 disagrees with GSL qags' "$ERR"
run_cli 'cos(8*pi*x)' 0 1 -n 4 -r left --validate --format json
check "disagreement, json: exit 3" [ "$rc" -eq 3 ]
check "disagreement, json: validation" [ "$(json_get validation)" = disagree ]
run_cli 'cos(8*pi*x)' 0 1 -n 4 -r left --validate -q
check "disagreement, -q: exit 3" [ "$rc" -eq 3 ]
check "disagreement, -q: the result only" [ "$(cat "$OUT")" = 1 ]

# Output that cannot be written is a failure on every path (stdout on a
# full device): one line on stderr, exit 1.
if [ -w /dev/full ]; then
    for args in "--help" "--info" "--list-builtins" "x 0 1" \
                "--rule cubature --dim 2 x1*x2" "--rule mc --dim 2 -n 1e4 x1*x2" \
                "--rule qmc --dim 2 -n 1e4 x1*x2"; do
        # shellcheck disable=SC2086
        "$INTEGRATE" $args >/dev/full 2>"$ERR"
        rc=$?
        last_cmd="integrate $args >/dev/full"
        check "write error: exit 1, one line" [ "$rc" -eq 1 ] && [ "$(lines "$ERR")" -eq 1 ] \
            && grep -q "write error on standard output" "$ERR"
    done
fi

# A divergent integral is never a success (tanh-sinh used to print inf, exit 0).
run_cli -q --rule tanh-sinh 'x^(-0.9)' 0 inf
check "divergent tanh-sinh: exit 1, status 22" [ "$rc" -eq 1 ] && grep -q "status 22" "$ERR"

finish
