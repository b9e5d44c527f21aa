//! Every line passim writes to stderr goes through here: the `passim: `
//! prefix, notes, warnings, and errors worded with what to do next.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use crate::error::{display, Error};
use crate::index::{Notice, RemovedRoot};
use crate::search::SearchResults;

/// `passim: {text}`: progress and facts the user should see.
pub(crate) fn info(err: &mut dyn Write, text: &str) -> io::Result<()> {
    writeln!(err, "passim: {text}")
}

/// `passim: note: {text}`: a remark on how a query was read.
pub(crate) fn note(err: &mut dyn Write, text: &str) -> io::Result<()> {
    writeln!(err, "passim: note: {text}")
}

/// `passim: warning: {text}`: something was skipped or repaired.
pub(crate) fn warning(err: &mut dyn Write, text: &str) -> io::Result<()> {
    writeln!(err, "passim: warning: {text}")
}

/// The "did you mean" line of one query's results, if any: the corrected
/// query when it was searched instead (nothing matched the query as typed),
/// else the query with the suggestions in, to try.
pub(crate) fn suggestions(err: &mut dyn Write, results: &SearchResults) -> io::Result<()> {
    if let Some(corrected) = &results.corrected_query {
        return info(
            err,
            &format!(
                "no articles match {:?}; showing results for {corrected:?}",
                results.query
            ),
        );
    }
    match results.did_you_mean() {
        Some(query) => info(err, &format!("did you mean {query:?}?")),
        None => Ok(()),
    }
}

/// The line for a search without hits (exit 1): the query, and why there
/// is nothing to show. Suggestions for the query belong on this line.
pub(crate) fn no_hits(
    err: &mut dyn Write,
    results: &SearchResults,
    min_score: Option<f32>,
) -> io::Result<()> {
    let query = &results.query;
    if results.total_hits > 0 {
        let n = results.total_hits;
        let noun = if n == 1 {
            "article matches"
        } else {
            "articles match"
        };
        if let Some(min) = min_score {
            // The hits on this page all scored below --min-score.
            return info(
                err,
                &format!("{n} {noun} {query:?}, none shown scoring at least {min}"),
            );
        }
        // --offset went past the last hit.
        return info(
            err,
            &format!(
                "only {n} {noun} {query:?}; --offset {} skips them all",
                results.offset
            ),
        );
    }
    let mut line = format!("no articles match {query:?}");
    if let Some(out) = &results.filtered_out {
        // no articles match "pay" and the filter (source bbc); 12 match without it
        let (filters, it) = match out.filters.len() {
            1 => ("filter", "it"),
            _ => ("filters", "them"),
        };
        line = format!(
            "{line} and the {filters} ({}); {} match{} without {it}",
            out.filters.join("; "),
            out.total_hits,
            if out.total_hits == 1 { "es" } else { "" },
        );
    }
    if let Some(better) = results.did_you_mean() {
        line = format!("{line}; did you mean {better:?}?");
    }
    info(err, &line)
}

/// One line for a notice from an index run.
pub(crate) fn notice(err: &mut dyn Write, n: &Notice) -> io::Result<()> {
    let line = n.line.map(|l| format!(":{l}")).unwrap_or_default();
    let what = if n.skipped { "skipped: " } else { "" };
    warning(err, &format!("{}{line}: {what}{}", n.path, n.message))
}

/// `passim index --remove`: what went, one line per root.
pub(crate) fn removed_root(err: &mut dyn Write, r: &RemovedRoot) -> io::Result<()> {
    let s = if r.articles == 1 { "" } else { "s" };
    info(
        err,
        &format!("removed root {} ({} article{s})", r.root, r.articles),
    )
}

/// A stored root that is gone: its articles stay until the user removes it.
pub(crate) fn missing_root(
    err: &mut dyn Write,
    root: &str,
    kept: u64,
    index_dir: &Path,
) -> io::Result<()> {
    let kept = if kept == 1 {
        "its 1 article is kept".to_owned()
    } else {
        format!("its {kept} articles are kept")
    };
    let index = if index_dir == Path::new(crate::DEFAULT_INDEX) {
        String::new()
    } else {
        format!(" --index {}", display(index_dir))
    };
    warning(
        err,
        &format!(
            "root {root} is missing; {kept}; \
             remove it with `passim index --remove {root}{index}`"
        ),
    )
}

