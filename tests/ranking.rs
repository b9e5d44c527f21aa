//! Ranking: the order of tied articles does not depend on how the index was
//! built (threads, runs, segments), and field words are scored on the same
//! scale as bare words. Also the ranking knobs of evaluation runs:
//! `passim search --rank KEY=VALUE` (hidden from the help) sets one of
//! `query::RankSettings` for a search or a batch; a bad key or value is one
//! line naming it, and exit 2; and the term-proximity knob (off by default).

use crate::util::*;
use serde_json::Value;

/// 240 articles in six groups; within a group every article has the same
/// headline and body lengths and the same number of `pay`, so their scores
/// tie exactly. Other words differ, so that none is a copy of another. Ids
/// are `prefix` then `a000`…`a239`, in neither file order nor group order;
/// dates repeat.
fn tied_articles(prefix: &str) -> Vec<String> {
    (0..240)
        .map(|i| {
            let group = i % 6;
            let id = format!("{prefix}a{:03}", (i * 97) % 240);
            let pays = "pay ".repeat(group + 1);
            let filler: Vec<String> = (0..12).map(|w| format!("w{i}x{w}")).collect();
            let day = 1 + i % 3;
            format!(
                r#"{{"id":"{id}","title":"headline {i}","body":"{pays}{}","date":"1987-03-0{day}"}}"#,
                filler.join(" ")
            )
        })
        .collect()
}

