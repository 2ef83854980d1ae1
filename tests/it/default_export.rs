//! The default export in `data/` reads without a single diagnostic and gives what the
//! five seed pages (jobs.opensafely.org job requests 2505, 3131, 10898, 19021, 21418)
//! show: jobs, pipelines and runtimes.

use std::path::PathBuf;

use jobaudit::audit::timeline;
use jobaudit::export::{self, Export, Lookup, repo_owner_and_name};

fn default_export() -> Export {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    export::read(&dir).unwrap_or_else(|d| panic!("{d}"))
}

/// (id, jobs, runtime) as each seed page shows it.
const SEEDS: [(u64, usize, &str); 5] = [
    (2505, 1, "00:43:44"),
    (3131, 1, "00:01:23"),
    (10898, 1, "18:21:28"),
    (19021, 1, "00:02:01"),
    (21418, 2, "00:18:09"),
];

#[test]
fn reads_without_diagnostics() {
    let export = default_export();
    let messages: Vec<String> = export.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(messages.is_empty(), "{messages:#?}");
    assert_eq!(export.requests.len(), 5);
    assert_eq!(export.counts.requests_skipped, 0);
    assert_eq!(export.counts.jobs_read, 6);
    assert_eq!(export.counts.jobs_skipped, 0);
    assert_eq!(export.config.title, "OpenSAFELY Jobs");
    assert_eq!(export.config.base_url, "https://jobs.opensafely.org/");
    assert!(export.pages.iter().any(|p| p.slug == "about"));
}

#[test]
fn every_request_has_its_seed_jobs() {
    let export = default_export();
    let ids: Vec<u64> = export.requests.iter().map(|r| r.id).collect();
    assert_eq!(ids, SEEDS.map(|(id, _, _)| id));
    for (request, (id, jobs, _)) in export.full_requests().iter().zip(SEEDS) {
        assert_eq!(request.jobs.len(), jobs, "jobs of request {id}");
    }
}

#[test]
fn every_pipeline_is_in_the_store() {
    let export = default_export();
    assert_eq!(export.pipelines.len(), 5);
    for request in &export.full_requests() {
        let (owner, repo) = repo_owner_and_name(&request.workspace.repo)
            .unwrap_or_else(|| panic!("repo of request {}", request.id));
        assert_eq!(request.sha.len(), 40, "full sha of request {}", request.id);
        match export.pipelines.lookup(&owner, &repo, &request.sha) {
            Lookup::Found(stored) => {
                let text = export.pipelines.text(stored).unwrap();
                assert!(text.ends_with('\n'), "{}", stored.path.display());
                // The one request that carries its project_definition carries the stored
                // text exactly, so the fallback is exercised without a warning.
                if let Some(definition) = &request.project_definition {
                    assert_eq!(definition.as_str(), &*text, "request {}", request.id);
                }
            }
            other => panic!("pipeline of request {}: {other:?}", request.id),
        }
    }
    let with_definition = export
        .full_requests()
        .iter()
        .filter(|r| r.project_definition.is_some())
        .count();
    assert_eq!(with_definition, 1);
}

#[test]
fn runtimes_are_the_seed_runtimes() {
    let export = default_export();
    for (request, (id, _, runtime)) in export.full_requests().iter().zip(SEEDS) {
        let t = timeline(request.created_at, &request.jobs, true);
        assert_eq!(t.runtime.to_string(), runtime, "runtime of request {id}");
        assert!(
            t.started.is_some_and(|s| s >= request.created_at),
            "request {id} starts after it was created"
        );
    }
}

#[test]
fn the_audit_finds_no_problem() {
    // Pipelines parse, and the stored project_definition matches its stored file.
    let audit = jobaudit::audit::audit(default_export()).unwrap();
    let messages: Vec<String> = audit.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(messages.is_empty(), "{messages:#?}");
    assert!(audit.pipelines.iter().all(|p| p.parsed().is_ok()));
    let statuses: Vec<String> = audit
        .requests
        .iter()
        .map(|r| format!("{} {:?}", r.id, r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            "2505 Succeeded",
            "3131 Succeeded",
            "10898 Failed",
            "19021 Succeeded",
            "21418 Succeeded"
        ]
    );
    assert!(audit.requests.iter().all(|r| r.pipeline.is_some()));
}
