#!/usr/bin/env python3
"""Helpers for bench/run.sh (stdlib only).

  lib.py timefile FILE              -> "WALL_S RSS_MB" from a GNU `/usr/bin/time -v` report
  lib.py median X...                -> the median of the numbers
  lib.py batch JSONL                -> "P50_MS P99_MS SUM_MS N" over passim's per-query summary lines
  lib.py hyperfine JSON             -> "MEDIAN_MS MIN_MS MAX_MS RUNS" per command, one line each
  lib.py bigdoc BBC_DIR OUT.txt MB  -> writes one article (headline + MB of real BBC paragraphs in a
                                       fixed shuffled order); prints "FREQUENT_WORD N RARE_WORD N"
  lib.py loop N JSON CMD...         -> times CMD N times (stdout/stderr to /dev/null) after 3 warm-ups and
                                       writes a hyperfine-like JSON (fallback when hyperfine is missing)
  lib.py report RESULTS.jsonl       -> the Markdown report (run.sh appends one JSON object a line)
"""
import json
import os
import random
import re
import statistics
import sys


def median(xs):
    xs = [float(x) for x in xs]
    return statistics.median(xs) if xs else float("nan")


def timefile(path):
    wall = rss = None
    for line in open(path):
        k, _, v = line.strip().rpartition(": ")
        if k.startswith("Elapsed (wall clock)"):
            s = 0.0
            for part in v.split(":"):
                s = s * 60 + float(part)
            wall = s
        elif k == "Maximum resident set size (kbytes)":
            rss = int(v) / 1024
    print("%.3f %.0f" % (wall, rss))


