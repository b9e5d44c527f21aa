#!/usr/bin/env bash
# usage: bench/filters.sh [--shared DIR] [--n N] [--repeat N] [--out DIR] [PASSIM]
#
# Filtered and sorted search at scale: the 1,000 queries of SHARED/bench/queries.tsv over the
# synthetic corpus (SHARED/bench/make_corpus.py N 1; N default 200,000, dated from 2000-01-01 on,
# about two years per 100,000 articles), top 10 with 3 passages, in one process, with
#   none        no filter (the baseline)
#   year        --since Y --until Y, one year in the middle of the span (about 1/4 of it at 200k)
#   month       --since Y-06 --until Y-06, one month (about 1/50)
#   source      --path '*.jsonl' (every article passes: the cost of a path check alone)
#   newest      --sort -date (top 10 by date instead of score)
#   facets      --facets (counts per source and year on top of the search)
# and prints p50/p99 of each query's elapsed_ms (medians over REPEAT rounds, runs interleaved)
# and the ratio to the unfiltered run. PASSIM defaults to this checkout's target/release/passim.
# Prints figures; it is not a pass/fail test.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SHARED=$REPO/../shared
N=200000 REPEAT=3 OUT=${BENCH_OUT:-/tmp/passim-bench}/filters
PASSIM=$REPO/target/release/passim
while [ $# -gt 0 ]; do
  case "$1" in
    --shared) SHARED=$2; shift ;;
    --n) N=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "filters.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    *) PASSIM=$(realpath "$1") ;;
  esac
  shift
done
QUERIES=$SHARED/bench/queries.tsv
for f in "$QUERIES" "$SHARED/bench/make_corpus.py" "$PASSIM"; do
  [ -e "$f" ] || { echo "filters.sh: $f: not found" >&2; exit 2; }
done
mkdir -p "$OUT"
CORPUS=$OUT/syn$N.jsonl IDX=$OUT/idx$N
if [ ! -s "$CORPUS" ]; then
  echo "filters.sh: generating $N articles" >&2
  python3 "$SHARED/bench/make_corpus.py" "$N" 1 "$CORPUS.tmp" && mv "$CORPUS.tmp" "$CORPUS"
fi
"$PASSIM" index --index "$IDX" --rebuild "$CORPUS" >&2
# A year and a month in the middle of the corpus's dates.
read -r Y < <(python3 - "$CORPUS" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    first = json.loads(f.readline())["date"][:4]
    for line in f:
        pass
    last = json.loads(line)["date"][:4]
print((int(first) + int(last)) // 2)
EOF
)
declare -A ARGS=(
  [none]=""
  [year]="--since $Y --until $Y"
  [month]="--since $Y-06 --until $Y-06"
  [source]="--path *.jsonl"
  [newest]="--sort -date"
  [facets]="--facets"
)
ORDER="none year month source newest facets"
stats() { # log → "p50 p99 hits_per_query"
  python3 - "$1" <<'EOF'
import json, sys
ms, total = [], []
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("type") == "summary":
        ms.append(o["elapsed_ms"]); total.append(o["total_hits"])
ms.sort()
pick = lambda p: ms[min(len(ms) - 1, int(p * len(ms)))]
print(f"{pick(0.5):.3f} {pick(0.99):.3f} {sum(total) / len(total):.0f}")
EOF
}
set -f # `--path *.jsonl` is for passim, not the shell
declare -A P50 P99 HITS
for r in $(seq "$REPEAT"); do
  for name in $ORDER; do
    # shellcheck disable=SC2086 # ARGS are words
    "$PASSIM" search --index "$IDX" --batch "$QUERIES" --json -n 10 -p 3 ${ARGS[$name]} > "$OUT/$name.$r.jsonl"
    read -r p50 p99 hits < <(stats "$OUT/$name.$r.jsonl")
    P50[$name]="${P50[$name]:-} $p50" P99[$name]="${P99[$name]:-} $p99" HITS[$name]=$hits
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "filtered search: $N synthetic articles, 1,000 queries, top 10, 3 passages; medians of $REPEAT rounds ($(date -u +%F), $(nproc) cores)"
printf '%-8s %-32s %10s %10s %12s %10s\n' run options "p50 ms" "p99 ms" "matches/q" "p99 ratio"
base99=$(echo "${P99[none]}" | median)
for name in $ORDER; do
  p50=$(echo "${P50[$name]}" | median) p99=$(echo "${P99[$name]}" | median)
  printf '%-8s %-32s %10s %10s %12s %10s\n' "$name" "${ARGS[$name]:-(none)}" "$p50" "$p99" "${HITS[$name]}" \
    "$(awk -v a="$p99" -v b="$base99" 'BEGIN {printf "%.2f", a / b}')"
done
