//! passim's query language → OpenSearch's query DSL, by walking the syntax
//! tree `query::parse` gives (the same tree `query::compile` turns into a
//! tantivy query), literal by literal, with the same rules: the same
//! fields, stopwords dropped the same way, `*` prefixes, phrases with slop,
//! boosts, and the filters as `filter` clauses.

use serde_json::{json, Value};
use tantivy::query::Occur;
use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};

use crate::analysis;
use crate::index::schema::{TextField, TITLE_REPEAT};
use crate::query::filter::{Constraint, Filter};
use crate::query::{self, Parsed, Pattern, RankSettings, Target};

/// The field of each text field in the cluster's documents.
pub fn field_name(field: TextField) -> &'static str {
    match field {
        TextField::Title => "headline",
        TextField::Body => "body",
    }
}

/// A query in the DSL, and the words of each literal that `query::compile`
/// makes a highlight target of, in the same order as its targets.
pub struct Translated {
    pub dsl: Value,
    /// Per target: the literal's words as typed (lower-cased and folded,
    /// not stemmed), for counting document frequencies with `match`.
    pub words: Vec<Vec<String>>,
}

/// The query DSL of a parsed query, its filters (the query's own and the
/// caller's) as `filter` clauses.
#[cfg(test)]
pub fn query(parsed: &Parsed, extra: &Filter, settings: &RankSettings) -> Value {
    translate(parsed, extra, settings).dsl
}

/// The query DSL of a parsed query, its filters (the query's own and the
/// caller's) as `filter` clauses, with the targets' words.
pub fn translate(parsed: &Parsed, extra: &Filter, settings: &RankSettings) -> Translated {
    let mut walker = Walker {
        lenient: parsed.lenient,
        drop_stopwords: false,
        word_analyzer: analysis::word_analyzer(),
        analyzer: analysis::analyzer(),
        words: Vec::new(),
    };
    walker.drop_stopwords =
        settings.stopwords && query::has_content(&mut walker.word_analyzer, &parsed.ast, false);
    let main = walker
        .convert(&parsed.ast, false, true)
        .unwrap_or_else(|| json!({ "match_none": {} }));
    let mut filters: Vec<Value> = Vec::new();
    for c in parsed.filter.constraints.iter().chain(&extra.constraints) {
        filters.push(constraint(c));
    }
    let dsl = match filters.is_empty() {
        true => main,
        false => json!({ "bool": { "must": [main], "filter": filters } }),
    };
    Translated {
        dsl,
        words: walker.words,
    }
}

/// One filter constraint as a DSL clause.
fn constraint(c: &Constraint) -> Value {
    match c {
        Constraint::Date { since, until } => {
            let mut range = serde_json::Map::new();
            if let Some(s) = since {
                range.insert("gte".into(), json!(s));
            }
            if let Some(u) = until {
                range.insert("lt".into(), json!(u));
            }
            range.insert("format".into(), json!("epoch_second"));
            json!({ "range": { "date_ts": range } })
        }
        Constraint::Source { names, negated } => {
            let any: Vec<Value> = names
                .iter()
                .map(|n| json!({ "match_phrase": { "source.words": n } }))
                .collect();
            let one_of = json!({ "bool": { "should": any, "minimum_should_match": 1 } });
            negate(one_of, *negated)
        }
        Constraint::Path { globs, negated } => {
            let any: Vec<Value> = globs.iter().flat_map(|g| path_wildcards(g)).collect();
            let one_of = json!({ "bool": { "should": any, "minimum_should_match": 1 } });
            negate(one_of, *negated)
        }
    }
}

fn negate(clause: Value, negated: bool) -> Value {
    match negated {
        true => json!({ "bool": { "must_not": [clause] } }),
        false => clause,
    }
}

