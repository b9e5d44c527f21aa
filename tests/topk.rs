//! Top-k pruning seen from the command line: a query of bare words whose
//! common word cannot lift an article into the top is answered without
//! counting every match, and says so; `--exact-count` and `--count` count
//! them all; the hits are the same either way. Also: a corpus streamed
//! through a named pipe.

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
    // One word: nothing to skip.
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
