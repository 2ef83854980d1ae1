//! A rejected project.yaml on its way to a [`PipelineError`]: what is wrong and at which
//! node, so that every rule only has to name the node it looked at.

use super::model::{ErrorKind, PipelineError};
use super::yaml::{Entry, Node, Value};
use super::yaml_error::Mark;

pub(crate) struct Problem {
    kind: ErrorKind,
    message: String,
    at: Option<Mark>,
}

pub(crate) type Checked<T> = Result<T, Problem>;

impl Problem {
    /// A `ProjectValidationError` of the library.
    pub(crate) fn invalid(message: impl Into<String>, at: Option<Mark>) -> Problem {
        Problem {
            kind: ErrorKind::Validation,
            message: message.into(),
            at,
        }
    }

    /// An input the library crashes on: what is wrong, in plain words, then the Python
    /// exception the library raises (spec/pipeline.md §17.3), so both readers are served.
    pub(crate) fn crash(
        explanation: impl Into<String>,
        exception: &str,
        detail: impl Into<String>,
        at: Option<Mark>,
    ) -> Problem {
        Problem {
            kind: ErrorKind::Unsupported,
            message: format!(
                "{} (the pipeline library fails here with {exception}: {})",
                explanation.into(),
                detail.into()
            ),
            at,
        }
    }

    pub(crate) fn into_error(self) -> PipelineError {
        PipelineError {
            message: self.message,
            line: self.at.map(|m| m.line),
            column: self.at.map(|m| m.col + 1),
            kind: self.kind,
        }
    }
}

/// Python's `f(**mapping)`: every key must be a `str`, and none may name a parameter that
/// is already given positionally (`taken`). Returns the keys in mapping order.
pub(crate) fn keyword_names<'a>(entries: &'a [Entry], taken: &[&str]) -> Checked<Vec<&'a str>> {
    let mut names = Vec::with_capacity(entries.len());
    for e in entries {
        let Some(name) = e.key.as_str() else {
            return Err(Problem::crash(
                format!(
                    "the key {} must be a string",
                    super::pyrepr::py_repr(&e.key)
                ),
                "TypeError",
                "keywords must be strings",
                Some(e.key.start),
            ));
        };
        if taken.contains(&name) {
            return Err(Problem::crash(
                format!("`{name}` is not allowed as a key here"),
                "TypeError",
                format!("got multiple values for argument '{name}'"),
                Some(e.key.start),
            ));
        }
        names.push(name);
    }
    Ok(names)
}

/// `validate_no_kwargs`: keys outside `allowed`, listed in mapping order.
pub(crate) fn no_unexpected(
    entries: &[Entry],
    names: &[&str],
    allowed: &[&str],
    loc: &str,
) -> Checked<()> {
    let unexpected: Vec<(&str, &Entry)> = names
        .iter()
        .zip(entries)
        .filter(|(n, _)| !allowed.contains(n))
        .map(|(n, e)| (*n, e))
        .collect();
    match unexpected.first() {
        None => Ok(()),
        Some((_, first)) => {
            let list: Vec<&str> = unexpected.iter().map(|(n, _)| *n).collect();
            Err(Problem::invalid(
                format!("Unexpected parameters ({}) in {loc}", list.join(", ")),
                Some(first.key.start),
            ))
        }
    }
}

/// Python's name for a value's type, as it appears in crash messages.
pub(crate) fn type_name(node: Option<&Node>) -> &'static str {
    match node.map(|n| &n.value) {
        None | Some(Value::Null) => "NoneType",
        Some(Value::Bool(_)) => "bool",
        Some(Value::Int(_)) => "int",
        Some(Value::Float(_)) => "float",
        Some(Value::Str(_)) => "str",
        Some(Value::Timestamp(_)) => "datetime.date",
        Some(Value::Bytes(_)) => "bytes",
        Some(Value::Tagged(_)) => "TaggedScalar",
        Some(Value::Seq(_)) => "CommentedSeq",
        Some(Value::Map(_)) => "CommentedMap",
    }
}
