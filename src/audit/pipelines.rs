//! Which project.yaml each request ran, parsed once per distinct text.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::export::{JobRequest, Lookup, PipelineStore, repo_owner_and_name, text_hash};
use crate::pipeline::{self, Pipeline, PipelineError};

/// One distinct project.yaml text and what the pipeline rules make of it.
#[derive(Debug)]
pub struct PipelineEntry {
    pub text: Arc<str>,
    /// A short content hash naming the text, e.g. for its own page.
    pub key: String,
    pub parsed: Result<Pipeline, PipelineError>,
    /// Where it was first found, for diagnostics.
    pub origin: Origin,
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

/// Finds every request's project.yaml (the store by repo and sha, else the record's
/// `project_definition`) and parses each distinct text once, in parallel.
pub(super) fn resolve(
    requests: &[JobRequest],
    store: &PipelineStore,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<PipelineEntry>, Vec<Option<usize>>) {
    // By text hash; a hit is confirmed by the text itself (the store's shared texts are
    // the same allocation, so most need no comparing).
    let mut index: FxHashMap<u128, usize> = FxHashMap::default();
    let mut texts: Vec<(Arc<str>, Origin)> = Vec::new();
    let mut per_request = Vec::with_capacity(requests.len());
    for r in requests {
        let found = lookup(r, store, diagnostics);
        let (text, hash, origin) = match (
            found,
            r.project_definition.as_deref().filter(|d| !d.is_empty()),
        ) {
            (Some(stored), definition) => {
                if definition.is_some_and(|d| d != &*stored.text) {
                    diagnostics.push(
                        Diagnostic::warning(
                            &r.source.file,
                            format!(
                                "project_definition differs from {}; the stored file is used",
                                stored.path.display()
                            ),
                        )
                        .at_line(r.source.line)
                        .record(format!("job request {}", r.id)),
                    );
                }
                (
                    stored.text.clone(),
                    Some(stored.hash),
                    Origin::Store(stored.path.clone()),
                )
            }
            (None, Some(definition)) => (
                Arc::from(definition),
                None,
                Origin::Record {
                    file: r.source.file.clone(),
                    line: r.source.line,
                    id: r.id,
                },
            ),
            (None, None) => {
                per_request.push(None);
                continue;
            }
        };
        let hash = hash.unwrap_or_else(|| text_hash(&text));
        let i = match index.get(&hash) {
            Some(&i) if Arc::ptr_eq(&texts[i].0, &text) || texts[i].0 == text => i,
            found => {
                // A different text with the same hash is parsed apart, unshared.
                if found.is_none() {
                    index.insert(hash, texts.len());
                }
                texts.push((text, origin));
                texts.len() - 1
            }
        };
        per_request.push(Some(i));
    }
    let entries: Vec<PipelineEntry> = texts
        .into_par_iter()
        .map(|(text, origin)| PipelineEntry {
            parsed: pipeline::load(&text),
            key: content_key(&text),
            text,
            origin,
        })
        .collect();
    for entry in &entries {
        if let Err(e) = &entry.parsed {
            diagnostics.push(invalid_pipeline(entry, e));
        }
    }
    (entries, per_request)
}

fn lookup<'s>(
    r: &JobRequest,
    store: &'s PipelineStore,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<&'s crate::export::StoredPipeline> {
    let (owner, repo) = repo_owner_and_name(&r.workspace.repo)?;
    match store.lookup(&owner, &repo, &r.sha) {
        Lookup::Found(stored) => Some(stored),
        Lookup::Missing => None,
        Lookup::Ambiguous(shas) => {
            diagnostics.push(
                Diagnostic::warning(
                    &r.source.file,
                    format!(
                        "sha {} matches several stored commits ({}); none is used",
                        r.sha,
                        shas.join(", ")
                    ),
                )
                .at_line(r.source.line)
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

/// The first 64 bits of the text's SHA-256, in hex.
fn content_key(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
