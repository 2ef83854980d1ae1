//! What the pages compute (DESIGN.md §4), once per request: status, timeline, job order
//! and statistics, previous requests, and each job's outputs by security level. Every
//! page, feed and index reads these results; none recomputes them.

mod jobs;
mod pipelines;
mod previous;
mod status;
mod timeline;

pub use jobs::{JobStats, sort_jobs};
pub use pipelines::{Origin, PipelineEntry};
pub use previous::compare_url;
pub use status::{RequestStatus, Status, request_status};
pub use timeline::{Runtime, Timeline, job_is_completed, timeline};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::export::{Export, JobRequest};
use crate::pipeline::{Pipeline, PrivacyLevel};

/// A request with everything its page states.
#[derive(Debug, Clone)]
pub struct AuditedRequest {
    /// The record, its jobs in page order.
    pub request: JobRequest,
    pub status: RequestStatus,
    pub timeline: Timeline,
    pub stats: JobStats,
    pub previous: Option<PreviousRequest>,
    pub previous_successful: Option<PreviousRequest>,
    /// Index into `Audit::pipelines` of the project.yaml this request ran.
    pub pipeline: Option<usize>,
    /// The actions the request asked to run: requested actions with `run_all` and, when
    /// forced, dependencies expanded (empty without a valid pipeline).
    pub expanded_actions: Vec<String>,
    /// The security levels those actions write to, most sensitive first.
    pub requested_levels: Vec<PrivacyLevel>,
}

/// The request a code comparison links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousRequest {
    pub id: u64,
    pub sha: String,
    pub compare_url: String,
    /// Index into `Audit::pipelines` of the project.yaml it ran, for "what changed".
    pub pipeline: Option<usize>,
}

#[derive(Debug)]
pub struct Audit {
    /// By id, ascending.
    pub requests: Vec<AuditedRequest>,
    pub pipelines: Vec<PipelineEntry>,
    pub diagnostics: Vec<Diagnostic>,
}

impl AuditedRequest {
    /// The parsed pipeline, when the request has one and it is valid.
    pub fn valid_pipeline<'a>(&self, audit: &'a Audit) -> Option<&'a Pipeline> {
        self.pipeline
            .and_then(|i| audit.pipelines[i].parsed.as_ref().ok())
    }

    /// job-server's `is_invalid`: the old job-runner reported a failure to create jobs as
    /// a pseudo-job named `__error__` (spec/job-server.md §2.6).
    pub fn is_invalid(&self) -> bool {
        self.request.jobs.iter().any(|j| j.action == "__error__")
    }

    /// Whether the request is over: its status is not an active one.
    pub fn is_completed(&self) -> bool {
        is_completed(self.status.status)
    }
}

fn is_completed(status: Status) -> bool {
    !matches!(
        status,
        Status::Pending | Status::Running | Status::Unknown | Status::UnknownErrorCreatingJobs
    )
}

/// Joins records and pipelines. Takes the export's requests (already sorted by id).
pub fn audit(export: Export) -> Audit {
    let Export {
        requests,
        pipelines: store,
        mut diagnostics,
        ..
    } = export;
    let (pipelines, per_request) = pipelines::resolve(&requests, &store, &mut diagnostics);
    let previous = previous::previous_requests(&requests);
    let previous_ref = |r: &JobRequest, p: Option<usize>, requests: &[JobRequest]| {
        p.map(|i| {
            let prev = &requests[i];
            PreviousRequest {
                id: prev.id,
                sha: prev.sha.clone(),
                compare_url: compare_url(&r.workspace.repo, &prev.sha, &r.sha),
                pipeline: per_request[i],
            }
        })
    };
    let links: Vec<_> = requests
        .iter()
        .zip(&previous)
        .map(|(r, &(p, ps))| {
            (
                previous_ref(r, p, &requests),
                previous_ref(r, ps, &requests),
            )
        })
        .collect();
    let requests: Vec<AuditedRequest> = requests
        .into_par_iter()
        .zip(links)
        .zip(per_request)
        .map(|((request, (previous, previous_successful)), pipeline)| {
            let parsed = pipeline.and_then(|i| pipelines[i].parsed.as_ref().ok());
            audit_request(request, previous, previous_successful, pipeline, parsed)
        })
        .collect();
    Audit {
        requests,
        pipelines,
        diagnostics,
    }
}

fn audit_request(
    mut request: JobRequest,
    previous: Option<PreviousRequest>,
    previous_successful: Option<PreviousRequest>,
    pipeline: Option<usize>,
    parsed: Option<&Pipeline>,
) -> AuditedRequest {
    sort_jobs(&mut request.jobs);
    let status = request_status(
        request.status.as_deref(),
        request.status_message.as_deref(),
        &request.jobs,
    );
    let timeline = timeline(
        request.created_at,
        &request.jobs,
        is_completed(status.status),
    );
    let stats = JobStats::of(&request.jobs);
    let (expanded_actions, requested_levels) = match parsed {
        Some(p) => {
            let expanded =
                p.expand_requested(&request.requested_actions, request.force_run_dependencies);
            let levels = levels_written(p, &expanded);
            (expanded, levels)
        }
        None => (Vec::new(), Vec::new()),
    };
    AuditedRequest {
        request,
        status,
        timeline,
        stats,
        previous,
        previous_successful,
        pipeline,
        expanded_actions,
        requested_levels,
    }
}

/// The levels at least one of `actions` declares outputs at, most sensitive first.
pub fn levels_written(pipeline: &Pipeline, actions: &[String]) -> Vec<PrivacyLevel> {
    PrivacyLevel::ALL
        .into_iter()
        .filter(|level| {
            actions.iter().filter_map(|a| pipeline.action(a)).any(|a| {
                a.outputs
                    .iter()
                    .any(|(l, outputs)| l == level && !outputs.is_empty())
            })
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::config::SiteConfig;
    use crate::export::{self, JobRequest};

    pub(crate) fn request_from_json(value: serde_json::Value) -> JobRequest {
        export::request_from_json(&value.to_string(), &SiteConfig::default()).unwrap()
    }
}
