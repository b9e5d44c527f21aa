//! `passim mcp`: a Model Context Protocol server over stdio, so that an AI
//! assistant can search the index and quote passages exactly.
//!
//! Built on the official Rust SDK, [`rmcp`]. Three tools, each going through
//! [`Engine`] like the HTTP API:
//! - `search`: ranked hits with passages (the JSON of `GET /api/search`);
//! - `show`: one whole article, optionally with a query's matches (the JSON of
//!   `GET /api/articles/{id}`);
//! - `stats`: facts about the index (the JSON of `passim stats --json`).
//!
//! Every answer is JSON from [`crate::wire`] (or [`crate::index::Stats`]),
//! both as the tool result's structured content and as its text. A problem
//! with a call (an unusable query, an unknown id, an unreadable index) is a
//! tool error (`isError: true`) whose text is passim's message, as is an
//! argument out of range, so that the model sees it and can correct the call;
//! arguments of the wrong type are the SDK's JSON-RPC "invalid params" error.
//! Nothing is printed on stdout but the protocol.

use std::path::Path;
use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool, tool_handler, tool_router, ErrorData, ServerHandler, ServiceExt};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::query::{filter, Syntax};
use crate::search::{Engine, SearchOptions, Sort};
use crate::server::limits::{MAX_LIMIT, MAX_OFFSET, MAX_PASSAGES, MAX_QUERY_CHARS};
use crate::wire::{ArticleJson, SearchJson};

/// What the server tells the client about itself when it connects.
const INSTRUCTIONS: &str = "passim searches a local index of articles (news, notes, documents). \
Use `search` to find articles about something: it returns ranked hits, each with an id, a path, \
a score and its best passages, with byte offsets of every highlighted match, so you can quote \
the passage text exactly and cite the article by path. Use `show` with a hit's id to read the \
whole article (pass the same query to get every match highlighted). Use `stats` to learn how \
many articles the index holds and which folders it covers.";

/// The `search` tool's arguments.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchArgs {
    /// What to search for. Plain words find articles with any of them (more
    /// matches rank higher; words are stemmed, so `striking` finds `strike`).
    /// The full syntax also has "exact phrases", +required and -excluded
    /// words, AND / OR / NOT, title:word, body:word and prefix*.
    pub query: String,
    /// How many hits to return, 1 to 100. Default 10.
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u64>,
    /// How many of the best hits to skip, to page through results (0 to 10000). Default 0.
    #[schemars(range(max = 10000))]
    pub offset: Option<u64>,
    /// Passages per hit, 0 to 10. Default 3. Each passage is a few whole
    /// sentences with the byte offset of its text in the article's body.
    #[schemars(range(max = 10))]
    pub passages: Option<u64>,
    /// Read the query as plain words: no operators, quotes or fields. Use it
    /// for text copied from elsewhere. Default false.
    pub plain: Option<bool>,
    /// Only articles dated on or after this: `2023`, `2023-05`, `2023-05-04`,
    /// or a span back from now such as `7d`, `3m`, `1y`.
    pub since: Option<String>,
    /// Only articles dated up to the end of this (`2023-06` includes June);
    /// same forms as `since`.
    pub until: Option<String>,
    /// Only articles from these sources (any of them). A name matches a
    /// source by whole words: `bbc` matches "BBC News", `guardian` "The Guardian".
    pub sources: Option<Vec<String>>,
    /// Only articles whose file path matches one of these globs: `*.pdf`
    /// (the file name) or `news/*.html` (the end of the path).
    pub paths: Option<Vec<String>>,
    /// Order of the hits: `relevance` (default), `-date` (newest first) or
    /// `date` (oldest first).
    pub sort: Option<String>,
    /// Also count the matching articles per source and per year (the
    /// summary's `facets`). Default false.
    pub facets: Option<bool>,
}

/// The `show` tool's arguments.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ShowArgs {
    /// The article's id, as a `search` hit gives it.
    pub id: String,
    /// A query whose matches to highlight in the article (byte ranges into
    /// its body). Optional.
    pub query: Option<String>,
    /// Read the query as plain words: no operators, quotes or fields. Default false.
    pub plain: Option<bool>,
}

/// A number argument within `0..=max` (and at least `min`), or passim's message.
fn bounded(
    name: &str,
    value: Option<u64>,
    min: usize,
    max: usize,
    default: usize,
) -> Result<usize, String> {
    let Some(value) = value else {
        return Ok(default);
    };
    match usize::try_from(value) {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("{name} must be a whole number from {min} to {max}")),
    }
}

