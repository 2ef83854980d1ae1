//! What changed in project.yaml since the previous request: a line diff of the two texts,
//! each side syntax-highlighted, drawn at build time so it reads offline.

use similar::{DiffTag, TextDiff};
use std::fmt::Write;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// Rows drawn at most: a rewritten large file would otherwise make a heavy page; the
/// counts stay exact and the GitHub comparison beside it shows the rest.
pub const MAX_ROWS: usize = 400;

/// Texts with more lines than this between them are not compared: a line diff costs
/// time growing with the product of the lines and the differences, so two long files
/// that differ throughout could hold a build for minutes; the page gives their lengths and
/// the GitHub comparison.
pub const MAX_DIFF_LINES: usize = 50_000;

/// Counts and the HTML table of a diff between two highlighted texts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PipelineDiff {
    /// False when the texts are too long to compare (`MAX_DIFF_LINES`): no counts, no table.
    pub compared: bool,
    pub old_lines: usize,
    pub new_lines: usize,
    pub added: usize,
    pub removed: usize,
    /// `<table class="diff">…</table>`, built from escaped, highlighted lines.
    pub html: String,
}

/// Diffs `old` and `new` (the source texts) and draws the hunks, each drawn line's HTML
/// made by `line_html` (highlighting line by line: only the drawn rows cost anything).
/// None when the texts are equal.
pub fn diff(old: &str, new: &str, line_html: &dyn Fn(&str) -> String) -> Option<PipelineDiff> {
    if old == new {
        return None;
    }
    let (old_lines, new_lines): (Vec<&str>, Vec<&str>) =
        (old.lines().collect(), new.lines().collect());
    if old_lines.len() + new_lines.len() > MAX_DIFF_LINES {
        return Some(PipelineDiff {
            compared: false,
            old_lines: old_lines.len(),
            new_lines: new_lines.len(),
            added: 0,
            removed: 0,
            html: String::new(),
        });
    }
    let diff = TextDiff::from_lines(old, new);
    let line = |lines: &[&str], i: usize| line_html(lines.get(i).copied().unwrap_or(""));
    let (mut added, mut removed) = (0, 0);
    let mut table = Table::default();
    for group in diff.grouped_ops(CONTEXT) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (old_start, new_start) = (first.old_range().start, first.new_range().start);
        let (old_len, new_len) = (
            last.old_range().end - old_start,
            last.new_range().end - new_start,
        );
        table.hunk(&format!(
            "@@ -{},{old_len} +{},{new_len} @@",
            old_start + 1,
            new_start + 1
        ));
        for op in group {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            if tag == DiffTag::Equal {
                for (o, n) in old_range.zip(new_range) {
                    table.row("ctx", ' ', Some(o + 1), Some(n + 1), || line(&old_lines, o));
                }
                continue;
            }
            for o in old_range {
                removed += 1;
                table.row("del", '-', Some(o + 1), None, || line(&old_lines, o));
            }
            for n in new_range {
                added += 1;
                table.row("add", '+', None, Some(n + 1), || line(&new_lines, n));
            }
        }
    }
    Some(PipelineDiff {
        compared: true,
        old_lines: old_lines.len(),
        new_lines: new_lines.len(),
        added,
        removed,
        html: table.finish(),
    })
}

/// The diff table, cut off after `MAX_ROWS` rows.
#[derive(Default)]
struct Table {
    html: String,
    rows: usize,
}

impl Table {
    fn hunk(&mut self, header: &str) {
        if self.take_row() {
            let _ = write!(
                self.html,
                "<tr class=\"hunk\"><td colspan=\"4\">{header}</td></tr>"
            );
        }
    }

