//! Which pages exist, and how they are rendered: in parallel (pages are
//! independent), each from its template and its typed context, into the
//! sink as soon as it is ready. With a rebuild cache, a page whose
//! fingerprint is unchanged keeps the cache's HTML.

use std::hash::Hash;

use bytes::Bytes;
use rayon::prelude::*;
use serde::Serialize;

use super::RenderError;
use super::fingerprint::fingerprint;
use super::markdown::render_body;
use super::pages::action_items::{self, ACTION_ITEMS_PER_PAGE, Bucket};
use super::pages::lessons::{self, LESSONS_PER_PAGE};
use super::pages::lists::{self, CARDS_PER_PAGE, INCIDENTS_PER_PAGE, LABELS_PER_PAGE};
use super::pages::pager::{Slice, page_count, page_path};
use super::pages::{
    Frame, Page, PageMeta, SiteData, SiteView, home, incident, metrics, pretty_path, root_prefix,
};
use super::theme::{TemplateError, Theme};
use super::views::{IncidentCard, incident_path, service_path, severity_path, tag_path};
use crate::cache::{RebuildCache, Versions};
use crate::link::{Group, Kb};
use crate::metrics::Metrics;
use crate::profile;
use crate::write::Sink;

pub struct Renderer<'a> {
    data: SiteData<'a>,
    theme: &'a Theme,
    site: SiteView<'a>,
    cache: Option<&'a RebuildCache>,
    versions: Option<&'a Versions>,
}

/// A page that went to the sink: what a rebuild needs to know of it.
pub struct PageDone {
    pub path: String,
    /// Of its context, with a cache; `None` without one, or when unknown.
    pub fingerprint: Option<u64>,
    /// False when the HTML is the cache's (its context is unchanged).
    pub rendered: bool,
    /// An incident page's [`incident::dependencies`], with versions.
    pub dependencies: Option<u64>,
}

/// Where a page goes: its path, template, title and navigation section.
struct Place {
    path: String,
    template: &'static str,
    title: String,
    section: &'static str,
}

impl Place {
    fn new(
        path: impl Into<String>,
        template: &'static str,
        title: impl Into<String>,
        section: &'static str,
    ) -> Self {
        Place {
            path: path.into(),
            template,
            title: title.into(),
            section,
        }
    }
}

