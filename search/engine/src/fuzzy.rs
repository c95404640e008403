//! Words the index does not know: their spelling expansions (dictionary
//! terms within a small edit distance, and completions of an unfinished
//! last word), and the query as understood, spelt with the words as they
//! appear in the results rather than as stems.

use std::collections::{BTreeMap, HashMap};

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::{SegmentReader, Term};

use crate::SearchError;
use crate::query::TextExpr;
use crate::rank::Expansions;
use crate::schema::analyze_with_offsets;
use crate::sort::sort_by;

/// Most candidate terms a misspelt word expands to.
const MAX_FUZZY: usize = 4;
/// Most completions of an unfinished last word.
const MAX_PREFIX: usize = 6;
/// Leading characters a fuzzy candidate must share with the typed word
/// (keeps the dictionary ranges read small).
const FUZZY_PREFIX_CHARS: usize = 1;
/// Most characters a misspelt word is cut short by to meet a stem.
const MAX_CUT_CHARS: usize = 4;
/// Fewest characters a cut-short form keeps.
const MIN_CUT_CHARS: usize = 4;
/// Weights of a completion and of candidates at distance 1 and 2.
const COMPLETION_WEIGHT: f32 = 0.9;
const DISTANCE_1_WEIGHT: f32 = 0.8;
const DISTANCE_2_WEIGHT: f32 = 0.6;

/// Dictionary terms found for one word: candidate → (edit distance, or 0
/// for a completion; summed document frequency; is a completion).
pub(crate) type Found = BTreeMap<String, (u8, u64, bool)>;

/// Adds to `found` the terms of each of `fields` within edit distance of
/// `word` (1 for words of up to 5 letters, 2 for longer; sharing the first
/// [`FUZZY_PREFIX_CHARS`]), or when none is, of `word` cut short (see
/// [`cut_forms`]), and with `open`, the terms it is a prefix of. A field
/// that fails (its dictionary not fetched yet) does not stop the others,
/// so that one discovery pass asks for the ranges of every field at once;
/// the first failure is returned.
pub(crate) fn scan_dictionary(
    seg: &SegmentReader,
    fields: &[Field],
    word: &str,
    open: bool,
    found: &mut Found,
) -> Result<(), SearchError> {
    let mut failure: Option<SearchError> = None;
    let mut dicts = Vec::new();
    for &field in fields {
        match seg.inverted_index(field) {
            Ok(inv) => dicts.push(inv),
            Err(e) => {
                failure.get_or_insert(e.into());
            }
        }
    }
    let prefix: String = word.chars().take(FUZZY_PREFIX_CHARS).collect();
    // In each field, the first form, least cut, that meets any term: a
    // cut-short form is a fallback, never a rival of the word as typed
    // ("kuberentes" means the stem "kubernet", one edit away, not "kube").
    // Each form's automaton is built once for all the fields (building one
    // costs more than streaming a dictionary range with it).
    let mut unmet: Vec<usize> = (0..dicts.len()).collect();
    for form in cut_forms(word) {
        let Some(&first) = fields.first() else { break };
        if unmet.is_empty() {
            break;
        }
        let distance = if form.chars().count() <= 5 { 1 } else { 2 };
        let automaton =
            FuzzyTermQuery::new(Term::from_field_text(first, &form), distance, true).automaton()?;
        unmet.retain(|&i| {
            let stream = dicts[i]
                .terms()
                .search(&automaton)
                .ge(prefix.as_bytes())
                .lt(prefix_end(prefix.as_bytes()))
                .into_stream();
            let mut stream = match stream {
                Ok(stream) => stream,
                Err(e) => {
                    failure.get_or_insert(e.into());
                    return false;
                }
            };
            let mut met = false;
            while stream.advance() {
                let Ok(cand) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let d = strsim::osa_distance(&form, cand).min(255) as u8;
                let e = found.entry(cand.to_string()).or_insert((d, 0, false));
                e.1 += u64::from(stream.value().doc_freq);
                met = true;
            }
            !met
        });
    }
    if open && word.chars().count() >= 2 {
        for inv in &dicts {
            let stream = inv
                .terms()
                .range()
                .ge(word.as_bytes())
                .lt(prefix_end(word.as_bytes()))
                .into_stream();
            let mut stream = match stream {
                Ok(stream) => stream,
                Err(e) => {
                    failure.get_or_insert(e.into());
                    continue;
                }
            };
            while stream.advance() {
                let Ok(cand) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let e = found.entry(cand.to_string()).or_insert((0, 0, true));
                e.2 = true;
                e.0 = 0;
                e.1 += u64::from(stream.value().doc_freq);
            }
        }
    }
    failure.map_or(Ok(()), Err)
}

