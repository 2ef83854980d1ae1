//! The term index as the last build made it, with the fingerprint (`Audit::fingerprints`)
//! of every request it was made of. A nightly build takes it, drops the postings of the
//! requests whose fingerprint changed or that went, and adds those of the requests whose
//! fingerprint is new, rather than reading every word of a hundred thousand requests
//! again. A fingerprint covers everything a request's page shows, so every field the
//! index reads. `site` keeps the stored index beside the memo; like the memo it is only
//! a shortcut, and the index it gives is the one `TermIndex::of` makes (tested below and
//! by every incremental build test).
//!
//! Its bytes: the request count, then per request the gap from the previous id and its
//! 16-byte fingerprint; the term and posting counts; then per term its text (length,
//! bytes), its jump (0, or 1 request / 2 job, then the id), its posting count and its
//! request ids as gaps from the previous one (the first from 0). Numbers are LEB128.

use std::borrow::Cow;

use super::index::{Jump, Term, TermIndex, jump_in};
use crate::audit::Audit;

/// The index of `audit`, made from the `previous` build's stored index where that can
/// be read.
pub(super) fn index_of<'a>(audit: &'a Audit, previous: &'a [u8]) -> TermIndex<'a> {
    update(previous, audit).unwrap_or_else(|| TermIndex::of(audit))
}

/// `index`'s stored form for the next build, in a buffer about `size` (the last one's):
/// grown from nothing, it would be copied as it doubled.
pub(super) fn encode(audit: &Audit, index: &TermIndex<'_>, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + size / 16);
    push_number(&mut out, audit.requests.len() as u64);
    let mut previous = 0;
    for (q, fingerprint) in audit.requests.iter().zip(&audit.fingerprints) {
        push_number(&mut out, q.id.wrapping_sub(previous));
        out.extend_from_slice(&fingerprint.to_le_bytes());
        previous = q.id;
    }
    push_number(&mut out, index.terms.len() as u64);
    push_number(&mut out, index.ids.len() as u64);
    for term in &index.terms {
        push_number(&mut out, term.text.len() as u64);
        out.extend_from_slice(term.text.as_bytes());
        match term.jump {
            None => out.push(0),
            Some(Jump::Request(id)) => {
                out.push(1);
                push_number(&mut out, id);
            }
            Some(Jump::Job(id)) => {
                out.push(2);
                push_number(&mut out, id);
            }
        }
        let ids = index.ids(term);
        push_number(&mut out, ids.len() as u64);
        let mut previous = 0;
        for &id in ids {
            push_number(&mut out, id.wrapping_sub(previous));
            previous = id;
        }
    }
    out
}

fn push_number(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads what `encode` wrote; every read is None past the end or on a malformed number.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn number(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for (i, &byte) in self.bytes.iter().enumerate().take(10) {
            n |= u64::from(byte & 0x7f).checked_shl(7 * i as u32)?;
            if byte < 0x80 {
                self.bytes = &self.bytes[i + 1..];
                return Some(n);
            }
        }
        None
    }

    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.bytes.split_at_checked(len)?;
        self.bytes = rest;
        Some(head)
    }

    /// A count of things of at least one byte each, so no larger than what is left.
    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.number()?).ok()?;
        (n <= self.bytes.len()).then_some(n)
    }

    fn jump(&mut self) -> Option<Option<Jump>> {
        Some(match self.take(1)?[0] {
            0 => None,
            1 => Some(Jump::Request(self.number()?)),
            2 => Some(Jump::Job(self.number()?)),
            _ => return None,
        })
    }
}