/// A query argument: not blank, not too long.
fn query_text(query: &str) -> Result<(), String> {
    if query.trim().is_empty() {
        return Err("missing query: give the words to search for".to_owned());
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(format!(
            "query too long: at most {MAX_QUERY_CHARS} characters"
        ));
    }
    Ok(())
}

fn syntax(plain: Option<bool>) -> Syntax {
    if plain.unwrap_or(false) {
        Syntax::Plain
    } else {
        Syntax::Full
    }
}

/// The `search` tool's arguments → [`SearchOptions`]: the one place where
/// they meet, so a new option is one more line here.
pub(crate) fn search_options(args: &SearchArgs) -> Result<SearchOptions, String> {
    query_text(&args.query)?;
    let defaults = SearchOptions::default();
    let mut options = defaults.clone();
    options.limit = bounded("limit", args.limit, 1, MAX_LIMIT, defaults.limit)?;
    options.offset = bounded("offset", args.offset, 0, MAX_OFFSET, 0)?;
    options.passages.count = bounded(
        "passages",
        args.passages,
        0,
        MAX_PASSAGES,
        defaults.passages.count,
    )?;
    options.syntax = syntax(args.plain);
    let now = filter::now();
    let date = |v: &Option<String>, read: fn(&str, i64) -> Result<i64>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| read(v, now).map_err(|e| e.for_parameters()))
            .transpose()
    };
    let (since, until) = (
        date(&args.since, filter::since)?,
        date(&args.until, filter::until)?,
    );
    options.filter.date(since, until);
    let no_list = Vec::new();
    options
        .filter
        .sources(args.sources.as_ref().unwrap_or(&no_list))
        .and_then(|()| {
            options
                .filter
                .paths(args.paths.as_ref().unwrap_or(&no_list))
        })
        .map_err(|e| e.to_string())?;
    options.sort = match args.sort.as_deref().map(str::trim) {
        None | Some("") => Sort::Relevance,
        Some(s) => Sort::parse(s).ok_or_else(|| format!("sort must be {}", Sort::NAMES))?,
    };
    options.facets = args.facets.unwrap_or(false);
    Ok(options)
}

/// The server: one open index, shared by the tool calls.
#[derive(Clone)]
pub(crate) struct Passim {
    engine: Arc<Engine>,
    tool_router: ToolRouter<Self>,
}

/// A tool's answer: the JSON exactly as the HTTP API writes it (fields in
/// their order, scores as written), as text and as structured content.
fn answer<T: serde::Serialize>(shape: &T) -> CallToolResult {
    let parsed = serde_json::to_string(shape).and_then(|text| {
        let value: serde_json::Value = serde_json::from_str(&text)?;
        Ok((text, value))
    });
    match parsed {
        Ok((text, value)) => {
            let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
            result.structured_content = Some(value);
            result
        }
        Err(e) => failure(&format!("cannot write the answer as JSON: {e}")),
    }
}

/// A tool error: passim's message, one line.
fn failure(message: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.replace('\n', " "))])
}

fn core_failure(e: &Error) -> CallToolResult {
    failure(&e.to_string())
}

impl Passim {
    /// Runs `f` on tokio's blocking pool: tantivy work would stall the protocol.
    async fn blocking(
        &self,
        f: impl FnOnce(&Engine) -> CallToolResult + Send + 'static,
    ) -> CallToolResult {
        let engine = Arc::clone(&self.engine);
        match tokio::task::spawn_blocking(move || f(&engine)).await {
            Ok(result) => result,
            Err(_) => failure("internal error while answering the call"),
        }
    }
}

#[tool_router]
impl Passim {
    pub(crate) fn new(engine: Engine) -> Self {
        Passim {
            engine: Arc::new(engine),
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        name = "search",
        description = "Search the indexed articles. Returns {hits, summary, notes}: hits are \
ranked best first, each with id, path, title, score, rank and passages; a passage has the \
paragraph number, `offset` (the byte offset of its text in the article's body), `text`, and \
`highlights` (byte ranges of the matched words within `text`). summary has total_hits (matching \
articles; a lower bound when total_hits_relation is \"gte\"), did_you_mean or corrected_query when \
a word looks misspelt, and unfiltered_hits when the date, source or path filters left none of the \
articles the words match; notes say how the query was read. Page with offset and limit.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn search(
        &self,
        Parameters(args): Parameters<SearchArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let options = match search_options(&args) {
            Ok(options) => options,
            Err(message) => return Ok(failure(&message)),
        };
        Ok(self
            .blocking(move |engine| match engine.search(&args.query, &options) {
                Ok(results) => answer(&SearchJson::new(&results)),
                Err(e) => core_failure(&e),
            })
            .await)
    }

    #[tool(
        name = "show",
        description = "Read one whole article by its id (from a search hit). Returns id, \
path, title, body, paragraphs (byte ranges of the body's paragraphs), date, url and source when \
known, and, when a query is given, highlights: the byte ranges in body of every match of the \
query.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn show(
        &self,
        Parameters(args): Parameters<ShowArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let query = args.query.filter(|q| !q.trim().is_empty());
        if let Some(Err(message)) = query.as_deref().map(query_text) {
            return Ok(failure(&message));
        }
        let syntax = syntax(args.plain);
        let id = args.id;
        Ok(self
            .blocking(
                move |engine| match engine.article(&id, query.as_deref(), syntax) {
                    Ok(view) => answer(&ArticleJson::new(&view, query.as_deref())),
                    Err(e) => core_failure(&e),
                },
            )
            .await)
    }

