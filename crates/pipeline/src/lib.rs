//! project.yaml as OpenSAFELY's pipeline library reads it: parse (with positions),
//! validate by the rules of the file's version, and resolve `needs` and `run_all`.
//!
//! The rules, their order and their wording follow spec/pipeline.md, which describes the
//! library (opensafely-core/pipeline, as vendored in `opensafely` 2.1.0), and are checked
//! against the real library (tests/it/pipeline_corpus.rs, pipeline_edge_cases.rs and
//! pipeline_upstream.rs). Where the library crashes on an input (spec §17.3), `load`
//! returns an [`ErrorKind::Unsupported`] error naming the Python exception.
//!
//! Layout: `yaml*` load the document as ruyaml does (with positions), `scalar`,
//! `timestamp` and `py*` reproduce the Python values and texts the rules depend on,
//! `validate` → `action` → `outputs`/`command`/`command_rules`/`pattern` apply the rules
//! in the library's order, `resolve` answers "which actions does a request run", and
//! `report` prints results for `jobaudit pipeline`.
//!
//! Known differences from the library, all in error texts rather than in verdicts:
//! * Rare YAML syntax errors keep saphyr-parser's wording (and sometimes its position);
//!   the kinds found in real files (and the corpus) are worded as ruyaml words them.
//! * The directories in cohortextractor's "found N" message are listed in first-seen
//!   order; the library lists them in Python set order, which changes between runs.
//! * ruyaml prints tagged scalars inside duplicate-key messages with a memory address;
//!   jobaudit prints the tag and text instead.
//! * Python's `\d` in the tag rule is approximated by `char::is_numeric`, and integers
//!   beyond 128 bits become floats.
//! * ruyaml treats NEL, U+2028 and U+2029 as line breaks that do not move its line
//!   count; jobaudit reads NEL as a space (right inside scalars, where it folds to one)
//!   and the other two as ordinary characters, so such characters inside comments or at
//!   the end of a line can be judged differently.
//! * Only text input is modelled: messages name `<unicode string>`, as the library does
//!   when given text without a filename.
//!
//! This crate depends on nothing in jobaudit; jobaudit re-exports it as
//! `jobaudit::pipeline`. Paths above (`spec/`, `tests/`) are from the repository's root.

#![warn(missing_docs)]

mod action;
mod command;
mod command_rules;
mod features;
mod json;
mod model;
mod outputs;
mod pattern;
mod problem;
#[cfg(test)]
mod properties;
mod pynum;
mod pypath;
mod pyrepr;
pub mod report;
mod resolve;
mod scalar;
mod shlex;
mod timestamp;
mod validate;
mod yaml;
mod yaml_compose;
mod yaml_construct;
mod yaml_error;
mod yaml_flow;
mod yaml_syntax;
mod yaml_tabs;

pub use features::LATEST_VERSION;
pub use model::{
    Action, Command, ErrorKind, LineSpan, Output, Pipeline, PipelineError, PrivacyLevel,
};

/// The reserved action name that asks for every action (spec/pipeline.md §16).
pub const RUN_ALL: &str = "run_all";

/// The library's individual rules, for callers (and tests) that need one on its own.
pub mod rules {
    use super::PrivacyLevel;

    /// Check an output pattern for a level (spec/pipeline.md §11); `Err` is the reason
    /// that follows "Output path {pattern} is invalid: ".
    pub fn validate_output_pattern(pattern: &str, level: PrivacyLevel) -> Result<(), String> {
        super::pattern::validate(pattern, level)
    }

    /// ehrQL's `--output` value among the command's tokens (`--output X` or `--output=X`).
    pub fn output_spec_from_args(parts: &[String]) -> Option<&str> {
        super::command_rules::output_spec(parts)
    }

    /// Whether patterns fit an ehrQL `--output` spec (spec/pipeline.md §13.2). A spec
    /// pathlib cannot handle counts as no match.
    pub fn output_patterns_match_spec(spec: &str, patterns: &[&str]) -> bool {
        super::command_rules::patterns_match_spec(spec, patterns).unwrap_or(false)
    }

    /// Python's `shlex.split`, as used on `run:`; `Err` is Python's ValueError text.
    pub fn split_command(run: &str) -> Result<Vec<String>, &'static str> {
        super::shlex::split(run).map_err(|e| e.message())
    }

    /// The distinct parent directories of patterns, as cohortextractor's rule sees them
    /// (`output/a.csv` → `output`, `a.csv` → `.`), in first-seen order.
    pub fn output_dirs<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        super::command_rules::output_dirs(patterns)
    }
}

/// Parse and validate a project.yaml text. The first problem wins, in the library's order.
pub fn load(text: &str) -> Result<Pipeline, PipelineError> {
    let document = yaml::parse(text).map_err(|e| {
        let mark = e.mark();
        PipelineError {
            message: e.render(text),
            line: mark.map(|m| m.line),
            column: mark.map(|m| m.col + 1),
            kind: if e.crash {
                ErrorKind::Unsupported
            } else {
                ErrorKind::Yaml
            },
        }
    })?;
    let mut pipeline =
        validate::build(document.root.as_ref(), text).map_err(problem::Problem::into_error)?;
    // ruyaml's warnings come first: they are raised while loading, before validation.
    let mut warnings = document.warnings;
    warnings.append(&mut pipeline.warnings);
    pipeline.warnings = warnings;
    Ok(pipeline)
}
