//! Building into an existing output: unchanged files are kept (same inode, same mtime),
//! and the result is byte-identical to a full build of the same input.

use crate::common::*;
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use jobaudit::site::{self, BuildOptions};

fn tree(root: &Path) -> Tree {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap().to_path_buf();
            (
                rel,
                (
                    std::fs::read(e.path()).unwrap(),
                    e.metadata().unwrap().ino(),
                ),
            )
        })
        .collect()
}

type Tree = BTreeMap<PathBuf, (Vec<u8>, u64)>;

/// `after` holds the same files, byte for byte, as a full build of the same input into an
/// empty folder.
fn assert_same_as_a_full_build(options: &BuildOptions, after: &Tree) {
    let full_dir = tempfile::tempdir().unwrap();
    let full_output = full_dir.path().join("site");
    site::build(&BuildOptions {
        output: full_output.clone(),
        ..options.clone()
    })
    .unwrap();
    let full = tree(&full_output);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>(),
        "same files as a full build"
    );
    for (path, (bytes, _)) in after {
        assert!(
            bytes == &full[path].0,
            "{} differs from a full build",
            path.display()
        );
    }
}

/// A temporary folder with an export made by `make_input` in `input/`, and the options
/// that build it into `site/` beside it.
fn export_in_tempdir(make_input: impl FnOnce(&Path)) -> (tempfile::TempDir, BuildOptions) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    make_input(&input);
    let options = BuildOptions {
        input,
        output: dir.path().join("site"),
        ..BuildOptions::default()
    };
    (dir, options)
}

fn copy_fixture(to: &Path) {
    copy_dir(&manifest_dir().join("tests/fixtures/edge"), to);
}

