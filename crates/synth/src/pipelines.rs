//! Pipelines for the synthetic export: real project.yaml files (a corpus folder, else the
//! project's own fixtures), and the small edits researchers make between commits.
//!
//! Edits work on the text, line by line, so the rest of each file keeps its real comments,
//! quoting and layout. The scan below finds what requests need (action names, `needs`,
//! `run`); it is deliberately simple and is not the pipeline parser: a file it cannot read
//! has no actions and is left out of the corpus.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::rng::Rng;

/// One action as the scan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActionInfo {
    pub name: String,
    pub run: String,
    pub needs: Vec<String>,
    /// Lines `start..end` of the text hold the action (its key line to the next key).
    start: usize,
    end: usize,
}

/// A project.yaml text and its actions.
#[derive(Debug)]
pub(crate) struct Version {
    pub text: Arc<str>,
    pub actions: Vec<ActionInfo>,
    /// The indentation of action keys under `actions:`.
    indent: usize,
}

impl Version {
    pub(crate) fn new(text: Arc<str>) -> Option<Version> {
        let (indent, actions) = scan(&text)?;
        (!actions.is_empty()).then_some(Version {
            text,
            actions,
            indent,
        })
    }

    /// The actions a request asks for, as job-runner expands them: `run_all` is every
    /// action; with `force_run_dependencies` the `needs` closure is added. File order.
    pub(crate) fn expand(&self, requested: &[String], run_all: bool, force: bool) -> Vec<usize> {
        let index: HashMap<&str, usize> = self
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.as_str(), i))
            .collect();
        let mut wanted = vec![run_all; self.actions.len()];
        let mut stack: Vec<usize> = requested
            .iter()
            .filter_map(|r| index.get(r.as_str()).copied())
            .collect();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut wanted[i], true) {
                continue;
            }
            if force {
                stack.extend(
                    self.actions[i]
                        .needs
                        .iter()
                        .filter_map(|n| index.get(n.as_str()).copied()),
                );
            }
        }
        (0..self.actions.len()).filter(|&i| wanted[i]).collect()
    }
}

/// Real pipelines grouped by repository, each group in history order (oldest first).
#[derive(Debug)]
pub(crate) struct Corpus {
    pub groups: Vec<Vec<Arc<Version>>>,
    pub dir: PathBuf,
}

/// Where real project.yaml files are looked for, in order: `../shared/corpus/raw` beside
/// the repository, then the repository's own fixtures.
pub(crate) fn default_pipeline_dirs() -> Vec<PathBuf> {
    // This crate is crates/synth of the repository.
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir
        .parent()
        .and_then(Path::parent)
        .unwrap_or(crate_dir);
    vec![
        root.join("../shared/corpus/raw"),
        root.join("tests/fixtures"),
        root.join("data/pipelines"),
    ]
}

