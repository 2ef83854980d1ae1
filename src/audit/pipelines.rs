//! Which project.yaml each request ran: one entry per distinct text, read and parsed the
//! first time a page needs it. What every build needs of every text (its size, whether
//! it is valid, and why not) is remembered between builds, so that a night's build reads
//! only the texts of the pages it makes.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use super::Summary;
use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::export::{Export, Lookup, StoredPipeline, read_text, repo_owner_and_name};
use crate::pipeline::{self, Pipeline, PipelineError};

/// One distinct project.yaml text and what the pipeline rules make of it.
#[derive(Debug)]
pub struct PipelineEntry {
    /// `export::text_hash` of the text.
    pub hash: u128,
    /// A short content hash naming the text, e.g. for its own page: the first 64 bits of
    /// its SHA-256, in hex.
    pub key: String,
    /// Where it was first found, for diagnostics.
    pub origin: Origin,
    pub facts: TextFacts,
    text: OnceLock<Arc<str>>,
    parsed: OnceLock<Result<Pipeline, PipelineError>>,
}

/// What every build needs to know of a text without reading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextFacts {
    pub bytes: usize,
    pub chars: usize,
    pub lines: usize,
    /// Why it is invalid, and the line the error points into.
    pub error: Option<(PipelineError, Option<String>)>,
}

impl TextFacts {
    fn of(text: &str, parsed: &Result<Pipeline, PipelineError>) -> TextFacts {
        TextFacts {
            bytes: text.len(),
            chars: text.chars().count(),
            lines: text.lines().count(),
            error: parsed.as_ref().err().map(|e| {
                let line = e.line.and_then(|l| text.lines().nth(l.checked_sub(1)?));
                (e.clone(), line.map(str::to_owned))
            }),
        }
    }
}

