//! The JSON shapes passim writes: `passim search --json` (JSON Lines of hit
//! and summary objects) and the HTTP API (the same objects in one document,
//! and whole articles). One home, so the two cannot drift apart.

use std::ops::Range;

use serde::Serialize;

use crate::index::schema::{self, Meta};
use crate::search::{ArticleView, Facets, Hit, SearchResults};

/// One highlight in JSON: a byte range `start..end`.
#[derive(Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Highlight ranges as JSON `{"start","end"}` objects.
pub fn spans(ranges: &[Range<usize>]) -> Vec<Span> {
    ranges
        .iter()
        .map(|r| Span {
            start: r.start,
            end: r.end,
        })
        .collect()
}

#[derive(Serialize)]
pub(crate) struct JsonPassage<'a> {
    paragraph: usize,
    offset: usize,
    text: &'a str,
    highlights: Vec<Span>,
    trimmed_start: bool,
    trimmed_end: bool,
    score: f32,
}

#[derive(Serialize)]
pub struct JsonHit<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    qid: Option<&'a str>,
    rank: usize,
    score: f32,
    id: &'a str,
    path: &'a str,
    title: &'a str,
    title_highlights: Vec<Span>,
    has_headline: bool,
    passages: Vec<JsonPassage<'a>>,
    #[serde(flatten)]
    about: MetaJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<&'a serde_json::value::RawValue>,
    /// Articles with the same body, collapsed into this hit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also_in: Vec<JsonDuplicate<'a>>,
}

/// An article's metadata, as fields of a hit or article object: `date`
/// (ISO 8601), `date_from: "file"` when that date is the file's modification
/// time, `url`, `source`, `author`, `language`; each left out when unknown.
#[derive(Serialize)]
pub struct MetaJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_from: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
}

impl<'a> MetaJson<'a> {
    pub fn new(meta: &'a Meta) -> Self {
        MetaJson {
            date: meta.date.as_deref(),
            date_from: meta.date_from_file.then_some(schema::DATE_FROM_FILE),
            url: meta.url.as_deref(),
            source: meta.source.as_deref(),
            author: meta.author.as_deref(),
            language: meta.language.as_deref(),
        }
    }
}

/// An article collapsed into a hit because its body is the same.
#[derive(Serialize)]
pub struct JsonDuplicate<'a> {
    id: &'a str,
    path: &'a str,
}

/// A "did you mean" suggestion: `{"word","suggestion"}`.
#[derive(Serialize)]
pub struct JsonSuggestion<'a> {
    word: &'a str,
    suggestion: &'a str,
}

impl<'a> JsonHit<'a> {
    pub fn new(hit: &'a Hit, qid: Option<&'a str>) -> Self {
        JsonHit {
            kind: "hit",
            qid,
            rank: hit.rank,
            score: hit.score,
            id: &hit.id,
            path: &hit.path,
            title: &hit.title,
            title_highlights: spans(&hit.title_highlights),
            has_headline: hit.has_headline,
            passages: hit
                .passages
                .iter()
                .map(|p| JsonPassage {
                    paragraph: p.paragraph,
                    offset: p.offset,
                    text: &p.text,
                    highlights: spans(&p.highlights),
                    trimmed_start: p.trimmed_start,
                    trimmed_end: p.trimmed_end,
                    score: p.score,
                })
                .collect(),
            about: MetaJson::new(&hit.meta),
            meta: hit
                .extra
                .as_deref()
                .and_then(|e| serde_json::from_str(e).ok()),
            also_in: hit
                .also_in
                .iter()
                .map(|d| JsonDuplicate {
                    id: &d.id,
                    path: &d.path,
                })
                .collect(),
        }
    }
}

/// The results of one query as one JSON document, `{"hits":[…],"summary":{…}}`,
/// holding the same hit and summary objects as `passim search --json`.
pub fn json_document(results: &SearchResults) -> JsonDocument<'_> {
    JsonDocument {
        hits: results
            .hits
            .iter()
            .map(|hit| JsonHit::new(hit, None))
            .collect(),
        summary: JsonSummary::new(results, None),
    }
}

/// See [`json_document`].
#[derive(Serialize)]
pub struct JsonDocument<'a> {
    hits: Vec<JsonHit<'a>>,
    summary: JsonSummary<'a>,
}

