//! What a build learnt about the valid records and the pipeline files, by the hash of
//! their text or the file's stamp: enough to apply the rules across records without
//! parsing them again. A record with any problem is never in it, so it is parsed, and
//! reported, by every build.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::files::{JobKeys, RequestKeys};
use super::pipelines::{Stamp, StoreMemo};
use crate::interning::{Interner, Sym, Texts};

#[derive(Debug, Default)]
pub struct ReadMemo {
    pub(super) requests: FxHashMap<u128, RequestKeys>,
    pub(super) jobs: FxHashMap<u128, JobKeys>,
    pub(super) store: StoreMemo,
}

/// [`ReadMemo`] as it is written, its strings in the memo's table.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ReadRows {
    /// Text hash, id, identifier, nested jobs' identifiers.
    requests: Vec<(u128, u64, Sym, Vec<Sym>)>,
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

    /// The rows to write, by hash and path: the memo is in the output tree, and the same
    /// input and program make the same tree.
    pub fn rows<'a>(&'a self, strings: &mut Interner<'a>) -> ReadRows {
        let mut requests: Vec<_> = self.requests.iter().collect();
        requests.sort_unstable_by_key(|(h, _)| **h);
        let mut jobs: Vec<_> = self.jobs.iter().collect();
        jobs.sort_unstable_by_key(|(h, _)| **h);
        let mut store: Vec<_> = self.store.files.iter().collect();
        store.sort_unstable_by(|a, b| a.0.cmp(b.0));
        ReadRows {
            requests: requests
                .into_iter()
                .map(|(&h, k)| {
                    let nested = k.nested.iter().map(|j| strings.text(j)).collect();
                    (h, k.id, strings.text(&k.identifier), nested)
                })
                .collect(),
            jobs: jobs
                .into_iter()
                .map(|(&h, k)| {
                    let request = k.job_request_id.as_ref().map(|r| strings.text(r));
                    (h, strings.text(&k.identifier), request)
                })
                .collect(),
            store: store
                .into_iter()
                .map(|(path, &(stamp, hash))| (strings.sym(path), stamp, hash))
                .collect(),
        }
    }

    pub fn from_rows(rows: ReadRows, strings: &Texts) -> ReadMemo {
        ReadMemo {
            requests: rows
                .requests
                .into_iter()
                .map(|(h, id, identifier, nested)| {
                    let keys = RequestKeys {
                        id,
                        identifier: strings.get(identifier),
                        nested: nested.into_iter().map(|j| strings.get(j)).collect(),
                    };
                    (h, keys)
                })
                .collect(),
            jobs: rows
                .jobs
                .into_iter()
                .map(|(h, identifier, request)| {
                    let keys = JobKeys {
                        identifier: strings.get(identifier),
                        job_request_id: request.map(|r| strings.get(r)),
                    };
                    (h, keys)
                })
                .collect(),
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
