//! Reading record files: JSON Lines or a JSON array, optionally gzipped, each record kept
//! with the line and column it starts at so that errors can point into the file.

use serde::de::DeserializeOwned;
use std::fs::File;
use std::io::{BufReader, Read};
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_64;

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

/// A record file: where each record is in it, handed to the reader as it is read.
///
/// JSON Lines are read in chunks and not kept: a record is read again by its offset when
/// a page it is on must be made, so memory holds a chunk, not the export. A gzipped file,
/// a JSON array or a text given whole is kept, as it cannot be read again by offset.
#[derive(Debug)]
pub(crate) struct RecordFile {
    pub path: PathBuf,
    store: Store,
    spans: Vec<Span>,
    /// Records that could not be read as text (bytes that are not UTF-8), in file order:
    /// each is skipped by itself, and never hashed or remembered.
    pub unreadable: Vec<Unreadable>,
}

/// A record holding bytes that are not UTF-8: where the first bad byte is, and what can
/// be read of the record around it, to name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unreadable {
    /// The line the record starts at.
    pub line: usize,
    /// Where its first bad byte is: line and column (in characters, a bad sequence
    /// counting as one, as the snippet shows it) and offset in the file.
    pub bad_line: usize,
    pub column: usize,
    pub offset: usize,
    /// Its `id` or `identifier`, read from a lossy copy of its text, if that parses.
    pub name: Option<String>,
    /// The line of the bad byte, bad bytes shown as U+FFFD.
    pub source_line: String,
}

impl Unreadable {
    /// The diagnostic for a record of `kind` (`job request`, `job`) in `path`.
    pub(crate) fn diagnostic(&self, path: &Path, kind: &str) -> Diagnostic {
        let record = match &self.name {
            Some(name) => format!("{kind} {name}"),
            None => format!("{kind} at line {}", self.line),
        };
        Diagnostic::error(
            path,
            format!(
                "not UTF-8 (invalid byte at offset {}): the record is skipped",
                self.offset
            ),
        )
        .at_source(
            self.bad_line,
            Some(self.column),
            Some(self.source_line.clone()),
        )
        .record(record)
    }
}

#[derive(Debug)]
enum Store {
    Kept(String),
    /// Open for the whole build: a file replaced meanwhile is still the one that was read,
    /// and one changed in place is caught by the records' hashes.
    OnDisk(File),
}

/// Where a record is: its bytes in the kept text or the file, the line and column it
/// starts at, and (on disk) a hash of its text, to know it again.
#[derive(Debug, Clone)]
struct Span {
    bytes: Range<u64>,
    line: usize,
    column: usize,
    hash: u64,
}

/// How many times its size a gzipped record file may grow when decompressed (it is kept
/// in memory whole): exports compress about tenfold, and a file crafted to grow a
/// thousandfold (a "gzip bomb") would otherwise take all the memory there is.
const GUNZIP_RATIO: u64 = 100;

/// The most bytes a gzipped record file of `size` bytes is read to.
fn gunzipped_limit(size: u64) -> u64 {
    (size.saturating_mul(GUNZIP_RATIO)).max(64 << 20)
}

/// Bytes read at a time from a JSON Lines file (more when one line is longer).
const CHUNK: usize = 4 << 20;

/// What reading gives a record file's reader: the records read since the last call, and
/// the number of the first of them.
pub(crate) type Visit<'v> = dyn FnMut(usize, &[RecordText<'_>]) + 'v;

impl RecordFile {
    /// Reads and splits `path`, JSON Lines or a JSON array, handing its records to
    /// `visit` in order.
    pub(crate) fn read(path: &Path, visit: &mut Visit<'_>) -> Result<RecordFile, Diagnostic> {
        RecordFile::read_in_chunks(path, CHUNK, visit)
    }

