//! Web pages (`.html`, `.htm`, `.xhtml`): the article, not the page.
//!
//! The bytes are decoded by the charset the page declares (a BOM, then
//! `<meta charset>` or `http-equiv` `content-type` or an XML declaration in
//! the first 4 KB), else as UTF-8, else as Windows-1252 with a warning.
//! The page is parsed once into a [`dom_query`] document (html5ever, the
//! HTML5 parsing algorithm, so broken markup is repaired as browsers repair
//! it). The metadata is read from it first, then [`dom_smoothie`] (a port of
//! Mozilla's Readability, Firefox's reader view) picks the article's
//! content, which drops navigation, menus, cookie banners, share bars,
//! footers, related-story lists, scripts and styles. A page Readability
//! finds no article in falls back to the text of its body without those
//! parts.
//!
//! Metadata, first found wins:
//! - headline: JSON-LD `headline`, `og:title`, `twitter:title`, the
//!   article's `<h1>`, `<title>`; a site name before or after a separator
//!   (` - BBC News`, ` | The Guardian`) is removed;
//! - date: JSON-LD `datePublished`, `article:published_time`,
//!   `itemprop=datePublished`, `<meta name=date|pubdate|dc.date…>`, the
//!   article's `<time datetime>`; normalised to ISO 8601 (`date::normalize`);
//! - author: JSON-LD `author`, `<meta name=author>`, `article:author`,
//!   the byline Readability finds (`By …` removed);
//! - source: `og:site_name`, JSON-LD `publisher`, `application-name`, else
//!   the canonical URL's host;
//! - url: `<link rel=canonical>`, `og:url`, JSON-LD `url`;
//! - language: `<html lang>`, JSON-LD `inLanguage`, `og:locale`.

use dom_query::{Document, NodeRef};
use dom_smoothie::{Config, Readability, TextMode};
use serde_json::Value;

use super::{Article, Problem};

/// Reads one web page: its article, or why it has none, after a warning if
/// its encoding had to be guessed.
pub(super) fn read(bytes: &[u8], id: &str) -> Vec<Result<Article, Problem>> {
    super::decoded_article(
        decode(bytes),
        |text| extract(text, id),
        "no article text found in the page",
    )
}

/// Decodes a page's bytes by its BOM or declared charset (see the module
/// docs); the note says what was guessed or repaired.
pub(super) fn decode(bytes: &[u8]) -> Result<(String, Option<String>), String> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return Ok((super::normalize_newlines(text.into_owned()), None));
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err("binary file (contains NUL bytes)".into());
    }
    let head = &bytes[..bytes.len().min(4096)];
    if let Some(label) = declared_charset(head) {
        match encoding_rs::Encoding::for_label(label.as_bytes()) {
            // A page saved as UTF-16 says so in its BOM; a UTF-16 label on
            // ASCII-compatible bytes is wrong, as browsers know.
            Some(enc) if enc != encoding_rs::UTF_16LE && enc != encoding_rs::UTF_16BE => {
                let (text, had_errors) = enc.decode_without_bom_handling(bytes);
                let note = had_errors.then(|| {
                    format!(
                        "bytes that are not valid {} (as the page declares) were replaced",
                        enc.name()
                    )
                });
                return Ok((super::normalize_newlines(text.into_owned()), note));
            }
            Some(_) => {}
            None => {
                let (text, note) = utf8_or_1252(bytes);
                let note = note.unwrap_or_else(|| "read as UTF-8".into());
                return Ok((
                    text,
                    Some(format!("unknown charset {label:?} declared; {note}")),
                ));
            }
        }
    }
    let (text, note) = utf8_or_1252(bytes);
    Ok((text, note))
}

fn utf8_or_1252(bytes: &[u8]) -> (String, Option<String>) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (super::normalize_newlines(s.to_owned()), None),
        Err(e) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (
                super::normalize_newlines(text.into_owned()),
                Some(format!(
                    "no charset declared and not valid UTF-8 (byte 0x{:02X} at offset {}); \
                     decoded as Windows-1252",
                    bytes[e.valid_up_to()],
                    e.valid_up_to()
                )),
            )
        }
    }
}

