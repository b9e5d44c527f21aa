//! Choosing the passages shown for a hit.
//!
//! A passage is a run of whole sentences from one paragraph, at most
//! `max_chars` characters; a single sentence longer than that is cut at word
//! boundaries around its best matches (and flagged as trimmed). Candidates
//! hold a query word at both ends and are scored by a weighted sum of
//! features (see [`WEIGHTS`]): the IDF weight of the query words they show,
//! repeats, proximity, phrases, where they stand in the article, and cues of
//! their sentences (numbers, attribution, findings, a fact-check restating
//! its claim). The best are picked greedily, preferring passages that show
//! words not yet shown, then widened with whole neighbouring sentences that
//! keep them within `max_chars`; the result is in document order.

use std::ops::Range;

use super::highlight::Match;
use super::sentences as text;

/// Passage settings.
#[derive(Debug, Clone, Copy)]
pub struct PassageOptions {
    pub count: usize,
    pub max_chars: usize,
}

impl Default for PassageOptions {
    fn default() -> Self {
        PassageOptions {
            count: 3,
            max_chars: 250,
        }
    }
}

/// A chosen passage, as byte ranges into the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// 1-based paragraph number.
    pub paragraph: usize,
    pub range: Range<usize>,
    /// Matches inside `range`, in body offsets.
    pub matches: Vec<Match>,
    pub trimmed_start: bool,
    pub trimmed_end: bool,
    pub score: f32,
}

/// A sentence (or the kept part of a long one) inside a paragraph.
#[derive(Debug, Clone)]
struct Unit {
    range: Range<usize>,
    chars: usize,
    trimmed_start: bool,
    trimmed_end: bool,
    /// Indices into the matches slice.
    matches: Range<usize>,
    /// What the sentence's words say about it (numbers, attribution…).
    cues: Cues,
}

#[derive(Debug, Clone)]
struct Candidate {
    paragraph: usize,
    /// Units `first..=last` of the paragraph's unit list.
    para_units: usize,
    first: usize,
    last: usize,
    score: f32,
}

