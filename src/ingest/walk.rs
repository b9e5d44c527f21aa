//! Finding article files: walking the folders a user points passim at.
//!
//! Uses the `ignore` crate (ripgrep's walker), so hidden files and paths
//! excluded by `.gitignore`/`.ignore` are skipped exactly as `rg` skips them.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::Format;
use crate::error::{describe_io, display, Error, Result};

/// One file that holds articles, with what is needed to tell if it changed.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// Absolute path: the file's identity in the index.
    pub key: String,
    /// The path to open.
    pub path: PathBuf,
    /// The path as the user sees it (the root as given, joined with `rel`).
    pub display: String,
    /// Path relative to the indexed root: a text article's id.
    pub rel: String,
    pub format: Format,
    /// Modification time in nanoseconds since the Unix epoch.
    pub mtime: u64,
    pub size: u64,
}

/// Something under a root that could not be looked at.
#[derive(Debug, Clone)]
pub(crate) struct WalkProblem {
    pub path: String,
    pub message: String,
}

/// Lists the article files under `roots`, sorted by path.
///
/// A root that does not exist, or a file root that holds no articles, is an
/// error; problems below a root (unreadable folders, vanished files) are
/// returned so the caller can report them and carry on.
pub(crate) fn walk(roots: &[PathBuf]) -> Result<(Vec<SourceFile>, Vec<WalkProblem>)> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for root in roots {
        let meta = match std::fs::metadata(root) {
            Ok(meta) => meta,
            Err(e) => return Err(Error::input(root, None, describe_io(&e))),
        };
        if meta.is_file() {
            let Some(format) = Format::from_path(root) else {
                return Err(Error::input(
                    root,
                    None,
                    format!("not an article file (expected {})", Format::EXTENSIONS),
                ));
            };
            let rel = root
                .file_name()
                .map_or_else(|| display(root), |n| n.to_string_lossy().into_owned());
            files.push(
                source_file(root.clone(), display(root), rel, format, &meta)
                    .map_err(|e| Error::io(root, e))?,
            );
            continue;
        }
        walk_dir(root, &mut files, &mut problems);
    }
    files.sort_by(|a, b| a.key.cmp(&b.key));
    files.dedup_by(|a, b| a.key == b.key);
    Ok((files, problems))
}

fn walk_dir(root: &Path, files: &mut Vec<SourceFile>, problems: &mut Vec<WalkProblem>) {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .require_git(false)
        .follow_links(false)
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                problems.push(walk_problem(root, &err));
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Some(format) = Format::from_path(entry.path()) else {
            continue;
        };
        let path = entry.path().to_path_buf();
        let rel = path
            .strip_prefix(root)
            .map_or_else(|_| display(&path), display);
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            Err(err) => {
                problems.push(walk_problem(root, &err));
                continue;
            }
        };
        match source_file(path.clone(), display(&path), rel, format, &meta) {
            Ok(file) => files.push(file),
            Err(err) => problems.push(WalkProblem {
                path: display(&path),
                message: describe_io(&err),
            }),
        }
    }
}

fn source_file(
    path: PathBuf,
    display_path: String,
    rel: String,
    format: Format,
    meta: &std::fs::Metadata,
) -> std::io::Result<SourceFile> {
    let key = std::path::absolute(&path)?.to_string_lossy().into_owned();
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    Ok(SourceFile {
        key,
        path,
        display: display_path,
        rel,
        format,
        mtime,
        size: meta.len(),
    })
}

fn walk_problem(root: &Path, err: &ignore::Error) -> WalkProblem {
    // ignore::Error wraps the path in some variants; dig it out for the message.
    fn find(err: &ignore::Error) -> Option<(String, String)> {
        match err {
            ignore::Error::WithPath { path, err } => {
                Some((display(path), inner_message(err.as_ref())))
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                find(err)
            }
            ignore::Error::Loop { child, .. } => {
                Some((display(child), "symbolic link loop".to_owned()))
            }
            _ => None,
        }
    }
    let (path, message) = find(err).unwrap_or_else(|| (display(root), err.to_string()));
    WalkProblem { path, message }
}

fn inner_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::Io(io) => describe_io(io),
        other => other.to_string(),
    }
}
