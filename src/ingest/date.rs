//! Dates as given by a source → ISO 8601 where they parse.
//!
//! Articles carry dates in many shapes; stored as ISO 8601 they read the
//! same everywhere and sort as text. What is recognised:
//! - ISO 8601 (`1987-03-02`, `1987-03-02T11:50:01Z`, …): kept as given;
//! - the Reuters-21578 shape `2-JUN-1987 11:50:01.21` → `1987-06-02T11:50:01`
//!   (the time is optional: `2-JUN-1987` → `1987-06-02`; fractions of a
//!   second are dropped).
//!
//! - ISO 8601 and RFC 3339 in their common variants: a space instead of
//!   `T` (`2023-05-01 10:00` → `2023-05-01T10:00:00`), fractions of a second
//!   (dropped), offsets without a colon (`+0100` → `+01:00`), `z`, a trailing
//!   ` UTC`/` GMT` (→ `Z`), and `2023/05/01`;
//! - RFC 2822 mail dates, `Tue, 1 Jul 2003 10:52:37 +0200` →
//!   `2003-07-01T10:52:37+02:00` (the zone names of RFC 2822, `UT`, `GMT`,
//!   `EST` … `PDT`, and two-digit years too);
//! - dates written out, as pages show them: `May 1, 2023`, `1 May 2023`,
//!   `Monday, 1st May 2023`, `1 May 2023 10:00 GMT`.
//!
//! A time keeps the offset it was given with (the local time as written,
//! `…+02:00`), or none when the source gave none.
//!
//! Anything else is kept as given (trimmed): a date passim cannot read is
//! still worth showing.

/// `date` in ISO 8601 where it parses, else as given (trimmed).
pub fn normalize(date: &str) -> String {
    let date = date.trim();
    reuters(date)
        .or_else(|| iso(date))
        .or_else(|| written(date))
        .unwrap_or_else(|| date.to_owned())
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// `D-MON-YYYY[ HH:MM[:SS[.ff]]]`, month names in any case.
fn reuters(s: &str) -> Option<String> {
    let (day_part, time) = match s.split_once(char::is_whitespace) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let mut parts = day_part.split('-');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let day = number(day, 1..=2)?;
    let year = number(year, 4..=4)?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? + 1;
    if !(1..=days_in(month, year)).contains(&day) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    let Some(time) = time.filter(|t| !t.is_empty()) else {
        return Some(date);
    };
    let whole = time.split('.').next()?;
    let fraction = time.get(whole.len() + 1..);
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let mut hms = whole.split(':');
    let hour = number(hms.next()?, 1..=2)?;
    let minute = number(hms.next()?, 2..=2)?;
    let second = match hms.next() {
        Some(s) => number(s, 2..=2)?,
        None => 0,
    };
    if hms.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(format!("{date}T{hour:02}:{minute:02}:{second:02}"))
}

/// A number of ASCII digits, with a digit count in `digits`.
fn number(s: &str, digits: std::ops::RangeInclusive<usize>) -> Option<u32> {
    if !digits.contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in(month: usize, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// ISO 8601 / RFC 3339 and their everyday variants (see the module docs).
/// A bare year or year-month is kept as it is (already ISO 8601).
fn iso(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 10 || !(b[4] == b'-' || b[4] == b'/') || b[7] != b[4] {
        return None;
    }
    let year = number(s.get(0..4)?, 4..=4)?;
    let month = number(s.get(5..7)?, 2..=2)? as usize;
    let day = number(s.get(8..10)?, 2..=2)?;
    if !(1..=12).contains(&month) || !(1..=days_in(month, year)).contains(&day) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(date);
    }
    let rest = rest
        .strip_prefix(['T', 't', ' '])
        .map(str::trim_start)
        .filter(|r| !r.is_empty())?;
    let (time, zone) = clock(rest)?;
    Some(format!("{date}T{time}{}", zone?))
}

/// `HH:MM[:SS[.fff]]` then an optional zone: the time as `HH:MM:SS` and the
/// zone as `Z`, `±HH:MM` or empty; `None` for the zone when what follows
/// the time is not a zone.
fn clock(s: &str) -> Option<(String, Option<String>)> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.' || c == ','))
        .unwrap_or(s.len());
    let (time, zone) = s.split_at(end);
    let whole = time.split(['.', ',']).next()?;
    let fraction = &time[whole.len()..];
    if !fraction.is_empty() && !fraction[1..].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut hms = whole.split(':');
    let hour = number(hms.next()?, 1..=2)?;
    let minute = number(hms.next()?, 2..=2)?;
    let second = match hms.next() {
        Some(s) => number(s, 2..=2)?,
        None => 0,
    };
    if hms.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some((
        format!("{hour:02}:{minute:02}:{second:02}"),
        offset(zone.trim()),
    ))
}

/// A zone: `Z`, `±HH:MM`, `±HHMM`, `±HH`, or a name RFC 2822 knows;
/// `Some("")` for none.
fn offset(zone: &str) -> Option<String> {
    let zone = zone.trim_end_matches(')').trim();
    // "+0000 (UTC)": a comment after the zone.
    let zone = zone.split_once(" (").map_or(zone, |(z, _)| z).trim();
    if zone.is_empty() {
        return Some(String::new());
    }
    if let Some(sign @ ('+' | '-')) = zone.chars().next() {
        let digits: String = zone[1..].chars().filter(|&c| c != ':').collect();
        let (h, m) = match digits.len() {
            2 => (number(&digits, 2..=2)?, 0),
            4 => (number(&digits[..2], 2..=2)?, number(&digits[2..], 2..=2)?),
            _ => return None,
        };
        if h > 23 || m > 59 || zone[1..].len() > 5 {
            return None;
        }
        if h == 0 && m == 0 {
            return Some("Z".into());
        }
        return Some(format!("{sign}{h:02}:{m:02}"));
    }
    let hours = match zone.to_ascii_uppercase().as_str() {
        "Z" | "UT" | "UTC" | "GMT" => 0,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        _ => return None,
    };
    Some(match hours {
        0 => "Z".into(),
        h => format!("-{:02}:00", -h),
    })
}

const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A month by its English name or its first three (or four, `Sept`) letters.
fn month_named(word: &str) -> Option<usize> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTH_NAMES
        .iter()
        .position(|m| *m == w || (w.len() <= 4 && m.starts_with(&w)))
        .map(|i| i + 1)
}

