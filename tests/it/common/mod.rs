//! Shared by the integration tests: building a site into a temporary folder and reading
//! its pages as parsed HTML.

pub mod cdp;
pub mod server;
pub mod synthetic;

use scraper::{ElementRef, Html, Selector};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jobaudit::site::{self, BuildOptions, BuildSummary};

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Builds `input` into a fresh temporary folder; the folder lives as long as the guard.
pub fn build(input: &Path) -> (tempfile::TempDir, PathBuf, BuildSummary) {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("site");
    let options = BuildOptions {
        input: input.to_path_buf(),
        output: output.clone(),
        ..BuildOptions::default()
    };
    let summary = site::build(&options).unwrap_or_else(|e| panic!("build failed: {e:?}"));
    (dir, output, summary)
}

/// Every file under `root`, by its path inside it, with its bytes.
pub fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(root).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Copies the tree at `from` to `to`, making its folders.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn page(site: &Path, rel: &str) -> Html {
    let path = site.join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Html::parse_document(&text)
}

pub fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

/// Text of an element with runs of white space folded to one space.
pub fn text(e: ElementRef<'_>) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn one<'a>(doc: &'a Html, selector: &str) -> ElementRef<'a> {
    let found: Vec<_> = doc.select(&sel(selector)).collect();
    assert_eq!(found.len(), 1, "exactly one {selector}");
    found[0]
}

pub fn all_text(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector)).map(text).collect()
}

pub fn within<'a>(e: ElementRef<'a>, selector: &str) -> Vec<ElementRef<'a>> {
    e.select(&sel(selector)).collect()
}

/// The `<dd>` text after each `<dt>` in `scope`, as (label, value) pairs.
pub fn definitions(scope: ElementRef<'_>) -> Vec<(String, String)> {
    let dts = within(scope, "dt");
    dts.into_iter()
        .map(|dt| {
            let dd = dt
                .next_siblings()
                .filter_map(ElementRef::wrap)
                .find(|e| e.value().name() == "dd")
                .map(text)
                .unwrap_or_default();
            (text(dt), dd)
        })
        .collect()
}

pub fn lookup<'a>(pairs: &'a [(String, String)], label: &str) -> &'a str {
    pairs
        .iter()
        .find(|(l, _)| l == label)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {label} in {pairs:?}"))
}

/// The text of each row of a table, its cells joined by single spaces.
pub fn table_rows(doc: &Html, rows: &str) -> Vec<String> {
    doc.select(&sel(rows))
        .map(|tr| {
            within(tr, "td")
                .into_iter()
                .map(text)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}
