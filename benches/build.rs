//! The build benchmark (`cargo bench --bench build`): for each size, a synthetic export
//! (generated once and kept under the target folder), a full build by the release binary
//! as a child process, a `cp -a` of its output on the same disk for scale, and then a
//! night's changes (`synth::night`: 0.5% of the archive added, 0.2% changed) built
//! incrementally into that output.
//!
//! Sizes come from `JOBAUDIT_BENCH_SIZES` (comma-separated request counts, default
//! `1000,10000,100000`); the seed from `JOBAUDIT_BENCH_SEED` (default 1). Prints one row
//! per size: pages, wall time, pages/s, MB written/s, peak RSS, build time ÷ `cp -a`, and
//! the night's rebuild time and files rewritten.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jobaudit_synth::{self as synth, SynthOptions, night};

struct Row {
    requests: usize,
    generate_s: Option<f64>,
    pages: usize,
    files: usize,
    bytes: u64,
    wall_s: f64,
    peak_rss_mb: f64,
    cp_s: f64,
    night: night::Night,
    night_s: f64,
    /// Files the night's rebuild wrote (the rest were left in place).
    night_written: usize,
}

fn main() {
    let sizes: Vec<usize> = std::env::var("JOBAUDIT_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .map(|s| {
            s.trim()
                .replace('_', "")
                .parse()
                .expect("JOBAUDIT_BENCH_SIZES: numbers")
        })
        .collect();
    let seed: u64 = std::env::var("JOBAUDIT_BENCH_SEED")
        .ok()
        .map(|s| s.parse().expect("JOBAUDIT_BENCH_SEED: a number"))
        .unwrap_or(1);
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench");
    fs::create_dir_all(&root).unwrap();
    eprintln!(
        "jobaudit build benchmark: sizes {sizes:?}, seed {seed}, under {}",
        root.display()
    );

    // Trees are deleted only before the first measurement and after the last, then given
    // time to settle: ext4 without a journal will not reuse an inode freed in the last
    // 30 seconds and looks past each such one on every file it creates, so a build just
    // after a large tree was deleted creates its files several times slower. No nightly
    // build follows a mass deletion; the benchmark should not either.
    if remove_outputs(&root, &sizes, seed) {
        eprintln!("waiting 35 s for the deleted trees' inodes to settle");
        std::thread::sleep(Duration::from_secs(35));
    }
    let mut rows = Vec::new();
    for &n in &sizes {
        let row = bench(&root, n, seed);
        print_row(&row, rows.is_empty());
        rows.push(row);
    }
    remove_outputs(&root, &sizes, seed);
}

/// The trees a run of `sizes` makes: each size's site, its copy and its night's export.
fn outputs(root: &Path, requests: usize, seed: u64) -> [PathBuf; 3] {
    [
        root.join(format!("site-{requests}")),
        root.join(format!("site-{requests}.cp")),
        root.join(format!("export-{requests}-seed{seed}-night")),
    ]
}

/// Removes what runs of `sizes` left; true if there was anything.
fn remove_outputs(root: &Path, sizes: &[usize], seed: u64) -> bool {
    let mut removed = false;
    for dir in sizes.iter().flat_map(|&n| outputs(root, n, seed)) {
        if dir.is_dir() {
            fs::remove_dir_all(&dir).unwrap();
            removed = true;
        }
    }
    removed
}

