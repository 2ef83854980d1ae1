//! Conformance with the real library over the shared corpus of real project.yaml files:
//! for every entry of `../shared/corpus/expected.jsonl` (the library's verdicts, written by
//! `tools/ref_pipeline.py`), jobaudit must agree on valid/invalid, on what a valid file
//! declares, and on the wording of every deliberate error.
//!
//! The corpus is read in place and never copied into this repository.

use std::path::{Path, PathBuf};

use jobaudit::pipeline::{self, ErrorKind, Pipeline, PipelineError};
use serde_json::Value as Json;
use std::io::Write;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

fn expected_entries() -> Vec<Json> {
    let path = corpus_dir().join("expected.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the shared corpus is required for this test but {} could not be read: {e}",
            path.display()
        )
    });
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad expected.jsonl line: {e}")))
        .collect()
}

/// Differences between our result and the library's for one file (empty = agreement).
fn compare(expected: &Json, ours: &Result<Pipeline, PipelineError>) -> Vec<String> {
    let mut diffs = Vec::new();
    let ok = expected["ok"].as_bool().unwrap_or(false);
    match (ok, ours) {
        (true, Err(e)) => diffs.push(format!("library: valid; jobaudit: {}", e.library_message())),
        (false, Ok(_)) => diffs.push(format!("library: {}; jobaudit: valid", expected["error"])),
        (false, Err(e)) => {
            let library_error = expected["error"].as_str().unwrap_or_default();
            if expected["error_type"] == "ProjectValidationError" {
                if e.kind == ErrorKind::Unsupported {
                    diffs.push(format!(
                        "library: {library_error:?}; jobaudit crash-equivalent: {}",
                        e.message
                    ));
                } else if normalise(&e.library_message()) != normalise(library_error) {
                    diffs.push(format!(
                        "message differs\n  library:  {library_error:?}\n  jobaudit: {:?}",
                        e.library_message()
                    ));
                }
            }
        }
        (true, Ok(p)) => compare_pipeline(expected, p, &mut diffs),
    }
    diffs
}

/// Only the `Invalid project` prefix is normalised.
fn normalise(message: &str) -> &str {
    message
        .strip_prefix("Invalid project: \n")
        .unwrap_or(message)
}

fn compare_pipeline(expected: &Json, p: &Pipeline, diffs: &mut Vec<String>) {
    if expected["version"].as_f64() != Some(p.version) {
        diffs.push(format!(
            "version: library {} jobaudit {}",
            expected["version"], p.version
        ));
    }
    let Some(actions) = expected["actions"].as_object() else {
        diffs.push("library gave no actions".into());
        return;
    };
    let names: Vec<&str> = actions.keys().map(String::as_str).collect();
    let ours: Vec<&str> = p.actions.iter().map(|a| a.name.as_str()).collect();
    if names != ours {
        diffs.push(format!("action names: library {names:?} jobaudit {ours:?}"));
        return;
    }
    for a in &p.actions {
        let e = &actions[&a.name];
        let mut check = |field: &str, ours: Json| {
            if e[field] != ours {
                diffs.push(format!(
                    "{}.{field}: library {} jobaudit {ours}",
                    a.name, e[field]
                ));
            }
        };
        check("image", Json::from(a.run.image.clone()));
        check("tag", Json::from(a.run.tag.clone()));
        check("needs", Json::from(a.needs.clone()));
        check("run", Json::from(a.run.raw.clone()));
        check("parts", Json::from(a.run.parts.clone()));
        check("args", Json::from(a.run.args.clone()));
        check("is_database_action", Json::from(a.is_database_action));
        let mut outputs = serde_json::Map::new();
        for (level, items) in &a.outputs {
            let named: serde_json::Map<String, Json> = items
                .iter()
                .map(|o| (o.name.clone(), Json::from(o.pattern.clone())))
                .collect();
            outputs.insert(level.as_str().into(), Json::Object(named));
        }
        // Compare as ordered lists so that level and entry order count too.
        let as_pairs = |v: &Json| -> Vec<(String, Vec<(String, Json)>)> {
            v.as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            let inner = v
                                .as_object()
                                .map(|i| i.iter().map(|(a, b)| (a.clone(), b.clone())).collect())
                                .unwrap_or_default();
                            (k.clone(), inner)
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        if as_pairs(&e["outputs"]) != as_pairs(&Json::Object(outputs.clone())) {
            diffs.push(format!(
                "{}.outputs: library {} jobaudit {}",
                a.name,
                e["outputs"],
                Json::Object(outputs)
            ));
        }
    }
    let expected_population = expected["expectations"]["population_size"].as_i64();
    if expected_population != p.population_size {
        diffs.push(format!(
            "population: library {expected_population:?} jobaudit {:?}",
            p.population_size
        ));
    }
}

#[test]
fn corpus_agrees_with_the_library() {
    let dir = corpus_dir();
    if !dir.is_dir() {
        // Straight to stderr: the test harness captures what `eprintln!` prints, and a
        // skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: the shared corpus folder {} is not beside the crate (CI has it)",
            dir.display()
        );
        return;
    }
    let entries = expected_entries();
    assert!(!entries.is_empty(), "expected.jsonl is empty");
    let mut disagreements = Vec::new();
    let (mut verdicts, mut messages, mut errors) = (0, 0, 0);
    for entry in &entries {
        let file = entry["file"].as_str().unwrap_or_default();
        let text = std::fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("cannot read corpus file {file}: {e}"));
        let ours = pipeline::load(&text);
        let diffs = compare(entry, &ours);
        if entry["ok"].as_bool() == Some(ours.is_ok()) {
            verdicts += 1;
        }
        if !entry["ok"].as_bool().unwrap_or(false) {
            errors += 1;
            if diffs.is_empty() {
                messages += 1;
            }
        }
        if !diffs.is_empty() {
            disagreements.push(format!("{file}:\n  {}", diffs.join("\n  ")));
        }
    }
    let total = entries.len();
    eprintln!(
        "corpus: {} of {total} files agree fully; valid/invalid verdicts agree on {verdicts} of {total}; \
         error messages agree on {messages} of {errors} rejected files",
        total - disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {total} corpus files disagree with the library:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
