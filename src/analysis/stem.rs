//! English stemming with a memo.
//!
//! Snowball stemming is most of the cost of analysing text (about 60% of
//! all instructions of an index run, measured with callgrind). Word
//! frequencies are Zipfian, so a cache of word → stem answers nearly every
//! token without running the stemmer. The cache is per thread and shared by
//! every analyzer on it, so short-lived analyzers (one per query) start warm.
//! The stems are exactly those of tantivy's own `Stemmer` filter (same
//! algorithm, same crate), so indexes stay compatible.

use std::cell::RefCell;

use rustc_hash::FxHashMap as HashMap;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Entries kept before the cache starts over (bounds memory per thread).
const MAX_ENTRIES: usize = 100_000;

thread_local! {
    static CACHE: RefCell<HashMap<String, String>> = RefCell::new(HashMap::default());
}

/// Writes the English stem of a lower-cased `word` into `out`, through the
/// per-thread cache.
pub(crate) fn stem_into(word: &str, out: &mut String) {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        out.clear();
        if let Some(stem) = cache.get(word) {
            out.push_str(stem);
            return;
        }
        let stem = frostem::Stemmer::new(frostem::Algorithm::English).stem(word);
        out.push_str(&stem);
        if cache.len() >= MAX_ENTRIES {
            cache.clear();
        }
        cache.insert(word.to_owned(), out.clone());
    });
}

/// Token filter: English Snowball stemming, memoised. Expects lower-cased tokens.
#[derive(Clone, Copy, Default)]
pub(crate) struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter { inner: tokenizer }
    }
}

/// The tokenizer produced by [`CachedStemmer`].
#[derive(Clone)]
pub(crate) struct CachedStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            buffer: String::new(),
        }
    }
}

pub(crate) struct CachedStemmerStream<T> {
    tail: T,
    /// Scratch space for the stem, swapped into the token when it differs.
    buffer: String,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        stem_into(&token.text, &mut self.buffer);
        if self.buffer != token.text {
            std::mem::swap(&mut token.text, &mut self.buffer);
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

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

    fn stems(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn same_stems_as_tantivy_including_repeats() {
        let text = "Striking strikes struck; striking staff voted. Payments paid PAYMENT \
                    running runs ran generously general generalisation £10.50 café cafés";
        let mut cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer)
            .build();
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::default())
            .build();
        let want = stems(&mut plain, text);
        assert_eq!(stems(&mut cached, text), want);
        // Second pass is served from the cache and must agree too.
        assert_eq!(stems(&mut cached, text), want);
        assert_eq!(want[0], "strike");
    }
}
