//! The catalogue of bad inputs and careless use (issue 22). Each case is an input, the
//! command line a user would type, the exit code and diagnostics (file:line, record) it
//! must give, and the job request pages still built from the valid records.
//!
//! One module per kind of fault: `output` (where a build may write, locks, kills, full
//! disks), `records` (the export's files and records), `pipelines` (project.yaml limits)
//! and `formats` (every output file valid under hostile text).

mod formats;
mod harness;
mod output;
mod pipelines;
mod records;
