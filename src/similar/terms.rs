//! Texts as weighted term vectors: words normalised exactly as search
//! normalises them (`hindsight_search`'s analyzer: lowercase, ASCII folding,
//! English stemming), common words and bare numbers dropped, single-word
//! synonyms folded onto one term; weights are TF-IDF, vectors unit length.

use std::collections::HashMap;

use hindsight_search::schema::analyze;
use hindsight_search::words::{Synonyms, is_common};

/// A term's number within one [`Vocabulary`].
pub type TermId = u32;

/// The terms of one text: counts and, per term, the word as first written.
#[derive(Debug, Default, Clone)]
pub struct Bag {
    /// (term, count, surface word), in order of first appearance.
    terms: Vec<(String, u32, String)>,
    index: HashMap<String, usize>,
}

impl Bag {
    /// Adds the words of `text`, each counted `times` times.
    pub fn add(&mut self, words: &mut Words, text: &str, times: u32) {
        // The analyzer's tokenizer splits on every character that is not
        // alphanumeric; each word then goes through the analyzer alone.
        for written in text.split(|c: char| !c.is_alphanumeric()) {
            if written.is_empty() {
                continue;
            }
            let Some(term) = words.term(written) else {
                continue;
            };
            match self.index.get(term) {
                Some(&at) => self.terms[at].1 += times,
                None => {
                    self.index.insert(term.to_string(), self.terms.len());
                    self.terms.push((term.to_string(), times, surface(written)));
                }
            }
        }
    }
}

/// A word as written → its term, remembered: a collection has far fewer
/// distinct words than words, and the analyzer is the costly part.
#[derive(Debug, Default)]
pub struct Words {
    terms: HashMap<String, Option<String>>,
}

impl Words {
    /// The term of a word as written (the search analyzer's, exactly), or
    /// none for a common or incidental word, a bare number, or a word the
    /// analyzer drops.
    fn term(&mut self, written: &str) -> Option<&str> {
        if !self.terms.contains_key(written) {
            let term = if is_common(written) || is_incidental(written) {
                None
            } else {
                analyze(written)
                    .pop()
                    .filter(|t| !t.bytes().all(|b| b.is_ascii_digit()))
            };
            self.terms.insert(written.to_string(), term);
        }
        self.terms[written].as_deref()
    }
}

/// Words of dates, times and counting: every postmortem has them, and two
/// incidents are not alike because both happened on a Tuesday in June or
/// lasted four hours. Compared with the lowercased word as written.
const INCIDENTAL: &[&str] = &[
    "am",
    "apr",
    "april",
    "aug",
    "august",
    "day",
    "days",
    "dec",
    "december",
    "eight",
    "eleven",
    "feb",
    "february",
    "five",
    "four",
    "friday",
    "hour",
    "hours",
    "jan",
    "january",
    "jul",
    "july",
    "jun",
    "june",
    "mar",
    "march",
    "may",
    "minute",
    "minutes",
    "monday",
    "month",
    "months",
    "nine",
    "nov",
    "november",
    "oct",
    "october",
    "one",
    "pm",
    "saturday",
    "second",
    "seconds",
    "sep",
    "sept",
    "september",
    "seven",
    "six",
    "sunday",
    "ten",
    "three",
    "thursday",
    "today",
    "tuesday",
    "twelve",
    "two",
    "utc",
    "wednesday",
    "week",
    "weeks",
    "year",
    "years",
    "yesterday",
];

fn is_incidental(written: &str) -> bool {
    let lower = written.to_lowercase();
    INCIDENTAL.binary_search(&lower.as_str()).is_ok()
}

/// The word as a reader would see it in a list: acronyms and names with
/// capitals inside keep them (`DNS`, `PagerDuty`), other words are lowercased
/// (a capital at the start of a sentence says nothing).
fn surface(written: &str) -> String {
    if written.chars().skip(1).any(char::is_uppercase) {
        written.to_string()
    } else {
        written.to_lowercase()
    }
}

/// Term numbers of a collection, with synonyms folded onto one term.
pub struct Vocabulary {
    ids: HashMap<String, TermId>,
    synonyms: Synonyms,
    /// Per term: how many documents contain it.
    pub document_frequency: Vec<u32>,
}

