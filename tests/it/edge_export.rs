//! An export of our own with the edge cases of DESIGN.md §2 and §4: a JSON array read
//! from gzip, jobs in `jobs.jsonl`, API-shaped records, no jobs, no pipeline, an empty
//! sha, previous and previous successful requests, bad records, hostile strings.

use crate::common::*;
use flate2::{Compression, write::GzEncoder};
use std::io::Write;
use std::path::PathBuf;

use jobaudit::site::{self, BuildError, BuildOptions};

/// The fixture copied to a temporary folder with its request file gzipped, so the
/// `.json.gz` reader is the one exercised.
fn gzipped_fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("edge");
    copy_dir(&manifest_dir().join("tests/fixtures/edge"), &input);
    let json = std::fs::read(input.join("job_requests.json")).unwrap();
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&json).unwrap();
    std::fs::write(input.join("job_requests.json.gz"), gz.finish().unwrap()).unwrap();
    std::fs::remove_file(input.join("job_requests.json")).unwrap();
    (dir, input)
}

const PAGE_100: &str = "edge-project/analysis-ws/100/index.html";
const PAGE_101: &str = "edge-project/analysis-ws/101/index.html";
const PAGE_102: &str = "edge-project/analysis-ws/102/index.html";
const PAGE_103: &str = "edge-project/analysis-ws/103/index.html";
const PAGE_104: &str = "edge-project/analysis-ws/104/index.html";
const PAGE_105: &str = "xss-project/xss-ws/105/index.html";
const PAGE_106: &str = "edge-project/analysis-ws/106/index.html";

fn card(doc: &scraper::Html) -> Vec<(String, String)> {
    definitions(one(doc, "#request dl"))
}

#[test]
fn bad_records_are_reported_with_file_line_and_record_and_skipped() {
    let (_tmp, input) = gzipped_fixture();
    let (_dir, site, summary) = build(&input);
    let c = summary.counts;
    assert_eq!((c.requests_read, c.requests_skipped), (13, 5));
    assert_eq!((c.jobs_read, c.jobs_skipped), (14, 2));
    assert_eq!(summary.requests_rendered, 8);
    let errors: Vec<String> = summary
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    let expect = [
        (
            "job request seven: invalid type: string \"seven\", expected u64",
            "job_requests.json.gz:4:16",
        ),
        (
            "job request 200: workspace name \"../evil\" cannot be used in a path",
            "job_requests.json.gz:5:3",
        ),
        (
            "job request 201: workspace repo \"javascript:alert(1)\" is not an http(s) URL",
            "job_requests.json.gz:6:3",
        ),
        (
            "job request 100: duplicate id 100",
            "job_requests.json.gz:7",
        ),
        (
            "job request 202: project slug \"orgs\" collides",
            "job_requests.json.gz:8:3",
        ),
        (
            "job jjjjjjjjjjjjjjjb: job_request_id \"zzzzzzzzzzzzzzzz\" names no job request",
            "jobs.jsonl:11",
        ),
        (
            "job jjjjjjjjjjjjjjj1: duplicate job identifier",
            "jobs.jsonl:12",
        ),
    ];
    assert_eq!(errors.len(), expect.len(), "{errors:#?}");
    for (message, place) in expect {
        assert!(
            errors
                .iter()
                .any(|e| e.contains(message) && e.contains(place)),
            "no error {message:?} at {place}: {errors:#?}"
        );
    }
    // Nothing was written for the skipped records, nowhere outside the output.
    assert!(!site.join("orgs/index.html").exists());
    assert!(!site.parent().unwrap().join("evil").exists());
    assert!(!site.join("edge-project/evil").exists());
}

#[test]
fn strict_builds_write_nothing_and_report_input_errors() {
    let (_tmp, input) = gzipped_fixture();
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("site");
    let options = BuildOptions {
        input,
        output: output.clone(),
        strict: true,
        ..BuildOptions::default()
    };
    match site::build(&options) {
        Err(BuildError::Input(diagnostics)) => {
            assert_eq!(diagnostics.iter().filter(|d| d.is_error()).count(), 7)
        }
        other => panic!("expected input errors, got {other:?}"),
    }
    assert!(!output.exists());
}

