//! Running a query: ranked hits with their passages and highlights.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument};

use crate::highlight::{self, Match};
use crate::indexer;
use crate::passages::{self, PassageOptions};
use crate::query::{self, CompiledQuery, Pattern, RankSettings, Syntax};
use crate::schema::{self, Fields, TextField};
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
        let mut analyzer = schema::analyzer();
        let expanded = self.feedback(&searcher, &compiled, &opts.rank, &mut analyzer)?;
        let ranking = expanded.as_deref().unwrap_or(compiled.query.as_ref());
        let collector = (
            TopDocs::with_limit(opts.limit.max(1)).order_by_score(),
            Count,
        );
        let (top, total_hits) = searcher.search(ranking, &collector)?;
        let mut hits = Vec::with_capacity(top.len());
        for (rank, (score, address)) in top.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(address)?;
            let stored = schema::from_document(&self.fields, &doc);
            let body_matches = if opts.passages.count == 0 {
                Vec::new()
            } else {
                highlight::find_in(&stored.body, &compiled.targets, TextField::Body)
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
                let matches =
                    highlight::find_in(&stored.title, &compiled.targets, TextField::Title);
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
    /// RM3 pseudo-relevance feedback: the query, re-weighted and expanded
    /// with the words that stand out in its first-pass top documents. The
    /// original query stays required, so the same articles match and the
    /// highlights (the words the user typed) stay exact; feedback only
    /// changes the order. `None` when feedback does not apply (short
    /// queries: a one- or two-word query ranks by its own words only).
    fn feedback(
        &self,
        searcher: &Searcher,
        compiled: &CompiledQuery,
        rank: &RankSettings,
        analyzer: &mut TextAnalyzer,
    ) -> Result<Option<Box<dyn Query>>> {
        let fb = rank.feedback;
        if fb.docs == 0 || fb.terms == 0 {
            return Ok(None);
        }
        // The query's unscoped words, with how often each was typed.
        let mut original: HashMap<&str, f32> = HashMap::new();
        for t in &compiled.targets {
            if let (Pattern::Term(word), None) = (&t.pattern, t.field) {
                *original.entry(word.as_str()).or_default() += 1.0;
            }
        }
        if original.len() < fb.min_query_terms {
            return Ok(None);
        }
        let base = compiled.query.as_ref();
        let first = searcher.search(base, &TopDocs::with_limit(fb.docs).order_by_score())?;
        if first.is_empty() {
            return Ok(None);
        }
        let stop = stemmed_stopwords(analyzer);
        // Relevance model: P(w|R) ∝ Σ_D P(w|D) · P(D|Q), with P(D|Q) ∝ exp(BM25
        // score): a softmax, so the clearly best documents dominate the model.
        let top_score = first[0].0;
        let mut model: HashMap<String, f32> = HashMap::new();
        for (score, address) in &first {
            let doc: TantivyDocument = searcher.doc(*address)?;
            let stored = schema::from_document(&self.fields, &doc);
            let mut counts: HashMap<String, f32> = HashMap::new();
            let mut len = 0.0f32;
            for text in [&stored.title, &stored.body] {
                let mut stream = analyzer.token_stream(text);
                while let Some(token) = stream.next() {
                    len += 1.0;
                    let w = &token.text;
                    if w.len() < 2 || w.bytes().all(|b| b.is_ascii_digit()) || stop.contains(w) {
                        continue;
                    }
                    *counts.entry(w.clone()).or_default() += 1.0;
                }
            }
            if len == 0.0 {
                continue;
            }
            let doc_weight = (score - top_score).exp();
            for (w, c) in counts {
                *model.entry(w).or_default() += doc_weight * c / len;
            }
        }
        let mut expansion: Vec<(String, f32)> = model.into_iter().collect();
        expansion.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        expansion.truncate(fb.terms);
        let mass: f32 = expansion.iter().map(|(_, p)| p).sum();
        if mass <= 0.0 {
            return Ok(None);
        }
        // Score = |Q| · (λ · Σ_t q_t·BM25(t) + (1 − λ) · Σ_w P(w|R)·BM25(w)), with q_t = 1/|Q|.
        let q_len: f32 = original.values().sum();
        let lambda = fb.original_weight.clamp(0.0, 1.0);
        let stats = query::AllStats::of(searcher, &self.fields)?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(BoostQuery::new(base.box_clone(), lambda)),
        )];
        for (word, p) in &expansion {
            let boost = (1.0 - lambda) * q_len * p / mass;
            let (q, _) = query::all_field_term(searcher, &self.fields, rank, stats, word, boost)?;
            clauses.push((Occur::Should, q));
        }
        Ok(Some(Box::new(BooleanQuery::new(clauses))))
    }
}

/// The stopwords as the analyzer stems them (`because` → `becaus`).
fn stemmed_stopwords(analyzer: &mut TextAnalyzer) -> HashSet<String> {
    let mut out = HashSet::new();
    for word in query::STOPWORDS {
        let mut stream = analyzer.token_stream(word);
        while let Some(token) = stream.next() {
            out.insert(token.text.clone());
        }
    }
    out
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
