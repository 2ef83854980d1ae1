//! The `run:` command (spec/pipeline.md §9, §13.4): tokenising, the image and tag of the
//! first token, the tag rule, and which commands get database access.

use super::model::Command;
use super::shlex::{self, ShlexError};

/// Why a run string could not be turned into a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RunError {
    /// `run: ""`.
    Empty,
    /// shlex failed (the library crashes with a bare ValueError).
    Split(ShlexError),
    /// Only whitespace: no first token (the library crashes with IndexError).
    NoTokens,
    /// The tag does not match the version rule; carries the image name.
    BadTag(String),
}

/// Split and check a run string as `Action.parse_run_string` does.
pub(crate) fn parse(raw: &str) -> Result<Command, RunError> {
    if raw.is_empty() {
        return Err(RunError::Empty);
    }
    let parts = shlex::split(raw).map_err(RunError::Split)?;
    let first = parts.first().ok_or(RunError::NoTokens)?;
    let (image, tag) = first.split_once(':').unwrap_or((first.as_str(), ""));
    if !is_valid_tag(tag) {
        return Err(RunError::BadTag(image.to_string()));
    }
    // `Command.version` is the piece between the first and second colon.
    let tag = tag.split(':').next().unwrap_or("").to_string();
    Ok(Command {
        raw: raw.to_string(),
        image: image.to_string(),
        tag,
        args: parts[1..].join(" "),
        parts,
    })
}

/// `^((v[\d.]+(-pre)?)|dev|latest)$`, case-sensitive. Python's `$` also matches before a
/// final newline, and `\d` matches any Unicode decimal digit (approximated here by
/// `char::is_numeric`).
fn is_valid_tag(tag: &str) -> bool {
    let tag = tag.strip_suffix('\n').unwrap_or(tag);
    if tag == "dev" || tag == "latest" {
        return true;
    }
    let Some(rest) = tag.strip_prefix('v') else {
        return false;
    };
    let body = rest.strip_suffix("-pre").unwrap_or(rest);
    !body.is_empty() && body.chars().all(|c| c == '.' || c.is_numeric())
}

/// Whether job-runner gives this command database access: decided by the image and
/// the first argument, compared exactly.
pub(crate) fn is_database_action(parts: &[String]) -> bool {
    let Some(first) = parts.first() else {
        return false;
    };
    let image = first.split(':').next().unwrap_or("");
    let commands: &[&str] = match image {
        "sqlrunner" => return true,
        "ehrql" => &["generate-dataset", "generate-measures"],
        "cohortextractor" => &["generate_cohort", "generate_codelist_report"],
        "databuilder" => &["generate-dataset"],
        _ => return false,
    };
    parts
        .get(1)
        .is_some_and(|cmd| commands.contains(&cmd.as_str()))
}

/// `re.match(r"<image>:\S+ <command>", raw)`: anchored at the start, a non-empty run of
/// non-space characters after the colon, exactly one space, then the command as a prefix.
pub(crate) fn raw_matches(raw: &str, images: &[&str], commands: &[&str]) -> bool {
    images.iter().any(|image| {
        let Some(rest) = raw.strip_prefix(image).and_then(|r| r.strip_prefix(':')) else {
            return false;
        };
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        end > 0
            && rest[end..]
                .strip_prefix(' ')
                .is_some_and(|after| commands.iter().any(|c| after.starts_with(c)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        for ok in [
            "v1", "v2", "v1.2", "v1.2.3", "v.", "v1..2", "v1-pre", "v1.2-pre", "dev", "latest",
            "v١",
        ] {
            assert!(is_valid_tag(ok), "{ok}");
        }
        for bad in [
            "",
            "v",
            "V1",
            "other",
            "vnotdigits",
            "v1x1",
            "pre",
            "3.8",
            "Latest",
            "v1:x",
        ] {
            assert!(!is_valid_tag(bad), "{bad}");
        }
    }

    #[test]
    fn prefix_regexes() {
        let cohort = |r| raw_matches(r, &["cohortextractor"], &["generate_cohort"]);
        assert!(cohort("cohortextractor:latest generate_cohortX"));
        assert!(!cohort("cohortextractor:latest  generate_cohort"));
        assert!(!cohort(" cohortextractor:latest generate_cohort"));
        assert!(!cohort("cohortextractor-v2:latest generate_cohort"));
    }
}
