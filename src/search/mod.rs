//! The read side: [`Engine`] owns an open index and answers queries, shows
//! whole articles and gathers stats. It is the only holder of a tantivy
//! `Searcher`.
//!
//! A search runs: `query::compile` (the query language → a tantivy query
//! and highlight targets) → `rank` (first pass, and `feedback` for
//! longer queries) → `hit` (stored article → headline, passages,
//! highlights).
//!
//! # Caches
//!
//! Work that repeats across queries is memoised, and the memos are keyed so
//! that they can live outside the engine without going stale: the stemmer's
//! word → stem memo (per thread, `analysis`), the headline-or-body document
//! frequency of a word (per thread, keyed by the searcher's segments and
//! deletes, `query`), where a word's postings lie in a segment (per thread,
//! keyed by segment, field and word, `query::bm25f`), each segment's BM25F
//! length norms from a process's second search on (one process-wide list
//! keyed by segment id and BM25F
//! constants, `query::bm25f`; the first search reads each scored article's
//! field norms instead, so a one-shot search skips the pass), feedback's
//! word interner (per thread, `search::feedback`), and the block bounds
//! engines have read, whose per-word document frequencies the query
//! compiler uses (one process-wide list keyed by segment id,
//! `index::bounds`), and each segment's id, id-key and body-hash columns
//! (one process-wide list keyed by segment id, pruned to the searcher's
//! segments at each search, `index::columns`). They are global rather than
//! fields of `Engine` because tantivy builds scorers through `Query`/`Weight` trait objects
//! that cannot carry an engine reference, and the query compiler runs
//! without one; each is bounded. The bounds used for pruning are the
//! engine's own (`Engine::bounds`), passed to ranking.

mod duplicates;
mod feedback;
mod filter;
mod hit;
mod rank;
mod rerank;
mod suggest;
mod top;
mod topk;

pub use crate::index::schema::Meta;
pub use crate::query::Filter;
pub use filter::{Facets, Sort};
pub use hit::{ArticleView, Duplicate, FilteredOut, Hit, HitPassage, SearchResults};
pub use suggest::Suggestion;

/// Hits for articles ranked elsewhere (the OpenSearch backend): passages and
/// highlights from the same code as a local search, ranks from `first_rank`.
pub(crate) fn hits_of(
    compiled: &query::CompiledQuery,
    passages: PassageOptions,
    first_rank: usize,
    ranked: Vec<(f32, StoredArticle)>,
) -> Vec<Hit> {
    let assembler = hit::Assembler::new(compiled, passages);
    ranked
        .into_iter()
        .enumerate()
        .map(|(i, (score, stored))| assembler.hit(first_rank + i, score, stored))
        .collect()
}

/// The whole article with the matches of `targets`, as [`Engine::article`] shows it.
pub(crate) fn view_of(
    stored: StoredArticle,
    targets: &[query::Target],
    notes: Vec<String>,
) -> ArticleView {
    hit::article_view(stored, targets, notes)
}

use std::path::{Path, PathBuf};
use std::time::Instant;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, Term};

use crate::error::{Error, Result};
use crate::index::bounds::BoundsSet;
use crate::index::schema::{Fields, StoredArticle};
use crate::index::stats::{self, Stats};
use crate::index::store;
use crate::query::{self, RankSettings, Syntax};
use crate::snippet::PassageOptions;

/// How to search.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Most hits returned.
    pub limit: usize,
    /// Hits skipped before the first returned (ranks continue from `offset + 1`).
    pub offset: usize,
    pub passages: PassageOptions,
    pub syntax: Syntax,
    pub rank: RankSettings,
    /// Hits scoring below this are left out (`total_hits` still counts them).
    pub min_score: Option<f32>,
    /// Only articles that pass this (and the query's own `date:`/`source:`/`path:`).
    pub filter: Filter,
    pub sort: Sort,
    /// Count the matches per source and per year ([`SearchResults::facets`]).
    pub facets: bool,
    /// Count every match. Otherwise a query of bare words may skip
    /// matches that cannot reach the top (see `search::topk`) and the
    /// count is a lower bound ([`SearchResults::total_exact`] false).
    pub exact_count: bool,
    /// Threads one query may be ranked on (at most one per segment); 0:
    /// one per core on an index large enough to gain from it.
    pub threads: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            offset: 0,
            passages: PassageOptions::default(),
            syntax: Syntax::Full,
            rank: RankSettings::default(),
            min_score: None,
            filter: Filter::default(),
            sort: Sort::default(),
            facets: false,
            exact_count: false,
            threads: 0,
        }
    }
}

