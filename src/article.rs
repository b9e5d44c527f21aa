//! Files → `Article`s: decoding, headline detection and JSON Lines parsing.
//!
//! Nothing here touches the index; a parse either yields articles or says
//! precisely what is wrong with the input so the caller can report and skip it.

use serde_json::{Map, Value};

/// One article, as read from a file, ready to be indexed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Article {
    /// Stable identifier: the path relative to the indexed root, or a JSONL `id`.
    pub id: String,
    /// The headline, or empty when the article has none.
    pub title: String,
    /// The article text after the headline, line endings normalised to `\n`.
    pub body: String,
    pub date: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    /// Other JSONL fields, kept as a JSON object string when small.
    pub extra: Option<String>,
}

/// What kind of file an article comes from, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    JsonLines,
}

impl Format {
    /// The format for a path's extension, or `None` if it holds no articles.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// A problem with (part of) an input file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 1-based line number for JSONL lines, `None` for the whole file.
    pub line: Option<usize>,
    pub message: String,
}

/// The result of parsing one file: its articles and anything worth reporting.
#[derive(Debug, Default)]
pub struct Parsed {
    pub articles: Vec<Article>,
    /// Parts that were skipped (the whole file when `articles` is empty).
    pub skipped: Vec<Problem>,
    /// Things that were repaired but still indexed (e.g. a decoded encoding).
    pub warnings: Vec<Problem>,
}

/// Largest size of the `extra` JSON kept for a JSONL article.
const MAX_EXTRA_BYTES: usize = 4096;

/// Longest line, in characters, that can still read as a headline.
const MAX_HEADLINE_CHARS: usize = 150;

/// Parses the raw bytes of one file. `id` is the article id for text files
/// (the path relative to the indexed root) and the fallback id prefix for
/// JSONL lines that carry no `id`.
pub fn parse(bytes: &[u8], format: Format, id: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let text = match decode(bytes) {
        Ok((text, note)) => {
            if let Some(message) = note {
                parsed.warnings.push(Problem {
                    line: None,
                    message,
                });
            }
            text
        }
        Err(message) => {
            parsed.skipped.push(Problem {
                line: None,
                message,
            });
            return parsed;
        }
    };
    match format {
        Format::Text | Format::Markdown => match parse_text(&text, format, id) {
            Some(article) => parsed.articles.push(article),
            None => parsed.skipped.push(Problem {
                line: None,
                message: "empty file (no text to index)".into(),
            }),
        },
        Format::JsonLines => parse_jsonl(&text, id, &mut parsed),
    }
    parsed
}

/// Decodes file bytes to text with `\n` line endings.
///
/// UTF-8 (with or without BOM) and UTF-16 with BOM are read as they are;
/// other text is decoded as Windows-1252 (with a note saying so). Files with
/// NUL bytes are binary and rejected.
pub fn decode(bytes: &[u8]) -> Result<(String, Option<String>), String> {
    let (text, note) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        match std::str::from_utf8(rest) {
            Ok(s) => (s.to_owned(), None),
            Err(e) => return Err(format!("invalid UTF-8 after a UTF-8 BOM: {e}")),
        }
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (decode_utf16(rest, u16::from_le_bytes)?, None)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (decode_utf16(rest, u16::from_be_bytes)?, None)
    } else if bytes.contains(&0) {
        return Err("binary file (contains NUL bytes)".into());
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_owned(), None),
            Err(e) => (
                decode_windows_1252(bytes),
                Some(format!(
                    "not valid UTF-8 (byte 0x{:02X} at offset {}); decoded as Windows-1252",
                    bytes[e.valid_up_to()],
                    e.valid_up_to()
                )),
            ),
        }
    };
    Ok((normalize_newlines(text), note))
}

fn decode_utf16(bytes: &[u8], read: fn([u8; 2]) -> u16) -> Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err("invalid UTF-16: odd number of bytes".into());
    }
    let units = bytes.chunks_exact(2).map(|c| read([c[0], c[1]]));
    let text = char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| format!("invalid UTF-16: {e}"))?;
    if text.contains('\0') {
        return Err("binary file (contains NUL characters)".into());
    }
    Ok(text)
}

/// Windows-1252: Latin-1 plus printable characters in 0x80..0x9F.
fn decode_windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

