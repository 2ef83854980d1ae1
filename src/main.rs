//! The command line: parses flags, calls the library, prints the summary and diagnostics.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use jobaudit::diagnostics::Diagnostic;
use jobaudit::progress::{Progress, Quiet};
use jobaudit::site::{self, BuildError, BuildOptions};
use jobaudit_synth::{self as synth, SynthOptions};
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h, v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps the memory a build frees for its own reuse rather than giving it back to the
/// system: on a virtual machine each fault on a page given back and taken again costs
/// microseconds, and a 100,000-request night took 310,000 faults where it needs 215,000
/// (full build 470,000 -> 295,000; peak RSS 0.73 -> 0.88 GB and 0.98 -> 1.19 GB).
fn keep_freed_memory() {
    // SAFETY: sets one integer option, before any thread but this one exists.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1)
    };
}

#[derive(Parser)]
#[command(
    name = "jobaudit",
    version,
    about = "Static transparency pages for job requests run against patient data"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site (the default when no command is given).
    Build(BuildArgs),
    /// Read and validate an export; write nothing.
    Check {
        #[arg(long, default_value = "data")]
        input: PathBuf,
    },
    /// Parse and validate project.yaml files and print the result.
    Pipeline {
        /// One line of JSON per file, in the reference library's shape.
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write a synthetic export of any size (same seed, same bytes).
    Synth(SynthArgs),
}

#[derive(clap::Args)]
struct SynthArgs {
    /// Job request records to write (about 0.1% deliberately bad).
    #[arg(long, default_value_t = 1000)]
    requests: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A missing or empty folder.
    #[arg(long)]
    output: PathBuf,
    /// Folder of real project.yaml files [default: ../shared/corpus/raw beside the
    /// repository, else the repository's own fixtures].
    #[arg(long)]
    pipelines: Option<PathBuf>,
    /// Instead of writing a new export, change the one in --output as a night would:
    /// add, change and remove that many job requests (for incremental builds).
    #[arg(long, value_name = "ADDED,CHANGED,REMOVED", value_parser = parse_night)]
    night: Option<(usize, usize, usize)>,
}

fn parse_night(s: &str) -> Result<(usize, usize, usize), String> {
    let n: Vec<usize> = s
        .split(',')
        .map(|p| p.trim().parse().map_err(|e| format!("{p:?}: {e}")))
        .collect::<Result<_, _>>()?;
    match n[..] {
        [added, changed, removed] => Ok((added, changed, removed)),
        _ => Err("three numbers: ADDED,CHANGED,REMOVED".into()),
    }
}

#[derive(clap::Args, Default)]
struct BuildArgs {
    #[arg(long, default_value = "data")]
    input: PathBuf,
    #[arg(long, default_value = "site")]
    output: PathBuf,
    /// Folder of templates replacing built-in ones of the same name.
    #[arg(long)]
    templates: Option<PathBuf>,
    /// Overrides site.toml's base_url (used only by sitemap, feeds and canonical links).
    #[arg(long)]
    base_url: Option<String>,
    /// Accepted for DESIGN.md's interface; site.toml is always read from the input folder.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Exit 1 without writing when any record has a problem.
    #[arg(long)]
    strict: bool,
    /// Make every file afresh instead of keeping the unchanged ones of the previous build.
    #[arg(long)]
    full: bool,
    /// Print how long each stage of the build took.
    #[arg(long)]
    timings: bool,
    /// When another build is writing into the same output, wait for it to finish
    /// instead of exiting at once.
    #[arg(long)]
    wait: bool,
}

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Build(BuildArgs {
        input: "data".into(),
        output: "site".into(),
        ..BuildArgs::default()
    })) {
        Command::Build(args) => build(args),
        Command::Check { input } => check(input),
        Command::Pipeline { json, files } => pipeline(json, &files),
        Command::Synth(args) => synth(args),
    }
}

/// Buffered: stderr is not, and a diagnostic is a dozen writes (a night of 100,000
/// requests printed its warnings in 70,000 system calls).
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    for d in diagnostics {
        let _ = writeln!(err, "{d}\n");
    }
    let _ = err.flush();
}

fn build(args: BuildArgs) -> ExitCode {
    if let Some(config) = &args.config {
        eprintln!(
            "note: --config {} ignored: site.toml is read from {}",
            config.display(),
            args.input.display()
        );
    }
    let started = Instant::now();
    let options = BuildOptions {
        input: args.input,
        output: args.output.clone(),
        templates: args.templates,
        base_url: args.base_url,
        strict: args.strict,
        full: args.full,
        wait: args.wait,
    };
    let bar = TerminalBar::default();
    let shown: &dyn Progress = if std::io::stderr().is_terminal() {
        &bar
    } else {
        &Quiet
    };
    let timings = Timings::around(shown);
    let progress: &dyn Progress = if args.timings { &timings } else { shown };
    let result = site::build_with_progress(&options, progress);
    if args.timings {
        timings.print();
    }
    match result {
        Ok(summary) => {
            print_diagnostics(&summary.diagnostics);
            let c = summary.counts;
            eprintln!(
                "built {} in {:.2}s: {} job requests read, {} rendered, {} skipped; {} jobs read, {} skipped; {} distinct pipelines; {} files ({} unchanged), {:.1} MB written; {} request and {} job records parsed (the rest known from the last build)",
                args.output.display(),
                started.elapsed().as_secs_f64(),
                c.requests_read,
                summary.requests_rendered,
                c.requests_skipped,
                c.jobs_read,
                c.jobs_skipped,
                summary.pipelines,
                summary.files,
                summary.kept,
                summary.bytes as f64 / 1e6,
                c.requests_parsed,
                c.jobs_parsed,
            );
            let s = &summary.search;
            eprintln!(
                "search index: {:.1} KB in {} shards; largest {} ({:.1} KB)",
                s.bytes as f64 / 1e3,
                s.shards,
                s.largest_shard_name,
                s.largest_shard_bytes as f64 / 1e3,
            );
            ExitCode::SUCCESS
        }
        Err(BuildError::Input(diagnostics)) => {
            print_diagnostics(&diagnostics);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("not built: {errors} input errors (--strict)");
            ExitCode::from(1)
        }
        Err(BuildError::Fatal(diagnostics)) => {
            print_diagnostics(&diagnostics);
            ExitCode::from(2)
        }
    }
}

