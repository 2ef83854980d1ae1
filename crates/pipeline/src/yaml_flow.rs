//! Finding flow collections continued over several lines (`needs: [a,\n  b]`), so that
//! all their continuation lines can be padded in one go (see `yaml_compose::padded`)
//! instead of one re-parse per line, which is quadratic on large files.
//!
//! This is a light lexer, not a YAML parser: it only has to find where flow collections
//! start (at a node position: line start, after `: `, `- `, `? `, or inside another flow
//! collection) and where they end, skipping quoted scalars, comments and block scalars.
//! Only collections that close are reported; anything doubtful is left to the
//! line-by-line fallback.

use std::collections::BTreeSet;

/// The continuation lines (all lines after the opening one, up to the closing one) of
/// every multi-line flow collection.
pub(crate) fn continuation_lines(text: &str) -> BTreeSet<usize> {
    let mut lexer = Lexer::default();
    for (i, line) in text.split('\n').enumerate() {
        let chars: Vec<char> = line.trim_end_matches('\r').chars().collect();
        lexer.line(i + 1, &chars);
    }
    lexer.found
}

#[derive(Default)]
struct Lexer {
    depth: usize,
    quote: Option<char>,
    /// Inside a block scalar whose header line had this indentation.
    block_parent_indent: Option<usize>,
    /// Continuation lines of the flow collection being read.
    pending: Vec<usize>,
    found: BTreeSet<usize>,
}

impl Lexer {
    fn line(&mut self, number: usize, chars: &[char]) {
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        let blank = chars.iter().all(|c| c.is_whitespace());
        if let Some(parent) = self.block_parent_indent {
            if blank || indent > parent {
                return;
            }
            self.block_parent_indent = None;
        }
        if self.depth > 0 {
            self.pending.push(number);
        }
        let mut token_start = self.depth > 0 || self.quote.is_none();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let next_is_space = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
            if let Some(q) = self.quote {
                if q == '\'' && c == '\'' && chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                    continue;
                }
                if q == '"' && c == '\\' {
                    i += 2;
                    continue;
                }
                if c == q {
                    self.quote = None;
                    token_start = false;
                }
                i += 1;
                continue;
            }
            match c {
                ' ' | '\t' => {}
                '#' if i == 0 || chars[i - 1].is_whitespace() => return,
                '\'' | '"' if token_start => self.quote = Some(c),
                '[' | '{' if token_start || self.depth > 0 => {
                    self.depth += 1;
                    token_start = true;
                }
                ']' | '}' if self.depth > 0 => {
                    self.depth -= 1;
                    token_start = false;
                    if self.depth == 0 {
                        self.found.extend(self.pending.drain(..));
                    }
                }
                ',' if self.depth > 0 => token_start = true,
                '|' | '>' if token_start && self.depth == 0 => {
                    self.block_parent_indent = Some(indent);
                    return;
                }
                '-' | '?' | ':' if next_is_space => token_start = true,
                '&' | '!' if token_start => {
                    while i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
                        i += 1;
                    }
                }
                _ => token_start = false,
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<usize> {
        continuation_lines(text).into_iter().collect()
    }

    #[test]
    fn finds_continuations() {
        assert_eq!(lines("a:\n  needs: [x,\n  y,\n  z]\n  b: 1\n"), [3, 4]);
        assert_eq!(lines("a: {b: [1,\n2]}\n"), [2]);
        assert_eq!(lines("run: python x[1\n  b: 2]\n"), Vec::<usize>::new());
        assert_eq!(lines("a: '[x'\nb: [1,\n 'a]', 2]\n"), [3]);
        assert_eq!(lines("a: |\n  [x,\n  y]\nb: 1\n"), Vec::<usize>::new());
        assert_eq!(lines("a: [x,\n# ]\ny]\n"), [2, 3]);
        assert_eq!(lines("a: [x,\ny\n"), Vec::<usize>::new());
    }
}