/// A path glob as wildcard queries on `path`: one without `/` matches the
/// file name, one with `/` the end of the path. OpenSearch's `*` also
/// crosses `/`, and `**` is read as `*`.
fn path_wildcards(glob: &str) -> Vec<Value> {
    let glob = glob.replace("**", "*");
    let wildcard = |pattern: String| json!({ "wildcard": { "path": { "value": pattern } } });
    if glob.starts_with('*') {
        vec![wildcard(glob)]
    } else if let Some(rest) = glob.strip_prefix('/') {
        vec![wildcard(rest.to_owned()), wildcard(format!("*{glob}"))]
    } else {
        vec![wildcard(glob.clone()), wildcard(format!("*/{glob}"))]
    }
}

struct Walker {
    lenient: bool,
    drop_stopwords: bool,
    word_analyzer: tantivy::tokenizer::TextAnalyzer,
    analyzer: tantivy::tokenizer::TextAnalyzer,
    /// The words of each literal that is a highlight target.
    words: Vec<Vec<String>>,
}

impl Walker {
    fn convert(&mut self, ast: &UserInputAst, negated: bool, optional: bool) -> Option<Value> {
        match ast {
            UserInputAst::Clause(children) => {
                let (mut must, mut should, mut must_not) = (Vec::new(), Vec::new(), Vec::new());
                for (occur, child) in children {
                    let occur = occur.unwrap_or(Occur::Should);
                    let child_negated = negated || occur == Occur::MustNot;
                    let child_optional = optional && occur == Occur::Should;
                    if let Some(q) = self.convert(child, child_negated, child_optional) {
                        match occur {
                            Occur::Must => must.push(q),
                            Occur::Should => should.push(q),
                            Occur::MustNot => must_not.push(q),
                        }
                    }
                }
                match (must.len(), should.len(), must_not.len()) {
                    (0, 0, 0) => None,
                    (1, 0, 0) => must.pop(),
                    (0, 1, 0) => should.pop(),
                    // Only exclusions: tantivy's boolean query matches nothing.
                    (0, 0, _) => Some(json!({ "match_none": {} })),
                    _ => {
                        let mut b = serde_json::Map::new();
                        for (name, list) in
                            [("must", must), ("should", should), ("must_not", must_not)]
                        {
                            if !list.is_empty() {
                                b.insert(name.into(), Value::Array(list));
                            }
                        }
                        Some(json!({ "bool": b }))
                    }
                }
            }
            UserInputAst::Boost(inner, boost) => self
                .convert(inner, negated, optional)
                .map(|q| json!({ "bool": { "must": [q], "boost": boost.into_inner() } })),
            UserInputAst::Leaf(leaf) => match leaf.as_ref() {
                UserInputLeaf::Literal(lit) => self.literal(lit, negated, optional),
                UserInputLeaf::All => Some(json!({ "match_all": {} })),
                // `query::compile` refuses the rest before a query is sent.
                _ => None,
            },
        }
    }

