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

/// Why `name`, used as a `what`, cannot be a path segment.
pub fn check_segment(what: &str, name: &str) -> Result<(), String> {
    if is_path_safe(name) {
        Ok(())
    } else {
        Err(format!(
            "{what} {name:?} cannot be used in a path: only letters, digits, `-` and `_` are allowed"
        ))
    }
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
}
