//! BM25F for one term over the headline and body fields, with k1 and b
//! chosen by passim.
//!
//! tantivy's own `TermQuery` scores one field with BM25 at fixed k1 = 1.2,
//! b = 0.75. Passim ranks unscoped words as if headline and body were one
//! field in which every headline word counts `title_repeat` times (BM25F:
//! term frequencies and lengths are combined before saturation), with its
//! own constants (see [`super::RankSettings`]). It reads the two fields'
//! postings and field norms side by side, so the index holds each word once
//! per field. Scores of several words are summed: by [`Bm25FOrQuery`] for
//! a query of bare words, by a `BooleanQuery` where words mix with phrases
//! or required and excluded clauses.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{
    DocId, DocSet, InvertedIndexReader, Score, SegmentReader, TantivyError, Term, TERMINATED,
};

use crate::index::bounds::SegmentBounds;

/// BM25F parameters and corpus statistics for one word.
#[derive(Clone, Debug)]
pub struct Bm25FTermQuery {
    /// The word in the headline field and in the body field.
    title: Term,
    body: Term,
    /// `boost × idf × (k1 + 1)`.
    weight: Score,
    repeat: Score,
    /// Which fields' postings count (`title:pay` reads only the headline's);
    /// the length normalisation is the combined one either way.
    use_title: bool,
    use_body: bool,
    /// Length normalisation by field norm id, and the constants it was
    /// computed from (k1, b, b / avg_len, repeat as bits).
    norms: Arc<NormTables>,
    norms_key: [u32; 4],
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
        let b_per_len = p.b / avg_len;
        let norms_key = [p.k1, p.b, b_per_len, p.repeat].map(f32::to_bits);
        Bm25FTermQuery {
            norms: shared_norm_tables(norms_key),
            norms_key,
            title,
            body,
            weight: p.boost * p.idf * (p.k1 + 1.0),
            repeat: p.repeat,
            use_title: true,
            use_body: true,
        }
    }

    /// The same word counted in one field only (`title:pay`, `body:pay`),
    /// on the same scale: for an article that has the word only in that
    /// field, the score is the unscoped word's.
    pub fn only(mut self, field: Field) -> Self {
        self.use_title = field == self.title.field();
        self.use_body = field == self.body.field();
        self
    }

    /// `boost × idf × (k1 + 1)`: what a term frequency's saturation is scaled by.
    pub(super) fn scale(&self) -> Score {
        self.weight
    }
}

impl Query for Bm25FTermQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        if self.use_title {
            visitor(&self.title, false);
        }
        if self.use_body {
            visitor(&self.body, false);
        }
    }
}

fn postings(reader: &SegmentReader, term: &Term) -> tantivy::Result<Option<SegmentPostings>> {
    let inverted = reader.inverted_index(term.field())?;
    Ok(match term_info(reader, &inverted, term)? {
        Some(info) => {
            Some(inverted.read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?)
        }
        None => None,
    })
}

/// Where a word's postings lie in a segment, from a per-thread memo: a
/// batch or a server looks up the same words (feedback's most of all) in
/// the same segments again and again, and a dictionary lookup costs about
/// ten times a memo hit. A segment never changes, so an entry never goes
/// stale; the memo is keyed by a hash of segment and term and checked
/// against both, and starts over when full.
fn term_info(
    reader: &SegmentReader,
    inverted: &InvertedIndexReader,
    term: &Term,
) -> tantivy::Result<Option<TermInfo>> {
    use std::hash::{Hash, Hasher};
    let segment = reader.segment_id();
    let field = term.field();
    let bytes = term.serialized_value_bytes();
    let mut hasher = rustc_hash::FxHasher::default();
    segment.hash(&mut hasher);
    field.hash(&mut hasher);
    bytes.hash(&mut hasher);
    let key = hasher.finish();
    let known = TERM_INFOS.with(|memo| {
        memo.borrow()
            .get(&key)
            .filter(|(s, f, b, _)| *s == segment && *f == field && **b == *bytes)
            .map(|(_, _, _, info)| info.clone())
    });
    if let Some(info) = known {
        return Ok(info);
    }
    let info = inverted.get_term_info(term)?;
    TERM_INFOS.with(|memo| {
        let mut memo = memo.borrow_mut();
        if memo.len() >= TERM_INFOS_KEPT {
            memo.clear();
        }
        memo.insert(key, (segment, field, bytes.into(), info.clone()));
    });
    Ok(info)
}

