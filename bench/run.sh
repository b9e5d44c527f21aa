#!/usr/bin/env bash
# usage: bench/run.sh [--quick] [--shared DIR] [--out DIR] [--repeat N] [--runs N] [--no-build] [--no-setup]
#
# passim at scale, measured side by side with the peers of SHARED/peers (tantivy-cli
# 0.24.0, SQLite FTS5; ripgrep for the one-shot CLI) on the same data, in one run. Prints figures
# and a Markdown report (also written to OUT/report.md); it is not a pass/fail test.
#   a. index build: wall time, peak RSS (GNU /usr/bin/time -v), index size (du -sm)
#      on Reuters-21578 and on the synthetic corpus (SHARED/bench/make_corpus.py SYN_N 1)
#   b. batch search of SHARED/bench/queries.tsv (1,000 queries), top 10, in one process:
#      passim --json -p 3 (p50/p99 from each query's elapsed_ms) and --format trec (no passages),
#      vs the peers' ranking-only query loops ('search time: X ms')
#   c. one-shot CLI on SHARED/corpora/bbc: `passim search pay` vs `rg -i -w pay` (hyperfine medians)
#   d. one 10 MB article (BBC paragraphs): `passim search` a frequent and a rare word
# --quick: Reuters only (no synthetic corpus), REPEAT=1 for indexing; parts b-d as usual.
#
# Environment (all optional):
#   SHARED      the team's shared folder (default: ../shared next to the repository)
#   BENCH_OUT   scratch output, outside git (default /tmp/passim-bench): corpora, indexes, logs, report
#   PEERS_ROOT  where SHARED/peers/setup.sh installs the peers (default ~/.cache/search-peers)
#   REPEAT      builds and batch runs per engine and corpus, medians reported (default 3)
#   RUNS        hyperfine runs for parts c and d (default 15)
#   SYN_N       synthetic corpus size (default 200000)
#   SKIP        engines to leave out, e.g. SKIP="tantivy-cli sqlite-fts5"
#   PASSIM      a passim binary to use instead of building this checkout
# Steps are interleaved across engines and preceded by `sync`, as in SHARED/bench/bench.sh.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
LIB="python3 $HERE/lib.py"

mode=full build=1 setup=1
SHARED=${SHARED:-$REPO/../shared}
OUT=${BENCH_OUT:-/tmp/passim-bench}
REPEAT=${REPEAT:-3}
RUNS=${RUNS:-15}
SYN_N=${SYN_N:-200000}
SKIP=${SKIP:-}
cmdline=$(echo "bench/run.sh $*" | sed "s/ *$//")
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --shared) SHARED=$2; shift ;;
    --out) OUT=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --no-build) build=0 ;;
    --no-setup) setup=0 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
