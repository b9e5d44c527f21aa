//! Writing results: coloured terminal text or JSON Lines, to any `Write`.

use std::io::{self, Write};
use std::ops::Range;

use anstyle::{AnsiColor, Style};

use crate::index::schema::Meta;
use crate::index::{IndexReport, Progress, Stats};
use crate::search::{ArticleView, Facets, Hit, SearchResults};
use crate::wire::{ArticleJson, JsonHit, JsonSummary};

/// Output format for search results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Format {
    /// Human-readable, optionally coloured.
    Text { color: bool },
    /// JSON Lines: one object per hit, then a summary.
    Json,
    /// A TREC run: `qid Q0 docid rank score tag` per hit.
    Trec { tag: String },
    /// `-l`: one matching article per line (a file's path, else its id).
    Files,
    /// `--count`: the number of matching articles.
    Count,
}

const HIGHLIGHT: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const PATH: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Magenta)));
const TITLE: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const LABEL: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));

/// Writes search results in one format.
pub(crate) struct Printer<W: Write> {
    out: W,
    format: Format,
    /// One JSON line, built in memory and written at once: serde_json
    /// writes each key, value and escaped run separately, and through a
    /// `BufWriter` each of those small writes costs a call.
    line: Vec<u8>,
}

impl<W: Write> Printer<W> {
    pub(crate) fn new(out: W, format: Format) -> Self {
        Printer {
            out,
            format,
            line: Vec::new(),
        }
    }

    /// The writer, with everything written to it.
    pub(crate) fn into_inner(self) -> W {
        self.out
    }

    /// Writes every hit and, for JSON, the summary line.
    pub(crate) fn results(&mut self, results: &SearchResults) -> io::Result<()> {
        self.batch_results(None, results)?;
        self.out.flush()
    }

    /// Writes the results of one query; `qid` tags them in batch mode.
    pub(crate) fn batch_results(
        &mut self,
        qid: Option<&str>,
        results: &SearchResults,
    ) -> io::Result<()> {
        if qid.is_some() && matches!(self.format, Format::Text { .. }) {
            writeln!(self.out, "# {} {}", qid.unwrap_or(""), results.query)?;
        }
        if self.format == Format::Count {
            return match qid {
                Some(qid) => writeln!(self.out, "{qid}\t{}", results.total_hits),
                None => writeln!(self.out, "{}", results.total_hits),
            };
        }
        for (i, hit) in results.hits.iter().enumerate() {
            if i > 0 && matches!(self.format, Format::Text { .. }) {
                writeln!(self.out)?;
            }
            self.hit(hit, qid)?;
        }
        self.summary(qid, results)
    }

    /// Writes one hit; `qid` tags it in batch mode.
    pub(crate) fn hit(&mut self, hit: &Hit, qid: Option<&str>) -> io::Result<()> {
        match &self.format {
            Format::Json => self.json_line(&JsonHit::new(hit, qid)),
            Format::Trec { tag } => writeln!(
                self.out,
                "{} Q0 {} {} {} {}",
                qid.unwrap_or("1"),
                hit.id,
                hit.rank,
                hit.score,
                tag
            ),
            Format::Files => {
                // A text file's id is its path relative to its root.
                let name = if hit.path.ends_with(&hit.id) {
                    &hit.path
                } else {
                    &hit.id
                };
                match qid {
                    Some(qid) => writeln!(self.out, "{qid}\t{name}"),
                    None => writeln!(self.out, "{name}"),
                }
            }
            Format::Count => Ok(()),
            Format::Text { color } => {
                let color = *color;
                self.text_hit(hit, color)
            }
        }
    }

