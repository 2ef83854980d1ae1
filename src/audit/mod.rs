//! What the pages compute (DESIGN.md §4), once per request: status, timeline, job order
//! and statistics, previous requests, and each job's outputs by security level. Every
//! page, feed and index reads these results; none recomputes them.
//!
//! The audit keeps a [`Summary`] of every request, which is all that lists, feeds, the
//! sitemap and the search index read, and makes the full [`AuditedRequest`] of a request
//! only when its page is made ([`Audit::request`]). A summary depends on the request's
//! record and jobs alone, so a build takes those of unchanged requests from the previous
//! build's [`AuditMemo`].

mod jobs;
mod memo;
mod names;
mod pipelines;
mod previous;
mod status;
mod summary;
mod timeline;

pub use jobs::{JobStats, sort_jobs};
use memo::OwnNames;
pub use memo::{AuditMemo, AuditMemoOut, AuditRows};
pub use names::Names;
pub use pipelines::{Origin, PipelineEntry};
pub use previous::compare_url;
pub use status::{RequestStatus, Status, request_status};
pub use summary::{JobSummary, Summary};
pub use timeline::{Runtime, Timeline, job_is_completed, timeline};

use rayon::prelude::*;
use std::hash::Hash;

use crate::diagnostics::Diagnostic;
use crate::export::{Export, ReadMemo};
use crate::model::JobRequest;
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
    /// Every request, by id, ascending.
    pub requests: Vec<Summary>,
    /// Per request, a fingerprint of everything its page, its `index.json` and its rows
    /// in lists are made from: its record and jobs, the names shown for them, the
    /// project.yaml it ran, its previous requests and the site settings.
    pub fingerprints: Vec<u128>,
    pub pipelines: Vec<PipelineEntry>,
    pub diagnostics: Vec<Diagnostic>,
    /// Per request, its previous and previous successful request.
    previous: Vec<(Option<usize>, Option<usize>)>,
    names: Names,
    /// The names a request's record gives, where the unified ones differ: the memo keeps
    /// summaries as the records make them.
    own_names: Vec<Option<OwnNames>>,
    texts: pipelines::Facts,
    export: Export,
}

impl AuditedRequest {
    /// The parsed pipeline, when the request has one and it is valid.
    pub fn valid_pipeline<'a>(&self, audit: &'a Audit) -> Option<&'a Pipeline> {
        self.pipeline
            .and_then(|i| audit.pipelines[i].parsed().as_ref().ok())
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

/// Joins records and pipelines, every request afresh.
pub fn audit(export: Export) -> Result<Audit, Diagnostic> {
    audit_with_memo(export, AuditMemo::default())
}

/// Joins records and pipelines, taking from `memo` the summary of each request whose
/// record and jobs it knows. An error means a record file changed since it was read.
pub fn audit_with_memo(mut export: Export, mut memo: AuditMemo) -> Result<Audit, Diagnostic> {
    let mut diagnostics = std::mem::take(&mut export.diagnostics);
    let mut parsed = export.take_parsed()?;
    let known: Vec<Option<Summary>> = export
        .requests
        .iter()
        .map(|r| memo.summaries.remove(&r.key))
        .collect();
    drop(memo.summaries);
    // The requests the memo does not know are summarized on every core; the rest are
    // taken where they lie, in the same allocation: a hundred thousand summaries are
    // forty megabytes, and fresh memory costs more than the copying.
    let missing: Vec<(usize, Option<Box<JobRequest>>)> = (0..known.len())
        .filter(|&n| known[n].is_none())
        .map(|n| (n, parsed[n].take()))
        .collect();
    drop(parsed);
    let made: Vec<Summary> = missing
        .into_par_iter()
        .map(|(n, parsed)| match parsed {
            Some(parsed) => Ok(Local::of(*parsed).summary()),
            None => Ok(Local::of(export.request(n)?).summary()),
        })
        .collect::<Result<_, Diagnostic>>()?;
    let mut made = made.into_iter();
    let mut requests: Vec<Summary> = known
        .into_iter()
        .filter_map(|known| known.or_else(|| made.next()))
        .collect();
    debug_assert_eq!(requests.len(), export.requests.len());

    let names = Names::of(&requests);
    let own_names = requests
        .par_iter_mut()
        .map(|r| {
            let own = names.apply(&mut r.project, &mut r.orgs, &mut r.created_by);
            own.map(|(project, orgs, created_by)| OwnNames {
                project,
                orgs,
                created_by,
            })
        })
        .collect();
    let (pipelines, texts) =
        pipelines::resolve(&mut requests, &export, &memo.texts, &mut diagnostics);
    let previous = previous::previous_requests(&requests);
    let settings = export.config.fingerprint();
    let fingerprints = (0..requests.len())
        .into_par_iter()
        .map(|n| fingerprint(n, &requests, &previous, &pipelines, &export, settings))
        .collect();
    Ok(Audit {
        requests,
        fingerprints,
        pipelines,
        diagnostics,
        previous,
        names,
        own_names,
        texts,
        export,
    })
}

