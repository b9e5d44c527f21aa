//! The analyzer's steps run by hand: word boundaries, lower-casing, folding
//! and stemming on borrowed text, without building tokens. The analyzer
//! itself is built from these same functions ([`Words`] cuts, [`term_of`]
//! normalises), and the tests below hold the two paths together.
//!
//! # Token rules
//!
//! A word is a run of alphanumeric characters (Unicode), with these joins:
//! - `.` or `,` between two digits: `7.5bn`, `1,750`, `3.5` (in `3.5%`) and
//!   `10.50` (in `£10.50`) are one word each, so `5bn` does not match inside
//!   `7.5bn`. Signs and units around a number (`£`, `$`, `%`) are not part of
//!   it: `3.5%` finds `3.5%` and `3.5 pct`.
//! - an apostrophe (`'` or `’`) between two letters: `Labour's`, `O'Neill`,
//!   `don't` are one word each. The English stemmer drops a possessive
//!   (`labour's` → `labour`), so `Labour's` finds `Labour` and `Labour's`;
//!   `don't` stays `don't`. A quote at a word's edge (`'strike'`, `nurses'`)
//!   is not part of the word.
//! - dotted acronyms: single letters each followed by `.` (`U.S.`, `U.K.`,
//!   `e.g.`; the last dot optional) are one word, whose term keeps the inner
//!   dots (`u.s`), so `U.S.` is neither the stopword `us` nor the pronoun.
//! - hyphens and slashes split words: `COVID-19` and `e-mail` are two words
//!   each, and a query `COVID-19` is the phrase `covid 19`, which finds
//!   `COVID-19` and `Covid 19` (the query compiler also looks for the
//!   closed compound: `e-mail` finds `email` where the index has it).
//!
//! A word's term is the word lower-cased (as tantivy's `LowerCaser`), folded
//! to ASCII where it has an ASCII form (tantivy's `AsciiFoldingFilter`:
//! `café` → `cafe`, `Straße` → `strasse`, `’` → `'`), with a trailing `.`
//! dropped, and stemmed (Snowball English) unless it holds a `.` or `,`
//! (numbers and acronyms are kept as written). Words of [`MAX_WORD_BYTES`]
//! bytes or more are not indexed.

use std::cell::RefCell;
use std::ops::Range;

use tantivy::tokenizer::{AsciiFoldingFilter, RawTokenizer, TextAnalyzer};

use super::MAX_WORD_BYTES;

/// Calls `f` with each word of `text` as written, for the words the index
/// analyzer keeps (not over-long); [`term_of`] turns one into its term, so
/// together they give the analyzer's terms without building tokens.
pub(crate) fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    for span in words(text) {
        let raw = &text[span];
        if raw.len() < MAX_WORD_BYTES {
            f(raw);
        }
    }
}

/// The index term of a word as written (lower-cased, folded, stemmed) into
/// `stem`; `lower` is scratch space.
pub(crate) fn term_of(raw: &str, lower: &mut String, stem: &mut String) {
    fold_like_index(raw, lower);
    if lower.contains(['.', ',']) {
        stem.clear();
        stem.push_str(lower);
    } else {
        super::stem_into(lower, stem);
    }
}

/// A word as written, lower-cased and folded to ASCII, without its
/// trailing `.`: the term before stemming (what stopwords are checked on).
pub(crate) fn fold_like_index(raw: &str, out: &mut String) {
    out.clear();
    if raw.is_ascii() {
        out.push_str(raw);
        out.make_ascii_lowercase();
    } else {
        // As tantivy's `LowerCaser` (no final-sigma rule), then its `AsciiFoldingFilter`.
        out.extend(raw.chars().flat_map(char::to_lowercase));
        if !out.is_ascii() {
            fold_to_ascii(out);
        }
    }
    if out.len() > 1 && out.ends_with('.') {
        out.pop();
    }
}

thread_local! {
    static FOLDER: RefCell<TextAnalyzer> = RefCell::new(
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(AsciiFoldingFilter)
            .build(),
    );
}

/// Folds `word` in place exactly as tantivy's `AsciiFoldingFilter` does.
fn fold_to_ascii(word: &mut String) {
    FOLDER.with(|folder| {
        let mut folder = folder.borrow_mut();
        let mut stream = folder.token_stream(word);
        if let Some(token) = stream.next() {
            let folded = token.text.clone();
            drop(stream);
            *word = folded;
        }
    });
}

