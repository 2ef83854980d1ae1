//! Job request and job records as the export files hold them (DESIGN.md §2), with
//! timestamps that agree with each other: jobs are created after their request, start
//! after they are created and after what they need, and complete after they start.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::pipelines::Version;
use super::rng::Rng;

/// A bare slug (job-server's API shape) or an object with a display name.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum SlugOr<'a, T> {
    Slug(&'a str),
    Object(T),
}

#[derive(Serialize)]
pub(crate) struct BackendOut<'a> {
    pub slug: &'a str,
    pub name: &'a str,
}

#[derive(Serialize)]
pub(crate) struct WorkspaceOut<'a> {
    pub name: &'a str,
    pub repo: &'a str,
    pub branch: &'a str,
}

#[derive(Serialize)]
pub(crate) struct ProjectOut<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub number: serde_json::Value,
}

#[derive(Serialize)]
pub(crate) struct OrgOut<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub lead: bool,
}

#[derive(Serialize)]
pub(crate) struct UserOut<'a> {
    pub username: &'a str,
    pub fullname: &'a str,
}

#[derive(Serialize)]
pub(crate) struct RequestOut<'a> {
    pub id: u64,
    pub identifier: String,
    pub backend: SlugOr<'a, BackendOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend_name: Option<&'a str>,
    pub workspace: WorkspaceOut<'a>,
    pub project: SlugOr<'a, ProjectOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_name: Option<&'a str>,
    pub orgs: Vec<SlugOr<'a, OrgOut<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_name: Option<&'a str>,
    pub created_by: SlugOr<'a, UserOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by_fullname: Option<&'a str>,
    pub created_at: String,
    pub sha: String,
    pub requested_actions: Vec<String>,
    pub cancelled_actions: Vec<String>,
    pub force_run_dependencies: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_definition: Option<&'a str>,
    /// Jobs nested in the request instead of in jobs.jsonl.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobs: Option<Vec<JobOut>>,
}

#[derive(Serialize, Clone)]
pub(crate) struct JobOut {
    pub identifier: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_request_id: Option<String>,
    pub action: String,
    pub run_command: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub status_message: String,
    pub created_at: String,
    pub updated_at: Option<String>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<serde_json::Value>,
}

/// How a request turned out, decided before its jobs are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Succeeded,
    /// One job exits with an error; what needs it fails with `dependency_failed`.
    Failed,
    /// The user cancels: unfinished jobs fail with `cancelled_by_user`, no completion time.
    Cancelled,
    /// Everything had already run: no jobs.
    NothingToDo,
    /// job-server could not create jobs (e.g. the project.yaml was rejected): no jobs.
    CreationFailed,
    /// The newest requests: nothing has started yet.
    Pending,
    /// The newest requests: some jobs have started.
    Running,
}

/// The stored `status` and `status_message` of a request (spec/job-server.md §1.9).
pub(crate) fn stored_status(outcome: Outcome) -> (&'static str, Option<String>) {
    match outcome {
        Outcome::Succeeded => ("succeeded", None),
        Outcome::Failed | Outcome::Cancelled => {
            ("failed", Some("Failed due to job failure".to_owned()))
        }
        Outcome::NothingToDo => (
            "nothing_to_do",
            Some("All actions have already completed successfully".to_owned()),
        ),
        Outcome::CreationFailed => (
            "failed",
            Some("project.yaml is not valid: see the pipeline below for details".to_owned()),
        ),
        Outcome::Pending => ("pending", None),
        Outcome::Running => ("running", None),
    }
}

