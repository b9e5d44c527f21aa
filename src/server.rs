//! `passim serve`: a local search page and a JSON API over HTTP.
//!
//! Routes:
//! - `GET /`: the search page (one HTML file embedded in the binary).
//! - `GET /api/search?q=…&limit=…&passages=…&plain=…`: `{"hits":[…],"summary":{…},"notes":[…]}`,
//!   the same hit and summary objects as `passim search --json`.
//! - `GET /api/articles/{id}?q=…`: one whole article with every match of `q` highlighted.
//!
//! Errors are JSON `{"error":"…"}`: 400 for bad parameters or an unusable
//! query, 404 for an unknown article or route, 500 when the index cannot be read.
//!
//! The index is opened with [`Engine::open_live`], so a `passim index` run on
//! it is visible to the next requests without a restart. Searches run on
//! tokio's blocking pool: tantivy is synchronous and CPU-bound.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use crate::highlight;
use crate::printer::{self, Span};
use crate::query::{self, RankSettings, Syntax};
use crate::schema::{StoredArticle, TextField};
use crate::search::{self, Engine, SearchOptions};
use crate::text;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 100;
/// Most passages per hit one request may ask for.
pub const MAX_PASSAGES: usize = 10;

/// The search page: HTML, CSS and script in one file, no external assets.
const PAGE: &str = include_str!("server/index.html");

/// The page's content security policy: nothing is loaded from anywhere, and
/// the page may only talk to this server.
const PAGE_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; \
    style-src 'unsafe-inline'; connect-src 'self'; img-src 'none'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

struct AppState {
    engine: Engine,
}

/// Serves the index in `dir` on `addr` until the process is stopped. Writes
/// one line to `err` once listening: `passim: serving DIR/ at http://ADDR/`.
pub fn run(dir: &Path, addr: SocketAddr, err: &mut dyn Write) -> Result<()> {
    let engine = Engine::open_live(dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .thread_name("passim-serve")
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        if !local.ip().is_loopback() {
            writeln!(
                err,
                "passim: warning: listening on {}, not a loopback address: anyone who can reach it can read the index",
                local.ip()
            )?;
        }
        let mut shown = crate::corpus::display(dir);
        if !shown.ends_with('/') {
            shown.push('/');
        }
        writeln!(err, "passim: serving {shown} at http://{local}/")?;
        err.flush()?;
        axum::serve(listener, router(engine, local))
            .await
            .context("the server stopped")
    })
}

/// The routes, over one open index. `local` is the address listened on: when
/// it is a loopback address, requests must name a loopback host (a guard
/// against DNS rebinding: a web page elsewhere cannot read the index).
pub fn router(engine: Engine, local: SocketAddr) -> Router {
    let state = Arc::new(AppState { engine });
    let loopback_only = local.ip().is_loopback();
    Router::new()
        .route("/", get(page))
        .route("/api/search", get(api_search))
        .route("/api/articles/{*id}", get(api_article))
        .fallback(not_found)
        .with_state(state)
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            guard(req, next, loopback_only)
        }))
}

/// Rejects requests for a non-loopback host when serving on loopback, and
/// adds headers every response should carry.
async fn guard(req: Request, next: Next, loopback_only: bool) -> Response {
    if loopback_only && !host_is_loopback(req.headers()) {
        return error(
            StatusCode::FORBIDDEN,
            "this server answers only requests for localhost or a loopback address".to_owned(),
        )
        .into_response();
    }
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Whether the `Host` header (if any) names localhost or a loopback address.
fn host_is_loopback(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST) else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [::1]:7700
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(name, _port)| name)
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

async fn page() -> Response {
    let mut response = Html(PAGE).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    response
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    error(
        StatusCode::NOT_FOUND,
        format!("no such page: {}", uri.path()),
    )
}

