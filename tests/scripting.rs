//! Outputs for scripts and shells: `-l`/`--files-with-matches`, `--count`,
//! `--min-score`, `passim completions SHELL` and `passim man`.

use crate::util::*;

fn run(fx: &Fixture, args: &[&str]) -> (i32, String, String) {
    let out = fx.run(args);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

#[test]
fn files_with_matches_lists_paths_of_files_in_rank_order() {
    let fx = Fixture::indexed();
    let want: Vec<String> = ids(&fx.hits(&["pay"]))
        .into_iter()
        .map(|id| format!("seeds/{id}\n"))
        .collect();
    assert_eq!(want.len(), 2);
    for flag in ["-l", "--files-with-matches"] {
        assert_eq!(
            run(&fx, &["search", "pay", flag]),
            (0, want.concat(), String::new())
        );
    }
    // Nothing matches: nothing printed, exit 1, as `rg -l` does.
    assert_eq!(
        run(&fx, &["search", "zebra", "-l"]),
        (1, String::new(), String::new())
    );
}

#[test]
fn files_with_matches_lists_ids_of_json_lines_articles() {
    let fx = Fixture::empty();
    fx.write(
        "news.jsonl",
        concat!(
            r#"{"id":"r1","title":"Pay talks","body":"Pay talks resume today."}"#,
            "\n",
            r#"{"id":"r2","title":"Weather","body":"Rain all week."}"#,
            "\n"
        ),
    );
    assert_eq!(fx.run(&["index", "news.jsonl"]).status.code(), Some(0));
    assert_eq!(
        run(&fx, &["search", "pay", "-l"]),
        (0, "r1\n".to_owned(), String::new())
    );
}

#[test]
fn count_prints_the_number_of_matching_articles() {
    let fx = Fixture::indexed();
    assert_eq!(
        run(&fx, &["search", "pay", "--count"]),
        (0, "2\n".to_owned(), String::new())
    );
    // More matches than --limit: the count is of all of them.
    assert_eq!(
        run(&fx, &["search", "pay", "--count", "-n", "1"]),
        (0, "2\n".to_owned(), String::new())
    );
    assert_eq!(
        run(&fx, &["search", "zebra", "--count"]),
        (1, "0\n".to_owned(), String::new())
    );
    let (code, out, err) = run(&fx, &["search", "pay", "--count", "--min-score", "1"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("'--count' cannot be used with '--min-score"),
        "{err}"
    );
}

#[test]
fn min_score_leaves_out_lower_hits() {
    let fx = Fixture::indexed();
    let hits = fx.hits(&["strike", "ballot"]);
    assert_eq!(hits.len(), 2);
    let (top, second) = (
        hits[0]["score"].as_f64().unwrap(),
        hits[1]["score"].as_f64().unwrap(),
    );
    assert!(top > second, "{top} {second}");
    let between = format!("{}", (top + second) / 2.0);
    let kept = fx.hits(&["strike", "ballot", "--min-score", &between]);
    assert_eq!(ids(&kept), [ids(&hits)[0].clone()]);
    // All below: exit 1, and the line says why.
    let above = format!("{}", (top + 1.0).ceil() as i64);
    let (code, out, err) = run(
        &fx,
        &[
            "search",
            "strike",
            "ballot",
            "--min-score",
            &above,
            "--color",
            "never",
        ],
    );
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        format!(
            "passim: 2 articles match \"strike ballot\", none shown scoring at least {above}\n"
        )
    );
}

#[test]
fn completions_name_every_subcommand() {
    let fx = Fixture::empty();
    let (code, script, err) = run(&fx, &["completions", "bash"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(script.contains("complete -F _passim"), "{script}");
    for sub in [
        "index",
        "search",
        "show",
        "stats",
        "serve",
        "completions",
        "man",
    ] {
        assert!(
            script.contains(&format!("passim,{sub})")),
            "bash completions lack {sub}"
        );
    }
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let (code, script, _) = run(&fx, &["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(script.contains("passim"), "{shell}");
    }
    let (code, _, err) = run(&fx, &["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

#[test]
fn man_prints_a_manual_page() {
    let fx = Fixture::empty();
    let (code, page, err) = run(&fx, &["man"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(page.contains(".TH passim 1"), "{page}");
    assert!(page.contains("passim\\-search"), "{page}");
}

#[test]
fn a_batch_on_several_threads_prints_what_one_thread_prints_in_file_order() {
    let fx = Fixture::empty();
    let words = [
        "pay", "strike", "ballot", "union", "nurses", "rail", "talks",
    ];
    for i in 0..40 {
        let a = words[i % words.len()];
        let b = words[(i * 3 + 1) % words.len()];
        fx.write(
            &format!("docs/{i:02}.txt"),
            format!("Article {i} on {a}\n\nThe {a} {b} story, part {i}. More on {b} here.\n"),
        );
    }
    assert_eq!(fx.run(&["index", "docs"]).status.code(), Some(0));
    // More queries than the workers may run ahead (64), two unusable ones
    // and some that find nothing.
    let mut tsv = String::new();
    let mut qids = Vec::new();
    for i in 0..150 {
        let query = match i {
            5 | 100 => "!!!".to_owned(),
            _ if i % 11 == 0 => "zebra".to_owned(),
            _ => format!("{} {}", words[i % 7], words[(i / 7) % 7]),
        };
        tsv.push_str(&format!("q{i}\t{query}\n"));
        if !matches!(i, 5 | 100) {
            qids.push(format!("q{i}"));
        }
    }
    fx.write("q.tsv", &tsv);
    let batch = |format: &str, threads: &str| {
        run(
            &fx,
            &[
                "search", "--batch", "q.tsv", "--format", format, "-p", "2", "-j", threads,
            ],
        )
    };
    let warnings = "passim: warning: query q5: query \"!!!\" has no words to search for\n\
                    passim: warning: query q100: query \"!!!\" has no words to search for\n";
    let one = batch("trec", "1");
    assert_eq!((one.0, one.2.as_str()), (0, warnings));
    for threads in ["2", "3"] {
        assert_eq!(batch("trec", threads), one, "-j {threads}");
    }
    // JSON, passages included: the same lines but for each query's time.
    let untimed = |out: String| -> Vec<serde_json::Value> {
        out.lines()
            .map(|line| {
                let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
                v.as_object_mut().unwrap().remove("elapsed_ms");
                v
            })
            .collect()
    };
    let (code, json1, err1) = batch("json", "1");
    let (code3, json3, err3) = batch("json", "3");
    assert_eq!((code, err1.as_str()), (0, warnings));
    assert_eq!((code3, err3.as_str()), (0, warnings));
    let (lines1, lines3) = (untimed(json1), untimed(json3));
    assert_eq!(lines1, lines3);
    let summaries: Vec<&str> = lines3
        .iter()
        .filter(|v| v["type"] == "summary")
        .map(|v| v["qid"].as_str().unwrap())
        .collect();
    assert_eq!(summaries, qids);
    assert!(lines3
        .iter()
        .any(|v| v["type"] == "hit" && !passages(v).is_empty()));

    // `--batch -` reads the queries from standard input.
    let out = fx
        .cmd()
        .args(["search", "--batch", "-", "--format", "trec", "-p", "2"])
        .write_stdin(tsv.as_str())
        .output()
        .unwrap();
    assert_eq!((out.status.code(), stdout(&out)), (Some(0), one.1.clone()));
    // A line without a tab names standard input and the line.
    let out = fx
        .cmd()
        .args(["search", "--batch", "-"])
        .write_stdin("q1\tpay\nno tab here\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "passim: <stdin>:2: expected `qid<TAB>query`\n"
    );
}
