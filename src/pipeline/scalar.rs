//! Scalar resolution: what type a YAML scalar becomes, by ruyaml's rules (spec/pipeline.md
//! §2). YAML 1.2 core-schema resolution by default, YAML 1.1 rules after a `%YAML 1.1`
//! directive. Only plain scalars are resolved; quoted and block scalars are strings.
//! Tags `!!str` & co. force a type; an unknown tag gives an opaque tagged scalar, which
//! the library's type checks then refuse.

use saphyr_parser::{ScalarStyle, Tag};

use super::yaml::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Schema {
    V1_1,
    V1_2,
}

/// The schema a document asks for: a `%YAML 1.1` directive before the first content
/// switches to 1.1 rules; anything else is 1.2 (ruyaml's default).
pub(crate) fn schema_of(text: &str) -> Schema {
    for line in text.trim_start_matches('\u{feff}').lines() {
        let line = line.trim_end();
        if let Some(rest) = line.strip_prefix("%YAML") {
            if rest.split_whitespace().next() == Some("1.1") {
                return Schema::V1_1;
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') || line.starts_with('%') {
            continue;
        }
        break;
    }
    Schema::V1_2
}

const CORE: &str = "tag:yaml.org,2002:";

/// The value of one scalar event. `Err` holds a construction problem (e.g. `!!int abc`).
pub(crate) fn resolve(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    schema: Schema,
) -> Result<Value, String> {
    if let Some(tag) = tag {
        return resolve_tagged(text, tag, schema);
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::Str(text.to_string()));
    }
    Ok(resolve_plain(text, schema))
}

fn resolve_tagged(text: &str, tag: &Tag, schema: Schema) -> Result<Value, String> {
    let core = tag.handle == CORE;
    let fail = || format!("could not determine a constructor for the tag '{tag}'");
    if tag.handle == "!" && tag.suffix.is_empty() {
        // The non-specific tag `!` makes a string.
        return Ok(Value::Str(text.to_string()));
    }
    if !core {
        return Ok(Value::Tagged {
            tag: tag.to_string(),
            text: text.to_string(),
        });
    }
    match tag.suffix.as_str() {
        "str" => Ok(Value::Str(text.to_string())),
        "null" => Ok(Value::Null),
        "bool" => match resolve_plain(text, schema) {
            v @ Value::Bool(_) => Ok(v),
            _ => Err(fail()),
        },
        "int" => parse_int(text, schema).map(Value::Int).ok_or_else(fail),
        "float" => parse_float(text)
            .or_else(|| parse_int(text, schema).map(|i| i as f64))
            .map(Value::Float)
            .ok_or_else(fail),
        "timestamp" => {
            if is_timestamp(text) {
                Ok(Value::Date(text.to_string()))
            } else {
                Err(fail())
            }
        }
        "binary" => Ok(Value::Bytes(text.to_string())),
        _ => Ok(Value::Tagged {
            tag: tag.to_string(),
            text: text.to_string(),
        }),
    }
}

/// Implicit resolution of a plain scalar.
pub(crate) fn resolve_plain(text: &str, schema: Schema) -> Value {
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Value::Null;
    }
    if let Some(b) = bool_of(text, schema) {
        return Value::Bool(b);
    }
    if is_int_syntax(text, schema) {
        if let Some(i) = parse_int(text, schema) {
            return Value::Int(i);
        }
        // Too big for i128: Python keeps an exact int; a float is near enough here.
        if let Some(f) = parse_float(text) {
            return Value::Float(f);
        }
    }
    if is_float_syntax(text, schema) {
        if let Some(f) = parse_float(text) {
            return Value::Float(f);
        }
    }
    if is_timestamp(text) {
        return Value::Date(text.to_string());
    }
    Value::Str(text.to_string())
}

fn bool_of(text: &str, schema: Schema) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        "yes" | "Yes" | "YES" | "on" | "On" | "ON" if schema == Schema::V1_1 => Some(true),
        "no" | "No" | "NO" | "off" | "Off" | "OFF" if schema == Schema::V1_1 => Some(false),
        _ => None,
    }
}

fn strip_sign(text: &str) -> (bool, &str) {
    if let Some(rest) = text.strip_prefix('-') {
        (true, rest)
    } else {
        (false, text.strip_prefix('+').unwrap_or(text))
    }
}

fn all_of(s: &str, ok: impl Fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(ok)
}

