//! Python's `shlex.split(s)` (POSIX mode, no comments), which the library uses to split
//! `run:` commands (spec/pipeline.md §9). Reimplemented state for state, because the
//! tokens decide the image, the tag and the `--output` argument.

/// Why splitting failed: Python raises a bare ValueError with these texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShlexError {
    NoClosingQuotation,
    NoEscapedCharacter,
}

impl ShlexError {
    pub(crate) fn message(self) -> &'static str {
        match self {
            ShlexError::NoClosingQuotation => "No closing quotation",
            ShlexError::NoEscapedCharacter => "No escaped character",
        }
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    /// Between tokens.
    Space,
    /// Inside a word.
    Word,
    /// Inside quotes of this kind.
    Quote(char),
    /// After a backslash; the state to return to.
    Escape(Escaped),
}

#[derive(Clone, Copy, PartialEq)]
enum Escaped {
    Word,
    DoubleQuote,
}

/// Split like `shlex.split(s)`.
pub(crate) fn split(s: &str) -> Result<Vec<String>, ShlexError> {
    let mut tokens = Vec::new();
    let mut token = String::new();
    // An empty quoted string ('' or "") is still a token.
    let mut quoted = false;
    let mut state = State::Space;
    for c in s.chars() {
        match state {
            State::Space | State::Word => {
                if is_space(c) {
                    if state == State::Word || quoted {
                        tokens.push(std::mem::take(&mut token));
                        quoted = false;
                    }
                    state = State::Space;
                } else if c == '\\' {
                    state = State::Escape(Escaped::Word);
                } else if c == '\'' || c == '"' {
                    state = State::Quote(c);
                    quoted = true;
                } else {
                    token.push(c);
                    state = State::Word;
                }
            }
            State::Quote(q) => {
                if c == q {
                    state = State::Word;
                } else if c == '\\' && q == '"' {
                    state = State::Escape(Escaped::DoubleQuote);
                } else {
                    token.push(c);
                }
            }
            State::Escape(back_to) => {
                // Inside double quotes only `"` and `\` can be escaped; otherwise the
                // backslash stays.
                if back_to == Escaped::DoubleQuote && c != '\\' && c != '"' {
                    token.push('\\');
                }
                token.push(c);
                state = match back_to {
                    Escaped::Word => State::Word,
                    Escaped::DoubleQuote => State::Quote('"'),
                };
            }
        }
    }
    match state {
        State::Quote(_) => Err(ShlexError::NoClosingQuotation),
        State::Escape(_) => Err(ShlexError::NoEscapedCharacter),
        State::Word => {
            tokens.push(token);
            Ok(tokens)
        }
        State::Space => Ok(tokens),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Vec<String> {
        split(s).unwrap_or_default()
    }

    #[test]
    fn like_python() {
        assert_eq!(ok("  python:v1 a.py"), ["python:v1", "a.py"]);
        assert_eq!(ok("a # c"), ["a", "#", "c"]);
        assert_eq!(ok("--output='c.csv' x"), ["--output=c.csv", "x"]);
        assert_eq!(ok(r#"a "b\"c\d" 'e\f'"#), ["a", r#"b"c\d"#, r"e\f"]);
        assert_eq!(ok(r"a\ b"), ["a b"]);
        assert_eq!(ok("a '' b"), ["a", "", "b"]);
        assert_eq!(ok("''"), [""]);
        assert_eq!(ok(" "), Vec::<String>::new());
        assert_eq!(ok("a\"b c\"d"), ["ab cd"]);
        assert_eq!(split("a \"b"), Err(ShlexError::NoClosingQuotation));
        assert_eq!(split("a \\"), Err(ShlexError::NoEscapedCharacter));
    }
}
