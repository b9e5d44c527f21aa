//! The HTTP side: one blocking client for one index URL, credentials from
//! the environment, retries with backoff on 429 and 5xx, and every failure
//! as an [`Error::Cluster`].

use std::time::Duration;

use base64::Engine as _;

use crate::error::{ClusterProblem, Error, Result};

/// Environment variables that carry credentials; never read from arguments.
pub const USER_VAR: &str = "PASSIM_OPENSEARCH_USER";
pub const PASSWORD_VAR: &str = "PASSIM_OPENSEARCH_PASSWORD";
pub const TOKEN_VAR: &str = "PASSIM_OPENSEARCH_TOKEN";
/// Attempts per request when the cluster answers 429 or 5xx (default 5).
pub const ATTEMPTS_VAR: &str = "PASSIM_OPENSEARCH_ATTEMPTS";
/// The first wait before a retry, in milliseconds (default 500); it doubles
/// with each retry, up to 30 s.
pub const BACKOFF_VAR: &str = "PASSIM_OPENSEARCH_BACKOFF_MS";

/// The largest answer read (a bulk reply for a big batch, a page of hits).
const MAX_REPLY_BYTES: u64 = 512 * 1024 * 1024;

/// An index on an OpenSearch cluster: `http(s)://host[:port]/index`.
pub struct Client {
    /// `scheme://host:port`, no trailing slash.
    base: String,
    index: String,
    agent: ureq::Agent,
    authorization: Option<String>,
    attempts: u32,
    backoff: Duration,
}

/// An answer: its status and its body.
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Client {
    /// A client for `url`, with credentials and retry settings from `var`
    /// (the environment).
    pub fn new(url: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<Client> {
        let (base, index) = split_url(url)?;
        let authorization = match (var(USER_VAR), var(PASSWORD_VAR), var(TOKEN_VAR)) {
            (_, _, Some(token)) if !token.is_empty() => Some(format!("Bearer {token}")),
            (Some(user), password, _) if !user.is_empty() => {
                let pair = format!("{user}:{}", password.unwrap_or_default());
                Some(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ))
            }
            _ => None,
        };
        let number = |name: &str| var(name).and_then(|v| v.trim().parse::<u64>().ok());
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(300)))
            .build()
            .into();
        Ok(Client {
            base,
            index,
            agent,
            authorization,
            attempts: number(ATTEMPTS_VAR).map_or(5, |n| n.clamp(1, 100) as u32),
            backoff: Duration::from_millis(number(BACKOFF_VAR).unwrap_or(500)),
        })
    }

    /// The index URL, for messages (credentials never appear in it).
    pub fn url(&self) -> String {
        format!("{}/{}", self.base, self.index)
    }

    pub fn index(&self) -> &str {
        &self.index
    }

    /// An error about this cluster.
    pub fn error(&self, problem: ClusterProblem) -> Error {
        Error::Cluster {
            url: self.url(),
            problem,
        }
    }

    /// Sends a request to `path` (from the cluster's root, e.g.
    /// `/articles/_search`), retrying on 429 and 5xx; any other error status
    /// is an error unless `accept` says it is expected.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Option<&[u8]>,
        accept: &dyn Fn(u16) -> bool,
    ) -> Result<Reply> {
        let url = format!("{}{path}", self.base);
        let mut wait = self.backoff;
        let mut attempt = 1;
        loop {
            let reply = self.once(method, &url, content_type, body)?;
            let retry = reply.status == 429 || (500..600).contains(&reply.status);
            if !retry || attempt >= self.attempts {
                return self.check(reply, attempt, accept);
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(30));
            attempt += 1;
        }
    }

    /// A JSON request whose answer must be a success; returns the answer's JSON.
    pub fn json(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value> {
        let bytes = body.map(|b| b.to_string().into_bytes());
        let reply = self.request(method, path, "application/json", bytes.as_deref(), &|_| {
            false
        })?;
        self.parse(&reply.body)
    }

    /// The JSON of an answer's body.
    pub fn parse(&self, body: &str) -> Result<serde_json::Value> {
        serde_json::from_str(body).map_err(|e| self.error(ClusterProblem::BadReply(e.to_string())))
    }

    fn once(
        &self,
        method: &str,
        url: &str,
        content_type: &str,
        body: Option<&[u8]>,
    ) -> Result<Reply> {
        let unreachable = |e: ureq::Error| self.error(ClusterProblem::Unreachable(describe(&e)));
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(url)
            .header("Content-Type", content_type)
            .header("Accept", "application/json");
        let request = match &self.authorization {
            Some(auth) => request.header("Authorization", auth),
            None => request,
        };
        let request = request
            .body(body.unwrap_or_default().to_vec())
            .map_err(|e| self.error(ClusterProblem::BadUrl(e.to_string())))?;
        let mut response = self.agent.run(request).map_err(unreachable)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_REPLY_BYTES)
            .read_to_string()
            .map_err(unreachable)?;
        Ok(Reply { status, body })
    }

    fn check(&self, reply: Reply, attempts: u32, accept: &dyn Fn(u16) -> bool) -> Result<Reply> {
        let status = reply.status;
        if (200..300).contains(&status) || accept(status) {
            return Ok(reply);
        }
        Err(self.error(match status {
            401 | 403 => ClusterProblem::Unauthorized { status },
            429 | 500..=599 => ClusterProblem::Overloaded { status, attempts },
            _ => ClusterProblem::Refused {
                status,
                reason: reason(&reply.body),
            },
        }))
    }
}

