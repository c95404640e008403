//! Titles from headings as legacy reports write them, without the parts
//! that are other fields: `# 2017-09-27, Hub 403` → "Hub 403",
//! `# Post-mortem of Shai-Hulud attack on November 24th, 2025` →
//! "Shai-Hulud attack", `## INC-2024-001: AI Gateway Memory Leak` → "AI
//! Gateway Memory Leak". A heading that only names the kind of document
//! ("Incident Report") or stands in for a title ("ISSUE NAME") gives none.

use std::sync::LazyLock;

use regex::Regex;

use super::clock::{Order, stamps_in};
use super::split::id_in;
use super::template::is_placeholder_title;

/// "Post-mortem of", "Incident Report:", "Major Incident:", "incident date:".
static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:major|critical|minor|security)\s+)?(?:incident|outage|post-?\s?mortem|rca|root cause analysis)(?:\s+(?:report|review|summary|post-?\s?mortem|date))?\s*(?:[:\-–—|]\s*|\s+(?:of|for|on)\s+)")
        .expect("valid regex")
});
/// "… Post Mortem", "… - Incident Report".
static SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*[:\-–—|]?\s*(?:post-?\s?mortem|incident report|incident review|rca)$")
        .expect("valid regex")
});
/// A heading that only names the kind of document.
static KIND_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:incident|post-?\s?mortem)(?:\s+(?:report|review|summary|post-?\s?mortem))?$",
    )
    .expect("valid regex")
});
/// A severity written into a heading: `[SEV2]`, `(P1)`, `SEV-1:`.
pub static SEVERITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?i:sev)[- ]?\d\b|\bP[0-4]\b").expect("valid regex"));

/// What removing a date or an id leaves behind: empty parentheses, a
/// dangling "on". (`\u{1}` marks where they were.)
static LEFTOVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[(\[]\s*\x01\s*[)\]]|\x01|(?i:\s+(?:on|from|of)\s*$)").expect("valid regex")
});

fn trim_separators(text: &str) -> &str {
    text.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—' | '|' | ',' | ';')
    })
}

/// The title a heading gives, if it gives one.
pub fn from_heading(heading: &str, order: Order) -> Option<String> {
    let mut title = heading.to_string();
    for stamp in stamps_in(heading, order).iter().rev() {
        title.replace_range(stamp.range.clone(), "\u{1}");
    }
    if let Some(id) = id_in(&title).map(str::to_string) {
        title = title.replacen(&id, "\u{1}", 1);
    }
    // `[SEV2]`, `(P1)`: the severity is a field of its own.
    let title = SEVERITY.replace_all(&title, "\u{1}").into_owned();
    let title = LEFTOVER.replace_all(&title, " ");
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let title = LEFTOVER.replace_all(trim_separators(&title), " ");
    let mut title = trim_separators(&title)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for _ in 0..2 {
        let stripped = PREFIX.replace(&title, "").to_string();
        let stripped = SUFFIX.replace(&stripped, "").to_string();
        let stripped = trim_separators(&stripped).to_string();
        if stripped.is_empty() {
            break;
        }
        title = stripped;
    }
    // A sentence-like heading keeps no full stop: "Compromised runners."
    let title = title
        .strip_suffix('.')
        .filter(|t| !t.ends_with('.'))
        .map_or(title.clone(), str::to_string);
    let meaningful = title.chars().any(char::is_alphanumeric)
        && !KIND_ONLY.is_match(&title)
        && !is_placeholder_title(&title);
    meaningful.then_some(title)
}

/// Words of a file name: `2021-05-09-negative-coin-values` → "Negative coin
/// values", `04-25-User_Account_Compromise` → "User Account Compromise",
/// `WikiAttack` → "Wiki Attack". `None` when no word is left.
pub fn from_file_stem(stem: &str) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    for part in stem.split(|c: char| !c.is_alphanumeric()) {
        if part.is_empty() || part.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        // CamelCase → two words.
        let mut word = String::new();
        let mut previous_lower = false;
        for c in part.chars() {
            if c.is_uppercase() && previous_lower {
                words.push(std::mem::take(&mut word));
            }
            previous_lower = c.is_lowercase();
            word.push(c);
        }
        words.push(word);
    }
    if !words
        .iter()
        .any(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
    {
        return None;
    }
    let mut title = words.join(" ");
    if let Some(first) = title.chars().next()
        && first.is_lowercase()
    {
        title.replace_range(..first.len_utf8(), &first.to_uppercase().to_string());
    }
    Some(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(h: &str) -> Option<String> {
        from_heading(h, Order::MonthFirst)
    }

    #[test]
    fn headings_lose_dates_ids_and_document_kinds() {
        assert_eq!(title("2017-09-27, Hub 403").as_deref(), Some("Hub 403"));
        assert_eq!(
            title("Post-mortem of Shai-Hulud attack on November 24th, 2025").as_deref(),
            Some("Shai-Hulud attack")
        );
        assert_eq!(
            title("INC-2024-001: AI Gateway Memory Leak").as_deref(),
            Some("AI Gateway Memory Leak")
        );
        assert_eq!(
            title("2017-11-30 4:23PM PST, OOM (Out of Memory) Proxy").as_deref(),
            Some("OOM (Out of Memory) Proxy")
        );
        assert_eq!(
            title("incident date: 2019-02-20, kubectl logs unavailable").as_deref(),
            Some("kubectl logs unavailable")
        );
        assert_eq!(
            title("Website Outage 5-26-21").as_deref(),
            Some("Website Outage")
        );
        assert_eq!(
            title("Oct 31 2021 Dust Storm").as_deref(),
            Some("Dust Storm")
        );
        assert_eq!(
            title("Major Incident: Database Overload (2023-12-15)").as_deref(),
            Some("Database Overload")
        );
        assert_eq!(
            title("PostHog Feature Flags Service Outage - September 29, 2025").as_deref(),
            Some("PostHog Feature Flags Service Outage")
        );
        assert_eq!(
            title("Keybase Beta Participant Permissions Post Mortem").as_deref(),
            Some("Keybase Beta Participant Permissions")
        );
        assert_eq!(
            title("Post-Mortem: Changes to SDK fetch() wrapper").as_deref(),
            Some("Changes to SDK fetch() wrapper")
        );
        assert_eq!(title("Incident Report: INC-2025-0023"), None);
        assert_eq!(title("ISSUE NAME"), None);
        assert_eq!(title("2019-01-23"), None);
        assert_eq!(title("Outage (2024-03-01)").as_deref(), Some("Outage"));
        assert_eq!(title("2017-09-29, 504").as_deref(), Some("504"));
        assert_eq!(
            title("Checkout errors [SEV2]").as_deref(),
            Some("Checkout errors")
        );
        assert_eq!(
            title("Compromised self-hosted runners.").as_deref(),
            Some("Compromised self-hosted runners")
        );
    }

    #[test]
    fn file_names_as_titles() {
        assert_eq!(
            from_file_stem("2021-05-09-negative-coin-values").as_deref(),
            Some("Negative coin values")
        );
        assert_eq!(
            from_file_stem("04-25-User_Account_Compromise").as_deref(),
            Some("User Account Compromise")
        );
        assert_eq!(
            from_file_stem("2021-05-10-WikiAttack").as_deref(),
            Some("Wiki Attack")
        );
        assert_eq!(from_file_stem("2019-01-23"), None);
    }
}
