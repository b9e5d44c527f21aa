//! "Did you mean": the words of a query that the index does not have, or has
//! far more rarely than a word one or two typing slips away, and the word
//! to type instead. The suggestions come from the index's own terms, so
//! they are words the articles use (names included), not a dictionary's.
//!
//! For each word of the query as typed:
//!
//! 1. **Cheap check.** The word's document frequency (headline or body) is
//!    looked up; a word in more than [`RARE_DOCS`] articles, or so common
//!    that no term could be [`RARITY`] times more frequent, is left alone.
//!    Nearly all words of nearly all queries stop here, after two
//!    term-dictionary lookups.
//! 2. **Neighbours.** A Levenshtein automaton (tantivy's, with a
//!    transposition costing one: Damerau distance) walks the body's term
//!    dictionary around the word's *term* (its stem), reading at most
//!    [`MAX_CANDIDATES`] terms per segment. Terms are stems, so `goverment`
//!    (stem `gover`) meets `govern`, the stem of government, governor and
//!    governed. The distance: 1 for a word the index has (a distance-2
//!    automaton is several times dearer to build, and real words two edits
//!    from a commoner one are many: `comply`/`company`); for an absent word
//!    1 up to 5 letters, 2 for longer ones (`Mourhino` → `Mourinho`).
//! 3. **Choice.** The neighbours are tried most frequent first (ties: the
//!    closer); one is suggested when the word is absent or [`RARITY`] times
//!    rarer, and its word (step 4) is as close to the typed word as the
//!    stems were (and, for a word the index has, starts with the same
//!    letter).
//! 4. **A word to type.** A stem is often not a word (`govern` for
//!    `government`, `mourinho` is one by luck), so the suggestion is read
//!    back from the articles: the body words of [`SAMPLE_ARTICLES`]
//!    articles holding the term (those first in id order, by their id keys,
//!    whatever the segments; for a common word, named by the segment's
//!    block bounds) are stemmed, and of those whose term is the
//!    suggested one, the one closest to what the user typed wins (ties: the
//!    most frequent), so `goverment` becomes `government`, not `governor`.
//!    Reading a few stored articles costs far less than keeping a second
//!    dictionary of surface forms in the index, and happens only when there
//!    is something to suggest.

use std::collections::{BTreeMap, BinaryHeap};
use std::ops::Range;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::query::FuzzyTermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Searcher, Term, TERMINATED};

use super::SearchResults;
use crate::analysis;
use crate::error::Result;
use crate::index::bounds::{self, NO_DOC};
use crate::index::schema::{id_bytes, id_ordinal, Fields, StoredArticle};
use crate::query::Syntax;

/// A word the index has is suggested against only when a close word is in
/// more than this many times as many articles. Tuned on the Reuters batch
/// (1,000 queries of words taken from the articles, so every suggestion
/// there is for a word the corpus really uses): at 20, 22 queries got one,
/// mostly real words near commoner ones (`paint`/`point`, `pact`/`pct`);
/// at 50, 10 did, two of them the corpus's own typos (`paciofic`,
/// `semiconducter`); at 100, 6. Misspellings are far rarer than that
/// (`goverment`: 1 BBC article, `government`: 512). A word the index does
/// not have at all gets the most frequent close word whatever its count.
pub const RARITY: u64 = 50;

/// A word the index has is checked only when it is in at most this many
/// articles, or one in [`RARE_DOCS_PER`] on a large index: a misspelling
/// an edited collection repeats is rare (the Reuters batch's real typos,
/// `paciofic` and `semiconducter`, are in 1 and 3 articles), and the check
/// runs a term-dictionary walk that would otherwise double the cost of a
/// query of rare words (the Reuters batch: +0.3 s on 0.5 s).
const RARE_DOCS: u64 = 3;

/// See [`RARE_DOCS`].
const RARE_DOCS_PER: u64 = 10_000;

/// Words shorter than this are not checked: with one edit, nearly every
/// three-letter word is next to a more common one.
const MIN_WORD_CHARS: usize = 4;

