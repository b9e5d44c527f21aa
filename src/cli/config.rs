//! The resolved configuration: command-line arguments, environment and
//! terminal turned, once per command, into the settings the rest of passim
//! uses. Every default lives in one place: `args` for what clap shows in
//! `--help`, [`crate::DEFAULT_INDEX`] and [`crate::DEFAULT_CORPUS`] for
//! where the index and first-run corpus are.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use super::args::{
    ColorChoice, ExportArgs, IndexArgs, IndexChoice, OutputFormat, PushArgs, SearchArgs, ServeArgs,
    ShowArgs, StatsArgs, DEFAULT_LIMIT, DEFAULT_MEMORY_MB, DEFAULT_PASSAGES, DEFAULT_THREADS,
};
use super::print::Format;
use crate::error::{display, Result};
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
    pub(crate) fn resolve(given: &Option<PathBuf>) -> Self {
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
    /// An OpenSearch index URL to search instead of `index` (`--backend`).
    pub backend: Option<String>,
    pub input: Input,
    pub options: SearchOptions,
    pub format: Format,
}

impl SearchConfig {
    pub fn resolve(args: &SearchArgs, env: &Env, settings: &Settings) -> Result<Self> {
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
        let mut options = SearchOptions {
            limit: usize::try_from(settings.limit.0).unwrap_or(usize::MAX),
            offset: args.offset,
            passages: PassageOptions {
                // A TREC run, a list or a count has no passages: skip the work.
                count: if output == OutputFormat::Trec || args.files_with_matches || args.count {
                    0
                } else {
                    settings.passages.0
                },
                max_chars: usize::try_from(args.passage_length).unwrap_or(usize::MAX),
            },
            syntax: if plain { Syntax::Plain } else { Syntax::Full },
            min_score: args.min_score,
            filter: filter_of(args)?,
            sort: args.sort,
            facets: args.facets,
            exact_count: args.count || args.exact_count,
            threads: args.threads,
            ..SearchOptions::default()
        };
        for pair in &args.rank {
            options.rank.set_pair(pair)?;
        }
        let format = match output {
            _ if args.files_with_matches => Format::Files,
            _ if args.count => Format::Count,
            OutputFormat::Json => Format::Json,
            OutputFormat::Trec => Format::Trec {
                tag: args.run_tag.clone(),
            },
            OutputFormat::Text => Format::Text {
                color: use_color(settings.color.0, env.var, env.stdout_tty),
            },
        };
        Ok(SearchConfig {
            index: settings.index_dir(),
            backend: args.backend.clone(),
            input,
            options,
            format,
        })
    }
}

