//! A time window over a timestamp field: `since` (inclusive) to `until` (exclusive).
//!
//! Timestamps are ISO 8601 as databases and exports print them: a date (`2024-03-01`), or a
//! date and time with `T` or a space, optional fractions of a second, and an optional `Z` or
//! offset (`+01:00`, `+0100`, `+01`). A timestamp without an offset is UTC. SQL sources get the
//! window pushed into their query ([`Window::sql`]); every row is then checked again here, so
//! the window means the same thing whatever the source. A row whose timestamp is missing or
//! unreadable is outside the window and counted ([`WindowCounts`]).

use crate::SourceError;
use crate::cell::{Cell, Sink};
use tandem_core::time::{civil_from_days, days_from_civil};

/// Microseconds since 1970-01-01T00:00:00Z.
pub type Micros = i64;

/// `since <= field < until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The timestamp field.
    pub field: String,
    /// The first instant in the window (inclusive).
    pub since: Option<Micros>,
    /// The first instant after it (exclusive).
    pub until: Option<Micros>,
}

/// What the window did to the rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowCounts {
    /// Rows inside.
    pub kept: u64,
    /// Rows before `since` or at or after `until`.
    pub outside: u64,
    /// Rows whose timestamp was missing.
    pub missing: u64,
    /// Rows whose timestamp did not read as one.
    pub unreadable: u64,
}

fn digits(s: &str, n: usize) -> Option<(i64, &str)> {
    let head = s.get(..n)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, &s[n..]))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// An ISO 8601 timestamp as microseconds since the epoch (UTC), or `None`.
pub fn parse_timestamp(text: &str) -> Option<Micros> {
    let s = text.trim();
    let (y, s) = digits(s, 4)?;
    let s = s.strip_prefix('-')?;
    let (mo, s) = digits(s, 2)?;
    let s = s.strip_prefix('-')?;
    let (d, mut s) = digits(s, 2)?;
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    let mut micros = days_from_civil(y, mo, d) * 86_400_000_000;
    if let Some(rest) = s.strip_prefix(['T', 't', ' ']) {
        let (h, r) = digits(rest, 2)?;
        let r = r.strip_prefix(':')?;
        let (mi, r) = digits(r, 2)?;
        let (sec, mut r) = match r.strip_prefix(':') {
            Some(r) => digits(r, 2)?,
            None => (0, r),
        };
        if h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        let mut frac = 0;
        if let Some(f) = r.strip_prefix(['.', ',']) {
            let n = f.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            let padded = format!("{:0<6}", &f[..n.min(6)]);
            frac = padded.parse::<i64>().ok()?;
            r = &f[n..];
        }
        micros += ((h * 60 + mi) * 60 + sec) * 1_000_000 + frac;
        s = r;
    }
    let s = s.trim_start();
    let offset = match s {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match s.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let r = &s[1..];
            let (oh, r) = digits(r, 2)?;
            let r = r.strip_prefix(':').unwrap_or(r);
            let om = match r.len() {
                0 => 0,
                2 => digits(r, 2)?.0,
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 60 + om) * 60_000_000
        }
    };
    Some(micros - offset)
}

/// `micros` as ISO 8601 with a `T`, the fraction only when there is one (trailing zeros
/// dropped), and `Z` when `utc` (else no offset: a naive timestamp).
pub fn iso(micros: Micros, utc: bool) -> String {
    let full = format_timestamp(micros);
    let (date_time, _) = full.split_at(full.len() - "+00:00".len());
    let date_time = date_time.trim_end_matches('0').trim_end_matches('.');
    format!(
        "{}{}",
        date_time.replacen(' ', "T", 1),
        if utc { "Z" } else { "" }
    )
}

/// `micros` as `YYYY-MM-DD HH:MM:SS.ffffff+00:00`, which SQLite and PostgreSQL both read.
pub fn format_timestamp(micros: Micros) -> String {
    let days = micros.div_euclid(86_400_000_000);
    let rest = micros.rem_euclid(86_400_000_000);
    let (y, m, d) = civil_from_days(days);
    let secs = rest / 1_000_000;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:06}+00:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        rest % 1_000_000
    )
}

impl Window {
    /// A window from its texts, each checked.
    pub fn new(field: &str, since: Option<&str>, until: Option<&str>) -> Result<Self, SourceError> {
        let read = |which: &str, t: Option<&str>| -> Result<Option<Micros>, SourceError> {
            t.map(|t| {
                parse_timestamp(t).ok_or_else(|| SourceError::Window {
                    reason: format!(
                        "{which} = {t:?} is not an ISO 8601 date or timestamp (2024-03-01, 2024-03-01T12:00:00Z)"
                    ),
                })
            })
            .transpose()
        };
        let w = Window {
            field: field.to_string(),
            since: read("since", since)?,
            until: read("until", until)?,
        };
        if let (Some(s), Some(u)) = (w.since, w.until)
            && s >= u
        {
            return Err(SourceError::Window {
                reason: "since must come before until".into(),
            });
        }
        if field.is_empty() {
            return Err(SourceError::Window {
                reason: "the window names no timestamp field".into(),
            });
        }
        Ok(w)
    }

