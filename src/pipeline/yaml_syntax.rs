//! Syntax errors in ruyaml's words. saphyr-parser finds the same problems as ruyaml at the
//! same places, but words them differently and gives no context mark; this module
//! rewords the common ones (those seen in real project files) and rebuilds the context
//! mark from the parser's state. Anything else keeps saphyr's wording.

use super::yaml_error::{Mark, YamlError};

/// `info` and `mark` are saphyr's; `open_map`/`open_seq` are the starts of the innermost
/// block mapping and sequence still open when parsing stopped.
pub(crate) fn translate(
    text: &str,
    info: &str,
    mark: Mark,
    open_map: Option<Mark>,
    open_seq: Option<Mark>,
) -> YamlError {
    let lines: Vec<&str> = text.split('\n').collect();
    match info {
        "mapping values are not allowed in this context" => {
            YamlError::new(None, "mapping values are not allowed here", Some(mark))
        }
        "while parsing a block mapping, did not find expected key" => YamlError::new(
            open_map.map(|m| ("while parsing a block mapping", m)),
            &format!(
                "expected <block end>, but found '{}'",
                token_at(&lines, mark)
            ),
            Some(mark),
        ),
        "while parsing a block collection, did not find expected '-' indicator" => YamlError::new(
            open_seq.map(|m| ("while parsing a block collection", m)),
            &format!(
                "expected <block end>, but found '{}'",
                token_at(&lines, mark)
            ),
            Some(mark),
        ),
        "simple key expect ':'" => YamlError::new(
            Some((
                "while scanning a simple key",
                simple_key_start(&lines, mark),
            )),
            "could not find expected ':'",
            Some(mark),
        ),
        "while parsing node, found unknown anchor" => {
            let name = alias_name(&lines, mark);
            YamlError::new(None, &format!("found undefined alias '{name}'"), Some(mark))
        }
        _ => YamlError::new(None, info, Some(mark)),
    }
}

fn line_chars(lines: &[&str], line: usize) -> Vec<char> {
    lines
        .get(line.saturating_sub(1))
        .map(|l| l.trim_end_matches('\r').chars().collect())
        .unwrap_or_default()
}

/// ruyaml's name for the token that starts at `mark`.
fn token_at(lines: &[&str], mark: Mark) -> &'static str {
    let chars = line_chars(lines, mark.line);
    let rest: Vec<char> = chars
        .get(mark.col..)
        .map(<[char]>::to_vec)
        .unwrap_or_default();
    let next_is_space = rest.get(1).is_none_or(|c| c.is_whitespace());
    match rest.first() {
        None => "<block end>",
        Some('-') if next_is_space => "<block sequence start>",
        Some('[') => "[",
        Some('{') => "{",
        Some('&') => "<anchor>",
        Some('*') => "<alias>",
        Some('!') => "<tag>",
        Some('?') if next_is_space => "?",
        Some(':') if next_is_space => ":",
        Some(_) => {
            let line: String = rest.iter().collect();
            if line.contains(": ") || line.trim_end().ends_with(':') {
                "<block mapping start>"
            } else {
                "<scalar>"
            }
        }
    }
}

/// Where the plain scalar that turned out to be an unfinished key began: ruyaml marks the
/// start of the key, saphyr the place the `:` was missed. The key starts on the nearest
/// content line above, after its own indicator if it has one.
fn simple_key_start(lines: &[&str], mark: Mark) -> Mark {
    let mut line = mark.line.saturating_sub(1);
    while line >= 1 {
        let chars = line_chars(lines, line);
        let text: String = chars.iter().collect();
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            line -= 1;
            continue;
        }
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        let col = if let Some(i) = text.find(": ") {
            let after = text[i + 1..].chars().take_while(|c| *c == ' ').count();
            text[..i + 1].chars().count() + after
        } else if trimmed.starts_with("- ") {
            indent + 2
        } else {
            indent
        };
        return Mark::new(0, line, col);
    }
    mark
}

/// The alias name at `mark` (after the `*`), as ruyaml scans it.
fn alias_name(lines: &[&str], mark: Mark) -> String {
    line_chars(lines, mark.line)
        .iter()
        .skip(mark.col + 1)
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect()
}
