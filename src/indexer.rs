//! Building and updating the index: files → articles → tantivy documents.
//!
//! Runs are incremental: each document records its source file's absolute
//! path, mtime and size (as fast fields), so a re-run skips unchanged files
//! without reading them, replaces changed ones and removes deleted ones. All
//! changes land in one tantivy commit, which is atomic: an interrupted run
//! leaves the previous commit searchable.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexWriter, ReloadPolicy, Term};

use crate::article;
use crate::corpus::{self, describe_io, SourceFile};
use crate::schema::{self, Fields, Origin};

/// What to index and how.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub index_dir: PathBuf,
    /// Folders or files to index; empty means "the roots of the last run".
    pub roots: Vec<PathBuf>,
    pub rebuild: bool,
    /// Indexing threads (0: tantivy's default).
    pub threads: usize,
    /// Memory budget for the index writer, in bytes.
    pub memory_bytes: usize,
}

/// Something the user should hear about during a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
    /// True if the file (or line) was left out of the index.
    pub skipped: bool,
}

/// How far an index run has got, for a progress display.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    /// Bytes of new or changed files read so far.
    pub bytes_done: u64,
    /// Bytes of all new or changed files.
    pub bytes_total: u64,
    /// Articles added so far.
    pub articles: u64,
}

/// Receives what an index run has to say; the core never prints.
pub trait Reporter {
    fn notice(&mut self, notice: &Notice);
    fn progress(&mut self, _progress: &Progress) {}
}

impl<F: FnMut(&Notice)> Reporter for F {
    fn notice(&mut self, notice: &Notice) {
        self(notice)
    }
}

/// The outcome of an index run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexReport {
    /// Articles in the index after the run.
    pub articles: u64,
    pub new: u64,
    pub changed: u64,
    pub removed: u64,
    /// Files or JSONL lines that could not be indexed.
    pub skipped: u64,
    pub elapsed: Duration,
}

/// What passim keeps in a commit's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Payload {
    pub schema_version: u32,
    /// Absolute paths of the roots that were indexed.
    pub roots: Vec<PathBuf>,
    /// RFC 3339 time of the commit.
    pub indexed_at: String,
}

/// Per source file, what the index holds.
struct Indexed {
    mtime: u64,
    size: u64,
    articles: u64,
}

/// Runs one index update, reporting notices as they happen.
pub fn run(opts: &IndexOptions, reporter: &mut dyn Reporter) -> Result<IndexReport> {
    let started = Instant::now();
    let (index, fields) = open_or_create(&opts.index_dir, opts.rebuild)?;
    let roots = resolve_roots(&index, &opts.roots)?;
    // Walk before taking the writer lock so a bad path fails fast and cleanly.
    let (files, problems) = corpus::walk(&roots)?;

    let mut writer = open_writer(&index, &opts.index_dir, opts.threads, opts.memory_bytes)?;
    let mut report = IndexReport::default();
    let mut indexed = if opts.rebuild {
        writer.delete_all_documents()?;
        HashMap::new()
    } else {
        indexed_files(&index)?
    };

    for p in problems {
        report.skipped += 1;
        reporter.notice(&Notice {
            path: p.path,
            line: None,
            message: p.message,
            skipped: true,
        });
    }

    // Decide what to (re)read before reading anything, so progress has a total.
    let mut work: Vec<(&SourceFile, Option<Indexed>)> = Vec::new();
    for file in &files {
        let previous = indexed.remove(&file.key);
        match &previous {
            Some(prev) if prev.mtime == file.mtime && prev.size == file.size => {}
            _ => work.push((file, previous)),
        }
    }
    let mut progress = Progress {
        bytes_total: work.iter().map(|(f, _)| f.size).sum(),
        ..Progress::default()
    };
    for (file, previous) in work {
        if previous.is_some() {
            writer.delete_term(Term::from_field_text(fields.source_file, &file.key));
        }
        let mut run = FileRun {
            writer: &writer,
            fields: &fields,
            file,
            report: &mut report,
            reporter: &mut *reporter,
            progress: &mut progress,
        };
        let added = run.index()?;
        match previous {
            Some(_) if added > 0 => report.changed += added,
            Some(prev) => report.removed += prev.articles,
            None => report.new += added,
        }
        reporter.progress(&progress);
    }
    // Whatever is left was not seen this time: its file is gone.
    for (key, gone) in indexed {
        writer.delete_term(Term::from_field_text(fields.source_file, &key));
        report.removed += gone.articles;
    }

    let payload = Payload {
        schema_version: schema::SCHEMA_VERSION,
        roots: roots
            .iter()
            .map(std::path::absolute)
            .collect::<std::io::Result<_>>()?,
        indexed_at: now_rfc3339(),
    };
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&serde_json::to_string(&payload)?);
    commit.commit()?;
    merge_if_small(&index, &mut writer)?;
    writer.wait_merging_threads()?;

    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    report.articles = reader.searcher().num_docs();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Indexes of at most this many articles are kept to a few segments.
