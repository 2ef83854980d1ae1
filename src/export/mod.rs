//! Reading an export (DESIGN.md §2): site.toml, job requests, jobs, the pipeline store
//! and Markdown pages. Bad records are reported and skipped; the rest is kept.
//!
//! Records are known by the hash of their text. One that the previous build read (its
//! [`ReadMemo`]) is not parsed again: its keys come from the memo, and the rules across
//! records (one request per id, one job per identifier, each job with its request) are
//! applied to keys. A request is parsed in full only when something must be made from
//! it ([`Export::request`]), so a night's build parses what changed.

mod across;
mod files;
mod links;
mod memo;
mod names;
mod parse;
mod pipelines;
mod raw;
mod reader;

pub use memo::{ReadMemo, ReadRows};
pub use names::{MAX_SEGMENT_BYTES, RESERVED_TOP_LEVEL, check_segment, is_path_safe};
pub use pipelines::{
    Lookup, PipelineStore, Stamp, StoreMemo, StoredPipeline, read_text, repo_owner_and_name,
    text_hash,
};

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3Default;

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::model::{Job, JobRequest, Source};
use files::{Input, read_jobs, read_requests};
use links::{InputRoot, near_misses};
use memo::Known;
use parse::read_request;
use reader::{RecordFile, RecordText, parse_record};

/// Everything read from an input folder.
#[derive(Debug)]
pub struct Export {
    pub config: SiteConfig,
    /// Valid requests, by id.
    pub requests: Vec<RequestRecord>,
    pub pipelines: PipelineStore,
    pub pages: Vec<MarkdownPage>,
    pub diagnostics: Vec<Diagnostic>,
    pub counts: ReadCounts,
    /// What this read learnt about the records, for the next build.
    pub memo: ReadMemo,
    request_file: RecordFile,
    job_file: Option<RecordFile>,
    /// The requests parsed by this read (those the memo did not know), by position in
    /// `requests`, until [`Export::take_parsed`] hands them out; and the jobs file's.
    parsed: Vec<Option<Box<JobRequest>>>,
    parsed_jobs: FxHashMap<usize, Box<Job>>,
    /// Valid requests whose project.yaml can only come from the pipeline store.
    wanting_store: usize,
}

/// A valid job request: where its record and jobs are, and the hash they are known by.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    pub id: u64,
    pub source: Source,
    /// Its record in the request file.
    record: usize,
    /// Its jobs, in the order they were attached: nested ones first.
    jobs: Vec<JobRef>,
    /// A hash of its record's text and of its jobs' texts, in order: what the request
    /// alone is made from, besides the site settings.
    pub key: u128,
}

/// Where a request's job is: its `k`th valid nested job, or a record of the jobs file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobRef {
    Nested(usize),
    Loose(usize),
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReadCounts {
    pub requests_read: usize,
    pub requests_skipped: usize,
    pub jobs_read: usize,
    pub jobs_skipped: usize,
    /// Records of the request and job files parsed by this read: those the memo did not
    /// know (new, changed, or with a problem).
    pub requests_parsed: usize,
    pub jobs_parsed: usize,
}

impl ReadCounts {
    fn add(&mut self, other: ReadCounts) {
        self.requests_read += other.requests_read;
        self.requests_skipped += other.requests_skipped;
        self.jobs_read += other.jobs_read;
        self.jobs_skipped += other.jobs_skipped;
        self.requests_parsed += other.requests_parsed;
        self.jobs_parsed += other.jobs_parsed;
    }
}

/// An extra page from `pages/<slug>.md`.
#[derive(Debug, Clone)]
pub struct MarkdownPage {
    pub slug: String,
    pub path: PathBuf,
    pub text: String,
}

const REQUEST_FILES: [&str; 4] = [
    "job_requests.jsonl",
    "job_requests.json",
    "job_requests.jsonl.gz",
    "job_requests.json.gz",
];
const JOB_FILES: [&str; 4] = ["jobs.jsonl", "jobs.json", "jobs.jsonl.gz", "jobs.json.gz"];

