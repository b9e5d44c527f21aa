//! Helpers shared by the test modules: a temp folder with the seeds copied
//! in, `passim` runs with a cleared environment, and readers for its output.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

pub const BBC: &str = "000_ad774b3ccf870d72.txt";
pub const UPI: &str = "003_88c22cad3bf316fe.txt";
pub const BBC_TITLE: &str = "Amazon workers in Coventry take second day of strike action";

/// Directory of the committed sample articles.
fn seeds_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// Raw text of a seed file.
pub fn seed_text(name: &str) -> String {
    fs::read_to_string(seeds_src().join(name)).expect("read seed")
}

/// The article body as the contract defines it: for the BBC article (which
/// has a headline) the text after the first line with leading newlines
/// dropped; for the headline-less UPI article, the whole text.
pub fn seed_body(name: &str) -> String {
    let text = seed_text(name);
    if name == BBC {
        let (_, rest) = text.split_once('\n').expect("BBC has a headline line");
        rest.trim_start_matches(['\n', '\r']).to_string()
    } else {
        text
    }
}

/// The modification time given to copied seeds: their date in the index
/// (they carry none of their own), so outputs do not change from run to run.
pub const SEED_MTIME_SECS: u64 = 1_705_320_000; // 2024-01-15T12:00:00Z
pub const SEED_DAY: &str = "2024-01-15";

/// Sets a file's modification time, in seconds since the epoch.
pub fn set_mtime(path: &Path, secs: u64) {
    let file = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open to set mtime");
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    file.set_modified(time).expect("set mtime");
}

/// Copy a file and make the copy writable (the seeds are read-only in git),
/// modified at [`SEED_MTIME_SECS`].
fn copy_writable(from: &Path, to: &Path) {
    fs::copy(from, to).expect("copy seed");
    let mut perms = fs::metadata(to).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(to, perms).unwrap();
    set_mtime(to, SEED_MTIME_SECS);
}

/// A temp directory used as the current dir of every `passim` run.
pub struct Fixture {
    pub dir: TempDir,
}

impl Fixture {
    /// Empty temp dir.
    pub fn empty() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Temp dir with the two seeds copied into `seeds/`.
    pub fn with_seeds() -> Fixture {
        let fx = Fixture::empty();
        let dst = fx.path().join("seeds");
        fs::create_dir_all(&dst).unwrap();
        for name in [BBC, UPI] {
            copy_writable(&seeds_src().join(name), &dst.join(name));
        }
        fx
    }

    /// Temp dir with seeds copied and `passim index` already run (index at `index/`).
    pub fn indexed() -> Fixture {
        let fx = Fixture::with_seeds();
        let out = fx.run(&["index"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "passim index failed: stderr={}",
            String::from_utf8_lossy(&out.stderr)
        );
        fx
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let p = self.path().join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(p, contents).unwrap();
    }

    /// A `passim` command with a cleared environment, run in the temp dir.
    /// Clearing it also keeps the user's config file out of every test:
    /// without PASSIM_CONFIG, XDG_CONFIG_HOME and HOME, passim reads none
    /// (tests/config.rs sets them to folders of its own).
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("passim").expect("passim binary");
        c.env_clear().current_dir(self.path());
        c
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        self.cmd().args(args).output().expect("run passim")
    }

    /// `passim search <args> --json` → (exit code, hits, summary).
    pub fn search(&self, args: &[&str]) -> (i32, Vec<Value>, Value) {
        let mut all: Vec<&str> = vec!["search"];
        all.extend_from_slice(args);
        all.push("--json");
        let out = self.run(&all);
        parse_json_output(&out, &all)
    }

