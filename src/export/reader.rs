//! Reading record files: JSON Lines or a JSON array, optionally gzipped, each record kept
//! with the line and column it starts at so that errors can point into the file.

use serde::de::DeserializeOwned;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::config::line_column;
use crate::diagnostics::Diagnostic;

/// One record's text within a file, and where it starts (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordText<'a> {
    pub text: &'a str,
    pub line: usize,
    pub column: usize,
}

impl RecordText<'_> {
    /// Line `line` of the file as far as this record covers it: the record's own text,
    /// with its first line shifted to the column it starts at.
    fn source_line(&self, line: usize) -> Option<String> {
        let own = self.text.lines().nth(line.checked_sub(self.line)?)?;
        Some(if line == self.line {
            format!("{}{own}", " ".repeat(self.column - 1))
        } else {
            own.to_owned()
        })
    }

    /// A diagnostic at `(line, column)` of the file, inside this record.
    pub(crate) fn error_at(
        &self,
        path: &Path,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(path, message).at_source(line, Some(column), self.source_line(line))
    }
}

/// A record file read whole (decompressed when its name ends in `.gz`): its text and
/// where each record is in it. The text is kept for the whole build, so that a record
/// known from the previous build is parsed only if a page it is on must be made again.
#[derive(Debug, Default)]
pub(crate) struct RecordFile {
    pub path: std::path::PathBuf,
    text: String,
    /// Each record's byte range in `text`, and the line and column it starts at.
    spans: Vec<(std::ops::Range<usize>, usize, usize)>,
}

impl RecordFile {
    /// Reads and splits `path`: JSON Lines, or a JSON array.
    pub(crate) fn read(path: &Path) -> Result<RecordFile, Diagnostic> {
        let io_error = |e: std::io::Error| Diagnostic::error(path, format!("cannot read: {e}"));
        let file = std::fs::File::open(path).map_err(io_error)?;
        let mut bytes = Vec::with_capacity(file.metadata().map_or(0, |m| m.len() as usize) + 1);
        if path.extension().is_some_and(|e| e == "gz") {
            flate2::read::MultiGzDecoder::new(file).read_to_end(&mut bytes)
        } else {
            BufReader::new(file).read_to_end(&mut bytes)
        }
        .map_err(io_error)?;
        let text =
            String::from_utf8(bytes).map_err(|e| not_utf8(path, e.utf8_error().valid_up_to()))?;
        RecordFile::from_text(path, text)
    }

    /// Splits `text`, as the file at `path` would be.
    pub(crate) fn from_text(path: &Path, mut text: String) -> Result<RecordFile, Diagnostic> {
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let base = text.as_ptr() as usize;
        let spans = split_records(path, &text)?
            .iter()
            .map(|r| {
                let start = r.text.as_ptr() as usize - base;
                (start..start + r.text.len(), r.line, r.column)
            })
            .collect();
        Ok(RecordFile {
            path: path.to_path_buf(),
            text,
            spans,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// The `i`th record.
    pub(crate) fn record(&self, i: usize) -> RecordText<'_> {
        let (range, line, column) = &self.spans[i];
        RecordText {
            text: &self.text[range.clone()],
            line: *line,
            column: *column,
        }
    }
}

fn not_utf8(path: &Path, offset: usize) -> Diagnostic {
    Diagnostic::error(path, format!("not UTF-8 (invalid byte at offset {offset})"))
}

/// Splits a file into records: a JSON array's elements when the text starts with `[`,
/// else one record per non-blank line (JSON Lines).
pub(crate) fn split_records<'a>(
    path: &Path,
    text: &'a str,
) -> Result<Vec<RecordText<'a>>, Diagnostic> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let skipped = text.len() - body.len();
    if body.trim_start().starts_with('[') {
        split_array(path, text, skipped)
    } else {
        Ok(split_lines(text))
    }
}

fn split_lines(text: &str) -> Vec<RecordText<'_>> {
    text.split('\n')
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| RecordText {
            text: line.trim_end_matches('\r'),
            line: i + 1,
            column: 1,
        })
        .collect()
}

