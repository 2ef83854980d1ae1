//! The job request page (spec/job-server.md §2.3): what each section shows, as data for
//! `templates/request.html`.

use serde::Serialize;

use super::diff::{PipelineDiff, diff};
use super::highlight::{Drawings, HighlightedPipeline};
use super::view::{Link, RequestLinks, StatusView, Time, job_status_label};
use crate::audit::{Audit, AuditedRequest, JobStats, PipelineEntry, PreviousRequest};
use crate::model::JobRequest;
use crate::model::PagePath;
use crate::pipeline::{Pipeline, PipelineError, PrivacyLevel};

#[derive(Debug, Serialize)]
pub struct RequestView {
    pub id: u64,
    pub identifier: String,
    pub organisation: Option<Link>,
    pub project: Link,
    pub workspace: Link,
    pub researcher: Link,
    pub backend: Link,
    /// The upper-cased slug, as the timezone footer prints it.
    pub backend_code: String,
    /// job-server's wording changes for its Test backend.
    pub is_test_backend: bool,
    pub status: StatusView,
    pub status_message: Option<String>,
    pub is_completed: bool,
    pub is_invalid: bool,
    pub cancellation_requested: bool,
    pub branch: String,
    pub branch_url: String,
    pub force_run_dependencies: bool,
    /// First 7 characters, linked to the tree; None when the sha is empty.
    pub commit: Option<Link>,
    pub repo_url: String,
    pub project_yaml_url: String,
    pub requested_actions: Vec<RequestedAction>,
    /// Levels the requested actions write to, most sensitive first.
    pub requested_levels: Vec<&'static str>,
    pub jobs: Vec<JobView>,
    pub stats: Option<StatsView>,
    pub created: Time,
    pub started: Option<Time>,
    pub finished: Option<Time>,
    pub runtime: String,
    pub previous: Option<PreviousView>,
    pub previous_successful: Option<PreviousView>,
    pub pipeline: PipelineView,
}

