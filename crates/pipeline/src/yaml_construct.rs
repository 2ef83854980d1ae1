//! The construct pass, in ruyaml's order: depth first, each mapping's merge keys
//! flattened before its own keys (explicit keys win, merged keys come after them), each
//! value constructed before its key's duplicate check. Duplicate keys are errors at
//! every level, worded as ruyaml words them.

use std::hash::{BuildHasher, RandomState};

use rustc_hash::FxHashMap;

use super::pyrepr;
use super::scalar;
use super::yaml::{Entry, Node, Value};
use super::yaml_error::{Mark, YamlError};

/// ruyaml's construction pass: merge keys are flattened (explicit keys win, merged keys
/// come after them) and duplicate keys are rejected, depth first, each mapping's value
/// before its key's duplicate check — the order ruyaml finds them in.
/// Construct a node in place. Recursive, so the frames are kept small: nesting is capped
/// at `yaml_compose::MAX_DEPTH`, and the error paths live in separate cold functions.
pub(crate) fn construct(node: &mut Node) -> Result<(), YamlError> {
    let start = node.start;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().try_for_each(construct),
        Value::Map(entries) => {
            let raw = std::mem::take(entries);
            *entries = construct_map(start, raw)?;
            Ok(())
        }
        _ => Ok(()),
    }
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
    for (i, mut entry) in merge_entries.into_iter().enumerate() {
        if i > 0 {
            return Err(duplicate_merge_key(start, &entry));
        }
        match &mut entry.value.value {
            Value::Map(_) => {
                construct(&mut entry.value)?;
                merges.push(entry.value);
            }
            Value::Seq(items) => {
                for item in items.iter_mut() {
                    if !matches!(item.value, Value::Map(_)) {
                        return Err(bad_merge_item(start, item));
                    }
                    construct(item)?;
                }
                merges.append(items);
            }
            _ => return Err(bad_merge_value(start, &entry.value)),
        }
    }
    let mut explicit: Vec<Entry> = Vec::with_capacity(plain.len());
    let mut index = KeyIndex::default();
    for mut entry in plain {
        construct(&mut entry.key)?;
        if let Value::Tagged(t) = &entry.key.value {
            // ruyaml reads a `=` key as a plain string.
            if t.tag == scalar::VALUE_TAG {
                entry.key.value = Value::Str(t.text.clone());
            }
        }
        if is_unhashable(&entry.key) {
            return Err(unhashable_key(&entry.key));
        }
        construct(&mut entry.value)?;
        let hash = index.hash(&entry.key);
        if let Some(original) = index.find(&explicit, &entry.key, hash) {
            return Err(duplicate_key(start, &entry, original));
        }
        index.insert(hash, explicit.len());
        explicit.push(entry);
    }
    // Earlier merge sources win over later ones; explicit keys win over all.
    for source in merges {
        if let Value::Map(source_entries) = source.value {
            for e in source_entries {
                let hash = index.hash(&e.key);
                if index.find(&explicit, &e.key, hash).is_none() {
                    index.insert(hash, explicit.len());
                    explicit.push(e);
                }
            }
        }
    }
    Ok(explicit)
}

/// The keys of one mapping, looked up by hash as Python's dict does, so that a mapping of
/// n keys costs O(n) comparisons rather than O(n²). `pyrepr::keys_equal` still decides
/// within a bucket, earliest entry first: it is not transitive for large ints near floats,
/// and the first equal key is the one ruyaml reports.
#[derive(Default)]
struct KeyIndex {
    /// Randomly keyed: keys come from the file, whose author could otherwise pick keys
    /// that share a bucket.
    state: RandomState,
    /// Per hash: the first and last entry of its bucket.
    buckets: FxHashMap<u64, (usize, usize)>,
    /// Per entry: the next entry of its bucket, or `NONE`.
    next: Vec<usize>,
}

impl KeyIndex {
    const NONE: usize = usize::MAX;

    fn hash(&self, key: &Node) -> u64 {
        let mut hasher = self.state.build_hasher();
        pyrepr::hash_key(key, &mut hasher);
        std::hash::Hasher::finish(&hasher)
    }

    /// The earliest of `entries` whose key equals `key` (`hash` is `key`'s).
    fn find<'e>(&self, entries: &'e [Entry], key: &Node, hash: u64) -> Option<&'e Entry> {
        let mut at = self
            .buckets
            .get(&hash)
            .map_or(Self::NONE, |&(first, _)| first);
        while at != Self::NONE {
            if pyrepr::keys_equal(&entries[at].key, key) {
                return Some(&entries[at]);
            }
            at = self.next[at];
        }
        None
    }

    /// Records that the entry at `position` (the next one) has a key hashing to `hash`.
    fn insert(&mut self, hash: u64, position: usize) {
        debug_assert_eq!(position, self.next.len());
        self.next.push(Self::NONE);
        match self.buckets.get_mut(&hash) {
            Some((_, last)) => {
                self.next[*last] = position;
                *last = position;
            }
            None => {
                self.buckets.insert(hash, (position, position));
            }
        }
    }
}

