//! `passim serve`: the JSON API over loopback, and the search page in a real
//! (headless Chromium) browser. Each test starts the real binary on a free
//! port in a temporary folder and kills it at the end.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::*;
use serde_json::Value;

// ---------------------------------------------------------------------------
// a running server and a minimal HTTP client
// ---------------------------------------------------------------------------

/// A `passim serve` process; killed when dropped.
pub(crate) struct Server {
    child: Child,
    /// `127.0.0.1:PORT`, as announced on stderr.
    addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `passim serve --addr 127.0.0.1:0 ARGS…` in the fixture's folder
    /// and waits until it answers.
    pub(crate) fn start(fx: &Fixture, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_passim"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .current_dir(fx.path())
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start passim serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let pipe = child.stderr.take().expect("stderr is piped");
        let log = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                log.lock().unwrap().push_str(&line);
                log.lock().unwrap().push('\n');
                if let Some(rest) = line.strip_prefix("passim: serving ") {
                    let _ = tx.send(rest.to_owned());
                }
            }
        });
        let mut server = Server {
            child,
            addr: String::new(),
            stderr,
        };
        let announced = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| {
                panic!(
                    "passim serve did not announce its address; stderr: {}",
                    server.stderr()
                )
            });
        // "index/ at http://127.0.0.1:PORT/"
        let url = announced
            .split(" at ")
            .nth(1)
            .unwrap_or_else(|| panic!("unexpected announcement {announced:?}"));
        server.addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        assert!(
            server.addr.starts_with("127.0.0.1:"),
            "not on loopback: {announced:?}"
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while get(&server.addr, "/").map(|r| r.0) != Some(200) {
            assert!(
                Instant::now() < deadline,
                "passim serve does not answer at {}; stderr: {}",
                server.addr,
                server.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// GET `path` → (status, body).
    fn get(&self, path: &str) -> (u16, String) {
        get(&self.addr, path).unwrap_or_else(|| panic!("GET {path} failed"))
    }

    /// GET `path` → (status, JSON body).
    pub(crate) fn json(&self, path: &str) -> (u16, Value) {
        let (status, body) = self.get(path);
        let value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("GET {path}: body is not JSON ({e}): {body:?}"));
        (status, value)
    }

    /// GET `path`, expecting an error `status` with a JSON `{"error": "…"}`;
    /// returns the message.
    pub(crate) fn error(&self, path: &str, status: u16) -> String {
        let (got, body) = self.json(path);
        assert_eq!(got, status, "GET {path}: {body}");
        let obj = body.as_object().expect("error body is an object");
        assert_eq!(obj.len(), 1, "GET {path}: only `error`: {body}");
        let message = body["error"].as_str().expect("error is a string");
        assert!(!message.is_empty());
        message.to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 GET over a fresh connection → (status, body); `None` if the
/// connection fails.
fn get(addr: &str, path: &str) -> Option<(u16, String)> {
    get_with_host(addr, path, addr)
}

fn get_with_host(addr: &str, path: &str, host: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    // Not every server closes the connection when asked (chromedriver does
    // not): read the head, then the body by its length when given.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8(raw[..head_end].to_vec()).ok()?;
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    let mut body = raw[head_end..].to_vec();
    match header("content-length").and_then(|n| n.parse::<usize>().ok()) {
        Some(len) => {
            while body.len() < len {
                let n = stream.read(&mut buf).ok()?;
                if n == 0 {
                    return None;
                }
                body.extend_from_slice(&buf[..n]);
            }
        }
        None => {
            stream.read_to_end(&mut body).ok()?;
        }
    }
    let body = String::from_utf8(body).expect("response is UTF-8");
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let body = if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        dechunk(&body)
    } else {
        body
    };
    Some((status, body))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).expect("chunk size");
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

/// Percent-encodes a query-string value.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The words of `text` (alphanumeric runs), lower-cased.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Slices of `text` at the `{"start","end"}` objects of `spans`.
fn slices<'a>(text: &'a str, spans: &Value) -> Vec<&'a str> {
    spans
        .as_array()
        .expect("spans are an array")
        .iter()
        .map(|h| slice(text, h))
        .collect()
}