fn check(input: PathBuf) -> ExitCode {
    match site::check(&input) {
        Ok((counts, audit)) => {
            print_diagnostics(&audit.diagnostics);
            let errors = audit.diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "checked {}: {} job requests read, {} skipped; {} jobs read, {} skipped; {} distinct pipelines, {} invalid; {errors} errors",
                input.display(),
                counts.requests_read,
                counts.requests_skipped,
                counts.jobs_read,
                counts.jobs_skipped,
                audit.pipelines.len(),
                audit
                    .pipelines
                    .iter()
                    .filter(|p| p.parsed().is_err())
                    .count(),
            );
            if errors > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(BuildError::Input(d)) | Err(BuildError::Fatal(d)) => {
            print_diagnostics(&d);
            ExitCode::from(2)
        }
    }
}

fn pipeline(json: bool, files: &[PathBuf]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match jobaudit::pipeline::report::report_files(files, json, &mut out) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// A bar per stage on stderr, redrawn at most once per percent.
#[derive(Default)]
struct TerminalBar {
    stage: Mutex<(&'static str, usize)>,
    done: AtomicUsize,
    drawn: AtomicUsize,
}

impl TerminalBar {
    fn draw(&self, done: usize) {
        let Ok(stage) = self.stage.lock() else { return };
        let (name, total) = *stage;
        let percent = (done * 100).checked_div(total).unwrap_or(100);
        let filled = percent * 30 / 100;
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{name:>24} [{}{}] {done}/{total}",
            "#".repeat(filled),
            " ".repeat(30 - filled)
        );
        let _ = err.flush();
    }
}

impl Progress for TerminalBar {
    fn start(&self, stage: &'static str, total: usize) {
        if let Ok(mut s) = self.stage.lock() {
            *s = (stage, total);
        }
        self.done.store(0, Ordering::Relaxed);
        self.drawn.store(0, Ordering::Relaxed);
        self.draw(0);
    }

    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.stage.lock().map(|s| s.1).unwrap_or(0).max(1);
        let percent = done * 100 / total;
        if self.drawn.fetch_max(percent, Ordering::Relaxed) < percent {
            self.draw(done);
        }
    }

    fn finish(&self) {
        self.draw(self.done.load(Ordering::Relaxed));
        eprintln!();
    }
}

/// Wall time per stage (`--timings`), passing every call on to the progress it wraps.
struct Timings<'a> {
    inner: &'a dyn Progress,
    stages: Mutex<Vec<(&'static str, Instant, Option<Instant>)>>,
}

impl<'a> Timings<'a> {
    fn around(inner: &'a dyn Progress) -> Self {
        Timings {
            inner,
            stages: Mutex::new(Vec::new()),
        }
    }

    fn print(&self) {
        let Ok(stages) = self.stages.lock() else {
            return;
        };
        for (stage, start, end) in stages.iter() {
            let seconds = end.map_or(0.0, |e| e.duration_since(*start).as_secs_f64());
            eprintln!("{stage:>24} {seconds:8.3}s");
        }
    }
}

impl Progress for Timings<'_> {
    fn start(&self, stage: &'static str, total: usize) {
        if let Ok(mut stages) = self.stages.lock() {
            stages.push((stage, Instant::now(), None));
        }
        self.inner.start(stage, total);
    }

    fn tick(&self) {
        self.inner.tick();
    }

    fn finish(&self) {
        if let Ok(mut stages) = self.stages.lock()
            && let Some(last) = stages.last_mut()
        {
            last.2 = Some(Instant::now());
        }
        self.inner.finish();
    }
}

fn synth(args: SynthArgs) -> ExitCode {
    let started = Instant::now();
    if let Some((added, changed, removed)) = args.night {
        let night = synth::night::Night {
            added,
            changed,
            removed,
            seed: args.seed,
        };
        return match synth::night::apply(&args.output, &night) {
            Ok(s) => {
                eprintln!(
                    "changed {} in {:.2}s: {} job requests added, {} changed, {} removed",
                    args.output.display(),
                    started.elapsed().as_secs_f64(),
                    s.added.len(),
                    s.changed.len(),
                    s.removed.len()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    let options = SynthOptions {
        requests: args.requests,
        seed: args.seed,
        output: args.output.clone(),
        pipelines: args.pipelines,
    };
    match synth::generate(&options) {
        Ok(s) => {
            eprintln!(
                "wrote {} in {:.2}s: {} job requests ({} bad), {} jobs ({} bad), {} workspaces, {} projects, {} project.yaml files ({} distinct) from {} corpus files in {}; {:.1} MB",
                args.output.display(),
                started.elapsed().as_secs_f64(),
                s.requests,
                s.bad_requests,
                s.jobs,
                s.bad_jobs,
                s.workspaces,
                s.projects,
                s.pipeline_files,
                s.distinct_pipelines,
                s.corpus_files,
                s.corpus_dir.display(),
                s.bytes as f64 / 1e6,
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
