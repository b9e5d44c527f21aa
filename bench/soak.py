#!/usr/bin/env python3
"""A soak test of `passim serve` under churn (issue 18, item 3); stdlib only.

usage: bench/soak.py [--duration SECS] [--interval SECS] [--workers N] [--sample SECS]
                     [--no-build] [--keep DIR]

Builds target/release/passim (unless --no-build, or PASSIM names a binary), indexes a
scratch folder of generated articles, starts `passim serve` on a free loopback port, then
for --duration seconds (default 300):

- N workers (default 2) send GET /api/search requests back to back over loopback,
  cycling through queries (words, a phrase, a prefix, a boolean query, a field);
- every --interval seconds (default 3) `passim index` re-indexes the churning folder after
  rewriting it: each generation replaces all CHURN articles with new files of new names
  (the run deletes the old ones and adds the new ones in one commit) and edits a few
  articles of the stable folder; runs leave three or more segments, so each run also
  merges them;
- every --sample seconds (default 10) it prints the server's resident memory (VmRSS) and
  open file descriptors, with the request and index-run counts so far.

Every article of the churning folder holds the word "quokka", so every committed state
has exactly CHURN articles matching it: an answer with another total came from a state
that was never committed, and is counted as inconsistent. A request fails if it errs,
times out or answers other than 200. At the end it prints a summary and exits 1 if a
request failed or was inconsistent, an index run failed, or the server restarted or died.
"""
import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHURN = 200  # articles in the churning folder, in every generation
STABLE = 400  # articles in the stable folder
QUERIES = [
    "quokka",
    "market growth",
    '"interest rates"',
    "elect*",
    "bank AND NOT loan",
    "title:report",
    "quokka shares",
    "football",
]
WORDS = (
    "market growth bank loan interest rates shares football report election vote minister "
    "company profit quarter season match goal player coach film music award record union "
    "strike ballot pay wage court judge law police energy oil price gas power climate"
).split()


def article(rng, headline, extra, n_words=250):
    words = [rng.choice(WORDS) for _ in range(n_words)]
    for w in extra:
        words.insert(rng.randrange(len(words)), w)
    body = " ".join(words)
    return f"{headline}\n\n{body.capitalize()}.\n"


def write_generation(churn_dir, stable_dir, gen, rng):
    """Replaces the churning folder with generation `gen`; edits 5 stable articles."""
    for name in os.listdir(churn_dir):
        os.remove(os.path.join(churn_dir, name))
    for i in range(CHURN):
        text = article(rng, f"Quokka report {gen}-{i}", ["quokka", f"gen{gen}"])
        with open(os.path.join(churn_dir, f"g{gen}-{i}.txt"), "w") as f:
            f.write(text)
    for _ in range(5):
        i = rng.randrange(STABLE)
        with open(os.path.join(stable_dir, f"s{i}.txt"), "w") as f:
            f.write(article(rng, f"Stable report {i} edit {gen}", []))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_stats(pid):
    rss_kb = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss_kb / 1024, fds


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.failed = 0
        self.inconsistent = 0
        self.failures = []
        self.latencies = []

    def add(self, ok, consistent, ms, what=None):
        with self.lock:
            self.requests += 1
            self.latencies.append(ms)
            if not ok:
                self.failed += 1
            elif not consistent:
                self.inconsistent += 1
            if what and len(self.failures) < 20:
                self.failures.append(what)