// ---------------------------------------------------------------------------
// the API
// ---------------------------------------------------------------------------

#[test]
fn serve_builds_the_default_index_and_announces_a_loopback_address() {
    let fx = Fixture::with_seeds();
    let server = Server::start(&fx, &[]);
    let err = server.stderr();
    assert!(
        err.contains("building it from seeds/"),
        "no default index build: {err}"
    );
    assert!(
        err.lines()
            .any(|l| l.starts_with("passim: serving index/ at http://127.0.0.1:")),
        "{err}"
    );
    let (status, page) = server.get("/");
    assert_eq!(status, 200);
    assert!(
        page.contains("<input id=\"q\""),
        "the page has the search box"
    );
}

#[test]
fn api_search_pay_returns_both_seeds_like_search_json() {
    let fx = Fixture::indexed();
    let server = Server::start(&fx, &[]);
    let (status, doc) = server.json("/api/search?q=pay");
    assert_eq!(status, 200, "{doc}");
    let hits = doc["hits"].as_array().expect("hits array");
    assert_eq!(sorted_ids(hits), vec![BBC, UPI]);
    for hit in hits {
        assert_eq!(hit["type"], "hit");
        let words = hit_highlights(hit);
        assert!(!words.is_empty(), "no highlights in {hit}");
        for w in words.iter().chain(title_highlights(hit).iter()) {
            assert_eq!(w.to_lowercase(), "pay", "highlight {w:?} in {hit}");
        }
    }
    let summary = &doc["summary"];
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["query"], "pay");
    assert_eq!(summary["hits"], 2);
    assert_eq!(summary["total_hits"], 2);
    assert!(summary["elapsed_ms"].is_number());
    assert_eq!(doc["notes"], serde_json::json!([]));

    // The very same objects as `passim search --json` (bar the timing).
    let (code, cli_hits, mut cli_summary) = fx.search(&["pay"]);
    assert_eq!(code, 0);
    assert_eq!(hits, &cli_hits);
    let mut summary = summary.clone();
    summary["elapsed_ms"] = Value::Null;
    cli_summary["elapsed_ms"] = Value::Null;
    assert_eq!(summary, cli_summary);

    // limit and passages apply.
    let (status, doc) = server.json("/api/search?q=pay&limit=1&passages=1");
    assert_eq!(status, 200);
    assert_eq!(doc["hits"].as_array().unwrap().len(), 1);
    assert_eq!(passages(&doc["hits"][0]).len(), 1);
    assert_eq!(doc["summary"]["total_hits"], 2);
    let (_, doc) = server.json("/api/search?q=pay&passages=0");
    assert!(passages(&doc["hits"][0]).is_empty());
    // No hits is still a 200 with an empty list.
    let (status, doc) = server.json("/api/search?q=zebra");
    assert_eq!(status, 200);
    assert_eq!(doc["hits"], serde_json::json!([]));
}

#[test]
fn api_offset_pages_through_the_hits() {
    let fx = Fixture::indexed();
    let server = Server::start(&fx, &[]);
    let (status, all) = server.json("/api/search?q=pay");
    assert_eq!(status, 200);
    let (status, page) = server.json("/api/search?q=pay&limit=1&offset=1");
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["hits"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["hits"][0]["id"], all["hits"][1]["id"]);
    assert_eq!(page["hits"][0]["rank"], 2);
    assert_eq!(page["summary"]["offset"], 1);
    assert_eq!(page["summary"]["total_hits"], 2);
    let (status, past) = server.json("/api/search?q=pay&offset=2");
    assert_eq!(status, 200);
    assert_eq!(past["hits"], serde_json::json!([]));
    assert_eq!(past["summary"]["total_hits"], 2);
}

