//! Filters, date order and facets, inside the collection of matches.
//!
//! A [`Filtered`] collector wraps the ranking's collectors: each matching
//! article is checked against the [`Filter`] (on fast fields: the date as a
//! timestamp, the source and path as per-segment dictionaries) before it
//! can enter the top N or the count, so a filtered search returns the best
//! N articles that pass. [`by_date`] keeps the newest or oldest N matches
//! instead of the best scoring; [`FacetCounts`] counts matches per source
//! and per year.

use std::collections::BTreeMap;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue, SortByString};
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Order, Score, SegmentOrdinal, SegmentReader};

use crate::index::schema::{DATE_TS, ID, PATH, SOURCE};
use crate::ingest::date;
use crate::query::filter::{self, Constraint, Filter};

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first (the default).
    #[default]
    Relevance,
    /// Oldest first; articles without a date last.
    DateAscending,
    /// Newest first; articles without a date last.
    DateDescending,
}

impl Sort {
    /// Reads `relevance`, `date` (oldest first) or `-date` (newest first).
    pub fn parse(text: &str) -> Option<Sort> {
        match text.trim().to_ascii_lowercase().as_str() {
            "relevance" | "score" => Some(Sort::Relevance),
            "date" | "+date" | "oldest" => Some(Sort::DateAscending),
            "-date" | "newest" => Some(Sort::DateDescending),
            _ => None,
        }
    }

    /// The names [`Sort::parse`] reads, for messages.
    pub const NAMES: &'static str = "relevance, date (oldest first) or -date (newest first)";
}

/// The filter, ready for one segment.
pub(super) struct SegmentFilter {
    checks: Vec<Check>,
}

enum Check {
    Date {
        column: Column<i64>,
        since: i64,
        until: i64,
    },
    /// Whether the document's value (a term ordinal of a text fast field)
    /// is one of the allowed ones; `negated`: is none of them.
    Term {
        column: Option<StrColumn>,
        allowed: Vec<bool>,
        negated: bool,
    },
}

impl SegmentFilter {
    pub(super) fn new(filter: &Filter, segment: &SegmentReader) -> tantivy::Result<SegmentFilter> {
        let ff = segment.fast_fields();
        let mut checks = Vec::with_capacity(filter.constraints.len());
        for constraint in &filter.constraints {
            checks.push(match constraint {
                Constraint::Date { since, until } => Check::Date {
                    column: ff.i64(DATE_TS)?,
                    since: since.unwrap_or(i64::MIN),
                    until: until.unwrap_or(i64::MAX),
                },
                Constraint::Source { names, negated } => {
                    let column = ff.str(SOURCE)?;
                    let allowed = allowed_terms(column.as_ref(), |source| {
                        names.iter().any(|n| filter::source_matches(source, n))
                    })?;
                    Check::Term {
                        column,
                        allowed,
                        negated: *negated,
                    }
                }
                Constraint::Path { globs, negated } => {
                    let matchers = globs
                        .iter()
                        .map(|g| filter::path_matcher(g).map(|m| (m, g)))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| tantivy::TantivyError::InvalidArgument(e.to_string()))?;
                    let column = ff.str(PATH)?;
                    let allowed = allowed_terms(column.as_ref(), |path| {
                        matchers
                            .iter()
                            .any(|(m, g)| filter::path_matches(m, g, path))
                    })?;
                    Check::Term {
                        column,
                        allowed,
                        negated: *negated,
                    }
                }
            });
        }
        Ok(SegmentFilter { checks })
    }

    pub(super) fn accepts(&self, doc: DocId) -> bool {
        self.checks.iter().all(|check| match check {
            Check::Date {
                column,
                since,
                until,
            } => column.first(doc).is_some_and(|t| *since <= t && t < *until),
            Check::Term {
                column,
                allowed,
                negated,
            } => {
                let hit = column
                    .as_ref()
                    .and_then(|c| c.ords().first(doc))
                    .and_then(|ord| allowed.get(usize::try_from(ord).ok()?).copied())
                    .unwrap_or(false);
                hit != *negated
            }
        })
    }
}

/// For each term of a segment's text fast field, whether `keep` accepts it:
/// the dictionary is read once per segment, documents then test an ordinal.
fn allowed_terms(
    column: Option<&StrColumn>,
    mut keep: impl FnMut(&str) -> bool,
) -> tantivy::Result<Vec<bool>> {
    let Some(column) = column else {
        return Ok(Vec::new());
    };
    let mut allowed = vec![false; column.dictionary().num_terms()];
    let mut stream = column.dictionary().stream()?;
    let mut ord = 0;
    while stream.advance() {
        if let (Ok(term), Some(slot)) = (std::str::from_utf8(stream.key()), allowed.get_mut(ord)) {
            *slot = keep(term);
        }
        ord += 1;
    }
    Ok(allowed)
}

/// `inner`, fed only the matches that pass `filter`.
pub(super) struct Filtered<'f, C> {
    pub filter: &'f Filter,
    pub inner: C,
}

pub(super) struct FilteredSegment<S> {
    filter: SegmentFilter,
    inner: S,
}

