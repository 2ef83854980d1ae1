//! Turning audited requests into HTML: templates (tera), highlighting (syntect), Markdown.
//! Pure transforms: data in, strings out; `site` decides where they go.

pub mod assets;
pub mod diff;
pub mod feeds;
pub mod graph;
pub mod highlight;
pub mod listing;
pub mod markdown;
pub mod pages;
mod plain_lines;
pub mod request_json;
pub mod request_page;
mod row;
pub mod sitemap;
pub mod templates;
pub mod view;

use serde::Serialize;
use std::path::Path;

use crate::audit::Audit;
use crate::config::{Intro, SiteConfig};
use crate::diagnostics::Diagnostic;
use crate::model::PagePath;
use highlight::{Drawings, GraphSizes, Highlighter};

/// What every page knows about the site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub base_url: String,
    /// Extra Markdown pages, for the navigation.
    pub pages: Vec<NavPage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavPage {
    pub slug: String,
    pub title: String,
}

/// Names of the content-hashed assets, relative to the root.
#[derive(Debug, Clone, Serialize)]
pub struct AssetNames {
    pub css: String,
    pub page_js: String,
}

/// One page's own facts.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    pub title: String,
    pub description: Option<String>,
    /// From this page back to the root.
    pub root: String,
    pub canonical: String,
    pub breadcrumbs: Vec<Crumb>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Crumb {
    pub href: String,
    pub text: String,
    /// Tooltip naming what the crumb is, as job-server's ("Project", "Workspace").
    pub kind: &'static str,
}

impl PageMeta {
    pub fn new(path: &PagePath, base_url: &str, title: impl Into<String>) -> PageMeta {
        PageMeta {
            title: title.into(),
            description: None,
            root: path.root(),
            canonical: path.url(base_url),
            breadcrumbs: Vec::new(),
        }
    }

