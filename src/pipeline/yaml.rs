//! The YAML layer: a small node tree with source positions, built from saphyr-parser's
//! events, shaped the way the library's loader (ruyaml's round-trip loader) sees the
//! document (spec/pipeline.md §2).
//!
//! Building happens in two passes, like ruyaml's compose-then-construct: first the whole
//! stream is parsed (syntax errors, undefined aliases and a second document are found
//! here), then [`construct`] walks the tree in ruyaml's construction order, resolving
//! merge keys and rejecting duplicate keys. The order matters because the first error
//! wins and its message is compared with the library's.

use saphyr_parser::{Event, Parser, Span};

use super::pyrepr;
use super::scalar::{self, Schema};
use super::timestamp::Timestamp;
use super::yaml_error::{Mark, YamlError};
use super::{yaml_syntax, yaml_tabs};

/// A constructed YAML value, with the types the library can tell apart.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    /// A `YYYY-MM-DD…` timestamp (Python gets a date or datetime object).
    Timestamp(Timestamp),
    /// `!!binary`: Python gets `bytes`.
    Bytes(String),
    /// A scalar with an unknown tag: ruyaml's TaggedScalar, which is not a `str`.
    Tagged {
        tag: String,
        text: String,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One key/value pair of a mapping.
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
    is_merge_key: bool,
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

/// Parse a whole stream into its single document. `Ok(None)` is an empty stream or an
/// empty document (the library then crashes; the caller reports that).
pub(crate) fn parse(text: &str) -> Result<Document, YamlError> {
    let tab = yaml_tabs::first_refused_tab(text);
    let tab_error = |t: Mark| {
        YamlError::with_bare_context(
            "while scanning for the next token",
            "found character '\\t' that cannot start any token",
            t,
        )
    };
    // Lines given extra indentation, see `padded`.
    let mut pads: Vec<usize> = Vec::new();
    loop {
        let source = padded(text, &pads);
        match compose(&source, text, &pads) {
            Ok(composition) => {
                if let Some(t) = tab {
                    return Err(tab_error(t));
                }
                return Ok(Document {
                    root: composition.root.map(construct).transpose()?,
                    warnings: composition.warnings,
                });
            }
            Err(Composed::FlowIndent(line)) if !pads.contains(&line) => pads.push(line),
            Err(Composed::FlowIndent(line)) => {
                return Err(YamlError::new(
                    None,
                    "invalid indentation in flow construct",
                    Some(Mark::new(0, line, 0)),
                ));
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

/// How much indentation a padded line gets: more than any real block indentation.
const PAD: usize = 256;

/// ruyaml does not check the indentation of flow collections continued over several
/// lines (`needs: [a,\n  b]` with `b` left of the key's value is accepted); saphyr-parser
/// does. Such lines are re-parsed with extra indentation, which changes nothing else in
/// flow context, and their columns are shifted back in every mark.
fn padded(text: &str, pads: &[usize]) -> String {
    if pads.is_empty() {
        return text.to_string();
    }
    let pad = " ".repeat(PAD);
    let mut out = String::with_capacity(text.len() + pads.len() * PAD);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if pads.contains(&(i + 1)) {
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    out
}

enum Composed {
    FlowIndent(usize),
    Error { error: YamlError, tab_related: bool },
}

/// The compose pass: events to a node tree, without merge or duplicate handling.
fn compose(source: &str, original: &str, pads: &[usize]) -> Result<Composition, Composed> {
    let mut builder = Builder {
        text: original,
        pads,
        schema: scalar::schema_of(original),
        stack: Vec::new(),
        anchors: Vec::new(),
        root: None,
        documents: 0,
        warnings: Vec::new(),
        source: source.chars().collect(),
    };
    let mut parser = Parser::new_from_str(source);
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, span)) => {
                let done = builder
                    .event(event, span)
                    .map_err(|error| Composed::Error {
                        error,
                        tab_related: false,
                    })?;
                if done {
                    break;
                }
            }
            Err(e) => {
                // ruyaml does not check the indentation of flow content.
                let info = e.info();
                if info.starts_with("invalid indentation in flow construct")
                    || (builder.in_flow() && info.starts_with("invalid indentation"))
                {
                    return Err(Composed::FlowIndent(e.marker().line()));
                }
                let mark = builder.mark(*e.marker());
                let open = |want_map: bool| {
                    builder.stack.iter().rev().find_map(|f| match f {
                        Frame::Map { start, .. } if want_map => Some(*start),
                        Frame::Seq { start, .. } if !want_map => Some(*start),
                        _ => None,
                    })
                };
                // The block collection a stray bracket ends up in: ruyaml closes every
                // block collection indented deeper than the bracket first.
                let block = builder.stack.iter().rev().find_map(|f| match f {
                    Frame::Map {
                        start, flow: false, ..
                    } if start.col <= mark.col => Some((true, *start)),
                    Frame::Seq {
                        start, flow: false, ..
                    } if start.col <= mark.col => Some((false, *start)),
                    _ => None,
                });
                let root = builder
                    .stack
                    .first()
                    .map(Frame::start)
                    .or(builder.root.as_ref().map(|r| r.start));
                let state = yaml_syntax::ParseState {
                    block,
                    open_map: open(true),
                    open_seq: open(false),
                    root,
                };
                return Err(Composed::Error {
                    error: yaml_syntax::translate(original, e.info(), mark, &state),
                    tab_related: e.info().contains("tab"),
                });
            }
        }
    }
    Ok(Composition {
        root: builder.root,
        warnings: builder.warnings,
    })
}

/// A composed document and the warnings ruyaml gives while loading it.
struct Composition {
    root: Option<Node>,
    warnings: Vec<String>,
}

/// A loaded document: `root` is `None` for an empty stream.
pub(crate) struct Document {
    pub(crate) root: Option<Node>,
    pub(crate) warnings: Vec<String>,
}

enum Frame {
    Seq {
        flow: bool,
        start: Mark,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        flow: bool,
        start: Mark,
        anchor: usize,
        items: Vec<Node>,
    },
}

impl Frame {
    fn start(&self) -> Mark {
        match self {
            Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
        }
    }

    fn is_flow(&self) -> bool {
        match self {
            Frame::Seq { flow, .. } | Frame::Map { flow, .. } => *flow,
        }
    }
}

struct Builder<'t> {
    text: &'t str,
    /// The text saphyr parses (the original, maybe padded), to tell flow from block.
    source: Vec<char>,
    pads: &'t [usize],
    schema: Schema,
    stack: Vec<Frame>,
    anchors: Vec<(usize, Node)>,
    root: Option<Node>,
    documents: usize,
    /// ruyaml's warnings, in document order.
    warnings: Vec<String>,
}

impl Builder<'_> {
    fn mark(&self, m: saphyr_parser::Marker) -> Mark {
        let col = if self.pads.contains(&m.line()) && m.col() >= PAD {
            m.col() - PAD
        } else {
            m.col()
        };
        Mark::new(m.index(), m.line(), col)
    }

    /// Inside a flow collection (where a `key: value` pair also opens a mapping).
    fn in_flow(&self) -> bool {
        self.stack.last().is_some_and(Frame::is_flow)
    }

    /// Feed one event; `true` when the stream is done.
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<bool, YamlError> {
        match event {
            Event::StreamEnd => return Ok(true),
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    // ruyaml stops at the second document and names the first one's root.
                    let first = self
                        .root
                        .as_ref()
                        .map(|r| r.start)
                        .unwrap_or_else(|| Mark::new(0, 1, 0));
                    return Err(YamlError::new(
                        Some(("expected a single document in the stream", first)),
                        "but found another document",
                        Some(self.mark(span.start)),
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let start = self.mark(span.start);
                let end = self.mark(span.end);
                let value = scalar::resolve(&text, style, tag.as_deref(), self.schema)
                    .map_err(|problem| YamlError::crash(&problem, start))?;
                if let Some(w) = scalar::mantissa_warning(&text, &value, self.schema, start) {
                    self.warnings.push(w);
                }
                let node = Node {
                    is_merge_key: matches!(&value, Value::Tagged { tag, .. } if tag == scalar::MERGE_TAG),
                    value,
                    start,
                    last_line: last_line_of(self.text, start, end),
                };
                self.finish(node, anchor);
            }
            Event::Alias(id) => {
                let start = self.mark(span.start);
                let end = self.mark(span.end);
                let Some((_, target)) = self.anchors.iter().rev().find(|(a, _)| *a == id) else {
                    return Err(YamlError::new(None, "found undefined alias", Some(start)));
                };
                let mut node = target.clone();
                node.start = start;
                node.last_line = last_line_of(self.text, start, end);
                node.is_merge_key = false;
                self.finish(node, 0);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                flow: self.in_flow() || self.source.get(span.start.index()) == Some(&'['),
                start: self.mark(span.start),
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                flow: self.in_flow() || self.source.get(span.start.index()) == Some(&'{'),
                start: self.mark(span.start),
                anchor,
                items: Vec::new(),
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.mark(span.end);
                match self.stack.pop() {
                    Some(Frame::Seq {
                        start,
                        flow: _,
                        anchor,
                        items,
                    }) => {
                        let last = items.iter().map(|n| n.last_line).max();
                        let node = Node {
                            last_line: last.unwrap_or_else(|| last_line_of(self.text, start, end)),
                            value: Value::Seq(items),
                            start,
                            is_merge_key: false,
                        };
                        self.finish(node, anchor);
                    }
                    Some(Frame::Map {
                        start,
                        flow: _,
                        anchor,
                        items,
                    }) => {
                        let last = items.iter().map(|n| n.last_line).max();
                        let mut entries = Vec::with_capacity(items.len() / 2);
                        let mut it = items.into_iter();
                        while let (Some(key), Some(value)) = (it.next(), it.next()) {
                            entries.push(Entry { key, value });
                        }
                        let node = Node {
                            last_line: last.unwrap_or_else(|| last_line_of(self.text, start, end)),
                            value: Value::Map(entries),
                            start,
                            is_merge_key: false,
                        };
                        self.finish(node, anchor);
                    }
                    None => {}
                }
            }
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
        }
        Ok(false)
    }

    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            Some(Frame::Seq { items, .. } | Frame::Map { items, .. }) => items.push(node),
            None => self.root = Some(node),
        }
    }
}

