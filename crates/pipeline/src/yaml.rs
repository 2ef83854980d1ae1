//! The YAML layer: a small node tree with source positions, built from saphyr-parser's
//! events, shaped the way the library's loader (ruyaml's round-trip loader) sees the
//! document (spec/pipeline.md §2).
//!
//! Loading happens in two passes, like ruyaml's compose-then-construct: first the whole
//! stream is parsed (`yaml_compose`: syntax errors, undefined aliases and a second
//! document are found here), then `yaml_construct` walks the tree in ruyaml's
//! construction order, resolving merge keys and rejecting duplicate keys. The order
//! matters because the first error wins and its message is compared with the library's.
//! Tabs are checked on the side (`yaml_tabs`), because saphyr-parser and ruyaml disagree
//! about them.

use std::collections::BTreeSet;

use super::timestamp::Timestamp;
use super::yaml_compose::{Composed, compose, padded};
use super::yaml_construct::construct;
use super::yaml_error::{Mark, YamlError};
use super::{yaml_compose, yaml_flow, yaml_tabs};

/// A constructed YAML value, with the types the library can tell apart.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    /// A `YYYY-MM-DD…` timestamp (Python gets a date or datetime object). Boxed, as
    /// are tagged scalars: both are rare, and inline they would double every node.
    Timestamp(Box<Timestamp>),
    /// `!!binary`: Python gets `bytes`.
    Bytes(String),
    /// A scalar with an unknown tag: ruyaml's TaggedScalar, which is not a `str`.
    Tagged(Box<Tagged>),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One key/value pair of a mapping.
#[derive(Debug, Clone)]
pub(crate) struct Tagged {
    pub(crate) tag: String,
    pub(crate) text: String,
}

impl Value {
    pub(crate) fn tagged(tag: &str, text: &str) -> Value {
        Value::Tagged(Box::new(Tagged {
            tag: tag.to_string(),
            text: text.to_string(),
        }))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) key: Node,
    pub(crate) value: Node,
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) start: Mark,
    /// The last source line holding content of this node (1-based).
    pub(crate) last_line: usize,
    /// A plain `<<` key: YAML's merge key.
    pub(crate) is_merge_key: bool,
}

impl Node {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The entries of a mapping, or `None` for any other value.
    pub(crate) fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }
}

/// Look a string key up in mapping entries (the library looks keys up as Python `str`).
pub(crate) fn get<'a>(entries: &'a [Entry], key: &str) -> Option<&'a Entry> {
    entries.iter().find(|e| e.key.as_str() == Some(key))
}

/// A loaded document: `root` is `None` for an empty stream or document (the library
/// then crashes; the caller reports that).
pub(crate) struct Document {
    pub(crate) root: Option<Node>,
    /// ruyaml's warnings, in document order.
    pub(crate) warnings: Vec<String>,
}

/// Parse a whole stream into its single document.
/// How many times a text is parsed again with more lines given extra indentation
/// (`yaml_compose::padded`); flow collections are padded all at once, so real files need
/// one or two.
const MAX_REPARSES: usize = 32;

pub(crate) fn parse(text: &str) -> Result<Document, YamlError> {
    if let Some(e) = YamlError::unacceptable_character(text) {
        return Err(e);
    }
    // ruyaml reads NEL (U+0085) as a line break that folds to a space inside scalars
    // (oracle: `a<NEL>b.py` in a plain scalar is `a b.py`), without ending the node;
    // saphyr-parser takes it as an ordinary character. A space reads the same there.
    let text: &str = &match text.contains('\u{85}') {
        true => std::borrow::Cow::Owned(text.replace('\u{85}', " ")),
        false => std::borrow::Cow::Borrowed(text),
    };
    let tab = yaml_tabs::first_refused_tab(text);
    let tab_error = |t: Mark| {
        YamlError::with_bare_context(
            "while scanning for the next token",
            "found character '\\t' that cannot start any token",
            t,
        )
    };
    // Lines given extra indentation, see `yaml_compose::padded`.
    let mut pads: BTreeSet<usize> = BTreeSet::new();
    let mut flow_lines_added = false;
    let mut reparses = 0;
    loop {
        let source = yaml_compose::hide_inner_boms(padded(text, &pads));
        match compose(&source, text, &pads) {
            Ok(composition) => {
                if let Some(t) = tab {
                    return Err(tab_error(t));
                }
                let mut root = composition.root;
                if let Some(node) = root.as_mut() {
                    construct(node)?;
                }
                return Ok(Document {
                    root,
                    warnings: composition.warnings,
                });
            }
            Err(Composed::PadLines { lines, problem }) => {
                // Each attempt parses the whole text again: without a bound, a large file
                // with a badly indented quoted scalar on every other line would take time
                // growing with the square of its size.
                reparses += 1;
                if reparses > MAX_REPARSES {
                    let at = Mark::new(0, lines.first().copied().unwrap_or(1), 0);
                    return Err(YamlError::limit(
                        &format!(
                            "more than {MAX_REPARSES} places in this file continue a quoted value left of its indentation; jobaudit relaxes indentation in at most {MAX_REPARSES}"
                        ),
                        at,
                    ));
                }
                let before = pads.len();
                if !flow_lines_added && problem == yaml_compose::FLOW_INDENT {
                    // The first such error: pad every flow continuation line at once, so
                    // large files do not need one re-parse per line.
                    pads.extend(yaml_flow::continuation_lines(text));
                    flow_lines_added = true;
                }
                pads.extend(lines.iter().copied());
                if pads.len() == before {
                    // Padding did not help: report saphyr's problem as it is.
                    let at = Mark::new(0, lines.first().copied().unwrap_or(1), 0);
                    return Err(YamlError::new(None, problem, Some(at)));
                }
            }
            Err(Composed::Error { error, tab_related }) => {
                let before = |t: Mark| {
                    error
                        .mark()
                        .is_none_or(|m| (t.line, t.col) < (m.line, m.col))
                };
                return Err(match tab {
                    Some(t) if tab_related || before(t) => tab_error(t),
                    _ => error,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A quoted value continued left of its indentation is accepted, as ruyaml accepts
    /// it, by parsing again with that line padded; a file that needs that in more places
    /// than the bound is refused rather than parsed again once per place.
    #[test]
    fn relaxed_indentation_is_bounded() {
        let file = |n: usize| {
            let mut text = String::from("actions:\n");
            for i in 0..n {
                text.push_str(&format!("  a{i}:\n    run: \"python:latest\nx{i}.py\"\n"));
            }
            text
        };
        let loaded = parse(&file(MAX_REPARSES)).unwrap();
        assert!(loaded.root.is_some());
        let Err(refused) = parse(&file(MAX_REPARSES + 1)) else {
            panic!("parsed again once per place");
        };
        assert!(refused.crash, "refused as beyond jobaudit's bounds");
        assert!(
            refused.render("").contains("more than 32 places"),
            "{}",
            refused.render("")
        );
    }
}