/// Byte ranges of the words of `text` (see the module's token rules),
/// without copying them.
pub(crate) fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// The words of `text` from byte `at` on, which must not be inside a word
/// (the start, a word's end, or just after white space): the same words as
/// [`words`] gives from there.
pub(crate) fn words_from(text: &str, at: usize) -> Words<'_> {
    Words { text, at }
}

/// The iterator of [`words`].
#[derive(Clone)]
pub(crate) struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl Words<'_> {
    /// The character at byte `at`, if any.
    fn char_at(&self, at: usize) -> Option<char> {
        match self.text.as_bytes().get(at) {
            None => None,
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            Some(_) => self.text[at..].chars().next(),
        }
    }

    fn is_alnum_at(&self, at: usize) -> bool {
        match self.text.as_bytes().get(at) {
            None => false,
            Some(&b) if b.is_ascii() => b.is_ascii_alphanumeric(),
            Some(_) => self.char_at(at).is_some_and(char::is_alphanumeric),
        }
    }

    fn is_letter_at(&self, at: usize) -> bool {
        self.char_at(at).is_some_and(char::is_alphabetic)
    }

    /// The end of a dotted acronym (`U.S.`, `e.g`) starting at `start`:
    /// at least two single letters, each but the last followed by `.`.
    fn acronym_end(&self, start: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let (mut at, mut letters, mut end) = (start, 0, start);
        while let Some(c) = self.char_at(at).filter(|c| c.is_alphabetic()) {
            let after = at + c.len_utf8();
            if bytes.get(after) == Some(&b'.') {
                letters += 1;
                end = after + 1;
                at = after + 1;
            } else {
                if letters >= 1 && !self.is_alnum_at(after) {
                    letters += 1;
                    end = after;
                }
                break;
            }
        }
        (letters >= 2).then_some(end)
    }
}

/// [`BYTE_CLASS`] values: an ASCII letter or digit, any other ASCII byte,
/// and a byte of a multi-byte character (decoded to be classified).
const ALNUM: u8 = 0;
const OTHER: u8 = 1;
const NON_ASCII: u8 = 2;

/// The class of each byte, so that the scan of a word or of the gap between
/// words tests a byte with one lookup (it is most of highlighting's cost).
static BYTE_CLASS: [u8; 256] = {
    let mut class = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        class[b] = if (b as u8).is_ascii_alphanumeric() {
            ALNUM
        } else {
            OTHER
        };
        b += 1;
    }
    class
};

