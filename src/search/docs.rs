//! What a result shows (issue 5 §3: status, id, workspace, researcher, backend, date) and
//! what the filters test (status, backend, orgs, date), per request, in shards by id
//! range. A query loads only the shards of the requests it shows.

use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::shard::{Cuts, cut_hash};

use crate::audit::{Audit, Summary};

/// The values the filters offer, from the whole archive; they are in the manifest and a
/// doc refers to them by position.
#[derive(Debug, Default)]
pub struct Facets {
    /// `(value, label)`, in `Status::ALL` order, only those that occur.
    pub statuses: Vec<(String, String)>,
    /// `(slug, name)` by slug.
    pub backends: Vec<(String, String)>,
    /// `(slug, name)` by slug.
    pub orgs: Vec<(String, String)>,
}

impl Facets {
    pub fn of(audit: &Audit) -> Facets {
        let mut statuses = BTreeMap::new();
        let mut backends = BTreeMap::new();
        let mut orgs = BTreeMap::new();
        // Later records win, so a renamed org shows its latest name.
        for q in &audit.requests {
            statuses.insert(q.status, q.status.label().to_owned());
            backends.insert(q.backend.slug.clone(), q.backend.name.clone());
            for o in &q.orgs {
                orgs.insert(o.slug.clone(), o.name.clone());
            }
        }
        let owned = |map: BTreeMap<crate::export::Text, crate::export::Text>| {
            map.into_iter()
                .map(|(slug, name)| (slug.to_string(), name.to_string()))
                .collect()
        };
        Facets {
            statuses: statuses
                .into_iter()
                .map(|(s, l)| (s.as_str().to_owned(), l))
                .collect(),
            backends: owned(backends),
            orgs: owned(orgs),
        }
    }

    pub fn to_json(&self) -> Value {
        let pairs =
            |v: &[(String, String)]| -> Value { v.iter().map(|(a, b)| json!([a, b])).collect() };
        json!({
            "statuses": pairs(&self.statuses),
            "backends": pairs(&self.backends),
            "orgs": pairs(&self.orgs),
        })
    }

    fn position(list: &[(String, String)], key: &str) -> usize {
        list.iter().position(|(k, _)| k == key).unwrap_or(0)
    }
}

/// One request as a row: `[id - first id of the shard, status, backend, orgs, day,
/// project slug, workspace, researcher]`. Status, backend and orgs are positions in the
/// manifest's lists (orgs a number when there is one, else a list, the lead first); the
/// day counts from 1970-01-01; the last three are positions in the shard's own string
/// table, as names repeat within an id range. Small rows keep a shard small, which
/// matters because the requests a query shows may each be in a different shard.
pub(super) fn doc_row(q: &Summary, first: u64, facets: &Facets, strings: &mut Strings) -> Value {
    let mut orgs: Vec<usize> = q
        .orgs
        .iter()
        .map(|o| Facets::position(&facets.orgs, &o.slug))
        .collect();
    if let Some(lead) = q.orgs.iter().position(|o| o.lead) {
        orgs.swap(0, lead);
    }
    let orgs = match orgs.as_slice() {
        [one] => json!(one),
        _ => json!(orgs),
    };
    json!([
        q.id - first,
        Facets::position(&facets.statuses, q.status.as_str()),
        Facets::position(&facets.backends, &q.backend.slug),
        orgs,
        q.created_at.timestamp().div_euclid(86_400),
        strings.position(&q.project.slug),
        strings.position(&q.workspace.name),
        strings.position(&q.created_by.fullname),
    ])
}

/// A shard's string table.
#[derive(Debug, Default)]
pub(super) struct Strings {
    list: Vec<String>,
    index: BTreeMap<String, usize>,
}

impl Strings {
    pub(super) fn position(&mut self, s: &str) -> usize {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.list.push(s.to_owned());
        self.index.insert(s.to_owned(), self.list.len() - 1);
        self.list.len() - 1
    }

    /// Forgets the strings added after the first `len`.
    fn truncate(&mut self, len: usize) {
        for s in self.list.drain(len.min(self.list.len())..) {
            self.index.remove(&s);
        }
    }

    /// Bytes the table takes in JSON, roughly.
    pub(super) fn bytes(&self) -> usize {
        self.list.iter().map(|s| s.len() + 3).sum()
    }

    pub(super) fn into_json(self) -> Value {
        Value::Array(self.list.into_iter().map(Value::String).collect())
    }
}

/// Doc shards of at most about `limit` bytes, in id order: `(first id, payload)`.
pub(super) fn doc_shards(audit: &Audit, facets: &Facets, limit: usize) -> Vec<(u64, Value)> {
    let mut shards = Vec::new();
    let mut rows: Vec<Value> = Vec::new();
    let mut strings = Strings::default();
    let mut first = 0;
    let flush = |rows: &mut Vec<Value>,
                 strings: &mut Strings,
                 shards: &mut Vec<(u64, Value)>,
                 first: u64| {
        if !rows.is_empty() {
            let table = std::mem::take(strings).into_json();
            shards.push((
                first,
                json!({"f": first, "s": table, "d": std::mem::take(rows)}),
            ));
        }
    };
    // Shards are cut by the requests' ids (shard::Cuts), so a changed or added request
    // rewrites its own shard, not every shard after it.
    let mut cuts = Cuts::new(limit);
    for r in &audit.requests {
        let id = r.id;
        if rows.is_empty() {
            first = id;
        }
        let (mark, before) = (strings.list.len(), strings.bytes());
        let row = doc_row(r, first, facets, &mut strings);
        let bytes = row.to_string().len() + 1 + strings.bytes() - before;
        if cuts.starts_run(bytes, cut_hash(&id.to_le_bytes())) {
            // The row opens the next shard: its strings go to that shard's table.
            strings.truncate(mark);
            flush(&mut rows, &mut strings, &mut shards, first);
            first = id;
            rows.push(doc_row(r, first, facets, &mut strings));
        } else {
            rows.push(row);
        }
    }
    flush(&mut rows, &mut strings, &mut shards, first);
    shards
}
