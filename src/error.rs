//! What can go wrong, as kinds a front end can act on.
//!
//! The library says *what* happened; the command line ([`crate::cli`]) turns
//! a kind into a message, a hint and an exit code, and the server into an
//! HTTP status. No message here names a command to run.

use std::io;
use std::path::{Path, PathBuf};

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything passim's library reports as a failure.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// There is no index in this folder.
    NoIndex { dir: PathBuf },
    /// The index's files are damaged or unreadable.
    Damaged { dir: PathBuf, detail: String },
    /// The index was written by a version of passim with another schema.
    Incompatible { dir: PathBuf },
    /// Another process holds the index's write lock; `holder` is its
    /// process id and name, when the system says (Linux's `/proc/locks`).
    Busy {
        dir: PathBuf,
        holder: Option<(u32, String)>,
    },
    /// The index is on a read-only file system: it can be searched, not
    /// updated.
    ReadOnly { dir: PathBuf },
    /// The user may not write to (`write`) or read the index's folder.
    NoPermission { dir: PathBuf, write: bool },
    /// The file system holding the index filled up during `stage`. The
    /// failed run's files are removed again; the index keeps its last
    /// commit. `needed` is roughly what the stage needed in all, in
    /// bytes, and `free` what was free when it began.
    DiskFull {
        dir: PathBuf,
        stage: Stage,
        needed: u64,
        free: u64,
    },
    /// The query cannot be run (empty, only exclusions, unsupported syntax…).
    BadQuery { message: String },
    /// A filter value (`--since`, `--until`, `--source`, `--path`, or the
    /// API parameter of the same name) cannot be read. `setting` names the
    /// one at fault (`since`), shown as `--since` on the command line and as
    /// `since` by the API and MCP ([`Error::for_parameters`]).
    BadFilter {
        setting: Option<&'static str>,
        message: String,
    },
    /// A path the caller named (a root to index, a batch file…) cannot be
    /// used; `line` points into the file when the problem is on one line.
    Input {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// Reading or writing a file or folder failed.
    Io { path: PathBuf, source: io::Error },
    /// No article has this id.
    NoArticle { id: String },
    /// The server cannot listen on, or stopped serving, this address.
    Serve {
        addr: std::net::SocketAddr,
        source: io::Error,
    },
    /// The MCP server's connection with its client failed (`passim mcp`).
    Mcp { message: String },
    /// An OpenSearch cluster (`passim push`, `--backend`) failed a request;
    /// `url` is the cluster's index URL, never with credentials.
    Cluster {
        url: String,
        problem: ClusterProblem,
    },
    /// Any other failure of the search engine library (tantivy).
    Engine(tantivy::TantivyError),
}

/// What went wrong with an OpenSearch cluster.
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterProblem {
    /// The URL is not `http(s)://host[:port]/index`, or carries credentials.
    BadUrl(String),
    /// No connection (refused, unknown host, timed out).
    Unreachable(String),
    /// HTTP 401 or 403: the credentials are missing or wrong.
    Unauthorized { status: u16 },
    /// HTTP 429 or 5xx on every attempt.
    Overloaded { status: u16, attempts: u32 },
    /// Any other error status, with the cluster's reason.
    Refused { status: u16, reason: String },
    /// An answer that is not the JSON expected.
    BadReply(String),
    /// `failed` of `sent` articles of a push were not stored (each was
    /// reported as it failed).
    BulkFailed { failed: u64, sent: u64 },
}

/// The part of an index run that was under way when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Writing the run's segments and committing them.
    Write,
    /// Merging the segments after the run's commit, which had landed.
    Merge,
}

impl Error {
    /// The message as the API and MCP show it: settings by their parameter
    /// names (`since`), not as command-line flags (`--since`).
    pub fn for_parameters(&self) -> String {
        match self {
            Error::BadFilter {
                setting: Some(setting),
                message,
            } => format!("{setting} {message}"),
            other => other.to_string(),
        }
    }

