//! The build: read the export, audit it, render every page and write the tree. This is
//! the only place that knows the order of the stages.

use std::path::{Path, PathBuf};

use crate::audit::{self, Audit, AuditMemo};
use crate::cache::memo::{self, Memo};
use crate::cache::{Fingerprints, Mapped};
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::export::{self, ReadCounts};
use crate::progress::{Progress, Quiet};
use crate::render::highlight::GraphSizes;
use crate::render::pages::{MadeFrom, Pages, SearchFiles, Sink};
use crate::render::templates::Override;
use crate::render::{AssetNames, NavPage, Renderer, SiteView, assets, markdown};
use crate::search::{self, SearchIndex, SearchStats};
use crate::site::output::{self, Sources};
use crate::site::writer::{self, PreviousFiles, Writer};

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub input: PathBuf,
    pub output: PathBuf,
    pub templates: Option<PathBuf>,
    /// Overrides site.toml's `base_url`.
    pub base_url: Option<String>,
    /// Refuse to write anything when the input has problems.
    pub strict: bool,
    /// Make every file afresh, ignoring what the previous build in the output left.
    pub full: bool,
    /// Wait for a build that is writing into the same output, instead of failing.
    pub wait: bool,
}

/// What a build did, for the summary line.
#[derive(Debug, Default)]
pub struct BuildSummary {
    pub counts: ReadCounts,
    pub requests_rendered: usize,
    pub pipelines: usize,
    pub files: usize,
    /// Files kept unchanged from the previous build in the output folder.
    pub kept: usize,
    pub bytes: u64,
    /// The search index's size (issue 5 §4).
    pub search: SearchStats,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug)]
pub enum BuildError {
    /// Input problems under `--strict`: nothing was written.
    Input(Vec<Diagnostic>),
    /// The input could not be read at all, or the output could not be written.
    Fatal(Vec<Diagnostic>),
}

/// Reads and audits an export without writing anything (`jobaudit check`).
pub fn check(input: &Path) -> Result<(ReadCounts, Audit), BuildError> {
    let export = export::read(input).map_err(|d| BuildError::Fatal(vec![d]))?;
    let counts = export.counts;
    let audit = audit::audit(export).map_err(|d| BuildError::Fatal(vec![d]))?;
    Ok((counts, audit))
}

pub fn build(options: &BuildOptions) -> Result<BuildSummary, BuildError> {
    build_with_progress(options, &Quiet)
}

