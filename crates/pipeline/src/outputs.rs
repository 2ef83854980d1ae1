//! An action's `outputs` section, checked as the library's `Outputs.build` does
//! (spec/pipeline.md §11): at least one level, no unknown keys, then each level in the
//! fixed order highly → moderately → minimally, and each entry in file order.

use super::model::{Output, PrivacyLevel};
use super::pattern;
use super::problem::{Checked, Problem, keyword_names, no_unexpected};
use super::pyrepr::py_str;
use super::yaml::{self, Entry, Node};
use super::yaml_error::Mark;

pub(crate) type Levels = Vec<(PrivacyLevel, Vec<Output>)>;

/// `Outputs.build`: at least one level, no unknown keys, then each level (fixed order)
/// and each entry (file order). Also returns each pattern's position, in the same order
/// as the patterns, for the unique-path check.
pub(crate) fn build(id: &str, outputs: &Node, entries: &[Entry]) -> Checked<(Levels, Vec<Mark>)> {
    let names = keyword_names(entries, &["cls", "action_id"])?;
    let level_node = |level: PrivacyLevel| {
        yaml::get(entries, level.as_str())
            .map(|e| &e.value)
            .filter(|v| !v.is_null())
    };
    if PrivacyLevel::ALL.iter().all(|l| level_node(*l).is_none()) {
        return Err(Problem::invalid(
            "must specify at least one output of: highly_sensitive, moderately_sensitive, minimally_sensitive",
            Some(outputs.start),
        ));
    }
    let allowed: Vec<&str> = PrivacyLevel::ALL.iter().map(|l| l.as_str()).collect();
    no_unexpected(
        entries,
        &names,
        &allowed,
        &format!("`outputs` section for action {id}"),
    )?;
    let mut levels = Vec::new();
    let mut marks = Vec::new();
    for level in PrivacyLevel::ALL {
        let Some(node) = level_node(level) else {
            continue;
        };
        let Some(items) = node.entries() else {
            return Err(Problem::invalid(
                format!(
                    "`{level}` section for action {id} must be a dictionary of key/value pairs"
                ),
                Some(node.start),
            ));
        };
        let mut outputs = Vec::new();
        for item in items {
            let output_id = py_str(&item.key);
            let Some(pattern) = item.value.as_str() else {
                return Err(Problem::invalid(
                    format!("`{output_id}` output for action {id} must be a string"),
                    Some(item.value.start),
                ));
            };
            pattern::validate(pattern, level).map_err(|reason| {
                Problem::invalid(
                    format!("Output path {pattern} is invalid: {reason}"),
                    Some(item.value.start),
                )
            })?;
            marks.push(item.value.start);
            outputs.push(Output {
                name: super::action::model_name(&item.key),
                pattern: pattern.to_string(),
            });
        }
        levels.push((level, outputs));
    }
    Ok((levels, marks))
}
