//! Python's `float()` and `int()` applied to YAML values: the library converts `version`
//! with `float()` and `expectations.population_size` with `int()` (spec/pipeline.md §3,
//! §6), so strings like `' 4 '`, `'1_0'` and `'nan'` count as numbers.

use super::yaml::{Node, Value};

/// `float(value)`, or `None` where Python raises TypeError/ValueError.
pub(crate) fn py_float(node: &Node) -> Option<f64> {
    match &node.value {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Str(s) => float_from_str(s),
        _ => None,
    }
}

/// Why `int(value)` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntError {
    /// TypeError or ValueError: the library reports "must be a number".
    NotANumber,
    /// OverflowError (`int(inf)`): the library crashes.
    Overflow,
}

/// `int(value)`: truncates floats, accepts numeric strings in base 10.
pub(crate) fn py_int(node: &Node) -> Result<i128, IntError> {
    match &node.value {
        Value::Bool(b) => Ok(i128::from(*b)),
        Value::Int(i) => Ok(*i),
        Value::Float(f) if f.is_nan() => Err(IntError::NotANumber),
        Value::Float(f) if f.is_infinite() => Err(IntError::Overflow),
        Value::Float(f) => Ok(f.trunc() as i128),
        Value::Str(s) => int_from_str(s).ok_or(IntError::NotANumber),
        _ => Err(IntError::NotANumber),
    }
}

/// Python's digit groups: digits with single underscores between them.
fn digit_part(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('_')
        && !s.ends_with('_')
        && !s.contains("__")
        && s.chars().all(|c| c.is_ascii_digit() || c == '_')
}

fn strip_sign(s: &str) -> (bool, &str) {
    match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    }
}

fn float_from_str(s: &str) -> Option<f64> {
    let t = s.trim();
    let (negative, body) = strip_sign(t);
    let lower = body.to_ascii_lowercase();
    let magnitude = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            let (mantissa, exponent) = match lower.find('e') {
                Some(i) => (&lower[..i], Some(&lower[i + 1..])),
                None => (lower.as_str(), None),
            };
            let mantissa_ok = match mantissa.split_once('.') {
                Some((a, b)) => {
                    (a.is_empty() || digit_part(a))
                        && (b.is_empty() || digit_part(b))
                        && !(a.is_empty() && b.is_empty())
                }
                None => digit_part(mantissa),
            };
            let exponent_ok = exponent.is_none_or(|e| digit_part(strip_sign(e).1));
            if !mantissa_ok || !exponent_ok {
                return None;
            }
            let cleaned: String = lower.chars().filter(|&c| c != '_').collect();
            cleaned.parse::<f64>().ok()?
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn int_from_str(s: &str) -> Option<i128> {
    let (negative, body) = strip_sign(s.trim());
    if !digit_part(body) {
        return None;
    }
    let cleaned: String = body.chars().filter(|&c| c != '_').collect();
    let magnitude: i128 = cleaned.parse().ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_strings() {
        assert_eq!(float_from_str(" 4 "), Some(4.0));
        assert_eq!(float_from_str("1_0"), Some(10.0));
        assert_eq!(float_from_str(".5"), Some(0.5));
        assert_eq!(float_from_str("4."), Some(4.0));
        assert_eq!(float_from_str("1e0"), Some(1.0));
        assert_eq!(float_from_str("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(float_from_str("nan").is_some_and(f64::is_nan));
        assert_eq!(float_from_str("0x4"), None);
        assert_eq!(float_from_str("1__0"), None);
        assert_eq!(float_from_str("."), None);
        assert_eq!(float_from_str("abc"), None);
    }

    #[test]
    fn int_strings() {
        assert_eq!(int_from_str("  12 "), Some(12));
        assert_eq!(int_from_str("1_000"), Some(1000));
        assert_eq!(int_from_str("10.5"), None);
    }
}