    /// As `query::Compiler::literal`.
    fn literal(&mut self, lit: &UserInputLiteral, negated: bool, optional: bool) -> Option<Value> {
        let scope = lit
            .field_name
            .as_deref()
            .and_then(TextField::from_query_name);
        let bare = lit.delimiter == Delimiter::None;
        if bare && self.lenient && matches!(lit.phrase.as_str(), "AND" | "OR" | "NOT") {
            return None;
        }
        let (phrase, prefix) = match lit.phrase.strip_suffix('*') {
            Some(stem) if bare => (stem, true),
            _ => (lit.phrase.as_str(), lit.prefix),
        };
        if self.drop_stopwords
            && optional
            && !negated
            && bare
            && !prefix
            && query::only_stopwords(&mut self.word_analyzer, phrase)
        {
            return None;
        }
        let mut tokens: Vec<String> = Vec::new();
        {
            let mut stream = self.analyzer.token_stream(phrase);
            while let Some(token) = stream.next() {
                tokens.push(token.text.clone());
            }
        }
        if tokens.is_empty() {
            return None;
        }
        if !negated {
            let mut words = Vec::new();
            let mut stream = self.word_analyzer.token_stream(phrase);
            while let Some(token) = stream.next() {
                words.push(token.text.clone());
            }
            self.words.push(words);
        }
        let fields: Vec<TextField> = scope.map_or(TextField::ALL.to_vec(), |f| vec![f]);
        // passim's headline weight (BM25F counts a headline word this many times).
        let boost = |f: TextField| {
            if f == TextField::Title {
                TITLE_REPEAT as f32
            } else {
                1.0
            }
        };
        let per_field = |make: &dyn Fn(&str, f32) -> Value| -> Value {
            let clauses: Vec<Value> = fields
                .iter()
                .map(|&f| make(field_name(f), boost(f)))
                .collect();
            match clauses.len() {
                1 => clauses.into_iter().next().unwrap_or(Value::Null),
                _ => json!({ "bool": { "should": clauses } }),
            }
        };
        Some(match tokens.len() {
            1 if prefix => {
                let token = tokens.remove(0);
                per_field(&|f, b| json!({ "prefix": { f: { "value": token, "boost": b } } }))
            }
            // An unscoped word: one term over headline and body, IDF blended
            // across them (the closest the DSL has to passim's BM25F).
            1 if scope.is_none() => json!({ "multi_match": {
                "query": phrase,
                "type": "cross_fields",
                "fields": [format!("headline^{TITLE_REPEAT}"), "body".to_owned()],
                "operator": "or",
            } }),
            1 => per_field(&|f, b| json!({ "match": { f: { "query": phrase, "boost": b } } })),
            _ if prefix => per_field(
                &|f, b| json!({ "match_phrase_prefix": { f: { "query": phrase, "slop": lit.slop, "boost": b } } }),
            ),
            _ => per_field(
                &|f, b| json!({ "match_phrase": { f: { "query": phrase, "slop": lit.slop, "boost": b } } }),
            ),
        })
    }
}