    #[tool(
        name = "stats",
        description = "Facts about the index: how many articles and distinct terms it holds, \
its size in bytes, when it was last updated, and its roots (the folders and files it was built \
from, with the number of articles under each).",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn stats(&self) -> Result<CallToolResult, ErrorData> {
        Ok(self
            .blocking(|engine| match engine.stats() {
                Ok(stats) => answer(&stats),
                Err(e) => core_failure(&e),
            })
            .await)
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Passim {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("passim", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }
}

/// Serves the index in `dir` over stdin and stdout until the client closes
/// stdin. The caller must not hold stdout's lock.
pub(crate) fn run(dir: &Path) -> Result<()> {
    let engine = Engine::open_live(dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .thread_name("passim-mcp")
        .build()
        .map_err(|e| Error::io(dir, e))?;
    runtime.block_on(async {
        let transport = rmcp::transport::stdio();
        let service = Passim::new(engine)
            .serve(transport)
            .await
            .map_err(|e| Error::Mcp {
                message: e.to_string(),
            })?;
        service.waiting().await.map_err(|e| Error::Mcp {
            message: e.to_string(),
        })?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::filter::Constraint;

    fn args(json: serde_json::Value) -> SearchArgs {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn tool_arguments_become_search_options() {
        let o = search_options(&args(serde_json::json!({"query": "pay"}))).unwrap();
        assert_eq!((o.limit, o.offset, o.passages.count), (10, 0, 3));
        assert_eq!(o.syntax, Syntax::Full);
        let o = search_options(&args(serde_json::json!({
            "query": "pay", "limit": 100, "offset": 20, "passages": 0, "plain": true
        })))
        .unwrap();
        assert_eq!((o.limit, o.offset, o.passages.count), (100, 20, 0));
        assert_eq!(o.syntax, Syntax::Plain);
        assert!(o.filter.is_empty() && o.sort == Sort::Relevance && !o.facets);
        let o = search_options(&args(serde_json::json!({
            "query": "pay", "since": "2023-05", "until": "2023-05", "sources": ["BBC News"],
            "paths": ["*.html"], "sort": "-date", "facets": true
        })))
        .unwrap();
        let day = |d| crate::ingest::date::timestamp(d);
        assert_eq!(
            o.filter.constraints,
            [
                Constraint::Date {
                    since: day("2023-05-01"),
                    until: day("2023-06-01")
                },
                Constraint::Source {
                    names: vec!["bbc news".into()],
                    negated: false
                },
                Constraint::Path {
                    globs: vec!["*.html".into()],
                    negated: false
                }
            ]
        );
        assert_eq!(o.sort, Sort::DateDescending);
        assert!(o.facets);
    }

    #[test]
    fn bad_tool_arguments_are_passims_messages() {
        let e = |v| search_options(&args(v)).unwrap_err();
        assert_eq!(
            e(serde_json::json!({"query": "pay", "limit": 0})),
            "limit must be a whole number from 1 to 100"
        );
        assert_eq!(
            e(serde_json::json!({"query": "pay", "passages": 11})),
            "passages must be a whole number from 0 to 10"
        );
        assert_eq!(
            e(serde_json::json!({"query": "  "})),
            "missing query: give the words to search for"
        );
        assert_eq!(
            e(serde_json::json!({"query": "pay", "since": "soon"})),
            "since \"soon\" is not a date: use 2023, 2023-05, 2023-05-04, or a span back from now such as 7d, 3m or 1y"
        );
        assert_eq!(
            e(serde_json::json!({"query": "pay", "sort": "up"})),
            "sort must be relevance, date (oldest first) or -date (newest first)"
        );
        assert!(serde_json::from_value::<SearchArgs>(serde_json::json!({"q": "pay"})).is_err());
    }
}
