//! The site: the build that runs the stages in order and writes what render made
//! (atomically) into the output tree. The only module that writes files.

mod browse;
pub mod build;
pub mod manifest;
mod mapped;
pub mod memo;
pub mod output;
pub mod progress;
mod request_pages;
pub mod writer;

pub use build::{BuildError, BuildOptions, BuildSummary, build, build_with_progress, check};
pub use progress::{Progress, Quiet};