/// `TermIndex::of(audit)`, made from `stored`, the last build's stored index: its
/// postings of the requests whose fingerprint is not what it was are dropped, and the
/// terms of the requests whose fingerprint is new are merged in. None where the stored
/// index cannot be read or cannot give the same index.
fn update<'a>(stored: &'a [u8], audit: &'a Audit) -> Option<TermIndex<'a>> {
    let mut r = Reader { bytes: stored };
    // The requests whose fingerprint changed, by id: the old postings of `gone`, the new
    // terms of `came` (a changed request is in both).
    let now = audit
        .requests
        .iter()
        .map(|q| q.id)
        .zip(audit.fingerprints.iter().copied());
    let mut now = now.enumerate().peekable();
    let (mut gone, mut came) = (Vec::new(), Vec::new());
    let mut id = 0u64;
    for n in 0..r.count()? {
        let gap = r.number()?;
        if n > 0 && gap == 0 {
            return None;
        }
        id = id.checked_add(gap)?;
        let fingerprint = u128::from_le_bytes(r.take(16)?.try_into().ok()?);
        while let Some((row, _)) = now.next_if(|&(_, (new, _))| new < id) {
            came.push(row);
        }
        match now.next_if(|&(_, (new, _))| new == id) {
            Some((_, (_, f))) if f == fingerprint => {}
            Some((row, _)) => {
                gone.push(id);
                came.push(row);
            }
            None => gone.push(id),
        }
    }
    came.extend(now.map(|(row, _)| row));

    let new = TermIndex::of_rows(audit, came.into_iter());
    // The order of terms with characters past U+E000 is not a byte order, which the merge
    // below relies on: such an index is made afresh.
    let unusual = |text: &str| text.bytes().any(|b| b >= 0xEE);
    if new.terms.iter().any(|t| unusual(&t.text)) {
        return None;
    }
    let gone = Ids::of(gone);
    let request = |id: u64| {
        audit
            .requests
            .binary_search_by_key(&id, |q| q.id)
            .ok()
            .map(|n| &audit.requests[n])
    };

    let (term_count, id_count) = (r.count()?, r.count()?);
    let mut terms = Vec::with_capacity(term_count + new.terms.len());
    let mut ids = Vec::with_capacity(id_count + new.ids.len());
    let mut incoming = new.terms.iter().peekable();
    let add = |terms: &mut Vec<Term<'a>>, ids: &mut Vec<u64>, added: &Term<'a>| {
        let start = ids.len();
        ids.extend_from_slice(new.ids(added));
        terms.push(Term {
            text: added.text.clone(),
            ids: start..ids.len(),
            jump: added.jump,
        });
    };
    let mut previous: Option<&[u8]> = None;
    let mut old_ids = Vec::new();
    for _ in 0..term_count {
        let len = r.count()?;
        let bytes = r.take(len)?;
        let text = std::str::from_utf8(bytes).ok()?;
        if previous.is_some_and(|p| bytes <= p) || unusual(text) {
            return None;
        }
        previous = Some(bytes);
        let old_jump = r.jump()?;
        old_ids.clear();
        let mut id = 0u64;
        for _ in 0..r.count()? {
            id = id.checked_add(r.number()?)?;
            if !gone.has(id) {
                old_ids.push(id);
            }
        }
        while let Some(added) = incoming.next_if(|t| t.text.as_bytes() < bytes) {
            add(&mut terms, &mut ids, added);
        }
        let added = incoming.next_if(|t| t.text.as_bytes() == bytes);
        let start = ids.len();
        ids.extend(merge(&old_ids, added.map_or(&[][..], |t| new.ids(t))));
        if ids.len() == start {
            continue;
        }
        // The jump is the first request's, in id order, that the term jumps to.
        let jump = match old_jump {
            Some(old) if !gone.has(jump_request(old)) => match added.and_then(|t| t.jump) {
                Some(j) if jump_request(j) < jump_request(old) => Some(j),
                _ => Some(old),
            },
            Some(_) => ids[start..]
                .iter()
                .find_map(|&id| request(id).and_then(|q| jump_in(q, text))),
            None => added.and_then(|t| t.jump),
        };
        terms.push(Term {
            text: Cow::Borrowed(text),
            ids: start..ids.len(),
            jump,
        });
    }
    for added in incoming {
        add(&mut terms, &mut ids, added);
    }
    r.bytes.is_empty().then_some(TermIndex { terms, ids })
}

fn jump_request(jump: Jump) -> u64 {
    let (Jump::Request(id) | Jump::Job(id)) = jump;
    id
}

