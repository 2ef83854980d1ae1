//! Small view types shared by every page: timestamps, links, status pills.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::Status;
use crate::export::JobRequest;
use crate::site::paths::PagePath;

/// A timestamp as pages print it: absolute UTC, machine-readable in `datetime`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Time {
    /// RFC 3339, for `<time datetime>`.
    pub iso: String,
    /// `05 Mar 2024 14:03:22 UTC`: job-server's tooltip format, which does not go stale
    /// in a static page as its "2 hours ago" would.
    pub text: String,
    /// `2024-03-05`, for tables.
    pub date: String,
}

impl Time {
    pub fn of(t: DateTime<Utc>) -> Time {
        Time {
            iso: t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            text: t.format("%d %b %Y %H:%M:%S UTC").to_string(),
            date: t.format("%Y-%m-%d").to_string(),
        }
    }
}

/// A link with its text; `href` is relative for pages of the site.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    pub href: String,
    pub text: String,
}

impl Link {
    pub fn new(href: impl Into<String>, text: impl Into<String>) -> Link {
        Link {
            href: href.into(),
            text: text.into(),
        }
    }
}

/// A request status: its value (for CSS classes and filters) and its label.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StatusView {
    pub value: &'static str,
    pub label: &'static str,
}

impl From<Status> for StatusView {
    fn from(s: Status) -> Self {
        StatusView {
            value: s.as_str(),
            label: s.label(),
        }
    }
}

/// A job's status as its pill shows it: `status|capfirst` with the class `pill--<status>`.
pub fn job_status_label(status: &str) -> String {
    let mut chars = status.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The links every view of a request carries, relative to the page they appear on: one
/// place for where a request's organisation, project, workspace, researcher and
/// backend pages are.
pub struct RequestLinks {
    pub organisation: Option<Link>,
    pub project: Link,
    pub workspace: Link,
    pub researcher: Link,
    pub backend: Link,
}

impl RequestLinks {
    pub fn of(q: &JobRequest, from: &PagePath) -> RequestLinks {
        RequestLinks {
            organisation: q
                .organisation()
                .map(|o| Link::new(from.link_to(&PagePath::org(&o.slug)), &o.name)),
            project: Link::new(
                from.link_to(&PagePath::project(&q.project.slug)),
                &q.project.name,
            ),
            workspace: Link::new(
                from.link_to(&PagePath::workspace(&q.project.slug, &q.workspace.name)),
                &q.workspace.name,
            ),
            researcher: Link::new(
                from.link_to(&PagePath::user(&q.created_by.username)),
                &q.created_by.fullname,
            ),
            backend: Link::new(
                from.link_to(&PagePath::backend(&q.backend.slug)),
                &q.backend.name,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_absolute_utc() {
        let t = Time::of("2024-03-05T14:03:22.481204Z".parse().unwrap());
        assert_eq!(t.iso, "2024-03-05T14:03:22Z");
        assert_eq!(t.text, "05 Mar 2024 14:03:22 UTC");
        assert_eq!(t.date, "2024-03-05");
    }

    #[test]
    fn job_status_labels_capitalise_the_first_letter() {
        assert_eq!(job_status_label("failed"), "Failed");
        assert_eq!(job_status_label(""), "");
    }
}
