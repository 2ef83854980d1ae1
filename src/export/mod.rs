//! Reading an export (DESIGN.md §2): site.toml, job requests, jobs, the pipeline store
//! and Markdown pages. Bad records are reported and skipped; the rest is kept.

mod names;
mod pipelines;
mod reader;
mod records;
mod timestamp;

pub use names::{RESERVED_TOP_LEVEL, check_segment, is_path_safe};
pub use pipelines::{Lookup, PipelineStore, StoredPipeline, repo_owner_and_name, text_hash};
pub use records::{Backend, Job, JobRequest, Org, Project, Source, User, Workspace};

use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::HashSet;
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
            keep(
                request,
                &mut requests,
                &mut diagnostics,
                &mut counts.requests_skipped,
            );
        }
    })?;
    Ok((requests, diagnostics, counts))
}

/// Keeps a record that was read, or reports it and counts it in `skipped`.
fn keep<T>(
    record: Result<T, Diagnostic>,
    records: &mut Vec<T>,
    diagnostics: &mut Vec<Diagnostic>,
    skipped: &mut usize,
) {
    match record {
        Ok(record) => records.push(record),
        Err(d) => {
            diagnostics.push(d);
            *skipped += 1;
        }
    }
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
            keep(job, &mut jobs, &mut diagnostics, &mut counts.jobs_skipped);
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
/// whose identifier an earlier job has is reported where it was read and dropped; nested
/// jobs come before those of the jobs file. Which jobs stay is decided on borrowed
/// identifiers first (cloning 440,000 of them into a set was most of this step), then
/// the jobs are moved.
fn attach_jobs(
    requests: &mut [JobRequest],
    job_file: Option<&Path>,
    loose: Vec<(Job, usize)>,
    diagnostics: &mut Vec<Diagnostic>,
    counts: &mut ReadCounts,
) {
    let file = job_file.unwrap_or(Path::new("jobs.jsonl"));
    let mut problem = |message: String, file: &Path, line: usize, job: &Job| {
        diagnostics.push(
            Diagnostic::error(file, message)
                .at_line(line)
                .record(format!("job {}", job.identifier)),
        );
        counts.jobs_skipped += 1;
    };
    let duplicate = |job: &Job| {
        format!(
            "duplicate job identifier {}: an earlier job has it",
            job.identifier
        )
    };
    let (nested_duplicates, targets) = {
        let mut seen: FxHashSet<&str> =
            FxHashSet::with_capacity_and_hasher(loose.len(), Default::default());
        let mut nested_duplicates = Vec::new();
        for (i, r) in requests.iter().enumerate() {
            for (j, job) in r.jobs.iter().enumerate() {
                if !seen.insert(&job.identifier) {
                    problem(duplicate(job), &r.source.file, r.source.line, job);
                    nested_duplicates.push((i, j));
                }
            }
        }
        let by_identifier: FxHashMap<&str, usize> = requests
            .iter()
            .enumerate()
            .map(|(i, r)| (r.identifier.as_str(), i))
            .collect();
        let targets: Vec<Option<usize>> = loose
            .iter()
            .map(|(job, line)| {
                let target = job
                    .job_request_id
                    .as_deref()
                    .and_then(|id| by_identifier.get(id));
                match (target, &job.job_request_id) {
                    (Some(&i), _) if seen.insert(&job.identifier) => Some(i),
                    (Some(_), _) => {
                        problem(duplicate(job), file, *line, job);
                        None
                    }
                    (None, Some(id)) => {
                        let message =
                            format!("job_request_id {id:?} names no job request in the export");
                        problem(message, file, *line, job);
                        None
                    }
                    (None, None) => {
                        problem("job has no job_request_id".to_owned(), file, *line, job);
                        None
                    }
                }
            })
            .collect();
        (nested_duplicates, targets)
    };
    // From the last, so that the positions of those before stay right.
    for &(i, j) in nested_duplicates.iter().rev() {
        requests[i].jobs.remove(j);
    }
    for ((job, _), target) in loose.into_iter().zip(targets) {
        if let Some(i) = target {
            requests[i].jobs.push(job);
        }
    }
}

/// One display name per project, org and researcher across the export: an API-shaped
/// record names them only by slug, so the latest record that gave a real name (one that
/// is not just the slug again) names every page they appear on.
fn unify_names(requests: &mut [JobRequest]) {
    // Gathered from borrowed names, owned once per slug, and assigned only where a record
    // differs: most already agree, and a hundred thousand requests share a few thousand.
    let mut projects: FxHashMap<&str, (&str, Option<&str>)> = FxHashMap::default();
    let mut orgs: FxHashMap<&str, &str> = FxHashMap::default();
    let mut users: FxHashMap<&str, &str> = FxHashMap::default();
    for r in requests.iter() {
        let p = &r.project;
        if p.name != p.slug || p.number.is_some() {
            let entry = projects.entry(&p.slug).or_insert((&p.slug, None));
            if p.name != p.slug {
                entry.0 = &p.name;
            }
            if p.number.is_some() {
                entry.1 = p.number.as_deref();
            }
        }
        for o in r.orgs.iter().filter(|o| o.name != o.slug) {
            orgs.insert(&o.slug, &o.name);
        }
        if r.created_by.fullname != r.created_by.username {
            users.insert(&r.created_by.username, &r.created_by.fullname);
        }
    }
    let owned = |map: FxHashMap<&str, &str>| -> FxHashMap<String, String> {
        map.into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    };
    let projects: FxHashMap<String, (String, Option<String>)> = projects
        .into_iter()
        .map(|(k, (name, number))| (k.to_owned(), (name.to_owned(), number.map(str::to_owned))))
        .collect();
    let (orgs, users) = (owned(orgs), owned(users));
    let set = |field: &mut String, value: &String| {
        if field != value {
            field.clone_from(value);
        }
    };
    for r in requests.iter_mut() {
        if let Some((name, number)) = projects.get(&r.project.slug) {
            set(&mut r.project.name, name);
            if r.project.number != *number {
                r.project.number.clone_from(number);
            }
        }
        for o in &mut r.orgs {
            if let Some(name) = orgs.get(&o.slug) {
                set(&mut o.name, name);
            }
        }
        if let Some(fullname) = users.get(&r.created_by.username) {
            set(&mut r.created_by.fullname, fullname);
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
        let identifiers = |i: usize| -> Vec<&str> {
            export.requests[i]
                .jobs
                .iter()
                .map(|j| j.identifier.as_str())
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

    /// A name given by any record names every record of its slug; a later one wins, and
    /// records that give none (API-shaped: slugs only) take it too.
    #[test]
    fn the_latest_real_name_names_every_record() {
        let config = crate::config::SiteConfig::default();
        let named = |id: u64, project: &str, number: u64, fullname: &str, org: &str| {
            json!({
                "id": id, "identifier": format!("r{id}"), "backend": "tpp",
                "project": {"slug": "p", "name": project, "number": number},
                "orgs": [{"slug": "o", "name": org}],
                "workspace": {"name": "ws", "repo": "https://github.com/o/ws"},
                "created_by": {"username": "ann", "fullname": fullname},
                "created_at": "2024-01-01T00:00:00Z",
            })
            .to_string()
        };
        let bare = |id: u64| {
            let mut r: serde_json::Value = serde_json::from_str(&request(id, "x", &[])).unwrap();
            r["identifier"] = json!(format!("r{id}"));
            r["orgs"] = json!(["o"]);
            r.to_string()
        };
        let mut requests: Vec<_> = [
            bare(1),
            named(2, "Old name", 7, "Ann Old", "Org Old"),
            bare(3),
            named(4, "Project P", 12, "Ann Lee", "Org O"),
            bare(5),
        ]
        .iter()
        .map(|r| super::request_from_json(r, &config).unwrap())
        .collect();
        super::unify_names(&mut requests);
        for r in &requests {
            assert_eq!(r.project.name, "Project P", "request {}", r.id);
            assert_eq!(r.project.number.as_deref(), Some("12"), "request {}", r.id);
            assert_eq!(r.created_by.fullname, "Ann Lee", "request {}", r.id);
            assert_eq!(r.orgs[0].name, "Org O", "request {}", r.id);
        }
    }
}
