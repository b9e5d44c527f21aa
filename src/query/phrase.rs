//! Phrases on the BM25F scale of bare words.
//!
//! A phrase's frequency in the headline and in the body is combined like a
//! word's term frequencies (a headline match counts `repeat` times), then
//! saturated with the same k1, b and combined length as every bare word
//! (see [`super::bm25f`]); its IDF is the sum of its words' IDFs, as in
//! Lucene and tantivy. So `"strike ballot"` and `strike ballot` add up on
//! one scale, and a phrase scoped to one field (`title:"pay rise"`) is the
//! same phrase counted in that field only.
//!
//! Which articles match is decided by tantivy's own phrase queries (slop
//! and `"pay ri"*` prefixes included); this module only scores them. The
//! frequency is counted exactly for exact phrases; for sloppy phrases it is
//! the number of first-word positions that start a match within the slop,
//! and a prefix phrase counts 1 per field.

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

use super::bm25f::{Bm25FTermQuery, Norms};

/// One field's side of a phrase: what matches, and the words to count.
#[derive(Debug)]
pub struct FieldPhrase {
    /// tantivy's `PhraseQuery` or `PhrasePrefixQuery` on this field.
    pub matcher: Box<dyn Query>,
    /// The words with their positions in the phrase (prefix phrases: all but the last).
    pub terms: Vec<(usize, Term)>,
    pub slop: u32,
    pub prefix: bool,
}

impl Clone for FieldPhrase {
    fn clone(&self) -> Self {
        FieldPhrase {
            matcher: self.matcher.box_clone(),
            terms: self.terms.clone(),
            slop: self.slop,
            prefix: self.prefix,
        }
    }
}

/// A phrase scored by BM25F over the fields it applies to.
#[derive(Debug, Clone)]
pub struct Bm25FPhraseQuery {
    title: Option<FieldPhrase>,
    body: Option<FieldPhrase>,
    /// The phrase's first word as a BM25F word with the phrase's IDF: its
    /// scale and segment norms are the phrase's.
    shape: Bm25FTermQuery,
    repeat: Score,
}

impl Bm25FPhraseQuery {
    pub fn new(
        title: Option<FieldPhrase>,
        body: Option<FieldPhrase>,
        shape: Bm25FTermQuery,
        repeat: Score,
    ) -> Self {
        Bm25FPhraseQuery {
            title,
            body,
            shape,
            repeat,
        }
    }
}

impl Query for Bm25FPhraseQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for side in [&self.title, &self.body].into_iter().flatten() {
            side.matcher.query_terms(visitor);
        }
    }
}

/// One field's matching articles and the postings to count the phrase with.
struct Side {
    matcher: Box<dyn Scorer>,
    /// Per word: its postings (with positions) and its offset in the phrase.
    words: Vec<(SegmentPostings, u32)>,
    slop: u32,
    /// Count 1 instead of counting (prefix phrases).
    count_one: bool,
    positions: Vec<Vec<u32>>,
}

impl Side {
    fn open(phrase: &FieldPhrase, reader: &SegmentReader) -> tantivy::Result<Option<Side>> {
        let schema = reader.schema();
        let weight = phrase
            .matcher
            .weight(EnableScoring::disabled_from_schema(schema))?;
        let matcher = weight.scorer(reader, 1.0)?;
        if matcher.doc() == TERMINATED {
            return Ok(None);
        }
        let mut words = Vec::with_capacity(phrase.terms.len());
        let mut count_one = phrase.prefix;
        for (offset, term) in &phrase.terms {
            let inverted = reader.inverted_index(term.field())?;
            match inverted.read_postings(term, IndexRecordOption::WithFreqsAndPositions)? {
                Some(postings) => words.push((postings, *offset as u32)),
                None => count_one = true,
            }
        }
        Ok(Some(Side {
            matcher,
            positions: vec![Vec::new(); words.len()],
            words,
            slop: phrase.slop,
            count_one,
        }))
    }

