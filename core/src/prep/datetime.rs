//! Dates and times: parse a text field with a format, then write calendar parts (year, month,
//! weekday, hour, ...) and their cyclical (sine, cosine) encodings.
//!
//! Stateless: nothing is fitted, the configuration is the node. The parser understands
//! `%Y` (4 digits), `%m`, `%d`, `%H`, `%M`, `%S` (1 or 2 digits), `%z` (`Z` or an offset
//! such as `+02:00`, read and dropped: parts are the local time), `%%` and literal characters;
//! dates are proleptic Gregorian and checked (no 31 April, 29 February only in leap years).

use crate::json::decode::unit_variant;
use crate::json::{DecodeError, FromJson, Json, Obj};
use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

/// A calendar part written as one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePart {
    /// The year, as a number.
    Year,
    /// 1 to 12.
    Month,
    /// 1 to 31.
    Day,
    /// 0 (Monday) to 6 (Sunday), as Python's `date.weekday()`.
    Weekday,
    /// 1 to 366.
    DayOfYear,
    /// 0 to 23.
    Hour,
    /// 0 to 59.
    Minute,
    /// sin and cos of the month on a 12-step circle (two features).
    MonthCycle,
    /// sin and cos of the weekday on a 7-step circle (two features).
    WeekdayCycle,
    /// sin and cos of the hour on a 24-step circle (two features).
    HourCycle,
}

impl DatePart {
    /// Features this part writes.
    pub fn width(self) -> usize {
        match self {
            DatePart::MonthCycle | DatePart::WeekdayCycle | DatePart::HourCycle => 2,
            _ => 1,
        }
    }
}

/// A parsed date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// Year.
    pub year: i64,
    /// Month, 1-12.
    pub month: u32,
    /// Day of month, 1-31.
    pub day: u32,
    /// Hour, 0-23.
    pub hour: u32,
    /// Minute, 0-59.
    pub minute: u32,
    /// Second, 0-59.
    pub second: u32,
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    crate::time::days_from_civil(y, i64::from(m), i64::from(d))
}

/// After `%z`: `Z`, or an offset `+HH:MM`, `+HHMM`, `+HH` (sign `+` or `-`). The offset is
/// read and dropped: the parts describe the local time as written.
fn skip_zone(s: &[u8]) -> Option<&[u8]> {
    match s.split_first()? {
        (b'Z' | b'z', rest) => Some(rest),
        (b'+' | b'-', rest) => {
            let digits = |r: &[u8]| r.len() >= 2 && r[..2].iter().all(u8::is_ascii_digit);
            if !digits(rest) {
                return None;
            }
            let rest = &rest[2..];
            let minutes = rest.strip_prefix(b":").unwrap_or(rest);
            Some(if digits(minutes) { &minutes[2..] } else { rest })
        }
        _ => None,
    }
}

impl DateTime {
    /// Parse `text` with `format`; `None` if it does not match or is not a real date.
    pub fn parse(text: &str, format: &str) -> Option<DateTime> {
        let mut dt = DateTime {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
        };
        let mut s = text.trim().as_bytes();
        let mut f = format.as_bytes();
        while let Some((&c, rest)) = f.split_first() {
            f = rest;
            if c != b'%' {
                let (&t, srest) = s.split_first()?;
                if t != c {
                    return None;
                }
                s = srest;
                continue;
            }
            let (&spec, rest) = f.split_first()?;
            f = rest;
            let (min_digits, max_digits) = match spec {
                b'z' => {
                    s = skip_zone(s)?;
                    continue;
                }
                b'Y' => (4, 4),
                b'm' | b'd' | b'H' | b'M' | b'S' => (1, 2),
                b'%' => {
                    let (&t, srest) = s.split_first()?;
                    if t != b'%' {
                        return None;
                    }
                    s = srest;
                    continue;
                }
                _ => return None,
            };
            let n = s
                .iter()
                .take(max_digits)
                .take_while(|b| b.is_ascii_digit())
                .count();
            if n < min_digits {
                return None;
            }
            let value: u32 = std::str::from_utf8(&s[..n]).ok()?.parse().ok()?;
            s = &s[n..];
            match spec {
                b'Y' => dt.year = value as i64,
                b'm' => dt.month = value,
                b'd' => dt.day = value,
                b'H' => dt.hour = value,
                b'M' => dt.minute = value,
                _ => dt.second = value,
            }
        }
        let valid = s.is_empty()
            && (1..=12).contains(&dt.month)
            && dt.day >= 1
            && dt.day <= days_in_month(dt.year, dt.month)
            && dt.hour < 24
            && dt.minute < 60
            && dt.second < 60;
        valid.then_some(dt)
    }

    /// 0 = Monday ... 6 = Sunday.
    pub fn weekday(&self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        (days_from_civil(self.year, self.month, self.day) + 3).rem_euclid(7) as u32
    }

    /// 1-based day of the year.
    pub fn day_of_year(&self) -> u32 {
        (days_from_civil(self.year, self.month, self.day) - days_from_civil(self.year, 1, 1)) as u32
            + 1
    }
}

