//! The browsing pages around the request pages (DESIGN.md §3): home, event log, project,
//! workspace, org, organisations, user and backend. Each page lists a bounded slice of
//! the archive; nothing lists the whole site.

use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;

use super::view::{Link, RequestLinks, StatusView, Time};
use crate::audit::{Audit, Summary};
use crate::diagnostics::Diagnostic;
use crate::model::PagePath;

/// Requests per page of the event log and of a workspace (job-server paginates its logs
/// by 25; an archive is read in longer stretches).
pub const LIST_PAGE: usize = 100;
/// Requests shown on the home page.
pub const LATEST: usize = 10;
/// Requests listed on a backend, org or user page before pointing to the event log.
pub const RECENT: usize = 100;

/// One row of a requests table, with links relative to the page it appears on.
#[derive(Debug, Serialize)]
pub struct RequestRow {
    pub id: u64,
    pub href: String,
    pub status: StatusView,
    pub organisation: Option<Link>,
    pub project: Link,
    pub workspace: Link,
    pub user: Link,
    pub backend: Link,
    /// `succeeded/total`, job-server's Jobs column.
    pub jobs: String,
    pub created: Time,
    pub started: Option<Time>,
    pub actions: Vec<String>,
}

pub fn request_row(r: &Summary, from: &PagePath) -> RequestRow {
    let q = r;
    let links = RequestLinks::of(q, from);
    RequestRow {
        id: q.id,
        href: from.link_to(&PagePath::request(&q.project.slug, &q.workspace.name, q.id)),
        status: r.status.into(),
        organisation: links.organisation,
        project: links.project,
        workspace: links.workspace,
        user: links.researcher,
        backend: links.backend,
        jobs: format!("{}/{}", r.stats.succeeded, r.stats.total),
        created: Time::of(q.created_at),
        started: r.started.map(Time::of),
        actions: q.jobs.iter().map(|j| j.action.to_string()).collect(),
    }
}

/// The rows of a list page for `indices` (into `audit.requests`), newest first, made
/// only if the page is rendered. A row differs between pages only in where its links
/// start from, which is the page's own path.
pub struct Rows<'a> {
    audit: &'a Audit,
    indices: Vec<usize>,
    from: PagePath,
}

impl<'a> Rows<'a> {
    pub fn new(audit: &'a Audit, indices: &[usize], from: &PagePath, limit: usize) -> Rows<'a> {
        Rows {
            audit,
            indices: indices.iter().rev().take(limit).copied().collect(),
            from: from.clone(),
        }
    }

    /// Each row's HTML (`request_row.html`).
    fn html(&self, renderer: &super::Renderer) -> Result<Vec<String>, Diagnostic> {
        self.indices
            .iter()
            .map(|&i| {
                renderer.request_row(
                    &request_row(&self.audit.requests[i], &self.from),
                    &self.from,
                )
            })
            .collect()
    }
}

impl super::erased::Value for Rows<'_> {
    fn insert_into(
        &self,
        context: &mut tera::Context,
        key: &'static str,
        renderer: &super::Renderer,
    ) -> Result<(), Diagnostic> {
        context.insert(key, &self.html(renderer)?);
        Ok(())
    }
}

/// A value made only if the page is rendered.
pub struct Lazy<F>(pub F);

impl<T: Serialize, F: Fn() -> T> super::erased::Value for Lazy<F> {
    fn insert_into(
        &self,
        context: &mut tera::Context,
        key: &'static str,
        _: &super::Renderer,
    ) -> Result<(), Diagnostic> {
        context.insert(key, &(self.0)());
        Ok(())
    }
}

/// The requests grouped every way the site browses them; indices ascend by id.
#[derive(Debug, Default)]
pub struct Groups {
    pub projects: BTreeMap<String, Vec<usize>>,
    pub workspaces: BTreeMap<(String, String), Vec<usize>>,
    pub orgs: BTreeMap<String, Vec<usize>>,
    pub users: BTreeMap<String, Vec<usize>>,
    pub backends: BTreeMap<String, Vec<usize>>,
}