/// Words of at most this many letters get neighbours at distance 1, longer
/// ones at distance 2.
const SHORT_WORD_CHARS: usize = 5;

/// Most neighbouring terms read per segment, so that a word whose automaton
/// matches a large part of the dictionary stays cheap; of those, the first
/// this many of the whole index in dictionary order are kept, so that the
/// suggestion does not depend on how the index is split into segments.
const MAX_CANDIDATES: usize = 200;

/// Most neighbours tried, most frequent first, until one reads back as a
/// word close to the typed one.
const MAX_TRIED: usize = 3;

/// Articles read to turn a suggested term back into a word.
const SAMPLE_ARTICLES: usize = 3;

/// A word of the query and the word suggested instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The word as typed.
    pub word: String,
    /// The word to type instead, in the typed word's case.
    pub suggestion: String,
    /// Where `word` is in the query, in bytes.
    pub range: Range<usize>,
}

impl SearchResults {
    /// The query with every suggestion in place of its word, when there
    /// are suggestions.
    pub fn did_you_mean(&self) -> Option<String> {
        (!self.suggestions.is_empty()).then(|| corrected(&self.query, &self.suggestions))
    }
}

/// `query` with each suggestion in place of its word.
pub(super) fn corrected(query: &str, suggestions: &[Suggestion]) -> String {
    let mut out = String::with_capacity(query.len() + 8);
    let mut at = 0;
    for s in suggestions {
        let (Some(before), true) = (query.get(at..s.range.start), s.range.start >= at) else {
            continue;
        };
        out.push_str(before);
        out.push_str(&s.suggestion);
        at = s.range.end;
    }
    out.push_str(query.get(at..).unwrap_or(""));
    out
}

/// The suggestions for the words of `query`, in query order.
pub(super) fn suggest(
    searcher: &Searcher,
    fields: &Fields,
    query: &str,
    syntax: Syntax,
) -> Result<Vec<Suggestion>> {
    let num_docs = searcher.num_docs();
    let rare = RARE_DOCS.max(num_docs / RARE_DOCS_PER);
    let mut out = Vec::new();
    let (mut lower, mut term) = (String::new(), String::new());
    let mut checked = FxHashSet::default();
    for span in analysis::words(query) {
        if !worth_checking(query, span.clone(), syntax) {
            continue;
        }
        let raw = &query[span.clone()];
        analysis::term_of(raw, &mut lower, &mut term);
        if !checked.insert(term.clone()) {
            continue;
        }
        let df = doc_freq(searcher, fields, &term)?;
        let present = df > 0;
        if present && (df > rare || df.saturating_mul(RARITY) >= num_docs) {
            continue;
        }
        let distance = if present || lower.chars().count() <= SHORT_WORD_CHARS {
            1
        } else {
            2
        };
        // A word the index has must keep its first letter (below): look only there.
        let first = term.chars().next().filter(|_| present);
        for (candidate, candidate_df) in neighbours(searcher, fields, &term, distance, first)? {
            if df.saturating_mul(RARITY) >= candidate_df {
                break;
            }
            let Some(word) = surface_form(searcher, fields, &candidate, &lower)? else {
                continue;
            };
            // The stems were close; the words must be too (`savings`, stem
            // `save`, is not a slip for `said`). A word the index has must
            // also keep its first letter, which typists seldom get wrong and
            // which keeps names (`Sears`) from becoming words (`years`).
            let first = |w: &str| w.chars().next();
            if damerau(&lower, &word) > usize::from(distance)
                || (present && first(&lower) != first(&word))
            {
                continue;
            }
            out.push(Suggestion {
                word: raw.to_owned(),
                suggestion: in_case_of(raw, &word),
                range: span.clone(),
            });
            break;
        }
    }
    Ok(out)
}

