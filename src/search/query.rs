//! How the search page answers a query, in Rust: the reference for the page's script
//! (templates/static/search.js follows the same steps), used by the tests to check that
//! the shards find the right requests, and to measure what a query loads on an archive
//! too large to open in a browser during the tests.
//!
//! A query is a list of words; a request matches when every word is one of its terms or
//! the start of one. Each word's terms come from the one or few term shards that can hold
//! them. Candidates come from the word with the fewest requests, newest first, and are
//! checked against the other words until [`RESULTS`] match. Ranking: requests that match
//! more words whole come first, then newer before older.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use super::Jump;
use super::shard::{ShardFile, decode_postings};
use super::tokenize::{compounds, js_order, phrase, pieces, tokenize};

/// Results a query finds.
pub const RESULTS: usize = 20;
/// Results the page shows at first (and loads the rows of); the rest on request.
pub const SHOWN: usize = 10;
/// Shards beyond the first that a word may load to find the terms it starts.
pub const PREFIX_SHARDS: usize = 2;
/// Terms a word may stand for when it is the start of several.
pub const EXPANSIONS: usize = 50;
/// Blocks of older postings the candidate word may load before the query gives up
/// looking further back.
pub const CANDIDATE_BLOCKS: usize = 4;
/// Words of a query that are used.
pub const WORDS: usize = 8;
/// Requests whose own row a query may read to learn whether a word starts one of its
/// terms (when those terms' postings are truncated). Each read can load a doc shard; past
/// this many, a candidate the postings do not show is taken not to match, which keeps a
/// query of two common words (a researcher's first and last name) within its byte budget.
pub const ROW_CHECKS: usize = 8;

/// A term's postings as an entry gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Newest first.
    pub head: Vec<u64>,
    pub count: usize,
    /// `(first id, block name)`, newest first.
    pub blocks: Vec<(u64, String)>,
    pub jump: Option<Jump>,
}

