//! Plain-text structure: paragraphs, sentences and word boundaries.
//!
//! Everything here works on byte ranges into a `&str` and never allocates
//! copies of the text, so callers can map results back to offsets in the
//! stored article body.

use std::ops::Range;

/// Byte ranges of the paragraphs of `body`, trimmed of surrounding whitespace.
///
/// Blank lines always separate paragraphs. Within a block of lines without
/// blank lines:
/// - hard-wrapped text (see `is_wrapped`) is joined back into paragraphs,
///   which start at an indented line (Reuters-style `    First line`) or
///   after a short line that ends a sentence;
/// - otherwise, in a body with blank lines the block is one paragraph (its
///   lines are wrapped by hand), and in a body without any it is one
///   paragraph per line, which is how news feeds usually lay out articles.
pub fn paragraphs(body: &str) -> Vec<Range<usize>> {
    paragraphs_of(body, body.is_ascii())
}

/// [`paragraphs`] for a caller that already knows whether `body` is ASCII.
pub fn paragraphs_of(body: &str, ascii: bool) -> Vec<Range<usize>> {
    let lines = lines(body, ascii);
    let has_blank_line = lines.iter().any(|l| l.range.is_empty());
    let mut out = Vec::new();
    for block in lines.split(|l| l.range.is_empty()) {
        let (Some(first), Some(last)) = (block.first(), block.last()) else {
            continue;
        };
        if is_wrapped(block) {
            reflow(block, &mut out);
        } else if has_blank_line {
            out.push(first.range.start..last.range.end);
        } else {
            out.extend(block.iter().map(|l| l.range.clone()));
        }
    }
    out
}

/// One line of a body: its trimmed range, with what reflowing needs.
#[derive(Debug, Clone)]
struct Line {
    /// Trimmed of white space; empty for a blank line.
    range: Range<usize>,
    /// Leading white-space characters.
    indent: usize,
    /// Characters, after trimming.
    chars: usize,
    /// Whether the line's text ends a sentence (`.`, `!`, `?`, maybe quoted).
    ends_sentence: bool,
    /// Whether the line starts with a list bullet (`- `, `* `, `• `, `– `).
    bullet: bool,
}

/// The lines of `body` in one pass (a final newline does not start a line).
fn lines(body: &str, ascii: bool) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    let chars = |text: &str| char_len(ascii, text);
    for end in memchr::memchr_iter(b'\n', body.as_bytes()).chain([body.len()]) {
        if start == body.len() && start != 0 {
            break;
        }
        let range = trim_range(body, start..end);
        let text = &body[range.clone()];
        let indent = chars(&body[start..range.start]);
        let last = text
            .trim_end_matches(['"', '\'', '”', '’', ')', ']', '»'])
            .chars()
            .next_back();
        lines.push(Line {
            chars: chars(text),
            indent: if range.is_empty() { 0 } else { indent },
            ends_sentence: matches!(last, Some('.' | '!' | '?' | '…')),
            bullet: ["- ", "* ", "• ", "– "].iter().any(|b| text.starts_with(b)),
            range,
        });
        start = end + 1;
    }
    lines
}

/// Characters in `text`, a piece of a body that is all ASCII if `ascii`:
/// then its bytes are its characters and nothing needs counting (most
/// bodies are ASCII, and passages count characters of many pieces).
pub fn char_len(ascii: bool, text: &str) -> usize {
    match ascii {
        true => text.len(),
        false => text.chars().count(),
    }
}

/// Longest line, in characters, of text that counts as hard-wrapped.
const MAX_WRAP_WIDTH: usize = 120;

/// Whether a block of lines is prose wrapped at a fixed width: at least
/// three lines, none longer than [`MAX_WRAP_WIDTH`], and at least three in
/// ten of them (the last aside) breaking off mid-sentence. One paragraph per
/// line gives lines that end sentences.
fn is_wrapped(block: &[Line]) -> bool {
    if block.len() < 3 || block.iter().any(|l| l.chars > MAX_WRAP_WIDTH) {
        return false;
    }
    let inner = &block[..block.len() - 1];
    let mid_sentence = inner.iter().filter(|l| !l.ends_sentence).count();
    mid_sentence * 10 >= inner.len() * 3
}

