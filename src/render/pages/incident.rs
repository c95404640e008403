//! `incidents/<id>/index.html`: one incident with everything known about it.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::Wording;
use crate::link::{Kb, RelationReason, RepeatKind};
use crate::render::markdown::{BodyInput, LinkTarget, RenderedBody, TocEntry, lesson_item_start};
use crate::render::views::{
    ActionItemView, IncidentCard, action_item_view, format_minutes, incident_path,
};
use crate::similar::LessonRef;

/// The context of `incident.html`.
#[derive(Debug, Serialize)]
pub struct IncidentPage {
    pub incident: IncidentView,
}

/// The page of incident `n` without its body, and the input its body
/// renders from (rendering it is the costly part, done only when the page
/// renders: [`IncidentPage::set_body`]).
pub fn page(kb: &Kb, n: usize) -> (IncidentPage, BodyInput<'_>) {
    let incident = &kb.incidents[n];
    let links: BTreeMap<String, LinkTarget> = kb.references[n]
        .iter()
        .map(|(written, &t)| {
            (
                written.clone(),
                LinkTarget {
                    title: kb.incidents[t].title.clone(),
                    href: format!("../../{}", incident_path(&kb.incidents[t].slug)),
                },
            )
        })
        .collect();
    let body = BodyInput::new(incident, links, kb.config.allow_html);
    let page = IncidentPage {
        incident: IncidentView::new(kb, n),
    };
    (page, body)
}

impl IncidentPage {
    /// The rendered body.
    pub fn set_body(&mut self, body: RenderedBody) {
        self.incident.body_html = mark_recurring(body.html, &self.incident.recurring_lessons);
        self.incident.toc = body.toc;
    }
}

/// Flags each recurring lesson where the body states it, linking to what the
/// other incidents said (the "Lessons learned more than once" section).
fn mark_recurring(mut html: String, recurring: &[RecurringLessonView]) -> String {
    for lesson in recurring {
        let anchor = &lesson.anchor;
        let marked = format!(
            "<li id=\"{anchor}\" class=\"lesson recurring\"><a class=\"flag flag-recurring\" href=\"#recurring-{anchor}\">Learned in {} incidents</a> ",
            lesson.incidents
        );
        html = html.replacen(&lesson_item_start(anchor), &marked, 1);
    }
    html
}

#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: &'static str,
    pub value: String,
    /// Machine-readable form for `<time datetime>`.
    pub datetime: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedView {
    pub incident: IncidentCard,
    /// "Linked explicitly" or "Shares: checkout, database".
    pub reason: String,
    pub explicit: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RepeatView {
    pub incident: IncidentCard,
    pub declared: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LessonView {
    pub text: String,
    pub anchor: String,
}

/// An incident similar by content, with the words that make it so.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarView {
    pub incident: IncidentCard,
    /// The distinctive words both share, as this incident writes them.
    pub words: Vec<String>,
}

/// One of the incident's lessons that other incidents learned too.
#[derive(Debug, Clone, Serialize)]
pub struct RecurringLessonView {
    pub text: String,
    /// The lesson's anchor on this page.
    pub anchor: String,
    /// How many incidents learned it, this one included.
    pub incidents: usize,
    /// How the other incidents worded it, each distinct wording once (the
    /// same words as here first, then by the oldest incident that used
    /// it; at most [`WORDINGS_SHOWN`]).
    pub wordings: Vec<Wording>,
    /// Distinct wordings not listed.
    pub more_wordings: usize,
    /// Its entry on the lessons page, which lists the recurring lessons
    /// learned by the most incidents.
    pub group_path: Option<String>,
}

/// Distinct wordings of a recurring lesson an incident page lists.
const WORDINGS_SHOWN: usize = 3;
/// Incidents an incident page lists per wording.
const INCIDENTS_SHOWN: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

/// Everything the incident page shows.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentView {
    #[serde(flatten)]
    pub card: IncidentCard,
    pub summary: Option<String>,
    /// The body has its own Summary section (so the summary is not shown twice).
    pub has_summary_section: bool,
    /// Timestamps and durations, in display order, only those known.
    pub times: Vec<Fact>,
    pub commander: Option<String>,
    pub responders: Vec<String>,
    pub impact: Option<String>,
    pub trigger: Option<String>,
    pub contributing_factors: Vec<String>,
    pub action_items: Vec<ActionItemView>,
    pub overdue_action_items: usize,
    pub lessons: Vec<LessonView>,
    pub timeline_entries: usize,
    /// Empty until the body is rendered.
    pub body_html: String,
    pub toc: Vec<TocEntry>,
    pub related: Vec<RelatedView>,
    /// Similar by content, best first (never one in `related`).
    pub similar: Vec<SimilarView>,
    /// Its lessons that other incidents learned too, in page order.
    pub recurring_lessons: Vec<RecurringLessonView>,
    pub backlinks: Vec<IncidentCard>,
    pub repeat_of: Option<RepeatView>,
    pub repeated_by: Vec<IncidentCard>,
    pub extra: Vec<KeyValue>,
    pub source_path: String,
}

