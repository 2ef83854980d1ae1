//! What changed in project.yaml since the previous request: a line diff of the two texts,
//! each side syntax-highlighted, drawn at build time so it reads offline.

use similar::{DiffTag, TextDiff};
use std::fmt::Write;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// Counts and the HTML table of a diff between two highlighted texts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PipelineDiff {
    pub added: usize,
    pub removed: usize,
    /// `<table class="diff">…</table>`, built from escaped, highlighted lines.
    pub html: String,
}

/// Diffs `old` and `new` (the source texts) and draws the hunks with the highlighted
/// HTML of each line (`old_html`, `new_html`, one entry per source line). None when the
/// texts are equal.
pub fn diff(
    old: &str,
    new: &str,
    old_html: &[String],
    new_html: &[String],
) -> Option<PipelineDiff> {
    if old == new {
        return None;
    }
    let diff = TextDiff::from_lines(old, new);
    let (mut added, mut removed) = (0, 0);
    let mut html = String::from("<table class=\"diff\"><tbody>");
    let line = |html: &mut String,
                class: &str,
                sign: char,
                old_no: Option<usize>,
                new_no: Option<usize>,
                body: &str| {
        let num = |n: Option<usize>| n.map_or(String::new(), |n| n.to_string());
        let _ = write!(
            html,
            "<tr class=\"{class}\"><td class=\"no\">{}</td><td class=\"no\">{}</td><td class=\"sign\">{sign}</td><td><code>{body}</code></td></tr>",
            num(old_no),
            num(new_no)
        );
    };
    let get = |lines: &[String], i: usize| lines.get(i).map_or("", String::as_str).to_owned();
    for group in diff.grouped_ops(CONTEXT) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (old_start, new_start) = (first.old_range().start, first.new_range().start);
        let (old_len, new_len) = (
            last.old_range().end - old_start,
            last.new_range().end - new_start,
        );
        let _ = write!(
            html,
            "<tr class=\"hunk\"><td colspan=\"4\">@@ -{},{old_len} +{},{new_len} @@</td></tr>",
            old_start + 1,
            new_start + 1
        );
        for op in group {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            if tag == DiffTag::Equal {
                for (o, n) in old_range.zip(new_range) {
                    line(
                        &mut html,
                        "ctx",
                        ' ',
                        Some(o + 1),
                        Some(n + 1),
                        &get(old_html, o),
                    );
                }
                continue;
            }
            for o in old_range {
                removed += 1;
                line(&mut html, "del", '-', Some(o + 1), None, &get(old_html, o));
            }
            for n in new_range {
                added += 1;
                line(&mut html, "add", '+', None, Some(n + 1), &get(new_html, n));
            }
        }
    }
    html.push_str("</tbody></table>");
    Some(PipelineDiff {
        added,
        removed,
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::highlight::escape;

    fn plain(text: &str) -> Vec<String> {
        text.lines().map(escape).collect()
    }

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(diff("a\n", "a\n", &plain("a"), &plain("a")), None);
    }

    #[test]
    fn changed_lines_are_counted_and_numbered() {
        let old = "version: '4.0'\nactions:\n  a:\n    run: python:v2 a.py\n";
        let new =
            "version: '4.0'\nactions:\n  a:\n    run: python:v2 b.py\n  <b>:\n    run: r:v2 x.R\n";
        let d = diff(old, new, &plain(old), &plain(new)).unwrap();
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

    #[test]
    fn distant_changes_make_separate_hunks() {
        let old: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let new = old
            .replace("line 2\n", "line two\n")
            .replace("line 28\n", "line twenty-eight\n");
        let d = diff(&old, &new, &plain(&old), &plain(&new)).unwrap();
        assert_eq!(d.html.matches("class=\"hunk\"").count(), 2);
        assert_eq!((d.added, d.removed), (2, 2));
    }
}
