//! Atom feeds of the latest job requests: the whole site's and one per workspace.

use chrono::{DateTime, Utc};

use crate::audit::Summary;
use crate::escape;
use crate::model::PagePath;
use crate::model::time::iso;

/// Entries per feed.
pub const FEED_ENTRIES: usize = 50;

/// An Atom feed of `requests` (the newest, newest first). `self_url` is the feed's own
/// URL; `updated` is the newest request's time (of all those the feed is about), so the
/// feed changes only when the data does.
pub fn atom(
    title: &str,
    self_url: &str,
    site_url: &str,
    requests: &[&Summary],
    updated: Option<DateTime<Utc>>,
    base_url: &str,
) -> String {
    let updated = updated.map_or_else(|| "1970-01-01T00:00:00Z".to_owned(), iso);
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>{}</title>\n  <id>{}</id>\n  <link rel=\"self\" href=\"{}\"/>\n  <link href=\"{}\"/>\n  <updated>{updated}</updated>\n",
        escape::xml(title),
        escape::xml(self_url),
        escape::xml(self_url),
        escape::xml(site_url),
    );
    for q in requests.iter().take(FEED_ENTRIES) {
        let url = PagePath::request(&q.project.slug, &q.workspace.name, q.id).url(base_url);
        let actions = q.requested_actions.join(", ");
        xml.push_str(&format!(
            "  <entry>\n    <title>Job request {}: {} ({})</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{}</updated>\n    <author><name>{}</name></author>\n    <summary>{} requested {} in workspace {} on the {} backend.</summary>\n  </entry>\n",
            q.id,
            escape::xml(&q.workspace.name),
            q.status.label(),
            escape::xml(&url),
            escape::xml(&url),
            iso(q.created_at),
            escape::xml(&q.created_by.fullname),
            escape::xml(&q.created_by.fullname),
            escape::xml(if actions.is_empty() { "no actions" } else { &actions }),
            escape::xml(&q.workspace.name),
            escape::xml(&q.backend.name),
        ));
    }
    xml.push_str("</feed>\n");
    xml
}
