//! User query → tantivy query, plus exactly what to highlight.
//!
//! tantivy's `QueryParser` cannot expand a single-word prefix (`pay*`) and
//! hides what its boosted sub-queries match, so passim parses the query with
//! tantivy's own grammar (`query_grammar`) and compiles the syntax tree
//! itself. The same walk yields the highlight [`Target`]s: every word,
//! prefix and phrase that can make a document match, and nothing that sits
//! under a `NOT`/`-` clause.

mod bm25f;
pub mod filter;
mod phrase;

use bm25f::Bm25FParams;
pub use bm25f::{count_search, Bm25FOrQuery, Bm25FTermQuery};
pub use filter::Filter;
use phrase::{Bm25FPhraseQuery, FieldPhrase};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, TermQuery,
};
use tantivy::query_grammar::{self, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use crate::analysis::{self, is_stopword};
use crate::error::{Error, Result};
use crate::index::bounds;
use crate::index::schema::{self, Fields, TextField};

/// Returns a [`Error::BadQuery`] with a formatted message.
macro_rules! bad {
    ($($arg:tt)*) => {
        return Err(Error::bad_query(format!($($arg)*)))
    };
}

/// How the query text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Syntax {
    /// Words, "phrases", AND/OR/NOT, +/-, field:word, prefix*.
    #[default]
    Full,
    /// Every word is a search word; punctuation and operators mean nothing.
    Plain,
}

/// Ranking settings that shape the compiled query.
///
/// Every tuned number of the ranking is here, so that the evaluation can
/// turn it per run ([`RankSettings::set`], `passim search --rank KEY=VALUE`)
/// without rebuilding.
#[derive(Debug, Clone, Copy)]
pub struct RankSettings {
    /// Most index terms a `prefix*` expands to.
    pub max_expansions: usize,
    /// BM25 k1 for words on the combined headline + body field.
    pub k1: f32,
    /// BM25 b for words on the combined headline + body field.
    pub b: f32,
    /// In BM25F, a headline word counts like this many body words.
    pub title_repeat: f32,
    /// Drop English stopwords typed as bare words, when the query has other words.
    pub stopwords: bool,
    /// Pseudo-relevance feedback (RM3) for longer queries.
    pub feedback: Feedback,
    /// Term proximity: weight of the bonus for pairs of query words close
    /// together (0: off). See `search::rank`.
    pub proximity: f32,
    /// Term proximity: pairs further apart than this many words earn nothing.
    pub proximity_window: u32,
    /// Document-length prior: weight of `ln(1 + length / mean length)`
    /// added to the score of re-ranked articles (0: off).
    pub length_prior: f32,
    /// Query-word weighting: a word's IDF is raised to this power (1: plain
    /// BM25; above 1 leans harder on the rarer words of a long query).
    pub idf_power: f32,
}

/// RM3 pseudo-relevance feedback settings.
#[derive(Debug, Clone, Copy)]
pub struct Feedback {
    /// Top documents of the first pass that feed the expansion (0: off).
    pub docs: usize,
    /// Expansion terms added to the query.
    pub terms: usize,
    /// Weight of the original query in the mix (the expansion gets the rest).
    pub original_weight: f32,
    /// Feedback only runs for queries with at least this many distinct words.
    pub min_query_terms: usize,
    /// Back off on a flat first pass: feedback is skipped when the last
    /// feedback article scores at least this share of the first's (0: never).
    pub flat: f32,
    /// Articles with the same body as a better feedback article are left
    /// out of the feedback set.
    pub dedup: bool,
}

impl Default for RankSettings {
    fn default() -> Self {
        RankSettings {
            max_expansions: 512,
            // k1, b, the headline repeat and the feedback weight were chosen by leaving
            // one collection out (docs/relevance.md, "Leave one collection out"): the
            // settings chosen most often on five of the six judged sets, also the best
            // on all six.
            k1: 1.2,
            b: 0.5,
            title_repeat: schema::TITLE_REPEAT as f32,
            stopwords: true,
            feedback: Feedback {
                docs: 10,
                terms: 20,
                original_weight: 0.6,
                min_query_terms: 3,
                flat: 0.0,
                dedup: false,
            },
            proximity: 0.0,
            proximity_window: 8,
            length_prior: 0.0,
            idf_power: 1.0,
        }
    }
}

/// The settings [`RankSettings::set`] knows, for messages.
pub const RANK_KEYS: &str = "k1, b, title_repeat, stopwords, fb_docs, fb_terms, \
     fb_weight, fb_min_words, fb_flat, fb_dedup, proximity, proximity_window, length_prior, \
     idf_power";

