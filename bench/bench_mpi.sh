#!/bin/sh
# MPI benchmark (make bench): the foundation problem (midpoint, x^2 on
# [0, 10], N = 4e9 by default) side by side, in one script:
#   quadmap MPI -np 2 -t 1, quadmap OpenMP -t 2, hand-written MPI -np 2.
# Targets: MPI np=2 >= 0.95 x OpenMP 2 threads; >= 2.5 x the hand-written MPI.
# Usage: bench/bench_mpi.sh [N] [REPEAT]      (run from the build root)
set -eu
N=${1:-4e9}
REPEAT=${2:-3}
top_builddir=${top_builddir:-.}
MPIEXEC=${MPIEXEC:-mpiexec}
INTEGRATE="$top_builddir/integrate"
HAND="$top_builddir/bench/bench_mpi_hand"

json_get() { # KEY: value from the JSON line on stdin
    awk -v key="$1" '{ p = "\"" key "\": "; i = index($0, p); s = substr($0, i + length(p));
                       match(s, /[,}]/); print substr(s, 1, RSTART - 1) }'
}

echo "quadmap MPI benchmark: midpoint, x^2 on [0,10], N = $N, best of $REPEAT"
# One core per rank (PE=1 binds each rank to its own core).
omp=$("$INTEGRATE" --builtin x2 0 10 -n "$N" -t 2 --repeat "$REPEAT" --format json)
mpi=$("$MPIEXEC" -q -np 2 --map-by slot:PE=1 "$INTEGRATE" --builtin x2 0 10 -n "$N" \
      -t 1 --repeat "$REPEAT" --format json)
hand=$("$MPIEXEC" -q -np 2 --map-by slot:PE=1 "$HAND" "$N" "$REPEAT")

omp_pps=$(echo "$omp" | json_get points_per_second)
mpi_pps=$(echo "$mpi" | json_get points_per_second)
hand_pps=$(echo "$hand" | awk '{print $4}')
omp_res=$(echo "$omp" | json_get result)
mpi_res=$(echo "$mpi" | json_get result)
hand_res=$(echo "$hand" | awk '{print $5}')

printf '%-34s %12s  %s\n' variant "G points/s" result
printf '%-34s %12.3f  %s\n' "quadmap OpenMP, 2 threads" "$(awk -v x="$omp_pps" 'BEGIN{print x/1e9}')" "$omp_res"
printf '%-34s %12.3f  %s\n' "quadmap MPI, 2 ranks x 1 thread" "$(awk -v x="$mpi_pps" 'BEGIN{print x/1e9}')" "$mpi_res"
printf '%-34s %12.3f  %s\n' "hand-written MPI, 2 ranks (fn ptr)" "$(awk -v x="$hand_pps" 'BEGIN{print x/1e9}')" "$hand_res"
[ "$omp_res" = "$mpi_res" ] && echo "MPI and OpenMP results: bitwise identical" ||
    echo "MPI and OpenMP results DIFFER (a bug)"
awk -v m="$mpi_pps" -v o="$omp_pps" -v h="$hand_pps" 'BEGIN {
    r1 = m / o; r2 = m / h
    printf "ratio MPI np=2 / OpenMP t=2     : %6.2f  (target >= 0.95) %s\n", r1, (r1 >= 0.95 ? "PASS" : "MISS")
    printf "ratio MPI np=2 / hand-written   : %6.2f  (target >= 2.5)  %s\n", r2, (r2 >= 2.5 ? "PASS" : "MISS")
}'