/// One page to render; a [`Slice`] is the page's part of a long list.
enum Job<'a> {
    Home,
    Incidents(Slice),
    Incident(usize),
    Tags(Slice),
    Tag(&'a Group, Slice),
    Services(Slice),
    Service(&'a Group, Slice),
    Severities,
    /// 1 = most severe.
    Severity(usize, Slice),
    Lessons,
    /// Index into the lesson groups.
    LessonGroup(usize, Slice),
    ActionItems,
    ActionItemsWith(Bucket, Slice),
    NotFound,
    Search,
    Metrics,
    /// Index into `Metrics::quarters`.
    Quarter(usize),
}

/// The path of page `slice` of a list whose first page is `first`
/// (`<folder>index.html`).
fn paged(first: &str, slice: Slice) -> String {
    page_path(first.trim_end_matches("index.html"), slice.number)
}

/// A list's title, with the page's number after the first.
fn numbered(title: &str, slice: Slice) -> String {
    if slice.number > 1 {
        format!("{title}, page {} of {}", slice.number, slice.count)
    } else {
        title.to_string()
    }
}

impl<'a> Renderer<'a> {
    pub fn new(
        kb: &'a Kb,
        metrics: &'a Metrics,
        theme: &'a Theme,
        cache: Option<&'a RebuildCache>,
        versions: Option<&'a Versions>,
    ) -> Self {
        let cards = profile::stage("  cards", || {
            (0..kb.incidents.len())
                .into_par_iter()
                .map(|n| IncidentCard::new(kb, n))
                .collect()
        });
        Renderer {
            data: profile::stage("  site data", || SiteData::new(kb, metrics, cards)),
            theme,
            site: SiteView::of(&kb.config),
            cache,
            versions,
        }
    }

    /// A renderer of incident pages alone, without what the lists show:
    /// `serve` shows an edited incident's page before the rest follows.
    pub fn incident_pages(kb: &'a Kb, metrics: &'a Metrics, theme: &'a Theme) -> Self {
        Renderer {
            data: SiteData {
                kb,
                metrics,
                cards: Vec::new(),
                severity_groups: Vec::new(),
                lesson_groups: Vec::new(),
                action_items: Vec::new(),
            },
            theme,
            site: SiteView::of(&kb.config),
            cache: None,
            versions: None,
        }
    }

    /// Incident `n`'s page: its path and HTML.
    pub fn incident_page(&self, n: usize) -> Result<(String, Bytes), TemplateError> {
        self.incident(n).map(|(done, html)| (done.path, html))
    }

    /// Renders every page into `sink` as soon as it is ready.
    pub fn render_all(&self, sink: &dyn Sink) -> Result<Vec<PageDone>, RenderError> {
        let data = &self.data;
        let kb = data.kb;
        let mut jobs = vec![
            Job::Home,
            Job::Severities,
            Job::Lessons,
            Job::ActionItems,
            Job::NotFound,
            Job::Search,
        ];
        jobs.extend(Slice::all(kb.incidents.len(), INCIDENTS_PER_PAGE).map(Job::Incidents));
        jobs.extend(Slice::all(kb.tags.len(), LABELS_PER_PAGE).map(Job::Tags));
        jobs.extend(Slice::all(kb.services.len(), LABELS_PER_PAGE).map(Job::Services));
        jobs.extend((0..kb.incidents.len()).map(Job::Incident));
        for group in &kb.tags {
            jobs.extend(
                Slice::all(group.incidents.len(), CARDS_PER_PAGE).map(|s| Job::Tag(group, s)),
            );
        }
        for group in &kb.services {
            jobs.extend(
                Slice::all(group.incidents.len(), CARDS_PER_PAGE).map(|s| Job::Service(group, s)),
            );
        }
        for (rank, _, members) in &data.severity_groups {
            jobs.extend(Slice::all(members.len(), CARDS_PER_PAGE).map(|s| Job::Severity(*rank, s)));
        }
        let preview = lessons::preview(&data.lesson_groups);
        for (i, group) in data.lesson_groups.iter().enumerate() {
            if lessons::has_pages(group, preview) {
                jobs.extend(
                    Slice::all(group.lessons.len(), LESSONS_PER_PAGE)
                        .map(|s| Job::LessonGroup(i, s)),
                );
            }
        }
        for bucket in Bucket::ALL {
            let count = data.action_items[bucket as usize].len();
            if action_items::has_pages(count) {
                jobs.extend(
                    Slice::all(count, ACTION_ITEMS_PER_PAGE)
                        .map(|s| Job::ActionItemsWith(bucket, s)),
                );
            }
        }
        jobs.push(Job::Metrics);
        jobs.extend((0..self.data.metrics.quarters.len()).map(Job::Quarter));
        jobs.par_iter()
            .map(|job| {
                let (done, html) = self.render_job(job)?;
                sink.put(done.path.clone(), html)?;
                Ok(done)
            })
            .collect()
    }

    /// [`lists::INCIDENT_ROWS_FILE`], when the incidents list takes more
    /// than one page.
    pub fn incident_rows(&self) -> Option<Vec<u8>> {
        (page_count(self.data.cards.len(), INCIDENTS_PER_PAGE) > 1)
            .then(|| lists::incident_rows(&self.data))
    }

    fn render_job(&self, job: &Job<'_>) -> Result<(PageDone, Bytes), TemplateError> {
        let data = &self.data;
        let kb = data.kb;
        match *job {
            Job::Home => self.page(
                Place::new("index.html", "index.html", &kb.config.title, "home"),
                home::page(data),
            ),
            Job::Incidents(slice) => self.page(
                Place::new(
                    page_path(lists::INCIDENTS_FOLDER, slice.number),
                    "incidents.html",
                    numbered("All incidents", slice),
                    "incidents",
                ),
                lists::incidents(data, slice),
            ),
            Job::Incident(n) => self.incident(n),
            Job::Tags(slice) => self.page(
                Place::new(
                    page_path("tags/", slice.number),
                    "tags.html",
                    numbered("Tags", slice),
                    "tags",
                ),
                lists::label_index(data, &kb.tags, tag_path, "tags/", slice),
            ),
            Job::Services(slice) => self.page(
                Place::new(
                    page_path("services/", slice.number),
                    "services.html",
                    numbered("Services", slice),
                    "services",
                ),
                lists::label_index(data, &kb.services, service_path, "services/", slice),
            ),
            Job::Tag(group, slice) => {
                let path = tag_path(&group.label.slug);
                self.page(
                    Place::new(
                        paged(&path, slice),
                        "tag.html",
                        numbered(&format!("Tag: {}", group.label.name), slice),
                        "tags",
                    ),
                    lists::label(data, group, path, slice),
                )
            }
            Job::Service(group, slice) => {
                let path = service_path(&group.label.slug);
                self.page(
                    Place::new(
                        paged(&path, slice),
                        "service.html",
                        numbered(&format!("Service: {}", group.label.name), slice),
                        "services",
                    ),
                    lists::label(data, group, path, slice),
                )
            }
            Job::Severities => self.page(
                Place::new(
                    "severity/index.html",
                    "severities.html",
                    "Severity levels",
                    "severity",
                ),
                lists::severities(data),
            ),
            Job::Severity(rank, slice) => {
                let context = lists::severity(data, rank, slice);
                let name = &context.severity.name;
                self.page(
                    Place::new(
                        paged(&severity_path(name), slice),
                        "severity.html",
                        numbered(&format!("Severity {name}"), slice),
                        "severity",
                    ),
                    context,
                )
            }
            Job::Lessons => self.page(
                Place::new(
                    "lessons/index.html",
                    "lessons.html",
                    "Lessons learned",
                    "lessons",
                ),
                lessons::index(data),
            ),
            Job::LessonGroup(i, slice) => {
                let group = &data.lesson_groups[i];
                self.page(
                    Place::new(
                        page_path(&group.folder(), slice.number),
                        "lesson_group.html",
                        numbered(&format!("Lessons: {}", group.name()), slice),
                        "lessons",
                    ),
                    lessons::group_page(data, i, slice),
                )
            }
            Job::ActionItems => self.page(
                Place::new(
                    "action-items/index.html",
                    "action_items.html",
                    "Action items",
                    "action-items",
                ),
                action_items::index(data),
            ),
            Job::ActionItemsWith(bucket, slice) => self.page(
                Place::new(
                    page_path(&bucket.folder(), slice.number),
                    "action_items_status.html",
                    numbered(&format!("Action items: {}", bucket.title()), slice),
                    "action-items",
                ),
                action_items::bucket_page(data, bucket, slice),
            ),
            Job::NotFound => self.not_found(),
            Job::Search => self.page(
                Place::new("search/index.html", "search.html", "Search", "search"),
                lists::search(data),
            ),
            Job::Metrics => self.page(
                Place::new("metrics/index.html", "metrics.html", "Metrics", "metrics"),
                metrics::index_page(data),
            ),
            Job::Quarter(i) => {
                let quarter = data.metrics.quarters[i].quarter;
                self.page(
                    Place::new(
                        metrics::quarter_path(quarter),
                        "quarter.html",
                        format!("Metrics {quarter}"),
                        "metrics",
                    ),
                    metrics::quarter_page(data, i),
                )
            }
        }
    }

    fn frame(&self, place: &Place) -> Frame<'_> {
        Frame {
            site: &self.site,
            root: root_prefix(&place.path),
            page: PageMeta {
                title: place.title.clone(),
                path: place.path.clone(),
                canonical: self
                    .data
                    .kb
                    .config
                    .base_url
                    .as_ref()
                    .map(|b| format!("{b}{}", pretty_path(&place.path))),
                section: place.section,
            },
        }
    }

    fn page<C: Serialize>(
        &self,
        place: Place,
        context: C,
    ) -> Result<(PageDone, Bytes), TemplateError> {
        let frame = self.frame(&place);
        self.render(place, frame, context, &(), |_| {})
    }

    /// An incident's page: its body renders only when the page does.
    /// A quick rebuild keeps it, without assembling its context, when its
    /// dependencies are unchanged.
    fn incident(&self, n: usize) -> Result<(PageDone, Bytes), TemplateError> {
        let kb = self.data.kb;
        let incident = &kb.incidents[n];
        let path = incident_path(&incident.slug);
        let dependencies = self.versions.map(|v| incident::dependencies(kb, n, &v.of));
        let kept = self
            .cache
            .zip(dependencies)
            .filter(|_| self.versions.is_some_and(|v| v.keep_by_dependencies))
            .and_then(|(cache, key)| cache.page_by_dependencies(&path, key));
        if let Some((fingerprint, html)) = kept {
            let done = PageDone {
                path,
                fingerprint: Some(fingerprint),
                rendered: false,
                dependencies,
            };
            return Ok((done, html.clone()));
        }
        let (context, body) = incident::page(kb, n);
        let place = Place::new(
            path,
            "incident.html",
            format!("{}: {}", incident.id, incident.title),
            "incidents",
        );
        let frame = self.frame(&place);
        let (done, html) = self.render(place, frame, context, &body, |context| {
            context.set_body(profile::MARKDOWN.time(|| render_body(&body)));
        })?;
        Ok((
            PageDone {
                dependencies,
                ..done
            },
            html,
        ))
    }

    /// Served from any depth: its links are relative to a `<base>` element,
    /// the site's base path (corrected in the browser, see 404.html).
    fn not_found(&self) -> Result<(PageDone, Bytes), TemplateError> {
        let base_path = self
            .data
            .kb
            .config
            .base_url
            .as_deref()
            .and_then(|u| u.split_once("://").map(|(_, rest)| rest))
            .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_else(|| "/".to_string());
        let place = Place::new("404.html", "404.html", "Page not found", "");
        let frame = Frame {
            root: String::new(),
            ..self.frame(&place)
        };
        self.render(place, frame, lists::NotFoundPage { base_path }, &(), |_| {})
    }

    /// Renders the page, unless the cache has it with the same fingerprint.
    /// `costly` stands in the fingerprint for what `complete` adds to the
    /// context; `complete` runs only when the page renders.
    fn render<C: Serialize>(
        &self,
        place: Place,
        frame: Frame<'_>,
        context: C,
        costly: &impl Hash,
        complete: impl FnOnce(&mut C),
    ) -> Result<(PageDone, Bytes), TemplateError> {
        let mut page = Page { frame, context };
        let fingerprint = self
            .cache
            .and_then(|_| fingerprint(place.template, &page, costly));
        let cached = self
            .cache
            .zip(fingerprint)
            .and_then(|(cache, fingerprint)| cache.page(&place.path, fingerprint));
        let (html, rendered) = match cached {
            Some(html) => (html.clone(), false),
            None => {
                complete(&mut page.context);
                let context = tera::Context::from_serialize(&page).map_err(|e| TemplateError {
                    template: place.template.to_string(),
                    message: format!("the page's context could not be serialised: {e}"),
                })?;
                (
                    self.theme
                        .render(place.template, &context)?
                        .into_bytes()
                        .into(),
                    true,
                )
            }
        };
        let done = PageDone {
            path: place.path,
            fingerprint,
            rendered,
            dependencies: None,
        };
        Ok((done, html))
    }
}
