//! project.yaml highlighted at build time with syntect, as a few short CSS classes (one
//! stylesheet serves light and dark), with an anchor per line and per action, and
//! script paths in `run:` linked the way job-server links them.
//!
//! A text is highlighted once however many requests share it; what differs between
//! requests (the commit in script links, which actions were requested) is filled in by
//! `HighlightedPipeline::for_request`, a few string replacements.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::fmt::Write;
use std::sync::OnceLock;
use syntect::parsing::{
    ParseState, Scope, ScopeStack, SyntaxDefinition, SyntaxReference, SyntaxSet, SyntaxSetBuilder,
};

use super::graph::{GraphLayout, lay_out};
use super::plain_lines;
use crate::audit::PipelineEntry;
use crate::pipeline::{LineSpan, Pipeline, RUN_ALL};

/// Stands where a script link's `<repo>/blob/<sha>/` goes. Unescaped `"` never occurs in
/// escaped text, so this cannot be forged by the input.
const BLOB_SENTINEL: &str = "\"\"BLOB\"";

pub struct Highlighter {
    syntaxes: SyntaxSet,
    classes: Vec<(Scope, &'static str)>,
}

/// Highlighted HTML of one project.yaml text, line by line, not yet tied to a request.
#[derive(Debug, Clone)]
pub struct HighlightedPipeline {
    /// Inner HTML of each line (no line break), with script links still to be aimed.
    lines: Vec<String>,
    /// Each action's name and lines, for its `#action-<name>` block.
    actions: Vec<(String, LineSpan)>,
}

/// What is drawn from the distinct pipelines of a build. Graph layouts are small and
/// kept, each made the first time a page asks for it. Highlighted files are large, so they
/// are made for a group of requests and dropped after it (see `site::build`): memory
/// stays bounded by what is being rendered, not by the number of pipelines.
pub struct Drawings<'a> {
    highlighter: &'a Highlighter,
    pipelines: &'a [PipelineEntry],
    graphs: Vec<OnceLock<Option<(GraphLayout, usize)>>>,
    /// The bytes of each text's graph (None when the pipeline is invalid), as earlier
    /// builds found them: which pipelines get a page of their own depends on it, and a
    /// night's build should not lay out every graph to learn it again.
    sizes: Vec<OnceLock<Option<usize>>>,
}

/// The bytes of each pipeline text's graph, by `export::text_hash`, as a build found
/// them; kept between builds in the memo.
pub type GraphSizes = FxHashMap<u128, Option<usize>>;

impl<'a> Drawings<'a> {
    pub fn new(
        highlighter: &'a Highlighter,
        pipelines: &'a [PipelineEntry],
        known: &GraphSizes,
    ) -> Drawings<'a> {
        Drawings {
            highlighter,
            pipelines,
            graphs: pipelines.iter().map(|_| OnceLock::new()).collect(),
            sizes: pipelines
                .iter()
                .map(|p| match known.get(&p.hash) {
                    Some(&size) => OnceLock::from(size),
                    None => OnceLock::new(),
                })
                .collect(),
        }
    }

    /// The bytes of pipeline `i`'s graph, when it is valid.
    pub fn graph_bytes(&self, i: usize) -> Option<usize> {
        *self.sizes[i].get_or_init(|| self.graph(i).map(|(_, bytes)| bytes))
    }

    /// The graph sizes this build knows, for the next.
    pub fn sizes(&self) -> GraphSizes {
        self.pipelines
            .iter()
            .zip(&self.sizes)
            .filter_map(|(p, size)| Some((p.hash, *size.get()?)))
            .collect()
    }

    /// Pipeline `i` of `Audit::pipelines`, highlighted.
    pub fn highlight(&self, i: usize) -> HighlightedPipeline {
        let entry = &self.pipelines[i];
        self.highlighter
            .highlight(entry.text(), entry.parsed().as_ref().ok())
    }

    /// One line highlighted on its own, for diffs.
    pub fn line(&self, line: &str) -> String {
        self.highlighter.line(line)
    }

    /// The graph layout of pipeline `i`, when it is valid, and the bytes of its SVG.
    pub fn graph(&self, i: usize) -> Option<(&GraphLayout, usize)> {
        let cell = self.graphs[i].get_or_init(|| {
            let pipeline = self.pipelines[i].parsed().as_ref().ok()?;
            let layout = lay_out(pipeline);
            // A graph too large to lay out is too large to draw.
            let bytes = match layout.is_drawn() {
                true => layout
                    .svg(pipeline, &[], &|_| None, &|a| format!("#action-{a}"))
                    .len(),
                false => usize::MAX,
            };
            Some((layout, bytes))
        });
        cell.as_ref().map(|(layout, bytes)| (layout, *bytes))
    }
}