pub const SMALL_INDEX_MAX_ARTICLES: u64 = 50_000;

/// Segments a small index may have before a run merges them into one.
pub const SMALL_INDEX_MAX_SEGMENTS: usize = 2;

/// Merges a small index into one segment after a run that left it with more
/// than [`SMALL_INDEX_MAX_SEGMENTS`]. Each indexing thread writes its own
/// segment and every incremental run adds more (tantivy's merge policy lets
/// eight pile up), and a query pays for every segment it visits (term
/// lookups, scorer set-up), which on a small index is a large share of its
/// time: the Reuters bench batch runs ~6% faster on one segment than on two.
/// A fresh build on two threads keeps its two segments, since merging them
/// would cost a third of the build (Reuters: ~0.15 s of ~0.45 s); larger
/// indexes are left to tantivy's merge policy, since every incremental run
/// would pay for the merge again. The merge lands atomically, like a commit,
/// and keeps document order.
fn merge_if_small(index: &Index, writer: &mut IndexWriter) -> Result<()> {
    // Only the ids are kept: a live `SegmentMeta` keeps its files from being
    // garbage collected.
    let (ids, articles) = {
        let segments = index.searchable_segment_metas()?;
        let articles: u64 = segments.iter().map(|s| u64::from(s.num_docs())).sum();
        (
            segments.iter().map(|s| s.id()).collect::<Vec<_>>(),
            articles,
        )
    };
    if ids.len() > SMALL_INDEX_MAX_SEGMENTS && articles <= SMALL_INDEX_MAX_ARTICLES {
        writer.merge(&ids).wait()?;
        // The merged segments' files are no longer in any commit.
        writer.garbage_collect_files().wait()?;
    }
    Ok(())
}

/// Indexing one file: where it goes and whom to tell.
struct FileRun<'a> {
    writer: &'a IndexWriter,
    fields: &'a Fields,
    file: &'a SourceFile,
    report: &'a mut IndexReport,
    reporter: &'a mut dyn Reporter,
    progress: &'a mut Progress,
}

/// How often (in JSONL lines) progress is reported.
const PROGRESS_EVERY: u64 = 1024;

