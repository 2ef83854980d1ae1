//! What a result shows (issue 5 §3: status, id, workspace, researcher, backend, date) and
//! what the filters test (status, backend, orgs, date), per request, in shards by id
//! range. A query loads only the shards of the requests it shows.

use rustc_hash::FxHashMap;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write;

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
        let owned = |map: BTreeMap<crate::model::Text, crate::model::Text>| {
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
}

/// One request as a row, appended to `out`: `[id - first id of the shard, status,
/// backend, orgs, day, project slug, workspace, researcher]`. Status, backend and orgs are
/// positions in the manifest's lists (orgs a number when there is one, else a list, the
/// lead first); the day counts from 1970-01-01; the last three are positions in the
/// shard's own string table, as names repeat within an id range. Small rows keep a shard
/// small, which matters because the requests a query shows may each be in a different
/// shard. Written as serde_json writes the same array, without building it.
fn doc_row<'a>(
    q: &'a Summary,
    first: u64,
    facets: &Positions<'_>,
    strings: &mut Strings<'a>,
    out: &mut String,
) {
    let mut orgs: Vec<usize> = q.orgs.iter().map(|o| facets.org(&o.slug)).collect();
    if let Some(lead) = q.orgs.iter().position(|o| o.lead) {
        orgs.swap(0, lead);
    }
    let _ = write!(
        out,
        "[{},{},{},",
        q.id - first,
        facets.status(q.status.as_str()),
        facets.backend(&q.backend.slug),
    );
    match orgs.as_slice() {
        [one] => {
            let _ = write!(out, "{one}");
        }
        _ => {
            out.push('[');
            for (i, n) in orgs.iter().enumerate() {
                let _ = write!(out, "{}{n}", if i > 0 { "," } else { "" });
            }
            out.push(']');
        }
    }
    let _ = write!(
        out,
        ",{},{},{},{}]",
        q.created_at.timestamp().div_euclid(86_400),
        strings.position(&q.project.slug),
        strings.position(&q.workspace.name),
        strings.position(&q.created_by.fullname),
    );
}

/// The facets' positions by value, looked up once per request rather than searched.
struct Positions<'f> {
    statuses: FxHashMap<&'f str, usize>,
    backends: FxHashMap<&'f str, usize>,
    orgs: FxHashMap<&'f str, usize>,
}

impl<'f> Positions<'f> {
    fn of(facets: &'f Facets) -> Positions<'f> {
        // The first of equal keys, as a search from the start finds.
        let index = |list: &'f [(String, String)]| {
            let mut map = FxHashMap::default();
            for (i, (key, _)) in list.iter().enumerate() {
                map.entry(key.as_str()).or_insert(i);
            }
            map
        };
        Positions {
            statuses: index(&facets.statuses),
            backends: index(&facets.backends),
            orgs: index(&facets.orgs),
        }
    }

    fn status(&self, key: &str) -> usize {
        self.statuses.get(key).copied().unwrap_or(0)
    }

    fn backend(&self, key: &str) -> usize {
        self.backends.get(key).copied().unwrap_or(0)
    }

    fn org(&self, key: &str) -> usize {
        self.orgs.get(key).copied().unwrap_or(0)
    }
}

/// A shard's string table.
#[derive(Debug, Default)]
struct Strings<'a> {
    list: Vec<&'a str>,
    index: FxHashMap<&'a str, usize>,
    /// Bytes the table takes in JSON, roughly: each string and three more.
    bytes: usize,
}

impl<'a> Strings<'a> {
    fn position(&mut self, s: &'a str) -> usize {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.list.push(s);
        self.index.insert(s, self.list.len() - 1);
        self.bytes += s.len() + 3;
        self.list.len() - 1
    }

    /// Forgets the strings added after the first `len`.
    fn truncate(&mut self, len: usize) {
        for s in self.list.drain(len.min(self.list.len())..) {
            self.index.remove(s);
            self.bytes -= s.len() + 3;
        }
    }
}

/// Doc shards of at most about `limit` bytes, in id order: `(first id, payload)`, the
/// payload `{"f": first id, "s": strings, "d": rows}` as JSON.
pub(super) fn doc_shards(audit: &Audit, facets: &Facets, limit: usize) -> Vec<(u64, String)> {
    let positions = Positions::of(facets);
    let mut shards = Vec::new();
    // The shard being filled: its first id, its rows (JSON, comma-separated), its strings.
    let (mut first, mut rows, mut strings) = (0, String::new(), Strings::default());
    let flush = |first: u64, rows: &mut String, strings: &mut Strings<'_>| -> (u64, String) {
        let mut json = format!("{{\"f\":{first},\"s\":");
        // Writing strings into a String's bytes cannot fail, and keeps it UTF-8.
        let mut table = Vec::with_capacity(strings.bytes + 2);
        let _ = serde_json::to_writer(&mut table, &strings.list);
        json.push_str(&String::from_utf8(table).unwrap_or_default());
        let _ = write!(json, ",\"d\":[{rows}]}}");
        rows.clear();
        *strings = Strings::default();
        (first, json)
    };
    // Shards are cut by the requests' ids (shard::Cuts), so a changed or added request
    // rewrites its own shard, not every shard after it.
    let mut cuts = Cuts::new(limit);
    let mut row = String::new();
    for r in &audit.requests {
        let id = r.id;
        if rows.is_empty() {
            first = id;
        }
        let (mark, before) = (strings.list.len(), strings.bytes);
        row.clear();
        doc_row(r, first, &positions, &mut strings, &mut row);
        let bytes = row.len() + 1 + strings.bytes - before;
        if cuts.starts_run(bytes, cut_hash(&id.to_le_bytes())) {
            // The row opens the next shard: its strings go to that shard's table.
            strings.truncate(mark);
            if !rows.is_empty() {
                shards.push(flush(first, &mut rows, &mut strings));
            }
            first = id;
            row.clear();
            doc_row(r, first, &positions, &mut strings, &mut row);
        }
        if !rows.is_empty() {
            rows.push(',');
        }
        rows.push_str(&row);
    }
    if !rows.is_empty() {
        shards.push(flush(first, &mut rows, &mut strings));
    }
    shards
}
