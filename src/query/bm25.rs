//! BM25 for one term of one field, with k1 and b chosen by passim.
//!
//! tantivy's own `TermQuery` scores with BM25 at fixed k1 = 1.2, b = 0.75.
//! Passim ranks unscoped words on the combined headline + body field with
//! its own constants (see [`super::RankSettings`]), so it brings its own
//! small query/weight/scorer trio. Scores of several terms are summed by a
//! `BooleanQuery`, exactly as for tantivy's term queries.

use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term};

/// BM25 parameters and corpus statistics for one term.
#[derive(Clone, Debug)]
pub struct Bm25TermQuery {
    term: Term,
    /// `boost × idf × (k1 + 1)`.
    weight: Score,
    /// Per fieldnorm id: `k1 × (1 − b + b × len / avg_len)`.
    norms: Arc<[Score; 256]>,
}

impl Bm25TermQuery {
    /// `idf` is the term's inverse document frequency, `avg_len` the mean
    /// field length in tokens over the index.
    pub fn new(term: Term, idf: Score, boost: Score, k1: Score, b: Score, avg_len: Score) -> Self {
        let avg_len = if avg_len > 0.0 { avg_len } else { 1.0 };
        let mut norms = [0.0; 256];
        for (id, norm) in norms.iter_mut().enumerate() {
            let len = FieldNormReader::id_to_fieldnorm(id as u8) as Score;
            *norm = k1 * (1.0 - b + b * len / avg_len);
        }
        Bm25TermQuery {
            term,
            weight: boost * idf * (k1 + 1.0),
            norms: Arc::new(norms),
        }
    }
}

impl Query for Bm25TermQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

impl Weight for Bm25TermQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let field = self.term.field();
        let Some(postings) = reader
            .inverted_index(field)?
            .read_postings(&self.term, IndexRecordOption::WithFreqs)?
        else {
            return Ok(Box::new(EmptyScorer));
        };
        Ok(Box::new(Bm25TermScorer {
            postings,
            fieldnorms: reader.get_fieldnorms_reader(field)?,
            weight: self.weight * boost,
            norms: self.norms.clone(),
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("passim BM25", scorer.score()))
    }
}

struct Bm25TermScorer {
    postings: SegmentPostings,
    fieldnorms: FieldNormReader,
    weight: Score,
    norms: Arc<[Score; 256]>,
}

impl DocSet for Bm25TermScorer {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for Bm25TermScorer {
    fn score(&mut self) -> Score {
        let tf = self.postings.term_freq() as Score;
        let norm = self.norms[self.fieldnorms.fieldnorm_id(self.postings.doc()) as usize];
        self.weight * tf / (tf + norm)
    }
}