impl Groups {
    pub fn of(audit: &Audit) -> Groups {
        // Grouped by borrowed names, then owned once per group: a hundred thousand
        // requests fall into a few thousand groups.
        type By<K> = FxHashMap<K, Vec<usize>>;
        let mut projects: By<&str> = By::default();
        let mut workspaces: By<(&str, &str)> = By::default();
        let mut orgs: By<&str> = By::default();
        let mut users: By<&str> = By::default();
        let mut backends: By<&str> = By::default();
        for (i, q) in audit.requests.iter().enumerate() {
            projects.entry(&q.project.slug).or_default().push(i);
            workspaces
                .entry((&q.project.slug, &q.workspace.name))
                .or_default()
                .push(i);
            // An org's log covers every project it collaborates on, not just those it leads.
            let mut request_orgs: Vec<&str> = q.orgs.iter().map(|o| &*o.slug).collect();
            request_orgs.sort_unstable();
            request_orgs.dedup();
            for org in request_orgs {
                orgs.entry(org).or_default().push(i);
            }
            users.entry(&q.created_by.username).or_default().push(i);
            backends.entry(&q.backend.slug).or_default().push(i);
        }
        let owned = |by: By<&str>| by.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        Groups {
            projects: owned(projects),
            workspaces: workspaces
                .into_iter()
                .map(|((p, w), v)| ((p.to_owned(), w.to_owned()), v))
                .collect(),
            orgs: owned(orgs),
            users: owned(users),
            backends: owned(backends),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Totals {
    pub requests: usize,
    pub jobs: usize,
    pub workspaces: usize,
    pub projects: usize,
    pub orgs: usize,
    pub researchers: usize,
    pub backends: usize,
}

pub fn totals(audit: &Audit, groups: &Groups) -> Totals {
    Totals {
        requests: audit.requests.len(),
        jobs: audit.requests.iter().map(|r| r.jobs.len()).sum(),
        workspaces: groups.workspaces.len(),
        projects: groups.projects.len(),
        orgs: groups.orgs.len(),
        researchers: groups.users.len(),
        backends: groups.backends.len(),
    }
}

/// A workspace as its page and its project's page describe it.
#[derive(Debug, Serialize)]
pub struct WorkspaceView {
    pub name: String,
    pub href: String,
    pub repo: String,
    pub repo_name: String,
    pub branch: String,
    pub branch_url: String,
    pub requests: usize,
    pub first_created: Time,
    pub latest_created: Time,
}

pub fn workspace_view(audit: &Audit, indices: &[usize], from: &PagePath) -> Option<WorkspaceView> {
    let first = &audit.requests[*indices.first()?];
    let last = &audit.requests[*indices.last()?];
    let repo = last.workspace.repo.to_string();
    Some(WorkspaceView {
        name: last.workspace.name.to_string(),
        href: from.link_to(&PagePath::workspace(
            &last.project.slug,
            &last.workspace.name,
        )),
        repo_name: repo.rsplit('/').next().unwrap_or_default().to_owned(),
        branch_url: format!(
            "{repo}/tree/{}",
            crate::escape::url_path(&last.workspace.branch)
        ),
        repo,
        branch: last.workspace.branch.to_string(),
        requests: indices.len(),
        first_created: Time::of(first.created_at),
        latest_created: Time::of(last.created_at),
    })
}

/// The latest status of each action in a workspace (job-server's action status table):
/// the job of the highest request id, last in page order.
#[derive(Debug, Serialize)]
pub struct ActionStatus {
    pub action: String,
    pub status: String,
    pub request: Link,
}

pub fn action_statuses(audit: &Audit, indices: &[usize], from: &PagePath) -> Vec<ActionStatus> {
    let mut latest: BTreeMap<&str, (&str, &Summary)> = BTreeMap::new();
    for &i in indices {
        let r = &audit.requests[i];
        for job in &r.jobs {
            latest.insert(&job.action, (&job.status, r));
        }
    }
    latest
        .into_iter()
        .map(|(action, (status, q))| ActionStatus {
            action: action.to_owned(),
            status: status.to_owned(),
            request: Link::new(
                from.link_to(&PagePath::request(&q.project.slug, &q.workspace.name, q.id)),
                q.id.to_string(),
            ),
        })
        .collect()
}

/// Distinct people who made `indices`' requests, by full name.
pub fn researchers(audit: &Audit, indices: &[usize], from: &PagePath) -> Vec<Link> {
    let people = indices.iter().map(|&i| &audit.requests[i].created_by);
    links_by_name(
        people.map(|u| (&*u.username, &*u.fullname)),
        PagePath::user,
        from,
    )
}

/// Distinct projects of `indices`, by name.
pub fn projects(audit: &Audit, indices: &[usize], from: &PagePath) -> Vec<Link> {
    let projects = indices.iter().map(|&i| &audit.requests[i].project);
    links_by_name(
        projects.map(|p| (&*p.slug, &*p.name)),
        PagePath::project,
        from,
    )
}

/// One link per distinct `(slug, name)`, sorted by name regardless of case.
fn links_by_name<'a>(
    named: impl Iterator<Item = (&'a str, &'a str)>,
    page: fn(&str) -> PagePath,
    from: &PagePath,
) -> Vec<Link> {
    let distinct: BTreeMap<&str, &str> = named.collect();
    let mut links: Vec<Link> = distinct
        .into_iter()
        .map(|(slug, name)| Link::new(from.link_to(&page(slug)), name))
        .collect();
    links.sort_by(|a, b| {
        a.text
            .to_lowercase()
            .cmp(&b.text.to_lowercase())
            .then(a.href.cmp(&b.href))
    });
    links
}

/// "Code first run": the earliest job start, else the earliest request.
pub fn first_run(audit: &Audit, indices: &[usize]) -> Option<Time> {
    let started = indices
        .iter()
        .filter_map(|&i| audit.requests[i].started)
        .min();
    started
        .or_else(|| indices.iter().map(|&i| audit.requests[i].created_at).min())
        .map(Time::of)
}

/// Links to the newer and older page of a paginated list, and what this page holds.
#[derive(Debug, Serialize)]
pub struct Pagination {
    pub label: String,
    pub newer: Option<String>,
    pub older: Option<String>,
}

/// The pages of a long list of requests: the event log, and a workspace's requests. The
/// front page holds the newest ([`LIST_PAGE`] to twice as many, or all of a shorter
/// list); page `k` holds the `k`-th [`LIST_PAGE`] counted from the oldest. A page
/// therefore keeps its URL and its rows as the list grows, and a nightly build rewrites
/// the front page and the pages whose requests changed, not every page (job-server
/// numbers from the newest, which moves every row nightly).
#[derive(Debug, Clone)]
pub struct Paged {
    total: usize,
    /// Full pages behind the front page.
    pub pages: usize,
    front: PagePath,
}

impl Paged {
    /// `total` requests listed from the page at `front`.
    pub fn of(front: PagePath, total: usize) -> Paged {
        Paged {
            total,
            pages: (total / LIST_PAGE).saturating_sub(1),
            front,
        }
    }

    /// Page `k`'s place in the list, oldest first; 0 is the front page.
    pub fn range(&self, k: usize) -> std::ops::Range<usize> {
        match k {
            0 => self.pages * LIST_PAGE..self.total,
            k => (k - 1) * LIST_PAGE..k * LIST_PAGE,
        }
    }

    pub fn path(&self, k: usize) -> PagePath {
        match k {
            0 => self.front.clone(),
            k => self.front.page(k),
        }
    }

    /// The front page and then every other page.
    pub fn paths(&self) -> impl Iterator<Item = PagePath> + '_ {
        (0..=self.pages).map(|k| self.path(k))
    }

    pub fn pagination(&self, k: usize) -> Pagination {
        let from = self.path(k);
        let link = |n: usize| from.link_to(&self.path(n));
        let range = self.range(k);
        let (first, last) = (range.start + 1, range.end);
        match k {
            0 => Pagination {
                label: format!("Requests {first}–{last} of {}, the newest", self.total),
                newer: None,
                older: (self.pages > 0).then(|| link(self.pages)),
            },
            k => Pagination {
                label: format!("Requests {first}–{last}, counted from the oldest"),
                newer: Some(link(if k < self.pages { k + 1 } else { 0 })),
                older: (k > 1).then(|| link(k - 1)),
            },
        }
    }
}

#[cfg(test)]
mod paged_tests {
    use super::*;