/// Picks up to `opts.count` passages of `body` around `matches` (sorted by
/// start), scored with `weights` per match group. With no matches, returns
/// the opening of the article.
pub fn select(
    body: &str,
    matches: &[Match],
    weights: &[f32],
    opts: &PassageOptions,
) -> Vec<Passage> {
    if opts.count == 0 || body.trim().is_empty() {
        return Vec::new();
    }
    let ascii = body.is_ascii();
    let paragraphs = text::paragraphs_of(body, ascii);
    if matches.is_empty() {
        return opening(body, &paragraphs, opts).into_iter().collect();
    }
    let weight = |g: usize| weights.get(g).copied().unwrap_or(1.0).max(0.05);
    let found = distinct_groups(matches);
    let ctx = Scoring {
        body_len: body.len().max(1),
        ascii,
        found_weight: found.iter().map(|&g| weight(g)).sum::<f32>().max(1e-6),
        found_groups: found.len().max(1),
        max_chars: opts.max_chars.max(1),
        weight: &weight,
        w: feature_weights(),
    };

    // Units and candidate windows, for paragraphs that contain matches.
    let mut all_units: Vec<Vec<Unit>> = Vec::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut m = 0;
    for (p_index, para) in paragraphs.iter().enumerate() {
        while m < matches.len() && matches[m].span.start < para.start {
            m += 1;
        }
        let m_end = m + matches[m..].partition_point(|x| x.span.start < para.end);
        if m == m_end {
            continue;
        }
        let units = units_of(
            body,
            para.clone(),
            &matches[m..m_end],
            m,
            weights,
            opts.max_chars,
            ascii,
        );
        let slot = all_units.len();
        for first in 0..units.len() {
            if units[first].matches.is_empty() {
                continue;
            }
            let mut chars = 0;
            for last in first..units.len() {
                if last > first {
                    // A window never runs over a cut sentence: the text it
                    // left out lies between the two units.
                    if units[last - 1].trimmed_end || units[last].trimmed_start {
                        break;
                    }
                    // The real gap between sentences (a line break and an
                    // indent count), not one space.
                    chars += text::char_len(
                        ascii,
                        &body[units[last - 1].range.end..units[last].range.start],
                    );
                }
                chars += units[last].chars;
                if chars > opts.max_chars {
                    break;
                }
                if units[last].matches.is_empty() {
                    continue;
                }
                let span = units[first].range.start..units[last].range.end;
                let in_window = &matches[units[first].matches.start..units[last].matches.end];
                candidates.push(Candidate {
                    paragraph: p_index + 1,
                    para_units: slot,
                    first,
                    last,
                    score: score(body, &units[first..=last], in_window, span, &ctx),
                });
            }
        }
        all_units.push(units);
        m = m_end;
    }

    // Greedy choice, discounting groups already shown.
    let mut chosen: Vec<Candidate> = Vec::new();
    let mut shown_groups: Vec<usize> = Vec::new();
    while chosen.len() < opts.count {
        let mut best: Option<(f32, usize)> = None;
        for (i, c) in candidates.iter().enumerate() {
            let overlaps = chosen
                .iter()
                .any(|s| s.para_units == c.para_units && s.first <= c.last && c.first <= s.last);
            if overlaps {
                continue;
            }
            let units = &all_units[c.para_units];
            let in_window = &matches[units[c.first].matches.start..units[c.last].matches.end];
            let novelty: f32 = distinct_groups(in_window)
                .iter()
                .filter(|g| shown_groups.contains(g))
                .map(|&g| 0.5 * ctx.w[COVER] * weight(g) / ctx.found_weight)
                .sum();
            let adjusted = c.score - novelty;
            let better = match best {
                None => true,
                Some((s, j)) => {
                    adjusted > s + 1e-6
                        || ((adjusted - s).abs() <= 1e-6
                            && window_start(&all_units, c)
                                < window_start(&all_units, &candidates[j]))
                }
            };
            if better {
                best = Some((adjusted, i));
            }
        }
        let Some((_, i)) = best else { break };
        let c = candidates[i].clone();
        let units = &all_units[c.para_units];
        shown_groups.extend(distinct_groups(
            &matches[units[c.first].matches.start..units[c.last].matches.end],
        ));
        chosen.push(c);
    }

    // Widen each passage with neighbouring sentences up to the length budget.
    // Each passage grows into units no other passage holds, as widened so
    // far (two neighbours must not both take the sentence between them).
    let mut held: Vec<(usize, usize, usize)> = chosen
        .iter()
        .map(|c| (c.para_units, c.first, c.last))
        .collect();
    let mut passages: Vec<Passage> = Vec::new();
    for (i, c) in chosen.iter().enumerate() {
        let units = &all_units[c.para_units];
        let (mut first, mut last) = (c.first, c.last);
        let others = held.clone();
        let taken = |a: usize, b: usize| {
            others
                .iter()
                .enumerate()
                .any(|(j, &(slot, f, l))| j != i && slot == c.para_units && f <= b && a <= l)
        };
        let len = |a: usize, b: usize| {
            text::char_len(ascii, &body[units[a].range.start..units[b].range.end])
        };
        loop {
            let mut grew = false;
            if last + 1 < units.len()
                && !units[last + 1].trimmed_start
                && !units[last].trimmed_end
                && !taken(last + 1, last + 1)
                && len(first, last + 1) <= opts.max_chars
            {
                last += 1;
                grew = true;
            }
            if first > 0
                && !units[first - 1].trimmed_end
                && !units[first].trimmed_start
                && !taken(first - 1, first - 1)
                && len(first - 1, last) <= opts.max_chars
            {
                first -= 1;
                grew = true;
            }
            if !grew {
                break;
            }
        }
        held[i] = (c.para_units, first, last);
        let range = units[first].range.start..units[last].range.end;
        let ms: Vec<Match> = matches[units[first].matches.start..units[last].matches.end]
            .iter()
            .filter(|m| m.span.start >= range.start && m.span.end <= range.end)
            .cloned()
            .collect();
        passages.push(Passage {
            paragraph: c.paragraph,
            // The score of what is shown, context included.
            score: score(body, &units[first..=last], &ms, range.clone(), &ctx),
            range,
            matches: ms,
            trimmed_start: units[first].trimmed_start,
            trimmed_end: units[last].trimmed_end,
        });
    }
    passages.sort_by_key(|p| p.range.start);
    passages
}

