//! Every output file valid under hostile text (issue 22 §5): every string of the export
//! that is shown (not those that become paths, which are restricted) is filled with
//! markup, quotes, `</script>`, `]]>`, every control character, line separators,
//! noncharacters, bidi overrides, emoji and combining marks; the build must still write
//! files that a strict parser of each kind accepts, show that text as text, and take
//! `base_url` only as an absolute http(s) URL.

use html5ever::driver::{ParseOpts, parse_document};
use html5ever::tendril::TendrilSink;
use html5ever::tokenizer::TokenizerOpts;
use scraper::{Html, HtmlTreeSink, Selector};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use super::harness::*;

/// Markup that would make an element, end a script, a CDATA section or open a comment.
const MARKUP: &str = "<b>bold</b> \"'& </script><script>alert(1)</script> ]]> <!-- x";

/// Text that is not markup but that no output may carry as it is: every C0 and C1
/// control, line and paragraph separators, a byte order mark, noncharacters, bidi
/// overrides and isolates, emoji sequences and combining marks.
fn awkward() -> String {
    let mut text: String = ('\0'..='\u{1F}').chain('\u{7F}'..='\u{9F}').collect();
    text.push_str(
        "\u{2028}\u{2029}\u{FEFF}\u{FFFE}\u{FFFF}\u{FDD0}\u{1FFFE} \u{202E}rtl\u{202C} \
         \u{2066}iso\u{2069} 👩\u{200D}🔬 🏳\u{FE0F}\u{200D}🌈 e\u{301}\u{20DD}",
    );
    text
}

/// A hostile text, starting with the name of the field it stands in.
fn hostile(field: &str) -> String {
    format!("{field} {MARKUP} {}", awkward())
}

/// A TOML basic string of `text`: controls must be escaped there.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() && c != '\t' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const HOSTILE_SHA: &str = "1111111111111111111111111111111111111111";
const MISSING_SHA: &str = "2222222222222222222222222222222222222222";
const LARGE_SHA: &str = "3333333333333333333333333333333333333333";

/// A valid project.yaml whose comments and strings are hostile, as far as YAML lets a
/// valid file be (it forbids control characters).
fn hostile_project_yaml() -> String {
    format!(
        "version: '4.0'\n# {MARKUP} \u{202E}rtl 👩\u{200D}🔬 e\u{301}\n\nactions:\n  a:\n    # {MARKUP}\n    run: python:latest analysis/a.py --note '<b>bold</b> </script><script>alert(1)</script> ]]> &'\n    outputs:\n      moderately_sensitive:\n        table: output/a.csv\n        other: \"output/<b>x</b>&.csv\"\n"
    )
}

/// Records whose paths are safe but whose every shown string is hostile.
fn hostile_records() -> Vec<Value> {
    let mut plain = request(2);
    plain["workspace"]["branch"] = hostile("branch").into();
    // Display names are unified per slug: the same in every record.
    plain["orgs"][0]["name"] = hostile("org").into();
    plain["project"]["name"] = hostile("project").into();
    plain["created_by"]["fullname"] = hostile("fullname").into();

    // The same workspace as `plain`, later, on another project.yaml: its page shows
    // the hostile file and the diff from `plain`'s.
    let mut full = request(3);
    full["sha"] = HOSTILE_SHA.into();
    full["backend"]["name"] = hostile("backend").into();
    full["workspace"]["branch"] = hostile("branch").into();
    full["workspace"]["repo"] = format!(
        "https://github.com/o/{}/ws",
        hostile("repo").replace('/', "")
    )
    .into();
    full["project"]["name"] = hostile("project").into();
    full["orgs"][0]["name"] = hostile("org").into();
    full["created_by"]["fullname"] = hostile("fullname").into();
    full["requested_actions"] = json!(["a", hostile("requested")]);
    full["cancelled_actions"] = json!([hostile("cancelled")]);
    full["status"] = "failed".into();
    full["status_message"] = hostile("request status message").into();
    full["project_definition"] = hostile("stored definition").into();
    let job = full["jobs"][0].clone();
    full["jobs"][0]["status"] = "failed".into();
    full["jobs"][0]["status_code"] = "nonzero_exit".into();
    full["jobs"][0]["status_message"] = hostile("job status message").into();
    full["jobs"][0]["run_command"] = hostile("run command").into();
    let mut other = job;
    other["identifier"] = "job-3b".into();
    other["action"] = hostile("job action").into();
    other["run_command"] = hostile("other run command").into();
    full["jobs"]
        .as_array_mut()
        .expect("jobs are a list")
        .push(other);

    // No stored project.yaml: the record's own, invalid and hostile, is shown with its
    // error.
    let mut invalid = request(4);
    invalid["sha"] = MISSING_SHA.into();
    invalid["orgs"][0]["name"] = hostile("org").into();
    invalid["project"]["name"] = hostile("project").into();
    invalid["created_by"]["fullname"] = hostile("fullname").into();
    invalid["project_definition"] =
        format!("version: '4.0'\nactions:\n  a: [{MARKUP} {}\n", awkward()).into();

    // job-server's API shape: bare slugs named by site.toml, flattened names.
    let mut api = request(5);
    api["backend"] = "emis".into();
    api["orgs"] = json!(["org2"]);
    api["project"] = "p".into();
    api["project_name"] = hostile("project").into();
    api["created_by"] = "ann".into();
    api["created_by_fullname"] = hostile("fullname").into();

    // A project.yaml too large to inline: drawn on a page of its own.
    let mut large = request(6);
    large["sha"] = LARGE_SHA.into();
    large["orgs"][0]["name"] = hostile("org").into();
    large["project"]["name"] = hostile("project").into();
    large["created_by"]["fullname"] = hostile("fullname").into();

    vec![plain, full, invalid, api, large]
}

