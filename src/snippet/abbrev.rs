//! Abbreviations defined in an article stand for the words they abbreviate.
//!
//! An article that writes "cognitive behavioural therapy (CBT)" and then
//! "CBT" six times is about the therapy in all seven places. When the query
//! matches most of the words an abbreviation stands for, each later use of
//! the abbreviation counts, for choosing passages, as a match of those
//! words. Such matches are marked `derived`: they are not highlighted, since
//! the abbreviation is not a word the user typed.

use std::ops::Range;

use super::highlight::Match;

/// Small words that abbreviations usually skip ("Bank of England" → BoE).
const SKIPPED: [&str; 9] = ["of", "and", "the", "in", "on", "for", "to", "a", "with"];

/// Longest abbreviation considered, in letters.
const MAX_LETTERS: usize = 10;

/// `matches` (sorted by start) plus derived matches for the uses of every
/// abbreviation whose definition's words the query mostly matches; sorted.
pub fn with_abbreviations(body: &str, matches: &[Match]) -> Vec<Match> {
    let mut out = matches.to_vec();
    if matches.is_empty() {
        return out;
    }
    // Each abbreviation once (an article may define it again), with the
    // groups of every definition the query matches, from its first one on.
    let mut found: Vec<(String, usize, Vec<usize>)> = Vec::new();
    for def in definitions(body) {
        // Matches are sorted by start: only those from the definition's first
        // word on need looking at.
        let from = matches.partition_point(|m| m.span.start < def.words.start);
        let inside: Vec<&Match> = matches[from..]
            .iter()
            .take_while(|m| m.span.start < def.words.end)
            .filter(|m| !m.derived && m.span.end <= def.words.end)
            .collect();
        // Most of the abbreviated words must be query words.
        let matched_words = def
            .word_spans
            .iter()
            .filter(|w| {
                inside
                    .iter()
                    .any(|m| m.span.start < w.end && w.start < m.span.end)
            })
            .count();
        if matched_words * 2 < def.word_spans.len() || matched_words == 0 {
            continue;
        }
        let groups = inside.iter().map(|m| m.group);
        match found.iter_mut().find(|(a, _, _)| *a == def.abbreviation) {
            Some((_, _, known)) => known.extend(groups),
            None => found.push((def.abbreviation, def.paren.end, groups.collect())),
        }
    }
    for (abbreviation, from, mut groups) in found {
        groups.sort_unstable();
        groups.dedup();
        for span in uses(body, &abbreviation, from) {
            for &group in &groups {
                out.push(Match {
                    span: span.clone(),
                    group,
                    phrase: false,
                    derived: true,
                });
            }
        }
    }
    out.sort_by_key(|m| (m.span.start, m.span.end, m.derived));
    out
}

/// "words (ABBR)" in a text.
#[derive(Debug, Clone, PartialEq)]
struct Definition {
    abbreviation: String,
    /// The abbreviated words, first to last.
    words: Range<usize>,
    word_spans: Vec<Range<usize>>,
    /// The parenthesis, "(" to ")".
    paren: Range<usize>,
}

/// Every "(ABBR)" whose letters are the initials of the words just before it.
fn definitions(body: &str) -> Vec<Definition> {
    let mut out = Vec::new();
    let bytes = body.as_bytes();
    let mut from = 0;
    while let Some(open) = body[from..].find('(').map(|i| from + i) {
        from = open + 1;
        let Some(close) = body[open + 1..]
            .char_indices()
            .take(MAX_LETTERS + 3)
            .find(|&(_, c)| c == ')')
            .map(|(i, _)| open + 1 + i)
        else {
            continue;
        };
        let abbr = &body[open + 1..close];
        let Some(letters) = letters_of(abbr) else {
            continue;
        };
        // Words before the parenthesis, nearest first; hyphens separate words.
        let mut spans: Vec<Range<usize>> = Vec::new();
        let mut end = open;
        while end > 0 && bytes[end - 1] == b' ' {
            end -= 1;
        }
        let before = &body[..end];
        let mut word_end = None;
        for (i, c) in before.char_indices().rev() {
            if c.is_alphanumeric() {
                word_end.get_or_insert(i + c.len_utf8());
                continue;
            }
            if let Some(e) = word_end.take() {
                spans.push(i + c.len_utf8()..e);
            }
            if !(c == ' ' || c == '-') || spans.len() > 2 * MAX_LETTERS {
                break;
            }
        }
        if let Some(e) = word_end {
            if spans.len() <= 2 * MAX_LETTERS {
                spans.push(0..e);
            }
        }
        // Match letters from the last backwards against content words.
        let mut k = letters.len();
        let mut used: Vec<Range<usize>> = Vec::new();
        for span in &spans {
            if k == 0 {
                break;
            }
            let word = &body[span.clone()];
            let initial = word
                .chars()
                .next()
                .map(|c| c.to_lowercase().next().unwrap_or(c));
            if initial == Some(letters[k - 1]) {
                k -= 1;
                used.push(span.clone());
            } else if SKIPPED.contains(&word.to_lowercase().as_str()) {
                continue;
            } else {
                break;
            }
        }
        if k == 0 && used.len() >= 2 {
            used.reverse();
            out.push(Definition {
                abbreviation: abbr.trim_end_matches('s').to_owned(),
                words: used[0].start..used[used.len() - 1].end,
                word_spans: used,
                paren: open..close + 1,
            });
        }
    }
    out
}

