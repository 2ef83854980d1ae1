//! Writing the output tree, atomically and incrementally.
//!
//! Every file a build makes goes first into a staging folder inside the target
//! (`.jobaudit-staging`), so a build that fails or is killed while rendering leaves the
//! previous site as it was, and nothing is ever written outside the output folder.
//!
//! * Into a missing or empty folder the staged tree is laid out as the site will be, and
//!   its top-level entries are moved into the target at the end.
//! * Into a tree built before (it carries a manifest), only the files whose bytes changed
//!   are staged, side by side in one folder (numbered, with a plan of where each goes),
//!   so that staging makes no folders and the commit walks none. A file made from the
//!   same fingerprint, or to the same bytes, as the previous build is left where it is
//!   (same inode, same mtime), so a CDN sync uploads only what changed and an unchanged
//!   page costs no system call at all. At the end the staged files are renamed into
//!   place, files no longer made are deleted, and the new manifest goes in last. Files
//!   the manifest does not list (a user's own) are never touched.
//!
//! Either commit begins by writing a marker into the staging folder. A build killed
//! during that short step is rolled forward by the next one, which finds the marker
//! first; a staging folder without one is a build that never finished, and is removed.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use crate::cache::manifest::{self, Entry, Hash, MANIFEST_FILE, Manifest, hash};
use crate::diagnostics::Diagnostic;

/// The staging folder, inside the target.
pub const STAGING_DIR: &str = ".jobaudit-staging";

/// In an update's staging folder: where each staged file goes, one path a line.
const PLAN_FILE: &str = ".jobaudit-plan";

/// In the staging folder: the staged build is complete and being moved into place.
const COMMIT_MARKER: &str = ".jobaudit-commit";

pub struct Writer {
    target: PathBuf,
    staging: PathBuf,
    /// Exists only while staged files are being moved into the target.
    marker: PathBuf,
    /// The target holds a previous build: update it in place.
    update: bool,
    /// Files of the previous build may be kept as they are (not with `--full`).
    reuse: bool,
    /// The previous build's files. Those kept as they were are flagged here, without a
    /// lock or an allocation: on a night that is all but a few thousand of them.
    previous: PreviousFiles,
    /// Files made this build, written or found with the same bytes.
    made: Mutex<FxHashMap<String, Entry>>,
    /// In an update, the files staged so far, by number: where each goes in the target.
    staged: Mutex<Vec<String>>,
    files: AtomicUsize,
    kept: AtomicUsize,
    bytes: AtomicU64,
    finished: bool,
}

/// A manifest's files, as it is written (`manifest::write_files`).
type Files = Vec<(Box<str>, Entry)>;

/// The files of the previous build, by path (`previous_files`).
pub type PreviousFiles = FxHashMap<Box<str>, Previous>;

/// A file of the previous build, and whether this build keeps it as it was.
pub struct Previous {
    entry: Entry,
    kept: AtomicBool,
}

/// The files the manifest of the tree at `target` lists, none kept yet.
pub fn previous_files(target: &Path) -> PreviousFiles {
    manifest::read_files(target, |entry| Previous {
        entry,
        kept: AtomicBool::new(false),
    })
}

impl Writer {
    /// Prepares the staging folder inside `target`, making `target` if it is missing. A
    /// commit that was interrupted is finished first; a staging folder left by a killed
    /// build is removed. The caller has made sure the target is jobaudit's to write
    /// ([`super::output`]).
    pub fn new(target: &Path) -> Result<Writer, Diagnostic> {
        Writer::with_manifest(target, previous_files(target))
    }

    /// `new`, given the target's manifest as read beforehand (it is read again if an
    /// interrupted commit had to be finished).
    pub fn with_manifest(target: &Path, mut previous: PreviousFiles) -> Result<Writer, Diagnostic> {
        std::fs::create_dir_all(target)
            .map_err(|e| Diagnostic::error(target, format!("cannot create folder: {e}")))?;
        clean_up_beside(target)?;
        let staging = target.join(STAGING_DIR);
        let marker = staging.join(COMMIT_MARKER);
        if marker.exists() {
            roll_forward(target, &staging, &marker)?;
            previous = previous_files(target);
        }
        remove_if_present(&staging)?;
        std::fs::create_dir(&staging)
            .map_err(|e| Diagnostic::error(&staging, format!("cannot create folder: {e}")))?;
        Ok(Writer {
            update: !previous.is_empty(),
            reuse: true,
            previous,
            target: target.to_path_buf(),
            staging,
            marker,
            made: Mutex::new(FxHashMap::default()),
            staged: Mutex::new(Vec::new()),
            files: AtomicUsize::new(0),
            kept: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            finished: false,
        })
    }