/// Reads the export in `dir`, every record afresh.
pub fn read(dir: &Path) -> Result<Export, Diagnostic> {
    read_with_memo(dir, ReadMemo::default())
}

/// The files and folders an export is made of; a name in the input folder that looks like
/// one of these but is not is reported.
const EXPECTED: [&str; 11] = [
    "site.toml",
    REQUEST_FILES[0],
    REQUEST_FILES[1],
    REQUEST_FILES[2],
    REQUEST_FILES[3],
    JOB_FILES[0],
    JOB_FILES[1],
    JOB_FILES[2],
    JOB_FILES[3],
    "pipelines",
    "pages",
];

/// Reads the export in `dir`, taking what `memo` knows of records and pipeline files
/// instead of parsing them again. Fails only when nothing can be built: no input folder,
/// no request file, or one that cannot be read or split into records.
pub fn read_with_memo(dir: &Path, memo: ReadMemo) -> Result<Export, Diagnostic> {
    let root = InputRoot::open(dir)?;
    let mut diagnostics = Vec::new();
    for (path, meant) in near_misses(dir, &EXPECTED) {
        diagnostics.push(Diagnostic::warning(
            &path,
            format!("not read: the export's name for it is `{meant}`"),
        ));
    }
    let config = match root.metadata(&dir.join("site.toml"), &mut diagnostics) {
        Some(_) => SiteConfig::load(&dir.join("site.toml"))?,
        None => SiteConfig::default(),
    };

    let mut problems = Vec::new();
    let request_path = find_one(&root, dir, &REQUEST_FILES, &mut problems);
    let Some(request_path) = request_path else {
        // The request file is there but cannot be read: that is what to say.
        let mut problem = problems.into_iter().next().unwrap_or_else(|| {
            Diagnostic::error(
                dir,
                format!(
                    "no job request file: expected one of {}",
                    REQUEST_FILES.join(", ")
                ),
            )
        });
        problem.severity = crate::diagnostics::Severity::Error;
        return Err(problem);
    };
    diagnostics.append(&mut problems);
    let job_path = find_one(&root, dir, &JOB_FILES, &mut diagnostics);
    let store_dir = root.folder(&dir.join("pipelines"), &mut diagnostics);
    let ReadMemo {
        requests: known_requests,
        jobs: known_jobs,
        store,
    } = memo;
    let known = ReadMemo {
        requests: known_requests,
        jobs: known_jobs,
        store: StoreMemo::default(),
    };
    // The records are read and parsed (in parallel, taken in file order, so the result
    // does not depend on it) while the pipeline store is.
    let (export, (pipelines, pipeline_diagnostics)) = rayon::join(
        || {
            let inputs = (
                Input::Path(&request_path),
                job_path.as_deref().map(Input::Path),
            );
            join_records(config, inputs, known, diagnostics)
        },
        || match &store_dir {
            Some(folder) => PipelineStore::read(folder, &root, store),
            None => (PipelineStore::default(), Vec::new()),
        },
    );
    let mut export = export?;
    export.diagnostics.extend(pipeline_diagnostics);
    if store_dir.is_none() && export.wanting_store > 0 {
        export.diagnostics.push(Diagnostic::warning(
            &dir.join("pipelines"),
            format!(
                "no pipeline store (pipelines/<owner>/<repo>/<sha>/project.yaml): {} job \
                 requests with a commit and no project_definition have no project.yaml",
                export.wanting_store
            ),
        ));
    }
    export.pages = read_pages(&root, &dir.join("pages"), &mut export.diagnostics);
    export.memo.store = pipelines.memo();
    export.pipelines = pipelines;
    Ok(export)
}

/// An export of `records` (job requests as JSON, their jobs nested) and nothing else, as
/// a request file holding them would be read; for tools and tests.
pub fn from_json(records: &[String], config: SiteConfig) -> Result<Export, Diagnostic> {
    let input = Input::Text(Path::new("<json>"), records.join("\n"));
    join_records(config, (input, None), ReadMemo::default(), Vec::new())
}