/// Our grammar (`project_yaml.sublime-syntax`) in a syntax set of its own. It is part of
/// the program, so a grammar that does not load is a bug, caught by the tests.
fn project_yaml_syntax() -> SyntaxSet {
    let mut builder = SyntaxSetBuilder::new();
    builder.add_plain_text_syntax();
    let definition =
        SyntaxDefinition::load_from_str(include_str!("project_yaml.sublime-syntax"), true, None)
            .expect("the built-in project.yaml grammar loads");
    builder.add(definition);
    builder.build()
}

impl Default for Highlighter {
    fn default() -> Self {
        Highlighter::new()
    }
}

impl Highlighter {
    pub fn new() -> Highlighter {
        // Innermost matching scope decides; these few classes are all the stylesheet has.
        let classes = [
            ("comment", "c"),
            ("entity.name.tag", "k"),
            ("constant.numeric", "n"),
            ("constant.language", "n"),
            ("entity.name.other.anchor", "t"),
            ("variable.other.alias", "t"),
            ("storage.type.tag-handle", "t"),
            ("string", "s"),
        ]
        .into_iter()
        .filter_map(|(scope, class)| Scope::new(scope).ok().map(|s| (s, class)))
        .collect();
        Highlighter {
            syntaxes: project_yaml_syntax(),
            classes,
        }
    }

    fn yaml(&self) -> &SyntaxReference {
        self.syntaxes
            .find_syntax_by_extension("yaml")
            .unwrap_or_else(|| self.syntaxes.find_syntax_plain_text())
    }

    /// Highlights `text`. With a valid `pipeline`, each action's lines become an
    /// `#action-<name>` block and the script paths of its `run:` value become links.
    pub fn highlight(&self, text: &str, pipeline: Option<&Pipeline>) -> HighlightedPipeline {
        let source: Vec<&str> = text.split_inclusive('\n').collect();
        let (run_tokens, run_lines) = pipeline
            .map(|p| run_value_lines(p, &source))
            .unwrap_or_default();
        let links = |i: usize| {
            run_lines
                .get(i)
                .copied()
                .flatten()
                .map_or(&[][..], |t| run_tokens[t].as_slice())
        };
        let lines = self.highlight_lines(&source, &links);
        let actions = pipeline
            .map(|p| {
                p.actions
                    .iter()
                    .map(|a| (a.name.clone(), a.lines))
                    .collect()
            })
            .unwrap_or_default();
        HighlightedPipeline { lines, actions }
    }

    /// Each of `source`'s lines highlighted, `links` giving the script paths to link on
    /// line `i` (0-based). A large text is cut into pieces highlighted on every core,
    /// each from the state the parser is in after an empty first line. Where a piece did
    /// not end in that state, the pieces after it are highlighted again, in order, from
    /// the state it did end in: the result is the sequential one whatever the cuts.
    /// (A parser state holds regex captures that cannot cross threads, so each piece's
    /// end is compared where it was made.)
    fn highlight_lines<'s>(
        &self,
        source: &[&str],
        links: &(dyn Fn(usize) -> &'s [String] + Sync),
    ) -> Vec<String> {
        let total: usize = source.iter().map(|l| l.len()).sum();
        let size = PIECE_BYTES.max(total / (4 * rayon::current_num_threads()).max(1));
        self.highlight_pieces(source, links, &pieces(source, size))
    }

