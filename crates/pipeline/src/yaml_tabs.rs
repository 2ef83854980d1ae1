//! Tabs. ruyaml skips only spaces between tokens, so a tab anywhere outside a quoted
//! scalar, a block scalar or a comment is "found character '\t' that cannot start any
//! token" — including a trailing tab and a tab inside a plain scalar (oracle-checked).
//! saphyr-parser accepts some of these and words the rest differently, so this module
//! finds the tab ruyaml would stop at with a light lexer of its own.

use super::yaml_error::Mark;

/// The first tab ruyaml refuses, as a mark (0-based column, 1-based line).
pub(crate) fn first_refused_tab(text: &str) -> Option<Mark> {
    if !text.contains('\t') {
        return None;
    }
    let mut lexer = Lexer::default();
    let mut index = 0;
    for (i, line) in text.split('\n').enumerate() {
        let chars: Vec<char> = line.chars().collect();
        if let Some(col) = lexer.line(&chars) {
            return Some(Mark::new(index + col, i + 1, col));
        }
        index += chars.len() + 1;
    }
    None
}

#[derive(Default)]
struct Lexer {
    /// Inside a multi-line quoted scalar of this quote kind.
    quote: Option<char>,
    /// Inside a block scalar whose parent line had this indentation.
    block_parent_indent: Option<usize>,
}

impl Lexer {
    /// Scan one line; the column of a refused tab, if any.
    fn line(&mut self, chars: &[char]) -> Option<usize> {
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        let blank = chars.iter().all(|c| c.is_whitespace());
        if let Some(parent) = self.block_parent_indent {
            // Block scalar content: more indented lines, and blank lines, belong to it.
            if indent > parent || (blank && !chars.contains(&'\t')) {
                return None;
            }
            self.block_parent_indent = None;
        }
        let mut i = 0;
        if let Some(q) = self.quote {
            match close_quote(chars, 0, q) {
                Some(end) => {
                    self.quote = None;
                    i = end;
                }
                None => return None,
            }
        }
        let mut token_start = i == 0 || self.quote.is_none();
        while i < chars.len() {
            let c = chars[i];
            match c {
                '\t' => return Some(i),
                ' ' | '\r' => {
                    i += 1;
                    continue;
                }
                '#' if i == 0 || matches!(chars[i - 1], ' ' | '\t') => return None,
                '\'' | '"' if token_start => match close_quote(chars, i + 1, c) {
                    Some(end) => {
                        i = end;
                        token_start = false;
                        continue;
                    }
                    None => {
                        self.quote = Some(c);
                        return None;
                    }
                },
                '|' | '>' if token_start => {
                    self.block_parent_indent = Some(indent);
                    // The rest of the header line: indicators and maybe a comment.
                    return chars[i..]
                        .iter()
                        .take_while(|c| **c != '#')
                        .position(|c| *c == '\t')
                        .map(|p| i + p);
                }
                '[' | '{' | ',' => {
                    token_start = true;
                    i += 1;
                    continue;
                }
                '-' | '?' | ':' if chars.get(i + 1).is_none_or(|n| *n == ' ' || *n == '\t') => {
                    token_start = true;
                    i += 1;
                    continue;
                }
                '&' | '!' if token_start => {
                    // Anchor or tag, then another token.
                    while i < chars.len() && !matches!(chars[i], ' ' | '\t') {
                        i += 1;
                    }
                    continue;
                }
                _ => {
                    // A plain scalar or indicator: runs to the next `: `, ` #` or flow
                    // indicator; only what follows it can start a token.
                    token_start = false;
                    i += 1;
                }
            }
        }
        None
    }
}

/// Index just past the closing quote from `from`, honouring `''` and `\` escapes.
fn close_quote(chars: &[char], from: usize, q: char) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        let c = chars[i];
        if q == '"' && c == '\\' {
            i += 2;
            continue;
        }
        if c == q {
            if q == '\'' && chars.get(i + 1) == Some(&'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(text: &str) -> Option<(usize, usize)> {
        first_refused_tab(text).map(|m| (m.line, m.col))
    }

    #[test]
    fn where_ruyaml_stops() {
        assert_eq!(tab("a: 4\t\n"), Some((1, 4)));
        assert_eq!(tab("a:\t4\n"), Some((1, 2)));
        assert_eq!(tab("a: \"4\"\t\n"), Some((1, 6)));
        assert_eq!(tab("a: b\tc\n"), Some((1, 4)));
        assert_eq!(tab("a: 4 # c\t\n"), None);
        assert_eq!(tab("# x\t\n"), None);
        assert_eq!(tab("a: 'x\ty'\n"), None);
        assert_eq!(tab("a: |\n  x\ty\n"), None);
        assert_eq!(tab("a: 1\n\t\n"), Some((2, 0)));
        assert_eq!(tab("a: it's\tx\n"), Some((1, 7)));
    }
}
