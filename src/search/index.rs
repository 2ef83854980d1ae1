//! What is searchable about a request (issue 5 §1), read from the audited records, never
//! from the rendered HTML: the words of every field, each with the requests it occurs in.

use std::collections::{BTreeMap, BTreeSet};

use super::tokenize::{compounds, phrase, tokenize};
use crate::audit::Audit;

/// Where an exact query goes without showing a list: the request page, or a job's
/// section of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Jump {
    /// A request id or identifier.
    Request(u64),
    /// A job identifier: `#job-<identifier>` on its request's page.
    Job(u64),
}

/// Every term with the ids of the requests it occurs in, and the terms that name exactly
/// one request or job.
#[derive(Debug, Default)]
pub struct TermIndex {
    pub postings: BTreeMap<String, BTreeSet<u64>>,
    pub jumps: BTreeMap<String, Jump>,
}

impl TermIndex {
    pub fn of(audit: &Audit) -> TermIndex {
        let mut index = TermIndex::default();
        for r in &audit.requests {
            let q = &r.request;
            let id = q.id;
            let mut add = |text: &str| {
                for word in tokenize(text).into_iter().chain(compounds(text)) {
                    index.postings.entry(word).or_default().insert(id);
                }
            };
            add(&id.to_string());
            add(&q.identifier);
            add(&q.workspace.name);
            add(&q.project.slug);
            add(&q.project.name);
            for org in &q.orgs {
                add(&org.slug);
                add(&org.name);
            }
            add(&q.created_by.username);
            add(&q.created_by.fullname);
            for action in &q.requested_actions {
                add(action);
            }
            for job in &q.jobs {
                add(&job.identifier);
                add(&job.action);
            }
            add(&q.backend.slug);
            add(&q.backend.name);
            add(r.status.status.as_str());
            add(r.status.status.label());
            // The whole sha is one term: a query of its first characters finds it by
            // prefix, like `git` does.
            add(&q.sha);
            add(&q.created_at.format("%Y-%m-%d").to_string());
            // The researcher's whole name is a term too (tokenize.rs, phrase).
            if let Some(name) = phrase(&q.created_by.fullname) {
                index.postings.entry(name).or_default().insert(id);
            }

            // Jumps: a later record never takes an identifier from an earlier one, so the
            // target does not depend on anything but the input order (by id).
            for word in tokenize(&q.identifier) {
                index.jumps.entry(word).or_insert(Jump::Request(id));
            }
            index
                .jumps
                .entry(id.to_string())
                .or_insert(Jump::Request(id));
            // A job's anchor is its identifier verbatim, so only an identifier that is one
            // lower-case word can be reached from the word the query gives.
            for job in &q.jobs {
                if tokenize(&job.identifier) == [job.identifier.as_str()] {
                    index
                        .jumps
                        .entry(job.identifier.clone())
                        .or_insert(Jump::Job(id));
                }
            }
        }
        index
    }
}
