//! Output path patterns (spec/pipeline.md §11): the seven rules, in the library's order,
//! each with its exact reason text. Job-runner turns patterns into `find` expressions,
//! so these rules keep them predictable rather than guard against traversal.

use super::model::PrivacyLevel;
use super::pypath::{self, PosixPath};

/// File types that may be released from the moderately_sensitive level (compared with
/// the last suffix, case-sensitively).
const MODERATELY_SENSITIVE_FILE_TYPES: [&str; 11] = [
    ".csv", ".jpg", ".jpeg", ".png", ".svg", ".svgz", ".html", ".txt", ".log", ".json", ".md",
];

/// Check one pattern; `Err` holds the reason that follows "Output path {p} is invalid: ".
pub(crate) fn validate(pattern: &str, level: PrivacyLevel) -> Result<(), String> {
    if pattern.contains('\\') {
        return Err("contains back slashes (use forward slashes only)".into());
    }
    for wildcard in ["**", "?", "["] {
        if pattern.contains(wildcard) {
            return Err(format!(
                "contains '{wildcard}' (only the * wildcard character is supported)"
            ));
        }
    }
    let path = PosixPath::new(pattern);
    let suffix = path.suffix();
    if suffix.is_empty() || suffix.ends_with('*') {
        return Err("output paths must have a file type extension at the end".into());
    }
    if level == PrivacyLevel::ModeratelySensitive
        && !MODERATELY_SENSITIVE_FILE_TYPES.contains(&suffix)
    {
        return Err(format!(
            "{path} is not an allowed file type for moderately_sensitive outputs"
        ));
    }
    if pypath::normpath(pattern) != pattern {
        return Err("is not in standard form (contains double slashes or '..' elements)".into());
    }
    if pattern == "metadata" || pattern.starts_with("metadata/") {
        return Err("should not include the metadata directory".into());
    }
    if pattern.starts_with('/') || pypath::is_windows_absolute(pattern) {
        return Err("is an absolute path".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use PrivacyLevel::*;

    #[test]
    fn rules_in_order() {
        assert!(validate("foo/bar/*.txt", ModeratelySensitive).is_ok());
        assert!(validate("../x.txt", HighlySensitive).is_ok());
        assert!(validate("c:x.txt", HighlySensitive).is_ok());
        assert!(validate("1:/x.txt", HighlySensitive).is_ok());
        let err = |p, l| validate(p, l).err().unwrap_or_default();
        assert!(err("/abs/../x?.pdf", ModeratelySensitive).contains("'?'"));
        assert!(err("/abs/../x.csv", HighlySensitive).contains("standard form"));
        assert!(err("/metadata/x.csv", HighlySensitive).contains("absolute"));
        assert!(err("metadata", HighlySensitive).contains("extension"));
        assert_eq!(
            err("./x.pdf", ModeratelySensitive),
            "x.pdf is not an allowed file type for moderately_sensitive outputs"
        );
        assert!(err("C:/x.txt", HighlySensitive).contains("absolute"));
    }
}
