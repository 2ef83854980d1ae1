//! The pipeline store: `pipelines/<owner>/<repo>/<sha>/project.yaml`, one text per commit.
//! A file is known by its stamp (size, times, inode): one whose stamp the previous build
//! recorded ([`StoreMemo`]) is not read, only its text's hash is taken. Texts are read
//! when a page needs them.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::links::InputRoot;
use crate::diagnostics::Diagnostic;

/// Every project.yaml of the export, looked up by repo and commit.
#[derive(Debug, Default)]
pub struct PipelineStore {
    dir: PathBuf,
    /// (owner, repo) → full or short sha → the file.
    repos: BTreeMap<(String, String), BTreeMap<String, StoredPipeline>>,
    /// The texts read by this build, by hash (the others are read when asked for).
    texts: FxHashMap<u128, Arc<str>>,
}

#[derive(Debug, Clone)]
pub struct StoredPipeline {
    pub path: PathBuf,
    /// `text_hash` of its text: identical texts are told apart by it.
    pub hash: u128,
    stamp: Stamp,
}

/// What tells a file changed without reading it, as git's index does: its size, its
/// modification and change times (the change time cannot be set back by hand), and its
/// inode (a file replaced by another).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    modified: i128,
    changed: i128,
    inode: u64,
}

impl Stamp {
    fn of(metadata: &std::fs::Metadata) -> Stamp {
        let nanos = |secs: i64, nsecs: i64| secs as i128 * 1_000_000_000 + nsecs as i128;
        Stamp {
            len: metadata.len(),
            modified: nanos(metadata.mtime(), metadata.mtime_nsec()),
            changed: nanos(metadata.ctime(), metadata.ctime_nsec()),
            inode: metadata.ino(),
        }
    }
}

/// The stamp and text hash of every store file a build read, by path inside the store.
#[derive(Debug, Default)]
pub struct StoreMemo {
    pub(super) files: FxHashMap<String, (Stamp, u128)>,
    /// When the memo was written (its file's modification time, in nanoseconds): a file
    /// changed in the same tick as it was stamped would keep its stamp, so one stamped
    /// that close to the memo's writing is read again (git's "racily clean" entries).
    pub written: Option<i128>,
}

impl StoreMemo {
    /// The text hash of the file at `rel` if its stamp is the one recorded, safely before
    /// the memo was written.
    fn hash(&self, rel: &str, stamp: &Stamp) -> Option<u128> {
        const MARGIN: i128 = 2_000_000_000;
        let written = self.written?;
        let (known, hash) = self.files.get(rel)?;
        (known == stamp && stamp.modified.max(stamp.changed) + MARGIN < written).then_some(*hash)
    }
}