/// The lower-cased letters of an abbreviation ("mTECs" → m t e c), or None
/// if the text does not look like one: 2-10 letters, at least two capitals,
/// nothing but letters (a plural "s" allowed at the end).
fn letters_of(abbr: &str) -> Option<Vec<char>> {
    let core = abbr.strip_suffix('s').unwrap_or(abbr);
    let count = core.chars().count();
    if !(2..=MAX_LETTERS).contains(&count)
        || !core.chars().all(|c| c.is_alphabetic())
        || core.chars().filter(|c| c.is_uppercase()).count() < 2
    {
        return None;
    }
    Some(core.chars().flat_map(char::to_lowercase).collect())
}

/// Whole-word uses of `abbr` (optionally plural) after byte `from`.
fn uses(body: &str, abbr: &str, from: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    let mut at = from;
    while let Some(i) = body.get(at..).and_then(|s| s.find(abbr)) {
        let start = at + i;
        let mut end = start + abbr.len();
        if body[end..].starts_with('s') && !is_word(body[end + 1..].chars().next()) {
            end += 1;
        }
        if !is_word(body[..start].chars().next_back()) && !is_word(body[end..].chars().next()) {
            out.push(start..end);
        }
        at = start + abbr.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(body: &str, word: &str, group: usize) -> Match {
        let start = body.find(word).expect("word in body");
        Match {
            span: start..start + word.len(),
            group,
            phrase: false,
            derived: false,
        }
    }

    #[test]
    fn finds_definitions_with_skipped_small_words_and_plurals() {
        let body =
            "The Bank of England (BoE) said medullary thymic epithelial cells (mTECs) grow. \
                    A note (see above) and (OK) and (x) are not definitions.";
        let defs = definitions(body);
        let names: Vec<&str> = defs.iter().map(|d| d.abbreviation.as_str()).collect();
        assert_eq!(names, ["BoE", "mTEC"]);
        assert_eq!(&body[defs[0].words.clone()], "Bank of England");
        assert_eq!(
            &body[defs[1].words.clone()],
            "medullary thymic epithelial cells"
        );
    }

    #[test]
    fn later_uses_count_for_the_matched_words_and_are_not_highlights() {
        let body =
            "Cognitive behavioural therapy (CBT) helps. CBT works; CBTs vary. ACBT is other.";
        let matches = vec![m(body, "Cognitive", 0), m(body, "therapy", 1)];
        let all = with_abbreviations(body, &matches);
        let derived: Vec<(&str, usize)> = all
            .iter()
            .filter(|m| m.derived)
            .map(|m| (&body[m.span.clone()], m.group))
            .collect();
        assert_eq!(derived, [("CBT", 0), ("CBT", 1), ("CBTs", 0), ("CBTs", 1)]);
        assert_eq!(all.iter().filter(|m| !m.derived).count(), 2);
    }

    #[test]
    fn one_word_of_three_is_not_enough() {
        let body = "Cognitive behavioural therapy (CBT) helps. CBT works.";
        let all = with_abbreviations(body, &[m(body, "therapy", 0)]);
        assert!(all.iter().all(|m| !m.derived));
    }

    #[test]
    fn arbitrary_text_never_panics_and_spans_stay_on_char_boundaries() {
        // A small deterministic generator (no extra crate): texts built from
        // pieces that exercise parentheses, plurals, capitals, hyphens and
        // multi-byte characters.
        let pieces = [
            "(",
            ")",
            "s",
            "S",
            "CBT",
            "(CBT)",
            "(CBTs)",
            " ",
            "-",
            "é",
            "ζ",
            "Ω",
            "ü",
            "of",
            "the",
            "Cognitive",
            "behavioural",
            "therapy",
            "Mt",
            "(mTECs)",
            "x)",
            "((",
            "A",
            "B",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..3000 {
            let len = 1 + next(40);
            let body: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
            // Matches on some words of the text.
            let mut matches = Vec::new();
            for span in crate::analysis::words(&body) {
                if next(3) == 0 {
                    matches.push(Match {
                        span,
                        group: next(3),
                        phrase: false,
                        derived: false,
                    });
                }
            }
            for m in with_abbreviations(&body, &matches) {
                assert!(body.is_char_boundary(m.span.start) && body.is_char_boundary(m.span.end));
                assert!(
                    m.span.start < m.span.end && m.span.end <= body.len(),
                    "{body:?}"
                );
            }
        }
    }
}