impl PipelineEntry {
    /// The text, read from the store the first time it is asked for (a record's own
    /// text is set when the entry is made). A file gone since the build began reads as
    /// empty, which the pipeline rules reject.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| match &self.origin {
            Origin::Store(path) => read_text(path).unwrap_or_else(|_| "".into()),
            Origin::Record { .. } => "".into(),
        })
    }

    /// The pipeline, parsed the first time it is asked for.
    pub fn parsed(&self) -> &Result<Pipeline, PipelineError> {
        self.parsed.get_or_init(|| pipeline::load(self.text()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Store(PathBuf),
    /// The request's own `project_definition`.
    Record {
        file: PathBuf,
        line: usize,
        id: u64,
    },
}

/// The facts of each distinct text, by `export::text_hash`.
pub(super) type Facts = FxHashMap<u128, TextFacts>;

/// Finds every request's project.yaml (the store by repo and sha, else the record's
/// `project_definition`), sets `Summary::pipeline`, and reports each invalid text once.
/// `known` holds what earlier builds learnt of texts; the returned map holds what this
/// build knows of its texts.
pub(super) fn resolve(
    requests: &mut [Summary],
    export: &Export,
    known: &Facts,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<PipelineEntry>, Facts) {
    let mut index: FxHashMap<u128, usize> = FxHashMap::default();
    let mut sources: Vec<(u128, Source<'_>)> = Vec::new();
    let mut per_request = Vec::with_capacity(requests.len());
    for (n, r) in requests.iter().enumerate() {
        let found = lookup(r, &export.requests[n].source, export, diagnostics);
        let (hash, source) = match (found, r.definition) {
            (Some(stored), definition) => {
                if definition.is_some_and(|d| d != stored.hash) {
                    diagnostics.push(
                        Diagnostic::warning(
                            &export.requests[n].source.file,
                            format!(
                                "project_definition differs from {}; the stored file is used",
                                stored.path.display()
                            ),
                        )
                        .at_line(export.requests[n].source.line)
                        .record(format!("job request {}", r.id)),
                    );
                }
                (stored.hash, Source::Store(stored))
            }
            (None, Some(definition)) => (definition, Source::Record(n)),
            (None, None) => {
                per_request.push(None);
                continue;
            }
        };
        let i = *index.entry(hash).or_insert_with(|| {
            sources.push((hash, source));
            sources.len() - 1
        });
        per_request.push(Some(i));
    }
    let made: Vec<(PipelineEntry, Option<Diagnostic>)> = sources
        .par_iter()
        .map(|(hash, source)| entry(*hash, source, export, known.get(hash)))
        .collect();
    let mut entries = Vec::with_capacity(made.len());
    for (entry, problem) in made {
        diagnostics.extend(problem);
        entries.push(entry);
    }
    for (r, i) in requests.iter_mut().zip(per_request) {
        r.pipeline = i;
    }
    for entry in &entries {
        if let Some((e, line)) = &entry.facts.error {
            diagnostics.push(invalid_pipeline(entry, e, line.clone()));
        }
    }
    let facts = entries.iter().map(|e| (e.hash, e.facts.clone())).collect();
    (entries, facts)
}

/// Where a request's project.yaml was found: in the store, or in request `n`'s record.
enum Source<'a> {
    Store(&'a StoredPipeline),
    Record(usize),
}

/// The entry of the text with `hash` found at `source`. It is read now only if no
/// earlier build knows its facts, or it is a record's (parsed again to get it); else
/// when a page asks for it. A store file that cannot be read now (it changed during the
/// build) reads as empty, and is reported.
fn entry(
    hash: u128,
    source: &Source<'_>,
    export: &Export,
    known: Option<&TextFacts>,
) -> (PipelineEntry, Option<Diagnostic>) {
    let mut problem = None;
    let (origin, text): (Origin, Option<Arc<str>>) = match source {
        Source::Store(stored) => {
            let text = match known {
                Some(_) => export.pipelines.text_if_read(stored),
                None => Some(export.pipelines.text(stored).unwrap_or_else(|d| {
                    problem = Some(d);
                    "".into()
                })),
            };
            (Origin::Store(stored.path.clone()), text)
        }
        Source::Record(n) => {
            let record = &export.requests[*n];
            // A record file changed since it was read reads as empty, and is reported.
            let text = export.request(*n).map_or_else(
                |d| {
                    problem = Some(d);
                    String::new()
                },
                |r| r.project_definition.unwrap_or_default(),
            );
            let origin = Origin::Record {
                file: record.source.file.clone(),
                line: record.source.line,
                id: record.id,
            };
            (origin, Some(text.into()))
        }
    };
    let (cell, parsed) = (OnceLock::new(), OnceLock::new());
    let facts = match (known, text) {
        (Some(facts), text) => {
            if let Some(text) = text {
                let _ = cell.set(text);
            }
            facts.clone()
        }
        (None, text) => {
            let text = text.unwrap_or_else(|| "".into());
            let loaded = pipeline::load(&text);
            let facts = TextFacts::of(&text, &loaded);
            let _ = (cell.set(text), parsed.set(loaded));
            facts
        }
    };
    let entry = PipelineEntry {
        key: format!("{:016x}", hash >> 64),
        hash,
        origin,
        facts,
        text: cell,
        parsed,
    };
    (entry, problem)
}

fn lookup<'s>(
    r: &Summary,
    source: &crate::model::Source,
    export: &'s Export,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<&'s StoredPipeline> {
    let (owner, repo) = repo_owner_and_name(&r.workspace.repo)?;
    match export.pipelines.lookup(&owner, &repo, &r.sha) {
        Lookup::Found(stored) => Some(stored),
        Lookup::Missing => None,
        Lookup::Ambiguous(shas) => {
            diagnostics.push(
                Diagnostic::warning(
                    &source.file,
                    format!(
                        "sha {} matches several stored commits ({}); none is used",
                        r.sha,
                        shas.join(", ")
                    ),
                )
                .at_line(source.line)
                .record(format!("job request {}", r.id)),
            );
            None
        }
    }
}

/// A pipeline that fails the rules is still rendered; the build reports it once, with
/// the `source_line` its error points into.
fn invalid_pipeline(
    entry: &PipelineEntry,
    e: &PipelineError,
    source_line: Option<String>,
) -> Diagnostic {
    let message = format!("project.yaml is invalid: {}", e.message);
    match &entry.origin {
        Origin::Store(path) => {
            let d = Diagnostic::warning(path, message);
            match e.line {
                Some(line) => d.at_source(line, e.column, source_line),
                None => d,
            }
        }
        Origin::Record { file, line, id } => Diagnostic::warning(file, message)
            .at_line(*line)
            .record(format!("job request {id} (project_definition)")),
    }
}