SHARED=$(cd "$SHARED" && pwd)
PEERS=$SHARED/peers
export PEERS_ROOT=${PEERS_ROOT:-$HOME/.cache/search-peers}
QUERIES=$SHARED/bench/queries.tsv
REUTERS=$SHARED/corpora/reuters21578.jsonl
BBC=$SHARED/corpora/bbc
mkdir -p "$OUT"/{bin,idx,logs,data}
OUT=$(cd "$OUT" && pwd)
case "$OUT/" in "$REPO"/*) echo "run.sh: BENCH_OUT must be outside the repository" >&2; exit 2 ;; esac
RESULTS=$OUT/results.jsonl
: > "$RESULTS"
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
skip() { case " $SKIP " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- set-up: passim binary (a copy, so concurrent rebuilds of the checkout do not change it), peers
if [ -n "${PASSIM:-}" ]; then
  cp "$PASSIM" "$OUT/bin/passim"
else
  if [ "$build" = 1 ]; then
    say "cargo build --release"
    (cd "$REPO" && cargo build --release -q)
  fi
  cp "$REPO/target/release/passim" "$OUT/bin/passim"
fi
P=$OUT/bin/passim
rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')
[ -n "$(git -C "$REPO" status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null)" ] && rev="$rev + uncommitted src changes"
if [ "$setup" = 1 ]; then
  say "peers: $PEERS/setup.sh (PEERS_ROOT=$PEERS_ROOT)"
  "$PEERS/setup.sh" > "$OUT/logs/setup.log" 2>&1 || { echo "setup.sh failed, see $OUT/logs/setup.log" >&2; exit 1; }
fi
[ -x "$PEERS_ROOT/tantivy-cli/bin/tantivy" ] || { skip tantivy-cli || { say "no tantivy-cli: skipped"; SKIP="$SKIP tantivy-cli"; }; }
RG=$(command -v rg || echo "$PEERS_ROOT/ripgrep/bin/rg")
HYPERFINE=$(command -v hyperfine || true)
[ -n "$HYPERFINE" ] || say "no hyperfine: timing parts c and d with a Python loop (apt-get install hyperfine)"
sqlite_v=$("$PEERS_ROOT/venv/bin/python" -c 'import sqlite3; print(sqlite3.sqlite_version)' 2>/dev/null || python3 -c 'import sqlite3; print(sqlite3.sqlite_version)')

printf '{"kind":"meta","date":"%s","nproc":%s,"cpu":"%s","ram_gib":"%s","os":"%s","load":"Load average at start: %s.","passim":"%s","peers":"%s","command":"%s","mode":"%s","repeat":%s}\n' \
  "$(date '+%Y-%m-%d %H:%M %Z')" "$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
  "$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)" \
  "$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME" || uname -sr)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$rev (tantivy $(sed -n '/^name = "tantivy"$/{n;s/version = "\(.*\)"/\1/p}' "$REPO/Cargo.lock"))" \
  "tantivy-cli $("$PEERS_ROOT/tantivy-cli/bin/tantivy" --version 2>/dev/null | awk '{print $NF}' || echo '?'), SQLite $sqlite_v FTS5 (Python $(python3 -c 'import sys; print(sys.version.split()[0])')), $("$RG" --version | sed -n 1p), $( [ -n "$HYPERFINE" ] && "$HYPERFINE" --version || echo 'no hyperfine')" \
  "$cmdline" "$mode" "$REPEAT" >> "$RESULTS"

# ---- helpers
timed() {  # LABEL CMD... : sync, then CMD under GNU time; sets $wall (s) and $rss (MB); output -> logs/LABEL.log
  sync
  /usr/bin/time -v -o "$OUT/logs/$1.time" "${@:2}" > "$OUT/logs/$1.log" 2> "$OUT/logs/$1.err" ||
    { echo "FAILED: $1 (see $OUT/logs/$1.err)" >&2; return 1; }
  read -r wall rss < <($LIB timefile "$OUT/logs/$1.time")
}
maxof() { tr ' ' '\n' | grep . | sort -g | tail -1; }

index_engine() {  # ENGINE CORPUS INDEX_DIR LABEL
  case "$1" in
    passim) rm -rf "$3"; timed "$4" "$P" index "$2" --index "$3" --quiet ;;
    tantivy-cli) timed "$4" "$PEERS/tantivy-cli.sh" index "$2" "$3" ;;
    sqlite-fts5) timed "$4" "$PEERS/sqlite-fts5.py" index "$2" "$3" ;;
  esac
}
ENGINES="passim tantivy-cli sqlite-fts5"

bench_corpus() {  # NAME CORPUS.jsonl BUILDS
  local name=$1 corpus=$2 builds=$3 e i
  declare -A walls=() rsss=()
  for i in $(seq "$builds"); do
    for e in $ENGINES; do
      skip "$e" && continue
      say "a. $name: index $e ($i/$builds)"
      index_engine "$e" "$corpus" "$OUT/idx/$name-$e" "$name.$e.index$i"
      walls[$e]="${walls[$e]:-} $wall"; rsss[$e]="${rsss[$e]:-} $rss"
    done
  done
  for e in $ENGINES; do
    skip "$e" && continue
    printf '{"kind":"index","corpus":"%s","engine":"%s","wall":%s,"rss":%s,"size":%s,"walls":"%s"}\n' "$name" "$e" \
      "$($LIB median ${walls[$e]})" "$(echo ${rsss[$e]} | maxof)" "$(du -sm "$OUT/idx/$name-$e" | cut -f1)" "${walls[$e]# }" >> "$RESULTS"
  done

  # b. batch search, REPEAT rounds, engines interleaved
  local pj_wall= pj_rss= pj_loop= pj_p50= pj_p99= pt_wall= pt_rss=
  declare -A lwall=() lrss=() lms=()
  for i in $(seq "$REPEAT"); do
    say "b. $name: batch search round $i/$REPEAT"
    timed "$name.passim-json$i" "$P" search --batch "$QUERIES" --index "$OUT/idx/$name-passim" --json -n 10 -p 3
    read -r p50 p99 sum n < <($LIB batch "$OUT/logs/$name.passim-json$i.log")
    [ "$n" = 1000 ] || say "warning: passim printed $n query summaries, not 1000"
    pj_wall="$pj_wall $wall" pj_rss="$pj_rss $rss" pj_loop="$pj_loop $sum" pj_p50="$pj_p50 $p50" pj_p99="$pj_p99 $p99"
    timed "$name.passim-trec$i" "$P" search --batch "$QUERIES" --index "$OUT/idx/$name-passim" --format trec -n 10
    pt_wall="$pt_wall $wall" pt_rss="$pt_rss $rss"
    for e in tantivy-cli sqlite-fts5; do
      skip "$e" && continue
      local script=$PEERS/$e.sh; [ "$e" = sqlite-fts5 ] && script=$PEERS/sqlite-fts5.py
      timed "$name.$e.run$i" env THREADS=1 "$script" run "$OUT/idx/$name-$e" "$QUERIES" "$OUT/logs/$name.$e.trec" 10
      lwall[$e]="${lwall[$e]:-} $wall" lrss[$e]="${lrss[$e]:-} $rss"
      lms[$e]="${lms[$e]:-} $(sed -n 's/^search time: \([0-9.]*\) ms.*/\1/p' "$OUT/logs/$name.$e.run$i.err")"
    done
  done
  printf '{"kind":"loop","corpus":"%s","engine":"passim","what":"json, 3 passages","loop_ms":%s,"wall":%s,"p50":%s,"p99":%s,"rss":%s,"loops":"%s"}\n' \
    "$name" "$($LIB median $pj_loop)" "$($LIB median $pj_wall)" "$($LIB median $pj_p50)" "$($LIB median $pj_p99)" "$(echo $pj_rss | maxof)" "${pj_loop# }" >> "$RESULTS"
  printf '{"kind":"loop","corpus":"%s","engine":"passim","what":"trec, no passages","loop_ms":null,"wall":%s,"rss":%s}\n' \
    "$name" "$($LIB median $pt_wall)" "$(echo $pt_rss | maxof)" >> "$RESULTS"
  for e in tantivy-cli sqlite-fts5; do
    skip "$e" && continue
    printf '{"kind":"loop","corpus":"%s","engine":"%s","what":"ranking only","loop_ms":%s,"wall":%s,"rss":%s,"loops":"%s"}\n' \
      "$name" "$e" "$($LIB median ${lms[$e]})" "$($LIB median ${lwall[$e]})" "$(echo ${lrss[$e]} | maxof)" "${lms[$e]# }" >> "$RESULTS"
  done
}

