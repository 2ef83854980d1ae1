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
pub mod pipeline;
pub mod program;
pub mod progress;
pub mod render;
pub mod search;
pub mod site;
pub mod synth;