    /// Home › … crumbs, each `(target, text, kind)`; the last is this page.
    pub fn with_crumbs(
        mut self,
        path: &PagePath,
        crumbs: &[(PagePath, String, &'static str)],
    ) -> PageMeta {
        self.breadcrumbs = std::iter::once(Crumb {
            href: path.link_to(&PagePath::home()),
            text: "Home".into(),
            kind: "Home",
        })
        .chain(crumbs.iter().map(|(target, text, kind)| Crumb {
            href: path.link_to(target),
            text: text.clone(),
            kind,
        }))
        .collect();
        self
    }

    pub fn describe(mut self, description: impl Into<String>) -> PageMeta {
        self.description = Some(description.into());
        self
    }
}

pub struct Renderer {
    tera: tera::Tera,
    /// A hash of everything this renderer makes every page from besides its data: the
    /// templates, site, assets and intro.
    identity: u128,
    highlighter: Highlighter,
    site: SiteView,
    assets: AssetNames,
    intro: Intro,
    /// `request_row.html` is the built-in one, so rows are written by `row::request_row`.
    built_in_row: bool,
}

impl Renderer {
    pub fn new(
        config: &SiteConfig,
        templates: &[templates::Override],
        site: SiteView,
        assets: AssetNames,
    ) -> Result<Renderer, Diagnostic> {
        let (tera, sources) = templates::load(templates)?;
        let source = |name: &str, of: &[(String, String)]| {
            of.iter().find(|(n, _)| n == name).map(|(_, s)| s.clone())
        };
        let built_in: Vec<(String, String)> = templates::BUILT_IN
            .iter()
            .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
            .collect();
        let built_in_row =
            source("request_row.html", &sources) == source("request_row.html", &built_in);
        let identity = xxhash_rust::xxh3::xxh3_128(
            &serde_json::to_vec(&(&sources, &site, &assets, &config.intro)).unwrap_or_default(),
        );
        Ok(Renderer {
            tera,
            identity,
            highlighter: Highlighter::new(),
            site,
            assets,
            intro: config.intro.clone(),
            built_in_row,
        })
    }

    /// Each distinct pipeline of `audit`, highlighted and laid out once, when a page
    /// first needs it.
    pub fn drawings<'a>(&'a self, audit: &'a Audit, known: &GraphSizes) -> Drawings<'a> {
        Drawings::new(&self.highlighter, &audit.pipelines, known)
    }

    /// A hash of everything this renderer makes every page from besides its data: the
    /// templates (built-in or not), the site's title, base URL and pages, the assets'
    /// names and the intro.
    pub fn identity(&self) -> u128 {
        self.identity
    }

    /// Renders `template` with the common context plus `(key, value)` pairs.
    pub fn render(
        &self,
        template: &str,
        meta: &PageMeta,
        values: &[(&'static str, &dyn erased::Value)],
    ) -> Result<String, Diagnostic> {
        let mut context = tera::Context::new();
        context.insert("site", &self.site);
        context.insert("assets", &self.assets);
        context.insert("intro", &self.intro);
        context.insert("page", meta);
        for (key, value) in values {
            value.insert_into(&mut context, key, self)?;
        }
        self.tera.render(template, &context).map_err(|e| {
            Diagnostic::error(
                Path::new(template),
                format!("cannot render {}: {}", meta.canonical, error_chain(&e)),
            )
        })
    }

    /// One row of a requests table (`request_row.html`), whose links start from `from`.
    pub fn request_row(
        &self,
        row: &listing::RequestRow,
        from: &PagePath,
    ) -> Result<String, Diagnostic> {
        if self.built_in_row {
            return Ok(row::request_row(row));
        }
        self.template_row(row, from)
    }

    fn template_row(
        &self,
        row: &listing::RequestRow,
        from: &PagePath,
    ) -> Result<String, Diagnostic> {
        let mut context = tera::Context::new();
        context.insert("row", row);
        self.tera.render("request_row.html", &context).map_err(|e| {
            Diagnostic::error(
                Path::new("request_row.html"),
                format!(
                    "cannot render request {} on {}: {}",
                    row.id,
                    from.file("index.html"),
                    error_chain(&e)
                ),
            )
        })
    }
}

/// tera nests the cause of a rendering error; show all of it.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Context values of different types in one list.
pub mod erased {
    use crate::diagnostics::Diagnostic;

    pub trait Value {
        /// Puts the value in a page's context; `renderer` makes any part of it that is
        /// a template of its own.
        fn insert_into(
            &self,
            context: &mut tera::Context,
            key: &'static str,
            renderer: &super::Renderer,
        ) -> Result<(), Diagnostic>;
    }

    impl<T: serde::Serialize> Value for T {
        fn insert_into(
            &self,
            context: &mut tera::Context,
            key: &'static str,
            _: &super::Renderer,
        ) -> Result<(), Diagnostic> {
            context.insert(key, self);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::listing::RequestRow;
    use super::view::{Link, Time};
    use super::*;
    use crate::audit::Status;

    fn renderer() -> Renderer {
        let config = SiteConfig::default();
        let site = SiteView {
            title: config.title.clone(),
            base_url: config.base_url.clone(),
            pages: Vec::new(),
        };
        let assets = AssetNames {
            css: String::new(),
            page_js: String::new(),
        };
        Renderer::new(&config, &[], site, assets).unwrap()
    }

    /// The hand-written row is the built-in template's, byte for byte, whatever the
    /// values hold: markup, quotes, ampersands, text beyond ASCII, and no org or actions.
    #[test]
    fn rows_written_by_hand_are_the_templates() {
        let hostile = "<script>alert('x')</script> & \"quotes\" é 日本";
        let link = |text: &str| Link::new(format!("../p/{}/index.html", text.len()), text);
        let time = Time::of("2024-03-05T14:03:22Z".parse().unwrap());
        let row = |organisation: Option<Link>, actions: Vec<String>, status: Status| RequestRow {
            id: 21418,
            href: "../p/w/21418/index.html".into(),
            status: status.into(),
            organisation,
            project: link(hostile),
            workspace: link("ws_1"),
            user: link("Dr O'Brien & <Co>"),
            backend: link("TPP"),
            jobs: "2/3".into(),
            created: time.clone(),
            started: None,
            actions,
        };
        let rows = [
            row(
                Some(link(hostile)),
                vec!["run_all".into(), hostile.into()],
                Status::Succeeded,
            ),
            row(None, Vec::new(), Status::NothingToDo),
            row(
                Some(link("")),
                vec![String::new()],
                Status::UnknownErrorCreatingJobs,
            ),
        ];
        let r = renderer();
        assert!(r.built_in_row);
        let from = PagePath::event_log();
        for row in &rows {
            let by_hand = super::row::request_row(row);
            assert_eq!(by_hand, r.template_row(row, &from).unwrap());
            assert!(!by_hand.contains("<script>"), "{by_hand}");
        }
    }
}
