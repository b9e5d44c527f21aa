//! Running a query: ranked hits with their passages and highlights.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::ops::Range;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher};

use crate::highlight::{self, Match};
use crate::indexer;
use crate::passages::{self, PassageOptions};
use crate::query::{self, CompiledQuery, Pattern, RankSettings, Syntax};
use crate::schema::{self, Fields, StoredArticle, TextField};
use crate::text;

/// Longest title shown for an article whose first sentence stands in for a headline.
const MAX_LEAD_TITLE_CHARS: usize = 200;

/// How to search.
#[derive(Debug, Clone, Copy)]
pub struct SearchOptions {
    pub limit: usize,
    pub passages: PassageOptions,
    pub syntax: Syntax,
    pub rank: RankSettings,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            passages: PassageOptions::default(),
            syntax: Syntax::Full,
            rank: RankSettings::default(),
        }
    }
}

/// One passage of a hit, ready to print.
#[derive(Debug, Clone, PartialEq)]
pub struct HitPassage {
    pub paragraph: usize,
    /// Byte offset of `text` in the stored body.
    pub offset: usize,
    pub text: String,
    /// Byte ranges into `text`.
    pub highlights: Vec<Range<usize>>,
    pub trimmed_start: bool,
    pub trimmed_end: bool,
    pub score: f32,
}

/// One ranked article.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub id: String,
    pub path: String,
    pub title: String,
    /// Byte ranges into `title`.
    pub title_highlights: Vec<Range<usize>>,
    /// False when the first sentence stands in for a missing headline.
    pub has_headline: bool,
    pub title_trimmed: bool,
    pub passages: Vec<HitPassage>,
    pub date: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub extra: Option<String>,
}

/// The answer to one query.
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub query: String,
    pub hits: Vec<Hit>,
    /// Number of matching articles, beyond `limit`.
    pub total_hits: usize,
    pub notes: Vec<String>,
    pub elapsed: Duration,
}

/// An open index, ready to answer queries.
pub struct Engine {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl Engine {
    /// Opens the index in `dir` (which must exist).
    pub fn open(dir: &Path) -> Result<Engine> {
        Engine::open_with(dir, ReloadPolicy::Manual)
    }

    /// Opens the index in `dir` for a long-running process (`passim serve`):
    /// searches see each new commit (from `passim index`) shortly after it
    /// lands, without reopening.
    pub fn open_live(dir: &Path) -> Result<Engine> {
        Engine::open_with(dir, ReloadPolicy::OnCommitWithDelay)
    }

    fn open_with(dir: &Path, policy: ReloadPolicy) -> Result<Engine> {
        let (index, fields) = indexer::open(dir)?;
        let reader = index.reader_builder().reload_policy(policy).try_into()?;
        Ok(Engine {
            index,
            reader,
            fields,
        })
    }

