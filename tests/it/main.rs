//! Every integration test of jobaudit, in one test binary: one to link instead of twenty,
//! which was most of what `cargo test` spent building. Run one module with
//! `cargo test --test it <module>::` (e.g. `cargo test --test it catalogue::`).
//!
//! The tests run as threads of one process, so none may change what the process shares:
//! its environment, its working folder, fixed paths or ports. They build into temporary
//! folders, run the binary with its own environment, and take ports from the system. The
//! one thing they share on purpose is read-only: the large synthetic audit of
//! `common::synthetic`, made once for the two search tests that query it.
//!
//! Helpers:
//! - `common`: building a site into a temporary folder and reading its pages as parsed
//!   HTML; `common::cdp` drives headless Chromium, `common::server` serves a tree on
//!   loopback, `common::synthetic` makes a large export with the project's generator.
//! - `pipeline_common`: project.yaml builders and the table runner of the pipeline cases.
//!
//! Tests, one module each:
//! - `browse_pages`: the pages around the request pages, checked against their export.
//! - `browser`: headless Chromium browses the built site from disk and from a CDN.
//! - `catalogue`: bad inputs and careless use (issue 22), a submodule per kind of fault.
//! - `cli`: the command line as a user runs it: exit codes, summaries, `pipeline`.
//! - `default_export`: the export in `data/` reads cleanly and matches the seed pages.
//! - `edge_export`: the edge-case export of `tests/fixtures/edge`, read and built.
//! - `highlight_size`: highlighted project.yaml is at most 3× its source (corpus).
//! - `incremental`: a build into an existing output keeps unchanged files and equals a
//!   full build.
//! - `pipeline_api`: jobaudit's additions to the pipeline library (needs, spans, report).
//! - `pipeline_corpus`: agreement with the real library over `../shared/corpus`.
//! - `pipeline_edge_cases`: the oracle-verified edge cases of spec/pipeline.md §21.
//! - `pipeline_pages`: the pipeline as the request pages present it.
//! - `pipeline_upstream`: the library's own test suite, against jobaudit's API.
//! - `schema`: the JSON Schemas in `schema/` accept and reject what the reader does.
//! - `search_browser`: the search page in headless Chromium, from disk and over HTTP.
//! - `search_index`: the search shards a build writes, and a query's cost at scale.
//! - `seed_pages`: the five seed pages' facts, read from the pages built from `data/`.
//! - `site_tree`: a built tree: links resolve, builds repeat, failures keep the site.
//! - `synth`: the synthetic export generator is deterministic and says what it wrote.
//!
//! Tests that need `../shared/corpus` say on stderr that they skipped when it is missing.

// A test binary has no public API: `pub` in a helper module means "for the test
// modules", and `pub(crate)` on each of them would say nothing more.
#![allow(unreachable_pub)]

mod common;
mod pipeline_common;

mod browse_pages;
mod browser;
mod catalogue;
mod cli;
mod default_export;
mod edge_export;
mod highlight_size;
mod incremental;
mod pipeline_api;
mod pipeline_corpus;
mod pipeline_edge_cases;
mod pipeline_pages;
mod pipeline_upstream;
mod schema;
mod search_browser;
mod search_index;
mod seed_pages;
mod site_tree;
mod synth;