/// A unit-length TF-IDF vector, sorted by term, and the surface word of
/// each of its terms.
#[derive(Debug, Clone, Default)]
pub struct Vector {
    pub weights: Vec<(TermId, f32)>,
    pub words: HashMap<TermId, String>,
}

impl Vocabulary {
    pub fn new(synonym_groups: &[Vec<String>]) -> Vocabulary {
        Vocabulary {
            ids: HashMap::new(),
            synonyms: Synonyms::new(synonym_groups),
            document_frequency: Vec::new(),
        }
    }

    /// Numbers the terms of every bag (counting each bag once per term)
    /// and returns the bags as (term, count, surface) lists.
    pub fn number(&mut self, bags: Vec<Bag>) -> Vec<Vec<(TermId, u32, String)>> {
        bags.into_iter()
            .map(|bag| {
                let mut seen: HashMap<TermId, usize> = HashMap::new();
                let mut out: Vec<(TermId, u32, String)> = Vec::with_capacity(bag.terms.len());
                for (term, count, written) in bag.terms {
                    let id = self.id(&term);
                    match seen.get(&id) {
                        Some(&at) => out[at].1 += count,
                        None => {
                            seen.insert(id, out.len());
                            out.push((id, count, written));
                        }
                    }
                }
                for (id, _, _) in &out {
                    self.document_frequency[*id as usize] += 1;
                }
                out
            })
            .collect()
    }

    /// A term's number; a word with one-word synonyms (`db`, `database`)
    /// takes the number of the first of them in alphabetical order.
    fn id(&mut self, term: &str) -> TermId {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let canonical = self
            .synonyms
            .of(term)
            .iter()
            .filter_map(|alternative| match alternative.as_slice() {
                [one] => Some(one.as_str()),
                _ => None,
            })
            .chain(std::iter::once(term))
            .min()
            .unwrap_or(term)
            .to_string();
        let id = match self.ids.get(&canonical) {
            Some(&id) => id,
            None => {
                let id = self.document_frequency.len() as TermId;
                self.document_frequency.push(0);
                self.ids.insert(canonical, id);
                id
            }
        };
        self.ids.insert(term.to_string(), id);
        id
    }

    /// The TF-IDF vector of a numbered bag in a collection of `documents`:
    /// `(1 + ln tf) · ln(documents / df)`, scaled to unit length. Terms in
    /// every document weigh nothing and are left out.
    pub fn vector(&self, terms: &[(TermId, u32, String)], documents: usize) -> Vector {
        let mut weights: Vec<(TermId, f32)> = terms
            .iter()
            .map(|&(id, count, _)| {
                let df = self.document_frequency[id as usize].max(1) as f32;
                let idf = (documents as f32 / df).ln();
                (id, (1.0 + (count as f32).ln()) * idf)
            })
            .filter(|&(_, w)| w > 0.0)
            .collect();
        let norm = weights.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut weights {
                *w /= norm;
            }
        }
        weights.sort_unstable_by_key(|&(id, _)| id);
        let words = terms
            .iter()
            .map(|(id, _, written)| (*id, written.clone()))
            .collect();
        Vector { weights, words }
    }
}

/// The terms two vectors share with their contribution to the cosine,
/// largest first (ties by term number).
pub fn shared(a: &Vector, b: &Vector) -> Vec<(TermId, f32)> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.weights.len() && j < b.weights.len() {
        let (ta, wa) = a.weights[i];
        let (tb, wb) = b.weights[j];
        match ta.cmp(&tb) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push((ta, wa * wb));
                i += 1;
                j += 1;
            }
        }
    }
    out.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    out
}

/// Candidate generation without comparing all pairs: for each term, the
/// vectors containing it, skipping terms so common that they would make
/// every vector a candidate of every other (their weight is small anyway).
pub struct InvertedIndex {
    postings: Vec<Vec<(u32, f32)>>,
}

