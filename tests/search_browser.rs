//! The search page in a real browser (issue 5): headless Chromium opens it from
//! `file://` and from a local HTTP server on loopback, runs its script, and the DOM it
//! dumps shows the results. Chromium is required: CI installs it (.ci/run), and without
//! it these tests fail rather than pass unseen.

mod common;
mod synthetic;

use scraper::Html;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{all_text, build, manifest_dir, sel, text};

fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "the search browser tests need headless Chromium: install Debian's `chromium` \
         (apt-get install chromium; .ci/run does) and put it on PATH"
    );
}

/// How long the page may run before its DOM is dumped. Virtual time (the default) is fast
/// and deterministic but makes the page's own clock meaningless; with
/// `JOBAUDIT_SEARCH_REAL_TIME` set, the page runs for real seconds and the milliseconds it
/// reports are wall-clock ones.
fn budget() -> &'static str {
    if std::env::var_os("JOBAUDIT_SEARCH_REAL_TIME").is_some() {
        "--timeout=4000"
    } else {
        "--virtual-time-budget=5000"
    }
}

/// Loads `url` in a fresh headless Chromium, lets its scripts run, and parses the DOM.
fn dump(url: &str) -> Html {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--dump-dom",
        ])
        .arg(budget())
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish {url} within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Html::parse_document(&reader.join().unwrap())
}

fn file_url(site: &Path, query: &str) -> String {
    format!(
        "file://{}/search/index.html{query}",
        site.canonicalize().unwrap().display()
    )
}

/// The results the page shows: `(id, link)`.
fn results(doc: &Html) -> Vec<(u64, String)> {
    let state = doc
        .select(&sel("#search-results"))
        .next()
        .and_then(|e| e.value().attr("data-state").map(str::to_owned));
    assert_eq!(
        state.as_deref(),
        Some("done"),
        "the search did not finish: {}",
        all_text(doc, "#search-status").join(" ")
    );
    doc.select(&sel("#search-results li.result"))
        .map(|li| {
            let id = li.value().attr("data-id").unwrap().parse().unwrap();
            let href = li
                .select(&sel("a.result-link"))
                .next()
                .unwrap()
                .value()
                .attr("href")
                .unwrap()
                .to_owned();
            (id, href)
        })
        .collect()
}

fn ids(doc: &Html) -> Vec<u64> {
    results(doc).into_iter().map(|(id, _)| id).collect()
}

/// What the page says a query cost: bytes of script and index loaded, the query's
/// milliseconds, and the page's since its script started.
fn cost(doc: &Html) -> (u64, u64, u64) {
    let e = doc.select(&sel("#search-results")).next().unwrap();
    let n = |a: &str| e.value().attr(a).unwrap().parse().unwrap();
    (n("data-bytes"), n("data-ms"), n("data-page-ms"))
}

/// A small HTTP server on 127.0.0.1 for one test: serves `root`, stops when dropped or
/// after two minutes, whichever is first.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(root: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let (root, flag) = (root.to_path_buf(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !flag.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => serve(&root, stream),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            port,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, rel: &str) -> String {
        format!("http://127.0.0.1:{}/{rel}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(root: &Path, stream: TcpStream) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(&stream);
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let rel = path.trim_start_matches('/');
    let file = root.join(if rel.is_empty() { "index.html" } else { rel });
    let body = (!rel.split('/').any(|s| s == ".."))
        .then(|| std::fs::read(&file).ok())
        .flatten();
    let mut stream = stream;
    let _ = match body {
        Some(body) => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("css") => "text/css",
                _ => "application/octet-stream",
            };
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .and_then(|_| stream.write_all(&body))
        }
        None => stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    };
}

