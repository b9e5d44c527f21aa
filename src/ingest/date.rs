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
    // Fractions of a second are dropped, and with them the stray letters
    // that follow them in a few hundred Reuters-21578 dates (`33.23C T`).
    if fraction.is_some_and(|f| !f.starts_with(|c: char| c.is_ascii_digit())) {
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
        assert_eq!(
            normalize("27-MAR-1987 11:51:33.23C T"),
            "1987-03-27T11:51:33"
        );
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

// Dates → points in time, for filters, sorting and facets.

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The instant an ISO 8601 date or date-time starts, in seconds since
/// 1970-01-01 UTC: `2023` → 2023-01-01T00:00Z, `2023-05` → 2023-05-01,
/// `2023-05-04T10:30:00+02:00` → 08:30 UTC. A time without an offset is
/// read as UTC. `None` when `iso` is not one of those shapes.
pub fn timestamp(iso: &str) -> Option<i64> {
    period(iso).map(|(start, _)| start)
}

/// The span `text` names, as `[start, end)` in seconds since the epoch: a
/// year, a month, a day, or (for a date-time) that one second.
pub fn period(text: &str) -> Option<(i64, i64)> {
    let text = text.trim();
    let (day_part, time_part) = match text.find(['T', 't', ' ']) {
        Some(i) => (&text[..i], Some(text[i + 1..].trim())),
        None => (text, None),
    };
    let mut parts = day_part.split('-');
    let year = i64::from(number(parts.next()?, 4..=4)?);
    let month = parts.next().map(|m| number(m, 2..=2)).unwrap_or(Some(0))?;
    let day = parts.next().map(|d| number(d, 2..=2)).unwrap_or(Some(0))?;
    if parts.next().is_some() || month > 12 || (month == 0 && day != 0) {
        return None;
    }
    if day > 0 && day > days_in(month as usize, year as u32) {
        return None;
    }
    let start_of = |y: i64, m: u32, d: u32| days_from_civil(y, m.max(1), d.max(1)) * DAY;
    let Some(time) = time_part.filter(|t| !t.is_empty()) else {
        let start = start_of(year, month, day);
        let end = match (month, day) {
            (0, _) => start_of(year + 1, 1, 1),
            (12, 0) => start_of(year + 1, 1, 1),
            (m, 0) => start_of(year, m + 1, 1),
            _ => start + DAY,
        };
        return Some((start, end));
    };
    if day == 0 {
        return None;
    }
    let (clock, offset) = split_offset(time)?;
    let clock = clock.split(['.', ',']).next()?;
    let mut hms = clock.split(':');
    let hour = i64::from(number(hms.next()?, 1..=2)?);
    let minute = i64::from(number(hms.next()?, 2..=2)?);
    let second = match hms.next() {
        Some(s) => i64::from(number(s, 2..=2)?),
        None => 0,
    };
    if hms.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let t = start_of(year, month, day) + hour * 3600 + minute * 60 + second - offset;
    Some((t, t + 1))
}

/// Splits `10:30:00+02:00` into the clock and the offset east of UTC in
/// seconds (`Z`, `+02:00`, `+0200`, `+02`, or none).
fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock.trim_end(), 0));
    }
    let Some(i) = time.rfind(['+', '-']) else {
        return Some((time, 0));
    };
    let (clock, offset) = (time[..i].trim_end(), &time[i..]);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits: String = offset[1..].chars().filter(|&c| c != ':').collect();
    let (h, m) = match digits.len() {
        2 => (number(&digits, 2..=2)?, 0),
        4 => (number(&digits[..2], 2..=2)?, number(&digits[2..], 2..=2)?),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some((clock, sign * (i64::from(h) * 3600 + i64::from(m) * 60)))
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // Howard Hinnant's algorithm.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `secs` since the epoch as an ISO 8601 UTC date-time (`2024-05-01T10:00:00Z`).
pub fn iso_from_timestamp(secs: i64) -> String {
    let (year, month, day) = civil_from_days(secs.div_euclid(DAY));
    let s = secs.rem_euclid(DAY);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// The calendar year of a timestamp (for facets).
pub fn year_of(secs: i64) -> i64 {
    civil_from_days(secs.div_euclid(DAY)).0
}

/// `now` moved back by a relative span: `7d` (days), `2w` (weeks), `3m`
/// (calendar months), `1y` (calendar years), `12h` (hours). `None` when
/// `text` is not such a span.
pub fn before(now: i64, text: &str) -> Option<i64> {
    let text = text.trim();
    let (i, unit) = text.char_indices().next_back()?;
    let n: i64 = text[..i].parse().ok().filter(|n| *n >= 0)?;
    let (days, secs) = (now.div_euclid(DAY), now.rem_euclid(DAY));
    let shifted_months = |months: i64| {
        let (y, m, d) = civil_from_days(days);
        let total = y * 12 + i64::from(m) - 1 - months;
        let (y, m) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
        let d = d.min(days_in(m as usize, y.clamp(0, 9999) as u32));
        days_from_civil(y, m, d) * DAY + secs
    };
    match unit.to_ascii_lowercase() {
        'h' => Some(now - n.checked_mul(3600)?),
        'd' => Some(now - n.checked_mul(DAY)?),
        'w' => Some(now - n.checked_mul(7 * DAY)?),
        'm' if n <= 120_000 => Some(shifted_months(n)),
        'y' if n <= 10_000 => Some(shifted_months(n * 12)),
        _ => None,
    }
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn periods_of_years_months_days_and_instants() {
        let day = |y, m, d| days_from_civil(y, m, d) * DAY;
        assert_eq!(day(1970, 1, 1), 0);
        assert_eq!(period("2023"), Some((day(2023, 1, 1), day(2024, 1, 1))));
        assert_eq!(period("2023-12"), Some((day(2023, 12, 1), day(2024, 1, 1))));
        assert_eq!(period("2024-02"), Some((day(2024, 2, 1), day(2024, 3, 1))));
        assert_eq!(
            period("2024-02-29"),
            Some((day(2024, 2, 29), day(2024, 3, 1)))
        );
        assert_eq!(period("2023-02-29"), None);
        assert_eq!(period("2023-13"), None);
        assert_eq!(period("23-01-01"), None);
        assert_eq!(period("last week"), None);
        let t = day(2023, 5, 4) + 8 * 3600 + 30 * 60;
        assert_eq!(timestamp("2023-05-04T10:30:00+02:00"), Some(t));
        assert_eq!(timestamp("2023-05-04T10:30+0200"), Some(t));
        assert_eq!(timestamp("2023-05-04 08:30:00Z"), Some(t));
        assert_eq!(timestamp("2023-05-04T08:30:00.123Z"), Some(t));
        assert_eq!(timestamp("2023-05-04T03:30:00-05:00"), Some(t));
        assert_eq!(
            timestamp("1987-06-02T11:50:01"),
            Some(day(1987, 6, 2) + 42_601)
        );
        assert_eq!(timestamp("2023-05-04T25:00"), None);
    }

    #[test]
    fn relative_spans_count_back_calendar_months_and_years() {
        let now = timestamp("2024-03-31T12:00:00Z").unwrap_or_default();
        let at = |iso| timestamp(iso).unwrap_or_default();
        assert_eq!(before(now, "7d"), Some(at("2024-03-24T12:00:00Z")));
        assert_eq!(before(now, "2w"), Some(at("2024-03-17T12:00:00Z")));
        assert_eq!(before(now, "1m"), Some(at("2024-02-29T12:00:00Z")));
        assert_eq!(before(now, "13m"), Some(at("2023-02-28T12:00:00Z")));
        assert_eq!(before(now, "1y"), Some(at("2023-03-31T12:00:00Z")));
        assert_eq!(before(now, "12h"), Some(at("2024-03-31T00:00:00Z")));
        assert_eq!(before(now, "3x"), None);
        assert_eq!(before(now, "d"), None);
        assert_eq!(before(now, "7é"), None);
        assert_eq!(before(now, "-3d"), None);
        assert_eq!(before(now, "99999999999999999y"), None);
    }

    #[test]
    fn timestamps_print_as_iso_and_years() {
        assert_eq!(iso_from_timestamp(0), "1970-01-01T00:00:00Z");
        let t = timestamp("2024-02-29T23:59:59Z").unwrap_or_default();
        assert_eq!(iso_from_timestamp(t), "2024-02-29T23:59:59Z");
        assert_eq!(year_of(t), 2024);
        assert_eq!(iso_from_timestamp(-1), "1969-12-31T23:59:59Z");
        for days in [-800_000, -1, 0, 59, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
