//! Where a build may write: the output folder is jobaudit's alone, one build at a time,
//! and a build killed or starved of disk leaves the previous site whole.

use super::harness::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The premise of every other case: the harness's export builds, one page a request.
#[test]
fn a_valid_export_builds_every_request() {
    let export = Export::of(&[request(1), request(2)]);
    let run = export.build(&[]);
    run.expect(0, &["2 job requests read, 2 rendered, 0 skipped"]);
    assert_eq!(run.request_pages(), 2);
    let beside: Vec<_> = std::fs::read_dir(export.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        beside.len(),
        2,
        "nothing written beside the output: {beside:?}"
    );
}

/// `jobaudit build` of `export` into `output`.
fn build_into(export: &Export, output: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "build".as_ref(),
        "--input".as_ref(),
        export.input.as_os_str(),
        "--output".as_ref(),
        output.as_os_str(),
    ];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    run(&args, output.to_path_buf())
}

#[test]
fn a_folder_of_the_users_own_files_is_refused_and_left_alone() {
    let export = Export::of(&[request(1)]);
    let mine = export.beside("thesis");
    std::fs::create_dir_all(mine.join("chapters")).unwrap();
    std::fs::write(mine.join("chapters/one.tex"), "years of work").unwrap();
    std::fs::write(mine.join("index.html"), "my own page").unwrap();
    let before = tree(&mine);
    let run = build_into(&export, &mine, &[]);
    run.expect(
        2,
        &[
            "refusing to build here",
            "no jobaudit build made",
            "\"chapters\"",
        ],
    );
    assert_eq!(tree(&mine), before, "untouched");
    assert_eq!(run.request_pages(), 0);
    for flag in ["--full", "--wait"] {
        build_into(&export, &mine, &[flag]).expect(2, &["refusing to build here"]);
        assert_eq!(tree(&mine), before, "untouched with {flag}");
    }
}

