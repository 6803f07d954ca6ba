#!/bin/sh
# Runs the MPI CUnit program under mpiexec at -np 1, 2, 3, 4 and 16 (16 is
# oversubscribed on small machines: a correctness run, not a speed run).
# SKIP (77) when the package was built without MPI.
set -u
top_builddir=${top_builddir:-.}
if [ -z "${MPIEXEC:-}" ] || [ ! -x "$top_builddir/tests/test_mpi" ]; then
    echo "SKIP: built without MPI (or no mpiexec)"
    exit 77
fi
status=0
for name in test_mpi test_mpi_map; do
    prog="$top_builddir/tests/$name"
    [ -x "$prog" ] || { echo "=== $name: not built"; status=1; continue; }
    for np in 1 2 3 4 16; do
        echo "=== mpiexec -np $np tests/$name"
        # threads per rank are set by each test; keep the default to 1
        # thread so -np 16 does not start 16 x cores busy threads
        if OMP_NUM_THREADS=1 timeout 600 "$MPIEXEC" -np "$np" "$prog"; then
            echo "=== $name -np $np: PASS"
        else
            echo "=== $name -np $np: FAIL"
            status=1
        fi
    done
done
exit $status
