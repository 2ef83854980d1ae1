//! A synthetic export generator (`jobaudit synth`): realistic exports of any size, from
//! the same seed the same bytes.
//!
//! Workspaces live for a stretch of the timeline and get requests at different rates; each
//! request runs at the workspace's newest commit, and some commits edit project.yaml (the
//! next real version from the corpus, or a small edit: an action added or removed, an
//! output renamed, a run tag changed, a script moved, a version bumped, a comment). Requests
//! end in the mix job-server shows (mostly succeeded; failures, cancellations, nothing to
//! do; pending and running at the newest end), come in both API and object shapes, and
//! about one in a thousand is deliberately bad so the diagnostics paths run.
//!
//! This crate writes jobaudit's input and is no part of what jobaudit makes of it: the
//! `jobaudit synth` command, the tests and the benchmark use it, and it depends on
//! nothing in jobaudit. What it writes keeps to the export format (README: Input format;
//! schema/), which tests/synth.rs holds jobaudit's reader to.

#![warn(missing_docs)]

mod names;
pub mod night;
mod pipelines;
mod records;
mod rng;

use std::collections::HashSet;
use std::fs::{self, File};
use std::hash::{Hash, Hasher};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use names::{MAX_SEGMENT_BYTES, Names, Person};
use pipelines::{Corpus, Version};
use records::{
    BackendOut, JobOut, OrgOut, Outcome, ProjectOut, RequestOut, SlugOr, UserOut, WorkspaceOut,
};
use rng::{Rng, mix};

/// What to generate, and where.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// Job request records to write, bad ones included.
    pub requests: usize,
    /// The same seed (with the same corpus) gives the same bytes.
    pub seed: u64,
    /// The export folder; it must be missing or empty.
    pub output: PathBuf,
    /// A folder of real project.yaml files; `None` uses `../shared/corpus/raw` beside the
    /// repository if it exists, else the repository's own (`tests/fixtures`,
    /// `data/pipelines`).
    pub pipelines: Option<PathBuf>,
}

/// What was written, and what a reader should make of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SynthSummary {
    /// Job request records written, bad ones included.
    pub requests: usize,
    /// Requests a reader must skip (bad name, wrong type, bad date).
    pub bad_requests: usize,
    /// Jobs, bad ones included.
    pub jobs: usize,
    /// Jobs a reader must skip (bad identifier, one too long for a path, unknown request).
    pub bad_jobs: usize,
    /// Workspaces the requests ran in.
    pub workspaces: usize,
    /// Projects those workspaces belong to.
    pub projects: usize,
    /// project.yaml files written (one per commit that requests ran).
    pub pipeline_files: usize,
    /// Distinct project.yaml texts among them.
    pub distinct_pipelines: usize,
    /// Real project.yaml files the pipelines came from.
    pub corpus_files: usize,
    /// The folder they came from (the first, when the fallback fixtures were used).
    pub corpus_dir: PathBuf,
    /// Bytes written, all files together.
    pub bytes: u64,
}

/// The timeline: requests between these instants (UTC), newest last.
const START: i64 = 1_583_020_800; // 2020-03-01
const END: i64 = 1_767_139_200; // 2025-12-31
const MICROS: i64 = 1_000_000;

struct ProjectPlan {
    slug: String,
    name: String,
    number: serde_json::Value,
    /// Indices into the org list; the first is the lead.
    orgs: Vec<usize>,
    researchers: Vec<usize>,
}

struct WorkspacePlan {
    name: String,
    project: usize,
    repo: String,
    owner: String,
    branch: String,
    backends: Vec<usize>,
    group: usize,
    /// The workspace's active stretch of the timeline, as fractions of it.
    from: f64,
    span: f64,
}

/// A workspace's repository as requests see it: the newest commit and its project.yaml.
struct RepoState {
    rng: Rng,
    version: Arc<Version>,
    /// Position in the corpus group's real history.
    real: usize,
    sha: String,
    /// The commit's project.yaml is not in the store (a few are missing in real exports).
    missing: bool,
    commits: usize,
}

const BACKENDS: &[(&str, &str)] = &[("tpp", "TPP"), ("emis", "EMIS"), ("test", "Test")];