/// The weighted candidates of one word from what the scan found: the most
/// frequent completions, then the closest terms (most frequent first).
pub(crate) fn candidates(word: &str, mut found: Found) -> Vec<(String, f32)> {
    found.remove(word);
    let mut completions: Vec<(&String, u64)> = found
        .iter()
        .filter(|(_, v)| v.2)
        .map(|(k, v)| (k, v.1))
        .collect();
    sort_by(&mut completions, |a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut close: Vec<(&String, u8, u64)> = found
        .iter()
        .filter(|(_, v)| !v.2)
        .map(|(k, v)| (k, v.0, v.1))
        .collect();
    sort_by(&mut close, |a, b| {
        a.1.cmp(&b.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0))
    });
    let best = close.first().map(|c| c.1);
    let mut out: Vec<(String, f32)> = completions
        .into_iter()
        .take(MAX_PREFIX)
        .map(|(c, _)| (c.clone(), COMPLETION_WEIGHT))
        .collect();
    for (c, d, _) in close
        .into_iter()
        .filter(|c| Some(c.1) == best)
        .take(MAX_FUZZY)
    {
        let weight = if d <= 1 {
            DISTANCE_1_WEIGHT
        } else {
            DISTANCE_2_WEIGHT
        };
        out.push((c.clone(), weight));
    }
    out
}

/// `word` and then, since the dictionary holds stems without the endings a
/// misspelt word keeps ("faiolver" is three edits from "failov", the stem
/// of "failover"), the word cut short by up to [`MAX_CUT_CHARS`] characters,
/// down to [`MIN_CUT_CHARS`]. Words under 3 characters have no forms.
fn cut_forms(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 3 {
        return Vec::new();
    }
    let shortest = chars.len().saturating_sub(MAX_CUT_CHARS).max(MIN_CUT_CHARS);
    let mut forms = vec![word.to_string()];
    forms.extend(
        (shortest..chars.len())
            .rev()
            .map(|n| chars[..n].iter().collect()),
    );
    forms
}

/// The smallest byte string greater than every string starting with `p`.
fn prefix_end(p: &[u8]) -> Vec<u8> {
    let mut end = p.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0xff; p.len() + 1]
}

/// The query with each expanded word replaced by how its best candidate
/// is written in `texts` (the results' titles and snippets): the first
/// candidate, in order, that any of them contains, in its most frequent
/// spelling. A word none of the texts spells stays as typed; `None` when
/// no word was replaced.
pub(crate) fn suggest(
    query: &str,
    words: &[&TextExpr],
    exp: &Expansions,
    texts: &[&str],
) -> Option<String> {
    // Analyzed term → spelling → count, over all texts.
    let mut spellings: HashMap<String, BTreeMap<String, usize>> = HashMap::new();
    for text in texts {
        analyze_with_offsets(text, |t| {
            *spellings
                .entry(t.text.clone())
                .or_default()
                .entry(text[t.offset_from..t.offset_to].to_lowercase())
                .or_default() += 1;
        });
    }
    let mut out = query.to_string();
    let mut replaced = false;
    for w in words {
        let Some(candidates) = exp.get(&w.terms[0]) else {
            continue;
        };
        let spelling = candidates.iter().find_map(|(c, _)| {
            spellings
                .get(c)
                .and_then(|s| s.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))))
        });
        if let (Some((spelt, _)), Some(pos)) = (spelling, out.rfind(&w.raw)) {
            out.replace_range(pos..pos + w.raw.len(), spelt);
            replaced = true;
        }
    }
    replaced.then(|| out.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Expr, parse};

    #[test]
    fn misspelt_words_are_also_cut_short_to_meet_stems() {
        assert_eq!(
            cut_forms("faiolver"),
            ["faiolver", "faiolve", "faiolv", "faiol", "faio"]
        );
        assert_eq!(cut_forms("dsk"), ["dsk"]);
        assert_eq!(cut_forms("memroy"), ["memroy", "memro", "memr"]);
        assert!(cut_forms("db").is_empty());
    }

    #[test]
    fn prefix_ends() {
        assert_eq!(prefix_end(b"ab"), b"ac");
        assert_eq!(prefix_end(b"a\xff"), b"b");
    }

    #[test]
    fn suggestions_spell_words_as_the_results_do() {
        let Some(Expr::And(items)) = parse("kubernets upgarde") else {
            panic!()
        };
        let words: Vec<&TextExpr> = items
            .iter()
            .filter_map(|e| match e {
                Expr::Text(t) => Some(t),
                _ => None,
            })
            .collect();
        let mut exp = Expansions::new();
        exp.insert(words[0].terms[0].clone(), vec![("kubernet".into(), 0.8)]);
        exp.insert(words[1].terms[0].clone(), vec![("upgrad".into(), 0.8)]);
        let texts = [
            "Kubernetes clusters",
            "the kubernetes upgrade",
            "a Kubernetes node",
        ];
        assert_eq!(
            suggest("kubernets upgarde", &words, &exp, &texts).as_deref(),
            Some("kubernetes upgrade")
        );
        // A candidate no result spells leaves the word as typed.
        assert_eq!(
            suggest("kubernets upgarde", &words, &exp, &["nothing here"]),
            None
        );
    }
}
