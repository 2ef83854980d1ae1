//! Escaping text from the input for each language the site is written in: one function
//! per language, used by every writer of that language, so that no input (markup,
//! quotes, control characters, noncharacters, line separators) can make a file invalid
//! or add markup of its own.
//!
//! * HTML (`html`, `push_html`): `& < > " '` as character references; code points the
//!   HTML parser reports as errors (controls other than ASCII whitespace, noncharacters)
//!   become U+FFFD, the character a browser shows for what it cannot show.
//! * XML 1.0 (`xml`): the same references; code points outside XML 1.0's `Char`
//!   production are dropped, as no escape can write them.
//! * JSON in JavaScript (`json_in_js`): U+2028 and U+2029 escaped (raw they end a line
//!   in older JavaScript), and `<` escaped so that no `</script` or `<!--` can form when
//!   the JSON sits in an inline script.

use std::borrow::Cow;
use std::io::Write;

/// What replaces a code point that HTML may not carry.
const REPLACEMENT: &str = "\u{FFFD}";

/// A noncharacter: U+FDD0–U+FDEF, and the last two code points of every plane.
fn is_noncharacter(c: char) -> bool {
    let n = c as u32;
    (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE
}

/// A code point the HTML parser reports as a parse error wherever it stands: a control
/// other than ASCII whitespace (tab, LF, FF, CR), NUL among them, or a noncharacter.
fn forbidden_in_html(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\x0C' | '\r')) || is_noncharacter(c)
}

/// A code point outside XML 1.0's `Char`: C0 controls other than tab, LF and CR, and
/// U+FFFE, U+FFFF (surrogates cannot occur in a `str`).
fn forbidden_in_xml(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// The reference for a character that markup gives a meaning, in either language.
fn markup_reference(c: char) -> Option<&'static str> {
    Some(match c {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        '"' => "&quot;",
        '\'' => "&#39;",
        _ => return None,
    })
}

/// Whether the byte may start a character that HTML or XML escaping changes: markup,
/// an ASCII control, or the lead byte of a C1 control (`C2`), of U+FDD0–U+FFFF (`EF`)
/// or of a code point beyond the first plane (`F0`–`F4`, whose planes end in
/// noncharacters). Anything else is copied as it is, in runs. A table: every byte of
/// every page's text is looked up.
static MAY_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b'&' | b'<' | b'>' | b'"' | b'\'' | 0..=0x1F | 0x7F | 0xC2 | 0xEF | 0xF0..=0xF4);
        b += 1;
    }
    table
};

/// Hands `emit` the pieces of `text` escaped: runs of bytes that need nothing as they
/// are, and for each character `each` changes, what it becomes.
fn escape_pieces<E>(
    text: &str,
    each: impl Fn(char) -> Option<&'static str>,
    mut emit: impl FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    let mut rest = text;
    while let Some(i) = rest.bytes().position(|b| MAY_ESCAPE[usize::from(b)]) {
        let Some(c) = rest[i..].chars().next() else {
            break;
        };
        let end = i + c.len_utf8();
        match each(c) {
            Some(replacement) => {
                emit(&rest[..i])?;
                emit(replacement)?;
            }
            None => emit(&rest[..end])?,
        }
        rest = &rest[end..];
    }
    emit(rest)
}

/// Appends `text` to `out` escaped by `each`.
fn push_escaped(out: &mut String, text: &str, each: impl Fn(char) -> Option<&'static str>) {
    let pushed: Result<(), std::convert::Infallible> = escape_pieces(text, each, |piece| {
        out.push_str(piece);
        Ok(())
    });
    let Ok(()) = pushed;
}

fn html_char(c: char) -> Option<&'static str> {
    markup_reference(c).or_else(|| forbidden_in_html(c).then_some(REPLACEMENT))
}

fn xml_char(c: char) -> Option<&'static str> {
    markup_reference(c).or_else(|| forbidden_in_xml(c).then_some(""))
}

/// Appends `text` escaped for HTML element content or a quoted attribute value.
pub fn push_html(out: &mut String, text: &str) {
    push_escaped(out, text, html_char);
}

/// `text` escaped for HTML element content or a quoted attribute value.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_html(&mut out, text);
    out
}

/// `html`, as tera's escape function (`Tera::set_escape_fn`): what templates print,
/// written piece by piece into the page.
pub fn write_html(text: &str, out: &mut dyn Write) -> std::io::Result<()> {
    escape_pieces(text, html_char, |piece| out.write_all(piece.as_bytes()))
}

