//! Text → terms: the one definition of how passim cuts, lower-cases, stems
//! and filters words, for the index and for everything that must agree with
//! it (queries, highlighting, feedback).
//!
//! Two paths compute the same terms:
//! - [`analyzer`], the tantivy `TextAnalyzer` registered on every index
//!   (SimpleTokenizer → RemoveLong → LowerCaser → cached Snowball English);
//! - [`words`], the same steps run by hand on borrowed text, used where
//!   building tokens would be too slow (highlighting long articles,
//!   feedback). Its test holds it to the analyzer.

mod stem;
mod stopwords;
mod words;

pub(crate) use stem::stem_into;
pub(crate) use stopwords::{is_stopword, stemmed_stopwords};
pub(crate) use words::{for_each_word, lowercase_like_tantivy, term_of, words};

use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};
use tantivy::Index;

/// Name under which the English analyzer is registered in the index.
pub(crate) const ANALYZER: &str = "passim_en";

/// Words of this many bytes or more are not indexed (tantivy's `RemoveLongFilter`).
pub(crate) const MAX_WORD_BYTES: usize = 40;

/// The English analyzer: words, lower-cased, Snowball-stemmed.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(stem::CachedStemmer)
        .build()
}

/// The analyzer without stemming: lower-cased words as typed, for
/// recognising stopwords in a query.
pub(crate) fn word_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .build()
}

/// Registers passim's analyzer on an index (needed after every open).
pub(crate) fn register(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}
