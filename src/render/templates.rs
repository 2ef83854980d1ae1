//! The built-in templates, compiled into the binary (so it runs with no files beside
//! it), each of which a publisher can replace by putting a file of the same name in a
//! `--templates` folder.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// Templates by name, as shipped in `templates/`.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("request.html", include_str!("../../templates/request.html")),
    (
        "pipeline.html",
        include_str!("../../templates/pipeline.html"),
    ),
    ("home.html", include_str!("../../templates/home.html")),
    ("list.html", include_str!("../../templates/list.html")),
    (
        "requests_table.html",
        include_str!("../../templates/requests_table.html"),
    ),
    (
        "request_row.html",
        include_str!("../../templates/request_row.html"),
    ),
    (
        "pagination.html",
        include_str!("../../templates/pagination.html"),
    ),
    ("project.html", include_str!("../../templates/project.html")),
    (
        "workspace.html",
        include_str!("../../templates/workspace.html"),
    ),
    ("org.html", include_str!("../../templates/org.html")),
    ("user.html", include_str!("../../templates/user.html")),
    (
        "markdown.html",
        include_str!("../../templates/markdown.html"),
    ),
    ("404.html", include_str!("../../templates/404.html")),
    ("search.html", include_str!("../../templates/search.html")),
];

/// Static assets by name, content-hashed when written (`site::assets`).
pub const ASSETS: &[(&str, &str)] = &[
    (
        "style.css",
        include_str!("../../templates/static/style.css"),
    ),
    ("page.js", include_str!("../../templates/static/page.js")),
    (
        "search.js",
        include_str!("../../templates/static/search.js"),
    ),
];

/// A template file that replaces the built-in one of its name (`--templates DIR`), as
/// the site read it.
#[derive(Debug, Clone)]
pub struct Override {
    pub path: PathBuf,
    pub text: String,
}

/// The built-in templates with `overrides` in place of those of the same name. An
/// override that names no built-in template is an error: it would be ignored. Also
/// returns every template's source, in name order, for the build's fingerprint.
pub fn load(overrides: &[Override]) -> Result<(tera::Tera, Vec<(String, String)>), Diagnostic> {
    let mut sources: Vec<(String, String)> = BUILT_IN
        .iter()
        .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
        .collect();
    for Override { path, text } in overrides {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let Some(slot) = sources.iter_mut().find(|(n, _)| *n == name) else {
            let known: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
            return Err(Diagnostic::error(
                path,
                format!(
                    "no built-in template has this name; known: {}",
                    known.join(", ")
                ),
            ));
        };
        slot.1.clone_from(text);
    }
    let mut tera = tera::Tera::new();
    // Input text may hold what HTML forbids (controls, noncharacters), not only markup.
    tera.set_escape_fn(crate::escape::write_html);
    tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| {
            let dir = overrides.first().and_then(|o| o.path.parent());
            Diagnostic::error(
                dir.unwrap_or(Path::new("templates")),
                format!("template error: {e}"),
            )
        })?;
    Ok((tera, sources))
}
