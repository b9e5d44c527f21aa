//! passim on an OpenSearch cluster: the index template (`mapping`), `_bulk`
//! export and `passim push` (`bulk`), the HTTP client (`client`), and search
//! through the cluster (`translate` and [`Cluster`]).
//!
//! A search through the cluster reads the query with passim's own parser,
//! walks the same syntax tree into the query DSL, asks the cluster for the
//! top hits with global term statistics (`dfs_query_then_fetch`) and their
//! stored articles, and builds hits with passim's own passages and
//! highlights (`search::hits_of`): the printers and the API cannot tell
//! where hits came from. The passages' word weights (IDF) use document
//! frequencies counted on the cluster.

pub mod bulk;
pub mod client;
pub mod mapping;
pub mod translate;

use std::time::Instant;

use serde_json::{json, Value};

use crate::error::{ClusterProblem, Error, Result};
use crate::index::schema;
use crate::query::{self, idf, RankSettings, Syntax};
use crate::search::{ArticleView, Engine, SearchOptions, SearchResults, Sort};

pub use client::Client;

/// What the front ends search: a local index or a cluster.
pub trait Backend: Send + Sync {
    fn search(&self, text: &str, opts: &SearchOptions) -> Result<SearchResults>;
    fn article(&self, id: &str, query: Option<&str>, syntax: Syntax) -> Result<ArticleView>;
    /// How many queries of a batch to answer at once.
    fn batch_workers(&self) -> usize {
        1
    }
}

impl Backend for Engine {
    fn search(&self, text: &str, opts: &SearchOptions) -> Result<SearchResults> {
        Engine::search(self, text, opts)
    }

    fn article(&self, id: &str, query: Option<&str>, syntax: Syntax) -> Result<ArticleView> {
        Engine::article(self, id, query, syntax)
    }

    fn batch_workers(&self) -> usize {
        Engine::batch_workers(self)
    }
}

/// An index on an OpenSearch cluster, searched with passim's query language.
pub struct Cluster {
    client: Client,
    /// An empty local index: `query::compile` against it gives the highlight
    /// targets (and checks the query) without any local articles.
    empty: tantivy::Searcher,
    fields: schema::Fields,
}