#[test]
fn api_rejects_bad_parameters_with_json_400() {
    let fx = Fixture::indexed();
    let server = Server::start(&fx, &[]);
    for (path, says) in [
        ("/api/search", "missing query"),
        ("/api/search?q=", "missing query"),
        ("/api/search?q=%20%20", "missing query"),
        ("/api/search?q=pay&limit=101", "limit"),
        ("/api/search?q=pay&limit=0", "limit"),
        ("/api/search?q=pay&limit=ten", "limit"),
        ("/api/search?q=pay&limit=-1", "limit"),
        ("/api/search?q=pay&passages=11", "passages"),
        (
            "/api/search?q=pay&offset=-1",
            "offset must be a whole number from 0 to 10000",
        ),
        ("/api/search?q=pay&offset=10001", "offset"),
        ("/api/search?q=pay&passages=x", "passages"),
        ("/api/search?q=pay&plain=maybe", "plain"),
        ("/api/search?q=pay&q=rise", "bad parameters"),
        ("/api/search?q=%FF", "no words"),
        ("/api/search?q=-pay", "only excludes words"),
    ] {
        let message = server.error(path, 400);
        assert!(message.contains(says), "GET {path}: {message:?}");
    }
    let message = server.error(&format!("/api/articles/{BBC}?q=-pay"), 400);
    assert!(message.contains("only excludes words"), "{message}");
    // Query length: 1000 characters pass, 1001 do not.
    let thousand = "pay ".repeat(250);
    assert_eq!(thousand.chars().count(), 1000);
    let (status, doc) = server.json(&format!("/api/search?q={}", enc(&thousand)));
    assert_eq!(status, 200, "{doc}");
    let too_long = format!("{thousand}x");
    let message = server.error(&format!("/api/search?q={}", enc(&too_long)), 400);
    assert!(message.contains("at most 1000"), "{message}");
    let message = server.error(&format!("/api/articles/{BBC}?q={}", enc(&too_long)), 400);
    assert!(message.contains("at most 1000"), "{message}");
    // Limits at their maximum are fine.
    let (status, _) = server.json("/api/search?q=pay&limit=100&passages=10");
    assert_eq!(status, 200);
}