fn is_weekday(word: &str) -> bool {
    let w = word.trim_end_matches(['.', ',']).to_ascii_lowercase();
    w.len() >= 3
        && [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ]
        .iter()
        .any(|d| d.starts_with(&w))
}

/// RFC 2822 and dates written out: `[Weekday,] D Month YYYY [time [zone]]`
/// or `[Weekday,] Month D, YYYY [time [zone]]`, with ordinals (`1st`).
fn written(s: &str) -> Option<String> {
    let mut words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    if words.first().is_some_and(|w| is_weekday(w)) {
        words.remove(0);
    }
    if words.len() < 3 {
        return None;
    }
    let day_of = |w: &str| {
        let w = w.trim_end_matches(['.']);
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let suffix = &w[digits.len()..];
        if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
            return None;
        }
        number(digits, 1..=2)
    };
    let (day, month) = match (day_of(words[0]), month_named(words[0])) {
        (Some(d), _) => (d, month_named(words[1])?),
        (None, Some(m)) => (day_of(words[1])?, m),
        _ => return None,
    };
    let year = match number(words[2], 2..=4)? {
        y if words[2].len() == 4 => y,
        y if words[2].len() == 2 && y >= 50 => 1900 + y,
        y if words[2].len() == 2 => 2000 + y,
        _ => return None,
    };
    if !(1..=days_in(month, year)).contains(&day) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    let rest = &words[3..];
    if rest.is_empty() {
        return Some(date);
    }
    let (mut time, _) = clock(rest[0])?;
    let mut zone_words = &rest[1..];
    if let Some(meridiem) = zone_words.first().map(|w| w.to_ascii_lowercase()) {
        if meridiem == "am" || meridiem == "pm" {
            let hour: u32 = time[..2].parse().ok()?;
            if !(1..=12).contains(&hour) {
                return None;
            }
            let hour = match (meridiem.as_str(), hour) {
                ("am", 12) => 0,
                ("pm", h) if h < 12 => h + 12,
                (_, h) => h,
            };
            time = format!("{hour:02}{}", &time[2..]);
            zone_words = &zone_words[1..];
        }
    }
    let zone = offset(&zone_words.join(" "))?;
    Some(format!("{date}T{time}{zone}"))
}

