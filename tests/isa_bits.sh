#!/bin/sh
# The bits do not depend on the vector instruction set: whole runs of
# `integrate` (built-ins through the fused kernels, expressions through the
# expression engine and SLEEF, every rule family) under
# QUADMAP_ISA=scalar|sse2|avx2|avx512 must print the same result, error
# estimate and evaluation count.  Levels above what the CPU supports run at
# the CPU's best level (integrate --info says which); they are reported, not
# failed.  tests/test_isa.c checks the kernel tables themselves.
. "${top_srcdir:-.}/tests/cli_common.sh"

levels="scalar sse2 avx2 avx512"
used=
for l in $levels; do
    u=$(QUADMAP_ISA=$l "$INTEGRATE" --info 2>/dev/null | awk -F': ' '/^vector ISA/ {split($2, a, " "); print a[1]}')
    echo "QUADMAP_ISA=$l runs the $u kernels"
    case " $used " in *" $u "*) ;; *) used="$used $u" ;; esac
done
echo "distinct levels exercised:$used"

# fields that must be equal: result, abserr, evaluations, status, fail_x
key() {
    for f in result abserr evaluations status fail_x; do
        printf '%s=%s ' "$f" "$(json_get $f)"
    done
}

# same_bits ARGS...: run at every level, compare with the scalar run.
same_bits() {
    ref=
    for l in $levels; do
        QUADMAP_ISA=$l "$INTEGRATE" --format json "$@" >"$OUT" 2>"$ERR"
        rc=$?
        last_cmd="QUADMAP_ISA=$l integrate $*"
        k="rc=$rc $(key)"
        if [ -z "$ref" ]; then
            ref=$k
        else
            checks=$((checks + 1))
            if [ "$k" = "$ref" ]; then
                echo "ok: $last_cmd: $k"
            else
                fail "differs from scalar: '$k' vs '$ref'"
            fi
        fi
    done
}

for b in x2 poly sin cos exp runge gauss sqrt; do
    same_bits --builtin $b 0.5 3 -n 100003
    same_bits --builtin $b 0.5 3 -n 20011 -r gauss:7 -t 3 --schedule dynamic
done
same_bits --builtin gauss -2 2 -r simpson -n 50001
same_bits --builtin exp 700 720 -n 10000          # overflow: status and fail_x
same_bits --rule adaptive --builtin sin 0 10
same_bits --rule tanh-sinh --builtin sqrt 0 2

for e in 'sin(x)^2+cos(x)^3' 'exp(-x^2)*cos(3*x)' 'x^2.5' 'log(1+x)' \
    'tanh(x)+cosh(x/4)' 'sqrt(1+x*x)' '1/(1+x^4)' 'x*x*x-2*x+1' \
    'atan2(x,2)+asinh(x)+acosh(1+x)+atanh(x/4)+asin(x/4)+acos(x/4)+atan(x)' \
    'log2(x)+log10(x)+ln(x)+tan(x/4)+sinh(x/4)+exp(-x)' \
    'x<1 ? sin(x) : cos(x)'; do
    same_bits "$e" 0.5 3 -n 30011
    same_bits --rule adaptive "$e" 0.5 3
done
same_bits --rule tanh-sinh 'x^(-0.5)*exp(-x)' 0 1
same_bits --rule cubature --dim 3 'exp(-(x1^2+x2^2+x3^2))*cos(x1)' -1 1 -1 1 -1 1 -n 100000
same_bits --rule mc --dim 2 -n 100000 'sin(x1)*exp(x2)'
same_bits --rule qmc --dim 4 -n 100000 'exp(-(x1+x2+x3+x4))*log(1+x1)'

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
