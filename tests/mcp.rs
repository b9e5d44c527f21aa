//! `passim mcp` end to end, driven by a real MCP client: the official Python
//! SDK (`mcp` on PyPI), which `scripts/test` installs into `target/py` and
//! names in `PASSIM_MCP_PYTHON`. `tests/mcp_client.py` starts the server on
//! an index of the seeds, lists the tools, searches for `ballot`, shows the
//! hit, and makes calls that must fail; this test checks every answer.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::{seed_body, slice, Fixture, BBC};

/// The venv's python, from `scripts/test`. Without it the test fails, saying
/// how to get it, unless `PASSIM_SKIP_MCP=1` asks to skip it (as
/// `PASSIM_SKIP_BROWSER=1` does the browser test).
fn python() -> Option<String> {
    match std::env::var("PASSIM_MCP_PYTHON") {
        Ok(python) if Path::new(&python).exists() => Some(python),
        Ok(python) => panic!(
            "PASSIM_MCP_PYTHON={python} does not exist: run scripts/test, which installs \
             the MCP Python SDK into target/py"
        ),
        Err(_) if std::env::var("PASSIM_SKIP_MCP").is_ok_and(|v| v == "1") => {
            eprintln!("mcp: skipped (PASSIM_SKIP_MCP=1)");
            None
        }
        Err(_) => panic!(
            "the MCP end-to-end test needs the MCP Python SDK: run scripts/test (it installs \
             it into target/py and sets PASSIM_MCP_PYTHON), or set PASSIM_SKIP_MCP=1 to skip it"
        ),
    }
}

/// Runs the Python client against `passim mcp --index INDEX` and returns its report.
fn client_report(python: &str, fx: &Fixture) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp_client.py");
    let home = fx.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new(python)
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_passim"))
        .arg(fx.path().join("index"))
        .current_dir(fx.path())
        // No user config file can reach the server: HOME is an empty folder.
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &home)
        .output()
        .expect("run tests/mcp_client.py");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "mcp_client.py failed ({}): {stderr}",
        out.status
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("mcp_client.py printed no JSON ({e}): {stderr}"))
}

/// A tool answer that succeeded: its structured content, checked to be the
/// same JSON as its text.
fn structured(answer: &Value) -> &Value {
    assert_eq!(answer["is_error"], false, "{answer}");
    let text: Value = serde_json::from_str(answer["text"][0].as_str().expect("text content"))
        .expect("text content is JSON");
    assert_eq!(
        text, answer["structured"],
        "text and structured content differ"
    );
    &answer["structured"]
}

/// A tool answer that failed: its one message.
fn tool_error(answer: &Value) -> &str {
    assert_eq!(answer["is_error"], true, "{answer}");
    assert_eq!(answer["structured"], Value::Null, "{answer}");
    answer["text"][0].as_str().expect("error text")
}

#[test]
fn a_real_mcp_client_searches_and_shows_the_seeds() {
    let Some(python) = python() else { return };
    let fx = Fixture::indexed();
    let report = client_report(&python, &fx);

    assert_eq!(report["server"]["name"], "passim");
    let instructions = report["server"]["instructions"].as_str().unwrap();
    assert!(instructions.contains("Use `search`"), "{instructions}");

    // The three tools, each with a description and a schema of its arguments.
    let tools = report["tools"].as_object().unwrap();
    let names: Vec<&str> = tools.keys().map(String::as_str).collect();
    assert_eq!(names, ["search", "show", "stats"]);
    let search_schema = &tools["search"]["input_schema"];
    assert_eq!(search_schema["required"], serde_json::json!(["query"]));
    let mut args: Vec<&str> = search_schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    args.sort();
    assert_eq!(
        args,
        [
            "facets", "limit", "offset", "passages", "paths", "plain", "query", "since", "sort",
            "sources", "until"
        ]
    );
    assert_eq!(search_schema["properties"]["limit"]["maximum"], 100);
    assert_eq!(search_schema["properties"]["query"]["type"], "string");
    assert_eq!(
        tools["show"]["input_schema"]["required"],
        serde_json::json!(["id"])
    );
    for (name, tool) in tools {
        let description = tool["description"].as_str().unwrap();
        assert!(description.len() > 80, "{name}: {description}");
    }
    assert!(tools["search"]["description"]
        .as_str()
        .unwrap()
        .contains("byte offset"));

    // search ballot: the BBC article, one passage with `ballot` highlighted,
    // whose offset points into the article's body.
    let search = structured(&report["search"]);
    let hits = search["hits"].as_array().unwrap();
    let ids: Vec<&str> = hits.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [BBC]);
    assert_eq!(search["summary"]["total_hits"], 1);
    assert_eq!(search["summary"]["query"], "ballot");
    let hit = &hits[0];
    assert_eq!(hit["path"], format!("seeds/{BBC}"));
    assert_eq!(hit["rank"], 1);
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    let passages = hit["passages"].as_array().unwrap();
    assert_eq!(passages.len(), 1);
    let passage = &passages[0];
    let text = passage["text"].as_str().unwrap();
    assert_eq!(passage["offset"], 1304);
    assert!(text.starts_with("\"In fact, according to the verified figures"));
    let body = seed_body(BBC);
    assert_eq!(&body[1304..1304 + text.len()], text);
    let words: Vec<&str> = passage["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| slice(text, h))
        .collect();
    assert_eq!(words, ["ballot"]);
    assert_eq!(passage["highlights"][0]["start"], 100);

    // The hit is the same JSON as `passim search --json` writes.
    let cli_hits = fx.hits(&["ballot", "-n", "5", "-p", "2"]);
    assert_eq!(cli_hits.len(), 1);
    assert_eq!(&cli_hits[0], hit);

    // show the hit with the query: the whole body, `ballot` at 1304 + 100.
    let show = structured(&report["show"]);
    assert_eq!(show["id"], BBC);
    assert_eq!(show["query"], "ballot");
    assert_eq!(show["body"].as_str().unwrap(), body);
    let highlights: Vec<(u64, u64)> = show["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["start"].as_u64().unwrap(), h["end"].as_u64().unwrap()))
        .collect();
    assert_eq!(highlights, [(1404, 1410)]);
    assert_eq!(&body[1404..1410], "ballot");
    assert_eq!(show["paragraphs"].as_array().unwrap().len(), 16);

    let stats = structured(&report["stats"]);
    assert_eq!(stats["articles"], 2);
    assert_eq!(stats["roots"][0]["articles"], 2);

    // Errors are answers carrying passim's message; the server goes on.
    assert_eq!(
        tool_error(&report["show_unknown"]),
        "no article with id \"no-such-article\""
    );
    assert_eq!(
        tool_error(&report["search_bad_limit"]),
        "limit must be a whole number from 1 to 100"
    );
    assert_eq!(
        tool_error(&report["search_bad_query"]),
        "query \"!!!\" has no words to search for"
    );
    assert_eq!(
        tool_error(&report["search_wrong_type"]),
        "failed to deserialize parameters: invalid type: string \"many\", expected u64"
    );
    let again = structured(&report["search_after_errors"]);
    assert_eq!(again["hits"][0]["id"], BBC);
    assert_eq!(again["hits"][0]["passages"], serde_json::json!([]));
}
