//! The synthetic export generator: the same seed gives the same bytes, another seed other
//! bytes, and the output reads and builds with exactly the bad records it says it wrote.

use std::path::Path;

use crate::common::files;

use jobaudit::export;
use jobaudit::site::{self, BuildOptions};
use jobaudit_synth::{self as synth, SynthOptions, SynthSummary};

fn generate(dir: &Path, seed: u64, requests: usize) -> SynthSummary {
    synth::generate(&SynthOptions {
        requests,
        seed,
        output: dir.to_path_buf(),
        pipelines: None,
    })
    .unwrap_or_else(|e| panic!("synth into {}: {e}", dir.display()))
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    let summary = generate(&a, 42, 300);
    assert_eq!(generate(&b, 42, 300), summary);
    let (ta, tb) = (files(&a), files(&b));
    assert!(ta.len() > 10, "{} files", ta.len());
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (path, bytes) in &ta {
        assert!(
            bytes == &tb[path],
            "{} differs between two runs",
            path.display()
        );
    }

    generate(&c, 43, 300);
    let tc = files(&c);
    let requests = Path::new("job_requests.jsonl");
    assert_ne!(ta[requests], tc[requests], "another seed, other requests");
}

#[test]
fn the_output_reads_with_exactly_the_bad_records_it_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("export");
    let s = generate(&input, 7, 2500);
    assert_eq!(s.requests, 2500);
    assert!(s.bad_requests >= 2 && s.bad_jobs >= 1, "{s:?}");
    assert!(s.jobs > 2 * s.requests, "{s:?}");
    assert!(
        s.distinct_pipelines > 1 && s.pipeline_files >= s.distinct_pipelines,
        "{s:?}"
    );

    let read = export::read(&input).unwrap();
    let c = read.counts;
    assert_eq!(c.requests_read, s.requests);
    assert_eq!(
        c.requests_skipped, s.bad_requests,
        "{:#?}",
        read.diagnostics
    );
    assert_eq!(c.jobs_read, s.jobs);
    assert_eq!(c.jobs_skipped, s.bad_jobs, "{:#?}", read.diagnostics);
    assert_eq!(read.requests.len(), s.requests - s.bad_requests);
    let requests = read.full_requests();
    // Both shapes and every outcome are present.
    let statuses: std::collections::BTreeSet<_> = requests
        .iter()
        .filter_map(|r| r.status.as_deref())
        .collect();
    for status in ["succeeded", "failed", "nothing_to_do", "pending", "running"] {
        assert!(
            statuses.contains(status),
            "no {status} request: {statuses:?}"
        );
    }
    let jobs = || requests.iter().flat_map(|r| &r.jobs);
    assert!(jobs().any(|j| j.status_code == "cancelled_by_user" && j.completed_at.is_none()));
    assert!(jobs().any(|j| j.status_code == "dependency_failed" && j.started_at.is_none()));
    assert!(requests.iter().any(|r| r.requested_actions == ["run_all"]));
    for job in jobs() {
        if let (Some(started), Some(completed)) = (job.started_at, job.completed_at) {
            assert!(started <= completed, "{}", job.identifier);
        }
        if let (Some(created), Some(started)) = (job.created_at, job.started_at) {
            assert!(created <= started, "{}", job.identifier);
        }
    }
}

#[test]
fn the_output_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("export");
    let s = generate(&input, 3, 300);
    let summary = site::build(&BuildOptions {
        input,
        output: tmp.path().join("site"),
        ..BuildOptions::default()
    })
    .unwrap_or_else(|e| panic!("build failed: {e:?}"));
    assert_eq!(summary.requests_rendered, s.requests - s.bad_requests);
    assert!(tmp.path().join("site/index.html").is_file());
}

#[test]
fn a_non_empty_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("keep.txt"), "mine").unwrap();
    let e = synth::generate(&SynthOptions {
        requests: 10,
        seed: 1,
        output: tmp.path().to_path_buf(),
        pipelines: None,
    })
    .unwrap_err();
    assert!(e.to_string().contains("not empty"), "{e}");
}