/// Adds request 108 to analysis-ws, changes request 105's stored status message, and
/// removes request 106 (with its job).
fn change(input: &Path) {
    let path = input.join("job_requests.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut records: Vec<serde_json::Value> = text
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(",\n")
        .map(|r| serde_json::from_str(r.trim()).unwrap())
        .collect();
    records.retain(|r| r["id"] != 106);
    for r in &mut records {
        if r["id"] == 105 {
            r["status_message"] = "Failed: see the job".into();
        }
    }
    let mut added = records.iter().find(|r| r["id"] == 100).unwrap().clone();
    added["id"] = 108.into();
    added["identifier"] = "aaaaaaaaaaaaaaa9".into();
    added["created_at"] = "2024-01-09T09:00:00Z".into();
    records.push(added);
    let lines: Vec<String> = records.iter().map(|r| r.to_string()).collect();
    std::fs::write(&path, format!("[\n{}\n]\n", lines.join(",\n"))).unwrap();
}

#[test]
fn a_rebuild_keeps_unchanged_files_and_equals_a_full_build() {
    let (_dir, options) = export_in_tempdir(copy_fixture);
    let (input, output) = (options.input.clone(), options.output.clone());
    let first = site::build(&options).unwrap();
    assert_eq!(first.kept, 0);
    let before = tree(&output);

    // Nothing changed: every file is kept.
    let again = site::build(&options).unwrap();
    assert_eq!(again.kept, again.files);
    assert_eq!(again.bytes, 0);

    change(&input);
    let rebuilt = site::build(&options).unwrap();
    let after = tree(&output);

    assert_same_as_a_full_build(&options, &after);

    let same_inode = |rel: &str| before[Path::new(rel)].1 == after[Path::new(rel)].1;
    // Untouched requests keep their files.
    for rel in [
        "edge-project/analysis-ws/101/index.html",
        "edge-project/analysis-ws/101/index.json",
        "edge-project/big-ws/107/index.html",
        "pipelines/79b238b972f75295/index.html",
    ] {
        assert!(same_inode(rel), "{rel} was rewritten");
    }
    // The changed request, and the pages that list requests, are new files.
    for rel in [
        "xss-project/xss-ws/105/index.json",
        "index.html",
        "event-log/index.html",
        "edge-project/analysis-ws/index.html",
    ] {
        assert!(!same_inode(rel), "{rel} was kept");
    }
    assert!(
        !after.contains_key(Path::new("edge-project/analysis-ws/106/index.html")),
        "deleted request removed"
    );
    assert!(after.contains_key(Path::new("edge-project/analysis-ws/108/index.html")));
    assert!(
        rebuilt.kept > rebuilt.files / 2,
        "{} of {} kept",
        rebuilt.kept,
        rebuilt.files
    );
}

/// A generated export and a night's changes to it: new requests, changed ones and
/// withdrawn ones. The rebuild equals a full build byte for byte, rewrites the pages of
/// what changed, and leaves the pages of requests nothing touched where they were.
#[test]
fn a_night_of_changes_to_a_generated_export_rebuilds_like_a_full_build() {
    use jobaudit_synth::{self as synth, SynthOptions, night};
    let (_dir, options) = export_in_tempdir(|input| {
        synth::generate(&SynthOptions {
            requests: 400,
            seed: 7,
            output: input.to_path_buf(),
            pipelines: None,
        })
        .unwrap();
    });
    let (input, output) = (options.input.clone(), options.output.clone());
    let first = site::build(&options).unwrap();
    let before = tree(&output);

    let night = night::apply(
        &input,
        &night::Night {
            added: 25,
            changed: 10,
            removed: 5,
            seed: 3,
        },
    )
    .unwrap();
    assert_eq!(
        (night.added.len(), night.changed.len(), night.removed.len()),
        (25, 10, 5)
    );
    let rebuilt = site::build(&options).unwrap();
    let after = tree(&output);
    let problems = |c: jobaudit::export::ReadCounts| (c.requests_skipped, c.jobs_skipped);
    assert_eq!(
        problems(rebuilt.counts),
        problems(first.counts),
        "the night adds no bad records"
    );

    assert_same_as_a_full_build(&options, &after);

    // Request pages by id, before and after.
    let pages = |t: &Tree| -> BTreeMap<u64, (PathBuf, u64)> {
        t.iter()
            .filter(|(p, _)| p.ends_with("index.html") && p.components().count() == 4)
            .filter_map(|(p, (_, ino))| {
                let id = p.parent()?.file_name()?.to_str()?.parse().ok()?;
                Some((id, (p.clone(), *ino)))
            })
            .collect()
    };
    let (old, new) = (pages(&before), pages(&after));
    for id in &night.added {
        assert!(new.contains_key(id), "added request {id} has a page");
    }
    for id in &night.removed {
        assert!(
            old.contains_key(id) && !new.contains_key(id),
            "{id} removed"
        );
    }
    for id in &night.changed {
        assert_ne!(old[id].1, new[id].1, "changed request {id} was kept");
    }
    let untouched = old
        .iter()
        .filter(|(id, (_, ino))| new.get(id).is_some_and(|n| n.1 == *ino))
        .count();
    assert!(
        untouched * 10 > old.len() * 8,
        "only {untouched} of {} request pages kept",
        old.len()
    );
    assert!(
        rebuilt.kept * 10 > rebuilt.files * 7,
        "{} of {} files kept",
        rebuilt.kept,
        rebuilt.files
    );
}

/// Every file of the tree at `root`, held open. An open file's inode stays taken after
/// the file is deleted, so no file made meanwhile is given its number: a new number is
/// then a new file. (Once closed, ext4 gives a freed number to the next file made in its
/// group, by any test of the process: `--full` deletes the memo before writing the next.)
fn hold_open(root: &Path) -> Vec<std::fs::File> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| std::fs::File::open(e.path()).unwrap())
        .collect()
}

/// `--full` makes every file afresh (new inodes) into an output built before, with the
/// same bytes.
#[test]
fn a_full_build_rewrites_every_file() {
    let (_dir, options) = export_in_tempdir(copy_fixture);
    let output = options.output.clone();
    site::build(&options).unwrap();
    let before = tree(&output);
    let _held = hold_open(&output);
    let full = site::build(&BuildOptions {
        full: true,
        ..options
    })
    .unwrap();
    assert_eq!(full.kept, 0);
    let after = tree(&output);
    assert_eq!(before.len(), after.len());
    for (path, (bytes, inode)) in &after {
        assert_eq!(bytes, &before[path].0, "{}", path.display());
        assert_ne!(*inode, before[path].1, "{} kept", path.display());
    }
}

/// `options` built into a fresh folder, every file and record afresh.
fn full_build(options: &BuildOptions) -> (tempfile::TempDir, site::BuildSummary) {
    let dir = tempfile::tempdir().unwrap();
    let summary = site::build(&BuildOptions {
        output: dir.path().join("site"),
        full: true,
        ..options.clone()
    })
    .unwrap();
    (dir, summary)
}