/// Writes an export of `options.requests` job requests into `options.output`, which must
/// be missing or empty: `site.toml`, the two record files and the project.yaml store.
pub fn generate(options: &SynthOptions) -> io::Result<SynthSummary> {
    let out = &options.output;
    if out.exists() && fs::read_dir(out)?.next().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} is not empty; synth writes only into an empty folder",
                out.display()
            ),
        ));
    }
    fs::create_dir_all(out).map_err(|e| annotate(e, out))?;
    let corpus = Corpus::load(options.pipelines.as_deref())?;
    let n = options.requests;
    let root = Rng::new(options.seed);
    let mut names = Names::default();
    let mut plan_rng = root.fork(1);

    // Organisations, researchers, projects, workspaces: sizes grow with the export.
    let workspaces_n = n.div_ceil(40).max(2);
    let projects_n = (workspaces_n * 2 / 3).max(1);
    let orgs: Vec<(String, String)> = (0..12 + workspaces_n / 100).map(|i| names.org(i)).collect();
    let people: Vec<Person> = (0..(workspaces_n / 2).max(4))
        .map(|_| names.person(&mut plan_rng))
        .collect();
    let projects: Vec<ProjectPlan> = (0..projects_n)
        .map(|_| {
            let (slug, name) = names.project(&mut plan_rng);
            // A few organisations lead most projects.
            let lead = (orgs.len() as f64 * plan_rng.unit().powi(3)) as usize;
            let mut project_orgs = vec![lead];
            if plan_rng.chance(0.3) {
                let partner = plan_rng.below(orgs.len());
                if partner != lead {
                    project_orgs.push(partner);
                }
            }
            let number = if plan_rng.chance(0.7) {
                serde_json::json!(plan_rng.range(1, 999))
            } else {
                serde_json::json!(format!(
                    "POS-20{}-{:04}",
                    plan_rng.range(20, 25),
                    plan_rng.range(1, 9999)
                ))
            };
            let researchers = (0..plan_rng.range(1, 5))
                .map(|_| plan_rng.below(people.len()))
                .collect();
            ProjectPlan {
                slug,
                name,
                number,
                orgs: project_orgs,
                researchers,
            }
        })
        .collect();
    // Big pipelines are rarer than small ones.
    let group_weights: Vec<f64> = corpus
        .groups
        .iter()
        .map(|g| g.iter().map(|v| v.text.len()).max().unwrap_or(0) as f64)
        .map(|size| 1.0 / (1.0 + (size / 25_000.0).powi(2)))
        .collect();
    let workspaces: Vec<WorkspacePlan> = (0..workspaces_n)
        .map(|i| {
            let project = if i < projects_n {
                i
            } else {
                plan_rng.below(projects_n)
            };
            let name = names.workspace(&mut plan_rng, &projects[project].slug);
            let owner = if plan_rng.chance(0.85) {
                "opensafely".to_owned()
            } else {
                people[*plan_rng.pick(&projects[project].researchers)]
                    .username
                    .clone()
            };
            let repo = format!("https://github.com/{owner}/{name}");
            let branch = (*plan_rng.pick(&[
                "main",
                "main",
                "main",
                "main",
                "master",
                "master",
                "dev",
                "sensitivity-analysis",
                "update-codelists",
                "feature/new-outcomes",
            ]))
            .to_owned();
            let backends = match plan_rng.below(100) {
                0..88 => vec![0],
                88..95 => vec![0, 1],
                95..98 => vec![1],
                _ => vec![2],
            };
            let from = plan_rng.unit() * 0.95;
            let span = (0.02 + plan_rng.unit() * 0.6).min(1.0 - from);
            WorkspacePlan {
                name,
                project,
                repo,
                owner,
                branch,
                backends,
                group: weighted(&mut plan_rng, &group_weights),
                from,
                span,
            }
        })
        .collect();

    // When each request is made, and in which workspace: some workspaces are far busier.
    let activity: Vec<f64> = (0..workspaces_n)
        .map(|_| 1.0 / (plan_rng.unit() + 0.02).powf(0.9))
        .collect();
    let mut cumulative = Vec::with_capacity(workspaces_n);
    let mut total = 0.0;
    for a in &activity {
        total += a;
        cumulative.push(total);
    }
    let mut slots: Vec<(i64, u32)> = (0..n)
        .map(|_| {
            let x = plan_rng.unit() * total;
            let w = cumulative
                .partition_point(|&c| c <= x)
                .min(workspaces_n - 1);
            let plan = &workspaces[w];
            let at = plan.from + plan.span * plan_rng.unit();
            let t = START * MICROS + (at * ((END - START) * MICROS) as f64) as i64;
            (t, w as u32)
        })
        .collect();
    slots.sort_unstable();

    // Deliberately bad records, at fixed positions: ~0.1% of requests, ~0.05% with a bad job.
    let bad_requests: HashSet<usize> = pick_positions(&mut plan_rng, n, n.div_ceil(1000));
    let bad_jobs: HashSet<usize> = pick_positions(&mut plan_rng, n, n.div_ceil(2000));
    let newest = n.saturating_sub((n / 400).max(2));

    let mut repos: Vec<Option<RepoState>> = (0..workspaces_n).map(|_| None).collect();
    let mut summary = SynthSummary {
        requests: n,
        workspaces: workspaces_n,
        projects: projects_n,
        corpus_files: corpus.groups.iter().map(Vec::len).sum(),
        corpus_dir: corpus.dir.clone(),
        ..SynthSummary::default()
    };
    let mut distinct = HashSet::new();
    let mut counter: u64 = 0;
    let id_key = mix(options.seed ^ 0x5eed);

    write_site_toml(out, &orgs)?;
    let requests_path = out.join("job_requests.jsonl");
    let jobs_path = out.join("jobs.jsonl");
    let mut requests_file = BufWriter::with_capacity(
        1 << 20,
        File::create(&requests_path).map_err(|e| annotate(e, &requests_path))?,
    );
    let mut jobs_file = BufWriter::with_capacity(
        1 << 20,
        File::create(&jobs_path).map_err(|e| annotate(e, &jobs_path))?,
    );
    let mut id: u64 = 1000;
    for (i, &(created, w)) in slots.iter().enumerate() {
        let w = w as usize;
        let plan = &workspaces[w];
        let project = &projects[plan.project];
        let mut rng = root.fork(1_000_000_000 + i as u64);
        // Ids rise with time, with the gaps deleted requests leave.
        id += if rng.chance(0.05) { rng.range(2, 6) } else { 1 };

        let state = repos[w].get_or_insert_with(|| RepoState {
            rng: root.fork(2_000_000_000 + w as u64),
            version: corpus.groups[plan.group][0].clone(),
            real: 0,
            sha: String::new(),
            missing: false,
            commits: 0,
        });
        if state.commits == 0 || state.rng.chance(0.35) {
            new_commit(state, &corpus.groups[plan.group], &mut counter, id_key);
            if !state.missing {
                let dir = out
                    .join("pipelines")
                    .join(&plan.owner)
                    .join(&plan.name)
                    .join(&state.sha);
                fs::create_dir_all(&dir).map_err(|e| annotate(e, &dir))?;
                let path = dir.join("project.yaml");
                fs::write(&path, state.version.text.as_bytes()).map_err(|e| annotate(e, &path))?;
                summary.pipeline_files += 1;
                let mut hasher = std::hash::DefaultHasher::new();
                state.version.text.hash(&mut hasher);
                distinct.insert(hasher.finish());
            }
        }
        let version = state.version.clone();

        // What was asked for.
        let actions = &version.actions;
        let mut run_all = actions.len() <= 100 && rng.chance(0.4);
        let mut requested: Vec<String> = if run_all {
            vec![pipelines_run_all()]
        } else {
            // Old pipelines may have an action named `run_all`; it is never asked for alone.
            let choosable = actions
                .iter()
                .filter(|a| a.name != pipelines_run_all())
                .count();
            let k = match rng.below(100) {
                0..35 => 1,
                35..55 => 2,
                55..70 => 3,
                _ => rng.range(4, 20) as usize,
            }
            .min(choosable);
            let mut chosen: Vec<usize> = Vec::with_capacity(k);
            while chosen.len() < k {
                // Researchers mostly run what they have just added: the later actions.
                let a = actions.len() - 1 - (actions.len() as f64 * rng.unit().powi(2)) as usize;
                if !chosen.contains(&a) && actions[a].name != pipelines_run_all() {
                    chosen.push(a);
                }
            }
            chosen.sort_unstable();
            chosen.iter().map(|&a| actions[a].name.clone()).collect()
        };
        if requested.is_empty() {
            requested.push(pipelines_run_all());
            run_all = true;
        }
        let force = rng.chance(0.3);
        let expanded = version.expand(&requested, run_all, force);
        let outcome = if i >= newest {
            if rng.chance(0.5) {
                Outcome::Pending
            } else {
                Outcome::Running
            }
        } else {
            match rng.below(1000) {
                0..30 => Outcome::NothingToDo,
                30..33 => Outcome::CreationFailed,
                33..63 => Outcome::Cancelled,
                63..183 => Outcome::Failed,
                _ => Outcome::Succeeded,
            }
        };
        let identifier = base32_id(&mut counter, id_key, &mut rng);
        let (mut jobs, cancelled) = match outcome {
            Outcome::NothingToDo | Outcome::CreationFailed => (Vec::new(), Vec::new()),
            _ => records::jobs(&mut rng, &version, &expanded, outcome, created, |rng| {
                base32_id(&mut counter, id_key, rng)
            }),
        };
        // Written to jobs.jsonl even when the good jobs are nested, so that it is read
        // (and rejected) by job_request_id.
        let bad = (bad_jobs.contains(&i) && !bad_requests.contains(&i))
            .then(|| bad_job(&mut rng, &mut jobs.first().cloned(), i, &identifier));

        // Both shapes: job-server's API (bare slugs, flattened names) and objects.
        let api = rng.chance(0.35);
        let backend = BACKENDS[*rng.pick(&plan.backends)];
        let person = &people[*rng.pick(&project.researchers)];
        let lead = &orgs[project.orgs[0]];
        let (status, message) = records::stored_status(outcome);
        // A few records leave the status to be derived from their jobs.
        let keep_status = !jobs.is_empty() && rng.chance(0.05);
        let sha = if rng.chance(0.02) {
            state.sha[..7].to_owned()
        } else {
            state.sha.clone()
        };
        let definition = state.missing && rng.chance(0.5);
        let nest = rng.chance(0.1);
        let jobs_len = jobs.len();
        let mut request = RequestOut {
            id,
            identifier: identifier.clone(),
            backend: if api {
                SlugOr::Slug(backend.0)
            } else {
                SlugOr::Object(BackendOut {
                    slug: backend.0,
                    name: backend.1,
                })
            },
            backend_name: (api && rng.chance(0.5)).then_some(backend.1),
            workspace: WorkspaceOut {
                name: &plan.name,
                repo: &plan.repo,
                branch: &plan.branch,
            },
            project: if api {
                SlugOr::Slug(&project.slug)
            } else {
                SlugOr::Object(ProjectOut {
                    slug: &project.slug,
                    name: &project.name,
                    number: project.number.clone(),
                })
            },
            project_name: api.then_some(project.name.as_str()),
            orgs: project
                .orgs
                .iter()
                .enumerate()
                .map(|(k, &o)| {
                    if api {
                        SlugOr::Slug(orgs[o].0.as_str())
                    } else {
                        SlugOr::Object(OrgOut {
                            slug: &orgs[o].0,
                            name: &orgs[o].1,
                            lead: k == 0,
                        })
                    }
                })
                .collect(),
            org_name: api.then_some(lead.1.as_str()),
            created_by: if api {
                SlugOr::Slug(&person.username)
            } else {
                SlugOr::Object(UserOut {
                    username: &person.username,
                    fullname: &person.fullname,
                })
            },
            created_by_fullname: (api && rng.chance(0.7)).then_some(person.fullname.as_str()),
            created_at: records::micros(created),
            sha,
            requested_actions: requested,
            cancelled_actions: cancelled,
            force_run_dependencies: force,
            status: (!keep_status).then_some(status),
            status_message: if keep_status { None } else { message },
            project_definition: definition.then_some(&*version.text),
            jobs: None,
        };
        if nest && !jobs.is_empty() {
            request.jobs = Some(std::mem::take(&mut jobs));
        }
        if bad_requests.contains(&i) {
            summary.bad_requests += 1;
            write_bad_request(&mut requests_file, &request, &mut rng)?;
        } else {
            summary.jobs += jobs_len;
            serde_json::to_writer(&mut requests_file, &request)?;
            requests_file.write_all(b"\n")?;
            if let Some(job) = bad {
                summary.bad_jobs += 1;
                summary.jobs += 1;
                jobs.push(job);
            }
            for mut job in jobs {
                if job.job_request_id.is_none() {
                    job.job_request_id = Some(identifier.clone());
                }
                serde_json::to_writer(&mut jobs_file, &job)?;
                jobs_file.write_all(b"\n")?;
            }
        }
    }
    requests_file
        .flush()
        .map_err(|e| annotate(e, &requests_path))?;
    jobs_file.flush().map_err(|e| annotate(e, &jobs_path))?;
    summary.distinct_pipelines = distinct.len();
    summary.bytes = walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    Ok(summary)
}

