//! BM25F for one term over the headline and body fields, with k1 and b
//! chosen by passim.
//!
//! tantivy's own `TermQuery` scores one field with BM25 at fixed k1 = 1.2,
//! b = 0.75. Passim ranks unscoped words as if headline and body were one
//! field in which every headline word counts `title_repeat` times (BM25F:
//! term frequencies and lengths are combined before saturation), with its
//! own constants (see [`super::RankSettings`]). It reads the two fields'
//! postings and field norms side by side, so the index holds each word once
//! per field. Scores of several terms are summed by a `BooleanQuery`,
//! exactly as for tantivy's term queries.

use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term};

/// BM25F parameters and corpus statistics for one word.
#[derive(Clone, Debug)]
pub struct Bm25FTermQuery {
    /// The word in the headline field and in the body field.
    title: Term,
    body: Term,
    /// `boost × idf × (k1 + 1)`.
    weight: Score,
    k1: Score,
    /// `b / avg_len`.
    b_per_len: Score,
    b: Score,
    repeat: Score,
}

/// BM25 constants and the combined field's statistics.
#[derive(Clone, Copy, Debug)]
pub struct Bm25FParams {
    pub idf: Score,
    pub boost: Score,
    pub k1: Score,
    pub b: Score,
    /// Mean combined length: `repeat × headline tokens + body tokens` per article.
    pub avg_len: Score,
    /// How many body words one headline word counts as.
    pub repeat: Score,
}

impl Bm25FTermQuery {
    pub fn new(title: Term, body: Term, p: Bm25FParams) -> Self {
        let avg_len = if p.avg_len > 0.0 { p.avg_len } else { 1.0 };
        Bm25FTermQuery {
            title,
            body,
            weight: p.boost * p.idf * (p.k1 + 1.0),
            k1: p.k1,
            b_per_len: p.b / avg_len,
            b: p.b,
            repeat: p.repeat,
        }
    }
}

impl Query for Bm25FTermQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.title, false);
        visitor(&self.body, false);
    }
}

fn postings(reader: &SegmentReader, term: &Term) -> tantivy::Result<Option<SegmentPostings>> {
    Ok(reader
        .inverted_index(term.field())?
        .read_postings(term, IndexRecordOption::WithFreqs)?)
}

/// The two halves of BM25's length normalisation, per fieldnorm id.
type NormTables = (Arc<[Score; 256]>, Arc<[Score; 256]>);

thread_local! {
    /// The last tables built, with the constants they were built for: every
    /// word of a query (and of a batch) shares them.
    static NORM_TABLES: std::cell::RefCell<Option<([u32; 4], NormTables)>> =
        const { std::cell::RefCell::new(None) };
}

impl Bm25FTermQuery {
    /// norm = k1 · (1 − b + b · (repeat · title_len + body_len) / avg_len),
    /// split into a headline part and a body part, one table each.
    fn norm_tables(&self) -> NormTables {
        let key = [self.k1, self.b, self.b_per_len, self.repeat].map(f32::to_bits);
        NORM_TABLES.with(|cell| {
            let mut cell = cell.borrow_mut();
            if let Some((k, tables)) = cell.as_ref() {
                if *k == key {
                    return tables.clone();
                }
            }
            let mut title_part = [0.0; 256];
            let mut body_part = [0.0; 256];
            for id in 0..256 {
                let len = FieldNormReader::id_to_fieldnorm(id as u8) as Score;
                title_part[id] = self.k1 * (1.0 - self.b + self.b_per_len * self.repeat * len);
                body_part[id] = self.k1 * self.b_per_len * len;
            }
            let tables = (Arc::new(title_part), Arc::new(body_part));
            *cell = Some((key, tables.clone()));
            tables
        })
    }
}

impl Weight for Bm25FTermQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let title = postings(reader, &self.title)?;
        let body = postings(reader, &self.body)?;
        if title.is_none() && body.is_none() {
            return Ok(Box::new(EmptyScorer));
        }
        let (title_part, body_part) = self.norm_tables();
        let mut scorer = Bm25FScorer {
            title: title.unwrap_or_else(SegmentPostings::empty),
            body: body.unwrap_or_else(SegmentPostings::empty),
            doc: 0,
            title_norms: reader.get_fieldnorms_reader(self.title.field())?,
            body_norms: reader.get_fieldnorms_reader(self.body.field())?,
            weight: self.weight * boost,
            repeat: self.repeat,
            title_part,
            body_part,
        };
        scorer.doc = scorer.title.doc().min(scorer.body.doc());
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("passim BM25F", scorer.score()))
    }
}

/// Walks the headline and body postings of one word together (a union).
struct Bm25FScorer {
    title: SegmentPostings,
    body: SegmentPostings,
    /// The smaller of the two postings' current documents.
    doc: DocId,
    title_norms: FieldNormReader,
    body_norms: FieldNormReader,
    weight: Score,
    repeat: Score,
    title_part: Arc<[Score; 256]>,
    body_part: Arc<[Score; 256]>,
}

impl DocSet for Bm25FScorer {
    #[inline]
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        let b = if self.body.doc() == doc {
            self.body.advance()
        } else {
            self.body.doc()
        };
        // Headline postings are short and usually exhausted early.
        let t = self.title.doc();
        let t = if t == doc { self.title.advance() } else { t };
        self.doc = t.min(b);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if self.title.doc() < target {
            self.title.seek(target);
        }
        if self.body.doc() < target {
            self.body.seek(target);
        }
        self.doc = self.title.doc().min(self.body.doc());
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.title.size_hint() + self.body.size_hint()
    }
}

impl Scorer for Bm25FScorer {
    #[inline]
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut tf = 0.0;
        if self.body.doc() == doc {
            tf += self.body.term_freq() as Score;
        }
        if self.title.doc() == doc {
            tf += self.repeat * self.title.term_freq() as Score;
        }
        let norm = self.title_part[self.title_norms.fieldnorm_id(doc) as usize]
            + self.body_part[self.body_norms.fieldnorm_id(doc) as usize];
        self.weight * tf / (tf + norm)
    }
}
