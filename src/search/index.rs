//! What is searchable about a request (issue 5 §1), read from the audited records, never
//! from the rendered HTML: the words of every field, each with the requests it occurs in.

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

use super::tokenize::{compounds, js_order, phrase, tokenize};
use crate::audit::{Audit, Summary};

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
pub struct TermIndex<'a> {
    /// In JavaScript's string order (`js_order`).
    pub terms: Vec<Term<'a>>,
    /// Every term's request ids, ascending, one after another (`Term::ids`).
    pub(super) ids: Vec<u64>,
}

#[derive(Debug)]
pub struct Term<'a> {
    /// Borrowed from the records where a text is its own term (identifiers, shas).
    pub text: Cow<'a, str>,
    /// Where its ids are in `TermIndex::ids`.
    pub(super) ids: std::ops::Range<usize>,
    /// Where an exact query of the term goes.
    pub jump: Option<Jump>,
}

impl<'a> TermIndex<'a> {
    /// The request ids of `term`, ascending.
    pub fn ids(&self, term: &Term<'_>) -> &[u64] {
        &self.ids[term.ids.clone()]
    }

    /// The index of every request.
    pub fn of(audit: &'a Audit) -> TermIndex<'a> {
        TermIndex::of_rows(audit, 0..audit.requests.len())
    }

    /// The index of the requests at `rows` (ascending). Requests come sorted by id, so a
    /// term's postings arrive in order and a term seen again in the same request is the
    /// last one posted.
    pub fn of_rows(audit: &'a Audit, rows: impl ExactSizeIterator<Item = usize>) -> TermIndex<'a> {
        let mut b = Builder::with_capacity(rows.len());
        let mut jobs = Vec::new();
        for row in rows {
            let q = &audit.requests[row];
            let id = q.id;
            b.row = row as u32;
            // Unique to the request: tokenized as they come.
            let number = b.term(Cow::Owned(id.to_string()));
            b.post(number);
            let identifier = b.add_once(&q.identifier);
            jobs.clear();
            jobs.extend(q.jobs.iter().map(|job| b.add_once(&job.identifier)));
            // The whole sha is one term: a query of its first characters finds it by
            // prefix, like `git` does.
            b.add_once(&q.sha);
            // Shared by many requests: tokenized once per distinct text.
            b.add(&q.workspace.name);
            b.add(&q.project.slug);
            b.add(&q.project.name);
            for org in &q.orgs {
                b.add(&org.slug);
                b.add(&org.name);
            }
            b.add(&q.created_by.username);
            b.add(&q.created_by.fullname);
            for action in &q.requested_actions {
                b.add(action);
            }
            for job in &q.jobs {
                b.add(&job.action);
            }
            b.add(&q.backend.slug);
            b.add(&q.backend.name);
            b.add(q.status.as_str());
            b.add(q.status.label());
            b.add_day(q.created_at);
            // The researcher's whole name is a term too (tokenize.rs, phrase).
            b.add_phrase(&q.created_by.fullname);

            // Jumps: a later record never takes an identifier from an earlier one, so the
            // target does not depend on anything but the input order (by id). Every
            // word jumped from is a term of the request already.
            match identifier {
                Some(term) => b.jump(term, Jump::Request(id)),
                None => {
                    for word in tokenize(&q.identifier) {
                        let term = b.term(Cow::Owned(word));
                        b.jump(term, Jump::Request(id));
                    }
                }
            }
            b.jump(number, Jump::Request(id));
            // A job's anchor is its identifier verbatim, so only an identifier that is one
            // lower-case word can be reached from the word the query gives.
            for term in jobs.iter().flatten() {
                b.jump(*term, Jump::Job(id));
            }
        }
        b.finish(|row| audit.requests[row as usize].id)
    }
}

/// Where an exact query of `term` goes for request `q` alone, as `TermIndex::of_rows`
/// decides: its identifier (or a word of it) and its id go to the request, a job's
/// one-word identifier to that job.
pub(super) fn jump_in(q: &Summary, term: &str) -> Option<Jump> {
    let identifier = if is_one_word(&q.identifier) {
        *q.identifier == *term
    } else {
        tokenize(&q.identifier).iter().any(|w| w == term)
    };
    if identifier || q.id.to_string() == term {
        return Some(Jump::Request(q.id));
    }
    q.jobs
        .iter()
        .any(|job| is_one_word(&job.identifier) && *job.identifier == *term)
        .then_some(Jump::Job(q.id))
}

/// Terms numbered as they are first seen, every posting as a (term, row) pair, and the
/// terms of each shared text (a workspace, a researcher, an action), so that a text met
/// in a thousand requests is tokenized once. Pairs rather than a list per term: most
/// terms (identifiers) occur once, and a list each was a million allocations.
struct Builder<'a> {
    terms: FxHashMap<Cow<'a, str>, u32>,
    /// (term, row) in row order.
    pairs: Vec<(u32, u32)>,
    /// Per term: the last row posted (to post a term once per request), and its jump.
    last_row: Vec<u32>,
    jumps: Vec<Option<Jump>>,
    texts: FxHashMap<&'a str, Box<[u32]>>,
    /// The terms of each creation day (days since 1970), and each researcher's whole name.
    days: FxHashMap<i64, Box<[u32]>>,
    phrases: FxHashMap<&'a str, Option<u32>>,
    /// The request being added: its position in the audit.
    row: u32,
}

impl<'a> Builder<'a> {
    /// Sized for a request's usual dozen own terms and forty postings: growing tables of a
    /// million keys rehashes them several times over.
    fn with_capacity(requests: usize) -> Builder<'a> {
        Builder {
            terms: FxHashMap::with_capacity_and_hasher(requests * 8, Default::default()),
            pairs: Vec::with_capacity(requests * 48),
            last_row: Vec::with_capacity(requests * 8),
            jumps: Vec::with_capacity(requests * 8),
            texts: FxHashMap::default(),
            days: FxHashMap::default(),
            phrases: FxHashMap::default(),
            row: 0,
        }
    }