#[test]
fn previous_and_previous_successful_requests_link_to_github_compare() {
    let (_tmp, input) = gzipped_fixture();
    let (_dir, site, _) = build(&input);
    let repo = "https://github.com/example/edge-study";
    let links = |rel: &str| {
        let doc = page(&site, rel);
        doc.select(&sel("#code-comparison li a[href^='https://']"))
            .map(|a| (text(a), a.value().attr("href").unwrap().to_owned()))
            .collect::<Vec<_>>()
    };
    assert!(links(PAGE_100).is_empty());
    let a = "a".repeat(40);
    let b = "bbbbbbb";
    assert_eq!(
        links(PAGE_101),
        [
            (
                "Compare to the previous job request".to_owned(),
                format!("{repo}/compare/{a}..{b}")
            ),
            (
                "Compare to the previous successful job request".to_owned(),
                format!("{repo}/compare/{a}..{b}")
            ),
        ]
    );
    // 102 has an empty sha: job-server does not special-case it.
    assert_eq!(
        links(PAGE_102),
        [
            (
                "Compare to the previous job request".to_owned(),
                format!("{repo}/compare/{b}..")
            ),
            (
                "Compare to the previous successful job request".to_owned(),
                format!("{repo}/compare/{a}..")
            ),
        ]
    );
    // 103 ran on another backend: nothing to compare with.
    let doc = page(&site, PAGE_103);
    assert_eq!(
        all_text(&doc, "#code-comparison li"),
        ["No previous job request available for comparison"]
    );
    // The previous request's own page is linked too, relatively.
    let doc = page(&site, PAGE_101);
    let own: Vec<_> = doc
        .select(&sel(
            "#code-comparison li a[href='../../../edge-project/analysis-ws/100/index.html']",
        ))
        .collect();
    assert_eq!(own.len(), 2);
}

#[test]
fn a_request_with_no_jobs_shows_its_final_status_and_message() {
    let (_tmp, input) = gzipped_fixture();
    let (_dir, site, _) = build(&input);
    let doc = page(&site, PAGE_102);
    assert_eq!(lookup(&card(&doc), "Status"), "Nothing to do");
    let row = text(one(&doc, "#jobs li.job--none"));
    assert!(
        row.contains("Nothing to do")
            && row.contains("All actions have already completed successfully"),
        "{row}"
    );
    assert_eq!(lookup(&card(&doc), "Git commit hash"), "-");
    assert_eq!(
        text(one(&doc, "#statistics p")),
        "No updates received from backend yet."
    );
    let timeline = all_text(&doc, "#timeline .label");
    assert_eq!(timeline, ["Created:", "Runtime:"]);
    assert_eq!(text(one(&doc, "#timeline .runtime")), "-");
    // Empty sha: repo and project.yaml links go to the bare repo, as job-server's do.
    let buttons: Vec<_> = doc
        .select(&sel("p.buttons a"))
        .map(|a| a.value().attr("href").unwrap().to_owned())
        .collect();
    assert_eq!(
        buttons,
        [
            "https://github.com/example/edge-study",
            "https://github.com/example/edge-study"
        ]
    );
    // The record's own project_definition is the pipeline.
    let code: String = one(&doc, "#pipeline pre code").text().collect();
    assert!(
        code.contains("run: python:v2 python analysis/check.py"),
        "{code}"
    );
}

#[test]
fn a_request_without_any_pipeline_says_so() {
    let (_tmp, input) = gzipped_fixture();
    let (_dir, site, _) = build(&input);
    let doc = page(&site, PAGE_103);
    assert_eq!(
        text(one(&doc, "#pipeline p")),
        "The pipeline (project.yaml) for this job request is not available in this archive."
    );
    assert!(doc.select(&sel("#pipeline details")).next().is_none());
}

