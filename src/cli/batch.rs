//! `passim search --batch FILE`: every query of a TSV file, answered on
//! several threads when that is faster, printed in the file's order.
//!
//! A query's whole answer (ranking, passages and the printed text) is made
//! on one worker thread into a buffer; the main thread writes the buffers
//! in order, so the output is the same bytes whatever the number of
//! threads. Workers run at most [`WINDOW`] queries ahead of the printed
//! one, which bounds the memory a slow query can make the others hold.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::{mpsc, Condvar, Mutex, PoisonError};

use anyhow::{bail, Result};

use super::messages;
use super::print::{Format, Printer};
use crate::error::{describe_io, display};
use crate::opensearch::Backend;
use crate::search::SearchOptions;

/// How far past the query being printed the workers may run.
const WINDOW: usize = 64;

/// Room reserved for one query's printed answer: about what ten hits with
/// three passages take as JSON, so the buffer seldom grows (growing it was
/// 0.5% of a batch's instructions).
const ANSWER_BYTES: usize = 16 * 1024;

/// One query of a batch: its id and its text.
pub(super) type Query = (String, String);

/// Reads `qid<TAB>query` lines from `file` (`-`: standard input); blank
/// lines and `#` comments are skipped.
pub(super) fn read(file: &Path) -> Result<Vec<Query>> {
    let stdin = file == Path::new("-");
    let shown = if stdin {
        "<stdin>".to_owned()
    } else {
        display(file)
    };
    let text = if stdin {
        std::io::read_to_string(std::io::stdin().lock())
    } else {
        std::fs::read_to_string(file)
    }
    .map_err(|e| anyhow::anyhow!("{shown}: {}", describe_io(&e)))?;
    let mut queries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((qid, query)) = line.split_once('\t') else {
            bail!("{shown}:{}: expected `qid<TAB>query`", n + 1);
        };
        queries.push((qid.trim().to_owned(), query.trim().to_owned()));
    }
    Ok(queries)
}

/// What one query gave: its printed results, or the warning that stands
/// for them (one unusable query, e.g. only punctuation, does not stop the
/// batch).
struct Answer {
    found: bool,
    printed: std::result::Result<Vec<u8>, String>,
}

/// Answers `queries` on `workers` threads (1: on this one) and writes
/// them in order; true if any found something.
pub(super) fn run(
    engine: &dyn Backend,
    queries: &[Query],
    opts: &SearchOptions,
    format: &Format,
    workers: usize,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<bool> {
    let workers = workers.clamp(1, queries.len().max(1));
    let mut found = false;
    let mut emit = |answer: Answer| -> Result<()> {
        found |= answer.found;
        match answer.printed {
            Ok(bytes) => out.write_all(&bytes)?,
            Err(warning) => messages::warning(err, &warning)?,
        }
        Ok(())
    };
    if workers == 1 {
        for query in queries {
            emit(answer(engine, query, opts, format)?)?;
        }
        return Ok(found);
    }
    // Each query on one thread: the threads are the batch's workers.
    let opts = SearchOptions {
        threads: 1,
        ..opts.clone()
    };
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let printed = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = mpsc::channel::<(usize, Result<Answer>)>();
    std::thread::scope(|s| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop, printed, opts) = (&next, &stop, &printed, &opts);
            s.spawn(move || loop {
                // A panic (a bug) stops the batch: `scope` passes it on.
                let _stop_on_panic = StopOnPanic(stop, printed);
                let i = next.fetch_add(1, Relaxed);
                if i >= queries.len() || !wait_for_room(i, printed, stop) {
                    break;
                }
                let answer = answer(engine, &queries[i], opts, format);
                if tx.send((i, answer)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut waiting = BTreeMap::new();
        let mut want = 0;
        let result = (|| -> Result<()> {
            for (i, answer) in &rx {
                waiting.insert(i, answer);
                while let Some(answer) = waiting.remove(&want) {
                    emit(answer?)?;
                    want += 1;
                    let (count, moved) = &printed;
                    *count.lock().unwrap_or_else(PoisonError::into_inner) = want;
                    moved.notify_all();
                }
            }
            Ok(())
        })();
        // On an error (a closed pipe), the workers stop at their next query.
        halt(&stop, &printed);
        drop(rx);
        result
    })?;
    Ok(found)
}

/// Stops the batch if its worker panics, so that no other worker waits
/// for room that will never come.
struct StopOnPanic<'a>(&'a AtomicBool, &'a (Mutex<usize>, Condvar));

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            halt(self.0, self.1);
        }
    }
}

/// Tells the workers to stop. The flag is set under the lock they check it
/// under, so none can miss the wake-up between its check and its wait.
fn halt(stop: &AtomicBool, (count, moved): &(Mutex<usize>, Condvar)) {
    let guard = count.lock().unwrap_or_else(PoisonError::into_inner);
    stop.store(true, Relaxed);
    drop(guard);
    moved.notify_all();
}

/// Waits until query `i` is within [`WINDOW`] of the next one to print;
/// false if the batch stopped meanwhile.
fn wait_for_room(i: usize, (count, moved): &(Mutex<usize>, Condvar), stop: &AtomicBool) -> bool {
    let mut printed = count.lock().unwrap_or_else(PoisonError::into_inner);
    while i >= *printed + WINDOW && !stop.load(Relaxed) {
        printed = moved.wait(printed).unwrap_or_else(PoisonError::into_inner);
    }
    !stop.load(Relaxed)
}

/// Searches one query and prints its results into a buffer.
fn answer(
    engine: &dyn Backend,
    (qid, query): &Query,
    opts: &SearchOptions,
    format: &Format,
) -> Result<Answer> {
    Ok(match engine.search(query, opts) {
        Ok(results) => {
            let mut printer = Printer::new(Vec::with_capacity(ANSWER_BYTES), format.clone());
            printer.batch_results(Some(qid), &results)?;
            Answer {
                found: !results.hits.is_empty(),
                printed: Ok(printer.into_inner()),
            }
        }
        Err(e) => Answer {
            found: false,
            printed: Err(format!("query {qid}: {e}")),
        },
    })
}