fn hostile_site_toml() -> String {
    let s = |field: &str| toml_string(&hostile(field));
    format!(
        "title = {}\nbase_url = \"https://hostile.example/a%3Cb%3E/\"\n\n[backends]\nemis = {}\n\n[orgs]\norg2 = {}\n\n[intro]\nenvironment = {}\nhighly_sensitive = [{}]\nmoderately_sensitive = [{}]\n",
        s("title"),
        s("backend from site.toml"),
        s("org from site.toml"),
        s("intro"),
        s("highly"),
        s("moderately"),
    )
}

fn hostile_markdown() -> String {
    let a = awkward();
    format!(
        "# Page {MARKUP} {a}\n\nParagraph {MARKUP} {a}\n\n<div onclick=\"alert(1)\">raw {a}</div>\n\n[link](javascript:alert(1)) [ok](https://x.example/\"<b> \"{MARKUP}\") ![img](data:x \"{a}\")\n\n`code {MARKUP} {a}`\n\n```\nfenced {MARKUP} {a}\n```\n\n| a | b |\n|---|---|\n| {MARKUP} | {a} |\n"
    )
}

/// The hostile export, built.
fn hostile_build() -> (Export, Run) {
    let export = Export::of(&hostile_records());
    export.write("site.toml", hostile_site_toml().as_bytes());
    export.write("pages/hostile.md", hostile_markdown().as_bytes());
    export.write(
        &format!("pipelines/o/ws/{HOSTILE_SHA}/project.yaml"),
        hostile_project_yaml().as_bytes(),
    );
    let padding = format!("# {MARKUP} \u{202E}rtl\n").repeat(200);
    export.write(
        &format!("pipelines/o/ws/{LARGE_SHA}/project.yaml"),
        format!("{}{padding}", hostile_project_yaml()).as_bytes(),
    );
    let run = export.build(&[]);
    (export, run)
}

/// Files of the output by kind (extension), each parsed strictly; the build's own
/// caches (dot files) are not output.
#[derive(Debug, Default)]
struct Parsed {
    by_kind: BTreeMap<String, usize>,
    js_files: Vec<std::path::PathBuf>,
}

fn parse_every_file(site: &Path) -> Parsed {
    let mut parsed = Parsed::default();
    for entry in walkdir::WalkDir::new(site).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(site).unwrap();
        if rel.iter().any(|p| p.to_string_lossy().starts_with('.')) || !entry.file_type().is_file()
        {
            continue;
        }
        let text = std::fs::read_to_string(entry.path())
            .unwrap_or_else(|e| panic!("{}: not UTF-8: {e}", rel.display()));
        let kind = rel
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = rel.display().to_string();
        match kind.as_str() {
            "html" => check_html(&name, &text),
            "xml" => check_xml(&name, &text),
            "json" => {
                serde_json::from_str::<Value>(&text)
                    .unwrap_or_else(|e| panic!("{name}: invalid JSON: {e}"));
            }
            "js" => {
                check_js_text(&name, &text);
                parsed.js_files.push(entry.path().to_owned());
            }
            "css" | "txt" => check_plain(&name, &text),
            _ => panic!("{name}: a kind of file this test does not know how to check"),
        }
        *parsed.by_kind.entry(kind).or_default() += 1;
    }
    parsed
}

/// html5ever with every parse error reported, as the HTML standard defines them
/// (controls and noncharacters in the input stream among them).
fn parse_html_strictly(text: &str) -> Html {
    let opts = ParseOpts {
        tokenizer: TokenizerOpts {
            exact_errors: true,
            ..TokenizerOpts::default()
        },
        ..ParseOpts::default()
    };
    parse_document(HtmlTreeSink::new(Html::new_document()), opts).one(text)
}

