//! The best `k` matches of a query of bare words without visiting every
//! match: MaxScore over passim's BM25F ([`Bm25FOrQuery::for_each_pruned`]),
//! with one threshold (the k-th best score) shared across segments and the
//! filter applied before a match can raise it. The hits and their scores are those of the
//! exhaustive collection ([`super::top::TopByScore`]: best score first,
//! equal scores in article id order); the count is exact only when no postings
//! were skipped.
//!
//! A large index's segments are ranked on several threads
//! ([`threads_for`]); each thread keeps its own best `k` scores and
//! publishes its k-th best as a floor the others may prune below.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize};
use std::sync::OnceLock;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, Score, Searcher};

use super::filter::SegmentFilter;
use super::top::TopByScore;
use crate::error::Result;
use crate::index::bounds::BoundsSet;
use crate::query::{Bm25FOrQuery, Filter};

/// Below this many articles a search stays on one thread: starting a
/// second costs more than it saves.
const PARALLEL_MIN_DOCS: u32 = 150_000;

/// The top `k` and the number of matches (a lower bound unless `exact`).
pub(super) struct TopK {
    pub top: Vec<(Score, DocAddress)>,
    pub total: usize,
    pub exact: bool,
}

/// A score ordered by `total_cmp`, for the heap of the best scores.
#[derive(PartialEq)]
struct Best(Score);

impl Eq for Best {}

impl PartialOrd for Best {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Best {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The highest k-th best score any thread has seen: every article of the
/// top `k` scores at least this. Stored as bits that order as the scores do.
struct Floor(AtomicU32);

impl Floor {
    fn new() -> Floor {
        Floor(AtomicU32::new(Floor::key(Score::NEG_INFINITY)))
    }

    fn key(score: Score) -> u32 {
        let bits = score.to_bits();
        match bits >> 31 {
            0 => bits | 0x8000_0000,
            _ => !bits,
        }
    }

    fn get(&self) -> Score {
        let key = self.0.load(Relaxed);
        Score::from_bits(match key >> 31 {
            1 => key & 0x7fff_ffff,
            _ => !key,
        })
    }

    fn raise(&self, score: Score) {
        self.0.fetch_max(Floor::key(score), Relaxed);
    }
}

/// How many threads to rank `searcher`'s segments on: `asked` if not 0
/// (at most one per segment), else one per core, at most one per segment,
/// and one for an index under [`PARALLEL_MIN_DOCS`].
pub(super) fn threads_for(searcher: &Searcher, asked: usize) -> usize {
    let readers = searcher.segment_readers();
    if asked > 0 {
        return asked.min(readers.len()).max(1);
    }
    let docs: u64 = readers.iter().map(|r| u64::from(r.max_doc())).sum();
    if readers.len() < 2 || docs < u64::from(PARALLEL_MIN_DOCS) {
        return 1;
    }
    cores().min(readers.len())
}

/// The cores this process may use, asked once: on Linux the answer reads
/// the cgroup's files.
pub(crate) fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// What one segment gave: its best `k` and its match count.
type SegmentFruit = (
    <<TopByScore as Collector>::Child as SegmentCollector>::Fruit,
    u64,
    bool,
);

/// The best `k` matches of `query` that pass `filter`; `None` when the
/// query's scores cannot be bounded (the caller ranks exhaustively).
///
/// Each segment keeps its own best `k` in [`TopByScore`]'s buffer (ties by
/// id ordinal, which needs no id read), and the segments are merged as the
/// exhaustive collector merges them, so both paths share one tie order,
/// whatever the number of `threads`. Across segments only the scores are
/// shared: the k-th best score so far is the threshold a match must reach
/// (a match that ties it can still win on its id, so it is collected).
pub(super) fn top_k(
    searcher: &Searcher,
    query: &Bm25FOrQuery,
    filter: &Filter,
    bounds: &BoundsSet,
    k: usize,
    threads: usize,
) -> Result<Option<TopK>> {
    let k = k.max(1);
    let readers = searcher.segment_readers();
    // Larger segments first, so that the threads finish together.
    let mut order: Vec<usize> = (0..readers.len()).collect();
    order.sort_by_key(|&ord| Reverse(readers[ord].max_doc()));
    let next = AtomicUsize::new(0);
    let floor = Floor::new();
    let unbounded = AtomicBool::new(false);
    let work = || -> Result<Vec<(usize, SegmentFruit)>> {
        let mut best: BinaryHeap<Reverse<Best>> = BinaryHeap::with_capacity(k + 1);
        let mut done = Vec::new();
        loop {
            let taken = next.fetch_add(1, Relaxed);
            let Some(&ord) = order.get(taken) else { break };
            if unbounded.load(Relaxed) {
                break;
            }
            match segment_top_k(searcher, ord, query, filter, bounds, k, &mut best, &floor)? {
                Some(fruit) => done.push((ord, fruit)),
                None => {
                    unbounded.store(true, Relaxed);
                    break;
                }
            }
        }
        Ok(done)
    };
    let threads = threads.clamp(1, readers.len().max(1));
    let mut parts = Vec::with_capacity(threads);
    if threads == 1 {
        parts.push(work());
    } else {
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            parts.push(work());
            for helper in helpers {
                match helper.join() {
                    Ok(part) => parts.push(part),
                    // As a panic on this thread would: it is a bug, not input.
                    Err(payload) => std::panic::resume_unwind(payload),
                }
            }
        });
    }
    if unbounded.load(Relaxed) {
        return Ok(None);
    }
    let mut fruits: Vec<Option<SegmentFruit>> = (0..readers.len()).map(|_| None).collect();
    for part in parts {
        for (ord, fruit) in part? {
            fruits[ord] = Some(fruit);
        }
    }
    let (mut total, mut exact) = (0u64, true);
    let mut tops = Vec::with_capacity(fruits.len());
    for (top, matches, segment_exact) in fruits.into_iter().flatten() {
        total += matches;
        exact &= segment_exact;
        tops.push(top);
    }
    Ok(Some(TopK {
        top: TopByScore { limit: k }.merge_fruits(tops)?,
        total: usize::try_from(total).unwrap_or(usize::MAX),
        exact,
    }))
}