impl RankSettings {
    /// Sets one ranking setting by name (`k1`, `fb_weight`…; see
    /// [`RANK_KEYS`]) from its text. An unknown key or a value out of range
    /// is [`Error::BadQuery`], naming the key and what it takes.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let value = value.trim();
        let number = |min: f32, max: f32| -> Result<f32> {
            match value.parse::<f32>() {
                Ok(v) if v.is_finite() && (min..=max).contains(&v) => Ok(v),
                _ => Err(Error::bad_query(format!(
                    "ranking setting {key}={value:?}: {key} takes a number from {min} to {max}"
                ))),
            }
        };
        let count = |min: usize, max: usize| -> Result<usize> {
            match value.parse::<usize>() {
                Ok(v) if (min..=max).contains(&v) => Ok(v),
                _ => Err(Error::bad_query(format!(
                    "ranking setting {key}={value:?}: {key} takes a whole number from {min} to {max}"
                ))),
            }
        };
        let switch = || -> Result<bool> {
            match value {
                "on" | "true" | "1" | "yes" => Ok(true),
                "off" | "false" | "0" | "no" => Ok(false),
                _ => Err(Error::bad_query(format!(
                    "ranking setting {key}={value:?}: {key} takes on or off"
                ))),
            }
        };
        let fb = &mut self.feedback;
        match key.trim() {
            "k1" => self.k1 = number(0.0, 100.0)?,
            "b" => self.b = number(0.0, 1.0)?,
            "title_repeat" => self.title_repeat = number(0.0, 100.0)?,
            "stopwords" => self.stopwords = switch()?,
            "fb_docs" => fb.docs = count(0, 1000)?,
            "fb_terms" => fb.terms = count(0, 1000)?,
            "fb_weight" => fb.original_weight = number(0.0, 1.0)?,
            "fb_min_words" => fb.min_query_terms = count(0, 1000)?,
            "fb_flat" => fb.flat = number(0.0, 1.0)?,
            "fb_dedup" => fb.dedup = switch()?,
            "proximity" => self.proximity = number(0.0, 100.0)?,
            "proximity_window" => self.proximity_window = count(1, 1000)? as u32,
            "length_prior" => self.length_prior = number(0.0, 100.0)?,
            "idf_power" => self.idf_power = number(0.0, 4.0)?,
            other => {
                return Err(Error::bad_query(format!(
                    "unknown ranking setting {other:?} (settings: {RANK_KEYS})"
                )))
            }
        }
        Ok(())
    }

    /// Sets one `KEY=VALUE` pair (see [`RankSettings::set`]).
    pub fn set_pair(&mut self, pair: &str) -> Result<()> {
        match pair.split_once('=') {
            Some((key, value)) => self.set(key, value),
            None => Err(Error::bad_query(format!(
                "ranking setting {pair:?}: give KEY=VALUE (settings: {RANK_KEYS})"
            ))),
        }
    }
}

/// What one query literal matches in text, in analyzed (stemmed) form.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    Term(String),
    Prefix(String),
    /// Terms with their relative positions; `prefix` makes the last one a prefix.
    Phrase {
        terms: Vec<(usize, String)>,
        slop: u32,
        prefix: bool,
    },
}

/// A thing to highlight: a pattern, the field it applies to, and its group.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub pattern: Pattern,
    /// `None`: both headline and body.
    pub field: Option<TextField>,
    /// Index into [`CompiledQuery::weights`]; one group per query literal.
    pub group: usize,
}

impl Target {
    pub fn applies_to(&self, field: TextField) -> bool {
        self.field.is_none_or(|f| f == field)
    }
}

/// A query ready to run, with its highlight targets.
pub struct CompiledQuery {
    pub query: Box<dyn Query>,
    pub targets: Vec<Target>,
    /// Per group: how informative a match is (IDF of the literal).
    pub weights: Vec<f32>,
    /// Remarks for the user, e.g. that the query was read leniently.
    pub notes: Vec<String>,
    /// The query's own filters (`date:2023`, `source:bbc`), taken out of it.
    pub filter: Filter,
}

/// Compiles `text` against the index behind `searcher`.
pub fn compile(
    text: &str,
    syntax: Syntax,
    searcher: &Searcher,
    fields: &Fields,
    settings: &RankSettings,
) -> Result<CompiledQuery> {
    let mut compiler = Compiler {
        lenient: false,
        drop_stopwords: false,
        searcher,
        fields,
        settings,
        analyzer: analysis::analyzer(),
        word_analyzer: analysis::word_analyzer(),
        all_stats: None,
        targets: Vec::new(),
        weights: Vec::new(),
        notes: Vec::new(),
    };
    let Parsed {
        ast,
        filter,
        lenient,
        notes,
    } = parse(text, syntax)?;
    compiler.lenient = lenient;
    compiler.notes = notes;
    let ast = match (syntax, ast) {
        // Plain words are split at hyphens; the closed compound is one more
        // word where the index has it (`e-mail` also searches `email`).
        (Syntax::Plain, UserInputAst::Clause(mut children)) => {
            for token in strip_control(text).split_whitespace() {
                let Some(joined) = closed_compound(token).filter(|_| !token.contains('/')) else {
                    continue;
                };
                if compiler.indexed_word(&joined)?.is_some() {
                    children.push((Some(Occur::Should), plain_word(joined)));
                }
            }
            UserInputAst::Clause(children)
        }
        (_, ast) => ast,
    };
    compiler.drop_stopwords =
        settings.stopwords && has_content(&mut compiler.word_analyzer, &ast, false);
    if settings.stopwords && !compiler.drop_stopwords && compiler.has_bare_words(&ast) {
        compiler.notes.push(format!(
            "{text:?} has only common words (stopwords), which most articles contain; \
             searching for them anyway"
        ));
    }
    let Some(query) = compiler.convert(&ast, false, true)? else {
        bad!("query {text:?} has no words to search for");
    };
    Ok(CompiledQuery {
        query,
        targets: compiler.targets,
        weights: compiler.weights,
        notes: compiler.notes,
        filter,
    })
}

/// A query read with passim's grammar: its syntax tree (filters taken out),
/// its filters, and how it was read. [`compile`] turns it into a tantivy
/// query; the OpenSearch backend walks the same tree into the query DSL.
pub(crate) struct Parsed {
    pub ast: UserInputAst,
    pub filter: Filter,
    /// The query did not parse strictly: stray operators are dropped.
    pub lenient: bool,
    pub notes: Vec<String>,
}

