//! The audit trail's hash chain (issue 21; CONTRACT §11): each entry binds its place, time,
//! author, kind, case and the digest of its content to the hash of the entry before it, so an
//! entry changed, inserted or removed anywhere breaks every hash after it. What goes into a
//! content digest is the store's business (personal fields enter only as a keyed digest, so
//! erasing them leaves the chain whole); this module hashes and walks.

use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What one entry binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// 1, 2, 3…: the entry's place in the chain, without gaps.
    pub index: i64,
    /// When it happened, in milliseconds since 1970 (UTC).
    pub at_ms: i64,
    /// What happened (`case.registered`, `sign_in.failed`, `export`…).
    pub kind: String,
    /// Who did it (a username, `customer`, a worker's name).
    pub actor: String,
    pub case_id: Option<i64>,
    /// The hex SHA-256 of the entry's content as the store defines it.
    pub content_digest: String,
}

/// A stored entry: its link and the hash stored with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub link: Link,
    pub hash: String,
}

/// The chain holds: how many entries, and the last one's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intact {
    pub entries: i64,
    pub head: String,
}

/// Where the chain breaks first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The entry's content or its hash is not what was chained (changed, or put in place of
    /// another).
    Changed { index: i64 },
    /// An entry is missing: `index` was expected next.
    Removed { index: i64 },
    /// An entry whose place is already taken, or out of order.
    Inserted { index: i64 },
    /// The head exported earlier is no longer in the chain: it was rewritten from there on.
    Rewritten { index: i64 },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (index, what) = match self {
            Break::Changed { index } => (index, "changed"),
            Break::Removed { index } => (index, "removed"),
            Break::Inserted { index } => (index, "inserted"),
            Break::Rewritten { index } => (index, "rewritten"),
        };
        write!(f, "broken at entry {index}: {what}")
    }
}

