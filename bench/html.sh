#!/usr/bin/env bash
# usage: bench/html.sh [--shared DIR] [--out DIR] [--repeat N] [--threads N] [--no-build]
#
# What reading web pages costs: the BBC corpus (SHARED/corpora/bbc, 2,225
# .txt articles) is wrapped in realistic news-page chrome by
# bench/html_pages.py (nav, menus, cookie banner, share bar, related
# stories, newsletter box, footer, scripts, styles, og/JSON-LD meta), and
# passim builds an index of the .html pages and of the same articles as
# .txt, interleaved, --repeat times each (default 5). Prints the median
# wall time of each, articles per second, and the HTML/text ratio.
#   --out DIR     scratch folder for the pages and indexes (default /tmp/passim-html-bench)
#   --threads N   passim index --threads (default: passim's default, one per core)
#   PASSIM        the binary to measure (default: target/release/passim, built first
#                 unless --no-build)
# Prints figures; it is not a pass/fail test.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=$HERE/../../shared
OUT=/tmp/passim-html-bench
REPEAT=5
THREADS=()
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --shared) SHARED=$2; shift ;;
    --out) OUT=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --threads) THREADS=(--threads "$2"); shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "html.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
BBC=$SHARED/corpora/bbc
[ -d "$BBC" ] || { echo "html.sh: $BBC: not found (pass --shared DIR)" >&2; exit 2; }
if [ -z "${PASSIM:-}" ]; then
  [ $BUILD = 1 ] && (cd "$HERE/.." && cargo build --release -q)
  PASSIM=$HERE/../target/release/passim
fi
mkdir -p "$OUT"
PAGES=$OUT/bbc-html
if [ ! -d "$PAGES" ]; then
  python3 "$HERE/html_pages.py" "$BBC" "$PAGES"
fi

now() { date +%s.%N; }
# secs CMD...: wall seconds of one run
secs() { local t0; t0=$(now); "$@" >/dev/null 2>&1; echo "$(now) - $t0" | bc -l; }

declare -A samples
for ((r = 1; r <= REPEAT; r++)); do
  for kind in txt html; do
    rm -rf "$OUT/index-$kind"
    if [ $kind = txt ]; then
      src=$BBC; extra=(--exclude README.TXT)
    else
      src=$PAGES; extra=()
    fi
    samples[$kind]+=" $(secs "$PASSIM" index "$src" "${extra[@]}" "${THREADS[@]}" --index "$OUT/index-$kind" -q)"
  done
done
count() { "$PASSIM" stats --index "$OUT/index-$1" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("articles", "?"))' 2>/dev/null || echo "?"; }

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
t=$(echo "${samples[txt]}" | median)
h=$(echo "${samples[html]}" | median)
printf '%-6s %10s %10s %12s %14s\n' input articles size median articles/s
for kind in txt html; do
  m=$t; src=$BBC; [ $kind = html ] && m=$h && src=$PAGES
  n=$(count $kind)
  size=$(du -sh --apparent-size "$src" | cut -f1)
  printf '%-6s %10s %10s %11.0fms %14.0f\n' "$kind" "$n" "$size" "$(echo "$m*1000" | bc -l)" "$(echo "2225/$m" | bc -l)"
done
printf 'html/txt ratio: %.2fx (target: at most 3x)\n' "$(echo "$h/$t" | bc -l)"
echo "(medians of $REPEAT interleaved index builds; $(nproc) cores; $(date -u +%Y-%m-%d); $("$PASSIM" --version 2>/dev/null || echo passim))"
