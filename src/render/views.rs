//! What templates see: plain serialisable data prepared from the knowledge
//! base. Templates decide markup; this module decides facts (display strings,
//! paths relative to the site root, overdue flags).

use serde::Serialize;

use crate::incident::body::REFERENCE;
use crate::incident::{ActionItem, ActionStatus, Incident, Label};
use crate::link::Kb;

pub fn incident_path(slug: &str) -> String {
    format!("incidents/{slug}/index.html")
}

pub fn tag_path(slug: &str) -> String {
    format!("tags/{slug}/index.html")
}

pub fn service_path(slug: &str) -> String {
    format!("services/{slug}/index.html")
}

pub fn severity_path(name: &str) -> String {
    format!("severity/{}/index.html", crate::slug::slugify(name))
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub name: String,
    pub slug: String,
    /// Relative to the site root.
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeverityView {
    pub name: String,
    pub rank: usize,
    /// `sev-1` … `sev-4`, `sev-other` beyond: the badge colour.
    pub class: String,
    pub path: String,
}

impl SeverityView {
    pub fn new(name: &str, rank: usize) -> Self {
        let class = if rank <= 4 {
            format!("sev-{rank}")
        } else {
            "sev-other".into()
        };
        SeverityView {
            name: name.to_string(),
            rank,
            class,
            path: severity_path(name),
        }
    }
}

/// An incident in a list: enough to show a row or a card.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentCard {
    pub id: String,
    pub title: String,
    pub path: String,
    /// `YYYY-MM-DD`
    pub date: Option<String>,
    pub quarter: Option<String>,
    pub severity: Option<SeverityView>,
    pub status: &'static str,
    pub services: Vec<LinkView>,
    pub tags: Vec<LinkView>,
    /// The summary, or the start of the body, for previews.
    pub excerpt: Option<String>,
    pub time_to_resolve: Option<String>,
    pub time_to_resolve_minutes: Option<f64>,
    pub action_items: usize,
    pub open_action_items: usize,
    pub repeat: bool,
    pub draft: bool,
    pub internal: bool,
}

const EXCERPT_CHARS: usize = 220;

impl IncidentCard {
    pub fn new(kb: &Kb, n: usize) -> Self {
        let incident = &kb.incidents[n];
        let excerpt = incident
            .summary
            .clone()
            .or_else(|| (!incident.body_text.is_empty()).then(|| incident.body_text.clone()))
            // A preview is plain text: `[[ID]]` reads as the id, not as link syntax.
            .map(|t| shorten(&REFERENCE.replace_all(&t, "$1"), EXCERPT_CHARS));
        IncidentCard {
            id: incident.id.clone(),
            title: incident.title.clone(),
            path: incident_path(&incident.slug),
            date: crate::link::incident_day(incident, &kb.config).map(|d| d.to_string()),
            quarter: kb.quarters[n].map(|q| q.label()),
            severity: incident
                .severity
                .as_ref()
                .map(|s| SeverityView::new(&s.name, s.rank)),
            status: incident.status.as_str(),
            services: incident
                .services
                .iter()
                .map(|l| label_link(l, service_path))
                .collect(),
            tags: incident
                .tags
                .iter()
                .map(|l| label_link(l, tag_path))
                .collect(),
            excerpt,
            time_to_resolve: incident.time_to_resolve().map(format_minutes),
            time_to_resolve_minutes: incident.time_to_resolve().map(round1),
            action_items: incident.action_items.len(),
            open_action_items: incident
                .action_items
                .iter()
                .filter(|a| a.status.is_pending())
                .count(),
            repeat: kb.repeats[n].is_some(),
            draft: incident.draft,
            internal: incident.visibility == crate::incident::Visibility::Internal,
        }
    }
}

pub fn label_link(label: &Label, path: fn(&str) -> String) -> LinkView {
    LinkView {
        name: label.name.clone(),
        slug: label.slug.clone(),
        path: path(&label.slug),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionItemView {
    pub title: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub status: &'static str,
    pub status_label: &'static str,
    pub overdue: bool,
    /// Days past the due date, when overdue.
    pub days_overdue: Option<i32>,
    /// The incident it belongs to (lists across incidents).
    pub incident: Option<IncidentRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentRef {
    pub id: String,
    pub title: String,
    pub path: String,
}

impl IncidentRef {
    pub fn new(incident: &Incident) -> Self {
        IncidentRef {
            id: incident.id.clone(),
            title: incident.title.clone(),
            path: incident_path(&incident.slug),
        }
    }
}

pub fn action_item_view(item: &ActionItem, kb: &Kb, incident: Option<&Incident>) -> ActionItemView {
    ActionItemView {
        title: item.title.clone(),
        owner: item.owner.clone(),
        due: item.due.map(|d| d.to_string()),
        status: item.status.as_str(),
        status_label: match item.status {
            ActionStatus::Open => "Open",
            ActionStatus::InProgress => "In progress",
            ActionStatus::Done => "Done",
            ActionStatus::WontDo => "Won't do",
        },
        overdue: is_overdue(item, kb),
        days_overdue: item
            .due
            .filter(|_| is_overdue(item, kb))
            .map(|due| (kb.scope.now - due).get_days()),
        incident: incident.map(IncidentRef::new),
    }
}

pub fn is_overdue(item: &ActionItem, kb: &Kb) -> bool {
    item.status.is_pending() && item.due.is_some_and(|d| d < kb.scope.now)
}

/// `44m`, `1h 47m`, `2d 3h`; under a minute as seconds.
pub fn format_minutes(minutes: f64) -> String {
    if minutes < 1.0 {
        return format!("{}s", (minutes * 60.0).round() as i64);
    }
    let total = minutes.round() as i64;
    let (days, hours, mins) = (total / 1440, total % 1440 / 60, total % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

pub fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Shortens at a word boundary and adds an ellipsis.
pub fn shorten(text: &str, max_chars: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        return flat;
    }
    let cut: String = flat.chars().take(max_chars).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", at_word.trim_end_matches([',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_read_like_people_write_them() {
        assert_eq!(format_minutes(0.5), "30s");
        assert_eq!(format_minutes(44.6), "45m");
        assert_eq!(format_minutes(107.0), "1h 47m");
        assert_eq!(format_minutes(120.0), "2h");
        assert_eq!(format_minutes(1560.0), "1d 2h");
        assert_eq!(format_minutes(2880.0), "2d");
    }

    #[test]
    fn shorten_cuts_at_words() {
        assert_eq!(shorten("one two three", 20), "one two three");
        assert_eq!(shorten("one two three", 9), "one two…");
    }
}