fn normalize_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Parses a plain-text or Markdown article. Returns `None` if it has no text.
pub fn parse_text(text: &str, format: Format, id: &str) -> Option<Article> {
    let mut rest = text;
    let mut front_title = None;
    if format == Format::Markdown {
        (front_title, rest) = strip_front_matter(rest);
    }
    let rest = rest.trim_start_matches(['\n', ' ', '\t']);
    if rest.trim().is_empty() {
        return front_title.map(|title| Article {
            id: id.to_owned(),
            title,
            ..Article::default()
        });
    }
    let (first, after) = rest.split_once('\n').unwrap_or((rest, ""));
    let after = after.trim_start_matches(['\n', ' ', '\t']).trim_end();
    let (title, body) = if let Some(title) = front_title {
        (title, rest.trim_end())
    } else if let Some(heading) = markdown_heading(first, format) {
        (heading.to_owned(), after)
    } else if looks_like_headline(first) && !after.is_empty() {
        (first.trim().to_owned(), after)
    } else {
        (String::new(), rest.trim_end())
    };
    Some(Article {
        id: id.to_owned(),
        title,
        body: body.to_owned(),
        ..Article::default()
    })
}

/// Whether a first line reads like a headline: short, and not ending like a sentence.
pub fn looks_like_headline(line: &str) -> bool {
    let line = line.trim();
    let last = line
        .trim_end_matches(['"', '\'', '”', '’', ')'])
        .chars()
        .next_back();
    !line.is_empty()
        && line.chars().count() <= MAX_HEADLINE_CHARS
        && !matches!(last, Some('.' | ',' | ';' | ':'))
}

fn markdown_heading(line: &str, format: Format) -> Option<&str> {
    if format != Format::Markdown {
        return None;
    }
    let heading = line
        .trim()
        .strip_prefix('#')?
        .trim_start_matches('#')
        .trim();
    (!heading.is_empty()).then_some(heading)
}

/// Splits off a `---` YAML front-matter block, returning its `title:` if any.
fn strip_front_matter(text: &str) -> (Option<String>, &str) {
    let Some(after_open) = text.strip_prefix("---\n") else {
        return (None, text);
    };
    let Some(close) = after_open.find("\n---") else {
        return (None, text);
    };
    let block = &after_open[..close];
    let rest = &after_open[close + 4..];
    let rest = rest.split_once('\n').map_or("", |(_, r)| r);
    let title = block.lines().find_map(|l| {
        let value = l.strip_prefix("title:")?.trim();
        let value = value.trim_matches(['"', '\'']).trim();
        (!value.is_empty()).then(|| value.to_owned())
    });
    (title, rest)
}

fn parse_jsonl(text: &str, file_id: &str, parsed: &mut Parsed) {
    let mut by_id: std::collections::HashMap<String, usize> = Default::default();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        match parse_json_article(line, file_id, line_no) {
            Ok(article) => match by_id.get(&article.id) {
                Some(&i) => {
                    parsed
                        .warnings
                        .push(duplicate_warning(line_no, &article.id));
                    parsed.articles[i] = article;
                }
                None => {
                    by_id.insert(article.id.clone(), parsed.articles.len());
                    parsed.articles.push(article);
                }
            },
            Err(message) => parsed.skipped.push(Problem {
                line: Some(line_no),
                message,
            }),
        }
    }
}

/// The warning for a JSONL line whose `id` was seen before in the file.
pub fn duplicate_warning(line_no: usize, id: &str) -> Problem {
    Problem {
        line: Some(line_no),
        message: format!("duplicate id {id:?}; this line replaces the earlier one"),
    }
}