impl Entry {
    pub fn parse(value: &Value) -> Entry {
        match value {
            Value::String(s) => {
                let (jump, postings) = match s.split_once(';') {
                    Some((j, p)) => (parse_jump(j), p),
                    None => (None, s.as_str()),
                };
                let head = decode_postings(postings);
                Entry {
                    count: head.len(),
                    head,
                    blocks: Vec::new(),
                    jump,
                }
            }
            _ => Entry {
                head: decode_postings(value["p"].as_str().unwrap_or_default()),
                count: value["n"].as_u64().unwrap_or(0) as usize,
                blocks: value["b"]
                    .as_array()
                    .map(|b| {
                        b.iter()
                            .map(|x| {
                                (
                                    u64::from_str_radix(x[0].as_str().unwrap_or("0"), 36)
                                        .unwrap_or(0),
                                    x[1].as_str().unwrap_or_default().to_owned(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                jump: value["j"].as_str().and_then(parse_jump),
            },
        }
    }
}

fn parse_jump(j: &str) -> Option<Jump> {
    let id = u64::from_str_radix(j.get(1..)?, 36).ok()?;
    match j.as_bytes().first()? {
        b'r' => Some(Jump::Request(id)),
        b'j' => Some(Jump::Job(id)),
        _ => None,
    }
}

/// A ranked result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub id: u64,
    /// Words matched by a whole term rather than by its start.
    pub exact: usize,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub hits: Vec<Hit>,
    /// Where a one-word query that names a request or job goes, with that word.
    pub jump: Option<(Jump, String)>,
    /// The files loaded, in order, and their bytes (the script's own not included).
    pub loaded: Vec<String>,
    pub bytes: usize,
}

/// The index's files by name, and what a query has loaded of them.
pub struct Loader<'a> {
    files: &'a BTreeMap<String, String>,
    cache: BTreeMap<String, Value>,
    outcome: Outcome,
}

impl<'a> Loader<'a> {
    pub fn new(files: &'a BTreeMap<String, String>) -> Loader<'a> {
        Loader {
            files,
            cache: BTreeMap::new(),
            outcome: Outcome::default(),
        }
    }

    fn load(&mut self, name: &str) -> Value {
        if let Some(v) = self.cache.get(name) {
            return v.clone();
        }
        let contents = self
            .files
            .get(name)
            .unwrap_or_else(|| panic!("no search file {name}"));
        let value = ShardFile::payload(contents).unwrap_or(Value::Null);
        self.outcome.loaded.push(name.to_owned());
        self.outcome.bytes += contents.len();
        self.cache.insert(name.to_owned(), value.clone());
        value
    }
}

/// `(key, name)` pairs of a directory list.
fn pairs(list: &Value) -> Vec<(Value, String)> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|x| (x[0].clone(), x[1].as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn key_str(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// Position of the last key `<= word`.
fn last_at_or_before(list: &[(Value, String)], word: &str) -> usize {
    list.iter()
        .rposition(|(k, _)| js_order(key_str(k), word) != std::cmp::Ordering::Greater)
        .unwrap_or(0)
}

/// The term shards that can hold terms starting with `word`: the one it falls in, and up
/// to `extra` after it whose boundary starts with `word`.
fn term_shards(loader: &mut Loader<'_>, manifest: &Value, word: &str, extra: usize) -> Vec<String> {
    let top = pairs(&manifest["terms"]);
    let mut page = last_at_or_before(&top, word);
    let mut list = pairs(&loader.load(&top[page].1));
    let mut i = last_at_or_before(&list, word);
    let mut shards = vec![list[i].1.clone()];
    while shards.len() <= extra {
        i += 1;
        if i == list.len() {
            page += 1;
            match top.get(page) {
                Some((k, name)) if key_str(k).starts_with(word) => {
                    list = pairs(&loader.load(name));
                    i = 0;
                }
                _ => break,
            }
        }
        if !key_str(&list[i].0).starts_with(word) {
            break;
        }
        shards.push(list[i].1.clone());
    }
    shards
}

/// The terms a word stands for: itself if it is a term, and up to [`EXPANSIONS`] terms
/// it is the start of, in order. Only the last word, the one being typed, looks for them
/// beyond its own shard: a word followed by another is finished.
fn expand(
    loader: &mut Loader<'_>,
    manifest: &Value,
    word: &str,
    last: bool,
) -> Vec<(String, Entry)> {
    let extra = if last { PREFIX_SHARDS } else { 0 };
    let mut terms: Vec<(String, Entry)> = Vec::new();
    for shard in term_shards(loader, manifest, word, extra) {
        if let Value::Object(map) = loader.load(&shard) {
            terms.extend(
                map.iter()
                    .filter(|(t, _)| stands_for(word, t))
                    .map(|(t, e)| (t.clone(), Entry::parse(e))),
            );
        }
    }
    terms.sort_by(|a, b| js_order(&a.0, &b.0));
    terms.truncate(EXPANSIONS);
    terms
}

/// Whether `word` stands for `term`: the term itself or one it starts. A word of digits
/// starts only commits and dates: every request has a number, and the numbers a few
/// digits start are requests from all over the archive, none of them the one sought.
pub fn stands_for(word: &str, term: &str) -> bool {
    if !term.starts_with(word) {
        return false;
    }
    term == word
        || !word.bytes().all(|b| b.is_ascii_digit())
        || term.contains('-')
        || (term.len() >= 7 && term.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Is `id` in the older postings of a whole term?
fn in_blocks(loader: &mut Loader<'_>, entry: &Entry, id: u64) -> bool {
    let oldest_in_head = entry.head.last().copied().unwrap_or(0);
    if id >= oldest_in_head {
        return false;
    }
    match entry.blocks.iter().rposition(|(first, _)| *first >= id) {
        Some(k) => {
            let name = entry.blocks[k].1.clone();
            let block = loader.load(&name);
            decode_postings(block.as_str().unwrap_or_default()).contains(&id)
        }
        None => false,
    }
}

/// A request's row and its shard's strings.
fn doc_row(loader: &mut Loader<'_>, top: &Value, id: u64) -> Option<(Value, Value)> {
    let docs = pairs(&top["docs"]);
    let page = docs
        .iter()
        .rposition(|(k, _)| k.as_u64().unwrap_or(0) <= id)
        .unwrap_or(0);
    let list = pairs(&loader.load(&docs.get(page)?.1));
    let shard = list
        .iter()
        .rposition(|(k, _)| k.as_u64().unwrap_or(0) <= id)
        .unwrap_or(0);
    let shard = loader.load(&list.get(shard)?.1);
    let offset = id.checked_sub(shard["f"].as_u64()?)?;
    let row = shard["d"]
        .as_array()?
        .iter()
        .find(|r| r[0].as_u64() == Some(offset))?
        .clone();
    Some((row, shard["s"].clone()))
}

/// The words of what a request's row shows and filters on (workspace, project,
/// researcher, status, backend, orgs).
fn doc_words(loader: &mut Loader<'_>, top: &Value, id: u64) -> Vec<String> {
    let Some((row, strings)) = doc_row(loader, top, id) else {
        return Vec::new();
    };
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let at = |i: &Value| &strings[i.as_u64().unwrap_or(0) as usize];
    let pair = |list: &str, i: &Value| {
        let p = &top[list][i.as_u64().unwrap_or(0) as usize];
        format!("{} {}", text(&p[0]), text(&p[1]))
    };
    let mut parts = vec![
        text(at(&row[5])),
        text(at(&row[6])),
        text(at(&row[7])),
        pair("statuses", &row[1]),
        pair("backends", &row[2]),
    ];
    match &row[3] {
        Value::Array(orgs) => parts.extend(orgs.iter().map(|o| pair("orgs", o))),
        org => parts.push(pair("orgs", org)),
    }
    parts
        .iter()
        .flat_map(|p| tokenize(p).into_iter().chain(compounds(p)))
        .collect()
}

/// A word's match against `id`: `Some(true)` by a whole term, `Some(false)` by a start.
/// The cheap evidence first: the terms' newest postings; then the whole word's older
/// postings; and last, when the terms it starts have more requests than their newest
/// postings list, the request's own row (workspace, researcher, …), which the page loads
/// to show it anyway.
fn word_matches(
    loader: &mut Loader<'_>,
    top: &Value,
    word: &str,
    terms: &[(String, Entry)],
    id: u64,
    row_checks: &mut usize,
) -> Option<bool> {
    let mut by_start = false;
    for (term, entry) in terms {
        if entry.head.contains(&id) {
            if term == word {
                return Some(true);
            }
            by_start = true;
        }
    }
    if by_start {
        return Some(false);
    }
    if let Some((_, whole)) = terms.iter().find(|(t, _)| t == word)
        && in_blocks(loader, whole, id)
    {
        return Some(true);
    }
    let truncated = terms
        .iter()
        .any(|(t, e)| t != word && e.count > e.head.len());
    if truncated && *row_checks > 0 {
        *row_checks -= 1;
        if doc_words(loader, top, id)
            .iter()
            .any(|w| w != word && stands_for(word, w))
        {
            return Some(false);
        }
    }
    None
}

/// Answers `query` from the index whose manifest is `manifest`.
pub fn search(files: &BTreeMap<String, String>, manifest: &str, query: &str) -> Outcome {
    let mut loader = Loader::new(files);
    let top = loader.load(manifest);
    // A name joined by `-` or `_` is one word when the index has it (or names it
    // starts), else its parts are.
    let mut words: Vec<String> = Vec::new();
    let mut groups: Vec<Vec<(String, Entry)>> = Vec::new();
    let mut pieces = pieces(query);
    // A whole name of plain words, when the index has it, is the one word (index.rs).
    if let Some(name) = phrase(query) {
        let terms: Vec<(String, Entry)> = expand(&mut loader, &top, &name, false)
            .into_iter()
            .filter(|(t, _)| *t == name)
            .collect();
        if !terms.is_empty() {
            words.push(name);
            groups.push(terms);
            pieces.clear();
        }
    }
    let last_word = pieces
        .last()
        .and_then(|p| tokenize(p).pop())
        .unwrap_or_default();
    for (n, piece) in pieces.iter().enumerate() {
        let last_piece = n + 1 == pieces.len();
        if !compounds(piece).is_empty() && !words.contains(piece) && words.len() < WORDS {
            let terms = expand(&mut loader, &top, piece, last_piece);
            if !terms.is_empty() {
                words.push(piece.clone());
                groups.push(terms);
                continue;
            }
        }
        for w in tokenize(piece) {
            if !words.contains(&w) && words.len() < WORDS {
                let last = last_piece && w == last_word;
                groups.push(expand(&mut loader, &top, &w, last));
                words.push(w);
            }
        }
    }
    if words.is_empty() {
        return loader.outcome;
    }
    if groups.iter().any(Vec::is_empty) {
        return loader.outcome;
    }
    if let [word] = words.as_slice()
        && let Some((_, entry)) = groups[0].iter().find(|(t, _)| t == word)
    {
        loader.outcome.jump = entry.jump.map(|j| (j, word.clone()));
    }

    // The word with the fewest requests gives the candidates: those of the whole word
    // first, newest first, then those of the terms it starts.
    let driver = (0..groups.len())
        .min_by_key(|&g| groups[g].iter().map(|(_, e)| e.count).sum::<usize>())
        .unwrap_or(0);
    let whole = groups[driver].iter().find(|(t, _)| *t == words[driver]);
    let mut candidates: Vec<u64> = whole.map(|(_, e)| e.head.clone()).unwrap_or_default();
    let starts: BTreeSet<u64> = groups[driver]
        .iter()
        .filter(|(t, _)| *t != words[driver])
        .flat_map(|(_, e)| e.head.iter().copied())
        .collect();
    candidates.extend(starts.into_iter().rev());
    let mut blocks = whole
        .map(|(_, e)| e.blocks.clone())
        .unwrap_or_default()
        .into_iter()
        .take(CANDIDATE_BLOCKS);
    let mut checked = BTreeSet::new();
    let mut hits = Vec::new();
    let mut row_checks = ROW_CHECKS;
    loop {
        for &id in &candidates {
            if hits.len() >= RESULTS {
                break;
            }
            if !checked.insert(id) {
                continue;
            }
            let mut exact = 0;
            let mut all = true;
            for (g, terms) in groups.iter().enumerate() {
                match word_matches(&mut loader, &top, &words[g], terms, id, &mut row_checks) {
                    Some(true) => exact += 1,
                    Some(false) => {}
                    None => {
                        all = false;
                        break;
                    }
                }
            }
            if all {
                hits.push(Hit { id, exact });
            }
        }
        if hits.len() >= RESULTS {
            break;
        }
        match blocks.next() {
            Some((_, name)) => {
                let block = loader.load(&name);
                candidates = decode_postings(block.as_str().unwrap_or_default());
            }
            None => break,
        }
    }
    rank(&mut hits);
    hits.truncate(RESULTS);

    // The rows the page shows; a query that jumps shows only the page it goes to.
    let shown: Vec<u64> = match loader.outcome.jump {
        Some((Jump::Request(id) | Jump::Job(id), _)) => vec![id],
        None => hits.iter().take(SHOWN).map(|h| h.id).collect(),
    };
    for id in shown {
        doc_row(&mut loader, &top, id);
    }
    loader.outcome.hits = hits;
    loader.outcome
}

/// More words matched whole first, then newest first.
pub fn rank(hits: &mut [Hit]) {
    hits.sort_by(|a, b| b.exact.cmp(&a.exact).then(b.id.cmp(&a.id)));
}

/// The files of an index by name, as [`search`] takes them.
pub fn files_by_name(files: &[ShardFile]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|f| (f.name.clone(), f.contents.clone()))
        .collect()
}
