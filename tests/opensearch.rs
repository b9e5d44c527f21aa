//! OpenSearch: `passim export`, `passim push`, `search --backend` and
//! `serve --backend`.
//!
//! The end-to-end tests run against osmem-server (PyPI `osmem-server`, an
//! in-memory server implementing the OpenSearch REST API), which
//! `scripts/test` installs into `target/py` and names in
//! `PASSIM_OSMEM_SERVER`; each test starts its own on a free loopback port.
//! Without it they fail, saying how to get it, unless
//! `PASSIM_SKIP_OPENSEARCH=1` asks to skip them. The failure cases (server
//! down, 401, 429 then success, a partly failed bulk reply) run against a
//! small fake server in this file and need nothing.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::util::{stderr, stdout, Fixture};

// ---------------------------------------------------------------------------
// osmem-server
// ---------------------------------------------------------------------------

/// The osmem-server binary, from `scripts/test`; see the module's documentation.
fn osmem_binary() -> Option<String> {
    match std::env::var("PASSIM_OSMEM_SERVER") {
        Ok(bin) if Path::new(&bin).exists() => Some(bin),
        Ok(bin) => panic!(
            "PASSIM_OSMEM_SERVER={bin} does not exist: run scripts/test, which installs \
             osmem-server into target/py"
        ),
        Err(_) if std::env::var("PASSIM_SKIP_OPENSEARCH").is_ok_and(|v| v == "1") => {
            eprintln!("opensearch: skipped (PASSIM_SKIP_OPENSEARCH=1)");
            None
        }
        Err(_) => panic!(
            "the OpenSearch tests need osmem-server: run scripts/test (it installs it into \
             target/py and sets PASSIM_OSMEM_SERVER), or set PASSIM_SKIP_OPENSEARCH=1 to skip them"
        ),
    }
}

/// A running osmem-server; it exits when its stdin closes, and is killed when dropped.
struct Osmem {
    child: Child,
    /// `http://127.0.0.1:PORT`
    url: String,
}

