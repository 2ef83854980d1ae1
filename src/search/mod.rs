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
//!   [`TERM_DIRECTORY_PAGE`] or [`DOC_DIRECTORY_PAGE`] shards each (a term shard's key is the shortest prefix that sorts
//!   after the previous shard's last term; a doc shard's key is its first id).
//! * `t.<hash>.js`, term shards: `{term: entry}` for a contiguous run of terms in sorted
//!   order. An entry is a string of postings (`shard::encode_postings`), optionally led by
//!   a jump (`r<id>;` a request, `j<id>;` a job of that request), or, for a term in more
//!   than [`HEAD`] requests, `{"p": newest postings, "n": count, "b": [[first id, block
//!   name], …], "j": jump}` with the older postings in whole blocks.
//! * `p.<hash>.js`, posting blocks: [`BLOCK`] older postings of one common term, counted
//!   from its oldest, loaded only to look further back than the entry's postings.
//! * `d.<hash>.js`, doc shards: `{"f": first id, "s": strings, "d": rows}`
//!   (`docs::doc_row`).

mod docs;
mod index;
pub mod query;
mod shard;
mod stored;
pub mod tokenize;

pub use docs::Facets;
pub use index::{Jump, TermIndex};
pub use shard::{ShardFile, base36, decode_postings, encode_postings};

use rayon::prelude::*;
use serde_json::{Value, json};
use std::sync::Mutex;

use crate::audit::Audit;
use shard::{directory, separator};

/// Bytes a term shard grows to before the next is started. With the script, manifest,
/// one directory page and a few doc shards this keeps a query under 60 KB.
pub const TERM_SHARD_BYTES: usize = 6_000;
/// Bytes of a doc shard. Small, because the requests a query shows may lie far apart
/// (a researcher's few requests over years), each in its own doc shard.
pub const DOC_SHARD_BYTES: usize = 1_000;
/// Postings kept in a term's entry at least (at most `HEAD + BLOCK - 1`); older ones go
/// to blocks.
pub const HEAD: usize = 64;
/// Postings in a block.
pub const BLOCK: usize = 2_048;
/// Term shards listed in one directory page, about (at most twice as many).
pub const TERM_DIRECTORY_PAGE: usize = 64;
/// Doc shards listed in one directory page, about (at most twice as many).
pub const DOC_DIRECTORY_PAGE: usize = 64;

/// Every file of the index and what they add up to.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SearchIndex {
    /// Sorted by name; the manifest is among them.
    pub files: Vec<ShardFile>,
    /// The manifest's name (`index.<hash>`), for the search page.
    pub manifest: String,
    pub stats: SearchStats,
    /// The term index as the next build can take it (`build_from`).
    pub stored: Vec<u8>,
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
    build_from(audit, &[])
}

/// `build`, taking the term index from `previous`, the last build's `SearchIndex::stored`,
/// where it can (stored.rs): the same files, made without reading every request's words.
pub fn build_from(audit: &Audit, previous: &[u8]) -> SearchIndex {
    let facets = Facets::of(audit);
    // The doc shards are cut in one pass over the requests, beside the terms rather than
    // after them: on a night that pass was the tail the pages waited for.
    let ((mut files, term_top, stored), (docs, doc_top)) =
        rayon::join(|| term_files(audit, previous), || doc_files(audit, &facets));
    files.extend(docs);

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
        stored,
    }
}