impl Corpus {
    /// Loads every `*.yaml`/`*.yml` under `dirs` (the first folder that exists, or all of
    /// them for the fallback pair of fixtures and data). Files with no actions are skipped.
    pub(crate) fn load(explicit: Option<&Path>) -> io::Result<Corpus> {
        let dirs: Vec<PathBuf> = match explicit {
            Some(dir) => vec![dir.to_path_buf()],
            None => {
                let defaults = default_pipeline_dirs();
                if defaults[0].is_dir() {
                    vec![defaults[0].clone()]
                } else {
                    defaults[1..].to_vec()
                }
            }
        };
        let mut groups: Vec<(String, Vec<(u32, PathBuf)>)> = Vec::new();
        for dir in &dirs {
            if !dir.is_dir() {
                continue;
            }
            let history = read_manifest(dir);
            let mut by_group: std::collections::BTreeMap<String, Vec<(u32, PathBuf)>> =
                Default::default();
            for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
                let entry = entry
                    .map_err(|e| io::Error::other(format!("cannot read {}: {e}", dir.display())))?;
                let path = entry.path();
                let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
                if !entry.file_type().is_file() || !is_yaml {
                    continue;
                }
                // raw/<owner__repo>/<sha>.yaml, or pipelines/<owner>/<repo>/<sha>/project.yaml.
                let group_dir = if path.file_stem().is_some_and(|s| s == "project") {
                    path.parent().and_then(Path::parent)
                } else {
                    path.parent()
                };
                let group = group_dir
                    .and_then(|g| g.strip_prefix(dir).ok())
                    .map(|g| g.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let rel = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
                let order = history.get(&rel).copied().unwrap_or(0);
                by_group
                    .entry(group)
                    .or_default()
                    .push((order, path.to_path_buf()));
            }
            groups.extend(by_group);
        }
        let mut corpus = Corpus {
            groups: Vec::new(),
            dir: dirs.first().cloned().unwrap_or_default(),
        };
        for (_, mut files) in groups {
            files.sort();
            let mut versions = Vec::new();
            for (_, path) in files {
                let bytes = std::fs::read(&path).map_err(|e| {
                    io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display()))
                })?;
                let Ok(text) = String::from_utf8(bytes) else {
                    continue;
                };
                if let Some(version) = Version::new(text.into()) {
                    versions.push(Arc::new(version));
                }
            }
            if !versions.is_empty() {
                corpus.groups.push(versions);
            }
        }
        if corpus.groups.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "no project.yaml with actions found in {}",
                    dirs.iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        Ok(corpus)
    }
}

/// `manifest.jsonl` beside a corpus's `raw/` gives each file's place in its repo's
/// history ("history #3 of 5"), so workspaces replay real histories in order.
fn read_manifest(dir: &Path) -> HashMap<PathBuf, u32> {
    let mut order = HashMap::new();
    let Some(parent) = dir.parent() else {
        return order;
    };
    let Ok(text) = std::fs::read_to_string(parent.join("manifest.jsonl")) else {
        return order;
    };
    let prefix = dir.file_name().map(PathBuf::from).unwrap_or_default();
    for line in text.lines() {
        let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some(path), Some(notes)) = (record["path"].as_str(), record["notes"].as_str()) else {
            continue;
        };
        let position = notes
            .split("history #")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok());
        if let (Ok(rel), Some(n)) = (Path::new(path).strip_prefix(&prefix), position) {
            order.insert(rel.to_path_buf(), n);
        }
    }
    order
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// The key of a `key:` line with nothing (or only a comment) after the colon.
fn bare_key(content: &str) -> Option<&str> {
    let (key, rest) = content.split_once(':')?;
    let rest = rest.trim();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    (!key.is_empty() && !key.contains(' ')).then_some(key)
}

fn unquote(s: &str) -> &str {
    s.trim().trim_matches(|c| c == '"' || c == '\'')
}

/// The indentation of action keys and each action under the top-level `actions:`.
fn scan(text: &str) -> Option<(usize, Vec<ActionInfo>)> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let top = lines
        .iter()
        .position(|l| bare_key(l) == Some("actions") && indentation(l) == 0)?;
    let mut indent = None;
    let mut actions: Vec<ActionInfo> = Vec::new();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate().skip(top + 1) {
        if is_blank_or_comment(line) {
            continue;
        }
        let depth = indentation(line);
        let unit = *indent.get_or_insert(depth);
        if depth == 0 || depth < unit {
            end = i;
            break;
        }
        if depth == unit {
            if let Some(last) = actions.last_mut() {
                last.end = i;
            }
            let name = bare_key(&line[depth..])?;
            actions.push(ActionInfo {
                name: name.to_owned(),
                run: String::new(),
                needs: Vec::new(),
                start: i,
                end: lines.len(),
            });
        }
    }
    if let Some(last) = actions.last_mut() {
        last.end = end;
    }
    for action in &mut actions {
        read_body(&lines[action.start + 1..action.end], action);
    }
    Some((indent.unwrap_or(2), actions))
}