/// How a lookup by commit ended.
#[derive(Debug, Clone)]
pub enum Lookup<'a> {
    Found(&'a StoredPipeline),
    Missing,
    /// A short sha that is a prefix of several stored commits.
    Ambiguous(Vec<&'a str>),
}

impl PipelineStore {
    /// Reads `dir` (a missing folder is an empty store): every file is stamped, and those
    /// `memo` does not know are read in parallel and hashed. Links are followed only
    /// where they stay inside `root`; one that leads out is reported.
    pub(super) fn read(
        dir: &Path,
        root: &InputRoot,
        memo: StoreMemo,
    ) -> (PipelineStore, Vec<Diagnostic>) {
        let mut store = PipelineStore {
            dir: dir.to_path_buf(),
            ..PipelineStore::default()
        };
        let mut diagnostics = Vec::new();
        if !dir.is_dir() {
            return (store, diagnostics);
        }
        // The disk answers many look-ups at once when its caches are cold (a night's
        // build finds the store as the previous night left it): the walk and the stamps
        // are taken by more threads than there are cores.
        let io = rayon::ThreadPoolBuilder::new()
            .num_threads(IO_THREADS)
            .build();
        let walked = match &io {
            Ok(pool) => pool.install(|| walk(dir, root)),
            Err(_) => walk(dir, root),
        };
        let mut commits = Vec::new();
        for found in walked {
            match found {
                Ok(path) => {
                    if let Some(commit) = components(dir, &path) {
                        commits.push((commit, path));
                    }
                }
                Err(d) => diagnostics.push(d),
            }
        }
        // Each file read goes into its thread's buffer, and a text is copied out only the
        // first time it is seen: most commits repeat an earlier commit's project.yaml.
        let shared: Mutex<FxHashMap<u128, Arc<str>>> = Mutex::default();
        let stamp_or_read = || -> Vec<Result<Option<(Stamp, u128)>, Diagnostic>> {
            commits
                .par_iter()
                .map_init(Vec::new, |buffer, (_, path)| {
                    let cannot =
                        |e: std::io::Error| Diagnostic::error(path, format!("cannot read: {e}"));
                    let metadata = match std::fs::symlink_metadata(path) {
                        Ok(m) if m.is_file() => m,
                        Ok(m) if m.is_symlink() => match root.escapes(path) {
                            Some(d) => return Err(d),
                            None => match std::fs::metadata(path) {
                                Ok(m) if m.is_file() => m,
                                _ => return Ok(None),
                            },
                        },
                        Ok(_) => return Ok(None),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                        Err(e) => return Err(cannot(e)),
                    };
                    let stamp = Stamp::of(&metadata);
                    if let Some(hash) = memo.hash(&rel(dir, path), &stamp) {
                        return Ok(Some((stamp, hash)));
                    }
                    buffer.clear();
                    std::fs::File::open(path)
                        .and_then(|mut f| f.read_to_end(buffer))
                        .map_err(cannot)?;
                    let text = std::str::from_utf8(buffer).map_err(|e| {
                        Diagnostic::error(
                            path,
                            format!(
                                "cannot read: not UTF-8 (invalid byte at offset {})",
                                e.valid_up_to()
                            ),
                        )
                    })?;
                    let hash = text_hash(text);
                    share(&shared, text, hash);
                    Ok(Some((stamp, hash)))
                })
                .collect()
        };
        let found = match &io {
            Ok(pool) => pool.install(stamp_or_read),
            Err(_) => stamp_or_read(),
        };
        for (((owner, repo, sha), path), found) in commits.into_iter().zip(found) {
            let (stamp, hash) = match found {
                Ok(Some(found)) => found,
                Ok(None) => continue,
                Err(d) => {
                    diagnostics.push(d);
                    continue;
                }
            };
            store
                .repos
                .entry((owner, repo))
                .or_default()
                .insert(sha, StoredPipeline { path, hash, stamp });
        }
        store.texts = shared.into_inner().unwrap_or_else(PoisonError::into_inner);
        (store, diagnostics)
    }

    /// What the next build needs to know which files changed.
    pub fn memo(&self) -> StoreMemo {
        let files = self
            .repos
            .values()
            .flat_map(BTreeMap::values)
            .map(|p| (rel(&self.dir, &p.path), (p.stamp, p.hash)))
            .collect();
        StoreMemo {
            files,
            written: None,
        }
    }

    /// The text of a stored file if this build read it (its stamp was new).
    pub fn text_if_read(&self, stored: &StoredPipeline) -> Option<Arc<str>> {
        self.texts.get(&stored.hash).cloned()
    }

    /// The text of a stored file: as this build read it, or read now.
    pub fn text(&self, stored: &StoredPipeline) -> Result<Arc<str>, Diagnostic> {
        match self.texts.get(&stored.hash) {
            Some(text) => Ok(text.clone()),
            None => read_text(&stored.path),
        }
    }

    /// The project.yaml of `sha` in `owner/repo`. Either side may be a short sha: it
    /// matches when it is a prefix of exactly one commit the other side names.
    pub fn lookup(&self, owner: &str, repo: &str, sha: &str) -> Lookup<'_> {
        let sha = sha.to_ascii_lowercase();
        if sha.is_empty() {
            return Lookup::Missing;
        }
        let Some(commits) = self.repos.get(&(owner.to_owned(), repo.to_owned())) else {
            return Lookup::Missing;
        };
        if let Some(found) = commits.get(&sha) {
            return Lookup::Found(found);
        }
        let matches: Vec<(&String, &StoredPipeline)> = commits
            .iter()
            .filter(|(stored, _)| stored.starts_with(&sha) || sha.starts_with(stored.as_str()))
            .collect();
        match matches.as_slice() {
            [] => Lookup::Missing,
            [(_, found)] => Lookup::Found(found),
            many => Lookup::Ambiguous(many.iter().map(|(s, _)| s.as_str()).collect()),
        }
    }

    /// Number of stored commits.
    pub fn len(&self) -> usize {
        self.repos.values().map(BTreeMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Threads that stamp the store's files.
const IO_THREADS: usize = 16;

/// Every `<owner>/<repo>/<sha>/project.yaml` path under `dir` (whether or not the file
/// is there), in the order of their names, and the folders that could not be listed.
/// Only the owners' and repos' folders are listed: a commit's folder is not opened.
fn walk(dir: &Path, root: &InputRoot) -> Vec<Result<PathBuf, Diagnostic>> {
    let level = |parents: Vec<Result<PathBuf, Diagnostic>>| -> Vec<Result<PathBuf, Diagnostic>> {
        parents
            .into_par_iter()
            .flat_map_iter(|parent| match parent {
                Ok(p) => folders(&p, root),
                Err(d) => vec![Err(d)],
            })
            .collect()
    };
    let commits = level(level(level(vec![Ok(dir.to_path_buf())])));
    commits
        .into_iter()
        .map(|commit| commit.map(|c| c.join("project.yaml")))
        .collect()
}

/// The folders in `dir`, by name, and why any could not be listed: a link is followed
/// only to a folder inside the input, and one that leads out is reported.
fn folders(dir: &Path, root: &InputRoot) -> Vec<Result<PathBuf, Diagnostic>> {
    let cannot = |e: std::io::Error| Diagnostic::error(dir, format!("cannot read: {e}"));
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return vec![Err(cannot(e))],
    };
    let mut found = Vec::new();
    for entry in entries {
        let kind = entry.and_then(|e| Ok((e.path(), e.file_type()?)));
        match kind {
            Ok((path, kind)) if kind.is_dir() => found.push(Ok(path)),
            Ok((path, kind)) if kind.is_symlink() => match root.escapes(&path) {
                Some(d) => found.push(Err(d)),
                None if path.is_dir() => found.push(Ok(path)),
                None => {}
            },
            Ok(_) => {}
            Err(e) => found.push(Err(cannot(e))),
        }
    }
    let name = |r: &Result<PathBuf, Diagnostic>| match r {
        Ok(p) => p.file_name().map(ToOwned::to_owned),
        Err(d) => d.file.file_name().map(ToOwned::to_owned),
    };
    found.sort_by_key(name);
    found
}

/// The text of the project.yaml at `path`.
pub fn read_text(path: &Path) -> Result<Arc<str>, Diagnostic> {
    let cannot = |e: &dyn std::fmt::Display| Diagnostic::error(path, format!("cannot read: {e}"));
    let bytes = std::fs::read(path).map_err(|e| cannot(&e))?;
    let text =
        String::from_utf8(bytes).map_err(|_| cannot(&"stream did not contain valid UTF-8"))?;
    Ok(text.into())
}

/// Keeps one copy of `text` for all files read with the same text.
fn share(shared: &Mutex<FxHashMap<u128, Arc<str>>>, text: &str, hash: u128) {
    let mut shared = shared.lock().unwrap_or_else(PoisonError::into_inner);
    shared.entry(hash).or_insert_with(|| text.into());
}

/// `path` relative to the store's folder `dir`, as the memo names it.
fn rel(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// What identical project.yaml texts are recognised by: the first 128 bits of their
/// SHA-256, so that no text can be made to pass for another's.
pub fn text_hash(text: &str) -> u128 {
    crate::export::digest(text.as_bytes())
}

/// `<dir>/<owner>/<repo>/<sha>/project.yaml` → (owner, repo, lower-case sha).
fn components(dir: &Path, path: &Path) -> Option<(String, String, String)> {
    let rel = path.strip_prefix(dir).ok()?;
    let mut parts = rel.iter().map(|p| p.to_str());
    let owner = parts.next()??.to_owned();
    let repo = parts.next()??.to_owned();
    let sha = parts.next()??.to_ascii_lowercase();
    Some((owner, repo, sha))
}

/// `https://github.com/<owner>/<repo>` → (owner, repo), as job-server's Repo model reads it
/// (first and last path segments, spec/job-server.md §1.4).
pub fn repo_owner_and_name(url: &str) -> Option<(String, String)> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let mut segments = path.split('/').skip(1).filter(|s| !s.is_empty());
    let owner = segments.next()?;
    let name = segments.last().unwrap_or(owner);
    let name = name.strip_suffix(".git").unwrap_or(name);
    Some((owner.to_owned(), name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(files: &[(&str, &str)]) -> (tempfile::TempDir, PipelineStore) {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let root = InputRoot::open(dir.path()).unwrap();
        let (store, diagnostics) = PipelineStore::read(dir.path(), &root, StoreMemo::default());
        assert!(diagnostics.is_empty());
        (dir, store)
    }

    #[test]
    fn short_and_full_shas_match_by_unique_prefix() {
        let (_dir, store) = store_with(&[
            ("o/r/abcdef0123/project.yaml", "a"),
            ("o/r/abc999/project.yaml", "b"),
            ("o/r/77/project.yaml", "c"),
        ]);
        let text = |l: Lookup<'_>| match l {
            Lookup::Found(p) => store.text(p).unwrap().to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(text(store.lookup("o", "r", "abcdef0")), "a");
        assert_eq!(text(store.lookup("o", "r", "ABC999")), "b");
        assert!(matches!(store.lookup("o", "r", "abc"), Lookup::Ambiguous(v) if v.len() == 2));
        assert_eq!(text(store.lookup("o", "r", "7789aa")), "c");
        assert!(matches!(store.lookup("o", "r", ""), Lookup::Missing));
        assert!(matches!(
            store.lookup("o", "other", "abc999"),
            Lookup::Missing
        ));
    }

    #[test]
    fn identical_texts_are_shared() {
        let (_dir, store) = store_with(&[
            ("o/r/aa/project.yaml", "same"),
            ("o/s/bb/project.yaml", "same"),
        ]);
        let (Lookup::Found(a), Lookup::Found(b)) =
            (store.lookup("o", "r", "aa"), store.lookup("o", "s", "bb"))
        else {
            panic!("both stored")
        };
        assert_eq!(a.hash, b.hash);
        assert!(Arc::ptr_eq(
            &store.text(a).unwrap(),
            &store.text(b).unwrap()
        ));
    }

    #[test]
    fn repo_urls_give_owner_and_name() {
        assert_eq!(
            repo_owner_and_name("https://github.com/opensafely/flucats"),
            Some(("opensafely".into(), "flucats".into()))
        );
        assert_eq!(
            repo_owner_and_name("https://github.com/opensafely/flucats.git/"),
            Some(("opensafely".into(), "flucats".into()))
        );
        assert_eq!(repo_owner_and_name("https://github.com/"), None);
    }
}