/// The filter of `--since`, `--until`, `--source` and `--path`.
fn filter_of(args: &SearchArgs) -> Result<Filter> {
    Filter::of(
        args.since.as_deref(),
        args.until.as_deref(),
        &args.source,
        &args.path,
        filter::now(),
    )
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
    pub fn resolve(args: &IndexArgs, env: &Env, settings: &Settings) -> Self {
        let mut options = index_options(
            settings.index_dir().dir,
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
    /// An OpenSearch index URL to serve instead of `index` (`--backend`).
    pub backend: Option<String>,
}

impl ServeConfig {
    pub fn resolve(args: &ServeArgs, settings: &Settings) -> Self {
        ServeConfig {
            index: settings.index_dir(),
            addr: args.addr,
            backend: args.backend.clone(),
        }
    }
}

/// What `passim export` prints, and from which index.
#[derive(Debug, Clone)]
pub(crate) enum ExportConfig {
    /// The index template, for index names matching the pattern.
    Mapping { pattern: String },
    /// Every article of the index as `_bulk` NDJSON.
    Bulk { index: IndexDir },
}

impl ExportConfig {
    pub fn resolve(args: &ExportArgs, settings: &Settings) -> Self {
        match args.opensearch_mapping {
            true => ExportConfig::Mapping {
                pattern: args.pattern.clone(),
            },
            false => ExportConfig::Bulk {
                index: settings.index_dir(),
            },
        }
    }
}

/// Everything `passim push` needs to run.
#[derive(Debug, Clone)]
pub(crate) struct PushConfig {
    pub index: IndexDir,
    pub url: String,
    pub options: crate::opensearch::bulk::PushOptions,
    pub quiet: bool,
}

impl PushConfig {
    pub fn resolve(args: &PushArgs, settings: &Settings) -> Self {
        PushConfig {
            index: settings.index_dir(),
            url: args.url.clone(),
            options: crate::opensearch::bulk::PushOptions {
                batch_articles: usize::try_from(args.batch).unwrap_or(usize::MAX),
                prune: !args.keep_deleted,
                ..Default::default()
            },
            quiet: args.quiet,
        }
    }
}

/// Everything `passim mcp` needs to run.
#[derive(Debug, Clone)]
pub(crate) struct McpConfig {
    pub index: IndexDir,
}

impl McpConfig {
    pub fn resolve(settings: &Settings) -> Self {
        McpConfig {
            index: settings.index_dir(),
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
    pub fn resolve(args: &ShowArgs, env: &Env, settings: &Settings) -> Self {
        ShowConfig {
            index: settings.index_dir(),
            id: args.id.clone(),
            query: args.query.clone().filter(|q| !q.trim().is_empty()),
            syntax: if args.plain {
                Syntax::Plain
            } else {
                Syntax::Full
            },
            json: args.json,
            color: use_color(settings.color.0, env.var, env.stdout_tty),
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
    pub fn resolve(args: &StatsArgs, settings: &Settings) -> Self {
        StatsConfig {
            index_dir: settings.index_dir().dir,
            json: args.json,
        }
    }
}

// ---------------------------------------------------------------------------
// The config file and where each setting comes from
// ---------------------------------------------------------------------------

/// Where a resolved setting came from, in precedence order: the command
/// line, the environment, the config file, the default.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    Flag(&'static str),
    Env(&'static str),
    /// The config file, at this line.
    File(usize),
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "command line ({flag})"),
            Source::Env(var) => write!(f, "environment ({var})"),
            Source::File(line) => write!(f, "config file, line {line}"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// Which of a command's options were given on the command line, and which
/// came from the environment (clap's `env`), rather than from their defaults.
#[derive(Clone, Copy)]
pub(crate) struct Given<'a>(pub Option<&'a clap::ArgMatches>);

impl Given<'_> {
    fn source(&self, id: &str) -> Option<clap::parser::ValueSource> {
        let m = self.0?;
        // Only ask about options this command has (clap asserts otherwise).
        m.try_get_raw(id).ok().flatten()?;
        m.value_source(id)
    }

    fn flag(&self, id: &str) -> bool {
        self.source(id) == Some(clap::parser::ValueSource::CommandLine)
    }

    fn env(&self, id: &str) -> bool {
        self.source(id) == Some(clap::parser::ValueSource::EnvVariable)
    }
}

/// Where the config file is looked for, and why there.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FileLocation {
    pub path: PathBuf,
    /// `PASSIM_CONFIG`, `XDG_CONFIG_HOME` or `HOME`.
    pub from: &'static str,
}

/// A value from the config file, with its line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FromFile<T> {
    pub value: T,
    pub line: usize,
}

/// The config file, read and checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FileConfig {
    /// Where it was looked for (None when neither HOME nor XDG_CONFIG_HOME is set).
    pub location: Option<FileLocation>,
    /// False when there is no file there (then every value is a default).
    pub found: bool,
    pub index: Option<FromFile<PathBuf>>,
    pub color: Option<FromFile<ColorChoice>>,
    pub limit: Option<FromFile<u64>>,
    pub passages: Option<FromFile<usize>>,
    /// `[collections]`: name → index folder, in file order.
    pub collections: Vec<(String, FromFile<PathBuf>)>,
}

/// The file's keys as written, each with its place in the text.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    index: Option<toml::Spanned<toml::Value>>,
    color: Option<toml::Spanned<toml::Value>>,
    limit: Option<toml::Spanned<toml::Value>>,
    passages: Option<toml::Spanned<toml::Value>>,
    collections: Option<toml::Spanned<toml::Table>>,
}

/// The keys a config file may have, for messages.
const FILE_KEYS: &str = "index, color, limit, passages, [collections]";

impl FileConfig {
    /// Where to look: `PASSIM_CONFIG`, else `$XDG_CONFIG_HOME/passim/config.toml`,
    /// else `~/.config/passim/config.toml`.
    pub fn locate(var: &dyn Fn(&str) -> Option<String>) -> Option<FileLocation> {
        let set = |k: &str| var(k).filter(|v| !v.is_empty());
        if let Some(path) = set("PASSIM_CONFIG") {
            return Some(FileLocation {
                path: PathBuf::from(path),
                from: "PASSIM_CONFIG",
            });
        }
        // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
        if let Some(dir) = set("XDG_CONFIG_HOME").filter(|d| Path::new(d).is_absolute()) {
            return Some(FileLocation {
                path: Path::new(&dir).join("passim").join("config.toml"),
                from: "XDG_CONFIG_HOME",
            });
        }
        set("HOME").map(|home| FileLocation {
            path: Path::new(&home)
                .join(".config")
                .join("passim")
                .join("config.toml"),
            from: "HOME",
        })
    }

    /// Reads the config file, if there is one. A file named by
    /// `PASSIM_CONFIG` must exist; the default one may not.
    pub fn load(var: &dyn Fn(&str) -> Option<String>) -> crate::Result<FileConfig> {
        let Some(location) = FileConfig::locate(var) else {
            return Ok(FileConfig::default());
        };
        let path = &location.path;
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound && location.from != "PASSIM_CONFIG" =>
            {
                return Ok(FileConfig {
                    location: Some(location),
                    ..FileConfig::default()
                })
            }
            Err(e) => return Err(crate::Error::io(path, e)),
        };
        let home = var("HOME").filter(|h| !h.is_empty());
        let mut config = FileConfig::parse(&text, path, home.as_deref())?;
        config.location = Some(location);
        config.found = true;
        Ok(config)
    }

    /// Parses and checks the text of the config file at `path`. Paths in it
    /// may start with `~/` (the home folder); relative paths are relative to
    /// the file's folder.
    pub fn parse(text: &str, path: &Path, home: Option<&str>) -> crate::Result<FileConfig> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let bad = |offset: usize, key: &str, message: String| crate::Error::Input {
            path: path.to_path_buf(),
            line: Some(line_of(offset)),
            message: format!("{key}: {message}"),
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let message = e.message().lines().next().unwrap_or("").trim().to_owned();
            let message = if message.starts_with("unknown field") {
                format!("{message} (a config file has {FILE_KEYS})")
            } else {
                message
            };
            // Name the key of the line, when the line has one.
            let line = text.lines().nth(line_of(offset) - 1).unwrap_or("");
            match line.split_once('=') {
                Some((key, _)) if !key.trim().is_empty() && !message.contains('`') => {
                    bad(offset, key.trim(), message)
                }
                _ => crate::Error::Input {
                    path: path.to_path_buf(),
                    line: Some(line_of(offset)),
                    message,
                },
            }
        })?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let folder =
            |key: &str, v: &toml::Spanned<toml::Value>| -> crate::Result<FromFile<PathBuf>> {
                let offset = v.span().start;
                match v.get_ref() {
                    toml::Value::String(s) if !s.trim().is_empty() => Ok(FromFile {
                        value: expand_path(s, dir, home),
                        line: line_of(offset),
                    }),
                    _ => Err(bad(
                        offset,
                        key,
                        "must be a folder path in quotes".to_owned(),
                    )),
                }
            };
        let number =
            |key: &str, v: &toml::Spanned<toml::Value>, min: i64| -> crate::Result<FromFile<u64>> {
                let offset = v.span().start;
                match v.get_ref() {
                    toml::Value::Integer(n) if *n >= min => Ok(FromFile {
                        value: u64::try_from(*n).unwrap_or(0),
                        line: line_of(offset),
                    }),
                    _ => Err(bad(
                        offset,
                        key,
                        if min == 0 {
                            "must be a whole number (0 or more)".to_owned()
                        } else {
                            format!("must be a whole number of at least {min}")
                        },
                    )),
                }
            };
        let mut config = FileConfig::default();
        if let Some(v) = &raw.index {
            config.index = Some(folder("index", v)?);
        }
        if let Some(v) = &raw.color {
            let offset = v.span().start;
            let choice = match v.get_ref().as_str() {
                Some("auto") => ColorChoice::Auto,
                Some("always") => ColorChoice::Always,
                Some("never") => ColorChoice::Never,
                _ => {
                    return Err(bad(
                        offset,
                        "color",
                        "must be \"auto\", \"always\" or \"never\"".to_owned(),
                    ))
                }
            };
            config.color = Some(FromFile {
                value: choice,
                line: line_of(offset),
            });
        }
        if let Some(v) = &raw.limit {
            config.limit = Some(number("limit", v, 1)?);
        }
        if let Some(v) = &raw.passages {
            let n = number("passages", v, 0)?;
            config.passages = Some(FromFile {
                value: usize::try_from(n.value).unwrap_or(usize::MAX),
                line: n.line,
            });
        }
        if let Some(table) = &raw.collections {
            // toml::Table does not keep each value's place: find each
            // name's line in the text, after the table's start.
            let start = table.span().start;
            for (name, value) in table.get_ref() {
                let key = format!("collections.{name}");
                let offset = key_offset(text, start, name).unwrap_or(start);
                let value = toml::Spanned::new(offset..offset, value.clone());
                config
                    .collections
                    .push((name.clone(), folder(&key, &value)?));
            }
            config.collections.sort_by_key(|(_, f)| f.line);
        }
        Ok(config)
    }

    /// The index folder of collection `name`.
    pub fn collection(&self, name: &str) -> Result<&FromFile<PathBuf>, String> {
        if let Some((_, f)) = self.collections.iter().find(|(n, _)| n == name) {
            return Ok(f);
        }
        let names: Vec<&str> = self.collections.iter().map(|(n, _)| n.as_str()).collect();
        let file = match &self.location {
            Some(l) if self.found => display(&l.path),
            Some(l) => format!("{} (not found)", display(&l.path)),
            None => "none (neither HOME nor XDG_CONFIG_HOME is set)".to_owned(),
        };
        Err(if names.is_empty() {
            format!(
                "no collection {name:?}: the config file names none (config file: {file}; add `[collections]` with `{name} = \"/path/to/index\"`)"
            )
        } else {
            format!(
                "no collection {name:?} in the config file {file}; it names {}",
                names.join(", ")
            )
        })
    }
}

