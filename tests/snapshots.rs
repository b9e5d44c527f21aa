//! Whole-output expectations: a few `passim` runs on the two seed articles,
//! each compared in full (exit code, stdout and stderr) with a text file in
//! `tests/snapshots/`.
//!
//! Each test copies the seeds into a temp folder, indexes them with
//! `passim index --index index seeds`, and runs the real binary there with a
//! cleared environment (no `NO_COLOR`, no config) and `--color never`.
//!
//! A snapshot file reads:
//!
//! ```text
//! $ passim search --index index --color never pay
//! exit: 0
//! --- stdout ---
//! …stdout, verbatim…
//! --- stderr ---
//! …stderr, verbatim…
//! ```
//!
//! A stream that does not end in a newline is followed by the line
//! `\ no newline at end`, so the comparison stays exact.
//!
//! Normalisation, applied to both streams before comparing (the only parts
//! that differ from run to run):
//! - the temp folder's path becomes `[TMP]`;
//! - the seconds in a summary's `) in 0.16 s` become `) in [SECONDS] s`;
//! - the number in `"elapsed_ms":4.83` becomes `"elapsed_ms":[MS]`;
//! - the milliseconds of a count line's ` · 4.2 ms` become ` · [MS] ms`.
//!
//! When an output changes on purpose, regenerate the files and review the
//! diff before committing it:
//!
//! ```text
//! PASSIM_BLESS=1 cargo test --release --test tests snapshots
//! git diff tests/snapshots/
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::*;

const INDEX_SEEDS: &[&str] = &["index", "--index", "index", "seeds"];

/// The seeds copied into a temp folder and indexed into `index/` (that run's
/// output is the snapshot `index_seeds`).
fn indexed() -> Fixture {
    let fx = Fixture::with_seeds();
    let out = fx.run(INDEX_SEEDS);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fx
}

/// `passim search --index index --color never ARGS…` on the indexed seeds,
/// compared with `tests/snapshots/NAME.txt`.
fn assert_search(name: &str, args: &[&str]) {
    let fx = indexed();
    let mut all = vec!["search", "--index", "index", "--color", "never"];
    all.extend_from_slice(args);
    assert_snapshot(&fx, name, &all);
}

/// Runs `passim ARGS…` in the fixture's folder and compares the normalised
/// output with `tests/snapshots/NAME.txt` (or writes that file when
/// `PASSIM_BLESS=1`).
fn assert_snapshot(fx: &Fixture, name: &str, args: &[&str]) {
    let out = fx.run(args);
    let tmp = fx.path().to_str().expect("temp path is UTF-8");
    let command: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
    let actual = format!(
        "$ passim {}\nexit: {}\n--- stdout ---\n{}--- stderr ---\n{}",
        command.join(" "),
        out.status.code().expect("passim exited by a signal"),
        stream(&normalise(&stdout(&out), tmp)),
        stream(&normalise(&stderr(&out), tmp)),
    );
    let file = snapshot_path(name);
    if std::env::var_os("PASSIM_BLESS").is_some_and(|v| v == "1") {
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(&file, &actual).unwrap();
        eprintln!("blessed {}", file.display());
        return;
    }
    let expected = fs::read_to_string(&file).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\n(write it with PASSIM_BLESS=1)\nactual output:\n{actual}",
            file.display()
        )
    });
    if expected != actual {
        panic!(
            "output differs from {} (first difference at line {}).\n\
             If the change is intended, regenerate with PASSIM_BLESS=1 and review the diff.\n\
             ----- expected -----\n{expected}----- actual -----\n{actual}----- end -----",
            file.display(),
            first_difference(&expected, &actual),
        );
    }
}

fn snapshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"))
}

/// A stream as written into a snapshot: verbatim, with a marker line when it
/// does not end in a newline.
fn stream(s: &str) -> String {
    if s.is_empty() || s.ends_with('\n') {
        s.to_owned()
    } else {
        format!("{s}\n\\ no newline at end\n")
    }
}

/// The normalisation described in the module documentation.
fn normalise(s: &str, tmp: &str) -> String {
    let s = s.replace(tmp, "[TMP]");
    let s = mask_number(&s, ") in ", " s", "[SECONDS]");
    let s = mask_number(&s, "\"elapsed_ms\":", "", "[MS]");
    mask_number(&s, " · ", " ms", "[MS]")
}

/// Replaces each number (digits and dots) that follows `before` and is
/// followed by `after` with `mask`.
fn mask_number(s: &str, before: &str, after: &str, mask: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(before) {
        let (head, tail) = rest.split_at(i + before.len());
        out.push_str(head);
        let len = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(tail.len());
        if len > 0 && tail[len..].starts_with(after) {
            out.push_str(mask);
            rest = &tail[len..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// 1-based number of the first line where `a` and `b` differ.
fn first_difference(a: &str, b: &str) -> usize {
    let same = a.split('\n').zip(b.split('\n')).take_while(|(x, y)| x == y);
    same.count() + 1
}

/// An argument as a reader would type it into a shell.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[test]
fn index_seeds() {
    let fx = Fixture::with_seeds();
    assert_snapshot(&fx, "index_seeds", INDEX_SEEDS);
}

#[test]
fn search_pay() {
    assert_search("search_pay", &["pay"]);
}

#[test]
fn search_phrase_second_day() {
    assert_search("search_phrase_second_day", &["\"second day\""]);
}

#[test]
fn search_no_hits_exits_1_with_one_line() {
    assert_search("search_no_hits", &["zebra"]);
}

#[test]
fn search_one_hit_one_passage() {
    assert_search("search_strike_n1_p1", &["-n", "1", "-p", "1", "strike"]);
}

#[test]
fn search_json() {
    assert_search("search_strike_ballot_json", &["--json", "strike ballot"]);
}
