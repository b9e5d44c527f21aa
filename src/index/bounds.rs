//! Block bounds: for each frequent word of a segment and each window of
//! articles (256 consecutive document ids, [`WINDOW_LOG2`]), the most that word can add to
//! an article's BM25F score there. Top-k ranking (`query::bm25f`) passes
//! over a window whose words' bounds together cannot reach the k-th best
//! score without scoring it, which is what makes a very common word, or a
//! query of common words only, fast on a large index.
//!
//! A word's score in an article is `weight × r / (r + k1)` with
//! `r = tf / (1 − b + (b / avg_len) · len)` (`tf` and `len` combine the
//! headline, counted `repeat` times, and the body; see `query::bm25f`). The
//! file keeps each window's largest `r`, which does not depend on the
//! word's weight or on k1. It does depend on `b / avg_len`, and the mean
//! length moves as articles are added; a bound written at `b / avg_len = c0`
//! still holds at `c1` once multiplied by `max(1, c0 / c1)`, because
//! `(1 − b + c0·len) / (1 − b + c1·len)` never exceeds that. Bounds written
//! for another `b` or headline weight are not used.
//!
//! One file per segment, `bounds/<segment id>.bounds` in the index folder,
//! written by `passim index` after its commit (segments never change, so
//! neither does the file), removed with its segment. An index without them
//! (or with a damaged one) is ranked as before, only slower.
//!
//! Layout (little-endian): the magic `PASSIMBB`, then `u32` version, window
//! size as a power of two, document count and word count, then `f32` b,
//! headline weight and `b / avg_len`, a `u32` of zero; the words' keys
//! (`u64`, the start of the word's body postings in the segment, ascending);
//! the words' document frequencies over headline and body (`u32`, deleted
//! articles included, as in the postings); the words' samples (3 `u32`
//! document ids each, [`NO_DOC`] where there are fewer); then per word, per window, the
//! largest `r` as the top 16 bits of an `f32` (bfloat16), rounded up, 0
//! where the word does not occur.
//!
//! The document frequencies spare a search the walk of a common word's
//! headline postings against its body postings that counting the articles
//! with the word in either field takes (`query::union_doc_freq`): on a
//! million articles that walk was 44% of a one-shot search for three
//! common words.
//!
//! The samples are, of the articles with the word in the body, the three
//! with the lowest ids (by their ordinals in the segment's id column, which
//! keep the ids' order): the articles "did you mean" reads a suggested word
//! back from (`search::suggest`), which would otherwise walk all of a common
//! word's postings to find them.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};

use tantivy::index::SegmentId;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Searcher, SegmentReader, TERMINATED};

use super::schema::{id_ordinal, Fields, ID};

/// Folder of the bounds files, inside the index folder.
pub const FOLDER: &str = "bounds";

const MAGIC: &[u8; 8] = b"PASSIMBB";
const VERSION: u32 = 4;

/// The oldest layout still read. Version 3 is version 4 with samples
/// ordered by the ids' first eight bytes, then document ids, which let the
/// segments decide between ids that share those: its bounds are used, its
/// samples are not, and `passim index` writes the file again.
const OLDEST_READ: u32 = 3;

/// Articles sampled per word (see the module notes).
pub const SAMPLES: usize = 3;

/// An empty place in a word's samples.
pub const NO_DOC: u32 = u32::MAX;
const HEADER: usize = 8 + 4 * 4 + 4 * 4;

/// Windows of `1 << WINDOW_LOG2` document ids. Narrower windows skip
/// more and take more room: on the 200,000-article bench batch, windows of
/// 4,096, 1,024, 512, 256 and 128 articles took its instructions 5.0%,
/// 12.3%, 14.5%, 16.0% and 16.9% below none, for bounds files of 0.1, 0.3,
/// 0.6, 1.2 and 2.3 MB (the index is 621 MB).
pub const WINDOW_LOG2: u32 = 8;

/// Words in fewer articles of a segment than this get no bounds: their
/// postings are short enough to score whole.
pub const MIN_DOC_FREQ: u32 = 4096;

/// Nor do words in under one article in `MIN_SHARE` of a large segment, so
/// that the number of words with bounds stays about the same as segments
/// grow (their files grow with the articles, not with the vocabulary too).
pub const MIN_SHARE: u32 = 128;

