//! Small view types shared by every page: timestamps, links, status pills.

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use crate::model::time::iso;

use crate::audit::{Status, Summary};
use crate::model::PagePath;
use crate::model::{Backend, JobRequest, Org, Project, User};

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
        let iso = iso(t);
        let day = t.date_naive();
        Time {
            text: format!(
                "{:02} {} {:04} {} UTC",
                day.day(),
                MONTHS[day.month0() as usize],
                day.year(),
                &iso[11..19]
            ),
            date: iso[..10].to_owned(),
            iso,
        }
    }
}

/// `%b`. Times are formatted by hand, not by chrono's format strings, which took a tenth
/// of a large build's time: pages print millions of them.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A link with its text; `href` is relative for pages of the site.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    pub href: String,
    pub text: String,
}

impl Link {
    pub fn new(href: impl Into<String>, text: impl AsRef<str>) -> Link {
        Link {
            href: href.into(),
            text: text.as_ref().to_owned(),
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
    pub fn of(q: &impl Parties, from: &PagePath) -> RequestLinks {
        let (project, workspace) = (q.project(), q.workspace());
        RequestLinks {
            organisation: crate::model::organisation(q.orgs())
                .map(|o| Link::new(from.link_to(&PagePath::org(&o.slug)), &o.name)),
            project: Link::new(
                from.link_to(&PagePath::project(&project.slug)),
                &project.name,
            ),
            workspace: Link::new(
                from.link_to(&PagePath::workspace(&project.slug, workspace)),
                workspace,
            ),
            researcher: Link::new(
                from.link_to(&PagePath::user(&q.created_by().username)),
                &q.created_by().fullname,
            ),
            backend: Link::new(
                from.link_to(&PagePath::backend(&q.backend().slug)),
                &q.backend().name,
            ),
        }
    }
}

/// Who and where a request is about, as a record and a summary both tell it.
pub trait Parties {
    fn project(&self) -> &Project;
    /// The workspace's name.
    fn workspace(&self) -> &str;
    fn orgs(&self) -> &[Org];
    fn created_by(&self) -> &User;
    fn backend(&self) -> &Backend;
}

macro_rules! parties {
    ($type:ty) => {
        impl Parties for $type {
            fn project(&self) -> &Project {
                &self.project
            }
            fn workspace(&self) -> &str {
                &self.workspace.name
            }
            fn orgs(&self) -> &[Org] {
                &self.orgs
            }
            fn created_by(&self) -> &User {
                &self.created_by
            }
            fn backend(&self) -> &Backend {
                &self.backend
            }
        }
    };
}
parties!(JobRequest);
parties!(Summary);

#[cfg(test)]
mod tests {
    #[test]
    fn times_print_as_chrono_formats_them() {
        for secs in [0i64, 951_782_400, 1_709_647_402, 4_102_444_799] {
            let t = chrono::DateTime::from_timestamp(secs, 0).unwrap();
            let time = super::Time::of(t);
            assert_eq!(time.iso, t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            assert_eq!(time.text, t.format("%d %b %Y %H:%M:%S UTC").to_string());
            assert_eq!(time.date, t.format("%Y-%m-%d").to_string());
        }
    }

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