impl FileRun<'_> {
    /// Reads, parses and adds the file; returns how many articles it added.
    fn index(&mut self) -> Result<u64> {
        let start = self.progress.bytes_done;
        let added = match self.file.format {
            article::Format::JsonLines => self.index_jsonl()?,
            _ => self.index_whole()?,
        };
        self.progress.bytes_done = start + self.file.size;
        Ok(added)
    }

    fn notice(&mut self, line: Option<usize>, message: String, skipped: bool) {
        if skipped {
            self.report.skipped += 1;
        }
        self.reporter.notice(&Notice {
            path: self.file.display.clone(),
            line,
            message,
            skipped,
        });
    }

    fn add(&mut self, article: &article::Article) -> Result<()> {
        let origin = Origin {
            path: &self.file.display,
            source_file: &self.file.key,
            mtime: self.file.mtime,
            size: self.file.size,
        };
        self.writer
            .add_document(schema::to_document(self.fields, article, &origin))?;
        self.progress.articles += 1;
        Ok(())
    }

    /// A text or Markdown file: read whole, one article.
    fn index_whole(&mut self) -> Result<u64> {
        let bytes = match std::fs::read(&self.file.path) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.notice(None, describe_io(&e), true);
                return Ok(0);
            }
        };
        let parsed = article::parse(&bytes, self.file.format, &self.file.rel);
        for w in parsed.warnings {
            self.notice(w.line, w.message, false);
        }
        for s in parsed.skipped {
            self.notice(s.line, s.message, true);
        }
        for a in &parsed.articles {
            self.add(a)?;
        }
        Ok(parsed.articles.len() as u64)
    }

    /// A JSONL file, streamed a line at a time so memory does not grow with
    /// its size. A repeated `id` replaces the earlier article: a tantivy
    /// delete only affects documents added before it.
    fn index_jsonl(&mut self) -> Result<u64> {
        use std::io::BufRead;
        let file = match std::fs::File::open(&self.file.path) {
            Ok(f) => f,
            Err(e) => {
                self.notice(None, describe_io(&e), true);
                return Ok(0);
            }
        };
        let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
        let mut buf = Vec::new();
        let mut seen: HashSet<u64> = HashSet::new();
        let (mut line_no, mut added) = (0usize, 0u64);
        let skipped_before = self.report.skipped;
        let start = self.progress.bytes_done;
        let mut read = 0u64;
        loop {
            buf.clear();
            let n = match reader.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    self.notice(Some(line_no + 1), describe_io(&e), true);
                    break;
                }
            };
            line_no += 1;
            read += n as u64;
            let bytes = if line_no == 1 {
                buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf)
            } else {
                &buf[..]
            };
            let Ok(line) = std::str::from_utf8(bytes) else {
                self.notice(Some(line_no), "not valid UTF-8".into(), true);
                continue;
            };
            if line.trim().is_empty() {
                continue;
            }
            match article::parse_json_article(line, &self.file.rel, line_no) {
                Ok(a) => {
                    if seen.insert(hash_id(&a.id)) {
                        added += 1;
                    } else {
                        let w = article::duplicate_warning(line_no, &a.id);
                        self.notice(w.line, w.message, false);
                        self.writer
                            .delete_term(Term::from_field_text(self.fields.id, &a.id));
                    }
                    self.add(&a)?;
                }
                Err(message) => self.notice(Some(line_no), message, true),
            }
            if (line_no as u64).is_multiple_of(PROGRESS_EVERY) {
                self.progress.bytes_done = start + read;
                self.reporter.progress(self.progress);
            }
        }
        // No article and no bad line: the file holds nothing (like an empty .txt).
        if seen.is_empty() && self.report.skipped == skipped_before {
            self.notice(None, "empty file (no articles to index)".into(), true);
        }
        Ok(added)
    }
}

/// A 64-bit hash of an article id, to spot repeats without keeping every id.
fn hash_id(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// The roots to index, as paths to walk: those given, or else those of the
/// previous run (shown relative to the current folder when inside it), or
/// else `seeds`.
fn resolve_roots(index: &Index, given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    if let Some(payload) = read_payload(index)? {
        if !payload.roots.is_empty() {
            let cwd = std::env::current_dir().ok();
            return Ok(payload
                .roots
                .into_iter()
                .map(|root| match cwd.as_deref().map(|c| root.strip_prefix(c)) {
                    Some(Ok(rel)) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
                    _ => root,
                })
                .collect());
        }
    }
    Ok(vec![PathBuf::from(crate::DEFAULT_CORPUS)])
}

/// The payload of the last commit, if passim wrote one.
pub fn read_payload(index: &Index) -> Result<Option<Payload>> {
    let metas = index.load_metas()?;
    Ok(metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok()))
}

/// Whether `dir` holds an index (a committed `meta.json`).
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

/// Opens the index in `dir`, checking it is one of passim's.
pub fn open(dir: &Path) -> Result<(Index, Fields)> {
    let shown = corpus::display(dir);
    if !exists(dir) {
        bail!("no index at {shown}; create one with `passim index PATH --index {shown}`",);
    }
    let index = Index::open_in_dir(dir).map_err(|e| damaged(&shown, &e.to_string()))?;
    let fields = schema::check(&index).map_err(|e| damaged(&shown, &format!("{e:#}")))?;
    Ok((index, fields))
}

fn damaged(shown: &str, what: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot open the index at {shown}: {what}; run `passim index --rebuild --index {shown}`"
    )
}

