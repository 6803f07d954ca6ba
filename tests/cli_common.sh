# Shared helpers for the shell tests of the `integrate` program
# (tests/cli_basic.sh, tests/cli_errors.sh).  Sourced, not run.
#
# make check exports top_builddir and top_srcdir; by hand, run from the
# build root (top_builddir defaults to .).  POSIX sh; uses awk, no python.

: "${top_builddir:=.}"
INTEGRATE="$top_builddir/integrate"
PLUGIN="$top_builddir/tests/.libs/plugin_test.so"

if [ ! -x "$INTEGRATE" ]; then
    echo "SKIP: $INTEGRATE not built"
    exit 77
fi

cli_tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli_test.XXXXXX") || exit 99
trap 'rm -rf "$cli_tmp"' EXIT
OUT="$cli_tmp/stdout"
ERR="$cli_tmp/stderr"
failures=0
checks=0
last_cmd=

# run_cli ARGS...: run integrate; sets $rc, output in $OUT and $ERR.
run_cli() {
    "$INTEGRATE" "$@" >"$OUT" 2>"$ERR"
    rc=$?
    last_cmd="integrate $*"
}

fail() {
    failures=$((failures + 1))
    echo "FAIL: $last_cmd: $*"
    if [ -s "$OUT" ]; then echo "  stdout:"; sed 's/^/    /' "$OUT"; fi
    if [ -s "$ERR" ]; then echo "  stderr:"; sed 's/^/    /' "$ERR"; fi
}

# check DESCRIPTION COMMAND...: run a shell test command, count a failure.
check() {
    desc=$1
    shift
    checks=$((checks + 1))
    if "$@"; then
        echo "ok: $last_cmd: $desc"
    else
        fail "$desc"
    fi
}

lines() { wc -l <"$1" | tr -d ' '; }

# json_get KEY: the value of KEY in the one-line JSON object in $OUT
# (strings without their quotes).  Exit status 1 when the key is absent.
json_get() {
    awk -v key="$1" '
    {
        pat = "\"" key "\": "
        i = index($0, pat)
        if (i == 0) exit 1
        s = substr($0, i + length(pat))
        if (substr(s, 1, 1) == "\"") {
            s = substr(s, 2)
            print substr(s, 1, index(s, "\"") - 1)
        } else {
            match(s, /[,}]/)
            print substr(s, 1, RSTART - 1)
        }
        found = 1
    }
    END { exit !found }' "$OUT"
}

# near X Y TOL: |X - Y| <= TOL * max(1, |Y|)
near() {
    awk -v x="$1" -v y="$2" -v tol="$3" 'BEGIN {
        if (x !~ /^[-+0-9.eE]+$/ || y !~ /^[-+0-9.eE]+$/) exit 1
        d = x - y; if (d < 0) d = -d
        s = y < 0 ? -y : y; if (s < 1) s = 1
        exit !(d <= tol * s)
    }'
}

is_number() {
    printf '%s\n' "$1" | grep -Eq '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$'
}

# Exit with the summary.
finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures of $checks checks failed"
        exit 1
    fi
    echo "all $checks checks passed"
    exit 0
}
