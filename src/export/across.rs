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
