//! `passim index` and `passim search` run as the real binary on the two seed
//! articles and on small articles written beside them: which articles match
//! which queries (words, stems, phrases, prefixes, negation, title field),
//! the JSON hits (ids, titles, passages, paragraph numbers, highlight byte
//! offsets), `-n`/`-p` limits, incremental indexing and the folder walk,
//! headlines and encodings, the terminal layout and colour, and exit codes
//! with their one-line errors.

use crate::util::*;
use serde_json::Value;

// ---------------------------------------------------------------------------
// helpers local to this file
// ---------------------------------------------------------------------------

/// Paragraph number (1-based) of byte `offset` in a seed body, per the contract:
/// blank-line separated blocks if the body has blank lines, else lines.
fn paragraph_of(body: &str, offset: usize) -> u64 {
    let before = &body[..offset];
    if body.contains("\n\n") {
        before.matches("\n\n").count() as u64 + 1
    } else {
        before.matches('\n').count() as u64 + 1
    }
}

/// Check every passage of a seed hit against the seed body: `text` is the exact
/// body slice at `offset`, `paragraph` matches, offsets are char boundaries,
/// passages are in increasing, non-overlapping document order.
fn check_passages_against_seed(hit: &Value) {
    let id = hit["id"].as_str().unwrap();
    let body = seed_body(id);
    let mut prev_end: Option<usize> = None;
    for p in passages(hit) {
        let text = ptext(p);
        let off = p["offset"].as_u64().expect("offset is an integer") as usize;
        assert!(
            body.is_char_boundary(off),
            "{id}: offset {off} not a char boundary"
        );
        assert_eq!(
            body.get(off..off + text.len()),
            Some(text),
            "{id}: passage text is not body[offset..offset+len] (offset {off})"
        );
        assert_eq!(
            p["paragraph"].as_u64(),
            Some(paragraph_of(&body, off)),
            "{id}: wrong paragraph number for passage at offset {off}: {text:?}"
        );
        assert!(p["trimmed_start"].is_boolean() && p["trimmed_end"].is_boolean());
        if let Some(pe) = prev_end {
            assert!(
                off >= pe,
                "{id}: passages out of order / overlapping at offset {off}"
            );
        }
        prev_end = Some(off + text.len());
        // highlights are valid and in range
        let _ = passage_highlights(p);
    }
}

fn assert_all_lower_eq(words: &[String], want: &str, ctx: &str) {
    for w in words {
        assert_eq!(
            w.to_lowercase(),
            want,
            "{ctx}: unexpected highlight {w:?} (all: {words:?})"
        );
    }
}

// ---------------------------------------------------------------------------
// 1. pay
// ---------------------------------------------------------------------------

#[test]
fn pay_finds_both_articles_and_highlights_only_pay() {
    let fx = Fixture::indexed();
    let (code, hits, summary) = fx.search(&["pay"]);
    assert_eq!(code, 0);
    assert_eq!(sorted_ids(&hits), vec![BBC, UPI]);
    assert_eq!(summary["query"], "pay");
    assert_eq!(summary["hits"], 2);
    assert_eq!(summary["total_hits"], 2);
    assert!(summary["elapsed_ms"].is_number(), "elapsed_ms: {summary}");

    let mut prev_score = f64::INFINITY;
    for (i, h) in hits.iter().enumerate() {
        let id = h["id"].as_str().unwrap();
        assert_eq!(h["rank"], (i + 1) as u64, "ranks are 1..n");
        let score = h["score"].as_f64().expect("score is a number");
        assert!(score <= prev_score, "hits not sorted by score");
        prev_score = score;
        assert_eq!(h["path"], format!("seeds/{id}"));

        let ps = passages(h);
        assert!(
            !ps.is_empty() && ps.len() <= 3,
            "{id}: 1..=3 passages by default, got {}",
            ps.len()
        );
        let words = hit_highlights(h);
        assert!(!words.is_empty(), "{id}: no highlights");
        // "paid"/"payment" must not be highlighted for `pay`
        assert_all_lower_eq(&words, "pay", id);
        for p in ps {
            assert!(
                !p["highlights"].as_array().unwrap().is_empty(),
                "{id}: passage without highlight: {p}"
            );
        }
        check_passages_against_seed(h);
    }
}

// ---------------------------------------------------------------------------
// 2. ballot
// ---------------------------------------------------------------------------

#[test]
fn ballot_finds_only_bbc() {
    let fx = Fixture::indexed();
    let hits = fx.hits(&["ballot"]);
    assert_eq!(ids(&hits), vec![BBC]);
    let h = &hits[0];
    let p = passages(h)
        .iter()
        .find(|p| ptext(p).contains("voted in the ballot"))
        .unwrap_or_else(|| panic!("no passage with 'voted in the ballot': {h}"));
    assert_eq!(passage_highlights(p), vec!["ballot"]);
    assert_eq!(p["paragraph"], 13);
    assert!(title_highlights(h).is_empty());
    check_passages_against_seed(h);
}

// ---------------------------------------------------------------------------
// 3. phrase
// ---------------------------------------------------------------------------

