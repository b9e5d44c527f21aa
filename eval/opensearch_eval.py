#!/usr/bin/env python3
"""Ranking through OpenSearch against local passim: nDCG@10 and MAP on judged collections.

For each collection (default: cacm) it indexes articles.jsonl into a temporary folder, pushes it
with `passim push` to an OpenSearch index, runs queries.tsv as a batch (`--format trec -n 1000`)
locally and with `--backend`, and scores both runs with pytrec_eval as eval/run_eval.py does.

The cluster is either a real one (`--cluster http://host:9200`, credentials in
PASSIM_OPENSEARCH_USER/PASSWORD) or, by default, an osmem-server started on a free loopback port
(`--osmem BIN`, default: the one scripts/test installs into target/py, or $PASSIM_OSMEM_SERVER).

    python3 eval/opensearch_eval.py [EVAL_DIR] [PASSIM] [--sets cacm,cisi] [--osmem BIN | --cluster URL]

Needs python3 and pytrec_eval.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "eval"))
from run_eval import read_qrels, read_run, score_run, run, index  # noqa: E402


def osmem_default():
    if os.environ.get("PASSIM_OSMEM_SERVER"):
        return os.environ["PASSIM_OSMEM_SERVER"]
    py = os.path.join(ROOT, "target", "py", "bin", "python")
    if os.path.exists(py):
        p = subprocess.run([py, "-c", "import osmem_server; print(osmem_server.resolve_binary())"],
                           capture_output=True, text=True)
        if p.returncode == 0:
            return p.stdout.strip()
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("eval_dir", nargs="?", default=os.path.join(ROOT, "..", "shared", "eval"))
    ap.add_argument("passim", nargs="?", default=os.path.join(ROOT, "target", "release", "passim"))
    ap.add_argument("--sets", default="cacm")
    ap.add_argument("--osmem", default=osmem_default(), help="osmem-server binary")
    ap.add_argument("--cluster", help="a running cluster's root URL instead of osmem-server")
    a = ap.parse_args()
    passim = os.path.abspath(a.passim)
    server = None
    if a.cluster:
        root = a.cluster.rstrip("/")
    else:
        if not a.osmem:
            sys.exit("opensearch_eval.py: no osmem-server: run scripts/test once, or pass --osmem")
        server = subprocess.Popen([a.osmem, "--addr", "127.0.0.1:0", "--no-ja"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        root = json.loads(server.stdout.readline())["url"]
    tmp = tempfile.mkdtemp(prefix="passim-os-eval-")
    print("| set | local nDCG@10 | OpenSearch nDCG@10 | local MAP | OpenSearch MAP |")
    print("|---|---:|---:|---:|---:|")
    try:
        for s in [x for x in a.sets.split(",") if x]:
            d = os.path.join(a.eval_dir, s)
            idx = os.path.join(tmp, s)
            index(passim, os.path.join(d, "articles.jsonl"), idx)
            url = "%s/passim-eval-%s" % (root, s)
            run([passim, "push", url, "--index", idx, "--quiet"])
            qrels = read_qrels(os.path.join(d, "qrels.txt"))
            queries = os.path.join(d, "queries.tsv")
            scores = []
            for where in (["--index", idx], ["--backend", url]):
                p = run([passim, "search", "--batch", queries, *where, "--format", "trec",
                         "-n", "1000"])
                ndcg, map_, _ = score_run(read_run(p.stdout), qrels)
                scores.append((ndcg, map_))
            print("| %s | %.4f | %.4f | %.4f | %.4f |"
                  % (s, scores[0][0], scores[1][0], scores[0][1], scores[1][1]))
    finally:
        if server:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