hf() {  # JSON CMD... : median timing of CMD (output to /dev/null), RUNS runs after 3 warm-ups
  local json=$1; shift
  sync
  if [ -n "$HYPERFINE" ]; then
    "$HYPERFINE" -N -i --warmup 3 --runs "$RUNS" --style none --export-json "$json" -- "$(printf '%q ' "$@")" > /dev/null
  else
    $LIB loop "$RUNS" "$json" "$@"
  fi
}

# ---- a + b on each corpus
if [ "$mode" = quick ]; then
  bench_corpus reuters "$REUTERS" 1
else
  bench_corpus reuters "$REUTERS" "$REPEAT"
  SYN=$OUT/data/syn$SYN_N.jsonl
  if [ ! -s "$SYN" ]; then
    say "generating $SYN ($SYN_N articles)"
    "$SHARED/bench/make_corpus.py" "$SYN_N" 1 "$SYN.part" && mv "$SYN.part" "$SYN"
  fi
  bench_corpus "syn$((SYN_N / 1000))k" "$SYN" "$REPEAT"
fi

# ---- c. one-shot CLI on BBC
say "c. one-shot: passim search pay vs rg -i -w pay on BBC"
rm -rf "$OUT/idx/bbc-passim"
"$P" index "$BBC" --index "$OUT/idx/bbc-passim" --quiet 2> "$OUT/logs/bbc.index.err"
hf "$OUT/logs/c-passim.json" "$P" search pay --index "$OUT/idx/bbc-passim"
hf "$OUT/logs/c-rg.json" "$RG" -i -w pay "$BBC/"
for e in passim rg; do
  read -r med mn mx nr < <($LIB hyperfine "$OUT/logs/c-$e.json")
  [ $e = passim ] && c="passim search pay --index IDX" || c="rg -i -w pay corpora/bbc/"
  printf '{"kind":"oneshot","engine":"%s","cmd":"%s","median":%s,"min":%s,"max":%s,"runs":%s}\n' "$e" "$c" "$med" "$mn" "$mx" "$nr" >> "$RESULTS"
