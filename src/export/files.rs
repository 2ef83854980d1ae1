//! The two record files, read whole: each record hashed, the ones the memo knows taken by
//! their keys, the others parsed in parallel.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::parse::{check_job, read_request};
use super::reader::{RecordFile, parse_record};
use super::{Job, JobRequest, ReadCounts, Text};
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;

/// What the rules across requests need of a request record.
#[derive(Debug, Clone)]
pub(super) struct RequestKeys {
    pub id: u64,
    pub identifier: Text,
    /// Its valid nested jobs' identifiers.
    pub nested: Vec<Text>,
}

/// What attaching needs of a job record.
#[derive(Debug, Clone)]
pub(super) struct JobKeys {
    pub identifier: Text,
    pub job_request_id: Option<Text>,
}

/// The records of one file that passed its rules, its problems and counts.
pub(super) struct ReadFile<T: Keys> {
    pub file: RecordFile,
    pub records: Vec<Read<T>>,
    pub diagnostics: Vec<Diagnostic>,
    pub counts: ReadCounts,
    /// Records parsed: those the memo did not know.
    parsed: usize,
}

/// A record that passed the rules: its keys, and the record itself when it was parsed
/// (the memo did not know it).
pub(super) struct Read<T: Keys> {
    /// Its place among the file's records.
    pub index: usize,
    pub line: usize,
    pub hash: u128,
    pub keys: T,
    /// Read without any problem, so that its keys can go in the next memo.
    pub clean: bool,
    pub parsed: Option<T::Record>,
}

/// A record kind: its keys, and the record they come from.
pub(super) trait Keys: Sized + Send + Sync {
    type Record: Send;
    fn of(record: &Self::Record) -> Self;
    fn nested_jobs(&self) -> usize;
}

impl Keys for RequestKeys {
    type Record = JobRequest;
    fn of(r: &JobRequest) -> RequestKeys {
        RequestKeys {
            id: r.id,
            identifier: r.identifier.as_str().into(),
            nested: r
                .jobs
                .iter()
                .map(|j| j.identifier.as_str().into())
                .collect(),
        }
    }
    fn nested_jobs(&self) -> usize {
        self.nested.len()
    }
}

impl Keys for JobKeys {
    type Record = Job;
    fn of(j: &Job) -> JobKeys {
        JobKeys {
            identifier: j.identifier.as_str().into(),
            job_request_id: j.job_request_id.as_deref().map(Text::from),
        }
    }
    fn nested_jobs(&self) -> usize {
        0
    }
}

/// What parsing one record gave: the record or why it was skipped, problems with its
/// nested jobs, and their counts.
type Parsed<R> = (Result<R, Diagnostic>, Vec<Diagnostic>, ReadCounts);

/// The records of `file`: each one the memo `known` has taken out of it (an identical
/// record met twice is parsed the second time), the rest parsed with `parse`.
fn read_file<K: Keys>(
    file: RecordFile,
    known: &mut FxHashMap<u128, K>,
    parse: impl Fn(&RecordFile, usize) -> Parsed<K::Record> + Sync,
) -> ReadFile<K> {
    let hashes: Vec<u128> = (0..file.len())
        .into_par_iter()
        .map(|i| super::digest(file.record(i).text.as_bytes()))
        .collect();
    let keys: Vec<Option<K>> = hashes.iter().map(|h| known.remove(h)).collect();
    let parsed: Vec<Option<Parsed<K::Record>>> = keys
        .par_iter()
        .enumerate()
        .map(|(i, keys)| keys.is_none().then(|| parse(&file, i)))
        .collect();
    let mut records = Vec::with_capacity(file.len());
    let (mut diagnostics, mut counts) = (Vec::new(), ReadCounts::default());
    let parsed_count = parsed.iter().filter(|p| p.is_some()).count();
    for (index, ((hash, keys), parsed)) in hashes.into_iter().zip(keys).zip(parsed).enumerate() {
        let line = file.record(index).line;
        let (keys, clean, parsed) = match (keys, parsed) {
            (Some(keys), _) => {
                counts.jobs_read += keys.nested_jobs();
                (keys, true, None)
            }
            (None, Some((record, problems, c))) => {
                let clean = problems.is_empty();
                diagnostics.extend(problems);
                counts.add(c);
                match record {
                    Ok(record) => (K::of(&record), clean, Some(record)),
                    Err(d) => {
                        diagnostics.push(d);
                        counts.requests_skipped += 1;
                        continue;
                    }
                }
            }
            (None, None) => unreachable!("a record the memo does not know is parsed"),
        };
        records.push(Read {
            index,
            line,
            hash,
            keys,
            clean,
            parsed,
        });
    }
    ReadFile {
        file,
        records,
        diagnostics,
        counts,
        parsed: parsed_count,
    }
}

pub(super) fn read_requests(
    file: RecordFile,
    config: &SiteConfig,
    known: &mut FxHashMap<u128, RequestKeys>,
) -> ReadFile<RequestKeys> {
    let mut read = read_file(file, known, |file, i| {
        let (mut d, mut c) = (Vec::new(), ReadCounts::default());
        let request = read_request(&file.path, file.record(i), config, &mut d, &mut c);
        (request, d, c)
    });
    read.counts.requests_read = read.file.len();
    read.counts.requests_parsed = read.parsed;
    read
}

/// Jobs of a separate jobs file.
pub(super) fn read_jobs(
    file: RecordFile,
    known: &mut FxHashMap<u128, JobKeys>,
) -> ReadFile<JobKeys> {
    let mut read = read_file(file, known, |file, i| {
        let record = file.record(i);
        let job = parse_record::<Job>(&file.path, record, "job")
            .and_then(|j| check_job(&file.path, record, j));
        (job, Vec::new(), ReadCounts::default())
    });
    // A job record that could not be read counts as a skipped job, not a request.
    read.counts.jobs_skipped += read.counts.requests_skipped;
    read.counts.requests_skipped = 0;
    read.counts.jobs_read = read.file.len();
    read.counts.jobs_parsed = read.parsed;
    read
}