pub(crate) fn micros(t: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(t)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Controller timestamps are whole seconds (spec/job-server.md §1.2).
pub(crate) fn seconds(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t.div_euclid(1_000_000), 0)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

const SECOND: i64 = 1_000_000;
const HOUR: f64 = 3600.0;

/// Database actions (cohort extraction, ehrQL) take minutes to hours; scripts take
/// seconds to an hour; a few jobs of any kind run for more than a day.
fn duration(rng: &mut Rng, run: &str) -> i64 {
    let database = ["cohortextractor", "ehrql", "databuilder", "sqlrunner"]
        .iter()
        .any(|image| run.starts_with(image));
    let seconds = if rng.chance(0.015) {
        rng.log_uniform(24.0 * HOUR, 72.0 * HOUR)
    } else if database {
        rng.log_uniform(120.0, 6.0 * HOUR)
    } else {
        rng.log_uniform(3.0, HOUR)
    };
    (seconds * SECOND as f64) as i64
}

/// One job while it is being timed; turned into a record at the end.
struct Timing {
    action: usize,
    start: Option<i64>,
    end: Option<i64>,
    status: &'static str,
    code: &'static str,
    message: String,
}

/// The jobs of one request: `actions` (indices into the version's actions, file order).
/// Returns the jobs and the names of cancelled actions.
pub(crate) fn jobs(
    rng: &mut Rng,
    version: &Version,
    actions: &[usize],
    outcome: Outcome,
    created: i64,
    mut identifier: impl FnMut(&mut Rng) -> String,
) -> (Vec<JobOut>, Vec<String>) {
    let created_job = created + rng.range(1, 4) as i64 * SECOND;
    let queue = if rng.chance(0.05) {
        rng.log_uniform(HOUR, 12.0 * HOUR)
    } else {
        rng.log_uniform(5.0, 900.0)
    };
    let ready = created_job + (queue * SECOND as f64) as i64;

    // Plan every job as if all succeed: each starts when it is ready and what it needs
    // (within this request) has finished.
    let mut timings: Vec<Timing> = Vec::with_capacity(actions.len());
    for &a in actions {
        let action = &version.actions[a];
        let after = timings
            .iter()
            .filter(|t| action.needs.contains(&version.actions[t.action].name))
            .filter_map(|t| t.end)
            .max();
        let start = after.map_or(ready, |e| e.max(ready)) + rng.range(1, 60) as i64 * SECOND;
        let end = start + duration(rng, &action.run);
        let message = if rng.chance(0.03) {
            "Completed successfully, but some file(s) marked as moderately_sensitive were excluded. See job log for details."
        } else {
            "Completed successfully"
        };
        timings.push(Timing {
            action: a,
            start: Some(start),
            end: Some(end),
            status: "succeeded",
            code: "succeeded",
            message: message.to_owned(),
        });
    }
    let mut cancelled = Vec::new();
    let depends_on = |version: &Version, timings: &[Timing], i: usize, failed: &[bool]| {
        let needs = &version.actions[timings[i].action].needs;
        timings[..i]
            .iter()
            .zip(failed)
            .any(|(t, &f)| f && needs.contains(&version.actions[t.action].name))
    };
    match outcome {
        Outcome::Failed if !timings.is_empty() => {
            let f = rng.below(timings.len());
            let (code, message) = match rng.below(20) {
                0 => ("unmatched_patterns", "Outputs matching expected patterns were not found. See job log for details.".to_owned()),
                1 => ("internal_error", "Internal error: this usually means a platform issue rather than a problem for users to fix.\nThe tech team are automatically notified of these errors and will be investigating.".to_owned()),
                2..6 => ("nonzero_exit", format!("Job exited with an error: {}", rng.pick(&["Ran out of memory (limit for this job was 128.00GB)", "exit code 1", "exit code 137"]))),
                _ => ("nonzero_exit", "Job exited with an error".to_owned()),
            };
            let t = &mut timings[f];
            let (start, end) = (t.start.unwrap_or(ready), t.end.unwrap_or(ready));
            let failed_at = start + ((end - start) as f64 * rng.unit()) as i64 + SECOND;
            *t = Timing {
                end: Some(failed_at),
                status: "failed",
                code,
                message,
                ..*t
            };
            let mut failed = vec![false; timings.len()];
            failed[f] = true;
            for i in f + 1..timings.len() {
                if depends_on(version, &timings, i, &failed[..i]) {
                    failed[i] = true;
                    timings[i] = Timing {
                        start: None,
                        end: Some(failed_at + rng.range(1, 10) as i64 * SECOND),
                        status: "failed",
                        code: "dependency_failed",
                        message: "Not starting as dependency failed".to_owned(),
                        ..timings[i]
                    };
                }
            }
        }
        Outcome::Cancelled if !timings.is_empty() => {
            let first = timings
                .iter()
                .filter_map(|t| t.start)
                .min()
                .unwrap_or(ready);
            let last = timings.iter().filter_map(|t| t.end).max().unwrap_or(ready);
            let at = first + ((last - first) as f64 * rng.unit() * 0.9) as i64;
            for t in &mut timings {
                if t.end.is_some_and(|e| e <= at) {
                    continue;
                }
                cancelled.push(version.actions[t.action].name.clone());
                t.start = t.start.filter(|&s| s < at);
                t.end = None;
                t.status = "failed";
                t.code = "cancelled_by_user";
                t.message = "Cancelled by user".to_owned();
            }
        }
        Outcome::Pending => {
            for t in &mut timings {
                t.start = None;
                t.end = None;
                t.status = "pending";
                (t.code, t.message) = if version.actions[t.action].needs.is_empty() {
                    (
                        "waiting_on_workers",
                        "Waiting on available workers".to_owned(),
                    )
                } else {
                    (
                        "waiting_on_dependencies",
                        "Waiting on dependencies".to_owned(),
                    )
                };
            }
        }
        Outcome::Running => {
            // Some jobs have finished, one is running, the rest wait.
            let now = ready
                + ((timings.last().and_then(|t| t.end).unwrap_or(ready) - ready) as f64
                    * rng.unit()) as i64;
            for t in &mut timings {
                if t.end.is_some_and(|e| e <= now) {
                    continue;
                }
                if t.start.is_some_and(|s| s <= now) {
                    t.end = None;
                    t.status = "running";
                    t.code = "executing";
                    t.message = "Job executing on the backend".to_owned();
                } else {
                    t.start = None;
                    t.end = None;
                    t.status = "pending";
                    t.code = "waiting_on_dependencies";
                    t.message = "Waiting on dependencies".to_owned();
                }
            }
        }
        _ => {}
    }
    let jobs = timings
        .into_iter()
        .map(|t| {
            let action = &version.actions[t.action];
            let updated = t.end.or(t.start).unwrap_or(created_job);
            let metrics = match (t.start, rng.below(10)) {
                (Some(_), 0..4) => Some(serde_json::json!({
                    "cpu_mean": (rng.log_uniform(5.0, 100.0) * 10.0).round() / 10.0,
                    "cpu_peak": (rng.log_uniform(50.0, 400.0) * 10.0).round() / 10.0,
                    "mem_mb_mean": (rng.log_uniform(100.0, 60_000.0) * 10.0).round() / 10.0,
                    "mem_mb_peak": (rng.log_uniform(500.0, 120_000.0) * 10.0).round() / 10.0,
                })),
                (_, 4) => Some(serde_json::json!({})),
                _ => None,
            };
            JobOut {
                identifier: identifier(rng),
                job_request_id: None,
                action: action.name.clone(),
                run_command: action.run.clone(),
                status: t.status,
                status_code: t.code,
                status_message: t.message,
                created_at: seconds(created_job),
                updated_at: Some(seconds(updated)),
                started_at: t.start.map(seconds),
                completed_at: t.end.map(seconds),
                metrics,
            }
        })
        .collect();
    (jobs, cancelled)
}
