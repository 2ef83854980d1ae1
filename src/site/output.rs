//! The output folder is jobaudit's alone. Before a build touches anything it checks that
//! the folder it was given is missing, empty, or a tree an earlier build made (its
//! manifest says so), that it neither is, holds nor lies inside the input or templates
//! folder, and it takes a lock on the folder so that a second build into it fails at once
//! (or waits its turn) instead of mixing two trees.
//!
//! The lock is an advisory lock (`flock`) on the output folder itself: the folder is
//! never replaced (the writer stages inside it), so the lock covers the whole build, and
//! it leaves no file behind. It is released when the process ends, however it ends.

use std::fs::{File, TryLockError};
use std::path::{Component, Path, PathBuf};

use super::writer::STAGING_DIR;
use crate::cache::manifest::MANIFEST_FILE;
use crate::diagnostics::Diagnostic;

/// The output folder, checked and locked for one build. Dropped without
/// [`Claim::keep`] after a build that failed, a folder the claim made is removed again
/// if it is still empty.
#[derive(Debug)]
pub struct Claim {
    folder: PathBuf,
    _lock: File,
    made: bool,
    kept: bool,
}

/// Where a build reads from, to check the output against.
pub struct Sources<'a> {
    pub input: &'a Path,
    pub templates: Option<&'a Path>,
}

/// Checks `output` and locks it; `wait` for a build that holds it to finish instead of
/// failing at once.
pub fn claim(output: &Path, sources: Sources<'_>, wait: bool) -> Result<Claim, Diagnostic> {
    let refuse = |why: String| Diagnostic::error(output, format!("refusing to build here: {why}"));
    if output.as_os_str().is_empty() {
        return Err(refuse("no folder was named".into()));
    }
    let real_output = resolve(output).map_err(|e| refuse(format!("cannot resolve it: {e}")))?;
    let named = [
        ("input", Some(sources.input)),
        ("templates", sources.templates),
    ];
    for (what, folder) in named {
        let Some(folder) = folder else { continue };
        // A folder that does not exist cannot overlap; reading it reports it missing.
        let Ok(real) = std::fs::canonicalize(folder) else {
            continue;
        };
        if let Some(why) = overlap(&real_output, &real) {
            return Err(refuse(format!(
                "the output {why} the {what} folder {}",
                folder.display()
            )));
        }
    }
    match std::fs::symlink_metadata(output) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(refuse(format!(
                "it is a symbolic link; give the folder it leads to ({})",
                real_output.display()
            )));
        }
        Ok(m) if !m.is_dir() => return Err(refuse("it is a file, not a folder".into())),
        _ => {}
    }
    let made = !output.exists();
    std::fs::create_dir_all(output)
        .map_err(|e| Diagnostic::error(output, format!("cannot create folder: {e}")))?;
    let lock = lock(output, wait)?;
    let claim = Claim {
        folder: output.to_path_buf(),
        _lock: lock,
        made,
        kept: false,
    };
    // Checked once the lock is held: a build that held it may have just made the tree.
    ownership(output).map_err(refuse)?;
    Ok(claim)
}

impl Claim {
    /// The build got far enough to leave its output: it stays even if empty.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if self.made && !self.kept {
            // Only an empty folder can be removed this way.
            let _ = std::fs::remove_dir(&self.folder);
        }
    }
}

/// The lock on `folder`, waiting for it if `wait`.
fn lock(folder: &Path, wait: bool) -> Result<File, Diagnostic> {
    let file = File::open(folder)
        .map_err(|e| Diagnostic::error(folder, format!("cannot open folder: {e}")))?;
    let locked = if wait {
        file.lock().map_err(TryLockError::Error)
    } else {
        file.try_lock()
    };
    match locked {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(Diagnostic::error(
            folder,
            "another jobaudit build is writing into this folder; run again when it has finished, or pass --wait to wait for it",
        )),
        Err(TryLockError::Error(e)) => Err(Diagnostic::error(
            folder,
            format!("cannot lock the folder: {e}"),
        )),
    }
}

/// Why `output` is not jobaudit's to write: not empty (but for a killed build's staging
/// folder), and no manifest of an earlier build.
fn ownership(output: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(output).map_err(|e| format!("cannot list it: {e}"))?;
    let mut foreign = Vec::new();
    for entry in entries {
        let name = entry
            .map_err(|e| format!("cannot list it: {e}"))?
            .file_name();
        if name != STAGING_DIR {
            foreign.push(name);
        }
    }
    if foreign.is_empty() || is_manifest(&output.join(MANIFEST_FILE)) {
        return Ok(());
    }
    foreign.sort();
    let shown: Vec<String> = foreign
        .iter()
        .take(3)
        .map(|n| format!("{:?}", n.to_string_lossy()))
        .collect();
    Err(format!(
        "it holds files that no jobaudit build made ({} entries, such as {}) and no {MANIFEST_FILE}; give a missing or empty folder, or one jobaudit built",
        foreign.len(),
        shown.join(", ")
    ))
}

