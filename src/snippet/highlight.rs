//! Finding where a query's targets occur in a text, as byte spans.
//!
//! The text is run through the same analyzer as the index, so a highlight
//! marks exactly the words the index matched: stemmed forms, prefix
//! expansions, and whole phrases as one span.

use std::ops::Range;

use crate::analysis::{fold_like_index, term_of, words, words_from, MAX_WORD_BYTES};
use crate::index::TextField;
use crate::query::{Pattern, Target};

/// One analyzed word of a text.
#[derive(Debug, Clone)]
pub struct Token {
    pub span: Range<usize>,
    pub position: usize,
    pub text: String,
}

/// One occurrence of a target in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub span: Range<usize>,
    pub group: usize,
    pub phrase: bool,
    /// Not the query's words but an abbreviation standing for them
    /// (see [`abbrev`]): counts for passages, is not highlighted.
    pub derived: bool,
}

/// Analyzes `text` into tokens with byte offsets and positions.
#[cfg(test)]
pub(crate) fn tokenize(analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(Token {
            span: t.offset_from..t.offset_to,
            position: t.position,
            text: t.text.clone(),
        });
    }
    out
}

/// Every occurrence of the targets that apply to `field` in `text`, sorted
/// by start. Equivalent to `find(&tokenize(analyzer, text), …)` but fast on
/// long texts: only words that can stem to a target are stemmed and kept.
/// Snowball English never changes a word's first character, and changes its
/// second only in words of at most five letters (`dying` → `die`, `aed` →
/// `a`; checked over the 138,000 distinct words of the BBC, Reuters and eval
/// corpora), so a word is a candidate if its first two characters match a
/// target's, or, when it is that short, its first.
#[cfg(test)]
fn find_in(text: &str, targets: &[Target], field: TextField) -> Vec<Match> {
    Finder::new(targets, field).find(text)
}

/// [`find_in`] for many texts of one field: what the targets need is worked
/// out once (per query), not once per text.
pub struct Finder<'a> {
    targets: &'a [Target],
    field: TextField,
    keys: CandidateKeys,
    /// Term → the groups of the targets that are that term, in target order.
    terms: rustc_hash::FxHashMap<&'a str, Vec<usize>>,
    prefixes: Vec<(&'a str, usize)>,
    has_phrases: bool,
}

impl<'a> Finder<'a> {
    pub fn new(targets: &'a [Target], field: TextField) -> Self {
        let mut terms: rustc_hash::FxHashMap<&str, Vec<usize>> = Default::default();
        let mut prefixes = Vec::new();
        let mut has_phrases = false;
        for target in targets.iter().filter(|t| t.applies_to(field)) {
            match &target.pattern {
                Pattern::Term(t) => terms.entry(t.as_str()).or_default().push(target.group),
                Pattern::Prefix(p) => prefixes.push((p.as_str(), target.group)),
                Pattern::Phrase { .. } => has_phrases = true,
            }
        }
        Finder {
            targets,
            field,
            keys: CandidateKeys::new(targets, field),
            terms,
            prefixes,
            has_phrases,
        }
    }

    /// Every occurrence of the targets in `text`, sorted by start: the same
    /// matches, in the same order, as [`find`] on the analyzer's tokens.
    pub fn find(&self, text: &str) -> Vec<Match> {
        if self.keys.is_empty() {
            return Vec::new();
        }
        if !self.has_phrases && !self.keys.all {
            return self.find_words(text);
        }
        // The index analyzer's steps (words, RemoveLong, lower-case, fold,
        // stem) run here by hand so that words which cannot
        // match are dropped before they are copied, lower-cased or stemmed.
        let mut scratch = Scratch::default();
        let mut words_found = Vec::new();
        let mut tokens = Vec::new();
        for (position, span) in words(text).enumerate() {
            if !self.check(text, span.clone(), &mut scratch, &mut words_found) {
                continue;
            }
            if self.has_phrases {
                tokens.push(Token {
                    span,
                    position,
                    text: scratch.stem.clone(),
                });
            }
        }
        // As in `find`: phrases first, then words, then a stable sort.
        let mut out = Vec::new();
        if self.has_phrases {
            for target in self.targets.iter().filter(|t| t.applies_to(self.field)) {
                if let Pattern::Phrase {
                    terms,
                    slop,
                    prefix,
                } = &target.pattern
                {
                    find_phrase(&tokens, terms, *slop, *prefix, target.group, &mut out);
                }
            }
        }
        if out.is_empty() {
            out = words_found;
        } else {
            out.append(&mut words_found);
        }
        out.sort_by_key(|m| (m.span.start, m.span.end));
        out
    }

