#!/bin/sh
# `integrate` under mpirun: one report from rank 0 with the MPI fields, the
# same bits as the single-process run for every rank and thread count,
# collective failures (one message naming the failing rank, the same exit
# status everywhere) and usage errors reported once.  SKIP without MPI.
# shellcheck disable=SC2317 # helper functions are called through check
set -u
# shellcheck source=tests/cli_common.sh
. "$(dirname "$0")/cli_common.sh"

if [ -z "${MPIEXEC:-}" ] || [ ! -x "$top_builddir/tests/test_mpi" ]; then
    echo "SKIP: built without MPI"
    exit 77
fi

# run_mpi NP ARGS...: mpiexec -q -np NP integrate ARGS (sets $rc, $OUT, $ERR)
run_mpi() {
    np=$1
    shift
    timeout 300 "$MPIEXEC" -q -np "$np" "$INTEGRATE" "$@" >"$OUT" 2>"$ERR"
    rc=$?
    last_cmd="mpiexec -np $np integrate $*"
}

ours() { grep -c '^integrate: ' "$ERR"; }

# --- bitwise identical to the single-process run -------------------------
for args in "-r midpoint -n 3000017" "-r gauss:7 -n 100003 --builtin runge -3 2" \
            "-r simpson -n 200001 exp(-x)*sin(10*x) 0 4" "-r left -n 12289 x^3 -1 1" \
            "-r trapezoid -n 1 --builtin exp 0 1"; do
    # shellcheck disable=SC2086 # word splitting of the argument list is wanted
    run_cli -q -t 1 $args
    ref=$(cat "$OUT")
    check "single-process reference is a number ($args)" is_number "$ref"
    for np in 1 2 3 4; do
        for t in 1 2 3; do
            # shellcheck disable=SC2086
            run_mpi "$np" -q -t "$t" $args
            got=$(cat "$OUT")
            check "np=$np t=$t: bits equal the serial run ($ref)" [ "$rc" -eq 0 ] && [ "$got" = "$ref" ]
        done
    done
done
run_cli -q -t 1 -r gauss:3 -n 5000011
ref=$(cat "$OUT")
OMP_NUM_THREADS=1 run_mpi 16 -q -r gauss:3 -n 5000011
check "np=16 (oversubscribed): same bits" [ "$rc" -eq 0 ] && [ "$(cat "$OUT")" = "$ref" ]

# --- the adaptive rule over ranks: same bits ------------------------------
for args in "--rule adaptive exp(-x^2)*cos(5*x) -inf inf" \
            "--rule adaptive:gk31 1/((x-0.3)^2+1e-6)+sin(200*x) 0 1"; do
    # shellcheck disable=SC2086
    run_cli -q -t 1 $args
    ref=$(cat "$OUT")
    for np in 2 3 4; do
        # shellcheck disable=SC2086
        run_mpi "$np" -q -t 1 $args
        check "adaptive np=$np: bits equal the serial run ($ref)" [ "$rc" -eq 0 ] && [ "$(cat "$OUT")" = "$ref" ]
    done
done
for args in "--rule tanh-sinh ln(x)*x^(-0.5) 0 1" "--rule cubature --dim 3 exp(x1*x2*x3)" \
            "--rule tanh-sinh sqrt(abs(x-0.5)) 0 1 --breakpoints 0.5" \
            "--rule mc --dim 2 -n 1e5 sin(x1+x2)" "--rule qmc --dim 3 -n 65536 x1*x2+x3"; do
    # shellcheck disable=SC2086
    run_cli -q -t 1 $args
    ref=$(cat "$OUT")
    for np in 2 3; do
        # shellcheck disable=SC2086
        run_mpi "$np" -q -t 1 $args
        check "$args np=$np: bits equal the serial run ($ref)" [ "$rc" -eq 0 ] && [ "$(cat "$OUT")" = "$ref" ]
    done
done