/// Articles from which a batch answers one query at a time, each on every
/// core, rather than one query per core. On 200,000 articles queries side
/// by side took a batch 1.8x less time than segments side by side (1.3 vs
/// 0.7 s); at ten million, one query at a time on every core keeps each
/// query's time as measured in docs/performance.md.
const ONE_QUERY_AT_A_TIME: u64 = 1_000_000;

/// An open index, ready to answer queries.
pub struct Engine {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Block bounds of the index's segments, for top-k pruning.
    bounds: BoundsSet,
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
        let (index, fields) = store::open(dir)?;
        let reader = index
            .reader_builder()
            .reload_policy(policy)
            .try_into()
            .map_err(|e| store::reader_error(dir, e))?;
        Ok(Engine {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            bounds: BoundsSet::in_dir(dir),
        })
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many queries of a batch to answer at once: one per core, each
    /// ranked on one thread; on an index of [`ONE_QUERY_AT_A_TIME`] articles
    /// or more that ranks on several threads, one (each query on every
    /// core, which keeps each query's own time short).
    pub fn batch_workers(&self) -> usize {
        let searcher = self.reader.searcher();
        if searcher.num_docs() >= ONE_QUERY_AT_A_TIME && topk::threads_for(&searcher, 0) > 1 {
            return 1;
        }
        topk::cores()
    }

    /// Runs `text` and returns the top hits with passages.
    pub fn search(&self, text: &str, opts: &SearchOptions) -> Result<SearchResults> {
        self.search_in(&self.reader.searcher(), text, opts)
            .map_err(|e| e.in_index(&self.dir))
    }

    fn search_in(
        &self,
        searcher: &Searcher,
        text: &str,
        opts: &SearchOptions,
    ) -> Result<SearchResults> {
        let started = Instant::now();
        query::count_search();
        let mut results = self.ranked(searcher, text, opts)?;
        results.suggestions = suggest::suggest(searcher, &self.fields, text, opts.syntax)?;
        if results.hits.is_empty() && !results.suggestions.is_empty() {
            // Nothing matched: search the corrected words instead, and say so.
            let corrected = suggest::corrected(text, &results.suggestions);
            let again = self.ranked(searcher, &corrected, opts)?;
            if !again.hits.is_empty() {
                results.hits = again.hits;
                results.total_hits = again.total_hits;
                results.total_exact = again.total_exact;
                results.facets = again.facets;
                results.filtered_out = again.filtered_out;
                results.corrected_query = Some(corrected);
            }
        }
        results.elapsed = started.elapsed();
        Ok(results)
    }

