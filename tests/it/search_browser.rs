//! The search page in a real browser (issue 5): headless Chromium, driven over the
//! DevTools protocol (`common::cdp`), opens it from `file://` and from the loopback test
//! server (`common::server`), and the tests read the results its script shows. A missing
//! Chromium fails these tests; CI installs it (.ci/run).

use serde_json::json;
use std::path::Path;

use crate::common::cdp::Browser;
use crate::common::server::Server;
use crate::common::{build, manifest_dir, synthetic};
use jobaudit::search::query::SHOWN;

fn file_url(site: &Path, query: &str) -> String {
    format!(
        "file://{}/search/index.html{query}",
        site.canonicalize().unwrap().display()
    )
}

const DONE: &str = "document.querySelector('#search-results') && \
                    document.querySelector('#search-results').dataset.state === 'done'";

/// Opens `url` and waits until the search has answered (or, when `done` says otherwise,
/// until that holds). The old page is marked first, so that its finished search is not
/// mistaken for the new one's.
fn open(browser: &mut Browser, url: &str, done: &str) {
    browser.eval("window.searchTestOldPage = true");
    browser.call("Page.navigate", json!({ "url": url }));
    browser.wait_for(&format!("!window.searchTestOldPage && ({done})"));
}

/// The results shown: `(id, link)`.
fn results(browser: &mut Browser) -> Vec<(u64, String)> {
    let v = browser.eval(
        "[...document.querySelectorAll('#search-results li.result')]
           .map(li => [Number(li.dataset.id), li.querySelector('a.result-link').getAttribute('href')])",
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_u64().unwrap(), r[1].as_str().unwrap().to_owned()))
        .collect()
}

fn ids(browser: &mut Browser) -> Vec<u64> {
    results(browser).into_iter().map(|(id, _)| id).collect()
}

fn search(browser: &mut Browser, url: &str) -> Vec<u64> {
    open(browser, url, DONE);
    ids(browser)
}

/// What the page says the last query cost: bytes of script and index loaded since the
/// page opened, the query's milliseconds, and the page's since its script started.
fn cost(browser: &mut Browser) -> (u64, u64, u64) {
    let v = browser.eval(
        "(e => [e.dataset.bytes, e.dataset.ms, e.dataset.pageMs].map(Number))(document.querySelector('#search-results'))",
    );
    let n = |i: usize| v[i].as_u64().unwrap();
    (n(0), n(1), n(2))
}

/// Types `text` into the search box as a reader would, and waits for the answer.
fn type_query(browser: &mut Browser, text: &str) {
    browser.eval(&format!(
        "(() => {{ const r = document.querySelector('#search-results'); r.dataset.state = 'typing';
           const i = document.querySelector('#search-q'); i.value = {};
           i.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()",
        json!(text)
    ));
    browser.wait_for(DONE);
}

#[test]
fn searching_from_disk_finds_requests_by_every_kind_of_word() {
    let (_t, site, _) = build(&manifest_dir().join("data"));
    let mut browser = Browser::launch();

    // By workspace: one result, with what the issue lists, linking relative to the page.
    open(&mut browser, &file_url(&site, "?q=flucats"), DONE);
    let found = results(&mut browser);
    assert_eq!(
        found,
        [(10898, "../flucats/flucats/10898/index.html".to_owned())]
    );
    assert!(site.join("search").join(&found[0].1).is_file());
    let shown = browser.eval(
        "(li => ['.pill', '.workspace', '.researcher', '.backend', 'time']
           .map(s => li.querySelector(s).textContent))(document.querySelector('li.result'))",
    );
    assert_eq!(
        shown,
        json!(["Failed", "flucats", "Simon Davy", "EMIS", "2022-06-09"])
    );
    let (bytes, ms, page_ms) = cost(&mut browser);
    eprintln!("data/ ?q=flucats from disk: {bytes} bytes, query {ms} ms, page {page_ms} ms");
    assert!(bytes > 0 && bytes < 60_000, "{bytes} bytes");

    // By researcher, by job identifier (shown with its anchor when asked not to jump).
    assert_eq!(
        search(&mut browser, &file_url(&site, "?q=Iain%20Dillingham")),
        [19021, 2505]
    );
    open(
        &mut browser,
        &file_url(&site, "?q=6nhad5m5vkyxqf4z&jump=0"),
        DONE,
    );
    assert_eq!(
        results(&mut browser),
        [(
            10898,
            "../flucats/flucats/10898/index.html#job-6nhad5m5vkyxqf4z".to_owned()
        )]
    );

    // By id or job identifier, a shared link goes straight to the page.
    let title = "document.title.startsWith('Job request: 21418')";
    open(&mut browser, &file_url(&site, "?q=21418"), title);
    open(
        &mut browser,
        &file_url(&site, "?q=6nhad5m5vkyxqf4z"),
        "location.hash === '#job-6nhad5m5vkyxqf4z' && document.title.startsWith('Job request: 10898')",
    );

    // A filter narrows the results; filters alone list the newest matching requests,
    // and the controls show the URL's values.
    assert_eq!(
        search(&mut browser, &file_url(&site, "?q=bennett&backend=tpp")),
        [19021, 3131]
    );
    assert_eq!(
        search(&mut browser, &file_url(&site, "?status=failed")),
        [10898]
    );
    assert_eq!(
        browser.eval("document.querySelector('#filter-status').value"),
        "failed"
    );
}