/// The term shards, their posting blocks and directory pages; the directory's top page,
/// for the manifest; and the term index stored for the next build.
fn term_files(audit: &Audit, previous: &[u8]) -> (Vec<ShardFile>, Value, Vec<u8>) {
    let terms = stored::index_of(audit, previous);
    // Each term's size in its shard and cut hash, on every core: sizes, not entries (on
    // a 100k night, 700,000 entries held at once were 44 MB). The JSON entries of terms
    // with posting blocks are made then and kept by term number (their blocks go to
    // `blocks`, in any order: the files are sorted by name); the usual entry, a string
    // of postings, is written straight into its shard.
    let blocks = Mutex::new(Vec::new());
    let long = Mutex::new(Vec::new());
    let sized: Vec<(usize, u64)> = terms
        .terms
        .par_iter()
        .enumerate()
        .map(|(n, term)| {
            let ids = terms.ids(term);
            let entry = match json_entry(ids, term.jump, &blocks) {
                Some(json) => {
                    let len = json.len();
                    if let Ok(mut long) = long.lock() {
                        long.push((n, json));
                    }
                    len
                }
                None => Entry::Postings(term.jump, ids).len(),
            };
            let hash = shard::cut_hash(term.text.as_bytes());
            (term.text.len() + entry + 4, hash)
        })
        .collect();
    let mut files = blocks.into_inner().unwrap_or_default();
    let mut long = long.into_inner().unwrap_or_default();
    long.sort_unstable_by_key(|&(n, _)| n);
    let member = |n: usize| {
        let term = &terms.terms[n];
        let entry = match long.binary_search_by_key(&n, |&(m, _)| m) {
            Ok(i) => Entry::Json(&long[i].1),
            Err(_) => Entry::Postings(term.jump, terms.ids(term)),
        };
        (&*term.text, entry)
    };
    let runs = shard::runs(sized.into_iter(), TERM_SHARD_BYTES);
    let text = |n: usize| &*terms.terms[n].text;
    // A shard is found by the shortest prefix that sorts after the previous one's last term.
    let separators: Vec<String> = std::iter::once(String::new())
        .chain(
            runs.windows(2)
                .map(|w| separator(text(w[0].end - 1), text(w[1].start))),
        )
        .collect();
    let shards: Vec<ShardFile> = runs
        .par_iter()
        .map(|run| ShardFile::from_json("t", object(run.clone().map(&member))))
        .collect();
    // Stored once the shards are made and the JSON entries dropped: stored first, its
    // 24 MB at 100k were held through all of that.
    drop(long);
    let stored = stored::encode(audit, &terms, previous.len());
    let keys = separators
        .into_iter()
        .zip(&shards)
        .map(|(key, file)| (Value::String(key), file.name.clone()))
        .collect();
    files.extend(shards);
    let (pages, top) = directory("td", keys, TERM_DIRECTORY_PAGE);
    files.extend(pages);
    (files, top, stored)
}

/// The doc shards and their directory pages; and the directory's top page.
fn doc_files(audit: &Audit, facets: &Facets) -> (Vec<ShardFile>, Value) {
    let shards: Vec<(u64, ShardFile)> = docs::doc_shards(audit, facets, DOC_SHARD_BYTES)
        .into_par_iter()
        .map(|(first, payload)| (first, ShardFile::from_json("d", payload)))
        .collect();
    let keys = shards
        .iter()
        .map(|(first, file)| (json!(first), file.name.clone()))
        .collect();
    let mut files: Vec<ShardFile> = shards.into_iter().map(|(_, file)| file).collect();
    let (pages, top) = directory("dd", keys, DOC_DIRECTORY_PAGE);
    files.extend(pages);
    (files, top)
}

/// `{"term":entry,…}`, as serde_json writes an object.
fn object<'t>(members: impl Iterator<Item = (&'t str, Entry<'t>)> + Clone) -> String {
    let mut json = String::with_capacity(members.clone().map(|(t, e)| t.len() + e.len() + 4).sum());
    // Each term quoted by serde_json into one buffer used again, not a string each.
    let mut quoted = Vec::new();
    json.push('{');
    for (i, (term, entry)) in members.enumerate() {
        if i > 0 {
            json.push(',');
        }
        quoted.clear();
        // Writing a string into a Vec cannot fail, and gives UTF-8.
        let _ = serde_json::to_writer(&mut quoted, term);
        json.push_str(std::str::from_utf8(&quoted).unwrap_or_default());
        json.push(':');
        entry.write(&mut json);
    }
    json.push('}');
    json
}

/// A term's entry (see the module comment): a string of postings, written straight into
/// its shard; or, for a term with blocks of older postings, its JSON.
#[derive(Clone, Copy)]
enum Entry<'t> {
    Postings(Option<Jump>, &'t [u64]),
    Json(&'t str),
}

impl Entry<'_> {
    /// Its size in bytes, as written.
    fn len(&self) -> usize {
        match self {
            Entry::Postings(jump, ascending) => {
                2 + jump.map_or(0, |j| jump_len(j) + 1)
                    + shard::postings_len(ascending.iter().rev().copied())
            }
            Entry::Json(json) => json.len(),
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Entry::Postings(jump, ascending) => {
                // Base-36 digits, commas and a `r`/`j` jump: nothing to escape.
                out.push('"');
                if let Some(j) = jump {
                    push_jump(out, *j);
                    out.push(';');
                }
                shard::push_postings(out, ascending.iter().rev().copied());
                out.push('"');
            }
            Entry::Json(json) => out.push_str(json),
        }
    }
}

