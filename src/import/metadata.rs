//! Metadata as legacy postmortems write it: bold `**Key:** value` lines,
//! `| **Key** | value |` tables, `Key: value` lines and "Stats" lists. Keys
//! are matched by meaning (`Incident Commander`, `IC` → commander).

use std::sync::LazyLock;

use regex::Regex;

use crate::incident::SectionKind;
use crate::incident::body::{named_section_kind, section_kind};

/// The canonical fields import can infer, in front-matter order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Id,
    Title,
    /// A date, or a date and time (becomes `date` or `started`).
    When,
    Severity,
    Status,
    Started,
    Detected,
    Mitigated,
    Resolved,
    Duration,
    Services,
    Tags,
    Commander,
    Responders,
    Impact,
    Summary,
    /// "Time to detection: 8 minutes": detected = started + this.
    TimeToDetect,
    /// "Time to mitigation: 20 minutes".
    TimeToMitigate,
    /// "Time to recovery: 25 minutes": resolved = started + this.
    TimeToResolve,
    /// "Classification: Internal".
    Visibility,
    /// "Trigger: Latent bug triggered by a traffic spike".
    Trigger,
}

impl Field {
    /// The canonical front-matter name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Title => "title",
            Field::When => "date",
            Field::Severity => "severity",
            Field::Status => "status",
            Field::Started => "started",
            Field::Detected => "detected",
            Field::Mitigated => "mitigated",
            Field::Resolved => "resolved",
            Field::Duration => "duration",
            Field::Services => "services",
            Field::Tags => "tags",
            Field::Commander => "commander",
            Field::Responders => "responders",
            Field::Impact => "impact",
            Field::Summary => "summary",
            Field::TimeToDetect => "time to detect",
            Field::TimeToMitigate => "time to mitigate",
            Field::TimeToResolve => "time to resolve",
            Field::Visibility => "visibility",
            Field::Trigger => "trigger",
        }
    }

    /// Fields that sign-off and communication sections at the end of a
    /// report may also give; the others are read only from the top, where a
    /// later `Date:` is the date of a meeting, not of the incident.
    fn trusted_anywhere(self) -> bool {
        matches!(
            self,
            Field::Commander
                | Field::Responders
                | Field::Services
                | Field::Tags
                | Field::Duration
                | Field::TimeToDetect
                | Field::TimeToMitigate
                | Field::TimeToResolve
                | Field::Visibility
        )
    }
}

/// The field a key names, by its words: `Services Affected`, `Date/Time`, `IC`.
pub fn field_for_key(key: &str) -> Option<Field> {
    let words: Vec<String> = key
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let field = match words.join(" ").as_str() {
        "incident id" | "id" | "incident number" | "incident no" | "incident ref"
        | "incident reference" | "ticket" | "incident ticket" | "postmortem id" | "report id" => {
            Field::Id
        }
        "title" | "incident title" | "incident name" | "name of incident" => Field::Title,
        "date" | "incident date" | "date of incident" | "occurred" | "occurred on" | "day"
        | "date time" | "date and time" | "datetime" | "when" | "incident date time" => Field::When,
        "severity" | "sev" | "severity level" | "incident severity" | "priority"
        | "incident priority" | "priority level" | "sev level" => Field::Severity,
        "status" | "incident status" | "current status" | "state" => Field::Status,
        "start time"
        | "start"
        | "started"
        | "started at"
        | "start date"
        | "began"
        | "incident start"
        | "start of incident"
        | "impact start"
        | "first occurred"
        | "onset"
        | "incident start time"
        | "outage start"
        | "impact start time" => Field::Started,
        "detected" | "detected at" | "detection time" | "time detected" | "first detected"
        | "alerted at" | "alert time" => Field::Detected,
        "mitigated" | "mitigated at" | "mitigation time" | "time mitigated" => Field::Mitigated,
        "end time" | "end" | "ended" | "end date" | "resolved" | "resolved at"
        | "resolution time" | "time resolved" | "incident end" | "recovered at"
        | "recovery time" | "closed at" | "outage end" | "impact end" => Field::Resolved,
        "duration"
        | "total duration"
        | "incident duration"
        | "outage duration"
        | "downtime"
        | "total downtime"
        | "impact duration"
        | "total impact duration"
        | "outage length"
        | "length"
        | "duration of impact" => Field::Duration,
        "time to detect" | "time to detection" | "ttd" | "mttd" | "detection delay"
        | "time to detect ttd" => Field::TimeToDetect,
        "time to mitigate" | "time to mitigation" | "ttm" | "mttm" | "time to mitigate ttm" => {
            Field::TimeToMitigate
        }
        "time to resolve"
        | "time to resolution"
        | "time to recovery"
        | "time to recover"
        | "time to restore"
        | "time to repair"
        | "ttr"
        | "mttr"
        | "time to recovery ttr"
        | "time to resolve ttr" => Field::TimeToResolve,
        "services affected"
        | "affected services"
        | "services"
        | "service"
        | "services impacted"
        | "impacted services"
        | "affected service"
        | "systems affected"
        | "affected systems"
        | "systems"
        | "components affected"
        | "affected components"
        | "components"
        | "component"
        | "products affected"
        | "affected products"
        | "affected product"
        | "product" => Field::Services,
        "tags" | "labels" | "categories" | "category" | "keywords" | "incident type"
        | "incident category" | "type" => Field::Tags,
        "incident commander"
        | "commander"
        | "ic"
        | "incident lead"
        | "incident manager"
        | "incident owner"
        | "owner"
        | "incident coordinator"
        | "lead" => Field::Commander,
        "participants"
        | "responders"
        | "responding team"
        | "responding engineers"
        | "people involved"
        | "involved"
        | "on call"
        | "on call engineers"
        | "authors"
        | "author"
        | "created by"
        | "written by"
        | "prepared by"
        | "attendees"
        | "contributors"
        | "team members" => Field::Responders,
        "impact" | "customer impact" | "user impact" | "business impact" | "impact summary" => {
            Field::Impact
        }
        "summary" | "one line summary" | "tl dr" | "tldr" => Field::Summary,
        "classification"
        | "visibility"
        | "confidentiality"
        | "sensitivity"
        | "data classification"
        | "document classification" => Field::Visibility,
        "trigger" | "triggered by" | "incident trigger" => Field::Trigger,
        "postmortem owner" | "post mortem owner" | "pir owner" | "review owner"
        | "report owner" => Field::Responders,
        _ => return moment_by_words(&words),
    };
    Some(field)
}