    /// `read`, `chunk` bytes at a time.
    fn read_in_chunks(
        path: &Path,
        chunk: usize,
        visit: &mut Visit<'_>,
    ) -> Result<RecordFile, Diagnostic> {
        let io_error = |e: std::io::Error| Diagnostic::error(path, format!("cannot read: {e}"));
        let mut file = File::open(path).map_err(io_error)?;
        let size = file.metadata().map_or(0, |m| m.len() as usize);
        let whole = |mut bytes: Vec<u8>, file: &mut dyn Read| -> Result<Vec<u8>, Diagnostic> {
            file.read_to_end(&mut bytes).map_err(io_error)?;
            Ok(bytes)
        };
        if path.extension().is_some_and(|e| e == "gz") {
            let limit = gunzipped_limit(size as u64);
            let gz = flate2::read::MultiGzDecoder::new(BufReader::new(file));
            let bytes = whole(Vec::with_capacity(size * 4), &mut gz.take(limit + 1))?;
            if bytes.len() as u64 > limit {
                return Err(Diagnostic::error(
                    path,
                    format!(
                        "refused: it decompresses to more than {limit} bytes, {GUNZIP_RATIO} times its size; records do not compress that well, so this is not an export"
                    ),
                ));
            }
            return RecordFile::from_bytes(path, bytes, visit);
        }
        // Enough of the file to see whether it is a JSON array.
        let mut buffer = Vec::with_capacity(chunk.min(size + 1));
        let mut eof = false;
        let array = loop {
            eof = eof
                || (&mut file)
                    .take(chunk as u64)
                    .read_to_end(&mut buffer)
                    .map_err(io_error)?
                    < chunk;
            let body = buffer
                .strip_prefix("\u{feff}".as_bytes())
                .unwrap_or(&buffer);
            // (A byte order mark is three bytes.)
            if eof || (buffer.len() >= 3 && !body.trim_ascii_start().is_empty()) {
                break body.trim_ascii_start().starts_with(b"[");
            }
        };
        if array {
            let bytes = whole(buffer, &mut file)?;
            return RecordFile::from_bytes(path, bytes, visit);
        }
        let (spans, unreadable) =
            read_lines(&mut file, size, buffer, (chunk, eof), visit).map_err(io_error)?;
        Ok(RecordFile {
            path: path.to_path_buf(),
            store: Store::OnDisk(file),
            spans,
            unreadable,
        })
    }

    /// Splits `text`, as the file at `path` would be, handing its records to `visit`.
    pub(crate) fn from_text(
        path: &Path,
        text: String,
        visit: &mut Visit<'_>,
    ) -> Result<RecordFile, Diagnostic> {
        RecordFile::from_bytes(path, text.into_bytes(), visit)
    }