#[cfg(test)]
mod shape_tests {
    use super::normalize;

    #[test]
    fn iso_variants_become_one_shape() {
        assert_eq!(normalize("2023-05-01 10:00"), "2023-05-01T10:00:00");
        assert_eq!(
            normalize("2023-05-01T10:00:00.000Z"),
            "2023-05-01T10:00:00Z"
        );
        assert_eq!(
            normalize("2023-05-01T10:00:00+0100"),
            "2023-05-01T10:00:00+01:00"
        );
        assert_eq!(
            normalize("2023-05-01T10:00:00+01:00"),
            "2023-05-01T10:00:00+01:00"
        );
        assert_eq!(
            normalize("2023-05-01T23:59-05:30"),
            "2023-05-01T23:59:00-05:30"
        );
        assert_eq!(normalize("2023-05-01 10:00:07 UTC"), "2023-05-01T10:00:07Z");
        assert_eq!(normalize("2023/05/01"), "2023-05-01");
        assert_eq!(normalize("2024"), "2024");
        assert_eq!(normalize("2024-05"), "2024-05");
        assert_eq!(normalize("2023-02-30"), "2023-02-30");
        assert_eq!(normalize("2023-05-01T10:00 soon"), "2023-05-01T10:00 soon");
    }

    #[test]
    fn mail_dates_become_iso() {
        assert_eq!(
            normalize("Tue, 1 Jul 2003 10:52:37 +0200"),
            "2003-07-01T10:52:37+02:00"
        );
        assert_eq!(
            normalize("Thu, 13 Feb 1969 23:32:54 -0330"),
            "1969-02-13T23:32:54-03:30"
        );
        assert_eq!(
            normalize("Mon, 2 Jun 2025 08:00:00 +0000 (UTC)"),
            "2025-06-02T08:00:00Z"
        );
        assert_eq!(normalize("21 Nov 97 09:55:06 GMT"), "1997-11-21T09:55:06Z");
        assert_eq!(
            normalize("1 Jan 2001 00:00 EST"),
            "2001-01-01T00:00:00-05:00"
        );
        assert_eq!(
            normalize("Tue, 1 Jul 2003 10:52:37 +99"),
            "Tue, 1 Jul 2003 10:52:37 +99"
        );
    }

    #[test]
    fn written_dates_become_iso() {
        assert_eq!(normalize("May 1, 2023"), "2023-05-01");
        assert_eq!(normalize("1 May 2023"), "2023-05-01");
        assert_eq!(normalize("Monday, 1st May 2023"), "2023-05-01");
        assert_eq!(normalize("September 3rd, 2024"), "2024-09-03");
        assert_eq!(normalize("Sept 3 2024"), "2024-09-03");
        assert_eq!(normalize("1 May 2023 10:00 GMT"), "2023-05-01T10:00:00Z");
        assert_eq!(normalize("May 1, 2023 3:05 pm"), "2023-05-01T15:05:00");
        assert_eq!(normalize("31 April 2023"), "31 April 2023");
        assert_eq!(normalize("Mayday 1 2023"), "Mayday 1 2023");
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn reuters_dates_become_iso() {
        assert_eq!(normalize("2-JUN-1987 11:50:01.21"), "1987-06-02T11:50:01");
        assert_eq!(
            normalize(" 26-FEB-1987 15:01:01.79 "),
            "1987-02-26T15:01:01"
        );
        assert_eq!(normalize("2-jun-1987"), "1987-06-02");
        assert_eq!(normalize("02-JUN-1987 9:05"), "1987-06-02T09:05:00");
    }

    #[test]
    fn iso_and_unknown_dates_are_kept() {
        assert_eq!(normalize("1987-03-02"), "1987-03-02");
        assert_eq!(normalize("2024-01-05T10:00:00Z"), "2024-01-05T10:00:00Z");
        assert_eq!(normalize("last Tuesday"), "last Tuesday");
        assert_eq!(normalize("31-FEB-1987"), "31-FEB-1987");
        assert_eq!(normalize("2-JUN-1987 25:00"), "2-JUN-1987 25:00");
        assert_eq!(normalize("2-JUN-1987 11:50:01."), "2-JUN-1987 11:50:01.");
        assert_eq!(normalize("2-JUNE-1987"), "2-JUNE-1987");
    }
}