    /// The hits of `text`, copies collapsed (see [`duplicates`]).
    fn ranked(
        &self,
        searcher: &Searcher,
        text: &str,
        opts: &SearchOptions,
    ) -> Result<SearchResults> {
        let started = Instant::now();
        self.bounds.load(searcher);
        crate::index::columns::retain(searcher);
        let mut compiled = query::compile(text, opts.syntax, searcher, &self.fields, &opts.rank)?;
        let mut filter = opts.filter.clone();
        filter.and(std::mem::take(&mut compiled.filter));
        let mut fetched = Vec::new();
        // The first `offset` distinct articles are ranked and skipped, so
        // pages agree with one long list; never more than the index holds
        // (a huge --offset must not size a huge heap).
        let docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let limit = opts
            .limit
            .max(1)
            .saturating_add(opts.offset)
            .min(docs.max(1));
        let mut want = duplicates::pool(limit);
        let (groups, total_hits, total_exact) = loop {
            let (top, total, exact) = rank::rank(
                searcher,
                &self.fields,
                &compiled,
                &filter,
                &self.bounds,
                opts,
                want,
                &mut fetched,
            )?;
            let groups = duplicates::collapse(searcher, &top, limit)?;
            if groups.len() >= limit || top.len() < want {
                break (groups, total, exact);
            }
            want = want.saturating_mul(4);
        };
        let assembler = hit::Assembler::new(&compiled, opts.passages);
        let mut read = |address: DocAddress| -> Result<StoredArticle> {
            // Feedback may already have read this article.
            Ok(match fetched.iter().position(|(a, _)| *a == address) {
                Some(i) => fetched.swap_remove(i).1,
                None => searcher.doc::<StoredArticle>(address)?,
            })
        };
        let mut hits = Vec::with_capacity(groups.len());
        let min_score = opts.min_score.unwrap_or(f32::NEG_INFINITY);
        for (rank, group) in groups.into_iter().enumerate().skip(opts.offset) {
            if group.score < min_score {
                if opts.sort == Sort::Relevance {
                    // Best first: the rest score lower still.
                    break;
                }
                continue;
            }
            let mut hit = assembler.hit(rank + 1, group.score, read(group.address)?);
            for address in group.copies {
                let copy = read(address)?;
                hit.also_in.push(Duplicate {
                    id: copy.id,
                    path: copy.path,
                });
            }
            hits.push(hit);
        }
        // Say so when the filters, not the words, left nothing to show.
        let filtered_out = match total_hits == 0 && !filter.is_empty() {
            true => filtered_out(searcher, &compiled, &filter)?,
            false => None,
        };
        Ok(SearchResults {
            query: text.to_owned(),
            offset: opts.offset,
            hits,
            total_hits,
            total_exact,
            facets: match opts.facets {
                true => Some(rank::facets(searcher, &compiled, &filter)?),
                false => None,
            },
            notes: compiled.notes,
            suggestions: Vec::new(),
            corrected_query: None,
            filtered_out,
            elapsed: started.elapsed(),
        })
    }

    /// The article with `id`, whole, with the matches of `query` (read with
    /// `syntax`) highlighted when one is given.
    pub fn article(&self, id: &str, query: Option<&str>, syntax: Syntax) -> Result<ArticleView> {
        let searcher = self.reader.searcher();
        self.article_in(&searcher, id, query, syntax)
            .map_err(|e| e.in_index(&self.dir))
    }

    fn article_in(
        &self,
        searcher: &Searcher,
        id: &str,
        query: Option<&str>,
        syntax: Syntax,
    ) -> Result<ArticleView> {
        let by_id = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&by_id, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, address)) = top.first() else {
            return Err(Error::NoArticle { id: id.to_owned() });
        };
        let stored: StoredArticle = searcher.doc(*address)?;
        let (targets, notes) = match query {
            Some(q) => {
                let rank = RankSettings::default();
                let compiled = query::compile(q, syntax, searcher, &self.fields, &rank)?;
                (compiled.targets, compiled.notes)
            }
            None => (Vec::new(), Vec::new()),
        };
        Ok(hit::article_view(stored, &targets, notes))
    }

    /// Calls `each` with every stored article, segment by segment in
    /// document order, reading one at a time (memory stays bounded whatever
    /// the index's size); stops at the first error `each` returns.
    pub fn for_each_article(
        &self,
        each: &mut dyn FnMut(StoredArticle) -> Result<()>,
    ) -> Result<()> {
        let searcher = self.reader.searcher();
        for segment in searcher.segment_readers() {
            // A few blocks cached: documents are read in block order.
            let store = segment
                .get_store_reader(4)
                .map_err(|e| Error::from(e).in_index(&self.dir))?;
            for stored in store.iter::<StoredArticle>(segment.alive_bitset()) {
                each(stored.map_err(|e| Error::from(e).in_index(&self.dir))?)?;
            }
        }
        Ok(())
    }

    /// Facts about the index: articles, terms, segments, size, roots.
    pub fn stats(&self) -> Result<Stats> {
        let searcher = self.reader.searcher();
        stats::gather(&self.dir, &self.index, &searcher, &self.fields)
            .map_err(|e| e.in_index(&self.dir))
    }
}

/// What `filter` took from a search it left without hits: `None` when the
/// words match nothing either. Kept out of line: it runs only when nothing
/// was found.
#[cold]
#[inline(never)]
fn filtered_out(
    searcher: &Searcher,
    compiled: &query::CompiledQuery,
    filter: &query::Filter,
) -> Result<Option<FilteredOut>> {
    Ok(match searcher.search(compiled.query.as_ref(), &Count)? {
        0 => None,
        total_hits => Some(FilteredOut {
            filters: filter.describe(),
            total_hits,
        }),
    })
}