    /// Like `search` but asserts exit 0 and returns only the hits.
    pub fn hits(&self, args: &[&str]) -> Vec<Value> {
        let (code, hits, summary) = self.search(args);
        assert_eq!(
            code, 0,
            "search {args:?}: expected exit 0; summary={summary}"
        );
        hits
    }
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Parse JSON Lines output: hit objects then exactly one summary, last.
pub fn parse_json_output(out: &std::process::Output, args: &[&str]) -> (i32, Vec<Value>, Value) {
    let code = out.status.code().expect("passim exited by a signal");
    let so = stdout(out);
    let se = stderr(out);
    let mut values: Vec<Value> = so
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{args:?}: bad JSON line {l:?}: {e}; stderr={se}"))
        })
        .collect();
    let summary = values
        .pop()
        .unwrap_or_else(|| panic!("{args:?}: no JSON output (exit {code}); stderr={se}"));
    assert_eq!(
        summary["type"], "summary",
        "{args:?}: last line must be the summary: {summary}"
    );
    for h in &values {
        assert_eq!(
            h["type"], "hit",
            "{args:?}: non-last line must be a hit: {h}"
        );
    }
    (code, values, summary)
}

pub fn ids(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["id"].as_str().expect("hit id is a string").to_string())
        .collect()
}

pub fn sorted_ids(hits: &[Value]) -> Vec<String> {
    let mut v = ids(hits);
    v.sort();
    v
}

pub fn hit<'a>(hits: &'a [Value], id: &str) -> &'a Value {
    hits.iter()
        .find(|h| h["id"] == id)
        .unwrap_or_else(|| panic!("no hit with id {id} among {:?}", ids(hits)))
}

pub fn passages(hit: &Value) -> &Vec<Value> {
    hit["passages"].as_array().expect("passages is an array")
}

pub fn ptext(p: &Value) -> &str {
    p["text"].as_str().expect("passage text is a string")
}

/// Slice `s` with a highlight object's byte offsets; panics (with context) if
/// the offsets are out of range or not on char boundaries.
pub fn slice<'a>(s: &'a str, h: &Value) -> &'a str {
    let start = h["start"].as_u64().expect("highlight start") as usize;
    let end = h["end"].as_u64().expect("highlight end") as usize;
    assert!(start < end, "empty/inverted highlight {h} in {s:?}");
    s.get(start..end)
        .unwrap_or_else(|| panic!("highlight {h} not valid byte range / char boundary in {s:?}"))
}

/// All highlighted words of a passage.
pub fn passage_highlights(p: &Value) -> Vec<String> {
    let t = ptext(p);
    p["highlights"]
        .as_array()
        .expect("highlights is an array")
        .iter()
        .map(|h| slice(t, h).to_string())
        .collect()
}

/// All highlighted words across all passages of a hit.
pub fn hit_highlights(hit: &Value) -> Vec<String> {
    passages(hit).iter().flat_map(passage_highlights).collect()
}

/// Highlighted words of the title.
pub fn title_highlights(hit: &Value) -> Vec<String> {
    let t = hit["title"].as_str().expect("title is a string");
    hit["title_highlights"]
        .as_array()
        .expect("title_highlights is an array")
        .iter()
        .map(|h| slice(t, h).to_string())
        .collect()
}

/// Last non-empty line of stderr.
fn last_line(s: &str) -> &str {
    s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("")
}

/// Assert the `index` summary line carries exactly these counts.
pub fn assert_index_summary(err: &str, n: u64, a: u64, c: u64, r: u64, s: u64) {
    assert_index_summary_nr(err, n, a, c, r, s, 0);
}

/// Like `assert_index_summary`, with `nr` files not read (not articles).
pub fn assert_index_summary_nr(err: &str, n: u64, a: u64, c: u64, r: u64, s: u64, nr: u64) {
    let line = last_line(err);
    let want = format!(
        "indexed {n} articles ({a} new, {c} changed, {r} removed, {s} skipped, {nr} not read) in "
    );
    assert!(
        line.starts_with(&want) && line.ends_with(" s"),
        "index summary mismatch:\n  want prefix: {want:?} ... \" s\"\n  got last line: {line:?}\n  full stderr: {err:?}"
    );
    let t = &line[want.len()..line.len() - 2];
    assert!(
        t.parse::<f64>().is_ok(),
        "elapsed time {t:?} is not a number in {line:?}"
    );
}

/// Count case-insensitive (ASCII) occurrences of `needle` in `hay`.
pub fn count_ci(hay: &str, needle: &str) -> usize {
    hay.to_ascii_lowercase()
        .matches(&needle.to_ascii_lowercase())
        .count()
}