/// Finds each element of a top-level JSON array without building the whole array, so a
/// broken element is reported by itself and the others still load.
fn split_array<'a>(
    path: &Path,
    text: &'a str,
    start: usize,
) -> Result<Vec<RecordText<'a>>, Diagnostic> {
    let bytes = text.as_bytes();
    let error_at = |offset: usize, message: &str| {
        let (line, column) = line_column(text, offset);
        Diagnostic::error(path, message.to_owned()).at(text, line, Some(column))
    };
    let skip_ws = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut i = skip_ws(start) + 1; // past '['
    let mut records = Vec::new();
    loop {
        i = skip_ws(i);
        match bytes.get(i) {
            None => {
                return Err(error_at(
                    i,
                    "unexpected end of file: the JSON array is not closed",
                ));
            }
            Some(b']') => break,
            Some(_) => {}
        }
        let mut stream =
            serde_json::Deserializer::from_str(&text[i..]).into_iter::<serde::de::IgnoredAny>();
        match stream.next() {
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                let (line, column) = line_column(text, i);
                let line = line + e.line() - 1;
                let column = if e.line() == 1 {
                    column + e.column() - 1
                } else {
                    e.column()
                };
                return Err(Diagnostic::error(path, format!("invalid JSON: {e}")).at(
                    text,
                    line,
                    Some(column),
                ));
            }
            None => return Err(error_at(i, "expected a JSON value")),
        }
        let end = i + stream.byte_offset();
        let (line, column) = line_column(text, i);
        records.push(RecordText {
            text: &text[i..end],
            line,
            column,
        });
        i = skip_ws(end);
        match bytes.get(i) {
            Some(b',') => i += 1,
            Some(b']') => break,
            _ => return Err(error_at(i, "expected `,` or `]` after an array element")),
        }
    }
    let after = skip_ws(i + 1);
    if after < bytes.len() {
        return Err(error_at(after, "unexpected text after the JSON array"));
    }
    Ok(records)
}

/// Deserializes one record; an error points at the line and column inside the file and
/// names the record by its `id` or `identifier` when those can be read.
pub(crate) fn parse_record<T: DeserializeOwned>(
    path: &Path,
    record: RecordText<'_>,
    kind: &str,
) -> Result<T, Diagnostic> {
    serde_json::from_str::<T>(record.text).map_err(|e| {
        let line = record.line + e.line().saturating_sub(1);
        let column = if e.line() <= 1 {
            record.column + e.column().saturating_sub(1)
        } else {
            e.column()
        };
        let d = record.error_at(path, line, column, strip_position(&e.to_string()));
        match record_name(record.text) {
            Some(name) => d.record(format!("{kind} {name}")),
            None => d.record(format!("{kind} at line {}", record.line)),
        }
    })
}

/// serde_json appends " at line L column C" relative to the record; the diagnostic says
/// where in the file instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The `id` (or else `identifier`) of a record, if the text is a JSON object that has one.
pub(crate) fn record_name(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let object = value.as_object()?;
    ["id", "identifier"]
        .iter()
        .find_map(|key| match object.get(*key)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct R {
        id: u64,
    }

    #[test]
    fn jsonl_keeps_line_numbers_and_skips_blank_lines() {
        let text = "{\"id\": 1}\n\n{\"id\": 2}\r\n";
        let records = split_records(Path::new("f"), text).unwrap();
        assert_eq!(
            records.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![1, 3]
        );
        assert_eq!(records[1].text, "{\"id\": 2}");
    }

    #[test]
    fn array_elements_know_where_they_start() {
        let text = "[\n  {\"id\": 1},\n  {\"id\":\n 2}\n]\n";
        let records = split_records(Path::new("f"), text).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!((records[0].line, records[0].column), (2, 3));
        assert_eq!((records[1].line, records[1].column), (3, 3));
        let r: R = parse_record(Path::new("f"), records[1], "job request").unwrap();
        assert_eq!(r, R { id: 2 });
    }

    #[test]
    fn streamed_lines_report_bad_bytes_with_their_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        std::fs::write(&path, b"{\"id\": 1}\n{\"id\": \xff}\n").unwrap();
        let err = RecordFile::read(&path).unwrap_err();
        assert!(err.message.contains("offset 17"), "{}", err.message);
    }

    #[test]
    fn empty_array_has_no_records() {
        assert!(split_records(Path::new("f"), " [ ] ").unwrap().is_empty());
    }

    #[test]
    fn an_unclosed_array_is_an_error_with_a_position() {
        let err = split_records(Path::new("f"), "[{\"id\": 1},\n").unwrap_err();
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn a_bad_field_is_located_in_the_file_and_named_by_record() {
        let text = "{\"id\": 1}\n{\"id\": \"seven\", \"identifier\": \"abc\"}\n";
        let records = split_records(Path::new("f"), text).unwrap();
        let err = parse_record::<R>(Path::new("f.jsonl"), records[1], "job request").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(err.column, Some(14));
        assert_eq!(err.record.as_deref(), Some("job request seven"));
        assert!(
            err.message.starts_with("invalid type: string \"seven\""),
            "{}",
            err.message
        );
    }

    #[test]
    fn gzip_is_read_transparently() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        for (name, body) in [
            ("r.jsonl.gz", "{\"id\": 5}\n\n{\"id\": 6}\n"),
            ("r.json.gz", "[{\"id\": 5},\n {\"id\": 6}]"),
        ] {
            let path = dir.path().join(name);
            let mut enc = GzEncoder::new(Vec::new(), Compression::default());
            enc.write_all(body.as_bytes()).unwrap();
            std::fs::write(&path, enc.finish().unwrap()).unwrap();
            let file = RecordFile::read(&path).unwrap();
            assert_eq!(file.len(), 2, "{name}");
            assert_eq!(file.record(1).text, "{\"id\": 6}");
            let line = if name.ends_with("jsonl.gz") { 3 } else { 2 };
            assert_eq!(file.record(1).line, line, "{name}");
        }
    }
}
