//! Copies: articles with the same body (equal `body_hash` fast fields, see
//! `index::schema::body_hash`) are one hit, the best ranked, which lists
//! the others in its `also_in`.
//!
//! Collapsing happens on the ranked list, before hits are assembled, so a
//! page still holds `limit` distinct articles: the engine asks `rank` for
//! [`pool`]`(limit)` articles, a few more than it shows, and collapses
//! them; only when copies leave fewer than `limit` distinct articles in a
//! full pool does it rank again with a pool four times larger. Copies have
//! the same body and so nearly the same score, so they sit next to each
//! other in the ranking and the first pool nearly always suffices.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use tantivy::{DocAddress, Searcher};

use crate::error::Result;
use crate::index::{self, columns::SegmentColumns};

/// Articles ranked for a page of `limit` distinct ones: half as many again
/// and five more, room for a few copies at no cost worth measuring (the
/// ranking's heap grows by as many entries).
pub(super) fn pool(limit: usize) -> usize {
    limit.saturating_add(limit / 2).saturating_add(5)
}

/// One distinct article of a ranked list and the copies ranked below it.
pub(super) struct Group {
    pub score: f32,
    pub address: DocAddress,
    pub copies: Vec<DocAddress>,
}

/// The first `limit` distinct articles of `ranked` (best first), each with
/// its copies found further down the list.
pub(super) fn collapse(
    searcher: &Searcher,
    ranked: &[(f32, DocAddress)],
    limit: usize,
) -> Result<Vec<Group>> {
    let mut columns: FxHashMap<u32, Arc<SegmentColumns>> = FxHashMap::default();
    let mut first_of: FxHashMap<u64, usize> = FxHashMap::default();
    let mut groups: Vec<Group> = Vec::with_capacity(limit.min(ranked.len()));
    for &(score, address) in ranked {
        let column = match columns.get(&address.segment_ord) {
            Some(column) => column,
            None => {
                let reader = searcher.segment_reader(address.segment_ord);
                let column = index::columns::of(reader)?;
                columns.entry(address.segment_ord).or_insert(column)
            }
        };
        let hash = column
            .body_hashes()
            .and_then(|c| c.first(address.doc_id))
            .unwrap_or(0);
        if hash != 0 {
            if let Some(&i) = first_of.get(&hash) {
                groups[i].copies.push(address);
                continue;
            }
        }
        if groups.len() == limit {
            continue;
        }
        if hash != 0 {
            first_of.insert(hash, groups.len());
        }
        groups.push(Group {
            score,
            address,
            copies: Vec::new(),
        });
    }
    Ok(groups)
}
