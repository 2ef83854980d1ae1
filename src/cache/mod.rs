//! What a build keeps for the next one, behind one door: the memo of what it learnt of
//! its input (`memo`), the term index the search shards were cut from, the manifest of
//! the files it made (`manifest`), and the fingerprint each file was made from
//! (`fingerprint`). Every part is only a shortcut: a first build, or `--full`, runs the
//! same stages with an empty cache, and makes the same bytes.

pub mod fingerprint;
pub mod manifest;
mod mapped;
pub mod memo;

pub use fingerprint::Fingerprints;
pub use mapped::Mapped;
