#!/usr/bin/env python3
"""Share of passages that start at a sentence start and end at a sentence end.

Builds an index of a corpus (a JSON Lines file or a folder of .txt/.md
articles), runs a batch of queries with `passim search --batch --json`, and
checks every passage against the article text, independently of passim's own
sentence splitter:

- it starts well when it is flagged `trimmed_start`, or the text before it
  (skipping white space) is the start of the article or ends with `.`, `!`,
  `?` or `:` (optionally followed by a closing quote or bracket), or it
  starts a paragraph of the source's layout: after a blank line, at the
  start of an indented line (Reuters indents each paragraph's first line),
  or at a list bullet (`- `, `* `, `• `) starting a line;
- it ends well when it is flagged `trimmed_end`, or its last character is a
  sentence end (`.`, `!`, `?`, or a closing quote or bracket after one), or
  the text after it is the end of the article, a blank line, a new
  indented line, or a line starting with a list bullet.

A table row or a one-line heading is thus a whole unit: it is its own
paragraph in the source. `--strict` counts only sentence ends.

Prints one line per corpus: passages, share starting well, ending well, both.

    scripts/passage-boundaries.py [--passim BIN] [--queries TSV] CORPUS...

Defaults: target/release/passim, ../shared/bench/queries.tsv, and the
Reuters-21578 JSONL and BBC folder under ../shared/corpora.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

ENDS = ".!?"
CLOSERS = "\"'”’)]»"


def ends_sentence(text):
    text = text.rstrip()
    while text and text[-1] in CLOSERS:
        text = text[:-1]
    return bool(text) and text[-1] in ENDS


STRICT = False


BULLETS = ("- ", "* ", "• ", "– ")


def paragraph_break(gap, next_text=""):
    """Whether white space `gap` before `next_text` breaks a paragraph."""
    if STRICT:
        return False
    if gap.count("\n") >= 2:
        return True
    line_start = gap.rsplit("\n", 1)
    if len(line_start) != 2:
        return False
    return len(line_start[1]) >= 2 or next_text.startswith(BULLETS)


def before_ok(text, start):
    before = text[:start]
    stripped = before.rstrip()
    if not stripped:
        return True
    if paragraph_break(before[len(stripped):], text[start:]):
        return True
    return ends_sentence(stripped) or stripped.endswith(":")


def after_ok(text, end):
    after = text[end:]
    stripped = after.lstrip()
    if not stripped:
        return True
    return paragraph_break(after[: len(after) - len(stripped)], stripped)


def articles(corpus):
    """id -> article text (the body for JSONL, the whole file for folders)."""
    out = {}
    if os.path.isfile(corpus):
        with open(corpus, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                obj = json.loads(line)
                ident = str(obj.get("id", f"{os.path.basename(corpus)}:{n}"))
                body = obj.get("body") or obj.get("text") or ""
                out[ident] = body.replace("\r\n", "\n").replace("\r", "\n")
    else:
        for root, _, files in os.walk(corpus):
            for name in files:
                if not name.lower().endswith((".txt", ".md")):
                    continue
                path = os.path.join(root, name)
                rel = os.path.relpath(path, corpus)
                with open(path, encoding="utf-8", errors="replace") as f:
                    out[rel] = f.read().replace("\r\n", "\n").replace("\r", "\n")
    return out


def measure(passim, corpus, queries):
    with tempfile.TemporaryDirectory() as tmp:
        index = os.path.join(tmp, "index")
        subprocess.run(
            [passim, "index", corpus, "--index", index, "--quiet"],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        run = subprocess.run(
            [passim, "search", "--index", index, "--batch", queries, "--json"],
            check=False,
            capture_output=True,
            text=True,
        )
    texts = articles(corpus)
    total = start_good = end_good = both = missing = 0
    for line in run.stdout.splitlines():
        hit = json.loads(line)
        if hit.get("type") != "hit":
            continue
        text = texts.get(hit["id"])
        for p in hit["passages"]:
            total += 1
            at = -1 if text is None else text.find(p["text"])
            if at < 0:
                missing += 1
                continue
            s = p["trimmed_start"] or before_ok(text, at)
            e = p["trimmed_end"] or ends_sentence(p["text"]) or after_ok(text, at + len(p["text"]))
            start_good += s
            end_good += e
            both += s and e
    found = max(total - missing, 1)
    print(
        f"{corpus}: {total} passages ({missing} not located); "
        f"start at a sentence start {100 * start_good / found:.1f}%, "
        f"end at a sentence end {100 * end_good / found:.1f}%, "
        f"both {100 * both / found:.1f}%"
    )


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(here)
    shared = os.path.join(os.path.dirname(top), "shared")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--passim", default=os.path.join(top, "target", "release", "passim"))
    ap.add_argument("--queries", default=os.path.join(shared, "bench", "queries.tsv"))
    ap.add_argument(
        "corpus",
        nargs="*",
        default=[
            os.path.join(shared, "corpora", "reuters21578.jsonl"),
            os.path.join(shared, "corpora", "bbc"),
        ],
    )
    ap.add_argument("--strict", action="store_true", help="count only sentence ends")
    args = ap.parse_args()
    global STRICT
    STRICT = args.strict
    for corpus in args.corpus:
        if not os.path.exists(corpus):
            sys.exit(f"passage-boundaries: {corpus}: no such file or folder")
        measure(args.passim, corpus, args.queries)


if __name__ == "__main__":
    main()
