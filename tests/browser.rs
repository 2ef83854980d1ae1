//! Headless Chromium opens the built site from `file://` and browses it as a reader
//! would: home page, a request page, and back, with the stylesheet applied.

mod common;

use common::cdp::Browser;
use common::*;

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