/// Words whose postings' places [`term_info`] keeps per thread.
const TERM_INFOS_KEPT: usize = 1 << 16;

type TermInfoMemo = rustc_hash::FxHashMap<u64, (SegmentId, Field, Box<[u8]>, Option<TermInfo>)>;

thread_local! {
    static TERM_INFOS: std::cell::RefCell<TermInfoMemo> = std::cell::RefCell::default();
}

/// The two halves of BM25's length normalisation, per fieldnorm id: an
/// article's norm `k1 · (1 − b + b · (repeat · title_len + body_len) / avg_len)`
/// is `title_part[headline id] + body_part[body id]`.
type NormTables = ([Score; 256], [Score; 256]);

/// norm = k1 · (1 − b + b · (repeat · title_len + body_len) / avg_len),
/// split into a headline part and a body part, one table each.
fn norm_tables(k1: Score, b: Score, b_per_len: Score, repeat: Score) -> NormTables {
    let mut title_part = [0.0; 256];
    let mut body_part = [0.0; 256];
    for id in 0..256 {
        let len = FieldNormReader::id_to_fieldnorm(id as u8) as Score;
        title_part[id] = k1 * (1.0 - b + b_per_len * repeat * len);
        body_part[id] = k1 * b_per_len * len;
    }
    (title_part, body_part)
}

thread_local! {
    /// The last norm tables made on this thread, and their constants: every
    /// word of a search (and of the next, on the same index) has the same.
    static LAST_NORM_TABLES: std::cell::RefCell<Option<([u32; 4], Arc<NormTables>)>> =
        const { std::cell::RefCell::new(None) };
}

/// [`norm_tables`] for the constants `key` (k1, b, b / avg_len, repeat as
/// bits), shared with the words before that had the same.
fn shared_norm_tables(key: [u32; 4]) -> Arc<NormTables> {
    LAST_NORM_TABLES.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((k, tables)) = last.as_ref() {
            if *k == key {
                return Arc::clone(tables);
            }
        }
        let [k1, b, b_per_len, repeat] = key.map(f32::from_bits);
        let tables = Arc::new(norm_tables(k1, b, b_per_len, repeat));
        *last = Some((key, Arc::clone(&tables)));
        tables
    })
}

/// How a scorer finds an article's norm in one segment.
#[derive(Clone)]
pub(super) enum Norms {
    /// Read from the article's two field norms when it is scored: no pass
    /// over the segment first, so a process that runs one search (as
    /// `passim search` does) pays only for the articles it scores.
    Read {
        tables: Arc<NormTables>,
        title: FieldNormReader,
        body: FieldNormReader,
    },
    /// Per article of the segment, computed once and kept for the searches
    /// that follow (a batch, the server): one load instead of two lookups.
    Kept(Arc<[Score]>),
}

impl Norms {
    #[inline]
    pub(super) fn of(&self, doc: DocId) -> Score {
        match self {
            Norms::Read {
                tables,
                title,
                body,
            } => {
                tables.0[usize::from(title.fieldnorm_id(doc))]
                    + tables.1[usize::from(body.fieldnorm_id(doc))]
            }
            Norms::Kept(norms) => norms.get(doc as usize).copied().unwrap_or(1.0),
        }
    }
}

/// Searches this process has started (see [`count_search`]).
static SEARCHES: AtomicU32 = AtomicU32::new(0);

/// Notes that a search starts. A process's first search reads norms per
/// article ([`Norms::Read`]); from its second on, each segment's norms are
/// computed once and kept ([`Norms::Kept`]). Both give the same floats.
pub fn count_search() {
    SEARCHES.fetch_add(1, Ordering::Relaxed);
}

/// What a segment's norms depend on: the segment, the two fields and the
/// BM25F constants of the norm tables (as bits).
type NormsKey = (SegmentId, Field, Field, [u32; 4]);

