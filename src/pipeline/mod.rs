//! project.yaml as OpenSAFELY's pipeline library reads it: parse (with positions),
//! validate by the rules of the file's version, and resolve `needs` and `run_all`.
//!
//! The rules, their order and their wording follow spec/pipeline.md, which describes the
//! library (opensafely-core/pipeline, as vendored in `opensafely` 2.1.0). Where the
//! library crashes on an input, `load` returns an [`ErrorKind::Unsupported`] error.
//!
//! This module depends on nothing else in the crate, so it could become its own crate.

mod action;
mod command;
mod command_rules;
mod features;
mod json;
mod model;
mod pattern;
mod problem;
mod pynum;
mod pypath;
mod pyrepr;
pub mod report;
mod resolve;
mod scalar;
mod shlex;
mod validate;
mod yaml;
mod yaml_error;
mod yaml_syntax;
mod yaml_tabs;

pub use features::LATEST_VERSION;
pub use model::{
    Action, Command, ErrorKind, LineSpan, Output, Pipeline, PipelineError, PrivacyLevel,
};

/// The reserved action name that asks for every action (spec/pipeline.md §16).
pub const RUN_ALL: &str = "run_all";

/// Parse and validate a project.yaml text. The first problem wins, in the library's order.
pub fn load(text: &str) -> Result<Pipeline, PipelineError> {
    let root = yaml::parse(text).map_err(|e| {
        let mark = e.mark();
        PipelineError {
            message: e.render(text),
            line: mark.map(|m| m.line),
            column: mark.map(|m| m.col + 1),
            kind: ErrorKind::Yaml,
        }
    })?;
    validate::build(root.as_ref(), text).map_err(problem::Problem::into_error)
}
