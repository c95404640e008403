//! Turning metadata values as written into front-matter values `build`
//! accepts: severities through the configured scale, durations, names
//! without their job titles or addresses. A value that cannot be read is
//! reported, never guessed. (Dates and times: [`super::clock`].)

use std::sync::LazyLock;

use regex::Regex;

use super::metadata::Field;
use super::template::is_placeholder_value;
use crate::config::Config;
use crate::incident::Status;
use crate::incident::timeparse::parse_duration;

static PARENTHETICAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*\([^)]*\)").expect("valid regex"));

/// Words that stand for a name in templates (`| Incident Commander | Name |`).
const NAME_STAND_INS: &[&str] = &[
    "name",
    "names",
    "list of people",
    "person",
    "people",
    "your name",
    "full name",
];

/// Values no field means literally.
const STAND_INS: &[&str] = &["tbd", "todo", "xxx", "...", "…"];

/// Values that say "nothing here".
const NOTHING: &[&str] = &["n/a", "na", "none", "-", "—", "unknown", "tbc"];

/// What a raw value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Nothing,
    /// Left from a template; the text is the placeholder.
    Placeholder(String),
    Value,
}

/// Whether `value` of `field` is real, empty, or a template placeholder.
pub fn reading(field: Field, value: &str) -> Reading {
    let lower = value.trim().to_lowercase();
    if lower.is_empty() || NOTHING.contains(&lower.as_str()) {
        return Reading::Nothing;
    }
    if let Some(found) = is_placeholder_value(value) {
        return Reading::Placeholder(found.to_string());
    }
    // A choice left for the author: `P0 / P1 / P2`, `RESOLVED / MITIGATED`.
    let is_choice = matches!(field, Field::Severity | Field::Status) && value.contains('/');
    let stands_in = matches!(field, Field::Commander | Field::Responders | Field::Title)
        && NAME_STAND_INS.contains(&lower.as_str());
    if is_choice || stands_in || STAND_INS.contains(&lower.as_str()) {
        return Reading::Placeholder(value.to_string());
    }
    Reading::Value
}

/// The level a severity such as `SEV-2 (escalated from SEV-3)`, `P1 (High)`
/// or `Major (High impact)` maps to: the whole value, then its parts.
pub fn severity(value: &str, config: &Config) -> Option<String> {
    let scale = &config.severities;
    let parts = std::iter::once(value)
        .chain(value.split(['(', ')', ',', '/', ';', '-']))
        .chain(value.split_whitespace());
    let found = parts
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .find_map(|p| scale.resolve(p));
    // `2`, `S2`, `severity::2`: a bare level number.
    let numbered = || {
        let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
        let letters = value.chars().filter(|c| c.is_alphabetic()).count();
        (digits.len() == 1 && letters <= 8)
            .then(|| scale.resolve(&format!("SEV{}", digits[0])))
            .flatten()
    };
    found.or_else(numbered).map(|(_, level)| level.name.clone())
}

pub fn status(value: &str) -> Option<Status> {
    Status::parse(value).or_else(|| value.split_whitespace().find_map(Status::parse))
}

/// Minutes in `4 hours 23 minutes`, `~3h (approx.)`, `44 minutes 35
/// seconds`, `21:45 to 23:28 UTC (103 minutes)`: the value, else the
/// first parenthetical that is a duration.
pub fn duration(value: &str) -> Option<(String, f64)> {
    let whole = clean_duration(value);
    if let Some(minutes) = parse_duration(&whole) {
        return Some((whole, minutes));
    }
    PARENTHETICAL_TEXT.captures_iter(value).find_map(|c| {
        let inner = clean_duration(&c[1]);
        parse_duration(&inner).map(|m| (inner, m))
    })
}

static PARENTHETICAL_TEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(([^)]*)\)").expect("valid regex"));

/// A duration without remarks: `~3h (approx.)` → `3h`, `about 45 min` → `45 min`.
fn clean_duration(value: &str) -> String {
    let cleaned = PARENTHETICAL.replace_all(value, "");
    let mut v = cleaned.trim();
    for prefix in [
        "~",
        "approx.",
        "approximately",
        "about",
        "around",
        "roughly",
        "ca.",
        "<",
        ">",
    ] {
        v = v.strip_prefix(prefix).unwrap_or(v).trim();
    }
    v.trim_end_matches(['.', ',']).trim().to_string()
}