/// Joins the lines of a wrapped block into paragraphs. A paragraph starts at
/// a line indented more than the block's least indented line, at a list
/// bullet, or after a line that ends a sentence well short of the wrap width
/// (under three quarters of the longest line: a wrapped line that merely
/// ends a sentence is nearly full, since the next word did not fit).
fn reflow(block: &[Line], out: &mut Vec<Range<usize>>) {
    let base_indent = block.iter().map(|l| l.indent).min().unwrap_or(0);
    let width = block.iter().map(|l| l.chars).max().unwrap_or(0);
    let mut current = block[0].range.clone();
    for pair in block.windows(2) {
        let (prev, line) = (&pair[0], &pair[1]);
        let starts = line.indent > base_indent
            || line.bullet
            || (prev.ends_sentence && prev.chars * 4 < width * 3);
        if starts {
            out.push(current);
            current = line.range.clone();
        } else {
            current.end = line.range.end;
        }
    }
    out.push(current);
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
    let bytes = slice.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    // Terminators are found by their bytes (`…` starts with 0xE2, which is
    // never inside another character), without decoding the text between.
    let find = |from: usize, found: Option<usize>| found.map_or(bytes.len(), |k| from + k);
    let mut next_e2 = find(0, memchr::memchr(0xE2, bytes));
    while i < bytes.len() {
        if next_e2 < i {
            next_e2 = find(i, memchr::memchr(0xE2, &bytes[i..]));
        }
        i = find(i, memchr::memchr3(b'.', b'!', b'?', &bytes[i..])).min(next_e2);
        let c = match bytes.get(i) {
            None => break,
            Some(b'.') => '.',
            Some(b'!') => '!',
            Some(b'?') => '?',
            Some(_) if bytes[i..].starts_with("…".as_bytes()) => '…',
            Some(_) => {
                i += 1;
                continue;
            }
        };
        // Swallow repeated terminators and closing quotes/brackets.
        let mut end = i + c.len_utf8();
        for d in slice[end..].chars() {
            if matches!(
                d,
                '.' | '!' | '?' | '…' | '"' | '\'' | '”' | '’' | ')' | ']' | '»'
            ) {
                end += d.len_utf8();
            } else {
                break;
            }
        }
        let at = i;
        i = end;
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
        if c == '.' && is_abbreviation(&slice[start..at]) {
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
    fn characters_are_bytes_only_in_ascii_text() {
        assert_eq!(char_len(true, "pay rise"), 8);
        assert_eq!(char_len(false, "pay rise"), 8);
        assert_eq!(char_len(false, "Zürich — naïve"), 14);
        // A wrapped block is measured in characters: these lines are 12 wide,
        // in bytes 13 and 14, and reflow the same as their ASCII spelling.
        let accented = "Zürich banks\nhave cut the\nrate to 2.5%\nfrom 3 naïve.\n";
        let plain = "Zurich banks\nhave cut the\nrate to 2.5%\nfrom 3 naive.\n";
        assert_eq!(paragraphs(plain), vec![Range { start: 0, end: 52 }]);
        assert_eq!(paragraphs(accented), vec![Range { start: 0, end: 54 }]);
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
    fn wrapped_lines_are_joined_into_paragraphs() {
        // Reuters-style: wrapped near 60 columns, paragraphs start indented.
        let t = "Showers continued throughout the week in\n\
                 the Bahia cocoa zone, alleviating the drought since early\n\
                 January, Comissaria Smith said in its weekly review.\n\
                 \x20   The dry period means the temporao will be late this year.\n\
                 \x20   Arrivals for the week ended February 22 were 155,221 bags\n\
                 of 60 kilos making a cumulative total for the season of 5.93\n\
                 mln against 5.81 at the same stage last year.\n\
                 \x20   Maize Mar 48.0, total 48.0 (nil).\n\
                 \x20   Sorghum nil (nil)\n\
                 \x20   SUBPRODUCTS\n";
        assert_eq!(
            strs(t, paragraphs(t)),
            [
                "Showers continued throughout the week in\nthe Bahia cocoa zone, alleviating \
                 the drought since early\nJanuary, Comissaria Smith said in its weekly review.",
                "The dry period means the temporao will be late this year.",
                "Arrivals for the week ended February 22 were 155,221 bags\nof 60 kilos making \
                 a cumulative total for the season of 5.93\nmln against 5.81 at the same stage \
                 last year.",
                "Maize Mar 48.0, total 48.0 (nil).",
                "Sorghum nil (nil)",
                "SUBPRODUCTS",
            ]
        );
    }

    #[test]
    fn wrapped_text_without_indents_breaks_after_short_sentence_ends() {
        let t = "The board met on Tuesday and agreed to raise\n\
                 the dividend for the first time in three years.\n\
                 Shares rose.\n\
                 Analysts said the move was expected given the\n\
                 strong results of the last two quarters.";
        assert_eq!(
            strs(t, paragraphs(t)),
            [
                "The board met on Tuesday and agreed to raise\nthe dividend for the first \
                 time in three years.\nShares rose.",
                "Analysts said the move was expected given the\nstrong results of the last \
                 two quarters.",
            ]
        );
    }

    #[test]
    fn list_items_in_a_block_are_paragraphs() {
        let t = "Other plans include:\n\n- Parenting plans to give advice \n \
                 - Extending in-court conciliation\n- More informal hearings\n\nEnd.";
        assert_eq!(
            strs(t, paragraphs(t)),
            [
                "Other plans include:",
                "- Parenting plans to give advice",
                "- Extending in-court conciliation",
                "- More informal hearings",
                "End."
            ]
        );
    }

    #[test]
    fn one_paragraph_per_line_is_not_reflowed() {
        let t = "Workers walked out on Wednesday.\nThe union said pay was too low.\n\
                 Amazon said it offered competitive pay.\nTalks continue.";
        assert_eq!(paragraphs(t).len(), 4);
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
