//! Passages on generated articles: every passage within `--passage-length`
//! characters whatever the sentences' lengths, and short keyword queries
//! shown the sentences that hold their words.

use serde_json::Value;

use crate::util::*;

/// An article of long and short sentences around "needle", in several
/// paragraphs: a sentence far over any limit, one wrapped over indented
/// lines, multi-byte words, a sentence cut short before a long address, and
/// short sentences next to the long ones.
fn long_sentences() -> String {
    let filler = "the quick brown fox jumps over the lazy dog again and ".repeat(8);
    let greek = "αβγδε ζηθικ λμνξο ".repeat(12);
    let url = format!("https://example.org/{}", "archive/2024/".repeat(30));
    format!(
        "Long sentences\n\n\
         A short needle opens. The needle {filler}ends here. Then a needle closes.\n\n\
         Wrapped lines carry a needle over\n    indented lines {filler}and end.\n\
         Next to it another needle sentence.\n\n\
         Greek {greek}needle {greek}stops. Short needle after it.\n\n\
         The needle list is at {url} for all. Another needle follows.\n"
    )
}

fn indexed(files: &[(&str, &str)]) -> Fixture {
    let fx = Fixture::empty();
    for (name, text) in files {
        fx.write(&format!("docs/{name}"), text);
    }
    let out = fx.run(&["index", "docs", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fx
}

#[test]
fn every_passage_is_within_the_passage_length() {
    let fx = indexed(&[("long.txt", &long_sentences())]);
    for limit in ["40", "60", "100", "150", "250", "400"] {
        let hits = fx.hits(&[
            "needle",
            "--index",
            "idx",
            "-p",
            "6",
            "--passage-length",
            limit,
        ]);
        assert_eq!(hits.len(), 1, "limit {limit}");
        let limit: usize = limit.parse().unwrap();
        let ps = passages(&hits[0]);
        assert!(!ps.is_empty(), "limit {limit}: no passages");
        for p in ps {
            let n = ptext(p).chars().count();
            assert!(n <= limit, "limit {limit}: {n} chars: {p}");
            // Every passage shows the word it was chosen for.
            assert!(
                passage_highlights(p)
                    .iter()
                    .all(|w| w.eq_ignore_ascii_case("needle")),
                "{p}"
            );
            assert!(!passage_highlights(p).is_empty(), "limit {limit}: {p}");
        }
    }
}

#[test]
fn a_sentence_longer_than_the_limit_is_cut_at_words_and_flagged() {
    let fx = indexed(&[("long.txt", &long_sentences())]);
    let hits = fx.hits(&[
        "needle",
        "--index",
        "idx",
        "-p",
        "6",
        "--passage-length",
        "100",
    ]);
    let file = long_sentences();
    // The stored body is what follows the headline line and the blank line.
    let body = &file["Long sentences\n\n".len()..];
    let cut: Vec<&Value> = passages(&hits[0])
        .iter()
        .filter(|p| p["trimmed_end"] == true)
        .collect();
    assert!(!cut.is_empty(), "no cut passage: {}", hits[0]);
    for p in cut {
        let text = ptext(p);
        // Whole words: the next character in the article is a space.
        let offset = p["offset"].as_u64().unwrap() as usize;
        assert_eq!(&body[offset..offset + text.len()], text);
        let next = body[offset + text.len()..].chars().next();
        assert_eq!(next, Some(' '), "{text:?} cut mid-word");
    }
}

#[test]
fn keyword_queries_are_shown_the_sentences_with_their_words() {
    let fx = Fixture::indexed();
    for word in ["pay", "ballot", "union"] {
        let hits = fx.hits(&[word]);
        assert!(!hits.is_empty(), "{word}: no hits");
        for h in &hits {
            let ps = passages(h);
            // The best-scored passage holds the word (or its plural),
            // highlighted.
            let best = ps
                .iter()
                .max_by(|a, b| {
                    a["score"]
                        .as_f64()
                        .unwrap()
                        .total_cmp(&b["score"].as_f64().unwrap())
                })
                .unwrap_or_else(|| panic!("{word}: no passages: {h}"));
            let words = passage_highlights(best);
            assert!(
                !words.is_empty() && words.iter().all(|w| w.to_lowercase().starts_with(word)),
                "{word}: best passage {best}"
            );
        }
    }
}

#[test]
fn a_bad_passage_weights_variable_is_refused_by_name() {
    let fx = Fixture::indexed();
    let run = |value: &str| {
        fx.cmd()
            .args(["search", "ballot"])
            .env("PASSIM_PASSAGE_WEIGHTS", value)
            .output()
            .unwrap()
    };
    let out = run("1,2");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "passim: PASSIM_PASSAGE_WEIGHTS: has 2 weights; the passage scorer has 13 features\n"
    );
    let out = run("1,x,3");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "passim: PASSIM_PASSAGE_WEIGHTS: \"1,x,3\" is not a list of numbers\n"
    );
    // Thirteen numbers are taken: with only the query words' cover
    // weighed, the passages still show the ballot.
    let out = run("1,0,0,0,0,0,0,0,0,0,0,0,0");
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("ballot"), "{}", stdout(&out));
}
