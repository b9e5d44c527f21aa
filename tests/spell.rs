//! "Did you mean" and duplicate articles (issue #12, points 5 and 7), run
//! as the real binary on small folders: a misspelled word gets a suggestion
//! on stderr and in the JSON summary; a query that matches nothing is
//! searched again with its suggestions, saying so; articles with the same
//! body are one hit that lists the others.

use crate::util::*;
use serde_json::{json, Value};

const MAC_BODY: &str = "Apple has unveiled a new, low-cost Macintosh computer for the masses, \
     billed as the Mac mini. It goes on sale in January for $499 in the US.";

/// Three budget articles (the word government, never goverment), a weather
/// one, and two articles with one body under different headlines.
fn fixture() -> Fixture {
    let fx = Fixture::empty();
    for day in 1..=3 {
        fx.write(
            &format!("docs/gov{day}.txt"),
            format!(
                "Budget day {day}\n\nThe government will set out its spending plans \
                 and the government budget on day {day}.\n"
            ),
        );
    }
    fx.write(
        "docs/weather.txt",
        "Weather\n\nRain is expected across the north on Tuesday.\n",
    );
    fx.write(
        "docs/dup/one.txt",
        format!("Apple unveils Mac mini\n\n{MAC_BODY}\n"),
    );
    // The same body, wrapped differently: still a copy.
    fx.write(
        "docs/dup/two.txt",
        format!(
            "Cheap Mac from Apple\n\n{}\n\n",
            MAC_BODY.replace(", billed", ",\nbilled")
        ),
    );
    let out = fx.run(&["index", "docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fx
}

fn suggestions(summary: &Value) -> &Value {
    &summary["suggestions"]
}

#[test]
fn a_misspelled_word_beside_a_matching_one_gets_a_suggestion() {
    let fx = fixture();
    let out = fx.run(&["search", "goverment rain"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr(&out),
        "passim: did you mean \"government rain\"?\n",
        "the query as typed still ran"
    );
    assert!(stdout(&out).starts_with("1. Weather\n"), "{}", stdout(&out));

    let (code, hits, summary) = fx.search(&["goverment rain"]);
    assert_eq!(code, 0);
    assert_eq!(ids(&hits), ["weather.txt"]);
    assert_eq!(
        suggestions(&summary),
        &json!([{"word": "goverment", "suggestion": "government"}])
    );
    assert_eq!(summary["did_you_mean"], "government rain");
    assert!(summary.get("corrected_query").is_none(), "{summary}");
}

#[test]
fn a_query_that_matches_nothing_is_searched_with_the_suggestion() {
    let fx = fixture();
    let out = fx.run(&["search", "Goverment"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr(&out),
        "passim: no articles match \"Goverment\"; showing results for \"Government\"\n"
    );
    let (code, hits, summary) = fx.search(&["Goverment"]);
    assert_eq!(code, 0);
    assert_eq!(sorted_ids(&hits), ["gov1.txt", "gov2.txt", "gov3.txt"]);
    assert_eq!(summary["query"], "Goverment");
    assert_eq!(summary["corrected_query"], "Government");
    assert_eq!(summary["total_hits"], 3);
    assert_eq!(
        suggestions(&summary),
        &json!([{"word": "Goverment", "suggestion": "Government"}])
    );
    for hit in &hits {
        assert_eq!(hit_highlights(hit), ["government", "government"]);
    }
}

#[test]
fn words_the_index_knows_and_words_with_no_neighbour_get_no_suggestion() {
    let fx = fixture();
    let (code, _, summary) = fx.search(&["government budget"]);
    assert_eq!(code, 0);
    assert!(summary.get("suggestions").is_none(), "{summary}");
    assert!(summary.get("did_you_mean").is_none(), "{summary}");

    let out = fx.run(&["search", "zyxwvut"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).contains("did you mean"), "{}", stderr(&out));
    // An excluded or prefixed word is not corrected.
    let (_, _, summary) = fx.search(&["rain -goverment"]);
    assert!(summary.get("suggestions").is_none(), "{summary}");
}

#[test]
fn articles_with_the_same_body_are_one_hit_with_also_in() {
    let fx = fixture();
    let (code, hits, summary) = fx.search(&["macintosh"]);
    assert_eq!(code, 0);
    assert_eq!(hits.len(), 1, "{hits:?}");
    // Both articles match; the copy is counted but shown once.
    assert_eq!(summary["total_hits"], 2);
    let shown = hits[0]["id"].as_str().unwrap_or_default();
    let other = if shown == "dup/one.txt" {
        "dup/two.txt"
    } else {
        "dup/one.txt"
    };
    assert_eq!(
        hits[0]["also_in"],
        json!([{"id": other, "path": format!("docs/{other}")}])
    );

    let out = fx.run(&["search", "macintosh"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[2], format!("   also in: docs/{other}"), "{text}");

    // Articles that do not share a body have no `also_in`, and a page of
    // hits still holds `--limit` distinct articles.
    let (_, hits, _) = fx.search(&["apple OR government", "-n", "4"]);
    assert_eq!(hits.len(), 4, "{hits:?}");
    let with_copies: Vec<&Value> = hits.iter().filter(|h| h.get("also_in").is_some()).collect();
    assert_eq!(with_copies.len(), 1, "{hits:?}");
}
