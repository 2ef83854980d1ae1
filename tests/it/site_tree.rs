//! Properties of a whole built tree (DESIGN.md §3, §6): every relative link resolves,
//! the same input gives the same bytes, and a failed build leaves the previous site.

use crate::common::*;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use jobaudit::site::{self, BuildError, BuildOptions};

/// Every `href`/`src` of every HTML page that is not absolute resolves to a file of the
/// tree, and every `#fragment` to an element id of its target page.
fn check_links(site: &Path) -> usize {
    let pages: BTreeMap<PathBuf, Vec<u8>> = files(site)
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "html"))
        .collect();
    let mut ids: BTreeMap<PathBuf, HashSet<String>> = BTreeMap::new();
    let mut parsed = Vec::new();
    for (path, bytes) in &pages {
        let doc = scraper::Html::parse_document(std::str::from_utf8(bytes).unwrap());
        let page_ids = doc
            .select(&sel("[id]"))
            .map(|e| e.value().id().unwrap().to_owned())
            .collect();
        ids.insert(path.clone(), page_ids);
        parsed.push((path.clone(), doc));
    }
    let mut checked = 0;
    for (path, doc) in &parsed {
        if path == Path::new("404.html") {
            continue; // the one page with absolute links, by design
        }
        for element in doc.select(&sel("[href], [src]")) {
            let link = element
                .value()
                .attr("href")
                .or(element.value().attr("src"))
                .unwrap();
            if link.starts_with("https://")
                || link.starts_with("http://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            assert!(
                !link.starts_with('/'),
                "{}: root-relative link {link}",
                path.display()
            );
            let (file_part, fragment) = link
                .split_once('#')
                .map_or((link, None), |(f, h)| (f, Some(h)));
            let file_part = file_part.split_once('?').map_or(file_part, |(f, _)| f);
            let target = if file_part.is_empty() {
                path.clone()
            } else {
                assert!(
                    file_part.ends_with(".html")
                        || file_part.ends_with(".css")
                        || file_part.ends_with(".js")
                        || file_part.ends_with(".xml")
                        || file_part.ends_with(".json"),
                    "{}: link {link} does not name a file (index.html)",
                    path.display()
                );
                normalise(&path.parent().unwrap().join(file_part))
            };
            assert!(
                site.join(&target).is_file(),
                "{}: broken link {link} → {}",
                path.display(),
                target.display()
            );
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                let target_ids = ids
                    .get(&target)
                    .unwrap_or_else(|| panic!("{}: fragment into non-page {link}", path.display()));
                assert!(
                    target_ids.contains(fragment),
                    "{}: no #{fragment} in {}",
                    path.display(),
                    target.display()
                );
            }
            checked += 1;
        }
    }
    checked
}

fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                assert!(out.pop(), "link climbs out of the site: {}", path.display())
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn every_relative_link_and_fragment_resolves() {
    for input in ["data", "tests/fixtures/edge"] {
        let (_dir, site, _) = build(&manifest_dir().join(input));
        let checked = check_links(&site);
        assert!(checked > 100, "{input}: only {checked} links checked");
    }
}

#[test]
fn the_same_input_gives_a_byte_identical_tree() {
    let input = manifest_dir().join("tests/fixtures/edge");
    let (_a, first, _) = build(&input);
    let (_b, second, _) = build(&input);
    let (first, second) = (files(&first), files(&second));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(
            bytes == &second[path],
            "{} differs between builds",
            path.display()
        );
    }
}

#[test]
fn a_build_that_fails_midway_leaves_the_previous_site_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("site");
    let input = manifest_dir().join("data");
    let good = BuildOptions {
        input: input.clone(),
        output: output.clone(),
        ..BuildOptions::default()
    };
    site::build(&good).unwrap();
    let before = files(&output);

    // A user page template that fails when rendered: request pages are written first, so
    // the build is well under way when it stops.
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(templates.join("user.html"), "{% extends \"base.html\" %}{% block content %}{{ no_such_value.field }}{% endblock content %}").unwrap();
    let failing = BuildOptions {
        templates: Some(templates),
        ..good
    };
    match site::build(&failing) {
        Err(BuildError::Fatal(d)) => assert!(d[0].message.contains("cannot render"), "{d:?}"),
        other => panic!("expected a failed build, got {other:?}"),
    }
    assert_eq!(files(&output), before, "the previous site changed");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "staging left behind: {leftovers:?}");
}

#[test]
fn a_template_override_replaces_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(templates.join("home.html"), "{% extends \"base.html\" %}{% block content %}<h1 id=\"custom\">Our archive: {{ totals.requests }}</h1>{% endblock content %}").unwrap();
    let output = dir.path().join("site");
    let options = BuildOptions {
        input: manifest_dir().join("data"),
        output: output.clone(),
        templates: Some(templates.clone()),
        ..BuildOptions::default()
    };
    site::build(&options).unwrap();
    let doc = page(&output, "index.html");
    assert_eq!(text(one(&doc, "#custom")), "Our archive: 5");

    std::fs::write(templates.join("nonsense.html"), "x").unwrap();
    match site::build(&options) {
        Err(BuildError::Fatal(d)) => {
            assert!(d[0].message.contains("no built-in template has this name"))
        }
        other => panic!("an unknown template name must be refused: {other:?}"),
    }
}
