//! Plain-text structure: paragraphs, sentences and word boundaries.
//!
//! Everything here works on byte ranges into a `&str` and never allocates
//! copies of the text, so callers can map results back to offsets in the
//! stored article body.

use std::ops::Range;

/// Byte ranges of the paragraphs of `body`, trimmed of surrounding whitespace.
///
/// A body that contains blank lines is split into blank-line separated blocks
/// (so hard-wrapped lines stay together); a body without blank lines has one
/// paragraph per line, which is how news feeds usually lay out articles.
pub fn paragraphs(body: &str) -> Vec<Range<usize>> {
    // One pass: each line trimmed (blank lines become empty ranges).
    let mut lines = Vec::new();
    let mut has_blank_line = false;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', body.as_bytes()).chain([body.len()]) {
        // A final newline ends the last line; it does not start a blank one.
        if start == body.len() && start != 0 {
            break;
        }
        let trimmed = trim_range(body, start..end);
        has_blank_line |= trimmed.is_empty();
        lines.push(trimmed);
        start = end + 1;
    }
    if !has_blank_line {
        return lines;
    }
    let mut out = Vec::new();
    let mut current: Option<Range<usize>> = None;
    for trimmed in lines {
        if trimmed.is_empty() {
            if let Some(p) = current.take() {
                out.push(p);
            }
            continue;
        }
        current = Some(match current {
            Some(p) => p.start..trimmed.end,
            None => trimmed,
        });
    }
    if let Some(p) = current {
        out.push(p);
    }
    out
}

/// Shrinks `range` so it neither starts nor ends with whitespace.
pub fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.start + slice.trim_end().len();
    if end < start {
        start..start
    } else {
        start..end
    }
}

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "no", "vs", "etc", "inc", "ltd", "co",
    "corp", "gen", "gov", "sen", "rep", "rev", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "e.g", "i.e", "fig", "approx", "dept", "est", "mt",
];

/// Byte ranges of the sentences inside `range` of `text`, trimmed.
///
/// A sentence ends at `.`, `!`, `?` or `…` (plus closing quotes or brackets)
/// followed by white space and a capital letter, digit, or opening quote.
/// Initials and common abbreviations ("Jan. 25", "Dr. Smith") do not end one.
pub fn sentences(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let slice = &text[range.clone()];
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = slice.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        // Swallow repeated terminators and closing quotes/brackets.
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if matches!(
                d,
                '.' | '!' | '?' | '…' | '"' | '\'' | '”' | '’' | ')' | ']' | '»'
            ) {
                end = j + d.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        // Must be followed by white space, then a sentence start.
        let rest = &slice[end..];
        let after_space = rest.trim_start();
        if after_space.len() == rest.len() || after_space.is_empty() {
            continue;
        }
        let next = after_space.chars().next().unwrap_or(' ');
        let starts_sentence = next.is_uppercase()
            || next.is_ascii_digit()
            || matches!(
                next,
                '"' | '\'' | '“' | '‘' | '(' | '[' | '«' | '£' | '$' | '€'
            );
        if !starts_sentence {
            continue;
        }
        if c == '.' && is_abbreviation(&slice[start..i]) {
            continue;
        }
        let sentence = trim_range(slice, start..end);
        if !sentence.is_empty() {
            out.push(range.start + sentence.start..range.start + sentence.end);
        }
        start = end;
    }
    let last = trim_range(slice, start..slice.len());
    if !last.is_empty() {
        out.push(range.start + last.start..range.start + last.end);
    }
    out
}

