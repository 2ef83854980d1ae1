//! The project as a whole, checked in the library's order (spec/pipeline.md §4): top-level
//! keys, version, each action, then the cross-action rules, then expectations. Nothing is
//! collected: the first problem is the answer, because that is what the library reports.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

use super::action::{self, BuiltAction, Need};
use super::features::Features;
use super::model::Pipeline;
use super::problem::{Checked, Problem, keyword_names, no_unexpected, type_name};
use super::pynum::{IntError, py_float, py_int};
use super::pyrepr::float_repr;
use super::yaml::{self, Node};

const PROJECT_KEYS: [&str; 3] = ["version", "actions", "expectations"];

/// The population size the library assumes where a version ignores `expectations`.
const DEFAULT_POPULATION_SIZE: i64 = 1000;

pub(crate) fn build(root: Option<&Node>, text: &str) -> Checked<Pipeline> {
    // `Pipeline.build(**document)`: the document must be a mapping with string keys.
    let Some(entries) = root.and_then(Node::entries) else {
        let explanation = match root {
            None => "the project file is empty: it must be a mapping with `version` and `actions`",
            Some(_) => "the project file must be a mapping with `version` and `actions`",
        };
        return Err(Problem::crash(
            explanation,
            "TypeError",
            format!(
                "Pipeline.build() argument after ** must be a mapping, not {}",
                type_name(root)
            ),
            root.map(|r| r.start),
        ));
    };
    let names = keyword_names(entries, &["cls"])?;
    no_unexpected(entries, &names, &PROJECT_KEYS, "project")?;
    let field = |name| {
        yaml::get(entries, name)
            .map(|e| &e.value)
            .filter(|v| !v.is_null())
    };
    let mut warnings = Vec::new();

    let Some(version_node) = field("version") else {
        return Err(Problem::invalid(
            "Project file must have a `version` attribute specifying which version of the project configuration format it uses (current latest version is 5)",
            root.map(|r| r.start),
        ));
    };
    let Some(version) = py_float(version_node) else {
        return Err(Problem::invalid(
            "`version` must be a number between 1 and 5",
            Some(version_node.start),
        ));
    };
    if version != 5.0 {
        warnings.push(format!(
            "ProjectWarning: Your project file is using an old version ({}); consider updating to version 5",
            float_repr(version)
        ));
    }
    let features = Features::for_version(version).ok_or_else(|| {
        Problem::crash(
            format!(
                "version {} is newer than the latest project version, 5",
                float_repr(version)
            ),
            "ValueError",
            format!("The latest version is v5, but got v{}", float_repr(version)),
            Some(version_node.start),
        )
    })?;

    let actions_node = field("actions");
    let Some(action_entries) = actions_node.and_then(Node::entries) else {
        return Err(Problem::invalid(
            "Project `actions` section must be a dictionary of key/value pairs",
            actions_node
                .map(|n| n.start)
                .or(yaml::get(entries, "actions").map(|e| e.key.start)),
        ));
    };

    let lines: Vec<&str> = text.lines().collect();
    // Each action is built on its own, on every core; the first problem in file order is
    // the one reported, as when they are built one after another.
    let mut each: Vec<Result<BuiltAction, Problem>> = action_entries
        .par_iter()
        .map(|entry| action::build(&entry.key, &entry.value, &lines))
        .collect();
    let mut built: Vec<BuiltAction> = Vec::with_capacity(action_entries.len());
    for (entry, action) in action_entries.iter().zip(each.drain(..)) {
        if entry.key.as_str() == Some(super::RUN_ALL) {
            if features.remove_run_all_action {
                return Err(Problem::invalid(
                    "`run_all` is a reserved action name and is not allowed for user-defined actions.",
                    Some(entry.key.start),
                ));
            }
            warnings.push(
                "ProjectWarning: `run_all` is a reserved action name; user-defined actions with this name are ignored and will raise an error in later versions."
                    .into(),
            );
        }
        built.push(action?);
    }
    cross_action_checks(&built, action_entries, &features)?;
    let population_size = expectations(field("expectations"), &features)?;

    Ok(Pipeline::new(
        version,
        population_size,
        built.into_iter().map(|b| b.action).collect(),
        warnings,
    ))
}

