//! The rules across records, applied to their keys: one request per id and identifier,
//! one job per identifier, and each job with the request it names.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::Path;

use super::files::{JobKeys, Read, RequestKeys};
use super::{JobRef, ReadCounts};
use crate::diagnostics::Diagnostic;

/// Drops (and reports) a request whose id or identifier an earlier record has, then puts
/// the rest in id order.
pub(super) fn remove_duplicates(
    requests: &mut Vec<Read<RequestKeys>>,
    file: &Path,
    diagnostics: &mut Vec<Diagnostic>,
    counts: &mut ReadCounts,
) {
    let mut ids = FxHashSet::default();
    let mut identifiers = FxHashSet::default();
    requests.retain(|r| {
        let keys = &r.keys;
        let problem = if !ids.insert(keys.id) {
            Some(format!(
                "duplicate id {}: an earlier record has it",
                keys.id
            ))
        } else if !identifiers.insert(keys.identifier.clone()) {
            Some(format!(
                "duplicate identifier {}: an earlier record has it",
                keys.identifier
            ))
        } else {
            None
        };
        if let Some(message) = &problem {
            diagnostics.push(
                Diagnostic::error(file, message.clone())
                    .at_line(r.line)
                    .record(format!("job request {}", keys.id)),
            );
            counts.requests_skipped += 1;
        }
        problem.is_none()
    });
    requests.sort_by_key(|r| r.keys.id);
}

/// Each request's jobs: its nested ones, then those of the jobs file that name it by its
/// identifier, in file order. A job whose identifier an earlier job has is reported where
/// it was read and dropped, as is one that names no request.
pub(super) fn attach_jobs(
    requests: &[Read<RequestKeys>],
    (request_file, job_file): (&Path, Option<&Path>),
    loose: &[Read<JobKeys>],
    diagnostics: &mut Vec<Diagnostic>,
    counts: &mut ReadCounts,
) -> Vec<Vec<JobRef>> {
    let job_file = job_file.unwrap_or(Path::new("jobs.jsonl"));
    let mut problem = |message: String, file: &Path, line: usize, identifier: &str| {
        diagnostics.push(
            Diagnostic::error(file, message)
                .at_line(line)
                .record(format!("job {identifier}")),
        );
        counts.jobs_skipped += 1;
    };
    let duplicate =
        |identifier: &str| format!("duplicate job identifier {identifier}: an earlier job has it");
    let by_identifier: FxHashMap<&str, usize> = requests
        .iter()
        .enumerate()
        .map(|(i, r)| (&*r.keys.identifier, i))
        .collect();
    // The request each loose job names, looked up in parallel; what depends on the order
    // of the records comes after.
    let targets: Vec<Option<usize>> = loose
        .par_iter()
        .map(|job| {
            let id = job.keys.job_request_id.as_deref()?;
            by_identifier.get(id).copied()
        })
        .collect();
    let mut named = vec![0usize; requests.len()];
    for &i in targets.iter().flatten() {
        named[i] += 1;
    }
    let mut seen: FxHashSet<&str> =
        FxHashSet::with_capacity_and_hasher(loose.len() + requests.len() * 4, Default::default());
    let mut attached: Vec<Vec<JobRef>> = requests
        .iter()
        .zip(named)
        .map(|(r, named)| {
            let mut jobs = Vec::with_capacity(r.keys.nested.len() + named);
            for (k, identifier) in r.keys.nested.iter().enumerate() {
                if seen.insert(identifier) {
                    jobs.push(JobRef::Nested(k));
                } else {
                    problem(duplicate(identifier), request_file, r.line, identifier);
                }
            }
            jobs
        })
        .collect();
    for (job, target) in loose.iter().zip(targets) {
        let keys = &job.keys;
        match (target, &keys.job_request_id) {
            (Some(i), _) if seen.insert(&keys.identifier) => {
                attached[i].push(JobRef::Loose(job.index));
            }
            (Some(_), _) => problem(
                duplicate(&keys.identifier),
                job_file,
                job.line,
                &keys.identifier,
            ),
            (None, Some(id)) => problem(
                format!("job_request_id {id:?} names no job request in the export"),
                job_file,
                job.line,
                &keys.identifier,
            ),
            (None, None) => problem(
                "job has no job_request_id".to_owned(),
                job_file,
                job.line,
                &keys.identifier,
            ),
        }
    }
    attached
}

