//! Filters: which articles a search may return, by date, source and path.
//!
//! A [`Filter`] comes from the command line (`--since`, `--until`,
//! `--source`, `--path`), the API's parameters of the same names, and the
//! query language (`date:2023`, `date:>=2023-01-15`, `source:bbc`,
//! `path:*.html`, each negatable with `-`); all of them must hold. The
//! search applies it inside the collection of matching articles (see
//! `search::filter`), so a filtered search still returns the best N of the
//! articles that pass.
//!
//! Values:
//! - dates: `2023`, `2023-05`, `2023-05-04`, a date-time, or a span back
//!   from now (`12h`, `7d`, `2w`, `3m`, `1y`). `--since X` keeps articles
//!   from the start of X; `--until X` keeps them up to the end of X, so
//!   `--until 2023-06` includes June.
//! - sources: matched by whole words, in order, anywhere in the article's
//!   source, ignoring case and punctuation: `guardian` matches "The
//!   Guardian", `bbc` and `"bbc news"` match "BBC News" and `example.org`
//!   matches "lists.example.org"; `guard` does not.
//! - paths: globs. One without `/` is matched against the file name
//!   (`*.html`), one with `/` against the end of the path (`bbc/*.txt`).

use tantivy::query::Occur;
use tantivy::query_grammar::{UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral};

use crate::error::{Error, Result};
use crate::ingest::date;

/// Every constraint must hold for an article to be returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub constraints: Vec<Constraint>,
}

/// One condition on an article's metadata.
#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    /// The article's date is in `[since, until)` (seconds since the epoch,
    /// UTC); an article without a date never passes.
    Date {
        since: Option<i64>,
        until: Option<i64>,
    },
    /// The article's source starts with one of `names` (each already
    /// [`source_words`]); `negated`: with none of them.
    Source { names: Vec<String>, negated: bool },
    /// The article's path matches one of `globs`; `negated`: none of them.
    Path { globs: Vec<String>, negated: bool },
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.constraints.is_empty()
    }

    /// Adds a date bound (from `--since`/`--until`).
    pub fn date(&mut self, since: Option<i64>, until: Option<i64>) {
        if since.is_some() || until.is_some() {
            self.constraints.push(Constraint::Date { since, until });
        }
    }

    /// Keeps articles whose source is one of `names` (from `--source`, repeatable).
    pub fn sources<S: AsRef<str>>(&mut self, names: &[S]) -> Result<()> {
        self.add_sources(names, false)
    }

    /// Keeps articles whose path matches one of `globs` (from `--path`, repeatable).
    pub fn paths<S: AsRef<str>>(&mut self, globs: &[S]) -> Result<()> {
        self.add_paths(globs, false)
    }

    fn add_sources<S: AsRef<str>>(&mut self, names: &[S], negated: bool) -> Result<()> {
        if names.is_empty() {
            return Ok(());
        }
        let mut words = Vec::with_capacity(names.len());
        for name in names {
            let w = source_words(name.as_ref());
            if w.is_empty() {
                return Err(bad_filter(format!(
                    "source {:?} has no letters or digits to match",
                    name.as_ref()
                )));
            }
            words.push(w);
        }
        // Repeated `source:` of the same sign widen one list (any of them).
        for c in &mut self.constraints {
            if let Constraint::Source { names, negated: n } = c {
                if *n == negated {
                    names.extend(words);
                    return Ok(());
                }
            }
        }
        self.constraints.push(Constraint::Source {
            names: words,
            negated,
        });
        Ok(())
    }

    fn add_paths<S: AsRef<str>>(&mut self, globs: &[S], negated: bool) -> Result<()> {
        if globs.is_empty() {
            return Ok(());
        }
        let mut checked = Vec::with_capacity(globs.len());
        for glob in globs {
            let glob = glob.as_ref().trim();
            path_matcher(glob)?;
            checked.push(glob.to_owned());
        }
        for c in &mut self.constraints {
            if let Constraint::Path { globs, negated: n } = c {
                if *n == negated {
                    globs.extend(checked);
                    return Ok(());
                }
            }
        }
        self.constraints.push(Constraint::Path {
            globs: checked,
            negated,
        });
        Ok(())
    }

    /// The filter of a front end's date bounds (read by [`since`] and
    /// [`until`] against `now`), sources and path globs.
    pub fn of<S: AsRef<str>>(
        since_text: Option<&str>,
        until_text: Option<&str>,
        sources: &[S],
        paths: &[S],
        now: i64,
    ) -> Result<Filter> {
        let mut f = Filter::default();
        let since = since_text.map(|s| since(s, now)).transpose()?;
        let until = until_text.map(|s| until(s, now)).transpose()?;
        f.date(since, until);
        f.sources(sources)?;
        f.paths(paths)?;
        Ok(f)
    }

    /// Adds every constraint of `other`.
    pub fn and(&mut self, other: Filter) {
        self.constraints.extend(other.constraints);
    }

    /// Each constraint in words, for messages: `source bbc or ap`, `dated
    /// from 2023-01-01, before 2024-01-01`, `not path *.html`.
    pub fn describe(&self) -> Vec<String> {
        let either = |items: &[String], negated: bool, what: &str| {
            let not = if negated { "not " } else { "" };
            format!("{not}{what} {}", items.join(" or "))
        };
        let when = |secs: i64| {
            let iso = date::iso_from_timestamp(secs);
            match iso.ends_with("T00:00:00Z") {
                true => iso[..10].to_owned(),
                false => iso,
            }
        };
        self.constraints
            .iter()
            .map(|c| match c {
                Constraint::Date { since, until } => {
                    let mut bounds = Vec::new();
                    if let Some(s) = since {
                        bounds.push(format!("from {}", when(*s)));
                    }
                    if let Some(u) = until {
                        bounds.push(format!("before {}", when(*u)));
                    }
                    format!("dated {}", bounds.join(", "))
                }
                Constraint::Source { names, negated } => either(names, *negated, "source"),
                Constraint::Path { globs, negated } => either(globs, *negated, "path"),
            })
            .collect()
    }
}