/// Reads `text` with `syntax` (see [`Parsed`]); a query with nothing to
/// search for is [`Error::BadQuery`].
pub(crate) fn parse(text: &str, syntax: Syntax) -> Result<Parsed> {
    let mut lenient = false;
    let mut notes = Vec::new();
    let cleaned = strip_control(text);
    let ast = match syntax {
        Syntax::Plain => plain_ast(&cleaned),
        Syntax::Full => match query_grammar::parse_query(&as_typed(&cleaned)) {
            Ok(ast) => ast,
            Err(_) => {
                let (ast, errors) = query_grammar::parse_query_lenient(&as_typed(&cleaned));
                lenient = true;
                notes.push(match errors.first() {
                    Some(first) => format!(
                        "read the query leniently ({} at character {})",
                        first.message.replace("\\\"", "\""),
                        first.pos + 1
                    ),
                    None => "read the query leniently".to_owned(),
                });
                ast
            }
        },
    };
    let (ast, filter) = match syntax {
        Syntax::Full => filter::extract(ast, filter::now())?,
        Syntax::Plain => (Some(ast), Filter::default()),
    };
    // Only filters (`source:bbc date:2023`): every article that passes them.
    let all = || UserInputAst::Leaf(Box::new(UserInputLeaf::All));
    let ast = match ast {
        None if !filter.is_empty() => all(),
        None => UserInputAst::Clause(Vec::new()),
        // `-pay source:bbc`: the articles that pass, without the excluded words.
        Some(UserInputAst::Clause(mut children))
            if !filter.is_empty() && !has_positive_clauses(&children) =>
        {
            children.insert(0, (Some(Occur::Must), all()));
            UserInputAst::Clause(children)
        }
        Some(ast) => ast,
    };
    if !has_positive(&ast) {
        if cleaned.trim().is_empty() {
            bad!("empty query: give at least one word to search for");
        }
        if has_leaf(&ast) {
            bad!("query {text:?} only excludes words; give at least one word to search for");
        }
        bad!("query {text:?} has no words to search for");
    }
    Ok(Parsed {
        ast,
        filter,
        lenient,
        notes,
    })
}

fn has_positive_clauses(children: &[(Option<Occur>, UserInputAst)]) -> bool {
    children
        .iter()
        .any(|(occur, child)| *occur != Some(Occur::MustNot) && has_positive(child))
}

/// Plain syntax: every whitespace-separated word becomes an optional literal.
fn plain_ast(text: &str) -> UserInputAst {
    let words: Vec<(Option<Occur>, UserInputAst)> = text
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|w| !w.is_empty())
        .map(|w| (Some(Occur::Should), plain_word(w.to_owned())))
        .collect();
    UserInputAst::Clause(words)
}

/// A hyphenated word written closed (`e-mail` → `email`); `None` without a hyphen.
fn closed_compound(word: &str) -> Option<String> {
    word.contains('-')
        .then(|| word.chars().filter(|&c| c != '-').collect())
}

/// One word of a plain query, as a bare literal.
fn plain_word(word: String) -> UserInputAst {
    UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(UserInputLiteral {
        field_name: None,
        phrase: word,
        delimiter: query_grammar::Delimiter::None,
        slop: 0,
        prefix: false,
    })))
}