/// The ranking constants bounds are computed for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundsParams {
    pub b: f32,
    /// How many body words a headline word counts as.
    pub repeat: f32,
    /// `b / avg_len`, as `query::bm25f` computes it.
    pub b_per_len: f32,
}

impl BoundsParams {
    /// Whether bounds written for `self` serve `other` well: the same `b`
    /// and headline weight, and a mean length within 10% (they would still
    /// be valid further off, only looser).
    pub fn close_to(&self, other: BoundsParams) -> bool {
        let ratio = f64::from(self.b_per_len) / f64::from(other.b_per_len);
        self.b == other.b && self.repeat == other.repeat && (1.0 / 1.1..=1.1).contains(&ratio)
    }
}

/// One segment's bounds.
#[derive(Debug)]
pub struct SegmentBounds {
    /// The layout it was written in.
    version: u32,
    window_log2: u32,
    windows: usize,
    params: BoundsParams,
    /// Body postings start of each word with bounds, ascending.
    keys: Vec<u64>,
    /// Articles with the word in headline or body, per word.
    doc_freqs: Vec<u32>,
    /// Per word, the articles with it in the body that have the lowest ids;
    /// empty when read from a version 3 file.
    samples: Vec<[u32; SAMPLES]>,
    rows: Rows,
}

#[derive(Debug)]
enum Rows {
    Memory(Vec<u16>),
    /// Read a word's row when a query needs it: a one-shot search on a
    /// large index reads a few kilobytes, not the whole file.
    File {
        file: File,
        start: u64,
    },
}

impl SegmentBounds {
    /// Bounds of every word in at least `min_doc_freq` articles of the
    /// segment, over windows of `1 << window_log2` document ids.
    pub fn compute(
        reader: &SegmentReader,
        fields: &Fields,
        params: BoundsParams,
        window_log2: u32,
        min_doc_freq: u32,
    ) -> tantivy::Result<SegmentBounds> {
        let max_doc = reader.max_doc();
        let windows = windows(max_doc, window_log2);
        // Each article's length normalisation `1 − b + (b / avg_len) · len`.
        let title_len = reader.get_fieldnorms_reader(fields.title)?;
        let body_len = reader.get_fieldnorms_reader(fields.body)?;
        let (b, repeat, per_len) = (
            f64::from(params.b),
            f64::from(params.repeat),
            f64::from(params.b_per_len),
        );
        let norm: Vec<f64> = (0..max_doc)
            .map(|doc| {
                let len = repeat * f64::from(title_len.fieldnorm(doc))
                    + f64::from(body_len.fieldnorm(doc));
                1.0 - b + per_len * len
            })
            .collect();
        let body = reader.inverted_index(fields.body)?;
        let title = reader.inverted_index(fields.title)?;
        let ids = reader.fast_fields().str(ID)?;
        let id_ord: Vec<u64> = (0..max_doc)
            .map(|doc| id_ordinal(ids.as_ref(), doc))
            .collect();
        let mut keys = Vec::new();
        let mut doc_freqs = Vec::new();
        let mut samples = Vec::new();
        let mut rows = Vec::new();
        let mut row = vec![0.0f64; windows];
        let mut stream = body.terms().stream()?;
        while stream.advance() {
            let info = stream.value();
            if info.doc_freq < min_doc_freq {
                continue;
            }
            let mut body_postings =
                body.read_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
            let mut title_postings = match title.terms().get(stream.key())? {
                Some(t) => title.read_postings_from_terminfo(&t, IndexRecordOption::WithFreqs)?,
                None => SegmentPostings::empty(),
            };
            row.fill(0.0);
            let mut doc_freq = 0u32;
            // The lowest (id ordinal, doc) of the body's articles, ascending.
            let mut sample = [(u64::MAX, NO_DOC); SAMPLES];
            let (mut bd, mut td) = (body_postings.doc(), title_postings.doc());
            while bd != TERMINATED || td != TERMINATED {
                let doc = bd.min(td);
                doc_freq += 1;
                let mut tf = 0.0;
                if bd == doc {
                    tf += f64::from(body_postings.term_freq());
                    bd = body_postings.advance();
                    let entry = (id_ord.get(doc as usize).copied().unwrap_or(u64::MAX), doc);
                    if entry < sample[SAMPLES - 1] {
                        sample[SAMPLES - 1] = entry;
                        sample.sort_unstable();
                    }
                }
                if td == doc {
                    tf += repeat * f64::from(title_postings.term_freq());
                    td = title_postings.advance();
                }
                let n = norm.get(doc as usize).copied().unwrap_or(1.0);
                let w = (doc >> window_log2) as usize;
                if let Some(best) = row.get_mut(w) {
                    *best = best.max(tf / n);
                }
            }
            keys.push(info.postings_range.start as u64);
            doc_freqs.push(doc_freq);
            samples.push(sample.map(|(_, doc)| doc));
            rows.extend(row.iter().map(|&r| round_up(r)));
        }
        Ok(SegmentBounds {
            version: VERSION,
            window_log2,
            windows,
            params,
            keys,
            doc_freqs,
            samples,
            rows: Rows::Memory(rows),
        })
    }