/// Parses one JSONL line into an article.
pub fn parse_json_article(line: &str, file_id: &str, line_no: usize) -> Result<Article, String> {
    let mut object: Map<String, Value> = match serde_json::from_str(line) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err("not a JSON object".into()),
        Err(e) => return Err(format!("invalid JSON: {e}")),
    };
    let mut take_string = |key: &str| -> Result<Option<String>, String> {
        match object.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(format!("field {key:?} should be a string, not {other}")),
        }
    };
    let id = take_string("id")?.unwrap_or_else(|| format!("{file_id}:{line_no}"));
    let title = take_string("title")?.unwrap_or_default();
    let body = match take_string("body")? {
        Some(body) => Some(body),
        None => take_string("text")?,
    };
    let date = take_string("date")?;
    let url = take_string("url")?;
    let source = take_string("source")?;
    let Some(body) = body else {
        return Err("no \"body\" or \"text\" field".into());
    };
    if body.trim().is_empty() && title.trim().is_empty() {
        return Err("empty article (no title or body text)".into());
    }
    let extra = (!object.is_empty())
        .then(|| Value::Object(object).to_string())
        .filter(|s| s.len() <= MAX_EXTRA_BYTES);
    Ok(Article {
        id,
        title: title.trim().to_owned(),
        body: normalize_newlines(body).trim().to_owned(),
        date,
        url,
        source,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_is_first_line_when_short_without_full_stop() {
        let a = parse_text(
            "Strike at depot\n\nWorkers walked out.\n",
            Format::Text,
            "a.txt",
        )
        .unwrap();
        assert_eq!(a.title, "Strike at depot");
        assert_eq!(a.body, "Workers walked out.");
    }

    #[test]
    fn no_headline_when_first_line_is_a_sentence() {
        let text = "Workers at a warehouse walked out.\n\nMore text.";
        let a = parse_text(text, Format::Text, "a.txt").unwrap();
        assert_eq!(a.title, "");
        assert_eq!(a.body, text);
    }

    #[test]
    fn single_line_file_is_all_body() {
        let a = parse_text("Just a line", Format::Text, "a.txt").unwrap();
        assert_eq!((a.title.as_str(), a.body.as_str()), ("", "Just a line"));
    }

    #[test]
    fn markdown_heading_and_front_matter() {
        let a = parse_text("# Big news\n\nBody here.", Format::Markdown, "a.md").unwrap();
        assert_eq!(
            (a.title.as_str(), a.body.as_str()),
            ("Big news", "Body here.")
        );
        let b = parse_text(
            "---\ntitle: \"Front\"\ndate: 2024\n---\nBody text.",
            Format::Markdown,
            "b.md",
        )
        .unwrap();
        assert_eq!((b.title.as_str(), b.body.as_str()), ("Front", "Body text."));
    }

    #[test]
    fn decode_handles_bom_utf16_cp1252_crlf_and_binary() {
        assert_eq!(decode(b"\xEF\xBB\xBFhi\r\nthere").unwrap().0, "hi\nthere");
        assert_eq!(decode(b"\xFF\xFEh\0i\0").unwrap().0, "hi");
        assert!(decode(b"\xFF\xFE\0\0b\0").is_err());
        let (text, note) = decode(b"caf\xe9 \x93ok\x94\rx").unwrap();
        assert_eq!(text, "café “ok”\nx");
        assert!(note.unwrap().contains("Windows-1252"));
        assert_eq!(
            decode(b"\x89PNG\0\0").unwrap_err(),
            "binary file (contains NUL bytes)"
        );
    }

    #[test]
    fn empty_and_whitespace_files_are_skipped() {
        for bytes in [&b""[..], b"  \n\t\n"] {
            let p = parse(bytes, Format::Text, "e.txt");
            assert!(p.articles.is_empty());
            assert_eq!(p.skipped[0].message, "empty file (no text to index)");
        }
    }

    #[test]
    fn jsonl_lines_bad_missing_body_and_duplicates() {
        let text = concat!(
            r#"{"id":"a","title":"T","body":"one","date":"2020","lang":"en"}"#,
            "\n{oops\n",
            r#"{"id":"b","title":"no body"}"#,
            "\n",
            r#"{"id":7,"text":"seven"}"#,
            "\n",
            r#"{"id":"a","body":"two"}"#,
            "\n"
        );
        let p = parse(text.as_bytes(), Format::JsonLines, "f.jsonl");
        let ids: Vec<_> = p
            .articles
            .iter()
            .map(|a| (a.id.as_str(), a.body.as_str()))
            .collect();
        assert_eq!(ids, [("a", "two"), ("7", "seven")]);
        let skipped: Vec<_> = p.skipped.iter().map(|s| s.line).collect();
        assert_eq!(skipped, [Some(2), Some(3)]);
        assert!(p.skipped[1].message.contains("no \"body\""));
        assert_eq!(p.warnings[0].line, Some(5));
    }

    #[test]
    fn jsonl_keeps_extra_fields() {
        let p = parse(
            br#"{"id":"x","body":"b","topics":["earn"]}"#,
            Format::JsonLines,
            "f.jsonl",
        );
        assert_eq!(
            p.articles[0].extra.as_deref(),
            Some(r#"{"topics":["earn"]}"#)
        );
    }
}