/// The charset a page declares in its first bytes: `<meta charset=…>`,
/// `<meta http-equiv=content-type content="…; charset=…">` or `<?xml …
/// encoding="…"?>`.
fn declared_charset(head: &[u8]) -> Option<String> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let find = |needle: &[u8]| {
        lower
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| i + needle.len())
    };
    let start = find(b"charset=").or_else(|| {
        lower
            .starts_with(b"<?xml")
            .then(|| find(b"encoding="))
            .flatten()
    })?;
    let value = &lower[start..];
    let value = value
        .strip_prefix(b"\"")
        .or_else(|| value.strip_prefix(b"'"))
        .unwrap_or(value);
    let end = value
        .iter()
        .position(|b| matches!(b, b'"' | b'\'' | b';' | b'>' | b'/' | b' ' | b'\t' | b'\n'))
        .unwrap_or(value.len());
    let label = std::str::from_utf8(&value[..end]).ok()?.trim();
    (!label.is_empty()).then(|| label.to_owned())
}

/// The article of a decoded page, or `None` when it has no text.
/// Also used for the HTML part of an e-mail.
pub(super) fn extract(html: &str, id: &str) -> Option<Article> {
    let doc = Document::from(html);
    let scan = Scan::walk(&doc);
    let meta = Meta::read(&scan);
    prune(&doc, &scan);
    let cfg = Config {
        text_mode: TextMode::Formatted,
        ..Config::default()
    };
    let readable = Readability::with_document(doc, None, Some(cfg))
        .ok()
        .and_then(|mut r| r.parse().ok());
    let (mut body, byline) = match readable {
        Some(a) => (paragraphs(&a.text_content), a.byline),
        None => (String::new(), None),
    };
    if body.is_empty() {
        body = fallback_text(html);
    }
    let title = meta.headline();
    let mut body = drop_leading_title(&body, &title);
    if let Some(h1) = &meta.h1 {
        body = drop_leading_title(&body, h1);
    }
    if body.is_empty() && title.is_empty() {
        return None;
    }
    let author = meta.author.clone().or_else(|| {
        byline
            .map(|b| strip_by(&b))
            .filter(|b| !b.is_empty() && b.chars().count() <= 100)
    });
    let url = meta.url.clone();
    let source = meta
        .site
        .clone()
        .or_else(|| url.as_deref().and_then(host).map(str::to_owned));
    Some(Article {
        id: id.to_owned(),
        title,
        body,
        date: meta.date.clone(),
        url,
        source,
        author,
        language: meta.language.clone(),
        extra: None,
    })
}

/// Words of a class or id that mark page chrome, never the article.
const CHROME_WORDS: [&str; 27] = [
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "share",
    "sharing",
    "social",
    "newsletter",
    "related",
    "subscribe",
    "subscription",
    "promo",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsored",
    "breadcrumb",
    "breadcrumbs",
    "comments",
    "outbrain",
    "taboola",
    "paywall",
    "recirculation",
    "signup",
    "popup",
    "modal",
];

/// Words of a class or id that mark a byline or dateline (removed when short).
const BYLINE_WORDS: [&str; 6] = [
    "byline",
    "author",
    "authors",
    "dateline",
    "timestamp",
    "published",
];

/// Removes what is never the article before Readability scores the page:
/// navigation, footers, forms, hidden parts, captions, short bylines, and
/// elements whose class or id
/// names page chrome (`cookie-banner`, `share_bar`, `related-stories`…),
/// unless they hold most of the page's text. Readability alone keeps these
/// on a page whose article is short, when it retries without its filters.
fn prune(doc: &Document, scan: &Scan) {
    for node in &scan.chrome {
        node.remove_from_parent();
    }
    let mut total = None;
    for node in &scan.classed {
        let names = format!(
            "{} {}",
            node.attr("class").unwrap_or_default(),
            node.attr("id").unwrap_or_default()
        )
        .to_ascii_lowercase();
        let mut words = names.split(|c: char| !c.is_ascii_alphanumeric());
        if !words.clone().any(|w| CHROME_WORDS.contains(&w)) {
            // A byline or dateline: metadata, not the article's text.
            if words.any(|w| BYLINE_WORDS.contains(&w)) && node.text().len() < 200 {
                node.remove_from_parent();
            }
            continue;
        }
        let total = *total.get_or_insert_with(|| doc.select("body").text().len());
        if node.text().len() * 2 < total {
            node.remove_from_parent();
        }
    }
}

