//! The bits of Python's `pathlib` and `posixpath` the output rules depend on
//! (spec/pipeline.md §11, §13): `PurePosixPath` parsing and printing, `.suffix`,
//! `.name`, `.parent`, `posixpath.normpath`, Windows absoluteness (Python 3.11 rules),
//! and `fnmatch`.

/// A pure POSIX path as pathlib parses it: `//` kept only as an exactly-two-slash root,
/// empty and `.` components dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PosixPath {
    root: &'static str,
    parts: Vec<String>,
}

impl PosixPath {
    pub(crate) fn new(s: &str) -> PosixPath {
        let root = if s.starts_with("//") && !s.starts_with("///") {
            "//"
        } else if s.starts_with('/') {
            "/"
        } else {
            ""
        };
        let parts = s
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .map(str::to_string)
            .collect();
        PosixPath { root, parts }
    }

    /// The final component, or "" for a bare root or `.`.
    pub(crate) fn name(&self) -> &str {
        self.parts.last().map_or("", String::as_str)
    }

    /// `.suffix`: from the last `.` of the name, unless the dot is first or last.
    pub(crate) fn suffix(&self) -> &str {
        let name = self.name();
        match name.rfind('.') {
            Some(i) if i > 0 && i < name.len() - 1 => &name[i..],
            _ => "",
        }
    }

    pub(crate) fn parent(&self) -> PosixPath {
        let mut parts = self.parts.clone();
        parts.pop();
        PosixPath {
            root: self.root,
            parts,
        }
    }

    /// `.with_name(name)`; `None` where pathlib raises ValueError.
    pub(crate) fn with_name(&self, name: &str) -> Option<PosixPath> {
        if self.parts.is_empty() || name.is_empty() || name == "." || name.contains('/') {
            return None;
        }
        let mut parts = self.parts.clone();
        parts.pop();
        parts.push(name.to_string());
        Some(PosixPath {
            root: self.root,
            parts,
        })
    }
}

impl std::fmt::Display for PosixPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.root.is_empty() && self.parts.is_empty() {
            return f.write_str(".");
        }
        write!(f, "{}{}", self.root, self.parts.join("/"))
    }
}

/// `posixpath.normpath`.
pub(crate) fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let initial = if path.starts_with("//") && !path.starts_with("///") {
        "//"
    } else if path.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut comps: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        let keep_dotdot =
            comp != ".." || (initial.is_empty() && comps.last().is_none_or(|c| *c == ".."));
        if keep_dotdot {
            comps.push(comp);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let joined = format!("{initial}{}", comps.join("/"));
    if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// `PureWindowsPath(p).is_absolute()` on Python 3.11, for paths without backslashes:
/// a UNC share or an ASCII drive letter, followed by a root.
pub(crate) fn is_windows_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/' {
        return true;
    }
    // `//server/share/...`: only reachable here for paths that already start with `/`.
    p.starts_with("//")
}

/// `fnmatch.fnmatch(name, pattern)` on POSIX: case-sensitive, `*` matches anything
/// including `/`, `?` one character, `[...]` a class. Matched by dynamic programming over
/// (pattern token, name position), so many `*`s cannot make it slow.
pub(crate) fn fnmatch(name: &str, pattern: &str) -> bool {
    let n: Vec<char> = name.chars().collect();
    let tokens = glob_tokens(&pattern.chars().collect::<Vec<char>>());
    // reachable[j]: the tokens so far can match exactly the first j chars of the name.
    let mut reachable = vec![false; n.len() + 1];
    reachable[0] = true;
    for token in &tokens {
        let mut next = vec![false; n.len() + 1];
        match token {
            Glob::Star => {
                let mut any = false;
                for j in 0..=n.len() {
                    any |= reachable[j];
                    next[j] = any;
                }
            }
            Glob::One(pred) => {
                for j in 0..n.len() {
                    next[j + 1] = reachable[j] && pred.matches(n[j]);
                }
            }
        }
        reachable = next;
    }
    reachable[n.len()]
}

