//! Which project.yaml each request ran: one entry per distinct text, read once and
//! parsed the first time a page needs it. Whether a text is valid is remembered between
//! builds, so that a build reports every invalid pipeline without parsing them all.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use super::Summary;
use crate::diagnostics::Diagnostic;
use crate::export::{Export, Lookup, StoredPipeline, repo_owner_and_name};
use crate::pipeline::{self, Pipeline, PipelineError};

/// One distinct project.yaml text and what the pipeline rules make of it.
#[derive(Debug)]
pub struct PipelineEntry {
    pub text: Arc<str>,
    /// `export::text_hash` of the text.
    pub hash: u128,
    /// A short content hash naming the text, e.g. for its own page: the first 64 bits of
    /// its SHA-256, in hex.
    pub key: String,
    /// Where it was first found, for diagnostics.
    pub origin: Origin,
    parsed: OnceLock<Result<Pipeline, PipelineError>>,
}

impl PipelineEntry {
    fn new(text: Arc<str>, hash: u128, origin: Origin) -> PipelineEntry {
        PipelineEntry {
            key: format!("{:016x}", hash >> 64),
            text,
            hash,
            origin,
            parsed: OnceLock::new(),
        }
    }

    /// The pipeline, parsed the first time it is asked for.
    pub fn parsed(&self) -> &Result<Pipeline, PipelineError> {
        self.parsed.get_or_init(|| pipeline::load(&self.text))
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

/// Whether each distinct text is valid, and why not, by `export::text_hash`.
pub(super) type Validity = FxHashMap<u128, Option<PipelineError>>;

/// Finds every request's project.yaml (the store by repo and sha, else the record's
/// `project_definition`), sets `Summary::pipeline`, and reports each invalid text once.
/// `known` says which texts earlier builds found valid; the returned map says it of this
/// build's texts.
pub(super) fn resolve(
    requests: &mut [Summary],
    export: &Export,
    known: &Validity,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<PipelineEntry>, Validity) {
    enum Source<'a> {
        Store(&'a StoredPipeline),
        Record(usize),
    }
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
    // Each distinct text is read once, from where it was first found.
    let texts: Vec<Result<(Arc<str>, Origin), Diagnostic>> = sources
        .par_iter()
        .map(|(_, source)| match source {
            Source::Store(stored) => export
                .pipelines
                .text(stored)
                .map(|text| (text, Origin::Store(stored.path.clone()))),
            Source::Record(n) => {
                let record = &export.requests[*n];
                let text = export.request(*n).project_definition.unwrap_or_default();
                Ok((
                    text.into(),
                    Origin::Record {
                        file: record.source.file.clone(),
                        line: record.source.line,
                        id: record.id,
                    },
                ))
            }
        })
        .collect();
    // A file that could not be read now (it changed during the build) leaves its
    // requests without a pipeline.
    let mut entries = Vec::with_capacity(texts.len());
    let mut renumbered = Vec::with_capacity(texts.len());
    for ((hash, _), text) in sources.iter().zip(texts) {
        match text {
            Ok((text, origin)) => {
                renumbered.push(Some(entries.len()));
                entries.push(PipelineEntry::new(text, *hash, origin));
            }
            Err(d) => {
                diagnostics.push(d);
                renumbered.push(None);
            }
        }
    }
    for (r, i) in requests.iter_mut().zip(per_request) {
        r.pipeline = i.and_then(|i| renumbered[i]);
    }
    let validity: Validity = entries
        .par_iter()
        .map(|entry| {
            let error = match known.get(&entry.hash) {
                Some(error) => error.clone(),
                None => entry.parsed().as_ref().err().cloned(),
            };
            (entry.hash, error)
        })
        .collect();
    for entry in &entries {
        if let Some(Some(e)) = validity.get(&entry.hash) {
            diagnostics.push(invalid_pipeline(entry, e));
        }
    }
    (entries, validity)
}

fn lookup<'s>(
    r: &Summary,
    source: &crate::export::Source,
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

/// A pipeline that fails the rules is still rendered; the build reports it once.
fn invalid_pipeline(entry: &PipelineEntry, e: &PipelineError) -> Diagnostic {
    let message = format!("project.yaml is invalid: {}", e.message);
    match &entry.origin {
        Origin::Store(path) => {
            let d = Diagnostic::warning(path, message);
            match e.line {
                Some(line) => d.at(&entry.text, line, e.column),
                None => d,
            }
        }
        Origin::Record { file, line, id } => Diagnostic::warning(file, message)
            .at_line(*line)
            .record(format!("job request {id} (project_definition)")),
    }
}
