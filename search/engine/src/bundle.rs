//! Dictionary blocks bundled with the postings they point to, so that a
//! query reads a word's dictionary entry and its postings in one round.
//!
//! tantivy reads a term in two dependent steps: its dictionary block, which
//! holds the term's `TermInfo` (where its postings are), then its postings.
//! Over a network each step is a round trip. So at build time the terms of
//! each searched field are cut into groups: consecutive terms of one
//! dictionary block whose postings take at most [`GROUP_POSTINGS`] bytes
//! together (a term with more is a group of its own). Each group's bundle,
//! a copy of its dictionary block, then its postings, then its positions,
//! is appended to the pack, and `index.boot` lists the groups by their
//! first term ([`FieldBundles`]). A query asks for the bundle of each of
//! its terms in its first round (without the positions unless the term is
//! in a phrase), and [`Bundles::unpack`] files the bundle's parts under
//! their own offsets, where tantivy reads them.

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use tantivy::Term;
use tantivy::schema::{Field, Schema};

#[cfg(not(target_arch = "wasm32"))]
use crate::pack::PackStore;
#[cfg(not(target_arch = "wasm32"))]
use tantivy::SegmentReader;

/// Most bytes of postings in a group of several terms: what a query reads
/// beyond its term's own postings, per term and field.
#[cfg(not(target_arch = "wasm32"))]
const GROUP_POSTINGS: u64 = 4096;

/// The groups of one field, as `index.boot` lists them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldBundles {
    /// The field's name in the schema.
    pub field: String,
    /// First term of each group, in dictionary order.
    pub keys: Vec<String>,
    /// The dictionary blocks the groups are in: `(pack offset, length,
    /// number of consecutive groups in it)`.
    pub blocks: Vec<(u64, u64, u32)>,
    /// Pack offset of the first group's postings; each group's postings
    /// follow the previous group's, for these lengths.
    pub postings_at: u64,
    pub postings: Vec<u64>,
    /// Likewise for positions (lengths all 0 when the field has none).
    pub positions_at: u64,
    pub positions: Vec<u64>,
    /// Pack offset of the first group's bundle; the field's bundles follow
    /// one another.
    pub at: u64,
}

/// One group's bundle: where it is, and the pack ranges it copies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Bundle {
    at: u64,
    block: Range<u64>,
    postings: Range<u64>,
    positions: Range<u64>,
}

impl Bundle {
    fn len(&self) -> u64 {
        self.block_and_postings() + range_len(&self.positions)
    }

    fn block_and_postings(&self) -> u64 {
        range_len(&self.block) + range_len(&self.postings)
    }

    /// The pack range to fetch: the bundle, without the positions unless
    /// `positions`.
    pub(crate) fn request(&self, positions: bool) -> Range<u64> {
        let len = if positions {
            self.len()
        } else {
            self.block_and_postings()
        };
        self.at..self.at + len
    }

    /// The ranges of the pack that [`Bundle::request`] brings.
    pub(crate) fn parts(&self, positions: bool) -> Vec<Range<u64>> {
        let mut parts = vec![self.block.clone(), self.postings.clone()];
        if positions {
            parts.push(self.positions.clone());
        }
        parts.retain(|r| r.start < r.end);
        parts
    }
}

fn range_len(r: &Range<u64>) -> u64 {
    r.end - r.start
}

/// Every bundle of an index, found by term.
#[derive(Default)]
pub(crate) struct Bundles {
    /// Sorted by `at`.
    all: Vec<Bundle>,
    /// Per field: the first term of each of its groups, and the index in
    /// `all` of its first group.
    fields: HashMap<Field, (Vec<String>, usize)>,
}

impl Bundles {
    pub(crate) fn new(listed: &[FieldBundles], schema: &Schema) -> Bundles {
        let mut out = Bundles::default();
        for f in listed {
            let Ok(field) = schema.get_field(&f.field) else {
                continue;
            };
            let n = f.keys.len();
            let blocks: usize = f.blocks.iter().map(|b| b.2 as usize).sum();
            if f.postings.len() != n || f.positions.len() != n || blocks != n {
                continue;
            }
            let first = out.all.len();
            let (mut at, mut postings, mut positions) = (f.at, f.postings_at, f.positions_at);
            for &(offset, len, groups) in &f.blocks {
                for _ in 0..groups {
                    let g = out.all.len() - first;
                    let b = Bundle {
                        at,
                        block: offset..offset + len,
                        postings: postings..postings + f.postings[g],
                        positions: positions..positions + f.positions[g],
                    };
                    postings = b.postings.end;
                    positions = b.positions.end;
                    at += b.len();
                    out.all.push(b);
                }
            }
            out.fields.insert(field, (f.keys.clone(), first));
        }
        crate::sort::sort_by_key(&mut out.all, |b| b.at);
        out
    }

