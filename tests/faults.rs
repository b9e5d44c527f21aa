//! Faults of the machine (issue 18): a full disk while writing and while
//! merging, a read-only index, an index folder the user may not write to,
//! and a lock left by a killed run.
//!
//! The disk and read-only tests mount a small tmpfs, and the permission test
//! runs passim as `nobody`: they need root, and skip with a printed reason
//! otherwise (CI runs as root). Every mount is unmounted by a guard, also
//! when a test fails.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_passim");

/// Whether the tests run as root; prints why a test is skipped otherwise.
fn root_or_skip(test: &str) -> bool {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .map(str::to_owned);
    if euid.as_deref() == Some("0") {
        return true;
    }
    // Straight to the process's stderr: the test harness captures
    // `eprintln!`, and a skip should show without `--nocapture`.
    let _ = writeln!(
        std::io::stderr(),
        "faults::{test}: skipped: needs root (to mount a tmpfs or run as another user)"
    );
    false
}

/// A tmpfs mounted on a folder; unmounted when dropped.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        fs::create_dir_all(dir).unwrap();
        sh(
            "mount",
            &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"],
            dir,
        );
        Tmpfs {
            dir: dir.to_path_buf(),
        }
    }

    /// Remounts with other options (`ro`, `rw`, `size=…`).
    fn remount(&self, options: &str) {
        sh("mount", &["-o", &format!("remount,{options}")], &self.dir);
    }

    /// Bytes the file system holds, in all.
    fn size(&self) -> u64 {
        fs4::total_space(&self.dir).unwrap()
    }

    fn free(&self) -> u64 {
        fs4::available_space(&self.dir).unwrap()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            // Something still uses it: detach it now, it goes when unused.
            let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        }
    }
}

/// Runs `program args… dir`, which must succeed.
fn sh(program: &str, args: &[&str], dir: &Path) {
    let out = Command::new(program)
        .args(args)
        .arg(dir)
        .output()
        .expect(program);
    assert!(
        out.status.success(),
        "{program} {args:?} {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `passim ARGS` in `cwd`, with a cleared environment.
fn passim(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .output()
        .expect("run passim")
}

/// Writes `files` generated articles of `words` words each into `dir`:
/// words from a fixed vocabulary of made-up words, the same every time.
fn generate(dir: &Path, files: usize, words: usize, seed: u64) {
    fs::create_dir_all(dir).unwrap();
    let mut x = seed;
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        x >> 33
    };
    let vocabulary: Vec<String> = (0..3000)
        .map(|_| {
            let len = 3 + next() % 7;
            (0..len)
                .map(|_| char::from(b'a' + (next() % 26) as u8))
                .collect()
        })
        .collect();
    for i in 0..files {
        let mut text = format!("Zyzzyva report {i}\n\n");
        for w in 0..words {
            if w > 0 {
                text.push(' ');
            }
            text.push_str(&vocabulary[(next() % 3000) as usize]);
        }
        text.push_str(".\n");
        fs::write(dir.join(format!("a{i:04}.txt")), text).unwrap();
    }
}

/// The index's files but lock files, with their sizes (a file that goes
/// while it is listed, as a running `passim index` renames and deletes
/// files, is left out).
pub(crate) fn files(index: &Path) -> BTreeMap<String, u64> {
    fs::read_dir(index)
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            let name = e.file_name().to_string_lossy().into_owned();
            Some((name, e.metadata().ok()?.len()))
        })
        .filter(|(name, _)| !name.ends_with(".lock") && name != "bounds")
        .collect()
}

/// The segment ids `meta.json` names, as in file names (no dashes).
pub(crate) fn committed_segments(index: &Path) -> Vec<String> {
    let meta: Value =
        serde_json::from_str(&fs::read_to_string(index.join("meta.json")).unwrap()).unwrap();
    meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect()
}

/// Asserts that every segment file in `index`, and every block-bounds file
/// in its `bounds` folder, belongs to the last commit.
pub(crate) fn assert_no_orphan_files(index: &Path) {
    let segments = committed_segments(index);
    if let Ok(bounds) = fs::read_dir(index.join("bounds")) {
        for entry in bounds {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".bounds").unwrap_or(&name);
            assert!(
                segments.iter().any(|s| s == stem),
                "bounds/{name} is for no segment of the last commit ({segments:?})"
            );
        }
    }
    for name in files(index).keys() {
        if name == "meta.json" || name == ".managed.json" {
            continue;
        }
        let stem = name.split('.').next().unwrap();
        assert!(
            segments.iter().any(|s| s == stem),
            "{name} is in no segment of the last commit ({segments:?})"
        );
    }
}

/// The one stderr line of a failed command, which must exit 2.
fn error_line(out: &Output) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err.trim_end().to_owned()
}

