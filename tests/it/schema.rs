//! The JSON Schemas in `schema/` describe the records jobaudit's reader accepts: every
//! record of the default export in `data/` validates, and records the reader rejects are
//! rejected by the schemas too.

use std::path::{Path, PathBuf};

use jobaudit::config::SiteConfig;
use jsonschema::{Resource, Validator};
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Builds a validator for `schema/<name>`. `job_request.schema.json` refers to
/// `job.schema.json` by a relative reference; the file is registered under the URL that
/// reference resolves to, so no resolver touches the disk or the network.
fn validator(name: &str) -> Validator {
    let dir = root().join("schema");
    let job_path = dir.join("job.schema.json");
    let job_schema = Resource::from_contents(read_json(&job_path)).expect("job schema resource");
    let path = dir.join(name);
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .with_base_uri(file_url(&path))
        .with_resource(file_url(&job_path), job_schema)
        .build(&read_json(&path))
        .unwrap_or_else(|e| panic!("{name} is not a valid schema: {e}"))
}

/// Each non-blank line of a JSON Lines file, with its 1-based line number.
fn jsonl(path: &Path) -> Vec<(usize, Value)> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1));
            (i + 1, value)
        })
        .collect()
}

fn assert_all_valid(validator: &Validator, file: &str, expected_records: usize) {
    let path = root().join("data").join(file);
    let records = jsonl(&path);
    assert_eq!(records.len(), expected_records, "records in {file}");
    for (line, record) in &records {
        let errors: Vec<String> = validator
            .iter_errors(record)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{file}:{line}: {errors:#?}");
    }
}

/// The first record of `data/<file>`, to derive bad records from.
fn first_record(file: &str) -> Value {
    jsonl(&root().join("data").join(file)).remove(0).1
}

fn assert_rejected(validator: &Validator, what: &str, record: &Value) {
    assert!(
        !validator.is_valid(record),
        "the schema accepts a record with {what}: {record}"
    );
}

/// Whether jobaudit's reader accepts `record` as a job request.
fn reader_accepts_request(record: &Value) -> bool {
    jobaudit::export::request_from_json(&record.to_string(), &SiteConfig::default()).is_ok()
}

/// Whether jobaudit's reader keeps `job` as a line of jobs.jsonl beside the first request
/// of the default export.
fn reader_accepts_job(job: &Value) -> bool {
    let dir = tempfile::tempdir().expect("temporary folder");
    let request = first_record("job_requests.jsonl");
    std::fs::write(
        dir.path().join("job_requests.jsonl"),
        format!("{request}\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("jobs.jsonl"), format!("{job}\n")).unwrap();
    let export = jobaudit::export::read(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(export.counts.jobs_read, 1);
    export.counts.jobs_skipped == 0
}

#[test]
fn every_job_request_of_the_default_export_is_valid() {
    assert_all_valid(
        &validator("job_request.schema.json"),
        "job_requests.jsonl",
        5,
    );
}

#[test]
fn every_job_of_the_default_export_is_valid() {
    assert_all_valid(&validator("job.schema.json"), "jobs.jsonl", 6);
}

#[test]
fn bare_slugs_and_nested_jobs_are_valid() {
    // The API shape of spec/job-server.md §4.3: bare slugs and usernames, flattened
    // display names, jobs nested with nulls where job-runner gives them.
    let record = json!({
        "id": 21418,
        "identifier": "kliug6gyctqh2z32",
        "backend": "tpp",
        "backend_name": "TPP",
        "workspace": {"name": "vte-diagnoses-and-deaths",
                      "repo": "https://github.com/opensafely/vte-diagnoses-and-deaths"},
        "project": "vte-diagnoses-and-deaths",
        "orgs": ["nhs-england"],
        "org_name": "NHS England",
        "created_by": "jdoe",
        "created_by_fullname": "Jane Doe",
        "created_at": "2024-03-05T14:03:22.481204Z",
        "sha": "",
        "_status": "failed",
        "unknown_field": "ignored",
        "jobs": [{
            "identifier": "q7w2e3r4t5y6u7i2",
            "action": "run_model",
            "run_command": null,
            "status": "failed",
            "status_code": "cancelled_by_user",
            "started_at": null,
            "completed_at": null,
            "metrics": {}
        }]
    });
    let requests = validator("job_request.schema.json");
    let errors: Vec<String> = requests
        .iter_errors(&record)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(reader_accepts_request(&record));
}

#[test]
fn bad_job_requests_are_rejected() {
    let requests = validator("job_request.schema.json");
    let good = first_record("job_requests.jsonl");
    assert!(requests.is_valid(&good));
    let with = |change: &dyn Fn(&mut Value)| {
        let mut record = good.clone();
        change(&mut record);
        record
    };

    let cases: Vec<(&str, Value)> = vec![
        (
            "no id",
            with(&|r| {
                r.as_object_mut().unwrap().remove("id");
            }),
        ),
        ("a negative id", with(&|r| r["id"] = json!(-1))),
        ("a string id", with(&|r| r["id"] = json!("2505"))),
        (
            "a workspace name with `/`",
            with(&|r| r["workspace"]["name"] = json!("../emis-qa-main")),
        ),
        (
            "a javascript: repo",
            with(&|r| r["workspace"]["repo"] = json!("javascript:alert(1)")),
        ),
        (
            "a repo URL without a path",
            with(&|r| r["workspace"]["repo"] = json!("https://github.com/")),
        ),
        ("a number as backend", with(&|r| r["backend"] = json!(1))),
        (
            "a backend object without slug",
            with(&|r| r["backend"] = json!({"name": "TPP"})),
        ),
        (
            "a username with a space",
            with(&|r| r["created_by"]["username"] = json!("iain dillingham")),
        ),
        (
            "a reserved project slug",
            with(&|r| r["project"] = json!("static")),
        ),
        ("a non-hex sha", with(&|r| r["sha"] = json!("28d435z"))),
        (
            "a created_at that is not a date-time",
            with(&|r| r["created_at"] = json!("10 Feb 2021")),
        ),
        (
            "force_run_dependencies as a string",
            with(&|r| r["force_run_dependencies"] = json!("No")),
        ),
        (
            "requested_actions as a string",
            with(&|r| r["requested_actions"] = json!("generate_study_population")),
        ),
        (
            "both status and _status",
            with(&|r| r["_status"] = json!("succeeded")),
        ),
        (
            "a nested job without status",
            with(&|r| {
                r["jobs"] = json!([{"identifier": "gkjqsokitnud77wl", "action": "a"}]);
            }),
        ),
    ];
    for (what, record) in &cases {
        assert_rejected(&requests, what, record);
        // The schema says what the reader does: it rejects the same records.
        assert!(
            !reader_accepts_request(record),
            "the reader accepts a record with {what}"
        );
    }
}

#[test]
fn bad_jobs_are_rejected() {
    let jobs = validator("job.schema.json");
    let good = first_record("jobs.jsonl");
    assert!(jobs.is_valid(&good));
    let with = |change: &dyn Fn(&mut Value)| {
        let mut record = good.clone();
        change(&mut record);
        record
    };

    let cases: Vec<(&str, Value)> = vec![
        (
            "no identifier",
            with(&|r| {
                r.as_object_mut().unwrap().remove("identifier");
            }),
        ),
        (
            "no job_request_id",
            with(&|r| {
                r.as_object_mut().unwrap().remove("job_request_id");
            }),
        ),
        (
            "both job_request_id and rap_id",
            with(&|r| r["rap_id"] = json!("qlzgpqmutw6sbqti")),
        ),
        (
            "an identifier longer than a file name",
            with(&|r| r["identifier"] = json!("j".repeat(256))),
        ),
        ("a numeric status", with(&|r| r["status"] = json!(0))),
        (
            "an identifier with `/`",
            with(&|r| r["identifier"] = json!("a/b")),
        ),
        (
            "a started_at that is not a date-time",
            with(&|r| r["started_at"] = json!("yesterday")),
        ),
    ];
    assert!(reader_accepts_job(&good));
    // job-server reads an empty status as pending (spec/job-server.md §1.9).
    let empty_status = with(&|r| r["status"] = json!(""));
    assert!(jobs.is_valid(&empty_status));
    assert!(reader_accepts_job(&empty_status));
    for (what, record) in &cases {
        assert_rejected(&jobs, what, record);
        assert!(
            !reader_accepts_job(record),
            "the reader keeps a job with {what}"
        );
    }
}

#[test]
fn reserved_project_slugs_match_the_reader() {
    let schema = read_json(&root().join("schema/job_request.schema.json"));
    let listed: Vec<&str> = schema["$defs"]["project_slug"]["allOf"][1]["not"]["enum"]
        .as_array()
        .expect("the reserved slugs")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(listed, jobaudit::export::RESERVED_TOP_LEVEL);
}
