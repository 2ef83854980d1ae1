//! Cutting the index into shards. Every shard is a `.js` file that hands its payload to
//! the page (`jobauditSearch.register(name, bytes, payload)`), because a `<script>` tag is
//! the one way to load data that works from `file://` as well as from a CDN. Names carry
//! a hash of the payload, so a CDN may cache them forever and equal input gives equal
//! files.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::cmp::Ordering;

use super::tokenize::js_order;

/// One file under `search/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardFile {
    /// `<kind>.<hash>`: the name it registers under, and its file name without `.js`.
    pub name: String,
    pub contents: String,
}

impl ShardFile {
    /// Wraps `payload` in its registering call. `kind` is a short tag (`t` terms, `d`
    /// docs, `p` postings, `td`/`dd` directories, `index` the manifest).
    pub fn new(kind: &str, payload: &Value) -> ShardFile {
        ShardFile::from_json(kind, payload.to_string())
    }

    /// `new`, for a payload already serialized.
    pub fn from_json(kind: &str, json: String) -> ShardFile {
        let json = crate::escape::json_in_js(json);
        let digest = Sha256::digest(json.as_bytes());
        let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
        let name = format!("{kind}.{hash}");
        // The file states its own size so that the page can report what a query cost
        // (from disk the browser exposes no resource sizes): the size of the call around
        // the payload and the size's own digits, found without writing the payload out.
        let head = format!("jobauditSearch.register(\"{name}\",");
        let tail = ");\n";
        let without_size = head.len() + 1 + json.len() + tail.len();
        let digits = |n: usize| n.to_string().len();
        let mut size = without_size + 1;
        while without_size + digits(size) != size {
            size = without_size + digits(size);
        }
        let mut contents = String::with_capacity(size);
        contents.push_str(&head);
        contents.push_str(&size.to_string());
        contents.push(',');
        contents.push_str(&json);
        contents.push_str(tail);
        debug_assert_eq!(contents.len(), size);
        ShardFile { contents, name }
    }

    /// `search/<name>.js`, relative to the site root.
    pub fn path(&self) -> String {
        format!("search/{}.js", self.name)
    }

    /// The payload, parsed back (for tests and the reference query).
    pub fn payload(contents: &str) -> Option<Value> {
        let start = contents.find(',')?;
        let rest = &contents[start + 1..];
        let start = rest.find(',')?;
        let json = rest[start + 1..].trim_end().strip_suffix(");")?;
        serde_json::from_str(json).ok()
    }
}

/// Postings, newest (highest id) first: the first id in base 36, then the gap to each
/// next one, comma-separated. Gaps are small where requests are dense, so a common term
/// costs about two bytes a request.
pub fn encode_postings(descending: &[u64]) -> String {
    let mut out = String::new();
    push_postings(&mut out, descending.iter().copied());
    out
}

/// `encode_postings`, onto the end of `out`.
pub(super) fn push_postings(out: &mut String, descending: impl Iterator<Item = u64>) {
    let mut previous = None;
    for id in descending {
        if previous.is_some() {
            out.push(',');
        }
        push_base36(out, previous.map_or(id, |p: u64| p - id));
        previous = Some(id);
    }
}

/// The length of `encode_postings(descending)`.
pub(super) fn postings_len(descending: impl Iterator<Item = u64>) -> usize {
    let mut previous = None;
    let mut len = 0;
    for id in descending {
        if previous.is_some() {
            len += 1;
        }
        len += base36_len(previous.map_or(id, |p: u64| p - id));
        previous = Some(id);
    }
    len
}

pub fn decode_postings(text: &str) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut previous: Option<u64> = None;
    for part in text.split(',').filter(|p| !p.is_empty()) {
        let n = u64::from_str_radix(part, 36).unwrap_or(0);
        let id = previous.map_or(n, |p| p.saturating_sub(n));
        ids.push(id);
        previous = Some(id);
    }
    ids
}

pub fn base36(n: u64) -> String {
    let mut out = String::new();
    push_base36(&mut out, n);
    out
}

/// The number of base-36 digits of `n`.
pub(super) fn base36_len(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 36 {
        n /= 36;
        len += 1;
    }
    len
}