/// One segment's best `k`, pruned below the larger of this thread's k-th
/// best score (`best`, carried from its earlier segments) and `floor`.
#[allow(clippy::too_many_arguments)]
fn segment_top_k(
    searcher: &Searcher,
    ord: usize,
    query: &Bm25FOrQuery,
    filter: &Filter,
    bounds: &BoundsSet,
    k: usize,
    best: &mut BinaryHeap<Reverse<Best>>,
    floor: &Floor,
) -> Result<Option<SegmentFruit>> {
    let reader = searcher.segment_reader(u32::try_from(ord).unwrap_or(u32::MAX));
    let segment_filter = match filter.is_empty() {
        true => None,
        false => Some(SegmentFilter::new(filter, reader)?),
    };
    let mut segment_top =
        TopByScore { limit: k }.for_segment(u32::try_from(ord).unwrap_or(u32::MAX), reader)?;
    let alive = reader.alive_bitset();
    let mut accept = |doc| {
        alive.is_none_or(|a| a.is_alive(doc))
            && segment_filter.as_ref().is_none_or(|f| f.accepts(doc))
    };
    let own = |best: &BinaryHeap<Reverse<Best>>| match best.len() < k {
        true => Score::NEG_INFINITY,
        false => best.peek().map_or(Score::NEG_INFINITY, |w| w.0 .0),
    };
    let start = own(best).max(floor.get());
    let mut collect = |doc, score: Score| {
        segment_top.collect(doc, score);
        if best.len() < k {
            best.push(Reverse(Best(score)));
        } else if let Some(mut worst) = best.peek_mut() {
            if score > worst.0 .0 {
                *worst = Reverse(Best(score));
            }
        }
        let mine = own(best);
        floor.raise(mine);
        mine.max(floor.get())
    };
    let segment_bounds = bounds.get(reader.segment_id());
    let Some(segment) = query.for_each_pruned(
        reader,
        segment_bounds.as_deref(),
        start,
        &mut accept,
        &mut collect,
    )?
    else {
        return Ok(None);
    };
    Ok(Some((
        segment_top.harvest(),
        segment.matches,
        segment.exact,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis;
    use crate::index::bounds::{self, BoundsParams, SegmentBounds};
    use crate::index::schema;
    use crate::ingest::Article;
    use crate::query::{self, Bm25FTermQuery, RankSettings, Syntax};
    use crate::search::filter::Filtered;
    use crate::search::rank::by_score;
    use tantivy::collector::Count;
    use tantivy::indexer::NoMergePolicy;
    use tantivy::{Index, Term};

    /// xorshift64*: a fixed, seedable sequence without a crate.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// A word of a 400-word vocabulary drawn with Zipf's law (rank r with
    /// weight 1 / (r + 1)), spelt from letters so the analyzer keeps it whole.
    fn zipf_word(rng: &mut Rng, cumulative: &[f64]) -> String {
        let total = cumulative.last().copied().unwrap_or(1.0);
        let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let rank = cumulative.partition_point(|&c| c < x);
        let letters = b"bcdfghjklmnpqrstvwxz";
        let mut word = String::from("k");
        let mut n = rank;
        for _ in 0..3 {
            word.push(char::from(letters[n % letters.len()]));
            n /= letters.len();
        }
        word.push('o');
        word
    }

    fn words(rng: &mut Rng, cumulative: &[f64], n: usize) -> String {
        (0..n)
            .map(|_| zipf_word(rng, cumulative))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// 6,000 articles in 5 segments: random headlines (0-6 words) and bodies
    /// (1-120 words), one in ten a copy of an earlier one (equal scores),
    /// three sources and dates over ten years; every 37th article deleted.
    fn generated_index(rng: &mut Rng, cumulative: &[f64]) -> (Searcher, schema::Fields) {
        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        analysis::register(&index);
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 30_000_000)
            .expect("writer");
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let mut made: Vec<(String, String)> = Vec::new();
        for i in 0..6000 {
            let (title, body) = if i > 0 && rng.below(10) == 0 {
                made[rng.below(made.len())].clone()
            } else {
                let t = rng.below(7);
                let b = 1 + rng.below(120);
                (words(rng, cumulative, t), words(rng, cumulative, b))
            };
            made.push((title.clone(), body.clone()));
            let article = Article {
                id: i.to_string(),
                title,
                body,
                date: Some(format!(
                    "{}-{:02}-{:02}",
                    2000 + rng.below(10),
                    1 + rng.below(12),
                    1 + rng.below(28)
                )),
                source: Some(["Alpha News", "Beta Wire", "Gamma Post"][rng.below(3)].into()),
                ..Article::default()
            };
            writer
                .add_document(schema::test_document(&fields, &article))
                .expect("add");
            if i % 1200 == 1199 {
                writer.commit().expect("commit");
            }
        }
        for i in (0..6000).step_by(37) {
            writer.delete_term(Term::from_field_text(fields.id, &i.to_string()));
        }
        writer.commit().expect("commit");
        let reader = index.reader().expect("reader");
        (reader.searcher(), fields)
    }

    /// The floor's bits order as the scores do, and give them back.
    #[test]
    fn floor_keeps_the_highest_score() {
        let scores = [
            Score::NEG_INFINITY,
            -2.5,
            -0.0,
            0.0,
            1e-30,
            0.75,
            13.0,
            Score::INFINITY,
        ];
        for pair in scores.windows(2) {
            assert!(Floor::key(pair[0]) < Floor::key(pair[1]), "{pair:?}");
        }
        let floor = Floor::new();
        assert_eq!(floor.get(), Score::NEG_INFINITY);
        for &score in &[-2.5, 0.75, 13.0, 0.0, -0.0, 1e-30] {
            floor.raise(score);
        }
        assert_eq!(floor.get().to_bits(), 13.0f32.to_bits());
        for &score in &scores {
            let floor = Floor::new();
            floor.raise(score);
            assert_eq!(floor.get().to_bits(), score.to_bits());
        }
    }

    #[test]
    fn pruned_top_k_equals_exhaustive_on_random_queries() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut cumulative = Vec::with_capacity(400);
        let mut sum = 0.0;
        for r in 0..400 {
            sum += 1.0 / (r as f64 + 1.0);
            cumulative.push(sum);
        }
        let (searcher, fields) = generated_index(&mut rng, &cumulative);
        assert_eq!(searcher.segment_readers().len(), 5);
        assert!(searcher.segment_readers().iter().any(|r| r.has_deletes()));
        let rank = RankSettings::default();
        // Block bounds over windows of 64 articles, written at the index's
        // own mean length and at smaller and larger ones (as after articles
        // were added): they must give the same hits.
        let params = bounds::default_params(&searcher, &fields).expect("params");
        let bound_sets: Vec<BoundsSet> = [1.0f32, 0.7, 1.4]
            .iter()
            .map(|scale| {
                let written = BoundsParams {
                    b_per_len: params.b_per_len * scale,
                    ..params
                };
                BoundsSet::of(
                    searcher
                        .segment_readers()
                        .iter()
                        .map(|r| {
                            let b =
                                SegmentBounds::compute(r, &fields, written, 6, 8).expect("bounds");
                            assert!(b.words() > 20, "{}", b.words());
                            (r.segment_id(), b)
                        })
                        .collect(),
                )
            })
            .collect();
        let none = BoundsSet::none();
        let (mut pruned_queries, mut lower_bounds, mut ties) = (0, 0, 0);
        let (mut visited_without, mut visited_with, mut single_words) = (0, 0, 0);
        for q in 0..3000 {
            let n = 1 + rng.below(6);
            let text = words(&mut rng, &cumulative, n);
            let compiled =
                query::compile(&text, Syntax::Plain, &searcher, &fields, &rank).expect("compile");
            let single = compiled
                .query
                .downcast_ref::<Bm25FTermQuery>()
                .map(|word| Bm25FOrQuery::new(vec![word.clone()]));
            let Some(or) = single
                .as_ref()
                .or_else(|| compiled.query.downcast_ref::<Bm25FOrQuery>())
            else {
                continue;
            };
            single_words += usize::from(single.is_some());
            let k = [1, 3, 10, 10, 50][rng.below(5)];
            let mut filter = Filter::default();
            match rng.below(4) {
                0 => filter.sources(&["beta"]).expect("source"),
                1 => filter.date(Some(1_000_000_000 + rng.below(100_000_000) as i64), None),
                _ => {}
            }
            let got = top_k(&searcher, or, &filter, &none, k, 1 + q % 2)
                .expect("top_k")
                .expect("bounded");
            let with_bounds = top_k(&searcher, or, &filter, &bound_sets[q % 3], k, 1 + q % 3)
                .expect("top_k")
                .expect("bounded");
            let (want, count) = searcher
                .search(
                    or,
                    &Filtered {
                        filter: &filter,
                        inner: (by_score(k), Count),
                    },
                )
                .expect("exhaustive");
            let bits = |v: &[(Score, DocAddress)]| {
                v.iter().map(|(s, a)| (s.to_bits(), *a)).collect::<Vec<_>>()
            };
            assert_eq!(bits(&got.top), bits(&want), "query {q}: {text:?}, k {k}");
            assert_eq!(
                bits(&with_bounds.top),
                bits(&want),
                "query {q} with bounds {}: {text:?}, k {k}",
                q % 3
            );
            assert!(with_bounds.total <= count, "query {q}: {text:?}");
            assert!(
                !with_bounds.exact || with_bounds.total == count,
                "query {q}: {text:?}"
            );
            visited_without += got.total;
            visited_with += with_bounds.total;
            if got.exact {
                assert_eq!(got.total, count, "query {q}: {text:?}");
            } else {
                assert!(got.total <= count, "query {q}: {text:?}");
                lower_bounds += 1;
            }
            pruned_queries += 1;
            ties += want.windows(2).filter(|w| w[0].0 == w[1].0).count();
        }
        // The comparison must have covered pruning, ties and most queries.
        assert!(pruned_queries > 2000, "{pruned_queries}");
        assert!(lower_bounds > 500, "{lower_bounds}");
        assert!(ties > 100, "{ties}");
        // Single words were compared too, and the bounds skipped windows.
        assert!(single_words > 300, "{single_words}");
        assert!(
            visited_with * 10 < visited_without * 8,
            "{visited_with} of {visited_without}"
        );
        // More words than the loop has bits for: ranked exhaustively.
        let mut many = std::collections::BTreeSet::new();
        while many.len() < 70 {
            many.insert(zipf_word(&mut rng, &cumulative));
        }
        let text = many.into_iter().collect::<Vec<_>>().join(" ");
        let compiled =
            query::compile(&text, Syntax::Plain, &searcher, &fields, &rank).expect("compile");
        let or = compiled
            .query
            .downcast_ref::<Bm25FOrQuery>()
            .expect("bare words");
        assert!(top_k(&searcher, or, &Filter::default(), &none, 10, 2)
            .expect("top_k")
            .is_none());
    }
}
