//! Command-line interface: clap derive, doc comments as help text.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::search::Sort;

/// Indexing threads by default (0: one per core).
pub(crate) const DEFAULT_THREADS: usize = 0;
/// Hits per search by default.
pub(crate) const DEFAULT_LIMIT: u64 = 10;
/// Passages per hit by default.
pub(crate) const DEFAULT_PASSAGES: usize = 3;
/// The index writer's memory budget by default, in MB.
pub(crate) const DEFAULT_MEMORY_MB: u64 = 256;

/// Search folders of articles: ranked hits with highlighted passages.
///
/// `passim index` builds an index of a folder of articles (text, Markdown,
/// JSON Lines, web pages, PDFs, mail); `passim search QUERY` answers with
/// the most relevant articles, each shown with its best passages and the
/// matched words highlighted. Exit status: 0 if there were hits, 1 if none,
/// 2 on error.
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
    #[command(after_help = SEARCH_EXAMPLES)]
    Search(SearchArgs),
    /// Print one whole article: headline, metadata and numbered paragraphs.
    Show(ShowArgs),
    /// Show facts about an index: articles, terms, size, last update.
    Stats(StatsArgs),
    /// Serve a search page and a JSON API over HTTP (loopback by default).
    Serve(ServeArgs),
    /// Print the index as OpenSearch input: the index template
    /// (--opensearch-mapping) or every article as `_bulk` NDJSON (--opensearch-bulk).
    #[command(after_help = EXPORT_EXAMPLES)]
    Export(ExportArgs),
    /// Send every article of the index to an OpenSearch index, in `_bulk`
    /// batches; credentials come from PASSIM_OPENSEARCH_USER and
    /// PASSIM_OPENSEARCH_PASSWORD, or PASSIM_OPENSEARCH_TOKEN.
    #[command(after_help = EXPORT_EXAMPLES)]
    Push(PushArgs),
    /// Serve the index to AI assistants: an MCP server over stdin and stdout.
    #[command(after_help = MCP_EXAMPLES)]
    Mcp(McpArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `passim man | man -l -`.
    Man,
    /// Print every setting as resolved (flags, environment, config file,
    /// defaults) and where each came from.
    #[command(after_help = CONFIG_HELP)]
    Config(ConfigArgs),
}

const CONFIG_HELP: &str = "\
The config file is $PASSIM_CONFIG, else $XDG_CONFIG_HOME/passim/config.toml,
else ~/.config/passim/config.toml. For example:

  index = \"~/passim/index\"         # the default index
  color = \"auto\"                   # auto, always or never
  limit = 20                       # hits per search
  passages = 2                     # passages per hit

  [collections]                    # passim search --collection news …
  news = \"~/passim/news-index\"

Command-line flags win, then the environment (PASSIM_INDEX, NO_COLOR), then
the file, then the defaults.";

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub at: IndexChoice,
}

/// Which index a command uses: `--index DIR`, or `--collection NAME` from the config file.
#[derive(Debug, Args)]
pub struct IndexChoice {
    /// Index folder. Without it (or --collection): the config file's `index`,
    /// else `index`, built from `seeds` on first use.
    #[arg(long, value_name = "DIR", env = "PASSIM_INDEX")]
    pub index: Option<PathBuf>,

    /// Use the index of collection NAME, from the `[collections]` table of
    /// the config file (see `passim config`).
    #[arg(long, value_name = "NAME")]
    pub collection: Option<String>,
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  passim completions bash > ~/.local/share/bash-completion/completions/passim
  passim completions zsh > ~/.zfunc/_passim       (with fpath+=~/.zfunc in ~/.zshrc)
  passim completions fish > ~/.config/fish/completions/passim.fish";

const MCP_EXAMPLES: &str = "\
Tools: search (query, limit, offset, passages, plain), show (id, query, plain), stats.
Register it with an MCP client as the command `passim` with the arguments
`mcp --index /absolute/path/to/index`; see the README.";

#[derive(Debug, Args)]
pub struct McpArgs {
    /// The index (searches see each `passim index` run on it without a restart).
    #[command(flatten)]
    pub at: IndexChoice,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
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
    /// Folders or files to index (.txt, .md, .jsonl, .html, .pdf, .eml, .mbox). Folders are
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