/// A build that takes what the last build's memo knows reports, counts and makes exactly
/// what a build without one does; it parses only the records that changed, and those
/// with a problem (which are reported by every build).
#[test]
fn the_memo_changes_what_is_parsed_and_nothing_else() {
    let (_dir, options) = export_in_tempdir(copy_fixture);
    let first = site::build(&options).unwrap();
    let c = first.counts;
    let job_records = std::fs::read_to_string(options.input.join("jobs.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    assert_eq!(
        (c.requests_parsed, c.jobs_parsed),
        (c.requests_read, job_records)
    );
    assert!(
        first.diagnostics.iter().any(|d| d.is_error()),
        "the fixture has bad records"
    );

    let again = site::build(&options).unwrap();
    assert_eq!(again.diagnostics, first.diagnostics);
    let problems = |file: &str| {
        let lines: std::collections::BTreeSet<_> = first
            .diagnostics
            .iter()
            .filter(|d| d.file.ends_with(file) && d.is_error())
            .filter_map(|d| d.line)
            .collect();
        lines.len()
    };
    assert!(
        again.counts.requests_parsed <= problems("job_requests.json"),
        "{} request records parsed again",
        again.counts.requests_parsed
    );
    assert!(again.counts.jobs_parsed <= problems("jobs.jsonl"));

    // `change` writes every record anew (serde_json's spacing), so all are parsed.
    change(&options.input);
    let rebuilt = site::build(&options).unwrap();
    let (_full_dir, full) = full_build(&options);
    assert_eq!(rebuilt.diagnostics, full.diagnostics);
    let read = |c: jobaudit::export::ReadCounts| {
        (
            c.requests_read,
            c.requests_skipped,
            c.jobs_read,
            c.jobs_skipped,
        )
    };
    assert_eq!(read(rebuilt.counts), read(full.counts));
    assert_same_as_a_full_build(&options, &tree(&options.output));
}

/// A project.yaml rewritten where it was, to the same size and with its modification time
/// put back, is still read again: its stamp holds the change time, which cannot be set.
#[test]
fn a_project_yaml_edited_in_place_is_read_again() {
    let (_dir, options) = export_in_tempdir(copy_fixture);
    site::build(&options).unwrap();
    let file = options
        .input
        .join("pipelines/example/edge-study/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/project.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    let edited = text.replacen("output/", "outpvt/", 1);
    assert_ne!(edited, text);
    assert_eq!(edited.len(), text.len());
    std::fs::write(&file, &edited).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(modified)
        .unwrap();

    let rebuilt = site::build(&options).unwrap();
    assert!(rebuilt.kept > 0, "an update, not a full build");
    let after = tree(&options.output);
    assert_same_as_a_full_build(&options, &after);
    let shown = after
        .iter()
        .filter(|(p, _)| p.starts_with("edge-project") && p.ends_with("index.html"))
        .any(|(_, (bytes, _))| String::from_utf8_lossy(bytes).contains("outpvt/"));
    assert!(shown, "a request page shows the edited project.yaml");
}

/// A memo damaged on disk is not taken for one: the build parses every record.
#[test]
fn a_damaged_memo_is_not_read() {
    let (_dir, options) = export_in_tempdir(copy_fixture);
    site::build(&options).unwrap();
    let memo = options.output.join(jobaudit::cache::memo::MEMO_FILE);
    let mut bytes = std::fs::read(&memo).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&memo, bytes).unwrap();
    change(&options.input);

    let rebuilt = site::build(&options).unwrap();
    assert_eq!(rebuilt.counts.requests_parsed, rebuilt.counts.requests_read);
    assert_same_as_a_full_build(&options, &tree(&options.output));
}

/// Summaries carry the display names site.toml gives bare slugs: new settings remake them.
#[test]
fn new_settings_remake_the_summaries() {
    let (_dir, options) = export_in_tempdir(copy_fixture);
    site::build(&options).unwrap();
    let settings = options.input.join("site.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    std::fs::write(
        &settings,
        text.replace("tpp = \"TPP\"", "tpp = \"The TPP\""),
    )
    .unwrap();

    site::build(&options).unwrap();
    let after = tree(&options.output);
    assert_same_as_a_full_build(&options, &after);
    let listed = String::from_utf8_lossy(&after[Path::new("event-log/index.html")].0).into_owned();
    assert!(
        listed.contains(">The TPP</a>"),
        "rows name the backend anew"
    );
}
