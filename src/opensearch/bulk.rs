//! `_bulk` NDJSON: one action line and one source line per article, written
//! as the articles are read from the index (nothing is gathered first), and
//! `passim push`: the same lines sent in batches.

use std::io::Write;

use serde_json::{json, Map, Value};

use super::client::Client;
use crate::error::{ClusterProblem, Error, Result};
use crate::index::schema::{StoredArticle, DATE_FROM_FILE};
use crate::ingest::date;
use crate::search::Engine;

/// An article as a cluster document: the stored article's fields, the
/// date also as seconds since the epoch (`date_ts`, for filters and
/// sorting), and `pushed`, the run that sent it.
pub fn source(article: &StoredArticle, pushed: Option<i64>) -> Value {
    let mut doc = Map::new();
    doc.insert("id".into(), json!(article.id));
    doc.insert("path".into(), json!(article.path));
    doc.insert("headline".into(), json!(article.title));
    doc.insert("body".into(), json!(article.body));
    let meta = &article.meta;
    if let Some(d) = &meta.date {
        doc.insert("date".into(), json!(d));
        if let Some(ts) = date::timestamp(d) {
            doc.insert("date_ts".into(), json!(ts));
        }
    }
    if meta.date_from_file {
        doc.insert("date_from".into(), json!(DATE_FROM_FILE));
    }
    for (name, value) in [
        ("url", &meta.url),
        ("source", &meta.source),
        ("author", &meta.author),
        ("language", &meta.language),
        ("extra", &article.extra),
    ] {
        if let Some(v) = value {
            doc.insert(name.into(), json!(v));
        }
    }
    if let Some(run) = pushed {
        doc.insert("pushed".into(), json!(run));
    }
    Value::Object(doc)
}

/// A cluster document back into a stored article (the inverse of [`source`]).
pub fn stored(source: &Value) -> StoredArticle {
    let text = |name: &str| source.get(name).and_then(Value::as_str).map(str::to_owned);
    StoredArticle {
        id: text("id").unwrap_or_default(),
        path: text("path").unwrap_or_default(),
        title: text("headline").unwrap_or_default(),
        body: text("body").unwrap_or_default(),
        meta: crate::index::schema::Meta {
            date: text("date"),
            date_from_file: text("date_from").as_deref() == Some(DATE_FROM_FILE),
            url: text("url"),
            source: text("source"),
            author: text("author"),
            language: text("language"),
        },
        extra: text("extra"),
    }
}

/// The two NDJSON lines of one article: `{"index":{"_id":…}}` and its source.
fn lines(out: &mut Vec<u8>, article: &StoredArticle, pushed: Option<i64>) {
    let action = json!({ "index": { "_id": article.id } });
    // Writing JSON into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &action);
    out.push(b'\n');
    let _ = serde_json::to_writer(&mut *out, &source(article, pushed));
    out.push(b'\n');
}

/// `passim export --opensearch-bulk`: every article of the index as `_bulk`
/// NDJSON on `out` (the index named in the URL of the `_bulk` request).
/// Returns the number of articles written.
pub fn export(engine: &Engine, out: &mut dyn Write) -> Result<u64> {
    let mut n = 0u64;
    let mut buf = Vec::with_capacity(64 * 1024);
    engine.for_each_article(&mut |article| {
        buf.clear();
        lines(&mut buf, &article, None);
        out.write_all(&buf).map_err(|e| Error::io("<stdout>", e))?;
        n += 1;
        Ok(())
    })?;
    Ok(n)
}

/// How `passim push` sends its batches.
#[derive(Debug, Clone, Copy)]
pub struct PushOptions {
    /// Most articles in one `_bulk` request.
    pub batch_articles: usize,
    /// Most bytes in one `_bulk` request (a batch closes before passing it).
    pub batch_bytes: usize,
    /// After a push in which every article was stored, delete the cluster's
    /// documents that an earlier push sent and this one did not (articles
    /// removed from the index since).
    pub prune: bool,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            batch_articles: 1000,
            batch_bytes: 8 * 1024 * 1024,
            prune: true,
        }
    }
}

/// What a push did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PushReport {
    pub sent: u64,
    pub stored: u64,
    /// Articles not stored: (id, reason).
    pub failed: Vec<(String, String)>,
    /// Documents deleted because the index no longer has them.
    pub pruned: u64,
    pub batches: u64,
}

/// Events of a push, for progress and per-article failure lines.
pub trait PushReporter {
    /// An article the cluster refused, with its reason.
    fn failed(&mut self, id: &str, reason: &str);
    /// A batch was answered; `done` articles so far.
    fn progress(&mut self, done: u64);
}