/// The namespaces of path segments: names that must not differ only in case.
const PROJECT: usize = 0;
const WORKSPACE: usize = 1;
const BACKEND: usize = 2;
const USER: usize = 3;
const ORG: usize = 4;
const WHAT: [&str; 5] = [
    "project slug",
    "workspace name",
    "backend slug",
    "username",
    "org slug",
];

/// A name a request would give a path segment: its namespace, the folder it is in (the
/// project, for a workspace) and its spelling.
type Claim<'a> = (usize, &'a str, &'a str);

/// Drops (and reports) a request that spells a path segment differently from an earlier
/// request, in ASCII case only: `WS/` and `ws/` are one folder on a case-insensitive file
/// system (macOS, Windows, where a site is often checked) and one object in a CDN cache
/// that folds case, so one page would overwrite the other. The first spelling met in id
/// order wins: ids are what requests are listed by, so the rule does not depend on the
/// order of the file, and it runs on the memo's keys, so a night's build keeps the same
/// records a full build would. `requests` are in id order.
pub(super) fn remove_case_collisions(
    requests: &mut Vec<Read<RequestKeys>>,
    file: &Path,
    diagnostics: &mut Vec<Diagnostic>,
    counts: &mut ReadCounts,
) {
    let keep = first_spellings(requests, file, diagnostics);
    counts.requests_skipped += keep.iter().filter(|k| !**k).count();
    let mut keep = keep.into_iter();
    requests.retain(|_| keep.next().unwrap_or(true));
}

/// Whether each request's spellings agree with the first ones met; a report for each
/// that does not.
fn first_spellings(
    requests: &[Read<RequestKeys>],
    file: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<bool> {
    // The spellings taken, as they are (most names repeat, and are found here without
    // being folded), and the first spelling and request of each folded name.
    let mut taken: FxHashSet<Claim<'_>> = FxHashSet::default();
    let mut first: FxHashMap<(usize, String, String), (&str, u64)> = FxHashMap::default();
    let folded = |(kind, folder, name): Claim<'_>| {
        (
            kind,
            super::names::folded(folder),
            super::names::folded(name),
        )
    };
    requests
        .iter()
        .map(|r| {
            let claims = claims(&r.keys);
            let mut new: Vec<Claim<'_>> = Vec::new();
            for &claim in &claims {
                if taken.contains(&claim) || new.contains(&claim) {
                    continue;
                }
                let key = folded(claim);
                let earlier = first.get(&key).copied().or_else(|| {
                    // The same request may spell one org twice.
                    new.iter()
                        .find(|c| folded(**c) == key)
                        .map(|c| (c.2, r.keys.id))
                });
                if let Some((spelling, id)) = earlier {
                    diagnostics.push(case_collision(file, r, claim, spelling, id));
                    return false;
                }
                new.push(claim);
            }
            for claim in new {
                first.insert(folded(claim), (claim.2, r.keys.id));
                taken.insert(claim);
            }
            true
        })
        .collect()
}

/// The path segments a request names.
fn claims(keys: &RequestKeys) -> Vec<Claim<'_>> {
    let n = &keys.names;
    let mut claims = vec![
        (PROJECT, "", &*n.project),
        (WORKSPACE, &*n.project, &*n.workspace),
        (BACKEND, "", &*n.backend),
        (USER, "", &*n.username),
    ];
    claims.extend(n.orgs.iter().map(|o| (ORG, "", &**o)));
    claims
}

fn case_collision(
    file: &Path,
    r: &Read<RequestKeys>,
    (kind, _, name): Claim<'_>,
    first: &str,
    first_id: u64,
) -> Diagnostic {
    let by = if first_id == r.keys.id {
        "this request".to_owned()
    } else {
        format!("job request {first_id}")
    };
    Diagnostic::error(
        file,
        format!(
            "{} {name:?} differs only in case from {first:?} of {by}: on a case-insensitive \
             file system or CDN both would be one path, so the first spelling (by id) is kept",
            WHAT[kind]
        ),
    )
    .at_line(r.line)
    .record(format!("job request {}", r.keys.id))
}
