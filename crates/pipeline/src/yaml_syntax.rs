//! Syntax errors in ruyaml's words. saphyr-parser finds the same problems as ruyaml at the
//! same places, but words them differently and gives no context mark; this module
//! rewords the common ones (those seen in real project files) and rebuilds the context
//! mark from the parser's state. Anything else keeps saphyr's wording.

use super::yaml_error::{Mark, YamlError};

/// What the parser had open when it stopped.
pub(crate) struct ParseState {
    /// The innermost open block collection: `true` for a mapping, and its start.
    pub(crate) block: Option<(bool, Mark)>,
    pub(crate) open_map: Option<Mark>,
    pub(crate) open_seq: Option<Mark>,
    /// The start of the document's root node.
    pub(crate) root: Option<Mark>,
}

/// `info` and `mark` are saphyr's.
pub(crate) fn translate(text: &str, info: &str, mark: Mark, state: &ParseState) -> YamlError {
    let lines: Vec<&str> = text.split('\n').collect();
    let open_map = state.open_map;
    let open_seq = state.open_seq;
    let block_context = || {
        state.block.map(|(is_map, m)| {
            if is_map {
                ("while parsing a block mapping", m)
            } else {
                ("while parsing a block collection", m)
            }
        })
    };
    match info {
        "did not find expected <document start>" => YamlError::new(
            state
                .root
                .map(|m| ("expected a single document in the stream", m)),
            "but found another document",
            Some(mark),
        ),
        "misplaced bracket" => YamlError::new(
            block_context(),
            &format!(
                "expected <block end>, but found '{}'",
                token_at(&lines, mark)
            ),
            Some(mark),
        ),
        "while scanning a quoted scalar, found unexpected end of stream" => {
            unterminated_quote(text, mark)
        }
        "simple key expected" if mark.col == 0 && mark.line > 1 => {
            // ruyaml gives up at the end of the unfinished key's line.
            let line = mark.line - 1;
            let end = line_chars(&lines, line)
                .iter()
                .collect::<String>()
                .trim_end()
                .chars()
                .count();
            let at = Mark::new(0, line, end);
            YamlError::new(
                Some((
                    "while scanning a simple key",
                    simple_key_start(&lines, Mark::new(0, line + 1, 0)),
                )),
                "could not find expected ':'",
                Some(at),
            )
        }
        "while scanning an anchor or alias, did not find expected alphabetic or numeric character" =>
        {
            let chars = line_chars(&lines, mark.line);
            let what = if chars.get(mark.col) == Some(&'&') {
                "anchor"
            } else {
                "alias"
            };
            let found = chars.get(mark.col + 1).copied().unwrap_or('\n');
            YamlError::new(
                Some((&format!("while scanning an {what}"), mark)),
                &format!(
                    "expected alphabetic or numeric character, but found {}",
                    super::pyrepr::str_repr(&found.to_string())
                ),
                Some(Mark::new(0, mark.line, mark.col + 1)),
            )
        }
        "while parsing a block mapping, did not find expected key" => {
            // saphyr stops at the node after a `- `; ruyaml at the `-` itself.
            let chars = line_chars(&lines, mark.line);
            let before: String = chars[..mark.col.min(chars.len())].iter().collect();
            let dash = before
                .trim_end()
                .strip_suffix('-')
                .filter(|p| p.trim().is_empty());
            let (mark, token) = match dash {
                Some(prefix) => {
                    let col = prefix.chars().count();
                    let deeper = open_map.is_some_and(|m| col > m.col);
                    (
                        Mark::new(0, mark.line, col),
                        if deeper {
                            "<block sequence start>"
                        } else {
                            "-"
                        },
                    )
                }
                None => (mark, token_at(&lines, mark)),
            };
            YamlError::new(
                open_map.map(|m| ("while parsing a block mapping", m)),
                &format!("expected <block end>, but found '{token}'"),
                Some(mark),
            )
        }
        "mapping keys are not allowed in this context" => {
            YamlError::new(None, "mapping keys are not allowed here", Some(mark))
        }
        "while parsing a flow sequence, expected ',' or ']'" => YamlError::new(
            open_seq.map(|m| ("while parsing a flow sequence", m)),
            &format!("expected ',' or ']', but got '{}'", token_at(&lines, mark)),
            Some(mark),
        ),
        _ if info.starts_with("unexpected character: `") => {
            let c = line_chars(&lines, mark.line)
                .get(mark.col)
                .copied()
                .unwrap_or(' ');
            YamlError::with_bare_context(
                "while scanning for the next token",
                &format!(
                    "found character {} that cannot start any token",
                    super::pyrepr::str_repr(&c.to_string())
                ),
                mark,
            )
        }
        "mapping values are not allowed in this context" => {
            YamlError::new(None, "mapping values are not allowed here", Some(mark))
        }
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

/// Whether the content line above `line` ends inside a flow collection (`[`, `{` or a
/// `,`): saphyr may stop before it has reported the collection's start.
pub(crate) fn previous_line_opens_flow(text: &str, line: usize) -> bool {
    let lines: Vec<&str> = text.split('\n').take(line.saturating_sub(1)).collect();
    lines
        .iter()
        .map(|l| l.split(" #").next().unwrap_or("").trim())
        .rfind(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.ends_with(['[', '{', ',']))
}

/// The lines from `line` (inside a flow collection) to the one that closes that
/// collection, so that all of them are padded at once rather than one re-parse each.
/// Brackets inside quoted scalars and comments do not count.
pub(crate) fn rest_of_flow(text: &str, line: usize) -> Vec<usize> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut depth = 1usize;
    let mut quote: Option<char> = None;
    for l in line..=lines.len() {
        let chars = line_chars(&lines, l);
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match quote {
                Some('\'') if c == '\'' && chars.get(i + 1) == Some(&'\'') => i += 1,
                Some('"') if c == '\\' => i += 1,
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '\'' | '"' => quote = Some(c),
                    '#' if i == 0 || chars[i - 1].is_whitespace() => break,
                    '[' | '{' => depth += 1,
                    ']' | '}' => {
                        depth -= 1;
                        if depth == 0 {
                            return (line..=l).collect();
                        }
                    }
                    _ => {}
                },
            }
            i += 1;
        }
    }
    (line..=lines.len()).collect()
}

