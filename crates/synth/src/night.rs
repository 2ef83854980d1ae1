//! A night's changes to an export, for measuring and testing incremental builds: new job
//! requests arrive (copies of recent ones, with new ids, identifiers, times and jobs),
//! some older requests change (a job of theirs fails after all), and a few are withdrawn.
//! The same export and seed give the same bytes.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::{self, Write};
use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::Value;

use super::rng::Rng;

/// How many requests to add, change and remove.
#[derive(Debug, Clone, Copy)]
pub struct Night {
    /// New requests, copies of the newest ones.
    pub added: usize,
    /// Requests a job of which fails after all.
    pub changed: usize,
    /// Requests withdrawn.
    pub removed: usize,
    /// The same export and seed give the same changes.
    pub seed: u64,
}

/// The ids of what changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct NightSummary {
    /// Ids of the requests added.
    pub added: Vec<u64>,
    /// Ids of the requests changed.
    pub changed: Vec<u64>,
    /// Ids of the requests removed.
    pub removed: Vec<u64>,
}

const REQUESTS: &str = "job_requests.jsonl";
const JOBS: &str = "jobs.jsonl";

/// One line of a JSONL file, as read. A record (an object with an identifier) is parsed
/// whole only when this module changes or copies it: the whole export parsed took more
/// than 20 GB at 1,000,000 requests. Other lines (the export's deliberately bad records)
/// stay as they are.
struct Line {
    text: String,
    head: Option<Head>,
}

/// What every record is looked at for.
struct Head {
    id: Option<u64>,
    identifier: String,
    job_request_id: Option<String>,
    created_at: Option<DateTime<Utc>>,
}

/// The fields of `Head` as a record has them, read without the rest.
#[derive(serde::Deserialize)]
struct Fields {
    #[serde(default)]
    id: Value,
    #[serde(default)]
    identifier: Value,
    #[serde(default)]
    job_request_id: Value,
    #[serde(default)]
    created_at: Value,
}

impl Fields {
    /// The fields of a line that is a JSON object.
    fn of(text: &str) -> Option<Fields> {
        // An object only: serde would read a struct from an array too.
        if !text.trim_start().starts_with('{') {
            return None;
        }
        serde_json::from_str(text).ok().or_else(|| {
            // Read whole where a field repeats, which a struct refuses: the last one counts.
            let v: Value = serde_json::from_str(text).ok()?;
            let field = |name: &str| v.get(name).cloned().unwrap_or_default();
            Some(Fields {
                id: field("id"),
                identifier: field("identifier"),
                job_request_id: field("job_request_id"),
                created_at: field("created_at"),
            })
        })
    }
}

impl Line {
    fn of(text: String) -> Line {
        let head = Fields::of(&text).and_then(|f| {
            Some(Head {
                id: f.id.as_u64(),
                identifier: f.identifier.as_str()?.to_owned(),
                job_request_id: f.job_request_id.as_str().map(str::to_owned),
                created_at: parse(&f.created_at),
            })
        });
        Line { text, head }
    }

    /// A new record.
    fn record(value: &Value) -> Line {
        Line::of(value.to_string())
    }

    /// The record, parsed; `None` for a line kept as it is.
    fn value(&self) -> Option<Value> {
        self.head.as_ref()?;
        serde_json::from_str(&self.text).ok()
    }

    fn id(&self) -> Option<u64> {
        self.head.as_ref()?.id
    }
}