    #[command(flatten)]
    pub at: IndexChoice,

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

const SEARCH_EXAMPLES: &str = "\
Examples:
  passim search interest rates          articles about interest rates, best first
  passim search '\"second day\" strike'   an exact phrase and a word
  passim search title:amazon -union     amazon in the headline, without union
  passim search pay -n 20 --offset 20   hits 21 to 40
  passim search pay --json | jq .path   JSON Lines for scripts
  passim show ID --query pay            the whole article of a hit, matches highlighted";

/// A whole number of at least 1 (for `--limit`), in words when it is not.
fn at_least_one(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("must be a whole number of at least 1".to_owned()),
    }
}

/// Most threads `search -j` takes: more would only queue for the cores.
const MAX_SEARCH_THREADS: usize = 1024;

/// `search -j`: 0 (one per core) to [`MAX_SEARCH_THREADS`].
fn thread_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n <= MAX_SEARCH_THREADS => Ok(n),
        _ => Err(format!(
            "must be a whole number of threads from 0 (one per core) to {MAX_SEARCH_THREADS}"
        )),
    }
}

/// `--sort`: see [`Sort::parse`].
fn sort_order(s: &str) -> Result<Sort, String> {
    Sort::parse(s).ok_or_else(|| format!("must be {}", Sort::NAMES))
}

/// A whole number, 0 or more (for `--offset`, `--passages`), in words when it is not.
fn whole_number(s: &str) -> Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .map_err(|_| "must be a whole number (0 or more)".to_owned())
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words (any may match; more matches rank higher),
    /// "exact phrases", AND / OR / NOT, +required, -excluded, title:word,
    /// body:word, prefix*. Words are stemmed: `striking` finds `strike`.
    /// Several arguments are one query, joined with spaces; a word that is
    /// not one of the options below is a query word, even with a leading `-`.
    #[arg(
        value_name = "QUERY",
        allow_hyphen_values = true,
        required_unless_present = "batch"
    )]
    pub query: Option<String>,

    /// The query's further words (`passim search interest rates`); see
    /// [`query_words_last`], which lets them start with `-`.
    #[arg(value_name = "WORDS", hide = true, requires = "query")]
    pub words: Vec<String>,

    /// Run every query of a TSV file (lines `qid<TAB>query`; `-` reads
    /// standard input) in one process. Batch queries are read as plain
    /// words (see --plain).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["query", "words"])]
    pub batch: Option<PathBuf>,

    #[command(flatten)]
    pub at: IndexChoice,

    /// Number of hits to show.
    #[arg(short = 'n', long, value_name = "N", default_value_t = DEFAULT_LIMIT, value_parser = at_least_one)]
    pub limit: u64,

    /// Skip the first N hits: pages through the results with -n.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = whole_number)]
    pub offset: usize,

    /// Passages to show per hit.
    #[arg(short = 'p', long, value_name = "N", default_value_t = DEFAULT_PASSAGES, value_parser = whole_number)]
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

    /// Print only the matching articles, one per line: a text file's path,
    /// or a JSON Lines article's id (as `passim show` takes it).
    #[arg(short = 'l', long, conflicts_with_all = ["json", "format", "count"])]
    pub files_with_matches: bool,

    /// Print only the number of matching articles (counted exactly).
    #[arg(long, conflicts_with_all = ["json", "format", "min_score"])]
    pub count: bool,

    /// Count every matching article. Without it, a query of bare words
    /// skips matches that cannot reach the top and its total is a lower
    /// bound ("about N"; JSON: total_hits_relation "gte").
    #[arg(long)]
    pub exact_count: bool,

    /// Leave out hits scoring below SCORE.
    #[arg(long, value_name = "SCORE")]
    pub min_score: Option<f32>,

    /// Only articles dated DATE or later: 2023, 2023-05, 2023-05-04, or a
    /// span back from now (7d, 2w, 3m, 1y). In a query: date:>=DATE.
    #[arg(long, value_name = "DATE", help_heading = "Filters")]
    pub since: Option<String>,

    /// Only articles dated up to the end of DATE (`--until 2023-06`
    /// includes June). In a query: date:<=DATE; date:2023 is one year.
    #[arg(long, value_name = "DATE", help_heading = "Filters")]
    pub until: Option<String>,

    /// Only articles from this source (whole words of its name: `bbc`
    /// matches "BBC News", `guardian` "The Guardian"); repeat for any of
    /// several. In a query: source:bbc, or -source:bbc to leave one out.
    #[arg(long, value_name = "NAME", help_heading = "Filters")]
    pub source: Vec<String>,

    /// Only articles whose path matches GLOB (`*.html`: the file name;
    /// `news/*.html`: the end of the path); repeatable. In a query: path:GLOB.
    #[arg(long, value_name = "GLOB", help_heading = "Filters")]
    pub path: Vec<String>,

    /// Order of the hits: relevance, date (oldest first) or -date (newest first).
    #[arg(long, value_name = "ORDER", default_value = "relevance", value_parser = sort_order, allow_hyphen_values = true)]
    pub sort: Sort,

    /// Also count the matching articles per source and per year.
    #[arg(long, conflicts_with_all = ["files_with_matches", "count"])]
    pub facets: bool,

    /// Threads to use; 0 is one per core. A batch answers N queries at
    /// once; one query ranks up to N of the index's segments at once. By
    /// default a batch over a million articles or more answers one query at
    /// a time, each on every core.
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0, value_parser = thread_count)]
    pub threads: usize,

    /// Run tag written in the last column of `--format trec`.
    #[arg(long, value_name = "TAG", default_value = "passim")]
    pub run_tag: String,

    /// Search an OpenSearch index (http(s)://host:port/index) instead of a
    /// local one; credentials from the environment (see `passim push --help`).
    #[arg(long, value_name = "URL")]
    pub backend: Option<String>,

    /// A ranking setting for evaluation runs, KEY=VALUE (k1=1.2, fb_docs=0…);
    /// repeatable. See CONTRIBUTING.md, "Evaluation".
    #[arg(long, value_name = "KEY=VALUE", hide = true)]
    pub rank: Vec<String>,

    /// When to use colour. `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The article's id: the `id` of a hit (`passim search --json`), shown as
    /// `id …` on its metadata line, or a text file's path relative to its root.
    #[arg(value_name = "ID", allow_hyphen_values = true)]
    pub id: String,

    /// Highlight the matches of this query.
    #[arg(short, long, value_name = "QUERY", allow_hyphen_values = true)]
    pub query: Option<String>,

    /// Read --query as plain words: no operators, quotes or fields.
    #[arg(long)]
    pub plain: bool,

    /// Print one JSON object (the same as the HTTP API's /api/articles/ID).
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub at: IndexChoice,

    /// When to use colour. `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

