//! Hit assembly: a stored article and the query's targets → a [`Hit`]
//! (headline, passages, highlights) or a whole-article [`ArticleView`].

use std::ops::Range;
use std::time::Duration;

use crate::index::schema::{Meta, StoredArticle, TextField};
use crate::query::{CompiledQuery, Target};
use crate::snippet::abbrev::with_abbreviations;
use crate::snippet::highlight::{self, Finder, Match};
use crate::snippet::passages::{self, Passage, PassageOptions};
use crate::snippet::sentences as text;

pub use super::suggest::Suggestion;

/// Longest title shown for an article whose first sentence stands in for a headline.
const MAX_LEAD_TITLE_CHARS: usize = 200;

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
    /// Text of the same paragraph was left out between the previous passage
    /// and this one (the printer marks the gap).
    pub gap_before: bool,
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
    pub meta: Meta,
    pub extra: Option<String>,
    /// Other articles with the same body (see `search::duplicates`), best ranked first.
    pub also_in: Vec<Duplicate>,
}

/// An article whose body is the same as a hit's, shown with it rather than
/// as a hit of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    pub id: String,
    pub path: String,
}

/// The answer to one query.
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub query: String,
    /// Hits skipped before `hits` (`--offset`): the first hit has rank `offset + 1`.
    pub offset: usize,
    pub hits: Vec<Hit>,
    /// Number of matching articles, beyond `limit`; copies collapsed into a
    /// hit's `also_in` are counted too.
    pub total_hits: usize,
    /// Whether `total_hits` counts every match; else it is a lower bound
    /// (matches that could not reach the top were skipped uncounted).
    pub total_exact: bool,
    pub notes: Vec<String>,
    /// "Did you mean": rare or unknown words of the query and the index's
    /// word for each.
    pub suggestions: Vec<Suggestion>,
    /// When the query matched nothing and had suggestions: the query with
    /// the suggestions in, whose hits these are.
    pub corrected_query: Option<String>,
    /// Matches per source and per year, when asked for.
    pub facets: Option<super::Facets>,
    /// When filters (options or the query's own `date:`, `source:`,
    /// `path:`) left nothing of what the words match: what they were.
    pub filtered_out: Option<FilteredOut>,
    pub elapsed: Duration,
}

/// A search whose filters left none of the articles its words match.
#[derive(Debug, Clone, PartialEq)]
pub struct FilteredOut {
    /// The filters in words, one each ([`crate::search::Filter::describe`]).
    pub filters: Vec<String>,
    /// Articles the query matches without the filters.
    pub total_hits: usize,
}

/// One whole article, with every match of a query highlighted.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleView {
    pub id: String,
    pub path: String,
    pub title: String,
    /// Byte ranges into `title`.
    pub title_highlights: Vec<Range<usize>>,
    /// False when the first sentence stands in for a missing headline.
    pub has_headline: bool,
    pub title_trimmed: bool,
    pub body: String,
    /// Byte ranges into `body`: every match of the query.
    pub highlights: Vec<Range<usize>>,
    /// Byte ranges into `body`; paragraph N (as in a passage's `paragraph`) is the N-th.
    pub paragraphs: Vec<Range<usize>>,
    /// Remarks on the query, as in [`SearchResults::notes`].
    pub notes: Vec<String>,
    pub meta: Meta,
}

/// Builds the hits of one query: the targets' finders are set up once.
pub(super) struct Assembler<'a> {
    body: Finder<'a>,
    title: Finder<'a>,
    weights: &'a [f32],
    passages: PassageOptions,
}

impl<'a> Assembler<'a> {
    pub(super) fn new(compiled: &'a CompiledQuery, passages: PassageOptions) -> Self {
        Assembler {
            body: Finder::new(&compiled.targets, TextField::Body),
            title: Finder::new(&compiled.targets, TextField::Title),
            weights: &compiled.weights,
            passages,
        }
    }