#[test]
fn results_come_as_you_type_and_the_url_follows() {
    let (_t, site, _) = build(&manifest_dir().join("data"));
    let mut browser = Browser::launch();
    open(
        &mut browser,
        &file_url(&site, ""),
        "document.querySelector('#filter-backend').options.length > 1",
    );
    type_query(&mut browser, "flu");
    assert_eq!(ids(&mut browser), [10898]);
    type_query(&mut browser, "iain d");
    assert_eq!(ids(&mut browser), [19021, 2505]);
    assert_eq!(browser.eval("location.search"), "?q=iain+d");

    // A filter changed on the page narrows the results and joins the URL.
    browser.eval(
        "(() => { document.querySelector('#search-results').dataset.state = 'typing';
           const s = document.querySelector('#filter-backend'); s.value = 'emis';
           s.dispatchEvent(new Event('change', { bubbles: true })); })()",
    );
    browser.wait_for(DONE);
    assert_eq!(ids(&mut browser), [2505]);
    assert_eq!(browser.eval("location.search"), "?q=iain+d&backend=emis");

    // The URL reproduces what the page showed.
    let url = browser.eval("location.href");
    assert_eq!(search(&mut browser, url.as_str().unwrap()), [2505]);
    assert_eq!(
        browser.eval("document.querySelector('#search-q').value"),
        "iain d"
    );

    // Submitting an exact id (with no filter, which would ask for a list) goes to its page.
    browser.eval(
        "(() => { document.querySelector('#filter-backend').value = '';
           const i = document.querySelector('#search-q'); i.value = '3131';
           document.querySelector('#search-form').requestSubmit(); })()",
    );
    browser.wait_for("document.title.startsWith('Job request: 3131')");
}

#[test]
fn searching_over_http_works_the_same() {
    let (_t, site, _) = build(&manifest_dir().join("data"));
    let server = Server::start(&site, "/");
    let mut browser = Browser::launch();
    let url = |q: &str| server.url(&format!("/search/index.html{q}"));
    assert_eq!(search(&mut browser, &url("?q=flucats")), [10898]);
    assert_eq!(
        search(&mut browser, &url("?q=iaindillingham&backend=emis")),
        [2505]
    );
    assert_eq!(search(&mut browser, &url("?q=2023")), [21418, 19021]);
    open(
        &mut browser,
        &url("?q=pzztw7wladpqkpqb"),
        "document.title.startsWith('Job request: 10898')",
    );
    // A date range and an org narrow a query too.
    assert_eq!(
        search(
            &mut browser,
            &url("?q=bennett&org=bennett-institute&from=2021-03-01&to=2021-12-31")
        ),
        [3131]
    );
}

#[test]
fn untrusted_names_are_shown_as_text() {
    let (_t, site, _) = build(&manifest_dir().join("tests/fixtures/edge"));
    let mut browser = Browser::launch();
    assert_eq!(search(&mut browser, &file_url(&site, "?q=mallory")), [105]);
    assert_eq!(
        browser.eval("document.querySelector('li.result .researcher').textContent"),
        "<script>alert('name')</script>"
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#search-results script').length"),
        0
    );
}

/// The bound, in the browser: a large index queried from disk through the real
/// search page, which reports the bytes of script and shards it loaded and how long the
/// query took (`JOBAUDIT_SEARCH_SCALE=100000` for the size).
#[test]
fn a_large_index_answers_within_the_budget() {
    let (_t, site, _) = build(&manifest_dir().join("data"));
    let n = synthetic::scale();
    let audit = synthetic::large();
    let index = jobaudit::search::build(audit);
    for f in &index.files {
        std::fs::write(site.join(f.path()), &f.contents).unwrap();
    }
    // The built page, pointed at the large index.
    let page = site.join("search/index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let start = html.find("data-manifest=\"").unwrap() + "data-manifest=\"".len();
    let end = start + html[start..].find('"').unwrap();
    let small = html[start..end].to_owned();
    let html = html.replace(&small, &format!("{}.js", index.manifest));
    std::fs::write(&page, html).unwrap();

    let mut browser = Browser::launch();
    let middle = &audit.requests[audit.requests.len() / 2];
    let queries = [
        ("workspace", middle.workspace.name.to_string()),
        ("researcher", middle.created_by.fullname.to_string()),
        ("job identifier", middle.jobs[0].identifier.to_string()),
        ("request id", middle.id.to_string()),
    ];
    for (what, q) in &queries {
        let query = format!("?jump=0&q={}", q.replace(' ', "%20"));
        let found = search(&mut browser, &file_url(&site, &query));
        let (bytes, ms, page_ms) = cost(&mut browser);
        eprintln!(
            "{n} requests, {what} {q:?}: {} shown, {bytes} bytes, query {ms} ms, page {page_ms} ms",
            found.len()
        );
        assert!(
            found.contains(&middle.id) || found.len() == SHOWN,
            "{what}: {found:?}"
        );
        assert!(bytes <= 60_000, "{what} {q:?}: {bytes} bytes");
    }
    // Typed on an open page, each query loads only what it lacks.
    for (what, q) in &queries {
        type_query(&mut browser, q);
        let (bytes, ms, _) = cost(&mut browser);
        eprintln!("{n} requests, typed {what} {q:?}: query {ms} ms, page total {bytes} bytes");
        assert!(!ids(&mut browser).is_empty(), "{what}");
    }
}