    pub(crate) fn bad_query(message: impl Into<String>) -> Error {
        Error::BadQuery {
            message: message.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn input(path: impl Into<PathBuf>, line: Option<usize>, message: String) -> Error {
        Error::Input {
            path: path.into(),
            line,
            message,
        }
    }

    /// Reads an engine error met while using the index in `dir`: errors that
    /// mean its files are damaged (or were written by something else)
    /// become [`Error::Damaged`]; the rest pass through unchanged.
    pub(crate) fn in_index(self, dir: &Path) -> Error {
        use tantivy::directory::error::OpenReadError;
        use tantivy::TantivyError;
        let te = match self {
            Error::Engine(te) => te,
            Error::Io { path, source } if path.starts_with(dir) => {
                return Error::index_io(dir, source, Some(path));
            }
            other => return other,
        };
        if let Some(io) = io_cause(&te) {
            use io::ErrorKind::*;
            if matches!(io.kind(), ReadOnlyFilesystem | PermissionDenied) {
                let io = io::Error::new(io.kind(), io.to_string());
                return Error::index_io(dir, io, None);
            }
        }
        let corrupt = |io: &io::Error| {
            use io::ErrorKind::*;
            matches!(
                io.kind(),
                InvalidData | UnexpectedEof | InvalidInput | Other
            )
        };
        let is_damage = match &te {
            TantivyError::DataCorruption(_) => true,
            TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. }) => {
                corrupt(io_error)
            }
            TantivyError::IoError(io) => corrupt(io),
            _ => false,
        };
        if !is_damage {
            return Error::Engine(te);
        }
        let detail = match &te {
            TantivyError::OpenReadError(OpenReadError::IoError { filepath, .. }) => {
                format!("{} is unreadable", filepath.display())
            }
            other => short(&other.to_string(), 80),
        };
        Error::Damaged {
            dir: dir.to_path_buf(),
            detail,
        }
    }
}

impl Error {
    /// An I/O error on the index's own files: a read-only file system or a
    /// permission problem is said as such; anything else keeps its path
    /// (`path`, or the index folder).
    pub(crate) fn index_io(dir: &Path, source: io::Error, path: Option<PathBuf>) -> Error {
        use io::ErrorKind::*;
        match source.kind() {
            ReadOnlyFilesystem => Error::ReadOnly {
                dir: dir.to_path_buf(),
            },
            PermissionDenied => Error::NoPermission {
                dir: dir.to_path_buf(),
                write: can_read(dir),
            },
            _ => Error::Io {
                path: path.unwrap_or_else(|| dir.to_path_buf()),
                source,
            },
        }
    }

    /// Whether this error is the file system running out of space (or of
    /// the user's quota).
    pub(crate) fn is_disk_full(&self) -> bool {
        match self {
            Error::Engine(te) => {
                io_cause(te).is_some_and(io_is_full) || te.to_string().contains("os error 28")
            }
            Error::Io { source, .. } => io_is_full(source),
            Error::DiskFull { .. } => true,
            _ => false,
        }
    }
}

/// Whether `dir`'s meta.json (or, without one, the folder) can be opened for
/// reading; a permission error on a readable index is then about writing.
fn can_read(dir: &Path) -> bool {
    let meta = dir.join("meta.json");
    if meta.exists() {
        std::fs::File::open(&meta).is_ok()
    } else {
        std::fs::read_dir(dir).is_ok()
    }
}

fn io_is_full(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::StorageFull
        || e.kind() == io::ErrorKind::QuotaExceeded
        || matches!(e.raw_os_error(), Some(28 | 122))
}

/// The I/O error underneath a tantivy error, if there is one.
fn io_cause(te: &tantivy::TantivyError) -> Option<&io::Error> {
    use tantivy::directory::error::{LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
    use tantivy::TantivyError;
    match te {
        TantivyError::IoError(io) => Some(io),
        TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, .. }) => Some(io_error),
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. }) => Some(io_error),
        TantivyError::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. }) => {
            Some(io_error)
        }
        TantivyError::LockFailure(LockError::IoError(io), _) => Some(io),
        _ => None,
    }
}

