//! The site's search index (DESIGN.md §5, issue 5): built from the audited records, cut
//! into small content-hashed `.js` shards that the search page loads with `<script>` tags,
//! so that it works from disk and from a CDN and a query loads a bounded number of bytes
//! however large the archive. Pure: takes the audit, returns the files and their sizes;
//! `site` writes them.
//!
//! Layout, all under `search/`:
//!
//! * `index.<hash>.js`, the manifest: the filters' values (statuses, backends, orgs), and
//!   the first key and name of each directory page of term shards and of doc shards.
//! * `td.<hash>.js` / `dd.<hash>.js`, directory pages: `[key, shard name]` for up to
//!   [`DIRECTORY_PAGE`] shards each (a term shard's key is the shortest prefix that sorts
//!   after the previous shard's last term; a doc shard's key is its first id).
//! * `t.<hash>.js`, term shards: `{term: entry}` for a contiguous run of terms in sorted
//!   order. An entry is a string of postings (`shard::encode_postings`), optionally led by
//!   a jump (`r<id>;` a request, `j<id>;` a job of that request), or, for a term in more
//!   than [`HEAD`] requests, `{"p": newest postings, "n": count, "b": [[first id, block
//!   name], …], "j": jump}` with the older postings in blocks.
//! * `p.<hash>.js`, posting blocks: up to [`BLOCK`] older postings of one common term,
//!   loaded only to look further back than its newest [`HEAD`] requests.
//! * `d.<hash>.js`, doc shards: `{"s": strings, "d": rows}` (`docs::doc_row`).

mod docs;
mod index;
pub mod query;
mod shard;
pub mod tokenize;

pub use docs::Facets;
pub use index::{Jump, TermIndex};
pub use shard::{ShardFile, base36, decode_postings, encode_postings};

use serde_json::{Map, Value, json};

use crate::audit::Audit;
use shard::{directory, pack, separator};
use tokenize::js_order;

/// Bytes a term shard grows to before the next is started. With the script, manifest,
/// one directory page and a few doc shards this keeps a query under 60 KB.
pub const TERM_SHARD_BYTES: usize = 12_000;
/// Bytes of a doc shard.
pub const DOC_SHARD_BYTES: usize = 6_000;
/// Postings kept in a term's entry; older ones go to blocks.
pub const HEAD: usize = 64;
/// Postings in a block.
pub const BLOCK: usize = 2_048;
/// Shards listed in one directory page.
pub const DIRECTORY_PAGE: usize = 128;

/// Every file of the index and what they add up to.
#[derive(Debug, Default)]
pub struct SearchIndex {
    /// Sorted by name; the manifest is among them.
    pub files: Vec<ShardFile>,
    /// The manifest's name (`index.<hash>`), for the search page.
    pub manifest: String,
    pub stats: SearchStats,
}

/// For the build summary (issue 5 §4).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SearchStats {
    /// All files of the index.
    pub bytes: u64,
    pub shards: usize,
    pub largest_shard_bytes: u64,
    pub largest_shard_name: String,
}

pub fn build(audit: &Audit) -> SearchIndex {
    let terms = TermIndex::of(audit);
    let facets = Facets::of(audit);
    let mut files = Vec::new();

    // Term shards.
    let mut entries: Vec<(String, Value)> = terms
        .postings
        .iter()
        .map(|(term, ids)| {
            let descending: Vec<u64> = ids.iter().rev().copied().collect();
            let entry = term_entry(&descending, terms.jumps.get(term).copied(), &mut files);
            (term.clone(), entry)
        })
        .collect();
    entries.sort_by(|a, b| js_order(&a.0, &b.0));
    let sized: Vec<((String, Value), usize)> = entries
        .into_iter()
        .map(|(t, e)| {
            let bytes = t.len() + e.to_string().len() + 4;
            ((t, e), bytes)
        })
        .collect();
    let mut keys = Vec::new();
    let mut previous_last = String::new();
    for (i, run) in pack(sized, TERM_SHARD_BYTES).into_iter().enumerate() {
        let key = if i == 0 {
            String::new()
        } else {
            separator(&previous_last, &run[0].0)
        };
        previous_last = run[run.len() - 1].0.clone();
        let payload: Map<String, Value> = run.into_iter().collect();
        let file = ShardFile::new("t", &Value::Object(payload));
        keys.push((Value::String(key), file.name.clone()));
        files.push(file);
    }
    let (pages, term_top) = directory("td", keys, DIRECTORY_PAGE);
    files.extend(pages);

    // Doc shards.
    let mut keys = Vec::new();
    for (first, payload) in docs::doc_shards(audit, &facets, DOC_SHARD_BYTES) {
        let file = ShardFile::new("d", &payload);
        keys.push((json!(first), file.name.clone()));
        files.push(file);
    }
    let (pages, doc_top) = directory("dd", keys, DIRECTORY_PAGE);
    files.extend(pages);

    let mut manifest = facets.to_json();
    manifest["count"] = json!(audit.requests.len());
    manifest["terms"] = term_top;
    manifest["docs"] = doc_top;
    let manifest = ShardFile::new("index", &manifest);
    let name = manifest.name.clone();
    files.push(manifest);
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files.dedup_by(|a, b| a.name == b.name);

    let largest = files.iter().max_by(|a, b| {
        a.contents
            .len()
            .cmp(&b.contents.len())
            .then(b.name.cmp(&a.name))
    });
    let stats = SearchStats {
        bytes: files.iter().map(|f| f.contents.len() as u64).sum(),
        shards: files.len(),
        largest_shard_bytes: largest.map_or(0, |f| f.contents.len() as u64),
        largest_shard_name: largest.map_or_else(String::new, |f| f.path()),
    };
    SearchIndex {
        files,
        manifest: name,
        stats,
    }
}

/// A term's entry (see the module comment); blocks of older postings go to `files`.
fn term_entry(descending: &[u64], jump: Option<Jump>, files: &mut Vec<ShardFile>) -> Value {
    let jump = jump.map(|j| match j {
        Jump::Request(id) => format!("r{}", base36(id)),
        Jump::Job(id) => format!("j{}", base36(id)),
    });
    if descending.len() <= HEAD {
        let prefix = jump.map(|j| format!("{j};")).unwrap_or_default();
        return Value::String(prefix + &encode_postings(descending));
    }
    let blocks: Vec<Value> = descending[HEAD..]
        .chunks(BLOCK)
        .map(|chunk| {
            let file = ShardFile::new("p", &Value::String(encode_postings(chunk)));
            let entry = json!([base36(chunk[0]), file.name]);
            files.push(file);
            entry
        })
        .collect();
    let mut entry = json!({
        "p": encode_postings(&descending[..HEAD]),
        "n": descending.len(),
        "b": blocks,
    });
    if let Some(j) = jump {
        entry["j"] = Value::String(j);
    }
    entry
}
