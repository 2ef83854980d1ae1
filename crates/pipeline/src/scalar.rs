//! Scalar resolution: what type a YAML scalar becomes, by ruyaml's rules (spec/pipeline.md
//! §2). ruyaml picks candidate types by the scalar's first character, then matches each
//! type's pattern; YAML 1.2 rules by default, YAML 1.1 rules after a `%YAML 1.1`
//! directive. Only plain scalars are resolved; quoted and block scalars are strings.
//! Tags `!!str` & co. force a type; an unknown tag gives an opaque tagged scalar, which
//! the library's type checks then refuse.
//!
//! `Err` means ruyaml's constructor crashes on the scalar (e.g. `!!float 4`, which it
//! parses by looking for the `.`, or a date like `2021-02-29`).

use saphyr_parser::{ScalarStyle, Tag};

use super::timestamp;
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
/// YAML's merge key `<<`.
pub(crate) const MERGE_TAG: &str = "tag:yaml.org,2002:merge";
/// YAML's `=` "value" type: a plain `=` resolves to it.
pub(crate) const VALUE_TAG: &str = "tag:yaml.org,2002:value";

/// The value of one scalar event.
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
    resolve_plain(text, schema)
}

fn resolve_tagged(text: &str, tag: &Tag, schema: Schema) -> Result<Value, String> {
    if tag.handle == "!" && tag.suffix.is_empty() {
        // The non-specific tag `!` makes a string.
        return Ok(Value::Str(text.to_string()));
    }
    let tagged = || Value::tagged(&tag.to_string(), text);
    if tag.handle != CORE {
        return Ok(tagged());
    }
    match tag.suffix.as_str() {
        "str" => Ok(Value::Str(text.to_string())),
        "null" => Ok(Value::Null),
        "bool" => match text.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "on" => Ok(Value::Bool(true)),
            "no" | "n" | "false" | "off" => Ok(Value::Bool(false)),
            _ => Err(format!("KeyError: {:?}", text.to_lowercase())),
        },
        "int" => construct_int(text, schema),
        "float" => construct_float(text, schema),
        "timestamp" => match timestamp::parse(text) {
            Some(Ok(t)) => Ok(Value::Timestamp(Box::new(t))),
            Some(Err(e)) => Err(format!("ValueError: {e}")),
            None => Err(format!("failed to construct timestamp from \"{text}\"")),
        },
        "binary" => Ok(Value::Bytes(text.to_string())),
        _ => Ok(tagged()),
    }
}

/// Implicit resolution of a plain scalar.
pub(crate) fn resolve_plain(text: &str, schema: Schema) -> Result<Value, String> {
    let first = text.chars().next();
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Ok(Value::Null);
    }
    if let Some(b) = bool_of(text, schema) {
        return Ok(Value::Bool(b));
    }
    if first.is_some_and(|c| "-+0123456789.".contains(c)) && is_float(text, schema) {
        return construct_float(text, schema);
    }
    if first.is_some_and(|c| "-+0123456789".contains(c)) && is_int(text, schema) {
        return construct_int(text, schema);
    }
    if text == "<<" {
        return Ok(Value::tagged(MERGE_TAG, text));
    }
    if text == "=" {
        return Ok(Value::tagged(VALUE_TAG, text));
    }
    match timestamp::parse(text) {
        Some(Ok(t)) => Ok(Value::Timestamp(Box::new(t))),
        Some(Err(e)) => Err(format!("ValueError: {e}")),
        None => Ok(Value::Str(text.to_string())),
    }
}

fn bool_of(text: &str, schema: Schema) -> Option<bool> {
    match (text, schema) {
        ("true" | "True" | "TRUE", _) => Some(true),
        ("false" | "False" | "FALSE", _) => Some(false),
        ("y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON", Schema::V1_1) => Some(true),
        ("n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF", Schema::V1_1) => Some(false),
        _ => None,
    }
}

fn strip_sign(text: &str) -> &str {
    text.strip_prefix(['-', '+']).unwrap_or(text)
}

/// Every char of a non-empty string passes.
fn all_of(s: &str, ok: impl Fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(ok)
}

fn digit_or_us(c: char) -> bool {
    c.is_ascii_digit() || c == '_'
}

/// `[0-9][0-9_]*`
fn digits_then_us(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit()) && s.chars().all(digit_or_us)
}

/// `(?::[0-5]?[0-9])+`
fn sexagesimal_tail(s: &str) -> bool {
    let Some(rest) = s.strip_prefix(':') else {
        return false;
    };
    rest.split(':').all(|p| {
        let b = p.as_bytes();
        match b.len() {
            1 => b[0].is_ascii_digit(),
            2 => (b'0'..=b'5').contains(&b[0]) && b[1].is_ascii_digit(),
            _ => false,
        }
    })
}

