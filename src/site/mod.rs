//! The site: where pages go, and the build that writes them (atomically) with their
//! assets, sitemap and feeds. The only module that writes files.

pub mod assets;
mod browse;
pub mod build;
pub mod feeds;
pub mod manifest;
mod mapped;
pub mod memo;
pub mod output;
pub mod paths;
pub mod progress;
mod request_pages;
pub mod sitemap;
pub mod writer;

pub use build::{BuildError, BuildOptions, BuildSummary, build, build_with_progress, check};
pub use progress::{Progress, Quiet};