/// `text` with the code points HTML may not carry replaced, and nothing else changed:
/// for source that a parser of its own turns into HTML (Markdown pages), before it
/// does, as no markup is made of those code points.
pub fn html_chars(text: &str) -> Cow<'_, str> {
    if !text.chars().any(forbidden_in_html) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if forbidden_in_html(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

/// `text` escaped for XML 1.0 character data or a quoted attribute value (feeds,
/// sitemaps), without the code points XML 1.0 cannot carry.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped(&mut out, text, xml_char);
    out
}

/// `text` as a part of a URL's path: `/` and the characters RFC 3986 leaves unreserved
/// as they are, every other byte percent-encoded, so that a branch or a file name from
/// the input (`#`, `?`, spaces, non-ASCII) stays one path in a valid URL.
pub fn url_path(text: &str) -> Cow<'_, str> {
    percent_encode(text, |b| {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
    })
}

/// `text` as a URL: bytes a URL may not hold as they are (white space, controls,
/// non-ASCII, `"<>\^`{|}`) percent-encoded, the rest as it is.
pub fn url(text: &str) -> Cow<'_, str> {
    percent_encode(text, |b| {
        b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b)
    })
}

/// `text` with every byte that `kept` refuses percent-encoded.
fn percent_encode(text: &str, kept: impl Fn(u8) -> bool) -> Cow<'_, str> {
    if text.bytes().all(&kept) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for b in text.bytes() {
        if kept(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Cow::Owned(out)
}

/// JSON text made safe to be JavaScript source, in a file of its own or inside an
/// inline `<script>`: U+2028, U+2029 and `<` only ever occur inside JSON strings, where
/// `\u` escapes of them mean the same.
pub fn json_in_js(json: String) -> String {
    let needs = |c: char| matches!(c, '<' | '\u{2028}' | '\u{2029}');
    if !json.contains(needs) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_what_a_url_may_hold() {
        assert_eq!(
            url("https://g.com/o/r?a=1&b=%20#x"),
            "https://g.com/o/r?a=1&b=%20#x"
        );
        assert_eq!(
            url("https://g.com/o <b>/é"),
            "https://g.com/o%20%3Cb%3E/%C3%A9"
        );
    }

    #[test]
    fn url_paths_keep_slashes_and_encode_the_rest() {
        assert_eq!(url_path("feature/new-x_1.2~"), "feature/new-x_1.2~");
        assert_eq!(
            url_path("a b#c?d%e\"é\u{0}"),
            "a%20b%23c%3Fd%25e%22%C3%A9%00"
        );
    }

    #[test]
    fn html_escapes_markup_and_replaces_what_html_forbids() {
        assert_eq!(
            html("<b>\"O'Brien\" & co</b>"),
            "&lt;b&gt;&quot;O&#39;Brien&quot; &amp; co&lt;/b&gt;"
        );
        assert_eq!(
            html("a\u{0}b\u{1}\u{7F}\u{85}\u{9F}\u{FDD0}\u{FFFE}\u{FFFF}\u{1FFFF}\u{10FFFE}c"),
            format!("a\u{FFFD}b{}c", "\u{FFFD}".repeat(9))
        );
    }

    #[test]
    fn html_keeps_whitespace_and_ordinary_text() {
        let kept =
            "tab\tlf\nff\x0Ccr\r é 日本 \u{202E}\u{2066}\u{2028}\u{FEFF}👩‍🔬 e\u{301} \u{FFFD}";
        assert_eq!(html(kept), kept);
        assert_eq!(html_chars(kept), kept);
    }

    #[test]
    fn xml_drops_what_xml_forbids() {
        assert_eq!(
            xml("a\u{0}\u{8}\u{B}\u{C}\u{1F}b\t\n\r\u{FFFE}\u{FFFF}<&>\"'"),
            "ab\t\n\r&lt;&amp;&gt;&quot;&#39;"
        );
        let kept = "\u{85}\u{2028}\u{FEFF}\u{FFFD}\u{10FFFF}é";
        assert_eq!(xml(kept), kept);
    }

    #[test]
    fn json_in_js_escapes_line_separators_and_tags() {
        let json = serde_json::to_string("</script><!--\u{2028}\u{2029}").unwrap();
        let js = json_in_js(json);
        assert_eq!(js, r#""\u003c/script>\u003c!--\u2028\u2029""#);
        let back: String = serde_json::from_str(&js).unwrap();
        assert_eq!(back, "</script><!--\u{2028}\u{2029}");
    }
}
