//! Finding where a query's targets occur in a text, as byte spans.
//!
//! The text is run through the same analyzer as the index, so a highlight
//! marks exactly the words the index matched: stemmed forms, prefix
//! expansions, and whole phrases as one span.

use std::ops::Range;

use crate::analysis::{fold_like_index, term_of, words, MAX_WORD_BYTES};
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
        // The index analyzer's steps (words, RemoveLong, lower-case, fold,
        // stem) run here by hand so that words which cannot
        // match are dropped before they are copied, lower-cased or stemmed.
        let mut lower = String::new();
        let mut stem = String::new();
        let mut words_found = Vec::new();
        let mut tokens = Vec::new();
        for (position, span) in words(text).enumerate() {
            let raw = &text[span.clone()];
            if raw.len() >= MAX_WORD_BYTES || !self.keys.admits_raw(raw, &mut lower) {
                continue;
            }
            term_of(raw, &mut lower, &mut stem);
            let word = |group| Match {
                span: span.clone(),
                group,
                phrase: false,
                derived: false,
            };
            if let Some(groups) = self.terms.get(stem.as_str()) {
                words_found.extend(groups.iter().map(|&g| word(g)));
            }
            for &(prefix, group) in &self.prefixes {
                if stem.starts_with(prefix) {
                    words_found.push(word(group));
                }
            }
            if self.has_phrases {
                tokens.push(Token {
                    span,
                    position,
                    text: stem.clone(),
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
                || (raw.len() <= SHORT_WORD && self.ascii_initials & (1 << two[0]) != 0);
        }
        fold_like_index(raw, buf);
        self.admits(buf)
    }

    fn admits(&self, word: &str) -> bool {
        self.all
            || self.keys.contains(key(word))
            || (word.chars().nth(SHORT_WORD).is_none()
                && word
                    .chars()
                    .next()
                    .is_some_and(|c| self.initials.contains(&c)))
    }
}

/// Words of at most this many characters may stem to a different second character.
const SHORT_WORD: usize = 5;

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