/// Fills in `run` and `needs` from an action's lines.
fn read_body(body: &[&str], action: &mut ActionInfo) {
    let mut i = 0;
    while i < body.len() {
        let line = body[i];
        let depth = indentation(line);
        let content = line.trim();
        // Lines more indented than this key continue its value.
        let continuation = |from: usize| {
            body[from..]
                .iter()
                .take_while(|l| l.trim().is_empty() || indentation(l) > depth)
                .map(|l| l.trim())
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect::<Vec<_>>()
        };
        if let Some(value) = content.strip_prefix("run:") {
            let mut parts = vec![];
            let value = value.trim();
            if !matches!(value, "" | "|" | ">" | "|-" | ">-") {
                parts.push(unquote(value));
            }
            parts.extend(continuation(i + 1));
            action.run = parts.join(" ");
        } else if let Some(value) = content.strip_prefix("needs:") {
            let mut value = value.trim().to_owned();
            if value.starts_with('[') {
                let mut j = i + 1;
                while !value.contains(']') && j < body.len() {
                    value.push_str(body[j].trim());
                    j += 1;
                }
                action.needs = value
                    .trim_matches(|c| c == '[' || c == ']')
                    .split(',')
                    .map(unquote)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect();
            } else if value.is_empty() {
                action.needs = body[i + 1..]
                    .iter()
                    .filter(|l| !is_blank_or_comment(l))
                    .map_while(|l| l.trim().strip_prefix("- "))
                    .map(|n| unquote(n).to_owned())
                    .collect();
            }
        }
        i += 1;
    }
}

/// Words for new action names, output files and script paths.
const EDIT_WORDS: &[&str] = &[
    "v2",
    "new",
    "updated",
    "sens",
    "adj",
    "final",
    "imputed",
    "strat",
    "weekly",
    "monthly",
    "by_region",
    "by_age",
    "by_sex",
    "by_ethnicity",
    "primary",
    "secondary",
    "rounded",
    "redacted",
    "matched",
    "unmatched",
    "crude",
    "km",
    "cox",
    "tables",
    "plots",
    "summary",
];
const NEW_ACTIONS: &[&str] = &[
    "describe",
    "generate_measures",
    "plot",
    "model",
    "tabulate",
    "redact",
    "check",
    "combine",
    "extract",
    "summarise",
    "sensitivity",
    "table1",
    "flowchart",
    "kaplan_meier",
];

/// One realistic edit of `version`, or `None` when none of the attempts applied.
pub(crate) fn edit(version: &Version, rng: &mut Rng) -> Option<Version> {
    for _ in 0..6 {
        let text = match rng.below(100) {
            0..25 => add_action(version, rng),
            25..35 => remove_action(version, rng),
            35..50 => rename_path(version, rng, "output/"),
            50..65 => change_run_tag(version, rng),
            65..80 => rename_path(version, rng, "analysis/"),
            80..85 => bump_version(version),
            _ => add_comment(version, rng),
        };
        if let Some(new) = text.and_then(|t| Version::new(t.into()))
            && *new.text != *version.text
        {
            return Some(new);
        }
    }
    None
}

fn lines(text: &str) -> Vec<&str> {
    text.split('\n').collect()
}

