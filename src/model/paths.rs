//! Where each page lives, following job-server's URLs (DESIGN.md §3), and the relative
//! links between pages. Every internal link names `index.html`, so a tree works from
//! disk, under any base path, and on a CDN.

/// A page's folder relative to the site root, without leading or trailing slash
/// (`""` for the home page). Segments were checked by `export::check_segment`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PagePath(String);

impl PagePath {
    pub fn home() -> PagePath {
        PagePath(String::new())
    }

    pub fn request(project: &str, workspace: &str, id: u64) -> PagePath {
        PagePath(format!("{project}/{workspace}/{id}"))
    }

    pub fn workspace(project: &str, workspace: &str) -> PagePath {
        PagePath(format!("{project}/{workspace}"))
    }

    pub fn project(project: &str) -> PagePath {
        PagePath(project.to_owned())
    }

    pub fn org(slug: &str) -> PagePath {
        PagePath(format!("orgs/{slug}"))
    }

    pub fn organisations() -> PagePath {
        PagePath("organisations".into())
    }

    pub fn user(username: &str) -> PagePath {
        PagePath(format!("users/{username}"))
    }

    pub fn backend(slug: &str) -> PagePath {
        PagePath(format!("backends/{slug}"))
    }

    /// The event log's front page: its newest requests.
    pub fn event_log() -> PagePath {
        PagePath("event-log".into())
    }

    /// Page `n` (1-based) of a long list whose front page is this one, counted from the
    /// oldest request (`listing::Paged`): `event-log/page/2`, `<project>/<workspace>/page/1`.
    /// Request ids are numbers, so `page` never meets a request's folder.
    pub fn page(&self, n: usize) -> PagePath {
        PagePath(format!("{}/page/{n}", self.0))
    }

    /// The page of a large project.yaml, shared by every request that ran it.
    pub fn pipeline(key: &str) -> PagePath {
        PagePath(format!("pipelines/{key}"))
    }

    pub fn search() -> PagePath {
        PagePath("search".into())
    }

    pub fn markdown(slug: &str) -> PagePath {
        PagePath(format!("pages/{slug}"))
    }

    /// A folder for files beside pages, e.g. `static`.
    pub fn folder(name: &str) -> PagePath {
        PagePath(name.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Number of folders below the root.
    pub fn depth(&self) -> usize {
        if self.0.is_empty() {
            0
        } else {
            1 + self.0.bytes().filter(|&b| b == b'/').count()
        }
    }

    /// `<dir>/index.html`, relative to the root.
    pub fn file(&self, name: &str) -> String {
        if self.0.is_empty() {
            name.to_owned()
        } else {
            format!("{}/{name}", self.0)
        }
    }

    /// From this page's folder back to the root: `../../` (empty at the root).
    pub fn root(&self) -> String {
        "../".repeat(self.depth())
    }

    /// A relative link from this page to `target`'s `index.html`.
    pub fn link_to(&self, target: &PagePath) -> String {
        // Built in one allocation: list pages make a million of these.
        let depth = self.depth();
        let mut link = String::with_capacity(3 * depth + target.0.len() + 11);
        for _ in 0..depth {
            link.push_str("../");
        }
        if !target.0.is_empty() {
            link.push_str(&target.0);
            link.push('/');
        }
        link.push_str("index.html");
        link
    }

    /// The absolute URL of the page's folder, for sitemaps, feeds and canonical links.
    pub fn url(&self, base_url: &str) -> String {
        if self.0.is_empty() {
            base_url.to_owned()
        } else {
            format!("{base_url}{}/", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_pages_follow_job_server_urls() {
        let p = PagePath::request("vte", "vte-diagnoses", 21418);
        assert_eq!(p.file("index.html"), "vte/vte-diagnoses/21418/index.html");
        assert_eq!(p.root(), "../../../");
        assert_eq!(
            p.url("https://jobs.example/"),
            "https://jobs.example/vte/vte-diagnoses/21418/"
        );
    }

    #[test]
    fn links_are_relative_and_name_index_html() {
        let from = PagePath::request("p", "w", 1);
        assert_eq!(
            from.link_to(&PagePath::workspace("p", "w")),
            "../../../p/w/index.html"
        );
        assert_eq!(from.link_to(&PagePath::home()), "../../../index.html");
        assert_eq!(
            PagePath::home().link_to(&PagePath::event_log().page(2)),
            "event-log/page/2/index.html"
        );
    }
}