/// The records of the two files, taking what `memo` knows, with the rules across them
/// applied: an export without pipelines or pages yet.
fn join_records(
    config: SiteConfig,
    (request_file, job_file): (Input<'_>, Option<Input<'_>>),
    memo: ReadMemo,
    mut diagnostics: Vec<Diagnostic>,
) -> Result<Export, Diagnostic> {
    let mut counts = ReadCounts::default();
    let ReadMemo {
        requests: mut known_requests,
        jobs: mut known_jobs,
        ..
    } = memo;
    let (requests, jobs) = rayon::join(
        || read_requests(request_file, &config, &mut known_requests),
        || job_file.map(|f| read_jobs(f, &mut known_jobs)).transpose(),
    );
    let (mut requests, jobs) = (requests?, jobs?);
    let request_path = requests.file.path.clone();
    let job_path = jobs.as_ref().map(|j| j.file.path.clone());
    diagnostics.append(&mut requests.diagnostics);
    counts.add(requests.counts);
    across::remove_duplicates(
        &mut requests.records,
        &request_path,
        &mut diagnostics,
        &mut counts,
    );
    across::remove_case_collisions(
        &mut requests.records,
        &request_path,
        &mut diagnostics,
        &mut counts,
    );
    let wanting_store = requests
        .records
        .iter()
        .filter(|r| r.keys.wants_store)
        .count();
    let mut jobs = jobs;
    let loose = match &mut jobs {
        Some(jobs) => {
            diagnostics.append(&mut jobs.diagnostics);
            counts.add(jobs.counts);
            std::mem::take(&mut jobs.records)
        }
        None => Vec::new(),
    };
    let attached = across::attach_jobs(
        &requests.records,
        (&request_path, job_path.as_deref()),
        &loose,
        &mut diagnostics,
        &mut counts,
    );

    // The next build's memo: the keys of every clean record read this time.
    let job_count = jobs.as_ref().map_or(0, |j| j.file.len());
    let mut memo = ReadMemo {
        requests: Known::with_capacity(requests.records.len()),
        jobs: Known::with_capacity(job_count),
        store: Default::default(),
    };
    let mut job_hashes = vec![0u128; job_count];
    let mut parsed_jobs = FxHashMap::default();
    for job in loose {
        job_hashes[job.index] = job.hash;
        if let Some(parsed) = job.parsed {
            parsed_jobs.insert(job.index, parsed);
        }
        if job.clean {
            memo.jobs.push(job.hash, job.keys);
        }
    }
    let mut records = Vec::with_capacity(requests.records.len());
    let mut parsed = Vec::with_capacity(requests.records.len());
    for (request, jobs) in requests.records.into_iter().zip(attached) {
        records.push(RequestRecord {
            id: request.keys.id,
            source: Source {
                file: request_path.clone(),
                line: request.line,
            },
            record: request.index,
            key: request_key(request.hash, &jobs, &job_hashes),
            jobs,
        });
        parsed.push(request.parsed);
        if request.clean {
            memo.requests.push(request.hash, request.keys);
        }
    }
    Ok(Export {
        config,
        requests: records,
        pipelines: PipelineStore::default(),
        pages: Vec::new(),
        diagnostics,
        counts,
        memo,
        request_file: requests.file,
        job_file: jobs.map(|j| j.file),
        parsed,
        parsed_jobs,
        wanting_store,
    })
}

/// What records and project.yaml texts are known by between builds: the first 128 bits
/// of their SHA-256, so that no record can be made to pass for another.
pub fn digest(bytes: &[u8]) -> u128 {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(bytes);
    u128::from_be_bytes(hash[..16].try_into().expect("SHA-256 has 32 bytes"))
}

/// A request's key: its record's hash, then its jobs' in order.
fn request_key(record: u128, jobs: &[JobRef], job_hashes: &[u128]) -> u128 {
    let mut key = Xxh3Default::new();
    key.update(&record.to_le_bytes());
    for job in jobs {
        let (kind, value) = match *job {
            JobRef::Nested(k) => (0u8, k as u128),
            JobRef::Loose(i) => (1u8, job_hashes[i]),
        };
        key.update(&[kind]);
        key.update(&value.to_le_bytes());
    }
    key.digest128()
}