/// Whether a word of the query is one to check: long enough, not a number,
/// not a stopword, and (in the full syntax) not an operator, a field name,
/// a prefix (`pay*`) or an excluded word (`-pay`).
fn worth_checking(query: &str, span: Range<usize>, syntax: Syntax) -> bool {
    let raw = &query[span.clone()];
    if raw.chars().count() < MIN_WORD_CHARS
        || raw.len() >= analysis::MAX_WORD_BYTES
        || raw.chars().any(|c| c.is_numeric())
        || analysis::is_stopword(&raw.to_lowercase())
    {
        return false;
    }
    if syntax == Syntax::Plain {
        return true;
    }
    if matches!(raw, "AND" | "OR" | "NOT") {
        return false;
    }
    let next = query[span.end..].chars().next();
    if matches!(next, Some(':' | '*')) {
        return false;
    }
    let mut before = query[..span.start].chars().rev();
    let negated = before.next() == Some('-')
        && before
            .next()
            .is_none_or(|c| c.is_whitespace() || c == '(' || c == '"');
    !negated
}

/// Articles whose headline or body holds `term` (the larger of the two
/// counts: close enough to compare words by, and two dictionary lookups).
fn doc_freq(searcher: &Searcher, fields: &Fields, term: &str) -> Result<u64> {
    let title = searcher.doc_freq(&Term::from_field_text(fields.title, term))?;
    let body = searcher.doc_freq(&Term::from_field_text(fields.body, term))?;
    Ok(title.max(body))
}

/// The body terms within `distance` of `term` (not `term` itself, not a
/// stopword, no digits) with their document frequencies, the
/// [`MAX_TRIED`] most frequent (ties: the closer), most frequent first.
/// With `first`, only terms starting with that character are walked (the
/// dictionary's range for it, not the whole dictionary).
fn neighbours(
    searcher: &Searcher,
    fields: &Fields,
    term: &str,
    distance: u8,
    first: Option<char>,
) -> Result<Vec<(String, u64)>> {
    let automaton = FuzzyTermQuery::new(Term::from_field_text(fields.body, term), distance, true)
        .automaton()?;
    let stop = analysis::stemmed_stopwords();
    // Every term walked, in dictionary order: its frequency summed over the
    // segments, and whether it may be suggested.
    let mut found: BTreeMap<Vec<u8>, (u64, bool)> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(fields.body)?;
        let mut search = inverted.terms().search(&automaton);
        if let Some(c) = first {
            // Every string starting with `c` lies in [c, c with its last
            // UTF-8 byte + 1): a last byte is at most 0xBF, so no overflow.
            let mut bytes = [0u8; 4];
            let low = c.encode_utf8(&mut bytes).as_bytes().to_vec();
            let mut high = low.clone();
            if let Some(last) = high.last_mut() {
                *last += 1;
            }
            search = search.ge(low).lt(high);
        }
        let mut stream = search.into_stream()?;
        let mut seen = 0;
        while seen < MAX_CANDIDATES && stream.advance() {
            seen += 1;
            let df = u64::from(stream.value().doc_freq);
            match found.get_mut(stream.key()) {
                Some((total, _)) => *total += df,
                None => {
                    let usable = std::str::from_utf8(stream.key()).is_ok_and(|c| {
                        c != term && !stop.contains(c) && !c.chars().any(|c| c.is_numeric())
                    });
                    found.insert(stream.key().to_vec(), (df, usable));
                }
            }
        }
    }
    // The first MAX_CANDIDATES terms of the whole index, whatever its
    // segments: each of them is among the first MAX_CANDIDATES of every
    // segment that holds it, so its frequency is complete too.
    let mut ranked: Vec<(String, u64, usize)> = found
        .into_iter()
        .take(MAX_CANDIDATES)
        .filter(|(_, (_, usable))| *usable)
        .filter_map(|(key, (df, _))| {
            let candidate = String::from_utf8(key).ok()?;
            let d = damerau(term, &candidate);
            Some((candidate, df, d))
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| a.2.cmp(&b.2))
            .then_with(|| a.0.cmp(&b.0))
    });
    ranked.truncate(MAX_TRIED);
    Ok(ranked.into_iter().map(|(c, df, _)| (c, df)).collect())
}