fn window_start(all_units: &[Vec<Unit>], c: &Candidate) -> usize {
    all_units[c.para_units][c.first].range.start
}

/// Splits a paragraph into sentence units, cutting over-long sentences down
/// around their best cluster of matches.
fn units_of(
    body: &str,
    para: Range<usize>,
    matches: &[Match],
    offset: usize,
    weights: &[f32],
    max_chars: usize,
    ascii: bool,
) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut m = 0;
    for sentence in text::sentences(body, para) {
        while m < matches.len() && matches[m].span.start < sentence.start {
            m += 1;
        }
        let m_end = m + matches[m..].partition_point(|x| x.span.start < sentence.end);
        let chars = text::char_len(ascii, &body[sentence.clone()]);
        let mut unit = Unit {
            range: sentence.clone(),
            chars,
            trimmed_start: false,
            trimmed_end: false,
            matches: offset + m..offset + m_end,
            cues: Cues::default(),
        };
        if chars > max_chars {
            let focus = best_focus(body, &matches[m..m_end], weights, max_chars);
            let kept = text::trim_at_words(body, sentence.clone(), focus, max_chars);
            let lo = m + matches[m..m_end].partition_point(|x| x.span.start < kept.start);
            let hi = lo + matches[lo..m_end].partition_point(|x| x.span.end <= kept.end);
            unit = Unit {
                chars: text::char_len(ascii, &body[kept.clone()]),
                trimmed_start: kept.start > sentence.start,
                trimmed_end: kept.end < sentence.end,
                range: kept,
                matches: offset + lo..offset + hi,
                cues: Cues::default(),
            };
        }
        unit.cues = Cues::of(&body[unit.range.clone()]);
        units.push(unit);
        m = m_end;
    }
    units
}

/// The stretch of a long sentence with the most weight of distinct matches.
fn best_focus(body: &str, matches: &[Match], weights: &[f32], max_chars: usize) -> Range<usize> {
    let Some(first) = matches.first() else {
        return 0..0;
    };
    let reach = max_chars * 3 / 4;
    let mut best = (0.0f32, first.span.clone());
    let mut hi = 0;
    for lo in 0..matches.len() {
        let start = matches[lo].span.start;
        hi = hi.max(lo);
        while hi + 1 < matches.len() && {
            let end = matches[hi + 1].span.end;
            body.get(start..end)
                .map_or(usize::MAX, |s| s.chars().count())
                <= reach
        } {
            hi += 1;
        }
        let s: f32 = distinct_groups(&matches[lo..=hi])
            .iter()
            .map(|&g| weights.get(g).copied().unwrap_or(1.0))
            .sum();
        if s > best.0 {
            best = (s, start..matches[hi].span.end);
        }
    }
    best.1
}

fn distinct_groups(matches: &[Match]) -> Vec<usize> {
    let mut groups: Vec<usize> = matches.iter().map(|m| m.group).collect();
    groups.sort_unstable();
    groups.dedup();
    groups
}

/// The features a window of sentences is scored by, each about 0 to 1:
/// indices into [`WEIGHTS`].
const COVER: usize = 0; // IDF weight of the query words shown / of those the article has
const REPEATS: usize = 1; // repeats of shown words, diminishing, on the same scale
const PROXIMITY: usize = 2; // shown words close together: 1 / (1 + shortest cover / 40 chars)
const PHRASE: usize = 3; // a phrase of the query is shown
const POSITION: usize = 4; // where the window starts in the article (0 first byte, 1 last)
const NUMBERS: usize = 5; // a sentence holds a number
const ATTRIBUTION: usize = 6; // "said", "according to", "reported", "data"…
const FINDING: usize = 7; // "found", "significantly", "associated", "increased"…
const CLAIM: usize = 8; // "claim", "post", "ad", "tweet"… (a fact-check restating its claim)
const LENGTH: usize = 9; // characters / the passage length
const ALL_WORDS: usize = 10; // share of the article's query words shown, unweighted
const EARLY: usize = 11; // 1 at the article's start, falling to 0 a fifth of the way in
const QUOTE: usize = 12; // a sentence holds a quotation mark
const FEATURES: usize = 13;