def pct(xs, p):
    """Nearest-rank percentile."""
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = max(0, min(len(xs) - 1, int(-(-p * len(xs) // 100)) - 1))
    return xs[k]


def batch(path):
    ms = []
    for line in open(path):
        if '"summary"' not in line:
            continue
        o = json.loads(line)
        if o.get("type") == "summary" and "elapsed_ms" in o:
            ms.append(float(o["elapsed_ms"]))
    print("%.2f %.2f %.1f %d" % (pct(ms, 50), pct(ms, 99), sum(ms), len(ms)))


def hyperfine(path):
    for r in json.load(open(path))["results"]:
        t = [x * 1000 for x in r["times"]]
        print("%.2f %.2f %.2f %d" % (statistics.median(t), min(t), max(t), len(t)))


STOP = set("""the and for that with was were are has have had but not this from they will his her
said its been which their would there also more than into about after when who what over all can
one could some other them just only out new said year years being them because very""".split())


def bigdoc(bbc, out, mb):
    paras = []
    for root, dirs, files in os.walk(bbc):
        dirs.sort()
        for f in sorted(files):
            if not re.fullmatch(r"\d+\.txt", f):
                continue
            text = open(os.path.join(root, f), encoding="utf-8", errors="replace").read()
            blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
            paras.extend(blocks[1:])  # drop the headline
    rnd = random.Random(4)
    target = int(mb * 1024 * 1024)
    body, size = [], 0
    while size < target:
        order = paras[:]
        rnd.shuffle(order)
        for p in order:
            body.append(p)
            size += len(p.encode()) + 2
            if size >= target:
                break
    text = "\n\n".join(body) + "\n"
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("One very long article of BBC News text\n\n" + text)
    counts = {}  # body words only
    for w in re.findall(r"[a-z]+", text.lower()):
        counts[w] = counts.get(w, 0) + 1
    frequent = max((w for w in counts if len(w) >= 4 and w not in STOP), key=lambda w: counts[w])
    # rare: the least frequent long word, ties broken alphabetically (deterministic)
    rare = min((w for w in counts if len(w) >= 8), key=lambda w: (counts[w], w))
    print(frequent, counts[frequent], rare, counts[rare])


def fmt(x, nd=0):
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    if x != x:  # nan
        return "–"
    return "{:,.{}f}".format(x, nd)


def ratio(a, b, nd=2):
    if a is None or b is None or not b or a != a or b != b:
        return "–"
    return "%.*f×" % (nd, a / b)


def speed(peer, mine):
    if not peer or not mine:
        return "–"
    return "%.1f× faster" % (peer / mine) if peer >= mine else "%.1f× slower" % (mine / peer)


def report(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    meta = next((r for r in rows if r["kind"] == "meta"), {})
    out = []
    p = out.append
    p("### passim benchmark, %s" % meta.get("date", "?"))
    p("")
    p("Machine: %s cores (`nproc`), %s, %s GiB RAM, %s. %s" % (
        meta.get("nproc"), meta.get("cpu"), meta.get("ram_gib"), meta.get("os"), meta.get("load", "")))
    p("Versions: passim %s; %s." % (meta.get("passim"), meta.get("peers")))
    p("Command: `%s` (mode: %s; repeats: %s)." % (meta.get("command"), meta.get("mode"), meta.get("repeat")))
    p("")

    idx = [r for r in rows if r["kind"] == "index"]
    corpora = []
    for r in idx + [r for r in rows if r["kind"] in ("loop",)]:
        if r["corpus"] not in corpora:
            corpora.append(r["corpus"])
    targets = []
    if idx:
        p("**a. Index build** (wall and peak RSS: median / max of %s builds from scratch; size: `du -sm`)" % meta.get("repeat"))
        p("")
        p("| corpus | engine | wall s | peak RSS MB | index MB | passim wall ÷ engine wall |")
        p("|---|---|---:|---:|---:|---:|")
        for c in corpora:
            rs = [r for r in idx if r["corpus"] == c]
            pw = next((r["wall"] for r in rs if r["engine"] == "passim"), None)
            for r in rs:
                p("| %s | %s | %s | %s | %s | %s |" % (c, r["engine"], fmt(r["wall"], 2), fmt(r["rss"]),
                                                       fmt(r["size"]), "" if r["engine"] == "passim" else ratio(pw, r["wall"])))
                if r["engine"] != "passim" and pw is not None:
                    targets.append(("a. index wall ≤ %s (%s)" % (r["engine"], c), "%.2f s vs %.2f s (%s)" % (pw, r["wall"], ratio(pw, r["wall"])), pw <= r["wall"]))
        p("")

    loops = [r for r in rows if r["kind"] == "loop"]
    if loops:
        p("**b. Batch search**: the 1,000 queries of queries.tsv in one process, top 10 (median of %s runs, warm cache)." % meta.get("repeat"))
        p("Loop = the engine's own query timer summed over the queries (passim: Σ `elapsed_ms`, which covers query")
        p("parsing, top-k + total count, stored-doc fetch and passages, not printing; tantivy-cli: `tantivy serve`'s")
        p("top-k + doc fetch, no HTTP/JSON; FTS5: the Python `MATCH … ORDER BY bm25() LIMIT 10` loop). Wall = whole")
        p("process, start-up and output included (tantivy-cli: the server and the Python HTTP client). passim")
        p("answers a batch one query per core, so its wall time can be below its loop; the peers' loops run one")
        p("query at a time.")
        p("")
        p("| corpus | engine | output | loop ms | wall s | p50 ms | p99 ms | peak RSS MB |")
        p("|---|---|---|---:|---:|---:|---:|---:|")
        for c in corpora:
            for r in [r for r in loops if r["corpus"] == c]:
                p("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    c, r["engine"], r["what"], fmt(r.get("loop_ms")), fmt(r["wall"], 2),
                    fmt(r.get("p50"), 2), fmt(r.get("p99"), 2), fmt(r["rss"])))
        p("")
        p("passim vs each peer's ranking-only loop (\"N× faster\" = peer loop ÷ passim time). Passim's time is taken")
        p("two ways: its own loop (Σ elapsed_ms, like the peers' timers) and its whole process wall time (stricter).")
        p("")
        p("| corpus | peer | passim json+passages, loop | passim json+passages, wall | passim trec (ranking only), wall |")
        p("|---|---|---:|---:|---:|")
        for c in corpora:
            get = {(r["engine"], r["what"]): r for r in loops if r["corpus"] == c}
            pj, pt = get.get(("passim", "json, 3 passages")), get.get(("passim", "trec, no passages"))
            fts, tan = get.get(("sqlite-fts5", "ranking only")), get.get(("tantivy-cli", "ranking only"))
            for name, peer in (("SQLite FTS5", fts), ("tantivy-cli", tan)):
                if not peer or not pj:
                    continue
                pl = peer["loop_ms"]
                p("| %s | %s | %s | %s | %s |" % (c, name, speed(pl, pj["loop_ms"]), speed(pl, pj["wall"] * 1000),
                                                  speed(pl, pt["wall"] * 1000) if pt else "–"))
            if fts and pj:
                targets.append(("b. ≥ 3× faster than FTS5 (%s)" % c,
                                "passim %s (loop), %s (wall)" % (speed(fts["loop_ms"], pj["loop_ms"]), speed(fts["loop_ms"], pj["wall"] * 1000)),
                                fts["loop_ms"] >= 3 * pj["loop_ms"]))
            if tan and pj:
                targets.append(("b. within 2× of tantivy-cli (%s)" % c,
                                "passim json+passages %s (loop), %s (wall); trec %s (wall)" % (
                                    speed(tan["loop_ms"], pj["loop_ms"]), speed(tan["loop_ms"], pj["wall"] * 1000),
                                    speed(tan["loop_ms"], pt["wall"] * 1000) if pt else "–"),
                                pj["loop_ms"] <= 2 * tan["loop_ms"]))
            if tan and pj:
                # Issue 17: passim's whole batch (process start, passages, output;
                # one query per core) against the peer's ranking-only loop.
                targets.append(("b. whole batch (wall) ≤ 1.0× tantivy-cli loop (%s)" % c,
                                "%.0f ms vs %.0f ms (%s)" % (pj["wall"] * 1000, tan["loop_ms"], ratio(pj["wall"] * 1000, tan["loop_ms"])),
                                pj["wall"] * 1000 <= tan["loop_ms"]))
            if pj and c != "reuters":
                targets.append(("b. p99 < 20 ms (%s)" % c, "%.2f ms" % pj["p99"], pj["p99"] < 20))
        p("")

    one = [r for r in rows if r["kind"] == "oneshot"]
    if one:
        p("**c. One-shot CLI** on BBC (2,225 articles), output to /dev/null, `hyperfine -N`, %s runs after 3 warm-ups" % one[0]["runs"])
        p("")
        p("| command | median ms | min ms | max ms |")
        p("|---|---:|---:|---:|")
        for r in one:
            p("| `%s` | %s | %s | %s |" % (r["cmd"], fmt(r["median"], 1), fmt(r["min"], 1), fmt(r["max"], 1)))
        pr = next((r for r in one if r["engine"] == "passim"), None)
        rg = next((r for r in one if r["engine"] == "rg"), None)
        if pr and rg:
            p("")
            p("passim ÷ rg (medians): **%s**" % ratio(pr["median"], rg["median"]))
            targets.append(("c. one-shot passim/rg < 1", "%.1f ms vs %.1f ms (%s)" % (pr["median"], rg["median"], ratio(pr["median"], rg["median"])), pr["median"] < rg["median"]))
        p("")

    big = [r for r in rows if r["kind"] == "bigdoc"]
    if big:
        b0 = big[0]
        p("**d. One 10 MB article** (%s MB, %s paragraphs of BBC text; indexed in %s s, peak RSS %s MB); `passim search WORD`, text output to /dev/null, `hyperfine -N`, %s runs" % (
            fmt(b0["mb"], 1), fmt(b0["paras"]), fmt(b0["index_wall"], 2), fmt(b0["index_rss"]), b0["runs"]))
        p("")
        p("| word | occurrences | median ms | min ms | max ms | passim's elapsed_ms (json) |")
        p("|---|---:|---:|---:|---:|---:|")
        for r in big:
            p("| %s (%s) | %s | %s | %s | %s | %s |" % (r["word"], r["which"], fmt(r["count"]), fmt(r["median"], 1), fmt(r["min"], 1), fmt(r["max"], 1), fmt(r.get("elapsed_ms"), 1)))
            targets.append(("d. 10 MB article, %s word < 100 ms" % r["which"], "%.1f ms" % r["median"], r["median"] < 100))
        p("")

    if targets:
        p("**Targets**")
        p("")
        p("| target | measured | |")
        p("|---|---|---|")
        for name, val, ok in targets:
            p("| %s | %s | %s |" % (name, val, "pass" if ok else "**MISS**"))
        p("")
    print("\n".join(out))


def loop(n, out, cmd):
    import subprocess
    import time
    times = []
    for i in range(3 + n):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i >= 3:
            times.append(time.perf_counter() - t)
    json.dump({"results": [{"command": " ".join(cmd), "times": times}]}, open(out, "w"))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "timefile":
        timefile(args[0])
    elif cmd == "median":
        print("%.3f" % median(args))
    elif cmd == "batch":
        batch(args[0])
    elif cmd == "hyperfine":
        hyperfine(args[0])
    elif cmd == "bigdoc":
        bigdoc(args[0], args[1], float(args[2]))
    elif cmd == "loop":
        loop(int(args[0]), args[1], args[2:])
    elif cmd == "report":
        report(args[0])
    else:
        sys.exit(__doc__)