    /// The bundle of the group `term` would be in (whether or not the
    /// index has it).
    pub(crate) fn find(&self, term: &Term) -> Option<&Bundle> {
        let (keys, first) = self.fields.get(&term.field())?;
        let value = term.value();
        let text = value.as_str()?;
        let g = keys.partition_point(|k| k.as_str() <= text);
        (g > 0).then(|| &self.all[first + g - 1])
    }

    /// Calls `put(pack offset, bytes)` for every part of a bundle that the
    /// fetched `bytes` (at pack offset `offset`) hold whole.
    pub(crate) fn unpack(&self, offset: u64, bytes: &[u8], mut put: impl FnMut(u64, &[u8])) {
        let end = offset + bytes.len() as u64;
        let from = self.all.partition_point(|b| b.at + b.len() <= offset);
        for b in self.all[from..].iter().take_while(|b| b.at < end) {
            let mut at = b.at;
            for part in [&b.block, &b.postings, &b.positions] {
                let len = range_len(part);
                if len > 0 && at >= offset && at + len <= end {
                    let i = (at - offset) as usize;
                    put(part.start, &bytes[i..i + len as usize]);
                }
                at += len;
            }
        }
    }
}

/// Plans the bundles of `fields` (build time): cuts each field's terms
/// into groups, reading the segment through `store` (which must read from
/// the whole pack) to learn where each term's dictionary block, postings
/// and positions are. The bundles will be appended at `at`.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn plan(
    seg: &SegmentReader,
    store: &PackStore,
    fields: &[(Field, &str)],
    mut at: u64,
) -> tantivy::Result<Vec<FieldBundles>> {
    use tantivy::schema::IndexRecordOption;

    let mut out = Vec::new();
    for &(field, name) in fields {
        let inv = seg.inverted_index(field)?;
        let mut terms: Vec<(String, tantivy::postings::TermInfo)> = Vec::new();
        let mut stream = inv.terms().stream()?;
        while stream.advance() {
            let Ok(key) = std::str::from_utf8(stream.key()) else {
                return Ok(Vec::new());
            };
            terms.push((key.to_string(), stream.value().clone()));
        }
        let Some((_, first)) = terms.first() else {
            continue;
        };
        // Where the field's postings and positions start in the pack.
        let read = |f: &dyn Fn()| {
            store.start_recording();
            f();
            store.stop_recording()
        };
        let postings_read = read(&|| {
            let _ = inv.read_block_postings_from_terminfo(first, IndexRecordOption::Basic);
        });
        let Some(postings_base) = postings_read
            .first()
            .map(|r| r.start - first.postings_range.start as u64)
        else {
            continue;
        };
        let positions_base = if first.positions_range.is_empty() {
            0
        } else {
            let both = read(&|| {
                let _ = inv
                    .read_postings_from_terminfo(first, IndexRecordOption::WithFreqsAndPositions);
            });
            match both.iter().find(|r| **r != postings_read[0]) {
                Some(r) => r.start - first.positions_range.start as u64,
                None => continue,
            }
        };
        let block_of = |key: &str| {
            let r = read(&|| {
                let _ = inv.get_term_info(&Term::from_field_text(field, key));
            });
            r.first().cloned().unwrap_or(0..0)
        };

        let mut plan = FieldBundles {
            field: name.to_string(),
            postings_at: postings_base + first.postings_range.start as u64,
            positions_at: positions_base + first.positions_range.start as u64,
            at,
            ..FieldBundles::default()
        };
        // (first term, dictionary block, postings, positions) of a group.
        type Group = (usize, Range<u64>, Range<u64>, Range<u64>);
        let mut group: Option<Group> = None;
        let mut groups: Vec<Group> = Vec::new();
        let mut contiguous = true;
        for (i, (key, info)) in terms.iter().enumerate() {
            let block = block_of(key);
            let postings = postings_base + info.postings_range.start as u64
                ..postings_base + info.postings_range.end as u64;
            let positions = if info.positions_range.is_empty() {
                0..0
            } else {
                positions_base + info.positions_range.start as u64
                    ..positions_base + info.positions_range.end as u64
            };
            if let Some(g) = group.as_mut()
                && g.1 == block
                && postings.end - g.2.start <= GROUP_POSTINGS
            {
                contiguous &= g.2.end == postings.start;
                g.2.end = postings.end;
                if !positions.is_empty() {
                    contiguous &= g.3.is_empty() || g.3.end == positions.start;
                    g.3 = if g.3.is_empty() {
                        positions
                    } else {
                        g.3.start..positions.end
                    };
                }
                continue;
            }
            if let Some(g) = group.take() {
                groups.push(g);
            }
            group = Some((i, block, postings, positions));
        }
        groups.extend(group);
        // Groups must tile the postings (and positions) in order.
        let mut next_postings = plan.postings_at;
        let mut next_positions = plan.positions_at;
        for (i, block, postings, positions) in &groups {
            contiguous &= postings.start == next_postings;
            next_postings = postings.end;
            if !positions.is_empty() {
                contiguous &= positions.start == next_positions;
                next_positions = positions.end;
            }
            plan.keys.push(terms[*i].0.clone());
            match plan.blocks.last_mut() {
                Some(last) if last.0 == block.start && last.1 == range_len(block) => last.2 += 1,
                _ => plan.blocks.push((block.start, range_len(block), 1)),
            }
            plan.postings.push(range_len(postings));
            plan.positions.push(range_len(positions));
            at += range_len(block) + range_len(postings) + range_len(positions);
        }
        if !contiguous {
            // Not laid out as expected: no bundles for this field.
            at = plan.at;
            continue;
        }
        out.push(plan);
    }
    Ok(out)
}