    /// Makes every file afresh, whatever the previous build left (`--full`). A previous
    /// tree is still updated in place, not replaced: its files that this build no longer
    /// makes are deleted, and files it never made stay.
    pub fn ignore_previous(mut self) -> Writer {
        self.reuse = false;
        self
    }

    /// Keeps the previous build's `rel` when it was made from the same `fingerprint`;
    /// false when it must be made afresh.
    pub fn keep_if_unchanged(&self, rel: &str, fingerprint: Hash) -> Result<bool, Diagnostic> {
        match self.previous.get(rel) {
            Some(old) if self.reuse && old.entry.fingerprint == fingerprint && fingerprint != 0 => {
                old.kept.store(true, Ordering::Relaxed);
                self.kept.fetch_add(1, Ordering::Relaxed);
                self.files.fetch_add(1, Ordering::Relaxed);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn record(&self, rel: &str, entry: Entry) {
        if let Ok(mut made) = self.made.lock() {
            made.insert(rel.to_owned(), entry);
        }
        self.files.fetch_add(1, Ordering::Relaxed);
    }

    /// Writes `contents` at `rel` (a `/`-separated path inside the site). Safe to call
    /// from many threads.
    pub fn write(&self, rel: &str, contents: &[u8]) -> Result<(), Diagnostic> {
        self.write_made_from(rel, contents, 0)
    }

    /// Writes `contents` made from `fingerprint`; bytes equal to the previous build's
    /// are left in place, so the file is not touched.
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
        let path = self.staged_path(rel)?;
        if self.reuse
            && self
                .previous
                .get(rel)
                .is_some_and(|old| old.entry.content == entry.content)
        {
            // The same bytes: the file stays where it is, under its new fingerprint.
            self.record(rel, entry);
            self.kept.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let path = if self.update {
            let mut staged = self.staged.lock().map_err(|_| self.poisoned())?;
            staged.push(rel.to_owned());
            self.staging.join((staged.len() - 1).to_string())
        } else {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| Diagnostic::error(parent, format!("cannot create folder: {e}")))?;
            }
            path
        };
        std::fs::write(&path, contents)
            .map_err(|e| Diagnostic::error(&self.target.join(rel), format!("cannot write: {e}")))?;
        self.record(rel, entry);
        self.bytes
            .fetch_add(contents.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    fn poisoned(&self) -> Diagnostic {
        Diagnostic::error(&self.target, "a writer thread panicked")
    }

    /// The staging path of `rel` in a new tree, refusing anything that could leave the
    /// output folder.
    fn staged_path(&self, rel: &str) -> Result<PathBuf, Diagnostic> {
        inside(&self.staging, rel).ok_or_else(|| {
            Diagnostic::error(
                &self.target,
                format!("refused to write {rel:?}: not a path inside the output folder"),
            )
        })
    }

    pub fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    /// Files kept from the previous build (left in place, not written).
    pub fn kept(&self) -> usize {
        self.kept.load(Ordering::Relaxed)
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Writes the manifest into the staged tree and puts the tree in place: all of it
    /// into a new target, or the changed files into a previous one.
    /// Whether `finish` moves files into the existing tree, rather than swapping in a
    /// new one: files written beside the tree meanwhile stay.
    pub fn updates_in_place(&self) -> bool {
        self.update
    }

    /// Writes the manifest into the staged tree and puts the tree in place: all of it
    /// into a new target, or the changed files into a previous one.
    pub fn finish(mut self) -> Result<(), Diagnostic> {
        if self.update {
            let stale = self.stage_commit()?;
            return commit_update(&self.target, &self.staging, &self.marker, Some(&stale));
        }
        let (mut files, _) = self.take_manifest()?;
        let path = self.staging.join(MANIFEST_FILE);
        manifest::write_files(&path, &mut files)
            .map_err(|e| Diagnostic::error(&path, format!("cannot write: {e}")))?;
        write_marker(&self.marker)?;
        self.finished = true;
        commit_tree(&self.target, &self.staging, &self.marker)
    }
}

impl Writer {
    /// Readies an update's commit: the new manifest and the plan go beside the staged
    /// files, then the marker says a commit is under way. Returns the previous files
    /// this build no longer makes.
    fn stage_commit(&mut self) -> Result<Vec<String>, Diagnostic> {
        let (mut files, stale) = self.take_manifest()?;
        let staged = std::mem::take(&mut *self.staged.lock().map_err(|_| self.poisoned())?);
        let cannot =
            |path: &Path, e: std::io::Error| Diagnostic::error(path, format!("cannot write: {e}"));
        let path = self.staging.join(MANIFEST_FILE);
        manifest::write_files(&path, &mut files).map_err(|e| cannot(&path, e))?;
        let path = self.staging.join(PLAN_FILE);
        std::fs::write(&path, staged.join("\n")).map_err(|e| cannot(&path, e))?;
        write_marker(&self.marker)?;
        self.finished = true;
        Ok(stale)
    }

    /// This build's manifest: the files it made and the previous files it kept; and the
    /// previous files it no longer makes. A list, not a map: it is only written, and on a
    /// night a map of every file was another 30 MB.
    fn take_manifest(&mut self) -> Result<(Files, Vec<String>), Diagnostic> {
        let made = std::mem::take(
            &mut *self
                .made
                .lock()
                .map_err(|_| Diagnostic::error(&self.target, "a writer thread panicked"))?,
        );
        let mut files = Vec::with_capacity(made.len() + self.previous.len());
        let mut stale = Vec::new();
        for (rel, old) in std::mem::take(&mut self.previous) {
            if made.contains_key(&*rel) {
                continue;
            }
            if old.kept.into_inner() {
                files.push((rel, old.entry));
            } else {
                stale.push(rel.into());
            }
        }
        files.extend(made.into_iter().map(|(rel, entry)| (rel.into(), entry)));
        Ok((files, stale))
    }
}

impl Drop for Writer {
    /// A build that did not finish leaves no staging folder behind; one that began its
    /// commit leaves it for the next build to finish.
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Says that the staged build is complete: from here on it is moved into place, and a
/// build killed meanwhile is rolled forward by the next one.
fn write_marker(marker: &Path) -> Result<(), Diagnostic> {
    std::fs::write(marker, b"").map_err(|e| Diagnostic::error(marker, format!("cannot write: {e}")))
}

/// Earlier versions of jobaudit staged beside the target (`.<name>.staging`, with a
/// `.<name>.commit` marker while an update moved in, and the tree it replaced moved
/// aside as `.<name>.old`). What a killed build of theirs left is finished or removed,
/// where it is recognisably theirs: nothing else beside the output is touched.
fn clean_up_beside(target: &Path) -> Result<(), Diagnostic> {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return Ok(());
    };
    let beside = |suffix: &str| {
        let mut file = std::ffi::OsString::from(".");
        file.push(name);
        file.push(suffix);
        parent.join(file)
    };
    let (staging, marker, old) = (beside(".staging"), beside(".commit"), beside(".old"));
    let staged_update = staging.join(PLAN_FILE).is_file();
    if marker.is_file() && staged_update {
        roll_forward(target, &staging, &marker)?;
    }
    let staged =
        staged_update || staging.join(MANIFEST_FILE).is_file() || staging.join("static").is_dir();
    if staged {
        remove_if_present(&staging)?;
    }
    if old.join(MANIFEST_FILE).is_file() {
        remove_if_present(&old)?;
    }
    Ok(())
}

/// Finishes the commit a killed build began: the staging folder holds an update (a plan
/// of numbered files) or a new tree.
fn roll_forward(target: &Path, staging: &Path, marker: &Path) -> Result<(), Diagnostic> {
    if !staging.join(PLAN_FILE).exists() {
        return commit_tree(target, staging, marker);
    }
    let staged = staging.join(MANIFEST_FILE);
    let stale = staged.exists().then(|| {
        let (old, new) = (Manifest::read(target), Manifest::read(staging));
        let mut stale: Vec<String> = old.entries.into_keys().map(String::from).collect();
        stale.retain(|rel| !new.entries.contains_key(rel.as_str()));
        stale
    });
    commit_update(target, staging, marker, stale.as_deref())
}

/// Moves a new tree's top-level entries from `staging` into `target`, its manifest
/// first, so that a commit cut short leaves a tree the next build knows as its own and
/// rolls forward. Every step can be repeated.
fn commit_tree(target: &Path, staging: &Path, marker: &Path) -> Result<(), Diagnostic> {
    let move_in = |name: &std::ffi::OsStr| {
        let (from, to) = (staging.join(name), target.join(name));
        std::fs::rename(&from, &to)
            .map_err(|e| Diagnostic::error(&to, format!("cannot move into place: {e}")))
    };
    if staging.join(MANIFEST_FILE).exists() {
        move_in(MANIFEST_FILE.as_ref())?;
    }
    let entries = std::fs::read_dir(staging)
        .map_err(|e| Diagnostic::error(staging, format!("cannot read folder: {e}")))?;
    for entry in entries {
        let entry = entry.map_err(|e| Diagnostic::error(staging, format!("cannot read: {e}")))?;
        let name = entry.file_name();
        if name != COMMIT_MARKER {
            move_in(&name)?;
        }
    }
    finish_commit(staging, marker)
}

/// The last step of either commit: the marker goes first, so that a staging folder left
/// without one is known to be a leftover.
fn finish_commit(staging: &Path, marker: &Path) -> Result<(), Diagnostic> {
    std::fs::remove_file(marker)
        .or_else(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Ok(()),
            _ => Err(e),
        })
        .map_err(|e| Diagnostic::error(marker, format!("cannot remove: {e}")))?;
    remove_if_present(staging)
}

/// Moves the staged files of an update into `target`, deletes the files the new manifest
/// no longer lists, and puts the new manifest in place last. Every step can be repeated,
/// so a commit cut short is finished by running this again while `marker` exists.
/// `stale` lists the files the new manifest no longer has; None once it is in place.
fn commit_update(
    target: &Path,
    staging: &Path,
    marker: &Path,
    stale: Option<&[String]>,
) -> Result<(), Diagnostic> {
    let staged_manifest = staging.join(MANIFEST_FILE);
    if let Some(stale) = stale {
        // The plan names where each staged file goes; one already moved (by a commit cut
        // short) is not staged any more.
        let plan = staging.join(PLAN_FILE);
        let plan = std::fs::read_to_string(&plan)
            .map_err(|e| Diagnostic::error(&plan, format!("cannot read: {e}")))?;
        // Renames and deletions in many folders at once: each waits on the journal.
        let plan: Vec<&str> = plan.lines().collect();
        plan.par_iter().enumerate().try_for_each(|(n, rel)| {
            let (from, Some(to)) = (staging.join(n.to_string()), inside(target, rel)) else {
                return Ok(());
            };
            within(target, rel)?;
            let moved = match std::fs::rename(&from, &to) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && from.exists() => {
                    // A new folder, such as a new request's.
                    if let Some(parent) = to.parent() {
                        std::fs::create_dir_all(parent).map_err(|e| {
                            Diagnostic::error(parent, format!("cannot create folder: {e}"))
                        })?;
                    }
                    std::fs::rename(&from, &to)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                moved => moved,
            };
            moved.map_err(|e| Diagnostic::error(&to, format!("cannot move into place: {e}")))
        })?;
        stale.par_iter().try_for_each(|rel| {
            let Some(path) = inside(target, rel) else {
                return Ok(());
            };
            within(target, rel)?;
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    remove_empty_parents(target, &path);
                    Ok(())
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Diagnostic::error(&path, format!("cannot remove: {e}"))),
            }
        })?;
        let manifest = target.join(MANIFEST_FILE);
        std::fs::rename(&staged_manifest, &manifest)
            .map_err(|e| Diagnostic::error(&manifest, format!("cannot move into place: {e}")))?;
    }
    finish_commit(staging, marker)
}

/// Refuses to write or delete `rel` inside `target` when a folder on the way to it is a
/// symbolic link: jobaudit never makes one, and following one could write outside the
/// folder it was given. A folder that does not exist yet is made below the last one
/// checked.
fn within(target: &Path, rel: &str) -> Result<(), Diagnostic> {
    let mut folder = target.to_path_buf();
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    for part in parts {
        folder.push(part);
        match std::fs::symlink_metadata(&folder) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Diagnostic::error(
                    &folder,
                    "refused to write through a symbolic link in the output folder: it could lead out of it",
                ));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
}

/// `root` joined with `rel`, or None when `rel` could leave `root`.
fn inside(root: &Path, rel: &str) -> Option<PathBuf> {
    let relative = Path::new(rel);
    let ok = !rel.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    ok.then(|| root.join(relative))
}

/// Removes the folders above a deleted file that it left empty, up to `root`.
fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
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