/// A quoted scalar that never closes.
pub(crate) fn unterminated_quote(text: &str, start: Mark) -> YamlError {
    YamlError::new(
        Some(("while scanning a quoted scalar", start)),
        "found unexpected end of stream",
        Some(end_of(text)),
    )
}

/// The line holding the quote that closes the quoted scalar starting at `start`.
pub(crate) fn closing_quote_line(text: &str, start: Mark) -> Option<usize> {
    let lines: Vec<&str> = text.split('\n').collect();
    let first = line_chars(&lines, start.line);
    let quote = *first.get(start.col)?;
    let mut escaped = false;
    let mut skip_next = false;
    for line in start.line..=lines.len() {
        let chars = line_chars(&lines, line);
        let from = if line == start.line { start.col + 1 } else { 0 };
        for (i, &c) in chars.iter().enumerate().skip(from) {
            if skip_next {
                skip_next = false;
                continue;
            }
            if quote == '"' {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    return Some(line);
                }
            } else if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    skip_next = true;
                } else {
                    return Some(line);
                }
            }
        }
        escaped = false;
    }
    None
}

/// The mark just past the last character: ruyaml's end-of-stream position.
fn end_of(text: &str) -> Mark {
    let line = text.matches('\n').count() + 1;
    let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count());
    Mark::new(0, line, col)
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
        Some(c @ (',' | ']' | '}')) => match c {
            ',' => ",",
            ']' => "]",
            _ => "}",
        },
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
    let text_of = |l: usize| -> String { line_chars(lines, l).iter().collect() };
    let indent_of = |t: &str| t.chars().take_while(|c| *c == ' ').count();
    let is_gap = |t: &str| t.trim().is_empty() || t.trim().starts_with('#');
    let mut line = mark.line.saturating_sub(1);
    while line > 1 && is_gap(&text_of(line)) {
        line -= 1;
    }
    while line >= 1 {
        let text = text_of(line);
        let indent = indent_of(&text);
        if let Some(i) = text.find(": ") {
            let after = text[i + 1..].chars().take_while(|c| *c == ' ').count();
            return Mark::new(0, line, text[..i + 1].chars().count() + after);
        }
        if text.trim_start().starts_with("- ") {
            return Mark::new(0, line, indent + 2);
        }
        // A plain scalar continues from the line above only onto deeper-indented lines.
        let above = if line > 1 {
            text_of(line - 1)
        } else {
            String::new()
        };
        let continues = line > 1
            && !is_gap(&above)
            && !above.trim_end().ends_with(':')
            && indent > indent_of(&above)
            && above
                .split_once(": ")
                .is_none_or(|(_, v)| !v.trim_start().starts_with(['[', '{', '"', '\'', '|', '>']));
        if !continues {
            return Mark::new(0, line, indent);
        }
        line -= 1;
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