impl Export {
    /// Request `n` in full, its jobs attached, parsed again from its file: records are
    /// not kept parsed, and a build parses in full only the requests it makes pages of.
    /// An error means a record file changed since it was read.
    pub fn request(&self, n: usize) -> Result<JobRequest, Diagnostic> {
        let r = &self.requests[n];
        let mut request = self.parse_request(r)?;
        self.attach(r, &mut request, &mut |i| self.job(i))?;
        Ok(request)
    }

    /// Every request in full, parsed again; for tools and tests.
    pub fn full_requests(&self) -> Vec<JobRequest> {
        (0..self.requests.len())
            .map(|n| self.request(n).unwrap_or_else(|d| panic!("{d}")))
            .collect()
    }

    /// The requests this read parsed, in full (jobs attached), by position in
    /// `requests`; None for those the memo knew. Hands them out once.
    pub fn take_parsed(&mut self) -> Result<Vec<Option<Box<JobRequest>>>, Diagnostic> {
        let parsed = std::mem::take(&mut self.parsed);
        let mut loose = std::mem::take(&mut self.parsed_jobs);
        parsed
            .into_iter()
            .zip(&self.requests)
            .map(|(request, r)| {
                let Some(mut request) = request else {
                    return Ok(None);
                };
                let mut job = |i: usize| loose.remove(&i).map_or_else(|| self.job(i), |j| Ok(*j));
                self.attach(r, &mut request, &mut job)?;
                Ok(Some(request))
            })
            .collect()
    }

    /// Gives `request` (its nested jobs as read) the jobs `r` was attached, in order;
    /// `loose` gives record `i` of the jobs file.
    fn attach(
        &self,
        r: &RequestRecord,
        request: &mut JobRequest,
        loose: &mut dyn FnMut(usize) -> Result<Job, Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let mut nested: Vec<Option<Job>> = std::mem::take(&mut request.jobs)
            .into_iter()
            .map(Some)
            .collect();
        request.jobs = r
            .jobs
            .iter()
            .map(|job| match *job {
                JobRef::Nested(k) => Ok(nested[k].take().expect("each nested job once")),
                JobRef::Loose(i) => loose(i),
            })
            .collect::<Result<_, _>>()?;
        Ok(())
    }

    /// The record of `r`, its nested jobs as read.
    fn parse_request(&self, r: &RequestRecord) -> Result<JobRequest, Diagnostic> {
        let file = &self.request_file;
        let mut sink = (Vec::new(), ReadCounts::default());
        file.with_record(r.record, |record| {
            read_request(&file.path, record, &self.config, &mut sink.0, &mut sink.1)
                .unwrap_or_else(|d| panic!("a record read once reads again: {d}"))
        })
    }

    /// Record `i` of the jobs file, parsed again.
    fn job(&self, i: usize) -> Result<Job, Diagnostic> {
        let file = self.job_file.as_ref().expect("a loose job has a jobs file");
        file.with_record(i, |record| {
            parse_record::<Job>(&file.path, record, "job")
                .unwrap_or_else(|d| panic!("a record read once reads again: {d}"))
        })
    }
}