/// The query as people type it, made safe for tantivy's grammar: an
/// apostrophe between two letters (`Labour's`, `O'Neill`, `don't`) is part
/// of the word, not a quote, so it becomes `’` (which the analyzer folds back
/// to `'`); a Reuters ticker `<IBM>` is the word `IBM`, not range syntax.
/// Single quotes around words (`'pay rise'`) still make a phrase.
fn as_typed(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        if c == '\''
            && before.is_some_and(char::is_alphabetic)
            && after.is_some_and(char::is_alphabetic)
        {
            out.push('’');
        } else if c == '<' && before.is_none_or(|b| b.is_whitespace() || "(+-:".contains(b)) {
            // `<TICKER>`: letters, digits and `.`/`&` up to a `>` that ends the word.
            let end = chars[i + 1..]
                .iter()
                .position(|&d| !(d.is_alphanumeric() || d == '.' || d == '&'))
                .map(|n| i + 1 + n);
            match end {
                Some(end)
                    if end > i + 1
                        && chars[end] == '>'
                        && chars
                            .get(end + 1)
                            .is_none_or(|d| d.is_whitespace() || *d == ')') =>
                {
                    out.extend(&chars[i + 1..end]);
                    i = end + 1;
                    continue;
                }
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// Control characters mean nothing in a query: terminal escape sequences
/// (`ESC [ 31 m`, pasted with coloured text) are dropped whole, any other
/// control character becomes a space.
fn strip_control(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                // Parameters and intermediates, then one final byte in @..~.
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            }
            out.push(' ');
        } else if c.is_control() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether the query names anything at all (words, phrases, `*`).
fn has_leaf(ast: &UserInputAst) -> bool {
    match ast {
        UserInputAst::Clause(children) => children.iter().any(|(_, child)| has_leaf(child)),
        UserInputAst::Boost(inner, _) => has_leaf(inner),
        UserInputAst::Leaf(_) => true,
    }
}

/// Whether the query asks for anything (as opposed to only excluding).
fn has_positive(ast: &UserInputAst) -> bool {
    match ast {
        UserInputAst::Clause(children) => has_positive_clauses(children),
        UserInputAst::Boost(inner, _) => has_positive(inner),
        UserInputAst::Leaf(_) => true,
    }
}

struct Compiler<'a> {
    /// The query did not parse strictly: stray operators are dropped.
    lenient: bool,
    /// Optional bare stopwords are left out (the query has other words).
    drop_stopwords: bool,
    searcher: &'a Searcher,
    fields: &'a Fields,
    settings: &'a RankSettings,
    analyzer: tantivy::tokenizer::TextAnalyzer,
    word_analyzer: tantivy::tokenizer::TextAnalyzer,
    /// Documents and mean length of the combined field, once needed.
    all_stats: Option<AllStats>,
    targets: Vec<Target>,
    weights: Vec<f32>,
    notes: Vec<String>,
}

/// Corpus statistics of the combined headline + body ranking model.
#[derive(Debug, Clone, Copy)]
pub struct AllStats {
    pub num_docs: u64,
    /// Mean headline tokens per article.
    pub avg_title: f32,
    /// Mean body tokens per article.
    pub avg_body: f32,
}

impl AllStats {
    pub fn of(searcher: &Searcher, fields: &Fields) -> Result<AllStats> {
        let (mut title, mut body) = (0u64, 0u64);
        for segment in searcher.segment_readers() {
            title += segment.inverted_index(fields.title)?.total_num_tokens();
            body += segment.inverted_index(fields.body)?.total_num_tokens();
        }
        let num_docs = searcher.num_docs();
        let n = num_docs.max(1) as f32;
        Ok(AllStats {
            num_docs,
            avg_title: title as f32 / n,
            avg_body: body as f32 / n,
        })
    }

    /// Mean combined length with a headline word counting `repeat` body words.
    pub fn avg_len_with(&self, repeat: f32) -> f32 {
        repeat * self.avg_title + self.avg_body
    }
}

/// The same disjunction as a `BooleanQuery` of `clauses`, as one
/// [`Bm25FOrQuery`], when every clause is an optional bare word (the usual
/// query): same scores, a faster union.
fn bm25f_or(clauses: &[(Occur, Box<dyn Query>)]) -> Option<Box<dyn Query>> {
    let terms = clauses
        .iter()
        .map(|(occur, q)| {
            (*occur == Occur::Should)
                .then(|| q.downcast_ref::<Bm25FTermQuery>().cloned())
                .flatten()
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Box::new(Bm25FOrQuery::new(terms)))
}

/// A BM25F query for one analyzed word over headline and body, and its
/// document frequency (articles with the word in headline or body).
pub fn all_field_term(
    searcher: &Searcher,
    fields: &Fields,
    settings: &RankSettings,
    stats: AllStats,
    word: &str,
    boost: f32,
) -> Result<(Box<dyn Query>, u64)> {
    let (query, df) = bm25f_term(searcher, fields, settings, stats, word, boost)?;
    Ok((Box::new(query), df))
}

/// The most a query of [`all_field_term`] adds to an article's score;
/// `None` for any other query.
pub fn word_max_score(query: &dyn Query) -> Option<f32> {
    query
        .downcast_ref::<Bm25FTermQuery>()
        .map(Bm25FTermQuery::max_score)
}

/// [`all_field_term`] as its own type, and the document frequency.
fn bm25f_term(
    searcher: &Searcher,
    fields: &Fields,
    settings: &RankSettings,
    stats: AllStats,
    word: &str,
    boost: f32,
) -> Result<(Bm25FTermQuery, u64)> {
    let title = Term::from_field_text(fields.title, word);
    let body = Term::from_field_text(fields.body, word);
    let df = union_doc_freq(searcher, &title, &body)?;
    let query = Bm25FTermQuery::new(
        title,
        body,
        bm25f_params(settings, stats, idf(df, stats.num_docs), boost),
    );
    Ok((query, df))
}

fn bm25f_params(settings: &RankSettings, stats: AllStats, idf: f32, boost: f32) -> Bm25FParams {
    Bm25FParams {
        idf: if settings.idf_power == 1.0 {
            idf
        } else {
            idf.powf(settings.idf_power)
        },
        boost,
        k1: settings.k1,
        b: settings.b,
        avg_len: stats.avg_len_with(settings.title_repeat),
        repeat: settings.title_repeat,
    }
}

/// Entries of the per-thread document frequency memo before it starts over.
const DF_MEMO_ENTRIES: usize = 100_000;

thread_local! {
    /// (the searcher's segments, word → "headline or body" document frequency).
    static DF_MEMO: std::cell::RefCell<(u64, rustc_hash::FxHashMap<String, u64>)> =
        std::cell::RefCell::new((0, rustc_hash::FxHashMap::default()));
}

/// A key for what a searcher sees: its segments and their deletes.
fn searcher_key(searcher: &Searcher) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    for (segment, deletes) in searcher.generation().segments() {
        segment.hash(&mut h);
        deletes.hash(&mut h);
    }
    h.finish() | 1
}

/// Articles whose headline or body holds the word, memoised per thread for
/// the same searcher (a batch repeats words, feedback's most of all).
fn union_doc_freq(searcher: &Searcher, title: &Term, body: &Term) -> Result<u64> {
    let key = searcher_key(searcher);
    let value = body.value();
    let word = value.as_str().unwrap_or_default();
    let known = DF_MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        if memo.0 != key || memo.1.len() >= DF_MEMO_ENTRIES {
            memo.0 = key;
            memo.1.clear();
        }
        memo.1.get(word).copied()
    });
    if let Some(df) = known {
        return Ok(df);
    }
    let df = count_union_doc_freq(searcher, title, body)?;
    DF_MEMO.with(|memo| memo.borrow_mut().1.insert(word.to_owned(), df));
    Ok(df)
}

/// Both fields' frequencies minus the articles that have the word in both,
/// found by walking the (short) headline postings against the body postings,
/// or read from the segment's block bounds where they hold the word (see
/// [`crate::index::bounds`]; the same count, written at indexing time).
fn count_union_doc_freq(searcher: &Searcher, title: &Term, body: &Term) -> Result<u64> {
    use tantivy::{DocSet, TERMINATED};
    let mut df = 0u64;
    for segment in searcher.segment_readers() {
        let t = segment.inverted_index(title.field())?;
        let b = segment.inverted_index(body.field())?;
        let b_info = b.get_term_info(body)?;
        if let Some(known) = b_info.as_ref().and_then(|info| {
            bounds::doc_freq(segment.segment_id(), info.postings_range.start as u64)
        }) {
            df += u64::from(known);
            continue;
        }
        let (Some(t_info), Some(b_info)) = (t.get_term_info(title)?, b_info) else {
            df += t.doc_freq(title)? as u64 + b.doc_freq(body)? as u64;
            continue;
        };
        df += (t_info.doc_freq + b_info.doc_freq) as u64;
        let mut tp = t.read_postings_from_terminfo(&t_info, IndexRecordOption::Basic)?;
        let mut bp = b.read_postings_from_terminfo(&b_info, IndexRecordOption::Basic)?;
        let mut doc = tp.doc();
        while doc != TERMINATED {
            if bp.doc() <= doc && bp.seek(doc) == doc {
                df -= 1;
            }
            if bp.doc() == TERMINATED {
                break;
            }
            doc = tp.advance();
        }
    }
    Ok(df)
}

