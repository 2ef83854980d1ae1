//! Highlighted project.yaml stays compact: at most 3× its source bytes over the real
//! files of `../shared/corpus` (syntect's default classed output is about 12×).
//!
//! Every line carries its anchor (`<a id=L12 href=#L12></a>`, ~20 bytes), which a file
//! of a few short lines cannot amortise: a 64-byte, 6-line file comes out near 4.7×.
//! So the bound holds for the corpus as a whole and for every file of 1 KB or more, and
//! the test prints the worst ratio per size class.

use jobaudit::pipeline;
use jobaudit::render::highlight::Highlighter;
use std::io::Write;

#[test]
fn highlighted_html_is_at_most_three_times_the_source() {
    let corpus = crate::common::manifest_dir().join("../shared/corpus/raw");
    if !corpus.is_dir() {
        // Straight to stderr: the test harness captures what `eprintln!` prints, and a
        // skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: the corpus is not at {} (CI has it there)",
            corpus.display()
        );
        return;
    }
    let highlighter = Highlighter::new();
    let (mut source_total, mut html_total, mut files) = (0usize, 0usize, 0usize);
    let mut worst = (0.0f64, String::new());
    let mut ratios = Vec::new();
    for entry in walkdir::WalkDir::new(&corpus).sort_by_file_name() {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        if text.is_empty() {
            continue;
        }
        let parsed = pipeline::load(&text).ok();
        let html = highlighter.highlight(&text, parsed.as_ref()).for_request(
            "https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/",
            &[],
        );
        let ratio = html.len() as f64 / text.len() as f64;
        ratios.push((text.len(), ratio));
        if ratio > worst.0 {
            worst = (ratio, entry.path().display().to_string());
        }
        source_total += text.len();
        html_total += html.len();
        files += 1;
    }
    let overall = html_total as f64 / source_total as f64;
    println!(
        "{files} files: {source_total} source bytes → {html_total} HTML bytes, ratio {overall:.2}; worst {:.2} ({})",
        worst.0, worst.1
    );
    for bound in [0, 256, 1024, 4096] {
        let max = ratios
            .iter()
            .filter(|(len, _)| *len >= bound)
            .map(|(_, r)| *r)
            .fold(0.0, f64::max);
        println!("files of at least {bound} bytes: worst ratio {max:.2}");
    }
    assert!(files > 400, "only {files} corpus files");
    assert!(overall <= 3.0, "overall ratio {overall:.2}");
    let worst_large = ratios
        .iter()
        .filter(|(len, _)| *len >= 1024)
        .map(|(_, r)| *r)
        .fold(0.0, f64::max);
    assert!(
        worst_large <= 3.0,
        "a file of 1 KB or more reaches {worst_large:.2}"
    );
}
