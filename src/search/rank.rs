//! Ranking: the first pass's top articles and count, and the second pass
//! that re-scores them when feedback adds words.

use tantivy::collector::{Collector, Count};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, Searcher};

use super::filter::{by_date, FacetCounts, Facets, Filtered, Sort};
use super::top::TopByScore;
use super::SearchOptions;
use super::{feedback, topk};
use crate::error::Result;
use crate::index::schema::{Fields, StoredArticle};
use crate::query::CompiledQuery;
use crate::query::{Bm25FOrQuery, Filter};

/// How many first-pass articles feedback re-ranks (or `--limit`, if more):
/// only these can reach the top after expansion. On the six eval sets,
/// top-10 lists from a depth of 100 and of 1,000 differ in 0.8% of their
/// entries (nDCG@10 within 0.002); the re-ranking costs a tenth.
pub(crate) const RERANK_DEPTH: usize = 100;

/// The hits, best first; how many articles match; whether that count is exact.
pub(super) type Outcome = (Vec<(f32, DocAddress)>, usize, bool);

/// The top `want` articles (at least `opts.limit`), how many match in all,
/// and whether that count is exact (else a lower bound: see [`first_pass`]).
///
/// Queries that get RM3 feedback (see [`feedback::expansion`]) are ranked
/// in two passes: the first ranks by the query's own words and keeps the
/// best [`RERANK_DEPTH`] (or `limit`, if more); the ten best of those
/// feed the relevance model; the second pass re-scores the kept articles
/// with the expansion words added. The same articles match either way and
/// the highlights stay the words the user typed; feedback only changes
/// the order.
pub(super) fn rank(
    searcher: &Searcher,
    fields: &Fields,
    compiled: &CompiledQuery,
    filter: &Filter,
    opts: &SearchOptions,
    want: usize,
    fetched: &mut Vec<(DocAddress, StoredArticle)>,
) -> Result<Outcome> {
    let limit = want.max(opts.limit).max(1);
    let base = compiled.query.as_ref();
    if opts.sort != Sort::Relevance {
        // Feedback only reorders by relevance: by date it would change nothing.
        let collector = by_date(limit, opts.sort == Sort::DateDescending);
        let (top, total) = collect(searcher, base, filter, (collector, Count))?;
        let top = top.into_iter().map(|((_, score, _), addr)| (score, addr));
        return Ok((top.collect(), total, true));
    }
    if !feedback::applies(compiled, &opts.rank) {
        return first_pass(searcher, compiled, filter, opts, limit);
    }
    // The depth follows `--limit`, not `want`, so that the room kept for
    // copies (see `duplicates::pool`) does not change the ranking.
    let depth = opts.limit.max(RERANK_DEPTH).max(limit);
    let (first, total, exact) = first_pass(searcher, compiled, filter, opts, depth)?;
    let fb = opts.rank.feedback;
    let feedback_docs = &first[..first.len().min(fb.docs)];
    let Some(extras) = feedback::expansion(
        searcher,
        fields,
        compiled,
        feedback_docs,
        &opts.rank,
        fetched,
    )?
    else {
        let mut top = first;
        top.truncate(limit);
        return Ok((top, total, exact));
    };
    let lambda = fb.original_weight.clamp(0.0, 1.0);
    let mut top = rescore(searcher, &first, lambda, &extras)?;
    top.truncate(limit);
    Ok((top, total, exact))
}

/// The best `k` matches by the query's own score, and their count. A query
/// of bare words is ranked with MaxScore ([`topk::top_k`]): the same hits
/// and scores, but matches that cannot reach the top may go uncounted, so
/// the count is exact only when `--count`/`exact_count` or facets ask for
/// it (or nothing was skipped). Other queries visit every match.
fn first_pass(
    searcher: &Searcher,
    compiled: &CompiledQuery,
    filter: &Filter,
    opts: &SearchOptions,
    k: usize,
) -> Result<Outcome> {
    let query = compiled.query.as_ref();
    if !opts.exact_count && !opts.facets {
        if let Some(or) = query.downcast_ref::<Bm25FOrQuery>() {
            if let Some(t) = topk::top_k(searcher, or, filter, k)? {
                return Ok((t.top, t.total, t.exact));
            }
        }
    }
    let (top, total) = collect(searcher, query, filter, (by_score(k), Count))?;
    Ok((top, total, true))
}

