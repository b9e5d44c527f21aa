#!/usr/bin/env python3
"""Measure passim's passages on the two passage sets: SciFact and PolitiHop.

usage: eval/passages_eval.py [EVAL_DIR] [PASSIM] [--sets scifact,politihop] [--runs DIR]
                             [--passage-length N] [--json]

EVAL_DIR defaults to ../shared/eval and PASSIM to target/release/passim, both relative to the
project root. For each set it indexes articles.jsonl into a temporary folder, runs queries.tsv as
one batch (`--json -n 10`, default passages) and scores the hits with EVAL_DIR/passages.py:
hit@1 (the best-scored passage holds an evidence sentence), hit@any, and passage length in bytes
(mean, median, max), on all pairs and on the two halves of each set:

  fit    the claims whose id hashes even (md5 of the qid): the weights of the passage scorer
         (src/snippet/passages.rs) were fitted on these halves only;
  check  the other half, never looked at while fitting: the held-out figure.

Both shared sets are themselves one split of their source (SciFact's and PolitiHop's *train*
claims; their own held-out claims are not in ../shared), so fit/check is a split of that split.
It also prints the passages longer than --passage-length in characters (there must be none), and
the CPU seconds of each batch.

Needs python3 only.
"""
import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = ["scifact", "politihop"]


def half(qid):
    """'fit' or 'check': a fixed split of a set's claims by the md5 of their id."""
    return "fit" if int(hashlib.md5(str(qid).encode()).hexdigest(), 16) % 2 == 0 else "check"


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit("passages_eval.py: %s failed (%d): %s" % (cmd[0], p.returncode, p.stderr.strip()))
    return p


def score(passages_py, evidence_lines, hits_path, tmp, name, articles=None):
    """passages.py's JSON summary on the given evidence lines."""
    ev = os.path.join(tmp, name + ".evidence.jsonl")
    with open(ev, "w") as f:
        f.writelines(evidence_lines)
    cmd = [sys.executable, passages_py, ev, hits_path, "--json"]
    if articles:
        cmd += ["--articles", articles]
    return json.loads(run(cmd).stdout)


def batch(passim, set_dir, idx, hits_path, extra=()):
    """Index the set (once) and run its claims as one JSON batch; returns CPU seconds."""
    if not os.path.exists(idx):
        run([passim, "index", os.path.join(set_dir, "articles.jsonl"), "--index", idx])
    t0 = cpu_seconds()
    with open(hits_path, "w") as out:
        p = subprocess.run([passim, "search", "--index", idx, "--batch",
                            os.path.join(set_dir, "queries.tsv"), "--json", "-n", "10", *extra],
                           stdout=out, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("passages_eval.py: batch failed (%d): %s" % (p.returncode, p.stderr.strip()))
    return cpu_seconds() - t0


def lengths(hits_path, limit):
    """Passage lengths in bytes, and the passages over `limit` characters."""
    nbytes, over = [], []
    with open(hits_path, encoding="utf-8") as f:
        for line in f:
            h = json.loads(line)
            if h.get("type", "hit") != "hit":
                continue
            for p in h.get("passages") or []:
                nbytes.append(len(p["text"].encode("utf-8")))
                if len(p["text"]) > limit:
                    over.append((h.get("qid"), h["id"], p["offset"], len(p["text"])))
    return nbytes, over


def evaluate(passim, eval_dir, name, tmp, runs=None, limit=250, extra=()):
    """All figures of one set: {'all','fit','check'} → passages.py summary, plus lengths."""
    set_dir = os.path.join(eval_dir, name)
    hits = os.path.join(runs or tmp, name + "-hits.jsonl")
    cpu = batch(passim, set_dir, os.path.join(tmp, name + "-index"), hits, extra)
    with open(os.path.join(set_dir, "evidence.jsonl")) as f:
        ev = [line for line in f if line.strip()]
    passages_py = os.path.join(eval_dir, "passages.py")
    out = {"cpu": cpu}
    out["all"] = score(passages_py, ev, hits, tmp, name + "-all",
                       articles=os.path.join(set_dir, "articles.jsonl"))
    for part in ("fit", "check"):
        lines = [line for line in ev if half(json.loads(line)["qid"]) == part]
        out[part] = score(passages_py, lines, hits, tmp, "%s-%s" % (name, part))
    nb, over = lengths(hits, limit)
    out["bytes"] = (statistics.mean(nb) if nb else 0, statistics.median(nb) if nb else 0,
                    max(nb, default=0))
    out["over"] = over
    return out


def pct(summary, key):
    return summary[key]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("eval_dir", nargs="?", default=os.path.join(ROOT, "..", "shared", "eval"))
    ap.add_argument("passim", nargs="?", default=os.path.join(ROOT, "target", "release", "passim"))
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--runs", help="keep the hits of each set in this folder")
    ap.add_argument("--passage-length", type=int, default=250)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    a = ap.parse_args()
    if not os.path.exists(a.passim):
        sys.exit("passages_eval.py: no binary at %s (cargo build --release)" % a.passim)
    if a.runs:
        os.makedirs(a.runs, exist_ok=True)
    extra = [] if a.passage_length == 250 else ["--passage-length", str(a.passage_length)]
    results = {}
    with tempfile.TemporaryDirectory(prefix="passim-passages-") as tmp:
        for name in a.sets.split(","):
            results[name] = evaluate(a.passim, a.eval_dir, name, tmp, a.runs, a.passage_length,
                                     extra)
    if a.json:
        print(json.dumps(results, indent=1))
        return
    print("| set | claims | hit@1 all | hit@1 fit | hit@1 check | hit@any all | hit@any check "
          "| coverage | bytes mean / median / max | over %d chars | batch CPU s |" % a.passage_length)
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        al, fi, ch = r["all"], r["fit"], r["check"]
        mean, median, mx = r["bytes"]
        print("| %s | %d | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f / %d / %d "
              "| %d | %.2f |" % (name, al["pairs"], pct(al, "hit@1"), pct(fi, "hit@1"),
                                 pct(ch, "hit@1"), pct(al, "hit@any"), pct(ch, "hit@any"),
                                 pct(al, "coverage"), mean, median, mx, len(r["over"]), r["cpu"]))
        if al.get("text_mismatch"):
            print("  %s: %d passages do not match the body" % (name, al["text_mismatch"]))
        for qid, doc, off, n in r["over"][:5]:
            print("  %s: over the limit: query %s, article %s, offset %d, %d chars"
                  % (name, qid, doc, off, n))


if __name__ == "__main__":
    main()
