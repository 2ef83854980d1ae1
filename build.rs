//! Names this build of the program by a hash of everything it is made from (its sources,
//! templates, manifest and lockfile, and the sources of the pipeline crate, whose rules
//! and messages are on the pages), for `program::fingerprint`: a page or memo made by any
//! other version is never taken for this one's. The synthetic export generator
//! (crates/synth) writes inputs, not pages, so it is left out.

use std::path::{Path, PathBuf};

fn main() {
    let mut files = Vec::new();
    for dir in ["src", "templates", "crates/pipeline/src"] {
        println!("cargo:rerun-if-changed={dir}");
        collect(Path::new(dir), &mut files);
    }
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "crates/pipeline/Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={file}");
        files.push(PathBuf::from(file));
    }
    files.sort();
    let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
    for file in &files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(&[0]);
        hasher.update(&std::fs::read(file).unwrap_or_default());
        hasher.update(&[0]);
    }
    println!(
        "cargo:rustc-env=JOBAUDIT_SOURCE_HASH={:032x}",
        hasher.digest128()
    );
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
