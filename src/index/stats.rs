//! Facts about an index, for `passim stats`.

use std::path::Path;

use serde::Serialize;
use tantivy::{Index, Searcher};

use super::schema::Fields;
use super::store;
use crate::error::{display, Error, Result};

/// Facts about an index, for `passim stats`.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub index: String,
    pub articles: u64,
    /// Distinct terms over headlines and bodies.
    pub terms: u64,
    pub segments: usize,
    pub size_bytes: u64,
    pub last_indexed: Option<String>,
    pub roots: Vec<RootStats>,
}

/// One root of an index.
#[derive(Debug, Clone, Serialize)]
pub struct RootStats {
    /// Absolute path.
    pub path: String,
    /// Articles from files under it.
    pub articles: u64,
    /// Globs given with it (ripgrep `-g` syntax, `!` excludes).
    pub globs: Vec<String>,
    /// False when the folder or file no longer exists (its articles are kept).
    pub exists: bool,
}

/// Gathers [`Stats`] for the index in `dir`, as `searcher` sees it.
pub(crate) fn gather(
    dir: &Path,
    index: &Index,
    searcher: &Searcher,
    fields: &Fields,
) -> Result<Stats> {
    let mut streams = Vec::new();
    let mut dicts = Vec::new();
    for segment in searcher.segment_readers() {
        for field in [fields.title, fields.body] {
            dicts.push(segment.inverted_index(field)?);
        }
    }
    for inv in &dicts {
        streams.push(inv.terms().stream()?);
    }
    let mut merger = tantivy::termdict::TermMerger::new(streams);
    let mut terms = 0;
    while merger.advance() {
        terms += 1;
    }
    let mut size_bytes = 0;
    let io = |e| Error::io(dir, e);
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let meta = entry.map_err(io)?.metadata().map_err(io)?;
        if meta.is_file() {
            size_bytes += meta.len();
        }
    }
    // The block bounds (see `bounds`), if written: part of what the index takes.
    if let Ok(entries) = std::fs::read_dir(dir.join(super::bounds::FOLDER)) {
        size_bytes += entries
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum::<u64>();
    }
    let payload = store::read_payload(index)?;
    let roots = match &payload {
        Some(p) => {
            let counts = super::update::articles_per_root(searcher, &p.roots)?;
            p.roots
                .iter()
                .zip(counts)
                .map(|(root, articles)| RootStats {
                    path: display(root),
                    articles,
                    globs: p.globs.get(root).cloned().unwrap_or_default(),
                    exists: std::fs::symlink_metadata(root).is_ok(),
                })
                .collect()
        }
        None => Vec::new(),
    };
    Ok(Stats {
        index: display(dir),
        articles: searcher.num_docs(),
        terms,
        segments: searcher.segment_readers().len(),
        size_bytes,
        last_indexed: payload.as_ref().map(|p| p.indexed_at.clone()),
        roots,
    })
}
