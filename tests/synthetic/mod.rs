//! A large export for measuring the search index at the scale the issue names (100,000
//! requests), made by the project's own generator (`jobaudit synth`) and read back as a
//! site would read it.

#![allow(dead_code, unreachable_pub)]

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

/// The audit of a synthetic export of `n` requests (seed 1).
pub fn audit(n: u64) -> Audit {
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
