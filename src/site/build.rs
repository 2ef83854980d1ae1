//! The build: read the export, audit it, render every page and write the tree. This is
//! the only place that knows the order of the stages.

use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::audit::{self, Audit, AuditedRequest};
use crate::diagnostics::Diagnostic;
use crate::export::{self, ReadCounts};
use crate::render::highlight::{Drawings, HighlightedPipeline};
use crate::render::listing::{self, Groups, Pagination, RequestRow};
use crate::render::request_page::{
    MAX_GRAPH_BYTES, PipelineErrorView, has_own_page, is_large, request_view,
};
use crate::render::view::Link;
use crate::render::{AssetNames, NavPage, PageMeta, Renderer, SiteView, markdown, request_json};
use crate::search::{self, SearchStats};
use crate::site::paths::PagePath;
use crate::site::progress::{Progress, Quiet};
use crate::site::writer::Writer;
use crate::site::{assets, feeds, manifest, sitemap};

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub input: PathBuf,
    pub output: PathBuf,
    pub templates: Option<PathBuf>,
    /// Overrides site.toml's `base_url`.
    pub base_url: Option<String>,
    /// Refuse to write anything when the input has problems.
    pub strict: bool,
}

/// What a build did, for the summary line.
#[derive(Debug, Default)]
pub struct BuildSummary {
    pub counts: ReadCounts,
    pub requests_rendered: usize,
    pub pipelines: usize,
    pub files: usize,
    /// Files kept unchanged from the previous build in the output folder.
    pub kept: usize,
    pub bytes: u64,
    /// The search index's size (issue 5 §4).
    pub search: SearchStats,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug)]
pub enum BuildError {
    /// Input problems under `--strict`: nothing was written.
    Input(Vec<Diagnostic>),
    /// The input could not be read at all, or the output could not be written.
    Fatal(Vec<Diagnostic>),
}

/// Reads and audits an export without writing anything (`jobaudit check`).
pub fn check(input: &Path) -> Result<(ReadCounts, Audit), BuildError> {
    let export = export::read(input).map_err(|d| BuildError::Fatal(vec![d]))?;
    let counts = export.counts;
    Ok((counts, audit::audit(export)))
}

pub fn build(options: &BuildOptions) -> Result<BuildSummary, BuildError> {
    build_with_progress(options, &Quiet)
}

/// `build`, reporting each stage's progress to `progress`.
pub fn build_with_progress(
    options: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildSummary, BuildError> {
    let fatal = |d: Diagnostic| BuildError::Fatal(vec![d]);
    let mut export = export::read(&options.input).map_err(fatal)?;
    if let Some(base_url) = &options.base_url {
        export.config.base_url = if base_url.ends_with('/') {
            base_url.clone()
        } else {
            format!("{base_url}/")
        };
    }
    let config = export.config.clone();
    let counts = export.counts;
    let pages: Vec<(NavPage, String)> = export
        .pages
        .iter()
        .map(|p| {
            let (title, body) = markdown::render(&p.text, &p.slug);
            (
                NavPage {
                    slug: p.slug.clone(),
                    title,
                },
                body,
            )
        })
        .collect();
    let audit = audit::audit(export);
    if options.strict && audit.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(BuildError::Input(audit.diagnostics));
    }

    let hashed = assets::hashed_assets();
    let asset = |wanted: &str| {
        hashed
            .iter()
            .find(|(_, name, _)| *name == wanted)
            .map(|(h, _, _)| h.clone())
            .unwrap_or_default()
    };
    let site_view = SiteView {
        title: config.title.clone(),
        base_url: config.base_url.clone(),
        pages: pages.iter().map(|(nav, _)| nav.clone()).collect(),
        build_date: build_date(&audit),
    };
    let renderer = Renderer::new(
        &config,
        options.templates.as_deref(),
        site_view,
        AssetNames {
            css: asset("style.css"),
            page_js: asset("page.js"),
        },
    )
    .map_err(fatal)?;
    let writer = Writer::new(&options.output).map_err(fatal)?;
    let site = Site {
        audit: &audit,
        renderer: &renderer,
        writer: &writer,
        base_url: &config.base_url,
        groups: Groups::of(&audit),
        progress,
    };

    for (name, _, contents) in &hashed {
        writer.write(name, contents.as_bytes()).map_err(fatal)?;
    }
    let drawings = renderer.drawings(&audit);
    site.request_pages(&drawings).map_err(fatal)?;
    site.pipeline_pages(&drawings).map_err(fatal)?;
    site.browsing_pages().map_err(fatal)?;
    for (nav, body) in &pages {
        let path = PagePath::markdown(&nav.slug);
        let meta = PageMeta::new(&path, site.base_url, &nav.title)
            .with_crumbs(&path, &[(path.clone(), nav.title.clone(), "Page")]);
        site.page(&path, "markdown.html", &meta, &[("body", body)])
            .map_err(fatal)?;
    }
    let search = site.search(&hashed).map_err(fatal)?;
    site.hosting_files(&config.title).map_err(fatal)?;

    let summary = BuildSummary {
        counts,
        requests_rendered: audit.requests.len(),
        pipelines: audit.pipelines.len(),
        files: writer.files(),
        kept: writer.kept(),
        bytes: writer.bytes(),
        search,
        diagnostics: audit.diagnostics,
    };
    writer.finish().map_err(fatal)?;
    Ok(summary)
}