/// The last line with content between two marks: a mark at column 0 means the node ended
/// with the previous line break.
fn last_line_of(text: &str, start: Mark, end: Mark) -> usize {
    let _ = text;
    if end.line > start.line && end.col == 0 {
        end.line - 1
    } else {
        end.line.max(start.line)
    }
}

/// ruyaml's construction pass: merge keys are flattened (explicit keys win, merged keys
/// come after them) and duplicate keys are rejected, depth first, each mapping's value
/// before its key's duplicate check — the order ruyaml finds them in.
fn construct(node: Node) -> Result<Node, YamlError> {
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
    let mut explicit: Vec<Entry> = Vec::with_capacity(entries.len());
    let mut merges: Vec<Node> = Vec::new();
    let mut seen_merge = false;
    for entry in entries {
        if entry.key.is_merge_key {
            if seen_merge {
                return Err(YamlError::new(
                    Some(("while constructing a mapping", start)),
                    "found duplicate key \"<<\"",
                    Some(entry.key.start),
                ));
            }
            seen_merge = true;
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
            continue;
        }
        let mut key = construct(entry.key)?;
        if let Value::Tagged { tag, text } = &key.value {
            // ruyaml reads a `=` key as a plain string.
            if tag == scalar::VALUE_TAG {
                key.value = Value::Str(text.clone());
            }
        }
        if is_unhashable(&key) {
            return Err(YamlError::crash(
                "TypeError: unhashable type: 'CommentedMap'",
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