    /// The hit at `rank` (1-based) for a stored article.
    pub(super) fn hit(&self, rank: usize, score: f32, stored: StoredArticle) -> Hit {
        let body_matches = if self.passages.count == 0 {
            Vec::new()
        } else {
            let found = self.body.find(&stored.body);
            with_abbreviations(&stored.body, &found)
        };
        let headless = stored.title.trim().is_empty();
        // The lead sentence of an article without a headline: its title, and
        // what its passages must not repeat. Found once, for both.
        let lead = headless.then(|| text::lead_sentence(&stored.body));
        let chosen = if let (Some(lead), true) = (&lead, self.passages.count > 0) {
            // The first sentence is the title: ask for one passage more, so
            // that one repeating it can be left out.
            let opts = PassageOptions {
                count: self.passages.count + 1,
                ..self.passages
            };
            let mut chosen = passages::select(&stored.body, &body_matches, self.weights, &opts);
            chosen = without_lead(&stored.body, chosen, lead);
            if chosen.is_empty() {
                // Matched only in the lead sentence, which the title shows:
                // like a headline match, show the opening that follows it.
                chosen = passages::opening_after(&stored.body, lead.end, &self.passages)
                    .into_iter()
                    .collect();
            }
            // Still one too many: leave out the weakest (the list is in
            // document order, not by score).
            while chosen.len() > self.passages.count {
                let weakest = chosen
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.score.total_cmp(&b.1.score))
                    .map(|(i, _)| i);
                match weakest {
                    Some(i) => chosen.remove(i),
                    None => break,
                };
            }
            chosen
        } else {
            passages::select(&stored.body, &body_matches, self.weights, &self.passages)
        };
        let mut passages: Vec<HitPassage> = Vec::with_capacity(chosen.len());
        for p in chosen {
            let gap_before = passages.last().is_some_and(|prev: &HitPassage| {
                prev.paragraph == p.paragraph
                    && stored
                        .body
                        .get(prev.offset + prev.text.len()..p.range.start)
                        .is_some_and(|between| !between.trim().is_empty())
            });
            passages.push(HitPassage {
                paragraph: p.paragraph,
                offset: p.range.start,
                text: stored.body[p.range.clone()].to_owned(),
                highlights: relative(&p.matches, p.range.start),
                trimmed_start: p.trimmed_start,
                trimmed_end: p.trimmed_end,
                score: p.score,
                gap_before,
            });
        }
        let (title, title_highlights, has_headline, title_trimmed) =
            title(&stored, &self.title, &body_matches, lead);
        Hit {
            rank,
            score,
            id: stored.id,
            path: stored.path,
            title,
            title_highlights,
            has_headline,
            title_trimmed,
            passages,
            meta: stored.meta,
            extra: stored.extra,
            also_in: Vec::new(),
        }
    }
}

/// The passages without the lead sentence, which is shown as the title of
/// an article without a headline: a passage that is only that sentence is
/// left out; one that goes on after it starts at the next sentence.
fn without_lead(body: &str, chosen: Vec<Passage>, lead: &Range<usize>) -> Vec<Passage> {
    let mut kept = Vec::with_capacity(chosen.len());
    for mut p in chosen {
        if p.range.start >= lead.end || p.range.end <= lead.start {
            kept.push(p);
            continue;
        }
        // The passage shows (part of) the lead sentence: keep what follows it.
        let rest = lead.end.max(p.range.start)..p.range.end;
        let Some(after) = body.get(rest.clone()) else {
            continue;
        };
        let skipped = after.len() - after.trim_start().len();
        let start = rest.start + skipped;
        if start >= p.range.end {
            continue;
        }
        p.range.start = start;
        p.matches.retain(|m| m.span.start >= start);
        p.trimmed_start = false;
        kept.push(p);
    }
    kept
}

/// The whole article, with every match of `targets` highlighted.
pub(super) fn article_view(
    stored: StoredArticle,
    targets: &[Target],
    notes: Vec<String>,
) -> ArticleView {
    let body_matches = Finder::new(targets, TextField::Body).find(&stored.body);
    let (title, title_highlights, has_headline, title_trimmed) = title(
        &stored,
        &Finder::new(targets, TextField::Title),
        &body_matches,
        None,
    );
    ArticleView {
        highlights: highlight::merge_spans(&body_matches),
        paragraphs: text::paragraphs(&stored.body),
        id: stored.id,
        path: stored.path,
        title,
        title_highlights,
        has_headline,
        title_trimmed,
        body: stored.body,
        notes,
        meta: stored.meta,
    }
}

/// The title shown for an article: its headline with its matches, or, when
/// it has none, its first sentence (`lead`, when the caller found it already).
/// Returns the title, its highlights, whether it is a headline, and whether
/// it was cut.
fn title(
    stored: &StoredArticle,
    finder: &Finder,
    body_matches: &[Match],
    lead: Option<Range<usize>>,
) -> (String, Vec<Range<usize>>, bool, bool) {
    if stored.title.trim().is_empty() {
        let lead = lead.unwrap_or_else(|| text::lead_sentence(&stored.body));
        let (title, highlights, trimmed) = lead_title(&stored.body, body_matches, lead);
        (title, highlights, false, trimmed)
    } else {
        let matches = finder.find(&stored.title);
        (stored.title.clone(), relative(&matches, 0), true, false)
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
/// word boundary if very long), highlighted like the body. Returns the title,
/// its highlights (byte ranges into it) and whether it was cut.
fn lead_title(
    body: &str,
    body_matches: &[Match],
    lead: Range<usize>,
) -> (String, Vec<Range<usize>>, bool) {
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
