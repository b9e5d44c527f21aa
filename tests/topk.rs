//! Top-k pruning seen from the command line: a query of bare words whose
//! common word cannot lift an article into the top is answered without
//! counting every match, and says so; `--exact-count` and `--count` count
//! them all; the hits are the same either way. Also: a corpus streamed
//! through a named pipe.

use serde_json::Value;

use crate::util::*;

/// 300 JSON Lines articles: the first 20 mention "zebra" and "market", the
/// other 280 only "market" (so "market" is in all 300, "zebra" in 20).
fn corpus(fx: &Fixture) {
    let mut lines = String::new();
    for i in 0..300 {
        let body = if i < 20 {
            format!("The zebra market report number {i} on zebra trade and the market.")
        } else {
            format!("A market report number {i} on prices in the market today.")
        };
        lines.push_str(&format!(
            "{{\"id\": \"a{i}\", \"title\": \"Report {i}\", \"body\": \"{body}\"}}\n"
        ));
    }
    fx.write("news.jsonl", lines);
    let out = fx.run(&["index", "news.jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn pruned_total_is_a_labelled_lower_bound_and_exact_on_request() {
    let fx = Fixture::empty();
    corpus(&fx);
    let (code, pruned, summary) = fx.search(&["zebra market", "-n", "3"]);
    assert_eq!(code, 0);
    assert_eq!(summary["total_hits_relation"], "gte", "{summary}");
    let lower = summary["total_hits"].as_u64().expect("total_hits");
    // The 20 zebra articles are all visited; most market-only ones are skipped.
    assert!((20..300).contains(&lower), "{summary}");

    let (code, exact, summary) = fx.search(&["zebra market", "-n", "3", "--exact-count"]);
    assert_eq!(code, 0);
    assert_eq!(summary["total_hits_relation"], "eq", "{summary}");
    assert_eq!(summary["total_hits"], 300);
    // Same hits, same scores, same order.
    assert_eq!(ids(&pruned), ids(&exact));
    assert_eq!(ids(&pruned).len(), 3);
    for (a, b) in pruned.iter().zip(&exact) {
        assert_eq!(a["score"], b["score"]);
        assert!(a["id"].as_str().unwrap_or("").starts_with('a'));
    }
    let zebra: Vec<String> = (0..20).map(|i| format!("a{i}")).collect();
    assert!(
        ids(&pruned).iter().all(|id| zebra.contains(id)),
        "{pruned:?}"
    );

    // --count prints the exact number.
    let out = fx.run(&["search", "zebra market", "--count"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "300\n");

    // The terminal's last line marks the bound with "+".
    let out = fx.run(&["search", "zebra market", "-n", "3"]);
    let text = stdout(&out);
    let last = text.lines().last().unwrap_or("");
    assert!(
        last.starts_with(&format!("3 of {lower}+ articles · ")),
        "{last:?}"
    );
    let out = fx.run(&["search", "zebra market", "-n", "3", "--exact-count"]);
    let text = stdout(&out);
    let last = text.lines().last().unwrap_or("");
    assert!(last.starts_with("3 of 300 articles · "), "{last:?}");
}

#[test]
fn a_single_word_and_a_full_top_are_counted_exactly() {
    let fx = Fixture::empty();
    corpus(&fx);
    // One word, and too few articles for block bounds: nothing to skip.
    let (_, _, summary) = fx.search(&["market", "-n", "3"]);
    assert_eq!(summary["total_hits"], 300);
    assert_eq!(summary["total_hits_relation"], "eq");
    // Room for every match: the threshold never rises.
    let (_, hits, summary) = fx.search(&["zebra market", "-n", "500"]);
    assert_eq!(hits.len(), 300);
    assert_eq!(summary["total_hits"], 300);
    assert_eq!(summary["total_hits_relation"], "eq");
    // Facets need every match.
    let (_, _, summary) = fx.search(&["zebra market", "-n", "3", "--facets"]);
    assert_eq!(summary["total_hits"], 300);
    assert_eq!(summary["total_hits_relation"], "eq");
}

/// The block-bounds files in the index folder, and the index's segments
/// (ids as the files name them), both sorted.
fn bounds_and_segments(fx: &Fixture) -> (Vec<String>, Vec<String>) {
    let dir = fx.path().join("index");
    let mut files: Vec<String> = std::fs::read_dir(dir.join("bounds"))
        .expect("bounds folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("meta.json")).expect("meta"))
            .expect("meta.json");
    let mut segments: Vec<String> = meta["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .map(|s| {
            format!(
                "{}.bounds",
                s["segment_id"].as_str().expect("id").replace('-', "")
            )
        })
        .collect();
    segments.sort();
    (files, segments)
}

/// 9,000 articles all about the market, saying it 1 to 6 times in bodies
/// of 10 to 40 words, and fifteen early ones that say little else: enough
/// for block bounds on "market" (in segments of 4,096 articles or more),
/// with a top that the windows after the first 1,500 articles cannot reach.
#[test]
fn block_bounds_let_a_single_common_word_skip_and_follow_the_segments() {
    let fx = Fixture::empty();
    let mut lines = String::new();
    for i in 0..9000 {
        let filler = "and the traders said prices moved ".repeat(1 + i % 6);
        let body = match i < 1500 && i % 100 == 50 {
            true => format!("market report {i} market market market market"),
            false => format!("{}report {i} {filler}", "market ".repeat(1 + i * 7 % 6)),
        };
        lines.push_str(&format!(
            "{{\"id\": \"m{i}\", \"title\": \"Day {i}\", \"body\": \"{body}\"}}\n"
        ));
    }
    fx.write("market.jsonl", lines);
    let out = fx.run(&["index", "market.jsonl", "--threads", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (files, segments) = bounds_and_segments(&fx);
    assert_eq!(files, segments);

    let (code, pruned, summary) = fx.search(&["market", "-n", "5"]);
    assert_eq!(code, 0);
    assert_eq!(summary["total_hits_relation"], "gte", "{summary}");
    let visited = summary["total_hits"].as_u64().expect("total_hits");
    assert!(visited < 3000, "{summary}");
    let (code, exact, summary) = fx.search(&["market", "-n", "5", "--exact-count"]);
    assert_eq!(code, 0);
    assert_eq!(summary["total_hits"], 9000);
    assert_eq!(summary["total_hits_relation"], "eq");
    assert_eq!(ids(&pruned), ids(&exact));
    for (a, b) in pruned.iter().zip(&exact) {
        assert_eq!(a["score"], b["score"]);
    }
    let dense: Vec<String> = (0..15).map(|i| format!("m{}", 50 + 100 * i)).collect();
    assert!(
        ids(&pruned).iter().all(|id| dense.contains(id)),
        "{pruned:?}"
    );

    // A damaged bounds file is not used: the same hits, every match scored.
    for file in &files {
        let path = fx.path().join("index").join("bounds").join(file);
        let bytes = std::fs::read(&path).expect("read bounds");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("truncate");
    }
    let (code, unbounded, summary) = fx.search(&["market", "-n", "5"]);
    assert_eq!(code, 0);
    assert_eq!(summary["total_hits"], 9000);
    assert_eq!(ids(&unbounded), ids(&exact));

    // A rebuild makes new segments: their bounds replace the old ones.
    let out = fx.run(&["index", "--rebuild", "--threads", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (rebuilt, segments) = bounds_and_segments(&fx);
    assert_eq!(rebuilt, segments);
    assert!(rebuilt.iter().all(|f| !files.contains(f)), "{rebuilt:?}");
    let (_, again, _) = fx.search(&["market", "-n", "5"]);
    assert_eq!(ids(&again), ids(&exact));
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_indexed_as_the_stream_it_carries() {
    let fx = Fixture::empty();
    let pipe = fx.path().join("stream.jsonl");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let writer = std::thread::spawn(move || {
        let lines = "{\"id\": \"p1\", \"body\": \"first piped story about tides\"}\n\
                     {\"id\": \"p2\", \"body\": \"second piped story about harbours\"}\n\
                     {\"id\": \"p3\", \"body\": \"third piped story about tides\"}\n";
        std::fs::write(pipe, lines).expect("write into the pipe");
    });
    let out = fx.run(&["index", "stream.jsonl"]);
    writer.join().expect("writer");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_index_summary(&stderr(&out), 3, 3, 0, 0, 0);
    let (code, hits, _) = fx.search(&["tides"]);
    assert_eq!(code, 0);
    assert_eq!(sorted_ids(&hits), vec!["p1", "p3"]);
}
