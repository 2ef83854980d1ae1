//! The manifest of a built tree: for every file, a fingerprint of what it was made from
//! and a hash of its bytes. It travels inside the tree (`.jobaudit-manifest.tsv`), so it
//! is swapped in atomically with the files it describes, and lets the next build keep
//! unchanged files (same inode, same mtime) instead of rendering and writing them again.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::io::Write;
use std::path::Path;

use super::mapped::Mapped;

pub const MANIFEST_FILE: &str = ".jobaudit-manifest.tsv";

/// 128 bits of XXH3: every output byte is hashed on every build, so the hash must run at
/// memory speed (SHA-256 took a tenth of a 100k-request build); accidental collisions are
/// out of reach, and no one gains by forging one.
pub type Hash = u128;

pub fn hash(bytes: &[u8]) -> Hash {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// What one file was made from (`fingerprint`, 0 when unknown) and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub fingerprint: Hash,
    pub content: Hash,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Hashed, not sorted: a build looks up every file it makes, and paths that share
    /// long prefixes made those lookups a tenth of a nightly build as tree searches.
    pub entries: FxHashMap<Box<str>, Entry>,
}

/// Every file the manifest of the tree at `root` lists, each with `value` of its entry;
/// none when it is missing or unreadable. Read straight into the map its reader keeps
/// (the writer's, which flags each file it keeps): read as a `Manifest` first, the map
/// was built twice.
pub fn read_files<V>(root: &Path, value: impl Fn(Entry) -> V) -> FxHashMap<Box<str>, V> {
    let Ok(bytes) = Mapped::open(&root.join(MANIFEST_FILE)) else {
        return FxHashMap::default();
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return FxHashMap::default();
    };
    let mut files = FxHashMap::default();
    // Lines are about 130 bytes; sized once rather than rehashed as it grows.
    files.reserve(text.len() / 128);
    files.extend(text.lines().filter_map(|line| {
        let mut fields = line.split('\t');
        let path = fields.next()?;
        let fingerprint = Hash::from_str_radix(fields.next()?, 16).ok()?;
        let content = Hash::from_str_radix(fields.next()?, 16).ok()?;
        let entry = Entry {
            fingerprint,
            content,
        };
        Some((Box::from(path), value(entry)))
    }));
    files
}

impl Manifest {
    /// Reads the manifest of the tree at `root`; a missing or unreadable one is empty,
    /// which only means every file is rendered afresh.
    pub fn read(root: &Path) -> Manifest {
        Manifest {
            entries: read_files(root, |entry| entry),
        }
    }

    /// Writes the manifest to `path` (see [`write_files`]).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut files: Vec<(&str, Entry)> = self.entries.iter().map(|(p, e)| (&**p, *e)).collect();
        write_files(path, &mut files)
    }
}

/// Lines formatted at a time by one core.
const LINES_PER_PART: usize = 4096;

/// Writes the manifest of `files` to `path`: one line per file, sorted by path (here), so
/// that equal trees have equal manifests. Formatted on every core (it is the last thing a
/// build makes before its commit, with little else left to run beside it) a few parts at
/// a time, each batch written as it is made: a 100k manifest is 31 MB, which made whole
/// was as much fresh memory again.
pub fn write_files<P: AsRef<str> + Sync + Send>(
    path: &Path,
    files: &mut [(P, Entry)],
) -> std::io::Result<()> {
    files.par_sort_unstable_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
    let mut file = std::fs::File::create(path)?;
    for batch in files.chunks(LINES_PER_PART * 2 * rayon::current_num_threads()) {
        let parts: Vec<String> = batch
            .par_chunks(LINES_PER_PART)
            .map(|chunk| {
                let mut out = String::with_capacity(chunk.len() * 140);
                for (path, e) in chunk {
                    out.push_str(path.as_ref());
                    for hash in [e.fingerprint, e.content] {
                        out.push('\t');
                        push_hex(&mut out, hash);
                    }
                    out.push('\n');
                }
                out
            })
            .collect();
        for part in parts {
            file.write_all(part.as_bytes())?;
        }
    }
    Ok(())
}

/// `hash` as 32 lower-case hex digits (`{:032x}`, without the formatting machinery: a
/// manifest has half a million of them).
fn push_hex(out: &mut String, hash: Hash) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.extend(
        (0..32)
            .rev()
            .map(|i| DIGITS[(hash >> (4 * i)) as usize & 0xf] as char),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_written_as_fixed_width_hex() {
        for h in [0, 1, 0xabc, u128::MAX, hash(b"out")] {
            let mut out = String::new();
            push_hex(&mut out, h);
            assert_eq!(out, format!("{h:032x}"));
        }
    }

    #[test]
    fn round_trips_through_tsv() {
        let mut m = Manifest::default();
        m.entries.insert(
            "a/index.html".into(),
            Entry {
                fingerprint: hash(b"in"),
                content: hash(b"out"),
            },
        );
        m.entries.insert(
            "b.css".into(),
            Entry {
                fingerprint: 0,
                content: u128::MAX,
            },
        );
        let dir = tempfile::tempdir().unwrap();
        m.write(&dir.path().join(MANIFEST_FILE)).unwrap();
        let tsv = std::fs::read_to_string(dir.path().join(MANIFEST_FILE)).unwrap();
        let paths: Vec<&str> = tsv.lines().filter_map(|l| l.split('\t').next()).collect();
        assert_eq!(paths, ["a/index.html", "b.css"], "sorted by path");
        assert_eq!(Manifest::read(dir.path()), m);
        assert_eq!(
            Manifest::read(&dir.path().join("missing")),
            Manifest::default()
        );
    }

    /// A manifest of many batches (more lines than all cores format at once) is written
    /// whole and in order.
    #[test]
    fn a_large_manifest_is_written_in_order() {
        let mut m = Manifest::default();
        let lines = LINES_PER_PART * 2 * rayon::current_num_threads() * 3 + 17;
        for n in 0..lines {
            let path = format!("{}/{n}/index.html", n % 97);
            let entry = Entry {
                fingerprint: hash(path.as_bytes()),
                content: n as u128,
            };
            m.entries.insert(path.into(), entry);
        }
        let dir = tempfile::tempdir().unwrap();
        m.write(&dir.path().join(MANIFEST_FILE)).unwrap();
        let tsv = std::fs::read_to_string(dir.path().join(MANIFEST_FILE)).unwrap();
        let paths: Vec<&str> = tsv.lines().filter_map(|l| l.split('\t').next()).collect();
        assert_eq!(paths.len(), lines);
        assert!(paths.is_sorted(), "sorted by path");
        assert_eq!(Manifest::read(dir.path()), m);
    }
}
