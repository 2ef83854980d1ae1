//! Words of the index and of a query. The page's script (templates/static/search.js,
//! `tokenize`) splits a query the same way; a change here must be made there too.

use std::cmp::Ordering;

/// Lower-cased runs of letters and digits. A date `YYYY-MM-DD` (or `YYYY-MM`) stays one
/// word, so that a query `2023-04` finds April 2023 by prefix instead of every record
/// that contains a `04` somewhere.
pub fn tokenize(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let runs: Vec<(usize, usize)> = runs(&lower);
    let mut words = Vec::with_capacity(runs.len());
    let mut i = 0;
    while i < runs.len() {
        let (start, end) = runs[i];
        let mut taken = 1;
        if is_digits(&lower[start..end], 4) {
            // Join `-MM` and then `-DD` while each follows directly after a hyphen.
            let mut last = end;
            for step in 1..=2 {
                match runs.get(i + step) {
                    Some(&(s, e))
                        if s == last + 1
                            && &lower[last..s] == "-"
                            && is_digits(&lower[s..e], 2) =>
                    {
                        last = e;
                        taken = step + 1;
                    }
                    _ => break,
                }
            }
            words.push(lower[start..last].to_owned());
        } else {
            words.push(lower[start..end].to_owned());
        }
        i += taken;
    }
    words
}

/// Names made of words joined by `-` or `_` (`covid-vaccine-coverage`,
/// `generate_study_population`), whole and lower-cased. They are terms too, so that a
/// pasted workspace or action name is one look-up rather than one per part, and the parts
/// common to many names (`study`, `analysis`) need not be checked at all.
pub fn compounds(text: &str) -> Vec<String> {
    pieces(text)
        .into_iter()
        .filter(|p| p.contains(['-', '_']) && tokenize(p).len() > 1)
        .collect()
}

/// A name of several plain words (a researcher's "Peter Schultze") as one term,
/// `peter-schultze`: the index holds it beside the words, so a query of the whole name is
/// one exact lookup rather than an intersection of two common words. None for a single
/// word, or when a piece is already joined by `-`/`_`.
pub fn phrase(text: &str) -> Option<String> {
    let pieces = pieces(text);
    let plain = pieces.len() > 1 && pieces.iter().all(|p| !p.contains(['-', '_']));
    plain.then(|| tokenize(text).join("-"))
}

/// Runs of letters, digits, `-` and `_`, lower-cased, without `-`/`_` at either end.
pub fn pieces(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .map(|p| p.trim_matches(['-', '_']))
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Byte ranges of the runs of letters and digits.
fn runs(text: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric();
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, text.len()));
    }
    runs
}

fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Terms are ordered as JavaScript compares strings (UTF-16 code units), so that the
/// page's binary search over shard boundaries agrees with the build's order.
/// UTF-8's byte order is UTF-16's except between U+E000..U+FFFF and the supplementary
/// planes, which both start with a byte of 0xEE or more: only such strings pay for the
/// conversion.
pub fn js_order(a: &str, b: &str) -> Ordering {
    let plain = |s: &str| s.bytes().all(|c| c < 0xEE);
    if plain(a) || plain(b) {
        a.as_bytes().cmp(b.as_bytes())
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_and_lower_cases() {
        assert_eq!(tokenize("Iain Dillingham"), ["iain", "dillingham"]);
        assert_eq!(
            tokenize("generate_study_population"),
            ["generate", "study", "population"]
        );
        assert_eq!(
            tokenize("covid-vaccine-not-done-branch"),
            ["covid", "vaccine", "not", "done", "branch"]
        );
        assert_eq!(tokenize("  Zoë O'Brien "), ["zoë", "o", "brien"]);
        assert!(tokenize(" -_/ ").is_empty());
    }

    #[test]
    fn dates_stay_whole() {
        assert_eq!(tokenize("2023-04-18"), ["2023-04-18"]);
        assert_eq!(tokenize("2023-04"), ["2023-04"]);
        assert_eq!(tokenize("since 2023-04-18x"), ["since", "2023-04", "18x"]);
        assert_eq!(tokenize("covid-2021-22"), ["covid", "2021-22"]);
        assert_eq!(tokenize("12345-01"), ["12345", "01"]);
        assert_eq!(tokenize("2023--04"), ["2023", "04"]);
    }

    #[test]
    fn identifiers_and_shas_are_single_words() {
        assert_eq!(tokenize("pzztw7wladpqkpqb"), ["pzztw7wladpqkpqb"]);
        assert_eq!(tokenize("0478B826"), ["0478b826"]);
        assert_eq!(tokenize("21418"), ["21418"]);
    }

    #[test]
    fn phrases_join_plain_words() {
        assert_eq!(phrase("Peter Schultze").as_deref(), Some("peter-schultze"));
        assert_eq!(
            phrase("  Ana  de la Cruz ").as_deref(),
            Some("ana-de-la-cruz")
        );
        assert_eq!(phrase("Peter"), None);
        assert_eq!(phrase("covid-vaccine coverage"), None);
    }

    #[test]
    fn compounds_are_whole_names() {
        assert_eq!(
            compounds("Workspace covid-vaccine_coverage, run generate_study_population."),
            ["covid-vaccine_coverage", "generate_study_population"]
        );
        assert!(compounds("2023-04-18 simple -words- _x_").is_empty());
        assert_eq!(compounds("--study-2--"), ["study-2"]);
    }

    #[test]
    fn order_is_javascripts() {
        // U+FF21 sorts before U+1F600 in UTF-8 bytes but after it in UTF-16 units.
        assert_eq!(js_order("\u{ff21}", "\u{1f600}"), Ordering::Greater);
        assert_eq!(js_order("ab", "abc"), Ordering::Less);
    }
}
