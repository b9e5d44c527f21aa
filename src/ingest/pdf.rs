//! PDF: the text layer, in reading order, through [`pdf_extract`] on
//! [`lopdf`].
//!
//! - text: pdf-extract lays out the text of each page as its content
//!   streams place it (font encodings and `ToUnicode` maps applied); lines
//!   are joined back into paragraphs (a blank line, or a short line ending a
//!   sentence, ends one) and a word hyphenated at a line end is joined;
//! - headline: the document's `Title`, unless it is empty or a file name;
//!   else the first line when it reads as a headline;
//! - date: `CreationDate` (`D:20230501103000+01'00'` → ISO 8601);
//! - author: `Author`.
//!
//! Not read: images (a scanned PDF without a text layer is reported, not
//! read: passim does no OCR), annotations, form fields, outlines. An
//! encrypted PDF is read when it opens with the empty password (owner-only
//! restrictions), else reported. pdf-extract and lopdf are known to panic
//! on some damaged files; a panic while reading a PDF is caught and the
//! file reported as damaged, and the panic message is not printed.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use lopdf::{Document, Object};

use super::{text::looks_like_headline, Article, Problem};

pub(super) fn read(bytes: &[u8], id: &str) -> Vec<Result<Article, Problem>> {
    vec![article(bytes, id).map_err(|m| Problem::skipped(None, m))]
}

fn article(bytes: &[u8], id: &str) -> Result<Article, String> {
    if bytes.is_empty() {
        return Err("empty file (no text to index)".into());
    }
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err("not a PDF (no %PDF- header)".into());
    }
    let mut doc = match quietly(|| Document::load_mem(bytes)) {
        Ok(Ok(doc)) => doc,
        Ok(Err(e)) if is_password_error(&e.to_string()) => return Err(ENCRYPTED.into()),
        Ok(Err(e)) => return Err(format!("damaged PDF, cannot be read ({e})")),
        Err(()) => return Err("damaged PDF, cannot be read (the PDF reader failed on it)".into()),
    };
    if doc.is_encrypted() {
        match quietly(|| doc.decrypt("")) {
            Ok(Ok(())) => {}
            _ => return Err(ENCRYPTED.into()),
        }
    }
    let info = info(&doc);
    let mut text = String::new();
    let extracted = quietly(|| {
        let mut out = pdf_extract::PlainTextOutput::new(&mut text);
        pdf_extract::output_doc(&doc, &mut out)
    });
    match extracted {
        Ok(Ok(())) => {}
        Ok(Err(e)) if text.trim().is_empty() => {
            return Err(format!("damaged PDF, no text could be read ({e})"))
        }
        Err(()) if text.trim().is_empty() => {
            return Err("damaged PDF, cannot be read (the PDF reader failed on it)".into())
        }
        // Keep the pages read before the failure.
        _ => {}
    }
    if text.trim().is_empty() {
        return Err("no text layer (a scanned PDF? passim does not read text in images)".into());
    }
    let title = info.title.filter(|t| !looks_like_file_name(t));
    let (title, body) = match title {
        Some(t) => (t, paragraphs(&text)),
        None => {
            let text = text.trim_start();
            let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
            let first = first.split_whitespace().collect::<Vec<_>>().join(" ");
            if looks_like_headline(&first) && !rest.trim().is_empty() {
                (first, paragraphs(rest))
            } else {
                (String::new(), paragraphs(text))
            }
        }
    };
    Ok(Article {
        id: id.to_owned(),
        title,
        body,
        date: info.date,
        author: info.author,
        ..Article::default()
    })
}

const ENCRYPTED: &str = "encrypted PDF, needs a password (passim does not read it)";

fn is_password_error(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("decrypt") || m.contains("password") || m.contains("encrypt")
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}
static HOOK: Once = Once::new();

/// Runs `f`, turning a panic into `Err(())` without printing it: the
/// process's panic hook is wrapped once so that it stays silent for panics
/// on this thread while `f` runs, and prints every other panic as before.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, ()> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.map_err(|_| ())
}

#[derive(Debug, Default)]
struct Info {
    title: Option<String>,
    author: Option<String>,
    date: Option<String>,
}

fn info(doc: &Document) -> Info {
    let dict = match doc.trailer.get(b"Info") {
        Ok(Object::Reference(id)) => doc.get_dictionary(*id).ok(),
        Ok(Object::Dictionary(d)) => Some(d),
        _ => None,
    };
    let Some(dict) = dict else {
        return Info::default();
    };
    let text = |key: &[u8]| match dict.get(key) {
        Ok(Object::String(bytes, _)) => {
            let s = text_string(bytes);
            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
            (!s.is_empty()).then_some(s)
        }
        _ => None,
    };
    Info {
        title: text(b"Title"),
        author: text(b"Author"),
        date: text(b"CreationDate").and_then(|d| pdf_date(&d)),
    }
}

/// A PDF text string: UTF-16BE after its BOM, UTF-8 after its BOM, else
/// PDFDocEncoding (read as Latin-1, which it equals for text).
fn text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let units = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]));
        return char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// `D:YYYYMMDDHHmmSSOHH'mm'` (every part after the year optional) → ISO 8601.
