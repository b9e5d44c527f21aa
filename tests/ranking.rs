//! Ranking: the order of tied articles does not depend on how the index was
//! built (threads, runs, segments), and field words are scored on the same
//! scale as bare words.

use crate::util::*;
use serde_json::Value;

/// 240 articles in six groups; within a group every article has the same
/// headline and body lengths and the same number of `pay`, so their scores
/// tie exactly. Other words differ, so that none is a copy of another. Ids
/// are in neither file order nor group order; dates repeat.
fn tied_articles() -> Vec<String> {
    (0..240)
        .map(|i| {
            let group = i % 6;
            let id = format!("a{:03}", (i * 97) % 240);
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
    let fx = Fixture::empty();
    let lines = tied_articles();
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
        assert_eq!(one.len(), 100, "{query:?}");
        assert_eq!(ranking(&fx, "two", query), one, "{query:?}: 1 vs 2 threads");
        assert_eq!(
            ranking(&fx, "runs", query),
            one,
            "{query:?}: one run vs two"
        );
    }

    // By relevance: the six-`pay` group first (40 articles), in id order.
    let one = ranking(&fx, "one", &["pay"]);
    let best: Vec<&str> = one[..40].iter().map(|(id, _)| id.as_str()).collect();
    let mut want: Vec<String> = (0..240)
        .filter(|i| i % 6 == 5)
        .map(|i| format!("a{:03}", (i * 97) % 240))
        .collect();
    want.sort();
    assert_eq!(best, want);
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
    fx.write("all.jsonl", tied_articles().join("\n"));
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