#[test]
fn running_request_shows_pending_message_cancellation_and_no_finish() {
    let (_tmp, input) = gzipped_fixture();
    let (_dir, site, _) = build(&input);
    let doc = page(&site, PAGE_103);
    assert_eq!(lookup(&card(&doc), "Status"), "Running");
    assert_eq!(lookup(&card(&doc), "Backend"), "EMIS");
    let pending = definitions(one(&doc, "#job-jjjjjjjjjjjjjjj7"));
    assert_eq!(
        lookup(&pending, "Status message:"),
        "waiting_on_dependencies: Waiting on dependencies"
    );
    let running = definitions(one(&doc, "#job-jjjjjjjjjjjjjjj6"));
    assert!(
        running.iter().all(|(l, _)| l != "Status message:"),
        "running jobs show no message"
    );
    assert!(
        text(one(&doc, ".alert-info"))
            .contains("A user has requested that jobs in this job request are cancelled")
    );
    assert_eq!(
        all_text(&doc, "#timeline .label"),
        ["Created:", "Started:", "Runtime:"]
    );
    // Started job first, never-started last.
    let order: Vec<_> = doc
        .select(&sel("#jobs li.job"))
        .map(|li| li.value().id().unwrap().to_owned())
        .collect();
    assert_eq!(order, ["job-jjjjjjjjjjjjjjj6", "job-jjjjjjjjjjjjjjj7"]);
    let stats = table_rows(&doc, "#statistics tbody tr");
    assert_eq!(
        stats,
        [
            "Pending 1 50%",
            "Running 1 50%",
            "Succeeded 0 0%",
            "Failed 0 0%"
        ]
    );
    assert_eq!(text(one(&doc, "#statistics tfoot")), "0 / 2 (0%) complete");
}

#[test]
fn api_shaped_record_with_a_day_long_job_and_a_cancelled_one() {
    let (_tmp, input) = gzipped_fixture();
    let (_dir, site, _) = build(&input);
    let doc = page(&site, PAGE_104);
    let c = card(&doc);
    // Stored "pending" is not final: derived from the jobs (succeeded + failed).
    assert_eq!(lookup(&c, "Status"), "Failed");
    assert_eq!(lookup(&c, "Backend"), "TPP", "display name from site.toml");
    assert_eq!(
        lookup(&c, "Requested by"),
        "Bob Builder",
        "created_by_fullname beside a bare username"
    );
    assert_eq!(
        lookup(&definitions(one(&doc, "dl.facts")), "Organisation:"),
        "Bennett Institute"
    );
    assert_eq!(text(one(&doc, "#timeline .runtime")), "50:03:04");
    // The cancelled job has no completion time; the latest one that exists is shown.
    assert_eq!(
        all_text(&doc, "#timeline .label"),
        ["Created:", "Started:", "Finished:", "Runtime:"]
    );
    let finished = doc.select(&sel("#timeline time")).nth(2).unwrap();
    assert_eq!(
        finished.value().attr("datetime"),
        Some("2024-01-07T11:03:04Z")
    );
    let cancelled = definitions(one(&doc, "#job-jjjjjjjjjjjjjjj9"));
    assert_eq!(
        lookup(&cancelled, "Status message:"),
        "cancelled_by_user: Cancelled by user"
    );
    assert_eq!(
        text(one(&doc, "#statistics tfoot")),
        "2 / 2 (100%) complete"
    );
}

#[test]
fn the_error_pseudo_job_hides_the_jobs_card() {
    let (_tmp, input) = gzipped_fixture();
    let (_dir, site, _) = build(&input);
    let doc = page(&site, PAGE_106);
    assert!(doc.select(&sel("#jobs")).next().is_none());
    assert!(text(one(&doc, "#request dl")).contains("Failed due to job failure"));
}

#[test]
fn every_string_from_the_input_is_escaped() {
    let (_tmp, input) = gzipped_fixture();
    let (_dir, site, _) = build(&input);
    let raw = std::fs::read_to_string(site.join(PAGE_105)).unwrap();
    assert!(!raw.contains("<script>alert"), "unescaped script");
    assert!(!raw.contains("<img src=x"), "unescaped img");
    assert!(!raw.contains("<b>main</b>") && !raw.contains("<i>boom</i>"));
    let doc = page(&site, PAGE_105);
    // The hostile strings arrive intact as text.
    assert_eq!(
        lookup(&card(&doc), "Requested by"),
        "<script>alert('name')</script>"
    );
    assert_eq!(
        lookup(&card(&doc), "Requested actions"),
        "<img src=x onerror=alert(2)>"
    );
    let job = definitions(one(&doc, "#job-jjjjjjjjjjjjjjja"));
    assert_eq!(
        lookup(&job, "Status message:"),
        "nonzero_exit: <script>alert('job')</script>"
    );
    let scripts: Vec<_> = doc.select(&sel("script")).collect();
    assert_eq!(scripts.len(), 1, "only the site's own script");
    assert!(
        scripts[0]
            .value()
            .attr("src")
            .unwrap()
            .starts_with("../../../static/page.")
    );
    assert_eq!(text(scripts[0]), "");
    for page_rel in [
        "index.html",
        "event-log/index.html",
        "xss-project/index.html",
        "xss-project/xss-ws/index.html",
        "users/mallory/index.html",
        "orgs/xss-org/index.html",
    ] {
        let raw = std::fs::read_to_string(site.join(page_rel)).unwrap();
        assert!(
            !raw.contains("<script>alert") && !raw.contains("<img src=x"),
            "{page_rel}"
        );
    }
    let feed = std::fs::read_to_string(site.join("feed.xml")).unwrap();
    assert!(!feed.contains("<script>"));
}

