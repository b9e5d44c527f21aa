//! Plain text and Markdown: decoding, headline detection, front matter.

use super::{normalize_newlines, Article, Format, Problem};

/// Longest line, in characters, that can still read as a headline.
const MAX_HEADLINE_CHARS: usize = 150;

/// Reads one text or Markdown file: its article, or why it has none, after
/// a warning if its encoding had to be guessed.
pub(super) fn read(bytes: &[u8], format: Format, id: &str) -> Vec<Result<Article, Problem>> {
    super::decoded_article(
        decode(bytes),
        |text| parse_text(text, format, id),
        "empty file (no text to index)",
    )
}

/// Decodes file bytes to text with `\n` line endings.
///
/// UTF-8 (with or without BOM) and UTF-16 with BOM are read as they are;
/// other text is decoded as Windows-1252 (with a note saying so). Files with
/// NUL bytes are binary and rejected.
pub(super) fn decode(bytes: &[u8]) -> Result<(String, Option<String>), String> {
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

/// Parses a plain-text or Markdown article. Returns `None` if it has no text.
pub(super) fn parse_text(text: &str, format: Format, id: &str) -> Option<Article> {
    let mut rest = text;
    let mut front = FrontMatter::default();
    if format == Format::Markdown {
        (front, rest) = strip_front_matter(rest);
    }
    let meta = |title: String, body: &str| Article {
        id: id.to_owned(),
        title,
        body: body.to_owned(),
        date: front.date.clone(),
        url: front.url.clone(),
        source: front.source.clone(),
        author: front.author.clone(),
        language: front.language.clone(),
        extra: None,
    };
    let rest = rest.trim_start_matches(['\n', ' ', '\t']);
    if rest.trim().is_empty() {
        return front.title.clone().map(|title| meta(title, ""));
    }
    let (first, after) = rest.split_once('\n').unwrap_or((rest, ""));
    let after = after.trim_start_matches(['\n', ' ', '\t']).trim_end();
    let (title, body) = if let Some(title) = front.title.clone() {
        (title, rest.trim_end())
    } else if let Some(heading) = markdown_heading(first, format) {
        (heading.to_owned(), after)
    } else if looks_like_headline(first) && !after.is_empty() {
        (first.trim().to_owned(), after)
    } else {
        (String::new(), rest.trim_end())
    };
    Some(meta(title, body))
}

/// Whether a first line reads like a headline: short, and not ending like a sentence.
pub(super) fn looks_like_headline(line: &str) -> bool {
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

/// What a Markdown front-matter block says about its article.
#[derive(Debug, Default)]
struct FrontMatter {
    title: Option<String>,
    date: Option<String>,
    author: Option<String>,
    source: Option<String>,
    url: Option<String>,
    language: Option<String>,
}

/// Splits off a `---` YAML front-matter block, returning what it names:
/// `title:`, `date:` (normalised), `author:`, `source:` or `publisher:`,
/// `url:` (or `link:`, `canonical_url:`) and `lang:` (or `language:`).
/// Only simple `key: value` lines are read; lists and nested keys are not.
fn strip_front_matter(text: &str) -> (FrontMatter, &str) {
    let mut front = FrontMatter::default();
    let Some(after_open) = text.strip_prefix("---\n") else {
        return (front, text);
    };
    let Some(close) = after_open.find("\n---") else {
        return (front, text);
    };
    let block = &after_open[..close];
    let rest = &after_open[close + 4..];
    let rest = rest.split_once('\n').map_or("", |(_, r)| r);
    for line in block.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value)
            .trim();
        if value.is_empty() {
            continue;
        }
        let slot = match key.trim().to_ascii_lowercase().as_str() {
            "title" => &mut front.title,
            "date" | "published" | "pubdate" => &mut front.date,
            "author" | "byline" => &mut front.author,
            "source" | "publisher" | "site" => &mut front.source,
            "url" | "link" | "canonical_url" => &mut front.url,
            "lang" | "language" => &mut front.language,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value.to_owned());
        }
    }
    front.date = front.date.map(|d| super::date::normalize(&d));
    (front, rest)
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
        assert_eq!(b.date.as_deref(), Some("2024"));
    }

    #[test]
    fn front_matter_metadata() {
        let a = parse_text(
            "---\ntitle: 'Rates held'\ndate: 2023-05-01 10:00\nauthor: \"Ann Lee\"\n\
             publisher: The Post\nurl: https://post.example/rates\nlang: en-GB\ntags: [a, b]\n---\n\
             # Not the title\n\nBody.",
            Format::Markdown,
            "a.md",
        )
        .unwrap();
        assert_eq!(a.title, "Rates held");
        assert_eq!(a.body, "# Not the title\n\nBody.");
        assert_eq!(a.date.as_deref(), Some("2023-05-01T10:00:00"));
        assert_eq!(a.author.as_deref(), Some("Ann Lee"));
        assert_eq!(a.source.as_deref(), Some("The Post"));
        assert_eq!(a.url.as_deref(), Some("https://post.example/rates"));
        assert_eq!(a.language.as_deref(), Some("en-GB"));
        let b = parse_text(
            "---\nsource: Wire\ndate: May 1, 2023\n---\n# Head\n\nText.",
            Format::Markdown,
            "b.md",
        )
        .unwrap();
        assert_eq!((b.title.as_str(), b.body.as_str()), ("Head", "Text."));
        assert_eq!(b.date.as_deref(), Some("2023-05-01"));
        assert_eq!(b.source.as_deref(), Some("Wire"));
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
            let items = read(bytes, Format::Text, "e.txt");
            assert_eq!(
                items,
                [Err(Problem::skipped(None, "empty file (no text to index)"))]
            );
        }
    }
}
