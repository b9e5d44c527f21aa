//! Tokens as people type them (issue #12, points 3 and 4): apostrophes,
//! numbers, acronyms, tickers, hyphens, stopword-only queries and accent
//! folding, in the index and the query alike.

use crate::util::*;

/// A fixture with one article per file in `corpus/`, indexed.
fn corpus(articles: &[(&str, &str)]) -> Fixture {
    let fx = Fixture::empty();
    for (name, text) in articles {
        fx.write(&format!("corpus/{name}"), text);
    }
    let out = fx.run(&["index", "corpus"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fx
}

/// Sorted ids and every highlighted word (title and passages) of a search,
/// asserting a clean stderr (no note, no warning).
fn search_clean(fx: &Fixture, query: &str) -> (Vec<String>, Vec<String>) {
    let all = ["search", query, "--json"];
    let out = fx.run(&all);
    assert_eq!(stderr(&out), "", "{query:?}: stderr");
    let (code, hits, _) = parse_json_output(&out, &all);
    assert_eq!(code, 0, "{query:?}: exit code");
    let mut words: Vec<String> = hits
        .iter()
        .flat_map(|h| {
            let mut w = title_highlights(h);
            w.extend(hit_highlights(h));
            w
        })
        .collect();
    words.sort();
    words.dedup();
    (sorted_ids(&hits), words)
}

const ECONOMY: &[(&str, &str)] = &[
    (
        "labour.txt",
        "Party news\n\nLabour's leader met Mr O'Neill. \"We don't agree,\" she said. \
         Labour lost the vote.\n",
    ),
    (
        "money.txt",
        "Budget figures\n\nThe deficit was £7.5bn, or 3.5% of output, and 1,750 jobs went.\n",
    ),
    (
        "small.txt",
        "Small change\n\nThe council saved £5bn over 3 years; inflation was 5%.\n",
    ),
    (
        "us.txt",
        "Trade talks\n\nThe U.S. and the U.K. agreed. Tell us what you think.\n",
    ),
    (
        "ibm.txt",
        "Reuters wire\n\nShares of <IBM> rose as COVID-19 e-mail traffic grew.\n",
    ),
    (
        "accents.txt",
        "Europe diary\n\nGerhard Schröder had a café in München on the Straße; Beyoncé sang.\n",
    ),
    (
        "plain.txt",
        "Plain diary\n\nA cafe in Munchen on the Strasse; Beyonce and Schroder were there.\n",
    ),
];

#[test]
fn apostrophes_are_part_of_words() {
    let fx = corpus(ECONOMY);
    assert_eq!(
        search_clean(&fx, "Labour's"),
        (
            vec!["labour.txt".into()],
            vec!["Labour".into(), "Labour's".into()]
        )
    );
    assert_eq!(
        search_clean(&fx, "O'Neill"),
        (vec!["labour.txt".into()], vec!["O'Neill".into()])
    );
    // `don't` alone is a stopword, searched anyway with a note.
    let out = fx.run(&["search", "don't", "--json"]);
    assert_eq!(
        stderr(&out),
        "passim: note: \"don't\" has only common words (stopwords), which most articles \
         contain; searching for them anyway\n"
    );
    let (_, hits, _) = parse_json_output(&out, &["don't"]);
    assert_eq!(ids(&hits), ["labour.txt"]);
    assert_eq!(hit_highlights(&hits[0]), ["don't"]);
    // A curly apostrophe in the query is the same word.
    assert_eq!(
        search_clean(&fx, "Labour’s"),
        (
            vec!["labour.txt".into()],
            vec!["Labour".into(), "Labour's".into()]
        )
    );
}

#[test]
fn numbers_acronyms_tickers_and_hyphens_search_as_written() {
    let fx = corpus(ECONOMY);
    let one = |id: &str, words: &[&str]| {
        (
            vec![id.to_owned()],
            words.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(search_clean(&fx, "£7.5bn"), one("money.txt", &["7.5bn"]));
    // A decimal number is one word: `£5bn` does not match inside `£7.5bn`.
    assert_eq!(search_clean(&fx, "£5bn"), one("small.txt", &["5bn"]));
    assert_eq!(search_clean(&fx, "3.5%"), one("money.txt", &["3.5"]));
    assert_eq!(search_clean(&fx, "1,750"), one("money.txt", &["1,750"]));
    // `U.S.` is not the stopword `us`, nor the pronoun.
    assert_eq!(search_clean(&fx, "U.S."), one("us.txt", &["U.S."]));
    assert_eq!(search_clean(&fx, "u.k"), one("us.txt", &["U.K."]));
    assert_eq!(search_clean(&fx, "<IBM>"), one("ibm.txt", &["IBM"]));
    assert_eq!(search_clean(&fx, "COVID-19"), one("ibm.txt", &["COVID-19"]));
    assert_eq!(search_clean(&fx, "e-mail"), one("ibm.txt", &["e-mail"]));
}

#[test]
fn a_hyphenated_word_also_finds_its_closed_compound() {
    let fx = corpus(&[
        ("hyphen.txt", "Mail news\n\nThe e-mail arrived late.\n"),
        (
            "closed.txt",
            "Inbox news\n\nHer Email and two emails arrived.\n",
        ),
        ("apart.txt", "Post news\n\nThe e mail and the mail van.\n"),
        (
            "weights.txt",
            "Births\n\nBirthweight was recorded for each birth.\n",
        ),
    ]);
    // `e-mail` is the phrase `e mail` or the word `email`.
    assert_eq!(
        search_clean(&fx, "e-mail"),
        (
            vec!["apart.txt".into(), "closed.txt".into(), "hyphen.txt".into()],
            vec![
                "Email".into(),
                "e mail".into(),
                "e-mail".into(),
                "emails".into()
            ]
        )
    );
    assert_eq!(
        search_clean(&fx, "birth-weight"),
        (vec!["weights.txt".into()], vec!["Birthweight".into()])
    );
    // No closed compound in the index (`mailvan`): the phrase alone.
    assert_eq!(
        search_clean(&fx, "mail-van"),
        (vec!["apart.txt".into()], vec!["mail van".into()])
    );
    // Plain words (--plain, --batch, the API's plain=1) are split at hyphens;
    // the closed compound is searched as one more word where the index has it.
    assert_eq!(
        sorted_ids(&fx.hits(&["--plain", "birth-weight"])),
        ["weights.txt"]
    );
    assert_eq!(
        sorted_ids(&fx.hits(&["--plain", "e-mail"])),
        ["apart.txt", "closed.txt", "hyphen.txt"]
    );
    // Quoted, the hyphenated words are the phrase only.
    assert_eq!(
        search_clean(&fx, "\"e-mail\""),
        (
            vec!["apart.txt".into(), "hyphen.txt".into()],
            vec!["e mail".into(), "e-mail".into()]
        )
    );
}

#[test]
fn accents_fold_both_ways_and_the_original_is_highlighted() {
    let fx = corpus(ECONOMY);
    let both = |words: &[&str]| {
        (
            vec!["accents.txt".to_owned(), "plain.txt".to_owned()],
            words.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        )
    };
    for q in ["cafe", "café", "CAFÉ"] {
        assert_eq!(search_clean(&fx, q), both(&["cafe", "café"]), "{q}");
    }
    for q in ["Schroder", "Schröder"] {
        assert_eq!(search_clean(&fx, q), both(&["Schroder", "Schröder"]), "{q}");
    }
    assert_eq!(search_clean(&fx, "Munchen"), both(&["Munchen", "München"]));
    assert_eq!(search_clean(&fx, "Strasse"), both(&["Strasse", "Straße"]));
    assert_eq!(search_clean(&fx, "straße"), both(&["Strasse", "Straße"]));
    assert_eq!(search_clean(&fx, "Beyonce"), both(&["Beyonce", "Beyoncé"]));
    assert_eq!(
        search_clean(&fx, "\"café in München\""),
        both(&["cafe in Munchen", "café in München"])
    );
}

#[test]
fn a_query_of_only_stopwords_searches_them_with_a_note() {
    let fx = corpus(&[
        ("a.txt", "One\n\nThe cat and the dog and the bird.\n"),
        ("b.txt", "Two\n\nA cat.\n"),
        ("c.txt", "Three\n\nThe end.\n"),
    ]);
    let all = ["search", "the", "--json"];
    let out = fx.run(&all);
    assert_eq!(
        stderr(&out),
        "passim: note: \"the\" has only common words (stopwords), which most articles \
         contain; searching for them anyway\n"
    );
    let (code, hits, _) = parse_json_output(&out, &all);
    assert_eq!(code, 0);
    assert_eq!(
        ids(&hits),
        ["a.txt", "c.txt"],
        "only articles with `the`, most first"
    );
    assert!(hits.iter().all(|h| h["score"].as_f64().unwrap() > 0.0));
    assert_eq!(hit_highlights(&hits[0]), ["The", "the", "the"]);
}

#[test]
fn an_index_from_before_the_token_rules_must_be_rebuilt() {
    let fx = corpus(&[("a.txt", "One\n\nA café.\n")]);
    // An older passim registered its analyzer as `passim_en`: make the
    // index's schema say so, as an index it wrote does.
    let meta = fx.path().join("index/meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let old = text.replace("\"passim_en_fold\"", "\"passim_en\"");
    assert_ne!(old, text, "the schema names the analyzer: {text}");
    std::fs::write(&meta, old).unwrap();
    let out = fx.run(&["search", "cafe"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("incompatible") && err.contains("passim index --rebuild"),
        "{err}"
    );
    let out = fx.run(&["index", "--rebuild", "corpus"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(search_clean(&fx, "cafe").0, ["a.txt"]);
}