/// Norms of recently searched segments, shared by all threads: every word
/// of every query on a segment needs the same ones.
static SEGMENT_NORMS: Mutex<Vec<(NormsKey, Arc<[Score]>)>> = Mutex::new(Vec::new());

/// Segments whose norms are kept (oldest dropped first).
const SEGMENT_NORMS_KEPT: usize = 256;

impl Bm25FTermQuery {
    /// The most this word adds to an article's score: its weight, since
    /// `tf / (tf + norm)` stays below 1.
    pub fn max_score(&self) -> Score {
        self.weight
    }

    /// How to find an article's norm in the segment `reader`: read per
    /// article in a process's first search, kept per segment after that.
    pub(super) fn segment_norms(&self, reader: &SegmentReader) -> tantivy::Result<Norms> {
        match SEARCHES.load(Ordering::Relaxed) < 2 {
            true => self.read_norms(reader),
            false => self.kept_norms(reader),
        }
    }

    fn read_norms(&self, reader: &SegmentReader) -> tantivy::Result<Norms> {
        Ok(Norms::Read {
            tables: self.norms.clone(),
            title: reader.get_fieldnorms_reader(self.title.field())?,
            body: reader.get_fieldnorms_reader(self.body.field())?,
        })
    }

    fn kept_norms(&self, reader: &SegmentReader) -> tantivy::Result<Norms> {
        let key = (
            reader.segment_id(),
            self.title.field(),
            self.body.field(),
            self.norms_key,
        );
        let cached = |cache: &[(NormsKey, Arc<[Score]>)]| {
            cache
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, norms)| Norms::Kept(norms.clone()))
        };
        // A poisoned lock only means another search panicked: the cache is still valid.
        if let Some(norms) = cached(&SEGMENT_NORMS.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(norms);
        }
        let read = self.read_norms(reader)?;
        let norms: Arc<[Score]> = (0..reader.max_doc()).map(|doc| read.of(doc)).collect();
        let mut cache = SEGMENT_NORMS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(norms) = cached(&cache) {
            return Ok(norms);
        }
        if cache.len() >= SEGMENT_NORMS_KEPT {
            cache.remove(0);
        }
        cache.push((key, norms.clone()));
        Ok(Norms::Kept(norms))
    }

    /// The word's scorer on one segment; `None` if the segment lacks the word.
    fn bm25f_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<Bm25FScorer>> {
        Ok(self.keyed_scorer(reader, boost)?.map(|(scorer, _)| scorer))
    }

    /// The word's scorer on one segment and the start of its body postings
    /// (what its block bounds are filed under); `None` if the segment lacks
    /// the word.
    fn keyed_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<(Bm25FScorer, Option<u64>)>> {
        let title = match self.use_title {
            true => postings(reader, &self.title)?,
            false => None,
        };
        let (body, key) = match self.use_body {
            true => {
                let inverted = reader.inverted_index(self.body.field())?;
                match term_info(reader, &inverted, &self.body)? {
                    Some(info) => (
                        Some(
                            inverted
                                .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?,
                        ),
                        Some(info.postings_range.start as u64),
                    ),
                    None => (None, None),
                }
            }
            false => (None, None),
        };
        if title.is_none() && body.is_none() {
            return Ok(None);
        }
        let title = Box::new(title.unwrap_or_else(SegmentPostings::empty));
        let body = body.unwrap_or_else(SegmentPostings::empty);
        let (title_doc, body_doc) = (title.doc(), body.doc());
        let scorer = Bm25FScorer {
            title,
            body,
            title_doc,
            body_doc,
            doc: title_doc.min(body_doc),
            norms: self.segment_norms(reader)?,
            weight: self.weight * boost,
            repeat: self.repeat,
        };
        Ok(Some((scorer, key)))
    }

    /// The word's per-window bounds in a segment with block bounds
    /// `bounds` (see [`crate::index::bounds`]), if it has them there and
    /// they were written for this word's `b` and headline weight.
    fn window_bounds(
        &self,
        bounds: &SegmentBounds,
        key: Option<u64>,
        weight: Score,
    ) -> Option<WindowBounds> {
        let [k1, b, b_per_len, repeat] = self.norms_key.map(f32::from_bits);
        let written = bounds.params();
        if written.b != b || written.repeat != repeat || b_per_len.is_nan() || b_per_len <= 0.0 {
            return None;
        }
        let r = bounds.row(key?)?;
        Some(WindowBounds {
            r,
            // Bounds written at a smaller mean length (a larger b / avg_len) still hold, scaled.
            scale: (f64::from(written.b_per_len) / f64::from(b_per_len)).max(1.0),
            k1: f64::from(k1),
            weight: f64::from(weight),
        })
    }
}

