//! Writing the output tree atomically: everything goes into a staging folder beside the
//! target, which replaces the target only once the whole build has succeeded. A build
//! that fails or is killed leaves the previous site as it was.
//!
//! Incrementally, too: a file whose fingerprint (what it is made from) or content is the
//! same as in the previous tree is hard-linked from it, not rendered or written again, so
//! its mtime stays and a CDN sync uploads only what changed.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::diagnostics::Diagnostic;
use crate::site::manifest::{Entry, Hash, MANIFEST_FILE, Manifest, hash};

pub struct Writer {
    target: PathBuf,
    staging: PathBuf,
    previous: Manifest,
    written: Mutex<BTreeMap<String, Entry>>,
    files: AtomicUsize,
    kept: AtomicUsize,
    bytes: AtomicU64,
    finished: bool,
}

impl Writer {
    /// Prepares a staging folder `.<name>.staging` beside `target`. A leftover from a
    /// killed build is removed first.
    pub fn new(target: &Path) -> Result<Writer, Diagnostic> {
        let name = target
            .file_name()
            .ok_or_else(|| Diagnostic::error(target, "the output must be a folder with a name"))?
            .to_string_lossy()
            .into_owned();
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .map_err(|e| Diagnostic::error(&parent, format!("cannot create folder: {e}")))?;
        let staging = parent.join(format!(".{name}.staging"));
        remove_if_present(&staging)?;
        std::fs::create_dir(&staging)
            .map_err(|e| Diagnostic::error(&staging, format!("cannot create folder: {e}")))?;
        Ok(Writer {
            previous: Manifest::read(target),
            target: target.to_path_buf(),
            staging,
            written: Mutex::new(BTreeMap::new()),
            files: AtomicUsize::new(0),
            kept: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            finished: false,
        })
    }

    /// Keeps the previous build's `rel` when it was made from the same `fingerprint`;
    /// false when it must be made afresh.
    pub fn keep_if_unchanged(&self, rel: &str, fingerprint: Hash) -> Result<bool, Diagnostic> {
        match self.previous.entries.get(rel) {
            Some(old) if old.fingerprint == fingerprint && fingerprint != 0 => {
                self.link_previous(rel, *old)
            }
            _ => Ok(false),
        }
    }

    /// Hard-links the previous tree's file into the staging tree.
    fn link_previous(&self, rel: &str, entry: Entry) -> Result<bool, Diagnostic> {
        let path = self.staged_path(rel)?;
        let old = self.target.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Diagnostic::error(parent, format!("cannot create folder: {e}")))?;
        }
        if std::fs::hard_link(&old, &path).is_err() {
            // The previous file is gone, or the disk cannot link: make it afresh.
            return Ok(false);
        }
        self.record(rel, entry);
        self.kept.fetch_add(1, Ordering::Relaxed);
        Ok(true)
    }

    fn record(&self, rel: &str, entry: Entry) {
        if let Ok(mut written) = self.written.lock() {
            written.insert(rel.to_owned(), entry);
        }
        self.files.fetch_add(1, Ordering::Relaxed);
    }

    /// Writes `contents` at `rel` (a `/`-separated path inside the site). Safe to call
    /// from many threads.
    pub fn write(&self, rel: &str, contents: &[u8]) -> Result<(), Diagnostic> {
        self.write_made_from(rel, contents, 0)
    }

    /// Writes `contents` made from `fingerprint`; bytes equal to the previous build's
    /// are linked from it instead, so the file is not touched.
    pub fn write_made_from(
        &self,
        rel: &str,
        contents: &[u8],
        fingerprint: Hash,
    ) -> Result<(), Diagnostic> {
        let entry = Entry {
            fingerprint,
            content: hash(contents),
        };
        let same = self
            .previous
            .entries
            .get(rel)
            .is_some_and(|old| old.content == entry.content);
        if same && self.link_previous(rel, entry)? {
            return Ok(());
        }
        let path = self.staged_path(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Diagnostic::error(parent, format!("cannot create folder: {e}")))?;
        }
        std::fs::write(&path, contents)
            .map_err(|e| Diagnostic::error(&self.target.join(rel), format!("cannot write: {e}")))?;
        self.record(rel, entry);
        self.bytes
            .fetch_add(contents.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// The staging path of `rel`, refusing anything that could leave the output folder.
    fn staged_path(&self, rel: &str) -> Result<PathBuf, Diagnostic> {
        let relative = Path::new(rel);
        let inside = !rel.is_empty()
            && relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
        if inside {
            Ok(self.staging.join(relative))
        } else {
            Err(Diagnostic::error(
                &self.target,
                format!("refused to write {rel:?}: not a path inside the output folder"),
            ))
        }
    }

    pub fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    /// Files kept from the previous build (hard-linked, not written).
    pub fn kept(&self) -> usize {
        self.kept.load(Ordering::Relaxed)
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Writes the manifest into the staged tree and puts the tree in place of the target.
    pub fn finish(mut self) -> Result<(), Diagnostic> {
        let written = self
            .written
            .lock()
            .map_err(|_| Diagnostic::error(&self.target, "a writer thread panicked"))?;
        let manifest = Manifest {
            entries: written.clone(),
        };
        drop(written);
        let path = self.staging.join(MANIFEST_FILE);
        std::fs::write(&path, manifest.to_tsv())
            .map_err(|e| Diagnostic::error(&path, format!("cannot write: {e}")))?;
        let old = self.staging.with_file_name(format!(
            ".{}.old",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        remove_if_present(&old)?;
        if self.target.exists() {
            std::fs::rename(&self.target, &old).map_err(|e| {
                Diagnostic::error(
                    &self.target,
                    format!("cannot move the previous site aside: {e}"),
                )
            })?;
        }
        if let Err(e) = std::fs::rename(&self.staging, &self.target) {
            // Put the previous site back before reporting.
            let _ = std::fs::rename(&old, &self.target);
            return Err(Diagnostic::error(
                &self.target,
                format!("cannot move the new site into place: {e}"),
            ));
        }
        self.finished = true;
        remove_if_present(&old)
    }
}

impl Drop for Writer {
    /// A build that did not finish leaves no staging folder behind.
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

fn remove_if_present(path: &Path) -> Result<(), Diagnostic> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Diagnostic::error(path, format!("cannot remove: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_tree_replaces_the_old_only_on_finish() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old.html"), "old").unwrap();

        let w = Writer::new(&target).unwrap();
        w.write("a/b/index.html", b"new").unwrap();
        assert!(target.join("old.html").exists(), "untouched until finish");
        w.finish().unwrap();
        assert!(!target.join("old.html").exists());
        assert_eq!(
            std::fs::read_to_string(target.join("a/b/index.html")).unwrap(),
            "new"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no staging or old folder left"
        );
    }

    #[test]
    fn an_abandoned_build_leaves_the_old_tree_and_no_staging() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("index.html"), "old").unwrap();
        {
            let w = Writer::new(&target).unwrap();
            w.write("index.html", b"new").unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "old"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn paths_that_leave_the_output_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let w = Writer::new(&dir.path().join("site")).unwrap();
        for bad in ["../x", "/etc/x", "a/../../x", "", "./a"] {
            assert!(w.write(bad, b"x").is_err(), "{bad}");
        }
    }
}