/// What one walk over a page finds: the metadata's sources, and the
/// elements `prune` removes or checks. One walk in document order instead
/// of a selector query per item (each a walk of its own).
#[derive(Default)]
struct Scan<'a> {
    /// `<meta property|name|itemprop=K content=V>`, the first V of each K (lower-cased).
    metas: std::collections::HashMap<String, String>,
    /// The text of each `<script type=application/ld+json>`.
    json_ld: Vec<String>,
    /// The first `<h1>` inside `<article>`/`<main>`, or `[itemprop=headline]`.
    article_h1: Option<NodeRef<'a>>,
    first_h1: Option<NodeRef<'a>>,
    h1_count: usize,
    title: Option<String>,
    /// `<time datetime>` inside the article, then anywhere.
    time_in_article: Option<String>,
    time_anywhere: Option<String>,
    /// `[itemprop=datePublished]`'s `datetime`, else its `content`.
    itemprop_date: Option<String>,
    canonical: Option<String>,
    lang: Option<String>,
    /// Never the article: nav, footer, form, dialog, captions, author
    /// links, hidden parts, navigation and content-info roles.
    chrome: Vec<NodeRef<'a>>,
    /// Other elements with a class or id (not html, body, article, main).
    classed: Vec<NodeRef<'a>>,
}

