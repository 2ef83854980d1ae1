//! One table for the strings of a memo: names, actions, identifiers and shas repeat across
//! records, summaries and jobs, so the memo stores each once and refers to it by number,
//! and a memo read back shares one allocation per distinct string. The memo's rows and
//! table are written here as postcard would write them whole, a row at a time.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::model::Text;

/// A string's number in the table.
pub type Sym = u32;

/// Numbers strings as they are first met, for writing.
#[derive(Debug, Default)]
pub struct Interner<'a> {
    /// Most strings of a night's build are shared values read from the last memo, so
    /// they are first looked for by address, which hashes faster than their text.
    shared: FxHashMap<usize, Sym>,
    numbers: FxHashMap<&'a str, Sym>,
    strings: Vec<&'a str>,
}

impl<'a> Interner<'a> {
    pub fn with_capacity(strings: usize) -> Interner<'a> {
        Interner {
            shared: FxHashMap::with_capacity_and_hasher(strings, Default::default()),
            numbers: FxHashMap::with_capacity_and_hasher(strings, Default::default()),
            strings: Vec::with_capacity(strings),
        }
    }

    /// The number of a shared string.
    pub fn text(&mut self, s: &'a Text) -> Sym {
        let address = Arc::as_ptr(s) as *const u8 as usize;
        if let Some(&n) = self.shared.get(&address) {
            return n;
        }
        let n = self.sym(s);
        self.shared.insert(address, n);
        n
    }

    pub fn sym(&mut self, s: &'a str) -> Sym {
        if let Some(&n) = self.numbers.get(s) {
            return n;
        }
        let n = self.strings.len() as Sym;
        self.numbers.insert(s, n);
        self.strings.push(s);
        n
    }

    /// The table as postcard writes [`Table`], into a buffer of `capacity` bytes taken
    /// once the maps are dropped, and without joining the strings into a table of their
    /// own first (at 100k requests, 630,000 strings, whose maps and joined copy were
    /// 70 MB beside the memo).
    pub fn write_table(self, capacity: usize) -> postcard::Result<Vec<u8>> {
        let Interner {
            shared,
            numbers,
            strings,
        } = self;
        drop((shared, numbers));
        let text: usize = strings.iter().map(|s| s.len()).sum();
        let mut out = postcard::to_extend(&text, Vec::with_capacity(capacity))?;
        for s in &strings {
            out.extend_from_slice(s.as_bytes());
        }
        let mut end = 0;
        let ends = strings.iter().map(|s| {
            end += s.len() as u32;
            end
        });
        write_seq(out, ends)
    }

    /// The table, made whole.
    #[cfg(test)]
    pub fn table(&self) -> Table {
        let mut text = String::with_capacity(self.strings.iter().map(|s| s.len()).sum());
        let mut ends = Vec::with_capacity(self.strings.len());
        for s in &self.strings {
            text.push_str(s);
            ends.push(text.len() as u32);
        }
        Table { text, ends }
    }
}

/// Appends `rows` to `out` as postcard writes a sequence of them (its length, then each
/// row), making each row only as it is written: a memo's hundred thousand summary rows,
/// made all at once, took 40 MB beside the memo itself.
pub fn write_seq<T: Serialize>(
    mut out: Vec<u8>,
    rows: impl ExactSizeIterator<Item = T>,
) -> postcard::Result<Vec<u8>> {
    out = postcard::to_extend(&rows.len(), out)?;
    for row in rows {
        out = postcard::to_extend(&row, out)?;
    }
    Ok(out)
}

/// The strings of a memo, one after another, and where each ends.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Table {
    text: String,
    ends: Vec<u32>,
}

impl Table {
    /// Each string, shared.
    pub fn texts(&self) -> Texts {
        let mut start = 0;
        let texts = self
            .ends
            .iter()
            .map(|&end| {
                let s = self.text.get(start..end as usize).unwrap_or_default();
                start = end as usize;
                Text::from(s)
            })
            .collect();
        Texts(texts)
    }
}

/// A memo's strings, read back.
#[derive(Debug, Default)]
pub struct Texts(Vec<Text>);

impl Texts {
    /// String `n`; an empty one for a number the table does not have, which only a
    /// damaged memo holds (its checksum keeps it from being read).
    pub fn get(&self, n: Sym) -> Text {
        self.0.get(n as usize).cloned().unwrap_or_else(|| "".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_stored_once_and_read_back_shared() {
        let tpp: Text = "tpp".into();
        let same = tpp.clone();
        let mut interner = Interner::default();
        let syms = [
            interner.text(&tpp),
            interner.sym(""),
            interner.sym("émis"),
            interner.sym("tpp"),
            interner.text(&same),
        ];
        assert_eq!(syms, [0, 1, 2, 0, 0]);
        let table: Table =
            postcard::from_bytes(&postcard::to_stdvec(&interner.table()).unwrap()).unwrap();
        let texts = table.texts();
        let back: Vec<Text> = syms.iter().map(|&n| texts.get(n)).collect();
        assert_eq!(
            back.iter().map(|t| &**t).collect::<Vec<_>>(),
            ["tpp", "", "émis", "tpp", "tpp"]
        );
        assert!(Arc::ptr_eq(&back[0], &back[3]), "one allocation per string");
        assert_eq!(&*texts.get(9), "");
    }

    #[test]
    fn the_table_is_written_as_postcard_writes_it() {
        let mut interner = Interner::default();
        for s in ["tpp", "", "émis", "tpp", "a\tb", "z"] {
            interner.sym(s);
        }
        let whole = postcard::to_stdvec(&interner.table()).unwrap();
        assert_eq!(interner.write_table(4).unwrap(), whole);
        assert_eq!(Interner::default().write_table(0).unwrap(), [0, 0]);
    }

    #[test]
    fn a_sequence_written_row_by_row_is_the_sequence_postcard_writes() {
        let rows: Vec<(u128, Vec<Sym>, Option<String>)> = (0..300u32)
            .map(|n| {
                (
                    u128::from(n) << 70,
                    (0..n % 5).collect(),
                    (n % 3 == 0).then(|| "é".repeat(n as usize)),
                )
            })
            .collect();
        let head = vec![7u8];
        let streamed = write_seq(head.clone(), rows.iter()).unwrap();
        assert_eq!(streamed, postcard::to_extend(&rows, head).unwrap());
        let none: [u8; 0] = [];
        assert_eq!(write_seq(Vec::new(), none.iter()).unwrap(), [0]);
    }
}
