//! Ids and file names for imported incidents. Id-like prefixes of file
//! names are kept (`PM2021-005 - Title.md` → `PM2021-005`, `RCA-17-…`,
//! `INC-2024-012_…`), so are date-named files (`2021-06-22-db-outage.md`);
//! otherwise the id is a short slug (≤ 60 characters) of the date and the
//! title. Never the title twice, never longer than `build` accepts.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::scaffold::file_slug;
use crate::slug::{id_slug, slugify};

/// Longest id or file-name stem import makes.
pub const MAX_ID_CHARS: usize = 60;

/// `PM2021-005`, `INC-2024-012`, `RCA-17`, `JIRA-1234` at the start of a
/// name: letters, digits (at least two in all), more digit groups.
static ID_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<id>[A-Za-z]{1,10}[-_]?\d+(?:[-_.]\d+)*)(?:$|[\s\-_.:,)\]])")
        .expect("valid regex")
});
static DATE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:19|20)\d{2}[-_.]?\d{2}[-_.]?\d{2}(?:$|[^0-9])").expect("valid regex")
});

/// The id-like prefix of a file stem, if it has one.
pub fn id_prefix(stem: &str) -> Option<&str> {
    let id = ID_PREFIX.captures(stem.trim())?.name("id")?.as_str();
    let digits = id.chars().filter(char::is_ascii_digit).count();
    // `P1-…`, `v2-…`: a severity or a version, not an id.
    (digits >= 2).then_some(id)
}

/// Whether the stem starts with a date (`2021-06-22-…`, `20210622 …`).
pub fn starts_with_date(stem: &str) -> bool {
    DATE_PREFIX.is_match(stem.trim())
}

/// Whether a stem reads as words (`hub-403`, `DustStorm`), not a hash or counter.
pub fn is_readable(stem: &str) -> bool {
    stem.split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w.len() >= 3 && !w.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `<id>` for a slug id, `<id>-<title slug>` for a code such as `INC-2024-001`
/// (the file is found by its title too), at most 80 characters.
pub fn file_stem(id: &str, title: &str) -> String {
    let id_part = id_slug(id);
    let is_code = id.chars().any(|c| c.is_ascii_uppercase()) || slugify(id) != id;
    let title_slug = file_slug(title);
    let stem = if is_code && !title_slug.is_empty() && !id_part.contains(&title_slug) {
        format!("{id}-{title_slug}")
    } else {
        id.to_string()
    };
    let cut: String = stem.chars().take(80).collect();
    cut.trim_end_matches(['-', '.', '_']).to_string()
}

/// `id`, or `id-2`, `id-3`… when `taken` has it (compared as slugs, as
/// `build` compares ids). Records the result in `taken`.
pub fn unique(id: &str, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = id.to_string();
    let mut n = 2;
    while !taken.insert(id_slug(&candidate)) {
        candidate = format!("{id}-{n}");
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_like_prefixes() {
        assert_eq!(
            id_prefix("PM2021-005 - Kubernetes ingress"),
            Some("PM2021-005")
        );
        assert_eq!(id_prefix("INC-2024-012_db"), Some("INC-2024-012"));
        assert_eq!(id_prefix("RCA-17"), Some("RCA-17"));
        assert_eq!(id_prefix("P1-db-down"), None);
        assert_eq!(id_prefix("log4j-response"), None);
        assert_eq!(id_prefix("2021-06-22-db"), None);
        assert!(starts_with_date("2021-06-22-db"));
        assert!(starts_with_date("2019-01-23"));
        assert!(!starts_with_date("04-25-User_Account_Compromise"));
        assert!(is_readable("hub-403"));
        assert!(!is_readable("000_b8687fdcb6c5d86d"));
    }

    #[test]
    fn file_stems_never_repeat_the_title() {
        assert_eq!(
            file_stem("PM2021-008", "Kubernetes ingress controller outage"),
            "PM2021-008-kubernetes-ingress-controller-outage"
        );
        assert_eq!(
            file_stem("2021-05-09-negative-coin-values", "Negative coin values"),
            "2021-05-09-negative-coin-values"
        );
        let mut taken = BTreeSet::new();
        assert_eq!(unique("INC-1", &mut taken), "INC-1");
        assert_eq!(unique("inc-1", &mut taken), "inc-1-2");
    }
}