/// The files an index run did not read, by extension.
pub(crate) fn not_read(err: &mut dyn Write, by_ext: &BTreeMap<String, u64>) -> io::Result<()> {
    let total: u64 = by_ext.values().sum();
    let mut exts: Vec<(&String, &u64)> = by_ext.iter().collect();
    // Most frequent first; files without extension last.
    exts.sort_by(|a, b| (a.0.is_empty(), b.1, a.0).cmp(&(b.0.is_empty(), a.1, b.0)));
    let list: Vec<String> = exts
        .iter()
        .map(|(ext, n)| {
            if ext.is_empty() {
                format!("{n} without extension")
            } else {
                format!("{n} .{ext}")
            }
        })
        .collect();
    let s = if total == 1 { "" } else { "s" };
    info(
        err,
        &format!(
            "not read: {total} file{s} that are not articles ({}); passim reads .txt, .md, .jsonl, .html, .pdf, .eml and .mbox",
            list.join(", ")
        ),
    )
}

/// The one line for an error that ends a command.
pub(crate) fn error(err: &mut dyn Write, e: &anyhow::Error) -> io::Result<()> {
    let message = match e.downcast_ref::<Error>() {
        Some(e) => describe(e),
        None => format!("{e:#}"),
    };
    writeln!(err, "passim: {}", message.replace('\n', " "))
}

/// The one line for a panic: a bug, or a damaged index tantivy did not catch.
pub(crate) fn internal_error(err: &mut dyn Write, what: &str) -> io::Result<()> {
    writeln!(
        err,
        "passim: internal error: {}; if the index may be damaged, run `passim index --rebuild`",
        what.replace('\n', " ")
    )
}

/// An error in words, with the command that gets the user out of it.
fn describe(e: &Error) -> String {
    let rebuild = |dir| {
        let shown = display(dir);
        format!("rebuild it with `passim index --rebuild --index {shown}`")
    };
    match e {
        Error::NoIndex { dir } => {
            let shown = display(dir);
            format!("no index at {shown}; create one with `passim index PATH --index {shown}`")
        }
        Error::Damaged { dir, .. } | Error::Incompatible { dir } => {
            format!("{e}; {}", rebuild(dir))
        }
        Error::Busy { dir, holder } => {
            let who = match holder {
                Some((pid, name)) if name == "passim" => format!("`passim index` (process {pid})"),
                Some((pid, name)) => format!("process {pid} ({name})"),
                None => "another process".to_owned(),
            };
            format!(
                "the index at {} is busy: {who} is writing to it",
                display(dir)
            )
        }
        Error::Cluster { problem, .. } => {
            use crate::error::ClusterProblem::*;
            let hint = match problem {
                Unreachable(_) => "; is it running, and is the URL right?",
                Unauthorized { .. } => {
                    "; set PASSIM_OPENSEARCH_USER and PASSIM_OPENSEARCH_PASSWORD \
                     (or PASSIM_OPENSEARCH_TOKEN) in the environment"
                }
                BulkFailed { .. } => {
                    "; run the same `passim push` again to send them \
                     (articles already stored are overwritten with the same content)"
                }
                BadUrl(_) => {
                    "; give the index URL, e.g. http://localhost:9200/articles, \
                     and credentials only in the environment"
                }
                _ => "",
            };
            format!("{e}{hint}")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn line(e: Error) -> String {
        let mut out = Vec::new();
        error(&mut out, &anyhow::Error::new(e)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn index_errors_say_what_to_run() {
        let dir = PathBuf::from("./idx");
        assert_eq!(
            line(Error::NoIndex { dir: dir.clone() }),
            "passim: no index at idx; create one with `passim index PATH --index idx`\n"
        );
        assert_eq!(
            line(Error::Damaged {
                dir: dir.clone(),
                detail: "meta.json is unreadable".into()
            }),
            "passim: the index at idx is damaged (meta.json is unreadable); \
             rebuild it with `passim index --rebuild --index idx`\n"
        );
        assert_eq!(
            line(Error::Busy {
                dir: dir.clone(),
                holder: Some((42, "passim".into()))
            }),
            "passim: the index at idx is busy: `passim index` (process 42) is writing to it\n"
        );
        assert_eq!(
            line(Error::Busy {
                dir: dir.clone(),
                holder: None
            }),
            "passim: the index at idx is busy: another process is writing to it\n"
        );
        // (With an index there, it says the index can be searched, not
        // updated: tests/faults.rs.)
        assert_eq!(
            line(Error::ReadOnly { dir: dir.clone() }),
            "passim: cannot create an index at idx: the file system is read-only\n"
        );
        assert_eq!(
            line(Error::NoPermission {
                dir: dir.clone(),
                write: true
            }),
            "passim: no permission to write to the index at idx: it can be searched, not updated\n"
        );
        assert_eq!(
            line(Error::DiskFull {
                dir,
                stage: crate::error::Stage::Write,
                needed: 4_200_000,
                free: 2_900_000,
            }),
            "passim: the disk holding the index at idx is full: this run needed about 4.2 MB \
             and 2.9 MB was free; its partial files were removed and the index keeps its last commit\n"
        );
    }
}