    /// Writes `value` as one line of JSON.
    fn json_line(&mut self, value: &impl serde::Serialize) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, value)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    /// JSON: the summary object. Text: the count line after the hits (and,
    /// in batch mode, a blank line between queries); a single query without
    /// hits prints nothing here: its stderr line says so.
    fn summary(&mut self, qid: Option<&str>, results: &SearchResults) -> io::Result<()> {
        match self.format {
            Format::Json => self.json_line(&JsonSummary::new(results, qid)),
            Format::Trec { .. } | Format::Files | Format::Count => Ok(()),
            Format::Text { color } => {
                if results.hits.is_empty() && qid.is_none() {
                    return Ok(());
                }
                if !results.hits.is_empty() {
                    writeln!(self.out)?;
                }
                let dim = if color { DIM } else { Style::new() };
                writeln!(self.out, "{dim}{}{dim:#}", count_line(results))?;
                if let Some(facets) = &results.facets {
                    for line in facet_lines(facets) {
                        writeln!(self.out, "{dim}{line}{dim:#}")?;
                    }
                }
                if qid.is_some() {
                    writeln!(self.out)?;
                }
                Ok(())
            }
        }
    }

    fn text_hit(&mut self, hit: &Hit, color: bool) -> io::Result<()> {
        let paint = |style: Style| if color { style } else { Style::new() };
        write!(self.out, "{}. ", hit.rank)?;
        let title = paint(TITLE);
        write!(self.out, "{title}")?;
        write_highlighted(
            &mut self.out,
            &hit.title,
            &hit.title_highlights,
            paint(HIGHLIGHT),
            title,
        )?;
        if hit.title_trimmed {
            write!(self.out, "…")?;
        }
        writeln!(self.out, "{title:#}")?;
        let (path, dim) = (paint(PATH), paint(DIM));
        write!(self.out, "   {path}{}{path:#}", hit.path)?;
        let source = Source {
            id: &hit.id,
            path: &hit.path,
            meta: &hit.meta,
        };
        write_source(&mut self.out, &source, dim)?;
        writeln!(self.out, "  {dim}score {}{dim:#}", Score(hit.score))?;
        if !hit.also_in.is_empty() {
            // A copy in the same file (JSON Lines) is told apart by its id.
            let places: Vec<String> = hit
                .also_in
                .iter()
                .map(|d| match d.path == hit.path {
                    true => format!("{} (id {})", d.path, d.id),
                    false => d.path.clone(),
                })
                .collect();
            writeln!(self.out, "   {dim}also in:{dim:#} {}", places.join(", "))?;
        }
        let label = paint(LABEL);
        for p in &hit.passages {
            if p.gap_before {
                // More of the same paragraph lies between this passage and the last.
                writeln!(self.out, "   {dim}⋯{dim:#}")?;
            }
            write!(self.out, "   {label}[{}]{label:#} ", p.paragraph)?;
            if p.trimmed_start {
                write!(self.out, "…")?;
            }
            write_highlighted(
                &mut self.out,
                &p.text,
                &p.highlights,
                paint(HIGHLIGHT),
                Style::new(),
            )?;
            if p.trimmed_end {
                write!(self.out, "…")?;
            }
            writeln!(self.out)?;
        }
        Ok(())
    }
}

/// The line that ends a query's text output: `10 of 231 articles · 4.2 ms`
/// (with `--offset`: `hits 11–20 of 231 articles · 4.2 ms`).
pub(crate) fn count_line(results: &SearchResults) -> String {
    let shown = results.hits.len();
    let total = results.total_hits;
    let noun = if total == 1 { "article" } else { "articles" };
    let ms = results.elapsed.as_secs_f64() * 1000.0;
    let first = results.offset + 1;
    let last = results.offset + shown;
    if total == 0 {
        return format!("no articles match · {ms:.1} ms");
    }
    let which = match (results.offset, shown) {
        (0, _) => format!("{shown} of"),
        (_, 0) => format!("no hits after the first {} of", results.offset),
        (_, 1) => format!("hit {first} of"),
        _ => format!("hits {first}–{last} of"),
    };
    // A lower bound (matches that could not reach the top went uncounted): "231+".
    let plus = if results.total_exact { "" } else { "+" };
    format!("{which} {total}{plus} {noun} · {ms:.1} ms")
}

/// `--facets` in text: `sources: BBC News 12 · Reuters 8 · none 3` and
/// `years: 2023 10 · 2024 13` (a list of what matched, so all of it).
fn facet_lines(facets: &Facets) -> [String; 2] {
    let join = |items: Vec<String>| match items.is_empty() {
        true => "none".to_owned(),
        false => items.join(" · "),
    };
    let sources = facets
        .sources
        .iter()
        .map(|(name, n)| format!("{} {n}", name.as_deref().unwrap_or("(no source)")))
        .collect();
    let years = facets
        .years
        .iter()
        .map(|(year, n)| match year {
            Some(y) => format!("{y} {n}"),
            None => format!("(no date) {n}"),
        })
        .collect();
    [
        format!("sources: {}", join(sources)),
        format!("years: {}", join(years)),
    ]
}

