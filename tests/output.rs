//! Output people can read and use (issue #12): several words as one query,
//! never-silent results (the no-hits line, the count line, gap markers, no
//! repeated lead sentence), JSON Lines articles shown with their id, date
//! and source, `passim show ID`, `--offset`, and the help text.

use serde_json::Value;

use crate::util::*;

/// `passim search ARGS… --color never` → (exit code, stdout, stderr).
fn text(fx: &Fixture, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["search", "--color", "never"];
    all.extend_from_slice(args);
    let out = fx.run(&all);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

/// The count line with its timing masked: `2 of 2 articles · [MS] ms`.
fn masked_count(line: &str) -> String {
    match (line.rfind(" · "), line.strip_suffix(" ms")) {
        (Some(i), Some(_)) => format!("{} · [MS] ms", &line[..i]),
        _ => line.to_owned(),
    }
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

// ---------------------------------------------------------------------------
// several arguments, one query
// ---------------------------------------------------------------------------

#[test]
fn several_words_are_one_query() {
    let fx = Fixture::indexed();
    let (code, hits, summary) = fx.search(&["strike", "ballot"]);
    assert_eq!(code, 0);
    assert_eq!(summary["query"], "strike ballot");
    let (_, quoted, _) = fx.search(&["strike ballot"]);
    assert_eq!(ids(&hits), ids(&quoted));

    // Options after the words are still options.
    let hits = fx.hits(&["strike", "ballot", "-n", "1"]);
    assert_eq!(hits.len(), 1);
    // A word that starts with `-` and is not an option is a query word
    // (here: excluded), first or later, and after `--`.
    for args in [
        vec!["-ballot", "pay"],
        vec!["pay", "-ballot"],
        vec!["pay", "-ballot", "-n", "5"],
        vec!["pay", "-n5", "-ballot"],
    ] {
        let (_, hits, summary) = fx.search(&args);
        assert_eq!(
            summary["query"],
            args.iter()
                .filter(|a| !a.starts_with("-n") && **a != "5")
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert_eq!(ids(&hits), vec![UPI], "{args:?}");
    }
    let args = ["search", "--json", "pay", "--", "-ballot", "--json"];
    let (_, hits, summary) = parse_json_output(&fx.run(&args), &args);
    assert_eq!(summary["query"], "pay -ballot --json");
    assert_eq!(ids(&hits), vec![UPI]);

    // --batch and a query do not go together.
    fx.write("q.tsv", "1\tpay\n");
    let out = fx.run(&["search", "--batch", "q.tsv", "pay"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

// ---------------------------------------------------------------------------
// never silent
// ---------------------------------------------------------------------------

#[test]
fn no_hits_says_so_on_one_stderr_line() {
    let fx = Fixture::indexed();
    let (code, out, err) = text(&fx, &["zebra"]);
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert_eq!(err, "passim: no articles match \"zebra\"\n");

    let (code, out, err) = text(&fx, &["zebra", "giraffe"]);
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert_eq!(err, "passim: no articles match \"zebra giraffe\"\n");

    // Paging past the last hit says how many there were.
    let (code, out, err) = text(&fx, &["pay", "--offset", "5"]);
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "passim: only 2 articles match \"pay\"; --offset 5 skips them all\n"
    );

    // JSON: the summary object says it; stderr stays quiet.
    let out = fx.run(&["search", "zebra", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "");
}

#[test]
fn text_output_ends_with_a_count_line() {
    let fx = Fixture::indexed();
    let (code, out, _) = text(&fx, &["pay"]);
    assert_eq!(code, 0);
    assert_eq!(masked_count(last_line(&out)), "2 of 2 articles · [MS] ms");
    assert!(out.contains("\n\n2 of 2 articles · "), "{out}");

    let (_, out, _) = text(&fx, &["pay", "-n", "1"]);
    assert_eq!(masked_count(last_line(&out)), "1 of 2 articles · [MS] ms");

    let (_, out, _) = text(&fx, &["title:coventry"]);
    assert_eq!(masked_count(last_line(&out)), "1 of 1 article · [MS] ms");

    let (_, out, _) = text(&fx, &["pay", "-n", "1", "--offset", "1"]);
    assert!(out.starts_with("2. "), "{out}");
    assert_eq!(
        masked_count(last_line(&out)),
        "hit 2 of 2 articles · [MS] ms"
    );

    // Batch: each query's results end with their count line.
    fx.write("q.tsv", "1\tpay\n2\tzebra\n");
    let (code, out, _) = text(&fx, &["--batch", "q.tsv", "-n", "1"]);
    assert_eq!(code, 0);
    let counts: Vec<String> = out
        .lines()
        .filter(|l| l.ends_with(" ms"))
        .map(masked_count)
        .collect();
    assert_eq!(
        counts,
        ["1 of 2 articles · [MS] ms", "no articles match · [MS] ms"]
    );

    // JSON and TREC have no count line.
    let out = fx.run(&["search", "pay", "--format", "trec"]);
    assert_eq!(stdout(&out).lines().count(), 2);
}

#[test]
fn offset_pages_through_the_hits() {
    let fx = Fixture::indexed();
    let all = fx.hits(&["pay"]);
    assert_eq!(all.len(), 2);
    let (code, page2, summary) = fx.search(&["pay", "-n", "1", "--offset", "1"]);
    assert_eq!(code, 0);
    assert_eq!(ids(&page2), vec![all[1]["id"].as_str().unwrap()]);
    assert_eq!(page2[0]["rank"], 2);
    assert_eq!(summary["offset"], 1);
    assert_eq!(summary["hits"], 1);
    assert_eq!(summary["total_hits"], 2);
    // No offset: no offset field (the summary is as before).
    let (_, _, summary) = fx.search(&["pay"]);
    assert!(summary.get("offset").is_none(), "{summary}");

    let out = fx.run(&["search", "pay", "--offset", "-1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("must be a whole number (0 or more)"),
        "{}",
        stderr(&out)
    );
}

/// One paragraph with `zebra` near its start and its end, and sentences
/// without it in between: two passages of one paragraph, with a gap.
const ZOO: &str = "Zoo news\n\n\
The zebra escaped at noon. \
Keepers closed every gate of the park within minutes of the alarm. \
Visitors were asked to wait in the cafe while the search went on. \
A helicopter from the city joined the search later in the afternoon. \
The director said nobody had been hurt and the animals were calm. \
Schools nearby kept their pupils inside until the evening bell rang. \
Late at night keepers found the zebra grazing by the lake.\n";

#[test]
fn two_passages_of_one_paragraph_are_shown_with_a_gap_marker() {
    let fx = Fixture::empty();
    fx.write("zoo/zoo.txt", ZOO);
    set_mtime(&fx.path().join("zoo/zoo.txt"), SEED_MTIME_SECS);
    assert_eq!(
        fx.run(&["index", "zoo", "--index", "idx"]).status.code(),
        Some(0)
    );
    let (code, out, err) = text(
        &fx,
        &[
            "zebra",
            "--index",
            "idx",
            "-p",
            "2",
            "--passage-length",
            "60",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out
        .lines()
        .map(|l| l.split("  score ").next().unwrap_or(l))
        .collect();
    assert_eq!(
        lines[..5],
        [
            "1. Zoo news",
            "   zoo/zoo.txt · modified 2024-01-15",
            "   [1] The zebra escaped at noon.",
            "   ⋯",
            "   [1] Late at night keepers found the zebra grazing by the lake.",
        ],
        "{out}"
    );
    // Passages of one paragraph that follow each other have no marker.
    let (_, out, _) = text(&fx, &["zebra", "--index", "idx", "-p", "2"]);
    assert_eq!(out.matches("   [1] ").count(), 2, "{out}");
    assert!(!out.contains('⋯'), "{out}");
}

#[test]
fn an_article_without_headline_does_not_repeat_its_first_sentence() {
    let fx = Fixture::empty();
    fx.write(
        "docs/strike.txt",
        "The strike began on Monday at the plant.  Workers want more pay.\n\n\
         Union leaders said the strike would go on.\n",
    );
    assert_eq!(
        fx.run(&["index", "docs", "--index", "idx"]).status.code(),
        Some(0)
    );
    let hits = fx.hits(&["strike", "--index", "idx"]);
    assert_eq!(hits[0]["title"], "The strike began on Monday at the plant.");
    assert_eq!(hits[0]["has_headline"], false);
    let texts: Vec<&str> = passages(&hits[0]).iter().map(ptext).collect();
    assert_eq!(
        texts,
        vec![
            "Workers want more pay.",
            "Union leaders said the strike would go on."
        ]
    );
    // The seed without a headline: no passage is its title.
    let fx = Fixture::indexed();
    for hit in fx.hits(&["pay", "--passages", "10"]) {
        for p in passages(&hit) {
            assert_ne!(ptext(p), hit["title"].as_str().unwrap(), "{hit}");
        }
    }
}

// ---------------------------------------------------------------------------
// every hit can be found and opened
// ---------------------------------------------------------------------------

const REUTERS: &str = r#"{"id":"4321","title":"Cocoa exports rise","body":"Cocoa exports rose sharply in May.\n\nTraders expect more cocoa in June.","date":"2-JUN-1987 11:50:01.21","source":"Reuters","url":"https://example.org/4321"}
{"id":"4322","title":"Grain prices","body":"Grain and cocoa prices fell.","date":"1987-06-03","source":"Reuters"}
{"title":"No id or date","body":"Cocoa without an id, dated vaguely.","date":"early June"}
"#;

fn reuters() -> Fixture {
    let fx = Fixture::empty();
    fx.write("news.jsonl", REUTERS);
    let out = fx.run(&["index", "news.jsonl", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fx
}

#[test]
fn jsonl_hits_show_id_date_and_source() {
    let fx = reuters();
    let (code, out, _) = text(&fx, &["cocoa", "--index", "idx"]);
    assert_eq!(code, 0);
    let meta: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("   news.jsonl"))
        .map(|l| l.split("  score").next().unwrap_or(l))
        .collect();
    assert_eq!(
        meta,
        vec![
            "   news.jsonl · id 4321 · 1987-06-02T11:50:01 · Reuters",
            "   news.jsonl · id 4322 · 1987-06-03 · Reuters",
            "   news.jsonl · id news.jsonl:3 · early June",
        ],
        "{out}"
    );
    // The date is stored normalised: JSON shows it too.
    let hits = fx.hits(&["cocoa", "--index", "idx"]);
    assert_eq!(hit(&hits, "4321")["date"], "1987-06-02T11:50:01");
    assert_eq!(hit(&hits, "news.jsonl:3")["date"], "early June");
}

#[test]
fn show_prints_the_whole_article() {
    let fx = reuters();
    let out = fx.run(&["show", "4321", "--index", "idx", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "Cocoa exports rise\n\
         news.jsonl · id 4321 · 1987-06-02T11:50:01 · Reuters\n\
         https://example.org/4321\n\
         \n\
         [1] Cocoa exports rose sharply in May.\n\
         \n\
         [2] Traders expect more cocoa in June.\n"
    );
    assert_eq!(stderr(&out), "");

    // --query highlights the matches, in the colours of search.
    let out = fx.run(&[
        "show", "4321", "--index", "idx", "--color", "always", "--query", "june",
    ]);
    let so = stdout(&out);
    assert!(
        so.contains("[2]\u{1b}[0m Traders expect more cocoa in \u{1b}[1m\u{1b}[31mJune\u{1b}[0m."),
        "{so:?}"
    );

    // --json: the API's article object.
    let out = fx.run(&["show", "4321", "--index", "idx", "--json", "-q", "cocoa"]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    assert_eq!(v["id"], "4321");
    assert_eq!(v["date"], "1987-06-02T11:50:01");
    assert_eq!(v["query"], "cocoa");
    assert_eq!(v["paragraphs"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["highlights"].as_array().map(Vec::len), Some(2));

    // A text file's id is its path relative to the root.
    let fx = Fixture::indexed();
    let out = fx.run(&["show", BBC, "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let so = stdout(&out);
    let lines: Vec<&str> = so.lines().collect();
    assert_eq!(lines[0], BBC_TITLE);
    assert_eq!(lines[1], format!("seeds/{BBC} · modified {SEED_DAY}"));
    assert!(lines[3].starts_with("[1] "), "{so}");
}

#[test]
fn show_an_unknown_id_is_an_error() {
    let fx = reuters();
    let out = fx.run(&["show", "nope", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "passim: no article with id \"nope\"\n");
}

// ---------------------------------------------------------------------------
// help
// ---------------------------------------------------------------------------

#[test]
fn search_help_has_examples_and_no_doubled_defaults() {
    let fx = Fixture::empty();
    let out = fx.run(&["search", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    assert!(
        help.contains("Examples:\n  passim search interest rates"),
        "{help}"
    );
    assert!(help.contains("passim show ID --query pay"), "{help}");
    for line in help.lines() {
        assert!(
            line.matches("default").count() <= 1,
            "doubled default: {line:?}"
        );
    }
    assert_eq!(help.matches("[default: 10]").count(), 1, "{help}");
}

#[test]
fn a_thread_count_past_the_limit_is_refused_in_words() {
    let fx = Fixture::indexed();
    for bad in ["5000", "-1", "two"] {
        let out = fx.run(&["search", "pay", "-j", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = stderr(&out);
        let want = format!(
            "error: invalid value '{bad}' for '--threads <N>': must be a whole number of \
             threads from 0 (one per core) to 1024"
        );
        assert!(err.starts_with(&want), "{err}");
    }
    let out = fx.run(&["search", "pay", "-j", "1024", "--format", "trec"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out).lines().count(), 2);
}

#[test]
fn limit_zero_is_refused_in_words() {
    let fx = Fixture::indexed();
    let out = fx.run(&["search", "pay", "-n", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "error: invalid value '0' for '--limit <N>': must be a whole number of at least 1"
        ),
        "{err}"
    );
}
