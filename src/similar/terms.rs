//! Texts as weighted term vectors: words normalised exactly as search
//! normalises them (`hindsight_search`'s analyzer: lowercase, ASCII folding,
//! English stemming), common words and bare numbers dropped, single-word
//! synonyms folded onto one term; weights are TF-IDF, vectors unit length.

use hindsight_search::schema::analyze;
use hindsight_search::words::{Synonyms, is_common};
// Millions of lookups of short words: Fx hashing is several times faster
// than the default SipHash, and no result depends on the maps' order.
use rustc_hash::FxHashMap as HashMap;

/// A term's number within one [`Vocabulary`].
pub type TermId = u32;

/// The words of one text as written, each with how often it occurs, in
/// order of first appearance. They borrow the text: a bag of a long
/// postmortem holds hundreds of words, and 10,000 bags of owned strings
/// were most of the memory and time of this module.
#[derive(Debug, Default, Clone)]
pub struct Bag<'a> {
    words: Vec<(&'a str, u32)>,
}

/// Where each word of the bag being filled is in it; kept between bags so
/// that filling one allocates nothing but the bag.
pub type Seen<'a> = HashMap<&'a str, usize>;

impl<'a> Bag<'a> {
    /// Adds the words of `text`, each counted `times` times.
    pub fn add(&mut self, seen: &mut Seen<'a>, text: &'a str, times: u32) {
        // The analyzer's tokenizer splits on every character that is not
        // alphanumeric; each word then goes through the analyzer alone.
        for written in text.split(|c: char| !c.is_alphanumeric()) {
            if written.is_empty() {
                continue;
            }
            match seen.get(written) {
                Some(&at) => self.words[at].1 += times,
                None => {
                    seen.insert(written, self.words.len());
                    self.words.push((written, times));
                }
            }
        }
    }

    /// Ends filling: `seen` is emptied for the next bag.
    pub fn done(self, seen: &mut Seen<'a>) -> Self {
        seen.clear();
        self
    }
}

/// The term of a word as written (the search analyzer's, exactly), or none
/// for a common or incidental word, a bare number, or a word the analyzer
/// drops.
fn term_of(written: &str) -> Option<String> {
    if is_common(written) || is_incidental(written) {
        return None;
    }
    analyze(written)
        .pop()
        .filter(|t| !t.bytes().all(|b| b.is_ascii_digit()))
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
pub fn surface(written: &str) -> String {
    if written.chars().skip(1).any(char::is_uppercase) {
        written.to_string()
    } else {
        written.to_lowercase()
    }
}

/// Term numbers of a collection, with synonyms folded onto one term.
pub struct Vocabulary<'a> {
    /// Each word as written → its term's number (the analyzer is the
    /// costly part, and a collection has far fewer distinct words than words).
    written: HashMap<&'a str, Option<TermId>>,
    ids: HashMap<String, TermId>,
    synonyms: Synonyms,
    /// Per term: how many documents contain it.
    pub document_frequency: Vec<u32>,
}

/// A bag's terms: (term, count, the word as first written), in order of
/// the term's first appearance.
pub type Numbered<'a> = Vec<(TermId, u32, &'a str)>;

/// One term of a [`Vector`]: its weight, and the word as the text first
/// wrote it.
#[derive(Debug, Clone, Copy)]
pub struct Weighted<'a> {
    pub term: TermId,
    pub weight: f32,
    pub written: &'a str,
}

/// A unit-length TF-IDF vector, sorted by term.
#[derive(Debug, Clone, Default)]
pub struct Vector<'a> {
    pub terms: Vec<Weighted<'a>>,
}