    /// [`Self::find`] for targets without phrases, which need no word
    /// positions: instead of cutting the whole text into words, it jumps
    /// from one byte that can start a candidate word ([`StartBytes`]) to the
    /// next and cuts only the word there. A byte right after an ASCII letter
    /// or digit is inside a word and passed over; after white space it
    /// starts the cutting; after anything else (a quote, a dot, a byte of a
    /// multi-byte character) the cutting starts at the white space before
    /// it, so that joined words (`don't`, `U.S.`, `7.5bn`) are cut as
    /// [`words`] cuts them. Every word whose first byte is not a start byte
    /// is one [`CandidateKeys`] refuses, so the same words are checked.
    fn find_words(&self, text: &str) -> Vec<Match> {
        let bytes = text.as_bytes();
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        // Nothing before `safe` is left to check, and `safe` is not inside a word.
        let mut safe = 0;
        let mut scan = 0;
        let mut starts = self.keys.starts.scanner();
        while let Some(p) = starts.next(bytes, scan) {
            if p > safe && bytes[p - 1].is_ascii_alphanumeric() {
                scan = p + 1;
                continue;
            }
            let from = match p == safe || bytes[p - 1].is_ascii_whitespace() {
                true => p,
                false => bytes[safe..p]
                    .iter()
                    .rposition(u8::is_ascii_whitespace)
                    .map_or(safe, |i| safe + i + 1),
            };
            // The words before `p` start with bytes that are not start
            // bytes: the first word to check is the one that holds or
            // follows `p`.
            let Some(span) = words_from(text, from).find(|w| w.end > p) else {
                break;
            };
            safe = span.end;
            scan = span.end;
            self.check(text, span, &mut scratch, &mut out);
        }
        out
    }

    /// Checks the word at `span`: true if it is a candidate (its term is
    /// then in `scratch.stem`), and its matches are pushed to `out`.
    fn check(
        &self,
        text: &str,
        span: Range<usize>,
        scratch: &mut Scratch,
        out: &mut Vec<Match>,
    ) -> bool {
        let raw = &text[span.clone()];
        if raw.len() >= MAX_WORD_BYTES || !self.keys.admits_raw(raw, &mut scratch.lower) {
            return false;
        }
        term_of(raw, &mut scratch.lower, &mut scratch.stem);
        let stem = scratch.stem.as_str();
        let word = |group| Match {
            span: span.clone(),
            group,
            phrase: false,
            derived: false,
        };
        if let Some(groups) = self.terms.get(stem) {
            out.extend(groups.iter().map(|&g| word(g)));
        }
        for &(prefix, group) in &self.prefixes {
            if stem.starts_with(prefix) {
                out.push(word(group));
            }
        }
        true
    }
}

/// Reused buffers of [`Finder::check`].
#[derive(Default)]
struct Scratch {
    lower: String,
    stem: String,
}

/// The bytes a candidate word can start with: its first character's ASCII
/// letter or digit in either case, or any byte of a multi-byte character
/// (which may fold to one).
struct StartBytes {
    /// The ASCII bytes, when there are at most three (`memchr3` finds them).
    few: Option<[u8; 3]>,
    /// Every start byte.
    table: [bool; 256],
}

impl StartBytes {
    fn new(ascii_initials: u128) -> Self {
        let mut table = [false; 256];
        table[128..].fill(true);
        let mut ascii = Vec::new();
        for c in 0u8..128 {
            if ascii_initials & (1 << c) != 0 {
                for b in [c.to_ascii_lowercase(), c.to_ascii_uppercase()] {
                    if !table[usize::from(b)] {
                        table[usize::from(b)] = true;
                        ascii.push(b);
                    }
                }
            }
        }
        let few = match ascii[..] {
            [] => Some([0x80; 3]),
            [a] => Some([a, a, a]),
            [a, b] => Some([a, b, b]),
            [a, b, c] => Some([a, b, c]),
            _ => None,
        };
        StartBytes { few, table }
    }

