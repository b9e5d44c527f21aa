//! JSON Lines: one article per line, streamed.
//!
//! Each line is an object with `body` (or `text`) and optionally `id`,
//! `title`, `date`, `url`, `source`, `author` and `language` (or `lang`); other fields are kept as `extra`.
//! A `date` is stored in ISO 8601 when it parses (see `ingest::date`).

use std::io::BufRead;

use serde_json::{Map, Value};

use super::{normalize_newlines, Article, Problem};

/// Largest size of the `extra` JSON kept for a JSONL article.
const MAX_EXTRA_BYTES: usize = 4096;

/// The articles of a JSON Lines input, a line at a time.
pub(super) struct Lines<R> {
    input: R,
    file_id: String,
    buf: Vec<u8>,
    line_no: usize,
    bytes_read: u64,
    /// Whether any line gave an article or a skipped line (else: empty input).
    any: bool,
    done: bool,
}

impl<R> Lines<R> {
    pub(super) fn new(input: R, file_id: &str) -> Self {
        Lines {
            input,
            file_id: file_id.to_owned(),
            buf: Vec::new(),
            line_no: 0,
            bytes_read: 0,
            any: false,
            done: false,
        }
    }

    pub(super) fn line(&self) -> usize {
        self.line_no
    }

    pub(super) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Result<Article, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            let n = match self.input.read_until(b'\n', &mut self.buf) {
                Ok(n) => n,
                Err(e) => {
                    self.done = true;
                    self.any = true;
                    return Some(Err(Problem::skipped(
                        Some(self.line_no + 1),
                        crate::error::describe_io(&e),
                    )));
                }
            };
            if n == 0 {
                self.done = true;
                break;
            }
            self.line_no += 1;
            self.bytes_read += n as u64;
            let bytes = if self.line_no == 1 {
                self.buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&self.buf)
            } else {
                &self.buf[..]
            };
            let Ok(line) = std::str::from_utf8(bytes) else {
                self.any = true;
                return Some(Err(Problem::skipped(Some(self.line_no), "not valid UTF-8")));
            };
            if line.trim().is_empty() {
                continue;
            }
            self.any = true;
            return Some(
                parse_line(line, &self.file_id, self.line_no)
                    .map_err(|message| Problem::skipped(Some(self.line_no), message)),
            );
        }
        // No article and no bad line: the file holds nothing (like an empty .txt).
        if !self.any {
            self.any = true;
            return Some(Err(Problem::skipped(
                None,
                "empty file (no articles to index)",
            )));
        }
        None
    }
}

/// Parses one JSONL line into an article.
fn parse_line(line: &str, file_id: &str, line_no: usize) -> Result<Article, String> {
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
    // Stored as ISO 8601 where it parses (Reuters' `2-JUN-1987 11:50:01.21`).
    let date = take_string("date")?
        .map(|d| super::date::normalize(&d))
        .filter(|d| !d.is_empty());
    let url = take_string("url")?;
    let source = take_string("source")?;
    let author = take_string("author")?;
    let language = match take_string("language")? {
        Some(language) => Some(language),
        None => take_string("lang")?,
    };
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
        author,
        language,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{read, Format};
    use super::*;

    fn read_all(text: &str) -> Vec<Result<Article, Problem>> {
        read(text.as_bytes(), Format::JsonLines, "f.jsonl").collect()
    }

    #[test]
    fn jsonl_lines_bad_missing_body_and_repeated_ids() {
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
        let items = read_all(text);
        let ids: Vec<_> = items
            .iter()
            .filter_map(|i| i.as_ref().ok())
            .map(|a| (a.id.as_str(), a.body.as_str()))
            .collect();
        // A repeated id is read again; the indexer replaces the earlier one.
        assert_eq!(ids, [("a", "one"), ("7", "seven"), ("a", "two")]);
        let skipped: Vec<_> = items
            .iter()
            .filter_map(|i| i.as_ref().err())
            .map(|p| (p.line, p.skipped))
            .collect();
        assert_eq!(skipped, [(Some(2), true), (Some(3), true)]);
        let missing = items[2].as_ref().err().map(|p| p.message.as_str());
        assert!(missing.is_some_and(|m| m.contains("no \"body\"")));
    }

    #[test]
    fn jsonl_keeps_extra_fields() {
        let items = read_all(r#"{"id":"x","body":"b","topics":["earn"]}"#);
        assert_eq!(
            items[0].as_ref().ok().and_then(|a| a.extra.as_deref()),
            Some(r#"{"topics":["earn"]}"#)
        );
    }

    #[test]
    fn empty_input_says_so_once() {
        for text in ["", "\n  \n"] {
            let items = read_all(text);
            assert_eq!(
                items,
                [Err(Problem::skipped(
                    None,
                    "empty file (no articles to index)"
                ))]
            );
        }
    }
}