    /// How many times the phrase occurs in `doc` (which matches), at least 1.
    fn frequency(&mut self, doc: DocId) -> u32 {
        if self.count_one || self.words.is_empty() {
            return 1;
        }
        for ((postings, _), out) in self.words.iter_mut().zip(&mut self.positions) {
            out.clear();
            if postings.doc() < doc {
                postings.seek(doc);
            }
            if postings.doc() == doc {
                postings.positions(out);
            }
        }
        let offsets: Vec<u32> = self.words.iter().map(|(_, o)| *o).collect();
        count_matches(&self.positions, &offsets, self.slop).max(1)
    }
}

/// Start positions of the first word from which every later word is found
/// at its offset, give or take `slop` positions in all.
fn count_matches(positions: &[Vec<u32>], offsets: &[u32], slop: u32) -> u32 {
    let Some((first, rest)) = positions.split_first() else {
        return 0;
    };
    let mut count = 0;
    for &start in first {
        let base = i64::from(start) - i64::from(offsets[0]);
        let mut spent = 0i64;
        let ok = rest.iter().zip(&offsets[1..]).all(|(list, &offset)| {
            let want = base + i64::from(offset);
            let best = list
                .iter()
                .map(|&p| (i64::from(p) - want).abs())
                .min()
                .unwrap_or(i64::MAX);
            spent = spent.saturating_add(best);
            spent <= i64::from(slop)
        });
        if ok {
            count += 1;
        }
    }
    count
}

impl Weight for Bm25FPhraseQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let title = match &self.title {
            Some(p) => Side::open(p, reader)?,
            None => None,
        };
        let body = match &self.body {
            Some(p) => Side::open(p, reader)?,
            None => None,
        };
        if title.is_none() && body.is_none() {
            return Ok(Box::new(EmptyScorer));
        }
        let mut scorer = PhraseScorer {
            title,
            body,
            doc: 0,
            norms: self.shape.segment_norms(reader)?,
            scale: self.shape.scale() * boost,
            repeat: self.repeat,
        };
        scorer.doc = scorer.current();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("passim BM25F phrase", scorer.score()))
    }
}

/// The union of a phrase's headline and body matches.
struct PhraseScorer {
    title: Option<Side>,
    body: Option<Side>,
    doc: DocId,
    norms: Norms,
    scale: Score,
    repeat: Score,
}

impl PhraseScorer {
    fn side_doc(side: &Option<Side>) -> DocId {
        side.as_ref().map_or(TERMINATED, |s| s.matcher.doc())
    }

    fn current(&self) -> DocId {
        Self::side_doc(&self.title).min(Self::side_doc(&self.body))
    }
}

impl DocSet for PhraseScorer {
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        for side in [&mut self.title, &mut self.body].into_iter().flatten() {
            if side.matcher.doc() == doc {
                side.matcher.advance();
            }
        }
        self.doc = self.current();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for side in [&mut self.title, &mut self.body].into_iter().flatten() {
            if side.matcher.doc() < target {
                side.matcher.seek(target);
            }
        }
        self.doc = self.current();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        [&self.title, &self.body]
            .into_iter()
            .flatten()
            .map(|s| s.matcher.size_hint())
            .sum()
    }
}

impl Scorer for PhraseScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut tf = 0.0;
        if let Some(side) = self.body.as_mut().filter(|s| s.matcher.doc() == doc) {
            tf += side.frequency(doc) as Score;
        }
        if let Some(side) = self.title.as_mut().filter(|s| s.matcher.doc() == doc) {
            tf += self.repeat * side.frequency(doc) as Score;
        }
        let norm = self.norms.of(doc);
        self.scale * tf / (tf + norm)
    }
}

#[cfg(test)]
mod tests {
    use super::count_matches;

    #[test]
    fn counts_exact_and_sloppy_phrase_starts() {
        // "pay rise" at 3-4 and 10-11; "pay" alone at 7.
        let positions = vec![vec![3, 7, 10], vec![4, 11, 20]];
        assert_eq!(count_matches(&positions, &[0, 1], 0), 2);
        // With one position of slop, "pay" at 7 is still 3 from "rise" at 4 or 11: no.
        assert_eq!(count_matches(&positions, &[0, 1], 1), 2);
        assert_eq!(count_matches(&positions, &[0, 1], 3), 3);
        assert_eq!(count_matches(&[vec![5], vec![]], &[0, 1], 2), 0);
    }
}
