//! The pages that list incidents: all incidents, tags, services, severity
//! levels; and the search and not-found pages. Long lists are split into
//! pages ([`super::pager`]).

use std::collections::BTreeMap;

use serde::Serialize;

use super::SiteData;
use super::metrics::{TrendView, trend};
use super::pager::{Pager, Slice, page_of};
use super::{LessonRow, SeverityCount};
use crate::link::Group;
use crate::render::views::{IncidentCard, LinkView, SeverityView};

/// Rows per page of the incidents table.
pub const INCIDENTS_PER_PAGE: usize = 100;
/// Incidents per page of a tag, service or severity level.
pub const CARDS_PER_PAGE: usize = 50;
/// Tags or services per page of their index.
pub const LABELS_PER_PAGE: usize = 500;

/// Folder of the incidents list.
pub const INCIDENTS_FOLDER: &str = "incidents/";
/// Every incident's row of the incidents table, for filtering and sorting
/// across its pages (written when there is more than one).
pub const INCIDENT_ROWS_FILE: &str = "incidents/rows.json";

/// The pager of a list, when it takes more than one page.
pub fn pager(folder: &str, slice: Slice) -> Option<Pager> {
    (slice.count > 1).then(|| Pager::new(folder, slice))
}

/// The context of `incidents.html`.
#[derive(Debug, Serialize)]
pub struct IncidentsPage<'a> {
    /// This page's incidents, newest first.
    pub incidents: &'a [IncidentCard],
    /// Published incidents, on every page.
    pub total: usize,
    /// None when they fit on one page.
    pub pager: Option<Pager>,
    /// With more than one page: each year, and the page where it starts.
    pub years: Vec<YearLink>,
    /// With more than one page: the file of every row ([`INCIDENT_ROWS_FILE`]).
    pub rows: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct YearLink {
    /// `2024`, or `Undated`.
    pub name: String,
    pub count: usize,
    /// The page of its newest incident.
    pub path: String,
}

pub fn incidents<'a>(data: &'a SiteData<'_>, slice: Slice) -> IncidentsPage<'a> {
    let paged = slice.count > 1;
    let mut years: Vec<YearLink> = Vec::new();
    if paged {
        for (n, card) in data.cards.iter().enumerate() {
            let name = card
                .date
                .as_deref()
                .map_or("Undated", |d| d.get(..4).unwrap_or(d));
            match years.last_mut() {
                Some(year) if year.name == name => year.count += 1,
                _ => years.push(YearLink {
                    name: name.to_string(),
                    count: 1,
                    path: page_of(INCIDENTS_FOLDER, n, INCIDENTS_PER_PAGE),
                }),
            }
        }
    }
    IncidentsPage {
        incidents: slice.of(&data.cards),
        total: data.cards.len(),
        pager: pager(INCIDENTS_FOLDER, slice),
        years,
        rows: paged.then_some(INCIDENT_ROWS_FILE),
    }
}

/// One row of the incidents table, as [`INCIDENT_ROWS_FILE`] holds it: what
/// the table shows, and what its filter reads.
#[derive(Debug, Serialize)]
pub struct IncidentRow<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub path: &'a str,
    pub date: Option<&'a str>,
    pub severity: Option<&'a SeverityView>,
    pub status: &'static str,
    pub services: &'a [LinkView],
    pub tags: Vec<&'a str>,
    pub time_to_resolve: Option<&'a str>,
    pub time_to_resolve_minutes: Option<f64>,
    pub open_action_items: usize,
    pub repeat: bool,
}

/// [`INCIDENT_ROWS_FILE`]: every row of the incidents table, newest first.
pub fn incident_rows(data: &SiteData<'_>) -> Vec<u8> {
    let rows: Vec<IncidentRow<'_>> = data
        .cards
        .iter()
        .map(|c| IncidentRow {
            id: &c.id,
            title: &c.title,
            path: &c.path,
            date: c.date.as_deref(),
            severity: c.severity.as_ref(),
            status: c.status,
            services: &c.services,
            tags: c.tags.iter().map(|t| t.name.as_str()).collect(),
            time_to_resolve: c.time_to_resolve.as_deref(),
            time_to_resolve_minutes: c.time_to_resolve_minutes,
            open_action_items: c.open_action_items,
            repeat: c.repeat,
        })
        .collect();
    serde_json::to_vec(&rows).expect("rows serialise")
}

/// The context of `tags.html` and `services.html`.
#[derive(Debug, Serialize)]
pub struct LabelIndexPage {
    /// This page's labels, most used first.
    pub labels: Vec<LabelSummary>,
    /// Labels on every page.
    pub total: usize,
    pub pager: Option<Pager>,
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

/// Page `slice` of the index of `groups` (in `folder`), whose pages are at `page`.
pub fn label_index(
    data: &SiteData<'_>,
    groups: &[Group],
    page: fn(&str) -> String,
    folder: &str,
    slice: Slice,
) -> LabelIndexPage {
    let labels = slice
        .of(groups)
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
    LabelIndexPage {
        labels,
        total: groups.len(),
        pager: pager(folder, slice),
    }
}

/// The context of `tag.html` and `service.html`.
#[derive(Debug, Serialize)]
pub struct LabelPage<'a> {
    pub label: LinkView,
    /// Incidents per quarter over the last listed quarters; on the first
    /// page only.
    pub trend: Option<TrendView>,
    /// This page's incidents, newest first.
    pub incidents: Vec<&'a IncidentCard>,
    /// The lessons of this page's incidents.
    pub lessons: Vec<LessonRow>,
    /// Incidents with the label, on every page.
    pub total: usize,
    /// Their lessons, on every page.
    pub lessons_total: usize,
    pub pager: Option<Pager>,
}

/// Page `slice` of the tag or service of `group`, whose first page is `path`.
pub fn label<'a>(
    data: &'a SiteData<'_>,
    group: &Group,
    path: String,
    slice: Slice,
) -> LabelPage<'a> {
    let members = slice.of(&group.incidents);
    let folder = path.trim_end_matches("index.html");
    LabelPage {
        trend: (slice.number == 1).then(|| {
            trend(
                data,
                &group.incidents,
                &format!("trend-{}", group.label.slug),
            )
        }),
        incidents: data.cards_of(members),
        lessons: data.lessons_of(members.iter().copied()).collect(),
        total: group.incidents.len(),
        lessons_total: group
            .incidents
            .iter()
            .map(|&n| data.kb.incidents[n].lessons.len())
            .sum(),
        pager: pager(folder, slice),
        label: LinkView {
            name: group.label.name.clone(),
            slug: group.label.slug.clone(),
            path,
        },
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
        levels: data
            .severity_groups
            .iter()
            .map(|(rank, name, members)| SeverityCount {
                severity: SeverityView::new(name, *rank),
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
    /// This page's incidents, newest first.
    pub incidents: Vec<&'a IncidentCard>,
    /// Incidents at this level, on every page.
    pub total: usize,
    pub pager: Option<Pager>,
}

/// Page `slice` of the level of `rank` (1 = most severe).
pub fn severity<'a>(data: &'a SiteData<'_>, rank: usize, slice: Slice) -> SeverityPage<'a> {
    let (_, name, members) = &data.severity_groups[rank - 1];
    let severity = SeverityView::new(name, rank);
    let folder = severity.path.trim_end_matches("index.html").to_string();
    SeverityPage {
        incidents: data.cards_of(slice.of(members)),
        total: members.len(),
        pager: pager(&folder, slice),
        severity,
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