fn is_int_syntax(text: &str, schema: Schema) -> bool {
    let (_, body) = strip_sign(text);
    if let Some(bin) = body.strip_prefix("0b") {
        return all_of(bin, |c| matches!(c, '0' | '1' | '_'));
    }
    if let Some(hex) = body.strip_prefix("0x") {
        return all_of(hex, |c| c.is_ascii_hexdigit() || c == '_');
    }
    match schema {
        Schema::V1_2 => {
            if let Some(oct) = body.strip_prefix("0o") {
                return all_of(oct, |c| matches!(c, '0'..='7' | '_'));
            }
            all_of(body, |c| c.is_ascii_digit() || c == '_')
                && body.chars().any(|c| c.is_ascii_digit())
        }
        Schema::V1_1 => {
            if body == "0" {
                return true;
            }
            if let Some(oct) = body.strip_prefix('0') {
                return all_of(oct, |c| matches!(c, '0'..='7' | '_'));
            }
            let first_ok = body.starts_with(|c: char| matches!(c, '1'..='9'));
            if first_ok && all_of(body, |c| c.is_ascii_digit() || c == '_') {
                return true;
            }
            // Sexagesimal: 1:30:00.
            first_ok && is_sexagesimal(body)
        }
    }
}

fn is_sexagesimal(body: &str) -> bool {
    let mut parts = body.split(':');
    let Some(head) = parts.next() else {
        return false;
    };
    let mut count = 0;
    for p in parts {
        count += 1;
        if !(1..=2).contains(&p.len()) || !p.chars().all(|c| c.is_ascii_digit()) {
            return false;
        }
        if p.len() == 2 && !p.starts_with(|c: char| matches!(c, '0'..='5')) {
            return false;
        }
    }
    count > 0 && all_of(head, |c| c.is_ascii_digit() || c == '_')
}

/// ruyaml's int constructor: underscores dropped, `0b`/`0x`/`0o` prefixes, a leading 0
/// meaning octal only under 1.1, and 1.1 sexagesimal.
fn parse_int(text: &str, schema: Schema) -> Option<i128> {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, body) = strip_sign(&cleaned);
    let magnitude = if let Some(b) = body.strip_prefix("0b") {
        i128::from_str_radix(b, 2).ok()?
    } else if let Some(h) = body.strip_prefix("0x") {
        i128::from_str_radix(h, 16).ok()?
    } else if let Some(o) = body.strip_prefix("0o") {
        i128::from_str_radix(o, 8).ok()?
    } else if schema == Schema::V1_1 && body.len() > 1 && body.starts_with('0') {
        i128::from_str_radix(&body[1..], 8).ok()?
    } else if schema == Schema::V1_1 && body.contains(':') {
        let mut total: i128 = 0;
        for p in body.split(':') {
            total = total
                .checked_mul(60)?
                .checked_add(p.parse::<i128>().ok()?)?;
        }
        total
    } else {
        if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        body.parse::<i128>().ok()?
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn is_float_syntax(text: &str, schema: Schema) -> bool {
    let (signed, body) = match text.strip_prefix(['-', '+']) {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    if matches!(body, ".nan" | ".NaN" | ".NAN") {
        return !signed;
    }
    let digits_us = |s: &str| s.chars().all(|c| c.is_ascii_digit() || c == '_');
    let exponent = |s: &str, sign_required: bool| -> bool {
        let Some(e) = s.strip_prefix(['e', 'E']) else {
            return false;
        };
        let digits = match e.strip_prefix(['-', '+']) {
            Some(d) => d,
            None if sign_required => return false,
            None => e,
        };
        all_of(digits, |c| c.is_ascii_digit())
    };
    // `.5`, `.5e+3` (no sign allowed before the dot; the exponent sign is required).
    if let Some(frac) = body.strip_prefix('.') {
        if signed {
            return false;
        }
        let end = frac.find(['e', 'E']).unwrap_or(frac.len());
        let (f, e) = frac.split_at(end);
        return !f.is_empty() && digits_us(f) && (e.is_empty() || exponent(e, true));
    }
    if !body.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let int_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '_'))
        .unwrap_or(body.len());
    let rest = &body[int_end..];
    if let Some(after_dot) = rest.strip_prefix('.') {
        let end = after_dot.find(['e', 'E']).unwrap_or(after_dot.len());
        let (f, e) = after_dot.split_at(end);
        let sign_required = false;
        return digits_us(f) && (e.is_empty() || exponent(e, sign_required));
    }
    if rest.starts_with(['e', 'E']) {
        // `1e3`: YAML 1.2, and accepted (with a warning) under 1.1 by ruyaml.
        return exponent(rest, false);
    }
    // 1.1 sexagesimal float: 1:30.5
    schema == Schema::V1_1 && rest.starts_with(':') && {
        let (whole, frac) = body.rsplit_once('.').unwrap_or((body, ""));
        frac.chars().all(|c| c.is_ascii_digit() || c == '_')
            && body.contains('.')
            && is_sexagesimal(whole)
    }
}