/// One word's bounds per window of a segment: the most it adds to the
/// score of any article there.
struct WindowBounds {
    /// The largest `tf / (1 − b + (b / avg_len) · len)` per window, as written.
    r: Vec<f32>,
    /// What `r` is multiplied by for the current mean length.
    scale: f64,
    k1: f64,
    weight: f64,
}

impl WindowBounds {
    /// At most `weight × r / (r + k1)`, the score at the window's largest `r`.
    fn of(&self, window: usize) -> f64 {
        match self.r.get(window) {
            Some(&r) if r <= 0.0 => 0.0,
            Some(&r) => {
                let r = f64::from(r) * self.scale;
                (self.weight * r / (r + self.k1)).min(self.weight)
            }
            None => self.weight,
        }
    }
}

impl Weight for Bm25FTermQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.bm25f_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain(self.scorer(reader, 1.0)?, doc, "passim BM25F")
    }
}

/// The score of `doc` from a fresh `scorer`, or an error if it does not match.
fn explain(
    mut scorer: Box<dyn Scorer>,
    doc: DocId,
    what: &'static str,
) -> tantivy::Result<Explanation> {
    if scorer.doc() > doc || scorer.seek(doc) != doc {
        return Err(TantivyError::InvalidArgument(format!(
            "document {doc} does not match"
        )));
    }
    Ok(Explanation::new(what, scorer.score()))
}

/// Walks the headline and body postings of one word together (a union).
struct Bm25FScorer {
    /// Boxed: a `SegmentPostings` holds two decoded blocks (about a
    /// kilobyte) and a scorer is moved several times before it runs; the
    /// headline's postings are short and seldom advanced, so the extra
    /// pointer costs little where the body's would.
    title: Box<SegmentPostings>,
    body: SegmentPostings,
    /// The two postings' current documents (kept here: asking the postings
    /// costs a bounds-checked read of their decoded block).
    title_doc: DocId,
    body_doc: DocId,
    /// The smaller of the two.
    doc: DocId,
    norms: Norms,
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
        let norm = self.norms.of(doc);
        self.weight * tf / (tf + norm)
    }
}

/// A disjunction of BM25F words (what a query of bare words compiles to),
/// scored as the sum of its words' scores, exactly like a `BooleanQuery` of
/// `Should` clauses. tantivy's boolean union calls every word's scorer
/// through a `Box<dyn Scorer>`; this one holds [`Bm25FScorer`]s themselves,
/// so the per-posting work of the union is inlined.
#[derive(Clone, Debug)]
pub struct Bm25FOrQuery {
    terms: Vec<Bm25FTermQuery>,
}

impl Bm25FOrQuery {
    pub fn new(terms: Vec<Bm25FTermQuery>) -> Self {
        Bm25FOrQuery { terms }
    }
}

impl Query for Bm25FOrQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in &self.terms {
            term.query_terms(visitor);
        }
    }
}

impl Weight for Bm25FOrQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            if let Some(scorer) = term.bm25f_scorer(reader, boost)? {
                if scorer.doc() != TERMINATED {
                    scorers.push(scorer);
                }
            }
        }
        if scorers.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        Ok(Box::new(Bm25FUnion::new(scorers)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain(self.scorer(reader, 1.0)?, doc, "passim BM25F, sum of words")
    }
}

/// Documents buffered per window of the union (as in tantivy's `BufferedUnionScorer`).
const WINDOW: u32 = 4096;
const WINDOW_WORDS: usize = WINDOW as usize / 64;