done

# ---- d. one 10 MB article
say "d. one 10 MB article"
mkdir -p "$OUT/data/bigdoc"
read -r freq nfreq rare nrare < <($LIB bigdoc "$BBC" "$OUT/data/bigdoc/article.txt" 10)
mb=$(stat -c %s "$OUT/data/bigdoc/article.txt" | awk '{printf "%.1f", $1 / 1048576}')
paras=$(grep -c '^$' "$OUT/data/bigdoc/article.txt" || true)
rm -rf "$OUT/idx/bigdoc-passim"
timed bigdoc.index "$P" index "$OUT/data/bigdoc" --index "$OUT/idx/bigdoc-passim" --quiet
iwall=$wall irss=$rss
for which in frequent rare; do
  [ $which = frequent ] && w=$freq n=$nfreq || w=$rare n=$nrare
  hf "$OUT/logs/d-$which.json" "$P" search "$w" --index "$OUT/idx/bigdoc-passim"
  read -r med mn mx nr < <($LIB hyperfine "$OUT/logs/d-$which.json")
  "$P" search "$w" --index "$OUT/idx/bigdoc-passim" --json > "$OUT/logs/d-$which.jsonl" || true
  el=$(sed -n 's/.*"type":"summary".*"elapsed_ms":\([0-9.]*\).*/\1/p' "$OUT/logs/d-$which.jsonl" | tail -1)
  printf '{"kind":"bigdoc","which":"%s","word":"%s","count":%s,"median":%s,"min":%s,"max":%s,"runs":%s,"elapsed_ms":%s,"mb":%s,"paras":%s,"index_wall":%s,"index_rss":%s}\n' \
    "$which" "$w" "$n" "$med" "$mn" "$mx" "$nr" "${el:-null}" "$mb" "$paras" "$iwall" "$irss" >> "$RESULTS"
done

$LIB report "$RESULTS" | tee "$OUT/report.md"
say "report: $OUT/report.md; raw figures: $RESULTS; logs: $OUT/logs"