pub(super) fn push_base36(out: &mut String, mut n: u64) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    // u64::MAX has 13 base-36 digits.
    let mut digits = [0u8; 13];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = DIGITS[(n % 36) as usize];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    // Base-36 digits are ASCII.
    out.push_str(std::str::from_utf8(&digits[i..]).unwrap_or_default());
}

/// Where a sequence of items is cut into runs, decided by the items themselves
/// (content-defined chunking, as rsync and backup tools cut files): an item starts a new
/// run when the run is full, or when the run holds a quarter of `limit` and the item's
/// hash says so, about once every `limit / 2` bytes. An insertion or a change moves only
/// the cuts near it, so a nightly build rewrites the shards around what changed rather
/// than every shard after it.
pub(super) struct Cuts {
    limit: usize,
    size: usize,
}

impl Cuts {
    pub(super) fn new(limit: usize) -> Cuts {
        Cuts { limit, size: 0 }
    }

    /// Whether an item of `bytes`, hashed `hash`, starts a new run; it is then counted
    /// into the run it belongs to.
    pub(super) fn starts_run(&mut self, bytes: usize, hash: u64) -> bool {
        let natural =
            self.size >= self.limit / 4 && hash % (self.limit as u64 / 2).max(1) < bytes as u64;
        let cut = self.size > 0 && (self.size + bytes > self.limit || natural);
        if cut {
            self.size = 0;
        }
        self.size += bytes;
        cut
    }
}

/// A hash for [`Cuts`]: the same on every machine and in every build.
pub(super) fn cut_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Splits `items` (in order, each with its size and hash) into runs of at most `limit`
/// bytes (an item larger than `limit` gets a run of its own), cut where [`Cuts`] says.
pub(super) fn pack<T>(items: Vec<(T, usize, u64)>, limit: usize) -> Vec<Vec<T>> {
    let runs = runs(items.iter().map(|&(_, bytes, hash)| (bytes, hash)), limit);
    let mut items = items.into_iter().map(|(item, _, _)| item);
    runs.into_iter()
        .map(|run| items.by_ref().take(run.len()).collect())
        .collect()
}

/// `pack`, as the ranges of the runs, given each item's size and hash.
pub(super) fn runs(
    items: impl Iterator<Item = (usize, u64)>,
    limit: usize,
) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut cuts = Cuts::new(limit);
    let mut end = 0;
    for (n, (bytes, hash)) in items.enumerate() {
        if cuts.starts_run(bytes, hash) {
            runs.push(start..n);
            start = n;
        }
        end = n + 1;
    }
    if end > start {
        runs.push(start..end);
    }
    runs
}

/// The shortest prefix of `first` that sorts after `previous`: the boundary a shard is
/// found by. A term `t` lives in the last shard whose boundary is `<= t`, and the terms
/// that start with `p` are in that shard for `p` and in the shards whose boundary starts
/// with `p`.
pub(super) fn separator(previous: &str, first: &str) -> String {
    let mut end = 0;
    for (i, c) in first.char_indices() {
        end = i + c.len_utf8();
        if js_order(&first[..end], previous) == Ordering::Greater {
            return first[..end].to_owned();
        }
    }
    first[..end].to_owned()
}

