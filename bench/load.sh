#!/usr/bin/env bash
# usage: bench/load.sh [--connections N] [--duration SECS] [--threads N] [--no-build]
#
# A load test of `passim serve` over loopback with wrk. Indexes a corpus in a scratch
# folder, starts the server on a free port, then runs wrk against GET /api/search, cycling
# through a list of queries (words, phrases, prefixes, boolean), top 10 with 3 passages each (the
# API defaults). Prints throughput and latency percentiles, and fails if any request errs or
# answers other than 200. A benchmark, not part of the test suite.
#
# Environment (all optional):
#   CORPUS      folder or .jsonl to index (default: ../shared/corpora/bbc when present, else seeds/)
#   PASSIM      a passim binary to use instead of building this checkout
#   BENCH_OUT   scratch folder (default: a fresh temporary folder, removed at the end)
# Needs wrk (apt-get install -y wrk) and curl.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

connections=50 duration=10 threads=2 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "load.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "load.sh: wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "load.sh: curl is not installed" >&2; exit 2; }

if [ -z "${PASSIM:-}" ]; then
  if [ "$build" = 1 ]; then
    (cd "$REPO" && cargo build --release --quiet)
  fi
  PASSIM="$REPO/target/release/passim"
fi
if [ -z "${CORPUS:-}" ]; then
  if [ -d "$REPO/../shared/corpora/bbc" ]; then
    CORPUS=$(cd "$REPO/../shared/corpora/bbc" && pwd)
  else
    CORPUS="$REPO/seeds"
  fi
fi

if [ -n "${BENCH_OUT:-}" ]; then
  OUT=$BENCH_OUT
  mkdir -p "$OUT"
else
  OUT=$(mktemp -d)
fi
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -z "${BENCH_OUT:-}" ]; then rm -rf "$OUT"; fi
}
trap cleanup EXIT

"$PASSIM" index "$CORPUS" --index "$OUT/index" --rebuild 2>"$OUT/index.err"
articles=$(tail -1 "$OUT/index.err" | awk '{print $2}')

"$PASSIM" serve --index "$OUT/index" --addr 127.0.0.1:0 2>"$OUT/serve.err" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^passim: serving .* at \(http:[^ ]*\)$/\1/p' "$OUT/serve.err")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "load.sh: the server did not start:" >&2; cat "$OUT/serve.err" >&2; exit 1; }
curl -fsS "${url}api/search?q=pay" >/dev/null

# Queries cycled through by the wrk connections (URL-encoded).
cat >"$OUT/queries.lua" <<'LUA'
local queries = {
  "pay", "strike", "%22strike+action%22", "amazon+workers", "union+pay+rise", "elect*",
  "music+AND+award", "film+-oscar", "title%3Afootball", "bank+interest+rates",
  "mobile+phone", "%22prime+minister%22", "champion", "software+security", "tax+OR+budget",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/search?q=" .. queries[(i % #queries) + 1])
end
LUA

echo "passim serve load test: $articles articles from $CORPUS"
echo "wrk: $threads threads, $connections connections, ${duration}s, GET /api/search (15 queries, top 10, 3 passages)"
echo "machine: $(nproc) cores, $(uname -sr)"
wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$OUT/queries.lua" "$url" | tee "$OUT/wrk.txt"

rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/wrk.txt")
p50=$(awk '$1 == "50%" {print $2}' "$OUT/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk.txt")
total=$(awk '/requests in/ {print $1}' "$OUT/wrk.txt")
echo
echo "summary: ${rps} requests/s, p50 ${p50}, p99 ${p99}, ${total} requests"
if grep -qE "Non-2xx or 3xx responses|Socket errors" "$OUT/wrk.txt"; then
  echo "load.sh: FAILED: some requests erred (see above)" >&2
  exit 1
fi
echo "no errors"