    /// A searcher on the latest loaded commit of the index.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The index's field handles.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The underlying tantivy index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Runs `text` and returns the top hits with passages.
    pub fn search(&self, text: &str, opts: &SearchOptions) -> Result<SearchResults> {
        let started = Instant::now();
        let searcher = self.reader.searcher();
        let compiled = query::compile(text, opts.syntax, &searcher, &self.fields, &opts.rank)?;
        let mut fetched = Vec::new();
        let (top, total_hits) = self.rank(&searcher, &compiled, opts, &mut fetched)?;
        let body_finder = highlight::Finder::new(&compiled.targets, TextField::Body);
        let title_finder = highlight::Finder::new(&compiled.targets, TextField::Title);
        let mut hits = Vec::with_capacity(top.len());
        for (rank, (score, address)) in top.into_iter().enumerate() {
            // Feedback may already have read this article.
            let stored = match fetched.iter().position(|(a, _)| *a == address) {
                Some(i) => fetched.swap_remove(i).1,
                None => searcher.doc::<StoredArticle>(address)?,
            };
            let body_matches = if opts.passages.count == 0 {
                Vec::new()
            } else {
                let found = body_finder.find(&stored.body);
                highlight::with_abbreviations(&stored.body, &found)
            };
            let chosen = passages::select(
                &stored.body,
                &body_matches,
                &compiled.weights,
                &opts.passages,
            );
            let passages = chosen
                .into_iter()
                .map(|p| HitPassage {
                    paragraph: p.paragraph,
                    offset: p.range.start,
                    text: stored.body[p.range.clone()].to_owned(),
                    highlights: relative(&p.matches, p.range.start),
                    trimmed_start: p.trimmed_start,
                    trimmed_end: p.trimmed_end,
                    score: p.score,
                })
                .collect();
            let has_headline = !stored.title.trim().is_empty();
            let (title, title_highlights, title_trimmed) = if has_headline {
                let matches = title_finder.find(&stored.title);
                (stored.title.clone(), relative(&matches, 0), false)
            } else {
                lead_title(&stored.body, &body_matches)
            };
            hits.push(Hit {
                rank: rank + 1,
                score,
                id: stored.id,
                path: stored.path,
                title,
                title_highlights,
                has_headline,
                title_trimmed,
                passages,
                date: stored.date,
                url: stored.url,
                source: stored.source,
                extra: stored.extra,
            });
        }
        Ok(SearchResults {
            query: text.to_owned(),
            hits,
            total_hits,
            notes: compiled.notes,
            elapsed: started.elapsed(),
        })
    }
}

impl Engine {
    /// The top `opts.limit` articles and how many match in all.
    ///
    /// Queries that get RM3 feedback (see [`Engine::expansion`]) are ranked
    /// in two passes: the first ranks by the query's own words and keeps the
    /// best [`RERANK_DEPTH`] (or `limit`, if more); the ten best of those
    /// feed the relevance model; the second pass re-scores the kept articles
    /// with the expansion words added. The same articles match either way and
    /// the highlights stay the words the user typed; feedback only changes
    /// the order.
    fn rank(
        &self,
        searcher: &Searcher,
        compiled: &CompiledQuery,
        opts: &SearchOptions,
        fetched: &mut Vec<(DocAddress, StoredArticle)>,
    ) -> Result<(Vec<(f32, DocAddress)>, usize)> {
        let limit = opts.limit.max(1);
        let base = compiled.query.as_ref();
        if !feedback_applies(compiled, &opts.rank) {
            let collector = (TopDocs::with_limit(limit).order_by_score(), Count);
            return Ok(searcher.search(base, &collector)?);
        }
        let depth = limit.max(RERANK_DEPTH);
        let collector = (TopDocs::with_limit(depth).order_by_score(), Count);
        let (first, total) = searcher.search(base, &collector)?;
        let fb = opts.rank.feedback;
        let feedback_docs = &first[..first.len().min(fb.docs)];
        let Some(extras) =
            self.expansion(searcher, compiled, feedback_docs, &opts.rank, fetched)?
        else {
            let mut top = first;
            top.truncate(limit);
            return Ok((top, total));
        };
        let lambda = fb.original_weight.clamp(0.0, 1.0);
        let mut top = rescore(searcher, &first, lambda, &extras)?;
        top.truncate(limit);
        Ok((top, total))
    }

