//! Timestamps of records: read, and written as RFC 3339. job-server writes `YYYY-MM-DDTHH:MM:SS[.fraction]Z`; that form
//! is read by hand, because chrono's general parser was a tenth of the time spent reading
//! a jobs file (four timestamps a job). Anything else goes to chrono, which takes any
//! RFC 3339 form and words the errors.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};
use serde::de::{Deserialize, Deserializer, Error, Visitor};
use std::fmt;

/// For `#[serde(deserialize_with)]` on a required timestamp.
pub(crate) fn required<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    d.deserialize_str(TimestampVisitor)
}

/// For `#[serde(default, deserialize_with)]` on an optional one (`null` is none).
pub(crate) fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(Option::<Timestamp>::deserialize(d)?.map(|t| t.0))
}

struct Timestamp(DateTime<Utc>);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        required(d).map(Timestamp)
    }
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = DateTime<Utc>;

    // chrono's words, so that a wrong type reads as it did when chrono read it.
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
        parse(text).map_err(E::custom)
    }
}

/// `text` as chrono's `DateTime<Utc>::from_str` reads it, the common form faster.
pub(crate) fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match common_form(text.as_bytes()) {
        Some(t) => Ok(t),
        None => text
            .parse::<DateTime<FixedOffset>>()
            .map(|t| t.with_timezone(&Utc)),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, optionally with a fraction of 1 to 9 digits before the `Z`;
/// None for anything else, including dates and times that do not exist.
fn common_form(text: &[u8]) -> Option<DateTime<Utc>> {
    let (b'Z', text) = text.split_last()? else {
        return None;
    };
    let (head, fraction) = text.split_at_checked(19)?;
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(i, c)| head[i] != c) {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let nanos = match fraction {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            number(digits)? * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(number(&head[0..4])?).ok()?,
        number(&head[5..7])?,
        number(&head[8..10])?,
    )?;
    // Seconds up to 59: a leap second (`:60`) is None here, and left to chrono.
    let time = NaiveTime::from_hms_nano_opt(
        number(&head[11..13])?,
        number(&head[14..16])?,
        number(&head[17..19])?,
        nanos,
    )?;
    Some(date.and_time(time).and_utc())
}

/// `2024-03-05T14:03:22Z`.
pub fn iso(t: DateTime<Utc>) -> String {
    let (day, clock) = (t.date_naive(), t.time());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        day.year(),
        day.month(),
        day.day(),
        clock.hour(),
        clock.minute(),
        clock.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
        text.parse::<DateTime<FixedOffset>>()
            .map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn the_common_form_is_read_as_chrono_reads_it() {
        let texts = [
            "2020-03-04T21:09:08Z",
            "2024-02-29T23:59:59Z",
            "1999-12-31T00:00:00.5Z",
            "2023-12-05T10:41:17.123456789Z",
            "2023-12-05T10:41:17.000001Z",
        ];
        for text in texts {
            assert!(common_form(text.as_bytes()).is_some(), "{text}");
            assert_eq!(parse(text), chrono(text), "{text}");
        }
    }

    /// Every other form gives chrono's answer, valid or not: the fast path only ever
    /// takes what it reads exactly as chrono would.
    #[test]
    fn every_other_form_is_left_to_chrono() {
        let texts = [
            "2023-02-29T10:00:00Z",
            "2024-13-01T10:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T10:60:00Z",
            "2016-12-31T23:59:60Z",
            "2024-01-01T10:00:00+01:00",
            "2024-01-01T10:00:00-00:30",
            "2024-01-01 10:00:00Z",
            "2024-01-01t10:00:00z",
            "2024-01-01T10:00:00.Z",
            "2024-01-01T10:00:00.1234567891Z",
            "2024-01-01T10:00Z",
            "2024-1-01T10:00:00Z",
            "+2024-01-01T10:00:00Z",
            "2024-01-01T10:00:0xZ",
            "2024-01-01T10:00:00",
            "",
            "Z",
            "yesterday",
        ];
        for text in texts {
            assert_eq!(parse(text), chrono(text), "{text}");
        }
        // Each character of a valid timestamp changed in turn.
        let valid = "2023-12-05T10:41:17.25Z";
        for i in 0..valid.len() {
            for c in ['0', '9', 'T', 'Z', '-', ':', '.', ' ', 'x'] {
                let mut text = valid.to_owned();
                text.replace_range(i..=i, &c.to_string());
                assert_eq!(parse(&text), chrono(&text), "{text}");
            }
        }
    }
}
