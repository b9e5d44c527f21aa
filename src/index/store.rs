//! The index folder: open, create, lock for writing, and the commit payload.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexWriter};

use super::schema::{self, Fields};
use crate::error::{Error, Result};

/// What passim keeps in a commit's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Payload {
    pub schema_version: u32,
    /// Absolute paths of every root indexed and not removed since; none
    /// is inside another.
    pub roots: Vec<PathBuf>,
    /// The globs (ripgrep `-g` syntax, `!` excludes) given with a root, for
    /// the roots that have some.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub globs: BTreeMap<PathBuf, Vec<String>>,
    /// RFC 3339 time of the commit.
    pub indexed_at: String,
}

impl Payload {
    pub(crate) fn to_json(&self) -> String {
        // A struct of strings and paths always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The payload of the last commit, if passim wrote one.
pub(crate) fn read_payload(index: &Index) -> Result<Option<Payload>> {
    let metas = index.load_metas()?;
    Ok(metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok()))
}

/// Whether `dir` holds an index (a committed `meta.json`).
pub(crate) fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

/// Opens the index in `dir`, checking it is one of passim's.
pub(crate) fn open(dir: &Path) -> Result<(Index, Fields)> {
    if !exists(dir) {
        return Err(Error::NoIndex {
            dir: dir.to_path_buf(),
        });
    }
    let index = Index::open_in_dir(dir).map_err(|e| Error::Damaged {
        dir: dir.to_path_buf(),
        detail: e.to_string(),
    })?;
    let fields = schema::check(&index).ok_or_else(|| Error::Incompatible {
        dir: dir.to_path_buf(),
    })?;
    Ok((index, fields))
}

/// An opened or new index, and the payload of its last commit.
pub(crate) struct Opened {
    pub index: Index,
    pub fields: Fields,
    /// For an index cleared by `rebuild` because it could not be opened
    /// (damaged, or another schema), the payload its `meta.json` still held,
    /// so that a rebuild keeps the roots it was built from.
    pub payload: Option<Payload>,
}

/// Opens the index in `dir`, or creates an empty one; `rebuild` clears out
/// an index that cannot be opened.
pub(crate) fn open_or_create(dir: &Path, rebuild: bool) -> Result<Opened> {
    let mut salvaged = None;
    if exists(dir) {
        match open(dir) {
            Ok((index, fields)) => {
                let payload = read_payload(&index)?;
                return Ok(Opened {
                    index,
                    fields,
                    payload,
                });
            }
            Err(e) if !rebuild => return Err(e),
            // --rebuild on an unreadable index: clear it out and start afresh.
            Err(_) => {
                salvaged = salvage_payload(dir);
                remove_index_files(dir)?;
            }
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let (schema, fields) = schema::build();
    let index = Index::builder()
        .schema(schema)
        .settings(schema::index_settings())
        .create_in_dir(dir)?;
    crate::analysis::register(&index);
    Ok(Opened {
        index,
        fields,
        payload: salvaged,
    })
}

/// The payload in `dir/meta.json`, read as plain JSON (for an index tantivy
/// or passim cannot open).
fn salvage_payload(dir: &Path) -> Option<Payload> {
    let meta = std::fs::read_to_string(dir.join("meta.json")).ok()?;
    let meta: serde_json::Value = serde_json::from_str(&meta).ok()?;
    serde_json::from_str(meta.get("payload")?.as_str()?).ok()
}

/// Deletes tantivy's files from `dir`, leaving anything else (e.g. `.gitignore`).
fn remove_index_files(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let ours = name.as_deref().is_some_and(|n| {
            n == "meta.json"
                || n == ".managed.json"
                || n.ends_with(".lock")
                || Path::new(n).extension().is_some_and(|e| {
                    matches!(
                        e.to_str(),
                        Some("idx" | "pos" | "term" | "store" | "fast" | "fieldnorm" | "del")
                    )
                })
        });
        if ours && path.is_file() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// The index's writer, holding its write lock; `threads` 0 is tantivy's default.
pub(crate) fn open_writer(
    index: &Index,
    dir: &Path,
    threads: usize,
    memory: usize,
) -> Result<IndexWriter> {
    let result = if threads > 0 {
        index.writer_with_num_threads(threads, memory.max(threads * 16_000_000))
    } else {
        index.writer(memory)
    };
    result.map_err(|e| match e {
        tantivy::TantivyError::LockFailure(..) => Error::Busy {
            dir: dir.to_path_buf(),
        },
        other => Error::from(other).in_index(dir),
    })
}

/// The time now, as RFC 3339 (for the commit payload).
pub(crate) fn now_rfc3339() -> String {
    use tantivy::time::format_description::well_known::Rfc3339;
    tantivy::time::OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}