/// A failed request: answered with `status` and `{"error": message}`.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct ErrorBody {
            error: String,
        }
        let body = ErrorBody {
            error: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

fn error(status: StatusCode, message: String) -> ApiError {
    ApiError { status, message }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    error(StatusCode::BAD_REQUEST, message.into())
}

/// Query-string parameters, all as text so that every bad value gets a clear message.
#[derive(Debug, Deserialize)]
struct Params {
    q: Option<String>,
    limit: Option<String>,
    passages: Option<String>,
    plain: Option<String>,
}

/// The query-string parameters, or a 400 naming what is wrong with them.
fn params(query: Result<Query<Params>, QueryRejection>) -> Result<Params, ApiError> {
    match query {
        Ok(Query(p)) => Ok(p),
        Err(rejection) => Err(bad_request(format!(
            "bad parameters: {}",
            rejection.body_text()
        ))),
    }
}

/// The `q` parameter: present, not blank, not too long.
fn query_text(q: Option<String>) -> Result<String, ApiError> {
    let Some(q) = q.filter(|q| !q.trim().is_empty()) else {
        return Err(bad_request(
            "missing query: give the words to search for as ?q=…",
        ));
    };
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(bad_request(format!(
            "query too long: at most {MAX_QUERY_CHARS} characters"
        )));
    }
    Ok(q)
}

/// A whole-number parameter in `range`, or `default` when absent.
fn number(
    name: &str,
    value: Option<&str>,
    range: std::ops::RangeInclusive<usize>,
    default: usize,
) -> Result<usize, ApiError> {
    let Some(value) = value else {
        return Ok(default);
    };
    match value.trim().parse::<usize>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(bad_request(format!(
            "{name} must be a whole number from {} to {}",
            range.start(),
            range.end()
        ))),
    }
}

fn syntax(plain: Option<&str>) -> Result<Syntax, ApiError> {
    match plain.map(str::trim) {
        None | Some("" | "0" | "false") => Ok(Syntax::Full),
        Some("1" | "true") => Ok(Syntax::Plain),
        Some(_) => Err(bad_request("plain must be 1, 0, true or false")),
    }
}

/// An error from the core: a problem with the query (400) unless it came
/// from tantivy reading the index (500).
fn core_error(e: &anyhow::Error) -> ApiError {
    let message = format!("{e:#}").replace('\n', " ");
    let from_index = e
        .chain()
        .any(|c| c.downcast_ref::<tantivy::TantivyError>().is_some());
    if from_index {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot read the index: {message}"),
        )
    } else {
        bad_request(message)
    }
}

/// Runs `f` on the blocking pool: tantivy work would stall the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(_) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error while answering the request".to_owned(),
        )),
    }
}

async fn api_search(
    State(state): State<Arc<AppState>>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = params(query)?;
    let q = query_text(p.q)?;
    let defaults = SearchOptions::default();
    let mut options = defaults;
    options.limit = number("limit", p.limit.as_deref(), 1..=MAX_LIMIT, defaults.limit)?;
    options.passages.count = number(
        "passages",
        p.passages.as_deref(),
        0..=MAX_PASSAGES,
        defaults.passages.count,
    )?;
    options.syntax = syntax(p.plain.as_deref())?;
    blocking(move || {
        let results = state
            .engine
            .search(&q, &options)
            .map_err(|e| core_error(&e))?;
        Ok(Json(SearchJson {
            document: printer::json_document(&results),
            notes: &results.notes,
        })
        .into_response())
    })
    .await
}

/// The answer of `GET /api/search`: `passim search --json`'s hits and
/// summary in one document, and the notes the CLI writes on stderr.
#[derive(Serialize)]
struct SearchJson<'a> {
    #[serde(flatten)]
    document: printer::JsonDocument<'a>,
    notes: &'a [String],
}

