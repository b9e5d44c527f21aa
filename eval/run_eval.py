#!/usr/bin/env python3
"""Measure passim's relevance on the shared evaluation sets.

usage: eval/run_eval.py [EVAL_DIR] [PASSIM] [--sets cacm,cisi,...] [--no-scifact] [--no-speed]
                        [--runs DIR] [--per-query] [--rank KEY=VALUE ...]
       eval/run_eval.py [EVAL_DIR] [PASSIM] --loo [--grid "KEY=V1,V2 KEY=V1,V2 ..."] [--rank ...]

EVAL_DIR defaults to ../shared/eval and PASSIM to target/release/passim, both relative to the
project root (the folder above this script). For each of the six judged sets it indexes
articles.jsonl into a temporary folder, runs queries.tsv as a batch (`--format trec -n 1000`) and
scores the run with pytrec_eval exactly like ../shared/peers/score.py: means over the queries
that have a relevant document, a query missing from the run counts 0, and only each query's top
1000 documents by score count. The scifact passage benchmark runs the claims as a batch
(`--json -n 10`, default passages) and is scored by EVAL_DIR/passages.py. Batch speed is timed
on the JSON batch (top 10 with passages) over all sets. Peer figures are read from
EVAL_DIR/README.md and EVAL_DIR/scifact/README.md and printed beside passim's.

--rank KEY=VALUE (repeatable) passes a ranking setting to every search (`passim search --rank`;
the keys are in CONTRIBUTING.md). --loo is leave-one-collection-out: each set is indexed once and
its queries run once per point of a grid of query-time settings (--grid, default GRID below); for
each set, the grid point with the best mean nDCG@10 on the other five is chosen and scored on the
held-out set. It prints the rotation table, how often each point was chosen, and the all-sets
table of the point that is best on all six.

Needs python3 and pytrec_eval only.
"""
import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict

SETS = ["cacm", "cisi", "cran", "med", "npl", "adi"]

# The default --loo grid: every tuned number of the ranking that is set at query time.
GRID = "k1=1.2,1.5 b=0.5,0.6,0.75 title_repeat=2,3 fb_weight=0.6,0.7,0.8"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    import pytrec_eval
except ImportError:
    sys.exit("run_eval.py: needs pytrec_eval (pip install pytrec_eval)")


def read_qrels(path):
    qrels = defaultdict(dict)
    with open(path) as f:
        for line in f:
            if line.strip():
                qid, _, docid, rel = line.split()
                qrels[qid][docid] = int(rel)
    return {q: d for q, d in qrels.items() if any(r > 0 for r in d.values())}


def read_run(text, depth=1000):
    run = defaultdict(dict)
    for line in text.splitlines():
        if line.strip():
            qid, _, docid, _rank, score, _tag = line.split()
            run[qid][docid] = float(score)
    return {q: dict(sorted(d.items(), key=lambda x: (-x[1], x[0]))[:depth]) for q, d in run.items()}


def score_run(run, qrels):
    """nDCG@10 and MAP as ../shared/peers/score.py computes them; also per query."""
    ev = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "map"})
    per_q = ev.evaluate({q: d for q, d in run.items() if q in qrels})
    zero = {"ndcg_cut_10": 0.0, "map": 0.0}
    rows = {q: per_q.get(q, zero) for q in qrels}
    n = max(len(rows), 1)
    return (sum(r["ndcg_cut_10"] for r in rows.values()) / n,
            sum(r["map"] for r in rows.values()) / n, rows)


