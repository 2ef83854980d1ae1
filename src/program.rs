//! What identifies this build of jobaudit: a hash of everything it was compiled from
//! (`build.rs`), so that a page or a memo made by any other version (a newer release, a
//! change to how a page is made) is never taken for what this one would make.

/// The hash of this program's sources, templates and locked dependencies.
pub fn fingerprint() -> u128 {
    u128::from_str_radix(env!("JOBAUDIT_SOURCE_HASH"), 16).unwrap_or_default()
}