/// Configuration (and, being stateless, the whole state) of the datetime node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatetimeParams {
    /// The input field (text).
    pub field: String,
    /// Parse format, e.g. `%Y-%m-%d %H:%M`.
    pub format: String,
    /// Parts to write, in order.
    pub parts: Vec<DatePart>,
}

impl DatetimeParams {
    /// Check state read from a file: 1 to [`super::limits::MAX_DATETIME_PARTS`] parts.
    pub fn check(&self) -> Result<(), super::BindError> {
        super::checks::datetime_parts(self.parts.len())
    }

    /// Number of features written.
    pub fn width(&self) -> usize {
        self.parts.iter().map(|p| p.width()).sum()
    }

    /// Append the parts of an already parsed date (all zeros for `None`: a missing date).
    pub fn transform_into(&self, dt: Option<&DateTime>, out: &mut Vec<f32>) {
        let Some(dt) = dt else {
            out.extend(std::iter::repeat_n(0.0, self.width()));
            return;
        };
        let cycle = |v: f64, period: f64, out: &mut Vec<f32>| {
            let a = 2.0 * PI * v / period;
            out.push(a.sin() as f32);
            out.push(a.cos() as f32);
        };
        for part in &self.parts {
            match part {
                DatePart::Year => out.push(dt.year as f32),
                DatePart::Month => out.push(dt.month as f32),
                DatePart::Day => out.push(dt.day as f32),
                DatePart::Weekday => out.push(dt.weekday() as f32),
                DatePart::DayOfYear => out.push(dt.day_of_year() as f32),
                DatePart::Hour => out.push(dt.hour as f32),
                DatePart::Minute => out.push(dt.minute as f32),
                DatePart::MonthCycle => cycle((dt.month - 1) as f64, 12.0, out),
                DatePart::WeekdayCycle => cycle(dt.weekday() as f64, 7.0, out),
                DatePart::HourCycle => cycle(dt.hour as f64, 24.0, out),
            }
        }
    }
}

impl FromJson for DatePart {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        use DatePart::*;
        unit_variant(
            value,
            &[
                ("year", Year),
                ("month", Month),
                ("day", Day),
                ("weekday", Weekday),
                ("day_of_year", DayOfYear),
                ("hour", Hour),
                ("minute", Minute),
                ("month_cycle", MonthCycle),
                ("weekday_cycle", WeekdayCycle),
                ("hour_cycle", HourCycle),
            ],
        )
    }
}

impl FromJson for DatetimeParams {
    fn from_json(value: &Json<'_>) -> Result<Self, DecodeError> {
        let o = Obj::of(value)?;
        Ok(DatetimeParams {
            field: o.req("field")?,
            format: o.req("format")?,
            parts: o.req("parts")?,
        })
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks_real_dates() {
        let d = DateTime::parse("2024-02-29 13:05", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            (d.year, d.month, d.day, d.hour, d.minute),
            (2024, 2, 29, 13, 5)
        );
        assert_eq!(d.weekday(), 3); // Thursday
        assert_eq!(d.day_of_year(), 60);
        assert!(DateTime::parse("2023-02-29", "%Y-%m-%d").is_none());
        assert!(DateTime::parse("2023-04-31", "%Y-%m-%d").is_none());
        assert!(DateTime::parse("2023-13-01", "%Y-%m-%d").is_none());
        assert!(DateTime::parse("2023-01-01x", "%Y-%m-%d").is_none());
        assert!(DateTime::parse("1/2/1999", "%d/%m/%Y").is_some());
        assert!(DateTime::parse("", "%Y").is_none());
        assert!(DateTime::parse("2020", "%q").is_none());
    }

    #[test]
    fn a_zone_is_read_and_the_local_time_kept() {
        let f = "%Y-%m-%dT%H:%M:%S%z";
        for text in [
            "2024-01-05T10:30:00Z",
            "2024-01-05T10:30:00+02:00",
            "2024-01-05T10:30:00-0530",
        ] {
            let d = DateTime::parse(text, f).unwrap();
            assert_eq!((d.day, d.hour, d.minute), (5, 10, 30), "{text}");
        }
        assert!(DateTime::parse("2024-01-05T10:30:00", f).is_none());
        assert!(DateTime::parse("2024-01-05T10:30:00+2", f).is_none());
    }

    #[test]
    fn cyclical_parts_are_on_the_unit_circle() {
        let p = DatetimeParams {
            field: "t".into(),
            format: "%Y-%m-%d".into(),
            parts: vec![DatePart::Month, DatePart::MonthCycle, DatePart::Weekday],
        };
        let d = DateTime::parse("2026-11-28", "%Y-%m-%d").unwrap();
        let mut out = Vec::new();
        p.transform_into(Some(&d), &mut out);
        assert_eq!(out.len(), p.width());
        assert_eq!(out[0], 11.0);
        assert!((out[1] * out[1] + out[2] * out[2] - 1.0).abs() < 1e-6);
        assert_eq!(out[3], 5.0); // Saturday
        out.clear();
        p.transform_into(None, &mut out);
        assert_eq!(out, vec![0.0; 4]);
    }
}
