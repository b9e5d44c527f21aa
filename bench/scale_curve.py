#!/usr/bin/env python3
"""Growth curve of index size, memory and query latency with corpus size.

usage: bench/scale_curve.py PASSIM OUT N [N ...]   (e.g. 200000 1000000 5000000)

For each N: SHARED/bench/make_corpus.py N 1 writes into a named pipe (OUT/big.jsonl) that
`passim index` reads, so the corpus is never stored (only the index needs disk); then the
1,000 queries of SHARED/bench/queries.tsv run one process each (`passim search Q --json`,
top 10, 3 passages: wall time of the process and the search's own elapsed_ms) and batched
(`--batch`, one process: elapsed_ms per query). Peak RSS of each process is sampled from
/proc/PID/status every 20 ms, split into RssAnon (heap) and RssFile (mapped index pages).
The index is deleted after each N. Prints a Markdown table (also OUT/curve.md).
Environment: SHARED (default: ../shared next to the repository), MEMORY (passim index
--memory, MB, default 256), KEEP=1 (keep the last N's index in OUT/idx, e.g. to profile it).
"""
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("SHARED") or os.path.join(HERE, "..", "..", "shared")
MEMORY = os.environ.get("MEMORY", "256")


def sample(proc, peaks, done):
    """Polls /proc/PID/status every 20 ms until `done` is set; keeps the peak of each RSS part (kB)."""
    path = "/proc/%d/status" % proc.pid
    while not done.is_set():
        try:
            with open(path) as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key in ("RssAnon", "RssFile", "VmHWM"):
                        peaks[key] = max(peaks.get(key, 0), int(value.split()[0]))
        except (OSError, ValueError):
            pass
        done.wait(0.02)


def run(cmd, **kw):
    """Runs cmd; returns (wall seconds, stdout bytes, peaks in kB)."""
    peaks = {}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    done = threading.Event()
    t = threading.Thread(target=sample, args=(proc, peaks, done))
    t.start()
    out, err = proc.communicate()
    # The wall ends with the process, not with the sampler's 20 ms sleep.
    wall = time.perf_counter() - t0
    done.set()
    t.join()
    if proc.returncode not in (0, 1):
        sys.exit("%s: exit %d: %s" % (cmd, proc.returncode, err.decode()[-500:]))
    return wall, out, peaks


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def du(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    passim, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    sizes = [int(n) for n in sys.argv[3:]]
    os.makedirs(out, exist_ok=True)
    queries = [l.rstrip("\n").split("\t", 1)[1] for l in open(os.path.join(SHARED, "bench", "queries.tsv"))]
    rows = []
    for n in sizes:
        idx, fifo = os.path.join(out, "idx"), os.path.join(out, "big.jsonl")
        subprocess.run(["rm", "-rf", idx, fifo], check=True)
        os.mkfifo(fifo)
        gen = subprocess.Popen([os.path.join(SHARED, "bench", "make_corpus.py"), str(n), "1", fifo])
        print("[%s] indexing %d articles" % (time.strftime("%H:%M:%S"), n), file=sys.stderr, flush=True)
        wall, _, ipeaks = run([passim, "index", fifo, "--index", idx, "--quiet", "--memory", MEMORY])
        if gen.wait() != 0:
            sys.exit("make_corpus.py failed")
        os.unlink(fifo)
        size = du(idx)
        stats = subprocess.run([passim, "stats", "--index", idx], capture_output=True, text=True).stdout
        segs = next((l.split(":")[1].strip() for l in stats.splitlines() if l.startswith("segments")), "?")
        print("[%s] one process per query" % time.strftime("%H:%M:%S"), file=sys.stderr, flush=True)
        walls, elapsed, qpeaks = [], [], {}
        for q in queries:
            w, o, p = run([passim, "search", "--plain", "--json", "-p", "3", "--index", idx, "--", q])
            walls.append(w * 1000)
            for line in o.decode().splitlines():
                d = json.loads(line)
                if d.get("type") == "summary":
                    elapsed.append(d["elapsed_ms"])
            for k, v in p.items():
                qpeaks[k] = max(qpeaks.get(k, 0), v)
        print("[%s] batched" % time.strftime("%H:%M:%S"), file=sys.stderr, flush=True)
        qfile = os.path.join(SHARED, "bench", "queries.tsv")
        bwall, o, bpeaks = run([passim, "search", "--batch", qfile, "--json", "-p", "3", "--index", idx])
        batched = [json.loads(l)["elapsed_ms"] for l in o.decode().splitlines() if '"type":"summary"' in l]
        rows.append({
            "n": n, "index_s": wall, "index_rss": ipeaks, "size": size, "segments": segs,
            "one_wall": (pct(walls, 0.5), pct(walls, 0.99)), "one_elapsed": (pct(elapsed, 0.5), pct(elapsed, 0.99)),
            "one_rss": qpeaks, "batch_wall": bwall, "batch": (pct(batched, 0.5), pct(batched, 0.99)), "batch_rss": bpeaks,
        })
        with open(os.path.join(out, "curve.json"), "w") as f:
            json.dump(rows, f, indent=1)
        if not (os.environ.get("KEEP") == "1" and n == sizes[-1]):
            subprocess.run(["rm", "-rf", idx], check=True)
    mb = lambda kb: "%d" % round(kb / 1024)
    lines = [
        "Growth curve, %s, %d cores, load average at end: %s, index --memory %s MB"
        % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count(), " ".join(open("/proc/loadavg").read().split()[:3]), MEMORY),
        "",
        "| articles | index build | peak RSS (anon + file) | index size | bytes/article | segments "
        "| one process per query: wall p50 / p99 (search p50 / p99) | its peak RSS (anon + file) "
        "| batched: p50 / p99 (whole batch) | batch peak RSS (anon + file) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        rss = lambda p: "%s MB (%s + %s)" % (mb(p.get("VmHWM", 0)), mb(p.get("RssAnon", 0)), mb(p.get("RssFile", 0)))
        lines.append(
            "| {:,} | {:.1f} s | {} | {:.2f} GB | {:,} | {} | {:.1f} / {:.1f} ms ({:.2f} / {:.2f} ms) | {} | {:.2f} / {:.2f} ms ({:.1f} s) | {} |".format(
                r["n"], r["index_s"], rss(r["index_rss"]), r["size"] / 1e9, round(r["size"] / r["n"]), r["segments"],
                *r["one_wall"], *r["one_elapsed"], rss(r["one_rss"]), *r["batch"], r["batch_wall"], rss(r["batch_rss"])))
    text = "\n".join(lines) + "\n"
    open(os.path.join(out, "curve.md"), "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
