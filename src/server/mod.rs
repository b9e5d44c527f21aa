//! `passim serve`: a local search page and a JSON API over HTTP.
//!
//! Routes:
//! - `GET /`: the search page (one HTML file embedded in the binary).
//! - `GET /api/search?q=…&limit=…&passages=…&plain=…`: `{"hits":[…],"summary":{…},"notes":[…]}`,
//!   the same hit and summary objects as `passim search --json`.
//! - `GET /api/articles/{id}?q=…`: one whole article with every match of `q` highlighted.
//! - `GET /api/openapi.json`: the OpenAPI 3 document of these routes
//!   (`openapi.json`, written by hand: change it with the routes and their
//!   parameters; a unit test holds its paths to [`ROUTES`], and
//!   `scripts/check-api` runs schemathesis against it).
//!
//! Errors are JSON `{"error":"…"}`: 400 for bad parameters or an unusable
//! query, 404 for an unknown article or route, 500 when the index cannot be read.
//!
//! The index is opened with [`Engine::open_live`], so a `passim index` run on
//! it is visible to the next requests without a restart. Searches run on
//! tokio's blocking pool: tantivy is synchronous and CPU-bound.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

mod api;

/// The bounds of a request's parameters, shared with `passim mcp`'s tools.
pub(crate) mod limits {
    pub(crate) use super::api::{MAX_LIMIT, MAX_OFFSET, MAX_PASSAGES, MAX_QUERY_CHARS};
}

use crate::error::{Error, Result};
use crate::search::Engine;
use api::{error, ApiError};

/// The OpenAPI 3 document of the API; `VERSION` stands for passim's version.
const OPENAPI: &str = include_str!("openapi.json");

/// Every route of the router, in axum's syntax; `openapi.json` documents each.
pub(crate) const ROUTES: [&str; 4] = [
    "/",
    "/api/search",
    "/api/articles/{*id}",
    "/api/openapi.json",
];

/// The search page: HTML, CSS and script in one file, no external assets.
const PAGE: &str = include_str!("index.html");

/// The page's content security policy: nothing is loaded from anywhere, and
/// the page may only talk to this server.
const PAGE_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; \
    style-src 'unsafe-inline'; connect-src 'self'; img-src 'none'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

struct AppState {
    engine: Engine,
}

/// Serves the index in `dir` on `addr` until the process is stopped;
/// `listening` is told the address once the server listens.
pub(crate) fn run(
    dir: &Path,
    addr: SocketAddr,
    listening: &mut dyn FnMut(SocketAddr) -> std::io::Result<()>,
) -> Result<()> {
    let engine = Engine::open_live(dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .thread_name("passim-serve")
        .build()
        .map_err(|e| Error::io(dir, e))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Error::Serve { addr, source: e })?;
        let local = listener
            .local_addr()
            .map_err(|e| Error::Serve { addr, source: e })?;
        listening(local).map_err(|e| Error::Serve { addr, source: e })?;
        axum::serve(listener, router(engine, local))
            .await
            .map_err(|e| Error::Serve { addr, source: e })
    })
}

/// The routes, over one open index. `local` is the address listened on: when
/// it is a loopback address, requests must name a loopback host (a guard
/// against DNS rebinding: a web page elsewhere cannot read the index).
pub(crate) fn router(engine: Engine, local: SocketAddr) -> Router {
    let state = Arc::new(AppState { engine });
    let loopback_only = local.ip().is_loopback();
    Router::new()
        .route(ROUTES[0], get(page))
        .route(ROUTES[1], get(api::search))
        .route(ROUTES[2], get(api::article))
        .route(ROUTES[3], get(openapi))
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

async fn openapi() -> Response {
    let doc = OPENAPI.replacen(
        "\"VERSION\"",
        concat!("\"", env!("CARGO_PKG_VERSION"), "\""),
        1,
    );
    ([(header::CONTENT_TYPE, "application/json")], doc).into_response()
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    error(
        StatusCode::NOT_FOUND,
        format!("no such page: {}", uri.path()),
    )
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
    fn the_openapi_document_lists_every_route() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        assert_eq!(doc["openapi"], "3.0.3");
        let mut documented: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        documented.sort_unstable();
        // axum's `{*id}` (a wildcard) is OpenAPI's `{id}`.
        let routes: Vec<String> = ROUTES.iter().map(|r| r.replace("{*", "{")).collect();
        let mut routes: Vec<&str> = routes.iter().map(String::as_str).collect();
        routes.sort_unstable();
        assert_eq!(documented, routes);
        // The search parameters are the ones the handler reads.
        let names: Vec<&str> = doc["paths"]["/api/search"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "q",
                "limit",
                "offset",
                "passages",
                "plain",
                "since",
                "until",
                "source",
                "path",
                "sort",
                "facets",
                "exact_count"
            ]
        );
        assert_eq!(
            doc["paths"]["/api/search"]["get"]["parameters"][1]["schema"]["maximum"],
            api::MAX_LIMIT
        );
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
}
