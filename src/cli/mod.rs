//! The command line: arguments (`args`) are resolved once into a
//! configuration (`config`), run against the library, and written out by
//! the printers (`print`); every stderr line goes through `messages`.
//! [`main`] maps the outcome to an exit code: 0 hits or done, 1 no hits,
//! 2 error; a closed stdout pipe ends quietly.

mod args;
mod batch;
mod config;
mod messages;
mod print;

pub use args::{query_words_last, Cli};

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};

use args::Command;
use config::{
    Env, ExportConfig, FileConfig, Flags, Given, IndexConfig, IndexDir, Input, McpConfig,
    PushConfig, SearchConfig, ServeConfig, Settings, ShowConfig, StatsConfig,
};
use print::{IndexProgress, Printer};

use crate::error::display;
use crate::index::{self, Notice, Progress, Reporter};
use crate::opensearch::{bulk, Backend, Client, Cluster};
use crate::search::Engine;

/// How a successful run ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Exit 0: something was found or done.
    Success,
    /// Exit 1: the search found nothing.
    NoHits,
}

/// Parses the command line (see [`query_words_last`]), runs it and returns
/// the process's exit code; a command line clap refuses exits 2 with its message.
pub fn main_from(args: Vec<std::ffi::OsString>) -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches_from(args);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let given = Given(matches.subcommand().map(|(_, m)| m));
    main_with(cli, given)
}

/// Runs the parsed command line and returns the process's exit code.
fn main_with(cli: Cli, given: Given) -> ExitCode {
    // A panic is a bug (or a damaged index tantivy did not catch): one line,
    // no backtrace, exit 2 like any other error.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let _ = messages::internal_error(&mut io::stderr(), &what);
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if let Command::Mcp(args) = &cli.command {
            // stdout is the protocol's: not locked here, written by rmcp.
            let var = |k: &str| std::env::var(k).ok();
            let settings = settings(Flags::at(&args.at), given, &var)?;
            return mcp(&McpConfig::resolve(&settings), &mut io::stderr());
        }
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        let mut err = io::stderr();
        run(cli, given, &mut out, &mut err).and_then(|outcome| {
            out.flush()?;
            Ok(outcome)
        })
    }));
    let Ok(result) = result else {
        return ExitCode::from(2);
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::NoHits) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = messages::error(&mut io::stderr(), &e);
            ExitCode::from(2)
        }
    }
}

/// A closed pipe on stdout (`passim search pay | head -1`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// The settings of one command: its flags, the environment, the config file.
fn settings(flags: Flags, given: Given, var: &dyn Fn(&str) -> Option<String>) -> Result<Settings> {
    let file = FileConfig::load(var)?;
    Settings::resolve(file, &flags, given, var)
}

/// Runs one command, writing results to `out` and messages to `err`.
fn run(cli: Cli, given: Given, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    crate::snippet::check_weights_env()?;
    let var = |k: &str| std::env::var(k).ok();
    let env = Env {
        var: &var,
        stdout_tty: io::stdout().is_terminal(),
        stderr_tty: io::stderr().is_terminal(),
    };
    match cli.command {
        Command::Index(args) => {
            let settings = settings(Flags::at(&args.at), given, &var)?;
            run_index(&IndexConfig::resolve(&args, &env, &settings), err)?;
            Ok(Outcome::Success)
        }
        Command::Search(args) => {
            let flags = Flags {
                color: Some(args.color),
                limit: Some(args.limit),
                passages: Some(args.passages),
                ..Flags::at(&args.at)
            };
            let settings = settings(flags, given, &var)?;
            search(
                &SearchConfig::resolve(&args, &env, &settings)?,
                &env,
                out,
                err,
            )
        }
        Command::Show(args) => {
            let flags = Flags {
                color: Some(args.color),
                ..Flags::at(&args.at)
            };
            let settings = settings(flags, given, &var)?;
            show(&ShowConfig::resolve(&args, &env, &settings), &env, out, err)
        }
        Command::Stats(args) => {
            let settings = settings(Flags::at(&args.at), given, &var)?;
            stats(&StatsConfig::resolve(&args, &settings), out)
        }
        Command::Serve(args) => {
            let settings = settings(Flags::at(&args.at), given, &var)?;
            serve(&ServeConfig::resolve(&args, &settings), &env, err)
        }
        Command::Mcp(args) => {
            let settings = settings(Flags::at(&args.at), given, &var)?;
            mcp(&McpConfig::resolve(&settings), err)
        }
        Command::Export(args) => {
            let settings = settings(Flags::at(&args.at), given, &var)?;
            export(&ExportConfig::resolve(&args, &settings), &env, out, err)
        }
        Command::Push(args) => {
            let settings = settings(Flags::at(&args.at), given, &var)?;
            push(&PushConfig::resolve(&args, &settings), &env, err)
        }
        Command::Config(args) => {
            let settings = settings(Flags::at(&args.at), given, &var)?;
            out.write_all(config::describe(&settings).as_bytes())?;
            Ok(Outcome::Success)
        }
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut command, "passim", out);
            Ok(Outcome::Success)
        }
        Command::Man => {
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(out)?;
            Ok(Outcome::Success)
        }
    }
}