#[derive(Serialize)]
pub struct JsonSummary<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    qid: Option<&'a str>,
    query: &'a str,
    hits: usize,
    total_hits: usize,
    /// `eq`: `total_hits` counts every match; `gte`: it is a lower bound
    /// (matches that could not reach the top were skipped; `--exact-count`).
    total_hits_relation: &'static str,
    /// Hits skipped before these (`--offset`, `offset=`); left out when 0.
    #[serde(skip_serializing_if = "is_zero")]
    offset: usize,
    elapsed_ms: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suggestions: Vec<JsonSuggestion<'a>>,
    /// The query with the suggestions in, when there are suggestions.
    #[serde(skip_serializing_if = "Option::is_none")]
    did_you_mean: Option<String>,
    /// Set when the query matched nothing and these are the hits of the
    /// query with its suggestions in.
    #[serde(skip_serializing_if = "Option::is_none")]
    corrected_query: Option<&'a str>,
    /// Matching articles per source and per year (`--facets`, `facets=1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    facets: Option<FacetsJson<'a>>,
    /// Set when the filters left none of the articles the words match: how
    /// many those are.
    #[serde(skip_serializing_if = "Option::is_none")]
    unfiltered_hits: Option<usize>,
}

/// `{"source": [{"value", "count"}…], "year": [{"value", "count"}…]}`:
/// sources most first, years in order; a `null` value counts the matches
/// without a source or date, so each list adds up to `total_hits`.
#[derive(Serialize)]
pub struct FacetsJson<'a> {
    source: Vec<FacetJson<Option<&'a str>>>,
    year: Vec<FacetJson<Option<i64>>>,
}

#[derive(Serialize)]
pub struct FacetJson<T> {
    value: T,
    count: u64,
}

impl<'a> FacetsJson<'a> {
    pub fn new(facets: &'a Facets) -> Self {
        FacetsJson {
            source: facets
                .sources
                .iter()
                .map(|(value, count)| FacetJson {
                    value: value.as_deref(),
                    count: *count,
                })
                .collect(),
            year: facets
                .years
                .iter()
                .map(|&(value, count)| FacetJson { value, count })
                .collect(),
        }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl<'a> JsonSummary<'a> {
    pub fn new(results: &'a SearchResults, qid: Option<&'a str>) -> Self {
        JsonSummary {
            kind: "summary",
            qid,
            query: &results.query,
            hits: results.hits.len(),
            total_hits: results.total_hits,
            total_hits_relation: match results.total_exact {
                true => "eq",
                false => "gte",
            },
            offset: results.offset,
            elapsed_ms: (results.elapsed.as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
            suggestions: results
                .suggestions
                .iter()
                .map(|s| JsonSuggestion {
                    word: &s.word,
                    suggestion: &s.suggestion,
                })
                .collect(),
            did_you_mean: results.did_you_mean(),
            corrected_query: results.corrected_query.as_deref(),
            facets: results.facets.as_ref().map(FacetsJson::new),
            unfiltered_hits: results.filtered_out.as_ref().map(|f| f.total_hits),
        }
    }
}

/// The answer of `GET /api/search`: `passim search --json`'s hits and
/// summary in one document, and the notes the CLI writes on stderr.
#[derive(Serialize)]
pub struct SearchJson<'a> {
    #[serde(flatten)]
    pub document: JsonDocument<'a>,
    pub notes: &'a [String],
}

impl<'a> SearchJson<'a> {
    pub fn new(results: &'a SearchResults) -> Self {
        SearchJson {
            document: json_document(results),
            notes: &results.notes,
        }
    }
}

/// One whole article, as `GET /api/articles/{id}` returns it.
#[derive(Serialize)]
pub struct ArticleJson<'a> {
    id: &'a str,
    path: &'a str,
    title: &'a str,
    /// Byte ranges into `title`.
    title_highlights: Vec<Span>,
    /// False when the first sentence stands in for a missing headline.
    has_headline: bool,
    title_trimmed: bool,
    body: &'a str,
    /// Byte ranges into `body`: every match of the query.
    highlights: Vec<Span>,
    /// Byte ranges into `body`; paragraph N (as in a passage's `paragraph`) is the N-th.
    paragraphs: Vec<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<&'a str>,
    notes: &'a [String],
    #[serde(flatten)]
    about: MetaJson<'a>,
}

impl<'a> ArticleJson<'a> {
    /// The article, and the query whose matches it highlights, if any.
    pub fn new(view: &'a ArticleView, query: Option<&'a str>) -> Self {
        ArticleJson {
            id: &view.id,
            path: &view.path,
            title: &view.title,
            title_highlights: spans(&view.title_highlights),
            has_headline: view.has_headline,
            title_trimmed: view.title_trimmed,
            body: &view.body,
            highlights: spans(&view.highlights),
            paragraphs: spans(&view.paragraphs),
            query,
            notes: &view.notes,
            about: MetaJson::new(&view.meta),
        }
    }
}

/// A failed API request: `{"error": message}`.
#[derive(Serialize)]
pub struct ErrorJson<'a> {
    pub error: &'a str,
}
