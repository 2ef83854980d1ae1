//! Progress of a long build, reported stage by stage. The library only counts; the
//! command line decides whether and how to draw it (a bar on a terminal, nothing in CI).

/// Receives a build's progress. Called from many threads.
pub trait Progress: Sync {
    /// A stage of `total` steps begins.
    fn start(&self, stage: &'static str, total: usize);
    /// One step of the current stage is done.
    fn tick(&self);
    /// The current stage is over.
    fn finish(&self);
}

/// Reports nothing.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: &'static str, _: usize) {}
    fn tick(&self) {}
    fn finish(&self) {}
}