    /// Splits the file `bytes`, kept whole: a record holding bytes that are not UTF-8 is
    /// unreadable by itself, and the others are handed to `visit`.
    fn from_bytes(
        path: &Path,
        mut bytes: Vec<u8>,
        visit: &mut Visit<'_>,
    ) -> Result<RecordFile, Diagnostic> {
        let bom = if bytes.starts_with("\u{feff}".as_bytes()) {
            bytes.drain(..3);
            3
        } else {
            0
        };
        let (text, bad) = decode(bytes, bom);
        let records = split_records(path, &text).map_err(|d| match bad.first() {
            Some(b) => {
                let (line, column) = line_column(&text, b.in_text);
                let message = format!(
                    "{} (the file also holds a byte that is not UTF-8 at line {line}, column {column}, offset {})",
                    d.message, b.in_file
                );
                Diagnostic { message, ..d }
            }
            None => d,
        })?;
        let (records, unreadable) = set_apart_unreadable(&text, records, &bad);
        visit(0, &records);
        let spans = spans_of(text.as_bytes(), 0, &records, false);
        Ok(RecordFile {
            path: path.to_path_buf(),
            store: Store::Kept(text),
            spans,
            unreadable,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// `f` of the `i`th record, read again from the file if it was not kept. An error
    /// means the file changed since it was read.
    pub(crate) fn with_record<T>(
        &self,
        i: usize,
        f: impl FnOnce(RecordText<'_>) -> T,
    ) -> Result<T, Diagnostic> {
        let span = &self.spans[i];
        let at = |text| RecordText {
            text,
            line: span.line,
            column: span.column,
        };
        let range = span.bytes.start as usize..span.bytes.end as usize;
        match &self.store {
            Store::Kept(text) => Ok(f(at(&text[range]))),
            Store::OnDisk(file) => {
                let mut bytes = vec![0; range.len()];
                let changed = || {
                    Diagnostic::error(
                        &self.path,
                        "the file changed while it was being read; build again",
                    )
                    .at_source(span.line, Some(span.column), None)
                };
                file.read_exact_at(&mut bytes, span.bytes.start)
                    .map_err(|_| changed())?;
                match std::str::from_utf8(&bytes) {
                    Ok(text) if xxh3_64(text.as_bytes()) == span.hash => Ok(f(at(text))),
                    _ => Err(changed()),
                }
            }
        }
    }
}

/// A byte that is not UTF-8 (the first of a bad sequence): where it is in the file, and
/// where its U+FFFD is in the text decoded from it.
#[derive(Debug, Clone, Copy)]
struct BadByte {
    in_file: usize,
    in_text: usize,
}

/// The text of `bytes` (which start at byte `skipped` of the file), each bad sequence
/// replaced by U+FFFD, and where those were.
fn decode(bytes: Vec<u8>, skipped: usize) -> (String, Vec<BadByte>) {
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return (text, Vec::new()),
        Err(e) => e.into_bytes(),
    };
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut bad = Vec::new();
    let mut in_file = skipped;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        in_file += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            bad.push(BadByte {
                in_file,
                in_text: text.len(),
            });
            text.push(char::REPLACEMENT_CHARACTER);
            in_file += chunk.invalid().len();
        }
    }
    (text, bad)
}

/// `records` of `text` split into those that hold none of the `bad` bytes (sorted by
/// place) and those that do, which cannot be read.
fn set_apart_unreadable<'a>(
    text: &'a str,
    records: Vec<RecordText<'a>>,
    bad: &[BadByte],
) -> (Vec<RecordText<'a>>, Vec<Unreadable>) {
    if bad.is_empty() {
        return (records, Vec::new());
    }
    let base = text.as_ptr() as usize;
    let mut unreadable = Vec::new();
    let records = records
        .into_iter()
        .filter(|r| {
            let start = r.text.as_ptr() as usize - base;
            let first = bad.partition_point(|b| b.in_text < start);
            let Some(b) = bad.get(first).filter(|b| b.in_text < start + r.text.len()) else {
                return true;
            };
            let (line, column) = line_column(text, b.in_text);
            unreadable.push(Unreadable {
                line: r.line,
                bad_line: line,
                column,
                offset: b.in_file,
                name: record_name(r.text),
                source_line: text.lines().nth(line - 1).unwrap_or_default().to_owned(),
            });
            false
        })
        .collect();
    (records, unreadable)
}

/// The records of JSON Lines `bytes` (whole lines, starting at byte `offset` of the file)
/// whose first line is line `first`: as `split_lines` makes them, except that a line
/// holding bytes that are not UTF-8 is unreadable, by itself.
fn split_line_bytes(
    bytes: &[u8],
    first: usize,
    offset: usize,
) -> (Vec<RecordText<'_>>, Vec<Unreadable>) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (split_lines(text, first), Vec::new());
    }
    let (mut records, mut unreadable) = (Vec::new(), Vec::new());
    let mut start = 0;
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let at = offset + start;
        start += line.len() + 1;
        match std::str::from_utf8(line) {
            Ok(text) => records.extend(split_lines(text, first + i)),
            Err(e) => unreadable.push(unreadable_line(line, first + i, at, e.valid_up_to())),
        }
    }
    (records, unreadable)
}

/// Line `number` of a JSON Lines file, at byte `offset`, whose first bad byte is at
/// `valid` within it.
fn unreadable_line(line: &[u8], number: usize, offset: usize, valid: usize) -> Unreadable {
    let lossy = String::from_utf8_lossy(line);
    let lossy = lossy.trim_end_matches('\r');
    let column = String::from_utf8_lossy(&line[..valid]).chars().count() + 1;
    Unreadable {
        line: number,
        bad_line: number,
        column,
        offset: offset + valid,
        name: record_name(lossy),
        source_line: lossy.to_owned(),
    }
}

