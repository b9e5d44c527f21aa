//! Files → [`Article`]s: one reading interface for every format.
//!
//! [`read`] turns the bytes of one input into a stream of articles, each or
//! a [`Problem`]; the indexer and the fuzz targets both read through it.
//! Nothing here touches the index. A format is one module: `text` for
//! plain text and Markdown, `jsonl` for JSON Lines, `html` for web pages,
//! `pdf`, `mail` for `.eml` and mbox; `walk` finds the files under the
//! folders a user names.

pub(crate) mod date;
mod html;
mod jsonl;
mod mail;
mod pdf;
mod text;
pub(crate) mod walk;

use std::io::BufRead;

/// One article, as read from a file, ready to be indexed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Article {
    /// Stable identifier: the path relative to the indexed root, or a JSONL `id`.
    pub id: String,
    /// The headline, or empty when the article has none.
    pub title: String,
    /// The article text after the headline, line endings normalised to `\n`.
    pub body: String,
    /// When it was published, ISO 8601 where the source's date parses
    /// (see `date::normalize`); `None` when the source gives none (the
    /// indexer then falls back to the file's modification time).
    pub date: Option<String>,
    /// Canonical address of the article, when known.
    pub url: Option<String>,
    /// Publication or site name (`BBC News`), list or sender domain for mail.
    pub source: Option<String>,
    /// Author or byline, as given.
    pub author: Option<String>,
    /// Language tag (`en`, `en-GB`), as given.
    pub language: Option<String>,
    /// Other JSONL fields, kept as a JSON object string when small.
    pub extra: Option<String>,
}

/// What kind of file an article comes from, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    JsonLines,
    /// `.html`, `.htm`, `.xhtml`: the article of a web page.
    Html,
    Pdf,
    /// `.eml`: one e-mail message.
    Email,
    /// `.mbox`: a mailbox, one article per message.
    Mbox,
}

impl Format {
    /// The format for a path's extension, or `None` if it holds no articles.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            "eml" => Some(Format::Email),
            "mbox" => Some(Format::Mbox),
            _ => None,
        }
    }

    /// The extensions [`Format::from_path`] knows, for messages.
    pub(crate) const EXTENSIONS: &'static str =
        ".txt, .md, .jsonl, .ndjson, .html, .htm, .xhtml, .pdf, .eml or .mbox";
}

/// Something wrong with an input, or with one line of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 1-based line number for a JSONL line, `None` for the whole input.
    pub line: Option<usize>,
    pub message: String,
    /// True when the input (or line) was left out; false for a warning
    /// about something repaired (e.g. a decoded encoding).
    pub skipped: bool,
}

impl Problem {
    pub(crate) fn skipped(line: Option<usize>, message: impl Into<String>) -> Problem {
        Problem {
            line,
            message: message.into(),
            skipped: true,
        }
    }

    pub(crate) fn warning(line: Option<usize>, message: impl Into<String>) -> Problem {
        Problem {
            line,
            message: message.into(),
            skipped: false,
        }
    }
}

/// Reads the articles of one input of `format`. `id` is the article id for
/// a text file (its path relative to the indexed root) and the prefix of the
/// fallback id of JSONL lines that carry none (and of mbox messages, `id#N`).
/// JSON Lines and mbox files are streamed a line or a message at a time, so
/// memory does not grow with the input's size; other formats are read whole.
pub fn read<R: BufRead>(input: R, format: Format, id: &str) -> Articles<R> {
    let source = match format {
        Format::Text | Format::Markdown | Format::Html | Format::Pdf | Format::Email => {
            Source::Whole {
                input: Some(input),
                format,
                id: id.to_owned(),
                items: Vec::new().into_iter(),
            }
        }
        Format::JsonLines => Source::Lines(jsonl::Lines::new(input, id)),
        Format::Mbox => Source::Mbox(mail::Mbox::new(input, id)),
    };
    Articles {
        source,
        bytes_read: 0,
    }
}

/// The articles of one input, in order: see [`read`].
pub struct Articles<R> {
    source: Source<R>,
    bytes_read: u64,
}

enum Source<R> {
    /// A format read whole on first use (one article per file).
    Whole {
        input: Option<R>,
        format: Format,
        id: String,
        items: std::vec::IntoIter<Result<Article, Problem>>,
    },
    Lines(jsonl::Lines<R>),
    Mbox(mail::Mbox<R>),
}

impl<R> Articles<R> {
    /// The line of the input last read, for formats read by line.
    pub fn line(&self) -> Option<usize> {
        match &self.source {
            Source::Whole { .. } | Source::Mbox(_) => None,
            Source::Lines(lines) => Some(lines.line()),
        }
    }

    /// Bytes of the input consumed so far, for progress displays.
    pub fn bytes_read(&self) -> u64 {
        match &self.source {
            Source::Whole { .. } => self.bytes_read,
            Source::Lines(lines) => lines.bytes_read(),
            Source::Mbox(messages) => messages.bytes_read(),
        }
    }
}

impl<R: BufRead> Iterator for Articles<R> {
    type Item = Result<Article, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.source {
            Source::Whole {
                input,
                format,
                id,
                items,
            } => {
                if let Some(mut input) = input.take() {
                    let mut bytes = Vec::new();
                    *items = match input.read_to_end(&mut bytes) {
                        Ok(n) => {
                            self.bytes_read = n as u64;
                            read_whole(&bytes, *format, id)
                        }
                        Err(e) => vec![Err(Problem::skipped(None, crate::error::describe_io(&e)))],
                    }
                    .into_iter();
                }
                items.next()
            }
            Source::Lines(lines) => lines.next(),
            Source::Mbox(messages) => messages.next(),
        }
    }
}

/// The articles of a format read whole, one article per file.
fn read_whole(bytes: &[u8], format: Format, id: &str) -> Vec<Result<Article, Problem>> {
    match format {
        Format::Html => html::read(bytes, id),
        Format::Pdf => pdf::read(bytes, id),
        Format::Email => mail::read_eml(bytes, id),
        Format::Text | Format::Markdown | Format::JsonLines | Format::Mbox => {
            text::read(bytes, format, id)
        }
    }
}

/// The items of a text format read whole: a warning when the encoding had
/// to be guessed (`decoded`'s note), then the article `parse` finds in the
/// text, or `empty` as the reason the file was skipped.
fn decoded_article(
    decoded: Result<(String, Option<String>), String>,
    parse: impl FnOnce(&str) -> Option<Article>,
    empty: &str,
) -> Vec<Result<Article, Problem>> {
    let (text, note) = match decoded {
        Ok(decoded) => decoded,
        Err(message) => return vec![Err(Problem::skipped(None, message))],
    };
    let mut out = Vec::with_capacity(2);
    if let Some(message) = note {
        out.push(Err(Problem::warning(None, message)));
    }
    out.push(parse(&text).ok_or_else(|| Problem::skipped(None, empty)));
    out
}

/// Normalises line endings to `\n`.
fn normalize_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}
