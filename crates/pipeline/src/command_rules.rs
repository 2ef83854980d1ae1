//! Output rules tied to particular commands (spec/pipeline.md §13): cohortextractor's
//! `generate_cohort` writes one level into one directory, and ehrQL/databuilder's
//! `generate-dataset` writes to the highly_sensitive pattern(s) named by `--output`.
//! They apply in every project version.

use super::command;
use super::model::{Command, Output, PrivacyLevel};
use super::pypath::{self, PosixPath};

type Levels = [(PrivacyLevel, Vec<Output>)];

/// Run the command-specific checks for one action, in the library's order.
pub(crate) fn check(action_id: &str, run: &Command, outputs: &Levels) -> Result<(), String> {
    if command::raw_matches(&run.raw, &["cohortextractor"], &["generate_cohort"]) {
        check_generate_cohort(action_id, run, outputs)?;
    }
    if command::raw_matches(
        &run.raw,
        &["ehrql", "databuilder"],
        &["generate-dataset", "generate_dataset"],
    ) {
        check_generate_dataset(action_id, run, outputs)?;
    }
    Ok(())
}

fn check_generate_cohort(action_id: &str, run: &Command, outputs: &Levels) -> Result<(), String> {
    if outputs.len() != 1 {
        return Err(format!(
            "A `generate_cohort` action must have exactly one output; {action_id} had {}",
            outputs.len()
        ));
    }
    let dirs = output_dirs(
        outputs
            .iter()
            .flat_map(|(_, level)| level.iter().map(|o| o.pattern.as_str())),
    );
    if dirs.len() == 1 {
        return Ok(());
    }
    let has_output_dir = run
        .parts
        .iter()
        .any(|p| p == "--output-dir" || p.starts_with("--output-dir="));
    if has_output_dir {
        return Ok(());
    }
    let listed: Vec<String> = dirs.iter().map(|d| format!(" - {d}/")).collect();
    Err(format!(
        "generate_cohort command should produce output in only one directory, found {}:\n{}",
        dirs.len(),
        listed.join("\n")
    ))
}

fn check_generate_dataset(action_id: &str, run: &Command, outputs: &Levels) -> Result<(), String> {
    let non_empty = |level| outputs.iter().any(|(l, o)| *l == level && !o.is_empty());
    if non_empty(PrivacyLevel::ModeratelySensitive) || non_empty(PrivacyLevel::MinimallySensitive) {
        return Err(format!(
            "`{action_id}` action uses `generate-dataset` and so all outputs must be labelled `highly_sensitive`"
        ));
    }
    let spec = output_spec(&run.parts).filter(|s| !s.is_empty()).ok_or_else(|| {
        format!(
            "`{action_id}` action does not provide an `--output` argument specifying where the results of `generate-dataset` should be stored"
        )
    })?;
    let patterns: Vec<&str> = outputs
        .iter()
        .filter(|(l, _)| *l == PrivacyLevel::HighlySensitive)
        .flat_map(|(_, o)| o.iter().map(|o| o.pattern.as_str()))
        .collect();
    if patterns_match_spec(spec, &patterns)? {
        return Ok(());
    }
    let expected = match split_directory_and_extension(spec)? {
        None => spec.to_string(),
        Some((dir, ext)) => format!("{dir}/:{ext}"),
    };
    Err(format!(
        "output specification must match the `--output` argument in the `run` command\n              got: {}\nbut was expecting: {expected}",
        patterns.join("                   \n")
    ))
}

/// Whether highly_sensitive patterns fit an ehrQL `--output` spec: in file mode the spec
/// must be one of them; in directory mode (`dir:ext`) all must match `dir/*.ext`.
pub(crate) fn patterns_match_spec(spec: &str, patterns: &[&str]) -> Result<bool, String> {
    Ok(match split_directory_and_extension(spec)? {
        None => patterns.contains(&spec),
        Some((dir, ext)) => {
            let glob = format!("{dir}/*.{ext}");
            patterns.iter().all(|p| pypath::fnmatch(p, &glob))
        }
    })
}

/// The distinct parent directories of patterns (`output/a.csv` → `output`, `a.csv` →
/// `.`). The library lists them in Python set order, which varies from run to run;
/// first-seen order is as good and is stable.
pub(crate) fn output_dirs<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut dirs: Vec<String> = Vec::new();
    for p in patterns {
        let dir = PosixPath::new(p).parent().to_string();
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs
}

/// The value of the first `--output X` or `--output=X` among the tokens.
pub(crate) fn output_spec(parts: &[String]) -> Option<&str> {
    for (i, part) in parts.iter().enumerate() {
        if part == "--output" {
            return Some(parts.get(i + 1).map_or("", String::as_str));
        }
        if let Some(value) = part.strip_prefix("--output=") {
            return Some(value);
        }
    }
    None
}

/// ehrQL's directory mode: `dir/name:ext` means "files `*.ext` in `dir/name`".
/// `Ok(None)` is file mode; `Err` where pathlib raises (an unusable name like `.:csv`).
pub(crate) fn split_directory_and_extension(
    spec: &str,
) -> Result<Option<(String, String)>, String> {
    let path = PosixPath::new(spec);
    let Some((base, ext)) = path.name().rsplit_once(':') else {
        return Ok(None);
    };
    let dir = if base.is_empty() {
        path.parent()
    } else {
        path.with_name(base)
            .ok_or_else(|| format!("Invalid name {base:?}"))?
    };
    Ok(Some((dir.to_string(), ext.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_of(args: &str) -> Option<String> {
        let parts: Vec<String> = args.split(' ').map(str::to_string).collect();
        output_spec(&parts).map(str::to_string)
    }

    #[test]
    fn output_specs() {
        assert_eq!(
            spec_of("--output a.csv dataset.py").as_deref(),
            Some("a.csv")
        );
        assert_eq!(
            spec_of("--output=b.csv dataset.py").as_deref(),
            Some("b.csv")
        );
        assert_eq!(spec_of("dataset.py --output").as_deref(), Some(""));
        assert_eq!(spec_of("dataset.py"), None);
    }

    #[test]
    fn directory_mode() {
        assert_eq!(
            split_directory_and_extension("foo/bar/:csv"),
            Ok(Some(("foo/bar".into(), "csv".into())))
        );
        assert_eq!(
            split_directory_and_extension("outputs:arrow"),
            Ok(Some(("outputs".into(), "arrow".into())))
        );
        assert_eq!(split_directory_and_extension("foo/bar.csv"), Ok(None));
    }
}