/// `build`, reporting each stage's progress to `progress`.
pub fn build_with_progress(
    options: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildSummary, BuildError> {
    let fatal = |d: Diagnostic| BuildError::Fatal(vec![d]);
    // Checked before any work: it goes into every page, feed and the sitemap.
    let base_url = options
        .base_url
        .as_deref()
        .map(crate::config::base_url)
        .transpose()
        .map_err(|message| fatal(Diagnostic::error(Path::new("--base-url"), message)))?;
    let sources = Sources {
        input: &options.input,
        templates: options.templates.as_deref(),
    };
    let claim = output::claim(&options.output, sources, options.wait).map_err(fatal)?;
    if options.full {
        memo::forget(&options.output).map_err(fatal)?;
    }
    // The previous build's manifest is read while the export is; even a build that makes
    // every file afresh needs it, to remove the files no longer made.
    let output = options.output.clone();
    let full = options.full;
    let previous = std::thread::spawn(move || {
        let terms = if full {
            Mapped::default()
        } else {
            memo::read_terms(&output)
        };
        (writer::previous_files(&output), terms)
    });
    progress.start("read export", 0);
    // What the previous build learnt of its input, unless every file is to be made
    // afresh; the audit's part is decoded while the export is read.
    let Memo {
        read: read_memo,
        audit: stored_audit,
        graphs,
        sizes: memo_sizes,
    } = if full {
        Memo::default()
    } else {
        Memo::read(&options.output)
    };
    let (export, (memo_settings, audit_memo)) = rayon::join(
        || export::read_with_memo(&options.input, read_memo),
        || stored_audit.decode(),
    );
    let mut export = export.map_err(fatal)?;
    progress.finish();
    if let Some(base_url) = base_url {
        export.config.base_url = base_url;
    }
    let config = export.config.clone();
    let settings = config.fingerprint();
    let counts = export.counts;
    let markdown_pages: Vec<(NavPage, String)> = export
        .pages
        .iter()
        .map(|p| {
            let (title, body) = markdown::render(&p.text, &p.slug);
            (
                NavPage {
                    slug: p.slug.clone(),
                    title,
                },
                body,
            )
        })
        .collect();
    progress.start("audit", 0);
    let audit_memo = if memo_settings == settings {
        audit_memo
    } else {
        AuditMemo::default()
    };
    let audit = audit::audit_with_memo(export, audit_memo).map_err(fatal)?;
    progress.finish();
    if options.strict && audit.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(BuildError::Input(audit.diagnostics));
    }

    // The search index is made from the records alone, from the moment the audit is done,
    // its work on the same pool as the pages'.
    let (mut summary, unwritten) = std::thread::scope(|scope| {
        let (previous, terms) = previous.join().unwrap_or_default();
        let audit = &audit;
        // The memo is encoded while the pages are made (much of that waits on the disk),
        // once the index is made: made side by side, their working memory added up (on a
        // 100k night, the interner's 53 MB beside the term index's 100 MB), all of it
        // fresh memory for the build.
        let (indexed, index_made) = std::sync::mpsc::channel::<()>();
        let index = scope.spawn(move || {
            let index = search::build_from(audit, &terms);
            drop(terms);
            let _ = indexed.send(());
            index
        });
        let index = move || index.join().ok();
        let encoded = scope.spawn(move || {
            // Returns at once if the index's thread is gone.
            let _ = index_made.recv();
            memo::encode(audit, settings, memo_sizes)
        });
        let (summary, graphs, writer, terms) = write_site(
            options,
            &config,
            (audit, &graphs),
            &markdown_pages,
            progress,
            previous,
            index,
        )?;
        let encoded = encoded.join().map_err(|_| {
            fatal(Diagnostic::error(
                &options.output,
                "the memo could not be encoded",
            ))
        })?;
        // A memo that cannot be written only makes the next build work everything out
        // again. It holds facts known by the hash of what they are about, true whatever
        // the tree, so it is written while an update's files move in; a new tree must be
        // in place first.
        let write_memo = || {
            let memo = memo::write(&options.output, encoded, &graphs);
            let terms = memo::write_terms(&options.output, &terms);
            memo.and(terms).err()
        };
        progress.start("commit", 0);
        let (committed, unwritten) = if writer.updates_in_place() {
            rayon::join(|| writer.finish(), write_memo)
        } else {
            let committed = writer.finish();
            let unwritten = committed.is_ok().then(write_memo).flatten();
            (committed, unwritten)
        };
        progress.finish();
        committed.map_err(fatal)?;
        Ok((summary, unwritten))
    })?;
    summary.counts = counts;
    summary.diagnostics = audit.diagnostics.clone();
    summary.diagnostics.extend(unwritten.map(|d| Diagnostic {
        severity: crate::diagnostics::Severity::Warning,
        ..d
    }));
    claim.keep();
    // Freeing a hundred thousand records takes a tenth of a second that the caller, most
    // often a process about to exit, need not wait for.
    std::thread::spawn(move || drop(audit));
    Ok(summary)
}