impl<C: Collector> Collector for Filtered<'_, C> {
    type Fruit = C::Fruit;
    type Child = FilteredSegment<C::Child>;

    fn for_segment(
        &self,
        segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(FilteredSegment {
            filter: SegmentFilter::new(self.filter, segment)?,
            inner: self.inner.for_segment(segment_local_id, segment)?,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        segment_fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(segment_fruits)
    }
}

impl<S: SegmentCollector> SegmentCollector for FilteredSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.filter.accepts(doc) {
            self.inner.collect(doc, score);
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.inner.harvest()
    }
}

/// A match's key in date order: its date, score and article id.
pub(super) type DateKey = (Option<i64>, Score, Option<String>);

/// The first `limit` matches by date (see [`Sort`]); on the same date the
/// better match first, then article id order, so that the order does not
/// depend on how the index is split into segments. Articles without a
/// date come last either way.
pub(super) fn by_date(
    limit: usize,
    descending: bool,
) -> impl Collector<Fruit = Vec<(DateKey, DocAddress)>> {
    let order = if descending { Order::Desc } else { Order::Asc };
    TopDocs::with_limit(limit).order_by((
        (SortByStaticFastValue::<i64>::for_field(DATE_TS), order),
        (SortBySimilarityScore, Order::Desc),
        (SortByString::for_field(ID), Order::Asc),
    ))
}

/// Matches per source and per year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    /// `(source, count)`, most first (then by name); `None`: no source.
    pub sources: Vec<(Option<String>, u64)>,
    /// `(year, count)`, by year; `None`: no date.
    pub years: Vec<(Option<i64>, u64)>,
}

/// Counts matches per source and per year (no scoring needed).
pub(super) struct FacetCounts;

pub(super) struct FacetSegment {
    sources: Option<StrColumn>,
    dates: Column<i64>,
    by_ord: Vec<u64>,
    no_source: u64,
    years: BTreeMap<Option<i64>, u64>,
    /// The year of the last date seen, as `[start, end)` seconds and its
    /// count so far: matches come in document order, which is mostly date
    /// order, so most dates fall in the same year as the one before.
    run: Option<(i64, i64, i64, u64)>,
    undated: u64,
}

type SegmentFacets = (BTreeMap<Option<String>, u64>, BTreeMap<Option<i64>, u64>);

impl Collector for FacetCounts {
    type Fruit = Facets;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let ff = segment.fast_fields();
        let sources = ff.str(SOURCE)?;
        let terms = sources.as_ref().map_or(0, |c| c.dictionary().num_terms());
        Ok(FacetSegment {
            sources,
            dates: ff.i64(DATE_TS)?,
            by_ord: vec![0; terms],
            no_source: 0,
            years: BTreeMap::new(),
            run: None,
            undated: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFacets>) -> tantivy::Result<Facets> {
        let mut sources: BTreeMap<Option<String>, u64> = BTreeMap::new();
        let mut years: BTreeMap<Option<i64>, u64> = BTreeMap::new();
        for (s, y) in fruits {
            for (k, n) in s {
                *sources.entry(k).or_default() += n;
            }
            for (k, n) in y {
                *years.entry(k).or_default() += n;
            }
        }
        let mut sources: Vec<_> = sources.into_iter().collect();
        // Most first; the "no source" count last.
        sources.sort_by(|a, b| {
            (a.0.is_none(), std::cmp::Reverse(a.1), &a.0).cmp(&(
                b.0.is_none(),
                std::cmp::Reverse(b.1),
                &b.0,
            ))
        });
        let mut years: Vec<_> = years.into_iter().collect();
        years.sort_by_key(|(y, _)| (y.is_none(), *y));
        Ok(Facets { sources, years })
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = SegmentFacets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let ord = self.sources.as_ref().and_then(|c| c.ords().first(doc));
        match ord.and_then(|o| self.by_ord.get_mut(usize::try_from(o).ok()?)) {
            Some(n) => *n += 1,
            None => self.no_source += 1,
        }
        let Some(t) = self.dates.first(doc) else {
            self.undated += 1;
            return;
        };
        match &mut self.run {
            Some((start, end, _, n)) if *start <= t && t < *end => *n += 1,
            run => {
                if let Some((_, _, year, n)) = run.take() {
                    *self.years.entry(Some(year)).or_default() += n;
                }
                let year = date::year_of(t);
                let (start, end) = date::period(&format!("{year:04}")).unwrap_or((t, t + 1));
                *run = Some((start, end, year, 1));
            }
        }
    }

    fn harvest(mut self) -> SegmentFacets {
        if let Some((_, _, year, n)) = self.run.take() {
            *self.years.entry(Some(year)).or_default() += n;
        }
        if self.undated > 0 {
            *self.years.entry(None).or_default() += self.undated;
        }
        let mut sources = BTreeMap::new();
        if self.no_source > 0 {
            sources.insert(None, self.no_source);
        }
        if let Some(column) = &self.sources {
            let mut name = String::new();
            for (ord, &n) in self.by_ord.iter().enumerate() {
                if n > 0 && column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    *sources.entry(Some(name.clone())).or_default() += n;
                }
            }
        }
        (sources, self.years)
    }
}
