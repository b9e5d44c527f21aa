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

use std::sync::{Arc, Mutex};

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
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
type NormTables = ([Score; 256], [Score; 256]);

/// Per document of a segment: `k1 · (1 − b + b · len / avg_len)` with the
/// combined length `len = repeat · headline tokens + body tokens`.
type SegmentNorms = Arc<[Score]>;

/// What a segment's norms depend on: the segment, the two fields and the
/// BM25F constants (as bits).
type NormsKey = (SegmentId, Field, Field, [u32; 4]);

/// Norms of recently searched segments, shared by all threads: every word
/// of every query on a segment needs the same ones, and computing them
/// costs a pass over the segment's field norms.
static SEGMENT_NORMS: Mutex<Vec<(NormsKey, SegmentNorms)>> = Mutex::new(Vec::new());

/// Segments whose norms are kept (oldest dropped first).
const SEGMENT_NORMS_KEPT: usize = 256;

impl Bm25FTermQuery {
    /// norm = k1 · (1 − b + b · (repeat · title_len + body_len) / avg_len),
    /// split into a headline part and a body part, one table each.
    fn norm_tables(&self) -> NormTables {
        let mut title_part = [0.0; 256];
        let mut body_part = [0.0; 256];
        for id in 0..256 {
            let len = FieldNormReader::id_to_fieldnorm(id as u8) as Score;
            title_part[id] = self.k1 * (1.0 - self.b + self.b_per_len * self.repeat * len);
            body_part[id] = self.k1 * self.b_per_len * len;
        }
        (title_part, body_part)
    }

    /// The norm of every document of the segment `reader`.
    fn segment_norms(&self, reader: &SegmentReader) -> tantivy::Result<SegmentNorms> {
        let key = (
            reader.segment_id(),
            self.title.field(),
            self.body.field(),
            [self.k1, self.b, self.b_per_len, self.repeat].map(f32::to_bits),
        );
        let cached = |cache: &[(NormsKey, SegmentNorms)]| {
            cache
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, norms)| norms.clone())
        };
        // A poisoned lock only means another search panicked: the cache is still valid.
        if let Some(norms) = cached(&SEGMENT_NORMS.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(norms);
        }
        let (title_part, body_part) = self.norm_tables();
        let title = reader.get_fieldnorms_reader(self.title.field())?;
        let body = reader.get_fieldnorms_reader(self.body.field())?;
        let norms: SegmentNorms = (0..reader.max_doc())
            .map(|doc| {
                title_part[usize::from(title.fieldnorm_id(doc))]
                    + body_part[usize::from(body.fieldnorm_id(doc))]
            })
            .collect();
        let mut cache = SEGMENT_NORMS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(norms) = cached(&cache) {
            return Ok(norms);
        }
        if cache.len() >= SEGMENT_NORMS_KEPT {
            cache.remove(0);
        }
        cache.push((key, norms.clone()));
        Ok(norms)
    }
}

impl Weight for Bm25FTermQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let title = postings(reader, &self.title)?;
        let body = postings(reader, &self.body)?;
        if title.is_none() && body.is_none() {
            return Ok(Box::new(EmptyScorer));
        }
        let title = title.unwrap_or_else(SegmentPostings::empty);
        let body = body.unwrap_or_else(SegmentPostings::empty);
        let (title_doc, body_doc) = (title.doc(), body.doc());
        Ok(Box::new(Bm25FScorer {
            title,
            body,
            title_doc,
            body_doc,
            doc: title_doc.min(body_doc),
            norms: self.segment_norms(reader)?,
            weight: self.weight * boost,
            repeat: self.repeat,
        }))
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
    /// The two postings' current documents (kept here: asking the postings
    /// costs a bounds-checked read of their decoded block).
    title_doc: DocId,
    body_doc: DocId,
    /// The smaller of the two.
    doc: DocId,
    /// Per document of the segment (see [`SegmentNorms`]).
    norms: SegmentNorms,
    weight: Score,
    repeat: Score,
}

impl DocSet for Bm25FScorer {
    #[inline]
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        if self.body_doc == doc {
            self.body_doc = self.body.advance();
        }
        // Headline postings are short and usually exhausted early.
        if self.title_doc == doc {
            self.title_doc = self.title.advance();
        }
        self.doc = self.title_doc.min(self.body_doc);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if self.title_doc < target {
            self.title_doc = self.title.seek(target);
        }
        if self.body_doc < target {
            self.body_doc = self.body.seek(target);
        }
        self.doc = self.title_doc.min(self.body_doc);
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
        if self.body_doc == doc {
            tf += self.body.term_freq() as Score;
        }
        if self.title_doc == doc {
            tf += self.repeat * self.title.term_freq() as Score;
        }
        let norm = self.norms.get(doc as usize).copied().unwrap_or(1.0);
        self.weight * tf / (tf + norm)
    }
}
