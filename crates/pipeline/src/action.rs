//! One action, checked as the library's `validate_action_config` + `Action.build` do
//! (spec/pipeline.md §4 step 6, §8–§10, §13), first problem wins.

use super::command::{self, RunError};
use super::command_rules;
use super::model::{Action, LineSpan};
use super::outputs;
use super::problem::{Checked, Problem, keyword_names, no_unexpected};
use super::pyrepr::py_str;
use super::shlex::ShlexError;
use super::yaml::{self, Node, Value};
use super::yaml_error::Mark;

const ACTION_KEYS: [&str; 5] = ["run", "outputs", "needs", "config", "dummy_data_file"];

/// A `needs` entry as the cross-action check (§4 step 11) will see it.
pub(crate) enum Need {
    Name(String, Mark),
    /// A list or mapping: hashing it crashes the library when it looks the name up.
    Unhashable(Mark),
}

pub(crate) struct BuiltAction {
    /// The id as the library prints it in messages.
    pub(crate) id: String,
    /// The Python type of a non-string id (`int`, `NoneType`…); `None` for a string.
    pub(crate) non_string_id: Option<&'static str>,
    pub(crate) action: Action,
    pub(crate) needs: Vec<Need>,
    /// Where the action's key is, for cross-action errors.
    pub(crate) at: Mark,
    pub(crate) outputs_at: Vec<Mark>,
}

/// The id as the library prints it in messages (`str(action_id)`).
pub(crate) fn id_text(key: &Node) -> String {
    py_str(key)
}

/// The id as a name in our model: strings as written, other keys JSON-encoded the way the
/// oracle prints them (`1`, `null`, `true`).
pub(crate) fn model_name(key: &Node) -> String {
    match &key.value {
        Value::Str(s) => s.clone(),
        _ => super::json::to_json(key).to_string(),
    }
}

/// `lines` are the source lines, for the action's line span.
pub(crate) fn build(key: &Node, config: &Node, lines: &[&str]) -> Checked<BuiltAction> {
    let id = id_text(key);
    let at = Some(key.start);
    let Some(entries) = config.entries() else {
        return Err(Problem::invalid(
            format!("Configuration for action {id} must be a dictionary of key/value pairs"),
            at,
        ));
    };
    for required in ["run", "outputs"] {
        if yaml::get(entries, required).is_none() {
            return Err(Problem::invalid(
                format!("Action {id} must contain a configuration for '{required}'"),
                at,
            ));
        }
    }
    let names = keyword_names(entries, &["cls", "action_id"])?;
    no_unexpected(entries, &names, &ACTION_KEYS, &format!("action {id}"))?;
    let field = |name| yaml::get(entries, name).map(|e| &e.value);
    let (Some(outputs), Some(run)) = (field("outputs"), field("run")) else {
        return Err(Problem::invalid(
            format!("Action {id} must contain a configuration"),
            at,
        ));
    };
    let needs = field("needs").filter(|n| !n.is_null());
    let config_value = field("config").filter(|n| !n.is_null());
    let dummy = field("dummy_data_file").filter(|n| !n.is_null());

    let type_error = |what: &str, kind: &str, node: &Node| {
        Problem::invalid(
            format!("`{what}` section for action {id} must be a {kind}"),
            Some(node.start),
        )
    };
    let Some(output_entries) = outputs.entries() else {
        return Err(type_error(
            "outputs",
            "dictionary of key/value pairs",
            outputs,
        ));
    };
    let Some(raw) = run.as_str() else {
        return Err(type_error("run", "string", run));
    };
    let need_items: &[Node] = match needs {
        None => &[],
        Some(n) => match &n.value {
            Value::Seq(items) => items,
            _ => return Err(type_error("needs", "list", n)),
        },
    };
    if let Some(c) = config_value.filter(|c| c.entries().is_none()) {
        return Err(type_error("config", "dictionary of key/value pairs", c));
    }
    if let Some(d) = dummy.filter(|d| d.as_str().is_none()) {
        return Err(type_error("dummy_data_file", "string", d));
    }

    let (levels, outputs_at) = outputs::build(&id, outputs, output_entries)?;
    let command = command::parse(raw).map_err(|e| run_problem(&id, e, run.start))?;

    let mut needs_list = Vec::new();
    let mut need_names = Vec::new();
    for item in need_items {
        match &item.value {
            Value::Str(name) => {
                if name.contains(' ') {
                    return Err(Problem::invalid(
                        format!(
                            "`needs` actions should be separated with commas, but {id} needs `{name}`"
                        ),
                        Some(item.start),
                    ));
                }
                need_names.push(name.clone());
                needs_list.push(Need::Name(name.clone(), item.start));
            }
            Value::Seq(_) | Value::Map(_) => needs_list.push(Need::Unhashable(item.start)),
            _ => {
                return Err(Problem::crash(
                    format!("`needs` entries of action {id} must be action names (strings)"),
                    "TypeError",
                    format!(
                        "argument of type '{}' is not iterable",
                        super::problem::type_name(Some(item))
                    ),
                    Some(item.start),
                ));
            }
        }
    }

    command_rules::check(&id, &command, &levels)
        .map_err(|m| Problem::invalid(m, Some(run.start)))?;

    let is_database_action = command::is_database_action(&command.parts);
    let action = Action {
        name: model_name(key),
        run: command,
        needs: need_names,
        outputs: levels,
        config: config_value.map(super::json::to_json),
        dummy_data_file: dummy.and_then(|d| d.as_str().map(str::to_string)),
        is_database_action,
        lines: line_span(lines, key.start.line, config.last_line.max(key.last_line)),
    };
    Ok(BuiltAction {
        id,
        non_string_id: key
            .as_str()
            .is_none()
            .then(|| super::problem::type_name(Some(key))),
        action,
        needs: needs_list,
        at: key.start,
        outputs_at,
    })
}

fn run_problem(id: &str, e: RunError, at: Mark) -> Problem {
    match e {
        RunError::Empty => Problem::invalid(
            format!("run must have a value, {id} has an empty run key"),
            Some(at),
        ),
        RunError::Split(s) => Problem::crash(
            match s {
                ShlexError::NoClosingQuotation => {
                    format!("the `run` command of action {id} has an unclosed quote")
                }
                ShlexError::NoEscapedCharacter => {
                    format!("the `run` command of action {id} ends with a lone backslash")
                }
            },
            "ValueError",
            s.message(),
            Some(at),
        ),
        RunError::NoTokens => Problem::crash(
            format!("the `run` command of action {id} is blank"),
            "IndexError",
            "list index out of range",
            Some(at),
        ),
        RunError::BadTag(name) => Problem::invalid(
            format!(
                "Action command {name} must have a version specified in the form :vN (e.g. {name}:v2)"
            ),
            Some(at),
        ),
    }
}

/// The action's lines: from its key to its last content line, leaving out trailing
/// blank and comment-only lines.
fn line_span(lines: &[&str], start: usize, end: usize) -> LineSpan {
    let mut end = end.max(start);
    while end > start {
        let line = lines.get(end - 1).map_or("", |l| l.trim());
        if line.is_empty() || line.starts_with('#') {
            end -= 1;
        } else {
            break;
        }
    }
    LineSpan { start, end }
}
