//! The analyzer's steps run by hand: word boundaries, lower-casing and
//! stemming on borrowed text, without building tokens. The test below holds
//! this path to [`super::analyzer`].

use std::ops::Range;

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

/// The index term of a word as written (lower-cased, stemmed) into `stem`;
/// `lower` is scratch space.
pub(crate) fn term_of(raw: &str, lower: &mut String, stem: &mut String) {
    lowercase_like_tantivy(raw, lower);
    super::stem_into(lower, stem);
}

/// Byte ranges of the words of `text` exactly as tantivy's `SimpleTokenizer`
/// cuts them (runs of alphanumeric characters), without copying them.
pub(crate) fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    // Whether the character at `at` (not ASCII) is alphanumeric, and its length.
    let wide = move |at: usize| {
        text[at..]
            .chars()
            .next()
            .map_or((false, 1), |c| (c.is_alphanumeric(), c.len_utf8()))
    };
    std::iter::from_fn(move || {
        // Skip to the next alphanumeric character.
        loop {
            match BYTE_CLASS[usize::from(*bytes.get(at)?)] {
                SEPARATOR => at += 1,
                ALNUM => break,
                _ => match wide(at) {
                    (true, _) => break,
                    (false, len) => at += len,
                },
            }
        }
        let start = at;
        while let Some(&b) = bytes.get(at) {
            match BYTE_CLASS[usize::from(b)] {
                ALNUM => at += 1,
                SEPARATOR => break,
                _ => match wide(at) {
                    (true, len) => at += len,
                    (false, _) => break,
                },
            }
        }
        Some(start..at)
    })
}

const SEPARATOR: u8 = 0;
const ALNUM: u8 = 1;
const NOT_ASCII: u8 = 2;

/// Per byte: ASCII alphanumeric, other ASCII, or part of a wider character.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [NOT_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = if (b as u8).is_ascii_alphanumeric() {
            ALNUM
        } else {
            SEPARATOR
        };
        b += 1;
    }
    table
};

/// Lower-cases exactly as tantivy's `LowerCaser` does (no final-sigma rule).
pub(crate) fn lowercase_like_tantivy(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
    } else {
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The analyzer's terms of `text`, through tantivy's token stream.
    fn analyzer_terms(text: &str) -> Vec<String> {
        let mut analyzer = super::super::analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn words_and_term_of_give_the_analyzer_terms() {
        let text = "Striking NURSES' pay-rise ballot: 3.5% in Zürich, ÉCOLE naïve \
                    supercalifragilisticexpialidociousnessesandmore words 42";
        let want = analyzer_terms(text);
        let mut got = Vec::new();
        let (mut lower, mut stem) = (String::new(), String::new());
        for_each_word(text, |raw| {
            term_of(raw, &mut lower, &mut stem);
            got.push(stem.clone());
        });
        assert_eq!(got, want);
        assert!(got.contains(&"strike".to_owned()) && got.contains(&"école".to_owned()));
        assert!(!got.iter().any(|t| t.starts_with("supercal")));
    }

    #[test]
    fn words_cut_like_simple_tokenizer() {
        use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};
        let text = "£10.50 at Coventry's depot — naïve café, 罢工 x2 ÆØÅ… end";
        let mut tokenizer = SimpleTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut want = Vec::new();
        while let Some(t) = stream.next() {
            want.push(t.offset_from..t.offset_to);
        }
        assert_eq!(words(text).collect::<Vec<_>>(), want);
    }
}