#[test]
fn phrase_is_highlighted_as_one_span() {
    let fx = Fixture::indexed();
    let hits = fx.hits(&["\"strike action\""]);
    assert_eq!(sorted_ids(&hits), vec![BBC, UPI]);
    for h in &hits {
        let id = h["id"].as_str().unwrap();
        let mut total = 0;
        for p in passages(h) {
            let words = passage_highlights(p);
            for w in &words {
                assert_eq!(
                    w, "strike action",
                    "{id}: phrase highlight must be the whole phrase"
                );
            }
            assert_eq!(
                words.len(),
                count_ci(ptext(p), "strike action"),
                "{id}: highlight count != phrase occurrences in {:?}",
                ptext(p)
            );
            total += words.len();
        }
        assert!(total >= 1, "{id}: phrase not highlighted in any passage");
        check_passages_against_seed(h);
    }
    let bbc = hit(&hits, BBC);
    assert_eq!(title_highlights(bbc), vec!["strike action"]);
    let p2 = passages(bbc)
        .iter()
        .find(|p| ptext(p).contains("to take strike action against"))
        .expect("BBC paragraph 2 passage");
    assert_eq!(p2["paragraph"], 2);
    let upi = hit(&hits, UPI);
    assert!(
        title_highlights(upi).is_empty(),
        "UPI title has no 'strike action'"
    );
    assert!(
        passages(upi)
            .iter()
            .any(|p| ptext(p).contains("threaten strike action")),
        "UPI passage with 'threaten strike action' expected"
    );
}

// ---------------------------------------------------------------------------
// 4. stemming
// ---------------------------------------------------------------------------

#[test]
fn striking_matches_strike_forms() {
    let fx = Fixture::indexed();
    let hits = fx.hits(&["striking", "--passages", "10"]);
    assert_eq!(sorted_ids(&hits), vec![BBC, UPI]);
    for h in &hits {
        let id = h["id"].as_str().unwrap();
        let mut all = hit_highlights(h);
        all.extend(title_highlights(h));
        assert!(!all.is_empty(), "{id}: no highlights");
        for w in &all {
            assert!(
                w.to_lowercase().starts_with("strik"),
                "{id}: highlight {w:?}"
            );
            assert!(
                !w.contains(' '),
                "{id}: single-word highlight expected, got {w:?}"
            );
        }
    }
    let bbc = hit_highlights(hit(&hits, BBC));
    assert!(bbc.iter().any(|w| w == "Striking"), "BBC: {bbc:?}");
    assert!(bbc.iter().any(|w| w == "strike"), "BBC: {bbc:?}");
    assert_eq!(title_highlights(hit(&hits, BBC)), vec!["strike"]);
    let upi = hit_highlights(hit(&hits, UPI));
    assert!(upi.iter().any(|w| w == "strike"), "UPI: {upi:?}");
    assert!(upi.iter().any(|w| w == "strikes"), "UPI: {upi:?}");
}

// ---------------------------------------------------------------------------
// 5./6. negation
// ---------------------------------------------------------------------------

fn assert_pay_not_ballot(args: &[&str]) {
    let fx = Fixture::indexed();
    let hits = fx.hits(args);
    assert_eq!(ids(&hits), vec![UPI], "{args:?}");
    let mut words = hit_highlights(&hits[0]);
    words.extend(title_highlights(&hits[0]));
    assert!(!words.is_empty());
    assert!(
        !words.iter().any(|w| w.eq_ignore_ascii_case("ballot")),
        "{words:?}"
    );
    assert_all_lower_eq(&words, "pay", "UPI");
}

#[test]
fn minus_excludes_article() {
    assert_pay_not_ballot(&["pay -ballot"]);
}

#[test]
fn not_excludes_article() {
    assert_pay_not_ballot(&["pay NOT ballot"]);
}

#[test]
fn negated_word_is_never_highlighted() {
    // The phrase is in both articles; `-ballot` removes the BBC one, and the
    // surviving UPI hit highlights only the phrase.
    let fx = Fixture::indexed();
    let hits = fx.hits(&["\"strike action\" -ballot"]);
    assert_eq!(ids(&hits), vec![UPI]);
    let words = hit_highlights(&hits[0]);
    assert!(!words.is_empty());
    assert_all_lower_eq(&words, "strike action", "UPI");
}

#[test]
fn and_and_plus_require_both_words() {
    let fx = Fixture::indexed();
    let hits = fx.hits(&["pay AND ballot", "--passages", "10"]);
    assert_eq!(ids(&hits), vec![BBC]);
    let words = hit_highlights(&hits[0]);
    assert!(words.iter().any(|w| w == "pay"), "{words:?}");
    assert!(words.iter().any(|w| w == "ballot"), "{words:?}");
    for w in &words {
        assert!(w == "pay" || w == "ballot", "{words:?}");
    }

    let hits = fx.hits(&["+ballot pay"]);
    assert_eq!(ids(&hits), vec![BBC]);

    // plain words are OR
    let hits = fx.hits(&["ballot payment"]);
    assert_eq!(sorted_ids(&hits), vec![BBC, UPI]);
    let hits = fx.hits(&["ballot OR payment"]);
    assert_eq!(sorted_ids(&hits), vec![BBC, UPI]);
}

