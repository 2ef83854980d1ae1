//! Extra pages written in Markdown (`pages/*.md`), rendered with pulldown-cmark.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// A page's title (its first heading, else the file name) and its HTML body. Raw HTML
/// in the Markdown is shown as text, never passed through: nothing from the input may
/// run script in a page.
pub fn render(text: &str, fallback_title: &str) -> (String, String) {
    // pulldown-cmark passes controls and noncharacters through to the HTML it writes.
    let text = crate::escape::html_chars(text);
    let parser = Parser::new_ext(
        &text,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    let mut title = String::new();
    // 0: before the first heading, 1: inside it, 2: after it.
    let mut heading = 0;
    let events: Vec<Event> = parser
        .map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if is_script_url(&dest_url) => Event::Start(Tag::Link {
                link_type,
                dest_url: "#".into(),
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) if is_script_url(&dest_url) => Event::Start(Tag::Image {
                link_type,
                dest_url: "#".into(),
                title,
                id,
            }),
            other => other,
        })
        .inspect(|event| match event {
            Event::Start(Tag::Heading { .. }) if heading == 0 => heading = 1,
            Event::End(TagEnd::Heading(_)) if heading == 1 => heading = 2,
            Event::Text(t) | Event::Code(t) if heading == 1 => title.push_str(t),
            _ => {}
        })
        .collect();
    let mut body = String::new();
    html::push_html(&mut body, events.into_iter());
    let title = title.trim();
    (
        if title.is_empty() {
            fallback_title.to_owned()
        } else {
            title.to_owned()
        },
        body,
    )
}

fn is_script_url(url: &str) -> bool {
    let lower: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_lowercase();
    lower.starts_with("javascript:") || lower.starts_with("vbscript:") || lower.starts_with("data:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_comes_from_the_first_heading() {
        let (title, body) = render("# About `jobaudit`\n\nText.\n", "about");
        assert_eq!(title, "About jobaudit");
        assert!(body.contains("<h1>About <code>jobaudit</code></h1>"));
        assert_eq!(render("no heading", "about").0, "about");
    }

    #[test]
    fn raw_html_and_script_links_are_neutralised() {
        let (_, body) = render(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b>hi</b>",
            "t",
        );
        assert!(!body.contains("<script>"), "{body}");
        assert!(body.contains("&lt;script&gt;"));
        assert!(!body.contains("javascript:"), "{body}");
        assert!(!body.contains("<b>"));
    }
}
