//! A large export for measuring the search index at the scale the issue names (100,000
//! requests), made by the project's own generator (`jobaudit synth`) and read back as a
//! site would read it. Made once per test run and shared: the tests only read it.

use std::sync::OnceLock;

use jobaudit::audit::{self, Audit};
use jobaudit::export;
use jobaudit_synth::{self as synth, SynthOptions};

/// Requests to make: `JOBAUDIT_SEARCH_SCALE`, default 20,000 (the figure is
/// 100,000; run with it set to check).
pub fn scale() -> u64 {
    std::env::var("JOBAUDIT_SEARCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000)
}

/// The audit of a synthetic export of `scale()` requests, made by the first test that
/// asks (the search index's and the search page's) and shared with the other.
pub fn large() -> &'static Audit {
    static LARGE: OnceLock<Audit> = OnceLock::new();
    LARGE.get_or_init(|| audit(scale()))
}

/// The audit of a synthetic export of `n` requests (seed 1).
fn audit(n: u64) -> Audit {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("export");
    let options = SynthOptions {
        requests: n as usize,
        seed: 1,
        output: output.clone(),
        pipelines: None,
    };
    synth::generate(&options).unwrap();
    audit::audit(export::read(&output).unwrap()).unwrap()
}
