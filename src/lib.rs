//! jobaudit: static transparency pages for job requests run against patient data.
//!
//! Stages pass data one way: `export` → `audit` (using `pipeline`) → `render` → `site`.
//! Only `site` writes files; only `main.rs` knows about the terminal.

pub mod audit;
pub mod cache;
pub mod config;
pub mod diagnostics;
pub mod escape;
pub mod export;
pub mod interning;
pub mod model;
/// project.yaml as OpenSAFELY's pipeline library reads it: the `jobaudit-pipeline` crate
/// (crates/pipeline), under the name the rest of jobaudit has always used for it.
pub use jobaudit_pipeline as pipeline;
pub mod program;
pub mod progress;
pub mod render;
pub mod search;
pub mod site;
