//! Building and updating the index: files → articles → tantivy documents.
//!
//! Runs are incremental: each document records its source file's absolute
//! path, mtime and size (as fast fields), so a re-run skips unchanged files
//! without reading them, replaces changed ones and removes deleted ones. All
//! changes land in one tantivy commit, which is atomic: an interrupted run
//! leaves the previous commit searchable.
//!
//! Roots accumulate: the commit payload keeps every root ever indexed (as
//! an absolute path, with the globs given with it), and a run only removes
//! articles of vanished or excluded files under the roots it walked. A
//! folder inside a root is updated as part of that root and is not stored
//! as a root of its own; a root given around stored roots absorbs them.
//! Removing a root and its articles is [`remove_roots`], an explicit act.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tantivy::{Index, IndexWriter, ReloadPolicy, Searcher, Term};

use super::bounds;
use super::schema::{self, Fields, Origin};
use super::store::{self, Payload};
use crate::error::{describe_io, display, Error, Result, Stage};
use crate::ingest::walk::{self, SourceFile, WalkRoot};
use crate::ingest::{self, Article, Format};

/// What to index and how.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub index_dir: PathBuf,
    /// Folders or files to index; empty means "every root of the index".
    pub roots: Vec<PathBuf>,
    /// Globs in ripgrep's `-g` syntax (`!` excludes) for the given roots;
    /// stored with them and used by later runs. Empty keeps a root's
    /// stored globs.
    pub globs: Vec<String>,
    /// What to index when `roots` is empty and the index has no last run.
    pub default_roots: Vec<PathBuf>,
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
    /// Files under the roots that are not articles, by lower-case
    /// extension (`""` for none); hidden, ignored and excluded files are not
    /// counted.
    pub not_read: BTreeMap<String, u64>,
    /// Stored roots that no longer exist, as shown, with the articles kept
    /// from them.
    pub missing_roots: Vec<(String, u64)>,
    pub elapsed: Duration,
}

impl IndexReport {
    /// How many files were not read.
    pub fn not_read_files(&self) -> u64 {
        self.not_read.values().sum()
    }
}

/// A root taken out of the index by [`remove_roots`].
#[derive(Debug, Clone, PartialEq)]
pub struct RemovedRoot {
    /// The root as shown (relative to the current folder when inside it).
    pub root: String,
    /// Articles removed with it.
    pub articles: u64,
}

/// Per source file, what the index holds.
struct Indexed {
    mtime: u64,
    size: u64,
    articles: u64,
}

/// Runs one index update, reporting notices as they happen.
pub fn run(opts: &IndexOptions, reporter: &mut dyn Reporter) -> Result<IndexReport> {
    update(opts, reporter).map_err(|e| e.in_index(&opts.index_dir))
}