enum Glob {
    Star,
    One(CharPred),
}

enum CharPred {
    Any,
    Literal(char),
    Class(Vec<char>),
}

impl CharPred {
    fn matches(&self, c: char) -> bool {
        match self {
            CharPred::Any => true,
            CharPred::Literal(l) => *l == c,
            CharPred::Class(class) => class_matches(class, c),
        }
    }
}

fn glob_tokens(p: &[char]) -> Vec<Glob> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '*' => {
                if !matches!(tokens.last(), Some(Glob::Star)) {
                    tokens.push(Glob::Star);
                }
                i += 1;
            }
            '?' => {
                tokens.push(Glob::One(CharPred::Any));
                i += 1;
            }
            '[' => match class_end(&p[i..]) {
                Some(end) => {
                    tokens.push(Glob::One(CharPred::Class(p[i + 1..i + end].to_vec())));
                    i += end + 1;
                }
                None => {
                    tokens.push(Glob::One(CharPred::Literal('[')));
                    i += 1;
                }
            },
            c => {
                tokens.push(Glob::One(CharPred::Literal(c)));
                i += 1;
            }
        }
    }
    tokens
}

/// Index of the `]` closing a class that starts at `p[0] == '['`.
fn class_end(p: &[char]) -> Option<usize> {
    let mut j = 1;
    if p.get(j) == Some(&'!') {
        j += 1;
    }
    if p.get(j) == Some(&']') {
        j += 1;
    }
    while j < p.len() && p[j] != ']' {
        j += 1;
    }
    (j < p.len()).then_some(j)
}

fn class_matches(class: &[char], c: char) -> bool {
    let (negate, class) = match class.first() {
        Some('!') => (true, &class[1..]),
        _ => (false, class),
    };
    let mut hit = false;
    let mut i = 0;
    while i < class.len() {
        if i + 2 < class.len() && class[i + 1] == '-' {
            if class[i] <= c && c <= class[i + 2] {
                hit = true;
            }
            i += 3;
        } else {
            if class[i] == c {
                hit = true;
            }
            i += 1;
        }
    }
    hit != negate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_like_python() {
        assert_eq!(normpath("../x.txt"), "../x.txt");
        assert_eq!(normpath("a/../../x.csv"), "../x.csv");
        assert_eq!(normpath("//x.txt"), "//x.txt");
        assert_eq!(normpath("///x.txt"), "/x.txt");
        assert_eq!(normpath("/abs/../x.csv"), "/x.csv");
        assert_eq!(normpath("a/x.txt/"), "a/x.txt");
        assert_eq!(normpath("./x"), "x");
        assert_eq!(normpath("/.."), "/");
    }

    #[test]
    fn pathlib_like_python() {
        assert_eq!(PosixPath::new("a//b.pdf").to_string(), "a/b.pdf");
        assert_eq!(PosixPath::new("./x.pdf").to_string(), "x.pdf");
        assert_eq!(PosixPath::new("outputs/.csv").suffix(), "");
        assert_eq!(PosixPath::new("x.").suffix(), "");
        assert_eq!(PosixPath::new("a.tar.gz").suffix(), ".gz");
        assert_eq!(PosixPath::new("..").suffix(), "");
        assert_eq!(PosixPath::new("a.csv").parent().to_string(), ".");
    }

    #[test]
    fn fnmatch_like_python() {
        assert!(fnmatch("outputs/sub/x.arrow", "outputs/*.arrow"));
        assert!(!fnmatch("outputs.arrow", "outputs/*.arrow"));
        assert!(!fnmatch("outputs/*", "outputs/*.arrow"));
        assert!(fnmatch("abd", "a[!x]d"));
        assert!(!fnmatch("axd", "a[!x]d"));
        assert!(fnmatch("a[b", "a[b"));
        let long = "a".repeat(200);
        assert!(!fnmatch(&long, &"*a".repeat(40).replace("*a*a", "*a*b")));
    }
}
