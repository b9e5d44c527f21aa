#!/usr/bin/env python3
"""Checks that top-k pruning changes no result: runs a batch of queries with and without
--exact-count and compares the --json output line by line.

usage: bench/check_pruning.py PASSIM INDEX QUERIES.tsv

Lines must be identical but for the summary's elapsed_ms and, where the pruned count is a lower
bound (total_hits_relation "gte"), total_hits (never above the exact count) and the relation.
Prints the number of queries and of lower-bound counts; exits 1 on any other difference.
"""
import json
import subprocess
import sys


def run(passim, index, queries, *extra):
    cmd = [passim, "search", "--batch", queries, "--json", "-p", "3", "--index", index, *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):
        sys.exit("%s: exit %d: %s" % (" ".join(cmd), out.returncode, out.stderr[-500:]))
    return [json.loads(line) for line in out.stdout.splitlines()]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    passim, index, queries = sys.argv[1:]
    pruned, exact = run(passim, index, queries), run(passim, index, queries, "--exact-count")
    if len(pruned) != len(exact):
        sys.exit("different numbers of lines: %d pruned, %d exact" % (len(pruned), len(exact)))
    summaries = bounds = bad = 0
    for n, (p, e) in enumerate(zip(pruned, exact), 1):
        if p.get("type") == "summary":
            summaries += 1
            p.pop("elapsed_ms", None)
            e.pop("elapsed_ms", None)
            if e.get("total_hits_relation") != "eq":
                bad += 1
                print("line %d: --exact-count gave %r" % (n, e.get("total_hits_relation")))
            if p.get("total_hits_relation") == "gte":
                bounds += 1
                if p["total_hits"] > e["total_hits"]:
                    bad += 1
                    print("line %d: bound %d above the exact %d" % (n, p["total_hits"], e["total_hits"]))
                for key in ("total_hits", "total_hits_relation"):
                    p.pop(key)
                    e.pop(key)
        if p != e:
            bad += 1
            print("line %d differs:\n  pruned %s\n  exact  %s" % (n, json.dumps(p)[:300], json.dumps(e)[:300]))
    print("%d queries, %d lines: %d counts are lower bounds, %d other differences" % (summaries, len(pruned), bounds, bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
