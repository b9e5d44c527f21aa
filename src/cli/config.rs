//! The resolved configuration: command-line arguments, environment and
//! terminal turned, once per command, into the settings the rest of passim
//! uses. Every default lives in one place: `args` for what clap shows in
//! `--help`, [`crate::DEFAULT_INDEX`] and [`crate::DEFAULT_CORPUS`] for
//! where the index and first-run corpus are.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::args::{
    ColorChoice, IndexArgs, OutputFormat, SearchArgs, ServeArgs, ShowArgs, StatsArgs,
    DEFAULT_MEMORY_MB, DEFAULT_THREADS,
};
use super::print::Format;
use crate::error::Result;
use crate::index::IndexOptions;
use crate::query::{filter, Filter, Syntax};
use crate::search::SearchOptions;
use crate::snippet::PassageOptions;

/// What the environment and terminal say, for resolving a configuration.
pub(crate) struct Env<'a> {
    /// Looks up an environment variable.
    pub var: &'a dyn Fn(&str) -> Option<String>,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
}

/// Where a read command finds its index.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IndexDir {
    pub dir: PathBuf,
    /// False when the default index is used: it may then be built on first use.
    pub given: bool,
}

impl IndexDir {
    fn resolve(given: &Option<PathBuf>) -> Self {
        IndexDir {
            dir: given
                .clone()
                .unwrap_or_else(|| PathBuf::from(crate::DEFAULT_INDEX)),
            given: given.is_some(),
        }
    }
}

/// What to search for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Input {
    Query(String),
    /// A TSV file of `qid<TAB>query` lines.
    Batch(PathBuf),
}

/// Everything `passim search` needs to run.
#[derive(Debug, Clone)]
pub(crate) struct SearchConfig {
    pub index: IndexDir,
    pub input: Input,
    pub options: SearchOptions,
    pub format: Format,
}

impl SearchConfig {
    pub fn resolve(args: &SearchArgs, env: &Env) -> Result<Self> {
        let output = match (args.format, args.json) {
            (Some(f), _) => f,
            (None, true) => OutputFormat::Json,
            (None, false) => OutputFormat::Text,
        };
        let input = match (&args.batch, &args.query) {
            (Some(file), _) => Input::Batch(file.clone()),
            (None, first) => {
                let words = first.iter().chain(&args.words);
                Input::Query(words.cloned().collect::<Vec<_>>().join(" "))
            }
        };
        let plain = args.plain || matches!(input, Input::Batch(_));
        let options = SearchOptions {
            limit: usize::try_from(args.limit).unwrap_or(usize::MAX),
            offset: args.offset,
            passages: PassageOptions {
                // A TREC run, a list or a count has no passages: skip the work.
                count: if output == OutputFormat::Trec || args.files_with_matches || args.count {
                    0
                } else {
                    args.passages
                },
                max_chars: usize::try_from(args.passage_length).unwrap_or(usize::MAX),
            },
            syntax: if plain { Syntax::Plain } else { Syntax::Full },
            min_score: args.min_score,
            filter: filter_of(args)?,
            sort: args.sort,
            facets: args.facets,
            ..SearchOptions::default()
        };
        let format = match output {
            _ if args.files_with_matches => Format::Files,
            _ if args.count => Format::Count,
            OutputFormat::Json => Format::Json,
            OutputFormat::Trec => Format::Trec {
                tag: args.run_tag.clone(),
            },
            OutputFormat::Text => Format::Text {
                color: use_color(args.color, env.var, env.stdout_tty),
            },
        };
        Ok(SearchConfig {
            index: IndexDir::resolve(&args.index),
            input,
            options,
            format,
        })
    }
}

/// The filter of `--since`, `--until`, `--source` and `--path`.
fn filter_of(args: &SearchArgs) -> Result<Filter> {
    let now = filter::now();
    let mut f = Filter::default();
    let since = args
        .since
        .as_deref()
        .map(|s| filter::since(s, now))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|s| filter::until(s, now))
        .transpose()?;
    f.date(since, until);
    f.sources(&args.source)?;
    f.paths(&args.path)?;
    Ok(f)
}