/// The spans of `records`, slices of `text`, which starts at byte `offset` of its file;
/// `hashed` to be read again from the file.
fn spans_of(text: &[u8], offset: usize, records: &[RecordText<'_>], hashed: bool) -> Vec<Span> {
    let base = text.as_ptr() as usize;
    records
        .iter()
        .map(|r| {
            let start = (offset + r.text.as_ptr() as usize - base) as u64;
            Span {
                bytes: start..start + r.text.len() as u64,
                line: r.line,
                column: r.column,
                hash: if hashed {
                    xxh3_64(r.text.as_bytes())
                } else {
                    0
                },
            }
        })
        .collect()
}

/// Reads the rest of a JSON Lines `file`, `buffer` holding what was read of it so far
/// (`eof` if that is all), `chunk` bytes at a time: the whole lines of each chunk go to
/// `visit` (as `split_line_bytes` splits them), the last partial line waits for the next.
/// A byte order mark at the start is not part of the first record. Gives the records'
/// spans, and the lines that could not be read.
fn read_lines(
    file: &mut File,
    size: usize,
    mut buffer: Vec<u8>,
    (chunk, mut eof): (usize, bool),
    visit: &mut Visit<'_>,
) -> std::io::Result<(Vec<Span>, Vec<Unreadable>)> {
    let mut spans = Vec::new();
    let mut unreadable = Vec::new();
    // The file offset of buffer[0], and the line it starts.
    let (mut offset, mut line) = (0usize, 1usize);
    if buffer.starts_with("\u{feff}".as_bytes()) {
        buffer.drain(..3);
        offset = 3;
    }
    let mut fill = |buffer: &mut Vec<u8>| -> std::io::Result<bool> {
        let read = (&mut *file).take(chunk as u64).read_to_end(buffer)?;
        Ok(read < chunk)
    };
    loop {
        // Whole lines only, until the file has ended.
        let whole = if eof {
            buffer.len()
        } else {
            match buffer.iter().rposition(|&b| b == b'\n') {
                Some(i) => i + 1,
                // No line ends in what was read: read on.
                None => {
                    eof = fill(&mut buffer)?;
                    continue;
                }
            }
        };
        let text = &buffer[..whole];
        let (records, bad) = split_line_bytes(text, line, offset);
        unreadable.extend(bad);
        if spans.is_empty() && !eof {
            // Sized once, from the records per byte of the first chunk: grown by
            // doubling, half a million spans would be copied into fresh memory again and
            // again.
            let expected = records.len() * size / whole.max(1);
            spans.reserve(expected + expected / 16);
        }
        visit(spans.len(), &records);
        spans.extend(spans_of(text, offset, &records, true));
        line += text.iter().filter(|&&b| b == b'\n').count();
        if eof {
            return Ok((spans, unreadable));
        }
        buffer.drain(..whole);
        offset += whole;
        eof = fill(&mut buffer)?;
    }
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
        Ok(split_lines(text, 1))
    }
}

