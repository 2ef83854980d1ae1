//! Static assets under content-hashed names, so a CDN can cache them forever and a new
//! build never serves a stale stylesheet.

use sha2::{Digest, Sha256};

use super::templates::ASSETS;

/// `static/<stem>.<hash>.<ext>` for each asset, with its contents (scripts trimmed).
pub fn hashed_assets() -> Vec<(String, &'static str, String)> {
    ASSETS
        .iter()
        .map(|(name, contents)| {
            let contents = if name.ends_with(".js") {
                trim_script(contents)
            } else {
                (*contents).to_owned()
            };
            (hashed_name(name, contents.as_bytes()), *name, contents)
        })
        .collect()
}

/// A script without indentation, blank lines and whole-line comments: the search page
/// counts every byte it loads (issue 5 §4), and this takes a quarter off without a
/// minifier. Safe for scripts written as ours are: no multi-line strings, block
/// comments only on lines of their own.
pub fn trim_script(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut in_comment = false;
    for line in source.lines() {
        let line = line.trim();
        if in_comment {
            in_comment = !line.contains("*/");
            continue;
        }
        if line.starts_with("/*") {
            in_comment = !line.contains("*/");
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `style.css` → `static/style.1a2b3c4d5e.css`.
pub fn hashed_name(name: &str, contents: &[u8]) -> String {
    let digest = Sha256::digest(contents);
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("static/{stem}.{hash}.{ext}"),
        None => format!("static/{name}.{hash}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_lose_only_layout_and_comments() {
        let js = "/* a\n   b */\nfunction f() {\n  // why\n  return \"//x\"; // kept\n}\n\n";
        assert_eq!(
            trim_script(js),
            "function f() {\nreturn \"//x\"; // kept\n}\n"
        );
    }

    #[test]
    fn names_change_with_contents() {
        let a = hashed_name("style.css", b"a{}");
        assert!(a.starts_with("static/style.") && a.ends_with(".css"));
        assert_ne!(a, hashed_name("style.css", b"b{}"));
        assert_eq!(a, hashed_name("style.css", b"a{}"));
    }
}
