//! What every list, feed, sitemap and the search index show of a request, and what the
//! rules across requests read: all of the audit but the jobs' commands, messages and
//! times. A build keeps one per request; the full record is parsed again only for the
//! pages that must be made.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{JobStats, Status};
use crate::model::{Backend, JobRequest, Org, Project, Text, User, Workspace, organisation};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: u64,
    pub identifier: Text,
    pub backend: Backend,
    pub workspace: Workspace,
    pub project: Project,
    pub orgs: Vec<Org>,
    pub created_by: User,
    pub created_at: DateTime<Utc>,
    pub sha: Text,
    pub requested_actions: Vec<Text>,
    /// The hash (`export::text_hash`) of its non-empty `project_definition`.
    pub definition: Option<u128>,
    pub status: Status,
    /// The earliest job start.
    pub started: Option<DateTime<Utc>>,
    pub stats: JobStats,
    /// Its jobs, in page order.
    pub jobs: Vec<JobSummary>,
    /// Index into `Audit::pipelines` of the project.yaml it ran; set by each build.
    #[serde(skip)]
    pub pipeline: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSummary {
    pub identifier: Text,
    pub action: Text,
    pub status: Text,
}

impl Summary {
    /// The summary of `request`, whose jobs are in page order.
    pub(super) fn of(
        request: &JobRequest,
        status: Status,
        started: Option<DateTime<Utc>>,
        stats: JobStats,
    ) -> Summary {
        let q = request;
        Summary {
            id: q.id,
            identifier: q.identifier.as_str().into(),
            backend: q.backend.clone(),
            workspace: q.workspace.clone(),
            project: q.project.clone(),
            orgs: q.orgs.clone(),
            created_by: q.created_by.clone(),
            created_at: q.created_at,
            sha: q.sha.as_str().into(),
            requested_actions: q
                .requested_actions
                .iter()
                .map(|a| a.as_str().into())
                .collect(),
            definition: q
                .project_definition
                .as_deref()
                .filter(|d| !d.is_empty())
                .map(crate::export::text_hash),
            status,
            started,
            stats,
            jobs: q
                .jobs
                .iter()
                .map(|j| JobSummary {
                    identifier: j.identifier.as_str().into(),
                    action: j.action.as_str().into(),
                    status: j.status.as_str().into(),
                })
                .collect(),
            pipeline: None,
        }
    }

    /// The organisation on its pages.
    pub fn organisation(&self) -> Option<&Org> {
        organisation(&self.orgs)
    }

    /// Whether every job succeeded (and there was one), as the previous successful
    /// request needs (spec/job-server.md §2.1).
    pub fn all_succeeded(&self) -> bool {
        !self.jobs.is_empty() && self.jobs.iter().all(|j| &*j.status == "succeeded")
    }
}
