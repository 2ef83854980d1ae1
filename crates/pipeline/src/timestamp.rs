//! YAML timestamps as ruyaml's round-trip loader builds them (spec/pipeline.md §2): a
//! `datetime.date`, a naive `datetime.datetime`, or ruyaml's `TimeStamp` (when a `T`
//! separator or a UTC offset is given, shifted to UTC). Only their Python `str()`/`repr()`
//! and whether Python accepts the date matter here: they show up in messages and crash
//! the library when out of range.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Date,
    DateTime,
    TimeStamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Timestamp {
    kind: Kind,
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    micro: i64,
}

/// The pieces of ruyaml's timestamp pattern.
struct Parts<'a> {
    year: &'a str,
    month: &'a str,
    day: &'a str,
    t: bool,
    time: Option<(&'a str, &'a str, &'a str, Option<&'a str>)>,
    tz_sign: Option<char>,
    tz_hour: &'a str,
    tz_minute: &'a str,
}

fn digits(s: &str, lens: std::ops::RangeInclusive<usize>) -> bool {
    lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Match ruyaml's timestamp pattern.
fn split(text: &str) -> Option<Parts<'_>> {
    // The pattern is ASCII-only, which also keeps the byte slicing below on char
    // boundaries.
    if !text.is_ascii() {
        return None;
    }
    let b = text.as_bytes();
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(&text[..4], 4..=4)
        && digits(&text[5..7], 2..=2)
        && digits(&text[8..], 2..=2)
    {
        return Some(Parts {
            year: &text[..4],
            month: &text[5..7],
            day: &text[8..],
            t: false,
            time: None,
            tz_sign: None,
            tz_hour: "",
            tz_minute: "",
        });
    }
    let sep = text.find(['T', 't', ' ', '\t'])?;
    let (date, rest) = text.split_at(sep);
    let mut d = date.split('-');
    let (year, month, day) = (d.next()?, d.next()?, d.next()?);
    if d.next().is_some() || !digits(year, 4..=4) || !digits(month, 1..=2) || !digits(day, 1..=2) {
        return None;
    }
    let t = rest.starts_with(['T', 't']);
    let rest = if t {
        &rest[1..]
    } else {
        rest.trim_start_matches([' ', '\t'])
    };
    let mut it = rest.splitn(3, ':');
    let (hour, minute, tail) = (it.next()?, it.next()?, it.next()?);
    if !digits(hour, 1..=2)
        || !digits(minute, 2..=2)
        || tail.len() < 2
        || !digits(&tail[..2], 2..=2)
    {
        return None;
    }
    let second = &tail[..2];
    let mut tail = &tail[2..];
    let mut fraction = None;
    if let Some(f) = tail.strip_prefix('.') {
        let end = f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len());
        fraction = Some(&f[..end]);
        tail = &f[end..];
    }
    let tz = tail.trim_start_matches([' ', '\t']);
    let mut parts = Parts {
        year,
        month,
        day,
        t,
        time: Some((hour, minute, second, fraction)),
        tz_sign: None,
        tz_hour: "",
        tz_minute: "",
    };
    if tz.is_empty() {
        return tail.is_empty().then_some(parts);
    }
    if tz == "Z" {
        return Some(parts);
    }
    let sign = tz.chars().next()?;
    if sign != '+' && sign != '-' {
        return None;
    }
    let offset = &tz[1..];
    let (h, m) = match offset.split_once(':') {
        Some((h, m)) if digits(m, 2..=2) => (h, m),
        Some(_) => return None,
        None => (offset, ""),
    };
    if !digits(h, 1..=2) {
        return None;
    }
    parts.tz_sign = Some(sign);
    parts.tz_hour = h;
    parts.tz_minute = m;
    Some(parts)
}

fn num(s: &str) -> i64 {
    s.parse().unwrap_or(0)
}

