//! Helpers shared by the pipeline conformance tests: small project.yaml builders and a
//! table runner that checks each case's verdict and message.

use jobaudit::pipeline::{self, ErrorKind, Pipeline, PipelineError};

/// What the library does with a case.
pub enum Expect {
    /// Valid; the closure checks details.
    Valid(fn(&Pipeline)),
    /// A `ProjectValidationError` (YAML or validation) whose message contains this text.
    Invalid(&'static str),
    /// The library crashes (spec/pipeline.md §17.3); jobaudit must reject it cleanly.
    Rejected(&'static str),
}

pub struct Case {
    pub name: String,
    pub yaml: String,
    pub expect: Expect,
}

pub fn case(name: &str, yaml: impl Into<String>, expect: Expect) -> Case {
    Case {
        name: name.to_string(),
        yaml: yaml.into(),
        expect,
    }
}

pub fn valid(_: &Pipeline) {}

/// The standard single action `a` (run `python:v1 a.py`, one highly_sensitive output).
pub const ACTION_A: &str = "actions:
  a:
    run: python:v1 a.py
    outputs:
      highly_sensitive:
        x: a.csv
";

/// A project with this `version:` value and the standard action.
pub fn with_version(version: &str) -> String {
    format!("version: {version}\n{ACTION_A}")
}

/// A version-4 project whose action `a` has this body (indented under `a:`).
pub fn action_a(version: &str, body: &str) -> String {
    let body: String = body.lines().map(|l| format!("    {l}\n")).collect();
    format!("version: {version}\nactions:\n  a:\n{body}")
}

/// A run + highly_sensitive output action body.
pub fn run_with_output(run: &str, level: &str, outputs: &[(&str, &str)]) -> String {
    let mut s = format!("run: {run}\noutputs:\n  {level}:\n");
    for (name, pattern) in outputs {
        s.push_str(&format!("    {name}: {pattern}\n"));
    }
    s
}

/// Run every case; collect every failure so one run shows them all.
pub fn run_cases(cases: &[Case]) {
    export_cases(cases);
    let mut failures = Vec::new();
    for c in cases {
        let result = pipeline::load(&c.yaml);
        if let Some(problem) = judge(&c.expect, &result) {
            failures.push(format!("{}: {problem}\n--- yaml ---\n{}", c.name, c.yaml));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

fn judge(expect: &Expect, result: &Result<Pipeline, PipelineError>) -> Option<String> {
    match (expect, result) {
        (Expect::Valid(check), Ok(p)) => {
            check(p);
            None
        }
        (Expect::Valid(_), Err(e)) => Some(format!("expected valid, got {:?}", e.message)),
        (Expect::Invalid(want), Err(e)) if e.kind != ErrorKind::Unsupported => {
            (!e.library_message().contains(want))
                .then(|| format!("expected {want:?}, got {:?}", e.message))
        }
        (Expect::Rejected(want), Err(e)) => (!e.message.contains(want)).then(|| {
            format!(
                "expected a rejection mentioning {want:?}, got {:?}",
                e.message
            )
        }),
        (Expect::Invalid(want), Err(e)) => Some(format!(
            "expected {want:?}, got a crash-equivalent {:?}",
            e.message
        )),
        (_, Ok(_)) => Some("expected a rejection, got valid".into()),
    }
}

/// With `JOBAUDIT_EXPORT_CASES=DIR`, write every case to `DIR/<name>.yaml`, so that the
/// same inputs can be run through the reference library (`tools/ref_pipeline.py`).
fn export_cases(cases: &[Case]) {
    let Ok(dir) = std::env::var("JOBAUDIT_EXPORT_CASES") else {
        return;
    };
    let dir = std::path::Path::new(&dir);
    let _ = std::fs::create_dir_all(dir);
    for (i, c) in cases.iter().enumerate() {
        let name: String = c
            .name
            .chars()
            .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
            .collect();
        let _ = std::fs::write(dir.join(format!("{i:03}_{name}.yaml")), &c.yaml);
    }
}