/// Whether `path` is a manifest as the writer writes it: a regular file whose first
/// line is a path and two hexadecimal hashes, tab-separated.
fn is_manifest(path: &Path) -> bool {
    use std::io::{BufRead, BufReader, Read};
    let regular = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
    let Ok(file) = File::open(path) else {
        return false;
    };
    // A path and two hashes: no first line of a manifest is longer.
    let mut first = String::new();
    if !regular
        || BufReader::new(file.take(64 << 10))
            .read_line(&mut first)
            .is_err()
    {
        return false;
    }
    let fields: Vec<&str> = first.trim_end_matches('\n').split('\t').collect();
    let hex = |s: &str| !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_hexdigit());
    matches!(fields[..], [path, fingerprint, content] if !path.is_empty() && hex(fingerprint) && hex(content))
}

/// How `output` and `other` (both resolved) overlap, if they do.
fn overlap(output: &Path, other: &Path) -> Option<&'static str> {
    if output == other {
        Some("is")
    } else if output.starts_with(other) {
        Some("lies inside")
    } else if other.starts_with(output) {
        Some("holds")
    } else {
        None
    }
}

/// `path` made absolute with every symbolic link resolved, for the part of it that
/// exists; the rest (folders the build will make) is appended as given.
fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        match std::fs::canonicalize(existing) {
            Ok(real) => {
                let mut real = real;
                for part in rest.iter().rev() {
                    match part {
                        Component::ParentDir => {
                            real.pop();
                        }
                        Component::Normal(name) => real.push(name),
                        _ => {}
                    }
                }
                return Ok(real);
            }
            Err(_) => {
                let Some(parent) = existing.parent() else {
                    return Ok(absolute);
                };
                rest.extend(existing.components().next_back());
                existing = parent;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(input: &Path) -> Sources<'_> {
        Sources {
            input,
            templates: None,
        }
    }

    #[test]
    fn overlaps_are_named() {
        let (a, b) = (Path::new("/x/a"), Path::new("/x/a/b"));
        assert_eq!(overlap(a, a), Some("is"));
        assert_eq!(overlap(b, a), Some("lies inside"));
        assert_eq!(overlap(a, b), Some("holds"));
        assert_eq!(
            overlap(Path::new("/x/ab"), a),
            None,
            "not a prefix of names"
        );
    }

    #[test]
    fn a_missing_path_resolves_through_its_existing_folders() {
        let dir = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(dir.path()).unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();
        let resolved = resolve(&dir.path().join("link/new/../site")).unwrap();
        assert_eq!(resolved, real.join("site"));
    }

    #[test]
    fn a_second_claim_fails_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let (input, output) = (dir.path().join("in"), dir.path().join("site"));
        std::fs::create_dir(&input).unwrap();
        let first = claim(&output, sources(&input), false).unwrap();
        let second = claim(&output, sources(&input), false).unwrap_err();
        assert!(
            second.message.contains("another jobaudit build"),
            "{second}"
        );
        drop(first);
        assert!(!output.exists(), "the empty folder it made is removed");
        claim(&output, sources(&input), false).unwrap().keep();
        assert!(output.is_dir());
    }

    #[test]
    fn only_empty_folders_and_earlier_builds_are_claimed() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        std::fs::create_dir(&input).unwrap();
        let output = dir.path().join("mine");
        std::fs::create_dir(&output).unwrap();
        std::fs::write(output.join("thesis.tex"), "years of work").unwrap();
        let err = claim(&output, sources(&input), false).unwrap_err();
        assert!(err.message.contains("\"thesis.tex\""), "{err}");
        std::fs::write(output.join(MANIFEST_FILE), "not\ta manifest\n").unwrap();
        assert!(claim(&output, sources(&input), false).is_err());
        std::fs::write(output.join(MANIFEST_FILE), "index.html\t0\tab12\n").unwrap();
        assert!(claim(&output, sources(&input), false).is_ok());
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(claim(&file, sources(&input), false).is_err());
        for inside in [input.clone(), input.join("site"), dir.path().to_path_buf()] {
            let err = claim(&inside, sources(&input), false).unwrap_err();
            assert!(err.message.contains("the input folder"), "{err}");
        }
    }
}
