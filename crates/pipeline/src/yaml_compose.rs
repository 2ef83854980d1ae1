//! The compose pass: saphyr-parser's events to a [`Node`] tree with positions, scalars
//! resolved, aliases expanded; syntax errors reworded as ruyaml's (`yaml_syntax`).
//!
//! Where ruyaml is more lenient than saphyr-parser about indentation (flow collections
//! and quoted scalars continued on less-indented lines), the caller re-parses with those
//! lines padded; marks are shifted back so positions stay those of the original text.

use std::borrow::Cow;
use std::collections::BTreeSet;

use rustc_hash::FxHashMap;
use saphyr_parser::{Event, Parser, Span};

use super::scalar::{self, Schema};
use super::yaml::{Entry, Node, Value};
use super::yaml_error::{Mark, YamlError};
use super::yaml_syntax;

/// The nesting depth at which ruyaml's recursive composer exceeds Python's recursion
/// limit (oracle-measured: a collection opened at depth 248, the root being depth 1).
/// It also keeps this crate's own recursive passes far from a stack overflow.
const MAX_DEPTH: usize = 248;

/// Work an alias may cause, in node units (a node, or 64 bytes of its scalar text):
/// every document may spend this much on copies of anchored nodes...
const EXPANSION_FLOOR: usize = 100_000;
/// ...and a large text one unit more for each of its bytes in this many. A plain document
/// holds about one node per ten bytes, so copies can at most double its tree, and the
/// document stays linear in the text (a "billion laughs" file is refused, as libyaml-based
/// loaders refuse excessive aliasing, instead of filling memory).
const EXPANSION_BYTES_PER_UNIT: usize = 8;

/// The copies of anchored nodes a text of `len` bytes may make, in node units.
pub(crate) fn expansion_budget(len: usize) -> usize {
    EXPANSION_FLOOR.max(len / EXPANSION_BYTES_PER_UNIT)
}

/// A scalar's size in node units: the node, and its text in 64-byte pieces.
fn scalar_units(text: &str) -> usize {
    1 + text.len() / 64
}

/// A private-use character standing in for a byte order mark inside the text.
const BOM_STAND_IN: char = '\u{f8ff}';

/// ruyaml takes a U+FEFF after the start of the stream as an ordinary character;
/// saphyr-parser refuses it. It is parsed as a stand-in and restored in scalars (the
/// stand-in is one char too, so positions do not move). Texts that already hold the
/// stand-in are left alone.
pub(crate) fn hide_inner_boms(source: Cow<'_, str>) -> Cow<'_, str> {
    let inner = source.char_indices().any(|(i, c)| c == '\u{feff}' && i > 0);
    if !inner || source.contains(BOM_STAND_IN) {
        return source;
    }
    let mut out = String::with_capacity(source.len());
    for (i, c) in source.char_indices() {
        out.push(if c == '\u{feff}' && i > 0 {
            BOM_STAND_IN
        } else {
            c
        });
    }
    Cow::Owned(out)
}

/// saphyr-parser's complaint about flow content left of the block indentation.
pub(crate) const FLOW_INDENT: &str = "invalid indentation in flow construct";

/// Nesting beyond what ruyaml's recursive composer survives.
fn too_deep(at: Mark) -> YamlError {
    YamlError::crash(
        &format!(
            "collections are nested too deeply ({MAX_DEPTH} levels) (the pipeline library fails here with RecursionError: maximum recursion depth exceeded)"
        ),
        at,
    )
}

/// A document whose aliases would copy more than the budget allows.
fn excessive_aliasing(budget: usize, at: Mark) -> YamlError {
    YamlError::limit(
        &format!(
            "the aliases in this file expand to a document far larger than the file (more than {budget} nodes copied); jobaudit refuses such excessive aliasing, as libyaml-based YAML loaders do"
        ),
        at,
    )
}

/// An alias that would put collections deeper than `MAX_DEPTH`: the tree is walked
/// recursively later, so its depth is capped however it is reached.
fn too_deep_through_alias(at: Mark) -> YamlError {
    YamlError::limit(
        &format!(
            "this alias nests collections too deeply ({MAX_DEPTH} levels); jobaudit refuses documents nested this deeply"
        ),
        at,
    )
}

/// How much indentation a padded line gets: more than any real block indentation.
const PAD: usize = 256;

/// ruyaml does not check the indentation of flow collections continued over several
/// lines (`needs: [a,\n  b]` with `b` left of the key's value is accepted); saphyr-parser
/// does. Such lines are re-parsed with extra indentation, which changes nothing else in
/// flow context, and their columns are shifted back in every mark.
pub(crate) fn padded<'t>(text: &'t str, pads: &BTreeSet<usize>) -> Cow<'t, str> {
    if pads.is_empty() {
        return Cow::Borrowed(text);
    }
    let pad = " ".repeat(PAD);
    let mut out = String::with_capacity(text.len() + pads.len() * PAD);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if pads.contains(&(i + 1)) {
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    Cow::Owned(out)
}