#[cold]
#[inline(never)]
fn duplicate_key(start: Mark, entry: &Entry, original: &Entry) -> YamlError {
    YamlError::new(
        Some(("while constructing a mapping", start)),
        &format!(
            "found duplicate key \"{}\" with value \"{}\" (original value: \"{}\")",
            pyrepr::py_str(&entry.key),
            pyrepr::py_str(&entry.value),
            pyrepr::py_str(&original.value),
        ),
        Some(entry.key.start),
    )
}

#[cold]
#[inline(never)]
fn duplicate_merge_key(start: Mark, entry: &Entry) -> YamlError {
    YamlError::new(
        Some(("while constructing a mapping", start)),
        "found duplicate key \"<<\"",
        Some(entry.key.start),
    )
}

#[cold]
#[inline(never)]
fn bad_merge_item(start: Mark, item: &Node) -> YamlError {
    YamlError::new(
        Some(("while constructing a mapping", start)),
        &format!(
            "expected a mapping for merging, but found {}",
            node_id(item)
        ),
        Some(item.start),
    )
}

#[cold]
#[inline(never)]
fn bad_merge_value(start: Mark, value: &Node) -> YamlError {
    YamlError::new(
        Some(("while constructing a mapping", start)),
        &format!(
            "expected a mapping or list of mappings for merging, but found {}",
            node_id(value)
        ),
        Some(value.start),
    )
}

#[cold]
#[inline(never)]
fn unhashable_key(key: &Node) -> YamlError {
    YamlError::crash(
        "a mapping key cannot hold a list or mapping (the pipeline library fails here with TypeError: unhashable type: 'CommentedMap')",
        key.start,
    )
}

#[cfg(test)]
mod tests {
    use crate::{ErrorKind, load};

    /// The YAML error of `text`, which must not load.
    fn error(text: &str) -> crate::PipelineError {
        load(text).expect_err("the text is refused")
    }

    #[test]
    fn keys_python_calls_equal_are_duplicates_whatever_their_type() {
        for (text, key, value, original) in [
            ("{1: a, 1.0: b}", "1.0", "b", "a"),
            ("{1: a, true: b}", "True", "b", "a"),
            ("{0: a, -0.0: b}", "-0.0", "b", "a"),
            ("{.nan: a, .NaN: b}", "nan", "b", "a"),
            (
                "{9007199254740993: a, 9007199254740992.0: b}",
                "9007199254740992.0",
                "b",
                "a",
            ),
            ("{2020-01-01: a, 2020-01-01: b}", "2020-01-01", "b", "a"),
            ("{null: a, ~: b}", "None", "b", "a"),
        ] {
            let e = error(text);
            assert_eq!(e.kind, ErrorKind::Yaml, "{text}");
            let expected = format!(
                "found duplicate key \"{key}\" with value \"{value}\" (original value: \"{original}\")"
            );
            assert!(e.message.contains(&expected), "{text}: {}", e.message);
        }
    }

    #[test]
    fn keys_python_tells_apart_are_not_duplicates() {
        // Two ints that round to one float are still two keys; 1 and "1" differ too.
        for text in [
            "{9007199254740993: a, 9007199254740992: b}",
            "{1: a, '1': b}",
            "{2020-01-01: a, 2020-01-01 00:00:00: b}",
            "{.nan: a, .inf: b}",
        ] {
            if let Err(e) = load(text) {
                assert!(!e.message.contains("duplicate"), "{text}: {}", e.message);
            }
        }
    }

    #[test]
    fn the_first_equal_key_is_the_original_even_when_a_bucket_holds_others() {
        // 2^53 + 1 (an int) and 2^53 hash alike; 2^53 as a float equals only the second.
        let e = error("{9007199254740993: a, 9007199254740992: b, 9007199254740992.0: c}");
        assert!(
            e.message.contains("(original value: \"a\")"),
            "{}",
            e.message
        );
    }

    #[test]
    fn many_keys_and_merges_keep_explicit_keys_first() {
        let mut text = String::from("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n");
        for i in 0..5000 {
            text.push_str(&format!("  k{i}: {i}\n"));
        }
        text.push_str("  x: 9\n");
        let document = super::super::yaml::parse(&text).unwrap();
        let root = document.root.unwrap();
        let m = &super::super::yaml::get(root.entries().unwrap(), "m")
            .unwrap()
            .value;
        let entries = m.entries().unwrap();
        assert_eq!(entries.len(), 5002);
        assert_eq!(entries[5000].key.as_str(), Some("x"));
        assert!(matches!(entries[5000].value.value, super::Value::Int(9)));
        assert_eq!(entries[5001].key.as_str(), Some("y"));
    }

    #[test]
    fn a_deep_value_in_a_duplicate_message_does_not_overflow_the_stack() {
        let deep = format!("{}1{}", "[".repeat(246), "]".repeat(246));
        let e = error(&format!("a: {deep}\na: {deep}\n"));
        assert!(
            e.message.contains("found duplicate key \"a\""),
            "{}",
            e.message
        );
    }
}