// ---------------------------------------------------------------------------
// 7. no hits
// ---------------------------------------------------------------------------

#[test]
fn no_hits_exits_1_with_only_summary() {
    let fx = Fixture::indexed();
    let out = fx.run(&["search", "zebra", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let so = stdout(&out);
    let lines: Vec<&str> = so.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "only the summary expected: {so:?}");
    let summary: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["hits"], 0);
    assert_eq!(summary["total_hits"], 0);
    assert_eq!(summary["query"], "zebra");

    // terminal mode: also exit 1
    let out = fx.run(&["search", "zebra"]);
    assert_eq!(out.status.code(), Some(1));
}

// ---------------------------------------------------------------------------
// 8. errors
// ---------------------------------------------------------------------------

fn assert_one_line_error(out: &std::process::Output, mentions: &[&str]) {
    assert_eq!(out.status.code(), Some(2), "stderr={:?}", stderr(out));
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one stderr line expected: {err:?}");
    assert!(lines[0].starts_with("passim: "), "{err:?}");
    for m in mentions {
        assert!(lines[0].contains(m), "error should mention {m:?}: {err:?}");
    }
}

#[test]
fn missing_index_dir_is_error_2() {
    let fx = Fixture::with_seeds();
    let out = fx.run(&["search", "pay", "--index", "/nonexistent/dir"]);
    assert_one_line_error(&out, &["/nonexistent/dir", "passim index"]);
    assert!(out.stdout.is_empty(), "no stdout on error");
    // must not have built anything
    let idx = fx.path().join("index");
    assert!(
        !idx.exists() || std::fs::read_dir(&idx).unwrap().next().is_none(),
        "--index given: must not build the default index"
    );
}

#[test]
fn empty_index_dir_given_explicitly_is_error_2() {
    let fx = Fixture::with_seeds();
    std::fs::create_dir(fx.path().join("emptyidx")).unwrap();
    let out = fx.run(&["search", "pay", "--index", "emptyidx", "--json"]);
    assert_one_line_error(&out, &["emptyidx", "passim index"]);
}

#[test]
fn index_missing_path_is_error_2() {
    let fx = Fixture::empty();
    let out = fx.run(&["index", "no_such_dir"]);
    assert_one_line_error(&out, &["no_such_dir"]);
}

// ---------------------------------------------------------------------------
// 9. multibyte
// ---------------------------------------------------------------------------

#[test]
fn offsets_are_char_boundaries_around_pound_sign() {
    let fx = Fixture::indexed();
    let hits = fx.hits(&["hour", "--passages", "10"]);
    assert_eq!(sorted_ids(&hits), vec![BBC, UPI]);
    for h in &hits {
        let id = h["id"].as_str().unwrap();
        let words = hit_highlights(h); // uses str::get → asserts Some
        assert!(!words.is_empty());
        assert_all_lower_eq(&words, "hour", id);
        check_passages_against_seed(h);
    }
    let bbc = hit(&hits, BBC);
    let p = passages(bbc)
        .iter()
        .find(|p| ptext(p).contains("£10.50 to £15 an hour"))
        .expect("BBC passage with £10.50");
    assert_eq!(passage_highlights(p), vec!["hour"]);
    let body = seed_body(BBC);
    let off = p["offset"].as_u64().unwrap() as usize;
    assert!(body.get(off..).is_some());

    // a highlight right after a multibyte char: "£15"
    let hits = fx.hits(&["15"]);
    assert_eq!(ids(&hits), vec![BBC]);
    let p = passages(&hits[0])
        .iter()
        .find(|p| ptext(p).contains("£15"))
        .expect("passage with £15");
    let t = ptext(p);
    let hl = &p["highlights"].as_array().unwrap()[0];
    let start = hl["start"].as_u64().unwrap() as usize;
    assert_eq!(
        t.get(start..hl["end"].as_u64().unwrap() as usize),
        Some("15")
    );
    assert!(
        t[..start].ends_with('£'),
        "highlight should follow £: {t:?}"
    );
    check_passages_against_seed(&hits[0]);
}

// ---------------------------------------------------------------------------
// 10. incremental re-index
// ---------------------------------------------------------------------------