/// Keys of incident-tool exports, read by their words: "Impact started
/// at", "Reported at", "Declared at", "Acknowledged at", "Resolved at",
/// "Detect time", "Time of detection", "Incident lead".
fn moment_by_words(words: &[String]) -> Option<Field> {
    let any = |ws: &[&str]| ws.iter().any(|w| words.iter().any(|x| x == w));
    let when = any(&["at", "time", "date", "on"]);
    if any(&["lead", "commander", "manager", "coordinator"]) && !when {
        return Some(Field::Commander);
    }
    if !when || words.len() > 5 {
        return None;
    }
    if any(&["started", "start", "began", "begin", "onset"]) {
        Some(Field::Started)
    } else if any(&[
        "detected",
        "detect",
        "detection",
        "reported",
        "declared",
        "alerted",
        "acknowledged",
        "noticed",
    ]) {
        Some(Field::Detected)
    } else if any(&["mitigated", "mitigation", "stabilized", "stabilised"]) {
        Some(Field::Mitigated)
    } else if any(&[
        "resolved",
        "resolution",
        "recovered",
        "recovery",
        "ended",
        "end",
        "closed",
        "fixed",
    ]) {
        Some(Field::Resolved)
    } else {
        None
    }
}

/// Keys naming who wrote the report: read only at its top.
const AUTHOR_KEYS: &[&str] = &[
    "author",
    "authors",
    "created by",
    "written by",
    "prepared by",
];

/// One metadata value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawField {
    pub field: Field,
    /// The key as written, e.g. `Services Affected`.
    pub key: String,
    pub value: String,
    /// 1-based line within the scanned text.
    pub line: usize,
}

static BOLD_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:[-*+]\s+)?(?:\*\*|__)([^*_\n]{1,40}?)(?::(?:\*\*|__)|(?:\*\*|__)\s*:)\s*(.*)$",
    )
    .expect("valid regex")
});
static TABLE_ROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\|\s*(?:\*\*|__)?([^|*_]{1,40}?)(?:\*\*|__)?\s*\|\s*([^|]*?)\s*\|\s*$")
        .expect("valid regex")
});
static PLAIN_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[-*+]\s+)?([A-Za-z][A-Za-z /&()-]{0,30}):\s+(\S.*)$").expect("valid regex")
});