    #[test]
    fn pages_are_counted_from_the_oldest_and_keep_their_rows() {
        let p = LIST_PAGE;
        let sizes = |total: usize| {
            let log = Paged::of(PagePath::event_log(), total);
            (0..=log.pages).map(|k| log.range(k)).collect::<Vec<_>>()
        };
        assert_eq!(sizes(0), std::iter::once(0..0).collect::<Vec<_>>());
        assert_eq!(sizes(p), std::iter::once(0..p).collect::<Vec<_>>());
        assert_eq!(
            sizes(2 * p - 1),
            std::iter::once(0..2 * p - 1).collect::<Vec<_>>()
        );
        assert_eq!(sizes(2 * p), [p..2 * p, 0..p]);
        // Growing from 2.5 to 3.9 pages' worth: the pages behind the front keep their rows.
        let (small, large) = (sizes(2 * p + p / 2), sizes(3 * p + 90));
        assert_eq!(small[1..], large[1..2]);
        assert_eq!(large[2], p..2 * p);
        assert_eq!(large[0], 2 * p..3 * p + 90);

        let log = Paged::of(PagePath::event_log(), 3 * p + 1);
        let front = log.pagination(0);
        assert_eq!(
            (front.newer, front.older.as_deref()),
            (None, Some("../event-log/page/2/index.html"))
        );
        let newest_full = log.pagination(2);
        assert_eq!(
            newest_full.newer.as_deref(),
            Some("../../../event-log/index.html")
        );
        assert_eq!(
            newest_full.older.as_deref(),
            Some("../../../event-log/page/1/index.html")
        );
        assert_eq!(log.pagination(1).older, None);
        assert_eq!(
            log.pagination(1).label,
            format!("Requests 1–{p}, counted from the oldest")
        );
    }
}