fn bad_filter(message: String) -> Error {
    Error::BadFilter {
        setting: None,
        message,
    }
}

/// What a date value may look like, for messages.
const DATE_SHAPES: &str =
    "use 2023, 2023-05, 2023-05-04, or a span back from now such as 7d, 3m or 1y";

/// The start of a `--since` value, in seconds since the epoch.
pub fn since(text: &str, now: i64) -> Result<i64> {
    start_of(text, now).ok_or_else(|| Error::BadFilter {
        setting: Some("since"),
        message: format!("{text:?} is not a date: {DATE_SHAPES}"),
    })
}

/// The end (exclusive) of an `--until` value, in seconds since the epoch.
pub fn until(text: &str, now: i64) -> Result<i64> {
    end_of(text, now).ok_or_else(|| Error::BadFilter {
        setting: Some("until"),
        message: format!("{text:?} is not a date: {DATE_SHAPES}"),
    })
}

fn start_of(text: &str, now: i64) -> Option<i64> {
    date::period(text)
        .map(|(start, _)| start)
        .or_else(|| date::before(now, text))
}

fn end_of(text: &str, now: i64) -> Option<i64> {
    date::period(text)
        .map(|(_, end)| end)
        .or_else(|| date::before(now, text).map(|t| t + 1))
}

/// The current time, in seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A source name as matched: lower-case words of letters and digits,
/// joined by single spaces (`BBC News` → `bbc news`, `bbc.co.uk` → `bbc co uk`).
pub fn source_words(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Whether an article's source (as stored) matches a name given as [`source_words`].
pub fn source_matches(source: &str, name_words: &str) -> bool {
    // Both are words joined by single spaces: pad them so that a match
    // starts and ends at word boundaries.
    format!(" {} ", source_words(source)).contains(&format!(" {name_words} "))
}

/// A compiled path glob: see the module's documentation.
pub fn path_matcher(glob: &str) -> Result<globset::GlobMatcher> {
    let pattern = match glob.contains('/') {
        true if glob.starts_with('/') || glob.starts_with("**") => glob.to_owned(),
        true => format!("**/{glob}"),
        false => glob.to_owned(),
    };
    globset::GlobBuilder::new(&pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| bad_filter(format!("path glob {glob:?} is not valid: {}", e.kind())))
}

/// Whether a stored path matches a compiled glob: see [`path_matcher`].
pub fn path_matches(matcher: &globset::GlobMatcher, glob: &str, path: &str) -> bool {
    if glob.contains('/') {
        // Also as given, for `/abs/path/*` and `**/x`.
        matcher.is_match(path) || matcher.is_match(format!("/{path}"))
    } else {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        // A JSON Lines article's path is the file's: match its name.
        matcher.is_match(name)
    }
}

/// The query language's filter fields.
fn is_filter_field(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "date" | "source" | "path"
    )
}

fn leaf_field(leaf: &UserInputLeaf) -> Option<&str> {
    match leaf {
        UserInputLeaf::Literal(UserInputLiteral {
            field_name: Some(f),
            ..
        }) => Some(f),
        UserInputLeaf::Range { field: Some(f), .. } => Some(f),
        UserInputLeaf::Set { field: Some(f), .. } => Some(f),
        _ => None,
    }
}

fn is_filter_leaf(ast: &UserInputAst) -> bool {
    match ast {
        UserInputAst::Leaf(leaf) => leaf_field(leaf).is_some_and(is_filter_field),
        _ => false,
    }
}