/// A jump as an entry gives it: `r<id>` a request, `j<id>` a job of that request.
fn push_jump(out: &mut String, jump: Jump) {
    let (kind, id) = match jump {
        Jump::Request(id) => ('r', id),
        Jump::Job(id) => ('j', id),
    };
    out.push(kind);
    shard::push_base36(out, id);
}

fn jump_len(jump: Jump) -> usize {
    let (Jump::Request(id) | Jump::Job(id)) = jump;
    1 + shard::base36_len(id)
}

/// The JSON entry of a term with blocks of older postings, from its request ids,
/// ascending; the blocks go to `files`. None for a term whose entry is its postings.
fn json_entry(
    ascending: &[u64],
    jump: Option<Jump>,
    files: &Mutex<Vec<ShardFile>>,
) -> Option<String> {
    if ascending.len() <= HEAD {
        return None;
    }
    let jump = jump.map(|j| {
        let mut text = String::new();
        push_jump(&mut text, j);
        text
    });
    let descending: Vec<u64> = ascending.iter().rev().copied().collect();
    // Blocks are whole and counted from the oldest posting; the newest HEAD to
    // HEAD + BLOCK - 1 stay in the entry. New requests then change the entry alone until
    // a block fills, rather than a partial block file for every common term they have.
    let full = (descending.len() - HEAD) / BLOCK;
    let (newest, older) = descending.split_at(descending.len() - full * BLOCK);
    let blocks: Vec<Value> = older
        .chunks(BLOCK)
        .map(|chunk| {
            let file = ShardFile::new("p", &Value::String(encode_postings(chunk)));
            let entry = json!([base36(chunk[0]), file.name]);
            if let Ok(mut files) = files.lock() {
                files.push(file);
            }
            entry
        })
        .collect();
    let mut entry = json!({
        "p": encode_postings(newest),
        "n": descending.len(),
        "b": blocks,
    });
    if let Some(j) = jump {
        entry["j"] = Value::String(j);
    }
    Some(entry.to_string())
}

#[cfg(test)]
mod tests {
    use super::query::{self, Hit, files_by_name, rank};
    use super::*;
    use crate::audit;
    use crate::config::SiteConfig;
    use crate::export;

    /// A request of workspace `ws` by `user`, with one job per `(identifier, action)`.
    pub(crate) fn record(
        id: u64,
        ws: &str,
        user: &str,
        backend: &str,
        jobs: &[(&str, &str)],
    ) -> String {
        let jobs: Vec<serde_json::Value> = jobs
            .iter()
            .map(|(identifier, action)| {
                json!({"identifier": identifier, "action": action, "status": "succeeded"})
            })
            .collect();
        json!({
            "id": id,
            "identifier": format!("req{id:013}"),
            "backend": backend,
            "workspace": {"name": ws, "repo": format!("https://github.com/opensafely/{ws}")},
            "project": {"slug": format!("{ws}-project"), "name": "A project"},
            "orgs": [{"slug": "bennett-institute", "name": "Bennett Institute", "lead": true}],
            "created_by": {"username": user, "fullname": format!("Dr {user}")},
            "created_at": format!("2023-{:02}-{:02}T10:00:00Z", 1 + id % 12, 1 + id % 28),
            "sha": sha(id),
            "requested_actions": ["generate_study_population"],
            "status": "succeeded",
            "jobs": jobs,
        })
        .to_string()
    }

    fn sha(id: u64) -> String {
        format!(
            "{:08x}{}",
            id.wrapping_mul(2_654_435_761) % 0xffff_ffff,
            "0".repeat(32)
        )
    }

    pub(crate) fn audit_of(records: &[String]) -> Audit {
        audit::audit(export::from_json(records, SiteConfig::default()).unwrap()).unwrap()
    }

    fn ids(outcome: &query::Outcome) -> Vec<u64> {
        outcome.hits.iter().map(|h| h.id).collect()
    }

    fn small() -> Audit {
        audit_of(&[
            record(
                1,
                "flucats",
                "simondavy",
                "tpp",
                &[("aaaaaaaaaaaaaaa1", "run_model")],
            ),
            record(2, "flu-vaccine", "helencurtis", "emis", &[]),
            record(
                3,
                "flucats",
                "helencurtis",
                "tpp",
                &[("bbbbbbbbbbbbbbb2", "generate_study_population")],
            ),
            record(4, "covid", "simondavy", "tpp", &[]),
        ])
    }