    /// The constants the bounds were computed for.
    pub fn params(&self) -> BoundsParams {
        self.params
    }

    /// Windows are `1 << window_log2()` document ids wide.
    pub fn window_log2(&self) -> u32 {
        self.window_log2
    }

    /// Words with bounds.
    #[cfg(test)]
    pub fn words(&self) -> usize {
        self.keys.len()
    }

    /// Articles with the word whose body postings start at `key` in their
    /// headline or body (deleted ones included); `None` if it has no bounds.
    pub fn doc_freq(&self, key: u64) -> Option<u32> {
        let i = self.keys.binary_search(&key).ok()?;
        self.doc_freqs.get(i).copied()
    }

    /// Of the articles with the word whose body postings start at `key` in
    /// their body, the [`SAMPLES`] with the lowest ids (then document ids,
    /// for articles without one), ascending, [`NO_DOC`] where there are
    /// fewer; deleted articles included. `None` if the word has no bounds
    /// (or the file is of version 3).
    pub fn samples(&self, key: u64) -> Option<[u32; SAMPLES]> {
        let i = self.keys.binary_search(&key).ok()?;
        self.samples.get(i).copied()
    }

    /// The largest `r` of the word whose body postings start at `key`, per
    /// window (as written: rounded up); `None` if it has no bounds.
    pub fn row(&self, key: u64) -> Option<Vec<f32>> {
        let i = self.keys.binary_search(&key).ok()?;
        let decode = |v: u16| f32::from_bits(u32::from(v) << 16);
        match &self.rows {
            Rows::Memory(rows) => Some(
                rows.get(i * self.windows..(i + 1) * self.windows)?
                    .iter()
                    .map(|&v| decode(v))
                    .collect(),
            ),
            Rows::File { file, start } => {
                let mut bytes = vec![0u8; self.windows * 2];
                let at = start + (i * self.windows * 2) as u64;
                file.read_exact_at(&mut bytes, at).ok()?;
                Some(
                    bytes
                        .chunks_exact(2)
                        .map(|c| decode(u16::from_le_bytes([c[0], c[1]])))
                        .collect(),
                )
            }
        }
    }

