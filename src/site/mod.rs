//! The site: the build that runs the stages in order and writes what render made
//! (atomically) into the output tree. The only module that writes files.

pub mod build;
pub mod output;
pub mod writer;

pub use build::{BuildError, BuildOptions, BuildSummary, build, build_with_progress, check};