/// Renders and writes every file of the site over the `previous` build's; `index` waits
/// for the search index. `graphs` are the graph sizes earlier builds found; returns what
/// this build made, the sizes it knows, the writer, to commit, and the term index for the
/// next build.
fn write_site(
    options: &BuildOptions,
    config: &SiteConfig,
    (audit, graphs): (&Audit, &GraphSizes),
    markdown_pages: &[(NavPage, String)],
    progress: &dyn Progress,
    previous: PreviousFiles,
    index: impl FnOnce() -> Option<SearchIndex>,
) -> Result<(BuildSummary, GraphSizes, Writer, Vec<u8>), BuildError> {
    let fatal = |d: Diagnostic| BuildError::Fatal(vec![d]);
    progress.start("prepare", 0);
    let hashed = assets::hashed_assets();
    let asset = |wanted: &str| {
        hashed
            .iter()
            .find(|(_, name, _)| *name == wanted)
            .map(|(h, _, contents)| (h.clone(), contents.len()))
            .unwrap_or_default()
    };
    let site_view = SiteView {
        title: config.title.clone(),
        base_url: config.base_url.clone(),
        pages: markdown_pages.iter().map(|(nav, _)| nav.clone()).collect(),
    };
    let templates = match &options.templates {
        Some(dir) => read_templates(dir).map_err(fatal)?,
        None => Vec::new(),
    };
    let renderer = Renderer::new(
        config,
        &templates,
        site_view,
        AssetNames {
            css: asset("style.css").0,
            page_js: asset("page.js").0,
        },
    )
    .map_err(fatal)?;
    let mut writer = Writer::with_manifest(&options.output, previous).map_err(fatal)?;
    if options.full {
        writer = writer.ignore_previous();
    }
    let tree = Tree {
        writer: &writer,
        fingerprints: Fingerprints::new(
            renderer.identity(),
            config.fingerprint(),
            &audit.fingerprints,
        ),
    };
    let pages = Pages::new(
        audit,
        &renderer,
        &tree,
        progress,
        &config.base_url,
        source_date_epoch(),
    );

    for (name, _, contents) in &hashed {
        writer.write(name, contents.as_bytes()).map_err(fatal)?;
    }
    let drawings = renderer.drawings(audit, graphs);
    progress.finish();
    pages.pages(&drawings, markdown_pages).map_err(fatal)?;
    // What is left of building the index once the pages are done.
    progress.start("search index", 0);
    let index = index();
    progress.finish();
    let mut index = index.ok_or_else(|| {
        fatal(Diagnostic::error(
            &options.output,
            "the search index could not be built",
        ))
    })?;
    let terms = std::mem::take(&mut index.stored);
    progress.start("search shards", index.files.len());
    // One thread: the shards share one folder, and two threads creating files in it
    // spin on its lock (on a 100k night, 0.4 s of system time for nothing).
    let written = index.files.iter().try_for_each(|file| {
        progress.tick();
        writer.write(&file.path(), file.contents.as_bytes())
    });
    progress.finish();
    written.map_err(fatal)?;
    let (script, script_bytes) = asset("search.js");
    let search = SearchFiles {
        script,
        script_bytes,
        manifest: index.manifest.clone(),
    };
    pages.search_page(&search).map_err(fatal)?;
    progress.start("sitemap and feeds", 0);
    pages.hosting_files(&config.title).map_err(fatal)?;
    progress.finish();

    let summary = BuildSummary {
        requests_rendered: audit.requests.len(),
        pipelines: audit.pipelines.len(),
        files: writer.files(),
        kept: writer.kept(),
        bytes: writer.bytes(),
        search: index.stats,
        ..BuildSummary::default()
    };
    Ok((summary, drawings.sizes(), writer, terms))
}

/// The files of `--templates DIR`, each to replace the built-in template of its name.
fn read_templates(dir: &Path) -> Result<Vec<Override>, Diagnostic> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Diagnostic::error(dir, format!("cannot read templates: {e}")))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Override { path, text }),
            Err(e) => Err(Diagnostic::error(&path, format!("cannot read: {e}"))),
        })
        .collect()
}

/// `SOURCE_DATE_EPOCH` (reproducible builds), for the home page's "as of" date.
fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
}

/// The output tree, as render's pages see it: a file is kept when the previous build
/// made it from the same (by its fingerprint), else made and staged.
struct Tree<'a> {
    writer: &'a Writer,
    fingerprints: Fingerprints<'a>,
}

impl Sink for Tree<'_> {
    fn made(
        &self,
        files: &[&str],
        from: &MadeFrom<'_>,
        make: &mut dyn FnMut() -> Result<Vec<String>, Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let fingerprint = self.fingerprints.of(from);
        let mut kept = true;
        for file in files {
            kept = kept && self.writer.keep_if_unchanged(file, fingerprint)?;
        }
        if kept {
            return Ok(());
        }
        for (file, contents) in files.iter().zip(make()?) {
            self.writer
                .write_made_from(file, contents.as_bytes(), fingerprint)?;
        }
        Ok(())
    }

    fn write(&self, file: &str, contents: &[u8]) -> Result<(), Diagnostic> {
        self.writer.write(file, contents)
    }
}