impl Osmem {
    fn start() -> Option<Osmem> {
        let bin = osmem_binary()?;
        let mut child = Command::new(bin)
            .args(["--addr", "127.0.0.1:0", "--no-ja"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start osmem-server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("osmem-server's first line");
        let ready: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("osmem-server said {line:?}, not its JSON ({e})"));
        let url = ready["url"].as_str().expect("url").to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Some(Osmem { child, url })
    }

    fn index(&self, name: &str) -> String {
        format!("{}/{name}", self.url)
    }
}

impl Drop for Osmem {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A generated corpus: `n` articles of a small vocabulary, some with
/// sources and dates, written as JSON Lines to `corpus/generated.jsonl`.
fn generated_corpus(fx: &Fixture, n: usize) {
    let words = [
        "pay",
        "strike",
        "union",
        "ballot",
        "nurses",
        "rail",
        "workers",
        "talks",
        "offer",
        "inflation",
        "energy",
        "prices",
        "bank",
        "rates",
        "warehouse",
        "pension",
        "teachers",
        "doctors",
        "government",
        "minister",
        "budget",
        "wages",
        "hospital",
        "train",
        "airport",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m as u64) as usize
    };
    let mut out = String::new();
    for i in 0..n {
        let title: Vec<&str> = (0..3 + next(3)).map(|_| words[next(words.len())]).collect();
        let mut paragraphs = Vec::new();
        for _ in 0..2 + next(3) {
            let mut sentences = Vec::new();
            for _ in 0..2 + next(3) {
                let s: Vec<&str> = (0..6 + next(8)).map(|_| words[next(words.len())]).collect();
                let mut s = s.join(" ");
                s[..1].make_ascii_uppercase();
                sentences.push(format!("{s}."));
            }
            paragraphs.push(sentences.join(" "));
        }
        let mut article = serde_json::json!({
            "id": format!("gen-{i:04}"),
            "title": title.join(" "),
            "body": paragraphs.join("\n\n"),
        });
        if i % 3 == 0 {
            article["source"] = Value::from(["BBC News", "The Guardian", "Reuters"][i % 9 / 3]);
        }
        if i % 2 == 0 {
            article["date"] =
                Value::from(format!("20{:02}-0{}-1{}", 19 + i % 5, 1 + i % 9, i % 10));
        }
        out.push_str(&article.to_string());
        out.push('\n');
    }
    fx.write("corpus/generated.jsonl", out);
}

/// The seeds and a generated corpus, indexed, and pushed to `url`.
fn pushed(url: &str) -> Fixture {
    let fx = Fixture::with_seeds();
    generated_corpus(&fx, 300);
    let out = fx.run(&["index", "seeds", "corpus", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = fx.run(&["push", url]);
    assert_eq!(out.status.code(), Some(0), "push: {}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("passim: pushed 302 articles to {url} in 1 request\n")
    );
    fx
}

/// A hit without what depends on the ranking engine (score, rank).
fn unranked(hit: &Value) -> Value {
    let mut hit = hit.clone();
    let obj = hit.as_object_mut().expect("hit object");
    obj.remove("score");
    obj.remove("rank");
    hit
}

/// Hits by id, unranked.
fn by_id(hits: &[Value]) -> BTreeMap<String, Value> {
    hits.iter()
        .map(|h| (h["id"].as_str().expect("id").to_owned(), unranked(h)))
        .collect()
}

#[test]
fn search_through_osmem_finds_the_local_articles_with_the_same_passages() {
    let Some(os) = Osmem::start() else { return };
    let url = os.index("articles");
    let fx = pushed(&url);
    // Each query matches fewer than 400 articles, so both sides return all
    // of them: the same set, whatever the order.
    let queries = [
        "pay",
        "\"pay rise\"",
        "amazon -wednesday",
        "title:amazon",
        "strik*",
        "+union +ballot",
        "nurses AND (rail OR train)",
        "pay^3 hospital",
        "\"warehouse workers\"~2",
        "pension source:guardian",
        "budget date:2021",
        "the union",
    ];
    for q in queries {
        let args = ["-n", "400", q];
        let local = fx.hits(&args);
        let remote = fx.hits(&["--backend", &url, "-n", "400", q]);
        assert!(!local.is_empty(), "{q}: the local search finds something");
        let (local, remote) = (by_id(&local), by_id(&remote));
        assert_eq!(
            local.keys().collect::<Vec<_>>(),
            remote.keys().collect::<Vec<_>>(),
            "{q}: the same articles"
        );
        for (id, hit) in &local {
            assert_eq!(
                hit, &remote[id],
                "{q}: the same hit JSON (passages, highlights) for {id}"
            );
        }
    }
    // The summary counts the matches as locally.
    let (_, _, local) = fx.search(&["-n", "3", "pay"]);
    let (code, hits, remote) = fx.search(&["--backend", &url, "-n", "3", "pay"]);
    assert_eq!(code, 0);
    assert_eq!(hits.len(), 3);
    assert_eq!(remote["total_hits"], local["total_hits"]);
    // The terminal output names the same articles with the same passages.
    let text = stdout(&fx.run(&[
        "search",
        "--backend",
        &url,
        "--color",
        "never",
        "amazon",
        "-n",
        "1",
    ]));
    assert!(text.contains("Amazon"), "{text}");
    // Nothing matches: exit 1, as locally.
    let out = fx.run(&["search", "--backend", &url, "zyzzyva"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stderr(&out), "passim: no articles match \"zyzzyva\"\n");
    // A query passim refuses is refused before anything is sent.
    let out = fx.run(&["search", "--backend", &url, "-pay"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("only excludes words"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn push_again_resumes_and_deletes_what_the_index_no_longer_has() {
    let Some(os) = Osmem::start() else { return };
    let url = os.index("news");
    let fx = pushed(&url);
    let count = |q: &str| {
        let (_, _, summary) = fx.search(&["--backend", &url, q]);
        summary["total_hits"].as_u64().expect("total_hits")
    };
    let all = count("pay OR strike OR union OR nurses OR amazon");
    // Remove the generated corpus: a second push leaves the seeds only.
    let out = fx.run(&["index", "--remove", "corpus"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = fx.run(&["push", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pushed 2 articles")
            && stderr(&out).contains("deleted 300 that the index no longer has"),
        "{}",
        stderr(&out)
    );
    assert!(all > 2, "{all}");
    assert_eq!(count("pay OR strike OR union OR nurses OR amazon"), 2);
}

#[test]
fn serve_backend_answers_the_api_from_the_cluster() {
    let Some(os) = Osmem::start() else { return };
    let url = os.index("articles");
    let fx = pushed(&url);
    let server = crate::serve::Server::start(&fx, &["--backend", &url]);
    let (status, body) = server.json("/api/search?q=amazon&limit=5");
    assert_eq!(status, 200, "{body}");
    let remote: Vec<Value> = body["hits"].as_array().expect("hits").clone();
    let local = fx.hits(&["-n", "5", "amazon"]);
    assert_eq!(by_id(&remote), by_id(&local));
    // A whole article, with the query's matches highlighted.
    let id = local[0]["id"].as_str().expect("id");
    let (status, article) = server.json(&format!("/api/articles/{id}?q=amazon"));
    assert_eq!(status, 200, "{article}");
    assert_eq!(article["id"], id);
    assert!(!article["highlights"]
        .as_array()
        .expect("highlights")
        .is_empty());
    let message = server.error("/api/articles/no-such-id", 404);
    assert_eq!(message, "no article with id \"no-such-id\"");
}

// ---------------------------------------------------------------------------
// export (no server)
// ---------------------------------------------------------------------------

#[test]
fn export_prints_the_template_and_streams_every_article_as_bulk_ndjson() {
    let fx = Fixture::with_seeds();
    generated_corpus(&fx, 50);
    let out = fx.run(&["index", "seeds", "corpus", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = fx.run(&["export", "--opensearch-mapping", "--pattern", "news-*"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let template: Value = serde_json::from_slice(&out.stdout).expect("template is JSON");
    assert_eq!(template["index_patterns"], serde_json::json!(["news-*"]));
    let index = &template["template"]["settings"]["index"];
    assert_eq!(index["similarity"]["passim_bm25"]["k1"], 1.2);
    assert_eq!(index["similarity"]["passim_bm25"]["b"], 0.5);
    assert_eq!(
        index["analysis"]["filter"]["passim_stemmer"],
        serde_json::json!({"type": "snowball", "language": "English"})
    );
    let props = &template["template"]["mappings"]["properties"];
    for field in ["headline", "body"] {
        assert_eq!(props[field]["type"], "text");
        assert_eq!(props[field]["analyzer"], "passim_english");
        assert_eq!(props[field]["index_options"], "offsets");
    }
    for field in ["id", "path", "source", "author", "url"] {
        assert_eq!(props[field]["type"], "keyword", "{field}");
    }
    assert_eq!(props["date_ts"]["type"], "date");

    let out = fx.run(&["export", "--opensearch-bulk"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2 * 52);
    let mut ids = Vec::new();
    for pair in lines.chunks(2) {
        let id = pair[0]["index"]["_id"].as_str().expect("action line");
        assert_eq!(pair[1]["id"], id);
        assert!(pair[1]["body"].as_str().is_some_and(|b| !b.is_empty()));
        ids.push(id.to_owned());
    }
    ids.sort();
    assert_eq!(ids.len(), 52);
    ids.dedup();
    assert_eq!(ids.len(), 52, "each article once");
    assert_eq!(ids[2], "gen-0000");
    assert_eq!(ids[51], "gen-0049");
    let gen0 = lines
        .chunks(2)
        .find(|p| p[1]["id"] == "gen-0000")
        .expect("gen-0000");
    assert_eq!(gen0[1]["source"], "BBC News");
    assert_eq!(gen0[1]["date"], "2019-01-10");
    assert_eq!(gen0[1]["date_ts"], 1_547_078_400);

    // Exactly one of the two.
    let out = fx.run(&["export"]);
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------------------
// failures, against a fake server
// ---------------------------------------------------------------------------

/// One request the fake server received.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(&Request, usize) -> (u16, String) + Send + Sync;

/// A fake OpenSearch: answers each request with `handler(request, n)`
/// (`n`: how many requests came before), one request per connection.
struct Fake {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Fake {
    fn start(handler: Box<Handler>) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let Some(request) = read_request(&stream) else {
                    continue;
                };
                let n = {
                    let mut log = log.lock().unwrap();
                    log.push(request.clone());
                    log.len() - 1
                };
                let (status, body) = handler(&request, n);
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Fake { url, requests }
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// A `_bulk` reply: every item stored but those in `failed` (id → status, reason).
fn bulk_reply(request: &Request, failed: &[(&str, u16, &str)]) -> String {
    let items: Vec<Value> = request
        .body
        .lines()
        .step_by(2)
        .map(|action| {
            let action: Value = serde_json::from_str(action).expect("action line");
            let id = action["index"]["_id"].as_str().expect("_id").to_owned();
            match failed.iter().find(|(f, _, _)| *f == id) {
                Some((_, status, reason)) => {
                    serde_json::json!({"index": {"_id": id, "status": status,
                    "error": {"type": "mapper_parsing_exception", "reason": reason}}})
                }
                None => {
                    serde_json::json!({"index": {"_id": id, "status": 201, "result": "created"}})
                }
            }
        })
        .collect();
    serde_json::json!({"took": 1, "errors": !failed.is_empty(), "items": items}).to_string()
}

/// The usual answer to the requests around `_bulk`.
fn ok_reply(request: &Request) -> (u16, String) {
    if request.path.contains("_delete_by_query") {
        return (200, r#"{"deleted":0}"#.to_owned());
    }
    (200, r#"{"acknowledged":true}"#.to_owned())
}

/// A fixture with the two seeds indexed, and the ids of its articles.
fn seeds() -> (Fixture, Vec<String>) {
    let fx = Fixture::indexed();
    let ids = crate::util::ids(&fx.hits(&["pay"]));
    assert_eq!(ids.len(), 2);
    (fx, ids)
}

#[test]
fn a_cluster_that_is_down_is_one_line_naming_the_url_and_exit_2() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let url = format!("http://127.0.0.1:{port}/articles");
    let (fx, _) = seeds();
    for args in [
        vec!["search", "--backend", url.as_str(), "pay"],
        vec!["push", url.as_str()],
    ] {
        let out = fx.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            stderr(&out),
            format!(
                "passim: cannot reach the OpenSearch cluster at {url}: connection refused; \
                 is it running, and is the URL right?\n"
            ),
            "{args:?}"
        );
    }
    // Credentials never go on the command line.
    let out = fx.run(&[
        "search",
        "--backend",
        "http://bob:secret@127.0.0.1:9/articles",
        "pay",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("credentials do not belong in the URL"),
        "{err}"
    );
    assert!(!err.contains("secret"), "{err}");
}

#[test]
fn a_401_says_credentials_and_never_prints_them() {
    let fake = Fake::start(Box::new(|_, _| {
        (401, r#"{"error":{"type":"security_exception","reason":"missing authentication credentials"},"status":401}"#.to_owned())
    }));
    let url = format!("{}/articles", fake.url);
    let (fx, _) = seeds();
    let out = fx
        .cmd()
        .args(["search", "--backend", &url, "pay"])
        .env("PASSIM_OPENSEARCH_USER", "reader")
        .env("PASSIM_OPENSEARCH_PASSWORD", "s3cret-pw")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "passim: the OpenSearch cluster at {url} refused the credentials (HTTP 401); set \
             PASSIM_OPENSEARCH_USER and PASSIM_OPENSEARCH_PASSWORD (or PASSIM_OPENSEARCH_TOKEN) \
             in the environment\n"
        )
    );
    let sent = fake.requests();
    // Basic reader:s3cret-pw
    assert_eq!(
        sent[0].header("authorization"),
        Some("Basic cmVhZGVyOnMzY3JldC1wdw==")
    );
    assert!(!stdout(&out).contains("s3cret") && !stderr(&out).contains("s3cret"));
}

#[test]
fn push_retries_429_then_succeeds() {
    let fake = Fake::start(Box::new(|r, n| {
        if r.path.ends_with("/_bulk") {
            // The first _bulk request is refused as too many requests.
            let first_bulk = n == 1;
            if first_bulk {
                return (429, r#"{"error":{"type":"es_rejected_execution_exception","reason":"queue full"},"status":429}"#.to_owned());
            }
            return (200, bulk_reply(r, &[]));
        }
        ok_reply(r)
    }));
    let url = format!("{}/articles", fake.url);
    let (fx, _) = seeds();
    let out = fx
        .cmd()
        .args(["push", &url])
        .env("PASSIM_OPENSEARCH_BACKOFF_MS", "10")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("passim: pushed 2 articles to {url} in 1 request\n")
    );
    let paths: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            "PUT /_index_template/passim-articles",
            "POST /articles/_bulk",
            "POST /articles/_bulk",
            "POST /articles/_refresh",
            "POST /articles/_delete_by_query?refresh=true&conflicts=proceed",
        ]
    );
    let template: Value = serde_json::from_str(&fake.requests()[0].body).expect("template");
    assert_eq!(template["index_patterns"], serde_json::json!(["articles"]));
    let bulk = &fake.requests()[2];
    assert_eq!(bulk.header("content-type"), Some("application/x-ndjson"));
    assert_eq!(bulk.body.lines().count(), 4);

    // Always overloaded: a clear error after the configured attempts.
    let busy = Fake::start(Box::new(|_, _| (503, "{}".to_owned())));
    let url = format!("{}/articles", busy.url);
    let out = fx
        .cmd()
        .args(["search", "--backend", &url, "pay"])
        .env("PASSIM_OPENSEARCH_BACKOFF_MS", "10")
        .env("PASSIM_OPENSEARCH_ATTEMPTS", "3")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!("passim: the OpenSearch cluster at {url} is overloaded: HTTP 503 on each of 3 attempts\n")
    );
    assert_eq!(busy.requests().len(), 3);
}

#[test]
fn a_partly_failed_bulk_reports_each_article_and_a_rerun_sends_it() {
    let (fx, ids) = seeds();
    let bad = ids[1].clone();
    let refused = bad.clone();
    let fake = Fake::start(Box::new(move |r, _| {
        if r.path.ends_with("/_bulk") {
            return (
                200,
                bulk_reply(
                    r,
                    &[(refused.as_str(), 400, "failed to parse field [date_ts]")],
                ),
            );
        }
        ok_reply(r)
    }));
    let url = format!("{}/articles", fake.url);
    let out = fx.run(&["push", &url]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "passim: warning: article {bad:?} was not stored: failed to parse field [date_ts]\n\
             passim: 1 of 2 articles were not stored in the OpenSearch cluster at {url}; run the \
             same `passim push` again to send them (articles already stored are overwritten with \
             the same content)\n"
        )
    );
    // Nothing is deleted after a push that failed in part.
    assert!(!fake
        .requests()
        .iter()
        .any(|r| r.path.contains("_delete_by_query")));

    // The cluster takes it now: the re-run sends every article again.
    let fixed = Fake::start(Box::new(|r, _| {
        if r.path.ends_with("/_bulk") {
            return (200, bulk_reply(r, &[]));
        }
        ok_reply(r)
    }));
    let url = format!("{}/articles", fixed.url);
    let out = fx.run(&["push", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bulk = fixed
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/_bulk"))
        .expect("a _bulk request");
    assert!(
        bulk.body
            .contains(&format!("{{\"index\":{{\"_id\":\"{bad}\"}}}}")),
        "{}",
        bulk.body
    );
}
