//! Dates, sources and paths: `--since`/`--until`/`--source`/`--path`, the
//! query language's `date:`/`source:`/`path:`, `--sort`, `--facets`, and
//! the file's modification time as the date of an article without one.

use serde_json::Value;

use crate::util::*;

/// Twelve wire stories about cocoa (and two about coffee), dated in the
/// Reuters-21578 shape from February to October 1987, from three sources.
/// `(id, date, source, title)`; every body says "cocoa" as often as its
/// number in `STRENGTH` (so the ranking is known).
pub const STORIES: [(&str, &str, &str, &str); 12] = [
    (
        "r1",
        "26-FEB-1987 15:01:01.79",
        "Reuters",
        "Bahia cocoa review",
    ),
    (
        "r2",
        "2-MAR-1987 09:10:00.00",
        "Reuters",
        "Cocoa grindings rise",
    ),
    (
        "b1",
        "16-MAR-1987 11:00:00.00",
        "BBC News",
        "Cocoa farmers protest",
    ),
    (
        "r3",
        "27-MAR-1987 11:51:33.23C T",
        "Reuters",
        "Cocoa buffer stock talks",
    ),
    ("a1", "8-APR-1987 08:00:00.00", "AP", "Cocoa prices fall"),
    (
        "b2",
        "21-APR-1987 17:30:00.00",
        "BBC News",
        "Cocoa harvest late",
    ),
    (
        "r4",
        "5-MAY-1987 12:00:00.00",
        "Reuters",
        "Cocoa pact signed",
    ),
    ("a2", "30-JUN-1987 23:59:59.00", "AP", "Cocoa exports up"),
    (
        "r5",
        "1-JUL-1987 00:00:00.00",
        "Reuters",
        "Cocoa council meets",
    ),
    (
        "b3",
        "14-AUG-1987 10:00:00.00",
        "BBC News",
        "Cocoa smuggling",
    ),
    (
        "r6",
        "2-SEP-1987 10:00:00.00",
        "Reuters",
        "Cocoa futures steady",
    ),
    (
        "a3",
        "19-OCT-1987 16:00:00.00",
        "AP",
        "Cocoa after the crash",
    ),
];