/// The bytes of the bundles `plans` describe, copied from `pack`.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn bundle_bytes(plans: &[FieldBundles], schema: &Schema, pack: &[u8]) -> Vec<u8> {
    let bundles = Bundles::new(plans, schema);
    let mut out = Vec::new();
    for b in &bundles.all {
        for part in [&b.block, &b.postings, &b.positions] {
            out.extend_from_slice(&pack[part.start as usize..part.end as usize]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::TEXT;

    /// Three groups of `body`: two in a first block, one in a second.
    fn bundles() -> (Bundles, Field) {
        let mut b = Schema::builder();
        let body = b.add_text_field("body", TEXT);
        let schema = b.build();
        let listed = FieldBundles {
            field: "body".into(),
            keys: vec!["apple".into(), "banana".into(), "cherry".into()],
            blocks: vec![(0, 10, 2), (10, 5, 1)],
            postings_at: 100,
            postings: vec![4, 6, 3],
            positions_at: 200,
            positions: vec![2, 0, 1],
            at: 1000,
        };
        (Bundles::new(&[listed], &schema), body)
    }

    fn parts(b: &Bundle) -> (u64, Range<u64>, Range<u64>, Range<u64>) {
        (
            b.at,
            b.block.clone(),
            b.postings.clone(),
            b.positions.clone(),
        )
    }

    #[test]
    fn a_term_finds_the_group_it_would_be_in() {
        let (bundles, body) = bundles();
        let find = |t: &str| bundles.find(&Term::from_field_text(body, t)).map(parts);
        assert_eq!(find("aardvark"), None);
        assert_eq!(find("avocado"), Some((1000, 0..10, 100..104, 200..202)));
        assert_eq!(find("banana"), Some((1016, 0..10, 104..110, 202..202)));
        assert_eq!(find("zebra"), Some((1032, 10..15, 110..113, 202..203)));
        let apple = bundles.find(&Term::from_field_text(body, "apple")).unwrap();
        assert_eq!(apple.request(false), 1000..1014);
        assert_eq!(apple.request(true), 1000..1016);
        assert_eq!(apple.parts(false), [0..10, 100..104]);
    }

    #[test]
    fn unpacking_files_the_whole_parts_under_their_offsets() {
        let (bundles, _) = bundles();
        let fetched: Vec<u8> = (0..30).collect();
        // From the middle of the first bundle's block to inside the third's.
        let mut put = Vec::new();
        bundles.unpack(1012, &fetched, |at, bytes| put.push((at, bytes.to_vec())));
        let part = |at: u64, bytes: Range<u8>| (at, bytes.collect::<Vec<u8>>());
        assert_eq!(
            put,
            [
                // The first bundle's positions only (its postings began earlier).
                part(200, 2..4),
                part(0, 4..14),
                part(104, 14..20),
                part(10, 20..25),
                part(110, 25..28),
                part(202, 28..29),
            ]
        );
    }
}
