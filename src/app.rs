//! Running a parsed command line: the glue between config, core and printer.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use crate::cli::{Cli, Command, IndexArgs, ServeArgs, StatsArgs};
use crate::config::{self, Input, SearchConfig};
use crate::indexer::{self, IndexOptions, Notice, Progress, Reporter};
use crate::printer::{self, IndexProgress, Printer};
use crate::search::Engine;

/// How a successful run ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: something was found or done.
    Success,
    /// Exit 1: the search found nothing.
    NoHits,
}

/// Runs one command, writing results to `out` and messages to `err`.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    match cli.command {
        Command::Index(args) => index(&args, err),
        Command::Search(args) => {
            let env = |k: &str| std::env::var(k).ok();
            let cfg = SearchConfig::resolve(&args, &env, config::stdout_is_tty());
            search(&cfg, out, err)
        }
        Command::Stats(args) => stats(&args, out),
        Command::Serve(args) => serve(&args, err),
    }
}

/// `passim serve`: the same default index as `passim search`, then the
/// server, which runs until the process is stopped.
fn serve(args: &ServeArgs, err: &mut dyn Write) -> Result<Outcome> {
    let dir = args
        .index
        .clone()
        .unwrap_or_else(|| PathBuf::from(crate::DEFAULT_INDEX));
    if args.index.is_none() && !indexer::exists(&dir) {
        build_default_index(&dir, err)?;
    }
    crate::server::run(&dir, args.addr, err)?;
    Ok(Outcome::Success)
}

fn index(args: &IndexArgs, err: &mut dyn Write) -> Result<Outcome> {
    let opts = config::index_options(
        args.index.clone(),
        args.paths.clone(),
        args.rebuild,
        args.threads,
        args.memory,
    );
    run_index(&opts, args.quiet, err).map_err(|e| damaged_index(&args.index, e))?;
    Ok(Outcome::Success)
}

fn run_index(opts: &IndexOptions, quiet: bool, err: &mut dyn Write) -> Result<()> {
    let bar = IndexProgress::new(!quiet && std::io::stderr().is_terminal());
    let mut reporter = CliReporter { err, bar: &bar };
    let result = indexer::run(opts, &mut reporter);
    bar.finish();
    let report = result?;
    if !quiet {
        printer::index_report(reporter.err, &report)?;
    }
    Ok(())
}

/// Notices to stderr, progress to the bar.
struct CliReporter<'a> {
    err: &'a mut dyn Write,
    bar: &'a IndexProgress,
}

impl Reporter for CliReporter<'_> {
    fn notice(&mut self, notice: &Notice) {
        let err = &mut *self.err;
        self.bar.suspend(|| {
            let _ = printer::notice(err, notice);
        });
    }

    fn progress(&mut self, progress: &Progress) {
        self.bar.update(progress);
    }
}

fn search(cfg: &SearchConfig, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    if !cfg.index_given && !indexer::exists(&cfg.index_dir) {
        build_default_index(&cfg.index_dir, err)?;
    }
    let dir = &cfg.index_dir;
    let engine = Engine::open(dir).map_err(|e| damaged_index(dir, e))?;
    let mut printer = Printer::new(out, cfg.format.clone());
    let found = match &cfg.input {
        Input::Query(query) => {
            let results = engine
                .search(query, &cfg.options)
                .map_err(|e| damaged_index(dir, e))?;
            for note in &results.notes {
                writeln!(err, "passim: note: {note}")?;
            }
            printer.results(&results)?;
            !results.hits.is_empty()
        }
        Input::Batch(file) => {
            let mut found = false;
            for (qid, query) in read_batch(file)? {
                match engine
                    .search(&query, &cfg.options)
                    .map_err(|e| damaged_index(dir, e))
                {
                    Ok(results) => {
                        found |= !results.hits.is_empty();
                        printer.batch_results(Some(&qid), &results)?;
                    }
                    // One unusable query (e.g. only punctuation) does not stop the batch.
                    Err(e) => writeln!(err, "passim: warning: query {qid}: {e:#}")?,
                }
            }
            found
        }
    };
    Ok(if found {
        Outcome::Success
    } else {
        Outcome::NoHits
    })
}

/// Errors from tantivy while reading an index mean its files are damaged (or
/// were written by something else): say so in one line and how to recover.
/// Other errors (a bad query, a missing index) pass through unchanged.
fn damaged_index(dir: &Path, e: anyhow::Error) -> anyhow::Error {
    use tantivy::directory::error::OpenReadError;
    use tantivy::TantivyError;
    let Some(te) = e.chain().find_map(|c| c.downcast_ref::<TantivyError>()) else {
        return e;
    };
    let corrupt = |io: &std::io::Error| {
        use std::io::ErrorKind::*;
        matches!(
            io.kind(),
            InvalidData | UnexpectedEof | InvalidInput | Other
        )
    };
    let is_damage = match te {
        TantivyError::DataCorruption(_) => true,
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. }) => corrupt(io_error),
        TantivyError::IoError(io) => corrupt(io),
        _ => false,
    };
    if !is_damage {
        return e;
    }
    let detail = match te {
        TantivyError::OpenReadError(OpenReadError::IoError { filepath, .. }) => {
            format!("{} is unreadable", filepath.display())
        }
        other => {
            let text = other.to_string();
            let short: String = text.chars().take(80).collect();
            if short.len() < text.len() {
                format!("{short}…")
            } else {
                short
            }
        }
    };
    let shown = crate::corpus::display(dir);
    anyhow::anyhow!(
        "the index at {shown} is damaged ({detail}); rebuild it with `passim index --rebuild --index {shown}`"
    )
}

/// Reads `qid<TAB>query` lines; blank lines and `#` comments are skipped.
fn read_batch(file: &Path) -> Result<Vec<(String, String)>> {
    let shown = crate::corpus::display(file);
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("{shown}: {}", crate::corpus::describe_io(&e)))?;
    let mut queries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((qid, query)) = line.split_once('\t') else {
            bail!("{shown}:{}: expected `qid<TAB>query`", n + 1);
        };
        queries.push((qid.trim().to_owned(), query.trim().to_owned()));
    }
    Ok(queries)
}

/// First search on a fresh checkout: build the default index from `seeds/`.
fn build_default_index(dir: &Path, err: &mut dyn Write) -> Result<()> {
    let corpus = PathBuf::from(crate::DEFAULT_CORPUS);
    if !corpus.is_dir() {
        bail!(
            "no index at {} and no {}/ folder to build it from; run `passim index PATH` first",
            dir.display(),
            crate::DEFAULT_CORPUS
        );
    }
    writeln!(
        err,
        "passim: no index at {}/ yet; building it from {}/",
        dir.display(),
        crate::DEFAULT_CORPUS
    )?;
    let opts = config::index_options(dir.to_path_buf(), vec![corpus], false, 0, 256);
    run_index(&opts, false, err)
}

fn stats(args: &StatsArgs, out: &mut dyn Write) -> Result<Outcome> {
    let stats = indexer::stats(&args.index)?;
    printer::stats(out, &stats, args.json)?;
    Ok(Outcome::Success)
}
