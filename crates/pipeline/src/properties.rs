//! Property tests over the loader: texts made from a valid project.yaml by random edits
//! (bytes, lines, anchors, aliases, merge keys, deep nesting) never panic, and the tree
//! they load into is bounded by the text: its nodes never exceed what the text could hold
//! plus the alias budget, so every later pass is bounded too.

use proptest::prelude::*;

use super::yaml::{Node, Value};
use super::yaml_compose::expansion_budget;

const VALID: &str = "version: '5'\n\nactions:\n  extract: &base\n    run: ehrql:v1 generate-dataset analysis/dataset.py --output output/dataset.csv.gz\n    outputs:\n      highly_sensitive:\n        dataset: output/dataset.csv.gz\n  model:\n    run: r:v2 analysis/model.R\n    needs: [extract]\n    config: {a: 1, b: [x, y]}\n    outputs:\n      moderately_sensitive:\n        table: output/table.csv\n";

/// Pieces inserted by edits: YAML's own punctuation and structures.
const PIECES: [&str; 14] = [
    "&a ",
    "*a",
    "<<: *a\n",
    "<<: [*a, *a]\n",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "\n  ",
    "'",
    "\"",
    "? ",
];

/// One edit: what, where (a fraction of the text), and a size.
#[derive(Debug, Clone)]
enum Edit {
    InsertPiece(usize, usize),
    InsertByte(usize, u8),
    DeleteBytes(usize, usize),
    DuplicateLine(usize),
    DeleteLine(usize),
    Nest(usize, usize),
    /// An anchored list of `width` aliases to the previous anchor, as a new last line.
    AliasLevel(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, p)| Edit::InsertPiece(at, p)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::InsertByte(at, b)),
        (any::<usize>(), 1usize..20).prop_map(|(at, n)| Edit::DeleteBytes(at, n)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        any::<usize>().prop_map(Edit::DeleteLine),
        (any::<usize>(), 1usize..300).prop_map(|(at, n)| Edit::Nest(at, n)),
        (1usize..12).prop_map(Edit::AliasLevel),
    ]
}

fn apply(text: &mut Vec<u8>, edit: &Edit, anchors: &mut usize) {
    let at = |i: usize| i % (text.len() + 1);
    match *edit {
        Edit::InsertPiece(i, p) => {
            let i = at(i);
            text.splice(i..i, PIECES[p].bytes());
        }
        Edit::InsertByte(i, b) => {
            let i = at(i);
            text.insert(i, b);
        }
        Edit::DeleteBytes(i, n) => {
            let i = at(i);
            text.drain(i..(i + n).min(text.len()));
        }
        Edit::DuplicateLine(i) | Edit::DeleteLine(i) => {
            let mut lines: Vec<Vec<u8>> = text.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
            let i = i % lines.len();
            if matches!(edit, Edit::DuplicateLine(_)) {
                lines.insert(i, lines[i].clone());
            } else {
                lines.remove(i);
            }
            *text = lines.join(&b'\n');
        }
        Edit::Nest(i, n) => {
            let i = at(i);
            let nest = format!("{}x{}", "[".repeat(n), "]".repeat(n));
            text.splice(i..i, nest.bytes());
        }
        Edit::AliasLevel(width) => {
            let line = match *anchors {
                0 => "x-0: &x0 [lol, lol, lol, lol]\n".to_string(),
                n => format!(
                    "x-{n}: &x{n} [{}]\n",
                    vec![format!("*x{}", n - 1); width].join(", ")
                ),
            };
            text.extend_from_slice(line.as_bytes());
            *anchors += 1;
        }
    }
}

fn nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(nodes).sum(),
        Value::Map(entries) => entries
            .iter()
            .map(|e| nodes(&e.key) + nodes(&e.value))
            .sum(),
        _ => 0,
    }
}

/// The nodes a text may load into: a few per byte of its own (`[?]` is four nodes in
/// three bytes), plus what the alias budget lets copies add.
fn node_bound(len: usize) -> usize {
    4 * (len + 1) + expansion_budget(len)
}

fn check(text: &str) -> Result<(), TestCaseError> {
    if let Ok(document) = super::yaml::parse(text) {
        let n = document.root.as_ref().map_or(0, nodes);
        prop_assert!(
            n <= node_bound(text.len()),
            "{n} nodes from {} bytes",
            text.len()
        );
    }
    // The whole load (validation included) must not panic either.
    let _ = super::load(text);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1200))]

    #[test]
    fn edited_project_files_load_within_bounds(edits in prop::collection::vec(edit(), 0..10)) {
        let mut text = VALID.as_bytes().to_vec();
        let mut anchors = 0;
        for e in &edits {
            apply(&mut text, e, &mut anchors);
        }
        check(&String::from_utf8_lossy(&text))?;
    }

    #[test]
    fn texts_of_yaml_punctuation_load_within_bounds(
        pieces in prop::collection::vec(0..PIECES.len() + 4, 0..200)
    ) {
        let words = ["a", "1", "true", "~"];
        let text: String = pieces
            .iter()
            .map(|&p| PIECES.get(p).copied().unwrap_or_else(|| words[p - PIECES.len()]))
            .collect();
        check(&text)?;
    }
}

proptest! {
    // Each refused bomb copies up to the whole budget first: fewer, costlier cases.
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn alias_and_merge_bombs_are_refused_or_bounded(
        levels in 1usize..14,
        width in 1usize..10,
        merge in any::<bool>(),
    ) {
        let mut text = String::from("m0: &m0 {k: v}\n");
        for level in 1..=levels {
            let p = level - 1;
            let aliases = vec![format!("*m{p}"); width].join(", ");
            if merge {
                text.push_str(&format!("m{level}: &m{level} {{<<: [{aliases}], k{level}: *m{p}}}\n"));
            } else {
                text.push_str(&format!("m{level}: &m{level} [{aliases}]\n"));
            }
        }
        check(&text)?;
    }
}