    /// Listing of `dir`, names only, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_new_tree_goes_into_place_only_on_finish() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        let w = Writer::new(&target).unwrap();
        w.write("a/b/index.html", b"new").unwrap();
        assert_eq!(
            names(&target),
            [STAGING_DIR],
            "nothing in place until finish"
        );
        w.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("a/b/index.html")).unwrap(),
            "new"
        );
        assert_eq!(names(&target), [MANIFEST_FILE, "a"], "no staging left");
        assert_eq!(names(dir.path()), ["site"], "nothing written beside it");
    }

    #[test]
    fn a_new_tree_cut_short_in_its_commit_is_finished_by_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        let w = Writer::new(&target).unwrap();
        w.write("a/index.html", b"a").unwrap();
        w.write("b/index.html", b"b").unwrap();
        let mut w = w;
        let (mut files, _) = w.take_manifest().unwrap();
        manifest::write_files(&w.staging.join(MANIFEST_FILE), &mut files).unwrap();
        write_marker(&w.marker).unwrap();
        w.finished = true;
        // Killed after the manifest and one folder were moved in.
        std::fs::rename(w.staging.join(MANIFEST_FILE), target.join(MANIFEST_FILE)).unwrap();
        std::fs::rename(w.staging.join("a"), target.join("a")).unwrap();
        drop(w);
        drop(Writer::new(&target).unwrap());
        assert_eq!(names(&target), [MANIFEST_FILE, "a", "b"]);
        assert_eq!(read(&target.join("b/index.html")), "b");
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

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).unwrap().ino()
    }

    /// A tree with a manifest: `keep.html`, `change.html` and `gone/deep/x.html`.
    fn previous_build(target: &Path) {
        let w = Writer::new(target).unwrap();
        w.write_made_from("keep.html", b"same", 7).unwrap();
        w.write("change.html", b"before").unwrap();
        w.write("gone/deep/x.html", b"stale").unwrap();
        w.finish().unwrap();
    }

    #[test]
    fn an_update_moves_in_changed_files_and_deletes_stale_ones() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        previous_build(&target);
        let kept = inode(&target.join("keep.html"));

        let w = Writer::new(&target).unwrap();
        assert!(w.keep_if_unchanged("keep.html", 7).unwrap());
        w.write("change.html", b"after").unwrap();
        w.write("new/index.html", b"new").unwrap();
        assert_eq!(
            read(&target.join("change.html")),
            "before",
            "not before finish"
        );
        assert_eq!((w.files(), w.kept()), (3, 1));
        w.finish().unwrap();

        assert_eq!(inode(&target.join("keep.html")), kept, "left in place");
        assert_eq!(read(&target.join("change.html")), "after");
        assert_eq!(read(&target.join("new/index.html")), "new");
        assert!(
            !target.join("gone").exists(),
            "stale file and its folders removed"
        );
        let manifest = Manifest::read(&target);
        let mut names: Vec<&str> = manifest.entries.keys().map(|k| &**k).collect();
        names.sort_unstable();
        assert_eq!(names, ["change.html", "keep.html", "new/index.html"]);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no staging left"
        );
    }

    #[test]
    fn an_interrupted_commit_is_finished_by_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        previous_build(&target);
        let w = Writer::new(&target).unwrap();
        assert!(w.keep_if_unchanged("keep.html", 7).unwrap());
        w.write("change.html", b"after").unwrap();
        w.write("new/deep/index.html", b"new").unwrap();
        // Stage the commit as finish does, move the first file in, then stop as if
        // killed in the middle of the renames.
        let mut w = w;
        w.stage_commit().unwrap();
        std::fs::rename(w.staging.join("0"), target.join("change.html")).unwrap();
        let staged_manifest = Manifest::read(&w.staging);
        drop(w);
        assert!(!target.join("new").exists(), "not yet in place");

        let next = Writer::new(&target).unwrap();
        assert_eq!(read(&target.join("change.html")), "after");
        assert_eq!(
            read(&target.join("new/deep/index.html")),
            "new",
            "rolled forward"
        );
        assert!(!target.join("gone").exists());
        assert_eq!(Manifest::read(&target), staged_manifest);
        drop(next);
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
