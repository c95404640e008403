//! URL- and path-safe names for ids, tags and services. Every name that becomes
//! part of an output path goes through here, so no input can name a path
//! outside the output folder.

/// Longest slug we emit; keeps paths well under file-system limits.
pub const MAX_SLUG_LEN: usize = 80;

/// Lowercase kebab-case ASCII: `Connection Pool` → `connection-pool`,
/// `../../etc` → `etc`, `Café` → `cafe`. Empty when nothing usable remains.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    truncate_slug(slug)
}

/// Like [`slugify`] but keeps `.` and `_` inside, which ids often use
/// (`INC-2024.3`, `db_outage`). Never starts or ends with punctuation, so it
/// can never be `.` or `..`.
pub fn id_slug(id: &str) -> String {
    let ascii = deunicode::deunicode(id);
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if matches!(c, '.' | '_')
            && slug
                .chars()
                .last()
                .is_some_and(|l| l.is_ascii_alphanumeric())
        {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with(['-', '.', '_']) {
            slug.push('-');
        }
    }
    truncate_slug(slug)
}

fn truncate_slug(mut slug: String) -> String {
    if slug.len() > MAX_SLUG_LEN {
        slug.truncate(MAX_SLUG_LEN);
    }
    while slug.ends_with(['-', '.', '_']) {
        slug.pop();
    }
    if is_windows_reserved(&slug) {
        // Windows reserves the device name whatever follows the first dot
        // (`nul.txt`), so the mark goes right after it: `nul-x.txt`.
        let stem_end = slug.find('.').unwrap_or(slug.len());
        slug.insert_str(stem_end, "-x");
    }
    slug
}

/// `con`, `nul`, `com1`… cannot be file names on Windows, where a site may be checked out.
fn is_windows_reserved(slug: &str) -> bool {
    let stem = slug.split('.').next().unwrap_or(slug);
    matches!(stem, "con" | "prn" | "aux" | "nul")
        || (stem.len() == 4
            && (stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.as_bytes()[3].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_kebab_case_ascii() {
        assert_eq!(slugify("Connection Pool"), "connection-pool");
        assert_eq!(slugify("  AI Gateway / GraphRAG "), "ai-gateway-graphrag");
        assert_eq!(slugify("Café crème"), "cafe-creme");
        assert_eq!(slugify("!!!"), "");
        assert_eq!(slugify(&"x".repeat(300)).len(), MAX_SLUG_LEN);
    }

    #[test]
    fn hostile_names_never_become_paths() {
        for hostile in [
            "../../x",
            "a/b",
            "..",
            "/etc",
            "C:\\Windows",
            ".hidden",
            "con",
            "COM1",
            "nul.txt",
        ] {
            for slug in [slugify(hostile), id_slug(hostile)] {
                assert!(
                    !slug.contains('/') && !slug.contains('\\'),
                    "{hostile} -> {slug}"
                );
                assert!(!slug.starts_with('.'), "{hostile} -> {slug}");
                assert!(
                    !matches!(slug.as_str(), "con" | "com1" | "nul" | "nul.txt"),
                    "{hostile} -> {slug}"
                );
            }
        }
        assert_eq!(id_slug("../../x"), "x");
        assert_eq!(id_slug("INC-2024-003"), "inc-2024-003");
        assert_eq!(id_slug("db_outage.v2"), "db_outage.v2");
        assert_eq!(id_slug("nul.txt"), "nul-x.txt");
        assert_eq!(id_slug("CON"), "con-x");
        assert_eq!(slugify("LPT1"), "lpt1-x");
    }
}