fn parse_float(text: &str) -> Option<f64> {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, body) = strip_sign(&cleaned);
    let magnitude = match body {
        ".inf" | ".Inf" | ".INF" => f64::INFINITY,
        ".nan" | ".NaN" | ".NAN" => f64::NAN,
        _ if body.contains(':') => {
            let mut total = 0.0;
            for p in body.split(':') {
                total = total * 60.0 + p.parse::<f64>().ok()?;
            }
            total
        }
        _ => body.parse::<f64>().ok()?,
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// ruyaml's timestamp pattern: `YYYY-MM-DD`, or a date with 1–2 digit month/day
/// followed by a time.
fn is_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if b.len() == 10
        && digits(&b[0..4])
        && b[4] == b'-'
        && digits(&b[5..7])
        && b[7] == b'-'
        && digits(&b[8..10])
    {
        return true;
    }
    // Date with time.
    let Some(t_pos) = text.find(['T', 't', ' ', '\t']) else {
        return false;
    };
    let (date, rest) = text.split_at(t_pos);
    let mut dparts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (dparts.next(), dparts.next(), dparts.next(), dparts.next())
    else {
        return false;
    };
    if !(digit_run(y, 4..=4) && digit_run(m, 1..=2) && digit_run(d, 1..=2)) {
        return false;
    }
    let rest = if rest.starts_with(['T', 't']) {
        &rest[1..]
    } else {
        rest.trim_start_matches([' ', '\t'])
    };
    // hh:mm:ss[.frac][ws][Z|±h[h][:mm]]
    let mut it = rest.splitn(3, ':');
    let (Some(h), Some(mi), Some(tail)) = (it.next(), it.next(), it.next()) else {
        return false;
    };
    if !(digit_run(h, 1..=2) && digit_run(mi, 2..=2)) {
        return false;
    }
    if tail.len() < 2 || !digits(&tail.as_bytes()[..2]) {
        return false;
    }
    let mut tail = &tail[2..];
    if let Some(frac) = tail.strip_prefix('.') {
        let end = frac
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(frac.len());
        tail = &frac[end..];
    }
    let tz = tail.trim_start_matches([' ', '\t']);
    if tz.is_empty() {
        return tail.is_empty();
    }
    if tz == "Z" {
        return true;
    }
    let Some(off) = tz.strip_prefix(['-', '+']) else {
        return false;
    };
    let (hh, mm) = off.split_once(':').unwrap_or((off, ""));
    (1..=2).contains(&hh.len())
        && digits(hh.as_bytes())
        && (mm.is_empty() && !off.contains(':') || mm.len() == 2 && digits(mm.as_bytes()))
}

/// ASCII digits only, with a length in `lens`.
fn digit_run(s: &str, lens: std::ops::RangeInclusive<usize>) -> bool {
    lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        format!("{:?}", resolve_plain(s, Schema::V1_2))
    }

    #[test]
    fn core_schema() {
        assert_eq!(r("yes"), "Str(\"yes\")");
        assert_eq!(r("0o17"), "Int(15)");
        assert_eq!(r("017"), "Int(17)");
        assert_eq!(r("0x1F"), "Int(31)");
        assert_eq!(r("1_000"), "Int(1000)");
        assert_eq!(r("1e3"), "Float(1000.0)");
        assert_eq!(r("4.0e0"), "Float(4.0)");
        assert_eq!(r(".5"), "Float(0.5)");
        assert_eq!(r("2020-01-01"), "Date(\"2020-01-01\")");
        assert_eq!(r("1.2.3"), "Str(\"1.2.3\")");
        assert_eq!(r("~"), "Null");
    }

    #[test]
    fn yaml_1_1() {
        assert_eq!(
            format!("{:?}", resolve_plain("yes", Schema::V1_1)),
            "Bool(true)"
        );
        assert_eq!(
            format!("{:?}", resolve_plain("017", Schema::V1_1)),
            "Int(15)"
        );
        assert_eq!(
            format!("{:?}", resolve_plain("1:30", Schema::V1_1)),
            "Int(90)"
        );
    }
}
