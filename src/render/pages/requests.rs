//! The request pages (and their `index.json`), and the shared pages of large pipelines.

use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::{MadeFrom, Pages};
use crate::diagnostics::Diagnostic;
use crate::model::PagePath;
use crate::render::highlight::{Drawings, HighlightedPipeline};
use crate::render::listing;
use crate::render::request_page::{
    MAX_GRAPH_BYTES, PipelineErrorView, has_own_page, is_large, request_view,
};
use crate::render::{PageMeta, request_json};

impl Pages<'_> {
    /// One page and one `index.json` per request, rendered in parallel. A request whose
    /// resolved record, pipelines and templates are unchanged keeps its files without
    /// being rendered (or its pipeline highlighted) at all.
    ///
    /// Requests are taken in groups that ran the same project.yaml, which is highlighted
    /// once for its group and dropped after it: memory holds the pipelines being
    /// rendered, not all of them.
    pub(super) fn request_pages(&self, drawings: &Drawings<'_>) -> Result<(), Diagnostic> {
        let mut groups: BTreeMap<Option<usize>, Vec<usize>> = BTreeMap::new();
        for (n, r) in self.audit.requests.iter().enumerate() {
            groups
                .entry(r.pipeline.filter(|&i| !is_large(&self.audit.pipelines[i])))
                .or_default()
                .push(n);
        }
        self.progress
            .start("request pages", self.audit.requests.len());
        let result = groups.par_iter().try_for_each(|(&pipeline, requests)| {
            let highlighted = OnceLock::new();
            let highlight = || pipeline.map(|i| highlighted.get_or_init(|| drawings.highlight(i)));
            requests
                .par_iter()
                .try_for_each(|&n| self.request_page(n, drawings, &highlight))
        });
        self.progress.finish();
        result
    }

    /// The page of the `n`th request.
    fn request_page<'h>(
        &self,
        n: usize,
        drawings: &Drawings<'_>,
        highlight: &(dyn Fn() -> Option<&'h HighlightedPipeline> + Sync),
    ) -> Result<(), Diagnostic> {
        self.progress.tick();
        let summary = &self.audit.requests[n];
        let path = PagePath::request(&summary.project.slug, &summary.workspace.name, summary.id);
        let (html_file, json_file) = (path.file("index.html"), path.file("index.json"));
        let from = MadeFrom::requests(std::slice::from_ref(&n));
        self.out.made(&[&html_file, &json_file], &from, &mut || {
            self.make_request_page(n, &path, drawings, highlight)
        })
    }

    /// The page and `index.json` of the `n`th request, at `path`.
    fn make_request_page<'h>(
        &self,
        n: usize,
        path: &PagePath,
        drawings: &Drawings<'_>,
        highlight: &(dyn Fn() -> Option<&'h HighlightedPipeline> + Sync),
    ) -> Result<Vec<String>, Diagnostic> {
        let r = &self.audit.request(n)?;
        let q = &r.request;
        let json = request_json::request_json(r, self.audit);
        let view = request_view(r, self.audit, drawings, highlight(), path);
        let meta = PageMeta::new(
            path,
            self.base_url,
            format!("Job request: {} - {}", q.id, q.workspace.name),
        )
        .describe(format!(
            "Job request: {} in workspace {}",
            q.id, q.workspace.name
        ))
        .with_crumbs(
            path,
            &[
                (
                    PagePath::project(&q.project.slug),
                    q.project.name.to_string(),
                    "Project",
                ),
                (
                    PagePath::workspace(&q.project.slug, &q.workspace.name),
                    q.workspace.name.to_string(),
                    "Workspace",
                ),
                (path.clone(), q.id.to_string(), "Job request"),
            ],
        );
        let html = self
            .renderer
            .render("request.html", &meta, &[("request", &view)])?;
        Ok(vec![html, json])
    }

    /// A page per distinct large project.yaml (`request_page::has_own_page`), shared by
    /// the requests that ran it: the file highlighted, its graph, and those requests.
    pub(super) fn pipeline_pages(&self, drawings: &Drawings<'_>) -> Result<(), Diagnostic> {
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
            let latest = &self.audit.requests[requests[requests.len() - 1]];
            let repo = &latest.workspace.repo;
            let blob_base = if latest.sha.is_empty() {
                format!("{repo}/")
            } else {
                format!("{repo}/blob/{}/", latest.sha)
            };
            let rows = self.rows(requests, &path, listing::RECENT);
            // The text by its content key, as in the request fingerprints.
            let from = MadeFrom::requests(requests).and(&entry.key).and(&blob_base);
            self.out.made(&[&path.file("index.html")], &from, &mut || {
                let html = drawings.highlight(i).for_request(&blob_base, &[]);
                let graph = entry
                    .parsed()
                    .as_ref()
                    .ok()
                    .zip(
                        drawings
                            .graph(i)
                            .filter(|(_, bytes)| *bytes <= MAX_GRAPH_BYTES),
                    )
                    .map(|(p, (layout, _))| {
                        layout.svg(p, &[], &|_| None, &|a| format!("#action-{a}"))
                    });
                let actions = entry.parsed().as_ref().map_or(0, |p| p.actions.len());
                let error = entry.parsed().as_ref().err().map(PipelineErrorView::from);
                let title = format!("project.yaml {}", entry.key);
                let meta = PageMeta::new(&path, self.base_url, &title)
                    .with_crumbs(&path, &[(path.clone(), title.clone(), "Pipeline")]);
                let facts = PipelineFacts {
                    key: &entry.key,
                    lines: entry.facts.lines,
                    bytes: entry.facts.bytes,
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
                Ok(vec![page])
            })
        });
        self.progress.finish();
        result
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