/// The records of JSON Lines `text` whose first line is line `first` of its file: one a
/// line, blank lines skipped, a line's `\r\n` its end.
fn split_lines(text: &str, first: usize) -> Vec<RecordText<'_>> {
    text.split('\n')
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| RecordText {
            text: line.trim_end_matches('\r'),
            line: first + i,
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
            serde_json::Value::String(s) => Some(super::names::clipped(s)),
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
    fn a_line_with_bad_bytes_costs_that_line_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        std::fs::write(
            &path,
            b"{\"id\": 1}\n{\"id\": 7, \"x\": \"\xff\"}\n{\"id\": 3}\n",
        )
        .unwrap();
        for chunk in [4, 12, CHUNK] {
            let (file, seen) = read_records(&path, chunk);
            let lines: Vec<usize> = seen.iter().map(|r| r.1).collect();
            assert_eq!(lines, [1, 3], "chunk {chunk}");
            let bad = &file.unreadable;
            assert_eq!(bad.len(), 1, "chunk {chunk}");
            assert_eq!((bad[0].line, bad[0].column, bad[0].offset), (2, 17, 26));
            assert_eq!(bad[0].name.as_deref(), Some("7"), "named from a lossy copy");
            assert_eq!(file.with_record(1, |r| r.line).unwrap(), 3);
        }
    }

    #[test]
    fn kept_files_set_apart_the_records_that_hold_bad_bytes() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let gz = |bytes: &[u8]| {
            let mut enc = GzEncoder::new(Vec::new(), Compression::default());
            enc.write_all(bytes).unwrap();
            enc.finish().unwrap()
        };
        let lines = b"{\"id\": 1}\n{\"id\": 2, \"x\": \"\xc3\"}\n{\"id\": 3}\n".to_vec();
        let array = b"[{\"id\": 1},\n {\"id\": 2, \"x\": \"\xfe\xfe\"},\n {\"id\": 3}]".to_vec();
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes, column) in [
            ("a.json", array.clone(), 18),
            ("a.json.gz", gz(&array), 18),
            ("l.jsonl.gz", gz(&lines), 17),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let (file, seen) = read_records(&path, CHUNK);
            let ids: Vec<&str> = seen.iter().map(|r| r.0.as_str()).collect();
            assert_eq!(ids, ["{\"id\": 1}", "{\"id\": 3}"], "{name}");
            let bad = &file.unreadable[..];
            assert_eq!(bad.len(), 1, "{name}");
            assert_eq!((bad[0].bad_line, bad[0].column), (2, column), "{name}");
            assert_eq!(bad[0].name.as_deref(), Some("2"), "{name}");
            assert_eq!(
                file.with_record(1, |r| r.text.to_owned()).unwrap(),
                "{\"id\": 3}"
            );
        }
    }

    #[test]
    fn a_bad_byte_that_breaks_an_array_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(&path, b"[{\"id\": 1},\n \xff{\"id\": 2}]").unwrap();
        let err = RecordFile::read(&path, &mut |_, _| ()).unwrap_err();
        assert!(err.message.contains("line 2, column 2"), "{}", err.message);
    }

    /// Every record of `path` as read, by number: its text, line and column.
    fn read_records(path: &Path, chunk: usize) -> (RecordFile, Vec<(String, usize, usize)>) {
        let mut seen = Vec::new();
        let file = RecordFile::read_in_chunks(path, chunk, &mut |first, records| {
            assert_eq!(first, seen.len(), "handed over in order");
            seen.extend(
                records
                    .iter()
                    .map(|r| (r.text.to_owned(), r.line, r.column)),
            );
        })
        .unwrap();
        (file, seen)
    }

    #[test]
    fn lines_read_in_chunks_are_the_lines_of_the_whole_text() {
        let long = format!("{{\"id\": 3, \"pad\": \"{}\"}}", "é".repeat(40));
        let texts = [
            format!("{{\"id\": 1}}\n\n{{\"id\": 2}}\r\n  \n{long}\n{{\"id\": 4}}"),
            format!("\u{feff}{{\"id\": 1}}\n{long}\n\n"),
            "\n\n\n".to_owned(),
            String::new(),
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        for text in &texts {
            std::fs::write(&path, text).unwrap();
            let whole = text.strip_prefix('\u{feff}').unwrap_or(text);
            let expected: Vec<(String, usize, usize)> = split_records(&path, whole)
                .unwrap()
                .iter()
                .map(|r| (r.text.to_owned(), r.line, r.column))
                .collect();
            // Chunks that cut lines, and characters, anywhere; one larger than the file.
            for chunk in [1, 2, 5, 13, 64, CHUNK] {
                let (file, seen) = read_records(&path, chunk);
                assert_eq!(seen, expected, "chunk {chunk} of {text:?}");
                for (i, (text, line, _)) in expected.iter().enumerate() {
                    let again = file
                        .with_record(i, |r| (r.text.to_owned(), r.line))
                        .unwrap();
                    assert_eq!(again, (text.clone(), *line), "record {i} read again");
                }
            }
        }
    }

    #[test]
    fn a_record_read_again_from_a_changed_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        std::fs::write(&path, "{\"id\": 1}\n{\"id\": 2}\n").unwrap();
        let (file, _) = read_records(&path, CHUNK);
        std::fs::write(&path, "{\"id\": 1}\n{\"id\": 7}\n").unwrap();
        assert!(
            file.with_record(0, |_| ()).is_ok(),
            "the first record is the same"
        );
        let err = file.with_record(1, |_| ()).unwrap_err();
        assert!(err.message.contains("changed"), "{}", err.message);
        assert_eq!(err.line, Some(2));
        std::fs::write(&path, "").unwrap();
        assert!(file.with_record(0, |_| ()).is_err(), "truncated");
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
            let (file, seen) = read_records(&path, CHUNK);
            assert_eq!(file.len(), 2, "{name}");
            let line = if name.ends_with("jsonl.gz") { 3 } else { 2 };
            assert_eq!(seen[1].0, "{\"id\": 6}");
            assert_eq!(seen[1].1, line, "{name}");
            let again = file
                .with_record(1, |r| (r.text.to_owned(), r.line))
                .unwrap();
            assert_eq!(again, ("{\"id\": 6}".to_owned(), line), "{name}");
        }
    }
}

