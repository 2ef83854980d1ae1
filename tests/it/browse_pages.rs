//! The pages around the request pages (DESIGN.md §3), each parsed and checked against
//! the export it was built from.

use crate::common::*;
use std::path::Path;

use jobaudit::export;

fn edge_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, site, _) = build(&manifest_dir().join("tests/fixtures/edge"));
    (dir, site)
}

/// Request ids listed in the requests table of a page, in order.
fn listed_ids(site: &Path, rel: &str) -> Vec<u64> {
    let doc = page(site, rel);
    doc.select(&sel("table.requests tbody tr td:nth-child(2) a"))
        .map(|a| text(a).parse().unwrap())
        .collect()
}

#[test]
fn home_shows_totals_and_the_latest_requests() {
    let (_dir, site) = edge_site();
    let export = export::read(&manifest_dir().join("tests/fixtures/edge")).unwrap();
    let doc = page(&site, "index.html");
    assert_eq!(
        text(one(&doc, "#total-requests")),
        export.requests.len().to_string()
    );
    let jobs: usize = (0..export.requests.len())
        .map(|n| export.request(n).unwrap().jobs.len())
        .sum();
    assert_eq!(text(one(&doc, "#total-jobs")), jobs.to_string());
    assert_eq!(text(one(&doc, "#total-workspaces")), "3");
    assert_eq!(text(one(&doc, "#total-projects")), "2");
    assert_eq!(text(one(&doc, "#total-orgs")), "3");
    // The newest record's date, unless a reproducible build sets its own.
    if std::env::var_os("SOURCE_DATE_EPOCH").is_none() {
        assert_eq!(
            text(one(&doc, "#totals-title")),
            "In this archive, as of 08 Jan 2024"
        );
    }
    assert_eq!(
        listed_ids(&site, "index.html"),
        [107, 106, 105, 104, 103, 102, 101, 100]
    );
    assert!(
        doc.select(&sel("form[role=search] input[name=q]"))
            .next()
            .is_some()
    );
}

#[test]
fn event_log_lists_every_request_newest_first_with_pagination() {
    let (_dir, site) = edge_site();
    assert_eq!(
        listed_ids(&site, "event-log/index.html"),
        [107, 106, 105, 104, 103, 102, 101, 100]
    );
    let doc = page(&site, "event-log/index.html");
    assert_eq!(
        text(one(&doc, "nav.pagination span:not(.disabled)")),
        "Requests 1–8 of 8, the newest"
    );
    let row = doc.select(&sel("table.requests tbody tr")).nth(6).unwrap();
    let cells: Vec<String> = within(row, "td").into_iter().map(text).collect();
    // 101: failed, 2 of 3 jobs succeeded, by Alice on TPP.
    assert_eq!(cells[0], "Failed");
    assert_eq!(cells[1], "101");
    assert_eq!(cells[5], "Alice Analyst");
    assert!(cells[6].starts_with("2/3"), "{}", cells[6]);
    assert_eq!(cells[7], "TPP");
    assert_eq!(cells[8], "2024-01-02");
}

#[test]
fn project_page_lists_orgs_workspaces_researchers_and_first_run() {
    let (_dir, site) = edge_site();
    let doc = page(&site, "edge-project/index.html");
    assert_eq!(text(one(&doc, "h1")), "POS-2024-0001 Edge & <Project>");
    let workspaces: Vec<String> = doc
        .select(&sel("main table.list:not(.requests) tbody td:first-child"))
        .map(text)
        .collect();
    assert_eq!(workspaces, ["analysis-ws", "big-ws"]);
    assert_eq!(all_text(&doc, "aside li"), ["Alice Analyst", "Bob Builder"]);
    // Code first ran when the earliest job started (request 100's first job).
    let first = one(&doc, "aside time");
    assert_eq!(first.value().attr("datetime"), Some("2024-01-01T09:00:10Z"));
    assert_eq!(
        listed_ids(&site, "edge-project/index.html"),
        [107, 106, 104, 103, 102, 101, 100]
    );
    let crumbs = all_text(&doc, "nav.breadcrumbs li");
    assert_eq!(crumbs, ["Home", "Edge & <Project>"]);
}