/// Text fields are written with their length first, so no choice of text can make two
/// different links hash alike.
fn field(out: &mut Vec<u8>, value: &str) {
    out.extend_from_slice(value.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}

/// The hash of `link` chained after `previous`.
pub fn chain_hash(previous: &str, link: &Link) -> String {
    let mut bytes = Vec::with_capacity(160 + link.kind.len() + link.actor.len());
    field(&mut bytes, previous);
    field(&mut bytes, &link.index.to_string());
    field(&mut bytes, &link.at_ms.to_string());
    field(&mut bytes, &link.kind);
    field(&mut bytes, &link.actor);
    field(
        &mut bytes,
        &link.case_id.map(|c| c.to_string()).unwrap_or_default(),
    );
    field(&mut bytes, &link.content_digest);
    hex::encode(Sha256::digest(&bytes))
}

/// Walks entries in the order stored (by index), one at a time, checking every link; with
/// an anchor (an index and hash exported earlier) also that the chain still passes through it.
#[derive(Debug, Clone)]
pub struct Walker {
    expected: i64,
    previous: String,
    anchor: Option<(i64, String)>,
    anchor_seen: bool,
}

impl Walker {
    pub fn new(anchor: Option<(i64, String)>) -> Walker {
        Walker {
            expected: 1,
            previous: GENESIS.to_owned(),
            anchor_seen: anchor.is_none(),
            anchor,
        }
    }

    /// The index the next entry must have.
    pub fn expected(&self) -> i64 {
        self.expected
    }

    /// Checks the next stored entry.
    pub fn step(&mut self, entry: &Stored) -> Result<(), Break> {
        let index = entry.link.index;
        if index < self.expected {
            return Err(Break::Inserted { index });
        }
        if index > self.expected {
            return Err(Break::Removed {
                index: self.expected,
            });
        }
        let hash = chain_hash(&self.previous, &entry.link);
        if hash != entry.hash {
            return Err(Break::Changed { index });
        }
        if let Some((at, head)) = &self.anchor {
            if *at == index {
                if *head != hash {
                    return Err(Break::Rewritten { index });
                }
                self.anchor_seen = true;
            }
        }
        self.previous = hash;
        self.expected += 1;
        Ok(())
    }

    /// After the last entry: the chain's length and head, unless the anchor was never met
    /// (the chain was cut short of it).
    pub fn finish(self) -> Result<Intact, Break> {
        if !self.anchor_seen {
            let index = self.anchor.map_or(0, |(i, _)| i);
            return Err(Break::Removed {
                index: self.expected.min(index),
            });
        }
        Ok(Intact {
            entries: self.expected - 1,
            head: self.previous,
        })
    }
}

/// [`Walker`] over a whole list.
pub fn verify(
    entries: impl IntoIterator<Item = Stored>,
    anchor: Option<(i64, &str)>,
) -> Result<Intact, Break> {
    let mut walker = Walker::new(anchor.map(|(i, h)| (i, h.to_owned())));
    for entry in entries {
        walker.step(&entry)?;
    }
    walker.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(index: i64, kind: &str) -> Link {
        Link {
            index,
            at_ms: 1_765_000_000_000 + index,
            kind: kind.into(),
            actor: "amy".into(),
            case_id: Some(index % 3),
            content_digest: hex::encode(Sha256::digest(kind.as_bytes())),
        }
    }

    fn chain(n: i64) -> Vec<Stored> {
        let mut previous = GENESIS.to_owned();
        (1..=n)
            .map(|i| {
                let l = link(i, &format!("kind-{i}"));
                let hash = chain_hash(&previous, &l);
                previous = hash.clone();
                Stored { link: l, hash }
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_is_intact_and_its_head_is_the_last_hash() {
        let c = chain(5);
        let head = c[4].hash.clone();
        assert_eq!(
            verify(c.clone(), None),
            Ok(Intact {
                entries: 5,
                head: head.clone()
            })
        );
        assert_eq!(verify(c, Some((5, &head))).unwrap().entries, 5);
        assert_eq!(
            verify(Vec::new(), None),
            Ok(Intact {
                entries: 0,
                head: GENESIS.into()
            })
        );
    }

    #[test]
    fn a_change_a_removal_and_an_insertion_are_each_named() {
        let mut changed = chain(5);
        changed[2].link.content_digest = "00".into();
        assert_eq!(verify(changed, None), Err(Break::Changed { index: 3 }));
        let mut removed = chain(5);
        removed.remove(1);
        assert_eq!(verify(removed, None), Err(Break::Removed { index: 2 }));
        let mut inserted = chain(5);
        let copy = inserted[2].clone();
        inserted.insert(3, copy);
        assert_eq!(verify(inserted, None), Err(Break::Inserted { index: 3 }));
        // The last entry removed: only an exported head can tell.
        let c = chain(5);
        let head = c[4].hash.clone();
        let mut cut = c;
        cut.pop();
        assert_eq!(verify(cut.clone(), None).unwrap().entries, 4);
        assert_eq!(
            verify(cut, Some((5, &head))),
            Err(Break::Removed { index: 5 })
        );
    }

    #[test]
    fn a_chain_rewritten_with_fresh_hashes_is_caught_by_an_exported_head() {
        let c = chain(5);
        let head = c[4].hash.clone();
        let mut previous = GENESIS.to_owned();
        let forged: Vec<Stored> = c
            .iter()
            .map(|s| {
                let mut l = s.link.clone();
                if l.index == 2 {
                    l.actor = "someone-else".into();
                }
                let hash = chain_hash(&previous, &l);
                previous = hash.clone();
                Stored { link: l, hash }
            })
            .collect();
        assert!(
            verify(forged.clone(), None).is_ok(),
            "recomputed, it links up"
        );
        assert_eq!(
            verify(forged, Some((5, &head))),
            Err(Break::Rewritten { index: 5 })
        );
    }

    #[test]
    fn fields_cannot_be_shifted_into_one_another() {
        let mut a = link(1, "ab");
        a.actor = "c".into();
        let mut b = link(1, "a");
        b.actor = "bc".into();
        b.content_digest = a.content_digest.clone();
        assert_ne!(chain_hash(GENESIS, &a), chain_hash(GENESIS, &b));
    }
}