/// A word (lower-cased) whose term is `term`, as the articles write it: of
/// the body words of a few articles holding `term`, the closest to `typed`
/// (lower-cased), then the most frequent.
fn surface_form(
    searcher: &Searcher,
    fields: &Fields,
    term: &str,
    typed: &str,
) -> Result<Option<String>> {
    let key = Term::from_field_text(fields.body, term);
    // The articles with the lowest ids, so that the sample (and the word
    // read back) does not change with how the index is segmented: each
    // segment's lowest by their ordinals in its id column (which keep the
    // ids' order), then those of all segments by the ids themselves.
    let mut sample: Vec<(Option<Vec<u8>>, u32, DocId)> = Vec::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let inverted = segment.inverted_index(fields.body)?;
        let Some(info) = inverted.get_term_info(&key)? else {
            continue;
        };
        let columns = crate::index::columns::of(segment)?;
        let ids = &columns.ids;
        let mut lowest: BinaryHeap<(u64, DocId)> = BinaryHeap::new();
        let mut offer = |doc: DocId| {
            let entry = (id_ordinal(ids.as_ref(), doc), doc);
            if lowest.len() < SAMPLE_ARTICLES {
                lowest.push(entry);
            } else if lowest.peek().is_some_and(|worst| entry < *worst) {
                lowest.pop();
                lowest.push(entry);
            }
        };
        // A common word's block bounds name the segment's articles with the
        // lowest ids: while none of them is deleted, they are the ones the
        // walk below would find.
        let known = bounds::samples(segment.segment_id(), info.postings_range.start as u64)
            .filter(|docs| docs.iter().all(|&d| d == NO_DOC || !segment.is_deleted(d)));
        if let Some(docs) = known {
            for doc in docs.into_iter().filter(|&d| d != NO_DOC) {
                offer(doc);
            }
        } else {
            let mut postings =
                inverted.read_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if !segment.is_deleted(doc) {
                    offer(doc);
                }
                doc = postings.advance();
            }
        }
        let segment_ord = u32::try_from(ord).unwrap_or(u32::MAX);
        for (id_ord, doc) in lowest {
            sample.push((id_bytes(ids.as_ref(), id_ord)?, segment_ord, doc));
        }
    }
    // By id; articles without one (none in an index passim writes) last.
    sample.sort_by(|a, b| (a.0.is_none(), &a.0, a.1, a.2).cmp(&(b.0.is_none(), &b.0, b.1, b.2)));
    sample.truncate(SAMPLE_ARTICLES);
    let mut counts: FxHashMap<String, usize> = FxHashMap::default();
    let (mut lower, mut stem) = (String::new(), String::new());
    for (_, segment_ord, doc) in sample {
        let stored: StoredArticle = searcher.doc(DocAddress::new(segment_ord, doc))?;
        analysis::for_each_word(&stored.body, |word| {
            analysis::term_of(word, &mut lower, &mut stem);
            if stem == term {
                *counts.entry(lower.clone()).or_default() += 1;
            }
        });
    }
    Ok(counts
        .into_iter()
        .filter(|(word, _)| word != typed)
        .min_by(|a, b| {
            damerau(typed, &a.0)
                .cmp(&damerau(typed, &b.0))
                .then_with(|| b.1.cmp(&a.1))
                .then_with(|| a.0.cmp(&b.0))
        })
        .map(|(word, _)| word))
}

/// `word` (lower-case) in the case of `typed`: all capitals (`NATO`), a
/// capital first (`Mourhino`), or lower case.
fn in_case_of(typed: &str, word: &str) -> String {
    let letters = || typed.chars().filter(|c| c.is_alphabetic());
    if letters().count() > 1 && letters().all(char::is_uppercase) {
        return word.to_uppercase();
    }
    if typed.chars().next().is_some_and(char::is_uppercase) {
        let mut chars = word.chars();
        return match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
    }
    word.to_owned()
}