    fn scanner(&self) -> StartScanner<'_> {
        StartScanner {
            starts: self,
            ascii: None,
            high: None,
        }
    }
}

/// Finds start bytes in order: with `memchr3` for the ASCII ones and a
/// word-at-a-time test for bytes over 127 when the ASCII ones are few,
/// else byte by byte through the table.
struct StartScanner<'a> {
    starts: &'a StartBytes,
    /// The next ASCII start byte at or after some position, and that position.
    ascii: Option<(usize, Option<usize>)>,
    /// The same for bytes over 127.
    high: Option<(usize, Option<usize>)>,
}

impl StartScanner<'_> {
    /// The first start byte at or after `at`.
    fn next(&mut self, bytes: &[u8], at: usize) -> Option<usize> {
        let Some([a, b, c]) = self.starts.few else {
            let table = &self.starts.table;
            return bytes
                .get(at..)?
                .iter()
                .position(|&x| table[usize::from(x)])
                .map(|i| at + i);
        };
        let ascii = Self::cached(&mut self.ascii, at, |from| {
            memchr::memchr3(a, b, c, bytes.get(from..)?).map(|i| from + i)
        });
        let high = Self::cached(&mut self.high, at, |from| next_high(bytes, from));
        match (ascii, high) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        }
    }

    /// The first hit at or after `at`, from `cache` if it still holds.
    fn cached(
        cache: &mut Option<(usize, Option<usize>)>,
        at: usize,
        find: impl FnOnce(usize) -> Option<usize>,
    ) -> Option<usize> {
        if let Some((from, hit)) = *cache {
            // A search from `from` found nothing before `hit`.
            if from <= at && hit.is_none_or(|h| h >= at) {
                return hit;
            }
        }
        let hit = find(at);
        *cache = Some((at, hit));
        hit
    }
}

