//! YAML errors worded and laid out the way ruyaml prints them (spec/pipeline.md §2), so
//! that a message can be compared with the library's: an optional context line and
//! mark, the problem, and the problem's mark, each mark with a source snippet and caret.

/// The name ruyaml gives a source that was passed as text.
const SOURCE_NAME: &str = "<unicode string>";

/// A position in the source: character index, 1-based line, 0-based column (in chars).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Mark {
    pub(crate) index: usize,
    pub(crate) line: usize,
    pub(crate) col: usize,
}

impl Mark {
    pub(crate) fn new(index: usize, line: usize, col: usize) -> Mark {
        Mark { index, line, col }
    }
}

/// A YAML error before it is rendered against its source text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct YamlError {
    /// The library crashes here instead of reporting a YAML error.
    pub(crate) crash: bool,
    /// The message is complete as it is (no marks to render).
    plain: bool,
    context: Option<String>,
    context_mark: Option<Mark>,
    problem: String,
    problem_mark: Option<Mark>,
}

impl YamlError {
    pub(crate) fn new(
        context: Option<(&str, Mark)>,
        problem: &str,
        problem_mark: Option<Mark>,
    ) -> Self {
        YamlError {
            crash: false,
            plain: false,
            context: context.map(|(c, _)| c.to_string()),
            context_mark: context.map(|(_, m)| m),
            problem: problem.to_string(),
            problem_mark,
        }
    }

    /// A context line with no mark of its own (e.g. "while scanning for the next token").
    pub(crate) fn with_bare_context(context: &str, problem: &str, problem_mark: Mark) -> Self {
        YamlError {
            crash: false,
            plain: false,
            context: Some(context.to_string()),
            context_mark: None,
            problem: problem.to_string(),
            problem_mark: Some(problem_mark),
        }
    }

    /// An input ruyaml's constructor crashes on (not a YAML error in the library).
    pub(crate) fn crash(message: &str, at: Mark) -> Self {
        YamlError {
            crash: true,
            plain: true,
            context: None,
            context_mark: None,
            problem: message.to_string(),
            problem_mark: Some(at),
        }
    }

    /// A document beyond jobaudit's bounds on work (excessive aliasing, depth reached
    /// through aliases). The library may load such a document; jobaudit refuses it the way
    /// it reports inputs the library cannot load, so a hostile file costs bounded time and
    /// memory and still gets a page with its error.
    pub(crate) fn limit(message: &str, at: Mark) -> Self {
        YamlError::crash(message, at)
    }

    /// ruyaml's reader error for a character YAML does not allow anywhere in a stream
    /// (checked on the whole text before parsing, so it wins over every other error).
    pub(crate) fn unacceptable_character(text: &str) -> Option<Self> {
        // Most files are printable ASCII throughout, which a byte loop settles at once.
        let ascii = |b: &u8| matches!(b, b'\t' | b'\n' | b'\r' | b' '..=b'~');
        if text.as_bytes().iter().all(ascii) {
            return None;
        }
        let (position, c) = text.chars().enumerate().find(|(_, c)| !is_printable(*c))?;
        let line = text.chars().take(position).filter(|c| *c == '\n').count() + 1;
        let col = text
            .chars()
            .take(position)
            .collect::<Vec<char>>()
            .iter()
            .rev()
            .take_while(|c| **c != '\n')
            .count();
        Some(YamlError {
            crash: false,
            plain: true,
            context: None,
            context_mark: None,
            problem: format!(
                "unacceptable character #x{:04x}: special characters are not allowed\n  in \"{SOURCE_NAME}\", position {position}",
                u32::from(c)
            ),
            problem_mark: Some(Mark::new(position, line, col)),
        })
    }

    /// Where the problem is: the problem mark, else the context mark.
    pub(crate) fn mark(&self) -> Option<Mark> {
        self.problem_mark.or(self.context_mark)
    }

    /// ruyaml's `MarkedYAMLError.__str__` with the "note" removed, as the library does.
    pub(crate) fn render(&self, text: &str) -> String {
        if self.plain {
            return self.problem.clone();
        }
        let buffer: Vec<char> = text.chars().collect();
        let line_starts = line_starts(&buffer);
        let mut lines = Vec::new();
        if let Some(context) = &self.context {
            lines.push(context.clone());
        }
        if let Some(mark) = &self.context_mark {
            let same = self
                .problem_mark
                .is_some_and(|p| p.line == mark.line && p.col == mark.col);
            if !same {
                lines.push(render_mark(&buffer, &line_starts, *mark));
            }
        }
        lines.push(self.problem.clone());
        if let Some(mark) = self.problem_mark {
            lines.push(render_mark(&buffer, &line_starts, mark));
        }
        lines.join("\n")
    }
}

/// ruyaml's printable set: tab, line breaks, printable ASCII, NEL, and the rest of
/// Unicode apart from C1 controls, surrogates and U+FFFE/U+FFFF.
fn is_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Where each line starts, in chars.
fn line_starts(buffer: &[char]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        buffer
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == '\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

/// Characters that end a line for ruyaml's snippets.
fn is_break(c: char) -> bool {
    matches!(c, '\0' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `  in "<unicode string>", line L, column C:` and ruyaml's snippet: the line around
/// the mark, cut to about 75 characters with ` ... `, and a caret under the mark.
fn render_mark(buffer: &[char], line_starts: &[usize], mark: Mark) -> String {
    // The pointer comes from line and column: indices can be off after re-parsing a
    // padded text (see `yaml::padded`).
    let line_start = line_starts
        .get(mark.line.saturating_sub(1))
        .copied()
        .unwrap_or(buffer.len());
    let pointer = (line_start + mark.col).min(buffer.len());
    let half = 75.0 / 2.0 - 1.0;
    let mut head = "";
    let mut start = pointer;
    while start > 0 && !is_break(buffer[start - 1]) {
        start -= 1;
        if (pointer - start) as f64 > half {
            head = " ... ";
            start += 5;
            break;
        }
    }
    let mut tail = "";
    let mut end = pointer;
    while end < buffer.len() && !is_break(buffer[end]) {
        end += 1;
        if (end - pointer) as f64 > half {
            tail = " ... ";
            end -= 5;
            break;
        }
    }
    let snippet: String = buffer[start..end.max(start)].iter().collect();
    let caret_indent = 4 + pointer - start + head.chars().count();
    format!(
        "  in \"{SOURCE_NAME}\", line {}, column {}:\n    {head}{snippet}{tail}\n{}^ (line: {})",
        mark.line,
        mark.col + 1,
        " ".repeat(caret_indent),
        mark.line
    )
}