/// The union of several words' [`Bm25FScorer`]s, summing their scores. Works
/// like tantivy's `BufferedUnionScorer`: each window of 4,096 documents is
/// filled word by word into a bitset and a score array, then read in order.
struct Bm25FUnion {
    scorers: Vec<Bm25FScorer>,
    bits: Box<[u64; WINDOW_WORDS]>,
    scores: Box<[Score; WINDOW as usize]>,
    /// Next bitset word to read.
    word: usize,
    window_start: DocId,
    doc: DocId,
    score: Score,
}

impl Bm25FUnion {
    fn new(scorers: Vec<Bm25FScorer>) -> Self {
        let mut union = Bm25FUnion {
            scorers,
            bits: Box::new([0; WINDOW_WORDS]),
            scores: Box::new([0.0; WINDOW as usize]),
            word: WINDOW_WORDS,
            window_start: 0,
            doc: 0,
            score: 0.0,
        };
        if union.refill() {
            union.advance();
        } else {
            union.doc = TERMINATED;
        }
        union
    }

    /// Fills the next window, starting at the smallest current document.
    fn refill(&mut self) -> bool {
        let Some(start) = self.scorers.iter().map(|s| s.doc).min() else {
            return false;
        };
        self.window_start = start;
        self.word = 0;
        self.doc = start;
        let end = start.saturating_add(WINDOW);
        for scorer in &mut self.scorers {
            while scorer.doc < end {
                let delta = (scorer.doc - start) as usize;
                self.bits[delta / 64] |= 1 << (delta % 64);
                self.scores[delta] += scorer.score();
                scorer.advance();
            }
        }
        self.scorers.retain(|s| s.doc != TERMINATED);
        true
    }

    /// Moves to the next buffered document, if the window has one.
    fn advance_buffered(&mut self) -> bool {
        while self.word < WINDOW_WORDS {
            let bits = self.bits[self.word];
            if bits != 0 {
                let bit = bits.trailing_zeros() as usize;
                self.bits[self.word] = bits & (bits - 1);
                let delta = self.word * 64 + bit;
                self.doc = self.window_start + delta as DocId;
                self.score = std::mem::take(&mut self.scores[delta]);
                return true;
            }
            self.word += 1;
        }
        false
    }
}