/// Where `name = …` starts in `text` at or after `from` (a `[collections]` table).
fn key_offset(text: &str, from: usize, name: &str) -> Option<usize> {
    let mut offset = from;
    for line in text.get(from..)?.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let key = trimmed.split('=').next().unwrap_or("").trim();
        let key = key.trim_matches(|c| c == '"' || c == '\'');
        if key == name && trimmed.contains('=') {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

/// A path from the config file: `~/` is the home folder; a relative path is
/// relative to the file's folder.
fn expand_path(s: &str, dir: &Path, home: Option<&str>) -> PathBuf {
    if let (Some(rest), Some(home)) = (s.strip_prefix("~/"), home) {
        return Path::new(home).join(rest);
    }
    if s == "~" {
        if let Some(home) = home {
            return PathBuf::from(home);
        }
    }
    let p = Path::new(s);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

/// The settings a command shares with the others, each resolved with where
/// it came from: flags, then environment, then the config file, then defaults.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub file: FileConfig,
    /// None: the default index (built from `seeds` on first use).
    pub index: (Option<PathBuf>, Source),
    pub color: (ColorChoice, Source),
    pub limit: (u64, Source),
    pub passages: (usize, Source),
}

impl<'a> Flags<'a> {
    /// `--index` and `--collection`.
    pub fn at(at: &'a IndexChoice) -> Self {
        Flags {
            index: at.index.as_ref(),
            collection: at.collection.as_deref(),
            ..Flags::default()
        }
    }
}

/// A command's options that the config file can also set.
#[derive(Default)]
pub(crate) struct Flags<'a> {
    pub index: Option<&'a PathBuf>,
    pub collection: Option<&'a str>,
    pub color: Option<ColorChoice>,
    pub limit: Option<u64>,
    pub passages: Option<usize>,
}

impl Settings {
    /// Resolves the settings of one command. `flags` holds the command's
    /// values; `given` says which were typed and which came from the environment.
    pub fn resolve(
        file: FileConfig,
        flags: &Flags,
        given: Given,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Settings> {
        let index = match (flags.index, flags.collection) {
            (Some(_), Some(_)) if given.flag("index") => {
                anyhow::bail!("--index and --collection name two indexes: give one of them")
            }
            (Some(dir), _) if given.flag("index") => (Some(dir.clone()), Source::Flag("--index")),
            (_, Some(name)) => {
                let f = file.collection(name).map_err(|m| anyhow::anyhow!(m))?;
                (Some(f.value.clone()), Source::Flag("--collection"))
            }
            (Some(dir), None) if given.env("index") => {
                (Some(dir.clone()), Source::Env("PASSIM_INDEX"))
            }
            // Without clap's knowledge (tests), a value is a flag.
            (Some(dir), None) if given.0.is_none() => (Some(dir.clone()), Source::Flag("--index")),
            _ => match &file.index {
                Some(f) => (Some(f.value.clone()), Source::File(f.line)),
                None => (None, Source::Default),
            },
        };
        let no_color = var("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match flags.color {
            Some(c) if given.flag("color") || given.0.is_none() => (c, Source::Flag("--color")),
            _ if no_color => (ColorChoice::Never, Source::Env("NO_COLOR")),
            _ => match &file.color {
                Some(f) => (f.value, Source::File(f.line)),
                None => (ColorChoice::Auto, Source::Default),
            },
        };
        let limit = match flags.limit {
            Some(n) if given.flag("limit") || given.0.is_none() => (n, Source::Flag("--limit")),
            _ => match &file.limit {
                Some(f) => (f.value, Source::File(f.line)),
                None => (DEFAULT_LIMIT, Source::Default),
            },
        };
        let passages = match flags.passages {
            Some(n) if given.flag("passages") || given.0.is_none() => {
                (n, Source::Flag("--passages"))
            }
            _ => match &file.passages {
                Some(f) => (f.value, Source::File(f.line)),
                None => (DEFAULT_PASSAGES, Source::Default),
            },
        };
        Ok(Settings {
            file,
            index,
            color,
            limit,
            passages,
        })
    }

    /// The index folder to use.
    pub fn index_dir(&self) -> IndexDir {
        IndexDir::resolve(&self.index.0)
    }
}

/// `passim config`: every resolved setting and where it came from, as TOML
/// with the sources in comments.
pub(crate) fn describe(s: &Settings) -> String {
    let quoted = |p: &Path| {
        let text = p.to_string_lossy();
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    };
    let file = match &s.file.location {
        Some(l) if s.file.found => format!("{} (from {})", display(&l.path), l.from),
        Some(l) => format!(
            "none ({} does not exist; from {})",
            display(&l.path),
            l.from
        ),
        None => "none (neither HOME nor XDG_CONFIG_HOME is set)".to_owned(),
    };
    let color = match s.color.0 {
        ColorChoice::Auto => "auto",
        ColorChoice::Always => "always",
        ColorChoice::Never => "never",
    };
    let index = match &s.index.0 {
        Some(dir) => quoted(dir),
        None => quoted(Path::new(crate::DEFAULT_INDEX)),
    };
    let mut lines = vec![
        (format!("index = {index}"), s.index.1.to_string()),
        (format!("color = \"{color}\""), s.color.1.to_string()),
        (format!("limit = {}", s.limit.0), s.limit.1.to_string()),
        (
            format!("passages = {}", s.passages.0),
            s.passages.1.to_string(),
        ),
    ];
    if !s.file.collections.is_empty() {
        lines.push(("[collections]".to_owned(), String::new()));
        for (name, f) in &s.file.collections {
            lines.push((
                format!("{} = {}", toml_key(name), quoted(&f.value)),
                Source::File(f.line).to_string(),
            ));
        }
    }
    let width = lines
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("# config file: {file}\n");
    for (line, source) in lines {
        if source.is_empty() {
            out.push_str(&line);
        } else {
            let pad = width - line.chars().count();
            out.push_str(&format!("{line}{}  # {source}", " ".repeat(pad)));
        }
        out.push('\n');
    }
    out
}

/// A TOML key: bare when it can be, quoted otherwise.
fn toml_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
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