/// The weight of each feature, in the order above. Before the fit passim
/// scored by the query words alone (cover and repeats 1, proximity 0.2, a
/// phrase 0.1, the rest 0). These come from `eval/fit_passages.py --train
/// scifact,politihop` (one round of coordinate ascent on hit@1 over the fit
/// halves of the SciFact and PolitiHop claims, 2026-12-01; docs/relevance.md
/// has the figures), except QUOTE: the fit chose -1.0 (PolitiHop's claims
/// restate quotes), but quoted speech is the substance of news reports,
/// which neither set holds, so it is left at 0.
const WEIGHTS: [f32; FEATURES] = [
    0.4, 1.0, -0.3, 0.1, 0.4, 0.1, 0.1, 0.0, 0.1, 0.0, 0.1, -1.6, 0.0,
];

/// The variable that sets the feature weights for fitting them
/// (`eval/fit_passages.py`); not a user setting.
const WEIGHTS_VAR: &str = "PASSIM_PASSAGE_WEIGHTS";

/// The weights `PASSIM_PASSAGE_WEIGHTS` holds: `None` when it is unset, an
/// error unless it is one finite number per feature, comma-separated.
fn weights_from_env() -> Result<Option<[f32; FEATURES]>, String> {
    let Ok(value) = std::env::var(WEIGHTS_VAR) else {
        return Ok(None);
    };
    let parsed = value
        .split(',')
        .map(|x| x.trim().parse::<f32>().ok().filter(|w| w.is_finite()))
        .collect::<Option<Vec<f32>>>()
        .ok_or_else(|| format!("{value:?} is not a list of numbers"))?;
    let n = parsed.len();
    parsed
        .try_into()
        .map(Some)
        .map_err(|_| format!("has {n} weights; the passage scorer has {FEATURES} features"))
}

/// Fails when `PASSIM_PASSAGE_WEIGHTS` is set but unusable, so that a fit
/// never scores the built-in weights while believing it tries others.
pub fn check_weights_env() -> crate::Result<()> {
    weights_from_env()
        .map(drop)
        .map_err(|message| crate::Error::Input {
            path: WEIGHTS_VAR.into(),
            line: None,
            message,
        })
}

/// [`WEIGHTS`], or the ones `PASSIM_PASSAGE_WEIGHTS` sets (the CLI has
/// refused a bad value with [`check_weights_env`] before any search).
fn feature_weights() -> &'static [f32; FEATURES] {
    static W: std::sync::OnceLock<[f32; FEATURES]> = std::sync::OnceLock::new();
    W.get_or_init(|| weights_from_env().ok().flatten().unwrap_or(WEIGHTS))
}

/// What a passage's words say about it, beyond the query's words.
#[derive(Debug, Clone, Copy, Default)]
struct Cues {
    numbers: bool,
    attribution: bool,
    finding: bool,
    claim: bool,
    quote: bool,
}

