//! RM3 pseudo-relevance feedback: words that stand out in the first pass's
//! best articles are added to longer queries, re-ranking what matched.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use tantivy::query::Query;
use tantivy::{DocAddress, Searcher};

use crate::analysis::{self, stemmed_stopwords};
use crate::error::Result;
use crate::index::schema::{Fields, StoredArticle};
use crate::query::{self, CompiledQuery, Pattern, RankSettings};
use crate::snippet::sentences::floor_char_boundary;

/// RM3 pseudo-relevance feedback: the words that stand out in the
/// first-pass top documents `first`, as weighted BM25F queries to add
/// to the query's own score. `None` when there is nothing to add.
pub(super) fn expansion(
    searcher: &Searcher,
    fields: &Fields,
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
        let words = &mut *words;
        let mut model = std::mem::take(&mut words.model);
        let mut counts = std::mem::take(&mut words.counts);
        for (score, address) in first {
            let stored: StoredArticle = searcher.doc(*address)?;
            let mut len = 0.0f32;
            let body = &stored.body[..floor_char_boundary(&stored.body, FEEDBACK_TEXT_BYTES)];
            for text in [stored.title.as_str(), body] {
                analysis::for_each_word(text, |raw| {
                    len += 1.0;
                    if let Some(id) = words.id(raw) {
                        counts.add(id, 1.0);
                    }
                });
            }
            fetched.push((*address, stored));
            let doc_weight = (score - top_score).exp();
            counts.drain(|id, c| {
                if len > 0.0 {
                    model.add(id, doc_weight * c / len);
                }
            });
        }
        words.counts = counts;
        let mut top: Vec<(u32, f32)> = Vec::new();
        model.drain(|id, p| top.push((id, p)));
        words.model = model;
        let by_weight = |a: &(u32, f32), b: &(u32, f32)| {
            b.1.total_cmp(&a.1)
                .then_with(|| words.term(a.0).cmp(words.term(b.0)))
        };
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
    let stats = query::AllStats::of(searcher, fields)?;
    let mut extras: Vec<Box<dyn Query>> = Vec::with_capacity(expansion.len());
    for (word, p) in &expansion {
        let boost = (1.0 - lambda) * q_len * p / mass;
        let (q, _) = query::all_field_term(searcher, fields, rank, stats, word, boost)?;
        extras.push(q);
    }
    Ok(Some(extras))
}

/// Feedback reads at most this much of each article's body, so that one
/// very long article does not cost more than ordinary ones.
const FEEDBACK_TEXT_BYTES: usize = 32 * 1024;

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
pub(super) fn applies(compiled: &CompiledQuery, rank: &RankSettings) -> bool {
    let fb = rank.feedback;
    fb.docs > 0 && fb.terms > 0 && original_words(compiled).len() >= fb.min_query_terms
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
    /// One article's word counts, reused from article to article.
    counts: Tally,
    /// The relevance model being summed, reused from query to query.
    model: Tally,
}

/// Sums per word number: a dense array and the numbers touched, so that
/// counting an article's words is an index, not a hash lookup (the numbers
/// are small: [`FeedbackWords`] hands them out from 0). Kept per thread and
/// emptied by [`Tally::drain`], so its array is not zeroed per query.
#[derive(Default)]
struct Tally {
    /// Per number: the sum, and whether the number is in `touched`.
    sums: Vec<(f32, bool)>,
    touched: Vec<u32>,
}

impl Tally {
    fn add(&mut self, id: u32, x: f32) {
        let i = id as usize;
        if i >= self.sums.len() {
            self.sums.resize(i + 1, (0.0, false));
        }
        let (sum, listed) = &mut self.sums[i];
        if !*listed {
            *listed = true;
            self.touched.push(id);
        }
        *sum += x;
    }

    /// Hands `each` the numbers added to and their sums, in the order
    /// first added, and leaves the tally empty.
    fn drain(&mut self, mut each: impl FnMut(u32, f32)) {
        for id in self.touched.drain(..) {
            let (sum, _) = std::mem::take(&mut self.sums[id as usize]);
            each(id, sum);
        }
    }
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
        analysis::term_of(raw, &mut self.lower, &mut self.stem);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::bounds::BoundsSet;
    use crate::index::schema;
    use crate::query::{Filter, Syntax};
    use crate::search::{rank, SearchOptions};

    #[test]
    fn a_tally_sums_per_number_in_the_order_first_added_and_drains_empty() {
        let mut tally = Tally::default();
        tally.add(7, 1.0);
        tally.add(2, 0.0);
        tally.add(7, 2.5);
        tally.add(2, 0.0);
        tally.add(0, 1.0);
        let drained = |tally: &mut Tally| {
            let mut out = Vec::new();
            tally.drain(|id, sum| out.push((id, sum)));
            out
        };
        assert_eq!(drained(&mut tally), [(7, 3.5), (2, 0.0), (0, 1.0)]);
        assert!(drained(&mut tally).is_empty());
        tally.add(2, 4.0);
        assert_eq!(drained(&mut tally), [(2, 4.0)]);
    }

    /// Words common to the best first-pass articles lift a weaker match
    /// that shares them: "nurses" is in every article about pay, strike
    /// and ballot, so of two articles that match only "ballot", the one
    /// with "nurses" ranks first with feedback and second (id order) without.
    #[test]
    fn feedback_lifts_the_match_that_shares_the_best_articles_words() {
        let mut texts: Vec<(String, String)> = (0..5)
            .map(|_| (String::new(), "pay strike ballot nurses nurses".to_owned()))
            .collect();
        texts.push((String::new(), "ballot weather".to_owned()));
        texts.push((String::new(), "ballot nurses".to_owned()));
        let (searcher, fields) = schema::in_memory(&texts);
        let order = |opts: &SearchOptions| {
            let compiled = query::compile(
                "pay strike ballot",
                Syntax::Plain,
                &searcher,
                &fields,
                &opts.rank,
            )
            .expect("compile");
            let (top, total, _) = rank::rank(
                &searcher,
                &fields,
                &compiled,
                &Filter::default(),
                &BoundsSet::none(),
                opts,
                10,
                &mut Vec::new(),
            )
            .expect("rank");
            assert_eq!(total, 7);
            top.iter().map(|(_, a)| a.doc_id).collect::<Vec<_>>()
        };
        let with = SearchOptions::default();
        assert!(applies(
            &query::compile(
                "pay strike ballot",
                Syntax::Plain,
                &searcher,
                &fields,
                &with.rank
            )
            .expect("compile"),
            &with.rank
        ));
        assert_eq!(order(&with)[5..], [6, 5]);
        let mut without = SearchOptions::default();
        without.rank.feedback.docs = 0;
        assert_eq!(order(&without)[5..], [5, 6]);
    }
}