/// How to count the articles a highlight target occurs in, as
/// `query::compile` does for its passage weights: per field, the counts to
/// take the least of (a phrase: its rarest word); the weight uses the
/// largest of the fields' counts. Returns, per field, the queries to count.
/// A word is counted with `match` on the word as typed (`words`, which the
/// cluster's analyzer stems as passim does); without them, with `term` on
/// passim's stemmed term.
pub fn doc_freq_queries(target: &Target, words: Option<&[String]>) -> Vec<Vec<Value>> {
    let term = |f: TextField, t: &str| json!({ "term": { field_name(f): t } });
    let word = |f: TextField, i: usize, t: &str| match words.and_then(|w| w.get(i)) {
        Some(w) => json!({ "match": { field_name(f): { "query": w } } }),
        None => term(f, t),
    };
    let prefix = |f: TextField, p: &str| json!({ "prefix": { field_name(f): p } });
    match (&target.pattern, target.field) {
        // Headline or body: one count over both.
        (Pattern::Term(t), None) => vec![vec![json!({ "bool": { "should": [
            word(TextField::Title, 0, t), word(TextField::Body, 0, t)
        ] } })]],
        // passim takes the commonest expansion; the cluster counts the
        // articles with any expansion (at least as many).
        (Pattern::Prefix(p), None) => vec![vec![json!({ "bool": { "should": [
            prefix(TextField::Title, p), prefix(TextField::Body, p)
        ] } })]],
        // A field word is weighed by its headline-or-body frequency too.
        (Pattern::Term(t), Some(_)) => vec![vec![json!({ "bool": { "should": [
            word(TextField::Title, 0, t), word(TextField::Body, 0, t)
        ] } })]],
        (Pattern::Prefix(p), Some(f)) => vec![vec![prefix(f, p)]],
        (Pattern::Phrase { terms, .. }, scope) => {
            let fields = scope.map_or(TextField::ALL.to_vec(), |f| vec![f]);
            fields
                .into_iter()
                .map(|f| {
                    terms
                        .iter()
                        .enumerate()
                        .map(|(i, (_, t))| word(f, i, t))
                        .collect()
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{parse, Syntax};

    fn dsl(text: &str) -> Value {
        let parsed = parse(text, Syntax::Full).expect("parses");
        query(&parsed, &Filter::default(), &RankSettings::default())
    }

    #[test]
    fn words_phrases_and_operators() {
        assert_eq!(
            dsl("nurses"),
            json!({ "multi_match": { "query": "nurses", "type": "cross_fields",
                "fields": ["headline^3", "body"], "operator": "or" } })
        );
        let q = dsl("+pay -strike \"second day\"~2");
        assert_eq!(q["bool"]["must"][0]["multi_match"]["query"], "pay");
        assert_eq!(q["bool"]["must_not"][0]["multi_match"]["query"], "strike");
        let phrase = &q["bool"]["should"][0]["bool"]["should"];
        assert_eq!(phrase[0]["match_phrase"]["headline"]["query"], "second day");
        assert_eq!(phrase[0]["match_phrase"]["headline"]["slop"], 2);
        assert_eq!(phrase[0]["match_phrase"]["headline"]["boost"], 3.0);
        assert_eq!(phrase[1]["match_phrase"]["body"]["boost"], 1.0);
        let q = dsl("title:amazon^3 OR pay*");
        assert_eq!(q["bool"]["should"][0]["bool"]["boost"], 3.0);
        assert_eq!(
            q["bool"]["should"][0]["bool"]["must"][0]["match"]["headline"]["query"],
            "amazon"
        );
        assert_eq!(
            q["bool"]["should"][1]["bool"]["should"][1]["prefix"]["body"]["value"],
            "pay"
        );
    }

    #[test]
    fn each_target_keeps_its_words_as_typed() {
        let parsed = parse("Nurses -pay \"Rail Strikes\" the", Syntax::Full).expect("parses");
        let t = translate(&parsed, &Filter::default(), &RankSettings::default());
        assert_eq!(t.words, [vec!["nurses"], vec!["rail", "strikes"]]);
        let target = Target {
            pattern: Pattern::Phrase {
                terms: vec![(0, "rail".into()), (1, "strike".into())],
                slop: 0,
                prefix: false,
            },
            field: None,
            group: 0,
        };
        let counts = doc_freq_queries(&target, Some(&t.words[1]));
        assert_eq!(counts.len(), 2, "headline and body");
        assert_eq!(
            counts[1][1],
            json!({ "match": { "body": { "query": "strikes" } } })
        );
        let counts = doc_freq_queries(&target, None);
        assert_eq!(counts[0][0], json!({ "term": { "headline": "rail" } }));
    }

    #[test]
    fn stopwords_drop_as_locally() {
        assert_eq!(dsl("the union"), dsl("union"));
        assert_eq!(dsl("the")["multi_match"]["query"], "the");
    }

    #[test]
    fn filters_become_filter_clauses() {
        let q = dsl("pay date:2023 -source:bbc path:*.txt");
        let filters = q["bool"]["filter"].as_array().expect("filters");
        assert_eq!(
            filters[0],
            json!({ "range": { "date_ts": { "gte": 1_672_531_200, "lt": 1_704_067_200, "format": "epoch_second" } } })
        );
        assert_eq!(
            filters[1]["bool"]["must_not"][0]["bool"]["should"][0],
            json!({ "match_phrase": { "source.words": "bbc" } })
        );
        assert_eq!(
            filters[2]["bool"]["should"][0],
            json!({ "wildcard": { "path": { "value": "*.txt" } } })
        );
        assert_eq!(
            path_wildcards("bbc/*.txt")[1],
            json!({ "wildcard": { "path": { "value": "*/bbc/*.txt" } } })
        );
        // Only filters: every article that passes.
        assert_eq!(
            dsl("source:bbc")["bool"]["must"][0],
            json!({ "match_all": {} })
        );
    }
}