    /// `highlight_lines`, cut into `pieces`.
    fn highlight_pieces<'s>(
        &self,
        source: &[&str],
        links: &(dyn Fn(usize) -> &'s [String] + Sync),
        pieces: &[std::ops::Range<usize>],
    ) -> Vec<String> {
        let run = |range: std::ops::Range<usize>, at: &mut Resume| -> Vec<String> {
            let main = self.restart();
            source[range.clone()]
                .iter()
                .zip(range)
                .map(|(line, i)| {
                    let mut html = String::with_capacity(line.len() * 2);
                    self.highlight_line(line, at, &main, links(i), &mut html);
                    html
                })
                .collect()
        };
        let start = |k: usize| {
            if k == 0 {
                (ParseState::new(self.yaml()), ScopeStack::new())
            } else {
                self.restart()
            }
        };
        let mut done: Vec<(Vec<String>, bool)> = pieces
            .par_iter()
            .enumerate()
            .map(|(k, range)| {
                let mut at = start(k);
                let html = run(range.clone(), &mut at);
                (html, at == self.restart())
            })
            .collect();
        let last = pieces.len() - 1;
        if let Some(first_unclean) = done[..last].iter().position(|(_, clean)| !clean) {
            let mut at = start(first_unclean);
            run(pieces[first_unclean].clone(), &mut at);
            for k in first_unclean + 1..pieces.len() {
                done[k].0 = run(pieces[k].clone(), &mut at);
            }
        }
        done.into_iter().flat_map(|(html, _)| html).collect()
    }

    /// The state a piece after the first starts from: a parser past one empty line
    /// (only a file's first line is parsed as a first line).
    fn restart(&self) -> Resume {
        let mut state = ParseState::new(self.yaml());
        let mut stack = ScopeStack::new();
        for (_, op) in state.parse_line("\n", &self.syntaxes).unwrap_or_default() {
            let _ = stack.apply(&op);
        }
        (state, stack)
    }

    /// One line highlighted with a fresh parser state: close enough for diff rows, and
    /// costs only the lines drawn.
    pub fn line(&self, line: &str) -> String {
        let (mut at, main) = (self.restart(), self.restart());
        let mut html = String::with_capacity(line.len() * 2);
        self.highlight_line(&format!("{line}\n"), &mut at, &main, &[], &mut html);
        html
    }

    /// Line `line` highlighted into `out`, from the parser state `at`, which it leaves
    /// as the line leaves it. A plain line in the grammar's main context (`main`) is
    /// classed without the regex engine (`plain_lines`), and leaves the state as it is.
    fn highlight_line(
        &self,
        line: &str,
        at: &mut Resume,
        main: &Resume,
        links: &[String],
        out: &mut String,
    ) {
        let content = line.trim_end_matches(['\n', '\r']);
        let plain = (*at == *main)
            .then(|| plain_lines::plain_runs(content))
            .flatten();
        match plain {
            Some(runs) => write_runs(runs.into_iter(), links, out),
            None => {
                let runs = self.grammar_runs(line, content, at);
                write_runs(runs.iter().map(|(c, t)| (*c, t.as_str())), links, out);
            }
        }
    }

    /// The classed runs of `line` (`content` without its line break) as the grammar
    /// parses it from `at`; adjacent runs of one class are merged.
    fn grammar_runs(
        &self,
        line: &str,
        content: &str,
        (state, stack): &mut Resume,
    ) -> Vec<(Option<&'static str>, String)> {
        let ops = state.parse_line(line, &self.syntaxes).unwrap_or_default();
        let mut merged: Vec<(Option<&'static str>, String)> = Vec::new();
        let mut push = |class: Option<&'static str>, from: usize, to: usize| {
            let to = to.min(content.len());
            if from >= to {
                return;
            }
            match merged.last_mut() {
                Some((c, t)) if *c == class => t.push_str(&content[from..to]),
                _ => merged.push((class, content[from..to].to_owned())),
            }
        };
        let mut start = 0;
        for (offset, op) in ops {
            push(self.class_of(stack), start, offset);
            start = offset.max(start);
            let _ = stack.apply(&op);
        }
        push(self.class_of(stack), start, content.len());
        merged
    }