    /// RM3 pseudo-relevance feedback: the words that stand out in the
    /// first-pass top documents `first`, as weighted BM25F queries to add
    /// to the query's own score. `None` when there is nothing to add.
    fn expansion(
        &self,
        searcher: &Searcher,
        compiled: &CompiledQuery,
        first: &[(f32, DocAddress)],
        rank: &RankSettings,
        fetched: &mut Vec<(DocAddress, StoredArticle)>,
    ) -> Result<Option<Vec<Box<dyn Query>>>> {
        let fb = rank.feedback;
        if first.is_empty() {
            return Ok(None);
        }
        // Relevance model: P(w|R) ∝ Σ_D P(w|D) · P(D|Q), with P(D|Q) ∝ exp(BM25
        // score): a softmax, so the clearly best documents dominate the model.
        let top_score = first[0].0;
        let expansion = FEEDBACK_WORDS.with(|words| -> Result<Vec<(String, f32)>> {
            let mut words = words.borrow_mut();
            words.start();
            let mut model: FxHashMap<u32, f32> = FxHashMap::default();
            for (score, address) in first {
                let stored: StoredArticle = searcher.doc(*address)?;
                let mut counts: FxHashMap<u32, f32> = FxHashMap::default();
                let mut len = 0.0f32;
                let body =
                    &stored.body[..text::floor_char_boundary(&stored.body, FEEDBACK_TEXT_BYTES)];
                for text in [stored.title.as_str(), body] {
                    highlight::for_each_word(text, |raw| {
                        len += 1.0;
                        if let Some(id) = words.id(raw) {
                            *counts.entry(id).or_default() += 1.0;
                        }
                    });
                }
                fetched.push((*address, stored));
                if len == 0.0 {
                    continue;
                }
                let doc_weight = (score - top_score).exp();
                for (id, c) in counts {
                    *model.entry(id).or_default() += doc_weight * c / len;
                }
            }
            let by_weight = |a: &(u32, f32), b: &(u32, f32)| {
                b.1.total_cmp(&a.1)
                    .then_with(|| words.term(a.0).cmp(words.term(b.0)))
            };
            let mut top: Vec<(u32, f32)> = model.into_iter().collect();
            if top.len() > fb.terms {
                top.select_nth_unstable_by(fb.terms, by_weight);
                top.truncate(fb.terms);
            }
            top.sort_by(by_weight);
            Ok(top
                .into_iter()
                .map(|(id, p)| (words.term(id).to_owned(), p))
                .collect())
        })?;
        let mass: f32 = expansion.iter().map(|(_, p)| p).sum();
        if mass <= 0.0 {
            return Ok(None);
        }
        // Score = |Q| · (λ · Σ_t q_t·BM25(t) + (1 − λ) · Σ_w P(w|R)·BM25(w)), with q_t = 1/|Q|.
        let q_len = original_words(compiled).values().sum::<f32>();
        let lambda = fb.original_weight.clamp(0.0, 1.0);
        let stats = query::AllStats::of(searcher, &self.fields)?;
        let mut extras: Vec<Box<dyn Query>> = Vec::with_capacity(expansion.len());
        for (word, p) in &expansion {
            let boost = (1.0 - lambda) * q_len * p / mass;
            let (q, _) = query::all_field_term(searcher, &self.fields, rank, stats, word, boost)?;
            extras.push(q);
        }
        Ok(Some(extras))
    }
}

/// Feedback reads at most this much of each article's body, so that one
/// very long article does not cost more than ordinary ones.
const FEEDBACK_TEXT_BYTES: usize = 32 * 1024;

/// How many first-pass articles feedback re-ranks (or `--limit`, if more):
/// only these can reach the top after expansion. On the six eval sets,
/// top-10 lists from a depth of 100 and of 1,000 differ in 0.8% of their
/// entries (nDCG@10 within 0.002); the re-ranking costs a tenth.
pub const RERANK_DEPTH: usize = 100;

/// The query's unscoped words, with how often each was typed.
fn original_words(compiled: &CompiledQuery) -> HashMap<&str, f32> {
    let mut original: HashMap<&str, f32> = HashMap::new();
    for t in &compiled.targets {
        if let (Pattern::Term(word), None) = (&t.pattern, t.field) {
            *original.entry(word.as_str()).or_default() += 1.0;
        }
    }
    original
}

/// Whether RM3 feedback runs for this query (long enough, feedback on).
fn feedback_applies(compiled: &CompiledQuery, rank: &RankSettings) -> bool {
    let fb = rank.feedback;
    fb.docs > 0 && fb.terms > 0 && original_words(compiled).len() >= fb.min_query_terms
}

/// Second pass of feedback: `λ × first-pass score` plus the expansion
/// words' scores, for each first-pass article, best first (ties: index order).
fn rescore(
    searcher: &Searcher,
    first: &[(f32, DocAddress)],
    lambda: f32,
    extras: &[Box<dyn Query>],
) -> Result<Vec<(f32, DocAddress)>> {
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let weights = extras
        .iter()
        .map(|q| q.weight(scoring))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let mut by_segment: Vec<(DocAddress, f32)> =
        first.iter().map(|&(score, addr)| (addr, score)).collect();
    by_segment.sort_by_key(|&(addr, _)| addr);
    let mut out = Vec::with_capacity(first.len());
    for run in by_segment.chunk_by(|a, b| a.0.segment_ord == b.0.segment_ord) {
        let reader = searcher.segment_reader(run[0].0.segment_ord);
        let mut scorers = weights
            .iter()
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        for &(addr, base) in run {
            let mut score = lambda * base;
            for scorer in &mut scorers {
                if scorer.doc() < addr.doc_id {
                    scorer.seek(addr.doc_id);
                }
                if scorer.doc() == addr.doc_id {
                    score += scorer.score();
                }
            }
            out.push((score, addr));
        }
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(out)
}

/// Words of feedback articles, interned per thread: each word as written is
/// analysed once (lower-cased, stemmed, checked against the stopwords) and
/// then counted by a number. Words feedback ignores (stopwords, numbers,
/// single letters) map to no number.
#[derive(Default)]
struct FeedbackWords {
    /// Word as written → its term's number, or `None` if ignored.
    written: FxHashMap<String, Option<u32>>,
    numbers: FxHashMap<String, u32>,
    terms: Vec<String>,
    lower: String,
    stem: String,
}

/// Words kept before the interner starts over (checked between queries).
const FEEDBACK_WORDS_MAX: usize = 500_000;

thread_local! {
    static FEEDBACK_WORDS: std::cell::RefCell<FeedbackWords> =
        std::cell::RefCell::new(FeedbackWords::default());
}

impl FeedbackWords {
    /// Called before each query: bounds the memory.
    fn start(&mut self) {
        if self.written.len() > FEEDBACK_WORDS_MAX {
            *self = FeedbackWords::default();
        }
    }

    fn id(&mut self, raw: &str) -> Option<u32> {
        if let Some(&id) = self.written.get(raw) {
            return id;
        }
        highlight::term_of(raw, &mut self.lower, &mut self.stem);
        let w = self.stem.as_str();
        let id = if w.len() < 2
            || w.bytes().all(|b| b.is_ascii_digit())
            || stemmed_stopwords().contains(w)
        {
            None
        } else if let Some(&n) = self.numbers.get(w) {
            Some(n)
        } else {
            let n = self.terms.len() as u32;
            self.terms.push(w.to_owned());
            self.numbers.insert(w.to_owned(), n);
            Some(n)
        };
        self.written.insert(raw.to_owned(), id);
        id
    }

    fn term(&self, id: u32) -> &str {
        self.terms.get(id as usize).map_or("", String::as_str)
    }
}

/// The stopwords as the analyzer stems them (`because` → `becaus`).
/// Computed once per process.
fn stemmed_stopwords() -> &'static rustc_hash::FxHashSet<String> {
    static STOP: std::sync::OnceLock<rustc_hash::FxHashSet<String>> = std::sync::OnceLock::new();
    STOP.get_or_init(|| {
        let mut analyzer = schema::analyzer();
        let mut out = rustc_hash::FxHashSet::default();
        for word in query::STOPWORDS {
            let mut stream = analyzer.token_stream(word);
            while let Some(token) = stream.next() {
                out.insert(token.text.clone());
            }
        }
        out
    })
}

/// Highlight ranges of `matches`, relative to `base`.
fn relative(matches: &[Match], base: usize) -> Vec<Range<usize>> {
    highlight::merge_spans(matches)
        .into_iter()
        .map(|r| r.start - base..r.end - base)
        .collect()
}

/// The title of an article without a headline: its first sentence (cut at a
/// word boundary if very long), highlighted like the body. Returns the title,
/// its highlights (byte ranges into it) and whether it was cut.
pub fn lead_title(body: &str, body_matches: &[Match]) -> (String, Vec<Range<usize>>, bool) {
    let lead = text::lead_sentence(body);
    let kept = text::trim_at_words(
        body,
        lead.clone(),
        lead.start..lead.start,
        MAX_LEAD_TITLE_CHARS,
    );
    let inside: Vec<Match> = body_matches
        .iter()
        .filter(|m| m.span.start >= kept.start && m.span.end <= kept.end)
        .cloned()
        .collect();
    (
        body[kept.clone()].to_owned(),
        relative(&inside, kept.start),
        kept.end < lead.end,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur};

    #[test]
    fn rescore_matches_required_plus_optional_boolean_query() {
        let (searcher, fields) = schema::in_memory(&[
            ("", "union pay strike ballot"),
            ("", "pay rise for nurses"),
            ("", "strike called off"),
            ("", "ballot result on pay and pensions"),
            ("", "nurses union ballot"),
            ("", "weather report"),
        ]);
        let rank = RankSettings::default();
        let stats = query::AllStats::of(&searcher, &fields).expect("stats");
        let term = |w: &str, boost: f32| {
            query::all_field_term(&searcher, &fields, &rank, stats, w, boost)
                .expect("term")
                .0
        };
        let base: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (Occur::Should, term("pay", 1.0)),
            (Occur::Should, term("strike", 1.0)),
        ]));
        let extras = vec![term("ballot", 0.4), term("nurs", 0.2), term("union", 0.3)];
        let lambda = 0.7;

        let first = searcher
            .search(&base, &TopDocs::with_limit(10).order_by_score())
            .expect("first pass");
        let got = rescore(&searcher, &first, lambda, &extras).expect("rescore");

        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(BoostQuery::new(base.box_clone(), lambda)),
        )];
        clauses.extend(extras.iter().map(|q| (Occur::Should, q.box_clone())));
        let want = searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(10).order_by_score(),
            )
            .expect("boolean");
        let docs = |v: &[(f32, DocAddress)]| v.iter().map(|(_, a)| a.doc_id).collect::<Vec<_>>();
        // Articles 0-3 match pay or strike; 0 also has ballot and union, 3 ballot, 1 nurses.
        assert_eq!(docs(&got), docs(&want));
        assert_eq!(docs(&got)[0], 0);
        assert_eq!(got.len(), 4);
        for ((a, _), (b, _)) in got.iter().zip(&want) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }
}
