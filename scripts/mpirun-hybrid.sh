#!/bin/sh
# Plain mpirun (Open MPI) hybrid run on one workstation or an allocation:
#   scripts/mpirun-hybrid.sh RANKS THREADS [integrate arguments...]
#   scripts/mpirun-hybrid.sh 2 4 'sin(x)^2' 0 pi -n 1e8
# Binding: --map-by slot:PE=THREADS gives each rank THREADS cores and binds
# it to them; its OpenMP threads then spread over those cores.  The classic
# mistake is Open MPI's default for np <= 2, binding each rank to ONE core,
# which stacks all its threads on that core: `--info` then shows "bound to
# 1 CPUs" next to "4 threads".  Do not add --bind-to core after PE=: with
# Open MPI 4.1 that shrinks the binding back to one core (checked with
# --info).  If PE=... is not possible (more ranks x threads than cores), use
# --bind-to none instead.
set -eu
ranks=${1:?usage: mpirun-hybrid.sh RANKS THREADS [ARGS...]}
threads=${2:?usage: mpirun-hybrid.sh RANKS THREADS [ARGS...]}
shift 2
INTEGRATE=${INTEGRATE:-./integrate}
export OMP_NUM_THREADS="$threads" OMP_PLACES=cores OMP_PROC_BIND=close
mpirun -np "$ranks" --map-by "slot:PE=$threads" \
    -x OMP_NUM_THREADS -x OMP_PLACES -x OMP_PROC_BIND "$INTEGRATE" --info
exec mpirun -np "$ranks" --map-by "slot:PE=$threads" \
    -x OMP_NUM_THREADS -x OMP_PLACES -x OMP_PROC_BIND "$INTEGRATE" "$@"