#[test]
fn a_file_or_a_symbolic_link_as_the_output_is_refused() {
    let export = Export::of(&[request(1)]);
    let file = export.beside("notes.txt");
    std::fs::write(&file, "mine").unwrap();
    build_into(&export, &file, &[]).expect(2, &["it is a file, not a folder"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");

    let real = export.beside("real");
    std::fs::create_dir(&real).unwrap();
    let link = export.beside("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    build_into(&export, &link, &[]).expect(2, &["it is a symbolic link"]);
    assert!(std::fs::read_dir(&real).unwrap().next().is_none());
}

#[test]
fn the_output_may_not_be_hold_or_lie_inside_the_input_or_templates() {
    let export = Export::of(&[request(1)]);
    let templates = export.beside("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(templates.join("extra.css"), "x").unwrap();
    let input_before = tree(&export.input);
    let cases: [(PathBuf, &str); 6] = [
        (export.input.clone(), "the output is the input folder"),
        (export.input.join("site"), "lies inside the input folder"),
        (
            export.input.join("pipelines"),
            "lies inside the input folder",
        ),
        (export.dir.path().to_path_buf(), "holds the input folder"),
        (templates.clone(), "is the templates folder"),
        (templates.join("out"), "lies inside the templates folder"),
    ];
    for (output, said) in cases {
        let t = templates.to_str().unwrap();
        let run = build_into(&export, &output, &["--templates", t]);
        run.expect(2, &["refusing to build here", said]);
        assert_eq!(tree(&export.input), input_before, "{}", output.display());
    }
    // `..` and symbolic links are resolved before comparing.
    let via_link = export.beside("to-input");
    std::os::unix::fs::symlink(&export.input, &via_link).unwrap();
    build_into(&export, &via_link.join("site"), &[]).expect(2, &["lies inside the input folder"]);
    let dotted = export.input.join("pipelines/../x/..");
    build_into(&export, &dotted, &[]).expect(2, &["the output is the input folder"]);
    assert_eq!(tree(&export.input), input_before);
}

#[test]
fn files_the_user_added_to_a_built_site_survive_rebuilds() {
    let export = Export::of(&[request(1), request(2)]);
    let first = export.build(&[]);
    first.expect(0, &[]);
    std::fs::write(first.output.join("CNAME"), "jobs.example.org").unwrap();
    std::fs::create_dir(first.output.join("extra")).unwrap();
    std::fs::write(first.output.join("extra/notes.txt"), "mine").unwrap();
    // Request 2 goes: its page is the build's to remove, the user's files are not.
    export.write("job_requests.jsonl", request(1).to_string().as_bytes());
    for flags in [&[][..], &["--full"][..]] {
        let run = export.build(flags);
        run.expect(0, &["1 job requests read, 1 rendered"]);
        assert_eq!(run.request_pages(), 1, "{flags:?}");
        let cname = std::fs::read_to_string(run.output.join("CNAME")).unwrap();
        assert_eq!(cname, "jobs.example.org", "{flags:?}");
        assert!(run.output.join("extra/notes.txt").is_file(), "{flags:?}");
    }
}

#[test]
fn a_killed_builds_staging_is_cleaned_by_the_next_one() {
    let export = Export::of(&[request(1)]);
    let site = export.beside("site");
    // A first build killed while rendering: its output holds only a staging folder.
    let staging = site.join(".jobaudit-staging");
    std::fs::create_dir_all(staging.join("p/ws")).unwrap();
    std::fs::write(staging.join("p/ws/index.html"), "half").unwrap();
    let run = export.build(&[]);
    run.expect(0, &[]);
    assert!(!staging.exists());
    assert_eq!(run.request_pages(), 1);
    // The same, into a site built before.
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join("0"), "half").unwrap();
    export.build(&[]).expect(0, &[]);
    assert!(!staging.exists());
}

#[test]
fn a_symbolic_link_planted_in_the_output_is_not_written_through() {
    let export = Export::of(&[request(1), request(2)]);
    let site = export.build(&[]).output;
    // Someone replaces the project's folder by a link to a folder of theirs.
    let elsewhere = export.beside("elsewhere");
    std::fs::rename(site.join("p"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, site.join("p")).unwrap();
    let before = tree(&elsewhere);
    let mut changed = request(2);
    changed["jobs"][0]["status"] = "failed".into();
    let lines = [request(1).to_string(), changed.to_string()];
    export.write("job_requests.jsonl", lines.join("\n").as_bytes());
    let run = export.build(&[]);
    run.expect(
        2,
        &["refused to write through a symbolic link in the output folder"],
    );
    assert_eq!(tree(&elsewhere), before, "nothing written through the link");
}

/// Two exports made by `jobaudit synth`, the second a night's changes to the first, and
/// the trees a build of each makes into an empty folder.
struct Night {
    _dir: tempfile::TempDir,
    a: PathBuf,
    b: PathBuf,
    site_a: Tree,
    site_b: Tree,
    /// Where the trees were built (kept, to copy).
    built_a: PathBuf,
    root: PathBuf,
}

impl Night {
    fn new() -> Night {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let (a, b) = (root.join("a"), root.join("b"));
        let pipelines = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pipelines");
        let (a_str, b_str) = (a.to_str().unwrap(), b.to_str().unwrap());
        jobaudit_ok(&[
            "synth",
            "--requests",
            "300",
            "--seed",
            "7",
            "--pipelines",
            pipelines.to_str().unwrap(),
            "--output",
            a_str,
        ]);
        copy_tree(&a, &b);
        jobaudit_ok(&[
            "synth", "--night", "20,10,5", "--seed", "3", "--output", b_str,
        ]);
        let built_a = root.join("built-a");
        let built_b = root.join("built-b");
        for (input, output) in [(&a, &built_a), (&b, &built_b)] {
            let out = output.to_str().unwrap();
            jobaudit_ok(&["build", "--input", input.to_str().unwrap(), "--output", out]);
        }
        let (site_a, site_b) = (tree(&built_a), tree(&built_b));
        assert_ne!(site_a, site_b, "the night changes pages");
        Night {
            _dir: dir,
            a,
            b,
            site_a,
            site_b,
            built_a,
            root,
        }
    }

    fn build(&self, input: &Path, output: &Path, extra: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_jobaudit"));
        command
            .arg("build")
            .arg("--input")
            .arg(input)
            .arg("--output")
            .arg(output)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        command
    }
}

/// The caches beside the pages (memo, term index) hold facts known by the hash of what
/// they are about, true whatever the tree, and are written while an update's files move
/// in: a killed build may leave the next build's. The pages and the manifest may not mix.
fn pages(tree: &Tree) -> Tree {
    // The caches, and the temporary file one is written through (`.jobaudit-memo.new`,
    // which the next build writes again and renames), are shortcuts, not pages.
    let cache = |rel: &str| rel.starts_with(".jobaudit-memo") || rel.starts_with(".jobaudit-terms");
    tree.iter()
        .filter(|(rel, _)| !cache(rel))
        .map(|(rel, bytes)| (rel.clone(), bytes.clone()))
        .collect()
}

/// A commit under way: the next build rolls it forward.
fn committing(site: &Path) -> bool {
    site.join(".jobaudit-staging/.jobaudit-commit").exists()
}

/// Moments to kill a build at: spread over `span`, shuffled by a seed that a failure
/// prints (`JOBAUDIT_KILL_SEED` repeats it).
fn moments(span: Duration, count: u32) -> (u64, Vec<Duration>) {
    let seed = std::env::var("JOBAUDIT_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(22u64);
    let mut state = seed;
    let moments = (0..count)
        .map(|i| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let jitter = (state >> 33) as f64 / (1u64 << 31) as f64;
            span.mul_f64((f64::from(i) + jitter) / f64::from(count))
        })
        .collect();
    (seed, moments)
}

/// Starts `command`, kills it with SIGKILL after `after` (if it is still running).
fn kill_after(mut command: Command, after: Duration) {
    let mut child = command.spawn().unwrap();
    std::thread::sleep(after);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn builds_killed_at_any_moment_leave_the_old_site_or_roll_forward() {
    let night = Night::new();
    let site = night.root.join("site");
    // How long an update takes here, to spread the kills over.
    copy_tree(&night.built_a, &site);
    let started = Instant::now();
    let out = night.build(&night.b, &site, &[]).output().unwrap();
    assert!(out.status.success());
    let update = started.elapsed();
    assert_eq!(tree(&site), night.site_b, "an update equals a fresh build");
    std::fs::remove_dir_all(&site).unwrap();
    let started = Instant::now();
    let out = night.build(&night.a, &site, &[]).output().unwrap();
    assert!(out.status.success());
    let fresh = started.elapsed();

    let (seed, updates) = moments(update.mul_f64(1.2), 8);
    let (_, fresh_kills) = moments(fresh.mul_f64(1.2), 6);
    for (kind, at) in updates
        .iter()
        .map(|t| ("update", *t))
        .chain(fresh_kills.iter().map(|t| ("new site", *t)))
    {
        let _ = std::fs::remove_dir_all(&site);
        let (input, before) = if kind == "update" {
            copy_tree(&night.built_a, &site);
            (&night.b, &night.site_a)
        } else {
            (&night.a, &Tree::new())
        };
        let after = if kind == "update" {
            &night.site_b
        } else {
            &night.site_a
        };
        kill_after(night.build(input, &site, &[]), at);
        let left = pages(&tree(&site));
        let whole = [pages(before), pages(after)];
        let in_staging = |t: &Tree| t.keys().all(|k| k.starts_with(".jobaudit-staging/"));
        assert!(
            committing(&site)
                || whole.iter().any(|w| {
                    let mut left = left.clone();
                    left.retain(|k, _| !k.starts_with(".jobaudit-staging/"));
                    &left == w
                })
                || (kind == "new site" && in_staging(&left)),
            "{kind} killed after {at:?} (seed {seed}) left a mixed tree of {} files; \
             not the new site's: {:?}",
            left.len(),
            left.iter()
                .filter(|(rel, bytes)| pages(after).get(*rel) != Some(*bytes))
                .map(|(rel, _)| rel)
                .take(5)
                .collect::<Vec<_>>()
        );
        let state = if committing(&site) {
            "committing"
        } else if left.is_empty() || in_staging(&left) {
            "nothing in place"
        } else if left == pages(after) {
            "finished"
        } else {
            "previous site"
        };
        eprintln!("{kind} killed after {at:?}: {state}");
        let out = night.build(input, &site, &[]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            &tree(&site),
            after,
            "{kind} killed after {at:?} (seed {seed}), then built again"
        );
    }
}

#[test]
fn two_builds_at_once_never_mix_their_trees() {
    let night = Night::new();
    for wait in [false, true] {
        let site = night.root.join(format!("site-{wait}"));
        copy_tree(&night.built_a, &site);
        let extra: &[&str] = if wait { &["--wait"] } else { &[] };
        let children: Vec<_> = [&night.b, &night.a]
            .into_iter()
            .map(|input| night.build(input, &site, extra).spawn().unwrap())
            .collect();
        let outcomes: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let succeeded: Vec<bool> = outcomes.iter().map(|o| o.status.success()).collect();
        for out in &outcomes {
            if !out.status.success() {
                assert_eq!(out.status.code(), Some(2));
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(err.contains("another jobaudit build is writing"), "{err}");
                assert!(!wait, "--wait waits its turn: {err}");
            }
        }
        assert!(succeeded.iter().any(|s| *s), "one build at least succeeds");
        eprintln!("two builds at once (--wait {wait}): succeeded {succeeded:?}");
        let left = pages(&tree(&site));
        assert!(
            left == pages(&night.site_a) || left == pages(&night.site_b),
            "wait {wait}: the tree is one build's"
        );
    }
}

/// Runs `mount` (or `umount`) with `args`; false if it cannot (not root, no tmpfs).
fn mount(args: &[&str]) -> bool {
    Command::new(args[0])
        .args(&args[1..])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Bytes used on the file system that holds `path`.
fn used(path: &Path) -> u64 {
    let out = Command::new("df")
        .args(["--output=used", "-B1"])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().nth(1).unwrap().trim().parse().unwrap()
}

#[test]
fn a_full_disk_leaves_the_previous_site_intact() {
    let night = Night::new();
    let disk = night.root.join("disk");
    std::fs::create_dir(&disk).unwrap();
    let d = disk.to_str().unwrap();
    if !mount(&["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", d]) {
        eprintln!("skipped: a full disk needs a small tmpfs, which only root can mount");
        return;
    }
    struct Unmount<'a>(&'a str);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            mount(&["umount", "-l", self.0]);
        }
    }
    let _unmount = Unmount(d);
    let site = disk.join("site");
    let out = night.build(&night.a, &site, &[]).output().unwrap();
    assert!(out.status.success());
    // Room for the site as it is and a few pages more, not for a night's update.
    let size = format!("remount,size={}", used(&disk) + 48 * 1024);
    assert!(mount(&["mount", "-o", &size, d]));
    let before = tree(&site);
    let out = night.build(&night.b, &site, &[]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(
        pages(&tree(&site)),
        pages(&before),
        "the previous site is intact"
    );
    assert!(!site.join(".jobaudit-staging").exists(), "no staging left");
    // A new site into the full disk fails too, and leaves nothing.
    let other = disk.join("other");
    let out = night.build(&night.b, &other, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!other.exists() || tree(&other).is_empty());
    // With room again, the next build rolls on.
    assert!(mount(&["mount", "-o", "remount,size=64m", d]));
    let out = night.build(&night.b, &site, &[]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(tree(&site), night.site_b);
}

#[test]
fn what_an_earlier_version_left_beside_the_output_is_cleaned_and_nothing_else() {
    let export = Export::of(&[request(1)]);
    let site = export.build(&[]).output;
    // A build of an earlier version, killed after moving the site aside, and one killed
    // while staging; and a folder of the user's that only looks alike.
    let old = export.beside(".site.old");
    copy_tree(&site, &old);
    let staging = export.beside(".site.staging");
    std::fs::create_dir_all(staging.join("static")).unwrap();
    std::fs::write(staging.join("static/style.css"), "x").unwrap();
    let theirs = export.beside(".site.backup");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("notes.txt"), "mine").unwrap();
    export.build(&[]).expect(0, &[]);
    assert!(!old.exists() && !staging.exists());
    assert!(theirs.join("notes.txt").is_file());
}
