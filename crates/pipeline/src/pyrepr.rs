//! Python renderings of YAML values, because the library's messages embed them: `str()`
//! of keys and values in ruyaml's duplicate-key message, `repr()` inside containers
//! (`ordereddict([('run', 'x')])`), and float `repr` in version messages (`3.0`, `1e+16`).

use super::yaml::{Node, Value};

/// Python `str(value)`.
pub(crate) fn py_str(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => s.clone(),
        Value::Timestamp(t) => t.py_str(),
        Value::Tagged(t) => t.text.clone(),
        _ => py_repr(node),
    }
}

/// Python `repr(value)` for the types ruyaml's round-trip loader produces.
pub(crate) fn py_repr(node: &Node) -> String {
    match &node.value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_repr(*f),
        Value::Str(s) => str_repr(s),
        Value::Timestamp(t) => t.py_repr(),
        Value::Bytes(b) => format!("b'{}'", b.trim()),
        Value::Tagged(t) => format!(
            "TaggedScalar(value={}, style=None, tag={})",
            str_repr(&t.text),
            t.tag
        ),
        Value::Seq(items) => {
            let inner: Vec<String> = items.iter().map(py_repr).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Map(entries) => {
            if entries.is_empty() {
                return "ordereddict()".into();
            }
            let inner: Vec<String> = entries
                .iter()
                .map(|e| format!("({}, {})", py_repr(&e.key), py_repr(&e.value)))
                .collect();
            format!("ordereddict([{}])", inner.join(", "))
        }
    }
}

/// Python `repr(str)`: single quotes unless the text has a `'` and no `"`.
pub(crate) fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python `repr(float)`: the shortest round-trip digits, in exponent form outside
/// 1e-4 ≤ |x| < 1e16.
pub(crate) fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // `{:e}` gives the shortest round-trip digits: "1.2345e17".
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if x < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let body = if exp >= n - 1 {
            format!("{digits}{}.0", "0".repeat((exp - (n - 1)) as usize))
        } else if exp >= 0 {
            let (a, b) = digits.split_at((exp + 1) as usize);
            format!("{a}.{b}")
        } else {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        };
        format!("{sign}{body}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits.clone()
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.abs())
    }
}

/// A number key as the float it is compared as (`keys_equal`).
fn key_number(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Python key equality for mapping keys: `1`, `1.0` and `true` are the same key.
pub(crate) fn keys_equal(a: &Node, b: &Node) -> bool {
    let number = key_number;
    match (&a.value, &b.value) {
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Null, Value::Null) => true,
        (Value::Int(x), Value::Int(y)) => x == y,
        // ruyaml hands out one shared NaN object, and Python's dict lookup finds a key by
        // identity first, so every `.nan` key is the same key.
        (Value::Float(p), Value::Float(q)) if p.is_nan() && q.is_nan() => true,
        (Value::Timestamp(p), Value::Timestamp(q)) => p.same_as(q),
        (x, y) => match (number(x), number(y)) {
            (Some(p), Some(q)) => p == q,
            (None, None) => {
                std::mem::discriminant(x) == std::mem::discriminant(y) && py_repr(a) == py_repr(b)
            }
            _ => false,
        },
    }
}

/// Feeds `hasher` what decides a key's equality, so that keys `keys_equal` calls equal
/// always hash alike (a hash table then only compares keys within a bucket). Numbers hash
/// as the float they are compared as (so `1`, `1.0` and `true` collide, and so do two
/// large ints that round to one float, which `keys_equal` still tells apart), every NaN
/// alike, timestamps by what `same_as` compares, and other values by kind and `repr`.
pub(crate) fn hash_key(node: &Node, hasher: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    match &node.value {
        Value::Str(s) => (0u8, s).hash(hasher),
        Value::Null => 1u8.hash(hasher),
        Value::Float(f) if f.is_nan() => 2u8.hash(hasher),
        Value::Timestamp(t) => (3u8, t.identity()).hash(hasher),
        v => match key_number(v) {
            // -0.0 == 0.0, so both hash as 0.0.
            Some(x) => (4u8, if x == 0.0 { 0 } else { x.to_bits() }).hash(hasher),
            None => (5u8, std::mem::discriminant(v), py_repr(node)).hash(hasher),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_python() {
        assert_eq!(float_repr(3.0), "3.0");
        assert_eq!(float_repr(5.0001), "5.0001");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1e15), "1000000000000000.0");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(0.00001), "1e-05");
        assert_eq!(float_repr(11.0), "11.0");
        assert_eq!(float_repr(-0.5), "-0.5");
        assert_eq!(float_repr(1.2345678901234568e17), "1.2345678901234568e+17");
    }

    #[test]
    fn strings_like_python() {
        assert_eq!(str_repr("a"), "'a'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a\nb"), "'a\\nb'");
    }
}