fn bench(root: &Path, requests: usize, seed: u64) -> Row {
    let input = root.join(format!("export-{requests}-seed{seed}"));
    let done = root.join(format!("export-{requests}-seed{seed}.done"));
    let mut generate_s = None;
    if !done.is_file() {
        // A half-written export from an interrupted run is thrown away.
        let _ = fs::remove_dir_all(&input);
        let started = Instant::now();
        let summary = synth::generate(&SynthOptions {
            requests,
            seed,
            output: input.clone(),
            pipelines: None,
        })
        .unwrap_or_else(|e| panic!("synth {requests}: {e}"));
        generate_s = Some(started.elapsed().as_secs_f64());
        eprintln!(
            "generated {requests} in {:.1}s: {summary:?}",
            generate_s.unwrap()
        );
        fs::write(&done, format!("{summary:?}\n")).unwrap();
    }

    let [output, copy, night_input] = outputs(root, requests, seed);
    let log = root.join(format!("build-{requests}.log"));
    let (wall_s, peak_kb, _) = run_build(&input, &output, &log);

    let (mut pages, mut files, mut bytes) = (0, 0, 0);
    for entry in walkdir::WalkDir::new(&output) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            files += 1;
            bytes += entry.metadata().unwrap().len();
            if entry.path().extension().is_some_and(|e| e == "html") {
                pages += 1;
            }
        }
    }

    let started = Instant::now();
    let cp = Command::new("cp")
        .arg("-a")
        .arg(&output)
        .arg(&copy)
        .status()
        .unwrap();
    let cp_s = started.elapsed().as_secs_f64();
    assert!(cp.success(), "cp -a {}", output.display());

    // A night: 0.5% of the archive added, 0.2% changed (500 and 200 at 100,000), built
    // into the tree just made. The export copy shares the pipelines by hard link.
    let linked = Command::new("cp")
        .arg("-al")
        .arg(&input)
        .arg(&night_input)
        .status()
        .unwrap();
    assert!(linked.success(), "cp -al {}", input.display());
    let night = night::Night {
        added: (requests / 200).max(1),
        changed: (requests / 500).max(1),
        removed: 0,
        seed,
    };
    night::apply(&night_input, &night).unwrap_or_else(|e| panic!("night {requests}: {e}"));
    let night_log = root.join(format!("build-{requests}-night.log"));
    let (night_s, _, last) = run_build(&night_input, &output, &night_log);
    // "… 237575 files (228776 unchanged), …"
    let number_before = |text: &str, marker: &str| -> usize {
        let end = text
            .find(marker)
            .unwrap_or_else(|| panic!("{marker:?} in {text}"));
        let start = text[..end].rfind([' ', '(']).map_or(0, |i| i + 1);
        text[start..end].parse().unwrap()
    };
    let night_files = number_before(&last, " files (");
    let night_kept = number_before(&last, " unchanged)");

    Row {
        requests,
        generate_s,
        pages,
        files,
        bytes,
        wall_s,
        peak_rss_mb: peak_kb as f64 / 1024.0,
        cp_s,
        night,
        night_s,
        night_written: night_files - night_kept,
    }
}

/// Runs the release binary's build as a child process: wall time, peak RSS (KB) and the
/// summary line.
fn run_build(input: &Path, output: &Path, log: &Path) -> (f64, u64, String) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_jobaudit"))
        .arg("build")
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(output)
        .stdout(Stdio::null())
        .stderr(fs::File::create(log).unwrap())
        .spawn()
        .expect("run the release jobaudit");
    // The child's high-water mark, read while it runs: /proc/<pid>/status loses it
    // once the process exits, and getrusage would need unsafe libc calls.
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak_kb = 0u64;
    let status = loop {
        if let Some(kb) = fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| vm_hwm_kb(&s))
        {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall_s = started.elapsed().as_secs_f64();
    let text = fs::read_to_string(log).unwrap_or_default();
    let last = text
        .lines()
        .rfind(|l| l.starts_with("built "))
        .unwrap_or_default()
        .to_owned();
    assert!(
        status.success(),
        "jobaudit build {} failed ({status}): {}",
        input.display(),
        text.lines().last().unwrap_or_default()
    );
    eprintln!("{last}");
    (wall_s, peak_kb, last)
}

fn vm_hwm_kb(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn print_row(r: &Row, header: bool) {
    if header {
        println!(
            "{:>9} {:>9} {:>9} {:>9} {:>8} {:>9} {:>10} {:>9} {:>7} {:>9} {:>7} {:>9} {:>8} {:>9}",
            "requests",
            "pages",
            "files",
            "MB",
            "wall s",
            "pages/s",
            "MB/s",
            "peak MB",
            "cp s",
            "build/cp",
            "gen s",
            "night",
            "night s",
            "rewritten"
        );
    }
    let mb = r.bytes as f64 / 1e6;
    println!(
        "{:>9} {:>9} {:>9} {:>9.1} {:>8.2} {:>9.0} {:>10.1} {:>9.0} {:>7.2} {:>9.2} {:>7} {:>9} {:>8.2} {:>9}",
        r.requests,
        r.pages,
        r.files,
        mb,
        r.wall_s,
        r.pages as f64 / r.wall_s,
        mb / r.wall_s,
        r.peak_rss_mb,
        r.cp_s,
        r.wall_s / r.cp_s,
        r.generate_s
            .map_or("cached".to_owned(), |s| format!("{s:.1}")),
        format!("+{}/~{}", r.night.added, r.night.changed),
        r.night_s,
        r.night_written,
    );
}
