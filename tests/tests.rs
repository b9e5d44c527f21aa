//! The integration tests: one test binary (`cargo test --test tests`), one
//! module per area; the tests run the real `passim` binary in temp folders.
//!
//! - `cli`: indexing and searching the seed articles, the JSON output, the
//!   terminal printer, exit codes and errors.
//! - `config`: the config file, its precedence under flags and environment,
//!   `--collection`, `passim config`, and bad files.
//! - `faults`: faults of the machine: a full disk while writing and while
//!   merging, a read-only index, no permission, a held or stale lock (the
//!   first four need root and skip otherwise).
//! - `filters`: `--since`/`--until`/`--source`/`--path`, `date:`/`source:`/
//!   `path:` in queries, `--sort`, `--facets`, and file dates.
//! - `formats`: web pages, PDFs, e-mail and mbox, Markdown front matter.
//! - `mcp`: `passim mcp` driven end to end by the official MCP Python SDK
//!   (`scripts/test` installs it; see the module).
//! - `opensearch`: `passim export`, `passim push`, `search --backend` and
//!   `serve --backend` against osmem-server (`scripts/test` installs it),
//!   and the failure cases against a fake server.
//! - `output`: output people can read and use: several words as one query,
//!   the no-hits and count lines, `--offset`, `passim show`, JSONL metadata,
//!   help.
//! - `passages`: every passage within `--passage-length` on generated long
//!   sentences; keyword queries shown the sentences with their words.
//! - `ranking`: tied articles in article id order whatever the index
//!   layout (threads, runs); field words on the bare words' scale; the
//!   hidden `--rank KEY=VALUE` knobs of evaluation runs.
//! - `robustness`: bad input, damaged indexes, crashes and concurrent use.
//! - `roots`: roots accumulate, `--remove`, missing roots, `--glob` and
//!   `--exclude`, files not read, `passim index --help`.
//! - `scripting`: `-l`, `--count`, `--min-score`, completions and the man page.
//! - `serve`: `passim serve`'s HTTP API and its page in headless Chromium.
//! - `spell`: "did you mean" suggestions and duplicate articles.
//! - `snapshots`: whole terminal outputs on the seeds, compared with the
//!   text files in `tests/snapshots/`.
//! - `tokens`: apostrophes, numbers, acronyms, accents and stopword-only
//!   queries, searched as typed.
//! - `topk`: top-k pruning's lower-bound count and its labels, exact
//!   counts on request, and a corpus indexed from a named pipe.
//! - `util`: the shared fixture (a temp folder with the seeds) and helpers.
//!
//! Run one module or test by name filter, e.g.
//! `cargo test --release --test tests snapshots` or `… robustness::kill_9`.

mod cli;
mod config;
mod faults;
mod filters;
mod formats;
mod mcp;
mod opensearch;
mod output;
mod passages;
mod ranking;
mod robustness;
mod roots;
mod scripting;
mod serve;
mod snapshots;
mod spell;
mod tokens;
mod topk;
mod util;