def worker(base, stop, counters, seed):
    rng = random.Random(seed)
    while not stop.is_set():
        q = rng.choice(QUERIES)
        url = f"{base}/api/search?" + urllib.parse.urlencode({"q": q, "limit": "10"})
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                body = resp.read()
                status = resp.status
        except Exception as e:  # an HTTP error, a refused or reset connection, a timeout
            counters.add(False, True, (time.monotonic() - t0) * 1000, f"{q!r}: {e}")
            continue
        ms = (time.monotonic() - t0) * 1000
        if status != 200:
            counters.add(False, True, ms, f"{q!r}: HTTP {status}")
            continue
        consistent = True
        what = None
        if q == "quokka":
            total = json.loads(body)["summary"]["total_hits"]
            consistent = total == CHURN
            if not consistent:
                what = f"'quokka' matched {total} articles, not {CHURN}"
        counters.add(True, consistent, ms, what)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=300)
    ap.add_argument("--interval", type=float, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sample", type=float, default=10)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--keep", help="scratch folder to use and keep (default: a temporary one)")
    args = ap.parse_args()

    passim = os.environ.get("PASSIM")
    if not passim:
        if not args.no_build:
            subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
        passim = os.path.join(REPO, "target", "release", "passim")
    out = args.keep or tempfile.mkdtemp(prefix="passim-soak-")
    os.makedirs(out, exist_ok=True)
    churn_dir, stable_dir = os.path.join(out, "churn"), os.path.join(out, "stable")
    index_dir = os.path.join(out, "index")
    shutil.rmtree(index_dir, ignore_errors=True)
    for d in (churn_dir, stable_dir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    rng = random.Random(18)
    for i in range(STABLE):
        with open(os.path.join(stable_dir, f"s{i}.txt"), "w") as f:
            f.write(article(rng, f"Stable report {i}", []))
    write_generation(churn_dir, stable_dir, 0, rng)
    subprocess.run([passim, "index", stable_dir, churn_dir, "--index", index_dir],
                   check=True, stderr=subprocess.DEVNULL)

    port = free_port()
    server = subprocess.Popen([passim, "serve", "--index", index_dir, "--addr", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/api/search?q=quokka", timeout=2).read()
            break
        except Exception:
            time.sleep(0.1)
    else:
        server.kill()
        sys.exit("soak: the server did not start: " + server.stderr.read().decode(errors="replace"))

    counters = Counters()
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(base, stop, counters, s), daemon=True)
               for s in range(args.workers)]
    for t in threads:
        t.start()

    runs = {"ok": 0, "failed": 0, "errors": [], "gen": 0}

    def indexer():
        gen = 0
        while not stop.wait(args.interval):
            gen += 1
            write_generation(churn_dir, stable_dir, gen, rng)
            r = subprocess.run([passim, "index", "--index", index_dir],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if r.returncode == 0:
                runs["ok"] += 1
                runs["gen"] = gen
            else:
                runs["failed"] += 1
                runs["errors"].append(r.stderr.decode(errors="replace").strip())

    index_thread = threading.Thread(target=indexer, daemon=True)
    index_thread.start()

    print(f"soak: {passim} serve on {base}, {args.workers} workers, re-index every "
          f"{args.interval:g} s, for {args.duration:g} s; scratch {out}")
    print(f"{'t (s)':>6} {'RSS (MB)':>9} {'fds':>4} {'requests':>9} {'failed':>6} "
          f"{'inconsistent':>12} {'index runs':>10} {'segments':>8}")
    samples = []
    start = time.monotonic()
    next_sample = 0.0
    while True:
        now = time.monotonic() - start
        if now >= next_sample:
            if server.poll() is not None:
                break
            rss, fds = proc_stats(server.pid)
            segs = len([n for n in os.listdir(index_dir) if n.endswith(".idx")])
            samples.append((now, rss, fds))
            print(f"{now:6.0f} {rss:9.1f} {fds:4d} {counters.requests:9d} {counters.failed:6d} "
                  f"{counters.inconsistent:12d} {runs['ok'] + runs['failed']:10d} {segs:8d}",
                  flush=True)
            next_sample += args.sample
        if now >= args.duration:
            break
        time.sleep(min(0.5, max(0.0, next_sample - now)))
    stop.set()
    for t in threads:
        t.join(timeout=15)
    index_thread.join(timeout=60)
    # The server sees the last commit: all CHURN articles of the last generation.
    fresh = None
    if server.poll() is None:
        time.sleep(2)
        q = urllib.parse.urlencode({"q": f"gen{runs['gen']}"})
        try:
            with urllib.request.urlopen(f"{base}/api/search?{q}", timeout=10) as resp:
                fresh = json.loads(resp.read())["summary"]["total_hits"]
        except Exception as e:
            fresh = f"error {e}"
    alive = server.poll() is None
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()

    lat = sorted(counters.latencies) or [0.0]
    elapsed = time.monotonic() - start
    print()
    print(f"requests: {counters.requests} ({counters.requests / elapsed:.0f}/s), "
          f"failed: {counters.failed}, inconsistent: {counters.inconsistent}; "
          f"latency p50 {lat[len(lat) // 2]:.1f} ms, p99 {lat[int(len(lat) * 0.99)]:.1f} ms, "
          f"max {lat[-1]:.1f} ms")
    print(f"index runs: {runs['ok']} ok, {runs['failed']} failed")
    if samples:
        rss = [s[1] for s in samples]
        fds = [s[2] for s in samples]
        print(f"server RSS: first {rss[0]:.1f} MB, last {rss[-1]:.1f} MB, max {max(rss):.1f} MB; "
              f"fds: first {fds[0]}, last {fds[-1]}, max {max(fds)}")
    print(f"server: {'ran throughout (pid %d)' % server.pid if alive else 'DIED'}; "
          f"the last generation (gen{runs['gen']}): {fresh} of {CHURN} articles found")
    for what in counters.failures:
        print(f"  request: {what}")
    for err in runs["errors"][:10]:
        print(f"  index run: {err}")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    bad = counters.failed or counters.inconsistent or runs["failed"] or not alive or fresh != CHURN
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
