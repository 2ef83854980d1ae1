//! Problems found in the input, reported rustc-style: file, line, column, record, and a
//! snippet with a caret where the source text is at hand.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem with one input file or record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based line and column, where known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The record it concerns, e.g. `job request 2505`.
    pub record: Option<String>,
    pub message: String,
    /// The source line the position points into, for the snippet.
    pub source_line: Option<String>,
}

impl Diagnostic {
    pub fn error(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_path_buf(),
            line: None,
            column: None,
            record: None,
            message: message.into(),
            source_line: None,
        }
    }

    pub fn warning(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    /// Points the diagnostic at a position in `text`, keeping that line for the snippet.
    pub fn at(mut self, text: &str, line: usize, column: Option<usize>) -> Self {
        self.line = Some(line);
        self.column = column;
        self.source_line = line
            .checked_sub(1)
            .and_then(|i| text.lines().nth(i))
            .map(str::to_owned);
        self
    }

    /// Points the diagnostic at a position whose source line is given.
    pub fn at_source(
        mut self,
        line: usize,
        column: Option<usize>,
        source_line: Option<String>,
    ) -> Self {
        self.line = Some(line);
        self.column = column;
        self.source_line = source_line;
        self
    }

    /// Points the diagnostic at a line whose text is not at hand.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    pub fn record(mut self, record: impl Into<String>) -> Self {
        self.record = Some(record.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Longest source line shown in a snippet; records on one JSONL line can be long.
const SNIPPET_WIDTH: usize = 100;

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Everything shown may come from the input: escaped, so that a record cannot move
        // the cursor, recolour the terminal or reorder the text around it.
        let message = escape_controls(&self.message);
        match &self.record {
            Some(record) => writeln!(f, "{label}: {}: {message}", escape_controls(record))?,
            None => writeln!(f, "{label}: {message}")?,
        }
        write!(
            f,
            "  --> {}",
            escape_controls(&self.file.display().to_string())
        )?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let (Some(line), Some(source)) = (self.line, &self.source_line) {
            let (shown, caret) = snippet(source, self.column);
            let gutter = " ".repeat(line.to_string().len());
            write!(f, "\n{gutter} |\n{line} | {shown}")?;
            if let Some(caret) = caret {
                write!(f, "\n{gutter} | {}^", " ".repeat(caret))?;
            }
        }
        Ok(())
    }
}

/// A window of at most SNIPPET_WIDTH characters of `source` around `column`, control
/// characters escaped, and the caret's offset within it (under the escape of the
/// character it points at).
fn snippet(source: &str, column: Option<usize>) -> (String, Option<usize>) {
    let chars: Vec<char> = source.chars().collect();
    let col = column.map(|c| c.saturating_sub(1).min(chars.len()));
    let start = match col {
        Some(c) if c > SNIPPET_WIDTH / 2 => c - SNIPPET_WIDTH / 2,
        _ => 0,
    };
    let end = (start + SNIPPET_WIDTH).min(chars.len());
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    // Characters shown before each position of the window: an escape is several.
    let mut width = usize::from(start > 0);
    let mut caret = None;
    for (i, &c) in chars[start..end].iter().enumerate() {
        if col == Some(start + i) {
            caret = Some(width);
        }
        let before = shown.len();
        push_escaped(&mut shown, c);
        width += shown[before..].chars().count();
    }
    if end < chars.len() {
        shown.push('…');
    }
    (shown, caret.or(col.map(|_| width)))
}

/// Whether `c` would act on a terminal rather than show: C0 and C1 controls, DEL, and
/// the bidirectional formatting characters, which reorder the text around them.
fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(out: &mut String, c: char) {
    if is_control(c) {
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
    } else {
        out.push(c);
    }
}

/// `text` with its control characters written as `\u{1b}`.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_control) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_record_and_caret() {
        let text = "{\"id\": 1}\n{\"id\": \"x\"}\n";
        let d = Diagnostic::error(Path::new("data/job_requests.jsonl"), "invalid type")
            .at(text, 2, Some(8))
            .record("job request x");
        let shown = d.to_string();
        assert_eq!(
            shown,
            "error: job request x: invalid type\n  --> data/job_requests.jsonl:2:8\n  |\n2 | {\"id\": \"x\"}\n  |        ^"
        );
    }

    #[test]
    fn control_characters_are_escaped_and_the_caret_still_points() {
        let text = "{\"id\": \"\u{1b}[31mred\u{202e}\", \"x\": !}";
        let column = text.chars().position(|c| c == '!').unwrap() + 1;
        let d = Diagnostic::error(Path::new("f\u{7}.jsonl"), "bad \u{1b}[2J\nfake")
            .at(text, 1, Some(column))
            .record("job request \u{9b}1");
        let shown = d.to_string();
        assert!(!shown.replace('\n', "").chars().any(is_control), "{shown}");
        for escaped in [
            "\\u{1b}[31m",
            "\\u{202e}",
            "\\u{7}",
            "\\u{9b}1",
            "\\u{a}fake",
        ] {
            assert!(shown.contains(escaped), "{escaped} in {shown}");
        }
        let lines: Vec<&str> = shown.lines().collect();
        let (source, caret) = (lines[lines.len() - 2], lines[lines.len() - 1]);
        assert_eq!(source[caret.find('^').unwrap()..].chars().next(), Some('!'));
    }

    #[test]
    fn long_lines_are_windowed_around_the_column() {
        let line = "x".repeat(500);
        let (shown, caret) = snippet(&line, Some(400));
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(shown.chars().nth(caret.unwrap()), Some('x'));
        assert_eq!(caret, Some(SNIPPET_WIDTH / 2 + 1));
    }
}