    /// Writes the bounds to `path` (through a temporary file and a rename,
    /// so a reader never sees half a file).
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let Rows::Memory(rows) = &self.rows else {
            return Err(io::Error::other(
                "bounds read from a file are not written again",
            ));
        };
        let mut out =
            Vec::with_capacity(HEADER + self.keys.len() * (12 + 4 * SAMPLES) + rows.len() * 2);
        out.extend_from_slice(MAGIC);
        for v in [
            VERSION,
            self.window_log2,
            u32::try_from(self.windows << self.window_log2).unwrap_or(u32::MAX),
            u32::try_from(self.keys.len()).map_err(io::Error::other)?,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [self.params.b, self.params.repeat, self.params.b_per_len] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&0u32.to_le_bytes());
        for k in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        for df in &self.doc_freqs {
            out.extend_from_slice(&df.to_le_bytes());
        }
        for doc in self.samples.iter().flatten() {
            out.extend_from_slice(&doc.to_le_bytes());
        }
        for r in rows {
            out.extend_from_slice(&r.to_le_bytes());
        }
        let tmp = path.with_extension("tmp");
        let mut file = File::create(&tmp)?;
        file.write_all(&out)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    }

    /// The bounds in `path`, reading only the header and keys; `None` if
    /// there is no such file or it is not one this version wrote.
    pub fn open(path: &Path) -> Option<SegmentBounds> {
        let mut file = File::open(path).ok()?;
        let mut header = [0u8; HEADER];
        file.read_exact(&mut header).ok()?;
        if &header[..8] != MAGIC {
            return None;
        }
        let u =
            |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
        let f = |i: usize| f32::from_bits(u(i));
        let (version, window_log2, docs, words) = (u(8), u(12), u(16), u(20));
        if !(OLDEST_READ..=VERSION).contains(&version) || window_log2 > 24 {
            return None;
        }
        let windows = (docs >> window_log2) as usize;
        let mut raw = vec![0u8; words as usize * 8];
        file.read_exact(&mut raw).ok()?;
        let keys: Vec<u64> = raw
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect();
        let mut raw_dfs = vec![0u8; words as usize * 4];
        file.read_exact(&mut raw_dfs).ok()?;
        let doc_freqs: Vec<u32> = raw_dfs
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let mut raw_samples = vec![0u8; words as usize * 4 * SAMPLES];
        file.read_exact(&mut raw_samples).ok()?;
        let samples: Vec<[u32; SAMPLES]> = raw_samples
            .chunks_exact(4 * SAMPLES)
            .map(|c| {
                let mut docs = [NO_DOC; SAMPLES];
                for (doc, b) in docs.iter_mut().zip(c.chunks_exact(4)) {
                    *doc = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                }
                docs
            })
            .collect();
        let start = (HEADER + raw.len() + raw_dfs.len() + raw_samples.len()) as u64;
        let samples = if version == VERSION {
            samples
        } else {
            Vec::new()
        };
        let expected = start + (keys.len() * windows * 2) as u64;
        if file.metadata().ok()?.len() != expected || !keys.windows(2).all(|k| k[0] < k[1]) {
            return None;
        }
        Some(SegmentBounds {
            version,
            window_log2,
            windows,
            params: BoundsParams {
                b: f(24),
                repeat: f(28),
                b_per_len: f(32),
            },
            keys,
            doc_freqs,
            samples,
            rows: Rows::File { file, start },
        })
    }
}

/// Windows covering `max_doc` document ids.
fn windows(max_doc: u32, window_log2: u32) -> usize {
    ((u64::from(max_doc) + (1 << window_log2) - 1) >> window_log2) as usize
}

/// `r` as a bfloat16 no smaller than it (with room for the rounding of the
/// sums it came from).
fn round_up(r: f64) -> u16 {
    if r <= 0.0 {
        return 0;
    }
    let bits = ((r * (1.0 + 1e-6)) as f32).to_bits();
    let high = bits >> 16;
    let high = if bits & 0xFFFF != 0 { high + 1 } else { high };
    u16::try_from(high).unwrap_or(0x7F80)
}

/// Where the bounds of a segment are kept.
pub fn path(index_dir: &Path, segment: SegmentId) -> PathBuf {
    index_dir
        .join(FOLDER)
        .join(format!("{}.bounds", segment.uuid_string()))
}