/// How many times each story's body says "cocoa" (higher ranks first).
const STRENGTH: [usize; 12] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/// A fixture with `wire.jsonl` (the stories, plus two coffee stories, one
/// without a date or source) indexed into `idx/`.
pub fn wire_fixture() -> Fixture {
    let fx = Fixture::empty();
    let mut lines = String::new();
    for ((id, date, source, title), n) in STORIES.iter().zip(STRENGTH) {
        let body = format!(
            "{} The {source} desk filed this story about the market.",
            "Cocoa traders met. ".repeat(n)
        );
        let line = serde_json::json!({"id": id, "title": title, "body": body, "date": date, "source": source});
        lines.push_str(&format!("{line}\n"));
    }
    lines.push_str(
        r#"{"id":"c1","title":"Coffee talks","body":"Coffee producers met in London.","date":"3-MAR-1987 10:00:00.00","source":"Reuters"}"#,
    );
    lines.push('\n');
    lines.push_str(
        r#"{"id":"c2","title":"Coffee rally","body":"Coffee prices rallied on frost fears."}"#,
    );
    lines.push('\n');
    fx.write("wire.jsonl", lines);
    // The coffee story without a date gets the file's: 2024-01-15.
    set_mtime(&fx.path().join("wire.jsonl"), SEED_MTIME_SECS);
    let out = fx.run(&["index", "--index", "idx", "wire.jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fx
}

fn search(fx: &Fixture, args: &[&str]) -> (Vec<Value>, Value) {
    let mut all = vec!["--index", "idx"];
    if !args.contains(&"-n") {
        all.extend(["-n", "50"]);
    }
    all.extend_from_slice(args);
    let (code, hits, summary) = fx.search(&all);
    assert!(
        code == 0 || (code == 1 && hits.is_empty()),
        "{args:?}: exit {code}"
    );
    (hits, summary)
}

fn dates(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["date"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn since_and_until_keep_only_articles_in_range() {
    let fx = wire_fixture();
    let (hits, summary) = search(&fx, &["cocoa", "--since", "1987-04", "--until", "1987-06"]);
    assert_eq!(sorted_ids(&hits), ["a1", "a2", "b2", "r4"]);
    assert_eq!(summary["total_hits"], 4);
    for d in dates(&hits) {
        assert!(("1987-04-01".."1987-07-01").contains(&d.as_str()), "{d}");
    }
    // The best first, as without the filter.
    assert_eq!(ids(&hits), ["a2", "r4", "b2", "a1"]);
    // A filtered search returns the best N that pass, not the passing part
    // of the best N: the top 2 of the whole search are a3 and r6 (October,
    // September), outside the range.
    let (hits, summary) = search(&fx, &["cocoa", "--until", "1987-03-20", "-n", "2"]);
    assert_eq!(ids(&hits), ["b1", "r2"]);
    assert_eq!(summary["total_hits"], 3);
    // The Reuters date with stray letters after its seconds is read.
    let (hits, _) = search(
        &fx,
        &["cocoa", "--since", "1987-03-27", "--until", "1987-03-27"],
    );
    assert_eq!(ids(&hits), ["r3"]);
    assert_eq!(hits[0]["date"], "1987-03-27T11:51:33");
}

#[test]
fn the_query_language_filters_by_date_and_source() {
    let fx = wire_fixture();
    let q = |query: &str| sorted_ids(&search(&fx, &[query]).0);
    assert_eq!(q("cocoa date:1987-03"), ["b1", "r2", "r3"]);
    assert_eq!(q("cocoa date:>=1987-09"), ["a3", "r6"]);
    assert_eq!(q("cocoa date:>1987-08 date:<1987-10"), ["r6"]);
    assert_eq!(q("cocoa date:[1987-06 TO 1987-07]"), ["a2", "r5"]);
    assert_eq!(q("cocoa source:bbc"), ["b1", "b2", "b3"]);
    assert_eq!(
        q("cocoa source:\"bbc news\" source:ap"),
        ["a1", "a2", "a3", "b1", "b2", "b3"]
    );
    assert_eq!(q("cocoa -source:reuters -source:ap"), ["b1", "b2", "b3"]);
    // Only filters: every article that passes them.
    assert_eq!(q("source:reuters date:1987-03"), ["c1", "r2", "r3"]);
    // Words ranked as usual inside the filter; highlights are the words only.
    let (hits, _) = search(&fx, &["cocoa source:ap"]);
    assert_eq!(ids(&hits), ["a3", "a2", "a1"]);
    assert_eq!(hit_highlights(&hits[0])[0].to_lowercase(), "cocoa");
    // --source and the query's source: both hold.
    assert_eq!(
        sorted_ids(&search(&fx, &["cocoa date:1987-04", "--source", "bbc"]).0),
        ["b2"]
    );
    assert!(search(&fx, &["cocoa", "--source", "new"]).0.is_empty());
    assert_eq!(
        sorted_ids(&search(&fx, &["cocoa", "--source", "news"]).0),
        ["b1", "b2", "b3"]
    );
}

#[test]
fn a_search_the_filters_leave_empty_says_so_and_counts_what_they_took() {
    let fx = wire_fixture();
    let out = fx.run(&["search", "--index", "idx", "cocoa", "--source", "xinhua"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr(&out),
        "passim: no articles match \"cocoa\" and the filter (source xinhua); 12 match without it\n"
    );
    // The query's own filters count too, each named; one match is "matches".
    let out = fx.run(&[
        "search",
        "--index",
        "idx",
        "cocoa council date:1986",
        "--source",
        "reuters",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "passim: no articles match \"cocoa council date:1986\" and the filters \
         (source reuters; dated from 1986-01-01, before 1987-01-01); 12 match without them\n"
    );
    let out = fx.run(&["search", "--index", "idx", "frost", "--until", "2000"]);
    assert_eq!(
        stderr(&out),
        "passim: no articles match \"frost\" and the filter (dated before 2001-01-01); \
         1 matches without it\n"
    );
    // JSON: the count, in the summary.
    let (code, hits, summary) = fx.search(&[
        "--index",
        "idx",
        "cocoa",
        "-source:reuters",
        "--source",
        "reuters",
    ]);
    assert_eq!((code, hits.len()), (1, 0));
    assert_eq!(summary["unfiltered_hits"], 12);
    // Words that match nothing anyway: no count, in either form.
    let out = fx.run(&["search", "--index", "idx", "zebra", "--source", "xinhua"]);
    assert_eq!(stderr(&out), "passim: no articles match \"zebra\"\n");
    let (_, _, summary) = fx.search(&["--index", "idx", "zebra", "--source", "xinhua"]);
    assert!(summary.get("unfiltered_hits").is_none(), "{summary}");
    // Hits found: no count either.
    let (_, hits, summary) = fx.search(&["--index", "idx", "cocoa", "--source", "ap"]);
    assert_eq!(hits.len(), 3);
    assert!(summary.get("unfiltered_hits").is_none(), "{summary}");
}

#[test]
fn sort_by_date_orders_hits_oldest_or_newest_first() {
    let fx = wire_fixture();
    let (hits, _) = search(&fx, &["cocoa", "--sort", "date"]);
    let want: Vec<&str> = STORIES.iter().map(|s| s.0).collect();
    assert_eq!(ids(&hits), want);
    let d = dates(&hits);
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    let (hits, _) = search(&fx, &["cocoa", "--sort", "-date", "-n", "3"]);
    assert_eq!(ids(&hits), ["a3", "r6", "b3"]);
    // Undated last either way: c2's date is the file's (2024), so by date it
    // is the newest.
    let (hits, _) = search(&fx, &["coffee", "--sort", "-date"]);
    assert_eq!(ids(&hits), ["c2", "c1"]);
    assert_eq!(hits[0]["date_from"], "file");
}

#[test]
fn facets_count_sources_and_years_and_add_up_to_the_total() {
    let fx = wire_fixture();
    let (_, summary) = search(&fx, &["cocoa OR coffee", "--facets", "-n", "1"]);
    assert_eq!(summary["total_hits"], 14);
    let facets = &summary["facets"];
    assert_eq!(
        facets["source"],
        serde_json::json!([
            {"value": "Reuters", "count": 7},
            {"value": "AP", "count": 3},
            {"value": "BBC News", "count": 3},
            {"value": null, "count": 1}
        ])
    );
    assert_eq!(
        facets["year"],
        serde_json::json!([{"value": 1987, "count": 13}, {"value": 2024, "count": 1}])
    );
    for list in ["source", "year"] {
        let sum: u64 = facets[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["count"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, 14, "{list}");
    }
    // Facets follow the filter.
    let (_, summary) = search(&fx, &["cocoa", "--since", "1987-08", "--facets"]);
    assert_eq!(
        summary["facets"]["source"],
        serde_json::json!([
            {"value": "AP", "count": 1},
            {"value": "BBC News", "count": 1},
            {"value": "Reuters", "count": 1}
        ])
    );
    // In the terminal: two lines after the count line.
    let out = fx.run(&[
        "search", "--index", "idx", "--color", "never", "-n", "1", "-p", "0", "--facets", "cocoa",
        "--source", "bbc",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let tail: Vec<&str> = text.lines().rev().take(2).collect();
    assert_eq!(tail, ["years: 1987 3", "sources: BBC News 3"]);
}

#[test]
fn an_article_without_a_date_is_dated_by_its_file_and_says_so() {
    let fx = Fixture::with_seeds();
    let out = fx.run(&["index", "--index", "idx", "seeds"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (hits, _) = search(&fx, &["strike"]);
    assert_eq!(hits.len(), 2);
    for h in &hits {
        assert_eq!(h["date"], "2024-01-15T12:00:00Z");
        assert_eq!(h["date_from"], "file");
    }
    assert_eq!(search(&fx, &["strike", "--since", "2024-01-15"]).0.len(), 2);
    assert!(search(&fx, &["strike", "--until", "2024-01-14"])
        .0
        .is_empty());
    let out = fx.run(&[
        "search",
        "--index",
        "idx",
        "--color",
        "never",
        "-p",
        "0",
        "second day",
    ]);
    let first = stdout(&out).lines().nth(1).unwrap_or("").to_owned();
    assert_eq!(
        first,
        format!("   seeds/{BBC} · modified {SEED_DAY}  score 2.45")
    );
}

#[test]
fn path_globs_filter_by_file_name_or_folder() {
    let fx = Fixture::empty();
    fx.write("notes/pay.md", "Pay talks\nThe pay talks resumed.\n");
    fx.write("news/pay.txt", "Pay deal\nA pay deal was agreed.\n");
    fx.write("news/old/pay.txt", "Pay freeze\nA pay freeze began.\n");
    let out = fx.run(&["index", "--index", "idx", "notes", "news"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let q = |args: &[&str]| sorted_ids(&search(&fx, args).0);
    assert_eq!(q(&["pay", "--path", "*.md"]), ["pay.md"]);
    assert_eq!(q(&["pay", "--path", "news/*.txt"]), ["pay.txt"]);
    assert_eq!(q(&["pay", "--path", "news/**"]), ["old/pay.txt", "pay.txt"]);
    assert_eq!(q(&["pay -path:*.md"]), ["old/pay.txt", "pay.txt"]);
    assert_eq!(
        q(&["pay path:*.md", "--path", "*.txt"]),
        Vec::<String>::new()
    );
}

#[test]
fn bad_filter_values_are_one_line_errors_with_exit_2() {
    let fx = wire_fixture();
    let cases: [(&[&str], &str); 5] = [
        (
            &["cocoa", "--since", "yesterday"],
            "passim: --since \"yesterday\" is not a date: use 2023, 2023-05, 2023-05-04, or a span back from now such as 7d, 3m or 1y\n",
        ),
        (
            &["cocoa", "--until", "1987-13"],
            "passim: --until \"1987-13\" is not a date: use 2023, 2023-05, 2023-05-04, or a span back from now such as 7d, 3m or 1y\n",
        ),
        (
            &["cocoa date:soon"],
            "passim: date:soon is not a date: use 2023, 2023-05, 2023-05-04, or a span back from now such as 7d, 3m or 1y\n",
        ),
        (
            &["(cocoa source:ap) OR coffee"],
            "passim: date:, source: and path: filter the whole query: write them outside parentheses\n",
        ),
        (
            &["cocoa", "--source", "!!"],
            "passim: source \"!!\" has no letters or digits to match\n",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["search", "--index", "idx"];
        all.extend_from_slice(args);
        let out = fx.run(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out), want, "{args:?}");
        assert!(out.stdout.is_empty());
    }
    let out = fx.run(&["search", "--index", "idx", "cocoa", "--path", "a[b"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("passim: path glob \"a[b\" is not valid"),
        "{}",
        stderr(&out)
    );
    let out = fx.run(&["search", "--index", "idx", "cocoa", "--sort", "sideways"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("must be relevance, date (oldest first) or -date (newest first)"));
}

#[test]
fn web_pages_and_mail_carry_their_metadata_into_hits_and_filters() {
    let fx = Fixture::empty();
    fx.write(
        "saved/nurses.html",
        r#"<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Nurses vote to strike over pay | The Guardian</title>
<meta property="og:site_name" content="The Guardian">
<meta property="article:published_time" content="2023-05-04T10:30:00+01:00">
<meta name="author" content="Jane Smith">
<link rel="canonical" href="https://example.com/nurses">
</head><body><nav>Home News Sport</nav><article><h1>Nurses vote to strike over pay</h1>
<p>Nurses in England have voted to strike over pay, the union said on Thursday.</p>
<p>The ballot closed last week with a turnout above the legal threshold.</p></article>
<footer>Cookies policy</footer></body></html>"#,
    );
    fx.write(
        "saved/digest.eml",
        "From: Weekly Digest <news@lists.digest.example.org>\r\nSubject: Pay talks resume\r\n\
         Date: Tue, 9 Jan 2024 08:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Pay talks between the union and employers resumed on Tuesday after a month's pause.\r\n",
    );
    let out = fx.run(&["index", "--index", "idx", "saved"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (hits, _) = search(&fx, &["pay", "--source", "guardian"]);
    assert_eq!(ids(&hits), ["nurses.html"]);
    let h = &hits[0];
    assert_eq!(h["date"], "2023-05-04T10:30:00+01:00");
    assert!(h.get("date_from").is_none());
    assert_eq!(h["source"], "The Guardian");
    assert_eq!(h["author"], "Jane Smith");
    assert_eq!(h["url"], "https://example.com/nurses");
    assert_eq!(h["language"], "en-GB");
    // The page's offset counts: 10:30+01:00 is 09:30 UTC, on 4 May.
    assert_eq!(
        ids(&search(&fx, &["pay date:2023-05-04"]).0),
        ["nurses.html"]
    );
    let (hits, summary) = search(&fx, &["pay", "--since", "2024", "--facets"]);
    assert_eq!(ids(&hits), ["digest.eml"]);
    assert_eq!(hits[0]["author"], "Weekly Digest");
    assert_eq!(
        summary["facets"]["source"],
        serde_json::json!([{"value": "lists.digest.example.org", "count": 1}])
    );
    // Whole words of a domain: `example.org` is a source's words, `ample` is not.
    assert_eq!(
        ids(&search(&fx, &["pay", "--source", "example.org"]).0),
        ["digest.eml"]
    );
    assert!(search(&fx, &["pay", "--source", "ample"]).0.is_empty());
    let out = fx.run(&[
        "search", "--index", "idx", "--color", "never", "-p", "0", "--sort", "-date", "pay",
    ]);
    let lines: Vec<String> = stdout(&out)
        .lines()
        .filter(|l| l.starts_with("   saved/"))
        .map(|l| l.split("  score").next().unwrap_or(l).to_owned())
        .collect();
    assert_eq!(
        lines,
        [
            "   saved/digest.eml · 2024-01-09T08:00:00Z · lists.digest.example.org · Weekly Digest",
            "   saved/nurses.html · 2023-05-04T10:30:00+01:00 · The Guardian · Jane Smith"
        ]
    );
}