fn pdf_date(s: &str) -> Option<String> {
    let s = s.trim().strip_prefix("D:").unwrap_or(s.trim());
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let field = |range: std::ops::Range<usize>| s.get(range).and_then(|v| v.parse::<u32>().ok());
    if digits < 4 {
        return None;
    }
    let year = field(0..4)?;
    if digits < 8 {
        return Some(format!("{year:04}"));
    }
    let (month, day) = (field(4..6)?, field(6..8)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if digits < 12 {
        return Some(date);
    }
    let (hour, minute) = (field(8..10)?, field(10..12)?);
    let second = if digits >= 14 { field(12..14)? } else { 0 };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let zone = &s[digits.min(14)..];
    let zone = match zone.chars().next() {
        None | Some('Z') => {
            if zone.is_empty() {
                String::new()
            } else {
                "Z".into()
            }
        }
        Some(sign @ ('+' | '-')) => {
            let parts: Vec<&str> = zone[1..].split('\'').filter(|p| !p.is_empty()).collect();
            let h: u32 = parts.first()?.parse().ok()?;
            let m: u32 = parts.get(1).map_or(Some(0), |m| m.parse().ok())?;
            if h == 0 && m == 0 {
                "Z".into()
            } else {
                format!("{sign}{h:02}:{m:02}")
            }
        }
        _ => String::new(),
    };
    Some(format!("{date}T{hour:02}:{minute:02}:{second:02}{zone}"))
}

/// Titles that name the file or the program rather than the document.
fn looks_like_file_name(title: &str) -> bool {
    let t = title.to_ascii_lowercase();
    t == "untitled"
        || t.starts_with("microsoft word - ")
        || [
            ".doc", ".docx", ".pdf", ".indd", ".tex", ".dvi", ".rtf", ".odt",
        ]
        .iter()
        .any(|ext| t.ends_with(ext))
}

/// Lines → paragraphs separated by a blank line (see the module docs).
fn paragraphs(text: &str) -> String {
    let text = super::normalize_newlines(text.replace('\u{c}', "\n\n"));
    let mut out = String::with_capacity(text.len());
    for block in text.split("\n\n") {
        let lines: Vec<String> = block
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect();
        let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let mut para = String::new();
        for (i, line) in lines.iter().enumerate() {
            if para.is_empty() {
                para.push_str(line);
            } else if para.ends_with('-')
                && para[..para.len() - 1]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphabetic)
                && line.chars().next().is_some_and(char::is_lowercase)
            {
                para.pop();
                para.push_str(line);
            } else {
                para.push(' ');
                para.push_str(line);
            }
            let ends_sentence = line.ends_with(['.', '!', '?', ':', '"', '”']);
            let short = line.chars().count() * 10 < widest * 7;
            if ends_sentence && short && i + 1 < lines.len() {
                push_paragraph(&mut out, &para);
                para.clear();
            }
        }
        push_paragraph(&mut out, &para);
    }
    out
}

fn push_paragraph(out: &mut String, para: &str) {
    if para.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(para);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_paragraphs_and_hyphens_join() {
        let text = "Annual report\n\nThe board met in March and agreed to raise the divi-\n\
            dend for the year, after profits rose.\nShort end.\nA new paragraph starts here and \
            runs on for a while.\n\n\n";
        assert_eq!(
            paragraphs(text),
            "Annual report\n\nThe board met in March and agreed to raise the dividend for the \
             year, after profits rose. Short end.\n\nA new paragraph starts here and runs on \
             for a while."
        );
        assert_eq!(paragraphs("well-\nKnown"), "well- Known");
    }

    #[test]
    fn pdf_dates() {
        assert_eq!(
            pdf_date("D:20230501103000+01'00'").as_deref(),
            Some("2023-05-01T10:30:00+01:00")
        );
        assert_eq!(
            pdf_date("D:20230501103000Z").as_deref(),
            Some("2023-05-01T10:30:00Z")
        );
        assert_eq!(pdf_date("D:20230501").as_deref(), Some("2023-05-01"));
        assert_eq!(pdf_date("D:2023").as_deref(), Some("2023"));
        assert_eq!(pdf_date("D:20231301"), None);
        assert_eq!(pdf_date("yesterday"), None);
    }

    #[test]
    fn not_a_pdf_and_damaged_pdf() {
        assert_eq!(
            read(b"hello", "a.pdf"),
            [Err(Problem::skipped(None, "not a PDF (no %PDF- header)"))]
        );
        let items = read(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", "b.pdf");
        let Err(p) = &items[0] else {
            panic!("{items:?}")
        };
        assert!(
            p.skipped && p.message.starts_with("damaged PDF"),
            "{}",
            p.message
        );
    }

    #[test]
    fn file_name_titles_are_not_headlines() {
        assert!(looks_like_file_name("Microsoft Word - report.docx"));
        assert!(looks_like_file_name("scan0001.pdf"));
        assert!(!looks_like_file_name("Annual Report 2023"));
        assert_eq!(text_string(b"\xFE\xFF\0A\0\xe9"), "Aé");
        assert_eq!(text_string(b"Caf\xe9"), "Café");
    }
}