fn update(opts: &IndexOptions, reporter: &mut dyn Reporter) -> Result<IndexReport> {
    let started = Instant::now();
    let dir = &opts.index_dir;
    let store::Opened {
        index,
        fields,
        payload,
    } = store::open_or_create(dir, opts.rebuild)?;
    let plan = plan(payload, opts)?;
    // Walk before taking the writer lock so a bad path fails fast and cleanly.
    let walked = walk::walk(&plan.walk, &absolute(dir)?)?;

    let mut writer = store::open_writer(&index, dir, opts.threads, opts.memory_bytes)?;
    // What a killed run left: its segment files go with this run's commit
    // (tantivy collects files no commit references), its temporary files here.
    store::remove_temp_files(dir);
    let free_before = free_space(dir);
    let mut work_bytes = 0u64;
    let written = write(
        opts,
        &index,
        &fields,
        &mut writer,
        plan,
        walked,
        reporter,
        &mut work_bytes,
    );
    let mut report = match written {
        Ok(report) => report,
        Err(e) => {
            drop(writer);
            drop(index);
            return Err(failed_run(dir, e, Stage::Write, work_bytes, free_before));
        }
    };
    let free_before = free_space(dir);
    let merged = merge_if_small(&index, &mut writer);
    let waited = writer.wait_merging_threads().map_err(Error::from);
    if let Err(e) = merged.and(waited).and_then(|()| store::sync_dir(dir)) {
        drop(index);
        return Err(failed_run(dir, e, Stage::Merge, 0, free_before));
    }
    bounds::refresh_default(dir, &index, &fields);

    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    report.articles = reader.searcher().num_docs();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The work of a run between taking the writer lock and its commit.
#[allow(clippy::too_many_arguments)]
fn write(
    opts: &IndexOptions,
    index: &Index,
    fields: &Fields,
    writer: &mut IndexWriter,
    plan: Plan,
    walked: walk::Walked,
    reporter: &mut dyn Reporter,
    work_bytes: &mut u64,
) -> Result<IndexReport> {
    let files = walked.files;
    let mut report = IndexReport {
        not_read: walked.not_read,
        ..IndexReport::default()
    };
    let mut indexed = if opts.rebuild {
        writer.delete_all_documents()?;
        HashMap::new()
    } else {
        indexed_files(index)?
    };
    let articles_before: u64 = indexed.values().map(|f| f.articles).sum();
    for (abs, shown) in plan.missing {
        let kept = indexed
            .iter()
            .filter(|(key, _)| Path::new(key).starts_with(&abs))
            .map(|(_, f)| f.articles)
            .sum();
        report.missing_roots.push((shown, kept));
    }

    for p in walked.problems {
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
            Some(prev)
                if prev.mtime == file.mtime
                    && prev.size == file.size
                    && !plan
                        .absorbed
                        .iter()
                        .any(|r| Path::new(&file.key).starts_with(r)) => {}
            _ => work.push((file, previous)),
        }
    }
    let mut progress = Progress {
        bytes_total: work.iter().map(|(f, _)| f.size).sum(),
        ..Progress::default()
    };
    *work_bytes = progress.bytes_total;
    for (file, previous) in work {
        if previous.is_some() {
            writer.delete_term(Term::from_field_text(fields.source_file, &file.key));
        }
        let mut run = FileRun {
            writer,
            fields,
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
    // Whatever is left under a walked root was not seen this time: its file
    // is gone, or now hidden, ignored or excluded. Files of other roots stay.
    for (key, gone) in indexed {
        if plan
            .scope
            .iter()
            .any(|root| Path::new(&key).starts_with(root))
        {
            writer.delete_term(Term::from_field_text(fields.source_file, &key));
            report.removed += gone.articles;
        }
    }

    let payload = Payload {
        schema_version: schema::SCHEMA_VERSION,
        roots: plan.roots,
        globs: plan.globs,
        indexed_at: store::now_rfc3339(),
    };
    // A small index is merged into one segment after the commit
    // (`merge_if_small`); tantivy's own merge policy, which starts merges
    // of eight or more segments in the background on commit, would race it
    // for the same segments.
    if articles_before + report.new - report.removed.min(articles_before + report.new)
        <= SMALL_INDEX_MAX_ARTICLES
    {
        writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
    }
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&payload.to_json());
    commit.commit()?;
    store::sync_dir(&opts.index_dir)?;
    Ok(report)
}

/// After a run failed, with its writer dropped: removes the files it wrote
/// that no commit references (see [`store::collect_garbage`]), and says a
/// full disk as such, with roughly what `stage` needed (for writing, from
/// the `work` bytes of files it read) and what was `free` when it began.
fn failed_run(dir: &Path, e: Error, stage: Stage, work: u64, free: u64) -> Error {
    // Best effort: a folder we cannot write to has no files of ours to remove.
    let _ = store::collect_garbage(dir);
    if !e.is_disk_full() {
        return e;
    }
    let needed = match stage {
        Stage::Write => store::open(dir)
            .map(|(index, _)| IndexSize::of(&index, dir).needed_for(work))
            .unwrap_or(0),
        // The merge writes a copy of the committed segments.
        Stage::Merge => segment_bytes(dir),
    };
    // What the stage used up was all there was, so it needed more.
    let needed = needed.max(free + free / 10 + 4096);
    Error::DiskFull {
        dir: dir.to_path_buf(),
        stage,
        needed,
        free,
    }
}

/// Bytes free for the user on the file system holding `dir` (0 if unknown).
fn free_space(dir: &Path) -> u64 {
    fs4::available_space(dir).unwrap_or(0)
}

/// The index before a run: its files' bytes, the source bytes they hold,
/// and its articles, for estimating what a run needs on disk.
struct IndexSize {
    index_bytes: u64,
    source_bytes: u64,
    articles: u64,
}

/// Index bytes per source byte on a fresh index: measured 1.33 on BBC
/// News (2.0 MB of text) and 1.5 on generated text.
const INDEX_PER_SOURCE_BYTE: f64 = 1.5;

impl IndexSize {
    fn of(index: &Index, dir: &Path) -> IndexSize {
        let files = indexed_files(index).unwrap_or_default();
        IndexSize {
            index_bytes: segment_bytes(dir),
            source_bytes: files.values().map(|f| f.size).sum(),
            articles: files.values().map(|f| f.articles).sum(),
        }
    }

    /// Roughly what a run reading `work` bytes of files needs on disk: its
    /// new segments (at this index's own ratio when it has one worth
    /// trusting) and, on a small index, their merge with the rest.
    fn needed_for(&self, work: u64) -> u64 {
        let ratio = if self.source_bytes >= 1_000_000 {
            (self.index_bytes as f64 / self.source_bytes as f64).clamp(0.5, 4.0)
        } else {
            INDEX_PER_SOURCE_BYTE
        };
        let new = (work as f64 * ratio) as u64;
        if self.articles <= SMALL_INDEX_MAX_ARTICLES {
            new + self.index_bytes + new
        } else {
            new
        }
    }
}

/// Bytes of the segment files in `dir` (the commit's and any others).
fn segment_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
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

/// How often (in JSONL articles or bad lines) progress is reported.
const PROGRESS_EVERY: u64 = 1024;

impl FileRun<'_> {
    /// Reads the file and adds its articles; returns how many it added. A
    /// repeated `id` replaces the earlier article: a tantivy delete only
    /// affects documents added before it.
    fn index(&mut self) -> Result<u64> {
        let start = self.progress.bytes_done;
        let file = match std::fs::File::open(&self.file.path) {
            Ok(f) => f,
            Err(e) => {
                self.notice(None, describe_io(&e), true);
                self.progress.bytes_done = start + self.file.size;
                return Ok(0);
            }
        };
        let input = std::io::BufReader::with_capacity(1 << 20, file);
        let mut articles = ingest::read(input, self.file.format, &self.file.rel);
        let mut seen: HashSet<u64> = HashSet::new();
        let (mut read, mut added) = (0u64, 0u64);
        while let Some(item) = articles.next() {
            match item {
                Ok(a) => {
                    if seen.insert(hash_id(&a.id)) {
                        added += 1;
                    } else {
                        let message = format!(
                            "duplicate id {:?}; this line replaces the earlier one",
                            a.id
                        );
                        self.notice(articles.line(), message, false);
                        self.writer
                            .delete_term(Term::from_field_text(self.fields.id, &a.id));
                    }
                    self.add(&a)?;
                }
                Err(problem) => self.notice(problem.line, problem.message, problem.skipped),
            }
            read += 1;
            if matches!(self.file.format, Format::JsonLines | Format::Mbox)
                && read.is_multiple_of(PROGRESS_EVERY)
            {
                self.progress.bytes_done = start + articles.bytes_read();
                self.reporter.progress(self.progress);
            }
        }
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

    fn add(&mut self, article: &Article) -> Result<()> {
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
}

/// A 64-bit hash of an article id, to spot repeats without keeping every id.
fn hash_id(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// What a run walks, and the roots the index has after it.
struct Plan {
    /// The paths to walk, with their globs.
    walk: Vec<WalkRoot>,
    /// Absolute paths walked: indexed files under them that the walk did
    /// not see are removed.
    scope: Vec<PathBuf>,
    /// Stored roots that do not exist (absolute, shown).
    missing: Vec<(PathBuf, String)>,
    /// Stored roots absorbed by a given root around them: their files are
    /// read again, since their articles' ids are relative to the root.
    absorbed: Vec<PathBuf>,
    /// The roots and globs to store after the run.
    roots: Vec<PathBuf>,
    globs: BTreeMap<PathBuf, Vec<String>>,
}

/// Decides what to walk: the given paths, or else every stored root (those
/// that still exist), or else, on a new index, the default roots.
fn plan(stored: Option<Payload>, opts: &IndexOptions) -> Result<Plan> {
    let fresh = stored.is_none();
    let (mut roots, mut globs) = match stored {
        // A rebuild from given paths forgets the old roots.
        Some(_) if opts.rebuild && !opts.roots.is_empty() => (Vec::new(), BTreeMap::new()),
        Some(p) => (p.roots, p.globs),
        None => (Vec::new(), BTreeMap::new()),
    };
    let mut plan = Plan {
        walk: Vec::new(),
        scope: Vec::new(),
        missing: Vec::new(),
        absorbed: Vec::new(),
        roots: Vec::new(),
        globs: BTreeMap::new(),
    };
    let given = if !opts.roots.is_empty() {
        opts.roots.clone()
    } else if fresh {
        opts.default_roots.clone()
    } else {
        // Globs given without paths apply to every root.
        if !opts.globs.is_empty() {
            for root in &roots {
                walk::check_globs(root, &opts.globs)?;
                globs.insert(root.clone(), opts.globs.clone());
            }
        }
        for root in &roots {
            let shown = shown_root(root);
            if std::fs::symlink_metadata(root).is_err() {
                plan.missing.push((root.clone(), display(&shown)));
                continue;
            }
            plan.walk.push(WalkRoot {
                path: shown,
                globs: globs.get(root).cloned().unwrap_or_default(),
                glob_base: root.clone(),
                id_base: root.clone(),
            });
            plan.scope.push(root.clone());
        }
        plan.roots = roots;
        plan.globs = globs;
        return Ok(plan);
    };
    for path in given {
        let abs = absolute(&path)?;
        walk::check_globs(&abs, &opts.globs)?;
        let container = roots
            .iter()
            .find(|r| **r != abs && abs.starts_with(r))
            .cloned();
        let id_base = container.clone().unwrap_or_else(|| abs.clone());
        let (walk_globs, glob_base) = match container {
            // A folder inside a root: part of that root, with its globs
            // unless the run gives its own.
            Some(root) if opts.globs.is_empty() => {
                (globs.get(&root).cloned().unwrap_or_default(), root)
            }
            Some(_) => (opts.globs.clone(), abs.clone()),
            None => {
                // Stored roots inside this one are absorbed into it.
                plan.absorbed.extend(
                    roots
                        .iter()
                        .filter(|r| **r != abs && r.starts_with(&abs))
                        .cloned(),
                );
                roots.retain(|r| !r.starts_with(&abs));
                globs.retain(|r, _| roots.contains(r) || *r == abs);
                roots.push(abs.clone());
                if !opts.globs.is_empty() {
                    globs.insert(abs.clone(), opts.globs.clone());
                }
                (globs.get(&abs).cloned().unwrap_or_default(), abs.clone())
            }
        };
        plan.walk.push(WalkRoot {
            path,
            globs: walk_globs,
            glob_base,
            id_base,
        });
        plan.scope.push(abs);
    }
    roots.sort();
    plan.roots = roots;
    plan.globs = globs;
    Ok(plan)
}

/// A path as roots and source keys are stored: canonical when it exists,
/// else absolute (a missing root, which the walk will report).
fn absolute(path: &Path) -> Result<PathBuf> {
    walk::canonical(path)
        .or_else(|_| std::path::absolute(path))
        .map_err(|e| Error::io(path, e))
}

/// A stored root as shown: relative to the current folder when inside it.
pub(crate) fn shown_root(root: &Path) -> PathBuf {
    let cwd = std::env::current_dir().ok();
    match cwd.as_deref().map(|c| root.strip_prefix(c)) {
        Some(Ok(rel)) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => root.to_path_buf(),
    }
}

/// Removes roots from the index in `index_dir`, with every article from
/// files under them (and under no other root). Each path must be a root of
/// the index; nothing is removed otherwise.
pub fn remove_roots(index_dir: &Path, paths: &[PathBuf]) -> Result<Vec<RemovedRoot>> {
    remove(index_dir, paths).map_err(|e| e.in_index(index_dir))
}

fn remove(dir: &Path, paths: &[PathBuf]) -> Result<Vec<RemovedRoot>> {
    let (index, fields) = store::open(dir)?;
    let Some(mut payload) = store::read_payload(&index)? else {
        return Err(Error::Input {
            path: paths.first().cloned().unwrap_or_default(),
            line: None,
            message: format!("the index at {} has no roots", display(dir)),
        });
    };
    let mut gone = Vec::new();
    for path in paths {
        let abs = absolute(path)?;
        if !payload.roots.contains(&abs) {
            let roots: Vec<String> = payload
                .roots
                .iter()
                .map(|r| display(&shown_root(r)))
                .collect();
            let inside = payload
                .roots
                .iter()
                .find(|r| abs.starts_with(r))
                .map(|r| format!("; it is inside root {}", display(&shown_root(r))))
                .unwrap_or_default();
            return Err(Error::Input {
                path: path.clone(),
                line: None,
                message: format!(
                    "not a root of the index at {}{inside} (roots: {})",
                    display(dir),
                    if roots.is_empty() {
                        "none".to_owned()
                    } else {
                        roots.join(", ")
                    }
                ),
            });
        }
        if !gone.contains(&abs) {
            gone.push(abs);
        }
    }
    payload.roots.retain(|r| !gone.contains(r));
    payload.globs.retain(|r, _| !gone.contains(r));

    let mut writer = store::open_writer(&index, dir, 1, 16_000_000)?;
    let mut removed: Vec<RemovedRoot> = gone
        .iter()
        .map(|r| RemovedRoot {
            root: display(&shown_root(r)),
            articles: 0,
        })
        .collect();
    for (key, file) in indexed_files(&index)? {
        let key_path = Path::new(&key);
        if payload.roots.iter().any(|r| key_path.starts_with(r)) {
            continue;
        }
        if let Some(i) = gone.iter().position(|r| key_path.starts_with(r)) {
            writer.delete_term(Term::from_field_text(fields.source_file, &key));
            removed[i].articles += file.articles;
        }
    }
    payload.indexed_at = store::now_rfc3339();
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&payload.to_json());
    commit.commit()?;
    writer.wait_merging_threads()?;
    store::sync_dir(dir)?;
    bounds::refresh_default(dir, &index, &fields);
    Ok(removed)
}

/// Every source file the index holds documents from, with its mtime and size.
fn indexed_files(index: &Index) -> Result<HashMap<String, Indexed>> {
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    source_files(&reader.searcher())
}

/// Articles per root: those from indexed source files under it.
pub(crate) fn articles_per_root(searcher: &Searcher, roots: &[PathBuf]) -> Result<Vec<u64>> {
    let mut counts = vec![0; roots.len()];
    for (key, file) in source_files(searcher)? {
        for (root, count) in roots.iter().zip(counts.iter_mut()) {
            if Path::new(&key).starts_with(root) {
                *count += file.articles;
            }
        }
    }
    Ok(counts)
}

/// Every source file `searcher` sees documents from, with its mtime and size.
fn source_files(searcher: &Searcher) -> Result<HashMap<String, Indexed>> {
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