def peer_tables(readme):
    """{metric: {peer: {set: value}}} from the eval README's markdown tables."""
    tables = {}
    metric = None
    with open(readme, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\*\*(nDCG@10|MAP)\b", line.strip())
            if m:
                metric = m.group(1)
                tables[metric] = {}
                continue
            if metric and line.startswith("|"):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if len(cells) < 7 or cells[0] in ("peer (k1, b)",) or cells[0].startswith("---"):
                    continue
                vals = {}
                for s, c in zip(SETS, cells[1:7]):
                    try:
                        vals[s] = float(c)
                    except ValueError:
                        pass
                if len(vals) == len(SETS):
                    tables[metric][cells[0]] = vals
            elif metric and line.strip() and not line.startswith("|"):
                if tables[metric]:
                    metric = None
    return tables


def scifact_peers(readme):
    """{baseline: hit@1 %} from the scifact README's baseline table."""
    out = {}
    with open(readme, encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 6 and cells[0] in ("lead", "fts5-snippet", "tantivy-snippet",
                                                "oracle", "oracle-whole"):
                out[cells[0]] = cells[4]
    return out


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode not in (0, 1):
        sys.exit("run_eval.py: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return p


def cpu_seconds():
    """CPU time (user + system) of finished child processes: steadier than wall time on a
    shared machine."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def index(passim, articles, idx):
    run([passim, "index", articles, "--index", idx, "--quiet"])


def rank_args(settings):
    """`--rank KEY=VALUE` arguments for a list of (key, value)."""
    out = []
    for k, v in settings:
        out += ["--rank", "%s=%s" % (k, v)]
    return out


def parse_grid(spec):
    """"k1=1.2,1.5 b=0.6" -> [[("k1", "1.2"), ("b", "0.6")], [("k1", "1.5"), ("b", "0.6")]]"""
    axes = []
    for part in spec.replace(";", " ").split():
        key, _, values = part.partition("=")
        vals = [v for v in values.split(",") if v]
        if not key or not vals:
            sys.exit("run_eval.py: bad --grid part %r (give KEY=V1,V2,...)" % part)
        axes.append((key, vals))
    points = [[]]
    for key, vals in axes:
        points = [p + [(key, v)] for p in points for v in vals]
    return points


def label(point):
    return " ".join("%s=%s" % kv for kv in point) or "defaults"


def loo(a, passim, sets, peers, base):
    """Leave one collection out over the grid; prints the tables."""
    if len(sets) < 2:
        sys.exit("run_eval.py: --loo needs at least two sets")
    grid = parse_grid(a.grid)
    tmp = tempfile.mkdtemp(prefix="passim-loo-")
    scores = {}  # (point index, set) -> (nDCG@10, MAP)
    cpu = 0.0
    try:
        qrels = {}
        for s in sets:
            d = os.path.join(a.eval_dir, s)
            index(passim, os.path.join(d, "articles.jsonl"), os.path.join(tmp, s))
            qrels[s] = read_qrels(os.path.join(d, "qrels.txt"))
        for i, point in enumerate(grid):
            for s in sets:
                t0 = cpu_seconds()
                p = run([passim, "search", "--batch", os.path.join(a.eval_dir, s, "queries.tsv"),
                         "--index", os.path.join(tmp, s), "--format", "trec", "-n", "1000"]
                        + rank_args(base + point))
                cpu += cpu_seconds() - t0
                ndcg, ap_, _ = score_run(read_run(p.stdout), qrels[s])
                scores[(i, s)] = (ndcg, ap_)
            print("%3d/%d %s: mean nDCG@10 %.4f" % (
                i + 1, len(grid), label(point),
                sum(scores[(i, s)][0] for s in sets) / len(sets)), file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def mean_on(i, on):
        return sum(scores[(i, s)][0] for s in on) / len(on)

    best_peer = {}
    for s in sets:
        name, vals = max(peers.get("nDCG@10", {}).items(), key=lambda kv: kv[1][s],
                         default=(None, None))
        best_peer[s] = (name, vals[s] if vals else None)
    peer_means = {n: sum(v[s] for s in sets) / len(sets)
                  for n, v in peers.get("nDCG@10", {}).items()}
    best_mean_peer = max(peer_means.items(), key=lambda kv: kv[1], default=(None, None))

    print("\n**Leave one collection out** (%d grid points: `%s`%s; %.0f CPU s of search)\n" % (
        len(grid), a.grid, "; with " + label(base) if base else "", cpu))
    print("| held-out set | chosen on the other %d (best mean nDCG@10 there) | nDCG@10 | MAP "
          "| best peer (nDCG@10) | − best peer |" % (len(sets) - 1))
    print("|---|---|---:|---:|---|---:|")
    chosen = {}
    held = []
    for s in sets:
        others = [o for o in sets if o != s]
        i = max(range(len(grid)), key=lambda j: (mean_on(j, others), -j))
        chosen[s] = i
        ndcg, ap_ = scores[(i, s)]
        held.append((ndcg, ap_))
        name, pv = best_peer[s]
        print("| %s | %s (%.4f) | %.4f | %.4f | %s %s | %s |" % (
            s, label(grid[i]), mean_on(i, others), ndcg, ap_, name or "-",
            "(%.4f)" % pv if pv is not None else "", "%+.4f" % (ndcg - pv) if pv is not None else "-"))
    mn = sum(h[0] for h in held) / len(held)
    mm = sum(h[1] for h in held) / len(held)
    bm_name, bm = best_mean_peer
    print("| **mean** | | %.4f | %.4f | %s %s | %s |" % (
        mn, mm, bm_name or "-", "(%.4f)" % bm if bm is not None else "",
        "%+.4f" % (mn - bm) if bm is not None else "-"))

    counts = {}
    for s, i in chosen.items():
        counts.setdefault(i, []).append(s)
    print("\nChosen: " + "; ".join("%s for %s" % (label(grid[i]), ", ".join(v))
                                    for i, v in sorted(counts.items(), key=lambda kv: -len(kv[1]))))

    best = max(range(len(grid)), key=lambda j: (mean_on(j, sets), -j))
    print("\n**All %d sets** (the grid point best on all of them: %s)\n" % (len(sets), label(grid[best])))
    print("| settings | " + " | ".join(sets) + " | mean nDCG@10 | mean MAP |")
    print("|---|" + "---:|" * (len(sets) + 2))
    shown = [best] + [i for i in sorted(counts) if i != best]
    for i in shown:
        print("| %s | %s | %.4f | %.4f |" % (
            label(grid[i]), " | ".join("%.4f" % scores[(i, s)][0] for s in sets), mean_on(i, sets),
            sum(scores[(i, s)][1] for s in sets) / len(sets)))
    if a.grid_scores:
        with open(a.grid_scores, "w") as f:
            for (i, s), (ndcg, ap_) in sorted(scores.items()):
                f.write("%s\t%s\t%.6f\t%.6f\n" % (label(grid[i]), s, ndcg, ap_))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("eval_dir", nargs="?", default=os.path.join(ROOT, "..", "shared", "eval"))
    ap.add_argument("passim", nargs="?", default=os.path.join(ROOT, "target", "release", "passim"))
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--no-scifact", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--runs", help="keep the TREC runs and scifact hits in this folder")
    ap.add_argument("--per-query", action="store_true", help="print per-query nDCG@10")
    ap.add_argument("--rank", action="append", default=[], metavar="KEY=VALUE",
                    help="a ranking setting for every search (repeatable)")
    ap.add_argument("--loo", action="store_true", help="leave one collection out over --grid")
    ap.add_argument("--grid", default=GRID, help="the --loo grid (default: %(default)s)")
    ap.add_argument("--grid-scores", metavar="FILE",
                    help="with --loo, write every (settings, set, nDCG@10, MAP) to FILE")
    a = ap.parse_args()
    passim = os.path.abspath(a.passim)
    if not os.access(passim, os.X_OK):
        sys.exit("run_eval.py: no passim binary at %s (cargo build --release)" % passim)
    sets = [s for s in a.sets.split(",") if s]
    peers = peer_tables(os.path.join(a.eval_dir, "README.md"))
    base = []
    for kv in a.rank:
        key, eq, value = kv.partition("=")
        if not eq:
            sys.exit("run_eval.py: --rank takes KEY=VALUE, not %r" % kv)
        base.append((key, value))
    if a.loo:
        loo(a, passim, sets, peers, base)
        return
    tmp = tempfile.mkdtemp(prefix="passim-eval-")
    if a.runs:
        os.makedirs(a.runs, exist_ok=True)
    ours = {"nDCG@10": {}, "MAP": {}}
    speed = {}  # set -> (queries, seconds) for the JSON batch with passages
    try:
        for s in sets:
            d = os.path.join(a.eval_dir, s)
            idx = os.path.join(tmp, s)
            index(passim, os.path.join(d, "articles.jsonl"), idx)
            queries = os.path.join(d, "queries.tsv")
            p = run([passim, "search", "--batch", queries, "--index", idx,
                     "--format", "trec", "-n", "1000"] + rank_args(base))
            if a.runs:
                with open(os.path.join(a.runs, s + ".trec"), "w") as f:
                    f.write(p.stdout)
            ndcg, ap_, rows = score_run(read_run(p.stdout), read_qrels(os.path.join(d, "qrels.txt")))
            ours["nDCG@10"][s], ours["MAP"][s] = ndcg, ap_
            if a.per_query:
                for q in sorted(rows, key=lambda x: (len(x), x)):
                    print("%s\t%s\t%.4f" % (s, q, rows[q]["ndcg_cut_10"]))
            if not a.no_speed:
                nq = sum(1 for line in open(queries) if line.strip())
                t0 = cpu_seconds()
                run([passim, "search", "--batch", queries, "--index", idx, "--json", "-n", "10"]
                    + rank_args(base))
                speed[s] = (nq, cpu_seconds() - t0)
            print("%-5s nDCG@10=%.4f MAP=%.4f" % (s, ndcg, ap_), file=sys.stderr)

        sci = None
        if not a.no_scifact:
            d = os.path.join(a.eval_dir, "scifact")
            idx = os.path.join(tmp, "scifact")
            index(passim, os.path.join(d, "articles.jsonl"), idx)
            queries = os.path.join(d, "queries.tsv")
            t0 = cpu_seconds()
            p = run([passim, "search", "--batch", queries, "--index", idx, "--json", "-n", "10"]
                    + rank_args(base))
            nq = sum(1 for line in open(queries) if line.strip())
            speed["scifact"] = (nq, cpu_seconds() - t0)
            hits = os.path.join(a.runs or tmp, "scifact-hits.jsonl")
            with open(hits, "w") as f:
                for line in p.stdout.splitlines():
                    if line.strip() and json.loads(line).get("type") == "hit":
                        f.write(line + "\n")
            s = run([sys.executable, os.path.join(a.eval_dir, "passages.py"),
                     os.path.join(d, "evidence.jsonl"), hits, "--json",
                     "--articles", os.path.join(d, "articles.jsonl")])
            sci = json.loads(s.stdout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # The table: passim beside every peer, per metric.
    for metric in ("nDCG@10", "MAP") if sets else ():
        print("\n**%s**\n" % metric)
        print("| engine | " + " | ".join(sets) + " | mean |")
        print("|---|" + "---:|" * (len(sets) + 1))
        rows = list(peers.get(metric, {}).items()) + [("**passim**", ours[metric])]
        for name, vals in rows:
            got = [vals.get(s) for s in sets]
            mean = sum(got) / len(got) if got and None not in got else None
            cells = ["%.4f" % v if v is not None else "-" for v in got]
            print("| %s | %s | %s |" % (name, " | ".join(cells), "%.4f" % mean if mean is not None else "-"))
        if peers.get(metric):
            best = {s: max(v[s] for v in peers[metric].values()) for s in sets}
            best_mean = max(sum(v[s] for s in sets) / len(sets) for v in peers[metric].values())
            diff = ["%+.4f" % (ours[metric][s] - best[s]) for s in sets]
            ours_mean = sum(ours[metric][s] for s in sets) / len(sets)
            print("| passim − best peer | %s | %+.4f |" % (" | ".join(diff), ours_mean - best_mean))
    if sci is not None:
        sp = scifact_peers(os.path.join(a.eval_dir, "scifact", "README.md"))
        print("\n**scifact passages** (top 10 hits, default passages)\n")
        print("| engine | coverage | hit@1 | hit@any | hit@1 of all pairs | passage bytes mean / median / max |")
        print("|---|---:|---:|---:|---:|---:|")
        for name in ("fts5-snippet", "tantivy-snippet", "oracle-whole"):
            if name in sp:
                print("| %s | | %s | | | |" % (name, sp[name]))
        print("| **passim** | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f / %d / %d |" % (
            sci["coverage"], sci["hit@1"], sci["hit@any"], sci["hit@1_all"], sci["len_mean"],
            sci["len_median"], sci["len_max"]))
        if sci.get("text_mismatch"):
            print("WARNING: %d passages do not match the body text" % sci["text_mismatch"])
    if speed:
        print("\n**batch speed** (`--json -n 10`, 3 passages per hit, one process per set; "
              "CPU seconds incl. start-up)\n")
        print("| set | queries | CPU s | queries per CPU s |")
        print("|---|---:|---:|---:|")
        tq = ts = 0
        for s, (nq, secs) in speed.items():
            tq, ts = tq + nq, ts + secs
            print("| %s | %d | %.2f | %.0f |" % (s, nq, secs, nq / secs))
        print("| all | %d | %.2f | %.0f |" % (tq, ts, tq / ts))


if __name__ == "__main__":
    main()