/// `passim serve`: the same default index as `passim search`, then the
/// server, which runs until the process is stopped.
fn serve(cfg: &ServeConfig, env: &Env, err: &mut dyn Write) -> Result<Outcome> {
    if let Some(url) = &cfg.backend {
        let cluster = Cluster::new(url, env.var)?;
        let shown = cluster.client().url();
        crate::server::run_with(Box::new(cluster), Path::new("."), cfg.addr, &mut |local| {
            messages::info(err, &format!("serving {shown} at http://{local}/"))?;
            err.flush()
        })?;
        return Ok(Outcome::Success);
    }
    ensure_index(&cfg.index, env, err)?;
    let dir = &cfg.index.dir;
    crate::server::run(dir, cfg.addr, &mut |local| {
        if !local.ip().is_loopback() {
            messages::warning(
                err,
                &format!(
                    "listening on {}, not a loopback address: anyone who can reach it can read the index",
                    local.ip()
                ),
            )?;
        }
        let mut shown = display(dir);
        if !shown.ends_with('/') {
            shown.push('/');
        }
        messages::info(err, &format!("serving {shown} at http://{local}/"))?;
        err.flush()
    })?;
    Ok(Outcome::Success)
}

/// `passim mcp`: the same default index as `passim search`, then the MCP
/// server on stdin and stdout until the client closes stdin.
fn mcp(cfg: &McpConfig, err: &mut dyn Write) -> Result<Outcome> {
    let var = |k: &str| std::env::var(k).ok();
    let env = Env {
        var: &var,
        stdout_tty: false,
        stderr_tty: io::stderr().is_terminal(),
    };
    ensure_index(&cfg.index, &env, err)?;
    messages::info(
        err,
        &format!(
            "MCP server on stdin and stdout for the index at {}",
            display(&cfg.index.dir)
        ),
    )?;
    crate::mcp::run(&cfg.index.dir)?;
    Ok(Outcome::Success)
}

fn run_index(cfg: &IndexConfig, err: &mut dyn Write) -> Result<()> {
    if !cfg.remove.is_empty() {
        for removed in index::remove_roots(&cfg.options.index_dir, &cfg.remove)? {
            messages::removed_root(err, &removed)?;
        }
        return Ok(());
    }
    let bar = IndexProgress::new(cfg.progress);
    let mut reporter = CliReporter { err, bar: &bar };
    let result = index::update(&cfg.options, &mut reporter);
    bar.finish();
    let report = result?;
    let err = reporter.err;
    for (root, kept) in &report.missing_roots {
        messages::missing_root(err, root, *kept, &cfg.options.index_dir)?;
    }
    if cfg.summary {
        if report.not_read_files() > 0 {
            messages::not_read(err, &report.not_read)?;
        }
        print::index_report(err, &report)?;
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
            let _ = messages::notice(err, notice);
        });
    }

    fn progress(&mut self, progress: &Progress) {
        self.bar.update(progress);
    }
}

fn search(
    cfg: &SearchConfig,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let engine: Box<dyn Backend> = match &cfg.backend {
        Some(url) => Box::new(Cluster::new(url, env.var)?),
        None => {
            ensure_index(&cfg.index, env, err)?;
            Box::new(Engine::open(&cfg.index.dir)?)
        }
    };
    let found = match &cfg.input {
        Input::Query(query) => {
            let mut printer = Printer::new(out, cfg.format.clone());
            let results = engine.search(query, &cfg.options)?;
            for note in &results.notes {
                messages::note(err, note)?;
            }
            // Never silent: in text, a search without hits says so, with
            // any suggestion (JSON's summary object already says both).
            let no_hits =
                results.hits.is_empty() && matches!(cfg.format, print::Format::Text { .. });
            if !no_hits {
                messages::suggestions(err, &results)?;
            }
            printer.results(&results)?;
            if no_hits {
                messages::no_hits(err, &results, cfg.options.min_score)?;
            }
            !results.hits.is_empty()
        }
        Input::Batch(file) => {
            let queries = batch::read(file)?;
            let workers = match cfg.options.threads {
                0 => engine.batch_workers(),
                n => n,
            };
            batch::run(
                &*engine,
                &queries,
                &cfg.options,
                &cfg.format,
                workers,
                out,
                err,
            )?
        }
    };
    Ok(if found {
        Outcome::Success
    } else {
        Outcome::NoHits
    })
}