impl<'a> Scan<'a> {
    fn walk(doc: &'a Document) -> Scan<'a> {
        let mut s = Scan::default();
        let mut stack = vec![(doc.root(), false)];
        while let Some((node, in_article)) = stack.pop() {
            let mut inside = in_article;
            if node.is_element() {
                let name = node.node_name().unwrap_or_default();
                let attr = |a: &str| node.attr(a).and_then(|v| clean(&v));
                match name.as_ref() {
                    "meta" => {
                        if let Some(content) = attr("content") {
                            for a in ["property", "name", "itemprop"] {
                                if let Some(key) = node.attr(a) {
                                    s.metas
                                        .entry(key.trim().to_ascii_lowercase())
                                        .or_insert_with(|| content.clone());
                                }
                            }
                        }
                    }
                    "script" => {
                        if attr("type")
                            .is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json"))
                        {
                            s.json_ld.push(node.text().to_string());
                        }
                        continue;
                    }
                    "style" | "noscript" | "template" | "svg" => continue,
                    "title" if s.title.is_none() => s.title = clean(&node.text()),
                    "h1" => {
                        s.h1_count += 1;
                        s.first_h1 = s.first_h1.or(Some(node));
                        if in_article && s.article_h1.is_none() {
                            s.article_h1 = Some(node);
                        }
                    }
                    "time" => {
                        if let Some(dt) = attr("datetime") {
                            let slot = if in_article {
                                &mut s.time_in_article
                            } else {
                                &mut s.time_anywhere
                            };
                            if slot.is_none() {
                                *slot = Some(dt);
                            }
                        }
                    }
                    "link" => {
                        let canonical = node.attr("rel").is_some_and(|r| {
                            r.split_whitespace()
                                .any(|w| w.eq_ignore_ascii_case("canonical"))
                        });
                        if canonical && s.canonical.is_none() {
                            s.canonical = attr("href");
                        }
                    }
                    "html" => s.lang = s.lang.take().or_else(|| attr("lang")),
                    "article" | "main" => inside = true,
                    "nav" | "footer" | "form" | "dialog" | "figcaption" => {
                        s.chrome.push(node);
                        continue;
                    }
                    _ => {}
                }
                match attr("itemprop").as_deref() {
                    Some("headline") if s.article_h1.is_none() => s.article_h1 = Some(node),
                    Some("datePublished") if s.itemprop_date.is_none() => {
                        s.itemprop_date = attr("datetime").or_else(|| attr("content"));
                    }
                    Some("author") => {
                        s.chrome.push(node);
                        continue;
                    }
                    _ => {}
                }
                let role = attr("role");
                if matches!(role.as_deref(), Some("navigation" | "contentinfo"))
                    || attr("rel").as_deref() == Some("author")
                    || node
                        .attr("aria-hidden")
                        .is_some_and(|v| v.as_ref() == "true")
                    || node.has_attr("hidden")
                {
                    s.chrome.push(node);
                    continue;
                }
                if (node.has_attr("class") || node.has_attr("id"))
                    && !matches!(name.as_ref(), "html" | "body" | "article" | "main")
                {
                    s.classed.push(node);
                }
            }
            let first = stack.len();
            stack.extend(
                node.children_it(false)
                    .filter(|c| c.is_element())
                    .map(|c| (c, inside)),
            );
            stack[first..].reverse();
        }
        s
    }
}

/// The text of the body without the parts that are never the article,
/// for a page Readability finds no article in (a short page, a newsletter
/// laid out in tables).
fn fallback_text(html: &str) -> String {
    let doc = Document::from(html);
    doc.select(
        "script, style, noscript, template, svg, nav, header, footer, aside, form, \
         iframe, button, [role=navigation], [role=banner], [role=contentinfo], \
         [aria-hidden=true], [hidden]",
    )
    .remove();
    let body = doc.select("body");
    let text = if body.exists() {
        body.formatted_text()
    } else {
        doc.formatted_text()
    };
    paragraphs(&text)
}

/// Tidies extracted text into paragraphs separated by one blank line:
/// spaces inside a line collapsed, lines trimmed, runs of blank lines made one.
fn paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines() {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_none() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        for (i, w) in words.enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    out
}

/// Removes the headline from the start of the body when the extract
/// repeats it.
fn drop_leading_title(body: &str, title: &str) -> String {
    if !title.is_empty() {
        if let Some(rest) = body.strip_prefix(title) {
            if rest.is_empty() || rest.starts_with('\n') {
                return rest.trim_start().to_owned();
            }
        }
    }
    body.to_owned()
}

fn strip_by(byline: &str) -> String {
    let b = byline.trim();
    let lower = b.to_ascii_lowercase();
    let b = if lower.starts_with("by ") { &b[3..] } else { b };
    b.trim().to_owned()
}

/// The host of an `http(s)` URL, without `www.`.
fn host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#', ':']).next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// What a page says about its article, outside the article's text.
#[derive(Debug, Default)]
struct Meta {
    ld_headline: Option<String>,
    og_title: Option<String>,
    h1: Option<String>,
    /// Whether `h1` is inside `<article>`/`<main>` (else it may be a logo).
    h1_in_article: bool,
    title_tag: Option<String>,
    date: Option<String>,
    author: Option<String>,
    site: Option<String>,
    url: Option<String>,
    language: Option<String>,
}

/// A non-empty, whitespace-collapsed value.
fn clean(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

impl Meta {
    fn read(scan: &Scan) -> Meta {
        let mut m = Meta::default();
        let ld = JsonLd::read(&scan.json_ld);
        let meta = |keys: &[&str]| -> Option<String> {
            keys.iter()
                .find_map(|k| scan.metas.get(&k.to_ascii_lowercase()).cloned())
        };
        m.ld_headline = ld.headline;
        m.og_title = meta(&["og:title", "twitter:title"]);
        m.h1_in_article = scan.article_h1.is_some();
        m.h1 = match (scan.article_h1, scan.first_h1) {
            (Some(h1), _) | (None, Some(h1)) => clean(&h1.text()),
            (None, None) => None,
        };
        m.title_tag = scan.title.clone();

        let dates = [
            ld.date,
            meta(&[
                "article:published_time",
                "datePublished",
                "og:published_time",
                "date",
                "pubdate",
                "publishdate",
                "publish-date",
                "publication_date",
                "dc.date",
                "dc.date.issued",
                "dcterms.created",
                "dcterms.date",
                "sailthru.date",
                "parsely-pub-date",
                "article.published",
            ]),
            scan.time_in_article.clone(),
            scan.itemprop_date.clone(),
            scan.time_anywhere.clone(),
        ];
        m.date = dates
            .into_iter()
            .flatten()
            .map(|d| super::date::normalize(&d))
            .find(|d| is_iso(d));

        m.author = ld
            .author
            .or_else(|| {
                meta(&[
                    "author",
                    "article:author",
                    "byl",
                    "dc.creator",
                    "parsely-author",
                ])
            })
            .map(|a| strip_by(&a))
            .filter(|a| !a.is_empty() && !a.starts_with("http"));
        m.site = meta(&["og:site_name"])
            .or(ld.publisher)
            .or_else(|| meta(&["application-name", "twitter:site"]))
            .map(|s| s.trim_start_matches('@').to_owned());
        m.url = scan
            .canonical
            .clone()
            .filter(|u| u.starts_with("http"))
            .or_else(|| meta(&["og:url"]).filter(|u| u.starts_with("http")))
            .or(ld.url);
        m.language = scan
            .lang
            .clone()
            .or(ld.language)
            .or_else(|| meta(&["og:locale"]).map(|l| l.replace('_', "-")));
        m
    }

    /// The `<h1>`, unless it may be the site's logo: one outside the
    /// article is trusted when it is the main part of the `<title>`, or long
    /// enough for a headline.
    fn trusted_h1(&self) -> Option<&String> {
        self.h1.as_ref().filter(|h1| {
            self.h1_in_article
                || h1.split_whitespace().count() >= 4
                || self
                    .title_tag
                    .as_ref()
                    .is_none_or(|t| longest_part(t).eq_ignore_ascii_case(h1))
        })
    }

    /// The headline: the first candidate, with a site name around it removed.
    fn headline(&self) -> String {
        let h1 = self.trusted_h1();
        let candidates = [
            &self.ld_headline,
            &self.og_title,
            &h1.cloned(),
            &self.title_tag,
        ];
        let Some(first) = candidates.iter().find_map(|c| c.as_deref()) else {
            return String::new();
        };
        decode_entities(&self.strip_site(first))
    }

    /// `Headline - Site`, `Headline | Section | Site`, `Site: Headline` →
    /// `Headline`, using the site name and the `<h1>` where the page gives
    /// them.
    fn strip_site(&self, title: &str) -> String {
        // The article's h1 as the title's start or end settles it.
        if let Some(h1) = self.trusted_h1() {
            if title != h1 && h1.chars().count() >= 10 {
                for sep in SEPARATORS {
                    if title.starts_with(h1.as_str()) && title[h1.len()..].starts_with(sep) {
                        return h1.clone();
                    }
                    if title.ends_with(h1.as_str())
                        && title[..title.len() - h1.len()].ends_with(sep)
                    {
                        return h1.clone();
                    }
                }
            }
        }
        let site = self.site.as_deref().map(str::to_lowercase);
        let is_site = |part: &str| {
            let p = part.trim().to_lowercase();
            match &site {
                Some(s) => p == *s || p.contains(s.as_str()) || s.contains(&p),
                None => false,
            }
        };
        let mut t = title.trim().to_owned();
        // Trailing parts: the site name, or short parts after the last
        // separator (a section after the site name is removed: "Headline |
        // Politics | The Guardian").
        let mut stripped = false;
        while let Some((head, tail)) = split_last(&t) {
            let short =
                tail.split_whitespace().count() <= 3 && head.split_whitespace().count() >= 3;
            if is_site(tail) || (short && (site.is_none() || stripped)) {
                t = head.trim().to_owned();
                stripped = true;
            } else {
                break;
            }
        }
        // A leading site name: "BBC News - Headline".
        if let Some((head, tail)) = split_first(&t) {
            if is_site(head) && tail.split_whitespace().count() >= 2 {
                t = tail.trim().to_owned();
            }
        }
        t
    }
}

const SEPARATORS: [&str; 7] = [" - ", " | ", " – ", " — ", " · ", " :: ", " • "];

/// The longest of a title's parts between separators.
fn longest_part(t: &str) -> &str {
    let mut longest = t;
    let mut rest = t;
    let mut first = true;
    while let Some((head, tail)) = split_first(rest) {
        if first || head.len() > longest.len() {
            longest = head;
        }
        first = false;
        rest = tail;
    }
    if !first && rest.len() > longest.len() {
        longest = rest;
    }
    longest.trim()
}

fn split_last(t: &str) -> Option<(&str, &str)> {
    SEPARATORS
        .iter()
        .filter_map(|sep| t.rfind(sep).map(|i| (i, sep.len())))
        .max_by_key(|&(i, _)| i)
        .map(|(i, n)| (&t[..i], &t[i + n..]))
}

fn split_first(t: &str) -> Option<(&str, &str)> {
    SEPARATORS
        .iter()
        .filter_map(|sep| t.find(sep).map(|i| (i, sep.len())))
        .min_by_key(|&(i, _)| i)
        .map(|(i, n)| (&t[..i], &t[i + n..]))
}

/// Entities left in metadata values (JSON-LD strings are not HTML-decoded
/// by the parser): the common named ones and numeric references.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a normalised date reads as ISO 8601 (`YYYY-MM…`).
fn is_iso(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() >= 7 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// What the page's JSON-LD says about its article.
#[derive(Debug, Default)]
struct JsonLd {
    headline: Option<String>,
    date: Option<String>,
    author: Option<String>,
    publisher: Option<String>,
    url: Option<String>,
    language: Option<String>,
}

const ARTICLE_TYPES: [&str; 9] = [
    "NewsArticle",
    "Article",
    "BlogPosting",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "Report",
    "ScholarlyArticle",
    "WebPage",
];

impl JsonLd {
    fn read(scripts: &[String]) -> JsonLd {
        let mut values = Vec::new();
        for text in scripts {
            // Some pages wrap JSON-LD in a CDATA section or HTML comment.
            let text = text
                .trim()
                .trim_start_matches("<!--")
                .trim_start_matches("//<![CDATA[")
                .trim_end_matches("-->")
                .trim_end_matches("//]]>");
            if let Ok(value) = serde_json::from_str::<Value>(text) {
                values.push(value);
            }
        }
        let mut objects = Vec::new();
        for value in &values {
            collect(value, &mut objects, 0);
        }
        // Articles first, in the order of ARTICLE_TYPES (a WebPage's name is
        // a last resort).
        let rank = |o: &&Value| {
            let types: Vec<&str> = match o.get("@type") {
                Some(Value::String(s)) => vec![s.as_str()],
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            types
                .iter()
                .filter_map(|t| ARTICLE_TYPES.iter().position(|a| a == t))
                .min()
        };
        let mut articles: Vec<(usize, &Value)> = objects
            .iter()
            .filter_map(|o| rank(o).map(|r| (r, *o)))
            .collect();
        articles.sort_by_key(|&(r, _)| r);
        let mut ld = JsonLd::default();
        for (_, o) in articles {
            let s = |k: &str| o.get(k).and_then(Value::as_str).and_then(clean);
            ld.headline = ld.headline.or_else(|| s("headline"));
            ld.date = ld
                .date
                .or_else(|| s("datePublished"))
                .or_else(|| s("dateCreated"));
            ld.author = ld.author.or_else(|| o.get("author").and_then(names));
            ld.publisher = ld.publisher.or_else(|| {
                o.get("publisher")
                    .or_else(|| o.get("sourceOrganization"))
                    .and_then(names)
            });
            ld.url = ld
                .url
                .or_else(|| s("url").filter(|u| u.starts_with("http")));
            ld.language = ld.language.or_else(|| s("inLanguage"));
        }
        ld
    }
}

/// The JSON objects of a JSON-LD value: itself, `@graph` members, array items.
fn collect<'a>(v: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| collect(i, out, depth + 1)),
        Value::Object(map) => {
            out.push(v);
            if let Some(graph) = map.get("@graph") {
                collect(graph, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// A person or organisation as JSON-LD gives it: a string, `{name}`, or a
/// list of them, joined with ", ".
fn names(v: &Value) -> Option<String> {
    let one = |v: &Value| match v {
        Value::String(s) => clean(s),
        Value::Object(o) => o.get("name").and_then(Value::as_str).and_then(clean),
        _ => None,
    };
    match v {
        Value::Array(items) => {
            let all: Vec<String> = items.iter().filter_map(one).collect();
            (!all.is_empty()).then(|| all.join(", "))
        }
        v => one(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(html: &str) -> Article {
        extract(html, "p.html").expect("an article")
    }

    const PARAS: &str = "<p>The council approved the new budget on Tuesday after a long debate \
        about the cost of road repairs across the district and the future of the library.</p>\
        <p>Opponents said the plan would raise local taxes for the third year running, while \
        supporters argued that the repairs could not wait another winter.</p>\
        <p>The final vote was seven to four, with two members absent from the chamber.</p>";

    #[test]
    fn json_ld_page() {
        let html = format!(
            r#"<html lang="en"><head><title>Budget approved | Daily Gazette</title>
            <script type="application/ld+json">{{"@context":"https://schema.org","@graph":[
              {{"@type":"WebSite","name":"Daily Gazette"}},
              {{"@type":"NewsArticle","headline":"Council approves budget &amp; repairs",
                "datePublished":"2024-03-05T09:30:00+01:00",
                "author":[{{"@type":"Person","name":"Ann Lee"}},{{"name":"Bo Chen"}}],
                "publisher":{{"@type":"Organization","name":"Daily Gazette"}},
                "url":"https://gazette.example/budget"}}]}}</script></head>
            <body><nav><a href="/">Home</a><a href="/news">News</a></nav>
            <article><h1>Council approves budget</h1>{PARAS}</article>
            <footer>Copyright Daily Gazette</footer></body></html>"#
        );
        let a = article(&html);
        assert_eq!(a.title, "Council approves budget & repairs");
        assert_eq!(a.date.as_deref(), Some("2024-03-05T09:30:00+01:00"));
        assert_eq!(a.author.as_deref(), Some("Ann Lee, Bo Chen"));
        assert_eq!(a.source.as_deref(), Some("Daily Gazette"));
        assert_eq!(a.url.as_deref(), Some("https://gazette.example/budget"));
        assert_eq!(a.language.as_deref(), Some("en"));
        assert!(
            a.body.starts_with("The council approved the new budget"),
            "{}",
            a.body
        );
        assert_eq!(a.body.matches("\n\n").count(), 2, "{}", a.body);
        assert!(!a.body.contains("Home") && !a.body.contains("Copyright"));
    }

    #[test]
    fn open_graph_page_with_suffix_and_script_in_body() {
        let html = format!(
            r#"<html><head><meta property="og:title" content="Rail strike called off | The Courier">
            <meta property="og:site_name" content="The Courier">
            <meta property="article:published_time" content="2023-11-02T07:00:00Z">
            <meta name="author" content="By Sam Park">
            <link rel="canonical" href="https://courier.example/rail"></head><body>
            <div class="cookie-banner">We use cookies to improve your experience.</div>
            <main><div class="story">{PARAS}<script>var tracking = "SECRETSCRIPT";</script>
            <style>.x {{ color: red }} /* SECRETSTYLE */</style></div></main></body></html>"#
        );
        let a = article(&html);
        assert_eq!(a.title, "Rail strike called off");
        assert_eq!(a.date.as_deref(), Some("2023-11-02T07:00:00Z"));
        assert_eq!(a.author.as_deref(), Some("Sam Park"));
        assert_eq!(a.source.as_deref(), Some("The Courier"));
        assert_eq!(a.url.as_deref(), Some("https://courier.example/rail"));
        assert!(!a.body.contains("SECRETSCRIPT") && !a.body.contains("SECRETSTYLE"));
        assert!(!a.body.contains("cookies"));
        assert!(a.body.contains("seven to four"));
    }

    #[test]
    fn plain_h1_title_suffix_and_time_element() {
        let html = format!(
            r#"<html><head><title>Flood defences finished - Riverside News</title></head><body>
            <header><ul><li>Home</li><li>Sport</li></ul></header>
            <div id="content"><h1>Flood defences finished</h1>
            <p class="byline">By <span>Priya Das</span> · <time datetime="2022-01-15">15 January 2022</time></p>
            {PARAS}</div></body></html>"#
        );
        let a = article(&html);
        assert_eq!(a.title, "Flood defences finished");
        assert_eq!(a.date.as_deref(), Some("2022-01-15"));
        assert!(a.body.contains("The final vote"));
        assert_eq!(a.source, None);
    }

    #[test]
    fn a_logo_h1_is_not_the_headline() {
        let html = format!(
            "<html><head><title>Tram line opens to passengers | City Times</title></head><body>\
             <h1 class=logo>City Times</h1><div>{PARAS}</div></body></html>"
        );
        assert_eq!(article(&html).title, "Tram line opens to passengers");
    }

    #[test]
    fn site_and_section_suffixes() {
        let meta = Meta {
            site: Some("The Guardian".into()),
            ..Meta::default()
        };
        assert_eq!(
            meta.strip_site("Pay talks collapse | Politics | The Guardian"),
            "Pay talks collapse"
        );
        assert_eq!(
            meta.strip_site("Pay talks collapse - what next"),
            "Pay talks collapse - what next"
        );
    }

    #[test]
    fn title_without_h1_loses_a_short_site_suffix() {
        let html = format!("<html><head><title>Markets slide on rate fears - Wire</title></head><body>{PARAS}</body></html>");
        assert_eq!(article(&html).title, "Markets slide on rate fears");
        let html = format!("<html><head><title>BBC News - Markets slide on rate fears</title><meta property=og:site_name content='BBC News'></head><body>{PARAS}</body></html>");
        assert_eq!(article(&html).title, "Markets slide on rate fears");
    }

    #[test]
    fn broken_markup_still_gives_the_text() {
        let html = "<html><head><title>Broken</title><body><div><p>First paragraph of a page \
            whose markup is <b>broken <i>badly</b> and never closed.<p>Second paragraph &amp; \
            more &eacute;l&egrave;ve text<div><p>Third";
        let a = article(html);
        assert_eq!(a.title, "Broken");
        assert!(
            a.body.contains("broken badly and never closed."),
            "{}",
            a.body
        );
        assert!(
            a.body.contains("Second paragraph & more élève text"),
            "{}",
            a.body
        );
        assert!(a.body.contains("Third"));
    }

    #[test]
    fn declared_charsets_are_honoured() {
        let page =
            b"<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9 culture</title></head>\
            <body><p>Le caf\xe9 \xe0 c\xf4t\xe9.</p></body></html>";
        let (text, note) = decode(page).unwrap();
        assert_eq!(note, None);
        assert!(text.contains("Café culture") && text.contains("Le café à côté."));
        let page =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">\
            <p>\xcf\xf0\xe8\xe2\xe5\xf2</p>";
        assert!(decode(page).unwrap().0.contains("Привет"));
        let (text, note) = decode(b"<p>caf\xe9</p>").unwrap();
        assert!(text.contains("café"));
        assert!(note.unwrap().contains("Windows-1252"));
        let (text, _) = decode(b"\xFF\xFE<\0p\0>\0\xe9\0").unwrap();
        assert_eq!(text, "<p>é");
        assert_eq!(
            decode(b"<p>\0\0\0").unwrap_err(),
            "binary file (contains NUL bytes)"
        );
    }

    #[test]
    fn page_without_text_is_skipped() {
        let items = read(
            b"<html><head><script>x()</script></head><body> </body></html>",
            "e.html",
        );
        assert_eq!(
            items,
            [Err(Problem::skipped(
                None,
                "no article text found in the page"
            ))]
        );
    }

    #[test]
    fn entities_in_metadata() {
        assert_eq!(
            decode_entities("A &amp; B &#8217;s &#x2014; &bogus; &"),
            "A & B ’s — &bogus; &"
        );
    }
}
