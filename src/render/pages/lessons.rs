//! `lessons/`: every lesson once, grouped by its incident's first tag (the
//! other tags shown as links). The index shows each group's newest lessons;
//! a group with more than fit there has pages of its own.

use serde::Serialize;

use super::lists::pager;
use super::pager::{Pager, Slice};
use super::{LessonRow, SiteData, Wording};
use crate::incident::Label;
use crate::link::Kb;
use crate::render::views::tag_path;

/// About how many lessons the index shows, spread over the groups.
pub const LESSONS_ON_INDEX: usize = 300;
/// Lessons per page of a group.
pub const LESSONS_PER_PAGE: usize = 200;

/// The lessons whose incident's first tag is `tag` (none: untagged
/// incidents), newest incident first.
#[derive(Debug)]
pub struct LessonGroup<'a> {
    pub tag: Option<&'a Label>,
    /// (incident, index of the lesson in it).
    pub lessons: Vec<(usize, usize)>,
}

impl LessonGroup<'_> {
    pub fn name(&self) -> &str {
        self.tag.map_or("Untagged", |t| t.name.as_str())
    }

    /// Its anchor on the index.
    fn anchor(&self) -> String {
        self.tag
            .map_or_else(|| "untagged".to_string(), |t| format!("tag-{}", t.slug))
    }

    /// The folder of its own pages (`lessons/tag/<slug>/`, `lessons/untagged/`).
    pub fn folder(&self) -> String {
        match self.tag {
            Some(t) => format!("lessons/tag/{}/", t.slug),
            None => "lessons/untagged/".to_string(),
        }
    }
}

/// The groups with lessons, by tag name; the untagged group last.
pub fn lesson_groups(kb: &Kb) -> Vec<LessonGroup<'_>> {
    let mut by_tag: std::collections::BTreeMap<&str, LessonGroup<'_>> = Default::default();
    let mut untagged = LessonGroup {
        tag: None,
        lessons: Vec::new(),
    };
    for (n, incident) in kb.incidents.iter().enumerate() {
        let group = match incident.tags.first() {
            Some(tag) => by_tag.entry(&tag.slug).or_insert_with(|| LessonGroup {
                tag: Some(tag),
                lessons: Vec::new(),
            }),
            None => &mut untagged,
        };
        group
            .lessons
            .extend((0..incident.lessons.len()).map(|l| (n, l)));
    }
    let mut groups: Vec<LessonGroup<'_>> = by_tag
        .into_values()
        .filter(|g| !g.lessons.is_empty())
        .collect();
    // By the name shown (each tag's group under the name its first incident wrote).
    groups.sort_by(|a, b| a.name().cmp(b.name()));
    if !untagged.lessons.is_empty() {
        groups.push(untagged);
    }
    groups
}