/// `AI Gateway, Project Alpha Assistant` → two items; `a and b`, `a; b` too.
pub fn list(value: &str) -> Vec<String> {
    PARENTHETICAL
        .replace_all(value, "")
        .split([',', ';'])
        .flat_map(|part| part.split(" and "))
        .map(|s| s.trim().trim_end_matches('.').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// People: items that are counts (`8 engineers`) name no one.
pub fn people(value: &str) -> Vec<String> {
    list(&plain_names(value))
        .into_iter()
        .filter(|p| !p.starts_with(|c: char| c.is_ascii_digit()))
        .collect()
}

/// `Sarah Mitchell, Senior SRE` → `Sarah Mitchell`; `@oncall (approved)` → `@oncall`.
pub fn person(value: &str) -> Option<String> {
    let names = plain_names(value);
    let name = PARENTHETICAL.replace_all(&names, "");
    let name = name
        .split([',', ';'])
        .next()
        .unwrap_or("")
        .split(" - ")
        .next()
        .unwrap_or("")
        .trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Names without Markdown or addresses: `[Katharine Berry](https://…)` and
/// `[Sen Lu]` → the name, `Benjamin Elder <ben@example.com>` → `Benjamin Elder`.
fn plain_names(value: &str) -> String {
    static LINK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\[([^\]]*)\](?:\([^)]*\))?").expect("valid regex"));
    static ADDRESS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"<[^<>]*@[^<>]*>|\S+@\S+\.\w+").expect("valid regex"));
    let text = LINK.replace_all(value, "$1");
    ADDRESS.replace_all(&text, "").trim().to_string()
}

/// Letters, digits, `-`, `_`, `.`: what `build` accepts as an id.
pub fn id(value: &str) -> Option<String> {
    let id = value.trim();
    let valid = !id.is_empty()
        && id.len() <= 120
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    valid.then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_stand_ins_are_not_values() {
        assert_eq!(
            reading(Field::Id, "INC-YYYYMMDD-####"),
            Reading::Placeholder("INC-YYYYMMDD-####".into())
        );
        assert_eq!(
            reading(Field::Severity, "P0 / P1 / P2 / P3"),
            Reading::Placeholder("P0 / P1 / P2 / P3".into())
        );
        assert_eq!(
            reading(Field::Commander, "Name"),
            Reading::Placeholder("Name".into())
        );
        assert_eq!(reading(Field::Impact, "N/A"), Reading::Nothing);
        assert_eq!(
            reading(Field::Services, "AI Gateway / GraphRAG"),
            Reading::Value
        );
        assert_eq!(
            reading(Field::Severity, "SEV-2 (escalated from SEV-3)"),
            Reading::Value
        );
    }

    #[test]
    fn people_lists_and_names() {
        assert_eq!(
            people("David Kumar, Jennifer Park, Rachel Adams (customer comms)"),
            ["David Kumar", "Jennifer Park", "Rachel Adams"]
        );
        assert!(people("8 engineers, 2 customer success managers").is_empty());
        assert_eq!(
            person("Sarah Mitchell, Senior SRE").as_deref(),
            Some("Sarah Mitchell")
        );
        assert_eq!(list("AI Gateway, Project Alpha Assistant").len(), 2);
        assert_eq!(duration("4 hours 23 minutes").map(|d| d.1), Some(263.0));
        assert_eq!(duration("~3h (approx.)").map(|d| d.1), Some(180.0));
        assert_eq!(
            duration("21:45 to 23:28 UTC (103 minutes)"),
            Some(("103 minutes".into(), 103.0))
        );
        assert_eq!(duration("Downtime of about 45 min"), None);
        assert_eq!(duration("about 45 min").map(|d| d.1), Some(45.0));
        assert_eq!(
            people(
                "[Katharine Berry](https://github.com/Katharine), Benjamin Elder <ben@example.com>"
            ),
            ["Katharine Berry", "Benjamin Elder"]
        );
        assert_eq!(
            severity(
                "Major (High Impact, Service Degradation)",
                &Config::default()
            )
            .as_deref(),
            Some("SEV2")
        );
        assert_eq!(
            severity("severity::3", &Config::default()).as_deref(),
            Some("SEV3")
        );
        assert_eq!(severity("Unknown", &Config::default()), None);
        assert_eq!(id("INC-2025-0023").as_deref(), Some("INC-2025-0023"));
        assert_eq!(id("../x"), None);
        assert_eq!(
            severity("P1 (High)", &Config::default()).as_deref(),
            Some("SEV1")
        );
        assert_eq!(status("Resolved ✅"), Some(Status::Resolved));
    }
}
