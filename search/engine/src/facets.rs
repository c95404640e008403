//! Facet counts: how many of the results have each severity, service, tag,
//! year and kind, read from the fast (columnar) fields.

use std::collections::BTreeMap;

use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, SegmentReader};

use crate::schema::FilterField;
use crate::sort::{sort_by, sort_by_key};
use crate::{DocKind, FacetCount, Facets};

/// Facet columns of a segment.
pub(crate) struct FacetColumns {
    severity: Option<StrColumn>,
    service: Option<StrColumn>,
    tag: Option<StrColumn>,
    kind: Option<StrColumn>,
    year: Option<Column<i64>>,
}

impl FacetColumns {
    pub(crate) fn open(seg: &SegmentReader) -> tantivy::Result<FacetColumns> {
        let ff = seg.fast_fields();
        Ok(FacetColumns {
            severity: ff.str(FilterField::Severity.facet_name())?,
            service: ff.str(FilterField::Service.facet_name())?,
            tag: ff.str(FilterField::Tag.facet_name())?,
            kind: ff.str(FilterField::Kind.facet_name())?,
            year: ff.column_opt::<i64>(FilterField::Year.facet_name())?,
        })
    }

    fn strings(&self) -> [&Option<StrColumn>; 4] {
        [&self.severity, &self.service, &self.tag, &self.kind]
    }

    /// For every document, the document that holds its facet values: a
    /// lesson's values are its incident's, which precedes it in the index.
    pub(crate) fn owners(&self, max_doc: DocId) -> tantivy::Result<Vec<DocId>> {
        let lesson = match &self.kind {
            Some(k) => k.dictionary().term_ord(DocKind::Lesson.as_str())?,
            None => None,
        };
        let mut owners = Vec::with_capacity(max_doc as usize);
        let mut last_incident = None;
        for doc in 0..max_doc {
            let is_lesson = lesson.is_some()
                && self
                    .kind
                    .as_ref()
                    .is_some_and(|k| k.term_ords(doc).next() == lesson);
            if is_lesson {
                owners.push(last_incident.unwrap_or(doc));
            } else {
                last_incident = Some(doc);
                owners.push(doc);
            }
        }
        Ok(owners)
    }

    /// Counts the facet values of `docs`.
    pub(crate) fn count(&self, docs: &[DocId], owners: &[DocId]) -> FacetFruit {
        let mut ords: Vec<Vec<usize>> = self
            .strings()
            .iter()
            .map(|c| vec![0; c.as_ref().map_or(0, |c| c.num_terms())])
            .collect();
        let mut year: BTreeMap<i64, usize> = BTreeMap::new();
        for &doc in docs {
            let owner = owners.get(doc as usize).copied().unwrap_or(doc);
            // `kind` is the document's own; the rest are its owner's.
            let holders = [owner, owner, owner, doc];
            for ((col, holder), counts) in self.strings().into_iter().zip(holders).zip(&mut ords) {
                if let Some(col) = col {
                    for ord in col.term_ords(holder) {
                        if let Some(c) = counts.get_mut(ord as usize) {
                            *c += 1;
                        }
                    }
                }
            }
            if let Some(y) = self.year.as_ref().and_then(|c| c.first(owner)) {
                *year.entry(y).or_default() += 1;
            }
        }
        let mut maps: [BTreeMap<String, usize>; 4] = Default::default();
        for ((col, counts), out) in self.strings().into_iter().zip(&ords).zip(&mut maps) {
            let Some(col) = col else { continue };
            for (ord, &count) in counts.iter().enumerate() {
                let mut s = String::new();
                if count > 0 && col.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                    out.insert(s, count);
                }
            }
        }
        let [severity, service, tag, kind] = maps;
        FacetFruit {
            severity,
            service,
            tag,
            kind,
            year,
        }
    }
}

/// Reads everything facet counting reads (the columns and their
/// dictionaries), so that a discovery pass asks for all of it at once.
pub(crate) fn warm_facets(seg: &SegmentReader) {
    if let Ok(cols) = FacetColumns::open(seg) {
        let mut s = String::new();
        for col in cols.strings().into_iter().flatten() {
            for ord in 0..col.num_terms() as u64 {
                let _ = col.ord_to_str(ord, &mut s);
            }
        }
    }
}

/// Counts by facet key.
#[derive(Default)]
pub(crate) struct FacetFruit {
    severity: BTreeMap<String, usize>,
    service: BTreeMap<String, usize>,
    tag: BTreeMap<String, usize>,
    kind: BTreeMap<String, usize>,
    year: BTreeMap<i64, usize>,
}

impl FacetFruit {
    /// The counts as the response shows them, with display labels.
    pub(crate) fn into_facets(self, labels: &BTreeMap<String, BTreeMap<String, String>>) -> Facets {
        let label = |facet: FilterField, key: &str| -> String {
            labels
                .get(facet.name())
                .and_then(|m| m.get(key))
                .cloned()
                .unwrap_or_else(|| key.to_string())
        };
        let list = |facet: FilterField, counts: &BTreeMap<String, usize>| -> Vec<FacetCount> {
            counts
                .iter()
                .map(|(k, &count)| FacetCount {
                    value: k.clone(),
                    label: label(facet, k),
                    count,
                })
                .collect()
        };
        let by_count = |mut v: Vec<FacetCount>| {
            sort_by(&mut v, |a, b| {
                b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label))
            });
            v
        };
        let mut severity = list(FilterField::Severity, &self.severity);
        sort_by(&mut severity, |a, b| a.label.cmp(&b.label));
        let mut kind = list(FilterField::Kind, &self.kind);
        sort_by_key(&mut kind, |k| k.value != DocKind::Incident.as_str());
        Facets {
            severity,
            service: by_count(list(FilterField::Service, &self.service)),
            tag: by_count(list(FilterField::Tag, &self.tag)),
            year: self
                .year
                .iter()
                .rev()
                .map(|(y, &count)| FacetCount {
                    value: y.to_string(),
                    label: y.to_string(),
                    count,
                })
                .collect(),
            kind,
        }
    }
}