/// From `SOURCE_DATE_EPOCH` (reproducible builds), else the newest record: never the
/// wall clock, so the same input gives the same bytes.
fn build_date(audit: &Audit) -> Option<String> {
    let from_env = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0));
    let newest = audit.requests.iter().map(|r| r.request.created_at).max();
    from_env
        .or(newest)
        .map(|t| t.format("%d %b %Y").to_string())
}

struct Site<'a> {
    progress: &'a dyn Progress,
    audit: &'a Audit,
    renderer: &'a Renderer,
    writer: &'a Writer,
    base_url: &'a str,
    groups: Groups,
}

type Values<'v> = [(&'static str, &'v dyn crate::render::erased::Value)];

impl Site<'_> {
    /// Renders `template` into `path/index.html`, unless the previous build made that
    /// page from exactly the same context, in which case its file is kept.
    fn page(
        &self,
        path: &PagePath,
        template: &str,
        meta: &PageMeta,
        values: &Values<'_>,
    ) -> Result<(), Diagnostic> {
        let rel = path.file("index.html");
        let mut input = Vec::with_capacity(4096);
        input.extend_from_slice(self.renderer.fingerprint());
        input.extend_from_slice(template.as_bytes());
        input.extend_from_slice(&serde_json::to_vec(meta).unwrap_or_default());
        for (key, value) in values {
            input.extend_from_slice(key.as_bytes());
            input.extend_from_slice(&value.to_json());
        }
        let fingerprint = manifest::hash(&input);
        if self.writer.keep_if_unchanged(&rel, fingerprint)? {
            return Ok(());
        }
        let html = self.renderer.render(template, meta, values)?;
        self.writer
            .write_made_from(&rel, html.as_bytes(), fingerprint)
    }

    /// One page and one `index.json` per request, rendered in parallel. A request whose
    /// resolved record, pipelines and templates are unchanged keeps its files without
    /// being rendered (or its pipeline highlighted) at all.
    ///
    /// Requests are taken in groups that ran the same project.yaml, which is highlighted
    /// once for its group and dropped after it: memory holds the pipelines being
    /// rendered, not all of them.
    fn request_pages(&self, drawings: &Drawings<'_>) -> Result<(), Diagnostic> {
        let mut groups: BTreeMap<Option<usize>, Vec<&AuditedRequest>> = BTreeMap::new();
        for r in &self.audit.requests {
            groups
                .entry(
                    r.pipeline
                        .filter(|&i| !is_large(&self.audit.pipelines[i].text)),
                )
                .or_default()
                .push(r);
        }
        self.progress
            .start("request pages", self.audit.requests.len());
        let result = groups.par_iter().try_for_each(|(&pipeline, requests)| {
            let highlighted = OnceLock::new();
            let highlight = || pipeline.map(|i| highlighted.get_or_init(|| drawings.highlight(i)));
            requests
                .par_iter()
                .try_for_each(|r| self.request_page(r, drawings, &highlight))
        });
        self.progress.finish();
        result
    }

    fn request_page<'h>(
        &self,
        r: &AuditedRequest,
        drawings: &Drawings<'_>,
        highlight: &(dyn Fn() -> Option<&'h HighlightedPipeline> + Sync),
    ) -> Result<(), Diagnostic> {
        self.progress.tick();
        let q = &r.request;
        let path = PagePath::request(&q.project.slug, &q.workspace.name, q.id);
        let json = request_json::request_json(r, self.audit);
        let fingerprint = self.request_fingerprint(r, &json);
        let (html_file, json_file) = (path.file("index.html"), path.file("index.json"));
        if self.writer.keep_if_unchanged(&html_file, fingerprint)?
            && self.writer.keep_if_unchanged(&json_file, fingerprint)?
        {
            return Ok(());
        }
        let view = request_view(r, self.audit, drawings, highlight(), &path);
        let meta = PageMeta::new(
            &path,
            self.base_url,
            format!("Job request: {} - {}", q.id, q.workspace.name),
        )
        .describe(format!(
            "Job request: {} in workspace {}",
            q.id, q.workspace.name
        ))
        .with_crumbs(
            &path,
            &[
                (
                    PagePath::project(&q.project.slug),
                    q.project.name.clone(),
                    "Project",
                ),
                (
                    PagePath::workspace(&q.project.slug, &q.workspace.name),
                    q.workspace.name.clone(),
                    "Workspace",
                ),
                (path.clone(), q.id.to_string(), "Job request"),
            ],
        );
        let html = self
            .renderer
            .render("request.html", &meta, &[("request", &view)])?;
        self.writer
            .write_made_from(&html_file, html.as_bytes(), fingerprint)?;
        self.writer
            .write_made_from(&json_file, json.as_bytes(), fingerprint)
    }

    /// A page per distinct large project.yaml (`request_page::has_own_page`), shared by
    /// the requests that ran it: the file highlighted, its graph, and those requests.
    fn pipeline_pages(&self, drawings: &Drawings<'_>) -> Result<(), Diagnostic> {
        let mut users: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (n, r) in self.audit.requests.iter().enumerate() {
            if let Some(i) = r
                .pipeline
                .filter(|&i| has_own_page(self.audit, drawings, i))
            {
                users.entry(i).or_default().push(n);
            }
        }
        self.progress.start("large pipeline pages", users.len());
        let result = users.par_iter().try_for_each(|(&i, requests)| {
            self.progress.tick();
            let entry = &self.audit.pipelines[i];
            let path = PagePath::pipeline(&entry.key);
            // Script links point into the newest commit that had this project.yaml.
            let latest = &self.audit.requests[requests[requests.len() - 1]].request;
            let repo = &latest.workspace.repo;
            let blob_base = if latest.sha.is_empty() {
                format!("{repo}/")
            } else {
                format!("{repo}/blob/{}/", latest.sha)
            };
            let rows = listing::rows(self.audit, requests, &path, listing::RECENT);
            let rel = path.file("index.html");
            let mut input = self.renderer.fingerprint().to_vec();
            input.extend_from_slice(entry.text.as_bytes());
            input.extend_from_slice(blob_base.as_bytes());
            input.extend_from_slice(&serde_json::to_vec(&rows).unwrap_or_default());
            let fingerprint = manifest::hash(&input);
            if self.writer.keep_if_unchanged(&rel, fingerprint)? {
                return Ok(());
            }
            let html = drawings.highlight(i).for_request(&blob_base, &[]);
            let graph = entry
                .parsed
                .as_ref()
                .ok()
                .zip(
                    drawings
                        .graph(i)
                        .filter(|(_, bytes)| *bytes <= MAX_GRAPH_BYTES),
                )
                .map(|(p, (layout, _))| layout.svg(p, &[], &|_| None, &|a| format!("#action-{a}")));
            let actions = entry.parsed.as_ref().map_or(0, |p| p.actions.len());
            let error = entry.parsed.as_ref().err().map(PipelineErrorView::from);
            let title = format!("project.yaml {}", entry.key);
            let meta = PageMeta::new(&path, self.base_url, &title)
                .with_crumbs(&path, &[(path.clone(), title.clone(), "Pipeline")]);
            let facts = PipelineFacts {
                key: &entry.key,
                lines: entry.text.lines().count(),
                bytes: entry.text.len(),
                requests: requests.len(),
                actions,
            };
            let page = self.renderer.render(
                "pipeline.html",
                &meta,
                &[
                    ("pipeline", &facts),
                    ("html", &html),
                    ("graph", &graph),
                    ("error", &error),
                    ("rows", &rows),
                ],
            )?;
            self.writer
                .write_made_from(&rel, page.as_bytes(), fingerprint)
        });
        self.progress.finish();
        result
    }

    /// Everything a request's files are made from: its resolved record (index.json holds
    /// all of it, previous requests included), the texts of its pipeline and of the
    /// previous request's (for the diff), and the renderer's own fingerprint.
    fn request_fingerprint(&self, r: &audit::AuditedRequest, json: &str) -> manifest::Hash {
        let text =
            |i: Option<usize>| i.map_or(&b""[..], |i| self.audit.pipelines[i].text.as_bytes());
        let previous = r.previous.as_ref().and_then(|p| p.pipeline);
        let mut input = Vec::with_capacity(json.len() + 256);
        input.extend_from_slice(self.renderer.fingerprint());
        input.extend_from_slice(json.as_bytes());
        input.extend_from_slice(&manifest::hash(text(r.pipeline)).to_be_bytes());
        input.extend_from_slice(&manifest::hash(text(previous)).to_be_bytes());
        manifest::hash(&input)
    }

    fn browsing_pages(&self) -> Result<(), Diagnostic> {
        let (audit, g) = (self.audit, &self.groups);
        let total =
            g.projects.len() + g.workspaces.len() + g.orgs.len() + g.users.len() + g.backends.len();
        self.progress.start("browsing pages", total);
        let all: Vec<usize> = (0..audit.requests.len()).collect();

        let home = PagePath::home();
        let meta = PageMeta::new(&home, self.base_url, "Home")
            .describe("Public audit trail of job requests run against patient data");
        let rows = listing::rows(audit, &all, &home, listing::LATEST);
        let totals = listing::totals(audit, g);
        self.page(
            &home,
            "home.html",
            &meta,
            &[("rows", &rows), ("totals", &totals)],
        )?;

        // The event log, newest first, paginated.
        let pages = all.len().div_ceil(listing::EVENT_LOG_PAGE).max(1);
        (1..=pages).into_par_iter().try_for_each(|n| {
            let path = PagePath::event_log(n);
            let end = all.len().saturating_sub((n - 1) * listing::EVENT_LOG_PAGE);
            let start = end.saturating_sub(listing::EVENT_LOG_PAGE);
            let rows = listing::rows(audit, &all[start..end], &path, listing::EVENT_LOG_PAGE);
            let pagination = listing::pagination(n, pages, &path, PagePath::event_log);
            let meta = PageMeta::new(&path, self.base_url, "Event Log")
                .with_crumbs(&path, &[(path.clone(), "Event log".into(), "Event log")]);
            let intro =
                "The following is a list of all job requests in this archive, newest first.";
            self.list_page(
                &path,
                &meta,
                "Event log",
                intro,
                &[],
                &rows,
                None,
                Some(&pagination),
            )
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
            let name = audit.requests[indices[0]].request.backend.name.clone();
            let meta = PageMeta::new(&path, self.base_url, format!("Backend: {name}"))
                .with_crumbs(&path, &[(path.clone(), name.clone(), "Backend")]);
            let rows = listing::rows(audit, indices, &path, listing::RECENT);
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
        self.list_page(&path, &meta, "Organisations", "", &links, &[], None, None)
    }

    #[allow(clippy::too_many_arguments)]
    fn list_page(
        &self,
        path: &PagePath,
        meta: &PageMeta,
        heading: &str,
        intro: &str,
        links: &[ListLink],
        rows: &[RequestRow],
        more: Option<&Link>,
        pagination: Option<&Pagination>,
    ) -> Result<(), Diagnostic> {
        self.page(
            path,
            "list.html",
            meta,
            &[
                ("heading", &heading),
                ("intro", &intro),
                ("links", &links),
                ("rows", &rows),
                ("more", &more),
                ("pagination", &pagination),
            ],
        )
    }

    /// A link to the event log when a page shows only the latest of `count` requests.
    fn more_link(&self, from: &PagePath, count: usize) -> Option<Link> {
        (count > listing::RECENT).then(|| {
            Link::new(
                from.link_to(&PagePath::event_log(1)),
                format!(
                    "Showing the latest {} of {count}; see the event log for all",
                    listing::RECENT
                ),
            )
        })
    }

    fn org_name(&self, slug: &str, indices: &[usize]) -> String {
        let latest = &self.audit.requests[*indices.last().unwrap_or(&0)].request;
        latest
            .orgs
            .iter()
            .find(|o| o.slug == slug)
            .map_or_else(|| slug.to_owned(), |o| o.name.clone())
    }

    fn project_page(&self, slug: &str, indices: &[usize]) -> Result<(), Diagnostic> {
        self.progress.tick();
        let audit = self.audit;
        let path = PagePath::project(slug);
        let latest = &audit.requests[indices[indices.len() - 1]].request;
        let orgs: Vec<Link> = latest
            .orgs
            .iter()
            .map(|o| Link::new(path.link_to(&PagePath::org(&o.slug)), &o.name))
            .collect();
        let project = ProjectView {
            name: latest.project.name.clone(),
            number: latest.project.number.clone(),
            orgs,
        };
        let workspaces: Vec<_> = self
            .groups
            .workspaces
            .range((slug.to_owned(), String::new())..)
            .take_while(|((p, _), _)| p == slug)
            .filter_map(|(_, ws)| listing::workspace_view(audit, ws, &path))
            .collect();
        let rows = listing::rows(audit, indices, &path, listing::RECENT);
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
        let latest = &audit.requests[indices[indices.len() - 1]].request;
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
        let rows = listing::rows(audit, indices, &path, usize::MAX);
        let actions = listing::action_statuses(audit, indices, &path);
        let feed = "feed.xml";
        let meta = PageMeta::new(&path, self.base_url, format!("Workspace: {name}")).with_crumbs(
            &path,
            &[
                (
                    PagePath::project(project_slug),
                    latest.project.name.clone(),
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
                ("more", &None::<Link>),
                ("actions", &actions),
                ("feed", &feed),
            ],
        )?;
        let newest: Vec<_> = indices.iter().rev().map(|&i| &audit.requests[i]).collect();
        let url = path.url(self.base_url);
        let feed = feeds::atom(
            &format!("Job requests in workspace {name}"),
            &format!("{url}feed.xml"),
            &url,
            &newest,
            self.base_url,
        );
        self.writer.write(&path.file("feed.xml"), feed.as_bytes())
    }

    fn org_page(&self, slug: &str, indices: &[usize]) -> Result<(), Diagnostic> {
        self.progress.tick();
        let path = PagePath::org(slug);
        let org = OrgView {
            name: self.org_name(slug, indices),
        };
        let projects = listing::projects(self.audit, indices, &path);
        let rows = listing::rows(self.audit, indices, &path, listing::RECENT);
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
        )
    }

    fn user_page(&self, username: &str, indices: &[usize]) -> Result<(), Diagnostic> {
        self.progress.tick();
        let path = PagePath::user(username);
        let latest = &self.audit.requests[indices[indices.len() - 1]].request;
        let user = UserView {
            username: username.to_owned(),
            fullname: latest.created_by.fullname.clone(),
        };
        let projects = listing::projects(self.audit, indices, &path);
        let rows = listing::rows(self.audit, indices, &path, listing::RECENT);
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
        )
    }

    /// The search page and its index shards beside it.
    fn search(&self, hashed: &[(String, &str, String)]) -> Result<SearchStats, Diagnostic> {
        let index = search::build(self.audit);
        self.progress.start("search index", index.files.len());
        let written = index.files.par_iter().try_for_each(|file| {
            self.progress.tick();
            self.writer.write(&file.path(), file.contents.as_bytes())
        });
        self.progress.finish();
        written?;
        let path = PagePath::search();
        let script = hashed
            .iter()
            .find(|(_, name, _)| *name == "search.js")
            .map(|(h, _, contents)| (h.clone(), contents.len()))
            .unwrap_or_default();
        let view = SearchPageView {
            script: format!("{}{}", path.root(), script.0),
            script_bytes: script.1,
            manifest: format!("{}.js", index.manifest),
            event_log: path.link_to(&PagePath::event_log(1)),
        };
        let meta = PageMeta::new(&path, self.base_url, "Search")
            .describe("Search job requests by id, job identifier, workspace, researcher, action, backend, status or commit")
            .with_crumbs(&path, &[(path.clone(), "Search".into(), "Search")]);
        self.page(&path, "search.html", &meta, &[("search", &view)])?;
        Ok(index.stats)
    }

    /// sitemap, feeds, robots.txt and 404.html: the only files with absolute URLs.
    fn hosting_files(&self, title: &str) -> Result<(), Diagnostic> {
        let mut urls: Vec<String> = vec![
            PagePath::home().url(self.base_url),
            PagePath::organisations().url(self.base_url),
        ];
        let pages = self
            .audit
            .requests
            .len()
            .div_ceil(listing::EVENT_LOG_PAGE)
            .max(1);
        urls.extend((1..=pages).map(|n| PagePath::event_log(n).url(self.base_url)));
        let g = &self.groups;
        urls.extend(
            g.projects
                .keys()
                .map(|p| PagePath::project(p).url(self.base_url)),
        );
        urls.extend(
            g.workspaces
                .keys()
                .map(|(p, w)| PagePath::workspace(p, w).url(self.base_url)),
        );
        urls.extend(g.orgs.keys().map(|o| PagePath::org(o).url(self.base_url)));
        urls.extend(g.users.keys().map(|u| PagePath::user(u).url(self.base_url)));
        urls.extend(
            g.backends
                .keys()
                .map(|b| PagePath::backend(b).url(self.base_url)),
        );
        urls.extend(self.audit.requests.iter().map(|r| {
            let q = &r.request;
            PagePath::request(&q.project.slug, &q.workspace.name, q.id).url(self.base_url)
        }));
        for (name, xml) in sitemap::sitemaps(&urls, self.base_url) {
            self.writer.write(&name, xml.as_bytes())?;
        }
        self.writer
            .write("robots.txt", sitemap::robots(self.base_url).as_bytes())?;
        let newest: Vec<_> = self.audit.requests.iter().rev().collect();
        let feed = feeds::atom(
            &format!("{title}: latest job requests"),
            &format!("{}feed.xml", self.base_url),
            self.base_url,
            &newest,
            self.base_url,
        );
        self.writer.write("feed.xml", feed.as_bytes())?;
        let meta = PageMeta::new(&PagePath::home(), self.base_url, "Page not found");
        let html = self.renderer.render("404.html", &meta, &[])?;
        self.writer.write("404.html", html.as_bytes())
    }
}

#[derive(Serialize)]
struct PipelineFacts<'a> {
    key: &'a str,
    lines: usize,
    bytes: usize,
    requests: usize,
    actions: usize,
}

#[derive(Serialize)]
struct SearchPageView {
    /// `../static/search.<hash>.js`.
    script: String,
    /// Its size, which the page adds to what a query loaded.
    script_bytes: usize,
    /// The manifest's file name, beside the page.
    manifest: String,
    event_log: String,
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
