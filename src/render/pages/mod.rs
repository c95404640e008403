//! The page contexts: one struct per template, deriving `Serialize`, whose
//! fields are the variables that template reads (docs/themes.md lists them).
//! Every page also gets the [`Frame`]: `site`, `root` and `page`. The
//! functions here assemble each context from the knowledge base and the
//! metrics; [`super::renderer`] decides which pages exist and renders them.

pub mod action_items;
pub mod home;
pub mod incident;
pub mod lessons;
pub mod lists;
pub mod metrics;
pub mod pager;

use serde::Serialize;

use super::views::{IncidentCard, IncidentRef, LinkView, SeverityView, incident_path};
use crate::incident::{Incident, Lesson};
use crate::link::Kb;
use crate::metrics::Metrics;
use crate::similar::LessonRef;

/// What every template receives besides its own context.
#[derive(Debug, Serialize)]
pub struct Frame<'a> {
    pub site: &'a SiteView<'a>,
    /// `../` once per folder level of the page: prefix of every link, so
    /// the site works under any path and from disk.
    pub root: String,
    pub page: PageMeta,
}

/// A page: the frame and the template's own context, side by side.
#[derive(Debug, Serialize)]
pub struct Page<'a, C> {
    #[serde(flatten)]
    pub frame: Frame<'a>,
    #[serde(flatten)]
    pub context: C,
}

/// `site`: the knowledge base's configuration, the same on every page.
#[derive(Debug, Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub base_url: Option<&'a str>,
    /// The search worker's file under `search/`, named by its content
    /// (`search-worker.<hash>.js`): the search box starts it.
    pub search_worker: &'static str,
}

impl<'a> SiteView<'a> {
    pub fn of(config: &'a crate::config::Config) -> Self {
        SiteView {
            title: &config.title,
            description: config.description.as_deref(),
            base_url: config.base_url.as_deref(),
            search_worker: hindsight_search::worker_file(),
        }
    }
}

/// `page`: what the layout needs to know about the page it frames.
#[derive(Debug, Serialize)]
pub struct PageMeta {
    pub title: String,
    /// Path of the page relative to the site root.
    pub path: String,
    /// Absolute URL when `base_url` is set.
    pub canonical: Option<String>,
    /// Navigation entry to mark as current.
    pub section: &'static str,
}

/// What assembling any page reads: the knowledge base, its metrics, and
/// what many pages show, made once: every incident's card, the incidents
/// of each severity level, the lessons by group and the action items by
/// status.
pub struct SiteData<'a> {
    pub kb: &'a Kb,
    pub metrics: &'a Metrics,
    pub cards: Vec<IncidentCard>,
    /// (rank, level name, incidents), most severe first.
    pub severity_groups: Vec<(usize, String, Vec<usize>)>,
    pub lesson_groups: Vec<lessons::LessonGroup<'a>>,
    /// In [`action_items::Bucket::ALL`] order.
    pub action_items: Vec<Vec<action_items::Owned<'a>>>,
}

impl<'a> SiteData<'a> {
    pub fn new(kb: &'a Kb, metrics: &'a Metrics, cards: Vec<IncidentCard>) -> Self {
        SiteData {
            kb,
            metrics,
            cards,
            severity_groups: kb.severity_groups(),
            lesson_groups: lessons::lesson_groups(kb),
            action_items: action_items::buckets(kb),
        }
    }

    /// The cards of the given incidents, in that order.
    pub fn cards_of(&self, members: &[usize]) -> Vec<&IncidentCard> {
        members.iter().map(|&n| &self.cards[n]).collect()
    }

    /// A lesson of incident `n`, as lists show it.
    pub fn lesson_row(&self, n: usize, lesson: &Lesson) -> LessonRow {
        LessonRow::with_date(&self.kb.incidents[n], lesson, self.cards[n].date.clone())
    }

    /// The lessons of the given incidents, in that order.
    pub fn lessons_of(
        &self,
        members: impl IntoIterator<Item = usize>,
    ) -> impl Iterator<Item = LessonRow> {
        members
            .into_iter()
            .flat_map(|n| self.kb.incidents[n].lessons.iter().map(move |l| (n, l)))
            .map(|(n, l)| self.lesson_row(n, l))
    }
}

/// A lesson in a list, linking to its anchor on the incident page.
#[derive(Debug, Clone, Serialize)]
pub struct LessonRow {
    pub text: String,
    /// Incident page with the lesson's anchor.
    pub path: String,
    pub incident: IncidentRef,
    pub date: Option<String>,
    /// On the lessons pages: the incident's tags other than the group's.
    pub tags: Vec<LinkView>,
}

impl LessonRow {
    fn with_date(incident: &Incident, lesson: &Lesson, date: Option<String>) -> LessonRow {
        LessonRow {
            text: lesson.text.clone(),
            path: format!("{}#{}", incident_path(&incident.slug), lesson.anchor),
            incident: IncidentRef::new(incident),
            date,
            tags: Vec::new(),
        }
    }
}

/// One wording of a recurring lesson and the other incidents that used it.
#[derive(Debug, Clone, Serialize)]
pub struct Wording {
    pub text: String,
    /// Word for word the wording the page leads with.
    pub same: bool,
    /// The oldest incidents that used it (as many as the page lists).
    pub incidents: Vec<WordingUse>,
    /// Incidents that used it, not listed.
    pub more: usize,
}

/// An incident that learned a lesson in a given wording: its id, day and
/// the lesson's anchor on its page.
#[derive(Debug, Clone, Serialize)]
pub struct WordingUse {
    pub id: String,
    pub path: String,
    pub date: Option<String>,
}

impl Wording {
    /// A wording from its `count` uses (at least one), of which the first
    /// `shown` are listed; `own` is the wording the page leads with.
    pub fn new<'a>(
        kb: &Kb,
        own: &str,
        mut uses: impl Iterator<Item = &'a LessonRef>,
        count: usize,
        shown: usize,
    ) -> Wording {
        let first = uses.next().expect("a wording is used");
        let text = &kb.incidents[first.incident].lessons[first.lesson].text;
        let shown: Vec<WordingUse> = std::iter::once(first)
            .chain(uses)
            .take(shown)
            .map(|m| {
                let other = &kb.incidents[m.incident];
                WordingUse {
                    id: other.id.clone(),
                    path: format!(
                        "{}#{}",
                        incident_path(&other.slug),
                        other.lessons[m.lesson].anchor
                    ),
                    date: crate::link::incident_day(other, &kb.config).map(|d| d.to_string()),
                }
            })
            .collect();
        Wording {
            same: text == own,
            text: text.clone(),
            more: count - shown.len(),
            incidents: shown,
        }
    }
}

/// A severity level with how many incidents it has.
#[derive(Debug, Serialize)]
pub struct SeverityCount {
    pub severity: SeverityView,
    pub count: usize,
}

/// A tag or service with how many incidents it has.
#[derive(Debug, Serialize)]
pub struct LabelCount {
    pub name: String,
    pub path: String,
    pub count: usize,
}

/// `../` repeated once per folder level of `path`.
pub fn root_prefix(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Pretty URL of a page for canonical links and sitemaps: `incidents/x/`.
pub fn pretty_path(path: &str) -> &str {
    path.strip_suffix("index.html").unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_roots() {
        assert_eq!(root_prefix("index.html"), "");
        assert_eq!(root_prefix("incidents/x/index.html"), "../../");
        assert_eq!(pretty_path("incidents/x/index.html"), "incidents/x/");
        assert_eq!(pretty_path("feed.xml"), "feed.xml");
    }
}
