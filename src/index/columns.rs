//! The fast-field columns every search reads per segment: article ids
//! (ties are broken by id), their first eight bytes as a number, and the
//! body hashes that find copies.
//!
//! Opening a column parses its header and block metadata (a blockwise
//! linear column reads one line per 512 articles): on Reuters-21578 that
//! was 4.3% of a batch's instructions when each search opened its own.
//! A segment never changes once written, so its columns are opened once
//! per process and shared ([`of`]); [`retain`] drops those of segments a
//! searcher no longer has, so that a merged-away segment's file is not
//! kept mapped by this cache. The ids are read by every search; the id keys
//! (ties across segments) and body hashes (copies of the hits) by fewer, so
//! each of those is opened the first time it is asked for: a one-shot search
//! of a large index does not pay for the columns of segments it never reads
//! them from.

use std::sync::{Arc, Mutex, OnceLock};

use tantivy::columnar::{Column, StrColumn};
use tantivy::fastfield::FastFieldReaders;
use tantivy::index::SegmentId;
use tantivy::{Searcher, SegmentReader};

use super::schema::{BODY_HASH, ID, ID_KEY};

/// One segment's columns. A column the segment lacks (no article has the
/// field) is `None`, which readers take as "no value".
pub struct SegmentColumns {
    /// Article ids (ordinals follow the ids' byte order).
    pub ids: Option<StrColumn>,
    fast: FastFieldReaders,
    id_keys: OnceLock<Option<Column<u64>>>,
    body_hashes: OnceLock<Option<Column<u64>>>,
}

impl SegmentColumns {
    /// Each id's first eight bytes, big-endian, as a number.
    pub fn id_keys(&self) -> Option<&Column<u64>> {
        self.id_keys.get_or_init(|| self.u64(ID_KEY)).as_ref()
    }

    /// Each body's hash (0: too short to compare).
    pub fn body_hashes(&self) -> Option<&Column<u64>> {
        self.body_hashes
            .get_or_init(|| self.u64(BODY_HASH))
            .as_ref()
    }

    /// An index without these fields cannot be open (its schema differs),
    /// but a missing or unreadable column is no reason to fail a search.
    fn u64(&self, name: &str) -> Option<Column<u64>> {
        self.fast.u64(name).ok()
    }
}

/// Segments whose columns are kept (oldest dropped first).
const KEPT: usize = 256;

/// Columns opened so far, by segment.
pub struct Opened(Mutex<Vec<(SegmentId, Arc<SegmentColumns>)>>);

/// This process's opened columns (see `search`'s notes on caches).
static OPENED: Opened = Opened(Mutex::new(Vec::new()));

/// The columns of the segment `reader`, opened on first use.
pub fn of(reader: &SegmentReader) -> tantivy::Result<Arc<SegmentColumns>> {
    OPENED.of(reader)
}

/// Forgets the columns of segments that `searcher` does not have (merged
/// or deleted since they were opened).
pub fn retain(searcher: &Searcher) {
    OPENED.retain(searcher)
}

impl Opened {
    fn of(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentColumns>> {
        let id = reader.segment_id();
        let find = |opened: &[(SegmentId, Arc<SegmentColumns>)]| {
            opened
                .iter()
                .find(|(s, _)| *s == id)
                .map(|(_, c)| Arc::clone(c))
        };
        // A poisoned lock only means another search panicked: the list is still valid.
        if let Some(columns) = find(&self.0.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(columns);
        }
        let fast = reader.fast_fields();
        let columns = Arc::new(SegmentColumns {
            ids: fast.str(ID)?,
            fast: fast.clone(),
            id_keys: OnceLock::new(),
            body_hashes: OnceLock::new(),
        });
        let mut opened = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(columns) = find(&opened) {
            return Ok(columns);
        }
        if opened.len() >= KEPT {
            opened.remove(0);
        }
        opened.push((id, Arc::clone(&columns)));
        Ok(columns)
    }

    fn retain(&self, searcher: &Searcher) {
        let mut opened = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if opened.is_empty() {
            return;
        }
        let live: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        opened.retain(|(id, _)| live.contains(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema;

    #[test]
    fn columns_are_opened_once_per_segment_and_forgotten_with_it() {
        let (searcher, _) = schema::in_memory(&[("a", "pay rise"), ("b", "pay cut")]);
        let reader = searcher.segment_reader(0);
        let opened = Opened(Mutex::new(Vec::new()));
        let first = opened.of(reader).expect("columns");
        let again = opened.of(reader).expect("columns");
        assert!(Arc::ptr_eq(&first, &again));
        let ids = first.ids.as_ref().expect("ids");
        let mut id = String::new();
        assert!(ids.ord_to_str(1, &mut id).expect("id"));
        assert_eq!(id, "1");
        assert!(first.id_keys.get().is_none() && first.body_hashes.get().is_none());
        assert!(first.id_keys().is_some() && first.body_hashes().is_some());
        assert!(first.id_keys.get().is_some() && first.body_hashes.get().is_some());

        // The same searcher keeps them; another (without this segment) drops them.
        opened.retain(&searcher);
        assert!(Arc::ptr_eq(&first, &opened.of(reader).expect("columns")));
        let (other, _) = schema::in_memory(&[("c", "strike")]);
        opened.retain(&other);
        assert!(!Arc::ptr_eq(&first, &opened.of(reader).expect("columns")));
    }
}