#[test]
fn the_page_shows_how_project_yaml_changed_since_the_previous_request() {
    let (_tmp, input) = gzipped_fixture();
    let (_dir, site, _) = build(&input);
    let doc = page(&site, PAGE_101);
    let changes = one(&doc, "details.pipeline-changes");
    let summary = text(within(changes, "summary")[0]);
    assert_eq!(
        summary,
        "What changed in project.yaml since job request 100: +8 −0 lines"
    );
    let added: Vec<String> = within(changes, "tr.add td:last-child")
        .into_iter()
        .map(text)
        .collect();
    assert_eq!(added.len(), 8);
    assert!(added.contains(&"model:".to_owned()), "{added:?}");
    assert!(
        added.contains(&"run: r:v2 analysis/model.R".to_owned()),
        "{added:?}"
    );
    assert!(within(changes, "tr.del").is_empty());
    // Same project.yaml as the previous request: nothing to show.
    assert!(
        page(&site, PAGE_100)
            .select(&sel("details.pipeline-changes"))
            .next()
            .is_none()
    );
}

#[test]
fn a_large_project_yaml_gets_a_page_of_its_own() {
    let (_tmp, input) = gzipped_fixture();
    let (_dir, site, _) = build(&input);
    let doc = page(&site, "edge-project/big-ws/107/index.html");
    assert!(
        doc.select(&sel("#pipeline pre.yaml")).next().is_none(),
        "not inlined"
    );
    assert!(
        doc.select(&sel("#pipeline svg")).next().is_none(),
        "160 actions: no graph inline"
    );
    let href = one(&doc, "p.large-pipeline a")
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    let rel = href
        .strip_prefix("../../../")
        .expect("a relative link to the root");
    assert!(
        rel.starts_with("pipelines/") && rel.ends_with("/index.html"),
        "{href}"
    );
    // The job's action link goes to the action's block on that page.
    let action = one(&doc, "#job-jjjjjjjjjjjjjjjc dd a")
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    assert_eq!(action, format!("{href}#action-model_150"));

    let own = page(&site, rel);
    let source = std::fs::read_to_string(
        manifest_dir().join("tests/fixtures/edge/pipelines/example/big-study/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee/project.yaml"),
    )
    .unwrap();
    let code: String = one(&own, "#pipeline pre code").text().collect();
    assert_eq!(code, source, "the whole file, verbatim");
    assert_eq!(
        own.select(&sel("pre code a[id^='L']")).count(),
        source.lines().count()
    );
    assert!(own.select(&sel("#action-model_150")).next().is_some());
    // The graph of all 160 actions is drawn there, once.
    assert_eq!(own.select(&sel("#graph svg g.node")).count(), 160);
    let users: Vec<String> = own
        .select(&sel("table.requests tbody td:nth-child(2) a"))
        .map(text)
        .collect();
    assert_eq!(users, ["107"]);
}

#[test]
fn an_invalid_pipeline_still_renders_with_its_error_and_line() {
    let (_tmp, input) = gzipped_fixture();
    let (_dir, site, _) = build(&input);
    let doc = page(&site, PAGE_105);
    let alert = one(&doc, "#pipeline .alert-danger");
    let message = text(alert);
    assert!(
        message.contains("does not pass the pipeline rules (line 9, column 3)"),
        "{message}"
    );
    assert!(
        message.contains("found duplicate key \"generate_dataset\""),
        "{message}"
    );
    let line = within(alert, "a")[0]
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    assert_eq!(line, "#L9");
    // The file is still there, highlighted and anchored, so the link lands.
    assert!(doc.select(&sel("#pipeline pre.yaml a#L9")).next().is_some());
    // Jobs say why their outputs cannot be stated.
    let job = definitions(one(&doc, "#job-jjjjjjjjjjjjjjja"));
    assert_eq!(
        lookup(&job, "Outputs:"),
        "Not stated: the pipeline is invalid."
    );
}