/// The first byte over 127 at or after `at`, eight bytes at a time.
fn next_high(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = bytes.get(at..)?;
    let mut chunks = rest.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let high = u64::from_le_bytes(word) & 0x8080_8080_8080_8080;
        if high != 0 {
            return Some(at + offset + (high.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b >= 0x80)
        .map(|i| at + offset + i)
}

/// The first characters of every word a target can match.
struct CandidateKeys {
    /// First two characters of each target word.
    keys: rustc_hash::FxHashSet<String>,
    /// The same, for keys of two ASCII bytes: per first byte, a bitmap of
    /// second bytes.
    ascii_pairs: Box<[u128; 128]>,
    /// First characters that are ASCII, as a bitmap.
    ascii_initials: u128,
    /// First character of each target word.
    initials: rustc_hash::FxHashSet<char>,
    /// A prefix target shorter than two characters admits every word.
    all: bool,
    /// The bytes such words can start with.
    starts: StartBytes,
}

impl CandidateKeys {
    fn new(targets: &[Target], field: TextField) -> Self {
        let mut keys = rustc_hash::FxHashSet::default();
        let mut initials = rustc_hash::FxHashSet::default();
        let mut all = false;
        let mut add = |word: &str, is_prefix: bool| {
            if is_prefix && word.chars().count() < 2 {
                all = true;
            }
            keys.insert(key(word).to_owned());
            initials.extend(word.chars().next());
        };
        for target in targets.iter().filter(|t| t.applies_to(field)) {
            match &target.pattern {
                Pattern::Term(t) => add(t, false),
                Pattern::Prefix(p) => add(p, true),
                Pattern::Phrase { terms, prefix, .. } => {
                    let last = terms.len().saturating_sub(1);
                    for (i, (_, t)) in terms.iter().enumerate() {
                        add(t, *prefix && i == last);
                    }
                }
            }
        }
        let mut ascii_pairs = Box::new([0u128; 128]);
        for k in &keys {
            if let &[a, b] = k.as_bytes() {
                if a.is_ascii() && b.is_ascii() {
                    ascii_pairs[usize::from(a)] |= 1 << b;
                }
            }
        }
        let ascii_initials = initials
            .iter()
            .filter(|c| c.is_ascii())
            .fold(0u128, |bits, &c| bits | 1 << (c as u32));
        CandidateKeys {
            keys,
            ascii_pairs,
            ascii_initials,
            initials,
            all,
            starts: StartBytes::new(ascii_initials),
        }
    }

    fn is_empty(&self) -> bool {
        self.keys.is_empty() && !self.all
    }

    /// Like [`Self::admits`] for a word not yet lower-cased; `buf` is scratch space.
    fn admits_raw(&self, raw: &str, buf: &mut String) -> bool {
        let b = raw.as_bytes();
        if b.len() >= 2 && b[0].is_ascii() && b[1].is_ascii() {
            let two = [b[0].to_ascii_lowercase(), b[1].to_ascii_lowercase()];
            return self.all
                || self.ascii_pairs[usize::from(two[0])] & (1 << two[1]) != 0
                || (without_possessive(raw).len() <= SHORT_WORD
                    && self.ascii_initials & (1 << two[0]) != 0);
        }
        fold_like_index(raw, buf);
        self.admits(buf)
    }

    fn admits(&self, word: &str) -> bool {
        self.all
            || self.keys.contains(key(word))
            || (without_possessive(word).chars().nth(SHORT_WORD).is_none()
                && word
                    .chars()
                    .next()
                    .is_some_and(|c| self.initials.contains(&c)))
    }
}

/// Words of at most this many characters (before a possessive) may stem
/// to a different second character.
const SHORT_WORD: usize = 5;

/// `word` without the possessive ending Snowball English removes first
/// (`lying's` stems as `lying`, to `lie`).
fn without_possessive(word: &str) -> &str {
    ["'s'", "'s", "'", "’s’", "’s", "’"]
        .iter()
        .find_map(|end| word.strip_suffix(end))
        .unwrap_or(word)
}

/// A word's first two characters (the whole word if shorter).
fn key(word: &str) -> &str {
    let end = word.char_indices().nth(2).map_or(word.len(), |(i, _)| i);
    &word[..end]
}

/// Every occurrence of the targets that apply to `field`, sorted by start.
#[cfg(test)]
pub(crate) fn find(tokens: &[Token], targets: &[Target], field: TextField) -> Vec<Match> {
    let mut out = Vec::new();
    let mut terms: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    let mut prefixes: Vec<(&str, usize)> = Vec::new();
    for target in targets.iter().filter(|t| t.applies_to(field)) {
        match &target.pattern {
            Pattern::Term(t) => terms.entry(t.as_str()).or_default().push(target.group),
            Pattern::Prefix(p) => prefixes.push((p.as_str(), target.group)),
            Pattern::Phrase {
                terms: phrase,
                slop,
                prefix,
            } => find_phrase(tokens, phrase, *slop, *prefix, target.group, &mut out),
        }
    }
    if !terms.is_empty() || !prefixes.is_empty() {
        for token in tokens {
            if let Some(groups) = terms.get(token.text.as_str()) {
                for &group in groups {
                    out.push(Match {
                        span: token.span.clone(),
                        group,
                        phrase: false,
                        derived: false,
                    });
                }
            }
            for &(prefix, group) in &prefixes {
                if token.text.starts_with(prefix) {
                    out.push(Match {
                        span: token.span.clone(),
                        group,
                        phrase: false,
                        derived: false,
                    });
                }
            }
        }
    }
    out.sort_by_key(|m| (m.span.start, m.span.end));
    out
}

/// Occurrences of a phrase: consecutive positions (within `slop`) carrying
/// the phrase's terms in order. Each becomes one span, first word to last.
fn find_phrase(
    tokens: &[Token],
    phrase: &[(usize, String)],
    slop: u32,
    prefix: bool,
    group: usize,
    out: &mut Vec<Match>,
) {
    let Some(((first_pos, first), rest)) = phrase.split_first() else {
        return;
    };
    let last = phrase.len() - 1;
    let matches_term = |k: usize, token: &Token| {
        let want = &phrase[k].1;
        if prefix && k == last {
            token.text.starts_with(want.as_str())
        } else {
            token.text == *want
        }
    };
    let slop = slop as usize;
    'start: for (i, token) in tokens.iter().enumerate() {
        if !(token.text == *first
            || (prefix && last == 0 && token.text.starts_with(first.as_str())))
        {
            continue;
        }
        let mut end = token.span.end;
        let mut j = i;
        let mut budget = slop;
        for (k, (pos, _)) in rest.iter().enumerate() {
            let k = k + 1;
            let expected = token.position + (pos - first_pos);
            // Find the next token carrying term k at the expected position,
            // allowing up to `slop` extra positions in total.
            let mut found = None;
            for (jj, cand) in tokens.iter().enumerate().skip(j + 1) {
                let shift = cand.position.saturating_sub(expected);
                if cand.position >= expected && shift > budget {
                    break;
                }
                if cand.position >= expected && matches_term(k, cand) {
                    found = Some((jj, shift));
                    break;
                }
            }
            match found {
                Some((jj, shift)) => {
                    budget -= shift;
                    j = jj;
                    end = tokens[jj].span.end;
                }
                None => continue 'start,
            }
        }
        out.push(Match {
            span: token.span.start..end,
            group,
            phrase: true,
            derived: false,
        });
    }
}

/// Merges overlapping spans into the list of highlight ranges (derived
/// matches are not highlights).
pub fn merge_spans(matches: &[Match]) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = matches
        .iter()
        .filter(|m| !m.derived)
        .map(|m| m.span.clone())
        .collect();
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Range<usize>> = Vec::new();
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start < last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::analysis::analyzer;

    fn target(pattern: Pattern, group: usize) -> Target {
        Target {
            pattern,
            field: None,
            group,
        }
    }

    fn spans<'a>(text: &'a str, targets: &[Target]) -> Vec<&'a str> {
        let tokens = tokenize(&mut analyzer(), text);
        merge_spans(&find(&tokens, targets, TextField::Body))
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn stemmed_terms_and_prefixes() {
        let text = "Striking staff held strikes; payment and pay rose.";
        let t = [
            target(Pattern::Term("strike".into()), 0),
            target(Pattern::Prefix("pay".into()), 1),
        ];
        assert_eq!(spans(text, &t), ["Striking", "strikes", "payment", "pay"]);
    }

    #[test]
    fn phrase_is_one_span_only_where_whole() {
        let text = "Strike action looms. The strike was called; action followed. strike   action!";
        let t = [target(
            Pattern::Phrase {
                terms: vec![(0, "strike".into()), (1, "action".into())],
                slop: 0,
                prefix: false,
            },
            0,
        )];
        assert_eq!(spans(text, &t), ["Strike action", "strike   action"]);
    }

    #[test]
    fn find_in_agrees_with_full_tokenization() {
        let text = "Striking staff held strikes; payments, a pay rise and the union's \
                    strike action. Skies, dying, lying, vying, aed: happy happiness ugly early. \
                    Strike   action again, strike over action.";
        let targets = [
            target(Pattern::Term("strike".into()), 0),
            target(Pattern::Prefix("pay".into()), 1),
            target(Pattern::Term("sky".into()), 2),
            target(Pattern::Term("die".into()), 3),
            target(Pattern::Term("happi".into()), 4),
            target(Pattern::Term("earli".into()), 5),
            target(Pattern::Term("vie".into()), 7),
            target(Pattern::Term("a".into()), 8),
            target(
                Pattern::Phrase {
                    terms: vec![(0, "strike".into()), (1, "action".into())],
                    slop: 0,
                    prefix: false,
                },
                6,
            ),
        ];
        let full = find(&tokenize(&mut analyzer(), text), &targets, TextField::Body);
        assert_eq!(find_in(text, &targets, TextField::Body), full);
        assert_eq!(full.iter().filter(|m| m.phrase).count(), 2);
        assert!(full.iter().any(|m| &text[m.span.clone()] == "Skies"));
    }

    /// Pieces of text that test the word rules where [`Finder`] jumps:
    /// joiners, acronyms, numbers, quotes, accents, other scripts, stems
    /// that change the second letter.
    const PIECES: &[&str] = &[
        "strike",
        "Striking",
        "strikes",
        "pay",
        "PAYMENT",
        "payé",
        "don't",
        "labour's",
        "O’Neill",
        "U.S.",
        "e.g.",
        "U.K",
        "7.5bn",
        "1,750",
        "3.5%",
        "£10.50",
        "café",
        "Élan",
        "élan",
        "naïve",
        "Straße",
        "skies",
        "dying",
        "aed",
        "a",
        "A",
        "x",
        "’",
        "“",
        "”",
        "'",
        ".",
        ",",
        "-",
        "/",
        "é",
        "日本語",
        "Ωmega",
        "ωmega",
        "happy",
        "early",
        "ugly",
        "vying",
        "s",
        "t",
        "1",
        "19",
        "1990s",
        "e-mail",
        "co-op",
        "lying",
        "idly",
        "news",
        "ski",
        "sky",
    ];
    const GAPS: &[&str] = &[
        " ", "  ", "\n", "\n\n", "\t", "", "", "", ". ", ", ", "’", "'",
    ];

    #[test]
    fn finder_jumping_to_start_bytes_agrees_with_full_tokenization() {
        // xorshift64*: a fixed sequence without a crate.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut below = |n: usize| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
        };
        let mut analyzer = analyzer();
        let mut checked = 0;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..below(40) {
                text.push_str(PIECES[below(PIECES.len())]);
                text.push_str(GAPS[below(GAPS.len())]);
            }
            let tokens = tokenize(&mut analyzer, &text);
            // Targets: terms of the text's own words and of others, and prefixes.
            let mut targets = Vec::new();
            for group in 0..1 + below(4) {
                let term = match tokens.is_empty() || below(3) == 0 {
                    true => tokenize(&mut analyzer, PIECES[below(PIECES.len())])
                        .first()
                        .map_or_else(|| "pay".to_owned(), |t| t.text.clone()),
                    false => tokens[below(tokens.len())].text.clone(),
                };
                let pattern = match below(4) {
                    0 if term.chars().count() >= 2 => {
                        Pattern::Prefix(term.chars().take(2 + below(2)).collect())
                    }
                    _ => Pattern::Term(term),
                };
                targets.push(target(pattern, group));
            }
            let finder = Finder::new(&targets, TextField::Body);
            assert!(!finder.has_phrases && !finder.keys.all);
            let full = find(&tokens, &targets, TextField::Body);
            assert_eq!(finder.find(&text), full, "{text:?} {targets:?}");
            checked += full.len();
        }
        // The texts hold the targets: thousands of matches were compared.
        assert!(checked > 5000, "{checked}");
    }

    #[test]
    fn start_bytes_are_found_in_order() {
        let text = "xyz Pay é b payé   P";
        for initials in [vec!['p'], vec!['p', 'b', 'z', 'x']] {
            let bits = initials.iter().fold(0u128, |b, &c| b | 1 << (c as u32));
            let starts = StartBytes::new(bits);
            assert_eq!(starts.few.is_some(), initials.len() == 1);
            let mut scanner = starts.scanner();
            let mut found = Vec::new();
            let mut at = 0;
            while let Some(p) = scanner.next(text.as_bytes(), at) {
                found.push(p);
                at = p + 1;
            }
            let want: Vec<usize> = text
                .bytes()
                .enumerate()
                .filter(|&(_, b)| {
                    b >= 0x80 || initials.contains(&char::from(b.to_ascii_lowercase()))
                })
                .map(|(i, _)| i)
                .collect();
            assert_eq!(found, want, "{initials:?}");
        }
    }

    #[test]
    fn field_scoped_targets_only_apply_to_their_field() {
        let text = "pay";
        let t = [Target {
            pattern: Pattern::Term("pay".into()),
            field: Some(TextField::Title),
            group: 0,
        }];
        assert!(spans(text, &t).is_empty());
    }
}