/// Writes the bounds of every segment of `searcher` that has none yet for
/// `params`, and removes those of segments that are gone. Called by the
/// holder of the writer lock after a commit.
pub fn refresh(
    index_dir: &Path,
    searcher: &Searcher,
    fields: &Fields,
    params: BoundsParams,
) -> tantivy::Result<()> {
    let folder = index_dir.join(FOLDER);
    std::fs::create_dir_all(&folder)?;
    let mut live = Vec::new();
    for reader in searcher.segment_readers() {
        let path = path(index_dir, reader.segment_id());
        live.push(path.clone());
        if SegmentBounds::open(&path)
            .is_some_and(|b| b.version == VERSION && b.params.close_to(params))
        {
            continue;
        }
        let min_doc_freq = MIN_DOC_FREQ.max(reader.max_doc() / MIN_SHARE);
        SegmentBounds::compute(reader, fields, params, WINDOW_LOG2, min_doc_freq)?.write(&path)?;
    }
    for entry in std::fs::read_dir(&folder)?.flatten() {
        if !live.contains(&entry.path()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// The block bounds a searcher can use, by segment: read from an index
/// folder as segments are first searched (a live searcher meets new ones),
/// or given (tests).
#[derive(Debug)]
pub struct BoundsSet {
    dir: Option<PathBuf>,
    /// Whether the folder has any bounds: checked when opened, again for
    /// each new searcher generation while it has none (a live searcher,
    /// `passim serve`, may have started before `passim index` wrote the
    /// first), and set when a segment's bounds are read.
    any: AtomicBool,
    /// The searcher generation the folder was last checked for.
    checked: AtomicU64,
    opened: std::sync::Mutex<Vec<(SegmentId, std::sync::Arc<SegmentBounds>)>>,
}

impl Default for BoundsSet {
    fn default() -> Self {
        BoundsSet {
            dir: None,
            any: AtomicBool::new(false),
            checked: AtomicU64::new(u64::MAX),
            opened: Default::default(),
        }
    }
}

/// Whether the index folder `dir` holds any bounds file.
fn folder_has_bounds(dir: &Path) -> bool {
    std::fs::read_dir(dir.join(FOLDER))
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false)
}

/// Segments whose bounds are remembered.
const KEPT: usize = 1024;

/// Bounds met by any [`BoundsSet`] of this process, for their document
/// frequencies ([`doc_freq`]), which do not depend on the ranking
/// constants. Process-wide because the query compiler that needs them
/// runs without an engine (see `search`'s notes on caches).
static KNOWN: std::sync::Mutex<Vec<(SegmentId, std::sync::Arc<SegmentBounds>)>> =
    std::sync::Mutex::new(Vec::new());

fn remember(segment: SegmentId, bounds: &std::sync::Arc<SegmentBounds>) {
    // A poisoned lock only means another search panicked: the list is still valid.
    let mut known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    if known.iter().any(|(id, _)| *id == segment) {
        return;
    }
    if known.len() >= KEPT {
        known.remove(0);
    }
    known.push((segment, bounds.clone()));
}

/// The bounds of `segment` that this process has read, if any.
fn known(segment: SegmentId) -> Option<std::sync::Arc<SegmentBounds>> {
    let known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    known
        .iter()
        .find(|(id, _)| *id == segment)
        .map(|(_, bounds)| bounds.clone())
}

/// Articles of `segment` with the word whose body postings start at `key`
/// in headline or body, if bounds read in this process hold it.
pub fn doc_freq(segment: SegmentId, key: u64) -> Option<u32> {
    known(segment)?.doc_freq(key)
}

/// [`SegmentBounds::samples`] of the word whose body postings start at
/// `key` in `segment`, if bounds read in this process hold it.
pub fn samples(segment: SegmentId, key: u64) -> Option<[u32; SAMPLES]> {
    known(segment)?.samples(key)
}

impl BoundsSet {
    /// No bounds: every query is ranked without them.
    #[cfg(test)]
    pub fn none() -> BoundsSet {
        BoundsSet::default()
    }

    /// The bounds kept in the index folder `dir`.
    pub fn in_dir(dir: &Path) -> BoundsSet {
        BoundsSet {
            dir: Some(dir.to_path_buf()),
            any: AtomicBool::new(folder_has_bounds(dir)),
            ..BoundsSet::default()
        }
    }

    /// Bounds given per segment.
    #[cfg(test)]
    pub fn of(segments: Vec<(SegmentId, SegmentBounds)>) -> BoundsSet {
        let any = !segments.is_empty();
        let opened = segments
            .into_iter()
            .map(|(id, b)| {
                let b = std::sync::Arc::new(b);
                remember(id, &b);
                (id, b)
            })
            .collect();
        BoundsSet {
            any: AtomicBool::new(any),
            opened: std::sync::Mutex::new(opened),
            ..BoundsSet::default()
        }
    }

    /// Whether the index has block bounds at all (when it has none, a
    /// single word is ranked by the plain union, which is faster without).
    pub fn is_empty(&self) -> bool {
        !self.any.load(Relaxed)
    }

    /// Reads the bounds of every segment `searcher` has (their document
    /// frequencies serve the query compiler). While the index has none,
    /// the folder is looked at again once per searcher generation.
    pub fn load(&self, searcher: &Searcher) {
        if !self.any.load(Relaxed) {
            let generation = searcher.generation().generation_id();
            if self.checked.swap(generation, Relaxed) != generation
                && self.dir.as_deref().is_some_and(folder_has_bounds)
            {
                self.any.store(true, Relaxed);
            }
        }
        if self.any.load(Relaxed) {
            for reader in searcher.segment_readers() {
                self.get(reader.segment_id());
            }
        }
    }

    /// The bounds of `segment`, if it has any.
    pub fn get(&self, segment: SegmentId) -> Option<std::sync::Arc<SegmentBounds>> {
        // A poisoned lock only means another search panicked: the list is still valid.
        let mut opened = self.opened.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, b)) = opened.iter().find(|(id, _)| *id == segment) {
            return Some(b.clone());
        }
        let dir = self.dir.as_ref()?;
        // A segment without bounds is not remembered: `passim index` writes
        // them just after its commit, which a live searcher may see first.
        let b = SegmentBounds::open(&path(dir, segment)).map(std::sync::Arc::new)?;
        self.any.store(true, Relaxed);
        remember(segment, &b);
        if opened.len() >= KEPT {
            opened.remove(0);
        }
        opened.push((segment, b.clone()));
        Some(b)
    }
}

