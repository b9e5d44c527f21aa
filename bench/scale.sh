#!/usr/bin/env bash
# usage: bench/scale.sh [--shared DIR] [--out DIR] [--big N] [--files N] [--no-build]
#
# The runs that bench/run.sh does not repeat (they take minutes and gigabytes):
#   1. a big synthetic JSONL corpus (SHARED/bench/make_corpus.py N 1, default 1,000,000 articles):
#      full build (wall, peak RSS, index size, segments) and a one-shot search on it;
#   2. a folder of N .txt files (default 200,000, one synthetic article each, headline on line 1):
#      full build, re-run on the unchanged folder, and re-run after changing 1% of the files,
#      each as a share of the full build (targets: < 10% and < 20%).
# Prints a Markdown table (also OUT/scale.md). Needs python3 and GNU time (/usr/bin/time).
# Scratch data under OUT (default /tmp/passim-scale, ~6 GB with the defaults), outside git.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SHARED=$REPO/../shared
OUT=/tmp/passim-scale
BIG=1000000
FILES=200000
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --shared) SHARED=$2; shift ;;
    --out) OUT=$2; shift ;;
    --big) BIG=$2; shift ;;
    --files) FILES=$2; shift ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "scale.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SHARED=$(cd "$SHARED" && pwd)
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

if [ "$build" = 1 ]; then
  log "cargo build --release"
  (cd "$REPO" && cargo build --release --quiet)
fi
P=$OUT/passim
cp "$REPO/target/release/passim" "$P"

# timed NAME CMD...: runs CMD under GNU time; prints "wall_s rss_mb" and keeps the log.
timed() {
  local name=$1; shift
  sync
  /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
  awk '{printf "%s %.0f\n", $1, $2 / 1024}' "$OUT/$name.time"
}

rows=()
BIGJ=$OUT/big$BIG.jsonl
if [ ! -f "$BIGJ" ]; then
  log "generating $BIG articles"
  "$SHARED/bench/make_corpus.py" "$BIG" 1 "$BIGJ.part" >&2 && mv "$BIGJ.part" "$BIGJ"
fi
rm -rf "$OUT/idx-big"
log "indexing $BIGJ"
read -r wall rss < <(timed big.index "$P" index "$BIGJ" --index "$OUT/idx-big" --quiet)
size=$(du -sm "$OUT/idx-big" | cut -f1)
segs=$("$P" stats --index "$OUT/idx-big" 2>/dev/null | awk -F': *' '/segments/ {print $2}')
gb=$(awk -v b="$(stat -c %s "$BIGJ")" 'BEGIN {printf "%.1f", b / 1e9}')
rows+=("| $BIG synthetic articles (\`make_corpus.py $BIG 1\`, $gb GB JSONL), full build | $wall s | $rss MB | $size MB | ${segs:-?} segments |")
read -r wall rss < <(timed big.search "$P" search "pay rise" --index "$OUT/idx-big")
[ "$wall" = "0.00" ] && wall="< 0.01"  # GNU time counts hundredths
rows+=("| \`passim search 'pay rise'\` on that index | $wall s | $rss MB | | one-shot, text output |")

DIR=$OUT/files$FILES
if [ ! -d "$DIR" ]; then
  log "writing $FILES .txt files"
  python3 - "$BIGJ" "$DIR" "$FILES" <<'EOF'
import json, os, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out + ".part", exist_ok=True)
with open(src, encoding="utf-8") as f:
    for i, line in enumerate(f):
        if i >= n:
            break
        a = json.loads(line)
        sub = os.path.join(out + ".part", "%03d" % (i // 1000))
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, "%s.txt" % a["id"]), "w", encoding="utf-8") as g:
            g.write(a["title"] + "\n\n" + a["body"] + "\n")
os.rename(out + ".part", out)
EOF
fi
mb=$(du -sm "$DIR" | cut -f1)
rm -rf "$OUT/idx-files"
log "indexing $DIR"
read -r full rss < <(timed files.full "$P" index "$DIR" --index "$OUT/idx-files" --quiet)
rows+=("| $FILES files (\`.txt\`, one article each, $mb MB on disk), full build | $full s | $rss MB | $(du -sm "$OUT/idx-files" | cut -f1) MB | |")
read -r again rss < <(timed files.same "$P" index "$DIR" --index "$OUT/idx-files")
share=$(awk -v a="$again" -v f="$full" 'BEGIN {printf "%.1f", 100 * a / f}')
rows+=("| same folder, unchanged, re-run | $again s ($share%) | $rss MB | | target < 10%: \`$(tail -1 "$OUT/files.same.err")\` |")
log "changing 1% of the files"
python3 - "$DIR" <<'EOF'
import os, sys
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(sys.argv[1]) for f in fs)
for path in files[:: 100]:
    with open(path, "a", encoding="utf-8") as g:
        g.write("\nUpdated: one more sentence about pay.\n")
EOF
read -r changed rss < <(timed files.changed "$P" index "$DIR" --index "$OUT/idx-files")
share=$(awk -v a="$changed" -v f="$full" 'BEGIN {printf "%.1f", 100 * a / f}')
rows+=("| after changing 1% of the files, re-run | $changed s ($share%) | $rss MB | | target < 20%: \`$(tail -1 "$OUT/files.changed.err")\` |")

{
  echo "Scale runs, $(date -u '+%Y-%m-%d %H:%M UTC'), passim $(cd "$REPO" && git rev-parse --short HEAD), $(nproc) cores, load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| run | wall | peak RSS | index | note |"
  echo "|---|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
} | tee "$OUT/scale.md"
