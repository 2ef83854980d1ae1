//! The built-in `request_row.html`, written out by hand. List pages make a hundred
//! thousand rows in a full build and tens of thousands a night, and through the template
//! engine a row cost ten times as much (41,000 instructions: its context built value by
//! value, then interpreted). The renderer uses this only while `request_row.html` is the
//! built-in one; a test holds the two to the same bytes.

use super::listing::RequestRow;

/// `request_row.html` of `row`, every value escaped as the template escapes it.
pub(super) fn request_row(row: &RequestRow) -> String {
    let mut html = String::with_capacity(1024);
    let link = |html: &mut String, href: &str, text: &str| {
        html.push_str("<a href=\"");
        push_escaped(html, href);
        html.push_str("\">");
        push_escaped(html, text);
        html.push_str("</a>");
    };
    html.push_str("<tr>\n      <td><span class=\"pill pill--");
    push_escaped(&mut html, row.status.value);
    html.push_str("\" title=\"");
    push_escaped(&mut html, row.status.label);
    html.push_str("\">");
    push_escaped(&mut html, row.status.label);
    html.push_str("</span></td>\n      <td>");
    link(&mut html, &row.href, &row.id.to_string());
    html.push_str("</td>\n      <td>");
    match &row.organisation {
        Some(org) => link(&mut html, &org.href, &org.text),
        None => html.push('-'),
    }
    html.push_str("</td>\n      <td>");
    link(&mut html, &row.project.href, &row.project.text);
    html.push_str("</td>\n      <td>");
    link(&mut html, &row.workspace.href, &row.workspace.text);
    html.push_str("</td>\n      <td>");
    link(&mut html, &row.user.href, &row.user.text);
    html.push_str("</td>\n      <td>");
    if row.actions.is_empty() {
        push_escaped(&mut html, &row.jobs);
    } else {
        html.push_str("<details><summary>");
        push_escaped(&mut html, &row.jobs);
        html.push_str("</summary><ul>");
        for action in &row.actions {
            html.push_str("<li><code>");
            push_escaped(&mut html, action);
            html.push_str("</code></li>");
        }
        html.push_str("</ul></details>");
    }
    html.push_str("</td>\n      <td>");
    link(&mut html, &row.backend.href, &row.backend.text);
    html.push_str("</td>\n      <td><time datetime=\"");
    push_escaped(&mut html, &row.created.iso);
    html.push_str("\" title=\"");
    push_escaped(&mut html, &row.created.text);
    html.push_str("\">");
    push_escaped(&mut html, &row.created.date);
    html.push_str("</time></td>\n    </tr>\n");
    html
}

/// `text` escaped as tera's HTML autoescape writes it (`templates::load` sets the same
/// function).
fn push_escaped(html: &mut String, text: &str) {
    crate::escape::push_html(html, text);
}
