//! The pipeline store: `pipelines/<owner>/<repo>/<sha>/project.yaml`, one text per commit,
//! identical texts shared.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use xxhash_rust::xxh3::xxh3_128;

use crate::diagnostics::Diagnostic;

/// Every project.yaml of the export, looked up by repo and commit.
#[derive(Debug, Default)]
pub struct PipelineStore {
    /// (owner, repo) → full or short sha → the file and its text.
    repos: BTreeMap<(String, String), BTreeMap<String, StoredPipeline>>,
}

#[derive(Debug, Clone)]
pub struct StoredPipeline {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// `text_hash(text)`: identical texts are looked for by it, then compared.
    pub hash: u128,
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
    /// Reads `dir` (a missing folder is an empty store), the files in parallel. Identical
    /// texts share one allocation, so a text is parsed and highlighted once however many
    /// commits have it.
    pub fn read(dir: &Path) -> (PipelineStore, Vec<Diagnostic>) {
        let mut store = PipelineStore::default();
        let mut diagnostics = Vec::new();
        if !dir.is_dir() {
            return (store, diagnostics);
        }
        let walk = walkdir::WalkDir::new(dir)
            .min_depth(4)
            .max_depth(4)
            .sort_by_file_name();
        let mut files = Vec::new();
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let path = e.path().unwrap_or(dir).to_path_buf();
                    diagnostics.push(Diagnostic::error(&path, format!("cannot read: {e}")));
                    continue;
                }
            };
            if entry.file_name() != "project.yaml" || !entry.file_type().is_file() {
                continue;
            }
            if let Some(commit) = components(dir, entry.path()) {
                files.push((commit, entry.into_path()));
            }
        }
        // Each file is read into its thread's buffer, and a text is copied out only the
        // first time it is seen: most commits repeat an earlier commit's project.yaml.
        let shared: Mutex<FxHashMap<u128, Arc<str>>> = Mutex::default();
        let texts: Vec<std::io::Result<(Arc<str>, u128)>> = files
            .par_iter()
            .map_init(Vec::new, |buffer, (_, path)| {
                buffer.clear();
                std::fs::File::open(path)?.read_to_end(buffer)?;
                let text = std::str::from_utf8(buffer).map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "stream did not contain valid UTF-8",
                    )
                })?;
                let hash = text_hash(text);
                Ok((share(&shared, text, hash), hash))
            })
            .collect();
        for (((owner, repo, sha), path), text) in files.into_iter().zip(texts) {
            let (text, hash) = match text {
                Ok(read) => read,
                Err(e) => {
                    diagnostics.push(Diagnostic::error(&path, format!("cannot read: {e}")));
                    continue;
                }
            };
            store
                .repos
                .entry((owner, repo))
                .or_default()
                .insert(sha, StoredPipeline { path, text, hash });
        }
        (store, diagnostics)
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

/// The one copy of `text` kept for all files with the same text.
fn share(shared: &Mutex<FxHashMap<u128, Arc<str>>>, text: &str, hash: u128) -> Arc<str> {
    let mut shared = shared.lock().unwrap_or_else(PoisonError::into_inner);
    match shared.get(&hash) {
        Some(same) if **same == *text => same.clone(),
        // A different text with the same hash is kept apart, unshared.
        Some(_) => text.into(),
        None => shared.entry(hash).or_insert_with(|| text.into()).clone(),
    }
}

/// What identical project.yaml texts are recognised by.
pub fn text_hash(text: &str) -> u128 {
    xxh3_128(text.as_bytes())
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
        let (store, diagnostics) = PipelineStore::read(dir.path());
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
        assert!(matches!(store.lookup("o", "r", "abcdef0"), Lookup::Found(p) if &*p.text == "a"));
        assert!(matches!(store.lookup("o", "r", "ABC999"), Lookup::Found(p) if &*p.text == "b"));
        assert!(matches!(store.lookup("o", "r", "abc"), Lookup::Ambiguous(v) if v.len() == 2));
        assert!(matches!(store.lookup("o", "r", "7789aa"), Lookup::Found(p) if &*p.text == "c"));
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
        assert!(Arc::ptr_eq(&a.text, &b.text));
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