/// Why composing stopped.
pub(crate) enum Composed {
    /// Lines to re-parse with extra indentation; `problem` is saphyr's complaint.
    PadLines {
        lines: Vec<usize>,
        problem: &'static str,
    },
    Error {
        error: YamlError,
        tab_related: bool,
    },
}

/// The compose pass: events to a node tree, without merge or duplicate handling.
pub(crate) fn compose(
    source: &str,
    original: &str,
    pads: &BTreeSet<usize>,
) -> Result<Composition, Composed> {
    let mut builder = Builder {
        pads,
        schema: scalar::schema_of(original),
        stack: Vec::new(),
        anchors: FxHashMap::default(),
        root: None,
        documents: 0,
        warnings: Vec::new(),
        source: CharCursor::new(source),
        budget: expansion_budget(original.len()),
        spent: 0,
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
                let flow_continues = builder.in_flow()
                    || yaml_syntax::previous_line_opens_flow(original, e.marker().line());
                if info.starts_with("invalid indentation in flow construct")
                    || (flow_continues && info.starts_with("invalid indentation"))
                {
                    return Err(Composed::PadLines {
                        lines: yaml_syntax::rest_of_flow(original, e.marker().line()),
                        problem: FLOW_INDENT,
                    });
                }
                let mark = builder.mark(*e.marker());
                if info.starts_with("recursion limit exceeded") {
                    return Err(Composed::Error {
                        error: too_deep(mark),
                        tab_related: false,
                    });
                }
                if info.starts_with("invalid indentation in quoted scalar") {
                    // ruyaml does not check a quoted scalar's indentation either: the
                    // scalar runs to its closing quote, or to the end of the stream.
                    return Err(match yaml_syntax::closing_quote_line(original, mark) {
                        Some(end) => Composed::PadLines {
                            lines: (mark.line + 1..=end).collect(),
                            problem: "invalid indentation in quoted scalar",
                        },
                        None => Composed::Error {
                            error: yaml_syntax::unterminated_quote(original, mark),
                            tab_related: false,
                        },
                    });
                }
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
pub(crate) struct Composition {
    pub(crate) root: Option<Node>,
    pub(crate) warnings: Vec<String>,
}

/// A node's size in node units and its height in collections (0 for a scalar): what an
/// alias to it costs, and how deep it reaches.
#[derive(Clone, Copy, Default)]
struct Extent {
    units: usize,
    height: usize,
}

impl Extent {
    /// Grows a collection's extent by one of its items.
    fn add(&mut self, item: Extent) {
        self.units = self.units.saturating_add(item.units);
        self.height = self.height.max(item.height + 1);
    }

    /// A finished collection: itself one node, at least one level high.
    fn collection(self) -> Extent {
        Extent {
            units: self.units.saturating_add(1),
            height: self.height.max(1),
        }
    }
}

enum Frame {
    Seq {
        flow: bool,
        start: Mark,
        anchor: usize,
        items: Vec<Node>,
        extent: Extent,
    },
    Map {
        flow: bool,
        start: Mark,
        anchor: usize,
        items: Vec<Node>,
        extent: Extent,
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

/// Finds the character at a character index (saphyr's marks count characters) without a
/// copy of the text as `char`s, which would be four bytes a byte. Marks arrive nearly in
/// order, so the cursor moves little between lookups.
struct CharCursor<'s> {
    text: &'s str,
    ascii: bool,
    /// A character index and its byte offset.
    chars: usize,
    bytes: usize,
}

impl<'s> CharCursor<'s> {
    fn new(text: &'s str) -> CharCursor<'s> {
        CharCursor {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    fn char_at(&mut self, index: usize) -> Option<char> {
        if self.ascii {
            return self.text.as_bytes().get(index).map(|b| char::from(*b));
        }
        while self.chars > index {
            let c = self.text[..self.bytes].chars().next_back()?;
            self.bytes -= c.len_utf8();
            self.chars -= 1;
        }
        while self.chars < index {
            let c = self.text[self.bytes..].chars().next()?;
            self.bytes += c.len_utf8();
            self.chars += 1;
        }
        self.text[self.bytes..].chars().next()
    }
}

struct Builder<'t> {
    /// The text saphyr parses (the original, maybe padded), to tell flow from block.
    source: CharCursor<'t>,
    pads: &'t BTreeSet<usize>,
    schema: Schema,
    stack: Vec<Frame>,
    /// Each anchor's node as it was finished, with its extent, by saphyr's anchor id
    /// (a fresh id for every `&name`, and an alias names the latest).
    anchors: FxHashMap<usize, (Node, Extent)>,
    /// Node units that copies of anchored nodes may take, and those taken so far.
    budget: usize,
    spent: usize,
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
                let text = match text.contains(BOM_STAND_IN) {
                    true => std::borrow::Cow::Owned(text.replace(BOM_STAND_IN, "\u{feff}")),
                    false => text,
                };
                let start = self.mark(span.start);
                let end = self.mark(span.end);
                let value = scalar::resolve(&text, style, tag.as_deref(), self.schema)
                    .map_err(|problem| {
                        YamlError::crash(
                            &format!(
                                "the value {:?} cannot be read as its YAML type (the pipeline library fails here with {problem})",
                                text.as_ref()
                            ),
                            start,
                        )
                    })?;
                if let Some(w) = scalar::mantissa_warning(&text, &value, self.schema, start) {
                    self.warnings.push(w);
                }
                let node = Node {
                    is_merge_key: matches!(&value, Value::Tagged(t) if t.tag == scalar::MERGE_TAG),
                    value,
                    start,
                    last_line: last_line_of(start, end),
                };
                let extent = Extent {
                    units: scalar_units(&text),
                    height: 0,
                };
                self.finish(node, anchor, extent)?;
            }
            Event::Alias(id) => {
                let start = self.mark(span.start);
                let end = self.mark(span.end);
                let Some(&(_, extent)) = self.anchors.get(&id) else {
                    return Err(YamlError::new(None, "found undefined alias", Some(start)));
                };
                // Checked before the copy is made, so a refused alias costs nothing.
                if self.stack.len() + extent.height >= MAX_DEPTH {
                    return Err(too_deep_through_alias(start));
                }
                self.spend(extent.units, start)?;
                let mut node = self.anchors[&id].0.clone();
                node.start = start;
                node.last_line = last_line_of(start, end);
                node.is_merge_key = false;
                self.finish(node, 0, extent)?;
            }
            Event::SequenceStart(..) | Event::MappingStart(..)
                if self.stack.len() + 1 >= MAX_DEPTH =>
            {
                return Err(too_deep(self.mark(span.start)));
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                flow: self.in_flow() || self.source.char_at(span.start.index()) == Some('['),
                start: self.mark(span.start),
                anchor,
                items: Vec::new(),
                extent: Extent::default(),
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                flow: self.in_flow() || self.source.char_at(span.start.index()) == Some('{'),
                start: self.mark(span.start),
                anchor,
                items: Vec::new(),
                extent: Extent::default(),
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.mark(span.end);
                match self.stack.pop() {
                    Some(Frame::Seq {
                        start,
                        flow: _,
                        anchor,
                        items,
                        extent,
                    }) => {
                        let last = items.iter().map(|n| n.last_line).max();
                        let node = Node {
                            last_line: last.unwrap_or_else(|| last_line_of(start, end)),
                            value: Value::Seq(items),
                            start,
                            is_merge_key: false,
                        };
                        self.finish(node, anchor, extent.collection())?;
                    }
                    Some(Frame::Map {
                        start,
                        flow: _,
                        anchor,
                        items,
                        extent,
                    }) => {
                        let last = items.iter().map(|n| n.last_line).max();
                        let mut entries = Vec::with_capacity(items.len() / 2);
                        let mut it = items.into_iter();
                        while let (Some(key), Some(value)) = (it.next(), it.next()) {
                            entries.push(Entry { key, value });
                        }
                        let node = Node {
                            last_line: last.unwrap_or_else(|| last_line_of(start, end)),
                            value: Value::Map(entries),
                            start,
                            is_merge_key: false,
                        };
                        self.finish(node, anchor, extent.collection())?;
                    }
                    None => {}
                }
            }
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
        }
        Ok(false)
    }

    /// Takes `units` of the alias budget for a copy, or refuses the document.
    fn spend(&mut self, units: usize, at: Mark) -> Result<(), YamlError> {
        self.spent = self.spent.saturating_add(units);
        if self.spent > self.budget {
            return Err(excessive_aliasing(self.budget, at));
        }
        Ok(())
    }

    fn finish(&mut self, node: Node, anchor: usize, extent: Extent) -> Result<(), YamlError> {
        if anchor != 0 {
            // The anchor keeps a copy of its own, which an anchored node nested in other
            // anchored nodes makes once per level: it is paid for like an alias.
            self.spend(extent.units, node.start)?;
            self.anchors.insert(anchor, (node.clone(), extent));
        }
        match self.stack.last_mut() {
            Some(
                Frame::Seq {
                    items, extent: e, ..
                }
                | Frame::Map {
                    items, extent: e, ..
                },
            ) => {
                items.push(node);
                e.add(extent);
            }
            None => self.root = Some(node),
        }
        Ok(())
    }
}

/// The last line with content between two marks: a mark at column 0 means the node ended
/// with the previous line break.
fn last_line_of(start: Mark, end: Mark) -> usize {
    if end.line > start.line && end.col == 0 {
        end.line - 1
    } else {
        end.line.max(start.line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, load, yaml};

    /// `levels` of `width` aliases each to the level below: width^levels copies.
    fn laughs(levels: usize, width: usize) -> String {
        let mut text = String::from("l0: &l0 lol\n");
        for level in 1..=levels {
            let aliases = vec![format!("*l{}", level - 1); width].join(", ");
            text.push_str(&format!("l{level}: &l{level} [{aliases}]\n"));
        }
        text
    }

    #[test]
    fn the_budget_grows_with_the_text_above_a_floor() {
        assert_eq!(expansion_budget(0), EXPANSION_FLOOR);
        assert_eq!(expansion_budget(1024), EXPANSION_FLOOR);
        assert_eq!(expansion_budget(100 << 20), (100 << 20) / 8);
    }

    #[test]
    fn a_billion_laughs_is_refused_within_the_budget() {
        let e = load(&laughs(9, 9)).expect_err("refused");
        assert_eq!(e.kind, ErrorKind::Unsupported);
        assert!(e.message.contains("excessive aliasing"), "{}", e.message);
        assert!(e.message.contains(&format!("{EXPANSION_FLOOR} nodes")));
    }

    #[test]
    fn modest_aliasing_is_loaded() {
        // 4^6 = 4096 copies, far under the floor.
        let document = yaml::parse(&laughs(6, 4)).expect("loads");
        assert!(document.root.is_some());
    }

    #[test]
    fn copies_are_counted_with_their_text() {
        // A long scalar copied many times costs its length, not one node.
        let long = "x".repeat(6400);
        let aliases = vec!["*s"; 2000].join(", ");
        let e = load(&format!("s: &s {long}\nt: [{aliases}]\n")).expect_err("refused");
        assert!(e.message.contains("excessive aliasing"), "{}", e.message);
    }

    #[test]
    fn depth_reached_through_aliases_is_capped() {
        let text = format!(
            "a: &d {}1{}\nb: {}*d{}\n",
            "[".repeat(150),
            "]".repeat(150),
            "[".repeat(150),
            "]".repeat(150)
        );
        let e = load(&text).expect_err("refused");
        assert_eq!(e.kind, ErrorKind::Unsupported);
        assert!(
            e.message.contains("nests collections too deeply"),
            "{}",
            e.message
        );
        assert_eq!(e.line, Some(2));
        // Just under the cap, the same shape loads (and walks) without overflow.
        let fits = format!(
            "a: &d {}1{}\nb: {}*d{}\n",
            "[".repeat(120),
            "]".repeat(120),
            "[".repeat(120),
            "]".repeat(120)
        );
        assert!(yaml::parse(&fits).is_ok());
    }

    #[test]
    fn the_cursor_finds_characters_by_index_either_way() {
        let text = "aé[b€{";
        let mut cursor = CharCursor::new(text);
        assert_eq!(cursor.char_at(5), Some('{'));
        assert_eq!(cursor.char_at(2), Some('['));
        assert_eq!(cursor.char_at(1), Some('é'));
        assert_eq!(cursor.char_at(4), Some('€'));
        assert_eq!(cursor.char_at(6), None);
    }
}
