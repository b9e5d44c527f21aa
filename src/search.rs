//! Running a query: ranked hits with their passages and highlights.

use std::ops::Range;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use tantivy::collector::{Count, TopDocs};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument};

use crate::highlight::{self, Match};
use crate::indexer;
use crate::passages::{self, PassageOptions};
use crate::query::{self, RankSettings, Syntax};
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
        let (index, fields) = indexer::open(dir)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Engine {
            index,
            reader,
            fields,
        })
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
        let collector = (
            TopDocs::with_limit(opts.limit.max(1)).order_by_score(),
            Count,
        );
        let (top, total_hits) = searcher.search(compiled.query.as_ref(), &collector)?;
        let mut analyzer = schema::analyzer();
        let mut hits = Vec::with_capacity(top.len());
        for (rank, (score, address)) in top.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(address)?;
            let stored = schema::from_document(&self.fields, &doc);
            let body_matches = if opts.passages.count == 0 {
                Vec::new()
            } else {
                let body_tokens = highlight::tokenize(&mut analyzer, &stored.body);
                highlight::find(&body_tokens, &compiled.targets, TextField::Body)
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
                let tokens = highlight::tokenize(&mut analyzer, &stored.title);
                let matches = highlight::find(&tokens, &compiled.targets, TextField::Title);
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

/// Highlight ranges of `matches`, relative to `base`.
fn relative(matches: &[Match], base: usize) -> Vec<Range<usize>> {
    highlight::merge_spans(matches)
        .into_iter()
        .map(|r| r.start - base..r.end - base)
        .collect()
}

/// The title of an article without a headline: its first sentence (cut at a
/// word boundary if very long), highlighted like the body.
fn lead_title(body: &str, body_matches: &[Match]) -> (String, Vec<Range<usize>>, bool) {
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