/// Files listing `(key, shard name)` pairs, about `per_page` to a file and at most
/// twice that, and the manifest's list of `(first key, page name)`: two small look-ups
/// instead of one large list, so the manifest stays small however many shards there are.
/// Pages are cut by the shard names ([`Cuts`]), so a new shard changes one page.
pub(super) fn directory(
    kind: &str,
    entries: Vec<(Value, String)>,
    per_page: usize,
) -> (Vec<ShardFile>, Value) {
    let sized = entries
        .into_iter()
        .map(|(key, name)| {
            let hash = cut_hash(name.as_bytes());
            ((key, name), 1, hash)
        })
        .collect();
    let mut pages = Vec::new();
    let mut top = Vec::new();
    for chunk in pack(sized, 2 * per_page.max(1)) {
        let list: Vec<Value> = chunk
            .iter()
            .map(|(k, n)| Value::Array(vec![k.clone(), Value::String(n.clone())]))
            .collect();
        let page = ShardFile::new(kind, &Value::Array(list));
        top.push(Value::Array(vec![
            chunk[0].0.clone(),
            Value::String(page.name.clone()),
        ]));
        pages.push(page);
    }
    (pages, Value::Array(top))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn postings_round_trip_as_gaps() {
        let ids = [21418, 21417, 19021, 3131, 0];
        let text = encode_postings(&ids);
        assert_eq!(
            text,
            format!(
                "{},1,{},{},{}",
                base36(21418),
                base36(2396),
                base36(15890),
                base36(3131)
            )
        );
        assert_eq!(decode_postings(&text), ids);
        assert_eq!(decode_postings(""), Vec::<u64>::new());
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
    }

    #[test]
    fn lengths_are_worked_out_as_written() {
        for n in [0, 1, 35, 36, 1295, 1296, 21418, u64::MAX] {
            assert_eq!(base36_len(n), base36(n).len(), "{n}");
        }
        for ids in [
            &[][..],
            &[7],
            &[21418, 21417, 19021, 3131, 0],
            &[u64::MAX, 0],
        ] {
            let len = postings_len(ids.iter().copied());
            assert_eq!(len, encode_postings(ids).len(), "{ids:?}");
        }
    }

    #[test]
    fn packing_respects_the_limit() {
        // Hashes that never ask for a cut (4 % 5 is not below any size here).
        let items = vec![
            ("a", 4, 4),
            ("b", 4, 4),
            ("c", 3, 4),
            ("d", 20, 4),
            ("e", 1, 4),
        ];
        let runs = pack(items, 10);
        assert_eq!(runs, vec![vec!["a", "b"], vec!["c"], vec!["d"], vec!["e"]]);
        assert!(pack(Vec::<(u8, usize, u64)>::new(), 10).is_empty());
    }

    #[test]
    fn an_insertion_moves_only_the_cuts_near_it() {
        let item = |i: u64| (i, 40 + (i % 7) as usize, cut_hash(&i.to_le_bytes()));
        let before: Vec<_> = (0..5_000).map(item).collect();
        let mut after = before.clone();
        after.insert(2_500, item(1_000_000));
        let (old, new) = (pack(before, 6_000), pack(after, 6_000));
        assert!(old.len() > 40, "{} runs", old.len());
        let size = |run: &Vec<u64>| run.iter().map(|&i| item(i).1).sum::<usize>();
        assert!(old.iter().all(|r| size(r) <= 6_000));
        assert!(old.iter().filter(|r| size(r) < 6_000 - 46).count() > old.len() / 2);
        let changed = new.iter().filter(|r| !old.contains(r)).count();
        assert!(changed <= 3, "{changed} of {} runs changed", new.len());
    }

    #[test]
    fn separators_are_short_and_between() {
        assert_eq!(separator("abx", "acd"), "ac");
        assert_eq!(separator("flu", "flucats"), "fluc");
        assert_eq!(separator("a", "b"), "b");
        assert_eq!(separator("2021", "3"), "3");
    }

    #[test]
    fn files_are_named_by_content_and_state_their_size() {
        let a = ShardFile::new("t", &json!({"x": "1"}));
        assert_eq!(a, ShardFile::new("t", &json!({"x": "1"})));
        assert_ne!(a.name, ShardFile::new("t", &json!({"x": "2"})).name);
        assert!(a.name.starts_with("t.") && a.name.len() == 12);
        let stated = format!(",{},", a.contents.len());
        assert!(a.contents.contains(&stated), "{}", a.contents);
        assert_eq!(ShardFile::payload(&a.contents), Some(json!({"x": "1"})));
        assert_eq!(a.path(), format!("search/{}.js", a.name));
    }

    #[test]
    fn directories_page_their_entries() {
        let entries: Vec<(Value, String)> =
            (0..50).map(|i| (json!(i * 10), format!("t.{i}"))).collect();
        let (pages, top) = directory("td", entries.clone(), 2);
        let top = top.as_array().unwrap();
        assert_eq!(top.len(), pages.len());
        let mut listed = Vec::new();
        for (page, first) in pages.iter().zip(top) {
            let list = ShardFile::payload(&page.contents).unwrap();
            let list = list.as_array().unwrap();
            assert!(
                !list.is_empty() && list.len() <= 4,
                "{} entries",
                list.len()
            );
            assert_eq!(first[0], list[0][0]);
            assert_eq!(first[1], json!(page.name));
            listed.extend(
                list.iter()
                    .map(|e| (e[0].clone(), e[1].as_str().unwrap().to_owned())),
            );
        }
        assert_eq!(listed, entries, "every entry once, in order");
    }
}
