//! What of the input folder is read: files and folders of the export itself. A symbolic
//! link is followed only where it stays inside the input folder, so that a build never
//! publishes a file from elsewhere on the machine (`pages/notes.md -> /etc/passwd`).

use std::fs::Metadata;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// The input folder, as given and resolved.
#[derive(Debug, Clone)]
pub(super) struct InputRoot {
    /// Its canonical path, with every link resolved: what a link's target must be under.
    pub canonical: PathBuf,
}

impl InputRoot {
    /// The input folder `dir`; an error that says why when it cannot be one.
    pub(super) fn open(dir: &Path) -> Result<InputRoot, Diagnostic> {
        let problem = match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => None,
            Ok(_) => Some(format!("input {} is not a folder", dir.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Some(format!("input folder {} does not exist", dir.display()))
            }
            Err(e) => Some(format!("cannot read input folder {}: {e}", dir.display())),
        };
        if let Some(message) = problem {
            return Err(Diagnostic::error(dir, message));
        }
        let canonical = std::fs::canonicalize(dir).map_err(|e| {
            Diagnostic::error(
                dir,
                format!("cannot read input folder {}: {e}", dir.display()),
            )
        })?;
        Ok(InputRoot { canonical })
    }

    /// A warning when `path` is a symbolic link whose target is outside the input
    /// folder: such a link is not followed. None for anything else (a missing path, a
    /// link that stays inside, a link to nothing).
    pub(super) fn escapes(&self, path: &Path) -> Option<Diagnostic> {
        let link = std::fs::symlink_metadata(path).ok()?;
        if !link.file_type().is_symlink() {
            return None;
        }
        let target = std::fs::canonicalize(path).ok()?;
        (!target.starts_with(&self.canonical)).then(|| {
            Diagnostic::warning(
                path,
                format!(
                    "not followed: a symbolic link to {}, outside the input folder",
                    target.display()
                ),
            )
        })
    }

    /// What is at `path`, links inside the input followed: None when nothing is there,
    /// or it is a link out of the input folder (reported in `diagnostics`).
    pub(super) fn metadata(
        &self,
        path: &Path,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Metadata> {
        if let Some(d) = self.escapes(path) {
            diagnostics.push(d);
            return None;
        }
        std::fs::metadata(path).ok()
    }

    /// `path` if it is a regular file to read: nothing there is None; a folder or other
    /// kind of file there, or a link out of the input, is reported and None.
    pub(super) fn file(&self, path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<PathBuf> {
        let metadata = self.metadata(path, diagnostics)?;
        if metadata.is_file() {
            return Some(path.to_path_buf());
        }
        let kind = if metadata.is_dir() {
            "a folder"
        } else {
            "not a regular file"
        };
        diagnostics.push(Diagnostic::error(
            path,
            format!("{} is {kind}: expected a file", path.display()),
        ));
        None
    }

    /// `path` if it is a folder to read, as `file` does for files.
    pub(super) fn folder(&self, path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<PathBuf> {
        let metadata = self.metadata(path, diagnostics)?;
        if metadata.is_dir() {
            return Some(path.to_path_buf());
        }
        diagnostics.push(Diagnostic::error(
            path,
            format!("{} is a file: expected a folder", path.display()),
        ));
        None
    }
}

/// Names in `dir` that look like one of `expected` but are not it (`Pipelines/`,
/// `pipeline/`, `job_request.jsonl`), each with the name it was probably meant as: such
/// a file or folder is not read, and a user who made it should hear why.
pub(super) fn near_misses<'e>(dir: &Path, expected: &[&'e str]) -> Vec<(PathBuf, &'e str)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut misses: Vec<(PathBuf, &str)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            if expected.contains(&name.as_str()) {
                return None;
            }
            let meant = expected.iter().find(|e| looks_like(&name, e))?;
            Some((entry.path(), *meant))
        })
        .collect();
    misses.sort();
    misses
}

/// Whether `name` is a slip for `expected`: the same but for case, or a typing error or
/// two (one for short names, so that `images` is not taken for `pages`).
fn looks_like(name: &str, expected: &str) -> bool {
    let (name, expected) = (name.to_ascii_lowercase(), expected.to_ascii_lowercase());
    let allowed = (expected.len() / 8).max(1);
    edit_distance(name.as_bytes(), expected.as_bytes(), allowed) <= allowed
}

/// The Levenshtein distance of `a` and `b`, or something over `most` once it is over.
fn edit_distance(a: &[u8], b: &[u8], most: usize) -> usize {
    if a.len().abs_diff(b.len()) > most {
        return most + 1;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &x) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &y) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(x != y));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_are_near_misses_and_other_names_are_not() {
        for (name, expected) in [
            ("Pipelines", "pipelines"),
            ("pipeline", "pipelines"),
            ("job_request.jsonl", "job_requests.jsonl"),
            ("Pages", "pages"),
            ("page", "pages"),
        ] {
            assert!(looks_like(name, expected), "{name}");
        }
        for (name, expected) in [
            ("images", "pages"),
            ("README.md", "pages"),
            ("out", "pages"),
        ] {
            assert!(!looks_like(name, expected), "{name}");
        }
    }

    #[test]
    fn links_out_of_the_input_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "x").unwrap();
        let input = tempfile::tempdir().unwrap();
        std::fs::write(input.path().join("inside"), "y").unwrap();
        let link = |name: &str, to: &Path| std::os::unix::fs::symlink(to, input.path().join(name));
        link("out", &outside.path().join("secret")).unwrap();
        link("in", &input.path().join("inside")).unwrap();
        let root = InputRoot::open(input.path()).unwrap();
        let mut d = Vec::new();
        assert_eq!(root.file(&input.path().join("out"), &mut d), None);
        assert!(d[0].message.contains("not followed"), "{}", d[0].message);
        assert!(root.file(&input.path().join("in"), &mut d).is_some());
        assert!(root.file(&input.path().join("absent"), &mut d).is_none());
        assert!(root.file(input.path(), &mut d).is_none());
        assert_eq!(
            d.len(),
            2,
            "a link out, and a folder where a file should be"
        );
    }
}
