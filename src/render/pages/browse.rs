//! The browsing pages around the request pages: home, event log, project, workspace,
//! org, organisations, user and backend (DESIGN.md §3).

use rayon::prelude::*;
use serde::Serialize;

use super::{MadeFrom, Pages};
use crate::diagnostics::Diagnostic;
use crate::model::PagePath;
use crate::render::PageMeta;
use crate::render::listing::{self, Paged, Pagination, Rows};
use crate::render::view::Link;

impl Pages<'_> {
    pub(super) fn browsing_pages(&self) -> Result<(), Diagnostic> {
        let (audit, g) = (self.audit, &self.groups);
        let total =
            g.projects.len() + g.workspaces.len() + g.orgs.len() + g.users.len() + g.backends.len();
        self.progress.start("browsing pages", total);
        let all: Vec<usize> = (0..audit.requests.len()).collect();

        let home = PagePath::home();
        let meta = PageMeta::new(&home, self.base_url, "Home")
            .describe("Public audit trail of job requests run against patient data");
        let rows = self.rows(&all, &home, listing::LATEST);
        let totals = listing::totals(audit, g);
        let build_date = self.build_date();
        // The totals count every request.
        let from = MadeFrom::requests(&all).and(build_date.as_deref().unwrap_or_default());
        self.page(
            &home,
            "home.html",
            &meta,
            &[
                ("rows", &rows),
                ("totals", &totals),
                ("build_date", &build_date),
            ],
            &from,
        )?;

        // The event log, newest first, in pages counted from the oldest (listing::Paged).
        let log = Paged::of(PagePath::event_log(), all.len());
        (0..=log.pages).into_par_iter().try_for_each(|k| {
            let path = log.path(k);
            let meta = PageMeta::new(&path, self.base_url, "Event Log")
                .with_crumbs(&path, &[(path.clone(), "Event log".into(), "Event log")]);
            let intro =
                "The following is a list of all job requests in this archive, newest first.";
            self.paged_list_page(&log, k, &all, &meta, "Event log", intro)
        })?;

        g.projects
            .par_iter()
            .try_for_each(|(slug, indices)| self.project_page(slug, indices))?;
        g.workspaces
            .par_iter()
            .try_for_each(|((project, name), indices)| {
                self.workspace_page(project, name, indices)
            })?;
        g.orgs
            .par_iter()
            .try_for_each(|(slug, indices)| self.org_page(slug, indices))?;
        g.users
            .par_iter()
            .try_for_each(|(username, indices)| self.user_page(username, indices))?;
        g.backends.par_iter().try_for_each(|(slug, indices)| {
            self.progress.tick();
            let path = PagePath::backend(slug);
            let name = audit.requests[indices[0]].backend.name.to_string();
            let meta = PageMeta::new(&path, self.base_url, format!("Backend: {name}"))
                .with_crumbs(&path, &[(path.clone(), name.clone(), "Backend")]);
            let rows = self.rows(indices, &path, listing::RECENT);
            let intro = format!(
                "{} job requests ran on the {name} backend. The latest:",
                indices.len()
            );
            let more = self.more_link(&path, indices.len());
            self.list_page(
                &path,
                &meta,
                &format!("Backend: {name}"),
                &intro,
                &[],
                &rows,
                more.as_ref(),
                None,
                &MadeFrom::requests(indices),
            )
        })?;

        self.progress.finish();
        let path = PagePath::organisations();
        let links: Vec<ListLink> = g
            .orgs
            .iter()
            .map(|(slug, indices)| {
                let name = self.org_name(slug, indices);
                let projects = listing::projects(audit, indices, &path).len();
                ListLink {
                    href: path.link_to(&PagePath::org(slug)),
                    text: name,
                    note: Some(format!("{projects} projects")),
                }
            })
            .collect();
        let mut links = links;
        links.sort_by(|a, b| {
            a.text
                .to_lowercase()
                .cmp(&b.text.to_lowercase())
                .then(a.href.cmp(&b.href))
        });
        let meta = PageMeta::new(&path, self.base_url, "Organisations").with_crumbs(
            &path,
            &[(path.clone(), "Organisations".into(), "Organisations")],
        );
        let rows = self.rows(&[], &path, 0);
        // Each org's name and count of projects come from its requests.
        let from = MadeFrom::requests(&all);
        self.list_page(
            &path,
            &meta,
            "Organisations",
            "",
            &links,
            &rows,
            None,
            None,
            &from,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn list_page(
        &self,
        path: &PagePath,
        meta: &PageMeta,
        heading: &str,
        intro: &str,
        links: &[ListLink],
        rows: &Rows<'_>,
        more: Option<&Link>,
        pagination: Option<&Pagination>,
        from: &MadeFrom<'_>,
    ) -> Result<(), Diagnostic> {
        self.page(
            path,
            "list.html",
            meta,
            &[
                ("heading", &heading),
                ("intro", &intro),
                ("links", &links),
                ("rows", rows),
                ("more", &more),
                ("pagination", &pagination),
            ],
            from,
        )
    }

    /// Page `k` of `pages`, a list of the requests at `indices`.
    fn paged_list_page(
        &self,
        pages: &Paged,
        k: usize,
        indices: &[usize],
        meta: &PageMeta,
        heading: &str,
        intro: &str,
    ) -> Result<(), Diagnostic> {
        let path = pages.path(k);
        let shown = &indices[pages.range(k)];
        let rows = self.rows(shown, &path, usize::MAX);
        let pagination = pages.pagination(k);
        // How many pages there are, and the names in the crumbs, which every request of
        // the list shares with the newest.
        let newest = indices.last().map(|&i| self.audit.fingerprints[i]);
        let from = MadeFrom::requests(shown)
            .and(indices.len().to_le_bytes())
            .and(newest.unwrap_or_default().to_le_bytes());
        self.list_page(
            &path,
            meta,
            heading,
            intro,
            &[],
            &rows,
            None,
            Some(&pagination),
            &from,
        )
    }

    /// A link to the event log when a page shows only the latest of `count` requests.
    fn more_link(&self, from: &PagePath, count: usize) -> Option<Link> {
        (count > listing::RECENT).then(|| {
            Link::new(
                from.link_to(&PagePath::event_log()),
                format!(
                    "Showing the latest {} of {count}; see the event log for all",
                    listing::RECENT
                ),
            )
        })
    }

    fn org_name(&self, slug: &str, indices: &[usize]) -> String {
        let latest = &self.audit.requests[*indices.last().unwrap_or(&0)];
        latest
            .orgs
            .iter()
            .find(|o| &*o.slug == slug)
            .map_or_else(|| slug.to_owned(), |o| o.name.to_string())
    }

    fn project_page(&self, slug: &str, indices: &[usize]) -> Result<(), Diagnostic> {
        self.progress.tick();
        let audit = self.audit;
        let path = PagePath::project(slug);
        let latest = &audit.requests[indices[indices.len() - 1]];
        let orgs: Vec<Link> = latest
            .orgs
            .iter()
            .map(|o| Link::new(path.link_to(&PagePath::org(&o.slug)), &o.name))
            .collect();
        let project = ProjectView {
            name: latest.project.name.to_string(),
            number: latest.project.number.as_deref().map(str::to_owned),
            orgs,
        };
        let workspaces: Vec<_> = self
            .groups
            .workspaces
            .range((slug.to_owned(), String::new())..)
            .take_while(|((p, _), _)| p == slug)
            .filter_map(|(_, ws)| listing::workspace_view(audit, ws, &path))
            .collect();
        let rows = self.rows(indices, &path, listing::RECENT);
        let more = (indices.len() > listing::RECENT).then(|| {
            Link::new(
                "",
                format!(
                    "Showing the latest {} of {} job requests; each workspace page lists its own.",
                    listing::RECENT,
                    indices.len()
                ),
            )
        });
        let researchers = listing::researchers(audit, indices, &path);
        let first_run = listing::first_run(audit, indices);
        let meta = PageMeta::new(&path, self.base_url, &project.name)
            .with_crumbs(&path, &[(path.clone(), project.name.clone(), "Project")]);
        self.page(
            &path,
            "project.html",
            &meta,
            &[
                ("project", &project),
                ("workspaces", &workspaces),
                ("rows", &rows),
                ("more", &more),
                ("researchers", &researchers),
                ("first_run", &first_run),
            ],
            &MadeFrom::requests(indices),
        )
    }

    fn workspace_page(
        &self,
        project_slug: &str,
        name: &str,
        indices: &[usize],
    ) -> Result<(), Diagnostic> {
        self.progress.tick();
        let audit = self.audit;
        let path = PagePath::workspace(project_slug, name);
        let latest = &audit.requests[indices[indices.len() - 1]];
        let Some(workspace) = listing::workspace_view(audit, indices, &path) else {
            return Ok(());
        };
        let project = Link::new(
            path.link_to(&PagePath::project(project_slug)),
            &latest.project.name,
        );
        let organisation = latest
            .organisation()
            .map(|o| Link::new(path.link_to(&PagePath::org(&o.slug)), &o.name));
        // The newest requests here, older ones on pages counted from the oldest (as the
        // event log's), so that a workspace's new request rewrites one short page.
        let pages = Paged::of(path.clone(), indices.len());
        let rows = self.rows(&indices[pages.range(0)], &path, usize::MAX);
        let pagination = (pages.pages > 0).then(|| pages.pagination(0));
        let actions = listing::Lazy(|| listing::action_statuses(audit, indices, &path));
        let feed = "feed.xml";
        let meta = PageMeta::new(&path, self.base_url, format!("Workspace: {name}")).with_crumbs(
            &path,
            &[
                (
                    PagePath::project(project_slug),
                    latest.project.name.to_string(),
                    "Project",
                ),
                (path.clone(), name.to_owned(), "Workspace"),
            ],
        );
        self.page(
            &path,
            "workspace.html",
            &meta,
            &[
                ("workspace", &workspace),
                ("project", &project),
                ("organisation", &organisation),
                ("rows", &rows),
                ("pagination", &pagination),
                ("actions", &actions),
                ("feed", &feed),
            ],
            &MadeFrom::requests(indices),
        )?;
        (1..=pages.pages).into_par_iter().try_for_each(|k| {
            let page = pages.path(k);
            let heading = format!("Workspace: {name}");
            let meta = PageMeta::new(&page, self.base_url, &heading).with_crumbs(
                &page,
                &[
                    (
                        PagePath::project(project_slug),
                        latest.project.name.to_string(),
                        "Project",
                    ),
                    (path.clone(), name.to_owned(), "Workspace"),
                    (page.clone(), format!("Page {k}"), "Page"),
                ],
            );
            let intro = "Older job requests of this workspace, newest first.";
            self.paged_list_page(&pages, k, indices, &meta, &heading, intro)
        })?;
        let url = path.url(self.base_url);
        self.feed(
            &path.file("feed.xml"),
            &format!("Job requests in workspace {name}"),
            &url,
            indices,
        )
    }

    fn org_page(&self, slug: &str, indices: &[usize]) -> Result<(), Diagnostic> {
        self.progress.tick();
        let path = PagePath::org(slug);
        let org = OrgView {
            name: self.org_name(slug, indices),
        };
        let projects = listing::projects(self.audit, indices, &path);
        let rows = self.rows(indices, &path, listing::RECENT);
        let more = self.more_link(&path, indices.len());
        let meta = PageMeta::new(&path, self.base_url, &org.name).with_crumbs(
            &path,
            &[
                (
                    PagePath::organisations(),
                    "Organisations".into(),
                    "Organisations",
                ),
                (path.clone(), org.name.clone(), "Organisation"),
            ],
        );
        self.page(
            &path,
            "org.html",
            &meta,
            &[
                ("org", &org),
                ("projects", &projects),
                ("rows", &rows),
                ("more", &more),
            ],
            &MadeFrom::requests(indices),
        )
    }

    fn user_page(&self, username: &str, indices: &[usize]) -> Result<(), Diagnostic> {
        self.progress.tick();
        let path = PagePath::user(username);
        let latest = &self.audit.requests[indices[indices.len() - 1]];
        let user = UserView {
            username: username.to_owned(),
            fullname: latest.created_by.fullname.to_string(),
        };
        let projects = listing::projects(self.audit, indices, &path);
        let rows = self.rows(indices, &path, listing::RECENT);
        let more = self.more_link(&path, indices.len());
        let meta = PageMeta::new(&path, self.base_url, &user.fullname).with_crumbs(
            &path,
            &[(path.clone(), user.fullname.clone(), "Researcher")],
        );
        self.page(
            &path,
            "user.html",
            &meta,
            &[
                ("user", &user),
                ("projects", &projects),
                ("rows", &rows),
                ("more", &more),
            ],
            &MadeFrom::requests(indices),
        )
    }
}

#[derive(Serialize)]
struct ListLink {
    href: String,
    text: String,
    note: Option<String>,
}

#[derive(Serialize)]
struct ProjectView {
    name: String,
    number: Option<String>,
    orgs: Vec<Link>,
}

#[derive(Serialize)]
struct OrgView {
    name: String,
}

#[derive(Serialize)]
struct UserView {
    username: String,
    fullname: String,
}
