//! The build: read the export, audit it, render every page and write the tree. This is
//! the only place that knows the order of the stages.

use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::audit::{self, Audit, AuditMemo};
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::export::{self, ReadCounts};
use crate::model::PagePath;
use crate::render::highlight::{Drawings, GraphSizes};
use crate::render::listing::{self, Groups, Rows};
use crate::render::{AssetNames, NavPage, PageMeta, Renderer, SiteView, markdown};
use crate::render::{assets, feeds, sitemap};
use crate::search::{self, SearchIndex, SearchStats};
use crate::site::mapped::Mapped;
use crate::site::memo::{self, Memo};
use crate::site::output::{self, Sources};
use crate::site::progress::{Progress, Quiet};
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
            .map(|(h, _, _)| h.clone())
            .unwrap_or_default()
    };
    let site_view = SiteView {
        title: config.title.clone(),
        base_url: config.base_url.clone(),
        pages: markdown_pages.iter().map(|(nav, _)| nav.clone()).collect(),
    };
    let renderer = Renderer::new(
        config,
        options.templates.as_deref(),
        site_view,
        AssetNames {
            css: asset("style.css"),
            page_js: asset("page.js"),
        },
    )
    .map_err(fatal)?;
    let mut writer = Writer::with_manifest(&options.output, previous).map_err(fatal)?;
    if options.full {
        writer = writer.ignore_previous();
    }
    let site = Site {
        audit,
        renderer: &renderer,
        writer: &writer,
        base_url: &config.base_url,
        groups: Groups::of(audit),
        progress,
    };

    for (name, _, contents) in &hashed {
        writer.write(name, contents.as_bytes()).map_err(fatal)?;
    }
    let drawings = renderer.drawings(audit, graphs);
    progress.finish();
    site.pages(&drawings, markdown_pages).map_err(fatal)?;
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
    let search = site.search(index, &hashed).map_err(fatal)?;
    progress.start("sitemap and feeds", 0);
    site.hosting_files(&config.title).map_err(fatal)?;
    progress.finish();

    let summary = BuildSummary {
        requests_rendered: audit.requests.len(),
        pipelines: audit.pipelines.len(),
        files: writer.files(),
        kept: writer.kept(),
        bytes: writer.bytes(),
        search,
        ..BuildSummary::default()
    };
    Ok((summary, drawings.sizes(), writer, terms))
}

/// The home page's "as of" date: from `SOURCE_DATE_EPOCH` (reproducible builds), else the
/// newest record; never the wall clock, so the same input gives the same bytes. Only the
/// home page shows it, so that a new record does not change every page's fingerprint.
pub(super) fn build_date(audit: &Audit) -> Option<String> {
    let from_env = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0));
    let newest = audit.requests.iter().map(|r| r.created_at).max();
    from_env
        .or(newest)
        .map(|t| t.format("%d %b %Y").to_string())
}

pub(super) struct Site<'a> {
    pub(super) progress: &'a dyn Progress,
    pub(super) audit: &'a Audit,
    pub(super) renderer: &'a Renderer,
    pub(super) writer: &'a Writer,
    pub(super) base_url: &'a str,
    pub(super) groups: Groups,
}

pub(super) type Values<'v> = [(&'static str, &'v dyn crate::render::erased::Value)];

