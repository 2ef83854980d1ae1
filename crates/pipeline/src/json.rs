//! YAML values as JSON, the way the oracle (`ref_pipeline.py`) prints them: dates and
//! other non-JSON scalars as strings, non-finite floats as their Python repr, and
//! non-string keys JSON-encoded.

use serde_json::{Map, Number, Value as Json};

use super::pyrepr::{float_repr, py_str};
use super::yaml::{Node, Value};

pub(crate) fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => i64::try_from(*i)
            .map(Json::from)
            .or_else(|_| u64::try_from(*i).map(Json::from))
            .unwrap_or_else(|_| Json::String(i.to_string())),
        Value::Float(f) => {
            Number::from_f64(*f).map_or_else(|| Json::String(float_repr(*f)), Json::Number)
        }
        Value::Str(s) => Json::String(s.clone()),
        Value::Timestamp(_) | Value::Bytes(_) | Value::Tagged(_) => Json::String(py_str(node)),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => {
            let mut map = Map::new();
            for e in entries {
                let key = match &e.key.value {
                    Value::Str(s) => s.clone(),
                    _ => to_json(&e.key).to_string(),
                };
                map.insert(key, to_json(&e.value));
            }
            Json::Object(map)
        }
    }
}