/// See `Audit::fingerprints`.
fn fingerprint(
    n: usize,
    requests: &[Summary],
    previous: &[(Option<usize>, Option<usize>)],
    pipelines: &[PipelineEntry],
    export: &Export,
    settings: u128,
) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3Default::new();
    let r = &requests[n];
    let text = |r: &Summary| r.pipeline.map(|i| pipelines[i].hash);
    settings.hash(&mut h);
    export.requests[n].key.hash(&mut h);
    (&r.project, &r.orgs, &r.created_by).hash(&mut h);
    text(r).hash(&mut h);
    let (p, ps) = previous[n];
    for p in [p, ps] {
        p.map(|i| {
            let p = &requests[i];
            (p.id, &p.sha, text(p))
        })
        .hash(&mut h);
    }
    h.digest128()
}

impl Audit {
    /// Request `n` in full, as its page shows it: its record parsed again and audited.
    pub fn request(&self, n: usize) -> Result<AuditedRequest, Diagnostic> {
        let mut request = self.export.request(n)?;
        self.names.apply(
            &mut request.project,
            &mut request.orgs,
            &mut request.created_by,
        );
        let local = Local::of(request);
        let pipeline = self.requests[n].pipeline;
        let parsed = pipeline.and_then(|i| self.pipelines[i].parsed().as_ref().ok());
        let (expanded_actions, requested_levels) = match parsed {
            Some(p) => {
                let q = &local.request;
                let expanded = p.expand_requested(&q.requested_actions, q.force_run_dependencies);
                let levels = levels_written(p, &expanded);
                (expanded, levels)
            }
            None => (Vec::new(), Vec::new()),
        };
        let (previous, previous_successful) = self.previous[n];
        let link = |p: Option<usize>| {
            p.map(|i| {
                let prev = &self.requests[i];
                PreviousRequest {
                    id: prev.id,
                    sha: prev.sha.to_string(),
                    compare_url: compare_url(
                        &local.request.workspace.repo,
                        &prev.sha,
                        &local.request.sha,
                    ),
                    pipeline: prev.pipeline,
                }
            })
        };
        Ok(AuditedRequest {
            previous: link(previous),
            previous_successful: link(previous_successful),
            pipeline,
            expanded_actions,
            requested_levels,
            request: local.request,
            status: local.status,
            timeline: local.timeline,
            stats: local.stats,
        })
    }

    /// Where request `n`'s record was read.
    pub fn source(&self, n: usize) -> &crate::model::Source {
        &self.export.requests[n].source
    }

    /// What this build learnt, for the next: the export's memo and its own.
    pub fn memo(&self) -> (&ReadMemo, AuditMemoOut<'_>) {
        let summaries = self
            .export
            .requests
            .iter()
            .zip(&self.requests)
            .zip(&self.own_names)
            .map(|((r, s), own)| (r.key, s, own.as_ref()))
            .collect();
        (
            &self.export.memo,
            AuditMemoOut {
                summaries,
                texts: &self.texts,
            },
        )
    }
}

/// What a request's record and jobs alone give: its jobs in page order, status,
/// timeline and statistics.
struct Local {
    request: JobRequest,
    status: RequestStatus,
    timeline: Timeline,
    stats: JobStats,
}

impl Local {
    fn of(mut request: JobRequest) -> Local {
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
        Local {
            request,
            status,
            timeline,
            stats,
        }
    }

    fn summary(&self) -> Summary {
        Summary::of(
            &self.request,
            self.status.status,
            self.timeline.started,
            self.stats,
        )
    }
}

/// The levels at least one of `actions` declares outputs at, most sensitive first.
pub fn levels_written(pipeline: &Pipeline, actions: &[String]) -> Vec<PrivacyLevel> {
    let written: Vec<&PrivacyLevel> = actions
        .iter()
        .filter_map(|a| pipeline.action(a))
        .flat_map(|a| &a.outputs)
        .filter(|(_, outputs)| !outputs.is_empty())
        .map(|(level, _)| level)
        .collect();
    PrivacyLevel::ALL
        .into_iter()
        .filter(|level| written.contains(&level))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::config::SiteConfig;
    use crate::export::{self};
    use crate::model::JobRequest;

    pub(crate) fn request_from_json(value: serde_json::Value) -> JobRequest {
        export::request_from_json(&value.to_string(), &SiteConfig::default()).unwrap()
    }

    /// The summary of a request given as JSON, its jobs nested.
    pub(crate) fn summary_from_json(value: serde_json::Value) -> super::Summary {
        super::Local::of(request_from_json(value)).summary()
    }
}