    fn class_of(&self, stack: &ScopeStack) -> Option<&'static str> {
        stack.as_slice().iter().rev().find_map(|scope| {
            self.classes
                .iter()
                .find(|(s, _)| s.is_prefix_of(*scope))
                .map(|(_, c)| *c)
        })
    }
}

impl HighlightedPipeline {
    /// The whole file for one request: an anchor per line, a block per action (the
    /// requested ones with the class `req`), and script links pointing into `blob_base`
    /// (`<repo>/blob/<sha>/`, or the bare repo URL when the sha is empty, as job-server
    /// does).
    pub fn for_request(&self, blob_base: &str, requested: &[String]) -> String {
        let blob = format!("\"{}", escape(blob_base));
        let requested: FxHashSet<&str> = requested.iter().map(String::as_str).collect();
        // Actions by first and by last line, so each line finds its own in one pass
        // (ties keep file order, as blocks opening on one line nest in that order).
        let mut by_start: Vec<&(String, LineSpan)> = self.actions.iter().collect();
        by_start.sort_by_key(|(_, span)| span.start);
        let mut ends: Vec<usize> = self.actions.iter().map(|(_, span)| span.end).collect();
        ends.sort_unstable();
        let (mut opening, mut closing) = (by_start.iter().peekable(), ends.iter().peekable());
        let mut html = String::with_capacity(self.len() + self.lines.len() * 32);
        html.push_str("<pre class=\"yaml\"><code>");
        for (i, line) in self.lines.iter().enumerate() {
            let number = i + 1;
            while let Some((name, _)) = opening.next_if(|(_, span)| span.start <= number) {
                let class = if requested.contains(name.as_str()) {
                    "act req"
                } else {
                    "act"
                };
                let _ = write!(
                    html,
                    "<span class=\"{class}\" id=\"action-{}\">",
                    escape(name)
                );
            }
            // Unquoted attributes: valid HTML, and a few bytes on every line.
            let _ = write!(html, "<a id=L{number} href=#L{number}></a>");
            if line.contains(BLOB_SENTINEL) {
                html.push_str(&line.replace(BLOB_SENTINEL, &blob));
            } else {
                html.push_str(line);
            }
            html.push('\n');
            while closing.next_if(|end| **end <= number).is_some() {
                html.push_str("</span>");
            }
        }
        html.push_str("</code></pre>");
        html
    }

    /// Inner HTML of each line, links aimed at `blob_base`: for diffs.
    pub fn line_html(&self, blob_base: &str) -> Vec<String> {
        let blob = format!("\"{}", escape(blob_base));
        self.lines
            .iter()
            .map(|l| l.replace(BLOB_SENTINEL, &blob))
            .collect()
    }