/// Two ascending runs of ids as one, each id once.
fn merge<'s>(a: &'s [u64], b: &'s [u64]) -> impl Iterator<Item = u64> + 's {
    let (mut a, mut b) = (a.iter().copied().peekable(), b.iter().copied().peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(&x), Some(&y)) if y < x => b.next(),
        (Some(&x), Some(&y)) if x == y => {
            b.next();
            a.next()
        }
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

/// A set of request ids, asked about every posting of the index: a bitmap over their
/// range where that is small, else a sorted list.
enum Ids {
    Bits { first: u64, bits: Vec<u64> },
    Sorted(Vec<u64>),
}

impl Ids {
    fn of(mut ids: Vec<u64>) -> Ids {
        ids.sort_unstable();
        let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
            return Ids::Sorted(ids);
        };
        if last - first >= 1 << 28 {
            return Ids::Sorted(ids);
        }
        let mut bits = vec![0u64; ((last - first) / 64 + 1) as usize];
        for id in ids {
            let at = id - first;
            bits[(at / 64) as usize] |= 1 << (at % 64);
        }
        Ids::Bits { first, bits }
    }

    fn has(&self, id: u64) -> bool {
        match self {
            Ids::Bits { first, bits } => id.checked_sub(*first).is_some_and(|at| {
                bits.get((at / 64) as usize)
                    .is_some_and(|word| word & (1 << (at % 64)) != 0)
            }),
            Ids::Sorted(ids) => ids.binary_search(&id).is_ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::tests::{audit_of, record};

    fn flat(index: &TermIndex) -> Vec<(String, Vec<u64>, Option<Jump>)> {
        index
            .terms
            .iter()
            .map(|t| (t.text.to_string(), index.ids(t).to_vec(), t.jump))
            .collect()
    }

    /// Requests at `ids`, their workspaces, users and jobs varied by `salt`; every third
    /// shares a job identifier with others, which jumps to the first of them.
    fn records(ids: impl Iterator<Item = u64>, salt: u64) -> Vec<String> {
        let users = ["amir", "beth", "chen"];
        ids.map(|id| {
            let job = format!("job{:013}", id * 7 + salt);
            let shared = format!("shared{}", id % 3);
            record(
                id,
                &format!("study-{}", (id + salt) % 5),
                users[((id + salt) % 3) as usize],
                "tpp",
                &[(job.as_str(), "analyse"), (shared.as_str(), "report")],
            )
        })
        .collect()
    }

    #[test]
    fn an_index_updated_from_the_last_build_is_the_index_made_afresh() {
        let before = audit_of(&records(1..=40, 0));
        let first = index_of(&before, &[]);
        assert_eq!(flat(&first), flat(&TermIndex::of(&before)));
        let stored = encode(&before, &first, 0);

        // Requests gone (1..=5, so the `shared` jumps move), changed (10..=20), added
        // (41..=50, and 1000).
        let mut changed = records(6..=9, 0);
        changed.extend(records(10..=20, 1));
        changed.extend(records(21..=50, 0));
        changed.extend(records([1000].into_iter(), 3));
        let after = audit_of(&changed);
        let updated = update(&stored, &after).expect("updates");
        assert_eq!(flat(&updated), flat(&TermIndex::of(&after)));
        let made = index_of(&after, &stored);
        assert_eq!(flat(&made), flat(&TermIndex::of(&after)));
        let again = encode(&after, &made, stored.len());
        let afresh = encode(&after, &index_of(&after, &[]), 0);
        assert_eq!(again, afresh, "stored the same either way");
        // Nothing changed: the same index again.
        let unchanged = update(&again, &after).expect("updates");
        assert_eq!(flat(&unchanged), flat(&TermIndex::of(&after)));
    }

    #[test]
    fn damaged_bytes_are_no_index() {
        let audit = audit_of(&records(1..=5, 0));
        let stored = encode(&audit, &index_of(&audit, &[]), 0);
        assert!(update(&stored, &audit).is_some());
        for cut in [0, 1, stored.len() / 2, stored.len() - 1] {
            assert!(update(&stored[..cut], &audit).is_none(), "cut at {cut}");
        }
        let mut longer = stored.clone();
        longer.push(0);
        assert!(update(&longer, &audit).is_none());
    }
}
