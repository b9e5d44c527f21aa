//! Arbitrary strings as queries against an index of the two seed articles:
//! `Engine::search` may return an error but must not panic, and every hit's
//! passages must be exact slices of the stored body with well-formed
//! highlights, in document order and non-overlapping.
#![no_main]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use passim::index::{self, IndexOptions, Notice};
use passim::search::{Engine, SearchOptions};

struct Fixture {
    engine: Engine,
    /// Stored body of each seed article, by id.
    bodies: HashMap<String, String>,
    _dir: tempfile::TempDir,
}

/// tantivy 0.27's `PhraseScorer::seek_danger` has a debug assertion that
/// fires when a phrase that matches no document is excluded (`pay -"pay
/// pay"`): `Exclude` seeks it backwards from `TERMINATED`. Release builds
/// (passim's) skip the assertion and answer correctly (tests/robustness.rs
/// `excluded_phrase_that_never_occurs`); upstream: quickwit-oss/tantivy#2811.
/// cargo fuzz builds with debug assertions, so that one panic is let through
/// to `catch_unwind` in the target; every other panic still aborts.
fn is_known_upstream_panic(info: &std::panic::PanicHookInfo) -> bool {
    let file = info.location().map_or("", |l| l.file());
    let message = info.payload_as_str().unwrap_or("");
    file.contains("tantivy-0.27")
        && file.ends_with("phrase_query/phrase_scorer.rs")
        && message.contains("should be greater than or equal to doc")
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // libfuzzer-sys has installed its aborting hook by now; wrap it.
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !is_known_upstream_panic(info) {
                abort(info);
            }
        }));
        let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../seeds");
        let dir = tempfile::tempdir().expect("temp dir");
        let index_dir = dir.path().join("index");
        let opts = IndexOptions {
            index_dir: index_dir.clone(),
            roots: vec![seeds.clone()],
            globs: Vec::new(),
            default_roots: Vec::new(),
            rebuild: true,
            threads: 1,
            memory_bytes: 50_000_000,
        };
        let report = index::update(&opts, &mut |_: &Notice| {}).expect("index the seeds");
        assert_eq!(report.articles, 2);
        let engine = Engine::open(&index_dir).expect("open the index");
        // The stored bodies, as the index hands them back (an article's opening
        // is shown for any query matching it only in its headline).
        let mut bodies = HashMap::new();
        for entry in std::fs::read_dir(&seeds).expect("read seeds") {
            let path = entry.expect("seed entry").path();
            let id = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).expect("read seed");
            let fmt = passim::ingest::Format::from_path(&path).expect("seed format");
            let article = passim::ingest::read(&bytes[..], fmt, &id)
                .find_map(Result::ok)
                .expect("a seed is one article");
            bodies.insert(id, article.body);
        }
        Fixture {
            engine,
            bodies,
            _dir: dir,
        }
    })
}

fn check_highlights(text: &str, highlights: &[std::ops::Range<usize>], what: &str) {
    let mut prev_end = 0;
    for h in highlights {
        assert!(h.start < h.end, "{what}: empty highlight {h:?}");
        assert!(h.start >= prev_end, "{what}: highlight {h:?} out of order");
        assert!(
            h.end <= text.len(),
            "{what}: highlight {h:?} outside the text"
        );
        assert!(
            text.is_char_boundary(h.start) && text.is_char_boundary(h.end),
            "{what}: highlight {h:?} not on char boundaries"
        );
        prev_end = h.end;
    }
}

fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    let query = String::from_utf8_lossy(data);
    let searched = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        fx.engine.search(&query, &SearchOptions::default())
    }));
    // Err(_) here is only ever the known upstream debug assertion (see above).
    let Ok(Ok(results)) = searched else {
        return;
    };
    assert!(results.hits.len() <= 10);
    assert!(results.total_hits >= results.hits.len());
    for hit in &results.hits {
        let body = fx.bodies.get(&hit.id).expect("hit is a seed");
        check_highlights(&hit.title, &hit.title_highlights, "title");
        assert!(hit.passages.len() <= 3);
        let mut prev_end = 0;
        for p in &hit.passages {
            assert!(!p.text.is_empty(), "empty passage");
            assert!(p.offset >= prev_end, "passages overlap or out of order");
            let end = p.offset + p.text.len();
            assert_eq!(
                body.get(p.offset..end),
                Some(p.text.as_str()),
                "passage is not body[offset..offset + len]"
            );
            check_highlights(&p.text, &p.highlights, "passage");
            assert!(p.score.is_finite(), "passage score {}", p.score);
            prev_end = end;
        }
        assert!(!hit.score.is_nan(), "hit score is NaN");
    }
});
