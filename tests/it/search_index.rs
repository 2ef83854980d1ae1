//! The search index as a build writes it: deterministic shards beside the search page,
//! which find the right requests when read back, and a query cost that stays bounded on
//! a large archive (issue 5 §2, §4).

use std::collections::BTreeMap;
use std::path::Path;

use jobaudit::render::assets::hashed_assets;
use jobaudit::search::query::{self, Outcome};
use jobaudit::search::{self, Jump, TERM_SHARD_BYTES};

use crate::common::{build, manifest_dir, one, page, synthetic};

/// The files under `search/` (but the page), by name without `.js`.
fn search_files(site: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(site.join("search"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn manifest_name(site: &Path) -> String {
    let doc = page(site, "search/index.html");
    let script = one(&doc, "#search-script");
    let manifest = script.value().attr("data-manifest").unwrap();
    manifest.strip_suffix(".js").unwrap().to_owned()
}

fn ids(o: &Outcome) -> Vec<u64> {
    o.hits.iter().map(|h| h.id).collect()
}

#[test]
fn the_default_export_is_searchable_and_deterministic() {
    let data = manifest_dir().join("data");
    let (_a, site, summary) = build(&data);
    let (_b, again, _) = build(&data);
    let files = search_files(&site);
    assert_eq!(files, search_files(&again), "same input, same shards");

    // The summary describes what was written.
    let s = &summary.search;
    assert_eq!(s.shards, files.len());
    assert_eq!(s.bytes, files.values().map(|c| c.len() as u64).sum::<u64>());
    let largest = files.values().map(String::len).max().unwrap() as u64;
    assert_eq!(s.largest_shard_bytes, largest);
    assert!(site.join(&s.largest_shard_name).is_file());

    // Every shard registers under its own (content-hashed) name.
    for (name, contents) in &files {
        assert!(
            contents.starts_with(&format!(
                "jobauditSearch.register(\"{name}\",{},",
                contents.len()
            )),
            "{name}"
        );
    }

    let manifest = manifest_name(&site);
    let q = |s: &str| query::search(&files, &manifest, s);
    assert_eq!(ids(&q("flucats")), [10898], "workspace");
    assert_eq!(ids(&q("Iain Dillingham")), [19021, 2505], "researcher");
    assert_eq!(ids(&q("iaindillingham")), [19021, 2505], "username");
    assert_eq!(ids(&q("ons cis")), [19021], "project");
    assert_eq!(ids(&q("liverpool")), [10898], "org");
    assert_eq!(ids(&q("render_report")), [19021], "requested action");
    assert_eq!(ids(&q("emis failed")), [10898], "backend and status");
    assert_eq!(ids(&q("0478b82")), [10898], "commit prefix");
    assert_eq!(ids(&q("2021-05")), [3131], "created month");
    assert_eq!(ids(&q("flu")), [10898], "as you type");

    let by_id = q("21418");
    assert_eq!(by_id.jump, Some((Jump::Request(21418), "21418".into())));
    assert_eq!(ids(&by_id), [21418]);
    let by_identifier = q("pzztw7wladpqkpqb");
    assert_eq!(
        by_identifier.jump,
        Some((Jump::Request(10898), "pzztw7wladpqkpqb".into()))
    );
    let by_job = q("6nhad5m5vkyxqf4z");
    assert_eq!(
        by_job.jump,
        Some((Jump::Job(10898), "6nhad5m5vkyxqf4z".into()))
    );
}

#[test]
fn the_search_page_links_its_script_and_says_what_to_do_without_it() {
    let (_t, site, _) = build(&manifest_dir().join("data"));
    let doc = page(&site, "search/index.html");
    let script = one(&doc, "#search-script");
    let src = script.value().attr("src").unwrap();
    assert!(
        src.starts_with("../static/search.") && src.ends_with(".js"),
        "{src}"
    );
    assert!(site.join("search").join(src).is_file());
    assert!(
        site.join("search")
            .join(format!("{}.js", manifest_name(&site)))
            .is_file()
    );
    let noscript = one(&doc, "noscript").inner_html();
    assert!(noscript.contains("../event-log/index.html"), "{noscript}");
    // The header's box on every page sends its query here.
    let home = page(&site, "index.html");
    let form = one(&home, "header form.search-box");
    assert_eq!(form.value().attr("action"), Some("search/index.html"));
}

#[test]
fn the_edge_export_indexes_what_it_renders() {
    let (_t, site, _) = build(&manifest_dir().join("tests/fixtures/edge"));
    let files = search_files(&site);
    let manifest = manifest_name(&site);
    let q = |s: &str| query::search(&files, &manifest, s);
    assert_eq!(ids(&q("mallory")), [105]);
    assert_eq!(
        q("jjjjjjjjjjjjjjj1").jump,
        Some((Jump::Job(100), "jjjjjjjjjjjjjjj1".into()))
    );
    // A skipped record is not in the index.
    assert!(ids(&q("evil")).is_empty());
}

#[test]
fn a_large_archive_keeps_shards_and_queries_small() {
    let n = synthetic::scale();
    let audit = synthetic::large();
    let index = search::build(audit);
    let s = &index.stats;
    eprintln!(
        "{n} requests: index {:.1} MB in {} files; largest {} ({:.1} KB)",
        s.bytes as f64 / 1e6,
        s.shards,
        s.largest_shard_name,
        s.largest_shard_bytes as f64 / 1e3
    );
    assert!(
        s.largest_shard_bytes < 2 * TERM_SHARD_BYTES as u64,
        "{} is {} bytes",
        s.largest_shard_name,
        s.largest_shard_bytes
    );
    let manifest = index
        .files
        .iter()
        .find(|f| f.name == index.manifest)
        .unwrap();
    assert!(
        manifest.contents.len() < 8_000,
        "manifest {} bytes",
        manifest.contents.len()
    );

    let script = hashed_assets()
        .into_iter()
        .find(|(_, n, _)| *n == "search.js")
        .map(|(_, _, c)| c.len())
        .unwrap();
    let files = query::files_by_name(&index.files);
    let newest = &audit.requests[audit.requests.len() - 1];
    let middle = &audit.requests[audit.requests.len() / 2];
    // The typical queries must stay within 60 KB; broad ones (a backend and a
    // status, whose newest matches lie far apart) within more.
    let queries = [
        ("workspace", newest.workspace.name.to_string(), 60_000),
        (
            "workspace, older",
            middle.workspace.name.to_string(),
            60_000,
        ),
        ("researcher", middle.created_by.fullname.to_string(), 60_000),
        ("username", newest.created_by.username.to_string(), 60_000),
        (
            "job identifier",
            middle.jobs[0].identifier.to_string(),
            60_000,
        ),
        ("request id", middle.id.to_string(), 60_000),
        ("commit prefix", middle.sha[..7].to_owned(), 60_000),
        ("backend and status", "emis failed".to_owned(), 90_000),
        // An action the archive ran, whichever pipelines it was generated from.
        ("action", middle.jobs[0].action.to_string(), 90_000),
        ("word start", "stud".to_owned(), 90_000),
    ];
    for (what, q, limit) in queries {
        let started = std::time::Instant::now();
        let found = query::search(&files, &index.manifest, &q);
        let bytes = found.bytes + script;
        eprintln!(
            "{what:>20} {q:?}: {} results, {} files, {:.1} KB with the script, {:.1} ms (Rust, debug)",
            found.hits.len(),
            found.loaded.len(),
            bytes as f64 / 1e3,
            started.elapsed().as_secs_f64() * 1e3
        );
        let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for name in &found.loaded {
            let kind = name.split('.').next().unwrap();
            let e = by_kind.entry(kind).or_default();
            e.0 += 1;
            e.1 += files[name].len();
        }
        eprintln!("{:>22} script {script} B; {by_kind:?}", "");
        assert!(!found.hits.is_empty(), "{what} {q:?} found nothing");
        assert!(
            bytes <= limit,
            "{what} {q:?} loaded {bytes} bytes: {:?}",
            found.loaded
        );
    }
    let by_job = query::search(&files, &index.manifest, &middle.jobs[0].identifier);
    assert_eq!(by_job.jump.map(|j| j.0), Some(Jump::Job(middle.id)));
}
