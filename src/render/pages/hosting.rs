//! The files around the pages: Markdown pages, the search page, the sitemap, robots.txt,
//! the site's feed and 404.html.

use serde::Serialize;

use super::{MadeFrom, Pages};
use crate::diagnostics::Diagnostic;
use crate::model::PagePath;
use crate::render::listing::Paged;
use crate::render::{NavPage, PageMeta, sitemap};

/// What the search page loads: its script (`static/search.<hash>.js`) with its size, and
/// the index's manifest beside the page.
#[derive(Debug, Clone)]
pub struct SearchFiles {
    pub script: String,
    pub script_bytes: usize,
    /// The manifest's name, without `.js`.
    pub manifest: String,
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

impl Pages<'_> {
    /// A page per `pages/<slug>.md`, its body already HTML.
    pub(super) fn markdown_pages(&self, pages: &[(NavPage, String)]) -> Result<(), Diagnostic> {
        for (nav, body) in pages {
            let path = PagePath::markdown(&nav.slug);
            let meta = PageMeta::new(&path, self.base_url, &nav.title)
                .with_crumbs(&path, &[(path.clone(), nav.title.clone(), "Page")]);
            let from = MadeFrom::default().and(&nav.title).and(body);
            self.page(&path, "markdown.html", &meta, &[("body", body)], &from)?;
        }
        Ok(())
    }

    /// The search page, which loads `files`.
    pub fn search_page(&self, files: &SearchFiles) -> Result<(), Diagnostic> {
        let path = PagePath::search();
        let view = SearchPageView {
            script: format!("{}{}", path.root(), files.script),
            script_bytes: files.script_bytes,
            manifest: format!("{}.js", files.manifest),
            event_log: path.link_to(&PagePath::event_log()),
        };
        let meta = PageMeta::new(&path, self.base_url, "Search")
            .describe("Search job requests by id, job identifier, workspace, researcher, action, backend, status or commit")
            .with_crumbs(&path, &[(path.clone(), "Search".into(), "Search")]);
        let from = MadeFrom::default()
            .and(&files.script)
            .and(files.script_bytes.to_le_bytes())
            .and(&files.manifest);
        self.page(&path, "search.html", &meta, &[("search", &view)], &from)
    }

    /// sitemap, robots.txt, the site's feed and 404.html: the only files with absolute
    /// URLs.
    pub fn hosting_files(&self, title: &str) -> Result<(), Diagnostic> {
        let base_url = self.base_url;
        let mut urls: Vec<String> = vec![
            PagePath::home().url(base_url),
            PagePath::organisations().url(base_url),
        ];
        let log = Paged::of(PagePath::event_log(), self.audit.requests.len());
        urls.extend(log.paths().map(|p| p.url(base_url)));
        let g = &self.groups;
        urls.extend(
            g.projects
                .keys()
                .map(|p| PagePath::project(p).url(base_url)),
        );
        for ((project, workspace), indices) in &g.workspaces {
            let pages = Paged::of(PagePath::workspace(project, workspace), indices.len());
            urls.extend(pages.paths().map(|p| p.url(base_url)));
        }
        urls.extend(g.orgs.keys().map(|o| PagePath::org(o).url(base_url)));
        urls.extend(g.users.keys().map(|u| PagePath::user(u).url(base_url)));
        urls.extend(
            g.backends
                .keys()
                .map(|b| PagePath::backend(b).url(base_url)),
        );
        urls.extend(
            self.audit
                .requests
                .iter()
                .map(|q| PagePath::request(&q.project.slug, &q.workspace.name, q.id).url(base_url)),
        );
        for (name, xml) in sitemap::sitemaps(&urls, base_url) {
            self.out.write(&name, xml.as_bytes())?;
        }
        self.out
            .write("robots.txt", sitemap::robots(base_url).as_bytes())?;
        self.feed(
            "feed.xml",
            &format!("{title}: latest job requests"),
            base_url,
            &self.all(),
        )?;
        let meta = PageMeta::new(&PagePath::home(), base_url, "Page not found");
        let html = self.renderer.render("404.html", &meta, &[])?;
        self.out.write("404.html", html.as_bytes())
    }
}
