//! Headless Chromium opens the built site from `file://` and browses it as a reader
//! would: home page, a request page, and back, with the stylesheet applied.

use crate::common::cdp::Browser;
use crate::common::server::Server;
use crate::common::*;

#[test]
fn the_site_browses_from_disk_with_its_stylesheet() {
    let (_dir, site, _) = build(&manifest_dir().join("data"));
    let home = format!("file://{}", site.join("index.html").display());
    let mut browser = Browser::launch();
    browser.navigate(&home);

    // The stylesheet loaded and applies: the header gets its card background and border.
    assert_eq!(browser.eval("document.styleSheets.length"), 1);
    let border =
        browser.eval("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle");
    assert_eq!(border, "solid");

    // Follow the home page's link to request 10898.
    let clicked = browser.eval("(() => { const a = [...document.querySelectorAll('table.requests a')].find(a => a.textContent === '10898'); a.click(); return a.href; })()");
    assert!(
        clicked
            .as_str()
            .unwrap()
            .ends_with("/flucats/flucats/10898/index.html"),
        "{clicked}"
    );
    browser.wait_for("document.querySelector('h1') && document.querySelector('h1').textContent === 'Job request: 10898' && document.readyState === 'complete'");
    assert_eq!(browser.eval("document.styleSheets.length"), 1);
    assert_eq!(
        browser.eval("getComputedStyle(document.querySelector('.card')).borderTopStyle"),
        "solid"
    );
    // The pipeline opens on click and shows the highlighted file.
    browser.eval("document.querySelector('#pipeline summary').click()");
    assert_eq!(
        browser.eval("document.querySelector('#pipeline details').open"),
        true
    );
    assert_eq!(
        browser.eval("getComputedStyle(document.querySelector('#pipeline .open')).display"),
        "inline"
    );

    // Breadcrumb back home.
    browser.eval("document.querySelector('nav.breadcrumbs a').click()");
    browser.wait_for(&format!(
        "location.href === {:?} && document.readyState === 'complete'",
        home
    ));
    assert_eq!(
        browser.eval("document.querySelector('#total-requests').textContent"),
        "5"
    );
}

#[test]
fn on_a_cdn_404_html_sends_job_server_job_urls_to_the_right_section() {
    let (_dir, site, _) = build(&manifest_dir().join("tests/fixtures/edge"));
    // site.toml's base_url is https://edge.example/archive/: served here under /archive/.
    let server = Server::start(&site, "/archive/");
    let mut browser = Browser::launch();
    let job_url = server.url("/archive/edge-project/analysis-ws/101/jjjjjjjjjjjjjjj5/");
    browser.call("Page.navigate", serde_json::json!({"url": job_url}));
    let expected =
        server.url("/archive/edge-project/analysis-ws/101/index.html#job-jjjjjjjjjjjjjjj5");
    browser.wait_for(&format!(
        "location.href === {expected:?} && document.readyState === 'complete'"
    ));
    assert_eq!(
        browser.eval("document.querySelector('h1').textContent"),
        "Job request: 101"
    );
    assert_eq!(
        browser.eval("document.querySelector(':target').id"),
        "job-jjjjjjjjjjjjjjj5"
    );

    // job-server's short links, through the search page's jump to an exact id.
    let short = server.url("/archive/job-requests/104/");
    browser.call("Page.navigate", serde_json::json!({"url": short}));
    let expected = server.url("/archive/edge-project/analysis-ws/104/index.html");
    browser.wait_for(&format!(
        "location.href === {expected:?} && document.readyState === 'complete'"
    ));
    let short = server.url("/archive/jobs/jjjjjjjjjjjjjjj9/");
    browser.call("Page.navigate", serde_json::json!({"url": short}));
    browser.wait_for(
        "location.hash === '#job-jjjjjjjjjjjjjjj9' && document.readyState === 'complete'",
    );
    assert_eq!(
        browser.eval("document.querySelector('h1').textContent"),
        "Job request: 104"
    );

    // A missing page that is no job-server URL stays on the 404 page.
    let missing = server.url("/archive/no/such/page/");
    browser.call("Page.navigate", serde_json::json!({"url": missing}));
    browser.wait_for("document.readyState === 'complete' && document.querySelector('h1')");
    assert_eq!(
        browser.eval("document.querySelector('h1').textContent"),
        "Page not found"
    );
    assert_eq!(browser.eval("document.styleSheets.length"), 1);
}

#[test]
fn a_link_to_an_action_or_line_opens_the_pipeline_and_shows_it() {
    let (_dir, site, _) = build(&manifest_dir().join("data"));
    let page = format!(
        "file://{}",
        site.join("flucats/flucats/10898/index.html").display()
    );
    let mut browser = Browser::launch();
    browser.navigate(&page);
    assert_eq!(
        browser.eval("document.querySelector('#pipeline details').open"),
        false
    );
    // The job's action link leads into the closed project.yaml.
    browser.eval("document.querySelector('#job-6nhad5m5vkyxqf4z dd a').click()");
    browser.wait_for("location.hash === '#action-test_action'");
    browser.wait_for("document.querySelector('#pipeline details').open");
    let visible = "(() => { const r = document.querySelector('#action-test_action').getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight && r.height > 0; })()";
    browser.wait_for(visible);

    // Arriving with a line fragment in the URL works too.
    let mut browser = Browser::launch();
    browser.navigate(&format!("{page}#L20"));
    browser.wait_for("document.querySelector('#pipeline details').open");
    browser.wait_for("(() => { const r = document.getElementById('L20').getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; })()");
}
