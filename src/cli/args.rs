//! Command-line interface: clap derive, doc comments as help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Indexing threads by default (0: one per core).
pub(crate) const DEFAULT_THREADS: usize = 0;
/// The index writer's memory budget by default, in MB.
pub(crate) const DEFAULT_MEMORY_MB: u64 = 256;

/// Search folders of articles: ranked hits with highlighted passages.
///
/// `passim index` builds an index of a folder of articles (.txt, .md, .jsonl);
/// `passim search QUERY` answers with the most relevant articles, each shown
/// with its best passages and the matched words highlighted. Exit status:
/// 0 if there were hits, 1 if none, 2 on error.
#[derive(Debug, Parser)]
#[command(name = "passim", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build or update the index from folders or files of articles.
    #[command(after_help = INDEX_EXAMPLES)]
    Index(IndexArgs),
    /// Search the index and print ranked hits with passages.
    Search(SearchArgs),
    /// Show facts about an index: articles, terms, size, last update.
    Stats(StatsArgs),
    /// Serve a search page and a JSON API over HTTP (loopback by default).
    Serve(ServeArgs),
}

const INDEX_EXAMPLES: &str = "\
Examples:
  passim index ~/articles                 index a folder (added to the index's roots)
  passim index                            update every root of the index
  passim index news --exclude README.TXT  leave a file out (remembered for the root)
  passim index news --glob '*.md'         only Markdown files under news
  passim index --remove news              remove the root news and its articles
  passim index ~/articles --index ~/idx   use another index folder";

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Folders or files to index (.txt, .md, .jsonl, .ndjson). Folders are
    /// walked recursively, skipping hidden and .gitignore'd paths. Each
    /// becomes a root of the index; other roots are kept. Default: every
    /// root of the index, else `seeds`.
    pub paths: Vec<PathBuf>,

    /// Index only files matching GLOB (ripgrep's -g syntax; `!GLOB`
    /// excludes). Repeatable; remembered with the roots given.
    #[arg(short, long, value_name = "GLOB")]
    pub glob: Vec<String>,

    /// Leave out files and folders matching GLOB (same as --glob '!GLOB').
    /// Repeatable; remembered with the roots given.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Remove ROOT from the index with all its articles. Repeatable.
    #[arg(long, value_name = "ROOT", conflicts_with_all = ["paths", "rebuild", "glob", "exclude"])]
    pub remove: Vec<PathBuf>,

    /// Index folder.
    #[arg(long, value_name = "DIR", env = "PASSIM_INDEX", default_value = crate::DEFAULT_INDEX)]
    pub index: PathBuf,

    /// Start from an empty index instead of updating the existing one.
    #[arg(long)]
    pub rebuild: bool,

    /// Do not print the summary line (warnings are still printed).
    #[arg(short, long)]
    pub quiet: bool,

    /// Indexing threads; 0 is one per core.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_THREADS)]
    pub threads: usize,

    /// Memory budget of the index writer, in MB.
    #[arg(long, value_name = "MB", default_value_t = DEFAULT_MEMORY_MB, value_parser = clap::value_parser!(u64).range(16..))]
    pub memory: u64,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words (any may match; more matches rank higher),
    /// "exact phrases", AND / OR / NOT, +required, -excluded, title:word,
    /// body:word, prefix*. Words are stemmed: `striking` finds `strike`.
    #[arg(allow_hyphen_values = true, required_unless_present = "batch")]
    pub query: Option<String>,

    /// Run every query of a TSV file (lines `qid<TAB>query`) in one process.
    /// Batch queries are read as plain words (see --plain).
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    pub batch: Option<PathBuf>,

    /// Index folder. Without it, `index` is used and, on first use, built from `seeds`.
    #[arg(long, value_name = "DIR", env = "PASSIM_INDEX")]
    pub index: Option<PathBuf>,

    /// Number of hits to show.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,

    /// Passages to show per hit.
    #[arg(short = 'p', long, value_name = "N", default_value_t = 3)]
    pub passages: usize,

    /// Longest passage, in characters.
    #[arg(long, value_name = "CHARS", default_value_t = 250, value_parser = clap::value_parser!(u64).range(40..))]
    pub passage_length: u64,

    /// Read the query as plain words: no operators, quotes or fields.
    #[arg(long)]
    pub plain: bool,

    /// Print JSON Lines: one object per hit, then a summary object (same as --format json).
    #[arg(long)]
    pub json: bool,

    /// Output format: `text` for people, `json` (JSON Lines), or `trec`
    /// (a TREC run: `qid Q0 docid rank score tag`, no passages computed).
    #[arg(long, value_name = "FORMAT", conflicts_with = "json")]
    pub format: Option<OutputFormat>,

    /// Run tag written in the last column of `--format trec`.
    #[arg(long, value_name = "TAG", default_value = "passim")]
    pub run_tag: String,

    /// When to use colour. `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Index folder.
    #[arg(long, value_name = "DIR", env = "PASSIM_INDEX", default_value = crate::DEFAULT_INDEX)]
    pub index: PathBuf,

    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Index folder. Without it, `index` is used and, on first use, built from `seeds`.
    /// Searches see each `passim index` run on it without a restart.
    #[arg(long, value_name = "DIR", env = "PASSIM_INDEX")]
    pub index: Option<PathBuf>,

    /// Address to listen on. Port 0 picks a free port; the address in use is
    /// printed on stderr. Anything but a loopback address exposes the index
    /// to the network.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:7700")]
    pub addr: std::net::SocketAddr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Trec,
}
