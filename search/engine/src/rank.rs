//! How a parsed query becomes a tantivy query, and so how results rank.
//!
//! 1. **Words first.** The query's top-level parts are words, phrases, `OR`
//!    groups and filters. Every word, phrase or group that *counts* adds
//!    [`TIER`] to the score of the documents it matches, so a document that
//!    matches more of them always ranks above one that matches fewer,
//!    whatever their BM25 scores: one common word in a title cannot outrank
//!    several rare words in a body.
//! 2. **Common words weigh little.** A word counts unless it is a common
//!    English word ([`crate::words::is_common`]) or appears in more than
//!    [`COMMON_SHARE`] of the incidents; such words are optional and add
//!    [`COMMON_WEIGHT`] of their BM25 score. In a phrase every word counts,
//!    and a query made only of common words counts them all.
//! 3. **Within a tier, BM25**: per word, the best of its fields (title ×2,
//!    key: summary, root cause and lessons ×1.5, body ×1), plus
//!    [`TIE_BREAKER`] of the others; summed over words.
//! 4. **A word is also its synonyms** (×[`SYNONYM_WEIGHT`]), its spelling
//!    expansions when the index does not know it, and any tag or service
//!    equal to it (a constant [`TAG_SCORE`]); two consecutive words equal
//!    to a tag (`power loss` → `power-loss`) add the same bonus.

use tantivy::Score;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, Occur,
    PhraseQuery, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;

use crate::offset::OffsetQuery;
use crate::query::{Expr, TextExpr};
use crate::schema::{Fields, FilterField, TextField};
use crate::words::Synonyms;
use std::collections::HashMap;
use tantivy::Term;

/// Added to the score per counting word matched (far above any BM25 sum).
pub(crate) const TIER: Score = 1000.0;
/// Share of incidents above which a word counts as common.
pub(crate) const COMMON_SHARE: f64 = 0.5;
/// Weight of a common word's BM25 score.
const COMMON_WEIGHT: Score = 0.2;
/// Score of a tag or service equal to a query word (or two).
const TAG_SCORE: Score = 3.0;
/// Weight of a synonym's match relative to the word's own.
const SYNONYM_WEIGHT: Score = 0.9;
/// Share of a word's other fields' scores added to its best field's.
const TIE_BREAKER: Score = 0.1;

/// Candidate terms per misspelt/unfinished word (keyed by its analyzed
/// term): `(term, weight)`.
pub(crate) type Expansions = HashMap<String, Vec<(String, Score)>>;

/// Tag and service values by the word (or hyphenated pair of words) they
/// equal, lowercase.
pub(crate) type FacetWords = HashMap<String, Vec<(FilterField, String)>>;

/// The top level of a query, sorted by role.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Words, phrases and groups whose matches are counted.
    pub counted: Vec<Expr>,
    /// Common words: optional, weighing little.
    pub optional: Vec<Expr>,
    /// Filters (and anything else every result must match).
    pub required: Vec<Expr>,
    /// `-word`, `NOT x`.
    pub excluded: Vec<Expr>,
    /// Tags equal to two consecutive words of the query.
    pub pair_facets: Vec<(FilterField, String)>,
}

impl Plan {
    /// Sorts the top-level parts of `expr`; `is_common` decides for each
    /// plain word whether it is common.
    pub(crate) fn new(
        expr: &Expr,
        facets: &FacetWords,
        is_common: impl Fn(&TextExpr) -> bool,
    ) -> Plan {
        let items: Vec<&Expr> = match expr {
            Expr::And(items) => items.iter().collect(),
            e => vec![e],
        };
        let mut plan = Plan::default();
        let mut texts: Vec<&Expr> = Vec::new();
        for item in items {
            match item {
                Expr::Not(inner) => plan.excluded.push((**inner).clone()),
                e if e.has_text() => texts.push(e),
                // Filters, and groups of filters only.
                e => plan.required.push(e.clone()),
            }
        }
        let common = |e: &&Expr| matches!(e, Expr::Text(t) if plain_word(t) && is_common(t));
        let all_common = texts.iter().all(common);
        for e in &texts {
            if !all_common && common(e) {
                plan.optional.push((*e).clone());
            } else {
                plan.counted.push((*e).clone());
            }
        }
        for pair in texts.windows(2) {
            if let [Expr::Text(a), Expr::Text(b)] = pair
                && plain_word(a)
                && plain_word(b)
                && let Some(values) = facets.get(&format!("{}-{}", slug(&a.raw), slug(&b.raw)))
            {
                plan.pair_facets.extend(values.iter().cloned());
            }
        }
        plan
    }
}

