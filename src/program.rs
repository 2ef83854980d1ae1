//! What identifies this build of jobaudit: a hash of its own executable, so that a page
//! or a memo made by any other build of the program (a newer release, a change to how a
//! page is made) is never taken for what this one would make.

use std::sync::OnceLock;

/// The hash of the running executable, or of the package version if it cannot be read.
pub fn fingerprint() -> u128 {
    static FINGERPRINT: OnceLock<u128> = OnceLock::new();
    *FINGERPRINT.get_or_init(|| {
        let exe = std::env::current_exe().and_then(std::fs::read);
        match exe {
            Ok(bytes) => xxhash_rust::xxh3::xxh3_128(&bytes),
            Err(_) => xxhash_rust::xxh3::xxh3_128(env!("CARGO_PKG_VERSION").as_bytes()),
        }
    })
}