fn has_filter_leaf(ast: &UserInputAst) -> bool {
    match ast {
        UserInputAst::Clause(children) => children.iter().any(|(_, c)| has_filter_leaf(c)),
        UserInputAst::Boost(inner, _) => has_filter_leaf(inner),
        leaf => is_filter_leaf(leaf),
    }
}

/// Takes the filter clauses (`date:`, `source:`, `path:`) out of a parsed
/// query. They apply to the whole query, so they must sit at its top level
/// (not inside parentheses or a boost). Returns what is left (`None`: only
/// filters) and the filter.
pub(super) fn extract(ast: UserInputAst, now: i64) -> Result<(Option<UserInputAst>, Filter)> {
    let mut filter = Filter::default();
    let children = match ast {
        UserInputAst::Clause(children) => children,
        leaf if is_filter_leaf(&leaf) => {
            add_leaf(&mut filter, &leaf, false, now)?;
            return Ok((None, filter));
        }
        other => {
            check_no_nested(&other)?;
            return Ok((Some(other), filter));
        }
    };
    let mut kept = Vec::with_capacity(children.len());
    for (occur, child) in children {
        if is_filter_leaf(&child) {
            add_leaf(&mut filter, &child, occur == Some(Occur::MustNot), now)?;
        } else {
            check_no_nested(&child)?;
            kept.push((occur, child));
        }
    }
    Ok(match kept.is_empty() {
        true => (None, filter),
        false => (Some(UserInputAst::Clause(kept)), filter),
    })
}

fn check_no_nested(ast: &UserInputAst) -> Result<()> {
    if has_filter_leaf(ast) {
        return Err(Error::bad_query(
            "date:, source: and path: filter the whole query: write them outside parentheses",
        ));
    }
    Ok(())
}

fn add_leaf(filter: &mut Filter, ast: &UserInputAst, negated: bool, now: i64) -> Result<()> {
    let UserInputAst::Leaf(leaf) = ast else {
        return Ok(());
    };
    let field = leaf_field(leaf).unwrap_or_default().to_ascii_lowercase();
    let bad_date = |v: &str| Error::bad_query(format!("date:{v} is not a date: {DATE_SHAPES}"));
    match (field.as_str(), leaf.as_ref()) {
        ("date", _) if negated => Err(Error::bad_query(
            "-date: cannot be negated: use date:<… or date:>… instead",
        )),
        ("date", UserInputLeaf::Literal(lit)) => {
            let v = lit.phrase.trim();
            let (since, until) = match date::period(v) {
                Some((start, end)) => (start, Some(end)),
                // `date:7d`: since 7 days ago.
                None => (date::before(now, v).ok_or_else(|| bad_date(v))?, None),
            };
            filter.date(Some(since), until);
            Ok(())
        }
        ("date", UserInputLeaf::Range { lower, upper, .. }) => {
            let since = match lower {
                UserInputBound::Inclusive(v) => Some(start_of(v, now).ok_or_else(|| bad_date(v))?),
                UserInputBound::Exclusive(v) => Some(end_of(v, now).ok_or_else(|| bad_date(v))?),
                UserInputBound::Unbounded => None,
            };
            let until = match upper {
                UserInputBound::Inclusive(v) => Some(end_of(v, now).ok_or_else(|| bad_date(v))?),
                UserInputBound::Exclusive(v) => Some(start_of(v, now).ok_or_else(|| bad_date(v))?),
                UserInputBound::Unbounded => None,
            };
            filter.date(since, until);
            Ok(())
        }
        ("source", UserInputLeaf::Literal(lit)) => filter
            .add_sources(&[lit.phrase.as_str()], negated)
            .map_err(as_query_error),
        ("path", UserInputLeaf::Literal(lit)) => filter
            .add_paths(&[lit.phrase.as_str()], negated)
            .map_err(as_query_error),
        (field, UserInputLeaf::Set { elements, .. }) if field != "date" => {
            let result = match field {
                "source" => filter.add_sources(elements, negated),
                _ => filter.add_paths(elements, negated),
            };
            result.map_err(as_query_error)
        }
        (field, _) => Err(Error::bad_query(format!(
            "{field}: takes a name, not a range"
        ))),
    }
}

