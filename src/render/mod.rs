//! Turning audited requests into HTML: templates (tera), highlighting (syntect), Markdown.
//! Pure transforms: data in, strings out; `site` decides where they go.

pub mod graph;
pub mod highlight;
pub mod listing;
pub mod markdown;
pub mod request_json;
pub mod request_page;
pub mod templates;
pub mod view;

use rayon::prelude::*;
use serde::Serialize;
use std::path::Path;

use crate::audit::Audit;
use crate::config::{Intro, SiteConfig};
use crate::diagnostics::Diagnostic;
use crate::site::paths::PagePath;
use highlight::{HighlightedPipeline, Highlighter};

/// What every page knows about the site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub base_url: String,
    /// Extra Markdown pages, for the navigation.
    pub pages: Vec<NavPage>,
    pub build_date: Option<String>,
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
    highlighter: Highlighter,
    site: SiteView,
    assets: AssetNames,
    intro: Intro,
}

impl Renderer {
    pub fn new(
        config: &SiteConfig,
        templates: Option<&Path>,
        site: SiteView,
        assets: AssetNames,
    ) -> Result<Renderer, Diagnostic> {
        Ok(Renderer {
            tera: templates::load(templates)?,
            highlighter: Highlighter::new(),
            site,
            assets,
            intro: config.intro.clone(),
        })
    }

    /// Highlights each distinct pipeline once, in parallel, in `audit.pipelines` order.
    pub fn highlight_pipelines(&self, audit: &Audit) -> Vec<HighlightedPipeline> {
        audit
            .pipelines
            .par_iter()
            .map(|entry| {
                self.highlighter
                    .highlight(&entry.text, entry.parsed.as_ref().ok())
            })
            .collect()
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
            value.insert_into(&mut context, key);
        }
        self.tera.render(template, &context).map_err(|e| {
            Diagnostic::error(
                Path::new(template),
                format!("cannot render {}: {}", meta.canonical, error_chain(&e)),
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
    pub trait Value {
        fn insert_into(&self, context: &mut tera::Context, key: &'static str);
    }

    impl<T: serde::Serialize> Value for T {
        fn insert_into(&self, context: &mut tera::Context, key: &'static str) {
            context.insert(key, self);
        }
    }
}