impl<'a> Vocabulary<'a> {
    pub fn new(synonym_groups: &[Vec<String>]) -> Vocabulary<'a> {
        Vocabulary {
            written: HashMap::default(),
            ids: HashMap::default(),
            synonyms: Synonyms::new(synonym_groups),
            document_frequency: Vec::new(),
        }
    }

    /// Numbers the terms of every bag (counting each bag once per term).
    /// Terms are numbered in order of first appearance, bag after bag.
    pub fn number(&mut self, bags: Vec<Bag<'a>>) -> Vec<Numbered<'a>> {
        // Per term: where it is in the bag being numbered (`u32::MAX`: not
        // in it); reset after each bag.
        let mut position: Vec<u32> = Vec::new();
        bags.into_iter()
            .map(|bag| {
                let mut out: Numbered<'a> = Vec::with_capacity(bag.words.len());
                for (written, count) in bag.words {
                    let Some(id) = self.id_of_written(written) else {
                        continue;
                    };
                    if position.len() <= id as usize {
                        position.resize(id as usize + 1, u32::MAX);
                    }
                    match position[id as usize] {
                        u32::MAX => {
                            position[id as usize] = out.len() as u32;
                            out.push((id, count, written));
                        }
                        at => out[at as usize].1 += count,
                    }
                }
                for &(id, _, _) in &out {
                    position[id as usize] = u32::MAX;
                    self.document_frequency[id as usize] += 1;
                }
                out
            })
            .collect()
    }

    fn id_of_written(&mut self, written: &'a str) -> Option<TermId> {
        if let Some(&id) = self.written.get(written) {
            return id;
        }
        let id = term_of(written).map(|term| self.id(&term));
        self.written.insert(written, id);
        id
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
    pub fn vector(&self, terms: &[(TermId, u32, &'a str)], documents: usize) -> Vector<'a> {
        let mut weighted: Vec<Weighted<'a>> = terms
            .iter()
            .map(|&(term, count, written)| {
                let df = self.document_frequency[term as usize].max(1) as f32;
                let idf = (documents as f32 / df).ln();
                Weighted {
                    term,
                    weight: (1.0 + (count as f32).ln()) * idf,
                    written,
                }
            })
            .filter(|t| t.weight > 0.0)
            .collect();
        let norm = weighted
            .iter()
            .map(|t| t.weight * t.weight)
            .sum::<f32>()
            .sqrt();
        if norm > 0.0 {
            for t in &mut weighted {
                t.weight /= norm;
            }
        }
        weighted.sort_unstable_by_key(|t| t.term);
        Vector { terms: weighted }
    }
}

/// The terms two vectors share with their contribution to the cosine,
/// largest first (ties by term number), each as `a` writes it.
pub fn shared<'a>(a: &Vector<'a>, b: &Vector<'_>) -> Vec<(&'a str, f32)> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.terms.len() && j < b.terms.len() {
        let (ta, tb) = (a.terms[i], b.terms[j]);
        match ta.term.cmp(&tb.term) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push((ta.term, ta.weight * tb.weight, ta.written));
                i += 1;
                j += 1;
            }
        }
    }
    out.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    out.into_iter()
        .map(|(_, w, written)| (written, w))
        .collect()
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
            for t in &v.terms {
                postings[t.term as usize].push((n as u32, t.weight));
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
        for t in &vector.terms {
            let w = t.weight;
            for &(m, wm) in &self.postings[t.term as usize] {
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

    fn numbered<'a>(texts: &[&'a str]) -> (Vocabulary<'a>, Vec<Vector<'a>>) {
        let mut vocabulary = Vocabulary::new(&hindsight_search::words::default_synonyms());
        let bags = texts.iter().map(|t| bag(t)).collect();
        let numbered = vocabulary.number(bags);
        let vectors = numbered
            .iter()
            .map(|terms| vocabulary.vector(terms, texts.len()))
            .collect();
        (vocabulary, vectors)
    }

    fn bag(text: &str) -> Bag<'_> {
        let mut seen = Seen::default();
        let mut bag = Bag::default();
        bag.add(&mut seen, text, 1);
        bag.done(&mut seen)
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
        let mut vocabulary = Vocabulary::new(&hindsight_search::words::default_synonyms());
        let terms = vocabulary.number(vec![bag(
            "The DB pools were exhausted in 2024; the database pool exhausts",
        )]);
        // `db` and `database` are one term (numbered by `databas`, the
        // first of them alphabetically), first written `DB`.
        assert_eq!(
            terms,
            [vec![(0, 2, "DB"), (1, 2, "pools"), (2, 2, "exhausted")]]
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