/// The constants of the default ranking on the index `searcher` reads.
pub fn default_params(searcher: &Searcher, fields: &Fields) -> crate::error::Result<BoundsParams> {
    let settings = crate::query::RankSettings::default();
    let stats = crate::query::AllStats::of(searcher, fields)?;
    let avg_len = stats.avg_len_with(settings.title_repeat);
    let avg_len = if avg_len > 0.0 { avg_len } else { 1.0 };
    Ok(BoundsParams {
        b: settings.b,
        repeat: settings.title_repeat,
        b_per_len: settings.b / avg_len,
    })
}

/// [`refresh`] for the default ranking, after a run has committed. Bounds
/// only make ranking faster, so a failure here is not the run's: the
/// segments left without bounds are ranked without them.
pub fn refresh_default(index_dir: &Path, index: &tantivy::Index, fields: &Fields) {
    let Ok(reader) = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
    else {
        return;
    };
    let searcher: Searcher = reader.searcher();
    if let Ok(params) = default_params(&searcher, fields) {
        let _ = refresh(index_dir, &searcher, fields, params);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema;
    use tantivy::schema::IndexRecordOption;
    use tantivy::Term;

    /// The constants the tests' bounds are computed for.
    const PARAMS: BoundsParams = BoundsParams {
        b: 0.5,
        repeat: 3.0,
        b_per_len: 0.02,
    };

    /// An index of `texts` (headline, body) and its one segment's bounds
    /// for [`PARAMS`], over windows of 64 articles, for words in 100 or more.
    fn computed(texts: &[(String, String)]) -> (Searcher, Fields, SegmentBounds) {
        let (searcher, fields) = schema::in_memory(texts);
        let bounds = SegmentBounds::compute(searcher.segment_reader(0), &fields, PARAMS, 6, 100)
            .expect("compute");
        (searcher, fields, bounds)
    }

    /// A searcher opened before `passim index` wrote the first bounds (a
    /// running `passim serve`) finds them: on its next generation's load,
    /// or when a segment's bounds are asked for.
    #[test]
    fn bounds_written_after_opening_are_found() {
        let texts: Vec<(String, String)> = (0..300usize)
            .map(|i| (String::new(), "pay rise ".repeat(1 + i % 4)))
            .collect();
        let (searcher, _, bounds) = computed(&texts);
        let reader = searcher.segment_reader(0);
        let dir = tempfile::tempdir().expect("tempdir");
        let by_load = BoundsSet::in_dir(dir.path());
        let by_get = BoundsSet::in_dir(dir.path());
        assert!(by_load.is_empty() && by_get.is_empty());
        let file = path(dir.path(), reader.segment_id());
        std::fs::create_dir_all(dir.path().join(FOLDER)).expect("folder");
        bounds.write(&file).expect("write");
        by_load.load(&searcher);
        assert!(!by_load.is_empty());
        assert!(by_get.get(reader.segment_id()).is_some());
        assert!(!by_get.is_empty());
    }

    /// Bounds hold each window's largest `r` of every article there, read
    /// back from the file as computed, and a damaged file is not read.
    #[test]
    fn bounds_cover_every_article_and_survive_the_file() {
        let texts: Vec<(String, String)> = (0..700usize)
            .map(|i| {
                (
                    if i % 5 == 0 {
                        "pay deal".into()
                    } else {
                        String::new()
                    },
                    format!(
                        "{}{}",
                        "pay rise ".repeat(1 + i * 7 % 5),
                        "the union said ".repeat(i % 9)
                    ),
                )
            })
            .collect();
        let (searcher, fields, bounds) = computed(&texts);
        let reader = searcher.segment_reader(0);
        let params = PARAMS;
        // "pay", "rise" (all 700), "union", "said", "the" (over 100): not "deal" (headline only).
        assert_eq!(bounds.words(), 5);
        assert_eq!(bounds.windows, 11);
        let body = reader.inverted_index(fields.body).expect("body");
        let info = body
            .get_term_info(&Term::from_field_text(fields.body, "pay"))
            .expect("read")
            .expect("pay");
        let key = info.postings_range.start as u64;
        let row = bounds.row(key).expect("row");
        assert_eq!(bounds.doc_freq(key), Some(700));
        let union = body
            .get_term_info(&Term::from_field_text(fields.body, "union"))
            .expect("read")
            .expect("union");
        let union_key = union.postings_range.start as u64;
        assert_eq!(bounds.doc_freq(union_key), Some(622));
        // The lowest ids in id order ("0" < "1" < "10" < "100"), of those with the word in the body.
        assert_eq!(bounds.samples(key), Some([0, 1, 10]));
        assert_eq!(bounds.samples(union_key), Some([1, 10, 100]));
        let mut postings = body
            .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)
            .expect("postings");
        let title_len = reader.get_fieldnorms_reader(fields.title).expect("title");
        let body_len = reader.get_fieldnorms_reader(fields.body).expect("body");
        let mut reached = vec![0.0f64; row.len()];
        while postings.doc() != TERMINATED {
            let doc = postings.doc();
            let title_tf = if doc % 5 == 0 { 3.0 } else { 0.0 };
            let len =
                3.0 * f64::from(title_len.fieldnorm(doc)) + f64::from(body_len.fieldnorm(doc));
            let r = (f64::from(postings.term_freq()) + title_tf) / (0.5 + 0.02 * len);
            let w = (doc >> 6) as usize;
            assert!(f64::from(row[w]) >= r, "doc {doc}: {} < {r}", row[w]);
            reached[w] = reached[w].max(r);
            postings.advance();
        }
        // Rounded up to bfloat16: never more than 1% above the largest.
        for (w, (&bound, &max)) in row.iter().zip(&reached).enumerate() {
            assert!(
                f64::from(bound) <= max * 1.01,
                "window {w}: {bound} vs {max}"
            );
        }

        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.bounds");
        bounds.write(&path).expect("write");
        let read = SegmentBounds::open(&path).expect("open");
        assert_eq!(read.params(), params);
        assert_eq!(read.window_log2(), 6);
        assert_eq!(read.row(key), Some(row));
        assert_eq!(read.doc_freq(key), Some(700));
        assert_eq!(read.doc_freq(union_key), Some(622));
        assert_eq!(read.samples(key), Some([0, 1, 10]));
        assert_eq!(read.samples(union_key), Some([1, 10, 100]));
        assert_eq!(read.row(key + 1), None);
        let bytes = std::fs::read(&path).expect("read");
        std::fs::write(&path, &bytes[..bytes.len() - 1]).expect("truncate");
        assert!(SegmentBounds::open(&path).is_none());
        let mut other = bytes.clone();
        other[0] = b'X';
        std::fs::write(&path, &other).expect("write");
        assert!(SegmentBounds::open(&path).is_none());
    }
}