/// `text` cut to `max` characters, with `…` when cut.
fn short(text: &str, max: usize) -> String {
    let cut: String = text.chars().take(max).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::NoIndex { dir } => write!(f, "no index at {}", display(dir)),
            Error::Damaged { dir, detail } => {
                write!(f, "the index at {} is damaged ({detail})", display(dir))
            }
            Error::Incompatible { dir } => write!(
                f,
                "the index at {} was written by an incompatible version of passim",
                display(dir)
            ),
            Error::Busy { dir, holder } => {
                write!(f, "the index at {} is busy: ", display(dir))?;
                match holder {
                    Some((pid, name)) => write!(f, "process {pid} ({name}) is writing to it"),
                    None => f.write_str("another process is writing to it"),
                }
            }
            Error::ReadOnly { dir } if !dir.join("meta.json").is_file() => write!(
                f,
                "cannot create an index at {}: the file system is read-only",
                display(dir)
            ),
            Error::ReadOnly { dir } => write!(
                f,
                "the index at {} is on a read-only file system: it can be searched, not updated",
                display(dir)
            ),
            Error::NoPermission { dir, write: true } => write!(
                f,
                "no permission to write to the index at {}: it can be searched, not updated",
                display(dir)
            ),
            Error::NoPermission { dir, write: false } => {
                write!(f, "no permission to read the index at {}", display(dir))
            }
            Error::DiskFull {
                dir,
                stage,
                needed,
                free,
            } => {
                let what = match stage {
                    Stage::Write => "this run",
                    Stage::Merge => "merging the index's segments",
                };
                let kept = match stage {
                    Stage::Write => "the index keeps its last commit",
                    Stage::Merge => "the run's changes are committed, unmerged",
                };
                write!(
                    f,
                    "the disk holding the index at {} is full: {what} needed about {} and {} was free; \
                     its partial files were removed and {kept}",
                    display(dir),
                    human_bytes(*needed),
                    human_bytes(*free)
                )
            }
            Error::BadQuery { message }
            | Error::BadFilter {
                setting: None,
                message,
            } => f.write_str(message),
            Error::BadFilter {
                setting: Some(setting),
                message,
            } => write!(f, "--{setting} {message}"),
            Error::Input {
                path,
                line: Some(line),
                message,
            } => write!(f, "{}:{line}: {message}", display(path)),
            Error::Input {
                path,
                line: None,
                message,
            } => write!(f, "{}: {message}", display(path)),
            Error::Io { path, source } => {
                write!(f, "{}: {}", display(path), describe_io(source))
            }
            Error::NoArticle { id } => write!(f, "no article with id {id:?}"),
            Error::Serve { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            Error::Mcp { message } => write!(f, "MCP connection failed: {message}"),
            Error::Cluster { url, problem } => match problem {
                ClusterProblem::BadUrl(why) => {
                    write!(f, "{url:?} is not an OpenSearch index URL: {why}")
                }
                ClusterProblem::Unreachable(why) => {
                    write!(f, "cannot reach the OpenSearch cluster at {url}: {why}")
                }
                ClusterProblem::Unauthorized { status } => write!(
                    f,
                    "the OpenSearch cluster at {url} refused the credentials (HTTP {status})"
                ),
                ClusterProblem::Overloaded { status, attempts } => write!(
                    f,
                    "the OpenSearch cluster at {url} is overloaded: HTTP {status} on each of {attempts} attempts"
                ),
                ClusterProblem::Refused { status, reason } => write!(
                    f,
                    "the OpenSearch cluster at {url} refused the request: HTTP {status}: {}",
                    short(reason, 200)
                ),
                ClusterProblem::BadReply(why) => write!(
                    f,
                    "the OpenSearch cluster at {url} sent an answer passim cannot read: {}",
                    short(why, 200)
                ),
                ClusterProblem::BulkFailed { failed, sent } => write!(
                    f,
                    "{failed} of {sent} articles were not stored in the OpenSearch cluster at {url}"
                ),
            },
            Error::Engine(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } | Error::Serve { source, .. } => Some(source),
            Error::Engine(e) => Some(e),
            _ => None,
        }
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Error {
        Error::Engine(e)
    }
}

/// An I/O error met while reading the index's files through tantivy (its
/// term dictionaries and postings report plain `io::Error`s). Errors on the
/// user's own files carry their path: see [`Error::Io`].
impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::Engine(e.into())
    }
}

impl From<tantivy::directory::error::OpenReadError> for Error {
    fn from(e: tantivy::directory::error::OpenReadError) -> Error {
        Error::Engine(e.into())
    }
}

/// A short, lower-case description of an I/O error, without the OS error code.
pub(crate) fn describe_io(err: &io::Error) -> String {
    use io::ErrorKind::*;
    match err.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "is a directory".into(),
        _ => err.to_string(),
    }
}

/// A size for messages: `512 B`, `40 KB`, `3.2 MB`, `1.5 GB` (powers of 1,000).
pub(crate) fn human_bytes(n: u64) -> String {
    const KB: f64 = 1e3;
    let x = n as f64;
    if x < KB {
        format!("{n} B")
    } else if x < 1e6 {
        format!("{:.0} KB", (x / KB).max(1.0))
    } else if x < 1e9 {
        format!("{:.1} MB", x / 1e6)
    } else {
        format!("{:.1} GB", x / 1e9)
    }
}

/// A path for messages and output: lossy UTF-8, without a leading `./`.
pub(crate) fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}