/// Parses `about 4.2 MB` (or KB, B, GB) after `needed` in a disk-full line.
fn needed_bytes(line: &str) -> u64 {
    let rest = line.split(" needed about ").nth(1).expect("needed about");
    let mut parts = rest.split_whitespace();
    let n: f64 = parts.next().unwrap().parse().unwrap();
    let unit = parts.next().unwrap();
    let scale = match unit {
        "B" => 1.0,
        "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        other => panic!("unit {other:?} in {line}"),
    };
    (n * scale) as u64
}

/// `passim search WORD --index DIR --count`'s number.
fn count(cwd: &Path, index: &str, query: &str) -> u64 {
    let out = passim(cwd, &["search", query, "--index", index, "--count"]);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        stderr(&out)
    );
    stdout(&out).trim().parse().unwrap()
}

/// A run whose segments do not fit on a 3 MB tmpfs: one line naming the
/// index, the space needed and what was free; exit 2; the disk back where
/// it was (same files, same free space); the last commit searchable; and
/// with the space it said it needed added, the re-run completes.
#[test]
fn disk_full_while_writing() {
    if !root_or_skip("disk_full_while_writing") {
        return;
    }
    let fx = Fixture::with_seeds();
    let disk = Tmpfs::mount(&fx.path().join("disk"), "3m");
    let out = passim(fx.path(), &["index", "seeds", "--index", "disk/idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let index = fx.path().join("disk/idx");
    let before = files(&index);
    let meta_before = fs::read(index.join("meta.json")).unwrap();
    let free_before = disk.free();
    // 2.2 MB of text makes about 3.4 MB of index: more than the disk has.
    generate(&fx.path().join("big"), 400, 800, 1);

    let out = passim(fx.path(), &["index", "big", "--index", "disk/idx"]);
    let line = error_line(&out);
    assert!(
        line.starts_with(
            "passim: the disk holding the index at disk/idx is full: this run needed about "
        ),
        "{line}"
    );
    assert!(
        line.ends_with(
            " was free; its partial files were removed and the index keeps its last commit"
        ),
        "{line}"
    );
    let needed = needed_bytes(&line);
    assert!(
        needed > free_before,
        "needed {needed} <= free {free_before}"
    );

    // The disk is back where it was: the same files, the same free space.
    assert_eq!(files(&index), before);
    assert_eq!(fs::read(index.join("meta.json")).unwrap(), meta_before);
    assert_eq!(disk.free(), free_before);
    // The last commit is searchable.
    let fx_hits = |q: &str| {
        let out = passim(fx.path(), &["search", q, "--index", "disk/idx", "--json"]);
        parse_json_output(&out, &[q]).1
    };
    assert_eq!(sorted_ids(&fx_hits("pay")), [BBC, UPI]);
    // A small run still fits.
    fx.write(
        "more/quoll.txt",
        "Quoll report\n\nA quoll was seen near the depot.",
    );
    let out = passim(fx.path(), &["index", "more", "--index", "disk/idx"]);
    assert_index_summary(&stderr(&out), 3, 1, 0, 0, 0);

    // Once the space it said it needed is freed, the run completes.
    disk.remount(&format!("size={}", disk.size() + needed));
    let out = passim(fx.path(), &["index", "big", "--index", "disk/idx"]);
    assert_index_summary(&stderr(&out), 403, 400, 0, 0, 0);
    assert_eq!(count(fx.path(), "disk/idx", "zyzzyva"), 400);
    assert_no_orphan_files(&index);
}

/// A run whose commit fits but whose merge does not: one line, exit 2, the
/// commit kept (its articles searchable), the merge's files removed; with
/// the space it said it needed added, the next run merges.
#[test]
fn disk_full_while_merging() {
    if !root_or_skip("disk_full_while_merging") {
        return;
    }
    let fx = Fixture::with_seeds();
    let disk = Tmpfs::mount(&fx.path().join("disk"), "3m");
    let out = passim(fx.path(), &["index", "seeds", "--index", "disk/idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let index = fx.path().join("disk/idx");
    // 1.4 MB of text makes about 2.1 MB of index on two threads (two
    // segments, three with the seeds'): it fits, but merging the three into
    // one needs as much again.
    generate(&fx.path().join("big"), 250, 800, 2);

    let out = passim(
        fx.path(),
        &["index", "big", "--index", "disk/idx", "--threads", "2"],
    );
    let line = error_line(&out);
    assert!(
        line.starts_with(
            "passim: the disk holding the index at disk/idx is full: \
             merging the index's segments needed about "
        ),
        "{line}"
    );
    assert!(
        line.ends_with(
            " was free; its partial files were removed and the run's changes are committed, unmerged"
        ),
        "{line}"
    );
    let needed = needed_bytes(&line);
    // The run's commit landed: its articles are searchable, beside the seeds.
    assert_eq!(count(fx.path(), "disk/idx", "zyzzyva"), 250);
    assert_eq!(count(fx.path(), "disk/idx", "pay"), 2);
    // The merge's partial segment is gone; the commit's segments remain,
    // unmerged (a merge leaves one).
    assert_no_orphan_files(&index);
    assert!(committed_segments(&index).len() >= 3);

    disk.remount(&format!("size={}", disk.size() + needed));
    let out = passim(fx.path(), &["index", "--index", "disk/idx"]);
    assert_index_summary(&stderr(&out), 252, 0, 0, 0, 0);
    assert_eq!(committed_segments(&index).len(), 1, "merged now");
    assert_no_orphan_files(&index);
    assert_eq!(count(fx.path(), "disk/idx", "zyzzyva"), 250);
}

/// A `passim serve` process, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(cwd: &Path, index: &str) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--index", index])
            .current_dir(cwd)
            .env_clear()
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start passim serve");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().and_then(|l| l.ok()).unwrap_or_default();
        let addr = first
            .split(" at http://")
            .nth(1)
            .map(|a| a.trim_end_matches('/').to_owned());
        let Some(addr) = addr else {
            let _ = child.kill();
            panic!("passim serve said {first:?}");
        };
        Server { child, addr }
    }

    /// GET `path` → (status, body).
    fn get(&self, path: &str) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An index on a read-only tmpfs, without lock files: search, show, stats
/// and serve work and create nothing; `passim index` (also `--rebuild`)
/// says the index is read-only.
#[test]
fn read_only_index_is_searchable() {
    if !root_or_skip("read_only_index_is_searchable") {
        return;
    }
    let fx = Fixture::with_seeds();
    let disk = Tmpfs::mount(&fx.path().join("disk"), "8m");
    let out = passim(fx.path(), &["index", "seeds", "--index", "disk/idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let index = fx.path().join("disk/idx");
    // As an archive or a snapshot would hold it: no lock files.
    for lock in [".tantivy-writer.lock", ".tantivy-meta.lock"] {
        fs::remove_file(index.join(lock)).unwrap();
    }
    let before = files(&index);
    disk.remount("ro");

    let out = passim(
        fx.path(),
        &["search", "pay", "--index", "disk/idx", "--json"],
    );
    assert_eq!(sorted_ids(&parse_json_output(&out, &["pay"]).1), [BBC, UPI]);
    assert_eq!(stderr(&out), "");
    let out = passim(fx.path(), &["show", BBC, "--index", "disk/idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(BBC_TITLE), "{}", stdout(&out));
    let out = passim(fx.path(), &["stats", "--index", "disk/idx", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["articles"], 2, "{stats}");

    let server = Server::start(fx.path(), "disk/idx");
    let (status, body) = server.get("/api/search?q=pay");
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["summary"]["total_hits"], 2, "{body}");
    drop(server);

    let out = passim(fx.path(), &["index", "seeds", "--index", "disk/idx"]);
    assert_eq!(
        error_line(&out),
        "passim: the index at disk/idx is on a read-only file system: it can be searched, not updated"
    );
    let out = passim(fx.path(), &["index", "--rebuild", "--index", "disk/idx"]);
    assert_eq!(
        error_line(&out),
        "passim: the index at disk/idx is on a read-only file system: it can be searched, not updated"
    );
    let out = passim(fx.path(), &["index", "seeds", "--index", "disk/new"]);
    assert_eq!(
        error_line(&out),
        "passim: cannot create an index at disk/new: the file system is read-only"
    );
    disk.remount("rw");
    assert_eq!(files(&index), before, "nothing was written");
}

/// An index owned by root, run as `nobody`: searched while readable, one
/// true line for `passim index`, and one when meta.json is unreadable.
#[test]
fn index_folder_without_write_permission() {
    if !root_or_skip("index_folder_without_write_permission") {
        return;
    }
    let fx = Fixture::with_seeds();
    let out = passim(fx.path(), &["index", "seeds", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Owned by root, readable by all, writable by root alone.
    sh("chmod", &["-R", "a+rX"], fx.path());
    let before = files(&fx.path().join("idx"));
    let as_nobody = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .current_dir(fx.path())
            .env_clear()
            .uid(65534)
            .gid(65534)
            .output()
            .expect("run passim as nobody")
    };

    let out = as_nobody(&["search", "pay", "--index", "idx", "--json"]);
    assert_eq!(sorted_ids(&parse_json_output(&out, &["pay"]).1), [BBC, UPI]);
    let out = as_nobody(&["stats", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = as_nobody(&["index", "seeds", "--index", "idx"]);
    assert_eq!(
        error_line(&out),
        "passim: no permission to write to the index at idx: it can be searched, not updated"
    );
    assert_eq!(files(&fx.path().join("idx")), before, "nothing was written");

    // tantivy writes meta.json readable by its owner alone (0600).
    sh("chmod", &["600"], &fx.path().join("idx/meta.json"));
    let out = as_nobody(&["search", "pay", "--index", "idx"]);
    assert_eq!(
        error_line(&out),
        "passim: no permission to read the index at idx"
    );
}

/// Whether `pid` holds an advisory lock on `file` (Linux's /proc/locks).
fn holds_lock(pid: u32, file: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = fs::metadata(file) else {
        return false;
    };
    let ino = meta.ino().to_string();
    fs::read_to_string("/proc/locks")
        .unwrap_or_default()
        .lines()
        .any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.get(4) == Some(&pid.to_string().as_str())
                && f.get(5).and_then(|d| d.rsplit(':').next()) == Some(ino.as_str())
        })
}

/// A stopped run holding the writer lock is named (`passim index`, its
/// process id) to a second run; once killed, the lock file it leaves behind
/// blocks nothing and the next run completes.
#[test]
fn held_lock_is_named_and_stale_lock_blocks_nothing() {
    let fx = Fixture::with_seeds();
    let out = passim(fx.path(), &["index", "seeds", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    generate(&fx.path().join("big"), 3000, 400, 3);
    let lock = fx.path().join("idx/.tantivy-writer.lock");

    // A run that is stopped while it holds the writer lock (Ctrl-Z, a hung
    // disk): the lock is real, and the message names who holds it.
    let mut run = Command::new(BIN)
        .args(["index", "big", "--index", "idx", "-q"])
        .current_dir(fx.path())
        .env_clear()
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = run.id();
    let signal = |name: &str| {
        let sent = Command::new("kill")
            .args([name, &pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    };
    // Stopped holding the writer lock, but not tantivy's meta lock, which a
    // run holds for a moment while it opens or cleans up a commit (and a
    // search waits for, up to 10 s): a stop inside that moment is resumed
    // and retried.
    let meta_lock = fx.path().join("idx/.tantivy-meta.lock");
    let started = Instant::now();
    loop {
        while !holds_lock(pid, &lock) {
            assert!(
                run.try_wait().unwrap().is_none(),
                "the run ended before it was seen holding the lock"
            );
            assert!(started.elapsed() < Duration::from_secs(30), "no lock");
            std::thread::sleep(Duration::from_millis(1));
        }
        signal("-STOP");
        if !holds_lock(pid, &meta_lock) {
            break;
        }
        signal("-CONT");
        assert!(started.elapsed() < Duration::from_secs(30), "meta lock");
        std::thread::sleep(Duration::from_millis(1));
    }
    let out = passim(fx.path(), &["index", "seeds", "--index", "idx"]);
    assert_eq!(
        error_line(&out),
        format!(
            "passim: the index at idx is busy: `passim index` (process {pid}) is writing to it"
        )
    );
    // Searches see the last commit meanwhile.
    assert_eq!(count(fx.path(), "idx", "pay"), 2);

    // Killed, it leaves its lock file behind, but the kernel has released
    // the lock: the next run goes ahead at once.
    run.kill().unwrap();
    run.wait().unwrap();
    assert!(lock.exists(), "the killed run's lock file is left");
    let started = Instant::now();
    let out = passim(fx.path(), &["index", "big", "--index", "idx"]);
    assert_index_summary(&stderr(&out), 3002, 3000, 0, 0, 0);
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_no_orphan_files(&fx.path().join("idx"));
}

/// A process holding tantivy's meta lock for long (a `passim index`
/// stopped while it opens or cleans up a commit) makes a search wait a
/// bounded time and then name the holder, instead of hanging; once the
/// lock is released, searches run again.
#[test]
fn a_held_meta_lock_makes_search_busy_instead_of_hanging() {
    let fx = Fixture::with_seeds();
    let out = passim(fx.path(), &["index", "seeds", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta_lock = fx.path().join("idx/.tantivy-meta.lock");
    // flock's command inherits the locked file: its own process group, so
    // that both can be killed.
    let mut holder = Command::new("flock")
        .arg("-x")
        .arg(&meta_lock)
        .args(["sleep", "300"])
        .process_group(0)
        .spawn()
        .expect("flock (util-linux)");
    let pid = holder.id();
    let started = Instant::now();
    while !holds_lock(pid, &meta_lock) {
        assert!(started.elapsed() < Duration::from_secs(30), "no lock");
        std::thread::sleep(Duration::from_millis(1));
    }
    let out = passim(fx.path(), &["search", "pay", "--index", "idx"]);
    let killed = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .status()
        .unwrap();
    assert!(killed.success());
    holder.wait().unwrap();
    assert_eq!(
        error_line(&out),
        format!("passim: the index at idx is busy: process {pid} (flock) is writing to it")
    );
    assert_eq!(count(fx.path(), "idx", "pay"), 2);
}
