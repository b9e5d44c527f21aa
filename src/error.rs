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
    /// Another process holds the index's write lock.
    Busy { dir: PathBuf },
    /// The query cannot be run (empty, only exclusions, unsupported syntax…).
    BadQuery { message: String },
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
    /// Any other failure of the search engine library (tantivy).
    Engine(tantivy::TantivyError),
}

impl Error {
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
        let Error::Engine(te) = self else {
            return self;
        };
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
            Error::Busy { dir } => write!(
                f,
                "the index at {} is busy: another process is writing to it",
                display(dir)
            ),
            Error::BadQuery { message } => f.write_str(message),
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

/// A path for messages and output: lossy UTF-8, without a leading `./`.
pub(crate) fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}