/// A new action after the last one: a script that reads an earlier action's outputs and
/// writes a moderately sensitive table.
fn add_action(v: &Version, rng: &mut Rng) -> Option<String> {
    let mut name = format!("{}_{}", rng.pick(NEW_ACTIONS), rng.pick(EDIT_WORDS));
    while v.actions.iter().any(|a| a.name == name) {
        name.push_str("_2");
    }
    let last = v.actions.last()?;
    let image = v
        .actions
        .iter()
        .filter_map(|a| a.run.split(':').next())
        .find(|i| matches!(*i, "python" | "r" | "stata-mp"))
        .unwrap_or("python");
    let run = match image {
        "r" => format!("r:latest analysis/{name}.R"),
        "stata-mp" => format!("stata-mp:latest analysis/{name}.do"),
        _ => format!("python:latest analysis/{name}.py"),
    };
    let (a, b, c) = (
        " ".repeat(v.indent),
        " ".repeat(v.indent * 2),
        " ".repeat(v.indent * 3),
    );
    let mut block = vec![
        String::new(),
        format!("{a}{name}:"),
        format!("{b}run: {run}"),
    ];
    if rng.chance(0.8) {
        block.push(format!("{b}needs: [{}]", last.name));
    }
    block.push(format!("{b}outputs:"));
    block.push(format!("{c}moderately_sensitive:"));
    let output = if rng.chance(0.3) {
        format!("output/{name}/*.png")
    } else {
        format!("output/{name}.csv")
    };
    block.push(format!(
        "{c}{a}{}: {output}",
        rng.pick(&["table", "figure", "summary", "counts"])
    ));
    let mut all = lines(&v.text);
    // Insert after the last non-blank line of the last action.
    let mut at = last.end;
    while at > last.start + 1 && is_blank_or_comment(all[at - 1]) {
        at -= 1;
    }
    all.splice(at..at, block.iter().map(String::as_str));
    Some(all.join("\n"))
}

/// Removes an action that no other action needs.
fn remove_action(v: &Version, rng: &mut Rng) -> Option<String> {
    if v.actions.len() < 2 {
        return None;
    }
    let leaves: Vec<&ActionInfo> = v
        .actions
        .iter()
        .filter(|a| !v.actions.iter().any(|b| b.needs.contains(&a.name)))
        .collect();
    if leaves.is_empty() {
        return None;
    }
    let gone = *rng.pick(&leaves);
    let mut all = lines(&v.text);
    all.drain(gone.start..gone.end);
    Some(all.join("\n"))
}

/// Renames a file under `prefix` (`output/` or `analysis/`) everywhere it appears: an
/// output renamed in the producer and its consumers, or a script moved.
fn rename_path(v: &Version, rng: &mut Rng, prefix: &str) -> Option<String> {
    let stop = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ']' | '}' | '#');
    let mut paths: Vec<&str> = v
        .text
        .match_indices(prefix)
        .filter(|(at, _)| !v.text[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '/'))
        .map(|(at, _)| {
            let rest = &v.text[at..];
            &rest[..rest.find(stop).unwrap_or(rest.len())]
        })
        .filter(|p| p.rsplit('/').next().is_some_and(|f| f.contains('.')))
        .collect();
    paths.sort_unstable();
    paths.dedup();
    if paths.is_empty() {
        return None;
    }
    let old = *rng.pick(&paths);
    let (dir, file) = old.rsplit_once('/')?;
    let (stem, ext) = file.split_once('.')?;
    let word = rng.pick(EDIT_WORDS);
    let new = format!("{dir}/{stem}_{word}.{ext}");
    Some(replace_token(&v.text, old, &new))
}

/// Replaces `old` where it is a whole path (not a prefix of a longer one).
fn replace_token(text: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0;
    for (at, _) in text.match_indices(old) {
        let after = text[at + old.len()..].chars().next();
        if after.is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '/' | '-')) {
            continue;
        }
        out.push_str(&text[last..at]);
        out.push_str(new);
        last = at + old.len();
    }
    out.push_str(&text[last..]);
    out
}

/// Moves every action of one image to another tag (`latest` → `v2`, `v1` → `v2`, …).
fn change_run_tag(v: &Version, rng: &mut Rng) -> Option<String> {
    let images: Vec<(&str, &str)> = v
        .actions
        .iter()
        .filter_map(|a| a.run.split_whitespace().next()?.split_once(':'))
        .collect();
    if images.is_empty() {
        return None;
    }
    let (image, tag) = *rng.pick(&images);
    let new_tag = match tag.strip_prefix('v').and_then(|n| n.parse::<u32>().ok()) {
        Some(n) => format!("v{}", n + 1),
        None if tag == "latest" => "v2".to_owned(),
        None => "latest".to_owned(),
    };
    let old = format!("{image}:{tag}");
    let new = format!("{image}:{new_tag}");
    let mut all: Vec<String> = v.text.split('\n').map(str::to_owned).collect();
    for line in &mut all {
        if line.trim_start().starts_with("run:") {
            *line = line.replacen(&old, &new, 1);
        }
    }
    Some(all.join("\n"))
}