# --- one report with the MPI fields --------------------------------------
run_mpi 3 --format json -t 2 -n 1e6
check "exit 0" [ "$rc" -eq 0 ]
check "one JSON line (rank 0 only)" [ "$(lines "$OUT")" -eq 1 ]
check "ranks = 3" [ "$(json_get ranks)" = 3 ]
check "threads = 2" [ "$(json_get threads)" = 2 ]
check "backend mpi+openmp" [ "$(json_get backend)" = "mpi+openmp" ]
check "status 0" [ "$(json_get status)" = 0 ]
check "result ~ 1000/3" near "$(json_get result)" 333.333333333333 1e-12
run_mpi 2 --format csv -t 1 -n 1e5
check "CSV: header + one line" [ "$(lines "$OUT")" -eq 2 ]
run_mpi 4 -t 1 -n 1e5
check "text report printed once" [ "$(grep -c '^result' "$OUT")" -eq 1 ]
check "text report shows 4 ranks" grep -q '4 ranks' "$OUT"

# --- --info ----------------------------------------------------------------
run_mpi 3 --info -t 1
check "--info exit 0" [ "$rc" -eq 0 ]
check "--info: one line per rank" [ "$(grep -c '^rank [0-9]*: host .* threads on [0-9]* CPUs' "$OUT")" -eq 3 ]
check "--info: MPI library and thread level" grep -q 'MPI_THREAD_FUNNELED' "$OUT"
check "--info: ranks 3" grep -q '^ranks *: 3' "$OUT"

# --- collective failures ---------------------------------------------------
run_mpi 3 -t 1 --plugin "$PLUGIN:fails_above_5" 0 10
check "user error on upper ranks: exit 1" [ "$rc" -eq 1 ]
check "one diagnostic" [ "$(ours)" -eq 1 ]
check "names user status 42 and a rank" grep -q 'user status 42 at x = .* on rank [12] ' "$ERR"
run_mpi 4 -t 1 --plugin "$PLUGIN:nan_at_3" 0 10 -n 1e6
check "NaN on one rank: exit 1" [ "$rc" -eq 1 ]
check "one diagnostic naming rank 1" grep -q 'non-finite value at x = 3.0000.* on rank 1 ' "$ERR"
check "exactly one line" [ "$(ours)" -eq 1 ]
run_mpi 4 -t 1 --format json --plugin "$PLUGIN:nan_at_3" 0 10 -n 1e6
check "JSON failure report: status 100, fail_rank 1" \
    [ "$(json_get status)" = 100 ] && [ "$(json_get fail_rank)" = 1 ]

# --- ranks on different vector instruction sets (a mixed cluster) ---------
# MPMD: each rank forces its own QUADMAP_ISA; the bits equal one process's.
for args in "exp(-x^2)*cos(3*x)+sin(x)^3 0 3 -n 1000003" "--builtin gauss 0 3 -n 1000003" \
            "--rule adaptive log(1+x)*tanh(x) 0 5" "--rule qmc --dim 2 -n 65536 exp(x1)*cos(x2)"; do
    # shellcheck disable=SC2086
    run_cli -q -t 1 $args
    ref=$(cat "$OUT")
    # shellcheck disable=SC2086
    timeout 300 "$MPIEXEC" -q -np 1 -x QUADMAP_ISA=scalar "$INTEGRATE" -q -t 1 $args \
        : -np 1 -x QUADMAP_ISA=sse2 "$INTEGRATE" -q -t 1 $args \
        : -np 1 -x QUADMAP_ISA=avx2 "$INTEGRATE" -q -t 1 $args >"$OUT" 2>"$ERR"
    rc=$?
    last_cmd="mpiexec (ranks at scalar, sse2, avx2) integrate $args"
    check "ranks on mixed ISAs: bits equal one process ($ref)" [ "$rc" -eq 0 ] && [ "$(cat "$OUT")" = "$ref" ]
done

# --- usage errors are reported once, every rank exits 2 --------------------
run_mpi 3 --bogus
check "unknown option: exit 2" [ "$rc" -eq 2 ]
check "one 'integrate:' line" [ "$(ours)" -eq 1 ]
check "nothing on stdout" [ ! -s "$OUT" ]
run_mpi 4 'sin(x' 0 1
check "bad expression: exit 2, one line" [ "$rc" -eq 2 ] && [ "$(ours)" -eq 1 ]
run_mpi 2 --plugin /nonexistent.so:f 0 1
check "missing plugin: exit 2, one line" [ "$rc" -eq 2 ] && [ "$(ours)" -eq 1 ]
run_mpi 2 -t 1 --validate 'cos(8*pi*x)' 0 1 -n 4 -r left
check "--validate disagreement: exit 3 on every rank" [ "$rc" -eq 3 ]

finish