/// The first of `names` that is a file in `dir`; the others are reported as ignored, as is
/// one of the names that is not a file (a folder) or links out of the input.
fn find_one(
    root: &InputRoot,
    dir: &Path,
    names: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<PathBuf> {
    let mut present = names
        .iter()
        .filter_map(|n| root.file(&dir.join(n), diagnostics))
        .collect::<Vec<_>>()
        .into_iter();
    let first = present.next()?;
    for other in present {
        diagnostics.push(Diagnostic::warning(
            &other,
            format!("ignored: {} is read instead", first.display()),
        ));
    }
    Some(first)
}

/// The Markdown pages of `dir`. Names that differ only in case would be one folder of
/// the site on a case-insensitive host: the first by file name is kept.
fn read_pages(
    root: &InputRoot,
    dir: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<MarkdownPage> {
    let mut pages: Vec<MarkdownPage> = Vec::new();
    if root.folder(dir, diagnostics).is_none() {
        return pages;
    }
    // Links are not followed by the walk: each is looked at by `root`.
    for entry in walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .follow_links(false)
        .sort_by_file_name()
    {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        if let Some(d) = root.escapes(path) {
            diagnostics.push(d);
            continue;
        }
        let slug = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if let Err(message) = check_segment("page name", &slug) {
            diagnostics.push(Diagnostic::error(path, message));
            continue;
        }
        if let Some(first) = pages.iter().find(|p| p.slug.eq_ignore_ascii_case(&slug)) {
            diagnostics.push(Diagnostic::error(
                path,
                format!(
                    "page name {slug:?} differs only in case from {:?}: on a case-insensitive \
                     file system or CDN both would be one page, so the first by name is kept",
                    first.slug
                ),
            ));
            continue;
        }
        match std::fs::read_to_string(path) {
            Ok(text) => pages.push(MarkdownPage {
                slug,
                path: path.to_path_buf(),
                text,
            }),
            Err(e) => diagnostics.push(Diagnostic::error(path, format!("cannot read: {e}"))),
        }
    }
    pages
}

/// One job request from its JSON text, checked as a record of a file would be; for
/// tools and tests that build requests without a folder.
pub fn request_from_json(text: &str, config: &SiteConfig) -> Result<JobRequest, Diagnostic> {
    let path = Path::new("<json>");
    let record = RecordText {
        text,
        line: 1,
        column: 1,
    };
    let mut sink = Vec::new();
    let request = read_request(path, record, config, &mut sink, &mut ReadCounts::default())?;
    match sink.into_iter().next() {
        Some(d) => Err(d),
        None => Ok(request),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn request(id: u64, identifier: &str, jobs: &[&str]) -> String {
        let jobs: Vec<_> = jobs
            .iter()
            .map(|j| json!({"identifier": j, "action": "a", "status": "succeeded"}))
            .collect();
        json!({
            "id": id, "identifier": identifier, "backend": "tpp", "project": "p",
            "workspace": {"name": "ws", "repo": "https://github.com/o/ws"},
            "created_by": "ann", "created_at": "2024-01-01T00:00:00Z", "jobs": jobs,
        })
        .to_string()
    }

    fn job(identifier: &str, request: &str) -> String {
        json!({"identifier": identifier, "job_request_id": request, "action": "b", "status": "failed"})
            .to_string()
    }

    /// The first job of an identifier stays, nested jobs before those of the jobs file;
    /// each later one is reported where it was read.
    #[test]
    fn jobs_are_attached_once_each_nested_ones_first() {
        let dir = tempfile::tempdir().unwrap();
        let requests = [
            request(1, "req-one", &["dup", "x1"]),
            request(2, "req-two", &["x2", "dup", "x3"]),
        ];
        std::fs::write(dir.path().join("job_requests.jsonl"), requests.join("\n")).unwrap();
        let jobs = [
            job("late", "req-two"),
            job("dup", "req-one"),
            job("x1", "req-two"),
            job("early", "req-one"),
            job("lost", "nobody"),
        ];
        std::fs::write(dir.path().join("jobs.jsonl"), jobs.join("\n")).unwrap();

        let export = super::read(dir.path()).unwrap();
        let identifiers = |i: usize| -> Vec<String> {
            export
                .request(i)
                .unwrap()
                .jobs
                .into_iter()
                .map(|j| j.identifier)
                .collect()
        };
        assert_eq!(identifiers(0), ["dup", "x1", "early"]);
        assert_eq!(identifiers(1), ["x2", "x3", "late"]);
        let problems: Vec<(String, Option<usize>)> = export
            .diagnostics
            .iter()
            .map(|d| {
                let file = d.file.file_name().unwrap().to_string_lossy().into_owned();
                (format!("{file}: {}", d.message), d.line)
            })
            .collect();
        assert_eq!(
            problems,
            [
                (
                    "job_requests.jsonl: duplicate job identifier dup: an earlier job has it"
                        .into(),
                    Some(2)
                ),
                (
                    "jobs.jsonl: duplicate job identifier dup: an earlier job has it".into(),
                    Some(2)
                ),
                (
                    "jobs.jsonl: duplicate job identifier x1: an earlier job has it".into(),
                    Some(3)
                ),
                (
                    "jobs.jsonl: job_request_id \"nobody\" names no job request in the export"
                        .into(),
                    Some(5)
                ),
            ]
        );
        assert_eq!(export.counts.jobs_skipped, 4);
    }

    fn request_in(id: u64, workspace: &str, user: &str) -> String {
        let mut r: serde_json::Value =
            serde_json::from_str(&request(id, &format!("req-{id}"), &[])).unwrap();
        r["workspace"]["name"] = json!(workspace);
        r["created_by"] = json!(user);
        r.to_string()
    }

    fn ids(export: &super::Export) -> Vec<u64> {
        export.requests.iter().map(|r| r.id).collect()
    }

    /// A line that is not text is skipped and never remembered as clean: the next read,
    /// with this one's memo, reports it again and keeps the same records.
    #[test]
    fn a_line_that_is_not_text_is_reported_by_every_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = request(1, "req-one", &[]).into_bytes();
        bytes.extend_from_slice(b"\n{\"id\": 2, \"identifier\": \"\xff\"}\n");
        bytes.extend_from_slice(request(3, "req-three", &[]).as_bytes());
        std::fs::write(dir.path().join("job_requests.jsonl"), bytes).unwrap();
        let first = super::read(dir.path()).unwrap();
        assert_eq!(ids(&first), [1, 3]);
        assert_eq!(
            (first.counts.requests_read, first.counts.requests_skipped),
            (3, 1)
        );
        assert_eq!(first.memo.requests.len(), 2);
        let d = &first.diagnostics[0];
        assert_eq!(
            (d.line, d.record.as_deref()),
            (Some(2), Some("job request 2"))
        );
        let again = super::read_with_memo(dir.path(), first.memo).unwrap();
        assert_eq!(ids(&again), [1, 3]);
        assert_eq!(again.counts.requests_parsed, 1, "only the bad line");
        assert_eq!(again.diagnostics, first.diagnostics);
    }

    /// Names that differ only in case: the first spelling by id is kept, in a read from
    /// nothing and in one that takes the keys from a memo.
    #[test]
    fn the_first_spelling_by_id_wins_with_or_without_a_memo() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("job_requests.jsonl");
        let write = |records: &[String]| std::fs::write(&path, records.join("\n")).unwrap();
        write(&[
            request_in(5, "WS", "ann"),
            request_in(4, "other", "Ann"),
            request_in(7, "ws", "bob"),
            request_in(9, "WS", "bob"),
        ]);
        let first = super::read(dir.path()).unwrap();
        // 4 spells the user first; 5 then spells her otherwise; 9 keeps 7's workspace.
        assert_eq!(ids(&first), [4, 7]);
        let lines: Vec<Option<usize>> = first.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(1), Some(4)]);
        assert!(
            first.diagnostics[0]
                .message
                .contains("username \"ann\" differs only in case from \"Ann\" of job request 4"),
            "{}",
            first.diagnostics[0].message
        );
        // A request added with a lower id takes the spelling: the same from the memo.
        write(&[
            request_in(5, "WS", "ann"),
            request_in(4, "other", "Ann"),
            request_in(7, "ws", "bob"),
            request_in(9, "WS", "bob"),
            request_in(2, "Ws", "bob"),
        ]);
        let fresh = super::read(dir.path()).unwrap();
        let known = super::read_with_memo(dir.path(), first.memo).unwrap();
        assert_eq!(ids(&fresh), [2, 4]);
        assert_eq!(ids(&known), ids(&fresh));
        assert_eq!(known.diagnostics, fresh.diagnostics);
        assert!(known.counts.requests_parsed < fresh.counts.requests_parsed);
    }
}