/// The cluster's reason for an error answer: `error.reason` (or `error.type`)
/// of its JSON, else the start of the body.
pub fn reason(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let text = error
        .and_then(|e| e.get("reason").or_else(|| e.get("type")))
        .or(error)
        .and_then(|r| r.as_str())
        .map(str::to_owned);
    text.unwrap_or_else(|| body.chars().take(200).collect::<String>().trim().to_owned())
}

/// A transport error in a few words.
fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused".to_owned()
        }
        ureq::Error::Io(io) => io.to_string(),
        ureq::Error::HostNotFound => "host not found".to_owned(),
        ureq::Error::Timeout(_) => "timed out".to_owned(),
        ureq::Error::ConnectionFailed => "connection failed".to_owned(),
        other => other.to_string(),
    }
}

/// `http(s)://host[:port]/index` → (`http(s)://host[:port]`, `index`).
fn split_url(url: &str) -> Result<(String, String)> {
    let bad = |why: &str| Error::Cluster {
        url: redact(url),
        problem: ClusterProblem::BadUrl(why.to_owned()),
    };
    let trimmed = url.trim().trim_end_matches('/');
    let Some((scheme, rest)) = trimmed.split_once("://") else {
        return Err(bad("it must start with http:// or https://"));
    };
    if !matches!(scheme, "http" | "https") {
        return Err(bad("it must start with http:// or https://"));
    }
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.contains('@') {
        return Err(bad("credentials do not belong in the URL"));
    }
    if host.is_empty() {
        return Err(bad("it names no host"));
    }
    if path.is_empty() || path.contains('/') || path.contains('?') || path.contains('#') {
        return Err(bad("it must end with the index's name, as in /articles"));
    }
    if path.starts_with(['_', '-', '+']) || path.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(bad(
            "an index name is lower-case and starts with a letter or digit",
        ));
    }
    Ok((format!("{scheme}://{host}"), path.to_owned()))
}

/// A URL for messages: anything before an `@` in the host part is left out.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = host.rsplit('@').next().unwrap_or(host);
            let slash = if path.is_empty() { "" } else { "/" };
            format!("{scheme}://{host}{slash}{path}")
        }
        None => url.split('@').next_back().unwrap_or(url).to_owned(),
    }
}

/// `text` percent-encoded for one path segment (an article id in `_doc/{id}`).
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_urls_are_split_and_checked() {
        let ok = |u: &str| split_url(u).map_err(|e| e.to_string());
        assert_eq!(
            ok("http://localhost:9200/articles/").unwrap(),
            ("http://localhost:9200".to_owned(), "articles".to_owned())
        );
        assert!(ok("localhost:9200/articles").is_err());
        assert!(ok("http://localhost:9200").is_err());
        assert!(ok("http://localhost:9200/a/b").is_err());
        assert!(ok("http://localhost:9200/Articles").is_err());
        let with_password = ok("http://bob:secret@host:9200/articles").unwrap_err();
        assert!(
            with_password.contains("credentials do not belong"),
            "{with_password}"
        );
        assert!(!with_password.contains("secret"), "{with_password}");
    }

    #[test]
    fn ids_are_encoded_for_a_path() {
        assert_eq!(path_segment("bbc/tech 01é"), "bbc%2Ftech%2001%C3%A9");
    }

    #[test]
    fn reasons_come_from_the_error_object() {
        assert_eq!(
            reason(r#"{"error":{"type":"x","reason":"no such index"},"status":404}"#),
            "no such index"
        );
        assert_eq!(reason("plain text"), "plain text");
    }
}