/// A single word searched in the default fields (not a phrase, not `field:`).
pub(crate) fn plain_word(t: &TextExpr) -> bool {
    t.is_word() && t.field.is_none()
}

/// A word as a tag or service slug: lowercase, runs of other characters
/// as one `-`.
pub(crate) fn slug(word: &str) -> String {
    word.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// What compiling a query reads besides the expression.
pub(crate) struct Compiler<'a> {
    pub fields: &'a Fields,
    pub expansions: &'a Expansions,
    pub synonyms: &'a Synonyms,
    pub facets: &'a FacetWords,
}

impl Compiler<'_> {
    /// The whole query (see the module documentation).
    pub(crate) fn plan(&self, plan: &Plan) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut words: Vec<Box<dyn Query>> = plan
            .counted
            .iter()
            .map(|e| Box::new(OffsetQuery::new(self.expr(e), TIER)) as Box<dyn Query>)
            .collect();
        match words.len() {
            0 => {}
            1 => clauses.push((Occur::Must, words.pop().expect("one word"))),
            _ => clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::new(
                    words.into_iter().map(|q| (Occur::Should, q)).collect(),
                )),
            )),
        }
        for e in &plan.optional {
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(self.expr(e), COMMON_WEIGHT)),
            ));
        }
        for (field, value) in &plan.pair_facets {
            clauses.push((Occur::Should, self.facet_bonus(*field, value)));
        }
        for e in &plan.required {
            clauses.push((Occur::Must, self.expr(e)));
        }
        for e in &plan.excluded {
            clauses.push((Occur::MustNot, self.expr(e)));
        }
        if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
            clauses.push((Occur::Must, match_all()));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn expr(&self, expr: &Expr) -> Box<dyn Query> {
        match expr {
            Expr::Text(t) => self.text(t),
            Expr::Filter(f, v) => match filter_term(self.fields, *f, v) {
                Some(term) => Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                    0.0,
                )),
                None => Box::new(EmptyQuery),
            },
            Expr::And(items) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = items
                    .iter()
                    .map(|e| match e {
                        Expr::Not(inner) => (Occur::MustNot, self.expr(inner)),
                        e => (Occur::Must, self.expr(e)),
                    })
                    .collect();
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    clauses.push((Occur::Must, match_all()));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Expr::Or(items) => Box::new(BooleanQuery::new(
                items
                    .iter()
                    .map(|e| (Occur::Should, self.expr(e)))
                    .collect(),
            )),
            Expr::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, match_all()),
                (Occur::MustNot, self.expr(inner)),
            ])),
        }
    }

    /// A word or phrase: the best of its fields, with its alternatives.
    fn text(&self, t: &TextExpr) -> Box<dyn Query> {
        let word = t.is_word().then(|| t.terms[0].as_str());
        let synonyms = word.map_or(&[][..], |w| self.synonyms.of(w));
        let expansions = word.and_then(|w| self.expansions.get(w));
        let mut per_field: Vec<Box<dyn Query>> = Vec::new();
        for f in targets(t) {
            let field = self.fields.text(f);
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Should, terms_query(field, &t.terms))];
            for s in synonyms {
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(terms_query(field, s), SYNONYM_WEIGHT)),
                ));
            }
            for (c, w) in expansions.into_iter().flatten() {
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        terms_query(field, std::slice::from_ref(c)),
                        *w,
                    )),
                ));
            }
            let q: Box<dyn Query> = if alternatives.len() == 1 {
                alternatives.pop().expect("one").1
            } else {
                Box::new(BooleanQuery::new(alternatives))
            };
            per_field.push(Box::new(BoostQuery::new(q, f.boost())));
        }
        let best: Box<dyn Query> = if per_field.len() == 1 {
            per_field.pop().expect("one field")
        } else {
            Box::new(DisjunctionMaxQuery::with_tie_breaker(
                per_field,
                TIE_BREAKER,
            ))
        };
        let facets = match plain_word(t) {
            true => self
                .facets
                .get(&slug(&t.raw))
                .map_or(&[][..], Vec::as_slice),
            false => &[],
        };
        if facets.is_empty() {
            return best;
        }
        let mut either = vec![(Occur::Should, best)];
        for (field, value) in facets {
            either.push((Occur::Should, self.facet_bonus(*field, value)));
        }
        Box::new(BooleanQuery::new(either))
    }

    fn facet_bonus(&self, field: FilterField, value: &str) -> Box<dyn Query> {
        match filter_term(self.fields, field, value) {
            Some(term) => Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                TAG_SCORE,
            )),
            None => Box::new(EmptyQuery),
        }
    }
}