#[derive(Debug, Serialize)]
pub struct RequestedAction {
    pub name: String,
    /// Link to the action's block in the pipeline, when the pipeline has the action.
    pub href: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct JobView {
    pub identifier: String,
    pub action: String,
    /// Link to the action's block in the pipeline.
    pub action_href: Option<String>,
    pub status: String,
    pub status_label: String,
    /// `status_code: message`, shown for failed and pending jobs with a message.
    pub status_code: Option<String>,
    pub status_message: Option<String>,
    pub started: Option<Time>,
    pub completed: Option<Time>,
    pub run_command: String,
    /// Outputs its action declares, by level; None when the pipeline is unavailable or
    /// has no such action.
    pub outputs: Option<Vec<LevelOutputs>>,
}

#[derive(Debug, Serialize)]
pub struct LevelOutputs {
    pub level: &'static str,
    pub outputs: Vec<OutputView>,
}

#[derive(Debug, Serialize)]
pub struct OutputView {
    pub name: String,
    pub pattern: String,
}

#[derive(Debug, Serialize)]
pub struct StatsView {
    pub rows: Vec<StatsRow>,
    pub completed: usize,
    pub total: usize,
    pub completed_percent: String,
}

#[derive(Debug, Serialize)]
pub struct StatsRow {
    pub label: &'static str,
    pub status: &'static str,
    pub count: usize,
    pub percent: String,
}

#[derive(Debug, Serialize)]
pub struct PreviousView {
    pub id: u64,
    /// The previous request's page: same project and workspace, so a sibling folder.
    pub href: String,
    pub compare_url: String,
}

#[derive(Debug, Serialize)]
pub struct PipelineView {
    pub available: bool,
    /// Highlighted HTML, built from escaped text; None when it is on its own page.
    pub html: Option<String>,
    /// The pipeline's own page, for files too large to inline (`is_large`).
    pub own_page: Option<String>,
    pub error: Option<PipelineErrorView>,
    pub bytes: usize,
    pub lines: usize,
    /// How project.yaml changed since the previous request, when it did.
    pub changes: Option<ChangesView>,
    /// The actions and their needs drawn as an SVG (valid pipelines of at most
    /// `INLINE_GRAPH_ACTIONS` actions; larger ones are drawn on their own page).
    pub graph: Option<String>,
    /// Whether the graph is small enough to be drawn at all (`MAX_GRAPH_BYTES`).
    pub graph_drawable: bool,
    pub actions: usize,
}

#[derive(Debug, Serialize)]
pub struct ChangesView {
    pub previous_id: u64,
    pub diff: PipelineDiff,
}

/// job-server refuses to render project.yaml over 10,000 characters (they crashed browser
/// tabs); jobaudit renders it on a page of its own, one per distinct text, shared by every
/// request that ran it, so no request page becomes heavy and no large file is drawn twice.
pub const LARGE_PIPELINE: usize = 10_000;

/// A graph is drawn on the request page up to this many bytes of SVG (a pipeline of ten
/// actions takes about 6 KB; nine in ten real pipelines have fewer than 45 actions);
/// larger ones are drawn once, on the pipeline's own page.
pub const INLINE_GRAPH_BYTES: usize = 40_000;

pub use super::graph::MAX_GRAPH_BYTES;

pub fn is_large(entry: &PipelineEntry) -> bool {
    entry.facts.bytes > LARGE_PIPELINE && entry.facts.chars > LARGE_PIPELINE
}

/// Whether pipeline `i` gets its own page: it is too large to inline, or its graph is
/// too large to draw on every request page.
pub fn has_own_page(audit: &Audit, drawings: &Drawings<'_>, i: usize) -> bool {
    is_large(&audit.pipelines[i]) || !graph_inline(drawings, i)
}

fn graph_inline(drawings: &Drawings<'_>, i: usize) -> bool {
    drawings
        .graph_bytes(i)
        .is_none_or(|bytes| bytes <= INLINE_GRAPH_BYTES)
}

#[derive(Debug, Serialize)]
pub struct PipelineErrorView {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl From<&PipelineError> for PipelineErrorView {
    fn from(e: &PipelineError) -> Self {
        PipelineErrorView {
            message: e.message.clone(),
            line: e.line,
            column: e.column,
        }
    }
}

/// Builds the view of `r`, whose page is at `page`.
/// `highlighted` is the request's pipeline, highlighted (None without one).
pub fn request_view(
    r: &AuditedRequest,
    audit: &Audit,
    drawings: &Drawings<'_>,
    highlighted: Option<&HighlightedPipeline>,
    page: &PagePath,
) -> RequestView {
    let req = &r.request;
    let pipeline = r.valid_pipeline(audit);
    let large = r.pipeline.is_some_and(|i| is_large(&audit.pipelines[i]));
    let own_page = r
        .pipeline
        .filter(|&i| has_own_page(audit, drawings, i))
        .map(|i| page.link_to(&PagePath::pipeline(&audit.pipelines[i].key)));
    // Actions are anchored where the file is drawn: here, or on its own page.
    let pipeline_page = if large {
        own_page.as_deref().unwrap_or("")
    } else {
        ""
    };
    let action_href = |action: &str| {
        pipeline
            .and_then(|p| p.action(action))
            .map(|_| format!("{pipeline_page}#action-{action}"))
    };
    let repo = req.workspace.repo.to_string();
    // job-server links the tree and files at the commit, or the bare repo when the sha
    // is empty (spec/job-server.md §1.1).
    let (tree_url, blob_base) = if req.sha.is_empty() {
        (repo.clone(), format!("{repo}/"))
    } else {
        (
            format!("{repo}/tree/{}", req.sha),
            format!("{repo}/blob/{}/", req.sha),
        )
    };
    let project_yaml_url = if req.sha.is_empty() {
        repo.clone()
    } else {
        format!("{blob_base}project.yaml")
    };
    let pipeline_view = match r.pipeline {
        None => PipelineView {
            available: false,
            html: None,
            own_page: None,
            error: None,
            bytes: 0,
            lines: 0,
            changes: None,
            graph: None,
            actions: 0,
            graph_drawable: false,
        },
        Some(i) => {
            let entry = &audit.pipelines[i];
            PipelineView {
                available: true,
                html: (!large)
                    .then(|| highlighted.map(|h| h.for_request(&blob_base, &r.expanded_actions)))
                    .flatten(),
                own_page: own_page.clone(),
                error: entry.parsed().as_ref().err().map(PipelineErrorView::from),
                bytes: entry.facts.bytes,
                lines: entry.facts.lines,
                changes: changes(r, audit, drawings, i),
                actions: pipeline.map_or(0, |p| p.actions.len()),
                graph_drawable: drawings
                    .graph_bytes(i)
                    .is_some_and(|bytes| bytes <= MAX_GRAPH_BYTES),
                graph: pipeline
                    .filter(|_| graph_inline(drawings, i))
                    .zip(drawings.graph(i))
                    .map(|(p, (layout, _))| {
                        let status = |action: &str| {
                            req.jobs
                                .iter()
                                .rev()
                                .find(|j| j.action == action)
                                .map(|j| j.status.clone())
                        };
                        let href = |action: &str| format!("{pipeline_page}#action-{action}");
                        layout.svg(p, &r.expanded_actions, &status, &href)
                    }),
            }
        }
    };
    let links = RequestLinks::of(req, page);
    RequestView {
        id: req.id,
        identifier: req.identifier.clone(),
        organisation: links.organisation,
        project: links.project,
        workspace: links.workspace,
        researcher: links.researcher,
        backend: links.backend,
        backend_code: req.backend.slug.to_uppercase(),
        is_test_backend: &*req.backend.name == "Test",
        status: r.status.status.into(),
        status_message: r.status.message.clone().filter(|m| !m.is_empty()),
        is_completed: r.is_completed(),
        is_invalid: r.is_invalid(),
        cancellation_requested: !req.cancelled_actions.is_empty() && !r.is_completed(),
        branch: req.workspace.branch.to_string(),
        branch_url: format!(
            "{repo}/tree/{}",
            crate::escape::url_path(&req.workspace.branch)
        ),
        force_run_dependencies: req.force_run_dependencies,
        commit: (!req.sha.is_empty())
            .then(|| Link::new(tree_url, req.sha.chars().take(7).collect::<String>())),
        repo_url: repo.clone(),
        project_yaml_url,
        requested_actions: req
            .requested_actions
            .iter()
            .map(|a| RequestedAction {
                name: a.clone(),
                href: action_href(a),
            })
            .collect(),
        requested_levels: r.requested_levels.iter().map(|l| l.as_str()).collect(),
        jobs: req
            .jobs
            .iter()
            .map(|j| {
                let shows_message = matches!(j.status.as_str(), "failed" | "pending")
                    && !j.status_message.is_empty();
                JobView {
                    identifier: j.identifier.clone(),
                    action: j.action.clone(),
                    action_href: action_href(&j.action),
                    status: j.status.clone(),
                    status_label: job_status_label(&j.status),
                    status_code: (shows_message && !j.status_code.is_empty())
                        .then(|| j.status_code.clone()),
                    status_message: shows_message.then(|| j.status_message.clone()),
                    started: j.started_at.map(Time::of),
                    completed: j.completed_at.map(Time::of),
                    run_command: j.run_command.clone(),
                    outputs: pipeline.and_then(|p| outputs_of(p, &j.action)),
                }
            })
            .collect(),
        stats: (r.stats.total > 0).then(|| stats_view(&r.stats)),
        created: Time::of(r.timeline.created),
        started: r.timeline.started.map(Time::of),
        finished: r.timeline.finished.map(Time::of),
        runtime: r.timeline.runtime.to_string(),
        previous: r.previous.as_ref().map(|p| previous_view(p, page, req)),
        previous_successful: r
            .previous_successful
            .as_ref()
            .map(|p| previous_view(p, page, req)),
        pipeline: pipeline_view,
    }
}

/// The diff from the previous request's project.yaml, when it ran a different one.
fn changes(
    r: &AuditedRequest,
    audit: &Audit,
    drawings: &Drawings<'_>,
    this: usize,
) -> Option<ChangesView> {
    let previous = r.previous.as_ref()?;
    let before = previous.pipeline?;
    if before == this {
        return None;
    }
    let diff = diff(
        audit.pipelines[before].text(),
        audit.pipelines[this].text(),
        &|line| drawings.line(line),
    )?;
    Some(ChangesView {
        previous_id: previous.id,
        diff,
    })
}

fn previous_view(p: &PreviousRequest, page: &PagePath, req: &JobRequest) -> PreviousView {
    let target = PagePath::request(&req.project.slug, &req.workspace.name, p.id);
    PreviousView {
        id: p.id,
        href: page.link_to(&target),
        compare_url: p.compare_url.clone(),
    }
}

fn outputs_of(pipeline: &Pipeline, action: &str) -> Option<Vec<LevelOutputs>> {
    let action = pipeline.action(action)?;
    Some(
        action
            .outputs
            .iter()
            .map(|(level, outputs)| LevelOutputs {
                level: level.as_str(),
                outputs: outputs
                    .iter()
                    .map(|o| OutputView {
                        name: o.name.clone(),
                        pattern: o.pattern.clone(),
                    })
                    .collect(),
            })
            .collect(),
    )
}

fn stats_view(s: &JobStats) -> StatsView {
    let row = |label, status, count| StatsRow {
        label,
        status,
        count,
        percent: s.percent(count),
    };
    StatsView {
        rows: vec![
            row("Pending", "pending", s.pending),
            row("Running", "running", s.running),
            row("Succeeded", "succeeded", s.succeeded),
            row("Failed", "failed", s.failed),
        ],
        completed: s.completed,
        total: s.total,
        completed_percent: s.percent(s.completed),
    }
}

/// Every level, for templates that explain them all.
pub fn all_levels() -> Vec<&'static str> {
    PrivacyLevel::ALL.iter().map(|l| l.as_str()).collect()
}