impl Iterator for Words<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let bytes = self.text.as_bytes();
        // Skip to the next alphanumeric character.
        loop {
            let &b = bytes.get(self.at)?;
            match BYTE_CLASS[usize::from(b)] {
                ALNUM => break,
                OTHER => self.at += 1,
                _ => match self.char_at(self.at) {
                    Some(c) if c.is_alphanumeric() => break,
                    Some(c) => self.at += c.len_utf8(),
                    None => self.at += 1,
                },
            }
        }
        let start = self.at;
        if bytes.get(start + 1) == Some(&b'.') || !bytes[start].is_ascii() {
            if let Some(end) = self.acronym_end(start) {
                self.at = end;
                return Some(start..end);
            }
        }
        let mut at = start;
        loop {
            // A run of alphanumeric characters.
            while let Some(&b) = bytes.get(at) {
                match BYTE_CLASS[usize::from(b)] {
                    ALNUM => at += 1,
                    OTHER => break,
                    _ => match self.char_at(at) {
                        Some(c) if c.is_alphanumeric() => at += c.len_utf8(),
                        _ => break,
                    },
                }
            }
            // A joiner between two characters that it joins.
            let (joiner, numeric) = match bytes.get(at) {
                Some(b'.' | b',') => (1, true),
                Some(b'\'') => (1, false),
                Some(0xE2) if bytes.get(at..at + 3) == Some("’".as_bytes()) => (3, false),
                _ => break,
            };
            let last = self.text[..at].chars().next_back();
            let next = at + joiner;
            let joins = if numeric {
                last.is_some_and(|c| c.is_ascii_digit())
                    && bytes.get(next).is_some_and(u8::is_ascii_digit)
            } else {
                last.is_some_and(char::is_alphabetic) && self.is_letter_at(next)
            };
            if !joins {
                break;
            }
            at = next;
        }
        self.at = at;
        Some(start..at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The analyzer's (span, term) pairs of `text`, through tantivy's token stream.
    fn analyzer_tokens(text: &str) -> Vec<(Range<usize>, String)> {
        let mut analyzer = super::super::analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.offset_from..t.offset_to, t.text.clone()));
        }
        out
    }

    /// The hand-run path's (span, term) pairs of `text`.
    fn hand_tokens(text: &str) -> Vec<(Range<usize>, String)> {
        let (mut lower, mut stem) = (String::new(), String::new());
        words(text)
            .filter(|span| span.len() < MAX_WORD_BYTES)
            .map(|span| {
                term_of(&text[span.clone()], &mut lower, &mut stem);
                (span, stem.clone())
            })
            .collect()
    }

    fn terms(text: &str) -> Vec<String> {
        analyzer_tokens(text).into_iter().map(|(_, t)| t).collect()
    }

    const HARD: &str = "Striking NURSES' pay-rise ballot: 3.5% in Zürich, ÉCOLE naïve \
        supercalifragilisticexpialidociousnessesandmore words 42 £7.5bn and £5bn, 1,750 \
        jobs in the U.S. and U.K. economy; Labour's O'Neill don't Labour’s don’t \
        COVID-19 e-mail Schröder München Straße Beyoncé café ÆØÅ… 罢工 x2 'quoted' \
        rock 'n' roll e.g. J. Smith 1987. End 10.50. U.S.A. A.B1 £10.50 at Coventry's";

    #[test]
    fn hand_path_gives_the_analyzer_spans_and_terms() {
        let want = analyzer_tokens(HARD);
        assert_eq!(hand_tokens(HARD), want);
        let mut got = Vec::new();
        let (mut lower, mut stem) = (String::new(), String::new());
        for_each_word(HARD, |raw| {
            term_of(raw, &mut lower, &mut stem);
            got.push(stem.clone());
        });
        assert_eq!(got, terms(HARD));
        assert!(!got.iter().any(|t| t.starts_with("supercal")));
    }

    #[test]
    fn token_rules() {
        let spans: Vec<&str> = words(HARD).map(|s| &HARD[s]).collect();
        for word in [
            "3.5",
            "7.5bn",
            "5bn",
            "1,750",
            "U.S.",
            "U.K.",
            "Labour's",
            "O'Neill",
            "don't",
            "Labour’s",
            "don’t",
            "COVID",
            "19",
            "e",
            "mail",
            "e.g.",
            "J",
            "1987",
            "10.50",
            "U.S.A.",
            "A",
            "B1",
            "Coventry's",
            "quoted",
            "n",
            "Straße",
        ] {
            assert!(spans.contains(&word), "{word:?} in {spans:?}");
        }
        for not in [
            "£7.5bn", "3.5%", "NURSES'", "'quoted'", "J.", "1987.", "10.50.",
        ] {
            assert!(!spans.contains(&not), "{not:?} in {spans:?}");
        }
        let t = terms(HARD);
        for term in [
            "strike", "nurs", "3.5", "7.5bn", "5bn", "1,750", "u.s", "u.k", "labour", "o'neil",
            "don't", "covid", "19", "e", "mail", "e.g", "zurich", "ecol", "naiv", "schroder",
            "munchen", "strass", "beyonc", "cafe", "aeoa", "罢工", "10.50", "u.s.a", "coventri",
        ] {
            assert!(t.contains(&term.to_owned()), "{term:?} in {t:?}");
        }
        assert!(!t.contains(&"us".to_owned()) && !t.contains(&"5".to_owned()));
        // Query forms meet the index forms.
        assert_eq!(terms("Labour"), terms("labour's"));
        assert_eq!(terms("cafe"), terms("Café"));
        assert_eq!(terms("Strasse"), terms("STRASSE"));
        assert_eq!(terms("Strasse"), terms("Straße"));
        assert_eq!(terms("Beyonce"), terms("Beyoncé"));
        assert_eq!(terms("U.S"), terms("u.s."));
    }
}