    /// Bytes of highlighted line HTML, before anchors and per-request links.
    pub fn len(&self) -> usize {
        self.lines.iter().map(String::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Writes classed runs as HTML, script paths among `links` linked. Keys, on nearly every
/// line, are plain `<b>`; the rarer classes are `<i>` with an unquoted class. Both are
/// valid HTML, and bytes per token count here.
fn write_runs<'t>(
    runs: impl Iterator<Item = (Option<&'static str>, &'t str)>,
    links: &[String],
    out: &mut String,
) {
    for (class, text) in runs {
        let body = link_scripts(text, links);
        match class {
            Some("k") => {
                let _ = write!(out, "<b>{body}</b>");
            }
            Some(class) => {
                let _ = write!(out, "<i class={class}>{body}</i>");
            }
            None => out.push_str(&body),
        }
    }
}

/// A parser's state between two lines, and the scopes it has open.
type Resume = (ParseState, ScopeStack);

/// Texts smaller than this are highlighted in one piece: nearly every project.yaml, and
/// the build already highlights many of them at once.
const PIECE_BYTES: usize = 256 << 10;

/// The lines of `source` cut into pieces of `size` bytes or more, each starting at a
/// line where the parser is likely back at the top of the grammar: one not indented
/// beyond an action's name that starts a key.
fn pieces(source: &[&str], size: usize) -> Vec<std::ops::Range<usize>> {
    let mut pieces = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, line) in source.iter().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let key = line[indent..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        if bytes >= size && indent <= 2 && key {
            pieces.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += line.len();
    }
    pieces.push(start..source.len());
    pieces
}

/// The script tokens of each action's `run:` value, and for each line (0-based) which of
/// them to link on it: one pass over the actions' lines, not a search per line.
fn run_value_lines(pipeline: &Pipeline, lines: &[&str]) -> (Vec<Vec<String>>, Vec<Option<usize>>) {
    let mut tokens_of = Vec::new();
    let mut line_tokens: Vec<Option<usize>> = vec![None; lines.len()];
    for action in &pipeline.actions {
        if action.name == RUN_ALL {
            continue;
        }
        let tokens = script_tokens(&action.run.raw);
        if tokens.is_empty() {
            continue;
        }
        let t = tokens_of.len();
        tokens_of.push(tokens);
        // Where actions share a line, the first action's tokens are linked.
        let mut mark = |number: usize| {
            let slot = &mut line_tokens[number - 1];
            slot.get_or_insert(t);
        };
        let (start, end) = (action.lines.start, action.lines.end.min(lines.len()));
        let mut run_indent = None;
        for number in start..=end {
            let line = lines[number - 1];
            let indent = line.len() - line.trim_start().len();
            let trimmed = line.trim_start();
            match run_indent {
                None if trimmed.starts_with("run:") || trimmed.starts_with("run :") => {
                    run_indent = Some(indent);
                    mark(number);
                }
                Some(key_indent)
                    if trimmed.is_empty() || indent > key_indent || trimmed.starts_with('#') =>
                {
                    mark(number);
                }
                Some(_) => run_indent = None,
                None => {}
            }
        }
    }
    (tokens_of, line_tokens)
}

/// job-server's rule (spec/job-server.md §5.2): split the run string on spaces; a token
/// is a script path when it contains `/`, does not start with `-` and does not contain
/// `output`.
pub fn script_tokens(run: &str) -> Vec<String> {
    let mut tokens: Vec<String> = run
        .split_whitespace()
        .filter(|t| t.contains('/') && !t.starts_with('-') && !t.contains("output"))
        .map(str::to_owned)
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}

/// The path a script token links to: `/workspace/`, `./` or `/` removed.
fn script_path(token: &str) -> &str {
    ["/workspace/", "./", "/"]
        .iter()
        .find_map(|p| token.strip_prefix(p))
        .unwrap_or(token)
}

/// Escapes `text`, linking whole whitespace-separated words that are script tokens.
fn link_scripts(text: &str, tokens: &[String]) -> String {
    if tokens.is_empty() {
        return escape(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let word_start = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        // Whitespace too: some of it (U+000B, U+0085) is a control HTML forbids.
        crate::escape::push_html(&mut out, &rest[..word_start]);
        rest = &rest[word_start..];
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..word_end];
        if tokens.iter().any(|t| t == word) {
            let _ = write!(
                out,
                "<a href={BLOB_SENTINEL}{}\">{}</a>",
                escape(&crate::escape::url_path(script_path(word))),
                escape(word)
            );
        } else {
            out.push_str(&escape(word));
        }
        rest = &rest[word_end..];
    }
    out
}

/// HTML-escapes text for element content and double-quoted attributes.
pub use crate::escape::html as escape;

#[cfg(test)]
mod tests {
    use super::*;

    impl Highlighter {
        /// A line as the grammar alone highlights it, from `at`.
        fn grammar_html(&self, line: &str, at: &mut Resume) -> String {
            let content = line.trim_end_matches(['\n', '\r']);
            let runs = self.grammar_runs(line, content, at);
            let mut html = String::new();
            write_runs(runs.iter().map(|(c, t)| (*c, t.as_str())), &[], &mut html);
            html
        }
    }

    /// Every line of every project.yaml at hand (the corpus when it is beside the crate,
    /// the crate's fixtures, and generated lines of the characters plain lines may hold)
    /// is classed by `plain_lines` as the grammar classes it, wherever `plain_lines`
    /// takes it on.
    #[test]
    fn plain_lines_are_classed_as_the_grammar_classes_them() {
        let h = Highlighter::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts: Vec<String> = Vec::new();
        let corpus = root.join("../shared/corpus/raw");
        if !corpus.is_dir() {
            // Straight to stderr: the test harness captures what `eprintln!` prints, and a
            // skip must be seen.
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!("corpus lines skipped: {} is not there\n", corpus.display()),
            );
        }
        for dir in [
            corpus,
            root.join("tests/fixtures"),
            root.join("data/pipelines"),
        ] {
            for entry in walkdir::WalkDir::new(dir)
                .into_iter()
                .filter_map(Result::ok)
            {
                if entry.file_type().is_file()
                    && let Ok(text) = std::fs::read_to_string(entry.path())
                {
                    texts.push(text);
                }
            }
        }
        // Generated lines over the characters that decide a plain line's classes.
        let alphabet: Vec<char> = " -:#,.+_eE0159aTtNnFf~ru".chars().collect();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut generated = String::new();
        for _ in 0..20_000 {
            let len = (state >> 60) as usize + 1;
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                generated.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            generated.push('\n');
        }
        for word in [
            "true", "null", "False", "~", "1.5e3", "-2", ".5", "1_000", "0x1",
        ] {
            for line in [
                word.to_string(),
                format!("a: {word}"),
                format!("- {word} # c"),
                format!("a: b:{word},"),
                format!("x{word}: {word}x"),
            ] {
                generated.push_str(&line);
                generated.push('\n');
            }
        }
        texts.push(generated);
        let main = h.restart();
        let (mut taken, mut lines) = (0, 0);
        for text in &texts {
            for line in text.split_inclusive('\n') {
                let content = line.trim_end_matches(['\n', '\r']);
                let Some(runs) = plain_lines::plain_runs(content) else {
                    continue;
                };
                lines += 1;
                let mut plain = String::new();
                write_runs(runs.into_iter(), &[], &mut plain);
                let mut at = h.restart();
                let grammar = h.grammar_html(line, &mut at);
                assert_eq!(plain, grammar, "line {line:?}");
                assert!(
                    at == main,
                    "a plain line leaves the state as it was: {line:?}"
                );
                taken += 1;
            }
        }
        assert!(taken > 20_000, "{taken} of {lines} lines compared");
    }

    /// A large text highlighted in pieces is highlighted as one parse of the whole text
    /// would: pieces cut where the parser is at the top of the grammar, and pieces cut
    /// inside a block scalar or a flow collection (whose lines at the cut look like
    /// keys), which are highlighted again in order.
    #[test]
    fn pieces_highlight_as_one_parse_does() {
        let h = Highlighter::new();
        let mut clean = String::from("version: '4.0'\nactions:\n");
        let mut tricky = clean.clone();
        for i in 0..6000 {
            let action = format!(
                "  a_{i}:\n    run: python:latest analysis/a_{i}.py # note\n    outputs:\n      moderately_sensitive:\n        t: output/t_{i}.csv\n"
            );
            clean.push_str(&action);
            tricky.push_str(&action);
            if i % 700 == 0 {
                tricky.push_str(
                    "  text_{i}: |\n  looks_like: a key\n  quote: \"open\n  still: open\"\n",
                );
                tricky.push_str("  flow: [a,\nb: c,\n  d]\n");
            }
        }
        for text in [clean, tricky] {
            let source: Vec<&str> = text.split_inclusive('\n').collect();
            let mut at = (ParseState::new(h.yaml()), ScopeStack::new());
            let whole: Vec<String> = source
                .iter()
                .map(|line| h.grammar_html(line, &mut at))
                .collect();
            assert!(h.highlight_lines(&source, &|_| &[]) == whole);
            // Cut at every line that looks like a key, inside the scalars too.
            let everywhere = pieces(&source, 1);
            assert!(everywhere.len() > 6000);
            assert!(h.highlight_pieces(&source, &|_| &[], &everywhere) == whole);
        }
    }

    #[test]
    fn script_tokens_follow_job_servers_rule() {
        assert_eq!(
            script_tokens(
                "python:latest python analysis/model.py --output output/x.csv -f a/b ./x/y.R"
            ),
            vec!["./x/y.R", "a/b", "analysis/model.py"]
        );
        assert_eq!(script_path("/workspace/analysis/a.py"), "analysis/a.py");
        assert_eq!(script_path("./a/b.R"), "a/b.R");
    }

    #[test]
    fn plain_highlighting_escapes_and_anchors_every_line() {
        let h = Highlighter::new();
        let out = h.highlight("a: \"<u>\" # c&d\nb: 1\n", None);
        let html = out.for_request("https://x/blob/1/", &[]);
        assert!(html.contains("<a id=L1 href=#L1></a>") && html.contains("<a id=L2 href=#L2></a>"));
        assert!(
            html.contains("<i class=s>&quot;&lt;u&gt;&quot;</i>"),
            "{html}"
        );
        assert!(!html.contains("<u>"));
        assert!(html.contains("<b>a</b>"), "{html}");
        assert!(html.contains("<i class=c># c&amp;d</i>"), "{html}");
        assert!(html.contains("<i class=n>1</i>"), "{html}");
    }

    /// Highlights one line of `text` (1-based) and returns its inner HTML.
    fn line(text: &str, n: usize) -> String {
        Highlighter::new().highlight(text, None).lines[n - 1].clone()
    }

    #[test]
    fn the_grammar_tells_keys_strings_comments_and_constants_apart() {
        assert_eq!(
            line("version: '3.0'\n", 1),
            "<b>version</b>: <i class=s>&#39;3.0&#39;</i>"
        );
        assert_eq!(
            line("  - name: x # note\n", 1),
            "  - <b>name</b>: x <i class=c># note</i>"
        );
        assert_eq!(
            line("\"quoted key\": 1.5e3\n", 1),
            "<b>&quot;quoted key&quot;</b>: <i class=n>1.5e3</i>"
        );
        // `#` inside a word is not a comment; `:` inside a value is not a key.
        assert_eq!(
            line("run: r:v2 x.R --a=b#c\n", 1),
            "<b>run</b>: r:v2 x.R --a=b#c"
        );
        assert_eq!(line("needs: [a, b]\n", 1), "<b>needs</b>: [a, b]");
        assert_eq!(
            line("x: &anchor true\n", 1),
            "<b>x</b>: <i class=t>&amp;anchor</i> <i class=n>true</i>"
        );
        // A quoted string may run over several lines.
        let text = "run: \"a\n  b\"\nnext: 2\n";
        assert_eq!(line(text, 2), "<i class=s>  b&quot;</i>");
        assert_eq!(line(text, 3), "<b>next</b>: <i class=n>2</i>");
    }

    #[test]
    fn linked_words_get_the_request_blob_url() {
        let linked = link_scripts("python analysis/x.py <y>", &["analysis/x.py".to_owned()]);
        let lines = HighlightedPipeline {
            lines: vec![linked],
            actions: vec![],
        }
        .line_html("https://g/o/r/blob/abc/");
        assert_eq!(
            lines[0],
            "python <a href=\"https://g/o/r/blob/abc/analysis/x.py\">analysis/x.py</a> &lt;y&gt;"
        );
    }
}