impl Cues {
    fn of(text: &str) -> Cues {
        let mut cues = Cues::default();
        let mut buf = [0u8; 16];
        // One pass over the bytes, not the characters: a character outside
        // ASCII separates words either way, and so does each of its bytes.
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if !b.is_ascii_alphabetic() {
                match b {
                    b'0'..=b'9' => cues.numbers = true,
                    b'"' => cues.quote = true,
                    // “ and ”: E2 80 9C, E2 80 9D.
                    0xE2 if matches!(bytes.get(i + 1..i + 3), Some([0x80, 0x9C | 0x9D])) => {
                        cues.quote = true
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            let word = &bytes[start..i];
            if word.len() < 2 || word.len() > buf.len() {
                continue;
            }
            let lower = &mut buf[..word.len()];
            lower.copy_from_slice(word);
            lower.make_ascii_lowercase();
            match &*lower {
                b"said" | b"says" | b"according" | b"told" | b"reported" | b"report"
                | b"reports" | b"wrote" | b"stated" | b"estimated" | b"estimates" | b"data"
                | b"statistics" | b"figures" | b"survey" | b"analysis" | b"percent"
                | b"records" | b"spokesman" | b"spokeswoman" | b"spokesperson" => {
                    cues.attribution = true
                }
                b"found" | b"find" | b"finding" | b"findings" | b"showed" | b"shows" | b"shown"
                | b"demonstrate" | b"demonstrated" | b"demonstrates" | b"significant"
                | b"significantly" | b"associated" | b"association" | b"increased"
                | b"decreased" | b"reduced" | b"higher" | b"lower" | b"results" | b"conclusion"
                | b"conclusions" | b"suggest" | b"suggests" | b"indicate" | b"indicates"
                | b"compared" | b"risk" => cues.finding = true,
                b"claim" | b"claims" | b"claimed" | b"claiming" | b"post" | b"posts"
                | b"posted" | b"ad" | b"ads" | b"tweet" | b"tweeted" | b"viral" | b"facebook"
                | b"meme" | b"rating" | b"ruling" | b"politifact" => cues.claim = true,
                _ => {}
            }
        }
        cues
    }
}

/// What scoring needs to know of the article and the query, set once.
struct Scoring<'a> {
    body_len: usize,
    /// Whether the body is ASCII, where characters are bytes (see [`text::char_len`]).
    ascii: bool,
    /// The weight of the distinct query words the article holds.
    found_weight: f32,
    found_groups: usize,
    max_chars: usize,
    weight: &'a dyn Fn(usize) -> f32,
    w: &'a [f32; FEATURES],
}

/// Scores a window of sentences `units` (covering `span`) by the matches
/// inside it and the features of its sentences.
fn score(body: &str, units: &[Unit], matches: &[Match], span: Range<usize>, ctx: &Scoring) -> f32 {
    let weight = ctx.weight;
    let groups = distinct_groups(matches);
    let mut f = [0f32; FEATURES];
    for &g in &groups {
        let n = matches.iter().filter(|m| m.group == g).count();
        f[COVER] += weight(g);
        // A little more for repeats (diminishing).
        f[REPEATS] += weight(g) * 0.5 * ((n as f32).ln_1p() - 2f32.ln()).max(0.0);
    }
    f[COVER] /= ctx.found_weight;
    f[REPEATS] /= ctx.found_weight;
    f[PHRASE] = f32::from(u8::from(matches.iter().any(|m| m.phrase)));
    if groups.len() >= 2 {
        // Proximity: the shortest stretch that shows every distinct group.
        let closest = shortest_cover(body, matches, groups.len());
        f[PROXIMITY] = f[COVER] / (1.0 + closest as f32 / 40.0);
    }
    f[POSITION] = span.start as f32 / ctx.body_len as f32;
    let any = |cue: fn(&Cues) -> bool| f32::from(u8::from(units.iter().any(|u| cue(&u.cues))));
    f[NUMBERS] = any(|c| c.numbers);
    f[ATTRIBUTION] = any(|c| c.attribution);
    f[FINDING] = any(|c| c.finding);
    f[CLAIM] = any(|c| c.claim);
    f[QUOTE] = any(|c| c.quote);
    f[EARLY] = (1.0 - f[POSITION] * 5.0).max(0.0);
    let len = text::char_len(ctx.ascii, &body[span]) as f32;
    f[LENGTH] = len / ctx.max_chars as f32;
    f[ALL_WORDS] = groups.len() as f32 / ctx.found_groups as f32;
    let total: f32 = f.iter().zip(ctx.w).map(|(x, w)| x * w).sum();
    // Prefer tighter windows very slightly, so context is added afterwards.
    total - len * 1e-4
}

/// Characters in the shortest run of `matches` covering `k` distinct groups.
fn shortest_cover(body: &str, matches: &[Match], k: usize) -> usize {
    let mut best = usize::MAX;
    let mut counts: std::collections::HashMap<usize, usize> = Default::default();
    let mut lo = 0;
    for hi in 0..matches.len() {
        *counts.entry(matches[hi].group).or_default() += 1;
        while counts.len() == k {
            let len = body
                .get(matches[lo].span.start..matches[hi].span.end)
                .map_or(usize::MAX, |s| s.chars().count());
            best = best.min(len);
            let g = matches[lo].group;
            if let Some(c) = counts.get_mut(&g) {
                *c -= 1;
                if *c == 0 {
                    counts.remove(&g);
                }
            }
            lo += 1;
        }
    }
    best
}

/// The opening of an article, for hits matched only in their headline.
/// The opening of `body` after byte `from`: the first sentences that
/// follow, within their paragraph (for an article whose lead sentence, up to
/// `from`, is shown as its title). `None` when nothing follows.
pub fn opening_after(body: &str, from: usize, opts: &PassageOptions) -> Option<Passage> {
    let paragraphs = text::paragraphs(body);
    let (index, rest) = paragraphs.iter().enumerate().find_map(|(i, p)| {
        let start = from.max(p.start);
        if start >= p.end || !body.is_char_boundary(start) {
            return None;
        }
        let rest = text::trim_range(body, start..p.end);
        (!rest.is_empty()).then_some((i, rest))
    })?;
    let mut passage = opening(body, &[rest], opts)?;
    passage.paragraph = index + 1;
    Some(passage)
}

fn opening(body: &str, paragraphs: &[Range<usize>], opts: &PassageOptions) -> Option<Passage> {
    let first = paragraphs.first()?.clone();
    let sentences = text::sentences(body, first.clone());
    let mut end = None;
    for s in &sentences {
        if body[first.start..s.end].chars().count() > opts.max_chars {
            break;
        }
        end = Some(s.end);
    }
    let (range, trimmed_end) = match end {
        Some(end) => (first.start..end, false),
        None => {
            let sentence = sentences.first().cloned().unwrap_or(first);
            let kept = text::trim_at_words(
                body,
                sentence.clone(),
                sentence.start..sentence.start,
                opts.max_chars,
            );
            let trimmed = kept.end < sentence.end;
            (kept, trimmed)
        }
    };
    Some(Passage {
        paragraph: 1,
        range,
        matches: Vec::new(),
        trimmed_start: false,
        trimmed_end,
        score: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyzer;
    use crate::index::TextField;
    use crate::query::{Pattern, Target};
    use crate::snippet::highlight::{find, tokenize};

    fn run(body: &str, words: &[&str], weights: &[f32], count: usize) -> Vec<Passage> {
        let targets: Vec<Target> = words
            .iter()
            .enumerate()
            .map(|(i, w)| Target {
                pattern: Pattern::Term(w.to_string()),
                field: None,
                group: i,
            })
            .collect();
        let tokens = tokenize(&mut analyzer(), body);
        let matches = find(&tokens, &targets, TextField::Body);
        select(
            body,
            &matches,
            weights,
            &PassageOptions {
                count,
                max_chars: 250,
            },
        )
    }

    #[test]
    fn picks_rare_and_distinct_terms_over_position() {
        let body = "Pay was discussed.\nNothing here.\nThe ballot on pay closed.\nPay again.";
        let p = run(body, &["pay", "ballot"], &[0.2, 3.0], 1);
        assert_eq!(&body[p[0].range.clone()], "The ballot on pay closed.");
        assert_eq!(p[0].paragraph, 3);
    }

    #[test]
    fn passages_come_in_document_order_and_never_overlap() {
        let body = "A pay rise.\nB.\nC ballot.\nD pay ballot.";
        let p = run(body, &["pay", "ballot"], &[1.0, 1.0], 3);
        let starts: Vec<usize> = p.iter().map(|x| x.range.start).collect();
        let mut sorted = starts.clone();
        sorted.sort();
        assert_eq!(starts, sorted);
        assert_eq!(p.len(), 3);
        assert_eq!(p[2].paragraph, 4);
    }

    #[test]
    fn long_sentence_is_cut_at_words_around_the_match() {
        let filler = "word ".repeat(100);
        let body = format!("{filler}needle {filler}end.");
        let p = run(&body, &["needl"], &[1.0], 1);
        let text = &body[p[0].range.clone()];
        assert!(text.chars().count() <= 250);
        assert!(text.contains("needle"));
        assert!(p[0].trimmed_start && p[0].trimmed_end);
        assert!(
            text.split(' ').all(|w| w == "word" || w == "needle"),
            "{text}"
        );
    }

    /// Passages for `query` (analyzed like the index) within `max_chars`.
    fn run_limit(body: &str, query: &[&str], count: usize, max_chars: usize) -> Vec<Passage> {
        let mut analyzer = analyzer();
        let targets: Vec<Target> = query
            .iter()
            .flat_map(|q| tokenize(&mut analyzer, q))
            .enumerate()
            .map(|(i, t)| Target {
                pattern: Pattern::Term(t.text),
                field: None,
                group: i,
            })
            .collect();
        let weights: Vec<f32> = (0..targets.len()).map(|i| 1.0 + i as f32).collect();
        let tokens = tokenize(&mut analyzer, body);
        let matches = find(&tokens, &targets, TextField::Body);
        select(
            body,
            &matches,
            &weights,
            &PassageOptions { count, max_chars },
        )
    }

    #[test]
    fn a_window_never_runs_over_a_cut_sentence() {
        // The second sentence is cut around "needle"; a window of it and the
        // next sentence used to span its cut-off tail too (533 bytes for 250).
        let long = format!("The needle {}is long.", "word ".repeat(80));
        let body = format!("A short needle start. {long} Then a needle end.");
        for p in run_limit(&body, &["needle"], 3, 100) {
            let text = &body[p.range.clone()];
            assert!(
                text.chars().count() <= 100,
                "{} chars: {text}",
                text.chars().count()
            );
        }
    }

    /// A small deterministic generator (xorshift), for the property test.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[self.below(xs.len())]
        }
    }

    const WORDS: &[&str] = &[
        "pay",
        "ballot",
        "strike",
        "workers",
        "union",
        "the",
        "a",
        "of",
        "Dr.",
        "U.S.",
        "e.g.",
        "Jan.",
        "No.",
        "£10.50",
        "3.5%",
        "said",
        "according",
        "to",
        "Amazon",
        "Coventry",
        "antidisestablishmentarianism",
        "東京都の人口は増え続けている",
        "人口",
        "Zürich",
        "naïve",
        "—",
        "(CBT)",
        "\"quoted",
        "words\"",
        "x",
    ];

    /// Generated text: sentences of 1 to 120 words, some without a full stop,
    /// runs of CJK without spaces, abbreviations, several kinds of breaks.
    fn generated(rng: &mut Rng) -> String {
        let mut body = String::new();
        for _ in 0..1 + rng.below(12) {
            let longest = if rng.below(4) == 0 { 120 } else { 25 };
            let words = 1 + rng.below(longest);
            for w in 0..words {
                if w > 0 {
                    body.push(' ');
                }
                body.push_str(rng.pick(WORDS));
            }
            if rng.below(5) == 0 {
                body.push_str(&"漢字".repeat(rng.below(200)));
            }
            body.push_str(["", ".", "!", "?", "…", "。"][rng.below(6)]);
            body.push_str([" ", "  ", "\n", "\n\n", "\n    ", " "][rng.below(6)]);
        }
        body
    }

    #[test]
    fn every_passage_is_within_the_limit() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let queries: [&[&str]; 6] = [
            &["pay"],
            &["ballot", "pay"],
            &["strike", "workers", "union"],
            &["人口"],
            &["antidisestablishmentarianism"],
            &["said", "Coventry", "x"],
        ];
        for case in 0..400 {
            let body = generated(&mut rng);
            let query = queries[case % queries.len()];
            for max_chars in [40, 41, 57, 80, 120, 250, 400] {
                let passages = run_limit(&body, query, 1 + case % 4, max_chars);
                for p in &passages {
                    let text = &body[p.range.clone()];
                    assert!(
                        text.chars().count() <= max_chars,
                        "case {case}, limit {max_chars}, {} chars: {text:?}",
                        text.chars().count()
                    );
                    assert!(!text.is_empty(), "case {case}: empty passage");
                }
                for pair in passages.windows(2) {
                    assert!(
                        pair[0].range.end <= pair[1].range.start,
                        "case {case}, limit {max_chars}: overlap {passages:?} in {body:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn no_matches_gives_the_opening() {
        let body = "First sentence. Second one.\nLater paragraph.";
        let p = select(body, &[], &[], &PassageOptions::default());
        assert_eq!(&body[p[0].range.clone()], "First sentence. Second one.");
        assert_eq!(p[0].paragraph, 1);
    }

    #[test]
    fn context_fills_the_budget_with_whole_sentences() {
        let body = "Intro sentence here. The pay deal was struck. It ends now.";
        let p = run(body, &["pay"], &[1.0], 1);
        assert_eq!(&body[p[0].range.clone()], body);
        assert!(!p[0].trimmed_start && !p[0].trimmed_end);
    }
}
