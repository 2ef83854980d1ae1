//! What every stage shares: the records (requests, jobs and the names shown for them),
//! their timestamps, and the path of every page. Imports nothing of the stages above it.

pub mod paths;
pub mod records;
pub mod time;

pub use paths::PagePath;
pub use records::{
    Backend, Job, JobRequest, Org, Project, Source, Text, User, Workspace, organisation,
};
