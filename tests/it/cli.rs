//! The command line as a user runs it: exit codes, summaries, and `jobaudit pipeline`.

use crate::common::manifest_dir;
use std::process::Command;

fn jobaudit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jobaudit"))
        .args(args)
        .current_dir(manifest_dir())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn build_reports_counts_and_exits_zero_despite_bad_records() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let (code, _, err) = jobaudit(&[
        "build",
        "--input",
        "tests/fixtures/edge",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("13 job requests read, 8 rendered, 5 skipped"),
        "{err}"
    );
    assert!(
        err.contains("error: job request seven: invalid type"),
        "{err}"
    );
    assert!(
        err.contains("--> tests/fixtures/edge/job_requests.json:4:16"),
        "{err}"
    );
    assert!(out.join("index.html").is_file());
}

#[test]
fn strict_and_check_exit_one_on_input_problems() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let (code, _, err) = jobaudit(&[
        "build",
        "--strict",
        "--input",
        "tests/fixtures/edge",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(!out.exists());
    let (code, _, err) = jobaudit(&["check", "--input", "tests/fixtures/edge"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("7 errors"), "{err}");
    let (code, _, err) = jobaudit(&["check", "--input", "data"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn usage_and_io_failures_exit_two() {
    let (code, _, _) = jobaudit(&["build", "--no-such-flag"]);
    assert_eq!(code, 2);
    let (code, _, err) = jobaudit(&[
        "build",
        "--input",
        "no/such/folder",
        "--output",
        "/tmp/never-written",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("input folder no/such/folder does not exist"),
        "{err}"
    );
}

#[test]
fn pipeline_command_prints_one_json_line_per_file() {
    let good =
        "data/pipelines/opensafely/flucats/0478b826b2d1f0b13c35231b22501aa61a94e343/project.yaml";
    let bad = "tests/fixtures/edge/pipelines/example/xss-study/dddddddddddddddddddddddddddddddddddddddd/project.yaml";
    let (code, out, _) = jobaudit(&["pipeline", "--json", good, bad]);
    assert_eq!(code, 1, "one file is invalid");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(
        lines[0]["actions"]["test_action"]["outputs"]["highly_sensitive"]["cohort"],
        "output/inp*.csv.gz"
    );
    assert_eq!(lines[1]["ok"], false);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("found duplicate key \"generate_dataset\"")
    );
    let (code, out, _) = jobaudit(&["pipeline", good]);
    assert_eq!(code, 0);
    assert!(out.contains("version 3.0, 6 actions"), "{out}");
}