fn pipelines_run_all() -> String {
    jobaudit_pipeline::RUN_ALL.to_owned()
}

fn annotate(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

fn weighted(rng: &mut Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.unit() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn pick_positions(rng: &mut Rng, n: usize, count: usize) -> HashSet<usize> {
    let mut picked = HashSet::new();
    while picked.len() < count.min(n) {
        picked.insert(rng.below(n));
    }
    picked
}

/// A new commit on the workspace's branch; about one in five changes project.yaml (to the
/// repo's next real version, else by a small edit) and a few lose their stored file.
fn new_commit(state: &mut RepoState, group: &[Arc<Version>], counter: &mut u64, key: u64) {
    let rng = &mut state.rng;
    if state.commits > 0 && rng.chance(0.3) {
        if state.real + 1 < group.len() && rng.chance(0.3) {
            state.real += 1;
            state.version = group[state.real].clone();
        } else if let Some(edited) = pipelines::edit(&state.version, rng) {
            state.version = Arc::new(edited);
        }
    }
    *counter += 1;
    let mut sha = format!("{:016x}", mix(*counter ^ key));
    while sha.len() < 40 {
        sha.push_str(&format!("{:016x}", rng.next_u64()));
    }
    sha.truncate(40);
    state.sha = sha;
    state.missing = state.commits > 0 && rng.chance(0.003);
    state.commits += 1;
}

/// A 16-character identifier in job-server's alphabet (a–z, 2–7). The first 13 characters
/// encode a bijection of a counter, so identifiers never repeat.
fn base32_id(counter: &mut u64, key: u64, rng: &mut Rng) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    *counter += 1;
    let unique = mix(*counter ^ key);
    let mut s = String::with_capacity(16);
    for k in 0..13 {
        s.push(ALPHABET[((unique >> (k * 5)) & 31) as usize] as char);
    }
    let tail = rng.next_u64();
    for k in 0..3 {
        s.push(ALPHABET[((tail >> (k * 5)) & 31) as usize] as char);
    }
    s
}

/// A job the reader must reject: a path-unsafe identifier, one too long for a path, or a
/// request that is not in the export. (Not an empty status: job-server reads that as
/// pending, spec/job-server.md §1.9.)
fn bad_job(rng: &mut Rng, template: &mut Option<JobOut>, i: usize, request: &str) -> JobOut {
    let mut job = template.take().unwrap_or_else(|| JobOut {
        identifier: String::new(),
        job_request_id: None,
        action: "generate_dataset".to_owned(),
        run_command: String::new(),
        status: "succeeded",
        status_code: "succeeded",
        status_message: String::new(),
        created_at: records::seconds(START * MICROS),
        updated_at: None,
        started_at: None,
        completed_at: None,
        metrics: None,
    });
    job.job_request_id = Some(request.to_owned());
    job.identifier = format!("badjob{i:010}");
    match rng.below(3) {
        0 => job.identifier = format!("../bad job {i}"),
        1 => job.identifier = format!("{}{i:010}", "j".repeat(MAX_SEGMENT_BYTES)),
        _ => job.job_request_id = Some(format!("missing{i:09}")),
    }
    job
}

/// A request the reader must reject, written in place of a good one.
fn write_bad_request(
    out: &mut impl Write,
    request: &RequestOut<'_>,
    rng: &mut Rng,
) -> io::Result<()> {
    let mut value = serde_json::to_value(request)?;
    match rng.below(4) {
        0 => value["workspace"]["name"] = serde_json::json!("my workspace/../x"),
        1 => value["id"] = serde_json::json!(request.id.to_string()),
        2 => value["created_at"] = serde_json::json!("last Tuesday"),
        _ => value["force_run_dependencies"] = serde_json::json!("yes"),
    }
    serde_json::to_writer(&mut *out, &value)?;
    out.write_all(b"\n")
}

fn write_site_toml(out: &Path, orgs: &[(String, String)]) -> io::Result<()> {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut text = String::from(
        "# A synthetic export written by `jobaudit synth`: no real people or requests.\n\
         title = \"Synthetic OpenSAFELY Jobs\"\n\
         base_url = \"https://jobs.example.org/\"\n\n[backends]\n",
    );
    for (slug, name) in BACKENDS {
        text.push_str(&format!("{slug} = {}\n", quote(name)));
    }
    text.push_str("\n[orgs]\n");
    for (slug, name) in orgs {
        text.push_str(&format!("{slug} = {}\n", quote(name)));
    }
    let path = out.join("site.toml");
    fs::write(&path, text).map_err(|e| annotate(e, &path))
}
