#!/usr/bin/env python3
"""Measure passim's relevance on the shared evaluation sets.

usage: eval/run_eval.py [EVAL_DIR] [PASSIM] [--sets cacm,cisi,...] [--no-scifact] [--no-speed]
                        [--per-set-runs DIR] [--markdown]

EVAL_DIR defaults to ../shared/eval and PASSIM to target/release/passim, both relative to the
project root (the folder above this script). For each of the six judged sets it indexes
articles.jsonl into a temporary folder, runs queries.tsv as a batch (`--format trec -n 1000`) and
scores the run with pytrec_eval exactly like ../shared/peers/score.py: means over the queries
that have a relevant document, a query missing from the run counts 0, and only each query's top
1000 documents by score count. The scifact passage benchmark runs the claims as a batch
(`--json -n 10`, default passages) and is scored by EVAL_DIR/passages.py. Batch speed is timed
on the JSON batch (top 10 with passages) over all sets. Peer figures are read from
EVAL_DIR/README.md and EVAL_DIR/scifact/README.md and printed beside passim's.

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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("eval_dir", nargs="?", default=os.path.join(ROOT, "..", "shared", "eval"))
    ap.add_argument("passim", nargs="?", default=os.path.join(ROOT, "target", "release", "passim"))
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--no-scifact", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--runs", help="keep the TREC runs and scifact hits in this folder")
    ap.add_argument("--per-query", action="store_true", help="print per-query nDCG@10")
    a = ap.parse_args()
    passim = os.path.abspath(a.passim)
    if not os.access(passim, os.X_OK):
        sys.exit("run_eval.py: no passim binary at %s (cargo build --release)" % passim)
    sets = [s for s in a.sets.split(",") if s]
    peers = peer_tables(os.path.join(a.eval_dir, "README.md"))
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
                     "--format", "trec", "-n", "1000"])
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
                run([passim, "search", "--batch", queries, "--index", idx, "--json", "-n", "10"])
                speed[s] = (nq, cpu_seconds() - t0)
            print("%-5s nDCG@10=%.4f MAP=%.4f" % (s, ndcg, ap_), file=sys.stderr)

        sci = None
        if not a.no_scifact:
            d = os.path.join(a.eval_dir, "scifact")
            idx = os.path.join(tmp, "scifact")
            index(passim, os.path.join(d, "articles.jsonl"), idx)
            queries = os.path.join(d, "queries.tsv")
            t0 = cpu_seconds()
            p = run([passim, "search", "--batch", queries, "--index", idx, "--json", "-n", "10"])
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
