//! [`OffsetQuery`]: a query whose matches score a constant more than its
//! inner query's. Summed in a boolean query, the offsets count how many of
//! the query's words a document matches, so that "matches more of the
//! words" ranks above any difference in BM25 (see `engine::compile`).

use std::fmt;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// `inner`, with `offset` added to the score of every match.
pub(crate) struct OffsetQuery {
    inner: Box<dyn Query>,
    offset: Score,
}

impl OffsetQuery {
    pub(crate) fn new(inner: Box<dyn Query>, offset: Score) -> OffsetQuery {
        OffsetQuery { inner, offset }
    }
}

impl Clone for OffsetQuery {
    fn clone(&self) -> Self {
        OffsetQuery {
            inner: self.inner.box_clone(),
            offset: self.offset,
        }
    }
}

impl fmt::Debug for OffsetQuery {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Offset({:?}, +{})", self.inner, self.offset)
    }
}

impl Query for OffsetQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(OffsetWeight {
            inner: self.inner.weight(scoring)?,
            offset: self.offset,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct OffsetWeight {
    inner: Box<dyn Weight>,
    offset: Score,
}

impl Weight for OffsetWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(OffsetScorer {
            inner: self.inner.scorer(reader, boost)?,
            offset: self.offset,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.inner.explain(reader, doc)?;
        let mut explanation = Explanation::new("offset", inner.value() + self.offset);
        explanation.add_detail(inner);
        Ok(explanation)
    }
}

struct OffsetScorer {
    inner: Box<dyn Scorer>,
    offset: Score,
}

impl DocSet for OffsetScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }
    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }
    fn doc(&self) -> DocId {
        self.inner.doc()
    }
    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for OffsetScorer {
    fn score(&mut self) -> Score {
        self.inner.score() + self.offset
    }
}
