//! Ranking knobs for evaluation runs: `passim search --rank KEY=VALUE`
//! (hidden from the help) sets one of `query::RankSettings` for a search or
//! a batch; a bad key or value is one line naming it, and exit 2. Also the
//! term-proximity knob (off by default) on a small fixture.

use crate::util::*;

const KEYS: &str = "k1, b, title_repeat, title_boost, stopwords, fb_docs, fb_terms, fb_weight, \
                    fb_min_words, fb_flat, fb_dedup, proximity, proximity_window, length_prior";

/// Articles as JSON Lines (`id`, `title`, `body`), indexed.
fn indexed(lines: &[(&str, &str, &str)]) -> Fixture {
    let fx = Fixture::empty();
    let text: String = lines
        .iter()
        .map(|(id, title, body)| {
            serde_json::json!({"id": id, "title": title, "body": body}).to_string() + "\n"
        })
        .collect();
    fx.write("docs/articles.jsonl", text);
    let out = fx.run(&["index", "docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fx
}

/// `pay` once in a headline (`head`) against twice in a body (`body`).
fn headline_or_body() -> Fixture {
    indexed(&[
        ("head", "Pay talks", "Union leaders met on Monday."),
        ("body", "Union news", "The pay offer and the pay rise."),
    ])
}

#[test]
fn title_repeat_decides_between_a_headline_match_and_two_body_matches() {
    let fx = headline_or_body();
    // By default a headline word counts three body words: 3 beats 2.
    assert_eq!(ids(&fx.hits(&["pay"])), ["head", "body"]);
    assert_eq!(
        ids(&fx.hits(&["--rank", "title_repeat=1", "pay"])),
        ["body", "head"]
    );
    // Several knobs at once, the last of a key winning.
    assert_eq!(
        ids(&fx.hits(&[
            "--rank",
            "title_repeat=1",
            "--rank",
            "k1=1.2",
            "--rank",
            "title_repeat=3",
            "pay"
        ])),
        ["head", "body"]
    );
}

#[test]
fn rank_settings_apply_to_a_batch() {
    let fx = headline_or_body();
    fx.write("queries.tsv", "q1\tpay\n");
    let trec_ids = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["search", "--batch", "queries.tsv", "--format", "trec"];
        args.extend_from_slice(extra);
        let out = fx.run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .map(|l| l.split_whitespace().nth(2).unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(trec_ids(&[]), ["head", "body"]);
    assert_eq!(trec_ids(&["--rank", "title_repeat=1"]), ["body", "head"]);
}

#[test]
fn a_bad_rank_setting_is_one_line_and_exit_2() {
    let fx = headline_or_body();
    let cases: [(&[&str], String); 6] = [
        (
            &["--rank", "k2=1"],
            format!("passim: unknown ranking setting \"k2\" (settings: {KEYS})\n"),
        ),
        (
            &["--rank", "k1"],
            format!("passim: ranking setting \"k1\": give KEY=VALUE (settings: {KEYS})\n"),
        ),
        (
            &["--rank", "k1=fast"],
            "passim: ranking setting k1=\"fast\": k1 takes a number from 0 to 100\n".to_owned(),
        ),
        (
            &["--rank", "b=1.5"],
            "passim: ranking setting b=\"1.5\": b takes a number from 0 to 1\n".to_owned(),
        ),
        (
            &["--rank", "fb_docs=-1"],
            "passim: ranking setting fb_docs=\"-1\": fb_docs takes a whole number from 0 to 1000\n"
                .to_owned(),
        ),
        (
            &["--rank", "stopwords=maybe"],
            "passim: ranking setting stopwords=\"maybe\": stopwords takes on or off\n".to_owned(),
        ),
    ];
    for (flags, want) in cases {
        let mut args = vec!["search"];
        args.extend_from_slice(flags);
        args.push("pay");
        let out = fx.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), want, "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
    }
}

#[test]
fn the_rank_flag_is_not_in_the_help() {
    let out = Fixture::empty().run(&["search", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    assert!(help.contains("--run-tag"), "{help}");
    assert!(!help.contains("--rank"), "{help}");
}

#[test]
fn proximity_ranks_query_words_close_together_first() {
    // `far` is shorter, so BM25F puts it first; in `near` the two words are
    // two positions apart, which the proximity bonus rewards.
    let fx = indexed(&[
        (
            "far",
            "Notes",
            "strike one two three four five six seven eight nine ten ballot",
        ),
        (
            "near",
            "Notes",
            "strike and ballot one two three four five six seven eight nine ten",
        ),
        ("other", "Weather", "rain in the north"),
    ]);
    assert_eq!(ids(&fx.hits(&["strike ballot"])), ["far", "near"]);
    assert_eq!(
        ids(&fx.hits(&["--rank", "proximity=1", "strike ballot"])),
        ["near", "far"]
    );
    // Beyond the window a pair earns nothing: BM25F's order stays.
    assert_eq!(
        ids(&fx.hits(&[
            "--rank",
            "proximity=1",
            "--rank",
            "proximity_window=1",
            "strike ballot"
        ])),
        ["far", "near"]
    );
}