    fn row(
        &mut self,
        class: &str,
        sign: char,
        old_no: Option<usize>,
        new_no: Option<usize>,
        body: impl FnOnce() -> String,
    ) {
        if self.take_row() {
            let num = |n: Option<usize>| n.map_or(String::new(), |n| n.to_string());
            let _ = write!(
                self.html,
                "<tr class=\"{class}\"><td class=\"no\">{}</td><td class=\"no\">{}</td><td class=\"sign\">{sign}</td><td><code>{}</code></td></tr>",
                num(old_no),
                num(new_no),
                body()
            );
        }
    }

    fn take_row(&mut self) -> bool {
        self.rows += 1;
        self.rows <= MAX_ROWS
    }

    fn finish(self) -> String {
        let mut html = String::from("<table class=\"diff\"><tbody>");
        html.push_str(&self.html);
        if self.rows > MAX_ROWS {
            let _ = write!(
                html,
                "<tr class=\"more\"><td colspan=\"4\">{} more rows not shown: compare the code on GitHub for the whole change.</td></tr>",
                self.rows - MAX_ROWS
            );
        }
        html.push_str("</tbody></table>");
        html
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::highlight::escape;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(diff("a\n", "a\n", &escape), None);
    }

    #[test]
    fn changed_lines_are_counted_and_numbered() {
        let old = "version: '4.0'\nactions:\n  a:\n    run: python:v2 a.py\n";
        let new =
            "version: '4.0'\nactions:\n  a:\n    run: python:v2 b.py\n  <b>:\n    run: r:v2 x.R\n";
        let d = diff(old, new, &escape).unwrap();
        assert_eq!((d.added, d.removed), (3, 1));
        assert!(d.html.contains("@@ -1,4 +1,6 @@"), "{}", d.html);
        assert!(d.html.contains("<tr class=\"del\"><td class=\"no\">4</td><td class=\"no\"></td><td class=\"sign\">-</td><td><code>    run: python:v2 a.py</code></td></tr>"));
        assert!(d.html.contains("&lt;b&gt;:"), "escaped lines come through");
        let doc = scraper::Html::parse_fragment(&d.html);
        let rows = doc
            .select(&scraper::Selector::parse("tr.add").unwrap())
            .count();
        assert_eq!(rows, 3);
    }

    /// Texts longer than the bound between them are not compared at all: their lengths
    /// are given instead, and nothing is highlighted.
    #[test]
    fn texts_too_long_to_compare_give_their_lengths() {
        let lines = |c: &str, n: usize| -> String { (0..n).map(|i| format!("{c}{i}\n")).collect() };
        let half = MAX_DIFF_LINES / 2;
        let (old, new) = (lines("a", half), lines("b", half + 1));
        let d = diff(&old, &new, &|_| panic!("no line is drawn")).unwrap();
        assert!(!d.compared);
        assert_eq!((d.old_lines, d.new_lines), (half, half + 1));
        assert!(d.html.is_empty());
        let d = diff(&old, &lines("b", half), &escape).unwrap();
        assert!(d.compared, "at the bound: compared");
        assert_eq!((d.added, d.removed), (half, half));
    }

    #[test]
    fn a_huge_change_is_cut_off_but_counted() {
        let old: String = (0..1000).map(|i| format!("a{i}\n")).collect();
        let new: String = (0..1000).map(|i| format!("b{i}\n")).collect();
        let d = diff(&old, &new, &escape).unwrap();
        assert_eq!((d.added, d.removed), (1000, 1000));
        assert_eq!(d.html.matches("<tr").count(), MAX_ROWS + 1);
        assert!(
            d.html.contains("1601 more rows not shown"),
            "{}",
            &d.html[d.html.len() - 200..]
        );
    }

    #[test]
    fn distant_changes_make_separate_hunks() {
        let old: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let new = old
            .replace("line 2\n", "line two\n")
            .replace("line 28\n", "line twenty-eight\n");
        let d = diff(&old, &new, &escape).unwrap();
        assert_eq!(d.html.matches("class=\"hunk\"").count(), 2);
        assert_eq!((d.added, d.removed), (2, 2));
    }
}