impl Site<'_> {
    /// The rows of `indices`, newest first, made only if the page is rendered.
    pub(super) fn rows(&self, indices: &[usize], from: &PagePath, limit: usize) -> Rows<'_> {
        Rows::new(self.audit, indices, from, limit)
    }

    /// Every HTML page but the search page.
    fn pages(
        &self,
        drawings: &Drawings<'_>,
        markdown_pages: &[(NavPage, String)],
    ) -> Result<(), Diagnostic> {
        self.request_pages(drawings)?;
        self.pipeline_pages(drawings)?;
        self.browsing_pages()?;
        for (nav, body) in markdown_pages {
            let path = PagePath::markdown(&nav.slug);
            let meta = PageMeta::new(&path, self.base_url, &nav.title)
                .with_crumbs(&path, &[(path.clone(), nav.title.clone(), "Page")]);
            self.page(&path, "markdown.html", &meta, &[("body", body)])?;
        }
        Ok(())
    }

    /// Renders `template` into `path/index.html`, unless the previous build made that
    /// page from exactly the same context, in which case its file is kept.
    pub(super) fn page(
        &self,
        path: &PagePath,
        template: &str,
        meta: &PageMeta,
        values: &Values<'_>,
    ) -> Result<(), Diagnostic> {
        let mut input = Vec::with_capacity(4096);
        input.extend_from_slice(template.as_bytes());
        input.extend_from_slice(&serde_json::to_vec(meta).unwrap_or_default());
        for (key, value) in values {
            input.extend_from_slice(key.as_bytes());
            input.extend_from_slice(&value.to_json());
        }
        self.file_made_from(&path.file("index.html"), &input, || {
            self.renderer.render(template, meta, values)
        })
    }

    /// The fingerprint of a file made from `input` by this renderer.
    pub(super) fn made_from(&self, input: &[u8]) -> u128 {
        self.renderer.fingerprint(input)
    }

    /// Writes the file `make` makes at `rel`, unless the previous build made it from the
    /// same `input` (with the same renderer), in which case its file is kept unmade.
    pub(super) fn file_made_from(
        &self,
        rel: &str,
        input: &[u8],
        make: impl FnOnce() -> Result<String, Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let fingerprint = self.made_from(input);
        if self.writer.keep_if_unchanged(rel, fingerprint)? {
            return Ok(());
        }
        self.writer
            .write_made_from(rel, make()?.as_bytes(), fingerprint)
    }

    /// An Atom feed at `rel` of the requests at `indices` (ascending; the feed lists
    /// the newest), made only when they changed.
    pub(super) fn feed(
        &self,
        rel: &str,
        title: &str,
        site_url: &str,
        indices: &[usize],
    ) -> Result<(), Diagnostic> {
        let self_url = format!("{}{rel}", self.base_url);
        let newest: Vec<usize> = indices
            .iter()
            .rev()
            .take(feeds::FEED_ENTRIES)
            .copied()
            .collect();
        // The feed's `updated` is the newest time among all its requests.
        let updated = indices
            .iter()
            .map(|&i| self.audit.requests[i].created_at)
            .max();
        let mut input = listing::fingerprint_bytes(&self.audit.fingerprints, &newest);
        for part in [title, &self_url, site_url] {
            input.extend_from_slice(part.as_bytes());
            input.push(0);
        }
        input.extend_from_slice(&updated.map_or(0, |t| t.timestamp_micros()).to_le_bytes());
        self.file_made_from(rel, &input, || {
            let requests: Vec<_> = newest.iter().map(|&i| &self.audit.requests[i]).collect();
            Ok(feeds::atom(
                title,
                &self_url,
                site_url,
                &requests,
                updated,
                self.base_url,
            ))
        })
    }

    /// The search page and its index shards beside it.
    fn search(
        &self,
        index: SearchIndex,
        hashed: &[(String, &str, String)],
    ) -> Result<SearchStats, Diagnostic> {
        self.progress.start("search shards", index.files.len());
        // One thread: the shards share one folder, and two threads creating files in it
        // spin on its lock (on a 100k night, 0.4 s of system time for nothing).
        let written = index.files.iter().try_for_each(|file| {
            self.progress.tick();
            self.writer.write(&file.path(), file.contents.as_bytes())
        });
        self.progress.finish();
        written?;
        let path = PagePath::search();
        let script = hashed
            .iter()
            .find(|(_, name, _)| *name == "search.js")
            .map(|(h, _, contents)| (h.clone(), contents.len()))
            .unwrap_or_default();
        let view = SearchPageView {
            script: format!("{}{}", path.root(), script.0),
            script_bytes: script.1,
            manifest: format!("{}.js", index.manifest),
            event_log: path.link_to(&PagePath::event_log()),
        };
        let meta = PageMeta::new(&path, self.base_url, "Search")
            .describe("Search job requests by id, job identifier, workspace, researcher, action, backend, status or commit")
            .with_crumbs(&path, &[(path.clone(), "Search".into(), "Search")]);
        self.page(&path, "search.html", &meta, &[("search", &view)])?;
        Ok(index.stats)
    }

    /// sitemap, feeds, robots.txt and 404.html: the only files with absolute URLs.
    fn hosting_files(&self, title: &str) -> Result<(), Diagnostic> {
        let mut urls: Vec<String> = vec![
            PagePath::home().url(self.base_url),
            PagePath::organisations().url(self.base_url),
        ];
        let log = listing::Paged::of(PagePath::event_log(), self.audit.requests.len());
        urls.extend(log.paths().map(|p| p.url(self.base_url)));
        let g = &self.groups;
        urls.extend(
            g.projects
                .keys()
                .map(|p| PagePath::project(p).url(self.base_url)),
        );
        for ((project, workspace), indices) in &g.workspaces {
            let pages = listing::Paged::of(PagePath::workspace(project, workspace), indices.len());
            urls.extend(pages.paths().map(|p| p.url(self.base_url)));
        }
        urls.extend(g.orgs.keys().map(|o| PagePath::org(o).url(self.base_url)));
        urls.extend(g.users.keys().map(|u| PagePath::user(u).url(self.base_url)));
        urls.extend(
            g.backends
                .keys()
                .map(|b| PagePath::backend(b).url(self.base_url)),
        );
        urls.extend(self.audit.requests.iter().map(|q| {
            PagePath::request(&q.project.slug, &q.workspace.name, q.id).url(self.base_url)
        }));
        for (name, xml) in sitemap::sitemaps(&urls, self.base_url) {
            self.writer.write(&name, xml.as_bytes())?;
        }
        self.writer
            .write("robots.txt", sitemap::robots(self.base_url).as_bytes())?;
        let all: Vec<usize> = (0..self.audit.requests.len()).collect();
        self.feed(
            "feed.xml",
            &format!("{title}: latest job requests"),
            self.base_url,
            &all,
        )?;
        let meta = PageMeta::new(&PagePath::home(), self.base_url, "Page not found");
        let html = self.renderer.render("404.html", &meta, &[])?;
        self.writer.write("404.html", html.as_bytes())
    }
}

#[derive(Serialize)]
struct SearchPageView {
    /// `../static/search.<hash>.js`.
    script: String,
    /// Its size, which the page adds to what a query loaded.
    script_bytes: usize,
    /// The manifest's file name, beside the page.
    manifest: String,
    event_log: String,
}
