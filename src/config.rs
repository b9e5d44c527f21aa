//! The resolved configuration: command-line arguments and environment turned,
//! once, into the settings the rest of passim uses.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{ColorChoice, OutputFormat, SearchArgs};
use crate::indexer::IndexOptions;
use crate::passages::PassageOptions;
use crate::printer::Format;
use crate::query::Syntax;
use crate::search::SearchOptions;

/// What to search for.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Query(String),
    /// A TSV file of `qid<TAB>query` lines.
    Batch(PathBuf),
}

/// Everything `passim search` needs to run.
#[derive(Debug, Clone)]
pub struct SearchConfig {
    pub index_dir: PathBuf,
    /// False when the default index is used: it may then be built on first use.
    pub index_given: bool,
    pub input: Input,
    pub options: SearchOptions,
    pub format: Format,
}

impl SearchConfig {
    pub fn resolve(
        args: &SearchArgs,
        env: &dyn Fn(&str) -> Option<String>,
        stdout_tty: bool,
    ) -> Self {
        let output = match (args.format, args.json) {
            (Some(f), _) => f,
            (None, true) => OutputFormat::Json,
            (None, false) => OutputFormat::Text,
        };
        let input = match (&args.batch, &args.query) {
            (Some(file), _) => Input::Batch(file.clone()),
            (None, query) => Input::Query(query.clone().unwrap_or_default()),
        };
        let plain = args.plain || matches!(input, Input::Batch(_));
        let options = SearchOptions {
            limit: usize::try_from(args.limit).unwrap_or(usize::MAX),
            passages: PassageOptions {
                // A TREC run has no passages: skip the work.
                count: if output == OutputFormat::Trec {
                    0
                } else {
                    args.passages
                },
                max_chars: usize::try_from(args.passage_length).unwrap_or(usize::MAX),
            },
            syntax: if plain { Syntax::Plain } else { Syntax::Full },
            ..SearchOptions::default()
        };
        let format = match output {
            OutputFormat::Json => Format::Json,
            OutputFormat::Trec => Format::Trec {
                tag: args.run_tag.clone(),
            },
            OutputFormat::Text => Format::Text {
                color: use_color(args.color, env, stdout_tty),
            },
        };
        SearchConfig {
            index_dir: args
                .index
                .clone()
                .unwrap_or_else(|| PathBuf::from(crate::DEFAULT_INDEX)),
            index_given: args.index.is_some(),
            input,
            options,
            format,
        }
    }
}

/// Colour for `auto`: a terminal, `NO_COLOR` unset or empty, and `TERM` not `dumb`.
pub fn use_color(choice: ColorChoice, env: &dyn Fn(&str) -> Option<String>, tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            tty && env("NO_COLOR").is_none_or(|v| v.is_empty())
                && env("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// Whether standard output is a terminal.
pub fn stdout_is_tty() -> bool {
    std::io::stdout().is_terminal()
}

/// Index options for `passim index` or for building on first search.
pub fn index_options(
    dir: PathBuf,
    roots: Vec<PathBuf>,
    rebuild: bool,
    threads: usize,
    memory_mb: u64,
) -> IndexOptions {
    IndexOptions {
        index_dir: dir,
        roots,
        rebuild,
        threads,
        memory_bytes: usize::try_from(memory_mb.saturating_mul(1_000_000)).unwrap_or(usize::MAX),
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