impl Cluster {
    /// The index at `url` (`http(s)://host:port/index`), credentials from `var`.
    pub fn new(url: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<Cluster> {
        let client = Client::new(url, var)?;
        let (schema, fields) = schema::build();
        let index = tantivy::Index::create_in_ram(schema);
        crate::analysis::register(&index);
        let empty = index.reader()?.searcher();
        Ok(Cluster {
            client,
            empty,
            fields,
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The query compiled for highlighting, with its targets' weights
    /// counted on the cluster.
    fn compiled(&self, text: &str, syntax: Syntax) -> Result<query::CompiledQuery> {
        let rank = RankSettings::default();
        query::compile(text, syntax, &self.empty, &self.fields, &rank)
    }

    /// Per target group, passim's IDF weight from document frequencies
    /// counted on the cluster, in one `_msearch`.
    fn weights(&self, targets: &[query::Target], words: &[Vec<String>]) -> Result<Vec<f32>> {
        // The walk that found the words keeps compile's rules; should the
        // two ever disagree, count stemmed terms instead.
        let words = (words.len() == targets.len()).then_some(words);
        let mut body = String::new();
        let mut push = |q: Value| {
            body.push_str("{}\n");
            body.push_str(&json!({ "size": 0, "track_total_hits": true, "query": q }).to_string());
            body.push('\n');
        };
        push(json!({ "match_all": {} }));
        let mut shapes: Vec<Vec<usize>> = Vec::new();
        for (i, target) in targets.iter().enumerate() {
            let typed = words.map(|w| w[i].as_slice());
            let per_field = translate::doc_freq_queries(target, typed);
            shapes.push(per_field.iter().map(Vec::len).collect());
            for q in per_field.into_iter().flatten() {
                push(q);
            }
        }
        let path = format!("/{}/_msearch", self.client.index());
        let reply = self.client.request(
            "POST",
            &path,
            "application/x-ndjson",
            Some(body.as_bytes()),
            &|_| false,
        )?;
        let reply = self.client.parse(&reply.body)?;
        let responses = reply
            .get("responses")
            .and_then(Value::as_array)
            .ok_or_else(|| self.bad_reply("an _msearch answer without responses"))?;
        let mut counts = responses.iter().map(|r| self.total(r));
        let num_docs = counts
            .next()
            .ok_or_else(|| self.bad_reply("an empty _msearch answer"))??;
        let groups = targets.iter().map(|t| t.group).max().map_or(0, |g| g + 1);
        let mut weights = vec![0.0f32; groups];
        for (target, shape) in targets.iter().zip(shapes) {
            let mut df = 0u64;
            for n in shape {
                let mut least = u64::MAX;
                for _ in 0..n {
                    let count = counts
                        .next()
                        .ok_or_else(|| self.bad_reply("too few _msearch responses"))??;
                    least = least.min(count);
                }
                df = df.max(if least == u64::MAX { 0 } else { least });
            }
            weights[target.group] = idf(df, num_docs);
        }
        Ok(weights)
    }

    fn bad_reply(&self, what: &str) -> Error {
        self.client.error(ClusterProblem::BadReply(what.to_owned()))
    }

    /// `hits.total.value` of a search answer (or the error it carries).
    fn total(&self, response: &Value) -> Result<u64> {
        if let Some(error) = response.get("error") {
            let status = response.get("status").and_then(Value::as_u64).unwrap_or(0);
            return Err(self.client.error(ClusterProblem::Refused {
                status: u16::try_from(status).unwrap_or(0),
                reason: client::reason(&json!({ "error": error }).to_string()),
            }));
        }
        let total = &response["hits"]["total"];
        total
            .get("value")
            .or(Some(total))
            .and_then(Value::as_u64)
            .ok_or_else(|| self.bad_reply("a search answer without hits.total"))
    }

    fn search_once(&self, text: &str, opts: &SearchOptions) -> Result<SearchResults> {
        let started = Instant::now();
        let mut compiled = self.compiled(text, opts.syntax)?;
        let parsed = query::parse(text, opts.syntax)?;
        let translated = translate::translate(&parsed, &opts.filter, &opts.rank);
        if opts.passages.count > 0 && !compiled.targets.is_empty() {
            compiled.weights = self.weights(&compiled.targets, &translated.words)?;
        }
        let dsl = translated.dsl;
        let mut request = json!({
            "query": dsl,
            "from": opts.offset,
            "size": opts.limit.max(1),
            "track_total_hits": true,
        });
        // Ties broken by article id, as locally.
        request["track_scores"] = json!(true);
        request["sort"] = match opts.sort {
            Sort::Relevance => json!(["_score", { "id": "asc" }]),
            Sort::DateAscending | Sort::DateDescending => {
                let order = if opts.sort == Sort::DateAscending {
                    "asc"
                } else {
                    "desc"
                };
                json!([
                    { "date_ts": { "order": order, "missing": "_last" } },
                    "_score",
                    { "id": "asc" }
                ])
            }
        };
        if let Some(min) = opts.min_score {
            request["min_score"] = json!(min);
        }
        // Global term statistics, so that scores do not depend on the shard
        // an article landed on.
        let path = format!(
            "/{}/_search?search_type=dfs_query_then_fetch",
            self.client.index()
        );
        let reply = self.client.json("POST", &path, Some(&request))?;
        let total_hits = usize::try_from(self.total(&reply)?).unwrap_or(usize::MAX);
        let hits = reply["hits"]["hits"]
            .as_array()
            .ok_or_else(|| self.bad_reply("a search answer without hits.hits"))?;
        let mut ranked = Vec::with_capacity(hits.len());
        for hit in hits {
            let score = hit.get("_score").and_then(Value::as_f64).unwrap_or(0.0) as f32;
            let source = hit
                .get("_source")
                .ok_or_else(|| self.bad_reply("a hit without _source"))?;
            ranked.push((score, bulk::stored(source)));
        }
        let mut notes = std::mem::take(&mut compiled.notes);
        if opts.facets {
            notes.push("facets are not counted when searching through OpenSearch".to_owned());
        }
        Ok(SearchResults {
            query: text.to_owned(),
            offset: opts.offset,
            hits: crate::search::hits_of(&compiled, opts.passages, opts.offset + 1, ranked),
            total_hits,
            // The cluster counts exactly up to its `track_total_hits` (10,000
            // by default) and says "gte" beyond.
            total_exact: reply["hits"]["total"]["relation"].as_str() != Some("gte"),
            notes,
            suggestions: Vec::new(),
            corrected_query: None,
            facets: None,
            filtered_out: None,
            elapsed: started.elapsed(),
        })
    }
}

impl Backend for Cluster {
    fn search(&self, text: &str, opts: &SearchOptions) -> Result<SearchResults> {
        self.search_once(text, opts)
    }

    fn article(&self, id: &str, query: Option<&str>, syntax: Syntax) -> Result<ArticleView> {
        let path = format!("/{}/_doc/{}", self.client.index(), client::path_segment(id));
        let reply = self
            .client
            .request("GET", &path, "application/json", None, &|s| s == 404)?;
        let doc = self.client.parse(&reply.body)?;
        if reply.status == 404 || doc.get("found").and_then(Value::as_bool) == Some(false) {
            return Err(Error::NoArticle { id: id.to_owned() });
        }
        let source = doc
            .get("_source")
            .ok_or_else(|| self.bad_reply("a document without _source"))?;
        let (targets, notes) = match query {
            Some(q) => {
                let compiled = self.compiled(q, syntax)?;
                (compiled.targets, compiled.notes)
            }
            None => (Vec::new(), Vec::new()),
        };
        Ok(crate::search::view_of(
            bulk::stored(source),
            &targets,
            notes,
        ))
    }
}