fn sel(selector: &str) -> Selector {
    Selector::parse(selector).unwrap()
}

fn check_html(name: &str, text: &str) {
    let doc = parse_html_strictly(text);
    assert!(
        doc.errors.is_empty(),
        "{name}: HTML parse errors: {:?}",
        doc.errors
    );
    // Nothing from the input became an element or a handler.
    for script in doc.select(&sel("script")) {
        let body: String = script.text().collect();
        assert!(
            script.value().attr("src").is_some() || !body.contains("alert"),
            "{name}: a script from the input: {body:?}"
        );
    }
    for element in doc.select(&sel("*")) {
        let tag = element.value().name();
        assert!(
            !(tag == "b" && element.text().collect::<String>() == "bold"),
            "{name}: a <b> element from the input"
        );
        for (attr, _) in element.value().attrs() {
            assert!(
                !attr.starts_with("on"),
                "{name}: an event handler attribute {attr} on <{tag}>"
            );
        }
        for attr in ["href", "src"] {
            if let Some(url) = element.value().attr(attr) {
                let lower = url.trim().to_ascii_lowercase();
                assert!(
                    !lower.starts_with("javascript:") && !lower.starts_with("data:"),
                    "{name}: {attr}={url:?}"
                );
                assert!(
                    is_valid_url(url),
                    "{name}: {attr}={url:?} is not a valid URL"
                );
            }
        }
    }
}

/// A valid URL string as the HTML standard (WHATWG URL) reads one: no white space,
/// controls or noncharacters, none of the ASCII characters a URL may not hold as they
/// are, and at most one `#`.
fn is_valid_url(url: &str) -> bool {
    let bad = |c: char| {
        c.is_control()
            || c.is_whitespace()
            || "\"<>\\^`{|}".contains(c)
            || (0xFDD0..=0xFDEF).contains(&(c as u32))
            || (c as u32) & 0xFFFE == 0xFFFE
    };
    !url.chars().any(bad) && url.matches('#').count() <= 1
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn check_xml(name: &str, text: &str) {
    if let Some(c) = text.chars().find(|&c| !is_xml_char(c)) {
        panic!("{name}: {c:?} is not an XML 1.0 character");
    }
    roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{name}: invalid XML: {e}"));
}

/// What every JavaScript file must be without a JavaScript parser at hand: no raw line
/// or paragraph separator, and a search shard's call with a JSON payload.
fn check_js_text(name: &str, text: &str) {
    assert!(
        !text.contains(['\u{2028}', '\u{2029}']),
        "{name}: a raw U+2028 or U+2029"
    );
    if let Some(call) = text.strip_prefix("jobauditSearch.register(") {
        let args = call
            .strip_suffix(");\n")
            .unwrap_or_else(|| panic!("{name}: a shard not ending its call"));
        let args: Value = serde_json::from_str(&format!("[{args}]"))
            .unwrap_or_else(|e| panic!("{name}: a shard's arguments are not JSON: {e}"));
        assert_eq!(args.as_array().map(Vec::len), Some(3), "{name}");
    }
}

fn check_plain(name: &str, text: &str) {
    if let Some(c) = text
        .chars()
        .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        panic!("{name}: control character {c:?}");
    }
}

/// `node --check` each file, when Node.js is on PATH (CI has it); false when it is not.
fn node_checks(files: &[std::path::PathBuf]) -> bool {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("node is not on PATH: JavaScript files checked without a JavaScript parser");
        return false;
    }
    for file in files {
        let out = Command::new("node")
            .arg("--check")
            .arg(file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: node --check: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    true
}

fn document(site: &Path, rel: &str) -> Html {
    Html::parse_document(&std::fs::read_to_string(site.join(rel)).unwrap())
}

/// The text of the whole document, with what HTML turns CR and CR LF into.
fn all_text(doc: &Html) -> String {
    doc.root_element().text().collect()
}

#[test]
fn every_output_file_parses_strictly_under_hostile_text() {
    let (_export, run) = hostile_build();
    run.expect(0, &[]);
    assert_eq!(
        run.request_pages(),
        5,
        "every record built:\n{}",
        run.stderr
    );
    assert!(
        run.output.join("pipelines").is_dir(),
        "the large project.yaml's page"
    );
    let parsed = parse_every_file(&run.output);
    let js_parsed = node_checks(&parsed.js_files);
    eprintln!("files parsed by kind: {:?}", parsed.by_kind);
    for kind in ["html", "xml", "json", "js"] {
        assert!(
            parsed.by_kind.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} file parsed: {:?}",
            parsed.by_kind
        );
    }
    if !js_parsed {
        eprintln!("JavaScript parse skipped");
    }
}