/// The first search on a fresh checkout builds the default index from the
/// default corpus; an index the user named must exist.
fn ensure_index(index: &IndexDir, env: &Env, err: &mut dyn Write) -> Result<()> {
    if index.given || index::exists(&index.dir) {
        return Ok(());
    }
    let dir = &index.dir;
    let corpus = PathBuf::from(crate::DEFAULT_CORPUS);
    if !corpus.is_dir() {
        bail!(
            "no index at {} and no {}/ folder to build it from; run `passim index PATH` first",
            dir.display(),
            crate::DEFAULT_CORPUS
        );
    }
    messages::info(
        err,
        &format!(
            "no index at {}/ yet; building it from {}/",
            dir.display(),
            crate::DEFAULT_CORPUS
        ),
    )?;
    run_index(&IndexConfig::first_run(dir.clone(), env), err)
}

/// `passim show ID`: one whole article. An unknown id is an error (exit 2):
/// the user named something that is not there.
fn show(cfg: &ShowConfig, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    ensure_index(&cfg.index, env, err)?;
    let engine = Engine::open(&cfg.index.dir)?;
    let view = engine.article(&cfg.id, cfg.query.as_deref(), cfg.syntax)?;
    let format = if cfg.json {
        print::Format::Json
    } else {
        print::Format::Text { color: cfg.color }
    };
    for note in &view.notes {
        messages::note(err, note)?;
    }
    print::article(out, &view, cfg.query.as_deref(), &format)?;
    Ok(Outcome::Success)
}

/// `passim export`: the OpenSearch index template, or the index's articles
/// as `_bulk` NDJSON.
fn export(
    cfg: &ExportConfig,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    match cfg {
        ExportConfig::Mapping { pattern } => {
            let template = crate::opensearch::mapping::template(pattern);
            serde_json::to_writer_pretty(&mut *out, &template)?;
            writeln!(out)?;
        }
        ExportConfig::Bulk { index } => {
            ensure_index(index, env, err)?;
            let engine = Engine::open(&index.dir)?;
            let mut out = io::BufWriter::with_capacity(256 * 1024, out);
            bulk::export(&engine, &mut out)?;
            out.flush()?;
        }
    }
    Ok(Outcome::Success)
}

/// `passim push URL`: every article to the cluster; each refused article on
/// its own warning line, then the counts.
fn push(cfg: &PushConfig, env: &Env, err: &mut dyn Write) -> Result<Outcome> {
    let client = Client::new(&cfg.url, env.var)?;
    ensure_index(&cfg.index, env, err)?;
    let engine = Engine::open(&cfg.index.dir)?;
    struct Lines<'a> {
        err: &'a mut dyn Write,
    }
    impl bulk::PushReporter for Lines<'_> {
        fn failed(&mut self, id: &str, reason: &str) {
            let _ = messages::warning(
                self.err,
                &format!("article {id:?} was not stored: {reason}"),
            );
        }
        fn progress(&mut self, _done: u64) {}
    }
    let result = bulk::push(
        &engine,
        &client,
        &cfg.options,
        &mut Lines { err: &mut *err },
    );
    let report = result?;
    if !cfg.quiet {
        let pruned = match report.pruned {
            0 => String::new(),
            n => format!("; deleted {n} that the index no longer has"),
        };
        let s = if report.batches == 1 { "" } else { "s" };
        messages::info(
            err,
            &format!(
                "pushed {} articles to {} in {} request{s}{pruned}",
                report.stored,
                client.url(),
                report.batches
            ),
        )?;
    }
    Ok(Outcome::Success)
}

fn stats(cfg: &StatsConfig, out: &mut dyn Write) -> Result<Outcome> {
    let stats = Engine::open(&cfg.index_dir)?.stats()?;
    print::stats(out, &stats, cfg.json)?;
    Ok(Outcome::Success)
}
