//! The postmortem model: one [`Incident`] per content file, parsed from its
//! front matter and the structure of its Markdown body.

pub(crate) mod body;
pub(crate) mod fields;
pub mod frontmatter;
pub(crate) mod parse;
pub(crate) mod timeparse;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

pub use parse::parse_incident;

/// A severity level resolved through the configured scale.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Severity {
    /// 1 = most severe.
    pub rank: usize,
    /// Canonical level name, e.g. `SEV1`.
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Investigating,
    Mitigated,
    #[default]
    Resolved,
    Closed,
}

impl Status {
    pub fn parse(text: &str) -> Option<Status> {
        match normalise_word(text).as_str() {
            "investigating" | "identified" | "ongoing" | "open" | "active" | "mitigating" => {
                Some(Status::Investigating)
            }
            "mitigated" | "monitoring" | "stable" => Some(Status::Mitigated),
            "resolved" | "fixed" | "done" => Some(Status::Resolved),
            "closed" | "complete" | "completed" => Some(Status::Closed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Mitigated => "mitigated",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ActionStatus {
    #[default]
    Open,
    InProgress,
    Done,
    WontDo,
}

impl ActionStatus {
    /// Reads the status words and marks teams use in tables and front matter.
    pub fn parse(text: &str) -> Option<ActionStatus> {
        let t = text.trim();
        if t.is_empty() {
            return Some(ActionStatus::Open);
        }
        // A word says more than a mark: `⏳ Planned` is planned, not in progress.
        Self::parse_word(&normalise_word(t)).or_else(|| {
            if t.contains('✅') || t.contains('✔') || t.contains("☑") {
                Some(ActionStatus::Done)
            } else if t.contains('⏳') || t.contains('🔄') || t.contains('🚧') {
                Some(ActionStatus::InProgress)
            } else if t.contains('❌') || t.contains('🚫') {
                Some(ActionStatus::WontDo)
            } else {
                None
            }
        })
    }

    fn parse_word(word: &str) -> Option<ActionStatus> {
        match word {
            "done" | "complete" | "completed" | "closed" | "fixed" | "resolved" | "shipped"
            | "yes" | "x" => Some(ActionStatus::Done),
            "inprogress" | "started" | "ongoing" | "wip" | "doing" | "active" | "underway" => {
                Some(ActionStatus::InProgress)
            }
            "open" | "todo" | "planned" | "pending" | "notstarted" | "new" | "backlog" | "tbd"
            | "scheduled" => Some(ActionStatus::Open),
            "wontdo" | "wontfix" | "cancelled" | "canceled" | "dropped" | "rejected"
            | "declined" | "wont" => Some(ActionStatus::WontDo),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in-progress",
            ActionStatus::Done => "done",
            ActionStatus::WontDo => "wont-do",
        }
    }

    /// Open and in-progress items still need work.
    pub fn is_pending(self) -> bool {
        matches!(self, ActionStatus::Open | ActionStatus::InProgress)
    }
}

/// Letters only, lowercase: "In Progress" → "inprogress", "Won't do" → "wontdo".
pub(crate) fn normalise_word(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Public,
    Internal,
}

/// A tag or service: the display name as first written, and its slug, which
/// is both the grouping key and the path segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemSource {
    FrontMatter,
    /// 1-based line in the file.
    Body(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    pub title: String,
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub status: ActionStatus,
    pub source: ItemSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    /// Plain text of the list item.
    pub text: String,
    /// Unique within the incident page, e.g. `lesson-2`.
    pub anchor: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// As written: `14:23`, `2024-01-15 14:23`, `14:23:47 UTC`.
    pub time: String,
    pub text: String,
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Summary,
    Timeline,
    Impact,
    RootCause,
    ContributingFactors,
    Resolution,
    Lessons,
    ActionItems,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub kind: SectionKind,
    pub heading: String,
    pub level: u8,
    pub line: usize,
    /// Plain text of the section (without its heading).
    pub text: String,
}

/// An `[[ID]]` reference in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub target: String,
    /// 1-based line in the file.
    pub line: usize,
    /// Byte offset of the `[[` in the body (the line's text is found from it
    /// only when a diagnostic needs it: a reference never copies its line).
    pub offset: usize,
}

/// A front-matter field hindsight does not know, kept and shown as "Other details".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraField {
    pub key: String,
    pub value: String,
}

/// One postmortem, validated and normalised.
#[derive(Debug, Clone)]
pub struct Incident {
    pub id: String,
    /// Path-safe, unique; names the incident's folder.
    pub slug: String,
    pub source_path: String,
    pub title: String,
    pub date: Option<Date>,
    pub severity: Option<Severity>,
    pub status: Status,
    pub started: Option<Timestamp>,
    pub detected: Option<Timestamp>,
    pub mitigated: Option<Timestamp>,
    pub resolved: Option<Timestamp>,
    /// From the `duration` field, in minutes.
    pub duration_minutes: Option<f64>,
    pub services: Vec<Label>,
    pub tags: Vec<Label>,
    pub commander: Option<String>,
    pub responders: Vec<String>,
    pub impact: Option<String>,
    pub related: Vec<String>,
    pub repeat_of: Option<String>,
    pub trigger: Option<String>,
    pub contributing_factors: Vec<String>,
    pub action_items: Vec<ActionItem>,
    pub summary: Option<String>,
    pub draft: bool,
    pub visibility: Visibility,
    pub extra: Vec<ExtraField>,
    /// Where each front-matter field is written (by canonical name).
    pub field_locations: std::collections::BTreeMap<String, crate::diagnostics::Location>,
    /// The Markdown body and the 1-based line where it starts in the file.
    pub body: String,
    pub body_line: usize,
    /// The body's first `#` heading when it gave the title (not rendered again).
    pub title_heading_line: Option<usize>,
    pub sections: Vec<Section>,
    pub lessons: Vec<Lesson>,
    pub timeline: Vec<TimelineEntry>,
    pub references: Vec<Reference>,
    /// Plain text of the whole body, for search.
    pub body_text: String,
}

impl Incident {
    /// Time to resolve in minutes: `resolved − started`, else `duration`.
    pub fn time_to_resolve(&self) -> Option<f64> {
        match (self.started, self.resolved) {
            (Some(s), Some(r)) if r >= s => Some(minutes_between(s, r)),
            _ => self.duration_minutes,
        }
    }

    /// Time to detect in minutes: `detected − started`.
    pub fn time_to_detect(&self) -> Option<f64> {
        match (self.started, self.detected) {
            (Some(s), Some(d)) if d >= s => Some(minutes_between(s, d)),
            _ => None,
        }
    }

    /// Time to mitigate in minutes: `mitigated − started`.
    pub fn time_to_mitigate(&self) -> Option<f64> {
        match (self.started, self.mitigated) {
            (Some(s), Some(m)) if m >= s => Some(minutes_between(s, m)),
            _ => None,
        }
    }

    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }

    pub fn is_published(&self, drafts: bool, internal: bool) -> bool {
        (drafts || !self.draft) && (internal || self.visibility == Visibility::Public)
    }
}

fn minutes_between(from: Timestamp, to: Timestamp) -> f64 {
    (to.as_second() - from.as_second()) as f64 / 60.0
}