impl IncidentView {
    /// The view without the body; see [`IncidentPage::set_body`].
    pub fn new(kb: &Kb, n: usize) -> Self {
        let incident = &kb.incidents[n];
        let tz = &kb.config.timezone;
        let stamp = |label: &'static str, ts: Option<Timestamp>| {
            ts.map(|t| Fact {
                label,
                value: t
                    .to_zoned_datetime(tz.clone())
                    .strftime("%Y-%m-%d %H:%M %Z")
                    .to_string(),
                datetime: Some(t.to_string()),
            })
        };
        let span = |label: &'static str, minutes: Option<f64>| {
            minutes.map(|m| Fact {
                label,
                value: format_minutes(m),
                datetime: None,
            })
        };
        let times: Vec<Fact> = [
            stamp("Started", incident.started),
            stamp("Detected", incident.detected),
            stamp("Mitigated", incident.mitigated),
            stamp("Resolved", incident.resolved),
            span("Time to detect", incident.time_to_detect()),
            span("Time to mitigate", incident.time_to_mitigate()),
            span("Time to resolve", incident.time_to_resolve()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let action_items: Vec<ActionItemView> = incident
            .action_items
            .iter()
            .map(|a| action_item_view(a, kb, None))
            .collect();
        IncidentView {
            card: IncidentCard::new(kb, n),
            summary: incident.summary.clone(),
            has_summary_section: incident
                .section(crate::incident::SectionKind::Summary)
                .is_some(),
            times,
            commander: incident.commander.clone(),
            responders: incident.responders.clone(),
            impact: incident.impact.clone(),
            trigger: incident.trigger.clone(),
            contributing_factors: incident.contributing_factors.clone(),
            overdue_action_items: action_items.iter().filter(|a| a.overdue).count(),
            action_items,
            lessons: incident
                .lessons
                .iter()
                .map(|l| LessonView {
                    text: l.text.clone(),
                    anchor: l.anchor.clone(),
                })
                .collect(),
            timeline_entries: incident.timeline.len(),
            body_html: String::new(),
            toc: Vec::new(),
            // An inferred relation that is also similar by content is
            // listed once, under Similar incidents, with its words.
            related: kb.related[n]
                .iter()
                .filter(|r| {
                    r.reason == RelationReason::Explicit
                        || !kb.meaning.similar[n].iter().any(|s| s.target == r.target)
                })
                .map(|r| RelatedView {
                    incident: IncidentCard::new(kb, r.target),
                    reason: match &r.reason {
                        RelationReason::Explicit => "Linked".to_string(),
                        RelationReason::Shared(labels) => format!(
                            "Shares {}",
                            labels
                                .iter()
                                .take(4)
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    },
                    explicit: r.reason == RelationReason::Explicit,
                })
                .collect(),
            similar: kb.meaning.similar[n]
                .iter()
                .map(|s| SimilarView {
                    incident: IncidentCard::new(kb, s.target),
                    words: s.words.clone(),
                })
                .collect(),
            recurring_lessons: recurring_lessons(kb, n),
            backlinks: kb.backlinks[n]
                .iter()
                .map(|&b| IncidentCard::new(kb, b))
                .collect(),
            repeat_of: kb.repeats[n].map(|r| RepeatView {
                incident: IncidentCard::new(kb, r.of),
                declared: r.kind == RepeatKind::Declared,
            }),
            repeated_by: kb.repeated_by[n]
                .iter()
                .map(|&r| IncidentCard::new(kb, r))
                .collect(),
            extra: incident
                .extra
                .iter()
                .map(|e| KeyValue {
                    key: e.key.clone(),
                    value: e.value.clone(),
                })
                .collect(),
            source_path: incident.source_path.clone(),
        }
    }
}

/// Incident `n`'s lessons that belong to a group of recurring lessons, each
/// with the wordings of the group's other incidents.
fn recurring_lessons(kb: &Kb, n: usize) -> Vec<RecurringLessonView> {
    let incident = &kb.incidents[n];
    kb.meaning.group_of[n]
        .iter()
        .enumerate()
        .filter_map(|(l, g)| {
            let g = (*g)?;
            let lesson = &incident.lessons[l];
            let wordings = wordings(kb, n, &lesson.text, g);
            Some(RecurringLessonView {
                text: lesson.text.clone(),
                anchor: lesson.anchor.clone(),
                incidents: kb.meaning.lesson_groups[g].incidents.len(),
                more_wordings: wordings.len().saturating_sub(WORDINGS_SHOWN),
                wordings: wordings
                    .into_iter()
                    .take(WORDINGS_SHOWN)
                    .map(|(uses, count)| {
                        Wording::new(kb, &lesson.text, uses, count, INCIDENTS_SHOWN)
                    })
                    .collect(),
                group_path: super::lessons::recurring_path(g),
            })
        })
        .collect()
}

/// The wordings of lesson group `g` in incidents other than `n`, each as
/// its uses there and how many they are: `own` (the lesson's wording on
/// `n`'s page) first, then in the order of first use.
fn wordings<'a>(
    kb: &'a Kb,
    n: usize,
    own: &str,
    g: usize,
) -> Vec<(impl Iterator<Item = &'a LessonRef> + Clone, usize)> {
    let text = |m: &LessonRef| kb.incidents[m.incident].lessons[m.lesson].text.as_str();
    let mut wordings: Vec<_> = kb.meaning.lesson_groups[g]
        .wordings
        .iter()
        .map(|uses| {
            let same = text(&uses[0]) == own;
            let others = uses.iter().filter(move |m| m.incident != n);
            (same, others.clone(), others.count())
        })
        .filter(|(_, _, count)| *count > 0)
        .collect();
    // Stable: the other wordings keep their order of first use.
    wordings.sort_by_key(|(same, _, _)| !same);
    wordings
        .into_iter()
        .map(|(_, uses, count)| (uses, count))
        .collect()
}

