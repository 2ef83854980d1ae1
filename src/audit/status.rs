//! A job request's overall status, by job-server's rules (spec/job-server.md §1.9).

use serde::{Deserialize, Serialize};

use crate::model::Job;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Running,
    Failed,
    Succeeded,
    NothingToDo,
    Unknown,
    UnknownErrorCreatingJobs,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Pending,
        Status::Running,
        Status::Failed,
        Status::Succeeded,
        Status::NothingToDo,
        Status::Unknown,
        Status::UnknownErrorCreatingJobs,
    ];

    /// job-server's stored value, e.g. `nothing_to_do`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Failed => "failed",
            Status::Succeeded => "succeeded",
            Status::NothingToDo => "nothing_to_do",
            Status::Unknown => "unknown",
            Status::UnknownErrorCreatingJobs => "unknown_error_creating_jobs",
        }
    }

    /// `human_readable_status`: underscores to spaces, first letter capitalised.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pending => "Pending",
            Status::Running => "Running",
            Status::Failed => "Failed",
            Status::Succeeded => "Succeeded",
            Status::NothingToDo => "Nothing to do",
            Status::Unknown => "Unknown",
            Status::UnknownErrorCreatingJobs => "Unknown error creating jobs",
        }
    }

    pub fn parse(value: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Final statuses are sticky: a stored one is never recomputed from jobs.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Failed | Status::Succeeded | Status::NothingToDo
        )
    }
}

/// The status shown for a request, and the message that goes with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestStatus {
    pub status: Status,
    pub message: Option<String>,
}

const JOB_FAILURE: &str = "Failed due to job failure";

/// `JobRequest.jobs_status`: a stored final status wins; otherwise it is derived from
/// the jobs' statuses (lower-cased), and with no jobs the stored value stands.
pub fn request_status(
    stored: Option<&str>,
    stored_message: Option<&str>,
    jobs: &[Job],
) -> RequestStatus {
    // job-server's column defaults to `unknown`; a value outside its choices is unknown too.
    let stored_status = stored.map_or(Status::Unknown, |s| {
        Status::parse(s).unwrap_or(Status::Unknown)
    });
    let stored = RequestStatus {
        status: stored_status,
        message: stored_message.map(str::to_owned),
    };
    if stored_status.is_final() || jobs.is_empty() {
        return stored;
    }
    let statuses: Vec<String> = jobs.iter().map(|j| j.status.to_lowercase()).collect();
    let any = |s: &str| statuses.iter().any(|x| x == s);
    let status = if statuses.iter().all(|s| *s == statuses[0]) {
        match statuses[0].as_str() {
            "" => Status::Pending,
            s => Status::parse(s).unwrap_or(Status::Unknown),
        }
    } else if any("running") || any("pending") {
        // Some jobs have progressed while others wait: the request as a whole is running.
        Status::Running
    } else if any("failed") {
        Status::Failed
    } else {
        Status::Unknown
    };
    let message = if status == Status::Failed {
        Some(JOB_FAILURE.to_owned())
    } else {
        stored.message
    };
    RequestStatus { status, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn job(status: &str) -> Job {
        serde_json::from_value(
            serde_json::json!({"identifier": "j", "action": "a", "status": status}),
        )
        .unwrap()
    }

    fn derived(stored: Option<&str>, statuses: &[&str]) -> Status {
        let jobs: Vec<Job> = statuses.iter().map(|s| job(s)).collect();
        request_status(stored, None, &jobs).status
    }

    #[test]
    fn a_stored_final_status_wins_over_jobs() {
        assert_eq!(derived(Some("succeeded"), &["failed"]), Status::Succeeded);
        assert_eq!(derived(Some("failed"), &["succeeded"]), Status::Failed);
    }

    #[test]
    fn nothing_to_do_with_no_jobs_keeps_its_message() {
        let s = request_status(
            Some("nothing_to_do"),
            Some("All actions have already completed successfully"),
            &[],
        );
        assert_eq!(s.status, Status::NothingToDo);
        assert_eq!(
            s.message.as_deref(),
            Some("All actions have already completed successfully")
        );
        assert_eq!(s.status.label(), "Nothing to do");
    }

    #[test]
    fn no_jobs_and_an_active_status_returns_the_stored_value() {
        assert_eq!(derived(Some("pending"), &[]), Status::Pending);
        assert_eq!(
            derived(Some("unknown_error_creating_jobs"), &[]),
            Status::UnknownErrorCreatingJobs
        );
        assert_eq!(derived(None, &[]), Status::Unknown);
        assert_eq!(derived(Some("bogus"), &[]), Status::Unknown);
    }

    #[test]
    fn uniform_job_statuses_give_that_status() {
        assert_eq!(
            derived(Some("pending"), &["succeeded", "Succeeded"]),
            Status::Succeeded
        );
        assert_eq!(derived(None, &["", ""]), Status::Pending);
        assert_eq!(derived(None, &["0", "0"]), Status::Unknown);
        let s = request_status(Some("running"), None, &[job("failed")]);
        assert_eq!(s.message.as_deref(), Some(JOB_FAILURE));
    }

    #[test]
    fn mixed_statuses_follow_the_precedence() {
        assert_eq!(
            derived(None, &["succeeded", "running", "failed"]),
            Status::Running
        );
        assert_eq!(derived(None, &["succeeded", "pending"]), Status::Running);
        assert_eq!(derived(None, &["succeeded", "failed"]), Status::Failed);
        assert_eq!(derived(None, &["succeeded", "weird"]), Status::Unknown);
    }
}
