//! Finding article files: walking the folders a user points passim at.
//!
//! Uses the `ignore` crate (ripgrep's walker), so hidden files and paths
//! excluded by `.gitignore`/`.ignore` are skipped exactly as `rg` skips them,
//! and globs (`--glob`, `--exclude`) are ripgrep's `-g` overrides. Files the
//! walk sees but cannot read as articles (other extensions) are counted by
//! extension, so a run can say what it did not read.

use std::collections::BTreeMap;
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

/// One path to walk, with the globs that filter it.
#[derive(Debug, Clone)]
pub(crate) struct WalkRoot {
    /// The path as the user gave it (or as shown for a stored root).
    pub path: PathBuf,
    /// ripgrep `-g` globs (`!` excludes), matched relative to `glob_base`.
    pub globs: Vec<String>,
    /// The absolute folder the globs are relative to: the root they were
    /// given with (which may contain `path`).
    pub glob_base: PathBuf,
    /// The absolute root `path` belongs to (itself, or a root containing
    /// it): text articles' ids are paths relative to it.
    pub id_base: PathBuf,
}

/// What a walk found.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    /// Article files, sorted by key, each once.
    pub files: Vec<SourceFile>,
    pub problems: Vec<WalkProblem>,
    /// Files that are not articles, by lower-case extension (`""` for none).
    pub not_read: BTreeMap<String, u64>,
}

/// Checks ripgrep-style globs, as the walk will build them.
pub(crate) fn check_globs(base: &Path, globs: &[String]) -> Result<()> {
    overrides(base, globs).map(|_| ())
}

fn overrides(base: &Path, globs: &[String]) -> Result<ignore::overrides::Override> {
    let mut builder = ignore::overrides::OverrideBuilder::new(base);
    for glob in globs {
        builder.add(glob).map_err(|e| {
            Error::input(glob, None, format!("not a valid glob ({})", glob_error(&e)))
        })?;
    }
    builder
        .build()
        .map_err(|e| Error::input(base, None, glob_error(&e)))
}

fn glob_error(e: &ignore::Error) -> String {
    match e {
        ignore::Error::Glob { err, .. } => err.clone(),
        other => other.to_string(),
    }
}

/// Lists the article files under `roots`, sorted by path.
///
/// A root that does not exist, or a file root that holds no articles, is an
/// error; problems below a root (unreadable folders, vanished files) are
/// returned so the caller can report them and carry on. A file named as a
/// root is read whatever the globs say, as ripgrep does. The folder `skip`
/// (the index's own, as an absolute path) is never walked into.
pub(crate) fn walk(roots: &[WalkRoot], skip: &Path) -> Result<Walked> {
    let mut walked = Walked::default();
    for WalkRoot {
        path: root,
        globs,
        glob_base,
        id_base,
    } in roots
    {
        let meta = match std::fs::metadata(root) {
            Ok(meta) => meta,
            Err(e) => return Err(Error::input(root, None, describe_io(&e))),
        };
        if meta.is_file() || is_pipe(&meta) {
            let Some(format) = Format::from_path(root) else {
                return Err(Error::input(
                    root,
                    None,
                    format!("not an article file (expected {})", Format::EXTENSIONS),
                ));
            };
            let absolute = canonical(root).map_err(|e| Error::io(root, e))?;
            let rel = match absolute.strip_prefix(id_base) {
                Ok(rel) if !rel.as_os_str().is_empty() => display(rel),
                _ => root
                    .file_name()
                    .map_or_else(|| display(root), |n| n.to_string_lossy().into_owned()),
            };
            walked.files.push(
                source_file(absolute, display(root), rel, format, &meta)
                    .map_err(|e| Error::io(root, e))?,
            );
            continue;
        }
        let globs = overrides(glob_base, globs)?;
        walk_dir(root, id_base, globs, skip, &mut walked).map_err(|e| Error::io(root, e))?;
    }
    walked.files.sort_by(|a, b| a.key.cmp(&b.key));
    walked.files.dedup_by(|a, b| a.key == b.key);
    Ok(walked)
}

/// Walks `root` by its absolute path, so that globs match against the
/// folder they were given for, and shows paths as the root was given.
fn walk_dir(
    root: &Path,
    id_base: &Path,
    globs: ignore::overrides::Override,
    skip: &Path,
    walked: &mut Walked,
) -> std::io::Result<()> {
    let absolute = canonical(root)?;
    let skip = skip.to_path_buf();
    let walker = ignore::WalkBuilder::new(&absolute)
        .hidden(true)
        .git_ignore(true)
        .require_git(false)
        .follow_links(false)
        .overrides(globs)
        .filter_entry(move |entry| entry.path() != skip)
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                walked.problems.push(walk_problem(root, &absolute, &err));
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Some(format) = Format::from_path(entry.path()) else {
            let ext = entry
                .path()
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            *walked.not_read.entry(ext).or_default() += 1;
            continue;
        };
        let rel_path = entry.path().strip_prefix(&absolute).unwrap_or(entry.path());
        let shown = root.join(rel_path);
        let rel = display(entry.path().strip_prefix(id_base).unwrap_or(rel_path));
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            Err(err) => {
                walked.problems.push(walk_problem(root, &absolute, &err));
                continue;
            }
        };
        match source_file(
            entry.path().to_path_buf(),
            display(&shown),
            rel,
            format,
            &meta,
        ) {
            Ok(file) => walked.files.push(file),
            Err(err) => walked.problems.push(WalkProblem {
                path: display(&shown),
                message: describe_io(&err),
            }),
        }
    }
    Ok(())
}

/// The path a root is known by: absolute, without `.`, `..` or symbolic
/// links, so that one folder is one root (and its files one key each)
/// however it is named.
pub(crate) fn canonical(path: &Path) -> std::io::Result<PathBuf> {
    std::fs::canonicalize(path)
}

/// Whether `meta` is a named pipe's: a root named as a file can be one
/// (`mkfifo big.jsonl`, then `passim index big.jsonl` while a program
/// writes into it), so a corpus can be indexed without being stored first.
#[cfg(unix)]
fn is_pipe(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_pipe(_meta: &std::fs::Metadata) -> bool {
    false
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

fn walk_problem(root: &Path, absolute: &Path, err: &ignore::Error) -> WalkProblem {
    // ignore::Error wraps the path in some variants; dig it out for the
    // message, shown under the root as the user gave it.
    let shown = |path: &Path| display(&root.join(path.strip_prefix(absolute).unwrap_or(path)));
    let find = |err: &ignore::Error| -> Option<(String, String)> {
        let mut err = err;
        loop {
            match err {
                ignore::Error::WithPath { path, err } => {
                    return Some((shown(path), inner_message(err.as_ref())))
                }
                ignore::Error::WithDepth { err: inner, .. }
                | ignore::Error::WithLineNumber { err: inner, .. } => err = inner,
                ignore::Error::Loop { child, .. } => {
                    return Some((shown(child), "symbolic link loop".to_owned()))
                }
                _ => return None,
            }
        }
    };
    let (path, message) = find(err).unwrap_or_else(|| (display(root), err.to_string()));
    WalkProblem { path, message }
}

fn inner_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::Io(io) => describe_io(io),
        other => other.to_string(),
    }
}