fn as_query_error(e: Error) -> Error {
    match e {
        e @ Error::BadFilter { .. } => Error::bad_query(e.for_parameters()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query_grammar::parse_query;

    fn day(iso: &str) -> i64 {
        date::timestamp(iso).unwrap_or(i64::MIN)
    }

    fn split(q: &str) -> (Option<String>, Filter) {
        let ast = parse_query(q).unwrap_or_else(|_| panic!("{q} parses"));
        match extract(ast, day("2024-03-31")) {
            Ok((rest, f)) => (rest.map(|r| format!("{r:?}")), f),
            Err(e) => panic!("{q}: {e}"),
        }
    }

    fn error(q: &str) -> String {
        let ast = parse_query(q).unwrap_or_else(|_| panic!("{q} parses"));
        match extract(ast, 0) {
            Ok(_) => panic!("{q} should fail"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn filters_are_described_in_words() {
        let (_, f) = split("pay date:2023 source:bbc source:\"The Guardian\" -path:*.html");
        assert_eq!(
            f.describe(),
            [
                "dated from 2023-01-01, before 2024-01-01",
                "source bbc or the guardian",
                "not path *.html"
            ]
        );
        let (_, f) = split("pay date:>=2023-05-04");
        assert_eq!(f.describe(), ["dated from 2023-05-04"]);
        let mut f = Filter::default();
        f.date(None, Some(day("2024-05-01T10:30:00Z")));
        assert_eq!(f.describe(), ["dated before 2024-05-01T10:30:00Z"]);
        assert!(Filter::default().describe().is_empty());
    }

    #[test]
    fn query_filters_are_taken_out_of_the_query() {
        let (rest, f) = split("pay date:2023 source:bbc");
        assert_eq!(rest.as_deref(), Some("(*pay)"));
        assert_eq!(
            f.constraints,
            [
                Constraint::Date {
                    since: Some(day("2023-01-01")),
                    until: Some(day("2024-01-01"))
                },
                Constraint::Source {
                    names: vec!["bbc".into()],
                    negated: false
                }
            ]
        );
        let (rest, f) = split("date:>=2023-01-15 date:<2023-03");
        assert_eq!(rest, None);
        assert_eq!(
            f.constraints,
            [
                Constraint::Date {
                    since: Some(day("2023-01-15")),
                    until: None
                },
                Constraint::Date {
                    since: None,
                    until: Some(day("2023-03-01"))
                }
            ]
        );
        let (_, f) = split("strike date:>2023-01 date:<=2023-06");
        assert_eq!(
            f.constraints,
            [
                Constraint::Date {
                    since: Some(day("2023-02-01")),
                    until: None
                },
                Constraint::Date {
                    since: None,
                    until: Some(day("2023-07-01"))
                }
            ]
        );
        let (_, f) = split("pay source:\"BBC News\" source:reuters -path:*.md date:7d");
        assert_eq!(
            f.constraints,
            [
                Constraint::Source {
                    names: vec!["bbc news".into(), "reuters".into()],
                    negated: false
                },
                Constraint::Path {
                    globs: vec!["*.md".into()],
                    negated: true
                },
                Constraint::Date {
                    since: Some(day("2024-03-24")),
                    until: None
                },
            ]
        );
    }

    #[test]
    fn bad_and_misplaced_query_filters_are_errors() {
        assert!(error("pay date:soon").contains("date:soon is not a date"));
        assert!(error("(pay source:bbc) OR strike").contains("outside parentheses"));
        assert!(error("pay -date:2023").contains("cannot be negated"));
        let e = path_matcher("a[b").err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.starts_with("path glob \"a[b\" is not valid")));
    }

    #[test]
    fn sources_match_whole_words_in_order() {
        assert!(source_matches("BBC News", "bbc"));
        assert!(source_matches("BBC News", "bbc news"));
        assert!(source_matches("bbc.co.uk", "bbc"));
        assert!(source_matches("The Guardian", "guardian"));
        assert!(source_matches("lists.example.org", "example org"));
        assert!(!source_matches("The Guardian", "guard"));
        assert!(!source_matches("BBC News", "news bbc"));
        assert!(!source_matches("BBCNews", "bbc"));
        assert_eq!(source_words("  Le Monde — Économie "), "le monde économie");
    }

    #[test]
    fn path_globs_match_names_or_path_ends() {
        let m = |glob: &str, path: &str| {
            let matcher = path_matcher(glob).unwrap_or_else(|e| panic!("{e}"));
            path_matches(&matcher, glob, path)
        };
        assert!(m("*.html", "saved/news/a.html"));
        assert!(!m("*.html", "saved/news/a.htm"));
        assert!(m("news/*.html", "saved/news/a.html"));
        assert!(!m("news/*.html", "saved/news/old/a.html"));
        assert!(m("news/**", "saved/news/old/a.html"));
        assert!(m("reuters*.jsonl", "/data/reuters21578.jsonl"));
    }

    #[test]
    fn flag_values_parse_or_name_the_flag() {
        let now = day("2024-03-31");
        assert_eq!(since("2023-05", now).ok(), Some(day("2023-05-01")));
        assert_eq!(until("2023-05", now).ok(), Some(day("2023-06-01")));
        assert_eq!(since("1y", now).ok(), Some(day("2023-03-31")));
        let e = since("yesterday", now).err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("--since \"yesterday\" is not a date")));
    }
}
