//! Making exports in temporary folders, running the `jobaudit` binary on them, and
//! reading what it said and built.

use serde_json::{Value, json};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A valid job request record (id `id`, identifier `req-<id>`), in project `p`,
/// workspace `ws`, with one succeeded job `job-<id>` nested, at commit `sha`.
pub fn request(id: u64) -> Value {
    json!({
        "id": id,
        "identifier": format!("req-{id}"),
        "backend": {"slug": "tpp", "name": "TPP"},
        "workspace": {"name": "ws", "repo": "https://github.com/o/ws", "branch": "main"},
        "project": {"slug": "p", "name": "Project P", "number": 1},
        "orgs": [{"slug": "org", "name": "Org", "lead": true}],
        "created_by": {"username": "ann", "fullname": "Ann Example"},
        "created_at": format!("2024-01-{:02}T10:00:00Z", 1 + id % 28),
        "sha": "0123456789abcdef0123456789abcdef01234567",
        "requested_actions": ["a"],
        "cancelled_actions": [],
        "force_run_dependencies": false,
        "jobs": [{
            "identifier": format!("job-{id}"),
            "action": "a",
            "status": "succeeded",
            "created_at": format!("2024-01-{:02}T10:00:01Z", 1 + id % 28),
            "started_at": format!("2024-01-{:02}T10:00:02Z", 1 + id % 28),
            "completed_at": format!("2024-01-{:02}T10:05:00Z", 1 + id % 28),
        }],
    })
}

/// A project.yaml with one action `a`, valid.
pub const PROJECT_YAML: &str = "version: '4.0'\n\nactions:\n  a:\n    run: python:latest analysis/a.py\n    outputs:\n      moderately_sensitive:\n        table: output/a.csv\n";

/// An export in a temporary folder: `input` inside it, and room beside it for outputs.
pub struct Export {
    pub dir: tempfile::TempDir,
    pub input: PathBuf,
}

impl Export {
    /// An export of `records` (one a line in `job_requests.jsonl`), with the
    /// project.yaml of their commit in the pipeline store.
    pub fn of(records: &[Value]) -> Export {
        let lines: Vec<String> = records.iter().map(Value::to_string).collect();
        Export::with_lines(&lines.join("\n"))
    }

    /// An export whose request file is `text`, as it is.
    pub fn with_lines(text: &str) -> Export {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("export");
        std::fs::create_dir(&input).unwrap();
        let export = Export { dir, input };
        export.write("job_requests.jsonl", text.as_bytes());
        export.write(
            "pipelines/o/ws/0123456789abcdef0123456789abcdef01234567/project.yaml",
            PROJECT_YAML.as_bytes(),
        );
        export
    }

    /// Writes `bytes` at `rel` inside the export, making its folders.
    pub fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.input.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Removes the file or folder at `rel` inside the export.
    pub fn remove(&self, rel: &str) {
        let path = self.input.join(rel);
        if path.is_dir() && !path.is_symlink() {
            std::fs::remove_dir_all(path).unwrap();
        } else {
            std::fs::remove_file(path).unwrap();
        }
    }

    /// Makes `rel` inside the export a symbolic link to `target`, making its folders.
    pub fn link(&self, rel: &str, target: &Path) {
        let path = self.input.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
    }

    /// A path beside the export (not yet made).
    pub fn beside(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `jobaudit build --input <export> --output <beside>/site` and `extra` arguments.
    pub fn build(&self, extra: &[&str]) -> Run {
        let output = self.beside("site");
        let mut args: Vec<&OsStr> = vec![
            "build".as_ref(),
            "--input".as_ref(),
            self.input.as_os_str(),
            "--output".as_ref(),
            output.as_os_str(),
        ];
        args.extend(extra.iter().map(|a| OsStr::new(*a)));
        run(&args, output.clone())
    }
}

/// What a run of the binary did.
pub struct Run {
    pub code: i32,
    pub stderr: String,
    pub output: PathBuf,
}

/// Runs `jobaudit` with `args`; `output` is the folder it was told to build.
pub fn run(args: &[&OsStr], output: PathBuf) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_jobaudit"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        output,
    }
}

impl Run {
    /// Checks the exit code and that each of `diagnostics` is said (every one is a
    /// piece of a diagnostic: a message, `file:line`, a record's name).
    pub fn expect(&self, code: i32, diagnostics: &[&str]) -> &Run {
        assert_eq!(self.code, code, "exit code; stderr:\n{}", self.stderr);
        for d in diagnostics {
            assert!(
                self.stderr.contains(d),
                "expected {d:?} in stderr:\n{}",
                self.stderr
            );
        }
        self
    }

    /// The files of the site built whose bytes contain `text`.
    pub fn files_containing(&self, text: &str) -> Vec<PathBuf> {
        walkdir::WalkDir::new(&self.output)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter(|e| {
                let bytes = std::fs::read(e.path()).unwrap_or_default();
                bytes
                    .windows(text.len().max(1))
                    .any(|w| w == text.as_bytes())
            })
            .map(|e| e.into_path())
            .collect()
    }

    /// The job request pages built: `<project>/<workspace>/<id>/index.html`.
    pub fn request_pages(&self) -> usize {
        request_pages(&self.output)
    }
}

/// The job request pages of the site at `site`.
pub fn request_pages(site: &Path) -> usize {
    if !site.is_dir() {
        return 0;
    }
    walkdir::WalkDir::new(site)
        .min_depth(4)
        .max_depth(4)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.html")
        .filter(|e| {
            let rel = e.path().strip_prefix(site).unwrap();
            let parts: Vec<&str> = rel.iter().map(|p| p.to_str().unwrap_or("")).collect();
            parts[2].bytes().all(|b| b.is_ascii_digit())
                && parts[1] != "page"
                && !parts[0].starts_with('.')
        })
        .count()
}

/// Every regular file under `root` by its path inside it, with its bytes.
pub type Tree = std::collections::BTreeMap<String, Vec<u8>>;

/// The files of the tree at `root` (none if it is missing).
pub fn tree(root: &Path) -> Tree {
    if !root.exists() {
        return Tree::new();
    }
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Runs `jobaudit` with `args` (strings), from the crate's folder, and checks it exits 0.
pub fn jobaudit_ok(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_jobaudit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "jobaudit {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Copies the tree at `from` to `to`, as it is (`cp -a`).
pub fn copy_tree(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "cp -a {} {}",
        from.display(),
        to.display()
    );
}
