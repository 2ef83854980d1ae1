//! jobaudit's own additions on top of the library's behaviour: resolving a job request's
//! actions through `needs`, action line spans for page anchors, error positions, the
//! `jobaudit pipeline` report, and never panicking on any input.

use std::path::PathBuf;

use jobaudit::pipeline::{self, ErrorKind, LineSpan, Pipeline, report};

fn fixture() -> Pipeline {
    match pipeline::load(include_str!("../fixtures/pipeline/project.yaml")) {
        Ok(p) => p,
        Err(e) => panic!("fixture should be valid: {}", e.library_message()),
    }
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn run_all_expands_to_every_action_in_file_order() {
    let p = fixture();
    assert_eq!(
        p.expand_requested(&names(&["run_all"]), false),
        p.all_actions()
    );
    assert_eq!(p.expand_requested(&names(&["run_all"]), false).len(), 7);
}

#[test]
fn requested_actions_without_force_are_just_those_in_file_order() {
    let p = fixture();
    assert_eq!(
        p.expand_requested(
            &names(&["analyse_data", "generate_cohort", "generate_cohort"]),
            false
        ),
        names(&["generate_cohort", "analyse_data"])
    );
    // Unknown names are dropped.
    assert!(p.expand_requested(&names(&["nope"]), false).is_empty());
}

#[test]
fn force_run_dependencies_adds_the_needs_closure() {
    let p = fixture();
    assert_eq!(
        p.expand_requested(&names(&["analyse_data"]), true),
        names(&[
            "generate_cohort",
            "prepare_data_m",
            "prepare_data_f",
            "prepare_data_with_quote_in_filename",
            "analyse_data"
        ])
    );
    assert_eq!(
        p.needs_closure(&names(&["test_cancellation"])),
        names(&["generate_cohort", "test_cancellation"])
    );
}

#[test]
fn needs_closure_survives_cycles_and_self_needs() {
    let yaml = "version: 4\nactions:\n  a:\n    run: python:v1 a.py\n    needs: [a, b]\n    outputs: {highly_sensitive: {x: a.csv}}\n  b:\n    run: python:v1 b.py\n    needs: [a]\n    outputs: {highly_sensitive: {x: b.csv}}\n  c:\n    run: python:v1 c.py\n    outputs: {highly_sensitive: {x: c.csv}}\n";
    let p = pipeline::load(yaml).expect("valid");
    assert_eq!(p.needs_closure(&names(&["b"])), names(&["a", "b"]));
    assert_eq!(
        p.expand_requested(&names(&["run_all"]), true),
        names(&["a", "b", "c"])
    );
}

#[test]
fn a_user_action_named_run_all_is_not_part_of_run_all() {
    let yaml = "version: 4\nactions:\n  run_all:\n    run: python:v1 a.py\n    outputs: {highly_sensitive: {x: a.csv}}\n  b:\n    run: python:v1 b.py\n    needs: [run_all]\n    outputs: {highly_sensitive: {x: b.csv}}\n";
    let p = pipeline::load(yaml).expect("valid with a warning");
    assert_eq!(
        p.expand_requested(&names(&["run_all"]), false),
        names(&["b"])
    );
    // …but it still runs when something that needs it is forced.
    assert_eq!(
        p.expand_requested(&names(&["run_all"]), true),
        names(&["run_all", "b"])
    );
}

#[test]
fn action_line_spans() {
    let p = fixture();
    let span = |n: &str| p.action(n).map(|a| a.lines);
    assert_eq!(
        span("generate_cohort"),
        Some(LineSpan { start: 6, end: 10 })
    );
    assert_eq!(
        span("test_reusable_action"),
        Some(LineSpan { start: 41, end: 48 })
    );
    assert_eq!(
        span("test_cancellation"),
        Some(LineSpan { start: 50, end: 55 })
    );
    let block = "version: 4\nactions:\n  a:\n    outputs: {highly_sensitive: {x: a.csv}}\n    run: |\n      python:v1 a.py\n\n# trailing comment\n\n  b: {run: 'python:v1 b.py', outputs: {highly_sensitive: {x: b.csv}}}\n";
    let p = pipeline::load(block).expect("valid");
    assert_eq!(p.actions[0].lines, LineSpan { start: 3, end: 6 });
    assert_eq!(p.actions[1].lines, LineSpan { start: 10, end: 10 });
}

#[test]
fn errors_point_at_the_offending_node() {
    let yaml = "version: 4\nactions:\n  a:\n    run: python:v1 a.py\n    outputs:\n      moderately_sensitive:\n        x: out.pdf\n";
    let e = pipeline::load(yaml).expect_err("pdf is not allowed at this level");
    assert_eq!(e.kind, ErrorKind::Validation);
    assert_eq!((e.line, e.column), (Some(7), Some(12)));
    assert!(
        e.library_message()
            .starts_with("Invalid project: \nOutput path out.pdf is invalid")
    );

    let dup = pipeline::load("version: 4\nversion: 5\n").expect_err("duplicate key");
    assert_eq!(dup.kind, ErrorKind::Yaml);
    assert_eq!((dup.line, dup.column), (Some(2), Some(1)));
    assert_eq!(dup.library_message(), dup.message);

    let crash = pipeline::load("").expect_err("empty file");
    assert_eq!(crash.kind, ErrorKind::Unsupported);
}

fn write_temp(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write temp file");
    path
}

#[test]
fn report_as_json_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write_temp(
        &dir,
        "good.yaml",
        include_str!("../fixtures/pipeline/project.yaml"),
    );
    let bad = write_temp(&dir, "bad.yaml", "version: 4\nactions: []\n");
    let mut out = Vec::new();
    let all_ok = report::report_files(&[good, bad], true, &mut out).expect("report");
    assert!(!all_ok);
    let text = String::from_utf8(out).expect("utf-8");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(lines[0]["version"], 4.0);
    let cohort = &lines[0]["actions"]["generate_cohort"];
    assert_eq!(cohort["image"], "ehrql");
    assert_eq!(cohort["tag"], "v1");
    assert_eq!(cohort["is_database_action"], true);
    assert_eq!(
        cohort["outputs"]["highly_sensitive"]["cohort"],
        "output/input.csv"
    );
    assert_eq!(
        lines[0]["actions"]["analyse_data"]["needs"][0],
        "prepare_data_m"
    );
    assert_eq!(lines[1]["ok"], false);
    assert_eq!(
        lines[1]["error"],
        "Invalid project: \nProject `actions` section must be a dictionary of key/value pairs"
    );
}

