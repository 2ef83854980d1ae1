//! Bounded work on any project.yaml (issue 22): wall time and peak memory of parse,
//! validate and highlight, against the targets, on inputs made here:
//!
//! * a 50,000-action pipeline: parse + validate + highlight in under 2 s;
//! * a ~100 MB valid file: `jobaudit pipeline --json` with peak memory under 10x its size;
//! * hostile 1 KB files (alias and merge bombs, deep nesting, many keys): each in under
//!   0.1 s and 50 MB.
//!
//! Times of the three stages are taken in this process; peak memory (VmHWM) is read from
//! a child running the release binary on the file, one child per input, so that no input
//! inherits another's high-water mark. `cargo bench --bench pipeline_limits`;
//! `JOBAUDIT_BENCH_BIG_MB=10` makes the big file smaller for a quick run.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jobaudit::render::highlight::Highlighter;

/// The allocator the program itself runs with (`src/main.rs`): the system's would be
/// measured instead of the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MB: f64 = 1024.0 * 1024.0;

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let highlighter = Highlighter::new();
    println!(
        "{:<26} {:>10} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}  verdict",
        "input", "bytes", "parse s", "highl. s", "total s", "target s", "peak MB", "target MB"
    );
    let big_mb: usize = std::env::var("JOBAUDIT_BENCH_BIG_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let mut all_met = true;
    let actions = pipeline_of_size(50_000);
    all_met &= run(&dir, &highlighter, "50,000 actions", &actions, 2.0, None);
    let big = big_pipeline(big_mb << 20);
    let ten_times = 10.0 * big.len() as f64 / MB;
    let big_name = format!("~{big_mb} MB valid");
    all_met &= run(
        &dir,
        &highlighter,
        &big_name,
        &big,
        f64::INFINITY,
        Some(ten_times),
    );
    drop(big);
    for (name, text) in hostile_files() {
        assert!(text.len() <= 1024, "{name} is {} bytes", text.len());
        all_met &= run(&dir, &highlighter, name, &text, 0.1, Some(50.0));
    }
    println!(
        "{}",
        if all_met {
            "all targets met"
        } else {
            "SOME TARGETS MISSED"
        }
    );
}

/// Times one input in this process, measures its peak memory in a child, prints a row;
/// returns whether the targets were met.
fn run(
    dir: &tempfile::TempDir,
    highlighter: &Highlighter,
    name: &str,
    text: &str,
    target_s: f64,
    target_mb: Option<f64>,
) -> bool {
    let started = Instant::now();
    let loaded = jobaudit::pipeline::load(text);
    let parse_s = started.elapsed().as_secs_f64();
    let highlighted = highlighter.highlight(text, loaded.as_ref().ok());
    let page = highlighted.for_request("https://github.com/o/r/blob/0/", &[]);
    let total_s = started.elapsed().as_secs_f64();
    let verdict = match &loaded {
        Ok(p) => format!("valid, {} actions", p.actions.len()),
        Err(e) => format!("{:?}: {}", e.kind, first_line(&e.message)),
    };
    drop((page, highlighted, loaded));

    let file = dir.path().join(name.replace([' ', ',', '~'], "_"));
    fs::write(&file, text).expect("write the input");
    let (child_s, peak_kb) = peak_of_child(&file);
    let peak_mb = peak_kb as f64 / 1024.0;
    let met = total_s <= target_s && target_mb.is_none_or(|t| peak_mb <= t);
    let mut row = String::new();
    let _ = write!(
        row,
        "{name:<26} {:>10} {parse_s:>8.3} {:>9.3} {total_s:>9.3} {:>9} {peak_mb:>9.1} {:>9}  {verdict}{}",
        text.len(),
        total_s - parse_s,
        show(target_s),
        target_mb.map_or("-".into(), |t| format!("{t:.0}")),
        if met { "" } else { "  MISSED" },
    );
    println!("{row}");
    eprintln!("  (child `jobaudit pipeline --json`: {child_s:.3} s)");
    met
}

fn show(target: f64) -> String {
    if target.is_finite() {
        format!("{target}")
    } else {
        "-".into()
    }
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(100)
        .collect()
}

/// Runs `jobaudit pipeline --json FILE` (the release binary): wall time and peak RSS (KB).
fn peak_of_child(file: &Path) -> (f64, u64) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_jobaudit"))
        .arg("pipeline")
        .arg("--json")
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run the release jobaudit");
    // Read while the child runs: /proc/<pid>/status is gone once it has exited.
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak_kb = 0u64;
    loop {
        if let Some(kb) = fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| vm_hwm_kb(&s))
        {
            peak_kb = peak_kb.max(kb);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    (started.elapsed().as_secs_f64(), peak_kb)
}

fn vm_hwm_kb(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One action as real files write them: a script, its needs, an output, a config.
fn action(out: &mut String, i: usize) {
    let _ = write!(
        out,
        "  extract_{i}:\n    run: r:v2 analysis/model_{i}.R --cohort output/cohort_{i}.csv\n"
    );
    if i > 0 {
        let _ = writeln!(out, "    needs: [extract_{}]", i - 1);
    }
    let _ = write!(
        out,
        "    config:\n      sample: {i}\n      label: \"group {i}\"\n    outputs:\n      moderately_sensitive:\n        table: output/table_{i}.csv\n        figure: output/figure_{i}.png\n\n"
    );
}

fn pipeline_of_size(actions: usize) -> String {
    let mut out = String::from("version: '5'\nactions:\n");
    for i in 0..actions {
        action(&mut out, i);
    }
    out
}

/// A valid pipeline of at least `bytes`.
fn big_pipeline(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 1024);
    out.push_str("version: '5'\nactions:\n");
    let mut i = 0;
    while out.len() < bytes {
        action(&mut out, i);
        i += 1;
    }
    out
}

/// Files of at most 1 KB built to make a loader work hard.
fn hostile_files() -> Vec<(&'static str, String)> {
    // Nine levels of nine aliases each: 9^9 (387 million) copies of the first list.
    let mut laughs = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let p = level - 1;
        let _ = writeln!(
            laughs,
            "a{level}: &a{level} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"
        );
    }
    // Each mapping merges the previous one twice under new keys: 2^n entries.
    let mut merges = String::from("m0: &m0 {k: 1}\n");
    for level in 1..24 {
        let p = level - 1;
        let _ = writeln!(
            merges,
            "m{level}: &m{level} {{<<: [*m{p}], a: *m{p}, b: *m{p}}}"
        );
    }
    // Aliases of a deep list placed deep: depth through aliases.
    let deep_alias = format!(
        "d: &d {}x{}\ne: {}*d{}\n",
        "[".repeat(200),
        "]".repeat(200),
        "[".repeat(100),
        "]".repeat(100)
    );
    // A key repeated under many spellings Python calls equal, at the end.
    let mut keys = String::from("{");
    let mut i = 0;
    while keys.len() < 1000 {
        let _ = write!(keys, "k{i}: {i}, ");
        i += 1;
    }
    keys.push_str("1: a, 1.0: b}\n");
    vec![
        ("alias bomb", laughs),
        ("merge bomb", merges),
        (
            "deep flow nesting",
            format!("{}{}", "[".repeat(500), "]".repeat(500)),
        ),
        (
            "deep block nesting",
            (0..40).fold(String::new(), |mut s, d| {
                let _ = writeln!(s, "{}k{d}:", " ".repeat(d));
                s
            }),
        ),
        ("deep through aliases", deep_alias),
        ("many keys", keys),
        ("unclosed flow", "[".repeat(1000)),
    ]
}