#[test]
fn api_filters_sorts_and_counts_facets_like_the_cli() {
    let fx = crate::filters::wire_fixture();
    let server = Server::start(&fx, &["--index", "idx"]);
    let hit_ids = |doc: &Value| -> Vec<String> {
        doc["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, doc) = server.json("/api/search?q=cocoa&since=1987-08&sort=-date&facets=1");
    assert_eq!(status, 200, "{doc}");
    assert_eq!(hit_ids(&doc), ["a3", "r6", "b3"]);
    assert_eq!(doc["summary"]["total_hits"], 3);
    assert_eq!(
        doc["summary"]["facets"]["year"],
        serde_json::json!([{"value": 1987, "count": 3}])
    );
    let (_, doc) = server.json("/api/search?q=cocoa&source=bbc,ap&until=1987-04&sort=date");
    assert_eq!(hit_ids(&doc), ["b1", "a1", "b2"]);
    let (_, doc) = server.json(&format!(
        "/api/search?q={}",
        enc("cocoa source:ap date:>=1987-06")
    ));
    assert_eq!(hit_ids(&doc), ["a3", "a2"]);
    assert!(doc["summary"].get("facets").is_none());
    assert!(doc["summary"].get("unfiltered_hits").is_none());
    // Filters that leave none of the matches: the API says how many they took.
    let (status, doc) = server.json("/api/search?q=cocoa&source=xinhua");
    assert_eq!(status, 200, "{doc}");
    assert!(hit_ids(&doc).is_empty());
    assert_eq!(doc["summary"]["total_hits"], 0);
    assert_eq!(doc["summary"]["unfiltered_hits"], 12);
    for (path, says) in [
        // The API names its parameters, not the command line's flags.
        (
            "/api/search?q=cocoa&since=soon",
            "since \"soon\" is not a date",
        ),
        (
            "/api/search?q=cocoa&until=1987-02-30",
            "until \"1987-02-30\" is not a date",
        ),
        ("/api/search?q=cocoa&sort=up", "sort must be relevance"),
        (
            "/api/search?q=cocoa&facets=maybe",
            "facets must be 1, 0, true or false",
        ),
        ("/api/search?q=cocoa&path=a%5Bb", "path glob"),
    ] {
        let message = server.error(path, 400);
        assert!(message.contains(says), "GET {path}: {message:?}");
        assert!(!message.contains("--"), "GET {path}: {message:?}");
    }
}

#[test]
fn api_unknown_article_or_route_is_json_404() {
    let fx = Fixture::indexed();
    let server = Server::start(&fx, &[]);
    let message = server.error("/api/articles/no-such-article.txt", 404);
    assert!(message.contains("no-such-article.txt"), "{message}");
    server.error("/api/articles/sub/nothing.txt?q=pay", 404);
    server.error("/api/nothing", 404);
    server.error("/favicon.ico", 404);
}

#[test]
fn api_refuses_requests_for_a_foreign_host() {
    let fx = Fixture::indexed();
    let server = Server::start(&fx, &[]);
    let (status, body) =
        get_with_host(&server.addr, "/api/search?q=pay", "evil.example").expect("GET");
    assert_eq!(status, 403, "{body}");
    let (status, _) = get_with_host(&server.addr, "/", "localhost:7700").expect("GET");
    assert_eq!(status, 200);
}

#[test]
fn api_article_returns_the_whole_article_with_every_match_highlighted() {
    let fx = Fixture::with_seeds();
    let sub_body = "Union leaders said pay was the only issue.\n\n\
                    Paying staff more would end the dispute, they said; the pay offer was 3%.\n\n\
                    Café owners nearby — “we are paid little” — agreed.\n";
    fx.write("seeds/sub/a.txt", format!("Pay talks resume\n\n{sub_body}"));
    assert_eq!(fx.run(&["index"]).status.code(), Some(0));
    let server = Server::start(&fx, &[]);

    // A seed with a headline: the body is the stored body, every `pay` marked.
    let (status, a) = server.json(&format!("/api/articles/{BBC}?q=pay"));
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["id"], BBC);
    assert_eq!(a["path"], format!("seeds/{BBC}"));
    assert_eq!(a["title"], BBC_TITLE);
    assert_eq!(a["has_headline"], true);
    let body = a["body"].as_str().unwrap();
    assert_eq!(body, seed_body(BBC));
    let marked = slices(body, &a["highlights"]);
    let expected = words(body).iter().filter(|w| *w == "pay").count();
    assert!(expected >= 1);
    assert_eq!(
        marked.len(),
        expected,
        "every `pay` of the body: {marked:?}"
    );
    assert!(marked.iter().all(|w| w.eq_ignore_ascii_case("pay")));
    // Paragraphs cover the body in order and match the passages' numbering.
    let paragraphs = a["paragraphs"].as_array().unwrap();
    assert!(paragraphs.len() > 1);
    let (_, doc) = server.json("/api/search?q=pay&passages=10");
    let hit = hit(doc["hits"].as_array().unwrap(), BBC);
    for p in passages(hit) {
        let n = p["paragraph"].as_u64().unwrap() as usize;
        let range = &paragraphs[n - 1];
        let off = p["offset"].as_u64().unwrap();
        assert!(
            range["start"].as_u64().unwrap() <= off && off < range["end"].as_u64().unwrap(),
            "passage at {off} is not in paragraph {n}: {range}"
        );
    }

    // The headline-less seed: its first sentence stands in for the title.
    let (status, a) = server.json(&format!("/api/articles/{UPI}?q=pay"));
    assert_eq!(status, 200);
    assert_eq!(a["has_headline"], false);
    let body = a["body"].as_str().unwrap();
    assert!(body.starts_with(a["title"].as_str().unwrap()));
    for w in slices(a["title"].as_str().unwrap(), &a["title_highlights"]) {
        assert_eq!(w, "pay");
    }
    let marked = slices(body, &a["highlights"]);
    assert_eq!(
        marked.len(),
        words(body).iter().filter(|w| *w == "pay").count()
    );

    // An id with a slash; stemming (Paying) and the title are highlighted.
    let (status, a) = server.json("/api/articles/sub/a.txt?q=pay");
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["id"], "sub/a.txt");
    assert_eq!(a["title"], "Pay talks resume");
    assert_eq!(
        slices(a["title"].as_str().unwrap(), &a["title_highlights"]),
        ["Pay"]
    );
    let body = a["body"].as_str().unwrap();
    assert_eq!(body, sub_body.trim_end());
    assert_eq!(slices(body, &a["highlights"]), ["pay", "Paying", "pay"]);
    let paragraphs = slices(body, &a["paragraphs"]);
    assert_eq!(paragraphs.len(), 3);
    assert!(paragraphs[2].starts_with("Café owners"));
    // Percent-encoded slash, a phrase, and no query at all.
    let (status, a) = server.json("/api/articles/sub%2Fa.txt?q=%22pay+offer%22");
    assert_eq!(status, 200, "{a}");
    assert_eq!(
        slices(a["body"].as_str().unwrap(), &a["highlights"]),
        ["pay offer"]
    );
    let (status, a) = server.json("/api/articles/sub/a.txt");
    assert_eq!(status, 200);
    assert_eq!(a["highlights"], serde_json::json!([]));
    assert_eq!(a["title_highlights"], serde_json::json!([]));
}