/// `passim push URL`: installs the index template for the URL's index,
/// sends every article in `_bulk` batches (429 and 5xx answers, and items
/// refused with 429, are retried with backoff), reports each article the
/// cluster refused, refreshes the index, and (when nothing failed and
/// `prune` is on) deletes documents of earlier pushes that the index no
/// longer has. Documents are keyed by article id, so a re-run overwrites
/// what is there and sends what is missing: nothing is lost.
pub fn push(
    engine: &Engine,
    client: &Client,
    opts: &PushOptions,
    reporter: &mut dyn PushReporter,
) -> Result<PushReport> {
    let index = client.index().to_owned();
    let template = super::mapping::template(&index);
    client.json(
        "PUT",
        &format!("/_index_template/passim-{index}"),
        Some(&template),
    )?;
    // The run's mark: later than any earlier push's.
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let mut report = PushReport::default();
    let mut batch = Batch::default();
    engine.for_each_article(&mut |article| {
        let before = batch.body.len();
        lines(&mut batch.body, &article, Some(run));
        batch.ids.push(article.id);
        batch.starts.push(before);
        if batch.ids.len() >= opts.batch_articles || batch.body.len() >= opts.batch_bytes {
            send(client, &mut batch, &mut report, reporter)?;
        }
        Ok(())
    })?;
    if !batch.ids.is_empty() {
        send(client, &mut batch, &mut report, reporter)?;
    }
    client.json("POST", &format!("/{index}/_refresh"), None)?;
    if report.failed.is_empty() && opts.prune {
        let stale = json!({ "query": { "bool": { "should": [
            { "range": { "pushed": { "lt": run } } },
            { "bool": { "must_not": { "exists": { "field": "pushed" } } } }
        ] } } });
        let reply = client.json(
            "POST",
            &format!("/{index}/_delete_by_query?refresh=true&conflicts=proceed"),
            Some(&stale),
        )?;
        report.pruned = reply.get("deleted").and_then(Value::as_u64).unwrap_or(0);
    }
    if !report.failed.is_empty() {
        return Err(client.error(ClusterProblem::BulkFailed {
            failed: report.failed.len() as u64,
            sent: report.sent,
        }));
    }
    Ok(report)
}

/// The articles of one `_bulk` request.
#[derive(Default)]
struct Batch {
    body: Vec<u8>,
    ids: Vec<String>,
    /// Where each article's two lines start in `body`.
    starts: Vec<usize>,
}

impl Batch {
    fn clear(&mut self) {
        self.body.clear();
        self.ids.clear();
        self.starts.clear();
    }

    /// The lines of article `i`.
    fn lines_of(&self, i: usize) -> &[u8] {
        let end = self.starts.get(i + 1).copied().unwrap_or(self.body.len());
        &self.body[self.starts[i]..end]
    }
}

/// Sends a batch; items the cluster refused with 429 (its queue was full)
/// are sent again, with backoff, like a whole request answered 429.
fn send(
    client: &Client,
    batch: &mut Batch,
    report: &mut PushReport,
    reporter: &mut dyn PushReporter,
) -> Result<()> {
    let path = format!("/{}/_bulk", client.index());
    report.sent += batch.ids.len() as u64;
    let mut wait = std::time::Duration::from_millis(200);
    for round in 0..5 {
        report.batches += 1;
        let reply = client.request(
            "POST",
            &path,
            "application/x-ndjson",
            Some(&batch.body),
            &|_| false,
        )?;
        let reply = client.parse(&reply.body)?;
        let items = reply
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                client.error(ClusterProblem::BadReply(
                    "a _bulk answer without items".into(),
                ))
            })?;
        if items.len() != batch.ids.len() {
            return Err(client.error(ClusterProblem::BadReply(format!(
                "a _bulk answer with {} items for {} articles",
                items.len(),
                batch.ids.len()
            ))));
        }
        let mut again = Batch::default();
        for (i, item) in items.iter().enumerate() {
            let result = item
                .as_object()
                .and_then(|o| o.values().next())
                .cloned()
                .unwrap_or(Value::Null);
            let status = result.get("status").and_then(Value::as_u64).unwrap_or(0);
            if (200..300).contains(&status) {
                report.stored += 1;
            } else if status == 429 && round < 4 {
                again.starts.push(again.body.len());
                let lines = batch.lines_of(i).to_vec();
                again.body.extend_from_slice(&lines);
                again.ids.push(batch.ids[i].clone());
            } else {
                let reason = result
                    .get("error")
                    .map(|e| {
                        e.get("reason")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                            .unwrap_or_else(|| e.to_string())
                    })
                    .unwrap_or_else(|| format!("HTTP {status}"));
                reporter.failed(&batch.ids[i], &reason);
                report.failed.push((batch.ids[i].clone(), reason));
            }
        }
        reporter.progress(report.stored + report.failed.len() as u64);
        if again.ids.is_empty() {
            break;
        }
        *batch = again;
        std::thread::sleep(wait);
        wait *= 2;
    }
    batch.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema::Meta;

    #[test]
    fn an_article_round_trips_through_its_source() {
        let article = StoredArticle {
            id: "bbc/001".into(),
            path: "bbc/001.txt".into(),
            title: "Pay".into(),
            body: "The union called a strike.".into(),
            meta: Meta {
                date: Some("2023-05-04".into()),
                date_from_file: false,
                url: None,
                source: Some("BBC News".into()),
                author: None,
                language: Some("en".into()),
            },
            extra: Some("{\"k\":1}".into()),
        };
        let doc = source(&article, Some(7));
        assert_eq!(doc["date_ts"], json!(1_683_158_400));
        assert_eq!(doc["pushed"], json!(7));
        assert!(doc.get("url").is_none());
        let back = stored(&doc);
        assert_eq!(back.id, article.id);
        assert_eq!(back.title, article.title);
        assert_eq!(back.body, article.body);
        assert_eq!(back.meta, article.meta);
        assert_eq!(back.extra, article.extra);
        let mut out = Vec::new();
        lines(&mut out, &article, None);
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("{\"index\":{\"_id\":\"bbc/001\"}}\n{"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 2);
    }
}
