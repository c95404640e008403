//! `index.html`: recent incidents, headline numbers, the latest lessons.

use serde::Serialize;

use super::metrics::{Headline, headline};
use super::{LabelCount, LessonRow, SiteData};
use crate::link::Group;
use crate::render::views::{IncidentCard, is_overdue, service_path, tag_path};

/// How many incidents the home page lists.
const RECENT_INCIDENTS: usize = 8;
/// How many lessons it lists.
const RECENT_LESSONS: usize = 6;
/// How many tags and services it lists.
const TOP_LABELS: usize = 12;

/// The context of `index.html`.
#[derive(Debug, Serialize)]
pub struct HomePage<'a> {
    /// The most recent incidents.
    pub recent: Vec<&'a IncidentCard>,
    pub stats: HomeStats,
    /// The most used tags and services.
    pub top_tags: Vec<LabelCount>,
    pub top_services: Vec<LabelCount>,
    /// Lessons of the most recent incidents.
    pub recent_lessons: Vec<LessonRow>,
    /// The latest quarter against the one before; none without dated incidents.
    pub headline: Option<Headline>,
}

/// Totals over the whole knowledge base.
#[derive(Debug, Serialize)]
pub struct HomeStats {
    pub incidents: usize,
    pub lessons: usize,
    pub open_action_items: usize,
    pub overdue_action_items: usize,
    pub services: usize,
    pub tags: usize,
}

pub fn page<'a>(data: &'a SiteData<'_>) -> HomePage<'a> {
    let kb = data.kb;
    let items = || kb.incidents.iter().flat_map(|i| &i.action_items);
    let top = |groups: &[Group], path: fn(&str) -> String| -> Vec<LabelCount> {
        groups
            .iter()
            .take(TOP_LABELS)
            .map(|g| LabelCount {
                name: g.label.name.clone(),
                path: path(&g.label.slug),
                count: g.incidents.len(),
            })
            .collect()
    };
    HomePage {
        recent: data.cards.iter().take(RECENT_INCIDENTS).collect(),
        stats: HomeStats {
            incidents: kb.incidents.len(),
            lessons: kb.incidents.iter().map(|i| i.lessons.len()).sum(),
            open_action_items: items().filter(|a| a.status.is_pending()).count(),
            overdue_action_items: items().filter(|a| is_overdue(a, kb)).count(),
            services: kb.services.len(),
            tags: kb.tags.len(),
        },
        top_tags: top(&kb.tags, tag_path),
        top_services: top(&kb.services, service_path),
        recent_lessons: data
            .lessons_of(0..kb.incidents.len())
            .take(RECENT_LESSONS)
            .collect(),
        headline: headline(data),
    }
}
