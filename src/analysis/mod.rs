//! Text → terms: the one definition of how passim cuts, lower-cases, folds,
//! stems and filters words, for the index and for everything that must
//! agree with it (queries, highlighting, feedback).
//!
//! Two paths compute the same terms from the same functions:
//! - [`analyzer`], the tantivy `TextAnalyzer` registered on every index
//!   ([`WordTokenizer`] → RemoveLong → [`Normalize`]);
//! - [`words`] and [`term_of`] run by hand on borrowed text, used where
//!   building tokens would be too slow (highlighting long articles,
//!   feedback).
//!
//! The token rules (numbers, apostrophes, acronyms, hyphens, accents) are
//! in the `words` module's documentation.

mod stem;
mod stopwords;
mod words;

pub(crate) use stem::stem_into;
pub(crate) use stopwords::{is_stopword, stemmed_stopwords};
pub(crate) use words::{fold_like_index, for_each_word, term_of, words, words_from, Words};

use tantivy::tokenizer::{
    RemoveLongFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::Index;

/// Name under which the English analyzer is registered in the index
/// (renamed whenever its terms change, with the schema version).
pub(crate) const ANALYZER: &str = "passim_en_fold";

/// Words of this many bytes or more are not indexed (tantivy's `RemoveLongFilter`).
pub(crate) const MAX_WORD_BYTES: usize = 40;

/// The English analyzer: words, lower-cased, folded, Snowball-stemmed.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(Normalize { stem: true })
        .build()
}

/// The analyzer without stemming: lower-cased, folded words as typed, for
/// recognising stopwords in a query.
pub(crate) fn word_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(Normalize { stem: false })
        .build()
}

/// Registers passim's analyzer on an index (needed after every open).
pub(crate) fn register(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

/// Tokenizer: the words of [`words`], as written, with their byte spans.
#[derive(Clone, Copy, Default)]
pub(crate) struct WordTokenizer;

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        WordStream {
            text,
            words: words(text),
            token: Token::default(),
        }
    }
}

pub(crate) struct WordStream<'a> {
    text: &'a str,
    words: Words<'a>,
    token: Token,
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(span) = self.words.next() else {
            return false;
        };
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = span.start;
        self.token.offset_to = span.end;
        self.token.text.clear();
        self.token.text.push_str(&self.text[span]);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Token filter: a word as written → its term ([`term_of`]), or with
/// `stem: false` the unstemmed form ([`fold_like_index`]).
#[derive(Clone, Copy)]
pub(crate) struct Normalize {
    stem: bool,
}

impl TokenFilter for Normalize {
    type Tokenizer<T: Tokenizer> = NormalizeFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> NormalizeFilter<T> {
        NormalizeFilter {
            inner: tokenizer,
            stem: self.stem,
        }
    }
}

/// The tokenizer produced by [`Normalize`].
#[derive(Clone)]
pub(crate) struct NormalizeFilter<T> {
    inner: T,
    stem: bool,
}

impl<T: Tokenizer> Tokenizer for NormalizeFilter<T> {
    type TokenStream<'a> = NormalizeStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        NormalizeStream {
            tail: self.inner.token_stream(text),
            stem: self.stem,
            lower: String::new(),
            out: String::new(),
        }
    }
}

pub(crate) struct NormalizeStream<T> {
    tail: T,
    stem: bool,
    /// Scratch space.
    lower: String,
    out: String,
}

impl<T: TokenStream> TokenStream for NormalizeStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if self.stem {
            term_of(&token.text, &mut self.lower, &mut self.out);
        } else {
            fold_like_index(&token.text, &mut self.out);
        }
        if self.out != token.text {
            std::mem::swap(&mut token.text, &mut self.out);
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}
