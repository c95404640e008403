//! Word lists the ranking uses: common English words, and synonyms.

use std::collections::{BTreeSet, HashMap};

use crate::schema::analyze;

/// Common English words (function words, question words, auxiliaries): in
/// a query with other words they are optional and weigh little, so that
/// "what happens when the disk fills up" ranks by `disk` and `fills`. They
/// still count inside a quoted phrase, and when a query has nothing else.
/// Compared with the lowercased word as typed, before stemming.
const COMMON: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "else",
    "ever", "every", "few", "for", "from", "further", "get", "gets", "got", "had", "has", "have",
    "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is",
    "it", "its", "itself", "just", "may", "me", "might", "more", "most", "much", "must", "my",
    "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
    "out", "over", "own", "same", "shall", "she", "should", "so", "some", "such", "than", "that",
    "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "upon", "us", "very", "was", "we", "were", "what",
    "whatever", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why",
    "will", "with", "within", "without", "would", "you", "your", "yours",
];

/// Whether a word as typed (any case) is a common English word.
pub fn is_common(word: &str) -> bool {
    let lower = word.to_lowercase();
    COMMON.binary_search(&lower.as_str()).is_ok()
}

/// The synonyms every site has unless its configuration turns them off:
/// abbreviations of infrastructure terms that postmortems use both ways.
/// Each line is a group of equivalent words or phrases.
pub const DEFAULT_SYNONYMS: &[&[&str]] = &[
    &["k8s", "kubernetes"],
    &["db", "database"],
    &["pg", "postgres", "postgresql"],
    &["mongo", "mongodb"],
    &["lb", "load balancer"],
    &["tls", "ssl"],
    &["cert", "certificate"],
    &["config", "configuration"],
    &["auth", "authentication"],
    &["oom", "out of memory"],
    &["az", "availability zone"],
    &["vm", "virtual machine"],
    &["ddos", "denial of service"],
    &["cdn", "content delivery network"],
    &["ttl", "time to live"],
    &["ha", "high availability"],
];

/// Synonym groups, analyzed: for a query term, the other members of its
/// groups (each a list of terms: one for a word, several for a phrase).
/// A member that is a phrase is an alternative for the others, but is not
/// itself expanded (a query word is one term).
#[derive(Clone, Debug, Default)]
pub struct Synonyms {
    by_term: HashMap<String, Vec<Vec<String>>>,
}

impl Synonyms {
    pub fn new(groups: &[Vec<String>]) -> Synonyms {
        let mut by_term: HashMap<String, BTreeSet<Vec<String>>> = HashMap::new();
        for group in groups {
            let members: Vec<Vec<String>> = group
                .iter()
                .map(|m| analyze(m))
                .filter(|terms| !terms.is_empty())
                .collect();
            for member in &members {
                let [term] = member.as_slice() else { continue };
                let alternatives = by_term.entry(term.clone()).or_default();
                alternatives.extend(members.iter().filter(|m| *m != member).cloned());
            }
        }
        Synonyms {
            by_term: by_term
                .into_iter()
                .map(|(term, alts)| (term, alts.into_iter().collect()))
                .collect(),
        }
    }

    /// The alternatives of an analyzed query term (empty when none).
    pub fn of(&self, term: &str) -> &[Vec<String>] {
        self.by_term.get(term).map_or(&[], Vec::as_slice)
    }
}

/// The default groups as owned strings (what a site gets without
/// configuration).
pub fn default_synonyms() -> Vec<Vec<String>> {
    DEFAULT_SYNONYMS
        .iter()
        .map(|group| group.iter().map(|w| w.to_string()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_are_sorted_and_found() {
        assert!(COMMON.windows(2).all(|w| w[0] < w[1]), "keep COMMON sorted");
        assert!(is_common("The") && is_common("why") && !is_common("disk"));
    }

    #[test]
    fn synonyms_are_symmetric_and_phrases_are_alternatives() {
        let s = Synonyms::new(&default_synonyms());
        assert_eq!(s.of("k8s"), [vec!["kubernet".to_string()]]);
        assert_eq!(s.of("kubernet"), [vec!["k8s".to_string()]]);
        assert_eq!(s.of("lb"), [vec!["load".to_string(), "balanc".to_string()]]);
        assert!(s.of("load").is_empty());
        assert!(s.of("disk").is_empty());
        // Configured groups add to each other.
        let s = Synonyms::new(&[
            vec!["pg".into(), "postgres".into()],
            vec!["pg".into(), "page".into()],
        ]);
        assert_eq!(s.of("pg").len(), 2);
    }
}
