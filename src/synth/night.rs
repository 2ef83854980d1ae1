//! A night's changes to an export, for measuring and testing incremental builds: new job
//! requests arrive (copies of recent ones, with new ids, identifiers, times and jobs),
//! some older requests change (a job of theirs fails after all), and a few are withdrawn.
//! The same export and seed give the same bytes.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io;
use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::Value;

use super::rng::Rng;

/// How many requests to add, change and remove.
#[derive(Debug, Clone, Copy)]
pub struct Night {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub seed: u64,
}

/// The ids of what changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct NightSummary {
    pub added: Vec<u64>,
    pub changed: Vec<u64>,
    pub removed: Vec<u64>,
}

const REQUESTS: &str = "job_requests.jsonl";
const JOBS: &str = "jobs.jsonl";

/// One line of a JSONL file: parsed when it is a record this module can change, kept
/// verbatim otherwise (the export's deliberately bad records stay as they are).
enum Line {
    Record(Value),
    Verbatim(String),
}

impl Line {
    fn text(&self) -> String {
        match self {
            Line::Record(v) => v.to_string(),
            Line::Verbatim(s) => s.clone(),
        }
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
        .filter(|&i| id_of(&requests[i]).is_some())
        .collect();
    let mut summary = NightSummary::default();
    if good.is_empty() {
        return Ok(summary);
    }
    let mut jobs_of: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, line) in jobs.iter().enumerate() {
        if let Line::Record(job) = line
            && let Some(owner) = job["job_request_id"].as_str()
        {
            jobs_of.entry(owner.to_owned()).or_default().push(i);
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
        let Line::Record(request) = &mut requests[i] else {
            continue;
        };
        summary
            .changed
            .push(request["id"].as_u64().unwrap_or_default());
        let identifier = request["identifier"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let first_job = jobs_of.get(&identifier).and_then(|js| js.first().copied());
        match first_job.map(|j| &mut jobs[j]) {
            Some(Line::Record(job)) => {
                job["status"] = "failed".into();
                job["status_code"] = "nonzero_exit".into();
                job["status_message"] = "Job exited with an error: rerun overnight".into();
                request["status"] = "failed".into();
            }
            _ => request["status_message"] = "Updated overnight".into(),
        }
    }

    // Added: copies of the newest requests, each a minute after the newest record.
    let newest_id = good.iter().filter_map(|&i| id_of(&requests[i])).max();
    let newest_at = good
        .iter()
        .filter_map(|&i| time_of(&requests[i], "created_at"))
        .max();
    let templates: Vec<usize> = good.iter().rev().take(night.added).copied().collect();
    let mut new_jobs = Vec::new();
    let mut new_requests = Vec::new();
    for (k, &t) in templates.iter().cycle().take(night.added).enumerate() {
        let Line::Record(template) = &requests[t] else {
            continue;
        };
        let mut request = template.clone();
        let id = newest_id.unwrap_or(0) + 1 + k as u64;
        let identifier = identifier(&mut rng);
        let old_at = time_of(&requests[t], "created_at");
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
        let old_identifier = template["identifier"].as_str().unwrap_or_default();
        for &j in jobs_of.get(old_identifier).into_iter().flatten() {
            let Line::Record(job) = &jobs[j] else {
                continue;
            };
            let mut job = job.clone();
            renew(&mut job, &mut rng);
            job["job_request_id"] = identifier.clone().into();
            new_jobs.push(Line::Record(job));
        }
        summary.added.push(id);
        new_requests.push(Line::Record(request));
    }

    let gone: BTreeSet<String> = removed
        .iter()
        .filter_map(|&i| match &requests[i] {
            Line::Record(r) => {
                summary.removed.push(r["id"].as_u64().unwrap_or_default());
                r["identifier"].as_str().map(str::to_owned)
            }
            Line::Verbatim(_) => None,
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
        .filter(|l| match l {
            Line::Record(j) => !j["job_request_id"]
                .as_str()
                .is_some_and(|o| gone.contains(o)),
            Line::Verbatim(_) => true,
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
    Ok(text
        .lines()
        .map(|l| match serde_json::from_str::<Value>(l) {
            Ok(v @ Value::Object(_)) if v["identifier"].is_string() => Line::Record(v),
            _ => Line::Verbatim(l.to_owned()),
        })
        .collect())
}

/// Written beside and renamed over, so an interrupted run leaves the export whole.
fn write_lines(path: &Path, lines: &[Line]) -> io::Result<()> {
    let mut text = String::new();
    for line in lines {
        text.push_str(&line.text());
        text.push('\n');
    }
    let temporary = path.with_extension("jsonl.tmp");
    fs::write(&temporary, text)?;
    fs::rename(&temporary, path)
}

fn id_of(line: &Line) -> Option<u64> {
    match line {
        Line::Record(v) => v["id"].as_u64(),
        Line::Verbatim(_) => None,
    }
}

fn time_of(line: &Line, field: &str) -> Option<DateTime<Utc>> {
    match line {
        Line::Record(v) => parse(&v[field]),
        Line::Verbatim(_) => None,
    }
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
