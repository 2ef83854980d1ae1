//! `index.json` beside each request page: the resolved record for machine readers.

use serde::Serialize;

use crate::audit::{Audit, AuditedRequest};
use crate::model::time::iso;
use crate::model::{Job, Org};
use crate::pipeline::Pipeline;

#[derive(Serialize)]
struct RequestJson<'a> {
    id: u64,
    identifier: &'a str,
    status: &'static str,
    status_message: Option<&'a str>,
    backend: Named<'a>,
    workspace: WorkspaceJson<'a>,
    project: Named<'a>,
    orgs: &'a [Org],
    created_by: Named<'a>,
    created_at: String,
    started_at: Option<String>,
    finished_at: Option<String>,
    runtime_seconds: u64,
    runtime: String,
    sha: &'a str,
    requested_actions: &'a [String],
    cancelled_actions: &'a [String],
    force_run_dependencies: bool,
    /// The actions the request asked to run, `run_all` and forced needs expanded.
    expanded_actions: &'a [String],
    requested_levels: Vec<&'static str>,
    jobs: Vec<JobJson<'a>>,
    previous: Option<PreviousJson<'a>>,
    previous_successful: Option<PreviousJson<'a>>,
    pipeline: PipelineJson<'a>,
}

#[derive(Serialize)]
struct Named<'a> {
    slug: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct WorkspaceJson<'a> {
    name: &'a str,
    repo: &'a str,
    branch: &'a str,
}

#[derive(Serialize)]
struct JobJson<'a> {
    identifier: &'a str,
    action: &'a str,
    run_command: &'a str,
    status: &'a str,
    status_code: &'a str,
    status_message: &'a str,
    created_at: Option<String>,
    started_at: Option<String>,
    completed_at: Option<String>,
    /// level → {name: pattern}; null when the pipeline does not state it.
    outputs: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Serialize)]
struct PreviousJson<'a> {
    id: u64,
    sha: &'a str,
    compare_url: &'a str,
}

#[derive(Serialize)]
struct PipelineJson<'a> {
    available: bool,
    valid: bool,
    error: Option<&'a str>,
    error_line: Option<usize>,
}

pub fn request_json(r: &AuditedRequest, audit: &Audit) -> String {
    let q = &r.request;
    let entry = r.pipeline.map(|i| &audit.pipelines[i]);
    let pipeline = r.valid_pipeline(audit);
    let error = entry.and_then(|e| e.parsed().as_ref().err());
    let json = RequestJson {
        id: q.id,
        identifier: &q.identifier,
        status: r.status.status.as_str(),
        status_message: r.status.message.as_deref(),
        backend: Named {
            slug: &q.backend.slug,
            name: &q.backend.name,
        },
        workspace: WorkspaceJson {
            name: &q.workspace.name,
            repo: &q.workspace.repo,
            branch: &q.workspace.branch,
        },
        project: Named {
            slug: &q.project.slug,
            name: &q.project.name,
        },
        orgs: &q.orgs,
        created_by: Named {
            slug: &q.created_by.username,
            name: &q.created_by.fullname,
        },
        created_at: iso(q.created_at),
        started_at: r.timeline.started.map(iso),
        finished_at: r.timeline.finished.map(iso),
        runtime_seconds: r.timeline.runtime.0,
        runtime: r.timeline.runtime.to_string(),
        sha: &q.sha,
        requested_actions: &q.requested_actions,
        cancelled_actions: &q.cancelled_actions,
        force_run_dependencies: q.force_run_dependencies,
        expanded_actions: &r.expanded_actions,
        requested_levels: r.requested_levels.iter().map(|l| l.as_str()).collect(),
        jobs: q.jobs.iter().map(|j| job_json(j, pipeline)).collect(),
        previous: r.previous.as_ref().map(|p| PreviousJson {
            id: p.id,
            sha: &p.sha,
            compare_url: &p.compare_url,
        }),
        previous_successful: r.previous_successful.as_ref().map(|p| PreviousJson {
            id: p.id,
            sha: &p.sha,
            compare_url: &p.compare_url,
        }),
        pipeline: PipelineJson {
            available: entry.is_some(),
            valid: pipeline.is_some(),
            error: error.map(|e| e.message.as_str()),
            error_line: error.and_then(|e| e.line),
        },
    };
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    text
}

fn job_json<'a>(j: &'a Job, pipeline: Option<&Pipeline>) -> JobJson<'a> {
    let outputs = pipeline.and_then(|p| p.action(&j.action)).map(|a| {
        a.outputs
            .iter()
            .map(|(level, outputs)| {
                let named: serde_json::Map<String, serde_json::Value> = outputs
                    .iter()
                    .map(|o| (o.name.clone(), serde_json::Value::String(o.pattern.clone())))
                    .collect();
                (level.as_str().to_owned(), serde_json::Value::Object(named))
            })
            .collect()
    });
    JobJson {
        identifier: &j.identifier,
        action: &j.action,
        run_command: &j.run_command,
        status: &j.status,
        status_code: &j.status_code,
        status_message: &j.status_message,
        created_at: j.created_at.map(iso),
        started_at: j.started_at.map(iso),
        completed_at: j.completed_at.map(iso),
        outputs,
    }
}
