//! A file's fingerprint: a hash of everything it is made from, so that a file whose
//! fingerprint the previous build's manifest holds need not be made again. What a file
//! is made from is what render says ([`MadeFrom`]: requests, each standing for all that
//! is shown of it, and facts of its own), plus what every file is made from: this build
//! of the program, the renderer (templates, site, assets) and the settings.

use std::hash::Hash;
use xxhash_rust::xxh3::Xxh3Default;

use crate::render::pages::MadeFrom;

/// Computes the fingerprints of one build's files.
pub struct Fingerprints<'a> {
    /// A hasher that has taken in what every file is made from, cloned for each file.
    base: Xxh3Default,
    /// Per request, its fingerprint (`Audit::fingerprints`).
    requests: &'a [u128],
}

impl<'a> Fingerprints<'a> {
    /// For files made by a renderer of `renderer` identity with `settings`, from
    /// requests of fingerprints `requests`.
    pub fn new(renderer: u128, settings: u128, requests: &'a [u128]) -> Fingerprints<'a> {
        let mut base = Xxh3Default::new();
        (crate::program::fingerprint(), renderer, settings).hash(&mut base);
        Fingerprints { base, requests }
    }

    /// The fingerprint of a file made `from`.
    pub fn of(&self, from: &MadeFrom<'_>) -> u128 {
        let mut h = self.base.clone();
        h.update(&(from.requests.len() as u64).to_le_bytes());
        for &n in from.requests {
            h.update(&self.requests[n].to_le_bytes());
        }
        h.update(&from.facts);
        h.digest128()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_changes_with_each_thing_a_file_is_made_from() {
        let requests = [1u128, 2, 3];
        let of = |renderer, settings, from: &MadeFrom<'_>| {
            Fingerprints::new(renderer, settings, &requests).of(from)
        };
        let base = MadeFrom::requests(&[0, 1]).and("page 2");
        let fingerprint = of(7, 8, &base);
        assert_eq!(
            fingerprint,
            of(7, 8, &base.clone()),
            "the same from the same"
        );
        for (other, what) in [
            (of(9, 8, &base), "another renderer"),
            (of(7, 9, &base), "other settings"),
            (
                of(7, 8, &MadeFrom::requests(&[0, 2]).and("page 2")),
                "another request",
            ),
            (
                of(7, 8, &MadeFrom::requests(&[0]).and("page 2")),
                "fewer requests",
            ),
            (
                of(7, 8, &MadeFrom::requests(&[0, 1]).and("page 3")),
                "another fact",
            ),
            (
                of(7, 8, &MadeFrom::requests(&[0, 1]).and("page ").and("2")),
                "facts split",
            ),
        ] {
            assert_ne!(fingerprint, other, "{what}");
        }
    }
}
