//! The JSON API: request parameters → [`Engine`] → the shapes of [`crate::wire`].

use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::AppState;
use crate::error::Error;
use crate::query::filter as query_filter;
use crate::query::{Filter, Syntax};
use crate::search::{SearchOptions, Sort};
use crate::wire::{ArticleJson, ErrorJson, SearchJson};

/// Longest query accepted, in characters.
pub(crate) const MAX_QUERY_CHARS: usize = 1000;
/// Most hits one request may ask for.
pub(crate) const MAX_LIMIT: usize = 100;
/// Most hits one request may skip (`offset`).
pub(crate) const MAX_OFFSET: usize = 10_000;
/// Most passages per hit one request may ask for.
pub(crate) const MAX_PASSAGES: usize = 10;

/// A failed request: answered with `status` and `{"error": message}`.
#[derive(Debug)]
pub(super) struct ApiError {
    status: StatusCode,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorJson {
            error: &self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

pub(super) fn error(status: StatusCode, message: String) -> ApiError {
    ApiError { status, message }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    error(StatusCode::BAD_REQUEST, message.into())
}

/// Query-string parameters, all as text so that every bad value gets a clear message.
#[derive(Debug, Deserialize)]
pub(super) struct Params {
    q: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    passages: Option<String>,
    plain: Option<String>,
    since: Option<String>,
    until: Option<String>,
    /// Any of these sources, comma-separated.
    source: Option<String>,
    /// Any of these path globs, comma-separated.
    path: Option<String>,
    sort: Option<String>,
    facets: Option<String>,
    exact_count: Option<String>,
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

/// The `q` parameter: present, not too long, not blank.
fn query_text(q: Option<String>) -> Result<String, ApiError> {
    if q.as_ref()
        .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
    {
        return Err(bad_request(format!(
            "query too long: at most {MAX_QUERY_CHARS} characters"
        )));
    }
    let Some(q) = q.filter(|q| !q.trim().is_empty()) else {
        return Err(bad_request(
            "missing query: give the words to search for as ?q=…",
        ));
    };
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
    Ok(match flag("plain", plain)? {
        true => Syntax::Plain,
        false => Syntax::Full,
    })
}

/// A yes/no parameter: `1`/`true` or `0`/`false` (absent or empty: no).
fn flag(name: &str, value: Option<&str>) -> Result<bool, ApiError> {
    match value.map(str::trim) {
        None | Some("" | "0" | "false") => Ok(false),
        Some("1" | "true") => Ok(true),
        Some(_) => Err(bad_request(format!("{name} must be 1, 0, true or false"))),
    }
}

/// The filter of `since`, `until`, `source` and `path` (lists comma-separated).
fn filter(p: &Params) -> Result<Filter, Error> {
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    let list = |v: &Option<String>| -> Vec<String> {
        given(v)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    Filter::of(
        given(&p.since),
        given(&p.until),
        &list(&p.source),
        &list(&p.path),
        query_filter::now(),
    )
}

/// An error from the library: a problem with the request (400), an unknown
/// article (404), or the index could not be read (500).
fn core_error(e: &Error) -> ApiError {
    let message = e.for_parameters().replace('\n', " ");
    match e {
        Error::BadQuery { .. } | Error::BadFilter { .. } => bad_request(message),
        Error::NoArticle { .. } => error(StatusCode::NOT_FOUND, message),
        // `serve --backend`: the cluster behind the server failed.
        Error::Cluster { .. } => error(StatusCode::BAD_GATEWAY, message),
        _ => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot read the index: {message}"),
        ),
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

pub(super) async fn search(
    State(state): State<Arc<AppState>>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = params(query)?;
    let q = query_text(p.q.clone())?;
    let defaults = SearchOptions::default();
    let mut options = defaults.clone();
    options.limit = number("limit", p.limit.as_deref(), 1..=MAX_LIMIT, defaults.limit)?;
    options.offset = number("offset", p.offset.as_deref(), 0..=MAX_OFFSET, 0)?;
    options.passages.count = number(
        "passages",
        p.passages.as_deref(),
        0..=MAX_PASSAGES,
        defaults.passages.count,
    )?;
    options.syntax = syntax(p.plain.as_deref())?;
    options.filter = filter(&p).map_err(|e| core_error(&e))?;
    options.sort = match p.sort.as_deref().map(str::trim) {
        None | Some("") => Sort::Relevance,
        Some(s) => {
            Sort::parse(s).ok_or_else(|| bad_request(format!("sort must be {}", Sort::NAMES)))?
        }
    };
    options.facets = flag("facets", p.facets.as_deref())?;
    options.exact_count = flag("exact_count", p.exact_count.as_deref())?;
    blocking(move || {
        let results = state
            .engine
            .search(&q, &options)
            .map_err(|e| core_error(&e))?;
        Ok(Json(SearchJson::new(&results)).into_response())
    })
    .await
}

pub(super) async fn article(
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
    // Too long is refused even when blank, as the search's `q` is.
    let q = match p.q {
        Some(q) if q.chars().count() > MAX_QUERY_CHARS || !q.trim().is_empty() => {
            Some(query_text(Some(q))?)
        }
        _ => None,
    };
    let syntax = syntax(p.plain.as_deref())?;
    blocking(move || {
        let view = state
            .engine
            .article(&id, q.as_deref(), syntax)
            .map_err(|e| core_error(&e))?;
        Ok(Json(ArticleJson::new(&view, q.as_deref())).into_response())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

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
