//! Second-look features on the first pass's best articles: term proximity
//! and a document-length prior, each a ranking knob that is off by default
//! (see [`RankSettings::proximity`] and [`RankSettings::length_prior`]).
//!
//! Both add to an article's first-pass score and are computed only for the
//! articles `rank` keeps for re-ranking (the top [`super::rank::RERANK_DEPTH`]
//! or `--limit`), so they reorder the best matches without reading the
//! positions of every match.
//!
//! **Proximity** follows BM25TP (Rasolofo and Savoy, 2003), on passim's
//! BM25F scale: every pair of occurrences of two different query words at
//! most `proximity_window` positions apart, in the same field, adds `1/d²`
//! to both words' proximity counts (a headline pair counting
//! `title_repeat` times); each word's count is then saturated like a term
//! frequency, `w · idf · acc · (k1 + 1) / (acc + norm)`, with the article's
//! BM25F length norm.

use rustc_hash::FxHashMap;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, Term};

use crate::error::Result;
use crate::index::schema::Fields;
use crate::query::{AllStats, CompiledQuery, Pattern, RankSettings};

/// Whether any second-look feature is on for this query.
pub(super) fn applies(compiled: &CompiledQuery, rank: &RankSettings) -> bool {
    rank.length_prior > 0.0 || (rank.proximity > 0.0 && query_words(compiled).len() >= 2)
}

/// The query's distinct unscoped words with their IDF.
fn query_words(compiled: &CompiledQuery) -> Vec<(&str, f32)> {
    let mut words: Vec<(&str, f32)> = Vec::new();
    for t in &compiled.targets {
        if let (Pattern::Term(word), None) = (&t.pattern, t.field) {
            if !words.iter().any(|(w, _)| *w == word.as_str()) {
                let idf = compiled.weights.get(t.group).copied().unwrap_or(0.0);
                words.push((word.as_str(), idf));
            }
        }
    }
    words
}

