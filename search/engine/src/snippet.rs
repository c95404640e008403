//! Snippets: the best window of a hit's stored snippet text, HTML-escaped,
//! with the query's terms (after analysis, so `pools` highlights for `pool`,
//! and fuzzy/prefix expansions highlight too) wrapped in `<mark>`.

use std::collections::BTreeSet;

use crate::schema::analyze_with_offsets;

/// Characters of context shown before the first highlighted word.
const LEAD: usize = 40;

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

/// Builds a snippet of at most about `max_chars` characters of `text`.
pub fn snippet_html(text: &str, terms: &BTreeSet<String>, max_chars: usize) -> String {
    // (from, to, matched) byte offsets of every token.
    let mut tokens: Vec<(usize, usize, bool)> = Vec::new();
    let mut matched_terms: Vec<String> = Vec::new();
    analyze_with_offsets(text, |t| {
        let m = terms.contains(&t.text);
        tokens.push((t.offset_from, t.offset_to, m));
        matched_terms.push(if m { t.text.clone() } else { String::new() });
    });
    let max_bytes = byte_budget(text, max_chars);

    // Pick the window (starting a little before a matched token) that holds
    // the most distinct matched terms, then the most matches; earliest wins.
    let mut best: Option<(usize, usize, (usize, usize))> = None; // (start, end, score)
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
        let score = (distinct.len(), count);
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

    fn set(terms: &[&str]) -> BTreeSet<String> {
        terms.iter().map(|s| s.to_string()).collect()
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
    fn no_match_shows_the_start() {
        let s = snippet_html("alpha beta gamma delta", &set(&["zeta"]), 12);
        assert_eq!(s, "alpha beta…");
        assert_eq!(snippet_html("", &set(&["x"]), 10), "");
        // Multi-byte text never splits a character.
        let s = snippet_html("ééééé ééé", &set(&[]), 3);
        assert_eq!(s, "ééééé…");
    }
}
