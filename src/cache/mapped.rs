//! A cache file of the output tree (memo, term index, manifest), mapped rather than read:
//! its pages are the file's own, already in memory after the build that wrote it, where a
//! read copies them into fresh memory, and on a night those faults cost more than all
//! that is done with the bytes.

use std::fs::File;
use std::ops::Deref;
use std::path::Path;

/// A file's bytes from `start` on; empty by default.
#[derive(Default)]
pub struct Mapped {
    map: Option<memmap2::Mmap>,
    start: usize,
}

impl Mapped {
    /// Maps the file at `path`.
    pub fn open(path: &Path) -> std::io::Result<Mapped> {
        let file = File::open(path)?;
        if file.metadata()?.len() == 0 {
            return Ok(Mapped::default());
        }
        // SAFETY: the file is one this program wrote into its own output folder, and no
        // build writes it while another maps it: a build drops its maps before it writes
        // the caches again (in place), and two builds into one folder are not supported.
        // A file changed behind the program's back could change what is read (never the
        // memory around it); the caches carry checksums for the damage that is expected.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file)? };
        Ok(Mapped {
            map: Some(map),
            start: 0,
        })
    }

    /// The bytes past the first `n`.
    pub fn skip(mut self, n: usize) -> Mapped {
        let len = self.map.as_deref().map_or(0, <[u8]>::len);
        self.start = self.start.saturating_add(n).min(len);
        self
    }
}

impl Deref for Mapped {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.map
            .as_deref()
            .and_then(|bytes| bytes.get(self.start..))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_maps_to_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        std::fs::write(&path, b"head:body").unwrap();
        let mapped = Mapped::open(&path).unwrap();
        assert_eq!(&*mapped, b"head:body");
        assert_eq!(&*mapped.skip(5), b"body");
        assert_eq!(&*Mapped::open(&path).unwrap().skip(99), b"");
        std::fs::write(&path, b"").unwrap();
        assert_eq!(&*Mapped::open(&path).unwrap(), b"");
        assert!(Mapped::open(&dir.path().join("missing")).is_err());
    }
}