#[test]
fn hostile_text_is_shown_as_text() {
    let (_export, run) = hostile_build();
    run.expect(0, &[]);
    let site = &run.output;
    let page = document(site, "p/ws/3/index.html");
    let text = all_text(&page);
    let missing: Vec<&str> = [
        "fullname",
        "org",
        "backend",
        "branch",
        "requested",
        "job status message",
        "job action",
        "title",
        "intro",
        "highly",
        "moderately",
    ]
    .into_iter()
    .filter(|field| !text.contains(&format!("{field} {MARKUP}")))
    .collect();
    assert!(
        missing.is_empty(),
        "not shown as text on the request page: {missing:?}"
    );
    for (rel, field) in [
        ("p/index.html", "project"),
        ("users/ann/index.html", "fullname"),
        ("backends/emis/index.html", "backend from site.toml"),
        ("orgs/org2/index.html", "org from site.toml"),
    ] {
        assert!(
            all_text(&document(site, rel)).contains(&format!("{field} {MARKUP}")),
            "{field} not shown as text on {rel}"
        );
    }
    let pipeline: String = page
        .select(&sel("#pipeline"))
        .flat_map(|e| e.text())
        .collect();
    assert!(pipeline.contains(MARKUP), "project.yaml's comment as text");
    let invalid = all_text(&document(site, "p/ws/4/index.html"));
    assert!(invalid.contains(MARKUP), "the invalid project.yaml as text");
    let markdown = all_text(&document(site, "pages/hostile/index.html"));
    assert!(markdown.contains(&format!("Paragraph {MARKUP}")));
    assert!(
        markdown.contains("<div onclick=\"alert(1)\">"),
        "raw HTML as text"
    );
    // The feed's author is the fullname, less what XML cannot carry.
    let feed = std::fs::read_to_string(site.join("p/ws/feed.xml")).unwrap();
    let feed = roxmltree::Document::parse(&feed).unwrap();
    let authors: Vec<&str> = feed
        .descendants()
        .filter(|n| n.has_tag_name("name"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        authors
            .iter()
            .any(|a| a.starts_with(&format!("fullname {MARKUP}"))),
        "{authors:?}"
    );
}

/// A site.toml of `base_url = <url>` on its second line.
fn with_base_url(url: &str) -> Export {
    let export = Export::of(&[request(1)]);
    export.write(
        "site.toml",
        format!("title = \"T\"\nbase_url = {}\n", toml_string(url)).as_bytes(),
    );
    export
}

#[test]
fn a_base_url_in_site_toml_must_be_an_absolute_http_url() {
    for url in [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://x.example/",
        "/relative/",
        "jobs/",
        "https://user:secret@x.example/",
        "https://x.example/ a",
    ] {
        let export = with_base_url(url);
        let run = export.build(&[]);
        run.expect(2, &["site.toml:2:", "base_url", "http"]);
        assert_eq!(run.request_pages(), 0, "{url}: nothing built");
    }
}

#[test]
fn a_base_url_flag_must_be_an_absolute_http_url() {
    for url in [
        "ftp://x",
        "/relative",
        "relative",
        "javascript:alert(1)",
        "",
    ] {
        let export = Export::of(&[request(1)]);
        let run = export.build(&["--base-url", url]);
        run.expect(2, &["--base-url", "http"]);
        assert_eq!(run.request_pages(), 0, "{url}: nothing built");
    }
}

#[test]
fn a_good_base_url_is_used_with_a_trailing_slash() {
    let export = with_base_url("https://x.example/jobs");
    let run = export.build(&["--base-url", "HTTPS://y.example:8443/archive"]);
    run.expect(0, &[]);
    let sitemap = std::fs::read_to_string(run.output.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://y.example:8443/archive/p/ws/1/</loc>"),
        "{sitemap}"
    );
    let run = export.build(&[]);
    run.expect(0, &[]);
    let robots = std::fs::read_to_string(run.output.join("robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://x.example/jobs/sitemap.xml"));
}

#[test]
fn a_control_character_in_a_fullname_gives_a_valid_atom_feed() {
    let mut record = request(1);
    record["created_by"]["fullname"] = "Ann\u{0}\u{1}\u{B}\u{1B}[31m Example\u{FFFE}".into();
    let export = Export::of(&[record]);
    let run = export.build(&[]);
    run.expect(0, &[]);
    for feed in ["feed.xml", "p/ws/feed.xml"] {
        let text = std::fs::read_to_string(run.output.join(feed)).unwrap();
        check_xml(feed, &text);
        let doc = roxmltree::Document::parse(&text).unwrap();
        let author = doc
            .descendants()
            .find(|n| n.has_tag_name("name"))
            .and_then(|n| n.text());
        assert_eq!(author, Some("Ann[31m Example"), "{feed}");
    }
}