    #[test]
    fn ranking_puts_whole_words_first_then_newest() {
        let mut hits = vec![
            Hit { id: 5, exact: 0 },
            Hit { id: 2, exact: 1 },
            Hit { id: 9, exact: 0 },
            Hit { id: 3, exact: 1 },
        ];
        rank(&mut hits);
        let order: Vec<u64> = hits.iter().map(|h| h.id).collect();
        assert_eq!(order, [3, 2, 9, 5]);

        let index = build(&small());
        let files = files_by_name(&index.files);
        // `flu` starts `flu` (of flu-vaccine) exactly and `flucats` by prefix: request 2
        // matches the whole word and comes first.
        let found = query::search(&files, &index.manifest, "flu");
        assert_eq!(ids(&found), [2, 3, 1]);
        assert_eq!(
            ids(&query::search(&files, &index.manifest, "flucats")),
            [3, 1]
        );
    }

    #[test]
    fn every_word_must_match() {
        let index = build(&small());
        let files = files_by_name(&index.files);
        let q = |s: &str| ids(&query::search(&files, &index.manifest, s));
        assert_eq!(q("flucats helen"), [3]);
        assert_eq!(q("Dr Simon"), [4, 1]);
        assert_eq!(q("tpp simondavy"), [4, 1]);
        assert_eq!(q("emis"), [2]);
        assert_eq!(q("flucats emis"), Vec::<u64>::new());
        assert_eq!(q("nothing-like-this"), Vec::<u64>::new());
        assert_eq!(q("  "), Vec::<u64>::new());
        // A commit by its first characters, and a date by its month.
        let sha = sha(3);
        assert_eq!(q(&sha[..7]), [3]);
        assert_eq!(q("2023-04"), [3]);
    }

    #[test]
    fn ids_and_identifiers_jump() {
        let index = build(&small());
        let files = files_by_name(&index.files);
        let jump = |s: &str| query::search(&files, &index.manifest, s).jump;
        assert_eq!(jump("3"), Some((Jump::Request(3), "3".into())));
        assert_eq!(
            jump("REQ0000000000002"),
            Some((Jump::Request(2), "req0000000000002".into()))
        );
        assert_eq!(
            jump("bbbbbbbbbbbbbbb2"),
            Some((Jump::Job(3), "bbbbbbbbbbbbbbb2".into()))
        );
        assert_eq!(jump("flucats"), None);
        assert_eq!(jump("3 flucats"), None);
    }

    /// Many requests: term shards split, common terms get blocks, and all stay bounded.
    #[test]
    fn large_archives_are_sharded_and_bounded() {
        let users = ["amir", "beth", "chen", "dara", "eli"];
        // Enough for two whole blocks of the terms every request has.
        let n = (HEAD + 2 * BLOCK) as u64;
        let newest = |rest: u64, of: u64| (1..=n).rev().find(|id| id % of == rest).unwrap();
        let records: Vec<String> = (1..=n)
            .map(|id| {
                let ws = format!("study-{}", id % 97);
                let job = format!("job{id:013}");
                record(
                    id,
                    &ws,
                    users[(id % 5) as usize],
                    "tpp",
                    &[(job.as_str(), "analyse")],
                )
            })
            .collect();
        let audit = audit_of(&records);
        let index = build(&audit);
        assert_eq!(index, build(&audit), "deterministic");
        let shards = |kind: &str| {
            index
                .files
                .iter()
                .filter(|f| f.name.split('.').next() == Some(kind))
                .count()
        };
        assert!(shards("t") > 5, "term shards: {}", shards("t"));
        assert!(shards("d") > 5, "doc shards: {}", shards("d"));
        assert!(shards("p") >= 2, "posting blocks: {}", shards("p"));
        for f in &index.files {
            assert!(
                f.contents.len() < 2 * TERM_SHARD_BYTES,
                "{} is {} bytes",
                f.name,
                f.contents.len()
            );
        }

        let files = files_by_name(&index.files);
        let q = |s: &str| query::search(&files, &index.manifest, s);
        // An old request of a common word is found through the word's blocks.
        let found = q("tpp study 5");
        assert_eq!(ids(&found)[0], newest(5, 97), "{:?}", ids(&found));
        let found = q("job0000000000007");
        assert_eq!(found.jump, Some((Jump::Job(7), "job0000000000007".into())));
        assert_eq!(ids(&found), [7]);
        let found = q("beth");
        assert_eq!(ids(&found).len(), query::RESULTS);
        assert_eq!(ids(&found)[0], newest(1, 5));
        // An exact id at the far end of the archive, and its bytes.
        let found = q("12");
        assert_eq!(found.jump, Some((Jump::Request(12), "12".into())));
        assert!(
            found.bytes < 40_000,
            "{} bytes: {:?}",
            found.bytes,
            found.loaded
        );
    }
}