/// Colour for `auto`: a terminal, `NO_COLOR` unset or empty, and `TERM` not `dumb`.
pub(crate) fn use_color(
    choice: ColorChoice,
    env: &dyn Fn(&str) -> Option<String>,
    tty: bool,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            tty && env("NO_COLOR").is_none_or(|v| v.is_empty())
                && env("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// Everything `passim index` needs to run.
#[derive(Debug, Clone)]
pub(crate) struct IndexConfig {
    pub options: IndexOptions,
    /// Roots to remove (`--remove`) instead of indexing.
    pub remove: Vec<PathBuf>,
    /// Print the summary line.
    pub summary: bool,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

impl IndexConfig {
    pub fn resolve(args: &IndexArgs, env: &Env) -> Self {
        let mut options = index_options(
            args.index.clone(),
            args.paths.clone(),
            args.rebuild,
            args.threads,
            args.memory,
        );
        // ripgrep's order: a later glob wins, so excludes come last.
        options.globs = args.glob.clone();
        options
            .globs
            .extend(args.exclude.iter().map(|g| format!("!{g}")));
        IndexConfig {
            options,
            remove: args.remove.clone(),
            summary: !args.quiet,
            progress: !args.quiet && env.stderr_tty,
        }
    }

    /// The first search on a fresh checkout: build `dir` from the default
    /// corpus, with every other setting at its default.
    pub fn first_run(dir: PathBuf, env: &Env) -> Self {
        IndexConfig {
            options: index_options(dir, Vec::new(), false, DEFAULT_THREADS, DEFAULT_MEMORY_MB),
            remove: Vec::new(),
            summary: true,
            progress: env.stderr_tty,
        }
    }
}

/// Index options; with no paths, the last run's roots, else the default corpus.
fn index_options(
    dir: PathBuf,
    roots: Vec<PathBuf>,
    rebuild: bool,
    threads: usize,
    memory_mb: u64,
) -> IndexOptions {
    IndexOptions {
        index_dir: dir,
        roots,
        globs: Vec::new(),
        default_roots: vec![PathBuf::from(crate::DEFAULT_CORPUS)],
        rebuild,
        threads,
        memory_bytes: usize::try_from(memory_mb.saturating_mul(1_000_000)).unwrap_or(usize::MAX),
    }
}

/// Everything `passim serve` needs to run.
#[derive(Debug, Clone)]
pub(crate) struct ServeConfig {
    pub index: IndexDir,
    pub addr: SocketAddr,
}

impl ServeConfig {
    pub fn resolve(args: &ServeArgs) -> Self {
        ServeConfig {
            index: IndexDir::resolve(&args.index),
            addr: args.addr,
        }
    }
}

/// Everything `passim show` needs to run.
#[derive(Debug, Clone)]
pub(crate) struct ShowConfig {
    pub index: IndexDir,
    pub id: String,
    pub query: Option<String>,
    pub syntax: Syntax,
    /// One JSON object instead of text.
    pub json: bool,
    pub color: bool,
}

impl ShowConfig {
    pub fn resolve(args: &ShowArgs, env: &Env) -> Self {
        ShowConfig {
            index: IndexDir::resolve(&args.index),
            id: args.id.clone(),
            query: args.query.clone().filter(|q| !q.trim().is_empty()),
            syntax: if args.plain {
                Syntax::Plain
            } else {
                Syntax::Full
            },
            json: args.json,
            color: use_color(args.color, env.var, env.stdout_tty),
        }
    }
}

/// Everything `passim stats` needs to run.
#[derive(Debug, Clone)]
pub(crate) struct StatsConfig {
    pub index_dir: PathBuf,
    pub json: bool,
}

impl StatsConfig {
    pub fn resolve(args: &StatsArgs) -> Self {
        StatsConfig {
            index_dir: args.index.clone(),
            json: args.json,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colour_needs_tty_and_no_no_color() {
        let none = |_: &str| None;
        let no_color = |k: &str| (k == "NO_COLOR").then(|| "1".to_owned());
        let empty_no_color = |k: &str| (k == "NO_COLOR").then(String::new);
        assert!(use_color(ColorChoice::Auto, &none, true));
        assert!(!use_color(ColorChoice::Auto, &none, false));
        assert!(!use_color(ColorChoice::Auto, &no_color, true));
        assert!(use_color(ColorChoice::Auto, &empty_no_color, true));
        assert!(use_color(ColorChoice::Always, &no_color, false));
        assert!(!use_color(ColorChoice::Never, &none, true));
    }
}