fn match_all() -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0))
}

/// One term, or a phrase of several, in one field.
fn terms_query(field: tantivy::schema::Field, terms: &[String]) -> Box<dyn Query> {
    match terms {
        [term] => Box::new(TermQuery::new(
            Term::from_field_text(field, term),
            IndexRecordOption::WithFreqs,
        )),
        _ => Box::new(PhraseQuery::new(
            terms
                .iter()
                .map(|x| Term::from_field_text(field, x))
                .collect(),
        )),
    }
}

/// The fields a word or phrase searches.
pub(crate) fn targets(t: &TextExpr) -> Vec<TextField> {
    match t.field {
        Some(f) => vec![f],
        None => TextField::DEFAULT.to_vec(),
    }
}

/// The indexed term of a filter value (`None` for a year that is no number).
pub(crate) fn filter_term(fields: &Fields, f: FilterField, value: &str) -> Option<Term> {
    let field = fields.filter(f);
    if f == FilterField::Year {
        value
            .parse::<i64>()
            .ok()
            .map(|y| Term::from_field_i64(field, y))
    } else {
        Some(Term::from_field_text(field, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    #[test]
    fn common_words_are_optional_unless_alone() {
        let facets = FacetWords::new();
        let common = |t: &TextExpr| crate::words::is_common(&t.raw);
        let plan = Plan::new(
            &parse("what happens when the disk fills up").unwrap(),
            &facets,
            common,
        );
        assert_eq!(plan.counted.len(), 3, "{plan:?}");
        assert_eq!(plan.optional.len(), 4, "{plan:?}");
        let plan = Plan::new(&parse("the who").unwrap(), &facets, common);
        assert_eq!((plan.counted.len(), plan.optional.len()), (2, 0));
        // In a phrase, every word counts.
        let plan = Plan::new(
            &parse("\"out of memory\" tag:db -the").unwrap(),
            &facets,
            common,
        );
        assert_eq!(
            (plan.counted.len(), plan.required.len(), plan.excluded.len()),
            (1, 1, 1)
        );
    }

    #[test]
    fn two_words_equal_to_a_tag_add_its_bonus() {
        let mut facets = FacetWords::new();
        facets.insert(
            "power-loss".into(),
            vec![(FilterField::Tag, "power-loss".into())],
        );
        let plan = Plan::new(&parse("Power loss datacenter").unwrap(), &facets, |_| false);
        assert_eq!(
            plan.pair_facets,
            vec![(FilterField::Tag, "power-loss".into())]
        );
        assert_eq!(slug("Power_Loss!"), "power-loss");
    }
}