    fn term(&mut self, word: Cow<'a, str>) -> u32 {
        if let Some(&t) = self.terms.get(word.as_ref()) {
            return t;
        }
        let t = self.last_row.len() as u32;
        self.terms.insert(word, t);
        self.last_row.push(u32::MAX);
        self.jumps.push(None);
        t
    }

    fn post(&mut self, term: u32) {
        post(&mut self.last_row, &mut self.pairs, self.row, term);
    }

    fn jump(&mut self, term: u32, to: Jump) {
        self.jumps[term as usize].get_or_insert(to);
    }

    /// The terms of `text`: its words and compounds (tokenize.rs).
    fn terms_of(&mut self, text: &'a str) -> Vec<u32> {
        if is_one_word(text) {
            return vec![self.term(Cow::Borrowed(text))];
        }
        tokenize(text)
            .into_iter()
            .chain(compounds(text))
            .map(|w| self.term(Cow::Owned(w)))
            .collect()
    }

    /// Posts the terms of a text unique to the request; a text that is its own one term
    /// gives that term back, for its jump.
    fn add_once(&mut self, text: &'a str) -> Option<u32> {
        if is_one_word(text) {
            let term = self.term(Cow::Borrowed(text));
            self.post(term);
            return Some(term);
        }
        for term in self.terms_of(text) {
            self.post(term);
        }
        None
    }

    /// The day a request was created, `2023-04-05`: one term for each day, tokenized
    /// once.
    fn add_day(&mut self, created_at: DateTime<Utc>) {
        let day = created_at.timestamp().div_euclid(86_400);
        if !self.days.contains_key(&day) {
            let terms: Box<[u32]> = tokenize(&crate::model::time::iso(created_at)[..10])
                .into_iter()
                .map(|word| self.term(Cow::Owned(word)))
                .collect();
            self.days.insert(day, terms);
        }
        let Builder {
            days,
            last_row,
            pairs,
            row,
            ..
        } = self;
        for &term in days[&day].iter() {
            post(last_row, pairs, *row, term);
        }
    }

    fn add_phrase(&mut self, fullname: &'a str) {
        let term = match self.phrases.get(fullname) {
            Some(&term) => term,
            None => {
                let term = phrase(fullname).map(|name| self.term(Cow::Owned(name)));
                self.phrases.insert(fullname, term);
                term
            }
        };
        if let Some(term) = term {
            self.post(term);
        }
    }

    fn add(&mut self, text: &'a str) {
        if !self.texts.contains_key(text) {
            let terms = self.terms_of(text).into_boxed_slice();
            self.texts.insert(text, terms);
        }
        let Builder {
            texts,
            last_row,
            pairs,
            row,
            ..
        } = self;
        for &term in texts[text].iter() {
            post(last_row, pairs, *row, term);
        }
    }

    /// Groups the pairs by term (a counting sort, which keeps each term's rows in order)
    /// and sorts the terms.
    fn finish(self, id_of: impl Fn(u32) -> u64) -> TermIndex<'a> {
        let mut start = vec![0usize; self.last_row.len() + 1];
        for &(term, _) in &self.pairs {
            start[term as usize + 1] += 1;
        }
        for t in 1..start.len() {
            start[t] += start[t - 1];
        }
        let mut next = start.clone();
        let mut ids = vec![0u64; self.pairs.len()];
        for &(term, row) in &self.pairs {
            let slot = &mut next[term as usize];
            ids[*slot] = id_of(row);
            *slot += 1;
        }
        // Byte order is JavaScript's for all but a few rare characters (js_order). Most
        // terms differ in their first eight bytes (identifiers are random), so those, as a
        // number, decide most comparisons without a call to memcmp.
        let mut keyed: Vec<(u64, Term<'a>)> = self
            .terms
            .into_iter()
            .map(|(text, t)| {
                let term = Term {
                    ids: start[t as usize]..start[t as usize + 1],
                    jump: self.jumps[t as usize],
                    text,
                };
                (prefix(&term.text), term)
            })
            .collect();
        keyed.par_sort_unstable_by(|(ka, a), (kb, b)| ka.cmp(kb).then_with(|| a.text.cmp(&b.text)));
        let mut terms: Vec<Term<'a>> = keyed.into_iter().map(|(_, t)| t).collect();
        if terms.iter().any(|t| t.text.bytes().any(|b| b >= 0xEE)) {
            terms.sort_by(|a, b| js_order(&a.text, &b.text));
        }
        TermIndex { terms, ids }
    }
}

/// The first eight bytes of `text`, zero-padded, as a big-endian number: ordered as the
/// texts are wherever two differ there.
fn prefix(text: &str) -> u64 {
    let mut head = [0u8; 8];
    let n = text.len().min(8);
    head[..n].copy_from_slice(&text.as_bytes()[..n]);
    u64::from_be_bytes(head)
}

/// Posts `term` for `row`, once: a term seen again in the same request is the last one
/// posted. (A function of the fields it needs, so that `Builder::add` can post while it
/// reads a text's terms.)
fn post(last_row: &mut [u32], pairs: &mut Vec<(u32, u32)>, row: u32, term: u32) {
    let last = &mut last_row[term as usize];
    if *last != row {
        *last = row;
        pairs.push((term, row));
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
