//! One record read: a job request (names filled in, rules checked) or a job.

use std::path::Path;

use super::ReadCounts;
use super::names::{RESERVED_TOP_LEVEL, check_segment, clipped};
use super::pipelines::repo_owner_and_name;
use super::raw::{RawJobRequest, SlugOr};
use super::reader::{RecordText, parse_record};
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::model::Text;
use crate::model::{Backend, Job, JobRequest, Org, Project, Source, User, Workspace};

/// One request record; its nested jobs that break a rule are reported and dropped.
pub(super) fn read_request(
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
    let text = |s: String| -> Text { s.into() };
    let backend = match raw.backend {
        SlugOr::Slug(slug) => Backend {
            name: text(
                raw.backend_name
                    .unwrap_or_else(|| config.backend_name(&slug)),
            ),
            slug: text(slug),
        },
        SlugOr::Object(b) => Backend {
            name: text(
                b.name
                    .or(raw.backend_name)
                    .unwrap_or_else(|| config.backend_name(&b.slug)),
            ),
            slug: text(b.slug),
        },
    };
    let project = match raw.project {
        SlugOr::Slug(slug) => {
            let slug = text(slug);
            Project {
                name: raw.project_name.map_or_else(|| slug.clone(), text),
                slug,
                number: None,
            }
        }
        SlugOr::Object(p) => {
            let slug = text(p.slug);
            Project {
                name: p
                    .name
                    .or(raw.project_name)
                    .map_or_else(|| slug.clone(), text),
                slug,
                number: p.number.map(text),
            }
        }
    };
    let mut orgs: Vec<Org> = raw
        .orgs
        .into_iter()
        .map(|o| match o {
            SlugOr::Slug(slug) => Org {
                name: text(config.org_name(&slug)),
                slug: text(slug),
                lead: false,
            },
            SlugOr::Object(o) => Org {
                name: text(o.name.unwrap_or_else(|| config.org_name(&o.slug))),
                slug: text(o.slug),
                lead: o.lead,
            },
        })
        .collect();
    // §4.3's `org_name` names the lead org of an API record whose orgs are bare slugs.
    if let (Some(name), Some(first)) = (raw.org_name, orgs.first_mut())
        && first.name == first.slug
    {
        first.name = text(name);
    }
    let created_by = match raw.created_by {
        SlugOr::Slug(username) => {
            let username = text(username);
            User {
                fullname: raw
                    .created_by_fullname
                    .map_or_else(|| username.clone(), text),
                username,
            }
        }
        SlugOr::Object(u) => {
            let username = text(u.username);
            User {
                fullname: u
                    .fullname
                    .or(raw.created_by_fullname)
                    .map_or_else(|| username.clone(), text),
                username,
            }
        }
    };
    JobRequest {
        id: raw.id,
        identifier: raw.identifier,
        backend,
        workspace: Workspace {
            name: text(raw.workspace.name),
            // Percent-encoded where a URL may not hold a character as it is, so that it
            // is one valid link wherever it goes (hrefs, feeds, compare links).
            repo: crate::escape::url(raw.workspace.repo.trim_end_matches('/')).into(),
            branch: text(raw.workspace.branch),
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
    // Case-insensitively: on a case-insensitive host `Orgs/` is the folder `orgs/`.
    if RESERVED_TOP_LEVEL
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(&r.project.slug))
    {
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

/// A job's rules. An empty status is not a problem: job-server reads it as pending
/// (spec/job-server.md §1.9), and so does `audit::status`.
pub(super) fn check_job(path: &Path, record: RecordText<'_>, job: Job) -> Result<Job, Diagnostic> {
    match check_segment("job identifier", &job.identifier) {
        Ok(()) => Ok(job),
        Err(message) => Err(record
            .error_at(path, record.line, record.column, message)
            .record(format!("job {}", clipped(&job.identifier)))),
    }
}