impl DocSet for Bm25FUnion {
    fn advance(&mut self) -> DocId {
        loop {
            if self.advance_buffered() {
                return self.doc;
            }
            if !self.refill() {
                self.doc = TERMINATED;
                return TERMINATED;
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if target - self.window_start < WINDOW {
            while self.doc < target {
                self.advance();
            }
            return self.doc;
        }
        // Beyond the window: drop it and start a new one at `target`.
        self.bits.fill(0);
        self.scores.fill(0.0);
        for scorer in &mut self.scorers {
            scorer.seek(target);
        }
        self.scorers.retain(|s| s.doc != TERMINATED);
        if !self.refill() {
            self.doc = TERMINATED;
            return TERMINATED;
        }
        self.advance()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.scorers
            .iter()
            .map(DocSet::size_hint)
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for Bm25FUnion {
    fn score(&mut self) -> Score {
        self.score
    }
}

/// The most words [`Bm25FOrQuery::for_each_pruned`] takes (one bit each in
/// a `u64`); a longer query is ranked exhaustively.
const MAX_PRUNED_WORDS: usize = 64;

/// Relative slack on every upper bound of [`Bm25FOrQuery::for_each_pruned`]:
/// a word's score is `weight × tf / (tf + norm)`, below `weight` in exact
/// arithmetic, but the rounded product and the rounded sums of several
/// words can exceed it by a few ulps (about 1e-7 each). A bound is only
/// trusted to prune with this much to spare.
const BOUND_SLACK: f64 = 1e-5;

/// What [`Bm25FOrQuery::for_each_pruned`] saw in one segment.
#[derive(Debug, Default, Clone, Copy)]
pub struct PrunedSegment {
    /// Matches visited and accepted: all of them when `exact`, else a lower bound.
    pub matches: u64,
    /// Whether every match was visited (no word's postings were skipped).
    pub exact: bool,
}

/// A window as wide as any segment (document ids stay below 2^31).
const WHOLE_SEGMENT: u32 = 31;

/// One word's postings in the MaxScore loop.
struct Cursor {
    scorer: Bm25FScorer,
    /// Most the word can add to an article's score (`weight`: `tf / (tf + norm)` < 1).
    bound: f64,
    /// The word's place in the query: scores are summed in this order, as
    /// [`Bm25FUnion`] sums them, so that the sums are the same floats.
    place: usize,
    /// Tighter bounds per window of the segment, if it has them.
    window: Option<WindowBounds>,
}

/// Every match of one word, as the exhaustive union scores it.
fn for_each_match(
    scorer: &mut Bm25FScorer,
    mut threshold: Score,
    accept: &mut dyn FnMut(DocId) -> bool,
    collect: &mut dyn FnMut(DocId, Score) -> Score,
) -> PrunedSegment {
    let mut matches = 0u64;
    let mut doc = scorer.doc;
    while doc != TERMINATED {
        if accept(doc) {
            matches += 1;
            let score = scorer.score();
            if score >= threshold {
                threshold = collect(doc, score);
            }
        }
        doc = scorer.advance();
    }
    PrunedSegment {
        matches,
        exact: true,
    }
}

/// The MaxScore loop of [`Bm25FOrQuery::for_each_pruned`], window by window of
/// `1 << window_log2` document ids, with each word's bound in the window
/// (from the segment's block bounds, or its overall bound if it has none
/// there): a window whose words together cannot reach the threshold is
/// passed over unscored, and within a window the non-essential words are
/// those whose window bounds together cannot.
fn for_each_windowed(
    cursors: &mut [Cursor],
    window_log2: u32,
    max_doc: DocId,
    mut threshold: Score,
    accept: &mut dyn FnMut(DocId) -> bool,
    collect: &mut dyn FnMut(DocId, Score) -> Score,
) -> PrunedSegment {
    let n = cursors.len();
    // Below the threshold, not at it: an article that ties the k-th
    // score can still enter the top by its id.
    let beaten = |bound: f64, threshold: Score| bound < f64::from(threshold);
    // prefix[i]: the most words 0..i can add together in this window, with slack.
    let mut prefix = vec![0.0f64; n + 1];
    // The current article's score from each word, by place; `matched`
    // has bit `place` set for the words it has (a bit set rather than
    // a vector of flags: clearing that per article cost a `memset`).
    let mut parts = [0.0 as Score; MAX_PRUNED_WORDS];
    let mut matched = 0u64;
    let mut matches = 0u64;
    let mut skipped_any = false;
    let mut start: DocId = 0;
    loop {
        // Every word at or past the window, so that a word whose next
        // article is beyond it adds nothing here.
        let mut first = TERMINATED;
        for c in cursors.iter_mut() {
            if c.scorer.doc < start {
                c.scorer.seek(start);
            }
            first = first.min(c.scorer.doc);
        }
        if first == TERMINATED || first >= max_doc {
            break;
        }
        start = first >> window_log2 << window_log2;
        // Never past the segment: `TERMINATED` must not fall inside a window.
        let end = start.saturating_add(1 << window_log2).min(max_doc);
        let window = (start >> window_log2) as usize;
        let mut sum = 0.0f64;
        for (i, c) in cursors.iter().enumerate() {
            if c.scorer.doc < end {
                sum += c.window.as_ref().map_or(c.bound, |w| w.of(window));
            }
            prefix[i + 1] = sum * (1.0 + BOUND_SLACK);
        }
        // Words 0..essential are non-essential in this window.
        let mut essential = 0;
        while essential < n && beaten(prefix[essential + 1], threshold) {
            essential += 1;
        }
        if essential == n {
            // Nothing here can reach the top.
            skipped_any = true;
            start = end;
            if end >= max_doc {
                break;
            }
            continue;
        }
        skipped_any |= essential > 0;
        loop {
            let mut doc = TERMINATED;
            for c in &cursors[essential..] {
                doc = doc.min(c.scorer.doc);
            }
            if doc >= end {
                break;
            }
            let mut partial = 0.0f64;
            for c in &mut cursors[essential..] {
                if c.scorer.doc == doc {
                    let s = c.scorer.score();
                    parts[c.place % MAX_PRUNED_WORDS] = s;
                    matched |= 1 << (c.place % MAX_PRUNED_WORDS);
                    partial += f64::from(s);
                    c.scorer.advance();
                }
            }
            if !accept(doc) {
                matched = 0;
                continue;
            }
            matches += 1;
            // The most this article can score: its essential words' scores
            // and the window bounds of the non-essential ones.
            let mut bound = partial * (1.0 + BOUND_SLACK) + prefix[essential];
            let mut complete = !beaten(bound, threshold);
            if complete {
                for i in (0..essential).rev() {
                    let c = &mut cursors[i];
                    if c.scorer.doc < doc {
                        c.scorer.seek(doc);
                    }
                    // Swap word i's bound for what it actually adds.
                    bound -= prefix[i + 1] - prefix[i];
                    if c.scorer.doc == doc {
                        let s = c.scorer.score();
                        parts[c.place % MAX_PRUNED_WORDS] = s;
                        matched |= 1 << (c.place % MAX_PRUNED_WORDS);
                        bound += f64::from(s) * (1.0 + BOUND_SLACK);
                    }
                    if beaten(bound, threshold) {
                        complete = false;
                        break;
                    }
                }
            }
            if complete {
                // In the query's order, as the union adds them.
                let mut score: Score = 0.0;
                let mut bits = matched;
                while bits != 0 {
                    score += parts[bits.trailing_zeros() as usize % MAX_PRUNED_WORDS];
                    bits &= bits - 1;
                }
                if score >= threshold {
                    threshold = collect(doc, score);
                    while essential < n && beaten(prefix[essential + 1], threshold) {
                        essential += 1;
                        skipped_any = true;
                    }
                }
            }
            matched = 0;
        }
        if end >= max_doc {
            break;
        }
        start = end;
    }
    PrunedSegment {
        matches,
        exact: !skipped_any,
    }
}

impl Bm25FOrQuery {
    /// Top-k collection with MaxScore (Turtle and Flood, 1995) over the
    /// segment `reader`: the words, ordered by how much each can add at
    /// most, split into a "non-essential" prefix whose bounds together
    /// cannot beat the current threshold and the essential rest. Only
    /// articles that contain an essential word are visited; the
    /// non-essential words are looked up (by `seek`) for those whose score
    /// could still beat the threshold. The prefix grows as the threshold
    /// rises.
    ///
    /// `accept(doc)` says whether a visited match counts (not deleted, passes
    /// the filter); `collect(doc, score)` is called for accepted matches
    /// scoring at least `threshold`, in document order, and returns the new
    /// threshold (the k-th best score: a match that ties it may still win
    /// on its article id, so only matches that cannot reach it are skipped). Scores are the same floats as the exhaustive union's: each
    /// word's score is computed the same way and the words' scores are
    /// summed in the query's order. The caller carries `threshold` from one
    /// segment to the next. `None` when the scores cannot be bounded (a
    /// negative or non-finite weight): the caller ranks exhaustively.
    pub fn for_each_pruned(
        &self,
        reader: &SegmentReader,
        bounds: Option<&SegmentBounds>,
        threshold: Score,
        accept: &mut dyn FnMut(DocId) -> bool,
        collect: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<Option<PrunedSegment>> {
        if self.terms.len() > MAX_PRUNED_WORDS
            || self
                .terms
                .iter()
                .any(|t| !(t.weight.is_finite() && t.weight >= 0.0))
        {
            return Ok(None);
        }
        let mut cursors = Vec::with_capacity(self.terms.len());
        for (place, term) in self.terms.iter().enumerate() {
            if let Some((scorer, key)) = term.keyed_scorer(reader, 1.0)? {
                if scorer.doc() != TERMINATED {
                    cursors.push(Cursor {
                        bound: f64::from(scorer.weight),
                        window: bounds.and_then(|b| term.window_bounds(b, key, scorer.weight)),
                        scorer,
                        place,
                    });
                }
            }
        }
        cursors.sort_by(|a, b| a.bound.total_cmp(&b.bound));
        if let [only] = &mut cursors[..] {
            if only.window.is_none() {
                // One word without bounds here: nothing to skip, so every
                // match is scored, without the loop's bookkeeping.
                return Ok(Some(for_each_match(
                    &mut only.scorer,
                    threshold,
                    accept,
                    collect,
                )));
            }
        }
        // Where the segment has no bounds, one window spans it and each
        // word's bound is its overall one: plain MaxScore.
        let window_log2 = bounds
            .filter(|_| cursors.iter().any(|c| c.window.is_some()))
            .map_or(WHOLE_SEGMENT, SegmentBounds::window_log2);
        Ok(Some(for_each_windowed(
            &mut cursors,
            window_log2,
            reader.max_doc(),
            threshold,
            accept,
            collect,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema;

    /// The memo of where a word's postings lie answers per segment and
    /// field: the same word in another index, or in the other field,
    /// is looked up afresh.
    #[test]
    fn term_infos_are_memoised_per_segment_and_field() {
        let (one, fields) = schema::in_memory(&[("pay", "pay rise"), ("", "pay cut")]);
        let (two, _) = schema::in_memory(&[("", "strike"), ("", "pay"), ("", "pay"), ("", "pay")]);
        let df = |searcher: &tantivy::Searcher, field: Field| {
            let reader = searcher.segment_reader(0);
            let inverted = reader.inverted_index(field).expect("inverted");
            let term = Term::from_field_text(field, "pay");
            term_info(reader, &inverted, &term)
                .expect("term info")
                .map(|info| info.doc_freq)
        };
        for _ in 0..2 {
            assert_eq!(df(&one, fields.body), Some(2));
            assert_eq!(df(&one, fields.title), Some(1));
            assert_eq!(df(&two, fields.body), Some(3));
            assert_eq!(df(&two, fields.title), None);
        }
    }

    /// Kept norms are the norms read per article, bit for bit, so the
    /// first search of a process ranks exactly as the later ones do.
    #[test]
    fn kept_norms_equal_norms_read_per_article() {
        let texts: Vec<(String, String)> = (0..300usize)
            .map(|i| {
                (
                    "pay talks ".repeat(i % 7),
                    "the union and the pay offer ".repeat(1 + i * 13 % 90),
                )
            })
            .collect();
        let (searcher, fields) = schema::in_memory(&texts);
        let reader = searcher.segment_reader(0);
        let word = |text: &str| {
            let params = Bm25FParams {
                idf: 1.5,
                boost: 1.0,
                k1: 1.2,
                b: 0.5,
                avg_len: 37.5,
                repeat: 3.0,
            };
            Bm25FTermQuery::new(
                Term::from_field_text(fields.title, text),
                Term::from_field_text(fields.body, text),
                params,
            )
        };
        let pay = word("pay");
        let (read, kept) = (
            pay.read_norms(reader).expect("read"),
            pay.kept_norms(reader).expect("kept"),
        );
        assert!(matches!(read, Norms::Read { .. }) && matches!(kept, Norms::Kept(_)));
        let distinct: std::collections::BTreeSet<u32> = (0..reader.max_doc())
            .map(|doc| read.of(doc).to_bits())
            .collect();
        assert!(distinct.len() > 50, "{}", distinct.len());
        let title_len = reader.get_fieldnorms_reader(fields.title).expect("title");
        let body_len = reader.get_fieldnorms_reader(fields.body).expect("body");
        for doc in 0..reader.max_doc() {
            assert_eq!(read.of(doc).to_bits(), kept.of(doc).to_bits(), "doc {doc}");
            // k1 · (1 − b + b · (repeat · headline + body) / avg_len)
            let len = 3.0 * title_len.fieldnorm(doc) as f64 + body_len.fieldnorm(doc) as f64;
            let want = 1.2 * (1.0 - 0.5 + 0.5 * len / 37.5);
            let got = f64::from(read.of(doc));
            assert!(
                (got - want).abs() <= want * 1e-6,
                "doc {doc}: {got} vs {want}"
            );
        }
    }
}
