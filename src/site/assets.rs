//! Static assets under content-hashed names, so a CDN can cache them forever and a new
//! build never serves a stale stylesheet.

use sha2::{Digest, Sha256};

use crate::render::templates::ASSETS;

/// `static/<stem>.<hash>.<ext>` for each asset, with its contents.
pub fn hashed_assets() -> Vec<(String, &'static str, &'static str)> {
    ASSETS
        .iter()
        .map(|(name, contents)| (hashed_name(name, contents.as_bytes()), *name, *contents))
        .collect()
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
    fn names_change_with_contents() {
        let a = hashed_name("style.css", b"a{}");
        assert!(a.starts_with("static/style.") && a.ends_with(".css"));
        assert_ne!(a, hashed_name("style.css", b"b{}"));
        assert_eq!(a, hashed_name("style.css", b"a{}"));
    }
}