/// `None`: not a timestamp. `Some(Err)`: Python's datetime refuses it (the library
/// crashes).
pub(crate) fn parse(text: &str) -> Option<Result<Timestamp, String>> {
    let p = split(text)?;
    let (year, month, day) = (num(p.year), num(p.month), num(p.day));
    let check_date = |y: i64, m: i64, d: i64| {
        if !(1..=9999).contains(&y) {
            return Err(format!("year {y} is out of range"));
        }
        if !(1..=12).contains(&m) {
            return Err("month must be in 1..12".to_string());
        }
        if !(1..=days_in_month(y, m)).contains(&d) {
            return Err("day is out of range for month".to_string());
        }
        Ok(())
    };
    Some((|| {
        check_date(year, month, day)?;
        let Some((h, mi, s, fraction)) = p.time else {
            return Ok(Timestamp {
                kind: Kind::Date,
                year,
                month,
                day,
                hour: 0,
                minute: 0,
                second: 0,
                micro: 0,
            });
        };
        let (hour, minute, second) = (num(h), num(mi), num(s));
        if hour > 23 {
            return Err("hour must be in 0..23".into());
        }
        if minute > 59 {
            return Err("minute must be in 0..59".into());
        }
        if second > 59 {
            return Err("second must be in 0..59".into());
        }
        let micro = fraction.map_or(0, |f| {
            let six: String = f.chars().chain(std::iter::repeat('0')).take(6).collect();
            let round = f.as_bytes().get(6).is_some_and(|d| *d > b'4');
            num(&six) + i64::from(round)
        });
        if micro > 999_999 {
            return Err("microsecond must be in 0..999999".into());
        }
        let stamp = p.t || p.tz_sign.is_some();
        let mut ts = Timestamp {
            kind: if stamp {
                Kind::TimeStamp
            } else {
                Kind::DateTime
            },
            year,
            month,
            day,
            hour,
            minute,
            second,
            micro,
        };
        if let Some(sign) = p.tz_sign {
            let delta = num(p.tz_hour) * 60
                + if p.tz_minute.is_empty() {
                    0
                } else {
                    num(p.tz_minute)
                };
            let delta = if sign == '-' { -delta } else { delta };
            ts.shift_minutes(-delta);
            check_date(ts.year, ts.month, ts.day)?;
        }
        Ok(ts)
    })())
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Timestamp {
    fn shift_minutes(&mut self, by: i64) {
        let days = days_from_civil(self.year, self.month, self.day);
        let total = days * 1440 + self.hour * 60 + self.minute + by;
        let (days, minutes) = (total.div_euclid(1440), total.rem_euclid(1440));
        let (y, m, d) = civil_from_days(days);
        self.year = y;
        self.month = m;
        self.day = d;
        self.hour = minutes / 60;
        self.minute = minutes % 60;
    }

    /// Python equality: a date never equals a datetime; datetimes (ruyaml's TimeStamp
    /// included) compare by value.
    pub(crate) fn same_as(&self, other: &Timestamp) -> bool {
        self.identity() == other.identity()
    }

    /// What `same_as` compares, to hash timestamps consistently with it.
    pub(crate) fn identity(&self) -> (bool, [i64; 7]) {
        (
            self.kind == Kind::Date,
            [
                self.year,
                self.month,
                self.day,
                self.hour,
                self.minute,
                self.second,
                self.micro,
            ],
        )
    }

    /// Python `str()`.
    pub(crate) fn py_str(&self) -> String {
        let date = format!("{:04}-{:02}-{:02}", self.year, self.month, self.day);
        if self.kind == Kind::Date {
            return date;
        }
        let mut s = format!(
            "{date} {:02}:{:02}:{:02}",
            self.hour, self.minute, self.second
        );
        if self.micro != 0 {
            s.push_str(&format!(".{:06}", self.micro));
        }
        s
    }

    /// Python `repr()`.
    pub(crate) fn py_repr(&self) -> String {
        let (y, m, d) = (self.year, self.month, self.day);
        let class = match self.kind {
            Kind::Date => return format!("datetime.date({y}, {m}, {d})"),
            Kind::DateTime => "datetime.datetime",
            Kind::TimeStamp => "TimeStamp",
        };
        let mut s = format!("{class}({y}, {m}, {d}, {}, {}", self.hour, self.minute);
        if self.second != 0 || self.micro != 0 {
            s.push_str(&format!(", {}", self.second));
        }
        if self.micro != 0 {
            s.push_str(&format!(", {}", self.micro));
        }
        s.push(')');
        s
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Option<Result<(String, String), String>> {
        parse(s).map(|r| r.map(|t| (t.py_str(), t.py_repr())))
    }

    #[test]
    fn like_ruyaml() {
        assert_eq!(
            ts("2020-01-01"),
            Some(Ok((
                "2020-01-01".into(),
                "datetime.date(2020, 1, 1)".into()
            )))
        );
        assert_eq!(ts("2020-1-1"), None);
        assert_eq!(
            ts("2020-1-1 10:00:00"),
            Some(Ok((
                "2020-01-01 10:00:00".into(),
                "datetime.datetime(2020, 1, 1, 10, 0)".into()
            )))
        );
        assert_eq!(
            ts("2020-01-01T10:00:00Z"),
            Some(Ok((
                "2020-01-01 10:00:00".into(),
                "TimeStamp(2020, 1, 1, 10, 0)".into()
            )))
        );
        assert_eq!(
            ts("2020-01-01 00:30:00 +01:00"),
            Some(Ok((
                "2019-12-31 23:30:00".into(),
                "TimeStamp(2019, 12, 31, 23, 30)".into()
            )))
        );
        assert!(matches!(ts("2020-13-01"), Some(Err(_))));
        assert!(matches!(ts("2021-02-29"), Some(Err(_))));
    }
}