#[test]
fn searching_from_disk_finds_requests_by_every_kind_of_word() {
    let (_t, site, _) = build(&manifest_dir().join("data"));

    // By workspace: one result, with what the issue lists, linking relative to the page.
    let doc = dump(&file_url(&site, "?q=flucats"));
    let found = results(&doc);
    assert_eq!(
        found,
        [(10898, "../flucats/flucats/10898/index.html".to_owned())]
    );
    assert!(site.join("search").join(&found[0].1).is_file());
    let li = doc.select(&sel("li.result")).next().unwrap();
    let part = |s: &str| text(li.select(&sel(s)).next().unwrap());
    assert_eq!(part(".pill"), "Failed");
    assert_eq!(part(".workspace"), "flucats");
    assert_eq!(part(".researcher"), "Simon Davy");
    assert_eq!(part(".backend"), "EMIS");
    assert_eq!(part("time"), "2022-06-09");
    let (bytes, ms, _) = cost(&doc);
    eprintln!("data/ ?q=flucats from disk: {bytes} bytes, {ms} ms");
    assert!(bytes > 0 && bytes < 60_000, "{bytes} bytes");

    // By researcher.
    let doc = dump(&file_url(&site, "?q=Iain%20Dillingham"));
    assert_eq!(ids(&doc), [19021, 2505]);

    // By job identifier, shown with its anchor when asked not to jump.
    let doc = dump(&file_url(&site, "?q=6nhad5m5vkyxqf4z&jump=0"));
    assert_eq!(
        results(&doc),
        [(
            10898,
            "../flucats/flucats/10898/index.html#job-6nhad5m5vkyxqf4z".to_owned()
        )]
    );

    // By id: a shared link goes straight to the request page.
    let doc = dump(&file_url(&site, "?q=21418"));
    let title = all_text(&doc, "title").join("");
    assert!(title.starts_with("Job request: 21418"), "{title}");

    // A filter narrows the results; filters alone list the newest matching requests.
    let doc = dump(&file_url(&site, "?q=bennett&backend=tpp"));
    assert_eq!(ids(&doc), [19021, 3131]);
    let doc = dump(&file_url(&site, "?status=failed"));
    assert_eq!(ids(&doc), [10898]);
    // The filters' controls show the URL's values, so the search can be adjusted.
    let selected = doc
        .select(&sel("#filter-status option[value=failed]"))
        .next()
        .unwrap();
    assert_eq!(text(selected), "Failed");
}

#[test]
fn searching_over_http_works_the_same() {
    let (_t, site, _) = build(&manifest_dir().join("data"));
    let server = Server::start(&site);
    let doc = dump(&server.url("search/index.html?q=flucats"));
    assert_eq!(ids(&doc), [10898]);
    let doc = dump(&server.url("search/index.html?q=iaindillingham&backend=emis"));
    assert_eq!(ids(&doc), [2505]);
    let doc = dump(&server.url("search/index.html?q=2023"));
    assert_eq!(ids(&doc), [21418, 19021]);
    // A date range and an org narrow a query too.
    let doc = dump(
        &server
            .url("search/index.html?q=bennett&org=bennett-institute&from=2021-03-01&to=2021-12-31"),
    );
    assert_eq!(ids(&doc), [3131]);
}

#[test]
fn untrusted_names_are_shown_as_text() {
    let (_t, site, _) = build(&manifest_dir().join("tests/fixtures/edge"));
    let doc = dump(&file_url(&site, "?q=mallory"));
    assert_eq!(ids(&doc), [105]);
    assert_eq!(
        all_text(&doc, "li.result .researcher"),
        ["<script>alert('name')</script>"]
    );
    assert_eq!(doc.select(&sel("#search-results script")).count(), 0);
}

/// The bound, in the browser: a large index, queried from disk, through the real
/// search page; the page reports the bytes of script and shards it loaded.
#[test]
fn a_large_index_answers_within_the_budget() {
    let (_t, site, _) = build(&manifest_dir().join("data"));
    let n = synthetic::scale();
    let audit = synthetic::audit(n);
    let index = jobaudit::search::build(&audit);
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

    let middle = &audit.requests[audit.requests.len() / 2].request;
    let queries = [
        ("workspace", middle.workspace.name.clone(), Some(middle.id)),
        (
            "researcher",
            middle.created_by.fullname.clone(),
            Some(middle.id),
        ),
        (
            "job identifier",
            middle.jobs[0].identifier.clone(),
            Some(middle.id),
        ),
        ("request id", middle.id.to_string(), Some(middle.id)),
    ];
    for (what, q, expect) in queries {
        let query = format!("?jump=0&q={}", q.replace(' ', "%20"));
        let doc = dump(&file_url(&site, &query));
        let found = ids(&doc);
        let (bytes, ms, page_ms) = cost(&doc);
        eprintln!(
            "{n} requests, {what} {q:?}: {} results, {bytes} bytes, query {ms} ms, page {page_ms} ms",
            found.len()
        );
        if let Some(id) = expect {
            assert!(
                found.contains(&id) || found.len() == jobaudit::search::query::SHOWN,
                "{what}: {found:?}"
            );
        }
        assert!(!found.is_empty());
        assert!(bytes <= 60_000, "{what} {q:?}: {bytes} bytes");
    }
}
