#!/usr/bin/env python3
"""Check that no passage is longer than --passage-length, on real data.

usage: eval/passage_lengths.py [--passim BIN] [--reuters JSONL] [--queries TSV]
                               [--scifact DIR] [--lengths 250,100,400]

Indexes Reuters-21578 (default ../shared/corpora/reuters21578.jsonl) and runs the 1,000 bench
queries (default ../shared/bench/queries.tsv), and indexes SciFact (default ../shared/eval/scifact)
and runs its claims, each as one batch (`--json -n 10 -p 3`) at every passage length given. Prints
the passages checked and the longest, in characters and bytes, per corpus and length; lists any
passage over the limit and exits 1 if there is one, 0 otherwise. `--passage-length` counts
characters (docs/output.md), so that is what is checked.

Needs python3 only. Paths are relative to the project root (the folder above this script).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit("passage_lengths.py: %s failed (%d): %s"
                 % (" ".join(cmd[:3]), p.returncode, p.stderr.strip()))
    return p.stdout


def check(passim, idx, queries, limit):
    """(passages checked, longest in chars, longest in bytes, [passages over the limit])."""
    out = run([passim, "search", "--index", idx, "--batch", queries, "--json", "-n", "10",
               "-p", "3", "--passage-length", str(limit)])
    n, chars, nbytes, over = 0, 0, 0, []
    for line in out.splitlines():
        h = json.loads(line)
        if h.get("type", "hit") != "hit":
            continue
        for p in h.get("passages") or []:
            n += 1
            c, b = len(p["text"]), len(p["text"].encode("utf-8"))
            chars, nbytes = max(chars, c), max(nbytes, b)
            if c > limit:
                over.append("query %s, article %s, offset %d: %d chars"
                            % (h.get("qid"), h["id"], p["offset"], c))
    return n, chars, nbytes, over


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passim", default=os.path.join(ROOT, "target", "release", "passim"))
    ap.add_argument("--reuters", default=os.path.join(SHARED, "corpora", "reuters21578.jsonl"))
    ap.add_argument("--queries", default=os.path.join(SHARED, "bench", "queries.tsv"))
    ap.add_argument("--scifact", default=os.path.join(SHARED, "eval", "scifact"))
    ap.add_argument("--lengths", default="250,100,400")
    a = ap.parse_args()
    limits = [int(x) for x in a.lengths.split(",")]
    corpora = [("reuters", a.reuters, a.queries),
               ("scifact", os.path.join(a.scifact, "articles.jsonl"),
                os.path.join(a.scifact, "queries.tsv"))]
    bad = 0
    with tempfile.TemporaryDirectory(prefix="passim-lengths-") as tmp:
        for name, articles, queries in corpora:
            for path in (articles, queries):
                if not os.path.exists(path):
                    sys.exit("passage_lengths.py: %s: no such file" % path)
            idx = os.path.join(tmp, name)
            run([a.passim, "index", articles, "--index", idx])
            for limit in limits:
                n, chars, nbytes, over = check(a.passim, idx, queries, limit)
                print("%-8s limit %3d: %6d passages, longest %d chars (%d bytes), %d over"
                      % (name, limit, n, chars, nbytes, len(over)))
                for o in over[:10]:
                    print("  over the limit: " + o)
                bad += len(over)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