/// §4 steps 7–11: rules that need every action.
fn cross_action_checks(
    built: &[BuiltAction],
    entries: &[yaml::Entry],
    features: &Features,
) -> Checked<()> {
    let first_token = |b: &BuiltAction| b.action.run.parts.first().cloned().unwrap_or_default();
    if features.remove_cohortextractor
        && let Some(b) = built
            .iter()
            .find(|b| first_token(b).starts_with("cohortextractor"))
    {
        return Err(Problem::invalid(
            format!(
                "Action {} uses cohortextractor actions, which are not supported in this version.",
                b.id
            ),
            Some(b.at),
        ));
    }
    if features.remove_latest_tag
        && let Some(b) = built.iter().find(|b| first_token(b).ends_with(":latest"))
    {
        return Err(Problem::invalid(
            format!(
                "Action {} uses `{}`, which is not supported. Provide a version e.g. `:v2` instead",
                b.id,
                first_token(b)
            ),
            Some(b.at),
        ));
    }
    // The first action with each run string, for the duplicate check.
    let mut first_with_run: HashMap<&str, &BuiltAction> = HashMap::new();
    for b in built {
        if let Some(first) = first_with_run.get(b.action.run.raw.as_str()).copied() {
            // The library joins the earlier ids with `' ,'.join(...)`, which crashes on
            // an id that is not a string.
            if let Some(kind) = first.non_string_id {
                return Err(Problem::crash(
                    format!(
                        "action {} has the same `run` command as the action named {}",
                        b.id, first.id
                    ),
                    "TypeError",
                    format!("sequence item 0: expected str instance, {kind} found"),
                    Some(b.at),
                ));
            }
            return Err(Problem::invalid(
                format!(
                    "Action {} has the same 'run' command as other actions: {}",
                    b.id, first.id
                ),
                Some(b.at),
            ));
        }
        first_with_run.insert(&b.action.run.raw, b);
    }
    if features.unique_output_path {
        let mut seen: HashSet<&str> = HashSet::new();
        for b in built {
            let patterns = b
                .action
                .outputs
                .iter()
                .flat_map(|(_, o)| o.iter().map(|o| o.pattern.as_str()));
            for (pattern, at) in patterns.zip(&b.outputs_at) {
                if !seen.insert(pattern) {
                    return Err(Problem::invalid(
                        format!("Output path {pattern} is not unique"),
                        Some(*at),
                    ));
                }
            }
        }
    }
    let known: HashSet<&str> = entries.iter().filter_map(|e| e.key.as_str()).collect();
    for b in built {
        for need in &b.needs {
            match need {
                Need::Unhashable(at) => {
                    return Err(Problem::crash(
                        format!(
                            "`needs` entries of action {} must be action names, not lists or mappings",
                            b.id
                        ),
                        "TypeError",
                        "unhashable type: 'CommentedSeq'",
                        Some(*at),
                    ));
                }
                Need::Name(name, at) if !known.contains(&name.as_str()) => {
                    return Err(Problem::invalid(
                        format!(
                            "Action `{}` references an unknown action in its `needs` list: {name}",
                            b.id
                        ),
                        Some(*at),
                    ));
                }
                Need::Name(..) => {}
            }
        }
    }
    Ok(())
}

/// §6: the population size, by version.
fn expectations(node: Option<&Node>, features: &Features) -> Checked<Option<i64>> {
    if features.remove_cohortextractor {
        return match node {
            Some(n) => Err(Problem::invalid(
                "Project includes `expectations` section, which is not supported in this version. This section is only applicable to deprecated cohortextractor actions; you can safely remove it.",
                Some(n.start),
            )),
            None => Ok(None),
        };
    }
    if !features.expectations_population {
        // Whatever is given is ignored.
        return Ok(Some(DEFAULT_POPULATION_SIZE));
    }
    let Some(node) = node else {
        return Err(Problem::invalid(
            "Project must include `expectations` section",
            None,
        ));
    };
    let Some(entries) = node.entries() else {
        return Err(Problem::invalid(
            "Project `expectations` section must be a dictionary of key/value pairs",
            Some(node.start),
        ));
    };
    let Some(size) = yaml::get(entries, "population_size") else {
        return Err(Problem::invalid(
            "Project `expectations` section must include `population_size` section",
            Some(node.start),
        ));
    };
    let names = keyword_names(entries, &["cls"])?;
    no_unexpected(
        entries,
        &names,
        &["population_size"],
        "project `expectations` section",
    )?;
    match py_int(&size.value) {
        Ok(n) => Ok(Some(i64::try_from(n).unwrap_or(if n < 0 {
            i64::MIN
        } else {
            i64::MAX
        }))),
        Err(IntError::NotANumber) => Err(Problem::invalid(
            "Project expectations population size must be a number",
            Some(size.value.start),
        )),
        Err(IntError::Overflow) => Err(Problem::crash(
            "the expectations population size must be a finite number",
            "OverflowError",
            "cannot convert float infinity to integer",
            Some(size.value.start),
        )),
    }
}
