//! Dates as given by a source → ISO 8601 where they parse.
//!
//! Articles carry dates in many shapes; stored as ISO 8601 they read the
//! same everywhere and sort as text. What is recognised:
//! - ISO 8601 (`1987-03-02`, `1987-03-02T11:50:01Z`, …): kept as given;
//! - the Reuters-21578 shape `2-JUN-1987 11:50:01.21` → `1987-06-02T11:50:01`
//!   (the time is optional: `2-JUN-1987` → `1987-06-02`; fractions of a
//!   second are dropped).
//!
//! Anything else is kept as given (trimmed): a date passim cannot read is
//! still worth showing.

/// `date` in ISO 8601 where it parses, else as given (trimmed).
pub fn normalize(date: &str) -> String {
    let date = date.trim();
    reuters(date).unwrap_or_else(|| date.to_owned())
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