/// The command line with `passim search`'s query words moved after its
/// options and a `--`, so that `passim search pay -ballot -n 3` searches
/// `pay -ballot` with `-n 3`: a word that is not one of search's options (or
/// an option's value) is a query word, even when it starts with `-`.
/// (clap alone would either read `-ballot` as an unknown option, or, with
/// hyphen values allowed, read every later option as a query word.) Other
/// commands, and everything after a `--`, are left as they are.
pub fn query_words_last(args: Vec<OsString>) -> Vec<OsString> {
    let command = Cli::command();
    let Some(search) = command.find_subcommand("search") else {
        return args;
    };
    if args.get(1).and_then(|a| a.to_str()) != Some("search") {
        return args;
    }
    let takes_value = |arg: &clap::Arg| arg.get_action().takes_values();
    let long = |name: &str| search.get_arguments().find(|a| a.get_long() == Some(name));
    let short = |c: char| search.get_arguments().find(|a| a.get_short() == Some(c));
    let mut out: Vec<OsString> = args[..2].to_vec();
    let mut words: Vec<OsString> = Vec::new();
    let mut rest = args.into_iter().skip(2);
    while let Some(arg) = rest.next() {
        let Some(text) = arg.to_str() else {
            words.push(arg);
            continue;
        };
        if text == "--" {
            words.extend(rest.by_ref());
            break;
        }
        // `--name` or `--name=value`: an option (an unknown one is left to
        // clap's error, not searched for).
        if let Some(name) = text.strip_prefix("--") {
            let (name, inline) = match name.split_once('=') {
                Some((n, _)) => (n, true),
                None => (name, false),
            };
            let needs_value = long(name).is_some_and(takes_value) && !inline;
            out.push(arg);
            if needs_value {
                out.extend(rest.next());
            }
            continue;
        }
        // `-n 5`, `-n5`, `-h`: options; `-ballot`, `-pay` are words (as clap
        // reads a lone first word: letters that are not all options make a word).
        if let Some(flags) = text.strip_prefix('-').filter(|f| !f.is_empty()) {
            let mut chars = flags.chars();
            let first = chars.next().and_then(short);
            let rest_of = chars.as_str();
            let option = match first {
                Some(opt) if takes_value(opt) => {
                    rest_of.is_empty() || rest_of.bytes().all(|b| b.is_ascii_digit())
                }
                Some(_) => rest_of
                    .chars()
                    .all(|c| short(c).is_some_and(|a| !takes_value(a))),
                None => false,
            };
            if option {
                if first.is_some_and(takes_value) {
                    // `-n5` as `-n 5`: clap would read `-n5` before the
                    // query as a hyphenated query word.
                    out.push(OsString::from(format!(
                        "-{}",
                        &flags[..flags.len() - rest_of.len()]
                    )));
                    match rest_of {
                        "" => out.extend(rest.next()),
                        value => out.push(OsString::from(value)),
                    }
                } else {
                    out.push(arg);
                }
                continue;
            }
        }
        words.push(arg);
    }
    if !words.is_empty() {
        out.push(OsString::from("--"));
        out.extend(words);
    }
    out
}