#[test]
fn incremental_reindex_counts_new_changed_removed() {
    let fx = Fixture::with_seeds();
    let out = fx.run(&["index"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_index_summary(&stderr(&out), 2, 2, 0, 0, 0);

    let out = fx.run(&["index"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_index_summary(&stderr(&out), 2, 0, 0, 0, 0);

    fx.write(
        "seeds/new.txt",
        "Quokka sighting reported at depot\nA quokka was spotted near the depot gates on Monday morning.\n",
    );
    let bbc_path = fx.path().join("seeds").join(BBC);
    let mut bbc = std::fs::read_to_string(&bbc_path).unwrap();
    bbc.push_str("\nA wombat was seen near the picket line.");
    std::fs::write(&bbc_path, bbc).unwrap();
    std::fs::remove_file(fx.path().join("seeds").join(UPI)).unwrap();

    let out = fx.run(&["index"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_index_summary(&stderr(&out), 2, 1, 1, 1, 0);

    let hits = fx.hits(&["quokka"]);
    assert_eq!(ids(&hits), vec!["new.txt"]);
    assert_eq!(hits[0]["path"], "seeds/new.txt");
    assert_eq!(hits[0]["title"], "Quokka sighting reported at depot");
    assert_eq!(hits[0]["has_headline"], true);
    assert_eq!(title_highlights(&hits[0]), vec!["Quokka"]);
    assert_eq!(hit_highlights(&hits[0]), vec!["quokka"]);

    let hits = fx.hits(&["wombat"]);
    assert_eq!(ids(&hits), vec![BBC]);
    assert_eq!(hit_highlights(&hits[0]), vec!["wombat"]);

    let hits = fx.hits(&["pay"]);
    assert_eq!(ids(&hits), vec![BBC], "deleted UPI article must be gone");

    let (code, _, summary) = fx.search(&["conditions"]); // only in UPI
    assert_eq!(code, 1, "{summary}");

    let out = fx.run(&["index"]);
    assert_index_summary(&stderr(&out), 2, 0, 0, 0, 0);

    let out = fx.run(&["stats", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("stats json");
    assert_eq!(v["articles"], 2);
}

/// Files of the index's segments (named `<segment id>.<ext>`), as segment ids.
fn segment_files(dir: &std::path::Path) -> std::collections::BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            let (stem, _) = name.split_once('.')?;
            (stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| stem.to_owned())
        })
        .collect()
}

#[test]
fn small_index_stays_at_two_segments_across_runs() {
    let fx = Fixture::with_seeds();
    let out = fx.run(&["index", "--threads", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Each run adds a segment; a run that leaves a small index with more
    // than two merges it into one and deletes the merged segments' files.
    let mut segment_counts = Vec::new();
    for (i, word) in ["quokka", "wombat", "numbat", "bilby", "dingo"]
        .iter()
        .enumerate()
    {
        fx.write(
            &format!("seeds/new{i}.txt"),
            format!("A {word} at the depot\nA {word} was seen near the depot gates.\n"),
        );
        let out = fx.run(&["index", "--threads", "2"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_index_summary(&stderr(&out), 3 + i as u64, 1, 0, 0, 0);
        let out = fx.run(&["stats", "--json"]);
        let v: Value = serde_json::from_slice(&out.stdout).expect("stats json");
        let segments = v["segments"].as_u64().expect("segments");
        assert!((1..=2).contains(&segments), "after run {i}: {segments}");
        assert_eq!(
            segment_files(&fx.path().join("index")).len() as u64,
            segments,
            "no files of merged segments left"
        );
        assert_eq!(ids(&fx.hits(&[word])), vec![format!("new{i}.txt")]);
        segment_counts.push(segments);
    }
    // One segment right after each merge.
    assert!(segment_counts.contains(&1), "{segment_counts:?}");
    assert_eq!(sorted_ids(&fx.hits(&["pay"])), vec![BBC, UPI]);
}

#[test]
fn index_without_path_reuses_remembered_roots() {
    let fx = Fixture::empty();
    fx.write(
        "docs/a.txt",
        "Otters hold hands\nSea otters hold hands while sleeping.\n",
    );
    fx.write(
        "docs/b.md",
        "Penguins march\nEmperor penguins march inland to breed.\n",
    );
    let out = fx.run(&["index", "docs", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_index_summary(&stderr(&out), 2, 2, 0, 0, 0);

    // no seeds/ dir here: the remembered root `docs` must be used
    fx.write(
        "docs/c.txt",
        "Puffins nest\nAtlantic puffins nest in burrows on cliffs.\n",
    );
    let out = fx.run(&["index", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_index_summary(&stderr(&out), 3, 1, 0, 0, 0);

    let hits = fx.hits(&["penguins", "--index", "idx"]);
    assert_eq!(ids(&hits), vec!["b.md"]);
    assert_eq!(hits[0]["path"], "docs/b.md");
    let hits = fx.hits(&["puffins", "--index", "idx"]);
    assert_eq!(ids(&hits), vec!["c.txt"]);
}

#[test]
fn quiet_suppresses_summary() {
    let fx = Fixture::with_seeds();
    let out = fx.run(&["index", "--quiet"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "", "--quiet: no summary line");
    let hits = fx.hits(&["ballot"]);
    assert_eq!(ids(&hits), vec![BBC]);
}

#[test]
fn walk_skips_hidden_and_gitignored_and_uses_relative_ids() {
    let fx = Fixture::with_seeds();
    std::fs::create_dir_all(fx.path().join("seeds/.git")).unwrap();
    fx.write("seeds/.gitignore", "ignored.txt\n");
    fx.write(
        "seeds/ignored.txt",
        "Ignored capybara\nA capybara that must not be indexed.\n",
    );
    fx.write(
        "seeds/.hidden.txt",
        "Hidden capybara\nAnother capybara that must not be indexed.\n",
    );
    fx.write(
        "seeds/sub/deep.md",
        "Nested narwhal\nA narwhal lives in a nested folder.\n",
    );
    fx.write("seeds/sub/skip.csv", "narwhal,narwhal\n");
    let out = fx.run(&["index"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The .csv is not an article: counted as not read, not indexed.
    assert_index_summary_nr(&stderr(&out), 3, 3, 0, 0, 0, 1);

    let (code, hits, _) = fx.search(&["capybara"]);
    assert_eq!(
        code,
        1,
        "hidden/ignored files must not be indexed: {:?}",
        ids(&hits)
    );
    let hits = fx.hits(&["narwhal"]);
    assert_eq!(ids(&hits), vec!["sub/deep.md"]);
    assert_eq!(hits[0]["path"], "seeds/sub/deep.md");
}

// ---------------------------------------------------------------------------
// 11. first search builds the index
// ---------------------------------------------------------------------------

#[test]
fn first_search_builds_index_from_seeds() {
    let fx = Fixture::with_seeds();
    let out = fx.run(&["search", "pay", "--json"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("building it from seeds"), "{err:?}");
    assert!(
        err.lines()
            .any(|l| l == "passim: no index at index/ yet; building it from seeds/"),
        "exact notice line expected: {err:?}"
    );
    let (_, hits, _) = parse_json_output(&out, &["search", "pay"]);
    assert_eq!(sorted_ids(&hits), vec![BBC, UPI]);

    let out = fx.run(&["search", "pay"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        !err.contains("building"),
        "second search must not rebuild: {err:?}"
    );
}

// ---------------------------------------------------------------------------
// 12. bad files
// ---------------------------------------------------------------------------

#[test]
fn binary_file_is_skipped_with_warning() {
    let fx = Fixture::with_seeds();
    fx.write(
        "seeds/bad.txt",
        // PNG-like bytes: not UTF-8, no BOM, NUL bytes → binary
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x80\x81pay\x00\n",
    );
    let out = fx.run(&["index"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("passim: warning: "))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning expected: {err:?}");
    assert!(
        warnings[0].starts_with("passim: warning: seeds/bad.txt: "),
        "{err:?}"
    );
    assert_index_summary(&err, 2, 2, 0, 0, 1);
    let hits = fx.hits(&["pay"]);
    assert_eq!(sorted_ids(&hits), vec![BBC, UPI]);
}

#[test]
fn windows_1252_file_is_decoded_and_indexed() {
    let fx = Fixture::with_seeds();
    fx.write(
        "seeds/cafe.txt",
        b"Caf\xe9 opens in Coventry\nThe caf\xe9 sells croissants to picketing workers.\n",
    );
    let out = fx.run(&["index"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("passim: warning: ") && l.contains("cafe.txt")),
        "warning naming cafe.txt expected: {err:?}"
    );
    assert_index_summary(&err, 3, 3, 0, 0, 0);
    let hits = fx.hits(&["croissants"]);
    assert_eq!(ids(&hits), vec!["cafe.txt"]);
    assert_eq!(hits[0]["title"], "Café opens in Coventry");
    let p = &passages(&hits[0])[0];
    assert!(ptext(p).contains("The café sells croissants"), "{p}");
    assert_eq!(passage_highlights(p), vec!["croissants"]);
}

// ---------------------------------------------------------------------------
// 13. JSONL
// ---------------------------------------------------------------------------

#[test]
fn jsonl_articles_bad_line_skipped() {
    let fx = Fixture::empty();
    let l1 = r#"{"id":"j1","title":"Penguins march on","body":"A colony of penguins crossed the ice sheet at dawn."}"#;
    let l2 = r#"{"id":"j-bad","title": oops not json"#;
    let l3 = r#"{"id":"j2","title":"Otters hold hands","text":"Sea otters hold hands while sleeping so they do not drift apart.","url":"https://example.org/otters","source":"Example"}"#;
    fx.write("articles.jsonl", format!("{l1}\n{l2}\n{l3}\n"));
    let out = fx.run(&["index", "articles.jsonl", "--index", "idx"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("passim: warning: "))
        .collect();
    assert_eq!(warnings.len(), 1, "{err:?}");
    assert!(warnings[0].contains("articles.jsonl:2"), "{err:?}");
    assert_index_summary(&err, 2, 2, 0, 0, 1);

    let hits = fx.hits(&["penguins", "--index", "idx"]);
    assert_eq!(ids(&hits), vec!["j1"]);
    assert_eq!(hits[0]["title"], "Penguins march on");
    assert_eq!(title_highlights(&hits[0]), vec!["Penguins"]);
    let body = "A colony of penguins crossed the ice sheet at dawn.";
    let p = &passages(&hits[0])[0];
    let off = p["offset"].as_u64().unwrap() as usize;
    assert_eq!(body.get(off..off + ptext(p).len()), Some(ptext(p)));
    assert_eq!(passage_highlights(p), vec!["penguins"]);

    let hits = fx.hits(&["otters", "--index", "idx"]);
    assert_eq!(ids(&hits), vec!["j2"], "`text` field used as body");
    let (code, _, _) = fx.search(&["oops", "--index", "idx"]);
    assert_eq!(code, 1);
}

// ---------------------------------------------------------------------------
// 14. headlines
// ---------------------------------------------------------------------------

#[test]
fn headline_detection() {
    let fx = Fixture::indexed();
    let hits = fx.hits(&["amazon"]);
    assert_eq!(sorted_ids(&hits), vec![BBC, UPI]);
    let bbc = hit(&hits, BBC);
    assert_eq!(bbc["has_headline"], true);
    assert_eq!(bbc["title"], BBC_TITLE);
    assert_eq!(title_highlights(bbc), vec!["Amazon"]);
    let upi = hit(&hits, UPI);
    assert_eq!(upi["has_headline"], false);
    let title = upi["title"].as_str().unwrap();
    assert!(
        title.starts_with("Workers at an Amazon warehouse"),
        "{title:?}"
    );
    assert!(
        seed_text(UPI).starts_with(title),
        "UPI title is its first sentence: {title:?}"
    );
    assert!(
        !title.contains("An estimated 300"),
        "title is only the first sentence: {title:?}"
    );
    assert_eq!(title_highlights(upi), vec!["Amazon"]);
    // headline-less: body is the whole text, so the first sentence is
    // searchable body text; it is shown (highlighted) as the title, and the
    // passages show what follows it rather than repeat it
    let hits = fx.hits(&["walked", "--passages", "10"]);
    assert_eq!(ids(&hits), vec![UPI]);
    assert_eq!(title_highlights(&hits[0]), vec!["walked"]);
    let p = &passages(&hits[0])[0];
    assert!(p["offset"].as_u64().is_some_and(|o| o > 0), "{p}");
    assert!(!ptext(p).contains("walked"), "{p}");
    check_passages_against_seed(&hits[0]);
}

#[test]
fn headline_rules() {
    let fx = Fixture::empty();
    // first non-empty line after leading blank lines is the headline; body drops leading blanks
    fx.write(
        "a/blank.txt",
        "\n\nGerbil headline here\n\n\nThe gerbil body text.\n",
    );
    // first line ends in '.' → no headline; whole text is the body; lines are paragraphs
    fx.write(
        "a/dot.txt",
        "This first line ends with a period.\nSecond line mentions a gerbil.\n",
    );
    // first line longer than 150 chars → no headline
    let long = format!("{} gerbil", "word ".repeat(32));
    fx.write(
        "a/long.txt",
        format!("{long}\nAnother line follows here.\n"),
    );
    // a single line with no text after it → no headline
    fx.write("a/single.txt", "Lonely gerbil without a full stop\n");
    let out = fx.run(&["index", "a", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_index_summary(&stderr(&out), 4, 4, 0, 0, 0);

    let hits = fx.hits(&["gerbil", "--index", "idx", "--passages", "5"]);
    assert_eq!(
        sorted_ids(&hits),
        vec!["blank.txt", "dot.txt", "long.txt", "single.txt"]
    );

    let h = hit(&hits, "blank.txt");
    assert_eq!(h["has_headline"], true);
    assert_eq!(h["title"], "Gerbil headline here");
    assert_eq!(title_highlights(h), vec!["Gerbil"]);
    let p = &passages(h)[0];
    assert_eq!(ptext(p), "The gerbil body text.");
    assert_eq!(
        p["offset"], 0,
        "leading blank lines are not part of the body"
    );
    assert_eq!(p["paragraph"], 1);
    assert_eq!(passage_highlights(p), vec!["gerbil"]);

    let h = hit(&hits, "dot.txt");
    assert_eq!(h["has_headline"], false);
    assert_eq!(h["title"], "This first line ends with a period.");
    let p = passages(h)
        .iter()
        .find(|p| ptext(p).contains("gerbil"))
        .expect("gerbil passage");
    assert_eq!(ptext(p), "Second line mentions a gerbil.");
    assert_eq!(p["offset"], 36, "headline-less body is the whole text");
    assert_eq!(p["paragraph"], 2);

    assert_eq!(hit(&hits, "long.txt")["has_headline"], false);
    assert_eq!(hit(&hits, "single.txt")["has_headline"], false);
}

// ---------------------------------------------------------------------------
// 15. colour / terminal output
// ---------------------------------------------------------------------------

#[test]
fn color_always_wraps_highlights() {
    let fx = Fixture::indexed();
    let out = fx.run(&["search", "ballot", "--color", "always"]);
    assert_eq!(out.status.code(), Some(0));
    let so = stdout(&out);
    assert!(so.contains("\x1b[1m\x1b[31mballot\x1b[0m"), "{so:?}");
    assert!(
        so.contains(&format!("\x1b[35mseeds/{BBC}\x1b[0m")),
        "{so:?}"
    );
    assert!(
        !so.contains("\x1b[31mvoted"),
        "only the matched word is highlighted: {so:?}"
    );
}

#[test]
fn color_never_has_no_escapes_and_terminal_layout() {
    let fx = Fixture::indexed();
    let out = fx.run(&["search", "ballot", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0));
    let so = stdout(&out);
    assert!(!so.contains('\x1b'), "{so:?}");
    let lines: Vec<&str> = so.lines().collect();
    assert_eq!(lines[0].trim(), format!("1. {BBC_TITLE}"), "{so:?}");
    let l2 = lines[1].trim();
    let want = format!("seeds/{BBC} · modified {SEED_DAY}  score ");
    assert!(l2.starts_with(&want), "{so:?}");
    assert!(
        l2[want.len()..].trim().parse::<f64>().is_ok(),
        "score: {l2:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.trim().starts_with("[13] ") && l.contains("voted in the ballot")),
        "{so:?}"
    );
}

#[test]
fn two_hits_separated_by_blank_line_in_terminal_output() {
    let fx = Fixture::indexed();
    let out = fx.run(&["search", "pay", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0));
    let so = stdout(&out);
    let lines: Vec<&str> = so.lines().collect();
    let i2 = lines
        .iter()
        .position(|l| l.trim_start().starts_with("2. "))
        .unwrap_or_else(|| panic!("no second hit: {so:?}"));
    assert!(
        lines[i2 - 1].trim().is_empty(),
        "blank line between hits: {so:?}"
    );
    let meta = format!("· modified {SEED_DAY}  score ");
    assert!(so.contains(&format!("seeds/{BBC} {meta}")), "{so:?}");
    assert!(so.contains(&format!("seeds/{UPI} {meta}")), "{so:?}");
}

#[test]
fn no_color_env_disables_auto_colour() {
    let fx = Fixture::indexed();
    let out = fx
        .cmd()
        .args(["search", "ballot", "--color", "auto"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let so = stdout(&out);
    assert!(so.contains("ballot"));
    assert!(!so.contains('\x1b'), "{so:?}");

    // piped, no NO_COLOR: auto still means no colour
    let out = fx.run(&["search", "ballot", "--color", "auto"]);
    assert_eq!(out.status.code(), Some(0));
    let so = stdout(&out);
    assert!(so.contains("ballot"));
    assert!(!so.contains('\x1b'), "{so:?}");
    // default (no --color flag) piped
    let out = fx.run(&["search", "ballot"]);
    assert!(!stdout(&out).contains('\x1b'));
}

// ---------------------------------------------------------------------------
// 16. limit / passages
// ---------------------------------------------------------------------------

#[test]
fn limit_and_passages() {
    let fx = Fixture::indexed();
    let (code, hits, summary) = fx.search(&["pay", "--limit", "1"]);
    assert_eq!(code, 0);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["rank"], 1);
    assert_eq!(summary["hits"], 1);
    assert_eq!(summary["total_hits"], 2);

    let hits = fx.hits(&["pay", "--passages", "1"]);
    assert_eq!(hits.len(), 2);
    for h in &hits {
        assert_eq!(passages(h).len(), 1, "--passages 1: {h}");
        check_passages_against_seed(h);
    }

    let hits = fx.hits(&["pay", "--passages", "10"]);
    let bbc = hit(&hits, BBC);
    // "pay" is in 5 BBC paragraphs: 2, 3, 4, 11, 14
    let paras: Vec<u64> = passages(bbc)
        .iter()
        .map(|p| p["paragraph"].as_u64().unwrap())
        .collect();
    for want in [2, 3, 4, 11, 14] {
        assert!(
            paras.contains(&want),
            "paragraph {want} missing from {paras:?}"
        );
    }
    for h in &hits {
        let offs: Vec<u64> = passages(h)
            .iter()
            .map(|p| p["offset"].as_u64().unwrap())
            .collect();
        assert!(
            offs.windows(2).all(|w| w[0] < w[1]),
            "offsets not increasing: {offs:?}"
        );
        check_passages_against_seed(h);
        for p in passages(h) {
            assert!(
                ptext(p).len() <= 400,
                "passage too long: {}",
                ptext(p).len()
            );
        }
    }
}

// ---------------------------------------------------------------------------
// 17. prefix
// ---------------------------------------------------------------------------

#[test]
fn prefix_query() {
    let fx = Fixture::indexed();
    let hits = fx.hits(&["pay*", "--passages", "20"]);
    assert_eq!(sorted_ids(&hits), vec![BBC, UPI]);
    let mut all = Vec::new();
    for h in &hits {
        let words = hit_highlights(h);
        for w in &words {
            assert!(w.to_lowercase().starts_with("pay"), "{w:?} in {words:?}");
        }
        all.extend(words);
    }
    assert!(all.iter().any(|w| w == "payment"), "{all:?}");
    assert!(all.iter().any(|w| w == "pay"), "{all:?}");
    assert!(!all.iter().any(|w| w == "paid"));

    let hits = fx.hits(&["payme*"]);
    assert_eq!(ids(&hits), vec![UPI]);
    assert_eq!(hit_highlights(&hits[0]), vec!["payment"]);
}

// ---------------------------------------------------------------------------
// 18. stats
// ---------------------------------------------------------------------------

#[test]
fn stats_json() {
    let fx = Fixture::indexed();
    let out = fx.run(&["stats", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let so = stdout(&out);
    let v: Value = serde_json::from_str(so.trim()).unwrap_or_else(|e| panic!("{e}: {so:?}"));
    assert_eq!(v["articles"], 2);
    assert!(v["terms"].as_u64().is_some_and(|t| t > 50), "{v}");
    assert!(v["size_bytes"].as_u64().is_some_and(|t| t > 0), "{v}");
    let li = v["last_indexed"].as_str().expect("last_indexed string");
    assert!(
        li.len() >= 20 && li.as_bytes()[4] == b'-' && li.contains('T'),
        "RFC 3339: {li:?}"
    );
    assert!(
        v["index"].as_str().is_some_and(|s| s.contains("index")),
        "{v}"
    );

    let out = fx.run(&["stats", "--index", "nope_dir"]);
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------------------
// 19. broken pipe
// ---------------------------------------------------------------------------

#[test]
fn broken_pipe_is_silent() {
    let fx = Fixture::empty();
    // enough output to overflow a pipe buffer (64 KiB) so the writer must see EPIPE
    for i in 0..400 {
        fx.write(
            &format!("many/a{i:03}.txt"),
            format!(
                "Pay story number {i}\nWorkers in round {i} asked for better pay and a fair pay rise. \
                 The pay talks continued late into the night with no agreement on pay. \
                 Union leaders said pay must rise with prices.\n"
            ),
        );
    }
    let out = fx.run(&["index", "many", "--index", "idx", "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let queries: String = (0..200).map(|i| format!("q{i}\tpay\n")).collect();
    fx.write("q.tsv", queries);
    let bin = env!("CARGO_BIN_EXE_passim");
    // A batch on three threads stops as quietly, its workers with it.
    let batch = "--batch q.tsv -j 3 --json";
    for extra in [
        "pay --json",
        "pay --color=never",
        "pay --color=always",
        batch,
    ] {
        let script =
            format!("'{bin}' search {extra} --index idx --limit 400 | head -c 1 >/dev/null");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .current_dir(fx.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.is_empty(),
            "{extra}: stderr must be empty on broken pipe, got {err:?}"
        );
    }
    // sanity: the output really is larger than a pipe buffer
    let out = fx.run(&[
        "search", "pay", "--index", "idx", "--limit", "400", "--json",
    ]);
    assert!(
        out.stdout.len() > 70_000,
        "output only {} bytes",
        out.stdout.len()
    );
}

// ---------------------------------------------------------------------------
// 20. field queries
// ---------------------------------------------------------------------------

#[test]
fn title_field_query() {
    let fx = Fixture::indexed();
    let hits = fx.hits(&["title:coventry"]);
    assert_eq!(ids(&hits), vec![BBC]);
    assert_eq!(title_highlights(&hits[0]), vec!["Coventry"]);

    // both bodies mention Coventry
    let hits = fx.hits(&["body:coventry"]);
    assert_eq!(sorted_ids(&hits), vec![BBC, UPI]);

    // "ballot" is not in any title
    let (code, hits, _) = fx.search(&["title:ballot"]);
    assert_eq!(code, 1, "{:?}", ids(&hits));
}

/// A generated article whose second paragraph uses only the abbreviation.
fn abbreviation_fixture() -> Fixture {
    let fx = Fixture::empty();
    fx.write(
        "notes/cbt.txt",
        "Sleep clinics compared treatments\n\n\
         Cognitive behavioural therapy (CBT) was offered to 40 adults with insomnia.\n\n\
         Therapy sessions were held weekly in the clinic.\n\n\
         After six months, CBT halved the time taken to fall asleep in adults with insomnia.\n",
    );
    let out = fx.run(&["index", "notes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fx
}

#[test]
fn defined_abbreviation_counts_for_passages_but_is_not_highlighted() {
    let fx = abbreviation_fixture();
    // Without the abbreviation, paragraph 1 ("cognitive behavioural therapy
    // ... insomnia") would win; CBT in paragraph 3 stands for the first
    // three words, so paragraph 3 holds every query word.
    let hits = fx.hits(&["cognitive behavioural therapy halved insomnia", "-p", "1"]);
    assert_eq!(ids(&hits), ["cbt.txt"]);
    let ps = passages(&hits[0]);
    assert_eq!(ps.len(), 1);
    assert_eq!(
        ptext(&ps[0]),
        "After six months, CBT halved the time taken to fall asleep in adults with insomnia."
    );
    assert_eq!(ps[0]["paragraph"], 3);
    assert_eq!(passage_highlights(&ps[0]), ["halved", "insomnia"]);
}

#[test]
fn plain_query_splits_hyphenated_words() {
    let fx = abbreviation_fixture();
    // Full syntax reads "weekly-clinic" as a phrase, which does not occur.
    let (code, hits, _) = fx.search(&["weekly-clinic"]);
    assert_eq!((code, hits.len()), (1, 0));
    // --plain reads it as two words, each matched and highlighted.
    let hits = fx.hits(&["--plain", "weekly-clinic", "-p", "1"]);
    assert_eq!(ids(&hits), ["cbt.txt"]);
    let ps = passages(&hits[0]);
    assert_eq!(passage_highlights(&ps[0]), ["weekly", "clinic"]);
}
