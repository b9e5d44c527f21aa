#!/usr/bin/env python3
"""Fit the weights of passim's passage scorer (src/snippet/passages.rs, WEIGHTS).

usage: eval/fit_passages.py [EVAL_DIR] [PASSIM] [--train scifact,politihop] [--rounds N]
                            [--start w0,w1,...]

Coordinate ascent on hit@1 (the best-scored passage holds an evidence sentence, as
EVAL_DIR/passages.py counts it): each weight in turn is tried at a few values around its current
one, and the best is kept; ties keep the current value. Each try runs the claims of every set as
one batch (`--json -n 10`) with the weights in the environment variable PASSIM_PASSAGE_WEIGHTS,
which the binary reads for this purpose only.

The objective is the mean hit@1 over the *fit* halves (see passages_eval.py: the claims whose
md5(qid) is even) of the --train sets; the figures printed for every set's fit and check halves
show how the weights carry over: to the held-out check half of a training set, and to a set not
trained on at all. Run it with --train scifact, then --train politihop (each validated on the
other), then with both (the weights passim ships).

Needs python3 only.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from passages_eval import ROOT, SETS, half, run  # noqa: E402

NAMES = ["cover", "repeats", "proximity", "phrase", "position", "numbers", "attribution",
         "finding", "claim", "length", "all_words", "early", "quote"]
START = [1.0, 1.0, 0.2, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
STEPS = [-1.0, -0.6, -0.3, -0.1, 0.1, 0.3, 0.6, 1.0]


def covers(start, end, spans):
    best = 0.0
    for s, e in spans:
        if e > s:
            best = max(best, max(0, min(end, e) - max(start, s)) / (e - s))
    return best


class Set:
    def __init__(self, eval_dir, name, passim, tmp):
        self.name, self.passim = name, passim
        d = os.path.join(eval_dir, name)
        self.queries = os.path.join(d, "queries.tsv")
        self.idx = os.path.join(tmp, name)
        run([passim, "index", os.path.join(d, "articles.jsonl"), "--index", self.idx])
        self.pairs = []
        with open(os.path.join(d, "evidence.jsonl")) as f:
            for line in f:
                if line.strip():
                    e = json.loads(line)
                    self.pairs.append((str(e["qid"]), str(e["doc_id"]), half(e["qid"]),
                                       [tuple(s) for s in e["spans"]]))

    def hit1(self, weights):
        """{'fit': hit@1 %, 'check': hit@1 %, 'all': …} over covered pairs."""
        env = dict(os.environ, PASSIM_PASSAGE_WEIGHTS=",".join("%g" % w for w in weights))
        out = subprocess.run([self.passim, "search", "--index", self.idx, "--batch",
                              self.queries, "--json", "-n", "10"], capture_output=True,
                             env=env, check=True).stdout
        hits = {}
        for line in out.splitlines():
            h = json.loads(line)
            if h.get("type", "hit") == "hit":
                hits.setdefault((str(h["qid"]), str(h["id"])), h.get("passages") or [])
        got = {"fit": [0, 0], "check": [0, 0], "all": [0, 0]}
        for q, d, part, spans in self.pairs:
            ps = hits.get((q, d))
            if ps is None:
                continue
            ok = 0
            if ps:
                best = max(range(len(ps)), key=lambda i: (float(ps[i].get("score") or 0), -i))
                p = ps[best]
                ok = covers(p["offset"], p["offset"] + len(p["text"].encode()), spans) >= 0.5
            for k in (part, "all"):
                got[k][0] += ok
                got[k][1] += 1
        return {k: 100.0 * a / b if b else 0.0 for k, (a, b) in got.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("eval_dir", nargs="?", default=os.path.join(ROOT, "..", "shared", "eval"))
    ap.add_argument("passim", nargs="?", default=os.path.join(ROOT, "target", "release", "passim"))
    ap.add_argument("--train", default=",".join(SETS))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--start", help="comma-separated starting weights (default: before the fit)")
    a = ap.parse_args()
    train = a.train.split(",")
    w = [float(x) for x in a.start.split(",")] if a.start else list(START)
    if len(w) != len(NAMES):
        sys.exit("fit_passages.py: --start needs %d weights" % len(NAMES))
    with tempfile.TemporaryDirectory(prefix="passim-fit-") as tmp:
        sets = [Set(a.eval_dir, n, a.passim, tmp) for n in SETS]
        cache = {}

        def figures(weights):
            key = tuple(round(x, 4) for x in weights)
            if key not in cache:
                cache[key] = {s.name: s.hit1(weights) for s in sets}
            return cache[key]

        def objective(weights):
            f = figures(weights)
            return sum(f[n]["fit"] for n in train) / len(train)

        def show(label, weights):
            f = figures(weights)
            print("%-8s %s | %s" % (label, " ".join("%s=%.2f" % (n, x) for n, x in
                                                     zip(NAMES, weights)),
                                    "  ".join("%s fit %.1f check %.1f all %.1f" % (
                                        n, f[n]["fit"], f[n]["check"], f[n]["all"])
                                              for n in SETS)), flush=True)

        show("start", w)
        best = objective(w)
        for r in range(a.rounds):
            for i in range(len(w)):
                for step in STEPS:
                    t = list(w)
                    t[i] = round(t[i] + step, 4)
                    o = objective(t)
                    if o > best + 1e-9:
                        best, w = o, t
                show("r%d %s" % (r + 1, NAMES[i][:5]), w)
        show("final", w)
        print("weights: " + ", ".join("%g" % x for x in w))


if __name__ == "__main__":
    main()