/// Whether the query has a positive literal that is not only stopwords
/// (then bare optional stopwords are left out of it). Shared with the
/// OpenSearch translation, which reads queries the same way.
pub(crate) fn has_content(words: &mut TextAnalyzer, ast: &UserInputAst, negated: bool) -> bool {
    match ast {
        UserInputAst::Clause(children) => children.iter().any(|(occur, child)| {
            has_content(words, child, negated || *occur == Some(Occur::MustNot))
        }),
        UserInputAst::Boost(inner, _) => has_content(words, inner, negated),
        UserInputAst::Leaf(leaf) => match leaf.as_ref() {
            UserInputLeaf::Literal(lit) => {
                !negated
                    && (lit.delimiter != query_grammar::Delimiter::None
                        || !only_stopwords(words, &lit.phrase))
            }
            _ => !negated,
        },
    }
}

/// Whether every word of `text` is a stopword (false for no words), as
/// `words` (the word analyzer, before stemming) splits it.
pub(crate) fn only_stopwords(words: &mut TextAnalyzer, text: &str) -> bool {
    let mut stream = words.token_stream(text);
    let mut any = false;
    while let Some(token) = stream.next() {
        if !is_stopword(&token.text) {
            return false;
        }
        any = true;
    }
    any
}

impl Compiler<'_> {
    /// Whether the query has a positive bare word (not quoted).
    fn has_bare_words(&self, ast: &UserInputAst) -> bool {
        match ast {
            UserInputAst::Clause(children) => children
                .iter()
                .any(|(occur, child)| *occur != Some(Occur::MustNot) && self.has_bare_words(child)),
            UserInputAst::Boost(inner, _) => self.has_bare_words(inner),
            UserInputAst::Leaf(leaf) => matches!(leaf.as_ref(),
                UserInputLeaf::Literal(lit) if lit.delimiter == query_grammar::Delimiter::None),
        }
    }

    fn all_stats(&mut self) -> Result<AllStats> {
        if let Some(stats) = self.all_stats {
            return Ok(stats);
        }
        let stats = AllStats::of(self.searcher, self.fields)?;
        self.all_stats = Some(stats);
        Ok(stats)
    }

    fn convert(
        &mut self,
        ast: &UserInputAst,
        negated: bool,
        optional: bool,
    ) -> Result<Option<Box<dyn Query>>> {
        match ast {
            UserInputAst::Clause(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for (occur, child) in children {
                    let occur = occur.unwrap_or(Occur::Should);
                    let child_negated = negated || occur == Occur::MustNot;
                    let child_optional = optional && occur == Occur::Should;
                    if let Some(q) = self.convert(child, child_negated, child_optional)? {
                        clauses.push((occur, q));
                    }
                }
                Ok(match clauses.len() {
                    0 => None,
                    1 if clauses[0].0 != Occur::MustNot => clauses.pop().map(|(_, q)| q),
                    _ => Some(
                        bm25f_or(&clauses).unwrap_or_else(|| Box::new(BooleanQuery::new(clauses))),
                    ),
                })
            }
            UserInputAst::Boost(inner, boost) => Ok(self
                .convert(inner, negated, optional)?
                .map(|q| Box::new(BoostQuery::new(q, boost.into_inner() as f32)) as _)),
            UserInputAst::Leaf(leaf) => match leaf.as_ref() {
                UserInputLeaf::Literal(lit) => self.literal(lit, negated, optional),
                UserInputLeaf::All => Ok(Some(Box::new(AllQuery))),
                UserInputLeaf::Range { .. } => bad!("range queries ([a TO b]) are not supported"),
                UserInputLeaf::Set { .. } => bad!("set queries (IN [...]) are not supported"),
                UserInputLeaf::Exists { field } => {
                    bad!("`{field}:*` queries are not supported")
                }
                UserInputLeaf::Regex { .. } => bad!("regular expressions are not supported"),
            },
        }
    }

    fn literal(
        &mut self,
        lit: &UserInputLiteral,
        negated: bool,
        optional: bool,
    ) -> Result<Option<Box<dyn Query>>> {
        let scope = match &lit.field_name {
            None => None,
            Some(name) => match TextField::from_query_name(name) {
                Some(field) => Some(field),
                None => bad!(
                    "unknown field `{name}` in the query (fields: {})",
                    TextField::QUERY_NAMES
                ),
            },
        };
        let bare = lit.delimiter == query_grammar::Delimiter::None;
        if bare && self.lenient && matches!(lit.phrase.as_str(), "AND" | "OR" | "NOT") {
            self.notes.push(format!("ignored a stray `{}`", lit.phrase));
            return Ok(None);
        }
        // The grammar only reads `*` as a prefix after a quoted phrase; a bare
        // `pay*` arrives as the text "pay*".
        let (phrase, prefix) = match lit.phrase.strip_suffix('*') {
            Some(stem) if bare => (stem, true),
            _ => (lit.phrase.as_str(), lit.prefix),
        };
        // A bare optional stopword (`the`, `of`) says little about relevance:
        // leave it out, so it neither ranks nor gets highlighted. Quoted
        // phrases keep theirs, and the index keeps every word's position.
        if self.drop_stopwords
            && optional
            && !negated
            && bare
            && !prefix
            && only_stopwords(&mut self.word_analyzer, phrase)
        {
            return Ok(None);
        }
        let mut tokens: Vec<(usize, String)> = Vec::new();
        {
            let mut stream = self.analyzer.token_stream(phrase);
            while let Some(token) = stream.next() {
                tokens.push((token.position, token.text.clone()));
            }
        }
        let pattern = match tokens.len() {
            0 => return Ok(None),
            1 if prefix => Pattern::Prefix(tokens.remove(0).1),
            1 => Pattern::Term(tokens.remove(0).1),
            _ => Pattern::Phrase {
                terms: tokens,
                slop: lit.slop,
                prefix,
            },
        };
        if scope.is_none() && !matches!(pattern, Pattern::Phrase { .. }) {
            // Unscoped words rank by BM25 on the combined headline + body field.
            let stats = self.all_stats()?;
            let (query, doc_freq) = match &pattern {
                Pattern::Term(t) => {
                    all_field_term(self.searcher, self.fields, self.settings, stats, t, 1.0)?
                }
                _ => {
                    let p = match &pattern {
                        Pattern::Prefix(p) => p.clone(),
                        _ => String::new(),
                    };
                    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                    let mut df = 0;
                    for word in self.expand_prefix(&[self.fields.title, self.fields.body], &p)? {
                        let (q, d) = all_field_term(
                            self.searcher,
                            self.fields,
                            self.settings,
                            stats,
                            &word,
                            1.0,
                        )?;
                        df = df.max(d);
                        clauses.push((Occur::Should, q));
                    }
                    (Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>, df)
                }
            };
            if !negated {
                self.add_target(pattern, scope, doc_freq);
            }
            return Ok(Some(query));
        }
        // Field words, prefixes and phrases: the same BM25F scale, counted in
        // the fields they apply to.
        let stats = self.all_stats()?;
        let which: Vec<TextField> = scope.map_or(TextField::ALL.to_vec(), |f| vec![f]);
        let (query, doc_freq): (Box<dyn Query>, u64) = match &pattern {
            Pattern::Term(t) => {
                let (q, df) = bm25f_term(self.searcher, self.fields, self.settings, stats, t, 1.0)?;
                let field = self.fields.text(which[0]);
                (Box::new(q.only(field)), df)
            }
            Pattern::Prefix(p) => {
                let field = self.fields.text(which[0]);
                let mut terms = Vec::new();
                let mut df = 0;
                for word in self.expand_prefix(&[field], p)? {
                    let (q, d) =
                        bm25f_term(self.searcher, self.fields, self.settings, stats, &word, 1.0)?;
                    df = df.max(d);
                    terms.push(q.only(field));
                }
                (Box::new(Bm25FOrQuery::new(terms)), df)
            }
            Pattern::Phrase {
                terms,
                slop,
                prefix,
            } => {
                let mut sides: [Option<FieldPhrase>; 2] = [None, None];
                let mut doc_freq = 0u64;
                for &w in &which {
                    let field = self.fields.text(w);
                    let (matcher, df) = self.pattern_query(&pattern, field)?;
                    doc_freq = doc_freq.max(df);
                    let counted = &terms[..terms.len() - usize::from(*prefix)];
                    sides[usize::from(w == TextField::Body)] = Some(FieldPhrase {
                        matcher,
                        terms: counted
                            .iter()
                            .map(|(pos, t)| (*pos, Term::from_field_text(field, t)))
                            .collect(),
                        slop: *slop,
                        prefix: *prefix,
                    });
                }
                // The phrase's IDF: the sum of its (fully typed) words' IDFs.
                let mut phrase_idf = 0.0;
                for (_, t) in &terms[..terms.len() - usize::from(*prefix)] {
                    let title = Term::from_field_text(self.fields.title, t);
                    let body = Term::from_field_text(self.fields.body, t);
                    let df = union_doc_freq(self.searcher, &title, &body)?;
                    phrase_idf += idf(df, stats.num_docs);
                }
                let first = &terms[0].1;
                let shape = Bm25FTermQuery::new(
                    Term::from_field_text(self.fields.title, first),
                    Term::from_field_text(self.fields.body, first),
                    bm25f_params(self.settings, stats, phrase_idf, 1.0),
                );
                let [title, body] = sides;
                let repeat = self.settings.title_repeat;
                (
                    Box::new(Bm25FPhraseQuery::new(title, body, shape, repeat)),
                    doc_freq,
                )
            }
        };
        // A hyphenated word also finds its closed compound (`e-mail` finds
        // `email`, `birth-weight` `birthweight`) when the index has it.
        let joined = match &pattern {
            Pattern::Phrase { prefix: false, .. } if bare => match closed_compound(phrase) {
                Some(joined) => self.indexed_word(&joined)?,
                None => None,
            },
            _ => None,
        };
        let query = match &joined {
            None => query,
            Some(word) => {
                let (term, _) =
                    bm25f_term(self.searcher, self.fields, self.settings, stats, word, 1.0)?;
                let alternative: Box<dyn Query> = match scope {
                    None => Box::new(term),
                    Some(field) => Box::new(term.only(self.fields.text(field))),
                };
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, query),
                    (Occur::Should, alternative),
                ]))
            }
        };
        if !negated {
            self.add_target(pattern, scope, doc_freq);
            if let Some(word) = joined {
                let group = self.weights.len() - 1;
                self.targets.push(Target {
                    pattern: Pattern::Term(word),
                    field: scope,
                    group,
                });
            }
        }
        Ok(Some(query))
    }

    /// The term of `text` when it is one word the index has (`email`);
    /// `None` for a word the index lacks (`covid19`) or more than one word.
    fn indexed_word(&mut self, text: &str) -> Result<Option<String>> {
        let mut tokens = Vec::new();
        {
            let mut stream = self.analyzer.token_stream(text);
            while let Some(token) = stream.next() {
                tokens.push(token.text.clone());
            }
        }
        let [word] = <[String; 1]>::try_from(tokens).unwrap_or_default();
        if word.is_empty() {
            return Ok(None);
        }
        let title = Term::from_field_text(self.fields.title, &word);
        let body = Term::from_field_text(self.fields.body, &word);
        Ok((union_doc_freq(self.searcher, &title, &body)? > 0).then_some(word))
    }

    /// Records what a (non-negated) literal highlights, weighted by its IDF.
    fn add_target(&mut self, pattern: Pattern, field: Option<TextField>, doc_freq: u64) {
        let group = self.weights.len();
        self.weights.push(idf(doc_freq, self.searcher.num_docs()));
        self.targets.push(Target {
            pattern,
            field,
            group,
        });
    }

    /// The tantivy query for a pattern on one field, and a document frequency
    /// that stands for how common the pattern is.
    fn pattern_query(
        &mut self,
        pattern: &Pattern,
        field: tantivy::schema::Field,
    ) -> Result<(Box<dyn Query>, u64)> {
        let term = |t: &str| Term::from_field_text(field, t);
        Ok(match pattern {
            Pattern::Term(t) => {
                let df = self.searcher.doc_freq(&term(t))?;
                (
                    Box::new(TermQuery::new(term(t), IndexRecordOption::WithFreqs)),
                    df,
                )
            }
            Pattern::Prefix(p) => {
                let expansions = self.expand_prefix(&[field], p)?;
                let mut df = 0;
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for word in &expansions {
                    df = df.max(self.searcher.doc_freq(&term(word))?);
                    clauses.push((
                        Occur::Should,
                        Box::new(TermQuery::new(term(word), IndexRecordOption::WithFreqs)),
                    ));
                }
                (Box::new(BooleanQuery::new(clauses)), df)
            }
            Pattern::Phrase {
                terms,
                slop,
                prefix,
            } => {
                let mut df = u64::MAX;
                for (_, t) in terms {
                    df = df.min(self.searcher.doc_freq(&term(t))?);
                }
                let with_offsets: Vec<(usize, Term)> =
                    terms.iter().map(|(pos, t)| (*pos, term(t))).collect();
                let query: Box<dyn Query> = if *prefix {
                    Box::new(PhrasePrefixQuery::new_with_offset(with_offsets))
                } else {
                    Box::new(PhraseQuery::new_with_offset_and_slop(with_offsets, *slop))
                };
                (query, df)
            }
        })
    }

    /// Index terms of `field` that start with `prefix`, up to the configured cap.
    fn expand_prefix(
        &mut self,
        fields: &[tantivy::schema::Field],
        prefix: &str,
    ) -> Result<Vec<String>> {
        let mut words = std::collections::BTreeSet::new();
        let cap = self.settings.max_expansions;
        let segments = self.searcher.segment_readers();
        for (segment, &field) in segments
            .iter()
            .flat_map(|s| fields.iter().map(move |f| (s, f)))
        {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .into_stream()?;
            while stream.advance() {
                let key = stream.key();
                if !key.starts_with(prefix.as_bytes()) {
                    break;
                }
                if let Ok(word) = std::str::from_utf8(key) {
                    words.insert(word.to_owned());
                }
                if words.len() >= cap {
                    break;
                }
            }
        }
        if words.len() >= cap {
            self.notes.push(format!(
                "`{prefix}*` matches more than {cap} words; using the first {cap}"
            ));
        }
        Ok(words.into_iter().take(cap).collect())
    }
}

