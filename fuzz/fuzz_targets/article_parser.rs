//! Arbitrary bytes → `ingest::read` (format chosen by the first byte), then
//! paragraphs and sentences on every article's body, checking that the
//! ranges they return are well formed.
#![no_main]

use std::ops::Range;

use libfuzzer_sys::fuzz_target;
use passim::fuzzing as text;
use passim::ingest::{self, Format};

/// Ranges are on char boundaries, inside `within`, non-empty, trimmed, in
/// order and non-overlapping.
fn check_ranges(text: &str, within: Range<usize>, ranges: &[Range<usize>], what: &str) {
    let mut prev_end = within.start;
    for r in ranges {
        assert!(r.start < r.end, "{what}: empty or reversed range {r:?}");
        assert!(
            r.start >= prev_end,
            "{what}: {r:?} overlaps or precedes the previous range (ended at {prev_end})"
        );
        assert!(r.end <= within.end, "{what}: {r:?} outside {within:?}");
        assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "{what}: {r:?} not on char boundaries"
        );
        let s = &text[r.clone()];
        assert_eq!(s.trim(), s, "{what}: {r:?} is not trimmed");
        prev_end = r.end;
    }
}

fuzz_target!(|data: &[u8]| {
    let format = match data.first().map(|b| b % 7) {
        Some(0) => Format::Text,
        Some(1) => Format::Markdown,
        Some(3) => Format::Html,
        Some(4) => Format::Pdf,
        Some(5) => Format::Email,
        Some(6) => Format::Mbox,
        _ => Format::JsonLines,
    };
    let items: Vec<_> = ingest::read(data, format, "id").collect();
    let articles: Vec<_> = items.iter().filter_map(|i| i.as_ref().ok()).collect();
    // An input yields articles or says why not.
    if articles.is_empty() {
        assert!(
            items.iter().any(|i| i.as_ref().is_err_and(|p| p.skipped)),
            "no articles and no reason given"
        );
    }
    for a in articles {
        assert!(!a.id.is_empty(), "article without an id");
        assert!(!a.body.contains('\r'), "line endings not normalised");
        let body = a.body.as_str();
        let paras = text::paragraphs(body);
        check_ranges(body, 0..body.len(), &paras, "paragraphs");
        for p in &paras {
            let sents = text::sentences(body, p.clone());
            check_ranges(body, p.clone(), &sents, "sentences");
        }
        let lead = text::lead_sentence(body);
        assert!(lead.start <= lead.end && lead.end <= body.len());
        assert!(body.is_char_boundary(lead.start) && body.is_char_boundary(lead.end));
    }
});