#[test]
fn index_update_is_visible_without_restart() {
    let fx = Fixture::indexed();
    let server = Server::start(&fx, &[]);
    let (status, doc) = server.json("/api/search?q=zebra");
    assert_eq!(status, 200);
    assert_eq!(doc["summary"]["total_hits"], 0);

    fx.write(
        "seeds/zebra.txt",
        "Zebra crossing workers strike\n\nStaff at the zebra depot walked out over pay.\n",
    );
    let out = fx.run(&["index"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, doc) = server.json("/api/search?q=zebra");
        assert_eq!(status, 200);
        if doc["summary"]["total_hits"] == 1 {
            assert_eq!(doc["hits"][0]["id"], "zebra.txt");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server still does not see the new article: {doc}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, a) = server.json("/api/articles/zebra.txt?q=zebra");
    assert_eq!(status, 200);
    assert_eq!(
        slices(a["body"].as_str().unwrap(), &a["highlights"]),
        ["zebra"]
    );
    let (_, doc) = server.json("/api/search?q=pay");
    assert_eq!(doc["summary"]["total_hits"], 3);
}

// ---------------------------------------------------------------------------
// the page, in headless Chromium
// ---------------------------------------------------------------------------

const XSS_ARTICLE: &str = "Pay dispute <img src=x onerror=alert(1)> at the depot\n\n\
    Workers want better pay. <script>alert(1)</script> was found in the notes.\n\n\
    The union said the pay offer <img src=x onerror=alert(1)> was too low.\n";

/// The first of `names` found on PATH.
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// A chromedriver process; killed when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[test]
fn browser_page_searches_highlights_navigates_and_escapes_articles() {
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = find_program(&["chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        if std::env::var("PASSIM_SKIP_BROWSER").is_ok_and(|v| v == "1") {
            eprintln!("browser test skipped (PASSIM_SKIP_BROWSER=1)");
            return;
        }
        panic!(
            "the browser test needs Chromium and chromedriver on PATH: \
             apt-get install -y chromium chromium-driver \
             (or set PASSIM_SKIP_BROWSER=1 to skip it)"
        );
    };

    let fx = Fixture::with_seeds();
    fx.write("seeds/zz_xss.txt", XSS_ARTICLE);
    assert_eq!(fx.run(&["index"]).status.code(), Some(0));
    let server = Server::start(&fx, &[]);

    let port = free_port();
    let _driver = Driver(
        Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&format!("127.0.0.1:{port}"), "/status").map(|r| r.0) != Some(200) {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let profile = tempfile::tempdir().expect("profile dir");
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(drive_page(
        &chromium,
        port,
        profile.path(),
        &server.url(),
        &shots,
    ));
}

async fn drive_page(chromium: &Path, port: u16, profile: &Path, url: &str, shots: &Path) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    use fantoccini::{ClientBuilder, Locator};

    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "chrome".into());
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--window-size=1100,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let c = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session with headless Chromium");

    let eval = |script: &'static str| {
        let c = c.clone();
        async move { c.execute(script, vec![]).await.expect(script) }
    };
    // Polls `script` until it returns something truthy (10 s at most).
    let wait_for = |script: &'static str| {
        let c = c.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let v = c.execute(script, vec![]).await.expect(script);
                if !(v.is_null() || v == false || v == 0 || v == "" || v == serde_json::json!([])) {
                    return v;
                }
                assert!(Instant::now() < deadline, "timed out waiting for: {script}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let press = |key: char| {
        let c = c.clone();
        async move {
            let keys = KeyActions::new("keyboard".into())
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
            c.perform_actions(keys).await.expect("key press");
        }
    };

    c.goto(url).await.expect("load the page");
    let input = c.find(Locator::Id("q")).await.expect("the search box");

    // `/` focuses the search box.
    eval("document.activeElement.blur(); return true").await;
    assert_eq!(eval("return document.activeElement.id").await, "");
    press('/').await;
    assert_eq!(eval("return document.activeElement.id").await, "q");

    // Results as you type, with `pay` highlighted.
    input.send_keys("pay").await.expect("type");
    wait_for("return document.querySelectorAll('#results li.hit').length === 3").await;
    let marks = eval(
        "return Array.from(document.querySelectorAll('#results .passage mark.hl')).map(m => m.textContent)",
    )
    .await;
    let marks = marks.as_array().expect("array");
    assert!(marks.len() >= 3, "{marks:?}");
    assert!(marks.iter().all(|m| m == "pay"), "{marks:?}");
    let status = eval("return document.getElementById('status').textContent").await;
    assert!(
        status.as_str().unwrap().contains("3 articles") && status.as_str().unwrap().contains("ms"),
        "{status}"
    );
    assert_eq!(eval("return location.search").await, "?q=pay");
    // Text files are shown by their path relative to the indexed folder.
    let path_of_bbc = format!(
        "return document.querySelector('#results li.hit[data-id=\"{BBC}\"] .path').textContent"
    );
    assert_eq!(
        c.execute(&path_of_bbc, vec![]).await.expect("path"),
        format!("{BBC} · modified {SEED_DAY}")
    );
    let paragraph_labels = eval(
        "return Array.from(document.querySelectorAll('#results .passage .para')).map(p => p.textContent)",
    )
    .await;
    assert!(
        paragraph_labels
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p.as_str().unwrap().starts_with('¶')),
        "{paragraph_labels}"
    );

    // The article with markup in it shows the markup as text, also in results.
    let xss_title = eval(
        "return document.querySelector('#results li.hit[data-id=\"zz_xss.txt\"] h2 a').textContent",
    )
    .await;
    assert_eq!(
        xss_title,
        "Pay dispute <img src=x onerror=alert(1)> at the depot"
    );
    assert_eq!(
        eval("return document.querySelectorAll('img').length").await,
        0
    );
    assert_eq!(eval("return document.scripts.length").await, 1);
    let shot = c.screenshot().await.expect("screenshot");
    std::fs::create_dir_all(shots).expect("target dir");
    std::fs::write(shots.join("serve-screenshot.png"), shot).expect("save screenshot");

    // Clicking a hit opens the whole article with every match highlighted.
    c.find(Locator::Css("#results li.hit[data-id=\"zz_xss.txt\"] h2 a"))
        .await
        .expect("the hit's link")
        .click()
        .await
        .expect("click");
    wait_for("return !document.getElementById('article').hidden && document.querySelectorAll('#a-body p').length === 2").await;
    let body = eval("return document.getElementById('a-body').textContent").await;
    let body = body.as_str().unwrap();
    assert!(body.contains("<script>alert(1)</script>"), "{body}");
    assert!(body.contains("<img src=x onerror=alert(1)>"), "{body}");
    assert_eq!(
        eval("return document.getElementById('a-title').textContent").await,
        "Pay dispute <img src=x onerror=alert(1)> at the depot"
    );
    assert_eq!(
        eval("return document.querySelectorAll('img').length").await,
        0
    );
    assert_eq!(eval("return document.scripts.length").await, 1);
    assert!(c.get_alert_text().await.is_err(), "an alert was opened");
    let marks = eval(
        "return Array.from(document.querySelectorAll('#article mark.hl')).map(m => m.textContent)",
    )
    .await;
    assert_eq!(marks, serde_json::json!(["Pay", "pay", "pay"]));
    let current = || eval("return document.getElementById('counter').textContent");
    assert_eq!(current().await, "match 1 of 3");
    press('n').await;
    assert_eq!(current().await, "match 2 of 3");
    assert_eq!(
        eval("return document.querySelector('#article mark.hl.current').textContent").await,
        "pay"
    );
    press('j').await;
    assert_eq!(current().await, "match 3 of 3");
    press('n').await;
    assert_eq!(current().await, "match 1 of 3");
    press('p').await;
    assert_eq!(current().await, "match 3 of 3");
    press('k').await;
    assert_eq!(current().await, "match 2 of 3");
    assert_eq!(
        eval("return document.querySelectorAll('#article mark.hl.current').length").await,
        1
    );
    let shot = c.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("serve-article-screenshot.png"), shot).expect("save screenshot");

    // Escape goes back to the results.
    press('\u{E00C}').await;
    wait_for("return document.getElementById('article').hidden && !document.getElementById('results').hidden").await;
    assert_eq!(eval("return location.search").await, "?q=pay");

    // A link with ?q= (a bookmark, a browser's search-engine entry) opens
    // the results; so does the older #q= form.
    for link in [format!("{url}?q=pay"), format!("{url}#q=pay")] {
        c.goto("about:blank").await.expect("leave the page");
        c.goto(&link).await.expect("load the page from a link");
        wait_for("return document.querySelectorAll('#results li.hit').length === 3").await;
        assert_eq!(
            eval("return document.getElementById('q').value").await,
            "pay",
            "{link}"
        );
        assert_eq!(eval("return location.search").await, "?q=pay");
    }

    // Sort and date range: zz_xss.txt was written today, the seeds are
    // dated (by their files) 2024-01-15.
    let ids = "return Array.from(document.querySelectorAll('#results li.hit')).map(li => li.dataset.id).join(' ')";
    eval("const s = document.getElementById('sort'); s.value = '-date'; s.dispatchEvent(new Event('change')); return true").await;
    wait_for("return document.querySelector('#results li.hit').dataset.id === 'zz_xss.txt'").await;
    assert_eq!(eval(ids).await.as_str().unwrap_or("").split(' ').count(), 3);
    eval("const u = document.getElementById('until'); u.value = '2024-01-15'; u.dispatchEvent(new Event('change')); return true").await;
    wait_for("return document.querySelectorAll('#results li.hit').length === 2").await;
    let shown = eval(ids).await;
    assert!(
        !shown.as_str().unwrap_or("zz_xss").contains("zz_xss"),
        "{shown}"
    );
    let status = eval("return document.getElementById('status').textContent").await;
    assert!(
        status.as_str().unwrap_or("").starts_with("2 articles"),
        "{status}"
    );

    // The filters are in the address, so a reload or a shared link keeps them.
    let filtered = "?q=pay&until=2024-01-15&sort=-date";
    assert_eq!(eval("return location.search").await, filtered);
    c.goto("about:blank").await.expect("leave the page");
    c.goto(&format!("{url}{filtered}"))
        .await
        .expect("load the page from a filtered link");
    wait_for("return document.querySelectorAll('#results li.hit').length === 2").await;
    assert_eq!(
        eval("return [document.getElementById('q').value, document.getElementById('until').value, document.getElementById('since').value, document.getElementById('sort').value].join('|')").await,
        "pay|2024-01-15||-date"
    );
    let shown = eval(ids).await;
    assert!(
        !shown.as_str().unwrap_or("zz_xss").contains("zz_xss"),
        "{shown}"
    );
    // Clearing a filter takes it out of the address and the results.
    eval("const u = document.getElementById('until'); u.value = ''; u.dispatchEvent(new Event('change')); return true").await;
    wait_for("return document.querySelectorAll('#results li.hit').length === 3").await;
    assert_eq!(eval("return location.search").await, "?q=pay&sort=-date");
    c.close().await.expect("close the browser");
}

