//! The records every stage shares (DESIGN.md §2): job requests and their jobs, with the
//! names shown for them, as export reads them and audit, render and search use them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;

use super::time;

/// A name, slug or identifier that many values share: a summary read from the memo
/// shares one allocation per distinct string with every other.
pub type Text = Arc<str>;

/// Where a record was read: its file and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub file: PathBuf,
    pub line: usize,
}

/// Where a record was read says nothing about what it is: a page made from it is the
/// same wherever the record moved in the file (a line removed above shifts every line).
impl std::hash::Hash for Source {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

#[derive(Debug, Clone, PartialEq, Hash, Eq, Serialize, Deserialize)]
pub struct Backend {
    pub slug: Text,
    pub name: Text,
}

#[derive(Debug, Clone, PartialEq, Hash, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub name: Text,
    /// The GitHub URL of the repo, without a trailing slash.
    pub repo: Text,
    pub branch: Text,
}

#[derive(Debug, Clone, PartialEq, Hash, Eq, Serialize, Deserialize)]
pub struct Project {
    pub slug: Text,
    pub name: Text,
    pub number: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Hash, Eq, Serialize, Deserialize)]
pub struct Org {
    pub slug: Text,
    pub name: Text,
    pub lead: bool,
}

#[derive(Debug, Clone, PartialEq, Hash, Eq, Serialize, Deserialize)]
pub struct User {
    pub username: Text,
    pub fullname: Text,
}

#[derive(Debug, Clone, PartialEq, Hash)]
pub struct JobRequest {
    /// The public number: "Job request: 21418".
    pub id: u64,
    pub identifier: String,
    pub backend: Backend,
    pub workspace: Workspace,
    pub project: Project,
    pub orgs: Vec<Org>,
    pub created_by: User,
    pub created_at: DateTime<Utc>,
    pub sha: String,
    pub requested_actions: Vec<String>,
    pub cancelled_actions: Vec<String>,
    pub force_run_dependencies: bool,
    pub status: Option<String>,
    pub status_message: Option<String>,
    pub project_definition: Option<String>,
    pub jobs: Vec<Job>,
    pub source: Source,
}

impl JobRequest {
    /// The organisation on the page (see [`organisation`]).
    pub fn organisation(&self) -> Option<&Org> {
        organisation(&self.orgs)
    }
}

/// The organisation of a request with `orgs`: the lead org, else the first (job-server's
/// `Project.org`, spec/job-server.md §1.5).
pub fn organisation(orgs: &[Org]) -> Option<&Org> {
    orgs.iter().find(|o| o.lead).or(orgs.first())
}

/// A job as job-runner reports it (spec/job-server.md §4.2). `metrics` and
/// `trace_context` are read past: job-server shows them to staff only.
#[derive(Debug, Clone, PartialEq, Hash, Deserialize)]
pub struct Job {
    pub identifier: String,
    /// The request's identifier; needed only when jobs come from `jobs.jsonl`.
    #[serde(default, alias = "rap_id")]
    pub job_request_id: Option<String>,
    pub action: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub run_command: String,
    pub status: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub status_code: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub status_message: String,
    #[serde(default, deserialize_with = "time::optional")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time::optional")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time::optional")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time::optional")]
    pub completed_at: Option<DateTime<Utc>>,
}

pub(crate) fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}
