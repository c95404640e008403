//! The pages that list incidents and lessons: all incidents, tags, services,
//! severity levels, lessons; and the search and not-found pages.

use std::collections::BTreeMap;

use serde::Serialize;

use super::metrics::{TrendView, trend};
use super::{LessonRow, SeverityCount, SiteData};
use crate::link::Group;
use crate::render::views::{IncidentCard, LinkView, SeverityView, tag_path};

/// The context of `incidents.html`.
#[derive(Debug, Serialize)]
pub struct IncidentsPage<'a> {
    /// Every published incident, newest first.
    pub incidents: &'a [IncidentCard],
}

pub fn incidents<'a>(data: &'a SiteData<'_>) -> IncidentsPage<'a> {
    IncidentsPage {
        incidents: &data.cards,
    }
}

/// The context of `tags.html` and `services.html`.
#[derive(Debug, Serialize)]
pub struct LabelIndexPage {
    /// Most used first.
    pub labels: Vec<LabelSummary>,
}

/// A tag or service in the list of all of them.
#[derive(Debug, Serialize)]
pub struct LabelSummary {
    pub name: String,
    pub slug: String,
    pub path: String,
    pub count: usize,
    /// Date of its most recent incident.
    pub latest: Option<String>,
}

pub fn label_index(
    data: &SiteData<'_>,
    groups: &[Group],
    page: fn(&str) -> String,
) -> LabelIndexPage {
    let labels = groups
        .iter()
        .map(|g| LabelSummary {
            name: g.label.name.clone(),
            slug: g.label.slug.clone(),
            path: page(&g.label.slug),
            count: g.incidents.len(),
            latest: g
                .incidents
                .first()
                .and_then(|&n| data.cards[n].date.clone()),
        })
        .collect();
    LabelIndexPage { labels }
}

/// The context of `tag.html` and `service.html`.
#[derive(Debug, Serialize)]
pub struct LabelPage<'a> {
    pub label: LinkView,
    /// Incidents per quarter over the last listed quarters.
    pub trend: TrendView,
    pub incidents: Vec<&'a IncidentCard>,
    /// The lessons of those incidents.
    pub lessons: Vec<LessonRow>,
}

pub fn label<'a>(data: &'a SiteData<'_>, group: &Group, path: String) -> LabelPage<'a> {
    LabelPage {
        label: LinkView {
            name: group.label.name.clone(),
            slug: group.label.slug.clone(),
            path,
        },
        trend: trend(
            data,
            &group.incidents,
            &format!("trend-{}", group.label.slug),
        ),
        incidents: data.cards_of(&group.incidents),
        lessons: data.lessons_of(group.incidents.iter().copied()).collect(),
    }
}

/// The context of `severities.html`.
#[derive(Debug, Serialize)]
pub struct SeveritiesPage {
    /// The configured scale, most severe first.
    pub levels: Vec<SeverityCount>,
    /// Incidents without a severity.
    pub unrated: usize,
}

pub fn severities(data: &SiteData<'_>) -> SeveritiesPage {
    let kb = data.kb;
    SeveritiesPage {
        levels: kb
            .severity_groups()
            .into_iter()
            .map(|(rank, name, members)| SeverityCount {
                severity: SeverityView::new(&name, rank),
                count: members.len(),
            })
            .collect(),
        unrated: kb.incidents.iter().filter(|i| i.severity.is_none()).count(),
    }
}

/// The context of `severity.html`.
#[derive(Debug, Serialize)]
pub struct SeverityPage<'a> {
    pub severity: SeverityView,
    pub incidents: Vec<&'a IncidentCard>,
}

/// The page of the level of `rank` (1 = most severe).
pub fn severity<'a>(data: &'a SiteData<'_>, rank: usize) -> SeverityPage<'a> {
    let groups = data.kb.severity_groups();
    let (_, name, members) = &groups[rank - 1];
    SeverityPage {
        severity: SeverityView::new(name, rank),
        incidents: data.cards_of(members),
    }
}