/// The best `limit` matches by score; equal scores in article id order, so
/// that the ranking does not depend on how the index is split into segments
/// (the number of indexing threads, merges).
pub(super) fn by_score(limit: usize) -> TopByScore {
    TopByScore { limit }
}

/// Matches per source and per year, after the filter.
pub(super) fn facets(
    searcher: &Searcher,
    compiled: &CompiledQuery,
    filter: &Filter,
) -> Result<Facets> {
    collect(searcher, compiled.query.as_ref(), filter, FacetCounts)
}

/// Runs `collector` over the matches of `query` that pass `filter`.
fn collect<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    filter: &Filter,
    collector: C,
) -> Result<C::Fruit> {
    Ok(match filter.is_empty() {
        true => searcher.search(query, &collector)?,
        false => searcher.search(
            query,
            &Filtered {
                filter,
                inner: collector,
            },
        )?,
    })
}

/// Second pass of feedback: `λ × first-pass score` plus the expansion
/// words' scores, for each first-pass article, best first (ties: first-pass
/// order, itself by score and article id).
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
    let mut by_segment: Vec<(DocAddress, f32, usize)> = first
        .iter()
        .enumerate()
        .map(|(rank, &(score, addr))| (addr, score, rank))
        .collect();
    by_segment.sort_by_key(|&(addr, _, _)| addr);
    let mut out = Vec::with_capacity(first.len());
    for run in by_segment.chunk_by(|a, b| a.0.segment_ord == b.0.segment_ord) {
        let reader = searcher.segment_reader(run[0].0.segment_ord);
        let mut scorers = weights
            .iter()
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        for &(addr, base, rank) in run {
            let mut score = lambda * base;
            for scorer in &mut scorers {
                if scorer.doc() < addr.doc_id {
                    scorer.seek(addr.doc_id);
                }
                if scorer.doc() == addr.doc_id {
                    score += scorer.score();
                }
            }
            out.push((score, rank, addr));
        }
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(out
        .into_iter()
        .map(|(score, _, addr)| (score, addr))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema;
    use crate::query::{self, RankSettings};
    use tantivy::collector::TopDocs;
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

        let first = searcher.search(&base, &by_score(10)).expect("first pass");
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

#[cfg(test)]
mod tie_tests {
    use super::*;
    use crate::index::schema;
    use crate::query::{self, RankSettings};

    /// Equal scores in article id order (byte order: "10" before "2"), not index order.
    #[test]
    fn ties_come_in_id_order() {
        let bodies: Vec<String> = (0..12).map(|i| format!("drops oil w{i}x")).collect();
        let articles: Vec<(&str, &str)> = bodies.iter().map(|b| ("headline", b.as_str())).collect();
        let (searcher, fields) = schema::in_memory(&articles);
        let rank = RankSettings::default();
        let stats = query::AllStats::of(&searcher, &fields).expect("stats");
        let (q, _) =
            query::all_field_term(&searcher, &fields, &rank, stats, "drop", 1.0).expect("term");
        let top = searcher.search(&q, &by_score(20)).expect("search");
        let ids: Vec<String> = top
            .iter()
            .map(|&(_, addr)| {
                let article: StoredArticle = searcher.doc(addr).expect("doc");
                article.id
            })
            .collect();
        assert_eq!(
            ids,
            ["0", "1", "10", "11", "2", "3", "4", "5", "6", "7", "8", "9"]
        );
    }
}