#[test]
fn workspace_page_links_repo_and_branch_and_shows_each_actions_latest_status() {
    let (_dir, site) = edge_site();
    let doc = page(&site, "edge-project/analysis-ws/index.html");
    assert_eq!(text(one(&doc, "h1")), "Workspace: analysis-ws");
    let info = definitions(one(&doc, "aside dl"));
    assert_eq!(
        lookup(&info, "Repo"),
        "https://github.com/example/edge-study"
    );
    assert_eq!(lookup(&info, "Branch"), "main");
    let branch = doc
        .select(&sel("aside dl a"))
        .find(|a| text(*a) == "main")
        .unwrap();
    assert_eq!(
        branch.value().attr("href"),
        Some("https://github.com/example/edge-study/tree/main")
    );
    let statuses = table_rows(&doc, "aside table tbody tr");
    // The latest job of each action, by request id.
    assert_eq!(
        statuses,
        [
            "__error__ failed 106",
            "generate_dataset succeeded 104",
            "model failed 101",
            "summarise failed 104"
        ]
    );
    assert_eq!(
        all_text(&doc, "nav.breadcrumbs li"),
        ["Home", "Edge & <Project>", "analysis-ws"]
    );
    let feed = std::fs::read_to_string(site.join("edge-project/analysis-ws/feed.xml")).unwrap();
    assert_eq!(feed.matches("<entry>").count(), 6);
    assert!(feed.contains("<id>https://edge.example/archive/edge-project/analysis-ws/106/</id>"));
}

#[test]
fn org_user_backend_and_organisations_pages() {
    let (_dir, site) = edge_site();
    let doc = page(&site, "orgs/bennett-institute/index.html");
    assert_eq!(text(one(&doc, "h1")), "Bennett Institute");
    assert_eq!(
        listed_ids(&site, "orgs/bennett-institute/index.html"),
        [107, 106, 104, 103, 102, 101, 100]
    );
    // partner-org collaborates (not lead) on the same project: its log has the same requests.
    assert_eq!(
        listed_ids(&site, "orgs/partner-org/index.html"),
        [106, 103, 102, 101, 100]
    );

    let doc = page(&site, "users/bob/index.html");
    assert_eq!(text(one(&doc, "h1")), "Bob Builder");
    assert_eq!(listed_ids(&site, "users/bob/index.html"), [104]);

    assert_eq!(listed_ids(&site, "backends/emis/index.html"), [103]);
    assert_eq!(
        listed_ids(&site, "backends/tpp/index.html"),
        [107, 106, 105, 104, 102, 101, 100]
    );

    let doc = page(&site, "organisations/index.html");
    let orgs = all_text(&doc, "ul.link-list li a");
    assert_eq!(
        orgs,
        [
            "<img src=x onerror=alert(1)>",
            "Bennett Institute",
            "Partner Org"
        ]
    );
}

#[test]
fn markdown_pages_render_with_their_title_in_the_navigation() {
    let (_dir, site, _) = build(&manifest_dir().join("data"));
    let doc = page(&site, "pages/about/index.html");
    let heading = text(one(&doc, "article h1"));
    let nav: Vec<String> = all_text(&doc, "header nav a");
    assert!(nav.contains(&heading), "{nav:?} lacks {heading}");
    let body = text(one(&doc, "article"));
    for level in [
        "highly_sensitive",
        "moderately_sensitive",
        "minimally_sensitive",
    ] {
        assert!(body.contains(level), "about page explains {level}");
    }
}

