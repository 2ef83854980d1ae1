//! The two record files, as they are read: each record hashed, the ones the memo knows
//! taken by their keys, the others parsed in parallel.

use rayon::prelude::*;
use std::path::Path;

use super::ReadCounts;
use super::memo::Known;
use super::parse::{check_job, read_request};
use super::reader::{RecordFile, RecordText, parse_record};
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::model::{Job, JobRequest, Text};

/// What the rules across requests need of a request record.
#[derive(Debug, Clone)]
pub(super) struct RequestKeys {
    pub id: u64,
    pub identifier: Text,
    /// Its valid nested jobs' identifiers.
    pub nested: Vec<Text>,
    /// The names it gives path segments of the site, for the rule on their case.
    pub names: PathNames,
    /// Whether its project.yaml can only come from the pipeline store: it names a commit
    /// and carries no `project_definition`.
    pub wants_store: bool,
}

/// A request's names that become path segments: `<project>/<workspace>/`,
/// `backends/<backend>/`, `users/<username>/`, `orgs/<org>/`.
#[derive(Debug, Clone)]
pub(super) struct PathNames {
    pub project: Text,
    pub workspace: Text,
    pub backend: Text,
    pub username: Text,
    pub orgs: Box<[Text]>,
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
    /// Boxed: a request is hundreds of bytes, and most records are not parsed.
    pub parsed: Option<Box<T::Record>>,
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
            names: PathNames {
                project: r.project.slug.clone(),
                workspace: r.workspace.name.clone(),
                backend: r.backend.slug.clone(),
                username: r.created_by.username.clone(),
                orgs: r.orgs.iter().map(|o| o.slug.clone()).collect(),
            },
            wants_store: !r.sha.is_empty() && r.project_definition.is_none(),
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
type Boxed<R> = (Result<Box<R>, Diagnostic>, Vec<Diagnostic>, ReadCounts);

/// Where a record file comes from: a path, or a text given whole (`Export::from_json`).
pub(super) enum Input<'a> {
    Path(&'a Path),
    Text(&'a Path, String),
}

/// The records of `input`, as they are read: each one the memo `known` has taken out of
/// it (an identical record met twice is parsed the second time), the rest parsed with
/// `parse`, in parallel.
fn read_file<K: Keys>(
    input: Input<'_>,
    kind: &str,
    known: &mut Known<K>,
    parse: impl Fn(&Path, RecordText<'_>) -> Parsed<K::Record> + Sync,
) -> Result<ReadFile<K>, Diagnostic> {
    // As many as the last build read, about: grown by doubling, half a million records
    // would be copied into fresh memory again and again.
    let mut records = Vec::with_capacity(known.len() + known.len() / 16);
    let (mut diagnostics, mut counts) = (Vec::new(), ReadCounts::default());
    let mut parsed_count = 0;
    let path = match &input {
        Input::Path(path) | Input::Text(path, _) => path.to_path_buf(),
    };
    let mut visit = |first: usize, texts: &[RecordText<'_>]| {
        let found: Vec<(u128, Option<usize>)> = texts
            .par_iter()
            .map(|r| {
                let hash = super::digest(r.text.as_bytes());
                (hash, known.find(hash))
            })
            .collect();
        let (hashes, keys): (Vec<u128>, Vec<Option<K>>) = found
            .into_iter()
            .map(|(hash, at)| (hash, at.and_then(|at| known.take(at))))
            .unzip();
        let parsed: Vec<Option<Boxed<K::Record>>> = keys
            .par_iter()
            .zip(texts)
            .map(|(keys, &text)| {
                keys.is_none().then(|| {
                    let (record, problems, counts) = parse(&path, text);
                    (record.map(Box::new), problems, counts)
                })
            })
            .collect();
        parsed_count += parsed.iter().filter(|p| p.is_some()).count();
        let each = hashes.into_iter().zip(keys).zip(parsed).zip(texts);
        for (n, (((hash, keys), parsed), text)) in each.enumerate() {
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
                index: first + n,
                line: text.line,
                hash,
                keys,
                clean,
                parsed,
            });
        }
    };
    let file = match input {
        Input::Path(path) => RecordFile::read(path, &mut visit)?,
        Input::Text(path, text) => RecordFile::from_text(path, text, &mut visit)?,
    };
    // A record that is not text is skipped by itself, where it was in the file.
    if !file.unreadable.is_empty() {
        diagnostics.extend(file.unreadable.iter().map(|u| u.diagnostic(&path, kind)));
        diagnostics.sort_by_key(|d| d.line);
        counts.requests_skipped += file.unreadable.len();
    }
    Ok(ReadFile {
        file,
        records,
        diagnostics,
        counts,
        parsed: parsed_count,
    })
}

pub(super) fn read_requests(
    input: Input<'_>,
    config: &SiteConfig,
    known: &mut Known<RequestKeys>,
) -> Result<ReadFile<RequestKeys>, Diagnostic> {
    let mut read = read_file(input, "job request", known, |path, record| {
        let (mut d, mut c) = (Vec::new(), ReadCounts::default());
        let request = read_request(path, record, config, &mut d, &mut c);
        (request, d, c)
    })?;
    read.counts.requests_read = read.file.len() + read.file.unreadable.len();
    read.counts.requests_parsed = read.parsed;
    Ok(read)
}

/// Jobs of a separate jobs file.
pub(super) fn read_jobs(
    input: Input<'_>,
    known: &mut Known<JobKeys>,
) -> Result<ReadFile<JobKeys>, Diagnostic> {
    let mut read = read_file(input, "job", known, |path, record| {
        let job = parse_record::<Job>(path, record, "job").and_then(|j| check_job(path, record, j));
        (job, Vec::new(), ReadCounts::default())
    })?;
    // A job record that could not be read counts as a skipped job, not a request.
    read.counts.jobs_skipped += read.counts.requests_skipped;
    read.counts.requests_skipped = 0;
    read.counts.jobs_read = read.file.len() + read.file.unreadable.len();
    read.counts.jobs_parsed = read.parsed;
    Ok(read)
}