impl InvertedIndex {
    /// Indexes `vectors`; terms in more than `max_df` of them are left out.
    pub fn new(vectors: &[Vector], terms: usize, max_df: usize) -> InvertedIndex {
        let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); terms];
        for (n, v) in vectors.iter().enumerate() {
            for &(t, w) in &v.weights {
                postings[t as usize].push((n as u32, w));
            }
        }
        for list in &mut postings {
            if list.len() > max_df || list.len() < 2 {
                *list = Vec::new();
            }
        }
        InvertedIndex { postings }
    }

    /// The vectors sharing an indexed term with `vector`, with their dot
    /// product over those terms: the cosine, short of the common terms.
    /// `scores` and `touched` are scratch space (zeroed, and emptied, on return).
    pub fn neighbours(
        &self,
        vector: &Vector,
        scores: &mut [f32],
        touched: &mut Vec<u32>,
    ) -> Vec<(u32, f32)> {
        for &(t, w) in &vector.weights {
            for &(m, wm) in &self.postings[t as usize] {
                let slot = &mut scores[m as usize];
                if *slot == 0.0 {
                    touched.push(m);
                }
                *slot += w * wm;
            }
        }
        let out = touched.iter().map(|&m| (m, scores[m as usize])).collect();
        for &m in touched.iter() {
            scores[m as usize] = 0.0;
        }
        touched.clear();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(texts: &[&str]) -> (Vocabulary, Vec<Vector>) {
        let mut vocabulary = Vocabulary::new(&hindsight_search::words::default_synonyms());
        let bags = texts
            .iter()
            .map(|t| {
                let mut bag = Bag::default();
                bag.add(&mut Words::default(), t, 1);
                bag
            })
            .collect();
        let numbered = vocabulary.number(bags);
        let vectors = numbered
            .iter()
            .map(|terms| vocabulary.vector(terms, texts.len()))
            .collect();
        (vocabulary, vectors)
    }

    #[test]
    fn incidental_words_are_sorted() {
        assert!(
            INCIDENTAL.windows(2).all(|w| w[0] < w[1]),
            "keep INCIDENTAL sorted"
        );
        assert!(is_incidental("February") && !is_incidental("pool"));
    }

    #[test]
    fn words_are_stemmed_common_words_numbers_and_synonyms_folded() {
        let mut bag = Bag::default();
        bag.add(
            &mut Words::default(),
            "The DB pools were exhausted in 2024; the database pool exhausts",
            1,
        );
        let terms: Vec<(&str, u32, &str)> = bag
            .terms
            .iter()
            .map(|(t, c, w)| (t.as_str(), *c, w.as_str()))
            .collect();
        assert_eq!(
            terms,
            [
                ("db", 1, "DB"),
                ("pool", 2, "pools"),
                ("exhaust", 2, "exhausted"),
                ("databas", 1, "database")
            ]
        );
        let (vocabulary, vectors) = numbered(&["DB pools", "database pools", "disk full"]);
        assert_eq!(vocabulary.document_frequency.len(), 4, "db = database");
        let shared_terms = shared(&vectors[0], &vectors[1]);
        assert_eq!(shared_terms.len(), 2);
        assert!(shared(&vectors[0], &vectors[2]).is_empty());
    }

    #[test]
    fn neighbours_are_the_cosine_over_indexed_terms() {
        let (vocabulary, vectors) = numbered(&[
            "connection pool exhausted",
            "pool exhausted by retries",
            "certificate expired",
        ]);
        let index = InvertedIndex::new(&vectors, vocabulary.document_frequency.len(), 10);
        let mut scores = vec![0.0; 3];
        let mut touched = Vec::new();
        let found = index.neighbours(&vectors[0], &mut scores, &mut touched);
        let cosine: f32 = shared(&vectors[0], &vectors[1]).iter().map(|s| s.1).sum();
        let of = |m: u32| found.iter().find(|f| f.0 == m).map(|f| f.1);
        assert!((of(1).unwrap() - cosine).abs() < 1e-6);
        assert!(
            of(0).unwrap() < 1.0,
            "itself, short of `connection` (in one vector only)"
        );
        assert_eq!(of(2), None);
        assert!(scores.iter().all(|&s| s == 0.0) && touched.is_empty());
    }
}