#[test]
fn index_json_is_the_resolved_record() {
    let (_dir, site) = edge_site();
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(site.join("edge-project/analysis-ws/104/index.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["id"], 104);
    assert_eq!(json["status"], "failed");
    assert_eq!(json["runtime"], "50:03:04");
    assert_eq!(json["runtime_seconds"], 50 * 3600 + 3 * 60 + 4);
    assert_eq!(json["finished_at"], "2024-01-07T11:03:04Z");
    assert_eq!(json["created_by"]["name"], "Bob Builder");
    assert_eq!(json["jobs"].as_array().unwrap().len(), 2);
    assert_eq!(json["previous"]["id"], 102);
    assert_eq!(
        json["previous"]["compare_url"],
        format!(
            "https://github.com/example/edge-study/compare/..{}",
            "b".repeat(40)
        )
    );
    assert_eq!(json["previous_successful"]["id"], 100);
}

#[test]
fn hosting_files_use_the_base_url() {
    let (_dir, site) = edge_site();
    let sitemap = std::fs::read_to_string(site.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://edge.example/archive/edge-project/analysis-ws/101/</loc>")
    );
    let urls = sitemap.matches("<url>").count();
    // home, organisations, 1 event-log page, 2 projects, 3 workspaces, 3 orgs, 3 users, 2 backends, 8 requests
    assert_eq!(urls, 1 + 1 + 1 + 2 + 3 + 3 + 3 + 2 + 8);
    let robots = std::fs::read_to_string(site.join("robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://edge.example/archive/sitemap.xml"));
    let doc = page(&site, "edge-project/analysis-ws/101/index.html");
    let canonical = one(&doc, "link[rel=canonical]")
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    assert_eq!(
        canonical,
        "https://edge.example/archive/edge-project/analysis-ws/101/"
    );
    let css = one(&doc, "link[rel=stylesheet]")
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    assert!(
        css.starts_with("../../../static/style.") && css.ends_with(".css"),
        "{css}"
    );
}

/// `count` requests, ids 1 to `count`, all in one workspace.
fn long_workspace(count: u64) -> (tempfile::TempDir, std::path::PathBuf) {
    let input = tempfile::tempdir().unwrap();
    let records: String = (1..=count)
        .map(|id| {
            serde_json::json!({
                "id": id,
                "identifier": format!("req{id:013}"),
                "backend": "tpp",
                "workspace": {"name": "long-ws", "repo": "https://github.com/example/long"},
                "project": "long-project",
                "created_by": "ann",
                "created_at": format!("2024-01-01T00:00:{:02}Z", id % 60),
                "sha": "d597be8623fa61081aa8f6fe6ef69df75fc65171",
                "requested_actions": ["run_all"],
                "status": "succeeded",
            })
            .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(input.path().join("job_requests.jsonl"), records).unwrap();
    let (dir, site, _) = build(input.path());
    drop(input);
    (dir, site)
}

/// A long list shows its newest requests, 100 to 199 of them, and the older ones on
/// pages of 100 counted from the oldest, linked both ways; every request is on one page.
#[test]
fn a_long_workspace_and_event_log_are_paged_from_the_oldest() {
    let (_dir, site) = long_workspace(250);
    let newest: Vec<u64> = (101..=250).rev().collect();
    let oldest: Vec<u64> = (1..=100).rev().collect();
    for (front, older) in [
        (
            "long-project/long-ws/index.html",
            "long-project/long-ws/page/1/index.html",
        ),
        ("event-log/index.html", "event-log/page/1/index.html"),
    ] {
        assert_eq!(listed_ids(&site, front), newest, "{front}");
        let doc = page(&site, front);
        assert_eq!(
            text(one(&doc, "nav.pagination span:not(.disabled)")),
            "Requests 101–250 of 250, the newest"
        );
        let link = one(&doc, "nav.pagination a[rel=next]");
        let target = Path::new(front)
            .parent()
            .unwrap()
            .join(link.value().attr("href").unwrap());
        assert_eq!(
            std::fs::canonicalize(site.join(&target)).unwrap(),
            std::fs::canonicalize(site.join(older)).unwrap()
        );

        assert_eq!(listed_ids(&site, older), oldest, "{older}");
        let doc = page(&site, older);
        assert_eq!(
            text(one(&doc, "nav.pagination span:not(.disabled)")),
            "Requests 1–100, counted from the oldest"
        );
        let back = one(&doc, "nav.pagination a[rel=prev]")
            .value()
            .attr("href")
            .unwrap();
        let target = Path::new(older).parent().unwrap().join(back);
        assert_eq!(
            std::fs::canonicalize(site.join(target)).unwrap(),
            std::fs::canonicalize(site.join(front)).unwrap()
        );
        assert!(
            doc.select(&sel("nav.pagination a[rel=next]"))
                .next()
                .is_none()
        );
    }
    let sitemap = std::fs::read_to_string(site.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("long-project/long-ws/page/1/"),
        "{sitemap}"
    );
}
