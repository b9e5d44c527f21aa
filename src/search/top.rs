//! The best N matches by score, ties in article id order.
//!
//! tantivy's `TopDocs` breaks ties by index order, which changes with the
//! number of indexing threads and with merges. [`TopByScore`] keeps, per
//! segment, the best N by score and then by the id's ordinal in the
//! segment's `id` column (ordinals follow the ids' byte order), reading
//! the ordinal only for matches that can still enter the top N. Across
//! segments, ordinals do not compare: equal scores from several segments
//! are ordered by the `id_key` fast field (the id's first eight bytes), and
//! only ids that share those are read from the dictionary and compared.
//! (tantivy's tuple sort keys read every kept match's id: 3× the
//! instructions of a batch search; reading the id of every cross-segment
//! tie was 43% of a Reuters batch.)

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::columns::{self, SegmentColumns};
use crate::index::schema::{id_bytes, id_ordinal};

/// Collects the best `limit` matches, best first (ties: article id).
pub(super) struct TopByScore {
    pub limit: usize,
}

/// A kept match: score, id ordinal in its segment, address.
type Entry = (Score, u64, DocAddress);

/// An entry and its segment's columns, while segments are merged.
type Candidate<'a> = (Entry, &'a SegmentColumns);

/// One segment's best matches and the columns to read their ids from.
pub(super) struct SegmentTop {
    entries: Vec<Entry>,
    columns: Arc<SegmentColumns>,
}

impl std::fmt::Debug for SegmentTop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SegmentTop")
            .field("entries", &self.entries)
            .finish()
    }
}

/// Per segment: a buffer of up to twice `limit` entries, cut back to the
/// best `limit` when full; a match scoring below the last cut's worst is
/// not kept (and its id not read).
pub(super) struct TopSegment {
    segment: SegmentOrdinal,
    limit: usize,
    ids: Option<StrColumn>,
    columns: Arc<SegmentColumns>,
    buffer: Vec<Entry>,
    /// The worst entry kept at the last cut.
    threshold: Option<(Score, u64)>,
}

/// Better first: higher score, then lower id ordinal.
fn better(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
}

impl TopSegment {
    fn cut(&mut self) {
        if self.buffer.len() > self.limit {
            self.buffer.select_nth_unstable_by(self.limit, better);
            self.buffer.truncate(self.limit);
        }
        self.threshold = self
            .buffer
            .iter()
            .max_by(|a, b| better(a, b))
            .map(|e| (e.0, e.1));
    }
}

impl SegmentCollector for TopSegment {
    type Fruit = SegmentTop;

    #[inline]
    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some((worst, _)) = self.threshold {
            if score < worst {
                return;
            }
        }
        let ord = id_ordinal(self.ids.as_ref(), doc);
        if let Some((worst, worst_ord)) = self.threshold {
            if score == worst && ord >= worst_ord {
                return;
            }
        }
        self.buffer
            .push((score, ord, DocAddress::new(self.segment, doc)));
        if self.buffer.len() >= 2 * self.limit {
            self.cut();
        }
    }

    fn harvest(mut self) -> SegmentTop {
        self.cut();
        SegmentTop {
            entries: self.buffer,
            columns: self.columns,
        }
    }
}

impl Collector for TopByScore {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = TopSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<TopSegment> {
        let limit = self.limit.max(1);
        let columns = columns::of(reader)?;
        Ok(TopSegment {
            segment,
            limit,
            ids: columns.ids.clone(),
            columns,
            buffer: Vec::with_capacity(2 * limit),
            threshold: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<SegmentTop>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<Candidate> = fruits
            .iter()
            .flat_map(|f| f.entries.iter().map(move |e| (*e, &*f.columns)))
            .collect();
        all.sort_by(|a, b| {
            b.0 .0
                .total_cmp(&a.0 .0)
                .then_with(|| a.0 .2.segment_ord.cmp(&b.0 .2.segment_ord))
                .then_with(|| a.0 .1.cmp(&b.0 .1))
        });
        // Equal scores from more than one segment: order them by the ids.
        let mut start = 0;
        while start < all.len().min(self.limit) {
            let score = all[start].0 .0;
            let end = start + all[start..].partition_point(|e| e.0 .0 == score);
            let run = &mut all[start..end];
            if run
                .iter()
                .any(|e| e.0 .2.segment_ord != run[0].0 .2.segment_ord)
            {
                order_by_id(run);
            }
            start = end;
        }
        all.truncate(self.limit);
        Ok(all.into_iter().map(|(e, _)| (e.0, e.2)).collect())
    }
}

/// Orders a run of equal scores from several segments by article id:
/// by the ids' keys, then, where keys from different segments are equal,
/// by the ids read from their dictionaries; articles without an id last.
fn order_by_id(run: &mut [Candidate]) {
    // 0: with an id; 1: without one. Then the key; then, within a segment,
    // the id's ordinal (the ids' order).
    let key = |c: &Candidate| {
        let (_, ord, address) = c.0;
        let k = match (ord, c.1.id_keys()) {
            (u64::MAX, _) => (1, 0),
            (_, Some(keys)) => (0, keys.first(address.doc_id).unwrap_or(0)),
            (_, None) => (0, 0),
        };
        (k.0, k.1, address.segment_ord, ord, address.doc_id)
    };
    run.sort_by_cached_key(key);
    let mut start = 0;
    while start < run.len() {
        let (rank, k, ..) = key(&run[start]);
        let end = start + run[start..].partition_point(|c| (key(c).0, key(c).1) == (rank, k));
        let same = &mut run[start..end];
        if rank == 0
            && same
                .iter()
                .any(|c| c.0 .2.segment_ord != same[0].0 .2.segment_ord)
        {
            let mut keyed: Vec<(Option<Vec<u8>>, Candidate)> = same
                .iter()
                .map(|c| (id_bytes(c.1.ids.as_ref(), c.0 .1).ok().flatten(), *c))
                .collect();
            // By id, articles without one last; the same id: by address.
            keyed.sort_by(|a, b| {
                (a.0.is_none(), &a.0, a.1 .0 .2).cmp(&(b.0.is_none(), &b.0, b.1 .0 .2))
            });
            for (slot, (_, c)) in same.iter_mut().zip(keyed) {
                *slot = c;
            }
        }
        start = end;
    }
}