/// The readers over generated and damaged files: whatever the bytes, no panic, every
/// line that is text is read as it is, and every line that is not is reported by itself.
#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// What a JSON Lines file must read as: its text lines that are not blank, by line
    /// number, and the numbers of the lines that are not text.
    fn expected_lines(bytes: &[u8]) -> (Vec<(String, usize)>, Vec<usize>) {
        let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        let (mut records, mut bad) = (Vec::new(), Vec::new());
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            match std::str::from_utf8(line) {
                Ok(text) if text.trim().is_empty() => {}
                Ok(text) => records.push((text.trim_end_matches('\r').to_owned(), i + 1)),
                Err(_) => bad.push(i + 1),
            }
        }
        (records, bad)
    }

    fn is_array(bytes: &[u8]) -> bool {
        let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        body.trim_ascii_start().starts_with(b"[")
    }

    #[derive(Debug, Clone)]
    enum Mutation {
        Flip(usize, u8),
        Insert(usize, Vec<u8>),
        Delete(usize, usize),
        Cut(usize),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        let bad = prop_oneof![
            Just(vec![0xff]),
            Just(vec![0xc3]),
            Just(vec![0xe2, 0x82]),
            Just(vec![0xed, 0xa0, 0x80]),
            Just(vec![0xf4, 0x90, 0x80, 0x80]),
            Just(vec![0x80]),
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            prop::collection::vec(any::<u8>(), 1..4),
        ];
        prop_oneof![
            (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
            (any::<usize>(), bad).prop_map(|(at, b)| Mutation::Insert(at, b)),
            (any::<usize>(), 1usize..8).prop_map(|(at, n)| Mutation::Delete(at, n)),
            any::<usize>().prop_map(Mutation::Cut),
        ]
    }

    fn apply(bytes: &mut Vec<u8>, mutations: &[Mutation]) {
        for m in mutations {
            let at = |i: usize, len: usize| if len == 0 { 0 } else { i % (len + 1) };
            match m {
                Mutation::Flip(i, b) if !bytes.is_empty() => {
                    let i = i % bytes.len();
                    bytes[i] ^= b | 1;
                }
                Mutation::Flip(..) => {}
                Mutation::Insert(i, new) => {
                    let i = at(*i, bytes.len());
                    bytes.splice(i..i, new.iter().copied());
                }
                Mutation::Delete(i, n) => {
                    let i = at(*i, bytes.len());
                    bytes.drain(i..(i + n).min(bytes.len()));
                }
                Mutation::Cut(i) => bytes.truncate(at(*i, bytes.len())),
            }
        }
    }

    fn records(n: usize) -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec((any::<u32>(), "[a-zé\u{1F600} \"\\\\]{0,12}"), 0..n).prop_map(|rs| {
            rs.into_iter()
                .map(|(id, pad)| serde_json::json!({"id": id, "pad": pad}).to_string())
                .collect()
        })
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    /// Reads `bytes` as the file `name`, `chunk` bytes at a time: every record as it was
    /// handed over and as it reads again, and the file.
    fn read(
        name: &str,
        bytes: &[u8],
        chunk: usize,
    ) -> Result<(RecordFile, Vec<(String, usize)>), Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let mut seen = Vec::new();
        let file = RecordFile::read_in_chunks(&path, chunk, &mut |first, records| {
            assert_eq!(first, seen.len());
            seen.extend(records.iter().map(|r| (r.text.to_owned(), r.line)));
        })?;
        for (i, (text, line)) in seen.iter().enumerate() {
            let again = file
                .with_record(i, |r| (r.text.to_owned(), r.line))
                .unwrap();
            assert_eq!(&again, &(text.clone(), *line), "record {i} reads again");
        }
        for u in &file.unreadable {
            assert!(
                u.line >= 1 && u.bad_line >= u.line && u.column >= 1,
                "{u:?}"
            );
            assert!(u.offset <= bytes.len() || name.ends_with(".gz"), "{u:?}");
        }
        Ok((file, seen))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        /// JSON Lines, plain or gzipped, after any damage: read line by line as the
        /// oracle says, whatever the chunk size.
        #[test]
        fn damaged_lines_cost_their_own_line(
            records in records(12),
            mutations in prop::collection::vec(mutation(), 0..4),
            chunk in prop_oneof![1usize..40, Just(CHUNK)],
            gzipped in any::<bool>(),
        ) {
            let mut bytes = records.join("\n").into_bytes();
            apply(&mut bytes, &mutations);
            prop_assume!(!is_array(&bytes));
            let (expected, bad) = expected_lines(&bytes);
            let (file, seen) = if gzipped {
                read("r.jsonl.gz", &gz(&bytes), chunk).unwrap()
            } else {
                read("r.jsonl", &bytes, chunk).unwrap()
            };
            prop_assert_eq!(seen, expected);
            let reported: Vec<usize> = file.unreadable.iter().map(|u| u.line).collect();
            prop_assert_eq!(reported, bad);
        }

        /// A JSON array whose elements' strings take bad bytes: exactly those elements
        /// are set apart, each at the line of its bad byte; the others are read.
        #[test]
        fn array_elements_with_bad_bytes_are_set_apart(
            records in records(10),
            damaged in prop::collection::vec(any::<bool>(), 10),
            gzipped in any::<bool>(),
        ) {
            let mut bytes = b"[".to_vec();
            let mut kept = Vec::new();
            let mut bad_lines = Vec::new();
            for (i, record) in records.iter().enumerate() {
                if i > 0 {
                    bytes.extend_from_slice(b",");
                }
                bytes.extend_from_slice(b"\n ");
                if damaged[i] {
                    // Inside the string that starts `"pad":"`.
                    let at = record.find("\"pad\":\"").unwrap() + 7;
                    bytes.extend_from_slice(&record.as_bytes()[..at]);
                    bytes.extend_from_slice(b"\xff\xfe");
                    bytes.extend_from_slice(&record.as_bytes()[at..]);
                    bad_lines.push(i + 2);
                } else {
                    bytes.extend_from_slice(record.as_bytes());
                    kept.push((record.clone(), i + 2));
                }
            }
            bytes.extend_from_slice(b"\n]\n");
            let (file, seen) = if gzipped {
                read("a.json.gz", &gz(&bytes), CHUNK).unwrap()
            } else {
                read("a.json", &bytes, CHUNK).unwrap()
            };
            prop_assert_eq!(seen, kept);
            let reported: Vec<usize> = file.unreadable.iter().map(|u| u.bad_line).collect();
            prop_assert_eq!(reported, bad_lines);
        }

        /// Any damage to a JSON array or to a gzip stream: an error or records, never a
        /// panic; every record read from an array is one JSON value.
        #[test]
        fn damaged_arrays_and_streams_never_panic(
            records in records(8),
            mutations in prop::collection::vec(mutation(), 1..4),
            damage_the_stream in any::<bool>(),
        ) {
            let text = format!("[{}]", records.join(",\n"));
            let (name, bytes) = if damage_the_stream {
                let mut bytes = gz(text.as_bytes());
                apply(&mut bytes, &mutations);
                ("a.json.gz", bytes)
            } else {
                let mut bytes = text.into_bytes();
                apply(&mut bytes, &mutations);
                ("a.json", bytes)
            };
            let array = !damage_the_stream && is_array(&bytes);
            if let Ok((_, seen)) = read(name, &bytes, CHUNK) {
                // (A file that no longer starts with `[` is read as JSON Lines, whose
                // records are checked when they are parsed.)
                for (text, _) in seen.into_iter().filter(|_| array) {
                    prop_assert!(serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok(), "{:?}", text);
                }
            }
        }
    }
}
