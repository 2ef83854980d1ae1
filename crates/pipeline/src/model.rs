//! The pipeline model: what a valid project.yaml declares, in file order.

use std::fmt;

/// The security level an output is written to (spec/pipeline.md §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrivacyLevel {
    /// `highly_sensitive`.
    HighlySensitive,
    /// `moderately_sensitive`.
    ModeratelySensitive,
    /// `minimally_sensitive`.
    MinimallySensitive,
}

impl PrivacyLevel {
    /// All levels, most sensitive first: the order the library reports them in.
    pub const ALL: [PrivacyLevel; 3] = [
        PrivacyLevel::HighlySensitive,
        PrivacyLevel::ModeratelySensitive,
        PrivacyLevel::MinimallySensitive,
    ];

    /// The level named by a project.yaml key.
    pub fn from_key(key: &str) -> Option<PrivacyLevel> {
        PrivacyLevel::ALL.into_iter().find(|l| l.as_str() == key)
    }

    /// The key used in project.yaml, e.g. `highly_sensitive`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyLevel::HighlySensitive => "highly_sensitive",
            PrivacyLevel::ModeratelySensitive => "moderately_sensitive",
            PrivacyLevel::MinimallySensitive => "minimally_sensitive",
        }
    }
}

impl fmt::Display for PrivacyLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// 1-based, inclusive line range of a block in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineSpan {
    /// The first line.
    pub start: usize,
    /// The last line (inclusive).
    pub end: usize,
}

/// One named output: `cohort: output/input.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The key, e.g. `cohort`.
    pub name: String,
    /// The path or glob pattern, e.g. `output/input.csv`.
    pub pattern: String,
}

/// An action's `run:` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The run string exactly as written.
    pub raw: String,
    /// shlex-split tokens.
    pub parts: Vec<String>,
    /// `parts[0]` up to the first `:`.
    pub image: String,
    /// The piece of `parts[0]` between the first and second `:` (may be empty).
    pub tag: String,
    /// `parts[1..]` joined by single spaces.
    pub args: String,
}

/// One action under `actions:`, as the library builds it once its rules pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// The action's key.
    pub name: String,
    /// What it runs.
    pub run: Command,
    /// The actions it needs, as listed.
    pub needs: Vec<String>,
    /// Levels in library order (highly, moderately, minimally); a level declared as `{}`
    /// is present with no outputs. Outputs within a level keep file order.
    pub outputs: Vec<(PrivacyLevel, Vec<Output>)>,
    /// `config:` as JSON, keys in file order (the way the reference library prints it).
    pub config: Option<serde_json::Value>,
    /// `dummy_data_file:`, when given.
    pub dummy_data_file: Option<String>,
    /// Whether job-runner gives the command database access (by its image and first
    /// argument).
    pub is_database_action: bool,
    /// Lines of the action's block, from its key to its last line.
    pub lines: LineSpan,
}

/// A valid project.yaml: what [`crate::load`] returns.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// `version:` as the library reads it (a float, like Python's `float()`).
    pub version: f64,
    /// `expectations.population_size` where the version uses it.
    pub population_size: Option<i64>,
    /// In file order, including a user action named `run_all` where the version allows it.
    pub actions: Vec<Action>,
    /// The library's warnings (an old version, a user action named `run_all`), in the
    /// order it raises them.
    pub warnings: Vec<String>,
    /// Each action's position by name (the first, if names repeat), made at the first
    /// lookup: a request's pages look up every action it ran, and a scan per lookup made
    /// a `run_all` of a large pipeline cost time growing with the square of its actions.
    by_name: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
}

impl Pipeline {
    /// A pipeline from its parts, for callers that build one without a file.
    pub fn new(
        version: f64,
        population_size: Option<i64>,
        actions: Vec<Action>,
        warnings: Vec<String>,
    ) -> Pipeline {
        Pipeline {
            version,
            population_size,
            actions,
            warnings,
            by_name: std::sync::OnceLock::new(),
        }
    }

    /// The action with this name. `actions` must not change once a lookup is made.
    pub fn action(&self, name: &str) -> Option<&Action> {
        let by_name = self.by_name.get_or_init(|| {
            let mut by_name = std::collections::HashMap::with_capacity(self.actions.len());
            for (i, action) in self.actions.iter().enumerate() {
                by_name.entry(action.name.clone()).or_insert(i);
            }
            by_name
        });
        by_name.get(name).map(|&i| &self.actions[i])
    }
}

/// Pipelines are equal when what they say is: the index is only a way to it.
impl PartialEq for Pipeline {
    fn eq(&self, other: &Pipeline) -> bool {
        self.version == other.version
            && self.population_size == other.population_size
            && self.actions == other.actions
            && self.warnings == other.warnings
    }
}

/// Why a project.yaml was rejected, with the position the problem was found at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PipelineError {
    /// The library's wording (spec/pipeline.md §17), without the `Invalid project: \n`
    /// prefix of validation errors (see [`PipelineError::library_message`]).
    pub message: String,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column, where known.
    pub column: Option<usize>,
    /// Which layer rejected the file.
    pub kind: ErrorKind,
}

/// Which layer rejected a project.yaml; the library words each differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ErrorKind {
    /// The YAML did not parse (or had duplicate keys, or several documents): ruyaml's text.
    Yaml,
    /// A project rule was broken: the library's `ProjectValidationError`.
    Validation,
    /// An input the library itself crashes on (spec/pipeline.md §17.3), e.g. an empty
    /// file or an unbalanced quote in `run`. The message names the Python exception.
    Unsupported,
}

impl PipelineError {
    /// The message exactly as the library's `ProjectValidationError` (or crash) reads
    /// when `load_pipeline` is called with text and no filename.
    pub fn library_message(&self) -> String {
        match self.kind {
            ErrorKind::Validation => format!("Invalid project: \n{}", self.message),
            ErrorKind::Yaml | ErrorKind::Unsupported => self.message.clone(),
        }
    }
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", self.message),
            (Some(l), None) => write!(f, "{l}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for PipelineError {}
