//! Snippets: the best window of a hit's stored snippet text, HTML-escaped,
//! with the query's terms (after analysis, so `pools` highlights for `pool`,
//! and fuzzy/prefix expansions highlight too) wrapped in `<mark>`. The
//! window is the one whose distinct matched terms weigh most, each weighing
//! its rarity, so it sits on the rarest words of the query.

use std::collections::{BTreeSet, HashMap};

use crate::schema::analyze_with_offsets;

/// Characters of context shown before the window's first matched word.
const LEAD: usize = 60;

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Builds a snippet of at most about `max_chars` characters of `text`,
/// marking the terms of `weights` (analyzed term → weight).
pub fn snippet_html(text: &str, weights: &HashMap<String, f32>, max_chars: usize) -> String {
    // (from, to, matched) byte offsets of every token.
    let mut tokens: Vec<(usize, usize, bool)> = Vec::new();
    let mut matched_terms: Vec<String> = Vec::new();
    analyze_with_offsets(text, |t| {
        let m = weights.contains_key(&t.text);
        tokens.push((t.offset_from, t.offset_to, m));
        matched_terms.push(if m { t.text.clone() } else { String::new() });
    });
    let max_bytes = byte_budget(text, max_chars);

    // Pick the window (starting a little before a matched token) whose
    // distinct matched terms weigh most, then with the most matches;
    // earliest wins. Weights are compared at a fixed precision.
    let mut best: Option<(usize, usize, (i64, usize))> = None; // (start, end, score)
    for (i, &(from, _, matched)) in tokens.iter().enumerate() {
        if !matched {
            continue;
        }
        let lead_start = from.saturating_sub(LEAD);
        let start = if lead_start == 0 {
            0
        } else {
            tokens[..=i]
                .iter()
                .find(|t| t.0 >= lead_start)
                .map_or(from, |t| t.0)
        };
        let limit = start + max_bytes;
        let mut end = start;
        let mut distinct = BTreeSet::new();
        let mut count = 0;
        for (k, &(f, t, m)) in tokens.iter().enumerate() {
            if f < start {
                continue;
            }
            if t > limit {
                break;
            }
            end = t;
            if m {
                count += 1;
                distinct.insert(&matched_terms[k]);
            }
        }
        let weight: f32 = distinct.iter().map(|t| weights[*t]).sum();
        let score = ((weight * 1024.0).round() as i64, count);
        if best.as_ref().is_none_or(|b| score > b.2) {
            best = Some((start, end.max(start), score));
        }
    }
    let (start, end) = match best {
        Some((s, e, _)) => (s, e),
        None => {
            let end = tokens
                .iter()
                .take_while(|t| t.1 <= max_bytes)
                .last()
                .or(tokens.first())
                .map_or(max_bytes, |t| t.1);
            (
                0,
                if text.len() <= max_bytes {
                    text.len()
                } else {
                    end
                },
            )
        }
    };
    let end = if text.len() - end < 4 {
        text.len()
    } else {
        end
    };

    let mut out = String::with_capacity(end - start + 32);
    if start > 0 {
        out.push('…');
    }
    let mut pos = start;
    for &(f, t, m) in &tokens {
        if !m || f < start || t > end {
            continue;
        }
        escape_html(&text[pos..f], &mut out);
        out.push_str("<mark>");
        escape_html(&text[f..t], &mut out);
        out.push_str("</mark>");
        pos = t;
    }
    escape_html(&text[pos..end], &mut out);
    if end < text.len() {
        out.push('…');
    }
    out
}

/// Bytes of `text` that hold its first `max_chars` characters.
fn byte_budget(text: &str, max_chars: usize) -> usize {
    text.char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words as analyzed terms, of equal weight.
    fn set(words: &[&str]) -> HashMap<String, f32> {
        words
            .iter()
            .flat_map(|w| crate::schema::analyze(w))
            .map(|t| (t, 1.0))
            .collect()
    }

    #[test]
    fn highlights_analyzed_matches_and_escapes() {
        let s = snippet_html(
            "The <db> Connection Pools & queues",
            &set(&["pool", "db"]),
            200,
        );
        assert_eq!(
            s,
            "The &lt;<mark>db</mark>&gt; Connection <mark>Pools</mark> &amp; queues"
        );
    }

    #[test]
    fn picks_the_window_with_most_terms() {
        let filler = "lorem ipsum dolor sit amet ".repeat(20);
        let text =
            format!("pool at the start. {filler} the pool ran out of connection slots. {filler}");
        let s = snippet_html(&text, &set(&["pool", "connection"]), 120);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(
            s.contains("<mark>pool</mark> ran out of <mark>connection</mark>"),
            "{s}"
        );
        assert!(s.chars().count() < 120 + 40, "{s}");
    }

    #[test]
    fn the_window_sits_on_the_rarest_words() {
        let filler = "lorem ipsum dolor sit amet ".repeat(20);
        let text =
            format!("The database was slow. {filler} Transaction wraparound stopped the database.");
        let weights: HashMap<String, f32> = [
            ("databas".to_string(), 0.5),
            ("wraparound".to_string(), 4.0),
        ]
        .into();
        let s = snippet_html(&text, &weights, 120);
        assert!(s.contains("<mark>wraparound</mark>"), "{s}");
        assert!(s.contains("<mark>database</mark>"), "{s}");
    }

    #[test]
    fn no_match_shows_the_start() {
        let s = snippet_html("alpha beta gamma delta", &set(&["zeta"]), 12);
        assert_eq!(s, "alpha beta…");
        assert_eq!(snippet_html("", &set(&["x"]), 10), "");
        // Multi-byte text never splits a character.
        let s = snippet_html("ééééé ééé", &set(&[]), 3);
        assert_eq!(s, "ééééé…");
    }
}