#[test]
fn report_for_people() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write_temp(
        &dir,
        "good.yaml",
        include_str!("../fixtures/pipeline/project.yaml"),
    );
    let bad = write_temp(
        &dir,
        "bad.yaml",
        "version: 4\nactions:\n  a:\n    run: python a.py\n    outputs: {highly_sensitive: {x: a.csv}}\n",
    );
    let mut out = Vec::new();
    report::report_files(&[good, bad.clone()], false, &mut out).expect("report");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("good.yaml: version 4.0, 7 actions"));
    assert!(text.contains(
        "error: Action command python must have a version specified in the form :vN (e.g. python:v2)"
    ));
    assert!(text.contains(&format!(" --> {}:4:10", bad.display())));
    assert!(text.contains("4 |     run: python a.py\n  |          ^"));
}

/// A tiny deterministic generator, so the robustness test needs no extra crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn never_panics_on_mangled_input() {
    let base = include_str!("../fixtures/pipeline/project.yaml");
    let pieces = [
        "\t",
        " ",
        ":",
        ": ",
        "- ",
        "#",
        "'",
        "\"",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a ",
        "*a",
        "!foo ",
        "<<: *a",
        "---\n",
        "...\n",
        "~",
        "\n",
        "? ",
        "|",
        ">",
        "%YAML 1.1\n",
        "\\",
        "é",
        "\u{feff}",
        "\r\n",
        "0x",
        ".inf",
        "run_all",
        "needs: [",
        "outputs:",
        ":latest",
        "--output",
        "\0",
        "\u{85}",
        "\u{2028}",
    ];
    let mut rng = Lcg(42);
    let chars: Vec<char> = base.chars().collect();
    for _ in 0..1500 {
        let mut text = chars.clone();
        for _ in 0..(1 + rng.next(4)) {
            let at = rng.next(text.len() + 1);
            match rng.next(3) {
                0 => {
                    let piece: Vec<char> = pieces[rng.next(pieces.len())].chars().collect();
                    text.splice(at..at, piece);
                }
                1 if at < text.len() => {
                    let end = (at + rng.next(8)).min(text.len());
                    text.drain(at..end);
                }
                _ => {
                    let from = rng.next(text.len());
                    let end = (from + rng.next(40)).min(text.len());
                    let copy: Vec<char> = text[from..end].to_vec();
                    text.splice(at.min(text.len())..at.min(text.len()), copy);
                }
            }
        }
        let text: String = text.into_iter().collect();
        // Either outcome is fine; a panic fails the test.
        if let Err(e) = pipeline::load(&text) {
            let _ = e.library_message();
            let _ = report::diagnostic(std::path::Path::new("x.yaml"), &text, &e);
        }
    }
}

#[test]
fn nesting_depth_matches_the_library_and_never_overflows() {
    // The library's recursive loader gives up when a collection opens at depth 248
    // (oracle-measured); `config` sits at depth 4, so 244 nested maps are the most.
    let nested = |n: usize| {
        format!(
            "version: 4\nactions:\n  a:\n    run: python:v1 a.py\n    config: {}1{}\n    outputs: {{highly_sensitive: {{x: a.csv}}}}\n",
            "{a: ".repeat(n),
            "}".repeat(n)
        )
    };
    assert!(pipeline::load(&nested(244)).is_ok());
    let too_deep = pipeline::load(&nested(245)).expect_err("too deep for the library");
    assert_eq!(too_deep.kind, ErrorKind::Unsupported);
    assert!(too_deep.message.contains("RecursionError"));
    let absurd = format!(
        "version: 4\nactions: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(pipeline::load(&absurd).is_err());
}

#[test]
fn many_flow_lists_continued_left_of_their_key_load() {
    // ruyaml accepts flow content at any indentation; saphyr-parser needs it re-indented.
    // This file once took a re-parse per line (minutes); it must stay fast.
    let mut yaml = String::from("version: 4\nactions:\n");
    for i in 0..1000 {
        yaml.push_str(&format!(
            "  a{i}:\n    run: python:v1 a{i}.py\n    needs: [a0,\n    a1]\n    outputs: {{highly_sensitive: {{x: a{i}.csv}}}}\n"
        ));
    }
    let p = pipeline::load(&yaml).expect("valid");
    assert_eq!(p.actions.len(), 1000);
    assert_eq!(p.actions[999].needs, ["a0", "a1"]);
    assert_eq!(
        p.actions[999].lines,
        LineSpan {
            start: 4998,
            end: 5002
        }
    );
}
