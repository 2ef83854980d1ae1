//! project.yaml as OpenSAFELY's pipeline library reads it: parse (with positions),
//! validate by the rules of the file's version, and resolve `needs` and `run_all`.
//!
//! This module depends on nothing else in the crate, so it could become its own crate.

mod model;

pub use model::{Action, Command, LineSpan, Output, Pipeline, PipelineError, PrivacyLevel};

/// The reserved action name that asks for every action (spec/pipeline.md §16).
pub const RUN_ALL: &str = "run_all";

/// Parse and validate a project.yaml text.
pub fn load(_text: &str) -> Result<Pipeline, PipelineError> {
    // Placeholder until the parser lands (issue 3).
    Err(PipelineError {
        message: "pipeline parser not yet available".into(),
        line: None,
        column: None,
    })
}

impl Pipeline {
    /// The action with this name.
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.name == name)
    }

    /// Every action a job request asks for, in file order: `run_all` expands to all
    /// actions, and with `force_run_dependencies` the `needs` closure is added.
    pub fn expand_requested(
        &self,
        requested: &[String],
        force_run_dependencies: bool,
    ) -> Vec<String> {
        let _ = (requested, force_run_dependencies);
        Vec::new()
    }
}