/// `ranked` with the proximity bonus and the length prior added, best first
/// (ties in `ranked`'s order, itself by score and article id).
pub(super) fn rerank(
    searcher: &Searcher,
    fields: &Fields,
    compiled: &CompiledQuery,
    ranked: &[(f32, DocAddress)],
    rank: &RankSettings,
) -> Result<Vec<(f32, DocAddress)>> {
    let words = query_words(compiled);
    let proximity = rank.proximity > 0.0 && words.len() >= 2;
    let stats = AllStats::of(searcher, fields)?;
    let avg_len = stats.avg_len_with(rank.title_repeat).max(1.0);
    let mut by_segment: Vec<(DocAddress, f32, usize)> = ranked
        .iter()
        .enumerate()
        .map(|(i, &(score, addr))| (addr, score, i))
        .collect();
    by_segment.sort_by_key(|(a, _, _)| *a);
    let mut out: Vec<(f32, usize, DocAddress)> = Vec::with_capacity(by_segment.len());
    let mut occurrences: Vec<(u32, u16)> = Vec::new();
    let mut positions: Vec<u32> = Vec::new();
    for run in by_segment.chunk_by(|a, b| a.0.segment_ord == b.0.segment_ord) {
        let reader = searcher.segment_reader(run[0].0.segment_ord);
        let title_norms = reader.get_fieldnorms_reader(fields.title)?;
        let body_norms = reader.get_fieldnorms_reader(fields.body)?;
        // Per word and field, its postings with positions (None: absent).
        let mut postings = Vec::new();
        if proximity {
            for (word, _) in &words {
                for field in [fields.title, fields.body] {
                    postings.push(positions_of(reader, field, word)?);
                }
            }
        }
        for &(address, score, order) in run {
            let doc = address.doc_id;
            let len = rank.title_repeat * title_norms.fieldnorm(doc) as f32
                + body_norms.fieldnorm(doc) as f32;
            let mut bonus = 0.0;
            if rank.length_prior > 0.0 {
                bonus += rank.length_prior * (1.0 + len / avg_len).ln();
            }
            if proximity {
                let norm = rank.k1 * (1.0 - rank.b + rank.b * len / avg_len);
                let mut acc = vec![0.0f32; words.len()];
                for (f, repeat) in [(0usize, rank.title_repeat), (1, 1.0)] {
                    occurrences.clear();
                    for (w, _) in words.iter().enumerate() {
                        let Some(p) = postings[w * 2 + f].as_mut() else {
                            continue;
                        };
                        if p.doc() < doc {
                            p.seek(doc);
                        }
                        if p.doc() == doc {
                            p.positions(&mut positions);
                            occurrences.extend(positions.iter().map(|&pos| (pos, w as u16)));
                        }
                    }
                    pair_counts(&mut occurrences, rank.proximity_window, repeat, &mut acc);
                }
                for ((_, idf), a) in words.iter().zip(&acc) {
                    if *a > 0.0 {
                        bonus += rank.proximity * idf * a * (rank.k1 + 1.0) / (a + norm);
                    }
                }
            }
            out.push((score + bonus, order, address));
        }
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(out
        .into_iter()
        .map(|(score, _, addr)| (score, addr))
        .collect())
}

/// The postings of `word` in `field` with positions, if the segment has it.
fn positions_of(
    reader: &tantivy::SegmentReader,
    field: Field,
    word: &str,
) -> Result<Option<tantivy::postings::SegmentPostings>> {
    let term = Term::from_field_text(field, word);
    Ok(reader
        .inverted_index(field)?
        .read_postings(&term, IndexRecordOption::WithFreqsAndPositions)?)
}

/// Adds `repeat / d²` to both words' counts in `acc` for every pair of
/// occurrences of two different words at most `window` positions apart.
/// `occurrences` are (position, word) of one field of one article.
fn pair_counts(occurrences: &mut [(u32, u16)], window: u32, repeat: f32, acc: &mut [f32]) {
    occurrences.sort_unstable();
    for (i, &(pos, word)) in occurrences.iter().enumerate() {
        for &(other_pos, other) in &occurrences[i + 1..] {
            let d = other_pos - pos;
            if d > window {
                break;
            }
            if other != word && d > 0 {
                let tpi = repeat / (d * d) as f32;
                acc[usize::from(word)] += tpi;
                acc[usize::from(other)] += tpi;
            }
        }
    }
}

/// Articles whose body hash repeats a better-ranked one's, left out: the
/// feedback set without copies ([`crate::query::Feedback::dedup`]). Keeps
/// at most `want` articles.
pub(super) fn distinct(
    searcher: &Searcher,
    ranked: &[(f32, DocAddress)],
    want: usize,
) -> Vec<(f32, DocAddress)> {
    let mut seen: FxHashMap<u64, ()> = FxHashMap::default();
    let mut out = Vec::with_capacity(want);
    for &(score, address) in ranked {
        if out.len() >= want {
            break;
        }
        let reader = searcher.segment_reader(address.segment_ord);
        let hash = crate::index::columns::of(reader)
            .ok()
            .and_then(|c| c.body_hashes()?.first(address.doc_id))
            .unwrap_or(0);
        if hash != 0 && seen.insert(hash, ()).is_some() {
            continue;
        }
        out.push((score, address));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_within_the_window_count_inverse_square_distance() {
        // Words 0 and 1 at distance 1 and 3; word 0 twice (same word: no pair).
        let mut occ = vec![(10, 1), (0, 0), (1, 1), (2, 0), (30, 1)];
        let mut acc = [0.0f32; 2];
        pair_counts(&mut occ, 8, 1.0, &mut acc);
        // Pairs: (0,1) d=1 → 1; (1,2) d=1 → 1; (2,10) d=8 → 1/64; 30 is too far.
        let want = 1.0 + 1.0 + 1.0 / 64.0;
        assert!((acc[0] - want).abs() < 1e-6, "{acc:?}");
        assert!((acc[1] - want).abs() < 1e-6, "{acc:?}");
        let mut acc = [0.0f32; 2];
        pair_counts(&mut occ, 7, 2.0, &mut acc);
        assert_eq!(acc, [4.0, 4.0]);
    }
}