const EXPORT_EXAMPLES: &str = "\
Examples:
  passim export --opensearch-mapping > template.json
  passim export --opensearch-bulk | curl -H 'Content-Type: application/x-ndjson' \\
      --data-binary @- http://localhost:9200/articles/_bulk
  passim push http://localhost:9200/articles       template, batches, retries, refresh
  passim search --backend http://localhost:9200/articles pay
See docs/scale-out.md.";

#[derive(Debug, Args)]
#[group(id = "what", required = true, multiple = false)]
pub struct ExportArgs {
    /// Print an OpenSearch index template: passim's analyzer, BM25 with
    /// passim's k1 and b, and the article's fields.
    #[arg(long, group = "what")]
    pub opensearch_mapping: bool,

    /// Print every article of the index as `_bulk` NDJSON, streamed.
    #[arg(long, group = "what")]
    pub opensearch_bulk: bool,

    /// The index names the template applies to (with --opensearch-mapping).
    #[arg(long, value_name = "PATTERN", default_value = "articles*")]
    pub pattern: String,

    #[command(flatten)]
    pub at: IndexChoice,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The OpenSearch index, as http(s)://host:port/index (no credentials).
    #[arg(value_name = "URL")]
    pub url: String,

    #[command(flatten)]
    pub at: IndexChoice,

    /// Most articles per `_bulk` request.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch: u64,

    /// Keep documents of earlier pushes that the index no longer has
    /// (by default a push in which every article was stored deletes them).
    #[arg(long)]
    pub keep_deleted: bool,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub at: IndexChoice,

    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The index (searches see each `passim index` run on it without a restart).
    #[command(flatten)]
    pub at: IndexChoice,

    /// Address to listen on. Port 0 picks a free port; the address in use is
    /// printed on stderr. Anything but a loopback address exposes the index
    /// to the network.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:7700")]
    pub addr: std::net::SocketAddr,

    /// Serve an OpenSearch index (http(s)://host:port/index) instead of a
    /// local one; credentials from the environment (see `passim push --help`).
    #[arg(long, value_name = "URL")]
    pub backend: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn moved(args: &[&str]) -> Vec<String> {
        let args = args.iter().map(OsString::from).collect();
        query_words_last(args)
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn query_words_go_after_the_options() {
        assert_eq!(
            moved(&["passim", "search", "pay", "-ballot", "-n", "3", "--json", "rise"]),
            ["passim", "search", "-n", "3", "--json", "--", "pay", "-ballot", "rise"]
        );
        assert_eq!(
            moved(&[
                "passim",
                "search",
                "-pay",
                "-n5",
                "--index=x",
                "--color",
                "never",
                "-"
            ]),
            [
                "passim",
                "search",
                "-n",
                "5",
                "--index=x",
                "--color",
                "never",
                "--",
                "-pay",
                "-"
            ]
        );
        assert_eq!(
            moved(&["passim", "search", "a", "--", "-n", "b"]),
            ["passim", "search", "--", "a", "-n", "b"]
        );
        assert_eq!(
            moved(&["passim", "search", "--batch", "q.tsv"]),
            ["passim", "search", "--batch", "q.tsv"]
        );
        assert_eq!(
            moved(&["passim", "index", "-q", "-x"]),
            ["passim", "index", "-q", "-x"]
        );
    }
}