/// One whole article, as `GET /api/articles/{id}` returns it.
#[derive(Serialize)]
struct ArticleJson {
    id: String,
    path: String,
    title: String,
    /// Byte ranges into `title`.
    title_highlights: Vec<Span>,
    /// False when the first sentence stands in for a missing headline.
    has_headline: bool,
    title_trimmed: bool,
    body: String,
    /// Byte ranges into `body`: every match of the query.
    highlights: Vec<Span>,
    /// Byte ranges into `body`; paragraph N (as in a passage's `paragraph`) is the N-th.
    paragraphs: Vec<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<String>,
    notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

async fn api_article(
    State(state): State<Arc<AppState>>,
    id: Result<UrlPath<String>, PathRejection>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let id = match id {
        Ok(UrlPath(id)) => id,
        Err(rejection) => {
            return Err(bad_request(format!(
                "bad article id: {}",
                rejection.body_text()
            )))
        }
    };
    let p = params(query)?;
    let q = match p.q {
        Some(q) if !q.trim().is_empty() => Some(query_text(Some(q))?),
        _ => None,
    };
    let syntax = syntax(p.plain.as_deref())?;
    blocking(move || {
        let engine = &state.engine;
        let fields = engine.fields();
        let searcher = engine.searcher();
        let read_error = |e: tantivy::TantivyError| core_error(&anyhow::Error::new(e));
        let by_id = TermQuery::new(
            Term::from_field_text(fields.id, &id),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&by_id, &TopDocs::with_limit(1).order_by_score())
            .map_err(read_error)?;
        let Some((_, address)) = top.first() else {
            return Err(error(
                StatusCode::NOT_FOUND,
                format!("no article with id {id:?}"),
            ));
        };
        let stored: StoredArticle = searcher.doc(*address).map_err(read_error)?;
        let (targets, notes) = match &q {
            Some(q) => {
                let compiled =
                    query::compile(q, syntax, &searcher, fields, &RankSettings::default())
                        .map_err(|e| core_error(&e))?;
                (compiled.targets, compiled.notes)
            }
            None => (Vec::new(), Vec::new()),
        };
        let body_matches = highlight::find_in(&stored.body, &targets, TextField::Body);
        let has_headline = !stored.title.trim().is_empty();
        let (title, title_highlights, title_trimmed) = if has_headline {
            let matches = highlight::find_in(&stored.title, &targets, TextField::Title);
            (
                stored.title.clone(),
                highlight::merge_spans(&matches),
                false,
            )
        } else {
            search::lead_title(&stored.body, &body_matches)
        };
        let highlights = highlight::merge_spans(&body_matches);
        let paragraphs: Vec<Range<usize>> = text::paragraphs(&stored.body);
        Ok(Json(ArticleJson {
            id: stored.id,
            path: stored.path,
            title,
            title_highlights: printer::spans(&title_highlights),
            has_headline,
            title_trimmed,
            highlights: printer::spans(&highlights),
            paragraphs: printer::spans(&paragraphs),
            body: stored.body,
            query: q,
            notes,
            date: stored.date,
            url: stored.url,
            source: stored.source,
        })
        .into_response())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for ok in [
            "127.0.0.1:7700",
            "localhost:7700",
            "LOCALHOST",
            "[::1]:7700",
            "127.0.0.2",
        ] {
            assert!(host_is_loopback(&host(ok)), "{ok}");
        }
        for bad in [
            "evil.example:7700",
            "10.0.0.1:7700",
            "[::2]:80",
            "localhost.evil",
        ] {
            assert!(!host_is_loopback(&host(bad)), "{bad}");
        }
        assert!(host_is_loopback(&HeaderMap::new()));
    }

    #[test]
    fn numbers_are_checked_against_their_range() {
        assert_eq!(number("limit", None, 1..=100, 10).ok(), Some(10));
        assert_eq!(number("limit", Some("100"), 1..=100, 10).ok(), Some(100));
        assert!(number("limit", Some("101"), 1..=100, 10).is_err());
        assert!(number("limit", Some("0"), 1..=100, 10).is_err());
        assert!(number("limit", Some("-1"), 1..=100, 10).is_err());
        assert!(number("limit", Some("ten"), 1..=100, 10).is_err());
    }
}