/// `version: '3.0'` → `version: '4.0'`: upgrades to the last version before 5's stricter
/// rules, keeping the file's quoting.
fn bump_version(v: &Version) -> Option<String> {
    let mut all = lines(&v.text);
    let i = all.iter().position(|l| l.starts_with("version:"))?;
    let value = unquote(&all[i]["version:".len()..]);
    let major: u32 = value.split('.').next()?.parse().ok()?;
    if !(1..4).contains(&major) {
        return None;
    }
    let new_line = all[i].replacen(&major.to_string(), &(major + 1).to_string(), 1);
    all[i] = &new_line;
    Some(all.join("\n"))
}

/// A comment above an action: a commit that changes the file but not the pipeline.
fn add_comment(v: &Version, rng: &mut Rng) -> Option<String> {
    let action = rng.pick(&v.actions);
    let comment = format!(
        "{}# {} {}",
        " ".repeat(v.indent),
        rng.pick(&["TODO:", "NB", "Note:", "See issue:", "Updated:", "Check"]),
        rng.pick(EDIT_WORDS).replace('_', " ")
    );
    let mut all = lines(&v.text);
    all.insert(action.start, &comment);
    Some(all.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "version: '3.0'\n\nexpectations:\n  population_size: 1000\n\nactions:\n\n  generate_study_population:\n    run: cohortextractor:latest generate_cohort --study-definition study_definition\n    outputs:\n      highly_sensitive:\n        cohort: output/input.csv\n\n# a comment at column 0\n  describe:\n    run: r:latest analysis/describe.R\n      --flag\n    needs: [generate_study_population]\n    outputs:\n      moderately_sensitive:\n        table: output/table.csv\n\n  model:\n    run: r:latest analysis/model.R\n    needs:\n      - generate_study_population\n      - describe\n    outputs:\n      moderately_sensitive:\n        fig: output/model.png\n";

    #[test]
    fn the_scan_finds_actions_runs_and_needs() {
        let v = Version::new(TEXT.into()).unwrap();
        let names: Vec<&str> = v.actions.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["generate_study_population", "describe", "model"]);
        assert_eq!(v.actions[1].run, "r:latest analysis/describe.R --flag");
        assert_eq!(v.actions[1].needs, ["generate_study_population"]);
        assert_eq!(
            v.actions[2].needs,
            ["generate_study_population", "describe"]
        );
        assert_eq!(v.expand(&["model".into()], false, true), [0, 1, 2]);
        assert_eq!(v.expand(&["model".into()], false, false), [2]);
        assert_eq!(v.expand(&[], true, false), [0, 1, 2]);
    }

    #[test]
    fn every_edit_keeps_a_readable_pipeline() {
        let mut v = Version::new(TEXT.into()).unwrap();
        let mut rng = Rng::new(11);
        for _ in 0..200 {
            v = edit(&v, &mut rng).expect("some edit applies");
            assert!(!v.actions.is_empty());
            assert!(v.text.contains("version:"));
        }
    }

    #[test]
    fn edits_change_what_they_say() {
        let v = Version::new(TEXT.into()).unwrap();
        let bumped = bump_version(&v).unwrap();
        assert!(bumped.starts_with("version: '4.0'"));
        let renamed = replace_token(&v.text, "output/table.csv", "output/table_v2.csv");
        assert!(renamed.contains("table: output/table_v2.csv"));
        let mut rng = Rng::new(1);
        let removed = Version::new(remove_action(&v, &mut rng).unwrap().into()).unwrap();
        assert_eq!(removed.actions.len(), 2);
        let added = Version::new(add_action(&v, &mut rng).unwrap().into()).unwrap();
        assert_eq!(added.actions.len(), 4);
    }
}