/// BM25's inverse document frequency.
pub fn idf(doc_freq: u64, num_docs: u64) -> f32 {
    let n = num_docs as f32;
    let df = (doc_freq as f32).min(n);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_settings_are_set_by_name() {
        let mut r = RankSettings::default();
        r.set("k1", "1.2").expect("k1");
        r.set("b", " 0.75 ").expect("b");
        r.set("title_repeat", "2").expect("title_repeat");
        r.set("fb_docs", "5").expect("fb_docs");
        r.set("fb_weight", "1").expect("fb_weight");
        r.set("stopwords", "off").expect("stopwords");
        r.set_pair("fb_dedup=on").expect("fb_dedup");
        r.set_pair("proximity=0.25").expect("proximity");
        assert_eq!((r.k1, r.b, r.title_repeat), (1.2, 0.75, 2.0));
        assert_eq!((r.feedback.docs, r.feedback.original_weight), (5, 1.0));
        assert!(!r.stopwords && r.feedback.dedup);
        assert_eq!(r.proximity, 0.25);
        // Untouched settings keep their defaults.
        assert_eq!(r.feedback.terms, RankSettings::default().feedback.terms);
    }

    #[test]
    fn bad_rank_settings_name_the_key_and_what_it_takes() {
        let mut r = RankSettings::default();
        let message = |e: Error| e.to_string();
        assert_eq!(
            message(r.set("b", "1.1").unwrap_err()),
            "ranking setting b=\"1.1\": b takes a number from 0 to 1"
        );
        assert_eq!(
            message(r.set("k1", "NaN").unwrap_err()),
            "ranking setting k1=\"NaN\": k1 takes a number from 0 to 100"
        );
        assert_eq!(
            message(r.set("fb_terms", "2.5").unwrap_err()),
            "ranking setting fb_terms=\"2.5\": fb_terms takes a whole number from 0 to 1000"
        );
        assert_eq!(
            message(r.set("proximity_window", "0").unwrap_err()),
            "ranking setting proximity_window=\"0\": proximity_window takes a whole number from 1 to 1000"
        );
        assert_eq!(
            message(r.set("colour", "1").unwrap_err()),
            format!("unknown ranking setting \"colour\" (settings: {RANK_KEYS})")
        );
        assert!(matches!(
            r.set_pair("k1:1.2").unwrap_err(),
            Error::BadQuery { .. }
        ));
        // A failed set changes nothing.
        assert_eq!(r.b, RankSettings::default().b);
        assert_eq!(r.k1, RankSettings::default().k1);
    }

    fn searcher() -> (Searcher, Fields) {
        schema::in_memory(&[("The union", "The union called a strike over pay.")])
    }

    #[test]
    fn bm25f_or_scores_like_a_boolean_union() {
        use tantivy::collector::{Count, TopDocs};
        use tantivy::query::EnableScoring;
        use tantivy::{DocSet, TERMINATED};
        // 10,000 articles (several 4,096-document windows), words spread unevenly.
        let vocab = ["pay", "strike", "ballot", "union", "rail", "nurse"];
        let texts: Vec<(String, String)> = (0u64..10_000)
            .map(|i| {
                let pick = |k: u64| vocab[((i * 7 + k * 13) ^ (i >> 3)) as usize % vocab.len()];
                let title = if i % 5 == 0 { pick(1) } else { "" };
                (
                    title.to_owned(),
                    format!("{} {} {}", pick(2), pick(3), pick(i % 4)),
                )
            })
            .collect();
        let (searcher, fields) = schema::in_memory(&texts);
        let settings = RankSettings::default();
        let stats = AllStats::of(&searcher, &fields).expect("stats");
        let words = ["pay", "ballot", "nurs", "absent"];
        let clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|w| {
                let (q, _) =
                    all_field_term(&searcher, &fields, &settings, stats, w, 1.0).expect("term");
                (Occur::Should, q)
            })
            .collect();
        let fast = bm25f_or(&clauses).expect("all bare words");
        let slow = BooleanQuery::new(clauses);
        let top = (TopDocs::with_limit(20_000).order_by_score(), Count);
        let (got, got_count) = searcher.search(fast.as_ref(), &top).expect("or");
        let (want, want_count) = searcher.search(&slow, &top).expect("boolean");
        assert_eq!(got_count, want_count);
        assert!(got_count > 5_000, "{got_count}");
        assert_eq!(got, want, "same documents, same scores, same order");

        // Seeking, within a window and past it, lands on the same documents.
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let reader = searcher.segment_reader(0);
        let mut a = fast
            .weight(scoring)
            .expect("w")
            .scorer(reader, 1.0)
            .expect("s");
        let mut b = slow
            .weight(scoring)
            .expect("w")
            .scorer(reader, 1.0)
            .expect("s");
        for target in [3, 4, 100, 101, 4_000, 4_100, 9_000, 9_998, 20_000] {
            assert_eq!(a.seek(target), b.seek(target), "seek {target}");
            if a.doc() != TERMINATED {
                assert_eq!(a.score(), b.score(), "score at {target}");
                assert_eq!(a.advance(), b.advance(), "after {target}");
            }
        }
        assert_eq!(a.doc(), TERMINATED);
    }

    #[test]
    fn bm25f_combines_headline_and_body_before_saturation() {
        // "pay": headline and body of doc 0, body only of doc 1, absent from doc 2.
        let (searcher, fields) = schema::in_memory(&[
            ("pay deal", "the pay offer"),
            ("strike", "pay and pay"),
            ("ballot", "a vote"),
        ]);
        let settings = RankSettings::default();
        let stats = AllStats::of(&searcher, &fields).expect("stats");
        // Combined lengths: 3×2+3 = 9, 3×1+3 = 6, 3×1+2 = 5.
        assert!((stats.avg_len_with(schema::TITLE_REPEAT as f32) - 20.0 / 3.0).abs() < 1e-6);
        let (query, df) =
            all_field_term(&searcher, &fields, &settings, stats, "pay", 1.0).expect("query");
        assert_eq!(
            df, 2,
            "articles with `pay` in headline or body, counted once"
        );
        let top = searcher
            .search(
                &query,
                &tantivy::collector::TopDocs::with_limit(10).order_by_score(),
            )
            .expect("search");
        let (k1, b, avg) = (
            settings.k1,
            settings.b,
            stats.avg_len_with(settings.title_repeat),
        );
        let idf = idf(2, 3);
        let bm25 =
            |tf: f32, len: f32| idf * (k1 + 1.0) * tf / (tf + k1 * (1.0 - b + b * len / avg));
        let expected = [(0u32, bm25(3.0 + 1.0, 9.0)), (1, bm25(2.0, 6.0))];
        assert_eq!(top.len(), 2);
        for ((score, addr), (doc, want)) in top.iter().zip(expected) {
            assert_eq!(addr.doc_id, doc);
            assert!((score - want).abs() < 1e-5, "doc {doc}: {score} vs {want}");
        }
    }

    fn targets(text: &str) -> Vec<Pattern> {
        let (searcher, fields) = searcher();
        let compiled = compile(
            text,
            Syntax::Full,
            &searcher,
            &fields,
            &RankSettings::default(),
        )
        .expect("compile");
        compiled.targets.into_iter().map(|t| t.pattern).collect()
    }

    #[test]
    fn queries_as_typed() {
        assert_eq!(as_typed("Labour's O'Neill don't"), "Labour’s O’Neill don’t");
        assert_eq!(as_typed("'pay rise' nurses'"), "'pay rise' nurses'");
        assert_eq!(as_typed("<IBM> (<AT&T>) shares"), "IBM (AT&T) shares");
        assert_eq!(as_typed("date:<2020 a<b> <x"), "date:<2020 a<b> <x");
        assert_eq!(as_typed("title:<IBM>"), "title:IBM");
        assert_eq!(targets("Labour's"), [Pattern::Term("labour".into())]);
        assert_eq!(targets("U.S."), [Pattern::Term("u.s".into())]);
        assert_eq!(targets("<IBM>"), [Pattern::Term("ibm".into())]);
        assert_eq!(targets("Beyoncé"), targets("beyonce"));
    }

    #[test]
    fn control_characters_and_escape_sequences_are_dropped() {
        assert_eq!(
            strip_control("pay\u{1}\u{7}\u{1b}[31mrise\u{1b}[0m"),
            "pay   rise "
        );
        assert_eq!(strip_control("a\tb\u{1b}"), "a b ");
    }

    #[test]
    fn bare_stopwords_are_dropped_only_beside_other_words() {
        assert_eq!(targets("the union"), [Pattern::Term("union".into())]);
        assert_eq!(targets("the"), [Pattern::Term("the".into())]);
        assert_eq!(targets("+the union").len(), 2);
        assert!(matches!(
            &targets("\"the union\" pay")[0],
            Pattern::Phrase { terms, .. } if terms.len() == 2
        ));
    }
}
