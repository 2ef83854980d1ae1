//! Every file of the site, composed: which pages there are, what each is made from, and
//! how it is made. Render makes the text; a [`Sink`] (the site's output tree) decides
//! whether a file must be made at all, from what it is made from, and keeps it.
//!
//! A file is made from requests, whose fingerprints (`Audit::fingerprints`) stand for
//! all that any page shows of them, and from a few facts of its own (a page number, a
//! count, a title); besides, every file is made from the templates, the settings and
//! this build of the program. [`MadeFrom`] names the first two; the sink adds the rest.

mod browse;
mod hosting;
mod requests;

use crate::audit::Audit;
use crate::diagnostics::Diagnostic;
use crate::model::PagePath;
use crate::progress::Progress;
use crate::render::feeds;
use crate::render::highlight::Drawings;
use crate::render::listing::{Groups, Rows};
use crate::render::{NavPage, PageMeta, Renderer, erased};

pub use hosting::SearchFiles;

/// Where the files go. Called from many threads.
pub trait Sink: Sync {
    /// The files at `files` (paths from the site root), made from `from`: kept if the
    /// previous build made them from the same, else made by `make` (one text per file,
    /// in order) and written.
    fn made(
        &self,
        files: &[&str],
        from: &MadeFrom<'_>,
        make: &mut dyn FnMut() -> Result<Vec<String>, Diagnostic>,
    ) -> Result<(), Diagnostic>;

    /// A file written whatever it was made from: unchanged bytes are left in place.
    fn write(&self, file: &str, contents: &[u8]) -> Result<(), Diagnostic>;
}

/// What a file is made from, besides what every file is: see the module's doc.
#[derive(Debug, Clone, Default)]
pub struct MadeFrom<'a> {
    /// The requests it shows, by index into `Audit::requests`.
    pub requests: &'a [usize],
    /// Its other facts, each as its length and its bytes.
    pub facts: Vec<u8>,
}

impl<'a> MadeFrom<'a> {
    pub fn requests(requests: &'a [usize]) -> MadeFrom<'a> {
        MadeFrom {
            requests,
            facts: Vec::new(),
        }
    }

    /// Adds a fact.
    pub fn and(mut self, fact: impl AsRef<[u8]>) -> MadeFrom<'a> {
        let fact = fact.as_ref();
        self.facts
            .extend_from_slice(&(fact.len() as u64).to_le_bytes());
        self.facts.extend_from_slice(fact);
        self
    }
}

/// The values of a page's context, of different types.
pub type Values<'v> = [(&'static str, &'v dyn erased::Value)];

/// Makes the site's files from an audit.
pub struct Pages<'a> {
    pub audit: &'a Audit,
    pub renderer: &'a Renderer,
    pub out: &'a dyn Sink,
    pub progress: &'a dyn Progress,
    pub base_url: &'a str,
    /// The home page's "as of" date (see [`Pages::build_date`]).
    pub source_date: Option<i64>,
    groups: Groups,
}

impl<'a> Pages<'a> {
    pub fn new(
        audit: &'a Audit,
        renderer: &'a Renderer,
        out: &'a dyn Sink,
        progress: &'a dyn Progress,
        base_url: &'a str,
        source_date: Option<i64>,
    ) -> Pages<'a> {
        Pages {
            audit,
            renderer,
            out,
            progress,
            base_url,
            source_date,
            groups: Groups::of(audit),
        }
    }

    /// Every HTML page but the search page, and every feed.
    pub fn pages(
        &self,
        drawings: &Drawings<'_>,
        markdown_pages: &[(NavPage, String)],
    ) -> Result<(), Diagnostic> {
        self.request_pages(drawings)?;
        self.pipeline_pages(drawings)?;
        self.browsing_pages()?;
        self.markdown_pages(markdown_pages)
    }

    /// Every request, by index.
    fn all(&self) -> Vec<usize> {
        (0..self.audit.requests.len()).collect()
    }

    /// The rows of `indices`, newest first, made only if the page is rendered.
    fn rows(&self, indices: &[usize], from: &PagePath, limit: usize) -> Rows<'_> {
        Rows::new(self.audit, indices, from, limit)
    }

    /// Renders `template` into `path/index.html`, unless the previous build made that
    /// page from the same.
    fn page(
        &self,
        path: &PagePath,
        template: &str,
        meta: &PageMeta,
        values: &Values<'_>,
        from: &MadeFrom<'_>,
    ) -> Result<(), Diagnostic> {
        self.out.made(&[&path.file("index.html")], from, &mut || {
            Ok(vec![self.renderer.render(template, meta, values)?])
        })
    }

    /// An Atom feed at `file` of the requests at `indices` (ascending; the feed lists
    /// the newest), made only when they changed.
    fn feed(
        &self,
        file: &str,
        title: &str,
        site_url: &str,
        indices: &[usize],
    ) -> Result<(), Diagnostic> {
        let self_url = format!("{}{file}", self.base_url);
        let newest: Vec<usize> = indices
            .iter()
            .rev()
            .take(feeds::FEED_ENTRIES)
            .copied()
            .collect();
        // The feed's `updated` is the newest time among all its requests.
        let updated = indices
            .iter()
            .map(|&i| self.audit.requests[i].created_at)
            .max();
        let from = MadeFrom::requests(&newest)
            .and(title)
            .and(&self_url)
            .and(site_url)
            .and(updated.map_or(0, |t| t.timestamp_micros()).to_le_bytes());
        self.out.made(&[file], &from, &mut || {
            let requests: Vec<_> = newest.iter().map(|&i| &self.audit.requests[i]).collect();
            Ok(vec![feeds::atom(
                title,
                &self_url,
                site_url,
                &requests,
                updated,
                self.base_url,
            )])
        })
    }

    /// The home page's "as of" date: from `SOURCE_DATE_EPOCH` (reproducible builds), else
    /// the newest record; never the wall clock, so the same input gives the same bytes.
    /// Only the home page shows it, so that a new record does not change every page.
    fn build_date(&self) -> Option<String> {
        let from_env = self
            .source_date
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0));
        let newest = self.audit.requests.iter().map(|r| r.created_at).max();
        from_env
            .or(newest)
            .map(|t| t.format("%d %b %Y").to_string())
    }
}
