//! Which rules apply to which project version (spec/pipeline.md §3). The library compares
//! the version as a float, so 3.5 gets version 2's rules and `nan` gets version 1's.

/// The newest project version the library knows.
pub const LATEST_VERSION: f64 = 5.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Features {
    pub(crate) unique_output_path: bool,
    /// `expectations.population_size` is required (exactly version 3).
    pub(crate) expectations_population: bool,
    pub(crate) remove_cohortextractor: bool,
    pub(crate) remove_run_all_action: bool,
    pub(crate) remove_latest_tag: bool,
}

impl Features {
    /// The flags for a version; `None` above the latest version, where the library
    /// raises a bare ValueError.
    pub(crate) fn for_version(v: f64) -> Option<Features> {
        if v > LATEST_VERSION {
            return None;
        }
        Some(Features {
            unique_output_path: v >= 2.0,
            expectations_population: (3.0..=3.0).contains(&v),
            remove_cohortextractor: v >= 4.0,
            remove_run_all_action: v >= 5.0,
            remove_latest_tag: v >= 5.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_table() {
        let f = |v| Features::for_version(v);
        assert!(f(6.0).is_none());
        assert!(f(f64::INFINITY).is_none());
        assert_eq!(f(f64::NAN), f(1.0));
        assert_eq!(f(3.5), f(2.0));
        assert!(f(3.0).is_some_and(|x| x.expectations_population));
        assert!(f(4.5).is_some_and(|x| x.remove_cohortextractor && !x.remove_latest_tag));
    }
}
