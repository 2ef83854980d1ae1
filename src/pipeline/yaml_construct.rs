//! The construct pass, in ruyaml's order: depth first, each mapping's merge keys
//! flattened before its own keys (explicit keys win, merged keys come after them), each
//! value constructed before its key's duplicate check. Duplicate keys are errors at
//! every level, worded as ruyaml words them.

use super::pyrepr;
use super::scalar;
use super::yaml::{Entry, Node, Value};
use super::yaml_error::{Mark, YamlError};

/// ruyaml's construction pass: merge keys are flattened (explicit keys win, merged keys
/// come after them) and duplicate keys are rejected, depth first, each mapping's value
/// before its key's duplicate check — the order ruyaml finds them in.
pub(crate) fn construct(node: Node) -> Result<Node, YamlError> {
    let Node {
        value,
        start,
        last_line,
        is_merge_key,
    } = node;
    let value = match value {
        Value::Seq(items) => {
            Value::Seq(items.into_iter().map(construct).collect::<Result<_, _>>()?)
        }
        Value::Map(entries) => Value::Map(construct_map(start, entries)?),
        other => other,
    };
    Ok(Node {
        value,
        start,
        last_line,
        is_merge_key,
    })
}

/// ruyaml's name for a node's kind in messages.
fn node_id(node: &Node) -> &'static str {
    match node.value {
        Value::Seq(_) => "sequence",
        Value::Map(_) => "mapping",
        _ => "scalar",
    }
}

/// A collection key holding another collection: ruyaml turns a collection key into a
/// hashable key type, but not the collections inside it, and hashing then crashes.
fn is_unhashable(key: &Node) -> bool {
    let nested = |n: &Node| matches!(n.value, Value::Seq(_) | Value::Map(_));
    match &key.value {
        Value::Seq(items) => items.iter().any(nested),
        Value::Map(entries) => entries.iter().any(|e| nested(&e.key) || nested(&e.value)),
        _ => false,
    }
}

fn construct_map(start: Mark, entries: Vec<Entry>) -> Result<Vec<Entry>, YamlError> {
    // ruyaml flattens merge keys before it constructs the explicit keys, so a bad merge
    // is reported before a duplicate key of the same mapping.
    let (merge_entries, plain): (Vec<Entry>, Vec<Entry>) =
        entries.into_iter().partition(|e| e.key.is_merge_key);
    let mut merges: Vec<Node> = Vec::new();
    for (i, entry) in merge_entries.into_iter().enumerate() {
        if i > 0 {
            return Err(YamlError::new(
                Some(("while constructing a mapping", start)),
                "found duplicate key \"<<\"",
                Some(entry.key.start),
            ));
        }
        match &entry.value.value {
            Value::Map(_) => merges.push(construct(entry.value)?),
            Value::Seq(items) => {
                for item in items {
                    if !matches!(item.value, Value::Map(_)) {
                        return Err(YamlError::new(
                            Some(("while constructing a mapping", start)),
                            &format!(
                                "expected a mapping for merging, but found {}",
                                node_id(item)
                            ),
                            Some(item.start),
                        ));
                    }
                    merges.push(construct(item.clone())?);
                }
            }
            _ => {
                return Err(YamlError::new(
                    Some(("while constructing a mapping", start)),
                    &format!(
                        "expected a mapping or list of mappings for merging, but found {}",
                        node_id(&entry.value)
                    ),
                    Some(entry.value.start),
                ));
            }
        }
    }
    let mut explicit: Vec<Entry> = Vec::with_capacity(plain.len());
    for entry in plain {
        let mut key = construct(entry.key)?;
        if let Value::Tagged { tag, text } = &key.value {
            // ruyaml reads a `=` key as a plain string.
            if tag == scalar::VALUE_TAG {
                key.value = Value::Str(text.clone());
            }
        }
        if is_unhashable(&key) {
            return Err(YamlError::crash(
                "a mapping key cannot hold a list or mapping (the pipeline library fails here with TypeError: unhashable type: 'CommentedMap')",
                key.start,
            ));
        }
        let value = construct(entry.value)?;
        if let Some(original) = explicit.iter().find(|e| pyrepr::keys_equal(&e.key, &key)) {
            return Err(YamlError::new(
                Some(("while constructing a mapping", start)),
                &format!(
                    "found duplicate key \"{}\" with value \"{}\" (original value: \"{}\")",
                    pyrepr::py_str(&key),
                    pyrepr::py_str(&value),
                    pyrepr::py_str(&original.value),
                ),
                Some(key.start),
            ));
        }
        explicit.push(Entry { key, value });
    }
    // Earlier merge sources win over later ones; explicit keys win over all.
    for source in merges {
        if let Value::Map(source_entries) = source.value {
            for e in source_entries {
                if !explicit.iter().any(|x| pyrepr::keys_equal(&x.key, &e.key)) {
                    explicit.push(e);
                }
            }
        }
    }
    Ok(explicit)
}
