//! Where a build may write: the output folder is jobaudit's alone, one build at a time,
//! and a build killed or starved of disk leaves the previous site whole.

use super::harness::*;

/// The premise of every other case: the harness's export builds, one page a request.
#[test]
fn a_valid_export_builds_every_request() {
    let export = Export::of(&[request(1), request(2)]);
    let run = export.build(&[]);
    run.expect(0, &["2 job requests read, 2 rendered, 0 skipped"]);
    assert_eq!(run.request_pages(), 2);
}
