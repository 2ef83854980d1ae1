//! The memo: what a build learnt of its input that the next build can take instead of
//! working it out again. Records are known by the hash of their text, pipeline files by
//! their stamps, requests' summaries by the hash of their record and jobs, and what every
//! build needs of a project.yaml (its size, validity and graph's size) by its text. It
//! travels in the output tree beside the manifest
//! (`.jobaudit-memo`), written once the tree is in place, and it is only ever a shortcut:
//! a missing, damaged or foreign memo (another build of the program, other settings)
//! means the build works everything out afresh, to the same bytes.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::mapped::Mapped;
use crate::audit::{Audit, AuditMemo, AuditRows};
use crate::diagnostics::Diagnostic;
use crate::export::{ReadMemo, ReadRows};
use crate::interning::{Interner, Table, Texts};
use crate::render::highlight::GraphSizes;

pub const MEMO_FILE: &str = ".jobaudit-memo";

/// The first bytes of a memo: its format.
const MAGIC: &[u8; 16] = b"jobaudit memo 2\n";

/// A memo as read: what the export's reading takes, and the audit's part, still encoded
/// so that it can be decoded while the export is read.
#[derive(Default)]
pub struct Memo {
    pub read: ReadMemo,
    pub audit: StoredAudit,
    pub graphs: GraphSizes,
    /// The sizes of its string table and rows, about those of the memo this build
    /// writes.
    pub sizes: PartSizes,
}

/// Bytes of a memo's string table, read rows and audit rows.
#[derive(Debug, Default, Clone, Copy)]
pub struct PartSizes([usize; 3]);

/// The audit's part of a memo, the settings it was made with, and the memo's strings.
#[derive(Default)]
pub struct StoredAudit {
    settings: u128,
    strings: Arc<Texts>,
    /// The whole memo as mapped, and where in it the audit's part is.
    bytes: Mapped,
    part: std::ops::Range<usize>,
}

impl Memo {
    /// The memo in the tree at `root`; an empty one when there is none this program can
    /// use.
    pub fn read(root: &Path) -> Memo {
        let path = root.join(MEMO_FILE);
        let Some((bytes, body)) = read_checked(&path, MAGIC) else {
            return Memo::default();
        };
        let written = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos() as i128);
        Memo::decode(bytes, body)
            .map(|mut memo| {
                memo.read.set_written(written);
                memo
            })
            .unwrap_or_default()
    }

    /// The memo in `bytes`, whose body (past the head `read_checked` checked) starts at
    /// `body`.
    fn decode(bytes: Mapped, body: usize) -> Option<Memo> {
        fn field<'b>(rest: &mut &'b [u8], len: usize) -> Option<&'b [u8]> {
            let (head, tail) = rest.split_at_checked(len)?;
            *rest = tail;
            Some(head)
        }
        fn number(bytes: &[u8]) -> Option<u128> {
            Some(match bytes.len() {
                8 => u64::from_le_bytes(bytes.try_into().ok()?) as u128,
                _ => u128::from_le_bytes(bytes.try_into().ok()?),
            })
        }
        fn part<'b>(rest: &mut &'b [u8]) -> Option<&'b [u8]> {
            let len = usize::try_from(number(field(rest, 8)?)?).ok()?;
            field(rest, len)
        }
        let mut rest = &bytes[body..];
        let settings = number(field(&mut rest, 16)?)?;
        let table = part(&mut rest)?;
        let mut sizes = PartSizes([table.len(), 0, 0]);
        let table: Table = postcard::from_bytes(table).ok()?;
        let strings = table.texts();
        let read = part(&mut rest)?;
        sizes.0[1] = read.len();
        let read: ReadRows = postcard::from_bytes(read).ok()?;
        let read = ReadMemo::from_rows(read, &strings);
        // The audit's part stays where it was read (it is decoded on another thread).
        let audit_len = part(&mut rest)?.len();
        sizes.0[2] = audit_len;
        let audit_end = bytes.len() - rest.len();
        let graphs: Vec<(u128, Option<usize>)> = postcard::from_bytes(rest).ok()?;
        Some(Memo {
            read,
            graphs: graphs.into_iter().collect(),
            sizes,
            audit: StoredAudit {
                settings,
                strings: Arc::new(strings),
                part: audit_end - audit_len..audit_end,
                bytes,
            },
        })
    }
}

impl StoredAudit {
    /// The audit's memo, with the settings (`SiteConfig::fingerprint`) it is good for.
    pub fn decode(self) -> (u128, AuditMemo) {
        let rows: Option<AuditRows> = postcard::from_bytes(&self.bytes[self.part.clone()]).ok();
        let memo = rows.map(|rows| AuditMemo::from_rows(rows, &self.strings));
        (self.settings, memo.unwrap_or_default())
    }
}

/// A memo's body before the graph sizes, which are known only once the pages are made:
/// the rest is encoded while they are. In parts, written one after another: joined, they
/// would be copied once more.
pub struct Encoded {
    parts: Vec<Vec<u8>>,
}