/// The keys of `value` are among `schema`'s properties and include its required ones.
fn keys_match(schema: &Value, value: &Value, what: &str) {
    let props = schema["properties"].as_object().expect("properties");
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("{what}: {value}"));
    for key in object.keys() {
        assert!(props.contains_key(key), "{what}: {key} is not documented");
    }
    for key in schema["required"].as_array().expect("required") {
        let key = key.as_str().unwrap();
        assert!(object.contains_key(key), "{what}: required {key} missing");
    }
}

#[test]
fn api_openapi_json_describes_every_route() {
    let fx = Fixture::indexed();
    let server = Server::start(&fx, &[]);
    let (status, doc) = server.json("/api/openapi.json");
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        paths,
        [
            "/",
            "/api/articles/{id}",
            "/api/openapi.json",
            "/api/search"
        ]
    );
    // Every documented route answers; one that is not documented does not.
    assert_eq!(server.get("/").0, 200);
    assert_eq!(server.get(&format!("/api/articles/{BBC}")).0, 200);
    assert_eq!(server.get("/api/search?q=pay").0, 200);
    server.error("/api/openapi", 404);

    // Real answers have the documented fields.
    let schemas = &doc["components"]["schemas"];
    let (_, search) = server.json("/api/search?q=pay&offset=1");
    keys_match(&schemas["SearchResponse"], &search, "search");
    keys_match(&schemas["Summary"], &search["summary"], "summary");
    let (_, search) = server.json("/api/search?q=ballot");
    let hit = &search["hits"][0];
    keys_match(&schemas["Hit"], hit, "hit");
    keys_match(&schemas["Passage"], &hit["passages"][0], "passage");
    keys_match(
        &schemas["Span"],
        &hit["passages"][0]["highlights"][0],
        "span",
    );
    let (_, article) = server.json(&format!("/api/articles/{BBC}?q=ballot"));
    keys_match(&schemas["Article"], &article, "article");
    let (status, error) = server.json("/api/search?q=pay&limit=0");
    assert_eq!(status, 400);
    keys_match(&schemas["Error"], &error, "error");
    // What schemathesis found: a blank q over the documented maxLength was
    // accepted by /api/articles; it is refused, as on /api/search.
    let blank = "+".repeat(1001);
    for path in ["/api/search", &format!("/api/articles/{BBC}")] {
        let message = server.error(&format!("{path}?q={blank}"), 400);
        assert_eq!(message, "query too long: at most 1000 characters");
    }
    assert_eq!(server.get(&format!("/api/articles/{BBC}?q=+")).0, 200);
    let documented = doc["paths"]["/api/search"]["get"]["responses"]
        .as_object()
        .unwrap();
    assert!(documented.contains_key("400") && documented.contains_key("200"));
}
