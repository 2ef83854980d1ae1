//! The previous request for code comparison (spec/job-server.md §2.1): same workspace and
//! backend, lower id, the latest by created_at; the previous successful one also needs
//! at least one job and every job `succeeded`.

use rustc_hash::FxHashMap;

use super::Summary;

/// For each request (by index), the index of its previous and previous successful request.
pub(super) fn previous_requests(requests: &[Summary]) -> Vec<(Option<usize>, Option<usize>)> {
    let mut groups: FxHashMap<(&str, &str), Vec<usize>> = FxHashMap::default();
    for (i, r) in requests.iter().enumerate() {
        groups
            .entry((&r.workspace.name, &r.backend.slug))
            .or_default()
            .push(i);
    }
    let mut result = vec![(None, None); requests.len()];
    for members in groups.values_mut() {
        members.sort_by_key(|&i| requests[i].id);
        // Walking in id order, the best so far is the latest created among lower ids;
        // equal created_at falls to the higher id so the choice is deterministic.
        let later = |a: usize, b: usize| {
            (requests[a].created_at, requests[a].id) > (requests[b].created_at, requests[b].id)
        };
        let (mut best, mut best_ok): (Option<usize>, Option<usize>) = (None, None);
        for &i in members.iter() {
            result[i] = (best, best_ok);
            if best.is_none_or(|b| later(i, b)) {
                best = Some(i);
            }
            if requests[i].all_succeeded() && best_ok.is_none_or(|b| later(i, b)) {
                best_ok = Some(i);
            }
        }
    }
    result
}

/// `<repo>/compare/<old>..<new>` (two dots), as job-server's Repo.get_compare_url.
pub fn compare_url(repo: &str, old_sha: &str, new_sha: &str) -> String {
    format!(
        "{}/compare/{old_sha}..{new_sha}",
        repo.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(id: u64, workspace: &str, backend: &str, created: &str, jobs: &[&str]) -> Summary {
        let jobs: Vec<_> = jobs
            .iter()
            .enumerate()
            .map(|(n, s)| json!({"identifier": format!("j{id}x{n}"), "action": "a", "status": s}))
            .collect();
        let raw = json!({
            "id": id, "identifier": format!("r{id}"), "backend": backend,
            "workspace": {"name": workspace, "repo": "https://github.com/o/r", "branch": "main"},
            "project": "p", "created_by": "u", "created_at": created, "jobs": jobs,
        });
        crate::audit::tests::summary_from_json(raw)
    }

    #[test]
    fn previous_is_same_workspace_and_backend_lower_id_latest_created() {
        let requests = vec![
            request(1, "w", "tpp", "2024-01-01T00:00:00Z", &["succeeded"]),
            request(2, "w", "tpp", "2024-01-03T00:00:00Z", &["failed"]),
            request(3, "w", "tpp", "2024-01-02T00:00:00Z", &["succeeded"]),
            request(4, "w", "emis", "2024-01-04T00:00:00Z", &["succeeded"]),
            request(5, "other", "tpp", "2024-01-05T00:00:00Z", &["succeeded"]),
            request(6, "w", "tpp", "2024-01-06T00:00:00Z", &[]),
        ];
        let prev = previous_requests(&requests);
        let ids = |p: Option<usize>| p.map(|i| requests[i].id);
        assert_eq!((ids(prev[0].0), ids(prev[0].1)), (None, None));
        assert_eq!((ids(prev[1].0), ids(prev[1].1)), (Some(1), Some(1)));
        // Request 2 was created after 3 but has a lower id: it is still 3's previous.
        assert_eq!((ids(prev[2].0), ids(prev[2].1)), (Some(2), Some(1)));
        assert_eq!(
            (ids(prev[3].0), ids(prev[3].1)),
            (None, None),
            "other backend"
        );
        assert_eq!(
            (ids(prev[4].0), ids(prev[4].1)),
            (None, None),
            "other workspace"
        );
        assert_eq!((ids(prev[5].0), ids(prev[5].1)), (Some(2), Some(3)));
    }

    #[test]
    fn a_request_without_jobs_is_never_the_previous_successful() {
        let requests = vec![
            request(1, "w", "tpp", "2024-01-01T00:00:00Z", &[]),
            request(2, "w", "tpp", "2024-01-02T00:00:00Z", &["succeeded"]),
        ];
        assert_eq!(previous_requests(&requests)[1], (Some(0), None));
    }

    #[test]
    fn compare_urls_use_two_dots() {
        assert_eq!(
            compare_url("https://github.com/o/r", "abc", "def"),
            "https://github.com/o/r/compare/abc..def"
        );
        assert_eq!(
            compare_url("https://github.com/o/r", "", "def"),
            "https://github.com/o/r/compare/..def"
        );
    }
}