fn index(fx: &Fixture, dir: &str, files: &[&str], threads: &str) {
    for file in files {
        let out = fx.run(&["index", "--index", dir, "--threads", threads, file]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}

/// `(id, score)` of every hit, top 100.
fn ranking(fx: &Fixture, dir: &str, extra: &[&str]) -> Vec<(String, f64)> {
    let mut args = vec!["--index", dir, "-n", "100", "-p", "0"];
    args.extend_from_slice(extra);
    fx.hits(&args)
        .iter()
        .map(|h| {
            let score = h["score"].as_f64().unwrap_or(f64::NAN);
            (h["id"].as_str().unwrap_or_default().to_owned(), score)
        })
        .collect()
}

#[test]
fn tied_articles_rank_by_id_whatever_the_threads_and_runs() {
    // Short ids are told apart by their first eight bytes (the id key); ids
    // that share those are read and compared.
    for prefix in ["", "newsroom/archive/1987/"] {
        tied_articles_rank_by_id(prefix);
    }
}

fn tied_articles_rank_by_id(prefix: &str) {
    let fx = Fixture::empty();
    let lines = tied_articles(prefix);
    fx.write("all.jsonl", lines.join("\n"));
    fx.write("first.jsonl", lines[120..].join("\n"));
    fx.write("second.jsonl", lines[..120].join("\n"));
    index(&fx, "one", &["all.jsonl"], "1");
    index(&fx, "two", &["all.jsonl"], "2");
    // Two runs, the second half first: two segments in another order.
    index(&fx, "runs", &["first.jsonl", "second.jsonl"], "1");

    for query in [
        &["pay"][..],
        &["--sort", "date", "pay"],
        &["--sort", "-date", "pay"],
    ] {
        let one = ranking(&fx, "one", query);
        assert_eq!(one.len(), 100, "{prefix}: {query:?}");
        assert_eq!(
            ranking(&fx, "two", query),
            one,
            "{prefix}: {query:?}: 1 vs 2 threads"
        );
        assert_eq!(
            ranking(&fx, "runs", query),
            one,
            "{prefix}: {query:?}: one run vs two"
        );
    }

    // By relevance: the six-`pay` group first (40 articles), in id order.
    let one = ranking(&fx, "one", &["pay"]);
    let best: Vec<&str> = one[..40].iter().map(|(id, _)| id.as_str()).collect();
    let mut want: Vec<String> = (0..240)
        .filter(|i| i % 6 == 5)
        .map(|i| format!("{prefix}a{:03}", (i * 97) % 240))
        .collect();
    want.sort();
    assert_eq!(best, want, "{prefix}");
    assert!(one[..40].iter().all(|(_, s)| *s == one[0].1));
    assert!(one[40].1 < one[0].1);
    for pair in one.windows(2) {
        assert!(
            pair[0].1 > pair[1].1 || (pair[0].1 == pair[1].1 && pair[0].0 < pair[1].0),
            "not in score then id order: {pair:?}"
        );
    }
}

/// The `date` of each hit, for the date-order check.
fn dates(fx: &Fixture, dir: &str, sort: &str) -> Vec<String> {
    fx.hits(&["--index", dir, "-n", "5", "-p", "0", "--sort", sort, "pay"])
        .iter()
        .map(|h: &Value| h["date"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn date_order_breaks_ties_by_score_then_id() {
    let fx = Fixture::empty();
    fx.write("all.jsonl", tied_articles("").join("\n"));
    index(&fx, "idx", &["all.jsonl"], "2");
    assert_eq!(dates(&fx, "idx", "date"), vec!["1987-03-01"; 5]);
    assert_eq!(dates(&fx, "idx", "-date"), vec!["1987-03-03"; 5]);
    // On 1987-03-01 (i % 3 == 0), the best scores are the six-`pay` group
    // (i % 6 == 5), none of which falls on that day; next is i % 6 == 3.
    let got = ranking(&fx, "idx", &["--sort", "date", "pay"]);
    let mut want: Vec<String> = (0..240)
        .filter(|i| i % 6 == 3)
        .map(|i| format!("a{:03}", (i * 97) % 240))
        .collect();
    want.sort();
    let first: Vec<&str> = got[..want.len()]
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(first, want);
}

/// Articles for the one-scale tests: `pay` in the body only (b1-b4, with
/// different counts and lengths), in the headline only (t1), in both (tb).
fn pay_articles(fx: &Fixture) {
    let lines = [
        r#"{"id":"b1","title":"wages","body":"the pay rise was agreed after a long dispute"}"#,
        r#"{"id":"b2","title":"wages","body":"pay pay and more pay for nurses in the north of the country this year"}"#,
        r#"{"id":"b3","title":"wages","body":"nurses pay rise"}"#,
        r#"{"id":"b4","title":"wages","body":"a strike over pay and pensions, and a ballot on pay, closed schools across the region for two weeks in march"}"#,
        r#"{"id":"t1","title":"pay rise for nurses","body":"the union welcomed the offer"}"#,
        r#"{"id":"tb","title":"pay talks","body":"pay talks resume on monday"}"#,
        r#"{"id":"x1","title":"weather","body":"rain later"}"#,
    ];
    fx.write("pay.jsonl", lines.join("\n"));
    let out = fx.run(&["index", "--index", "idx", "pay.jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn field_words_score_like_bare_words() {
    let fx = Fixture::empty();
    pay_articles(&fx);
    let all = ranking(&fx, "idx", &["pay"]);
    let body = ranking(&fx, "idx", &["body:pay"]);
    let body_only = |r: &[(String, f64)]| -> Vec<(String, f64)> {
        r.iter()
            .filter(|(id, _)| id.starts_with('b'))
            .cloned()
            .collect()
    };
    // The body-only articles: the same order and the same scores either way.
    assert_eq!(body_only(&all), body_only(&body));
    assert_eq!(body_only(&all).len(), 4);
    let ids: Vec<&str> = body.iter().map(|(id, _)| id.as_str()).collect();
    // Under the defaults (k1 1.2, b 0.5) b4's two `pay` outweigh its length.
    assert_eq!(ids, ["b2", "b4", "b3", "tb", "b1"]);
    // `title:pay` counts the headline only: t1 and tb, and tb's body does not add.
    let title: Vec<String> = ranking(&fx, "idx", &["title:pay"])
        .into_iter()
        .map(|h| h.0)
        .collect();
    assert_eq!(title, ["tb", "t1"]);
}

#[test]
fn phrases_score_on_the_scale_of_their_words() {
    let fx = Fixture::empty();
    pay_articles(&fx);
    // In b1 and b3, `pay` and `rise` occur once each, only as "pay rise":
    // the phrase scores what the two words score together.
    let phrase = ranking(&fx, "idx", &["\"pay rise\""]);
    let words = ranking(&fx, "idx", &["+pay +rise"]);
    let score = |r: &[(String, f64)], id: &str| {
        r.iter()
            .find(|(i, _)| i == id)
            .map(|(_, s)| *s)
            .unwrap_or(f64::NAN)
    };
    for id in ["b1", "b3"] {
        let (p, w) = (score(&phrase, id), score(&words, id));
        assert!((p - w).abs() <= 1e-4 * w, "{id}: phrase {p} vs words {w}");
    }
    // A headline phrase counts like a headline word: t1 first.
    let ids: Vec<&str> = phrase.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["t1", "b3", "b1"]);
    let title: Vec<String> = ranking(&fx, "idx", &["title:\"pay rise\""])
        .into_iter()
        .map(|h| h.0)
        .collect();
    assert_eq!(title, ["t1"]);
}

// The ranking knobs.

const KEYS: &str = "k1, b, title_repeat, stopwords, fb_docs, fb_terms, fb_weight, \
                    fb_min_words, fb_flat, fb_dedup, proximity, proximity_window, length_prior, \
                    idf_power";

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
fn idf_power_weighs_rare_query_words_against_common_ones() {
    // `common` is in half the articles, `rare` in one: x has `common` four
    // times, y has `rare` once, at equal lengths.
    let fx = indexed(&[
        ("x", "", "common common common common filler"),
        ("y", "", "rare filler filler filler filler"),
        ("c1", "", "common one two three four"),
        ("c2", "", "common five six seven eight"),
        ("c3", "", "common nine ten eleven twelve"),
        ("c4", "", "common alpha beta gamma delta"),
        ("o1", "", "other words in this article"),
        ("o2", "", "more words for another article"),
        ("o3", "", "yet more words to fill space"),
        ("o4", "", "and a last article of words"),
    ]);
    let top = |extra: &[&str]| {
        let mut args = extra.to_vec();
        args.push("common rare");
        ids(&fx.hits(&args))[0].clone()
    };
    // Plain BM25F: the rare word's IDF outweighs four common ones.
    assert_eq!(top(&[]), "y");
    assert_eq!(top(&["--rank", "idf_power=1"]), "y");
    // IDF to the power 0: every word weighs alike, and four beat one.
    assert_eq!(top(&["--rank", "idf_power=0"]), "x");
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
