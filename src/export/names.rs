//! Names that reach output paths: job-server's workspace rule, applied to every segment.

/// Top-level folders of the site: a project slug may not take one of these names
/// (DESIGN.md §3), or its pages would land in another kind's folder.
pub const RESERVED_TOP_LEVEL: &[&str] = &[
    "backends",
    "event-log",
    "feed.xml",
    "job-requests",
    "jobs",
    "orgs",
    "organisations",
    "pages",
    "pipelines",
    "search",
    "static",
    "users",
];

/// job-server's workspace name rule `^[-a-zA-Z0-9_]+$` (spec/job-server.md §1.3), used
/// for every name that becomes a path segment, so none can climb out of the output.
pub fn is_path_safe(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The longest name a path segment may have, in bytes: the file systems' limit on one
/// name (NAME_MAX on Linux and macOS, 255 UTF-16 units on Windows). A segment only ever
/// names a folder of the site, whose files have fixed names (`index.html`, `feed.xml`),
/// so no suffix is added to it.
pub const MAX_SEGMENT_BYTES: usize = 255;

/// Why `name`, used as a `what`, cannot be a path segment.
pub fn check_segment(what: &str, name: &str) -> Result<(), String> {
    if !is_path_safe(name) {
        Err(format!(
            "{what} {} cannot be used in a path: only letters, digits, `-` and `_` are allowed",
            shown(name)
        ))
    } else if name.len() > MAX_SEGMENT_BYTES {
        Err(format!(
            "{what} {} is {} bytes long: a name in a path may have at most {MAX_SEGMENT_BYTES}",
            shown(name),
            name.len()
        ))
    } else {
        Ok(())
    }
}

/// `name` quoted for a message, its start only when it is long: a hostile record's name
/// could be megabytes.
pub(super) fn shown(name: &str) -> String {
    format!("{:?}", clipped(name))
}

/// `name`, its start only when it is long, to name a record in a message.
pub(super) fn clipped(name: &str) -> String {
    const SHOWN: usize = 40;
    match name.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", &name[..end]),
        None => name.to_owned(),
    }
}

/// The form of `name` that case-insensitive file systems and CDN caches see: names that
/// differ only in ASCII case land on one path there. (Path-safe names are ASCII.)
pub(super) fn folded(name: &str) -> String {
    name.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_workspace_alphabet_is_safe() {
        assert!(is_path_safe("covid-vaccine_2"));
        for bad in ["", "..", "a/b", "a b", "é", "a\\b", "<x>"] {
            assert!(!is_path_safe(bad), "{bad:?}");
        }
        assert!(
            check_segment("workspace", "../etc")
                .unwrap_err()
                .contains("\"../etc\"")
        );
    }

    #[test]
    fn a_segment_may_be_as_long_as_a_file_name_and_no_longer() {
        assert!(check_segment("workspace", &"w".repeat(MAX_SEGMENT_BYTES)).is_ok());
        let message = check_segment("workspace", &"w".repeat(MAX_SEGMENT_BYTES + 1)).unwrap_err();
        assert!(message.contains("256 bytes long"), "{message}");
        assert!(message.len() < 200, "the name is shortened: {message}");
    }
}