/// Edit distance with adjacent transpositions counted as one edit (optimal
/// string alignment), over characters.
fn damerau(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::bounds::{BoundsParams, BoundsSet, SegmentBounds};
    use crate::index::schema;

    /// The word read back comes from the articles with the lowest ids,
    /// whether they are found by walking the postings or named by the
    /// block bounds.
    #[test]
    fn surface_form_reads_the_lowest_ids_with_or_without_bounds() {
        // Ids "0", "1" and "10" sort first; only they say "governing".
        let texts: Vec<(String, String)> = (0..300usize)
            .map(|i| {
                let word = match i {
                    0 | 1 | 10 => "governing",
                    _ => "governed",
                };
                (String::new(), format!("the council {word} the city"))
            })
            .collect();
        let params = BoundsParams {
            b: 0.5,
            repeat: 3.0,
            b_per_len: 0.02,
        };
        for with_bounds in [false, true] {
            let (searcher, fields) = schema::in_memory(&texts);
            let _kept = with_bounds.then(|| {
                let reader = searcher.segment_reader(0);
                let b = SegmentBounds::compute(reader, &fields, params, 6, 1).expect("bounds");
                let key = reader
                    .inverted_index(fields.body)
                    .expect("body")
                    .get_term_info(&Term::from_field_text(fields.body, "govern"))
                    .expect("read")
                    .expect("govern")
                    .postings_range
                    .start as u64;
                assert_eq!(b.samples(key), Some([0, 1, 10]));
                BoundsSet::of(vec![(reader.segment_id(), b)])
            });
            let word = surface_form(&searcher, &fields, "govern", "goverming").expect("read");
            assert_eq!(word.as_deref(), Some("governing"), "bounds: {with_bounds}");
        }
    }

    /// The bounds of every segment of `searcher`, computed for words in
    /// one article or more (kept while the returned set lives).
    fn bounds_of(searcher: &Searcher, fields: &Fields) -> BoundsSet {
        let params = BoundsParams {
            b: 0.5,
            repeat: 3.0,
            b_per_len: 0.02,
        };
        BoundsSet::of(
            searcher
                .segment_readers()
                .iter()
                .map(|r| {
                    let b = SegmentBounds::compute(r, fields, params, 6, 1).expect("bounds");
                    (r.segment_id(), b)
                })
                .collect(),
        )
    }

    /// Ids that share their first eight bytes (one folder's files) have
    /// equal id keys: the word read back must not then depend on which
    /// segment holds which article. Articles 1-3 say "governing", the rest
    /// "governed"; split in two segments with 1-3 in the second, ordering
    /// equal keys by segment and document read back the other word.
    #[test]
    fn surface_form_does_not_depend_on_the_segments() {
        let articles: Vec<(String, String, String)> = (1..=300usize)
            .map(|i| {
                let word = if i <= 3 { "governing" } else { "governed" };
                let body = format!("the council {word} the city, report {i}");
                (format!("news/{i:04}.txt"), String::new(), body)
            })
            .collect();
        let mut words = Vec::new();
        for with_bounds in [false, true] {
            for parts in [vec![&articles[..]], vec![&articles[3..], &articles[..3]]] {
                let (searcher, fields) = schema::in_segments(&parts);
                let _kept = with_bounds.then(|| bounds_of(&searcher, &fields));
                let word = surface_form(&searcher, &fields, "govern", "goverming").expect("read");
                words.push((word, with_bounds, parts.len()));
            }
        }
        let first = words[0].0.clone();
        assert!(first.is_some());
        for (word, with_bounds, segments) in &words {
            assert_eq!(*word, first, "bounds: {with_bounds}, segments: {segments}");
        }
    }

    /// Of a misspelling's neighbours in the term dictionary, the first
    /// [`MAX_CANDIDATES`] of the whole index are tried, not the first of
    /// each segment: `qqqqzz` (in five articles) is beyond them in one
    /// segment, and would win from a segment of its own.
    #[test]
    fn neighbours_do_not_depend_on_the_segments() {
        // 623 words that are their own stems (no final s or y) in one
        // article each, the typed word not among them.
        let mut rare: Vec<(String, String, String)> = Vec::new();
        for a in b'a'..=b'z' {
            for b in (b'a'..=b'z').filter(|&b| b != b's' && b != b'y' && (a, b) != (b'q', b'q')) {
                let word = format!("qqqq{}{}", a as char, b as char);
                rare.push((word.clone(), String::new(), format!("see {word} here")));
            }
        }
        let common: Vec<(String, String, String)> = (0..5)
            .map(|i| (format!("z{i}"), String::new(), "see qqqqzz here".to_owned()))
            .collect();
        let all: Vec<_> = rare.iter().chain(&common).cloned().collect();
        for parts in [vec![&all[..]], vec![&rare[..], &common[..]]] {
            let (searcher, fields) = schema::in_segments(&parts);
            let found = suggest(&searcher, &fields, "qqqqqq", Syntax::Plain).expect("suggest");
            let words: Vec<&str> = found.iter().map(|s| s.suggestion.as_str()).collect();
            assert_eq!(words, ["qqqqaq"], "segments: {}", parts.len());
        }
    }

    #[test]
    fn damerau_counts_a_transposition_as_one_edit() {
        assert_eq!(damerau("goverment", "government"), 1);
        assert_eq!(damerau("teh", "the"), 1);
        assert_eq!(damerau("mourhino", "mourinho"), 2);
        assert_eq!(damerau("", "abc"), 3);
        assert_eq!(damerau("same", "same"), 0);
    }

    #[test]
    fn case_follows_the_typed_word() {
        assert_eq!(in_case_of("Mourhino", "mourinho"), "Mourinho");
        assert_eq!(in_case_of("NASDAK", "nasdaq"), "NASDAQ");
        assert_eq!(in_case_of("goverment", "government"), "government");
    }

    #[test]
    fn corrected_replaces_only_the_suggested_words() {
        let s = |word: &str, suggestion: &str, range: Range<usize>| Suggestion {
            word: word.into(),
            suggestion: suggestion.into(),
            range,
        };
        let q = "goverment \"tax polcy\"";
        let got = corrected(
            q,
            &[
                s("goverment", "government", 0..9),
                s("polcy", "policy", 15..20),
            ],
        );
        assert_eq!(got, "government \"tax policy\"");
    }

    #[test]
    fn operators_fields_prefixes_and_exclusions_are_not_checked() {
        let words = |q: &str| -> Vec<String> {
            analysis::words(q)
                .filter(|r| worth_checking(q, r.clone(), Syntax::Full))
                .map(|r| q[r].to_owned())
                .collect()
        };
        assert_eq!(
            words("title:goverment AND -polcy budg* (-taxes) 2005 the x-ray"),
            vec!["goverment"]
        );
    }

    #[test]
    fn suggests_a_common_word_for_an_absent_one_and_reads_it_back() {
        // `Goverment` and `governess` share the stem `gover`, in 1 article
        // of 60; `govern` is in 59.
        let mut articles = vec![("", "the governess read a book")];
        articles.extend(std::iter::repeat_n(
            ("Budget", "the government and its governments spend"),
            59,
        ));
        let (searcher, fields) = schema::in_memory(&articles);
        let got = suggest(&searcher, &fields, "Goverment spending", Syntax::Full).expect("suggest");
        assert_eq!(
            got,
            vec![Suggestion {
                word: "Goverment".into(),
                suggestion: "Government".into(),
                range: 0..9,
            }]
        );
        // A common word gets none; neither does a rare one with no common neighbour.
        let none = suggest(&searcher, &fields, "government book", Syntax::Full).expect("suggest");
        assert!(none.is_empty(), "{none:?}");
    }
}
