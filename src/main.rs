//! The command line: parses flags, calls the library, prints the summary and diagnostics.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use jobaudit::diagnostics::Diagnostic;
use jobaudit::site::{self, BuildError, BuildOptions};
use jobaudit::synth::{self, SynthOptions};

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
    /// crate, else the crate's own fixtures].
    #[arg(long)]
    pipelines: Option<PathBuf>,
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
}

fn main() -> ExitCode {
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

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{d}\n");
    }
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
    };
    match site::build(&options) {
        Ok(summary) => {
            print_diagnostics(&summary.diagnostics);
            let c = summary.counts;
            eprintln!(
                "built {} in {:.2}s: {} job requests read, {} rendered, {} skipped; {} jobs read, {} skipped; {} distinct pipelines; {} files, {:.1} MB",
                args.output.display(),
                started.elapsed().as_secs_f64(),
                c.requests_read,
                summary.requests_rendered,
                c.requests_skipped,
                c.jobs_read,
                c.jobs_skipped,
                summary.pipelines,
                summary.files,
                summary.bytes as f64 / 1e6,
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
                audit.pipelines.iter().filter(|p| p.parsed.is_err()).count(),
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
    let _ = (json, files);
    eprintln!("the pipeline command arrives with the pipeline parser");
    ExitCode::from(2)
}

fn synth(args: SynthArgs) -> ExitCode {
    let started = Instant::now();
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