    /// Whether an instant is inside.
    pub fn contains(&self, t: Micros) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u)
    }

    /// The condition pushed into a SQL query, over the quoted `field`; `sqlite` compares
    /// through `julianday` (SQLite keeps timestamps as text or numbers).
    pub fn sql(&self, sqlite: bool) -> Option<String> {
        let col = crate::sql::quote_ident(&self.field);
        let side = |op: &str, t: Micros| {
            let lit = format_timestamp(t);
            if sqlite {
                format!("julianday({col}) {op} julianday('{lit}')")
            } else {
                format!("{col} {op} '{lit}'")
            }
        };
        let mut parts = Vec::new();
        if let Some(s) = self.since {
            parts.push(side(">=", s));
        }
        if let Some(u) = self.until {
            parts.push(side("<", u));
        }
        (!parts.is_empty()).then(|| parts.join(" AND "))
    }
}

/// The rows inside a window, passed on.
pub struct WindowFilter<'a> {
    window: &'a Window,
    next: &'a mut dyn Sink,
    index: Option<usize>,
    /// What was kept and why the rest was not.
    pub counts: WindowCounts,
}

impl<'a> WindowFilter<'a> {
    /// A filter in front of `next`.
    pub fn new(window: &'a Window, next: &'a mut dyn Sink) -> Self {
        WindowFilter {
            window,
            next,
            index: None,
            counts: WindowCounts::default(),
        }
    }
}

impl Sink for WindowFilter<'_> {
    fn columns(&mut self, names: &[String]) -> Result<(), SourceError> {
        self.index = names.iter().position(|n| *n == self.window.field);
        self.next.columns(names)
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), SourceError> {
        let Some(i) = self.index else {
            return Err(SourceError::Window {
                reason: format!(
                    "the source has no column `{}` to take the window on",
                    self.window.field
                ),
            });
        };
        match cells.get(i).and_then(Cell::text) {
            None => self.counts.missing += 1,
            Some(t) if t.trim().is_empty() => self.counts.missing += 1,
            Some(t) => match parse_timestamp(&t) {
                None => self.counts.unreadable += 1,
                Some(ts) if self.window.contains(ts) => {
                    self.counts.kept += 1;
                    return self.next.row(cells);
                }
                Some(_) => self.counts.outside += 1,
            },
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_in_the_forms_databases_print() {
        let day = parse_timestamp("1912-04-10").unwrap();
        assert_eq!(
            day, -1_821_744_000_000_000,
            "datetime(1912, 4, 10) in Python"
        );
        assert_eq!(parse_timestamp("1912-04-10T00:00:00Z"), Some(day));
        assert_eq!(parse_timestamp("1912-04-10 01:00:00+01"), Some(day));
        assert_eq!(parse_timestamp("1912-04-10T01:30:00+01:30"), Some(day));
        assert_eq!(parse_timestamp("1912-04-09T23:00:00-0100"), Some(day));
        assert_eq!(
            parse_timestamp("1970-01-01T00:00:01.5"),
            Some(1_500_000),
            "fractions"
        );
        for bad in [
            "1912-02-30",
            "1912-4-10",
            "10/04/1912",
            "1912-04-10T25:00",
            "x",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        assert_eq!(
            format_timestamp(day + 1_500_000),
            "1912-04-10 00:00:01.500000+00:00"
        );
        assert_eq!(parse_timestamp(&format_timestamp(day + 7)), Some(day + 7));
        assert_eq!(iso(day, true), "1912-04-10T00:00:00Z");
        assert_eq!(iso(day + 1_500_000, false), "1912-04-10T00:00:01.5");
    }

    #[test]
    fn the_window_is_half_open_and_checked() {
        let w = Window::new("t", Some("2024-01-01"), Some("2024-02-01")).unwrap();
        assert!(w.contains(parse_timestamp("2024-01-01").unwrap()));
        assert!(!w.contains(parse_timestamp("2024-02-01").unwrap()));
        assert!(Window::new("t", Some("2024-02-01"), Some("2024-01-01")).is_err());
        assert!(Window::new("t", Some("January"), None).is_err());
        assert_eq!(
            w.sql(false).unwrap(),
            "\"t\" >= '2024-01-01 00:00:00.000000+00:00' AND \"t\" < '2024-02-01 00:00:00.000000+00:00'"
        );
    }
}
