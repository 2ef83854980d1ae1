//! Started, finished and runtime of a request (spec/job-server.md §1.8).

use chrono::{DateTime, Utc};
use std::fmt;

use crate::model::Job;

/// Total seconds spent running, as job-server sums them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Runtime(pub u64);

impl fmt::Display for Runtime {
    /// `HH:MM:SS` with unbounded hours (`123:04:05`); zero prints `-`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("-");
        }
        let (h, rest) = (self.0 / 3600, self.0 % 3600);
        write!(f, "{h:02}:{:02}:{:02}", rest / 60, rest % 60)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timeline {
    pub created: DateTime<Utc>,
    pub started: Option<DateTime<Utc>>,
    pub finished: Option<DateTime<Utc>>,
    pub runtime: Runtime,
}

/// Whether a job's coarse status counts as finished (job-server's COMPLETED list).
pub fn job_is_completed(job: &Job) -> bool {
    matches!(
        job.status.as_str(),
        "failed" | "succeeded" | "Failed" | "Succeeded" | "0"
    )
}

/// `request_completed` is whether the request's status is final (not an active status).
pub fn timeline(created: DateTime<Utc>, jobs: &[Job], request_completed: bool) -> Timeline {
    let started = jobs.iter().filter_map(|j| j.started_at).min();
    // job-server takes the last job by completed_at with NULLS FIRST, so one job without a
    // completion time (a cancelled job) hides "Finished" altogether. We show the latest
    // completion that exists (README: differences from job-server).
    let finished = if request_completed {
        jobs.iter().filter_map(|j| j.completed_at).max()
    } else {
        None
    };
    let runtime = match started {
        None => Runtime(0),
        Some(_) => Runtime(jobs.iter().map(job_runtime_for_request).sum()),
    };
    Timeline {
        created,
        started,
        finished,
        runtime,
    }
}

/// A job's share of the request runtime: completed − started for failed and succeeded
/// jobs (any case), zero when a time is missing or the span is not positive.
fn job_runtime_for_request(job: &Job) -> u64 {
    let status = job.status.to_lowercase();
    if status != "failed" && status != "succeeded" {
        return 0;
    }
    match (job.started_at, job.completed_at) {
        (Some(s), Some(c)) if c > s => (c - s).num_seconds().max(0) as u64,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn job(status: &str, started: Option<&str>, completed: Option<&str>) -> Job {
        serde_json::from_value(json!({
            "identifier": "j", "action": "a", "status": status,
            "started_at": started, "completed_at": completed,
        }))
        .unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn runtime_formats_with_unbounded_hours() {
        assert_eq!(Runtime(43 * 60 + 44).to_string(), "00:43:44");
        assert_eq!(Runtime(18 * 3600 + 21 * 60 + 28).to_string(), "18:21:28");
        assert_eq!(Runtime(123 * 3600 + 4 * 60 + 5).to_string(), "123:04:05");
        assert_eq!(Runtime(0).to_string(), "-");
    }

    #[test]
    fn runtime_sums_failed_and_succeeded_jobs_only() {
        let jobs = [
            job(
                "succeeded",
                Some("2024-01-01T00:00:00Z"),
                Some("2024-01-01T00:10:00Z"),
            ),
            job(
                "Failed",
                Some("2024-01-01T00:05:00Z"),
                Some("2024-01-01T00:06:01Z"),
            ),
            job("running", Some("2024-01-01T00:00:00Z"), None),
            job("pending", None, None),
        ];
        let tl = timeline(t("2023-12-31T23:59:00Z"), &jobs, false);
        assert_eq!(tl.runtime, Runtime(661));
        assert_eq!(tl.started, Some(t("2024-01-01T00:00:00Z")));
        assert_eq!(tl.finished, None, "an active request has no finish time");
    }

    #[test]
    fn runtime_over_a_day_is_not_folded_into_days() {
        let jobs = [job(
            "succeeded",
            Some("2024-01-01T00:00:00Z"),
            Some("2024-01-03T02:03:04Z"),
        )];
        assert_eq!(
            timeline(t("2024-01-01T00:00:00Z"), &jobs, true)
                .runtime
                .to_string(),
            "50:03:04"
        );
    }

    #[test]
    fn zero_runtime_when_nothing_started_or_spans_are_negative() {
        assert_eq!(
            timeline(t("2024-01-01T00:00:00Z"), &[], true).runtime,
            Runtime(0)
        );
        let backwards = [job(
            "succeeded",
            Some("2024-01-01T01:00:00Z"),
            Some("2024-01-01T00:00:00Z"),
        )];
        assert_eq!(
            timeline(t("2024-01-01T00:00:00Z"), &backwards, true).runtime,
            Runtime(0)
        );
    }

    #[test]
    fn a_cancelled_job_without_completion_does_not_hide_finished() {
        let jobs = [
            job(
                "succeeded",
                Some("2024-03-05T14:03:31Z"),
                Some("2024-03-05T14:21:40Z"),
            ),
            job("failed", None, None),
        ];
        let tl = timeline(t("2024-03-05T14:03:22Z"), &jobs, true);
        assert_eq!(tl.runtime.to_string(), "00:18:09");
        assert_eq!(tl.finished, Some(t("2024-03-05T14:21:40Z")));
    }
}
