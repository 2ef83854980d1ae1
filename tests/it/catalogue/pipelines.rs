//! project.yaml files built to make a build work hard (aliases, merge keys, many keys,
//! deep nesting, dense needs): each is bounded, reported on its page, and the build goes
//! on.

use super::harness::*;

use scraper::{Html, Selector};
use std::fmt::Write as _;

/// The project.yaml path every harness request points at.
const PIPELINE: &str = "pipelines/o/ws/0123456789abcdef0123456789abcdef01234567/project.yaml";

/// Builds two requests sharing `project_yaml`: the build succeeds, both request pages are
/// built, and the text of the first page's pipeline error is returned.
fn build_and_read_error(project_yaml: &str) -> String {
    let export = Export::of(&[request(1), request(2)]);
    export.write(PIPELINE, project_yaml.as_bytes());
    let run = export.build(&[]);
    run.expect(0, &[]);
    assert_eq!(run.request_pages(), 2, "stderr:\n{}", run.stderr);
    let page = std::fs::read_to_string(run.output.join("p/ws/1/index.html")).unwrap();
    let doc = Html::parse_document(&page);
    let alert = Selector::parse("#pipeline .alert-danger pre").unwrap();
    let error = doc
        .select(&alert)
        .next()
        .expect("the page shows the pipeline's error");
    error.text().collect()
}

/// A valid one-action pipeline followed by `extra` top-level keys' text.
fn with_extra(extra: &str) -> String {
    format!("{PROJECT_YAML}{extra}")
}

#[test]
fn an_alias_bomb_is_an_invalid_pipeline_and_the_build_goes_on() {
    let mut bomb = String::from("x-0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let p = level - 1;
        let _ = writeln!(
            bomb,
            "x-{level}: &l{level} [{}]",
            vec![format!("*l{p}"); 9].join(", ")
        );
    }
    let error = build_and_read_error(&with_extra(&bomb));
    assert!(error.contains("excessive aliasing"), "{error}");
}

#[test]
fn a_merge_key_bomb_is_an_invalid_pipeline_and_the_build_goes_on() {
    let mut bomb = String::from("x-0: &m0 {k: 1}\n");
    for level in 1..30 {
        let p = level - 1;
        let _ = writeln!(
            bomb,
            "x-{level}: &m{level} {{<<: [*m{p}, *m{p}], a: *m{p}}}"
        );
    }
    let error = build_and_read_error(&with_extra(&bomb));
    assert!(error.contains("excessive aliasing"), "{error}");
}

#[test]
fn a_mapping_of_150000_keys_with_a_late_duplicate_is_reported() {
    let mut keys = String::from("x-keys:\n");
    for i in 0..150_000 {
        let _ = writeln!(keys, "  k{i}: {i}");
    }
    // Python sees `1` and `true` as one key.
    keys.push_str("  1: one\n  true: also one\n");
    let error = build_and_read_error(&with_extra(&keys));
    assert!(
        error.contains(
            "found duplicate key \"True\" with value \"also one\" (original value: \"one\")"
        ),
        "{error}"
    );
}

#[test]
fn deep_nesting_is_an_invalid_pipeline_and_the_build_goes_on() {
    let deep = format!("x-deep: {}1{}\n", "[".repeat(300), "]".repeat(300));
    let error = build_and_read_error(&with_extra(&deep));
    assert!(error.contains("nested too deeply"), "{error}");
}

#[test]
fn nesting_deep_through_aliases_is_an_invalid_pipeline_and_the_build_goes_on() {
    let deep = format!(
        "x-a: &d {}1{}\nx-b: {}*d{}\n",
        "[".repeat(200),
        "]".repeat(200),
        "[".repeat(200),
        "]".repeat(200)
    );
    let error = build_and_read_error(&with_extra(&deep));
    assert!(error.contains("nests collections too deeply"), "{error}");
}

/// Two thousand actions, each needing the hundred before it: a valid pipeline whose graph
/// would route 200,000 edges through up to 100 ranks each. It is not laid out: the page
/// says it is too large to draw, and the file is on the pipeline's own page.
#[test]
fn a_pipeline_of_dense_needs_is_not_drawn_and_the_build_goes_on() {
    let mut text = String::from("version: '4.0'\nactions:\n");
    for i in 0..2000 {
        let needs: Vec<String> = (i.max(100) - 100..i).map(|j| format!("a_{j}")).collect();
        let _ = write!(text, "  a_{i}:\n    run: python:latest analysis/a_{i}.py\n");
        if !needs.is_empty() {
            let _ = writeln!(text, "    needs: [{}]", needs.join(", "));
        }
        let _ = write!(
            text,
            "    outputs:\n      moderately_sensitive:\n        t: output/t_{i}.csv\n"
        );
    }
    let export = Export::of(&[request(1)]);
    export.write(PIPELINE, text.as_bytes());
    let run = export.build(&[]);
    run.expect(0, &[]);
    assert_eq!(run.request_pages(), 1);
    let page = std::fs::read_to_string(run.output.join("p/ws/1/index.html")).unwrap();
    let doc = Html::parse_document(&page);
    let note = Selector::parse("#pipeline .large-graph").unwrap();
    let note: String = doc.select(&note).next().expect("a note").text().collect();
    assert!(note.contains("2000 actions, too many to draw"), "{note}");
    assert!(
        doc.select(&Selector::parse("svg").unwrap())
            .next()
            .is_none()
    );
}