/// The context of `lessons.html`.
#[derive(Debug, Serialize)]
pub struct LessonsPage {
    /// Lessons learned in more than one incident, the most incidents first.
    pub recurring: Vec<RecurringLesson>,
    /// By tag, in name order; lessons of untagged incidents last.
    pub groups: Vec<LessonGroup>,
    pub total: usize,
}

/// Wordings of a recurring lesson the page lists; the rest are counted.
const RECURRING_MEMBERS_SHOWN: usize = 12;

/// A lesson learned in more than one incident.
#[derive(Debug, Serialize)]
pub struct RecurringLesson {
    /// The best wording (the group's most central lesson), linking to it.
    pub best: LessonRow,
    /// How many incidents learned it.
    pub incidents: usize,
    /// The day of the first and the last incident that learned it.
    pub first: Option<String>,
    pub last: Option<String>,
    /// Every wording, oldest incident first (at most a dozen).
    pub members: Vec<LessonRow>,
    /// Wordings not listed.
    pub more: usize,
}

#[derive(Debug, Serialize)]
pub struct LessonGroup {
    pub name: String,
    pub slug: String,
    /// The tag's page; none for the untagged group.
    pub path: Option<String>,
    pub lessons: Vec<LessonRow>,
}

pub fn lessons(data: &SiteData<'_>) -> LessonsPage {
    let kb = data.kb;
    let mut groups: Vec<LessonGroup> = kb
        .tags
        .iter()
        .map(|g| LessonGroup {
            name: g.label.name.clone(),
            slug: g.label.slug.clone(),
            path: Some(tag_path(&g.label.slug)),
            lessons: data.lessons_of(g.incidents.iter().copied()).collect(),
        })
        .filter(|g| !g.lessons.is_empty())
        .collect();
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    let untagged: Vec<LessonRow> = data
        .lessons_of((0..kb.incidents.len()).filter(|&n| kb.incidents[n].tags.is_empty()))
        .collect();
    if !untagged.is_empty() {
        groups.push(LessonGroup {
            name: "Untagged".into(),
            slug: "untagged".into(),
            path: None,
            lessons: untagged,
        });
    }
    let row = |m: &crate::similar::LessonRef| {
        data.lesson_row(m.incident, &kb.incidents[m.incident].lessons[m.lesson])
    };
    let recurring = kb
        .meaning
        .lesson_groups
        .iter()
        .map(|g| {
            let members: Vec<LessonRow> = g
                .members
                .iter()
                .take(RECURRING_MEMBERS_SHOWN)
                .map(row)
                .collect();
            let mut dates = g
                .members
                .iter()
                .filter_map(|m| data.cards[m.incident].date.clone());
            RecurringLesson {
                best: row(&g.best),
                incidents: g.incidents.len(),
                first: dates.clone().next(),
                last: dates.next_back(),
                more: g.members.len() - members.len(),
                members,
            }
        })
        .collect();
    LessonsPage {
        recurring,
        groups,
        total: kb.incidents.iter().map(|i| i.lessons.len()).sum(),
    }
}

/// The context of `search.html`.
#[derive(Debug, Serialize)]
pub struct SearchPage {
    /// JSON: `{"service": {slug: name}, "tag": {slug: name}}`. The index
    /// stores services and tags as slugs; the filters show their names, as
    /// every other page does.
    pub facet_labels: String,
}

pub fn search(data: &SiteData<'_>) -> SearchPage {
    fn names(groups: &[Group]) -> BTreeMap<&str, &str> {
        groups
            .iter()
            .map(|g| (g.label.slug.as_str(), g.label.name.as_str()))
            .collect()
    }
    let labels = BTreeMap::from([
        ("service", names(&data.kb.services)),
        ("tag", names(&data.kb.tags)),
    ]);
    SearchPage {
        facet_labels: serde_json::to_string(&labels).expect("string maps serialise"),
    }
}

/// The context of `404.html`, which is served from any depth: the site's
/// base path (from `base_url`, else `/`) for its `<base>` element, to which
/// its links (`root` is empty) are relative.
#[derive(Debug, Serialize)]
pub struct NotFoundPage {
    pub base_path: String,
}