/// What incident `n`'s page is made of, as a hash: the versions (a hash of
/// each incident's source, `versions[i]` for incident `i`) of the incident
/// and of every incident the page shows, and how it relates to them. An
/// unchanged key means an unchanged page, as long as the configuration,
/// theme and options are unchanged: `serve`'s quick rebuild then keeps the
/// page without assembling it. It must follow what [`page`] reads.
pub fn dependencies(kb: &Kb, n: usize, versions: &[u64]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    let h = &mut hasher;
    versions[n].hash(h);
    for (written, &t) in &kb.references[n] {
        (written, versions[t]).hash(h);
    }
    for r in &kb.related[n] {
        versions[r.target].hash(h);
        match &r.reason {
            RelationReason::Explicit => None,
            RelationReason::Shared(labels) => Some(labels),
        }
        .hash(h);
    }
    for s in &kb.meaning.similar[n] {
        (versions[s.target], s.score.to_bits(), &s.words).hash(h);
    }
    let versions_of = |list: &[usize]| list.iter().map(|&i| versions[i]).collect::<Vec<_>>();
    versions_of(&kb.backlinks[n]).hash(h);
    kb.repeats[n]
        .map(|r| (versions[r.of], r.kind == RepeatKind::Declared))
        .hash(h);
    versions_of(&kb.repeated_by[n]).hash(h);
    for (l, g) in kb.meaning.group_of[n].iter().enumerate() {
        let Some((g, group)) = g.map(|g| (g, &kb.meaning.lesson_groups[g])) else {
            continue;
        };
        (l, g, group.incidents.len(), group.members.len()).hash(h);
        let lesson = &kb.incidents[n].lessons[l];
        let wordings = wordings(kb, n, &lesson.text, g);
        wordings.len().hash(h);
        for (uses, count) in wordings.into_iter().take(WORDINGS_SHOWN) {
            count.hash(h);
            for m in uses.take(INCIDENTS_SHOWN) {
                (versions[m.incident], m.lesson).hash(h);
            }
        }
    }
    // Lists of different kinds cannot run into each other: their lengths.
    (
        kb.references[n].len(),
        kb.related[n].len(),
        kb.meaning.similar[n].len(),
        kb.meaning.group_of[n].len(),
    )
        .hash(h);
    hasher.finish()
}