/// `[eE][-+]?[0-9]+` (sign optional) or `[eE][-+][0-9]+` (sign required).
fn exponent(s: &str, sign_required: bool) -> bool {
    let Some(e) = s.strip_prefix(['e', 'E']) else {
        return false;
    };
    let digits = match e.strip_prefix(['-', '+']) {
        Some(d) => d,
        None if sign_required => return false,
        None => e,
    };
    all_of(digits, |c| c.is_ascii_digit())
}

/// ruyaml's float patterns for the schema.
fn is_float(text: &str, schema: Schema) -> bool {
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let signed = text.starts_with(['-', '+']);
    let body = strip_sign(text);
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    // `.5`, `.5e+3`: a sign before the dot only under 1.2; the exponent needs a sign.
    if let Some(frac) = body.strip_prefix('.') {
        if signed && schema == Schema::V1_1 {
            return false;
        }
        let (f, e) = frac.split_at(frac.find(['e', 'E']).unwrap_or(frac.len()));
        return all_of(f, digit_or_us) && (e.is_empty() || exponent(e, true));
    }
    let int_end = body.find(|c: char| !digit_or_us(c)).unwrap_or(body.len());
    let (int_part, rest) = body.split_at(int_end);
    if !digits_then_us(int_part) {
        // 1.1 sexagesimal float: `[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*`.
        return false;
    }
    if let Some(after_dot) = rest.strip_prefix('.') {
        let (f, e) = after_dot.split_at(after_dot.find(['e', 'E']).unwrap_or(after_dot.len()));
        return f.chars().all(digit_or_us) && (e.is_empty() || exponent(e, false));
    }
    if rest.starts_with(['e', 'E']) {
        return exponent(rest, false);
    }
    schema == Schema::V1_1
        && rest.starts_with(':')
        && rest
            .rsplit_once('.')
            .is_some_and(|(sexa, frac)| sexagesimal_tail(sexa) && frac.chars().all(digit_or_us))
}

/// ruyaml's int patterns for the schema.
fn is_int(text: &str, schema: Schema) -> bool {
    let body = strip_sign(text);
    if let Some(bin) = body.strip_prefix("0b") {
        return all_of(bin, |c| matches!(c, '0' | '1' | '_'));
    }
    if let Some(hex) = body.strip_prefix("0x") {
        return all_of(hex, |c| c.is_ascii_hexdigit() || c == '_');
    }
    let octal = |s: &str| all_of(s, |c| matches!(c, '0'..='7' | '_'));
    match schema {
        Schema::V1_2 => {
            body.strip_prefix("0o").is_some_and(octal)
                || body.strip_prefix('0').is_some_and(octal)
                || all_of(body, digit_or_us)
        }
        Schema::V1_1 => {
            if octal(body) || body.strip_prefix('0').is_some_and(octal) || body == "0" {
                return true;
            }
            let starts_nonzero = body.starts_with(|c: char| matches!(c, '1'..='9'));
            if starts_nonzero && body.chars().all(digit_or_us) {
                return true;
            }
            let end = body.find(':').unwrap_or(body.len());
            starts_nonzero && body[..end].chars().all(digit_or_us) && sexagesimal_tail(&body[end..])
        }
    }
}

/// ruyaml's round-trip int constructor, including the inputs it crashes on.
fn construct_int(text: &str, schema: Schema) -> Result<Value, String> {
    let crash = |what: &str| Err(format!("{what} (constructing an int from {text:?})"));
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let negative = cleaned.starts_with('-');
    let body = strip_sign(&cleaned);
    if body.is_empty() {
        return crash("IndexError: string index out of range");
    }
    let parsed = if body == "0" {
        Some(0)
    } else if let Some(b) = body.strip_prefix("0b") {
        if b.is_empty() {
            return crash("IndexError: string index out of range");
        }
        i128::from_str_radix(b, 2).ok()
    } else if let Some(h) = body.strip_prefix("0x") {
        if h.is_empty() {
            return crash("IndexError: string index out of range");
        }
        i128::from_str_radix(h, 16).ok()
    } else if let Some(o) = body.strip_prefix("0o") {
        if o.is_empty() {
            return crash("IndexError: string index out of range");
        }
        i128::from_str_radix(o, 8).ok()
    } else if schema == Schema::V1_1 && body.starts_with('0') {
        i128::from_str_radix(body, 8).ok()
    } else if schema == Schema::V1_1 && body.contains(':') {
        body.split(':').try_fold(0i128, |acc, p| {
            acc.checked_mul(60)?.checked_add(p.parse::<i128>().ok()?)
        })
    } else if body.chars().all(|c| c.is_ascii_digit()) {
        match body.parse::<i128>() {
            Ok(i) => Some(i),
            // Beyond i128: Python keeps an exact int; a float is near enough here.
            Err(_) => {
                let f: f64 = body.parse().unwrap_or(f64::INFINITY);
                return Ok(Value::Float(if negative { -f } else { f }));
            }
        }
    } else {
        None
    };
    match parsed {
        Some(i) => Ok(Value::Int(if negative { -i } else { i })),
        None => crash("ValueError: invalid literal for int()"),
    }
}