/// What identifies an article on its metadata line.
struct Source<'a> {
    id: &'a str,
    path: &'a str,
    meta: &'a Meta,
}

/// ` · id X · DATE · SOURCE · AUTHOR` after the path: the id when the path
/// does not already say it (articles of a JSON Lines file), then the date,
/// source and author when the article has them. A date that is only the
/// file's modification time is shown as `modified DAY`.
fn write_source(out: &mut impl Write, s: &Source, dim: Style) -> io::Result<()> {
    if !s.path.ends_with(s.id) {
        write!(out, " {dim}·{dim:#} id {}", s.id)?;
    }
    let meta = s.meta;
    if let Some(date) = meta.date.as_deref().map(str::trim) {
        if meta.date_from_file {
            let day = date.get(..10).unwrap_or(date);
            write!(out, " {dim}·{dim:#} modified {day}")?;
        } else if !date.is_empty() {
            write!(out, " {dim}·{dim:#} ")?;
            write_folded(out, date)?;
        }
    }
    for value in [&meta.source, &meta.author].into_iter().flatten() {
        if !value.trim().is_empty() {
            write!(out, " {dim}·{dim:#} ")?;
            write_folded(out, value.trim())?;
        }
    }
    Ok(())
}

/// `passim show`: the whole article, as text or the API's JSON object.
///
/// Text: the title, the metadata line (path, id, date, source), the url,
/// then each paragraph numbered `[N]` as in a hit's passages, with the
/// query's matches highlighted.
pub(crate) fn article(
    out: &mut dyn Write,
    view: &ArticleView,
    query: Option<&str>,
    format: &Format,
) -> io::Result<()> {
    let color = match format {
        Format::Text { color } => *color,
        _ => {
            serde_json::to_writer(&mut *out, &ArticleJson::new(view, query))?;
            return writeln!(out);
        }
    };
    let mut out = io::BufWriter::new(out);
    let paint = |style: Style| if color { style } else { Style::new() };
    let (title, path, dim, label) = (paint(TITLE), paint(PATH), paint(DIM), paint(LABEL));
    write!(out, "{title}")?;
    write_highlighted(
        &mut out,
        &view.title,
        &view.title_highlights,
        paint(HIGHLIGHT),
        title,
    )?;
    if view.title_trimmed {
        write!(out, "…")?;
    }
    writeln!(out, "{title:#}")?;
    write!(out, "{path}{}{path:#}", view.path)?;
    let source = Source {
        id: &view.id,
        path: &view.path,
        meta: &view.meta,
    };
    write_source(&mut out, &source, dim)?;
    writeln!(out)?;
    if let Some(url) = view.meta.url.as_deref().filter(|u| !u.trim().is_empty()) {
        writeln!(out, "{dim}{}{dim:#}", url.trim())?;
    }
    for (n, para) in view.paragraphs.iter().enumerate() {
        let Some(text) = view.body.get(para.clone()) else {
            continue;
        };
        // The highlights inside this paragraph, relative to it.
        let spans: Vec<Range<usize>> = view
            .highlights
            .iter()
            .filter(|h| h.start >= para.start && h.end <= para.end)
            .map(|h| h.start - para.start..h.end - para.start)
            .collect();
        writeln!(out)?;
        write!(out, "{label}[{}]{label:#} ", n + 1)?;
        write_highlighted(&mut out, text, &spans, paint(HIGHLIGHT), Style::new())?;
        writeln!(out)?;
    }
    out.flush()
}

/// A hit's score as shown: two decimals, or two significant digits when
/// smaller than 0.01 (a word in nearly every article, such as a query of
/// only stopwords, scores near zero; `0.00` would read as no match at all).
struct Score(f32);

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0;
        if s > 0.0 && s < 0.005 {
            let digits = (-s.log10()).ceil() as usize + 1;
            write!(f, "{s:.digits$}")
        } else {
            write!(f, "{s:.2}")
        }
    }
}

/// Writes `text` with `spans` styled, folding runs of white space to one space.
/// `base` is re-applied after each highlight so surrounding style survives.
fn write_highlighted(
    out: &mut impl Write,
    text: &str,
    spans: &[Range<usize>],
    style: Style,
    base: Style,
) -> io::Result<()> {
    let mut pos = 0;
    for span in spans {
        let (Some(before), Some(word)) = (text.get(pos..span.start), text.get(span.clone())) else {
            continue;
        };
        write_folded(out, before)?;
        write!(out, "{style}")?;
        write_folded(out, word)?;
        write!(out, "{style:#}{base}")?;
        pos = span.end;
    }
    write_folded(out, text.get(pos..).unwrap_or(""))
}