/// How many lessons of each group the index shows.
pub fn preview(groups: &[LessonGroup<'_>]) -> usize {
    LESSONS_ON_INDEX / groups.len().max(1)
}

/// Whether `group` has pages of its own (more lessons than the index shows).
pub fn has_pages(group: &LessonGroup<'_>, preview: usize) -> bool {
    group.lessons.len() > preview
}

/// Recurring lessons the index lists (those learned by the most incidents).
pub const RECURRING_ON_INDEX: usize = 100;
/// Where the lessons page shows recurring lesson `g` (an index into
/// `Meaning::lesson_groups`), if it lists it.
pub fn recurring_path(g: usize) -> Option<String> {
    (g < RECURRING_ON_INDEX).then(|| format!("lessons/index.html#{}", recurring_anchor(g)))
}

/// The anchor of recurring lesson `g`'s entry on the lessons page.
fn recurring_anchor(g: usize) -> String {
    format!("learned-{}", g + 1)
}

/// Distinct wordings of a recurring lesson the page lists; the rest are
/// counted.
const RECURRING_WORDINGS_SHOWN: usize = 12;
/// Incidents listed per wording; the rest are counted.
const INCIDENTS_PER_WORDING: usize = 6;

/// The context of `lessons.html`.
#[derive(Debug, Serialize)]
pub struct LessonsPage {
    /// Lessons learned in more than one incident, the most incidents first;
    /// at most [`RECURRING_ON_INDEX`].
    pub recurring: Vec<RecurringLesson>,
    /// Lessons learned in more than one incident, listed or not.
    pub recurring_total: usize,
    pub groups: Vec<GroupView>,
    /// Lessons in every group.
    pub total: usize,
}

/// A lesson learned in more than one incident.
#[derive(Debug, Serialize)]
pub struct RecurringLesson {
    /// Its entry's anchor (incident pages link to it).
    pub anchor: String,
    /// The best wording (the group's most central lesson), linking to it.
    pub best: LessonRow,
    /// How many incidents learned it.
    pub incidents: usize,
    /// The day of the first and the last incident that learned it.
    pub first: Option<String>,
    pub last: Option<String>,
    /// Each distinct wording once, by first use, with the incidents that
    /// used it (at most [`RECURRING_WORDINGS_SHOWN`]).
    pub wordings: Vec<Wording>,
    /// Wordings not listed.
    pub more: usize,
}

fn recurring(data: &SiteData<'_>) -> Vec<RecurringLesson> {
    let kb = data.kb;
    kb.meaning
        .lesson_groups
        .iter()
        .take(RECURRING_ON_INDEX)
        .enumerate()
        .map(|(g, group)| {
            let best = &kb.incidents[group.best.incident].lessons[group.best.lesson];
            let mut dates = group
                .members
                .iter()
                .filter_map(|m| data.cards[m.incident].date.clone());
            RecurringLesson {
                anchor: recurring_anchor(g),
                best: data.lesson_row(group.best.incident, best),
                incidents: group.incidents.len(),
                first: dates.clone().next(),
                last: dates.next_back(),
                more: group
                    .wordings
                    .len()
                    .saturating_sub(RECURRING_WORDINGS_SHOWN),
                wordings: group
                    .wordings
                    .iter()
                    .take(RECURRING_WORDINGS_SHOWN)
                    .map(|uses| {
                        Wording::new(
                            kb,
                            &best.text,
                            uses.iter(),
                            uses.len(),
                            INCIDENTS_PER_WORDING,
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A group on the index.
#[derive(Debug, Serialize)]
pub struct GroupView {
    pub name: String,
    pub anchor: String,
    /// The tag's page; none for the untagged group.
    pub path: Option<String>,
    /// Its newest lessons.
    pub lessons: Vec<LessonRow>,
    /// Lessons in the group.
    pub count: usize,
    /// Its own first page, when it has more lessons than shown here.
    pub all: Option<String>,
}

pub fn index(data: &SiteData<'_>) -> LessonsPage {
    let groups = &data.lesson_groups;
    let preview = preview(groups);
    LessonsPage {
        recurring: recurring(data),
        recurring_total: data.kb.meaning.lesson_groups.len(),
        groups: groups
            .iter()
            .map(|g| GroupView {
                name: g.name().to_string(),
                anchor: g.anchor(),
                path: g.tag.map(|t| tag_path(&t.slug)),
                lessons: rows(data, g, &g.lessons[..preview.min(g.lessons.len())]),
                count: g.lessons.len(),
                all: has_pages(g, preview).then(|| format!("{}index.html", g.folder())),
            })
            .collect(),
        total: groups.iter().map(|g| g.lessons.len()).sum(),
    }
}

/// The context of `lesson_group.html`: one page of a group's lessons.
#[derive(Debug, Serialize)]
pub struct LessonGroupPage {
    pub name: String,
    /// The tag's page; none for the untagged group.
    pub path: Option<String>,
    pub lessons: Vec<LessonRow>,
    /// Lessons in the group, on every page.
    pub total: usize,
    pub pager: Option<Pager>,
}

pub fn group_page(data: &SiteData<'_>, group: usize, slice: Slice) -> LessonGroupPage {
    let g = &data.lesson_groups[group];
    LessonGroupPage {
        name: g.name().to_string(),
        path: g.tag.map(|t| tag_path(&t.slug)),
        lessons: rows(data, g, slice.of(&g.lessons)),
        total: g.lessons.len(),
        pager: pager(&g.folder(), slice),
    }
}

/// Rows of `lessons` of `group`, each with its incident's other tags.
fn rows(
    data: &SiteData<'_>,
    group: &LessonGroup<'_>,
    lessons: &[(usize, usize)],
) -> Vec<LessonRow> {
    lessons
        .iter()
        .map(|&(n, l)| {
            let incident = &data.kb.incidents[n];
            let mut row = data.lesson_row(n, &incident.lessons[l]);
            row.tags = data.cards[n]
                .tags
                .iter()
                .filter(|t| group.tag.is_none_or(|g| g.slug != t.slug))
                .cloned()
                .collect();
            row
        })
        .collect()
}
