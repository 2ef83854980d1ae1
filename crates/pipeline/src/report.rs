//! What `jobaudit pipeline [--json] FILE...` prints: per file either the oracle-shaped
//! JSON line (so output can be diffed against `ref_pipeline.py`), or a rustc-style
//! diagnostic / one-line summary for people.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json, json};

use super::model::{ErrorKind, Pipeline, PipelineError};
use super::pyrepr::float_repr;

/// Check every file and print one report per file. Returns whether all were valid.
pub fn report_files(paths: &[PathBuf], json: bool, out: &mut dyn Write) -> io::Result<bool> {
    let mut all_ok = true;
    for path in paths {
        let loaded = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read file: {e}"))
            .map(|text| {
                let result = super::load(&text);
                (text, result)
            });
        let ok = matches!(&loaded, Ok((_, Ok(_))));
        all_ok &= ok;
        if json {
            let line = match &loaded {
                Ok((_, result)) => json_report(path, result),
                Err(e) => read_error_json(path, e),
            };
            writeln!(out, "{line}")?;
        } else {
            match &loaded {
                Ok((_, Ok(p))) => writeln!(out, "{}", summary(path, p))?,
                Ok((text, Err(e))) => write!(out, "{}", diagnostic(path, text, e))?,
                Err(e) => writeln!(out, "error: {}: {e}", path.display())?,
            }
        }
    }
    Ok(all_ok)
}

/// One file's result in the oracle's shape: `file, ok, error, version, warnings,
/// expectations, all_actions, actions{…}`. Errors use the library's full wording,
/// including the `Invalid project: \n` prefix of validation errors.
pub fn json_report(path: &Path, result: &Result<Pipeline, PipelineError>) -> Json {
    let file = path.display().to_string();
    match result {
        Err(e) => json!({
            "file": file,
            "ok": false,
            "error": e.library_message(),
            "version": null,
            "actions": null,
        }),
        Ok(p) => {
            let mut actions = Map::new();
            for a in &p.actions {
                let mut outputs = Map::new();
                for (level, items) in &a.outputs {
                    let named: Map<String, Json> = items
                        .iter()
                        .map(|o| (o.name.clone(), Json::String(o.pattern.clone())))
                        .collect();
                    outputs.insert(level.as_str().to_string(), Json::Object(named));
                }
                actions.insert(
                    a.name.clone(),
                    json!({
                        "image": a.run.image,
                        "tag": a.run.tag,
                        "needs": a.needs,
                        "outputs": outputs,
                        "run": a.run.raw,
                        "parts": a.run.parts,
                        "args": a.run.args,
                        "config": a.config,
                        "dummy_data_file": a.dummy_data_file,
                        "is_database_action": a.is_database_action,
                        "lines": [a.lines.start, a.lines.end],
                    }),
                );
            }
            let version = if p.version.is_finite() {
                json!(p.version)
            } else {
                json!(float_repr(p.version))
            };
            json!({
                "file": file,
                "ok": true,
                "error": null,
                "version": version,
                "warnings": p.warnings,
                "expectations": p.population_size.map(|n| json!({"population_size": n})),
                "all_actions": p.all_actions(),
                "actions": actions,
            })
        }
    }
}

fn read_error_json(path: &Path, error: &str) -> Json {
    json!({
        "file": path.display().to_string(),
        "ok": false,
        "error": error,
        "version": null,
        "actions": null,
    })
}

fn summary(path: &Path, p: &Pipeline) -> String {
    let n = p.actions.len();
    let mut s = format!(
        "ok: {}: version {}, {n} action{}",
        path.display(),
        float_repr(p.version),
        if n == 1 { "" } else { "s" }
    );
    for w in &p.warnings {
        s.push_str(&format!("\nwarning: {w}"));
    }
    s
}

/// A rustc-style diagnostic: the message, the location, and the line with a caret.
/// YAML errors already quote their lines (in ruyaml's layout), so they get no snippet.
pub fn diagnostic(path: &Path, text: &str, e: &PipelineError) -> String {
    let mut s = format!("error: {}\n", e.message);
    match (e.line, e.column) {
        (Some(line), col) => {
            let col = col.unwrap_or(1);
            s.push_str(&format!(" --> {}:{line}:{col}\n", path.display()));
            let snippet = if e.kind == ErrorKind::Yaml {
                None
            } else {
                text.lines().nth(line.saturating_sub(1))
            };
            if let Some(source) = snippet {
                let gutter = line.to_string().len();
                let pad = " ".repeat(gutter);
                // Tabs would shift the caret; show them as single spaces.
                let shown = source.replace('\t', " ");
                s.push_str(&format!(
                    "{pad} |\n{line} | {shown}\n{pad} | {}^\n",
                    " ".repeat(col.saturating_sub(1))
                ));
            }
        }
        (None, _) => s.push_str(&format!(" --> {}\n", path.display())),
    }
    s
}