fn write_folded(out: &mut impl Write, text: &str) -> io::Result<()> {
    let mut in_space = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if !in_space {
                out.write_all(&text.as_bytes()[start..i])?;
                out.write_all(b" ")?;
                in_space = true;
            }
            start = i + c.len_utf8();
        } else {
            in_space = false;
        }
    }
    out.write_all(&text.as_bytes()[start..])
}

/// The progress bar of an index run: drawn on stderr only when it is a
/// terminal (and not `--quiet`); otherwise it does nothing.
pub(crate) struct IndexProgress {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
}

impl IndexProgress {
    pub(crate) fn new(visible: bool) -> Self {
        let bar = if visible {
            indicatif::ProgressBar::with_draw_target(
                Some(0),
                indicatif::ProgressDrawTarget::stderr_with_hz(8),
            )
        } else {
            indicatif::ProgressBar::hidden()
        };
        let style = indicatif::ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} ETA {eta}",
        );
        if let Ok(style) = style {
            bar.set_style(style);
        }
        IndexProgress {
            bar,
            started: std::time::Instant::now(),
        }
    }

    pub(crate) fn update(&self, p: &Progress) {
        if self.bar.is_hidden() {
            return;
        }
        self.bar.set_length(p.bytes_total);
        self.bar.set_position(p.bytes_done);
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        self.bar.set_message(format!(
            "{} articles ({:.0}/s)",
            p.articles,
            p.articles as f64 / secs
        ));
    }

    /// Runs `f` (which writes to stderr) with the bar out of the way.
    pub(crate) fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The closing line of an index run.
pub(crate) fn index_report(out: &mut dyn Write, r: &IndexReport) -> io::Result<()> {
    writeln!(
        out,
        "indexed {} articles ({} new, {} changed, {} removed, {} skipped, {} not read) in {:.2} s",
        r.articles,
        r.new,
        r.changed,
        r.removed,
        r.skipped,
        r.not_read_files(),
        r.elapsed.as_secs_f64()
    )
}

/// `passim stats`, as text or one JSON object.
pub(crate) fn stats(out: &mut dyn Write, s: &Stats, json: bool) -> io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, s)?;
        return writeln!(out);
    }
    writeln!(out, "index:        {}", s.index)?;
    writeln!(out, "articles:     {}", s.articles)?;
    writeln!(out, "terms:        {}", s.terms)?;
    writeln!(out, "segments:     {}", s.segments)?;
    writeln!(out, "size:         {}", human_bytes(s.size_bytes))?;
    writeln!(
        out,
        "last indexed: {}",
        s.last_indexed.as_deref().unwrap_or("unknown")
    )?;
    if s.roots.is_empty() {
        return writeln!(out, "roots:        none");
    }
    for (i, root) in s.roots.iter().enumerate() {
        let label = if i == 0 { "roots:" } else { "" };
        let s = if root.articles == 1 { "" } else { "s" };
        let mut extra = String::new();
        if !root.globs.is_empty() {
            extra.push_str(&format!("; globs: {}", root.globs.join(" ")));
        }
        if !root.exists {
            extra.push_str("; missing");
        }
        writeln!(
            out,
            "{label:<14}{} ({} article{s}{extra})",
            root.path, root.articles
        )?;
    }
    Ok(())
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {} ({n} bytes)", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_scores_keep_two_significant_digits() {
        let shown = |s: f32| Score(s).to_string();
        assert_eq!(shown(10.456), "10.46");
        assert_eq!(shown(0.36), "0.36");
        assert_eq!(shown(0.0), "0.00");
        assert_eq!(shown(0.000_234), "0.00023");
        assert_eq!(shown(0.004_2), "0.0042");
    }

    #[test]
    fn highlighted_text_folds_space_and_wraps_spans() {
        let mut out = Vec::new();
        let spans = [Range { start: 3, end: 6 }];
        write_highlighted(&mut out, "a  pay\nrise", &spans, HIGHLIGHT, Style::new()).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s, "a \x1b[1m\x1b[31mpay\x1b[0m rise");
    }
}
