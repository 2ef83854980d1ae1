//! The classes our project.yaml grammar (`project_yaml.sublime-syntax`) gives a line
//! that holds no quote, anchor, alias, tag, flow or block indicator, worked out without
//! the regex engine: such lines are nearly every line of a project.yaml, and syntect
//! spent most of a large file's highlighting on them. A line this module does not know
//! (`None`) goes to syntect, and `tests::plain_lines_are_classed_as_syntect_classes_them`
//! holds the two to each other on every line of the corpus and on generated lines.
//!
//! Only lines parsed in the grammar's main context qualify (the caller checks): on them
//! the grammar pushes no context, so the parser's state after the line is the state
//! before it.

/// A run of a line's text and its class: `k` key, `c` comment, `n` number or constant.
pub(super) type Run<'a> = (Option<&'static str>, &'a str);

/// The classed runs of `line` (no line break), adjacent runs of one class merged, when
/// it is a plain line; None when the grammar's regexes must decide.
pub(super) fn plain_runs(line: &str) -> Option<Vec<Run<'_>>> {
    let plain = line.bytes().all(|b| {
        (0x20..0x7F).contains(&b)
            && !matches!(
                b,
                b'"' | b'\''
                    | b'&'
                    | b'*'
                    | b'!'
                    | b'['
                    | b']'
                    | b'{'
                    | b'}'
                    | b'|'
                    | b'>'
                    | b'%'
                    | b'@'
                    | b'`'
            )
    });
    if !plain {
        return None;
    }
    let mut runs: Vec<Run<'_>> = Vec::new();
    let mut out = Runs {
        line,
        runs: &mut runs,
    };
    let mut at = 0;
    if let Some((key_start, key_end, after)) = key(line) {
        out.push(None, 0, key_start);
        out.push(Some("k"), key_start, key_end);
        out.push(None, key_end, after);
        at = after;
    }
    let mut plain_from = at;
    while at < line.len() {
        if let Some(end) = comment(line, at) {
            out.push(None, plain_from, at);
            out.push(Some("c"), at, end);
            at = end;
            plain_from = at;
        } else if let Some(end) = constant(line, at).or_else(|| number(line, at)) {
            out.push(None, plain_from, at);
            out.push(Some("n"), at, end);
            at = end;
            plain_from = at;
        } else {
            at += 1;
        }
    }
    out.push(None, plain_from, line.len());
    Some(runs)
}

/// Runs being gathered: a run of the same class as the last one extends it.
struct Runs<'a, 'r> {
    line: &'a str,
    runs: &'r mut Vec<Run<'a>>,
}

impl<'a> Runs<'a, '_> {
    fn push(&mut self, class: Option<&'static str>, from: usize, to: usize) {
        if from >= to {
            return;
        }
        match self.runs.last_mut() {
            Some((c, text)) if *c == class => {
                // Adjacent: the last run ends where this one starts.
                let start = text.as_ptr() as usize - self.line.as_ptr() as usize;
                *text = &self.line[start..to];
            }
            _ => self.runs.push((class, &self.line[from..to])),
        }
    }
}

/// The grammar's key rule, `^(\s*(?:-\s+)*)(KEY)(\s*:)(?=\s|$)` where KEY starts with
/// anything but white space, `#` or an indicator (or is `-` and more) and is the
/// shortest run without `#` after which that separator follows: the key's start and
/// end, and where its separator ends.
fn key(line: &str) -> Option<(usize, usize, usize)> {
    let bytes = line.as_bytes();
    let mut start = bytes.iter().take_while(|&&b| b == b' ').count();
    // List dashes, each followed by white space.
    while bytes.get(start) == Some(&b'-') && bytes.get(start + 1) == Some(&b' ') {
        start += 1;
        start += bytes[start..].iter().take_while(|&&b| b == b' ').count();
    }
    let first = *bytes.get(start)?;
    let valid_first = match first {
        b'#' | b',' => false,
        b'-' => bytes
            .get(start + 1)
            .is_some_and(|&b| b != b' ' && b != b'#'),
        _ => true,
    };
    if !valid_first {
        return None;
    }
    // The shortest key: the first colon (after at least one character, two for a key
    // that starts with `-`, with only white space between) that ends the line or is
    // followed by white space. Each byte is looked at a bounded number of times: a line
    // is as long as its file.
    let mut end = start + if first == b'-' { 2 } else { 1 };
    let mut after_spaces = end;
    while end < bytes.len() {
        if after_spaces < end {
            after_spaces = end;
        }
        while bytes.get(after_spaces) == Some(&b' ') {
            after_spaces += 1;
        }
        if bytes.get(after_spaces) == Some(&b':')
            && bytes.get(after_spaces + 1).is_none_or(|&b| b == b' ')
        {
            return Some((start, end, after_spaces + 1));
        }
        end += 1;
        if bytes[end - 1] == b'#' {
            return None;
        }
    }
    None
}

/// A comment at `at`: `#` at the start of the line or after white space, to its end.
fn comment(line: &str, at: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    (bytes[at] == b'#' && (at == 0 || bytes[at - 1] == b' ')).then_some(line.len())
}

/// Whether a scalar may start at `at` by the grammar's look-behind: at the line's start or
/// after white space, `,` or `:`.
fn may_start(line: &str, at: usize) -> bool {
    at == 0 || matches!(line.as_bytes()[at - 1], b' ' | b',' | b':')
}

/// Whether a scalar may end at `end` by the grammar's look-ahead: only white space
/// before the line's end, `#` or `,`.
fn may_end(line: &str, end: usize) -> bool {
    let rest = line[end..].trim_start_matches(' ');
    rest.is_empty() || rest.starts_with(['#', ','])
}

/// A constant (`true`, `null`, `~`, …) at `at`: its end.
fn constant(line: &str, at: usize) -> Option<usize> {
    const WORDS: [&str; 10] = [
        "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~",
    ];
    if !may_start(line, at) {
        return None;
    }
    let word = WORDS.iter().find(|w| line[at..].starts_with(*w))?;
    let end = at + word.len();
    may_end(line, end).then_some(end)
}

/// A number at `at`, by the grammar's
/// `[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`: its end. Only the longest
/// match can be followed by what the look-ahead allows (a shorter one is followed by a
/// digit, `_`, `.` or `e`), so it alone is tried.
fn number(line: &str, at: usize) -> Option<usize> {
    if !may_start(line, at) {
        return None;
    }
    let bytes = line.as_bytes();
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut i = at;
    if matches!(bytes[i], b'-' | b'+') {
        i += 1;
    }
    if bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
        i += bytes[i..]
            .iter()
            .take_while(|&&b| b.is_ascii_digit() || b == b'_')
            .count();
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            i += digits(i);
        }
    } else if bytes.get(i) == Some(&b'.') && digits(i + 1) > 0 {
        i += 1 + digits(i + 1);
    } else {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        if digits(j) > 0 {
            i = j + digits(j);
        }
    }
    may_end(line, i).then_some(i)
}