/// Applies a night's changes to the export in `dir` (`job_requests.jsonl` and `jobs.jsonl`,
/// as `jobaudit synth` writes them).
pub fn apply(dir: &Path, night: &Night) -> io::Result<NightSummary> {
    let mut requests = read_lines(&dir.join(REQUESTS))?;
    let mut jobs = read_lines(&dir.join(JOBS))?;
    let mut rng = Rng::new(night.seed).fork(0x006e_6967_6874);

    // Good requests, oldest first.
    let good: Vec<usize> = (0..requests.len())
        .filter(|&i| requests[i].id().is_some())
        .collect();
    let mut summary = NightSummary::default();
    if good.is_empty() {
        return Ok(summary);
    }
    let mut jobs_of: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, line) in jobs.iter().enumerate() {
        if let Some(owner) = line.head.as_ref().and_then(|h| h.job_request_id.as_ref()) {
            jobs_of.entry(owner.clone()).or_default().push(i);
        }
    }

    // Changed and removed: spread over the archive, never the same request twice.
    let mut picked = BTreeSet::new();
    let mut pick = |count: usize, rng: &mut Rng| -> Vec<usize> {
        let count = count.min(good.len().saturating_sub(picked.len()));
        let mut chosen = Vec::new();
        while chosen.len() < count {
            let i = good[rng.below(good.len())];
            if picked.insert(i) {
                chosen.push(i);
            }
        }
        chosen.sort_unstable();
        chosen
    };
    let changed = pick(night.changed, &mut rng);
    let removed = pick(night.removed, &mut rng);

    for &i in &changed {
        let Some(mut request) = requests[i].value() else {
            continue;
        };
        summary
            .changed
            .push(request["id"].as_u64().unwrap_or_default());
        let identifier = request["identifier"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        // A change every page shows: the request's first job failed after all, wherever
        // its jobs are (the jobs file, or nested in the record); a request without jobs
        // shows its own status message instead.
        let fail = |job: &mut serde_json::Value| {
            job["status"] = "failed".into();
            job["status_code"] = "nonzero_exit".into();
            job["status_message"] = "Job exited with an error: rerun overnight".into();
        };
        let first_job = jobs_of.get(&identifier).and_then(|js| js.first().copied());
        let nested = request["jobs"].as_array().is_some_and(|js| !js.is_empty());
        match first_job.and_then(|j| Some((j, jobs[j].value()?))) {
            Some((j, mut job)) => {
                fail(&mut job);
                jobs[j] = Line::record(&job);
                request["status"] = "failed".into();
            }
            None if nested => {
                fail(&mut request["jobs"][0]);
                request["status"] = "failed".into();
            }
            None => request["status_message"] = "Updated overnight".into(),
        }
        requests[i] = Line::record(&request);
    }

    // Added: copies of the newest requests, each a minute after the newest record.
    let created_at = |line: &Line| line.head.as_ref()?.created_at;
    let newest_id = good.iter().filter_map(|&i| requests[i].id()).max();
    let newest_at = good.iter().filter_map(|&i| created_at(&requests[i])).max();
    let templates: Vec<usize> = good.iter().rev().take(night.added).copied().collect();
    let mut new_jobs = Vec::new();
    let mut new_requests = Vec::new();
    for (k, &t) in templates.iter().cycle().take(night.added).enumerate() {
        let Some(mut request) = requests[t].value() else {
            continue;
        };
        let old_identifier = request["identifier"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let id = newest_id.unwrap_or(0) + 1 + k as u64;
        let identifier = identifier(&mut rng);
        let old_at = created_at(&requests[t]);
        let at = newest_at.map(|n| n + Duration::minutes(1 + k as i64));
        let shift = at.zip(old_at).map(|(a, o)| a - o);
        request["id"] = id.into();
        request["identifier"] = identifier.clone().into();
        if let Some(at) = at {
            request["created_at"] = stamp(at).into();
        }
        // Jobs inside the record (the API's shape) and in the jobs file: new
        // identifiers, the same times relative to the request.
        let renew = |job: &mut Value, rng: &mut Rng| {
            job["identifier"] = self::identifier(rng).into();
            for field in ["created_at", "updated_at", "started_at", "completed_at"] {
                if let (Some(t), Some(shift)) = (parse(&job[field]), shift) {
                    job[field] = stamp(t + shift).into();
                }
            }
        };
        if let Some(embedded) = request.get_mut("jobs").and_then(Value::as_array_mut) {
            for job in embedded {
                renew(job, &mut rng);
            }
        }
        for &j in jobs_of.get(&old_identifier).into_iter().flatten() {
            let Some(mut job) = jobs[j].value() else {
                continue;
            };
            renew(&mut job, &mut rng);
            job["job_request_id"] = identifier.clone().into();
            new_jobs.push(Line::record(&job));
        }
        summary.added.push(id);
        new_requests.push(Line::record(&request));
    }

    let gone: BTreeSet<String> = removed
        .iter()
        .filter_map(|&i| {
            let head = requests[i].head.as_ref()?;
            summary.removed.push(head.id.unwrap_or_default());
            Some(head.identifier.clone())
        })
        .collect();
    let removed: BTreeSet<usize> = removed.into_iter().collect();
    let requests: Vec<Line> = requests
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !removed.contains(i))
        .map(|(_, l)| l)
        .chain(new_requests)
        .collect();
    let jobs: Vec<Line> = jobs
        .into_iter()
        .filter(|l| {
            !l.head
                .as_ref()
                .and_then(|h| h.job_request_id.as_ref())
                .is_some_and(|o| gone.contains(o))
        })
        .chain(new_jobs)
        .collect();
    write_lines(&dir.join(REQUESTS), &requests)?;
    write_lines(&dir.join(JOBS), &jobs)?;
    Ok(summary)
}

fn read_lines(path: &Path) -> io::Result<Vec<Line>> {
    let text = fs::read_to_string(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    Ok(text.lines().map(|l| Line::of(l.to_owned())).collect())
}

/// Written beside and renamed over, so an interrupted run leaves the export whole.
fn write_lines(path: &Path, lines: &[Line]) -> io::Result<()> {
    let temporary = path.with_extension("jsonl.tmp");
    let mut file = io::BufWriter::new(fs::File::create(&temporary)?);
    for line in lines {
        file.write_all(line.text.as_bytes())?;
        file.write_all(b"\n")?;
    }
    file.into_inner().map_err(io::IntoInnerError::into_error)?;
    fs::rename(&temporary, path)
}

fn parse(value: &Value) -> Option<DateTime<Utc>> {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// 16 characters of `[a-z0-9]`, like job-server's identifiers.
fn identifier(rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..16)
        .map(|_| ALPHABET[rng.below(ALPHABET.len())] as char)
        .collect()
}
