//! Ranking: the first pass's top articles and count, and the second pass
//! that re-scores them when feedback adds words.

use tantivy::collector::{Collector, Count};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, Searcher};

use super::filter::{by_date, FacetCounts, Facets, Filtered, Sort};
use super::top::TopByScore;
use super::SearchOptions;
use super::{feedback, rerank, topk};
use crate::error::Result;
use crate::index::bounds::BoundsSet;
use crate::index::schema::{Fields, StoredArticle};
use crate::query::{self, CompiledQuery};
use crate::query::{Bm25FOrQuery, Bm25FTermQuery, Filter};

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
#[allow(clippy::too_many_arguments)]
pub(super) fn rank(
    searcher: &Searcher,
    fields: &Fields,
    compiled: &CompiledQuery,
    filter: &Filter,
    bounds: &BoundsSet,
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
    let second_look = rerank::applies(compiled, &opts.rank);
    if !feedback::applies(compiled, &opts.rank) && !second_look {
        return first_pass(searcher, compiled, filter, bounds, opts, limit);
    }
    // The depth follows `--limit`, not `want`, so that the room kept for
    // copies (see `duplicates::pool`) does not change the ranking.
    let depth = opts.limit.max(RERANK_DEPTH).max(limit);
    let (mut first, total, exact) = first_pass(searcher, compiled, filter, bounds, opts, depth)?;
    if second_look {
        first = rerank::rerank(searcher, fields, compiled, &first, &opts.rank)?;
    }
    let fb = opts.rank.feedback;
    let deduped;
    let feedback_docs = if fb.dedup {
        deduped = rerank::distinct(searcher, &first, fb.docs);
        &deduped[..]
    } else {
        &first[..first.len().min(fb.docs)]
    };
    // A flat first pass (the last feedback article scoring nearly what
    // the first does) gives feedback nothing to learn from: back off.
    let flat = match (feedback_docs.first(), feedback_docs.last()) {
        (Some(best), Some(last)) if fb.flat > 0.0 && best.0 > 0.0 => last.0 >= fb.flat * best.0,
        _ => false,
    };
    let extras = match feedback::applies(compiled, &opts.rank) && !flat {
        true => feedback::expansion(
            searcher,
            fields,
            compiled,
            feedback_docs,
            &opts.rank,
            fetched,
        )?,
        false => None,
    };
    let Some(extras) = extras else {
        let mut top = first;
        top.truncate(limit);
        return Ok((top, total, exact));
    };
    let lambda = fb.original_weight.clamp(0.0, 1.0);
    let mut top = rescore(searcher, &first, lambda, &extras, limit)?;
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
    bounds: &BoundsSet,
    opts: &SearchOptions,
    k: usize,
) -> Result<Outcome> {
    let query = compiled.query.as_ref();
    if !opts.exact_count && !opts.facets {
        // A single word is pruned only with block bounds: without them
        // nothing can be skipped, and the plain union is faster.
        let single = match bounds.is_empty() {
            true => None,
            false => query
                .downcast_ref::<Bm25FTermQuery>()
                .map(|word| Bm25FOrQuery::new(vec![word.clone()])),
        };
        if let Some(or) = single
            .as_ref()
            .or_else(|| query.downcast_ref::<Bm25FOrQuery>())
        {
            if let Some(t) = topk::top_k(
                searcher,
                or,
                filter,
                bounds,
                k,
                topk::threads_for(searcher, opts.threads),
            )? {
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
/// words' scores, for the first-pass articles, best first (ties: first-pass
/// order, itself by score and article id). Only the best `keep` are sure to
/// be there: the words are added one at a time, the one that can add most
/// first, and an article whose score with every word still to come at its
/// most stays below the `keep` best so far is dropped (it could not rank
/// among them) without looking it up in the other words' postings. The
/// scores of the rest are summed in the words' own order, so they are the
/// same floats as when every article is scored.
fn rescore(
    searcher: &Searcher,
    first: &[(f32, DocAddress)],
    lambda: f32,
    extras: &[Box<dyn Query>],
    keep: usize,
) -> Result<Vec<(f32, DocAddress)>> {
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let weights = extras
        .iter()
        .map(|q| q.weight(scoring))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let n = extras.len();
    let bounds: Vec<f64> = extras
        .iter()
        .map(|q| query::word_max_score(q.as_ref()).map_or(f64::INFINITY, f64::from))
        .collect();
    // Dropping needs every bound and score to be finite and not negative.
    let prunable = keep > 0
        && keep < first.len()
        && lambda.is_finite()
        && lambda >= 0.0
        && first.iter().all(|(s, _)| s.is_finite() && *s >= 0.0)
        && bounds.iter().all(|b| b.is_finite() && *b >= 0.0);
    // The words, most first; `to_come[i]`: the most words order[i..] add.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| bounds[b].total_cmp(&bounds[a]));
    let mut to_come = vec![0.0f64; n + 1];
    for i in (0..n).rev() {
        to_come[i] = to_come[i + 1] + bounds[order[i]];
    }
    let mut docs: Vec<Rescored> = first
        .iter()
        .enumerate()
        .map(|(rank, &(base, addr))| Rescored {
            addr,
            base,
            rank,
            lower: f64::from(lambda * base),
            alive: true,
        })
        .collect();
    docs.sort_by_key(|d| d.addr);
    // parts[doc * n + word]: what the word adds to the article.
    let mut parts: Vec<Option<f32>> = vec![None; docs.len() * n];
    let mut lows: Vec<f64> = Vec::with_capacity(docs.len());
    for (step, &word) in order.iter().enumerate() {
        if prunable {
            lows.clear();
            lows.extend(docs.iter().filter(|d| d.alive).map(|d| d.lower));
            if lows.len() > keep {
                let (_, kth, _) = lows.select_nth_unstable_by(keep - 1, |a, b| b.total_cmp(a));
                let threshold = *kth * (1.0 - RESCORE_SLACK);
                for d in docs.iter_mut().filter(|d| d.alive) {
                    if (d.lower + to_come[step]) * (1.0 + RESCORE_SLACK) < threshold {
                        d.alive = false;
                    }
                }
            }
        }
        let mut start = 0;
        while start < docs.len() {
            let segment = docs[start].addr.segment_ord;
            let end = start
                + docs[start..]
                    .iter()
                    .take_while(|d| d.addr.segment_ord == segment)
                    .count();
            if docs[start..end].iter().any(|d| d.alive) {
                let reader = searcher.segment_reader(segment);
                let mut scorer = weights[word].scorer(reader, 1.0)?;
                for (i, d) in docs.iter_mut().enumerate().take(end).skip(start) {
                    if !d.alive {
                        continue;
                    }
                    if scorer.doc() < d.addr.doc_id {
                        scorer.seek(d.addr.doc_id);
                    }
                    if scorer.doc() == d.addr.doc_id {
                        let s = scorer.score();
                        parts[i * n + word] = Some(s);
                        d.lower += f64::from(s);
                    }
                }
            }
            start = end;
        }
    }
    let mut out: Vec<(f32, usize, DocAddress)> = docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.alive)
        .map(|(i, d)| {
            let mut score = lambda * d.base;
            for s in parts[i * n..(i + 1) * n].iter().flatten() {
                score += s;
            }
            (score, d.rank, d.addr)
        })
        .collect();
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(out
        .into_iter()
        .map(|(score, _, addr)| (score, addr))
        .collect())
}

/// A first-pass article in [`rescore`].
struct Rescored {
    addr: DocAddress,
    base: f32,
    /// Its place in the first pass (the tie-break).
    rank: usize,
    /// Its score so far: `λ × base` and the words added, each at least 0.
    lower: f64,
    /// Whether it can still rank among the best `keep`.
    alive: bool,
}

/// Relative slack on [`rescore`]'s bounds: its running sums are `f64`s, the
/// scores `f32` sums in another order, a few ulps (about 1e-7) apart.
const RESCORE_SLACK: f64 = 1e-5;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema;
    use crate::query::{self, RankSettings};
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur};

    /// Rescoring only the best `keep` gives the same articles, in the same
    /// order, with the same scores (bit for bit) as rescoring all of them,
    /// over random queries, expansions, weights and `keep`.
    #[test]
    fn rescore_keeping_the_best_equals_rescoring_all() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        const WORDS: [&str; 24] = [
            "pay", "strike", "ballot", "union", "nurse", "offer", "talks", "vote", "rail", "wage",
            "staff", "deal", "health", "minister", "week", "court", "price", "oil", "bank", "rate",
            "share", "market", "trade", "profit",
        ];
        // Common words first: a word's chance falls with its place.
        let word = |next: &mut dyn FnMut(usize) -> usize| {
            let reach = next(WORDS.len()) + 1;
            WORDS[next(reach)]
        };
        let texts: Vec<(String, String)> = (0..600)
            .map(|_| {
                let title: Vec<&str> = (0..next(4)).map(|_| word(&mut next)).collect();
                let body: Vec<&str> = (0..5 + next(60)).map(|_| word(&mut next)).collect();
                (title.join(" "), body.join(" "))
            })
            .collect();
        let (searcher, fields) = schema::in_memory(&texts);
        let rank = RankSettings::default();
        let stats = query::AllStats::of(&searcher, &fields).expect("stats");
        let term = |w: &str, boost: f32| {
            query::all_field_term(&searcher, &fields, &rank, stats, w, boost)
                .expect("term")
                .0
        };
        let mut pruned_some = 0;
        for _ in 0..200 {
            let base: Vec<(Occur, Box<dyn Query>)> = (0..1 + next(3))
                .map(|_| (Occur::Should, term(word(&mut next), 1.0)))
                .collect();
            let first = searcher
                .search(&BooleanQuery::new(base), &by_score(100))
                .expect("first pass");
            let extras: Vec<Box<dyn Query>> = (0..3 + next(18))
                .map(|_| term(word(&mut next), next(50) as f32 / 100.0))
                .collect();
            let lambda = (30 + next(60)) as f32 / 100.0;
            let keep = 1 + next(20);
            let all = rescore(&searcher, &first, lambda, &extras, usize::MAX).expect("all");
            let best = rescore(&searcher, &first, lambda, &extras, keep).expect("best");
            let k = keep.min(all.len());
            assert!(best.len() >= k, "{} < {k}", best.len());
            let bits = |v: &[(f32, DocAddress)]| {
                v.iter().map(|(s, a)| (s.to_bits(), *a)).collect::<Vec<_>>()
            };
            assert_eq!(bits(&best[..k]), bits(&all[..k]), "keep {keep}");
            pruned_some += usize::from(best.len() < all.len());
        }
        assert!(
            pruned_some > 50,
            "only {pruned_some} of 200 dropped anything"
        );
    }

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
        let got = rescore(&searcher, &first, lambda, &extras, usize::MAX).expect("rescore");

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
