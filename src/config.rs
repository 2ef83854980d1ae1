//! `site.toml`: the settings of a published site.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::Diagnostic;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    /// Shown in every `<title>` after the page's own title.
    pub title: String,
    /// Absolute URL the site is published at; used only by the sitemap, feeds, canonical
    /// links and 404.html (DESIGN.md §3). Every other link is relative. Checked by
    /// `base_url` as it is read, so an error points at its line.
    #[serde(deserialize_with = "deserialize_base_url")]
    pub base_url: String,
    /// Display names of backends given as bare slugs, e.g. `tpp = "TPP"`.
    pub backends: BTreeMap<String, String>,
    /// Display names of organisations given as bare slugs.
    pub orgs: BTreeMap<String, String>,
    /// Overrides of the job request page's intro text (Markdown-free plain text).
    pub intro: Intro,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Intro {
    /// "…requested one or more actions to be run against {this}."
    pub environment: String,
    pub highly_sensitive: Vec<String>,
    pub moderately_sensitive: Vec<String>,
}

impl Default for Intro {
    fn default() -> Self {
        // job-server's public wording (spec/job-server.md §2.3 item 3).
        Intro {
            environment: "real patient data within a secure environment".into(),
            highly_sensitive: vec![
                "Researchers can never directly view these outputs".into(),
                "Researchers can only request code is run against them".into(),
            ],
            moderately_sensitive: vec![
                "Can be viewed by an approved researcher by logging into a highly secure environment".into(),
                "These are the only outputs that can be requested for public release via a controlled output review service.".into(),
            ],
        }
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "OpenSAFELY Jobs".into(),
            base_url: "https://jobs.example.org/".into(),
            backends: BTreeMap::new(),
            orgs: BTreeMap::new(),
            intro: Intro::default(),
        }
    }
}

impl SiteConfig {
    /// Reads `site.toml`; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<SiteConfig, Diagnostic> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SiteConfig::default()),
            Err(e) => return Err(Diagnostic::error(path, format!("cannot read: {e}"))),
        };
        Self::parse(&text).map_err(|(message, offset)| {
            let d = Diagnostic::error(path, message);
            match offset {
                Some(offset) => {
                    let (line, column) = line_column(&text, offset);
                    d.at(&text, line, Some(column))
                }
                None => d,
            }
        })
    }

    fn parse(text: &str) -> Result<SiteConfig, (String, Option<usize>)> {
        toml::from_str(text)
            .map_err(|e: toml::de::Error| (e.message().to_owned(), e.span().map(|s| s.start)))
    }

    /// A backend's display name: site.toml's, else the slug upper-cased as job-server's
    /// templates print it (`{{ backend|upper }}`).
    pub fn backend_name(&self, slug: &str) -> String {
        self.backends
            .get(slug)
            .cloned()
            .unwrap_or_else(|| slug.to_uppercase())
    }

    /// A hash of every setting, for what is made from them.
    pub fn fingerprint(&self) -> u128 {
        xxhash_rust::xxh3::xxh3_128(&serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn org_name(&self, slug: &str) -> String {
        self.orgs
            .get(slug)
            .cloned()
            .unwrap_or_else(|| slug.to_owned())
    }
}

fn deserialize_base_url<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    base_url(&String::deserialize(d)?).map_err(serde::de::Error::custom)
}

/// `url` checked as a site's base URL and ended with `/`, as the site's paths are
/// appended to it. It is printed into HTML, XML, robots.txt and a script's `new URL()`,
/// so it must be an absolute http(s) URL with a host: no other scheme (`javascript:`
/// and `data:` would become links), no credentials (every page would publish them), no
/// query or fragment (paths appended after them would not be paths), and written in
/// printable ASCII with nothing a URL must percent-encode.
pub fn base_url(url: &str) -> Result<String, String> {
    let problem = |why: &str| {
        Err(format!(
            "base_url {url:?} {why}: it must be an absolute http:// or https:// URL such as \"https://jobs.example.org/\""
        ))
    };
    if let Some(c) = url
        .chars()
        .find(|&c| !c.is_ascii_graphic() || "\"<>\\^`{|}".contains(c))
    {
        return problem(&format!("holds {c:?}, which must be percent-encoded"));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return problem("has no http:// or https:// scheme");
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return problem(&format!("has the scheme {scheme:?}"));
    }
    if rest.contains(['?', '#']) {
        return problem("has a query or fragment");
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return problem("has credentials");
    }
    let (host, port) = match authority.rsplit_once(':') {
        // An IPv6 address's colons are inside its brackets.
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (authority, None),
    };
    if host.is_empty() {
        return problem("has no host");
    }
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return problem("has a port that is not a number");
    }
    let mut normal = format!("{scheme}://{rest}");
    if !normal.ends_with('/') {
        normal.push('/');
    }
    Ok(normal)
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_what_is_missing() {
        let c = SiteConfig::parse("title = \"X\"\n[backends]\ntpp = \"TPP (England)\"\n").unwrap();
        assert_eq!(c.title, "X");
        assert_eq!(c.backend_name("tpp"), "TPP (England)");
        assert_eq!(c.backend_name("emis"), "EMIS");
        assert_eq!(c.intro, Intro::default());
    }

    #[test]
    fn base_url_gets_a_trailing_slash() {
        let c = SiteConfig::parse("base_url = \"https://a.example/jobs\"").unwrap();
        assert_eq!(c.base_url, "https://a.example/jobs/");
    }

    #[test]
    fn base_url_must_be_an_absolute_http_url() {
        for good in [
            "http://a.example",
            "HTTPS://a.example:8443/x/y/",
            "https://[::1]:8080/",
            "https://a.example/%C3%A9t%C3%A9/",
        ] {
            let url = base_url(good).unwrap_or_else(|e| panic!("{good}: {e}"));
            assert!(url.starts_with("http") && url.ends_with('/'), "{url}");
        }
        for bad in [
            "",
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://x",
            "/relative",
            "relative/path",
            "//host/path",
            "https://",
            "https:///path",
            "https://user:pw@a.example/",
            "https://a.example/?q=1",
            "https://a.example/#top",
            "https://a.example:x/",
            "https://a.example/a b",
            "https://a.example/\"><script>",
            "https://a.example/\u{0}",
            "https://é.example/",
        ] {
            assert!(base_url(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn a_bad_base_url_is_an_error_at_its_line() {
        let text = "title = \"x\"\nbase_url = \"javascript:alert(1)\"\n";
        let (msg, offset) = SiteConfig::parse(text).unwrap_err();
        assert!(msg.contains("http"), "{msg}");
        assert_eq!(line_column(text, offset.unwrap()).0, 2);
    }

    #[test]
    fn unknown_keys_are_errors_with_a_position() {
        let (msg, offset) = SiteConfig::parse("title = \"x\"\ntitel = \"y\"\n").unwrap_err();
        assert!(msg.contains("titel"), "{msg}");
        assert_eq!(
            line_column("title = \"x\"\ntitel = \"y\"\n", offset.unwrap()),
            (2, 1)
        );
    }
}