fn open_or_create(dir: &Path, rebuild: bool) -> Result<(Index, Fields)> {
    let shown = corpus::display(dir);
    if exists(dir) {
        match open(dir) {
            Ok(opened) => return Ok(opened),
            Err(e) if !rebuild => return Err(e),
            // --rebuild on an unreadable index: clear it out and start afresh.
            Err(_) => remove_index_files(dir)?,
        }
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the index folder {shown}"))?;
    let (schema, fields) = schema::build();
    let index = Index::builder()
        .schema(schema)
        .settings(schema::index_settings())
        .create_in_dir(dir)
        .with_context(|| format!("cannot create an index in {shown}"))?;
    schema::register(&index);
    Ok((index, fields))
}

/// Deletes tantivy's files from `dir`, leaving anything else (e.g. `.gitignore`).
fn remove_index_files(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
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
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

fn open_writer(index: &Index, dir: &Path, threads: usize, memory: usize) -> Result<IndexWriter> {
    let result = if threads > 0 {
        index.writer_with_num_threads(threads, memory.max(threads * 16_000_000))
    } else {
        index.writer(memory)
    };
    result.map_err(|e| match e {
        tantivy::TantivyError::LockFailure(..) => anyhow::anyhow!(
            "the index at {} is busy: another `passim index` is writing to it",
            corpus::display(dir)
        ),
        other => anyhow::Error::new(other).context("cannot open the index for writing"),
    })
}

/// Every source file the index holds documents from, with its mtime and size.
fn indexed_files(index: &Index) -> Result<HashMap<String, Indexed>> {
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    let mut out: HashMap<String, Indexed> = HashMap::new();
    for segment in searcher.segment_readers() {
        let ff = segment.fast_fields();
        let Some(sources) = ff.str(schema::SOURCE_FILE)? else {
            continue;
        };
        let mtimes = ff.u64(schema::MTIME)?;
        let sizes = ff.u64(schema::SIZE)?;
        // Every file name of the segment, by ordinal, read in one pass over
        // the dictionary (looking names up one by one decompresses a block
        // each time).
        let mut names: Vec<Option<String>> = vec![None; sources.num_terms()];
        let mut stream = sources.dictionary().stream()?;
        while stream.advance() {
            if let (Some(slot), Ok(name)) = (
                names.get_mut(stream.term_ord() as usize),
                std::str::from_utf8(stream.key()),
            ) {
                *slot = Some(name.to_owned());
            }
        }
        for doc in segment.doc_ids_alive() {
            let Some(ord) = sources.term_ords(doc).next() else {
                continue;
            };
            let Some(Some(name)) = names.get(ord as usize) else {
                continue;
            };
            match out.get_mut(name.as_str()) {
                Some(entry) => entry.articles += 1,
                None => {
                    out.insert(
                        name.clone(),
                        Indexed {
                            mtime: mtimes.first(doc).unwrap_or(0),
                            size: sizes.first(doc).unwrap_or(0),
                            articles: 1,
                        },
                    );
                }
            }
        }
    }
    Ok(out)
}

/// Facts about an index, for `passim stats`.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub index: String,
    pub articles: u64,
    /// Distinct terms over headlines and bodies.
    pub terms: u64,
    pub segments: usize,
    pub size_bytes: u64,
    pub last_indexed: Option<String>,
    pub roots: Vec<String>,
}

/// Gathers [`Stats`] for the index in `dir`.
pub fn stats(dir: &Path) -> Result<Stats> {
    let (index, fields) = open(dir)?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    let mut streams = Vec::new();
    let mut dicts = Vec::new();
    for segment in searcher.segment_readers() {
        for field in [fields.title, fields.body] {
            dicts.push(segment.inverted_index(field)?);
        }
    }
    for inv in &dicts {
        streams.push(inv.terms().stream()?);
    }
    let mut merger = tantivy::termdict::TermMerger::new(streams);
    let mut terms = 0;
    while merger.advance() {
        terms += 1;
    }
    let mut size_bytes = 0;
    for entry in std::fs::read_dir(dir)? {
        let meta = entry?.metadata()?;
        if meta.is_file() {
            size_bytes += meta.len();
        }
    }
    let payload = read_payload(&index)?;
    Ok(Stats {
        index: corpus::display(dir),
        articles: searcher.num_docs(),
        terms,
        segments: searcher.segment_readers().len(),
        size_bytes,
        last_indexed: payload.as_ref().map(|p| p.indexed_at.clone()),
        roots: payload
            .map(|p| p.roots.iter().map(|r| corpus::display(r)).collect())
            .unwrap_or_default(),
    })
}

fn now_rfc3339() -> String {
    use tantivy::time::format_description::well_known::Rfc3339;
    tantivy::time::OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}
