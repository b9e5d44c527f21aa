//! Finding where a query's targets occur in a text, as byte spans.
//!
//! The text is run through the same analyzer as the index, so a highlight
//! marks exactly the words the index matched: stemmed forms, prefix
//! expansions, and whole phrases as one span.

use std::collections::HashMap;
use std::ops::Range;

use tantivy::tokenizer::TextAnalyzer;

use crate::query::{Pattern, Target};
use crate::schema::TextField;

/// One analyzed word of a text.
#[derive(Debug, Clone)]
pub struct Token {
    pub span: Range<usize>,
    pub position: usize,
    pub text: String,
}

/// One occurrence of a target in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub span: Range<usize>,
    pub group: usize,
    pub phrase: bool,
}

/// Analyzes `text` into tokens with byte offsets and positions.
pub fn tokenize(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(Token {
            span: t.offset_from..t.offset_to,
            position: t.position,
            text: t.text.clone(),
        });
    }
    out
}

/// Every occurrence of the targets that apply to `field`, sorted by start.
pub fn find(tokens: &[Token], targets: &[Target], field: TextField) -> Vec<Match> {
    let mut out = Vec::new();
    let mut terms: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut prefixes: Vec<(&str, usize)> = Vec::new();
    for target in targets.iter().filter(|t| t.applies_to(field)) {
        match &target.pattern {
            Pattern::Term(t) => terms.entry(t.as_str()).or_default().push(target.group),
            Pattern::Prefix(p) => prefixes.push((p.as_str(), target.group)),
            Pattern::Phrase {
                terms: phrase,
                slop,
                prefix,
            } => find_phrase(tokens, phrase, *slop, *prefix, target.group, &mut out),
        }
    }
    if !terms.is_empty() || !prefixes.is_empty() {
        for token in tokens {
            if let Some(groups) = terms.get(token.text.as_str()) {
                for &group in groups {
                    out.push(Match {
                        span: token.span.clone(),
                        group,
                        phrase: false,
                    });
                }
            }
            for &(prefix, group) in &prefixes {
                if token.text.starts_with(prefix) {
                    out.push(Match {
                        span: token.span.clone(),
                        group,
                        phrase: false,
                    });
                }
            }
        }
    }
    out.sort_by_key(|m| (m.span.start, m.span.end));
    out
}

/// Occurrences of a phrase: consecutive positions (within `slop`) carrying
/// the phrase's terms in order. Each becomes one span, first word to last.
fn find_phrase(
    tokens: &[Token],
    phrase: &[(usize, String)],
    slop: u32,
    prefix: bool,
    group: usize,
    out: &mut Vec<Match>,
) {
    let Some(((first_pos, first), rest)) = phrase.split_first() else {
        return;
    };
    let last = phrase.len() - 1;
    let matches_term = |k: usize, token: &Token| {
        let want = &phrase[k].1;
        if prefix && k == last {
            token.text.starts_with(want.as_str())
        } else {
            token.text == *want
        }
    };
    let slop = slop as usize;
    'start: for (i, token) in tokens.iter().enumerate() {
        if !(token.text == *first
            || (prefix && last == 0 && token.text.starts_with(first.as_str())))
        {
            continue;
        }
        let mut end = token.span.end;
        let mut j = i;
        let mut budget = slop;
        for (k, (pos, _)) in rest.iter().enumerate() {
            let k = k + 1;
            let expected = token.position + (pos - first_pos);
            // Find the next token carrying term k at the expected position,
            // allowing up to `slop` extra positions in total.
            let mut found = None;
            for (jj, cand) in tokens.iter().enumerate().skip(j + 1) {
                let shift = cand.position.saturating_sub(expected);
                if cand.position >= expected && shift > budget {
                    break;
                }
                if cand.position >= expected && matches_term(k, cand) {
                    found = Some((jj, shift));
                    break;
                }
            }
            match found {
                Some((jj, shift)) => {
                    budget -= shift;
                    j = jj;
                    end = tokens[jj].span.end;
                }
                None => continue 'start,
            }
        }
        out.push(Match {
            span: token.span.start..end,
            group,
            phrase: true,
        });
    }
}

/// Merges overlapping spans into the list of highlight ranges.
pub fn merge_spans(matches: &[Match]) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = matches.iter().map(|m| m.span.clone()).collect();
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Range<usize>> = Vec::new();
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start < last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::analyzer;

    fn target(pattern: Pattern, group: usize) -> Target {
        Target {
            pattern,
            field: None,
            group,
        }
    }

    fn spans<'a>(text: &'a str, targets: &[Target]) -> Vec<&'a str> {
        let tokens = tokenize(&mut analyzer(), text);
        merge_spans(&find(&tokens, targets, TextField::Body))
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn stemmed_terms_and_prefixes() {
        let text = "Striking staff held strikes; payment and pay rose.";
        let t = [
            target(Pattern::Term("strike".into()), 0),
            target(Pattern::Prefix("pay".into()), 1),
        ];
        assert_eq!(spans(text, &t), ["Striking", "strikes", "payment", "pay"]);
    }

    #[test]
    fn phrase_is_one_span_only_where_whole() {
        let text = "Strike action looms. The strike was called; action followed. strike   action!";
        let t = [target(
            Pattern::Phrase {
                terms: vec![(0, "strike".into()), (1, "action".into())],
                slop: 0,
                prefix: false,
            },
            0,
        )];
        assert_eq!(spans(text, &t), ["Strike action", "strike   action"]);
    }

    #[test]
    fn field_scoped_targets_only_apply_to_their_field() {
        let text = "pay";
        let t = [Target {
            pattern: Pattern::Term("pay".into()),
            field: Some(TextField::Title),
            group: 0,
        }];
        assert!(spans(text, &t).is_empty());
    }
}