/// Encodes what `audit` (made with `settings`) learnt, into buffers of about `sizes`
/// (the last memo's): grown from nothing, each would be copied as it doubled.
pub fn encode(audit: &Audit, settings: u128, sizes: PartSizes) -> Encoded {
    let (read, own) = audit.memo();
    let mut strings = Interner::with_capacity(audit.requests.len() * 8);
    let [table_size, read_size, own_size] = sizes.0.map(|n| n + n / 16);
    let read = read
        .write_rows(&mut strings, Vec::with_capacity(read_size))
        .unwrap_or_default();
    let own = own
        .write_rows(&mut strings, Vec::with_capacity(own_size))
        .unwrap_or_default();
    let table = strings.write_table(table_size).unwrap_or_default();
    let mut parts = vec![settings.to_le_bytes().to_vec()];
    for part in [table, read, own] {
        parts.push((part.len() as u64).to_le_bytes().to_vec());
        parts.push(part);
    }
    Encoded { parts }
}

/// Writes the memo `encoded`, with the graph sizes this build knows, into the tree at
/// `root`, through a temporary file so that a build killed meanwhile leaves the old memo
/// or none.
pub fn write(root: &Path, encoded: Encoded, graphs: &GraphSizes) -> Result<(), Diagnostic> {
    let graphs: Vec<(u128, Option<usize>)> = graphs.iter().map(|(h, s)| (*h, *s)).collect();
    let graphs = postcard::to_stdvec(&graphs).unwrap_or_default();
    let body: Vec<&[u8]> = encoded
        .parts
        .iter()
        .map(Vec::as_slice)
        .chain([&graphs[..]])
        .collect();
    write_checked(&root.join(MEMO_FILE), MAGIC, &body)
}

/// The term index the search index was made from (`SearchIndex::stored`), kept beside the
/// memo for the next build, and like it only a shortcut.
pub const TERMS_FILE: &str = ".jobaudit-terms";
const TERMS_MAGIC: &[u8; 16] = b"jobaudit terms1\n";

/// The stored term index in the tree at `root`, or nothing this program can use.
pub fn read_terms(root: &Path) -> Mapped {
    read_checked(&root.join(TERMS_FILE), TERMS_MAGIC)
        .map(|(bytes, body)| bytes.skip(body))
        .unwrap_or_default()
}

/// Removes the memo and the term index from the tree at `root`: a build that makes
/// everything afresh (`--full`) writes new ones rather than over the old.
pub fn forget(root: &Path) -> Result<(), Diagnostic> {
    for name in [MEMO_FILE, TERMS_FILE] {
        let path = root.join(name);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Diagnostic::error(&path, format!("cannot remove: {e}")));
            }
            _ => {}
        }
    }
    Ok(())
}

pub fn write_terms(root: &Path, stored: &[u8]) -> Result<(), Diagnostic> {
    write_checked(&root.join(TERMS_FILE), TERMS_MAGIC, &[stored])
}

/// Writes `magic`, this program's fingerprint, a checksum of `body` and then `body` to
/// `path`, through a temporary file so that a build killed meanwhile leaves the old file
/// or none.
fn write_checked(path: &Path, magic: &[u8; 16], body: &[&[u8]]) -> Result<(), Diagnostic> {
    // The checksum is hashed part by part rather than of the parts joined: a memo is
    // tens of megabytes.
    let mut checksum = xxhash_rust::xxh3::Xxh3::new();
    for part in body {
        checksum.update(part);
    }
    let cannot = |e: std::io::Error| Diagnostic::error(path, format!("cannot write: {e}"));
    // Over the last one, in place: a new file's pages are all fresh memory, which costs
    // more than the writing, and a write cut short fails the checksum. A file linked
    // elsewhere (a snapshot of the tree) is replaced instead, through a temporary file.
    let last = std::fs::OpenOptions::new().write(true).open(path);
    let (mut file, temporary) = match last {
        Ok(file) if file.metadata().is_ok_and(|m| m.nlink() == 1) => (file, None),
        _ => {
            let mut temporary = path.as_os_str().to_owned();
            temporary.push(".new");
            let temporary = PathBuf::from(temporary);
            (
                std::fs::File::create(&temporary).map_err(cannot)?,
                Some(temporary),
            )
        }
    };
    let head = [
        &magic[..],
        &crate::program::fingerprint().to_le_bytes(),
        &checksum.digest128().to_le_bytes(),
    ];
    // Not synced: a file lost in a crash costs one slower build, and the checksum keeps a
    // damaged one from being read.
    let mut len = 0;
    for part in head.into_iter().chain(body.iter().copied()) {
        file.write_all(part).map_err(cannot)?;
        len += part.len() as u64;
    }
    file.set_len(len).map_err(cannot)?;
    drop(file);
    match temporary {
        Some(temporary) => std::fs::rename(&temporary, path).map_err(cannot),
        None => Ok(()),
    }
}

/// The bytes of the file `write_checked` wrote at `path` with `magic`, and where its body
/// starts; None when it is missing, made by another build of the program, or damaged (a
/// crash after its rename).
fn read_checked(path: &Path, magic: &[u8; 16]) -> Option<(Mapped, usize)> {
    let bytes = Mapped::open(path).ok()?;
    let rest = bytes.strip_prefix(magic)?;
    let (program, rest) = rest.split_at_checked(16)?;
    let (checksum, rest) = rest.split_at_checked(16)?;
    let current = program == crate::program::fingerprint().to_le_bytes()
        && checksum == xxhash_rust::xxh3::xxh3_128(rest).to_le_bytes();
    let body = bytes.len() - rest.len();
    current.then_some((bytes, body))
}