/// Metadata values of one incident's text, first occurrence of each field
/// first. Code blocks are skipped; see [`Field::trusted_anywhere`] for which
/// fields count after the report's first content section (Timeline, Root
/// Cause…).
pub fn extract(text: &str) -> Vec<RawField> {
    let mut out = Vec::new();
    let mut top = true;
    let mut title_seen = false;
    for (offset, line) in crate::prose::lines_outside_code(text) {
        let line_no = text[..offset].matches('\n').count() + 1;
        if let Some(heading) = heading_text(line) {
            // The first heading is the title ("DNS resolution failures"), not a section.
            let kind = if title_seen {
                section_kind(heading)
            } else {
                named_section_kind(heading)
            };
            title_seen = true;
            if kind.is_some_and(|k| k != SectionKind::Summary) {
                top = false;
            }
            continue;
        }
        let Some((key, value)) = key_value(line) else {
            continue;
        };
        let Some(field) = field_for_key(&key) else {
            continue;
        };
        let value = clean_value(&value);
        // "Author:" further down is a quoted commit or e-mail, not the report's.
        let top_only_key = AUTHOR_KEYS.contains(&key.trim().to_lowercase().as_str());
        if value.is_empty() || !(top || (field.trusted_anywhere() && !top_only_key)) {
            continue;
        }
        out.push(RawField {
            field,
            key,
            value,
            line: line_no,
        });
    }
    out
}

/// Whether `line` gives a field (`**Severity:** SEV2`, `| Status | Resolved |`).
pub fn is_field_line(line: &str) -> bool {
    key_value(line).is_some_and(|(key, _)| field_for_key(&key).is_some())
}

fn heading_text(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let hashes = t.chars().take_while(|&c| c == '#').count();
    (1..=6)
        .contains(&hashes)
        .then(|| &t[hashes..])
        .filter(|rest| rest.is_empty() || rest.starts_with(' '))
        .map(|rest| rest.trim().trim_end_matches('#').trim())
}

fn key_value(line: &str) -> Option<(String, String)> {
    let caps = BOLD_KEY
        .captures(line)
        .or_else(|| TABLE_ROW.captures(line))
        .or_else(|| PLAIN_KEY.captures(line))?;
    Some((caps[1].trim().to_string(), caps[2].to_string()))
}

/// Drops Markdown decoration around a value: hard breaks, emphasis, code.
pub fn clean_value(value: &str) -> String {
    let mut v = value.trim().trim_end_matches('\\').trim();
    loop {
        let before = v;
        for wrap in ["**", "__", "*", "_", "`"] {
            if v.len() > 2 * wrap.len() && v.starts_with(wrap) && v.ends_with(wrap) {
                v = v[wrap.len()..v.len() - wrap.len()].trim();
            }
        }
        if v == before {
            break;
        }
    }
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(Field, String, usize)> {
        extract(text)
            .into_iter()
            .map(|f| (f.field, f.value, f.line))
            .collect()
    }

    #[test]
    fn reads_bold_lines_tables_and_plain_keys() {
        let text = "**Date:** January 15, 2024  \n**Severity**: P1 (High)  \n| **Incident Commander** | Name |\n|---|---|\nDuration: 3 hours\n- Services Affected: api, db\nNote: not a field\n";
        assert_eq!(
            pairs(text),
            [
                (Field::When, "January 15, 2024".to_string(), 1),
                (Field::Severity, "P1 (High)".to_string(), 2),
                (Field::Commander, "Name".to_string(), 3),
                (Field::Duration, "3 hours".to_string(), 5),
                (Field::Services, "api, db".to_string(), 6),
            ]
        );
    }

    #[test]
    fn later_sections_only_give_people_and_services() {
        let text = "**Status**: Resolved\n\n## Timeline\n\n**Date**: 2025-01-15\n**Incident Commander**: Sarah Mitchell, Senior SRE\n```\nSeverity: SEV1\n```\n";
        assert_eq!(
            pairs(text),
            [
                (Field::Status, "Resolved".to_string(), 1),
                (
                    Field::Commander,
                    "Sarah Mitchell, Senior SRE".to_string(),
                    6
                ),
            ]
        );
    }

    #[test]
    fn keys_match_by_meaning() {
        assert_eq!(field_for_key("Services Affected"), Some(Field::Services));
        assert_eq!(field_for_key("Date/Time"), Some(Field::When));
        assert_eq!(field_for_key("IC"), Some(Field::Commander));
        assert_eq!(field_for_key("Root Cause"), None);
        assert_eq!(field_for_key("Impact started at"), Some(Field::Started));
        assert_eq!(field_for_key("Reported at"), Some(Field::Detected));
        assert_eq!(field_for_key("Detect time"), Some(Field::Detected));
        assert_eq!(field_for_key("Time of resolution"), Some(Field::Resolved));
        assert_eq!(field_for_key("Incident lead"), Some(Field::Commander));
        assert_eq!(field_for_key("Time to detect"), Some(Field::TimeToDetect));
        assert_eq!(field_for_key("Postmortem owner"), Some(Field::Responders));
        assert_eq!(field_for_key("Next steps"), None);
        assert_eq!(clean_value(" **SEV-2**  "), "SEV-2");
        assert_eq!(clean_value("`v3.4.7`\\"), "v3.4.7");
    }
}
