//! What is searchable about a request (issue 5 §1), read from the audited records, never
//! from the rendered HTML: the words of every field, each with the requests it occurs in.

use rustc_hash::FxHashMap;

use super::tokenize::{compounds, js_order, phrase, tokenize};
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
    /// In JavaScript's string order (`js_order`), each with its request ids ascending.
    pub postings: Vec<(String, Vec<u64>)>,
    pub jumps: FxHashMap<String, Jump>,
}

impl TermIndex {
    /// Requests come sorted by id, so each posting list is built in order: a term seen
    /// again in the same request is the list's last id.
    pub fn of(audit: &Audit) -> TermIndex {
        // Sized for a request's usual dozen terms, most of them its own: growing tables
        // of a million keys rehashes them several times over.
        let n = audit.requests.len();
        let mut b = Builder {
            terms: FxHashMap::with_capacity_and_hasher(n * 8, Default::default()),
            postings: Vec::with_capacity(n * 8),
            texts: FxHashMap::default(),
        };
        let mut jumps: FxHashMap<String, Jump> =
            FxHashMap::with_capacity_and_hasher(n * 7, Default::default());
        for r in &audit.requests {
            let q = &r.request;
            let id = q.id;
            // Unique to the request: tokenized as they come.
            b.add_once(&id.to_string(), id);
            b.add_once(&q.identifier, id);
            for job in &q.jobs {
                b.add_once(&job.identifier, id);
            }
            // The whole sha is one term: a query of its first characters finds it by
            // prefix, like `git` does.
            b.add_once(&q.sha, id);
            // Shared by many requests: tokenized once per distinct text.
            b.add(&q.workspace.name, id);
            b.add(&q.project.slug, id);
            b.add(&q.project.name, id);
            for org in &q.orgs {
                b.add(&org.slug, id);
                b.add(&org.name, id);
            }
            b.add(&q.created_by.username, id);
            b.add(&q.created_by.fullname, id);
            for action in &q.requested_actions {
                b.add(action, id);
            }
            for job in &q.jobs {
                b.add(&job.action, id);
            }
            b.add(&q.backend.slug, id);
            b.add(&q.backend.name, id);
            b.add(r.status.status.as_str(), id);
            b.add(r.status.status.label(), id);
            b.add_once(&crate::render::view::iso(q.created_at)[..10], id);
            // The researcher's whole name is a term too (tokenize.rs, phrase).
            if let Some(name) = phrase(&q.created_by.fullname) {
                let term = b.term(&name);
                b.post(term, id);
            }

            // Jumps: a later record never takes an identifier from an earlier one, so the
            // target does not depend on anything but the input order (by id).
            for word in tokenize(&q.identifier) {
                jumps.entry(word).or_insert(Jump::Request(id));
            }
            jumps.entry(id.to_string()).or_insert(Jump::Request(id));
            // A job's anchor is its identifier verbatim, so only an identifier that is one
            // lower-case word can be reached from the word the query gives.
            for job in &q.jobs {
                if is_one_word(&job.identifier) {
                    jumps.entry(job.identifier.clone()).or_insert(Jump::Job(id));
                }
            }
        }
        let mut postings = b.postings;
        let mut postings: Vec<(String, Vec<u64>)> = b
            .terms
            .into_iter()
            .map(|(term, t)| (term, std::mem::take(&mut postings[t as usize])))
            .collect();
        // Byte order is JavaScript's for all but a few rare characters (js_order).
        postings.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if postings.iter().any(|(t, _)| t.bytes().any(|b| b >= 0xEE)) {
            postings.sort_by(|a, b| js_order(&a.0, &b.0));
        }
        TermIndex { postings, jumps }
    }
}

/// Terms numbered as they are first seen, and the terms of each shared text (a
/// workspace, a researcher, an action), so that a text met in a thousand requests is
/// tokenized once.
#[derive(Default)]
struct Builder<'a> {
    terms: FxHashMap<String, u32>,
    postings: Vec<Vec<u64>>,
    texts: FxHashMap<&'a str, Box<[u32]>>,
}

impl<'a> Builder<'a> {
    fn term(&mut self, word: &str) -> u32 {
        if let Some(&t) = self.terms.get(word) {
            return t;
        }
        let t = self.postings.len() as u32;
        self.terms.insert(word.to_owned(), t);
        self.postings.push(Vec::new());
        t
    }

    fn post(&mut self, term: u32, id: u64) {
        let ids = &mut self.postings[term as usize];
        if ids.last() != Some(&id) {
            ids.push(id);
        }
    }

    /// The terms of `text`: its words and compounds (tokenize.rs).
    fn terms_of(&mut self, text: &str) -> Vec<u32> {
        if is_one_word(text) {
            return vec![self.term(text)];
        }
        tokenize(text)
            .into_iter()
            .chain(compounds(text))
            .map(|w| self.term(&w))
            .collect()
    }

    fn add_once(&mut self, text: &str, id: u64) {
        for term in self.terms_of(text) {
            self.post(term, id);
        }
    }

    fn add(&mut self, text: &'a str, id: u64) {
        if !self.texts.contains_key(text) {
            let terms = self.terms_of(text).into_boxed_slice();
            self.texts.insert(text, terms);
        }
        for &term in self.texts[text].iter() {
            let ids = &mut self.postings[term as usize];
            if ids.last() != Some(&id) {
                ids.push(id);
            }
        }
    }
}

/// Lower-case letters and digits only, as identifiers, shas and ids are: the text is its
/// own one and only term, so it needs no tokenizing (`tokenize` would return it whole,
/// and it has no compounds).
fn is_one_word(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_word_texts_are_their_own_only_term() {
        for text in ["7xivd7plynqsbybh", "d597be8623fa6108", "21418", "2023"] {
            assert!(is_one_word(text));
            assert_eq!(tokenize(text), [text]);
            assert!(compounds(text).is_empty());
        }
        for text in ["", "Abc", "a-b", "a_b", "zoë", "2023-04"] {
            assert!(!is_one_word(text), "{text}");
        }
    }
}
