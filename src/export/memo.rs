//! What a build learnt about the valid records and the pipeline files, by the hash of
//! their text or the file's stamp: enough to apply the rules across records without
//! parsing them again. A record with any problem is never in it, so it is parsed, and
//! reported, by every build.

use rayon::prelude::*;
use serde::Deserialize;

use super::files::{JobKeys, PathNames, RequestKeys};
use super::pipelines::{Stamp, StoreMemo};
use crate::interning::{Interner, Sym, Texts, write_seq};

#[derive(Debug, Default)]
pub struct ReadMemo {
    pub(super) requests: Known<RequestKeys>,
    pub(super) jobs: Known<JobKeys>,
    pub(super) store: StoreMemo,
}

/// Records' keys by the hash of their text. Read from a memo, they are in hash order and
/// looked up by binary search, from every core at once; collected by a read, they are in
/// file order and sorted once, when they are written. A table rather than a hash map:
/// half a million entries were inserted, iterated and sorted again on every build.
#[derive(Debug)]
pub(super) struct Known<K> {
    rows: Vec<(u128, Option<K>)>,
}

impl<K> Default for Known<K> {
    fn default() -> Self {
        Known { rows: Vec::new() }
    }
}

impl<K> Known<K> {
    pub(super) fn with_capacity(n: usize) -> Known<K> {
        Known {
            rows: Vec::with_capacity(n),
        }
    }

    /// Keys of a memo's rows, sorted by hash here if they are not already.
    fn sorted(mut rows: Vec<(u128, Option<K>)>) -> Known<K> {
        if !rows.is_sorted_by_key(|(h, _)| *h) {
            rows.sort_by_key(|(h, _)| *h);
        }
        Known { rows }
    }

    /// How many records it knows.
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Where the record of text hash `hash` is, if the memo knows it.
    pub(super) fn find(&self, hash: u128) -> Option<usize> {
        self.rows.binary_search_by_key(&hash, |(h, _)| *h).ok()
    }

    /// The keys at `at` (from `find`), once: a record met twice is parsed the second time.
    pub(super) fn take(&mut self, at: usize) -> Option<K> {
        self.rows.get_mut(at).and_then(|(_, keys)| keys.take())
    }

    /// Keeps `keys` for the next memo.
    pub(super) fn push(&mut self, hash: u128, keys: K) {
        self.rows.push((hash, Some(keys)));
    }

    /// Every row that holds keys, by hash, each hash once.
    fn by_hash(&self) -> Vec<(u128, &K)>
    where
        K: Sync,
    {
        let mut rows: Vec<(u128, &K)> = self
            .rows
            .iter()
            .filter_map(|(h, k)| k.as_ref().map(|k| (*h, k)))
            .collect();
        // Unstable, so in place (a stable sort takes a buffer of half a million rows): rows
        // of one hash are records of one text, whose keys are the same.
        rows.par_sort_unstable_by_key(|(h, _)| *h);
        rows.dedup_by_key(|(h, _)| *h);
        rows
    }
}

type RequestRow = (u128, u64, Sym, Vec<Sym>, [Sym; 4], Vec<Sym>, bool);

/// [`ReadMemo`] as it is written (row by row, by [`ReadMemo::write_rows`]), its strings
/// in the memo's table.
#[derive(Debug, Default, Deserialize)]
pub struct ReadRows {
    /// Text hash, id, identifier, nested jobs' identifiers, path names (project,
    /// workspace, backend, username; orgs), whether it wants the pipeline store.
    requests: Vec<RequestRow>,
    /// Text hash, identifier, the request's identifier.
    jobs: Vec<(u128, Sym, Option<Sym>)>,
    /// Path inside the store, stamp, text hash.
    store: Vec<(Sym, Stamp, u128)>,
}

impl ReadMemo {
    /// When the memo was written (nanoseconds since 1970, by its file): the pipeline
    /// files stamped just before are read again (`StoreMemo::written`).
    pub fn set_written(&mut self, written: Option<i128>) {
        self.store.written = written;
    }

    /// Appends the rows, by hash and path, to `out` as postcard writes [`ReadRows`]: the
    /// memo is in the output tree, and the same input and program make the same tree.
    pub fn write_rows<'a>(
        &'a self,
        strings: &mut Interner<'a>,
        out: Vec<u8>,
    ) -> postcard::Result<Vec<u8>> {
        let requests = self.requests.by_hash().into_iter().map(|(h, k)| {
            let nested: Vec<Sym> = k.nested.iter().map(|j| strings.text(j)).collect();
            let n = &k.names;
            let names =
                [&n.project, &n.workspace, &n.backend, &n.username].map(|t| strings.text(t));
            let orgs: Vec<Sym> = n.orgs.iter().map(|o| strings.text(o)).collect();
            let identifier = strings.text(&k.identifier);
            (h, k.id, identifier, nested, names, orgs, k.wants_store)
        });
        let out = write_seq(out, requests)?;
        let jobs = self.jobs.by_hash().into_iter().map(|(h, k)| {
            let request = k.job_request_id.as_ref().map(|r| strings.text(r));
            (h, strings.text(&k.identifier), request)
        });
        let out = write_seq(out, jobs)?;
        let mut store: Vec<_> = self.store.files.iter().collect();
        store.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let store = store
            .into_iter()
            .map(|(path, &(stamp, hash))| (strings.sym(path), stamp, hash));
        write_seq(out, store)
    }

    pub fn from_rows(rows: ReadRows, strings: &Texts) -> ReadMemo {
        ReadMemo {
            requests: Known::sorted(
                rows.requests
                    .into_iter()
                    .map(|(h, id, identifier, nested, names, orgs, wants_store)| {
                        let [project, workspace, backend, username] = names.map(|n| strings.get(n));
                        let keys = RequestKeys {
                            id,
                            identifier: strings.get(identifier),
                            nested: nested.into_iter().map(|j| strings.get(j)).collect(),
                            names: PathNames {
                                project,
                                workspace,
                                backend,
                                username,
                                orgs: orgs.into_iter().map(|o| strings.get(o)).collect(),
                            },
                            wants_store,
                        };
                        (h, Some(keys))
                    })
                    .collect(),
            ),
            jobs: Known::sorted(
                rows.jobs
                    .into_iter()
                    .map(|(h, identifier, request)| {
                        let keys = JobKeys {
                            identifier: strings.get(identifier),
                            job_request_id: request.map(|r| strings.get(r)),
                        };
                        (h, Some(keys))
                    })
                    .collect(),
            ),
            store: StoreMemo {
                files: rows
                    .store
                    .into_iter()
                    .map(|(path, stamp, hash)| (strings.get(path).to_string(), (stamp, hash)))
                    .collect(),
                written: None,
            },
        }
    }
}
