//! The index folder: open, create, lock for writing, and the commit payload.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr, META_LOCK,
};
use tantivy::{Directory, Index, IndexWriter};

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
    let opened = MmapDirectory::open(dir)
        .map_err(|e| match e {
            OpenDirectoryError::IoError { io_error, .. } => {
                let io = std::io::Error::new(io_error.kind(), io_error.to_string());
                Error::index_io(dir, io, None)
            }
            other => Error::from(tantivy::TantivyError::from(other)),
        })
        .and_then(|mmap| Ok(Index::open(ReadableDir(mmap))?));
    let index = opened.map_err(|e| match e.in_index(dir) {
        e @ (Error::NoPermission { .. } | Error::ReadOnly { .. } | Error::Io { .. }) => e,
        other => Error::Damaged {
            dir: dir.to_path_buf(),
            detail: match other {
                Error::Damaged { detail, .. } => detail,
                other => other.to_string(),
            },
        },
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
    std::fs::create_dir_all(dir).map_err(|e| Error::index_io(dir, e, None))?;
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
        tantivy::TantivyError::LockFailure(LockError::LockBusy, _) => Error::Busy {
            dir: dir.to_path_buf(),
            holder: lock_holder(&dir.join(WRITER_LOCK)),
        },
        other => Error::from(other).in_index(dir),
    })
}

/// Flushes `dir`'s entries to stable storage. tantivy syncs each segment
/// file and the folder before it writes `meta.json`, and syncs the new
/// `meta.json` before renaming it into place, but not the folder after the
/// rename: this makes the rename itself durable, so that a run that
/// returns has its commit on disk.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// Removes the files of `dir` that its last commit does not reference:
/// what a failed run (a full disk, an error, a kill) left behind. tantivy
/// lists every file it creates in `.managed.json` before creating it, and
/// its garbage collection deletes the listed files that no segment of the
/// last commit (read afresh from `meta.json`) uses; files it did not
/// create are never touched. Takes the writer lock, so it never runs beside
/// another writer.
pub(crate) fn collect_garbage(dir: &Path) -> Result<usize> {
    let (index, _) = open(dir)?;
    let writer = open_writer(&index, dir, 1, 15_000_000)?;
    let collected = writer.garbage_collect_files().wait()?;
    Ok(collected.deleted_files.len() + remove_temp_files(dir))
}

/// Removes the temporary files (`.tmpXXXXXX`) that tantivy writes
/// `meta.json` and `.managed.json` through before renaming them into place,
/// left behind when a run is killed in between. Only the holder of the
/// writer lock writes them, so only it may call this.
pub(crate) fn remove_temp_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let temp = name.len() == 10
            && name
                .strip_prefix(".tmp")
                .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_alphanumeric()));
        if temp && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// tantivy's writer lock file: an advisory lock (`flock`) on it is held
/// while a writer lives. The kernel releases it when the process ends, even
/// by `kill -9`, so the file a killed run leaves behind blocks nothing.
pub(crate) const WRITER_LOCK: &str = ".tantivy-writer.lock";

/// The process holding an advisory lock on `file`, with its name, from
/// Linux's `/proc/locks` (elsewhere, or if the file or holder is gone, none).
pub(crate) fn lock_holder(file: &Path) -> Option<(u32, String)> {
    use std::os::unix::fs::MetadataExt;
    let ino = std::fs::metadata(file).ok()?.ino();
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    for line in locks.lines() {
        // `1: FLOCK  ADVISORY  WRITE 1234 00:2f:5678 0 EOF`
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(pid), Some(dev_ino)) = (fields.get(4), fields.get(5)) else {
            continue;
        };
        let same_inode = dev_ino
            .rsplit(':')
            .next()
            .and_then(|i| i.parse::<u64>().ok())
            == Some(ino);
        if !same_inode {
            continue;
        }
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|n| n.trim().to_owned())
            .unwrap_or_else(|_| "unknown".to_owned());
        return Some((pid, name));
    }
    None
}

/// tantivy's folder of files, for opening an index that may be read-only.
///
/// A reader takes tantivy's meta lock (`.tantivy-meta.lock`) while it opens
/// a commit's segments, so that a writer's garbage collection cannot delete
/// them in between; taking it creates or opens the lock file for writing.
/// On a read-only file system, or in a folder the user may not write to, no
/// writer of this user can collect anything, so the reader goes ahead
/// without the lock. Everything else is the memory-mapped folder as is.
#[derive(Clone, Debug)]
struct ReadableDir(MmapDirectory);

impl Directory for ReadableDir {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> std::result::Result<std::sync::Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> std::result::Result<(), DeleteError> {
        self.0.delete(path)
    }

    fn exists(&self, path: &Path) -> std::result::Result<bool, OpenReadError> {
        self.0.exists(path)
    }

    fn open_write(&self, path: &Path) -> std::result::Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> std::result::Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(callback)
    }

    fn acquire_lock(&self, lock: &Lock) -> std::result::Result<DirectoryLock, LockError> {
        let acquired = match lock.filepath == META_LOCK.filepath && lock.is_blocking {
            true => self.meta_lock_within(META_LOCK_WAIT),
            false => self.0.acquire_lock(lock),
        };
        match acquired {
            Err(LockError::IoError(io))
                if lock.filepath == META_LOCK.filepath
                    && matches!(
                        io.kind(),
                        std::io::ErrorKind::ReadOnlyFilesystem
                            | std::io::ErrorKind::PermissionDenied
                    ) =>
            {
                Ok(DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }
}

/// How long opening a commit waits for tantivy's meta lock before the
/// index is reported busy. A writer holds it for a moment while it writes or
/// cleans up a commit; only a stopped or hung process holds it for long.
const META_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl ReadableDir {
    /// tantivy's meta lock, waited for at most `wait` (tantivy waits without
    /// end, so a `passim index` stopped inside a commit would hang every
    /// search): `LockBusy` after that.
    fn meta_lock_within(
        &self,
        wait: std::time::Duration,
    ) -> std::result::Result<DirectoryLock, LockError> {
        let once = Lock {
            filepath: META_LOCK.filepath.clone(),
            is_blocking: false,
        };
        let deadline = std::time::Instant::now() + wait;
        let mut pause = std::time::Duration::from_millis(1);
        loop {
            match self.0.acquire_lock(&once) {
                Err(LockError::LockBusy) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(50));
                }
                other => return other,
            }
        }
    }
}

/// The error of opening a reader on the index in `dir`: busy, naming who
/// holds the meta lock, when the wait for it ran out.
pub(crate) fn reader_error(dir: &Path, e: tantivy::TantivyError) -> Error {
    match e {
        tantivy::TantivyError::LockFailure(LockError::LockBusy, _) => Error::Busy {
            dir: dir.to_path_buf(),
            holder: lock_holder(&dir.join(&META_LOCK.filepath)),
        },
        other => Error::from(other).in_index(dir),
    }
}

/// The time now, as RFC 3339 (for the commit payload).
pub(crate) fn now_rfc3339() -> String {
    use tantivy::time::format_description::well_known::Rfc3339;
    tantivy::time::OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}