/// ruyaml's MantissaNoDotYAML1_1Warning: under YAML 1.1, a float like `1e3` is accepted
/// with this warning (its mark is 0-based).
pub(crate) fn mantissa_warning(
    text: &str,
    value: &Value,
    schema: Schema,
    at: super::yaml_error::Mark,
) -> Option<String> {
    if schema != Schema::V1_1 || !matches!(value, Value::Float(_)) {
        return None;
    }
    let lower = text.to_lowercase();
    if !lower.contains('e') || lower.contains(".inf") || lower.contains(".nan") {
        return None;
    }
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    if mantissa.contains('.') {
        return None;
    }
    Some(format!(
        "\nIn YAML 1.1 floating point values should have a dot ('.') in their mantissa.\nSee the Floating-Point Language-Independent Type for YAML\u{2122} Version 1.1 specification\n( http://yaml.org/type/float.html ). This dot is not required for JSON nor for YAML 1.2\n\nCorrect your float: \"{text}\" on line: {}, column: {}\n\nor alternatively include the following in your code:\n\n  import warnings\n  warnings.simplefilter('ignore', ruyaml.error.MantissaNoDotYAML1_1Warning)\n\n",
        at.line - 1,
        at.col
    ))
}

/// ruyaml's round-trip float constructor. Without an exponent it locates the `.` with
/// `str.index`, so `!!float 4` crashes.
fn construct_float(text: &str, schema: Schema) -> Result<Value, String> {
    let lower: String = text
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_lowercase();
    let negative = lower.starts_with('-');
    let body = strip_sign(&lower);
    let sign = if negative { -1.0 } else { 1.0 };
    if body == ".inf" {
        return Ok(Value::Float(sign * f64::INFINITY));
    }
    if body == ".nan" {
        return Ok(Value::Float(f64::NAN));
    }
    let bad = || format!("ValueError: could not convert string to float: {text:?}");
    if schema == Schema::V1_1 && body.contains(':') {
        let mut total = 0.0;
        for p in body.split(':') {
            total = total * 60.0 + python_float(p).ok_or_else(bad)?;
        }
        return Ok(Value::Float(sign * total));
    }
    if !body.contains('e') && !text.contains('.') {
        return Err("ValueError: substring not found".into());
    }
    python_float(body)
        .map(|f| Value::Float(sign * f))
        .ok_or_else(bad)
}

/// Python `float()` of an unsigned decimal literal without underscores (`1.`, `.5`,
/// `1.e5` included).
fn python_float(s: &str) -> Option<f64> {
    let (mantissa, exp) = match s.find('e') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int_part, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac.is_empty() {
        return None;
    }
    let normal = format!(
        "{}.{}{}",
        if int_part.is_empty() { "0" } else { int_part },
        if frac.is_empty() { "0" } else { frac },
        exp.map(|e| format!("e{e}")).unwrap_or_default()
    );
    normal.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        format!("{:?}", resolve_plain(s, Schema::V1_2))
    }

    fn r11(s: &str) -> String {
        format!("{:?}", resolve_plain(s, Schema::V1_1))
    }

    #[test]
    fn core_schema() {
        assert_eq!(r("yes"), "Ok(Str(\"yes\"))");
        assert_eq!(r("0o17"), "Ok(Int(15))");
        assert_eq!(r("017"), "Ok(Int(17))");
        assert_eq!(r("0x1F"), "Ok(Int(31))");
        assert_eq!(r("1_000"), "Ok(Int(1000))");
        assert_eq!(r("_1"), "Ok(Str(\"_1\"))");
        assert_eq!(r("1e3"), "Ok(Float(1000.0))");
        assert_eq!(r("4.0e0"), "Ok(Float(4.0))");
        assert_eq!(r(".5"), "Ok(Float(0.5))");
        assert_eq!(r("-.5"), "Ok(Float(-0.5))");
        assert_eq!(r("1."), "Ok(Float(1.0))");
        assert_eq!(r("1.2.3"), "Ok(Str(\"1.2.3\"))");
        assert_eq!(r("~"), "Ok(Null)");
        assert!(r("2020-01-01").starts_with("Ok(Timestamp"));
        assert!(r("2021-02-29").starts_with("Err"));
        assert!(r("0x_").starts_with("Err"));
    }

    #[test]
    fn yaml_1_1() {
        assert_eq!(r11("yes"), "Ok(Bool(true))");
        assert_eq!(r11("n"), "Ok(Bool(false))");
        assert_eq!(r11("017"), "Ok(Int(15))");
        assert_eq!(r11("1:30"), "Ok(Int(90))");
        assert_eq!(r11("-.5"), "Ok(Str(\"-.5\"))");
    }

    #[test]
    fn tagged_floats_need_a_dot() {
        let tag = Tag {
            handle: CORE.to_string(),
            suffix: "float".to_string(),
        };
        assert!(resolve("4", ScalarStyle::Plain, Some(&tag), Schema::V1_2).is_err());
        assert!(resolve("4.0", ScalarStyle::Plain, Some(&tag), Schema::V1_2).is_ok());
    }
}
