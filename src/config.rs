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
    /// links and 404.html (DESIGN.md §3). Every other link is relative.
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
        let mut config: SiteConfig = toml::from_str(text)
            .map_err(|e: toml::de::Error| (e.message().to_owned(), e.span().map(|s| s.start)))?;
        if !config.base_url.ends_with('/') {
            config.base_url.push('/');
        }
        Ok(config)
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
    fn unknown_keys_are_errors_with_a_position() {
        let (msg, offset) = SiteConfig::parse("title = \"x\"\ntitel = \"y\"\n").unwrap_err();
        assert!(msg.contains("titel"), "{msg}");
        assert_eq!(
            line_column("title = \"x\"\ntitel = \"y\"\n", offset.unwrap()),
            (2, 1)
        );
    }
}
