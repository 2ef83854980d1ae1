//! Reading an export (DESIGN.md §2): site.toml, job requests, jobs, the pipeline store
//! and Markdown pages. Bad records are reported and skipped; the rest is kept.

mod names;
mod pipelines;
mod reader;
mod records;

pub use names::{RESERVED_TOP_LEVEL, check_segment, is_path_safe};
pub use pipelines::{Lookup, PipelineStore, StoredPipeline, repo_owner_and_name, text_hash};
pub use records::{Backend, Job, JobRequest, Org, Project, Source, User, Workspace};

use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use rayon::prelude::*;
use reader::{RecordText, for_each_batch, parse_record};
use records::{RawJobRequest, SlugOr};

/// Everything read from an input folder.
#[derive(Debug)]
pub struct Export {
    pub config: SiteConfig,
    /// Valid requests, by id.
    pub requests: Vec<JobRequest>,
    pub pipelines: PipelineStore,
    pub pages: Vec<MarkdownPage>,
    pub diagnostics: Vec<Diagnostic>,
    pub counts: ReadCounts,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReadCounts {
    pub requests_read: usize,
    pub requests_skipped: usize,
    pub jobs_read: usize,
    pub jobs_skipped: usize,
}

impl ReadCounts {
    fn add(&mut self, other: ReadCounts) {
        self.requests_read += other.requests_read;
        self.requests_skipped += other.requests_skipped;
        self.jobs_read += other.jobs_read;
        self.jobs_skipped += other.jobs_skipped;
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

/// Reads the export in `dir`. Fails only when nothing can be built: no request file, or
/// one that cannot be read or split into records.
pub fn read(dir: &Path) -> Result<Export, Diagnostic> {
    let config = SiteConfig::load(&dir.join("site.toml"))?;
    let mut diagnostics = Vec::new();
    let mut counts = ReadCounts::default();

    let request_file = find_one(dir, &REQUEST_FILES, &mut diagnostics).ok_or_else(|| {
        Diagnostic::error(
            dir,
            format!(
                "no job request file: expected one of {}",
                REQUEST_FILES.join(", ")
            ),
        )
    })?;
    let job_file = find_one(dir, &JOB_FILES, &mut diagnostics);
    // Requests, jobs and pipelines are read at the same time; each batch of records is
    // parsed in parallel and taken in file order, so the result does not depend on it.
    let (requests, (jobs, (pipelines, pipeline_diagnostics))) = rayon::join(
        || read_requests(&request_file, &config),
        || {
            rayon::join(
                || job_file.as_deref().map(read_jobs),
                || PipelineStore::read(&dir.join("pipelines")),
            )
        },
    );
    let (mut requests, request_diagnostics, request_counts) = requests?;
    diagnostics.extend(request_diagnostics);
    counts.add(request_counts);
    remove_duplicates(&mut requests, &mut diagnostics, &mut counts);

    let (loose_jobs, job_diagnostics, job_counts) = jobs.transpose()?.unwrap_or_default();
    diagnostics.extend(job_diagnostics);
    counts.add(job_counts);
    attach_jobs(
        &mut requests,
        job_file.as_deref(),
        loose_jobs,
        &mut diagnostics,
        &mut counts,
    );
    unify_names(&mut requests);
    diagnostics.extend(pipeline_diagnostics);
    let pages = read_pages(&dir.join("pages"), &mut diagnostics);

    Ok(Export {
        config,
        requests,
        pipelines,
        pages,
        diagnostics,
        counts,
    })
}

/// What reading one file gave: its records, their problems, and the counts.
type Read<T> = (Vec<T>, Vec<Diagnostic>, ReadCounts);

fn read_requests(path: &Path, config: &SiteConfig) -> Result<Read<JobRequest>, Diagnostic> {
    let (mut requests, mut diagnostics, mut counts) = Read::default();
    counts.requests_read = for_each_batch(path, |batch| {
        let parsed: Vec<_> = batch
            .par_iter()
            .map(|&record| {
                let (mut d, mut c) = (Vec::new(), ReadCounts::default());
                let request = read_request(path, record, config, &mut d, &mut c);
                (request, d, c)
            })
            .collect();
        for (request, d, c) in parsed {
            diagnostics.extend(d);
            counts.add(c);
            match request {
                Ok(request) => requests.push(request),
                Err(d) => {
                    diagnostics.push(d);
                    counts.requests_skipped += 1;
                }
            }
        }
    })?;
    Ok((requests, diagnostics, counts))
}

/// Jobs of a separate jobs file, each with the line it is on.
fn read_jobs(path: &Path) -> Result<Read<(Job, usize)>, Diagnostic> {
    let (mut jobs, mut diagnostics, mut counts) = Read::default();
    counts.jobs_read = for_each_batch(path, |batch| {
        let parsed: Vec<_> = batch
            .par_iter()
            .map(|&record| {
                parse_record::<Job>(path, record, "job")
                    .and_then(|j| check_job(path, record, j))
                    .map(|job| (job, record.line))
            })
            .collect();
        for job in parsed {
            match job {
                Ok(job) => jobs.push(job),
                Err(d) => {
                    diagnostics.push(d);
                    counts.jobs_skipped += 1;
                }
            }
        }
    })?;
    Ok((jobs, diagnostics, counts))
}

/// The first of `names` present in `dir`; the others are reported as ignored.
fn find_one(dir: &Path, names: &[&str], diagnostics: &mut Vec<Diagnostic>) -> Option<PathBuf> {
    let mut present = names.iter().map(|n| dir.join(n)).filter(|p| p.is_file());
    let first = present.next()?;
    for other in present {
        diagnostics.push(Diagnostic::warning(
            &other,
            format!("ignored: {} is read instead", first.display()),
        ));
    }
    Some(first)
}

/// One request record; its nested jobs that break a rule are reported and dropped.
fn read_request(
    path: &Path,
    record: RecordText<'_>,
    config: &SiteConfig,
    diagnostics: &mut Vec<Diagnostic>,
    counts: &mut ReadCounts,
) -> Result<JobRequest, Diagnostic> {
    let raw: RawJobRequest = parse_record(path, record, "job request")?;
    let mut request = normalise(
        raw,
        config,
        Source {
            file: path.to_path_buf(),
            line: record.line,
        },
    );
    check_request(&request).map_err(|message| {
        record
            .error_at(path, record.line, record.column, message)
            .record(format!("job request {}", request.id))
    })?;
    counts.jobs_read += request.jobs.len();
    let jobs = std::mem::take(&mut request.jobs);
    for job in jobs {
        match check_job(path, record, job) {
            Ok(job) => request.jobs.push(job),
            Err(d) => {
                diagnostics.push(d);
                counts.jobs_skipped += 1;
            }
        }
    }
    Ok(request)
}

/// Fills in display names: the record's own, else site.toml's, else the slug.
fn normalise(raw: RawJobRequest, config: &SiteConfig, source: Source) -> JobRequest {
    let backend = match raw.backend {
        SlugOr::Slug(slug) => Backend {
            name: raw
                .backend_name
                .unwrap_or_else(|| config.backend_name(&slug)),
            slug,
        },
        SlugOr::Object(b) => Backend {
            name: b
                .name
                .or(raw.backend_name)
                .unwrap_or_else(|| config.backend_name(&b.slug)),
            slug: b.slug,
        },
    };
    let project = match raw.project {
        SlugOr::Slug(slug) => Project {
            name: raw.project_name.unwrap_or_else(|| slug.clone()),
            slug,
            number: None,
        },
        SlugOr::Object(p) => Project {
            name: p
                .name
                .or(raw.project_name)
                .unwrap_or_else(|| p.slug.clone()),
            slug: p.slug,
            number: p.number,
        },
    };
    let mut orgs: Vec<Org> = raw
        .orgs
        .into_iter()
        .map(|o| match o {
            SlugOr::Slug(slug) => Org {
                name: config.org_name(&slug),
                slug,
                lead: false,
            },
            SlugOr::Object(o) => Org {
                name: o.name.unwrap_or_else(|| config.org_name(&o.slug)),
                slug: o.slug,
                lead: o.lead,
            },
        })
        .collect();
    // §4.3's `org_name` names the lead org of an API record whose orgs are bare slugs.
    if let (Some(name), Some(first)) = (raw.org_name, orgs.first_mut()) {
        if first.name == first.slug {
            first.name = name;
        }
    }
    let created_by = match raw.created_by {
        SlugOr::Slug(username) => User {
            fullname: raw.created_by_fullname.unwrap_or_else(|| username.clone()),
            username,
        },
        SlugOr::Object(u) => User {
            fullname: u
                .fullname
                .or(raw.created_by_fullname)
                .unwrap_or_else(|| u.username.clone()),
            username: u.username,
        },
    };
    JobRequest {
        id: raw.id,
        identifier: raw.identifier,
        backend,
        workspace: Workspace {
            name: raw.workspace.name,
            repo: raw.workspace.repo.trim_end_matches('/').to_owned(),
            branch: raw.workspace.branch,
        },
        project,
        orgs,
        created_by,
        created_at: raw.created_at,
        sha: raw.sha.to_ascii_lowercase(),
        requested_actions: raw.requested_actions,
        cancelled_actions: raw.cancelled_actions,
        force_run_dependencies: raw.force_run_dependencies,
        status: raw.status,
        status_message: raw.status_message,
        project_definition: raw.project_definition,
        jobs: raw.jobs,
        source,
    }
}

/// Rules a request must meet before any of it reaches a path or a link.
fn check_request(r: &JobRequest) -> Result<(), String> {
    check_segment("workspace name", &r.workspace.name)?;
    check_segment("project slug", &r.project.slug)?;
    if RESERVED_TOP_LEVEL.contains(&r.project.slug.as_str()) {
        return Err(format!(
            "project slug {:?} collides with the site's own folder of that name",
            r.project.slug
        ));
    }
    check_segment("backend slug", &r.backend.slug)?;
    check_segment("username", &r.created_by.username)?;
    check_segment("identifier", &r.identifier)?;
    for org in &r.orgs {
        check_segment("org slug", &org.slug)?;
    }
    if !r.sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("sha {:?} is not a hexadecimal commit hash", r.sha));
    }
    // The repo URL becomes an href: only web URLs, never `javascript:` or a relative path.
    let repo = &r.workspace.repo;
    if !(repo.starts_with("https://") || repo.starts_with("http://"))
        || repo_owner_and_name(repo).is_none()
    {
        return Err(format!(
            "workspace repo {repo:?} is not an http(s) URL of the form https://host/owner/repo"
        ));
    }
    Ok(())
}

fn check_job(path: &Path, record: RecordText<'_>, job: Job) -> Result<Job, Diagnostic> {
    let problem = if let Err(message) = check_segment("job identifier", &job.identifier) {
        Some(message)
    } else if job.status.is_empty() {
        Some("job status is empty".to_owned())
    } else {
        None
    };
    match problem {
        None => Ok(job),
        Some(message) => Err(record
            .error_at(path, record.line, record.column, message)
            .record(format!("job {}", job.identifier))),
    }
}

fn remove_duplicates(
    requests: &mut Vec<JobRequest>,
    diagnostics: &mut Vec<Diagnostic>,
    counts: &mut ReadCounts,
) {
    let mut ids = HashSet::new();
    let mut identifiers = HashSet::new();
    requests.retain(|r| {
        let problem = if !ids.insert(r.id) {
            Some(format!("duplicate id {}: an earlier record has it", r.id))
        } else if !identifiers.insert(r.identifier.clone()) {
            Some(format!(
                "duplicate identifier {}: an earlier record has it",
                r.identifier
            ))
        } else {
            None
        };
        if let Some(message) = &problem {
            diagnostics.push(
                Diagnostic {
                    line: Some(r.source.line),
                    ..Diagnostic::error(&r.source.file, message.clone())
                }
                .record(format!("job request {}", r.id)),
            );
            counts.requests_skipped += 1;
        }
        problem.is_none()
    });
    requests.sort_by_key(|r| r.id);
}

/// Adds the jobs of `jobs.jsonl` to their requests (by the request's identifier). A job
/// whose identifier an earlier job has is reported where it was read and dropped.
fn attach_jobs(
    requests: &mut [JobRequest],
    job_file: Option<&Path>,
    loose: Vec<(Job, usize)>,
    diagnostics: &mut Vec<Diagnostic>,
    counts: &mut ReadCounts,
) {
    let mut seen = HashSet::new();
    let mut duplicate = |job: &Job,
                         file: &Path,
                         line: usize,
                         diagnostics: &mut Vec<Diagnostic>,
                         counts: &mut ReadCounts| {
        if seen.insert(job.identifier.clone()) {
            return false;
        }
        diagnostics.push(
            Diagnostic::error(
                file,
                format!(
                    "duplicate job identifier {}: an earlier job has it",
                    job.identifier
                ),
            )
            .at_line(line)
            .record(format!("job {}", job.identifier)),
        );
        counts.jobs_skipped += 1;
        true
    };
    for request in requests.iter_mut() {
        let source = request.source.clone();
        let jobs = std::mem::take(&mut request.jobs);
        request.jobs = jobs
            .into_iter()
            .filter(|job| !duplicate(job, &source.file, source.line, diagnostics, counts))
            .collect();
    }
    let by_identifier: FxHashMap<String, usize> = requests
        .iter()
        .enumerate()
        .map(|(i, r)| (r.identifier.clone(), i))
        .collect();
    let mut pending: BTreeMap<usize, Vec<Job>> = BTreeMap::new();
    let file = job_file.unwrap_or(Path::new("jobs.jsonl"));
    for (job, line) in loose {
        let target = job
            .job_request_id
            .as_ref()
            .and_then(|id| by_identifier.get(id));
        match target {
            Some(&i) => {
                if !duplicate(&job, file, line, diagnostics, counts) {
                    pending.entry(i).or_default().push(job);
                }
            }
            None => {
                let message = match &job.job_request_id {
                    Some(id) => format!("job_request_id {id:?} names no job request in the export"),
                    None => "job has no job_request_id".to_owned(),
                };
                diagnostics.push(
                    Diagnostic::error(file, message)
                        .at_line(line)
                        .record(format!("job {}", job.identifier)),
                );
                counts.jobs_skipped += 1;
            }
        }
    }
    for (i, jobs) in pending {
        requests[i].jobs.extend(jobs);
    }
}

/// One display name per project, org and researcher across the export: an API-shaped
/// record names them only by slug, so the latest record that gave a real name (one that
/// is not just the slug again) names every page they appear on.
fn unify_names(requests: &mut [JobRequest]) {
    let mut projects: FxHashMap<String, (String, Option<String>)> = FxHashMap::default();
    let mut orgs: FxHashMap<String, String> = FxHashMap::default();
    let mut users: FxHashMap<String, String> = FxHashMap::default();
    for r in requests.iter() {
        if r.project.name != r.project.slug || r.project.number.is_some() {
            let entry = projects
                .entry(r.project.slug.clone())
                .or_insert((r.project.slug.clone(), None));
            if r.project.name != r.project.slug {
                entry.0 = r.project.name.clone();
            }
            if r.project.number.is_some() {
                entry.1 = r.project.number.clone();
            }
        }
        for o in r.orgs.iter().filter(|o| o.name != o.slug) {
            orgs.insert(o.slug.clone(), o.name.clone());
        }
        if r.created_by.fullname != r.created_by.username {
            users.insert(r.created_by.username.clone(), r.created_by.fullname.clone());
        }
    }
    for r in requests.iter_mut() {
        if let Some((name, number)) = projects.get(&r.project.slug) {
            r.project.name = name.clone();
            r.project.number = number.clone();
        }
        for o in &mut r.orgs {
            if let Some(name) = orgs.get(&o.slug) {
                o.name = name.clone();
            }
        }
        if let Some(fullname) = users.get(&r.created_by.username) {
            r.created_by.fullname = fullname.clone();
        }
    }
}

fn read_pages(dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<MarkdownPage> {
    let mut pages = Vec::new();
    if !dir.is_dir() {
        return pages;
    }
    for entry in walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .sort_by_file_name()
    {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
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