/// Whether the word just before a full stop (the end of `before`) is an
/// abbreviation or an initial rather than the end of a sentence.
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    if word.is_empty() {
        return false;
    }
    // Initials and dotted abbreviations: "J", "U.S", "U.K".
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 1 && word.chars().next().is_some_and(|c| c.is_uppercase()) {
        return true;
    }
    if word.contains('.') && word.split('.').all(|p| p.chars().count() <= 2) {
        return true;
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

/// The first sentence of `body`, used as the title of an article without a headline.
pub fn lead_sentence(body: &str) -> Range<usize> {
    match paragraphs(body).into_iter().next() {
        Some(first) => sentences(body, first.clone())
            .into_iter()
            .next()
            .unwrap_or(first),
        None => 0..0,
    }
}

/// The largest char boundary `<= i`.
pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Cuts `range` down to at most `max_chars` characters at a word boundary,
/// keeping the part around `focus` (a byte range inside `range`) in view.
/// Returns the new range; it never cuts a word in two.
pub fn trim_at_words(
    text: &str,
    range: Range<usize>,
    focus: Range<usize>,
    max_chars: usize,
) -> Range<usize> {
    let char_len = |r: Range<usize>| text[r].chars().count();
    if char_len(range.clone()) <= max_chars {
        return range;
    }
    // Start a little before the focus so it has some left context.
    let focus_start = focus.start.clamp(range.start, range.end);
    let lead_chars = max_chars / 5;
    let mut start = focus_start;
    for (taken, (i, _)) in text[range.start..focus_start]
        .char_indices()
        .rev()
        .enumerate()
    {
        if taken >= lead_chars {
            break;
        }
        start = range.start + i;
    }
    // Never start mid-word: move to the next word start before the focus,
    // or back to the start of the word we landed in.
    if start > range.start && !text[..start].ends_with(char::is_whitespace) {
        start = match text[start..focus_start].find(char::is_whitespace) {
            Some(ws) => start + ws,
            None => text[range.start..start]
                .rfind(char::is_whitespace)
                .map_or(range.start, |ws| range.start + ws),
        };
    }
    let start = trim_range(text, start..range.end).start;
    // Take up to max_chars from start, then back off to a word end.
    let mut end = range.end;
    if let Some((i, _)) = text[start..range.end].char_indices().nth(max_chars) {
        end = start + i;
        let next = text[end..].chars().next();
        if next.is_some_and(|c| !c.is_whitespace()) {
            if let Some(ws) = text[start..end].rfind(char::is_whitespace) {
                end = start + ws;
            }
        }
    }
    trim_range(text, start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(text: &str, ranges: Vec<Range<usize>>) -> Vec<&str> {
        ranges.into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn paragraphs_by_line_without_blank_lines() {
        let t = "One line.\nTwo line.\n  Three.  ";
        assert_eq!(strs(t, paragraphs(t)), ["One line.", "Two line.", "Three."]);
    }

    #[test]
    fn paragraphs_at_the_edges() {
        let cases: [(&str, &[&str]); 7] = [
            ("", &[]),
            ("\n", &[]),
            ("  \n\t\n", &[]),
            ("One.\nTwo.\n", &["One.", "Two."]),
            ("One.\n\nTwo.", &["One.", "Two."]),
            ("\n\nOne.\n \nTwo\nwraps.\n\n", &["One.", "Two\nwraps."]),
            ("Only one.", &["Only one."]),
        ];
        for (text, want) in cases {
            assert_eq!(strs(text, paragraphs(text)), want, "{text:?}");
        }
    }

    #[test]
    fn paragraphs_by_blank_lines_keep_wrapped_lines_together() {
        let t = "First para\nwraps here.\n\n\nSecond para.\n";
        assert_eq!(
            strs(t, paragraphs(t)),
            ["First para\nwraps here.", "Second para."]
        );
    }

    #[test]
    fn sentences_split_on_terminators_not_abbreviations() {
        let t = "The U.S. tech giant was hit. Amazon said no! On Jan. 25 they \
                 struck. Dr. Smith agreed. \"Quote here.\" Then 300 left.";
        assert_eq!(
            strs(t, sentences(t, 0..t.len())),
            [
                "The U.S. tech giant was hit.",
                "Amazon said no!",
                "On Jan. 25 they struck.",
                "Dr. Smith agreed.",
                "\"Quote here.\"",
                "Then 300 left."
            ]
        );
    }

    #[test]
    fn sentence_split_keeps_decimals_and_lowercase_continuations() {
        let t = "It rose from £10.50 to £15 an hour. e.g. this stays. Ok.";
        assert_eq!(
            strs(t, sentences(t, 0..t.len())),
            [
                "It rose from £10.50 to £15 an hour. e.g. this stays.",
                "Ok."
            ]
        );
    }

    #[test]
    fn lead_sentence_is_first_sentence_of_first_paragraph() {
        let t = "\nWorkers walked out. More text.\n\nNext.";
        assert_eq!(&t[lead_sentence(t)], "Workers walked out.");
    }

    #[test]
    fn trim_at_words_never_cuts_a_word() {
        let t = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda";
        let focus = t.find("theta").unwrap();
        let r = trim_at_words(t, 0..t.len(), focus..focus + 5, 25);
        let s = &t[r.clone()];
        assert!(s.chars().count() <= 25, "{s}");
        assert!(s.contains("theta"), "{s}");
        for w in s.split_whitespace() {
            assert!(t.split_whitespace().any(|x| x == w), "cut word {w}");
        }
    }

    #[test]
    fn trim_at_words_handles_multibyte() {
        let t = "££££ ££££ ££££ ££££ ££££ ££££";
        let r = trim_at_words(t, 0..t.len(), 0..2, 12);
        assert_eq!(&t[r], "££££ ££££");
    }
}
