#!/usr/bin/env bash
# usage: bench/compare.sh BEFORE AFTER [--shared DIR] [--repeat N]
#
# Two passim binaries (e.g. the last release and this checkout's
# target/release/passim) measured side by side on the same data, runs
# interleaved, medians printed with the AFTER/BEFORE ratio:
#   index    build of Reuters-21578 (one thread, so runs are comparable)
#   batch    the 1,000 queries of SHARED/bench/queries.tsv, --json, top 10, 3 passages
#   one-shot `passim search pay` on the BBC folder (20 runs per repeat)
# Each binary builds its own indexes (an index format change does not get in the way).
# Prints figures; it is not a pass/fail test.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
BEFORE=$(realpath "$1") AFTER=$(realpath "$2"); shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=$HERE/../../shared
REPEAT=5
while [ $# -gt 0 ]; do
  case "$1" in
    --shared) SHARED=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
REUTERS=$SHARED/corpora/reuters21578.jsonl
BBC=$SHARED/corpora/bbc
QUERIES=$SHARED/bench/queries.tsv
for f in "$REUTERS" "$BBC" "$QUERIES"; do
  [ -e "$f" ] || { echo "compare.sh: $f: not found (pass --shared DIR)" >&2; exit 2; }
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
# secs CMD...: wall seconds of one run, output discarded
secs() { local t0; t0=$(now); "$@" >/dev/null 2>&1 || true; echo "$(now) - $t0" | bc -l; }

declare -A samples
for ((r = 1; r <= REPEAT; r++)); do
  for name in before after; do
    bin=$BEFORE; [ $name = after ] && bin=$AFTER
    rm -rf "$WORK/$name-r" "$WORK/$name-b"
    samples[$name-index]+=" $(secs "$bin" index "$REUTERS" --index "$WORK/$name-r" --threads 1 -q)"
    samples[$name-batch]+=" $(secs "$bin" search --index "$WORK/$name-r" --batch "$QUERIES" --json)"
    "$bin" index "$BBC" --index "$WORK/$name-b" -q >/dev/null 2>&1
    t0=$(now)
    for ((i = 0; i < 20; i++)); do "$bin" search --index "$WORK/$name-b" pay >/dev/null 2>&1 || true; done
    samples[$name-oneshot]+=" $(echo "($(now) - $t0) / 20" | bc -l)"
  done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '%-10s %12s %12s %8s\n' measure before after ratio
for m in index batch oneshot; do
  b=$(echo "${samples[before-$m]}" | median)
  a=$(echo "${samples[after-$m]}" | median)
  printf '%-10s %11.1fms %11.1fms %7.2fx\n' "$m" "$(echo "$b*1000" | bc -l)" "$(echo "$a*1000" | bc -l)" "$(echo "$a/$b" | bc -l)"
done
echo "(medians of $REPEAT interleaved runs; $(nproc) cores; $(date -u +%Y-%m-%d))"
