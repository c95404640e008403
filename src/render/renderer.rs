//! Which pages exist, and how they are rendered: in parallel (pages are
//! independent), each from its template and its typed context, into the
//! sink as soon as it is ready. With a rebuild cache, a page whose
//! fingerprint is unchanged keeps the cache's HTML.

use std::hash::Hash;

use rayon::prelude::*;
use serde::Serialize;

use super::RenderError;
use super::fingerprint::fingerprint;
use super::markdown::render_body;
use super::pages::{
    Frame, Page, PageMeta, SiteData, SiteView, action_items, home, incident, lists, metrics,
    pretty_path, root_prefix,
};
use super::theme::{TemplateError, Theme};
use super::views::{IncidentCard, incident_path, service_path, severity_path, tag_path};
use crate::cache::RebuildCache;
use crate::link::{Group, Kb};
use crate::metrics::Metrics;
use crate::profile;
use crate::write::Sink;

pub struct Renderer<'a> {
    data: SiteData<'a>,
    theme: &'a Theme,
    site: SiteView<'a>,
    cache: Option<&'a RebuildCache>,
}

/// A page that went to the sink: what a rebuild needs to know of it.
pub struct PageDone {
    pub path: String,
    /// Of its context, with a cache; `None` without one, or when unknown.
    pub fingerprint: Option<u64>,
    /// False when the HTML is the cache's (its context is unchanged).
    pub rendered: bool,
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

enum Job<'a> {
    Home,
    Incidents,
    Incident(usize),
    Tags,
    Tag(&'a Group),
    Services,
    Service(&'a Group),
    Severities,
    /// 1 = most severe.
    Severity(usize),
    Lessons,
    ActionItems,
    NotFound,
    Search,
    Metrics,
    /// Index into `Metrics::quarters`.
    Quarter(usize),
}

impl<'a> Renderer<'a> {
    pub fn new(
        kb: &'a Kb,
        metrics: &'a Metrics,
        theme: &'a Theme,
        cache: Option<&'a RebuildCache>,
    ) -> Self {
        let cards = (0..kb.incidents.len())
            .into_par_iter()
            .map(|n| IncidentCard::new(kb, n))
            .collect();
        let config = &kb.config;
        Renderer {
            data: SiteData { kb, metrics, cards },
            theme,
            site: SiteView {
                title: &config.title,
                description: config.description.as_deref(),
                base_url: config.base_url.as_deref(),
            },
            cache,
        }
    }

    /// Renders every page into `sink` as soon as it is ready.
    pub fn render_all(&self, sink: &dyn Sink) -> Result<Vec<PageDone>, RenderError> {
        let kb = self.data.kb;
        let mut jobs = vec![
            Job::Home,
            Job::Incidents,
            Job::Tags,
            Job::Services,
            Job::Severities,
            Job::Lessons,
            Job::ActionItems,
            Job::NotFound,
            Job::Search,
        ];
        jobs.extend((0..kb.incidents.len()).map(Job::Incident));
        jobs.extend(kb.tags.iter().map(Job::Tag));
        jobs.extend(kb.services.iter().map(Job::Service));
        jobs.extend((1..=kb.config.severities.levels().len()).map(Job::Severity));
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

    fn render_job(&self, job: &Job<'_>) -> Result<(PageDone, Vec<u8>), TemplateError> {
        let data = &self.data;
        let kb = data.kb;
        match *job {
            Job::Home => self.page(
                Place::new("index.html", "index.html", &kb.config.title, "home"),
                home::page(data),
            ),
            Job::Incidents => self.page(
                Place::new(
                    "incidents/index.html",
                    "incidents.html",
                    "All incidents",
                    "incidents",
                ),
                lists::incidents(data),
            ),
            Job::Incident(n) => self.incident(n),
            Job::Tags => self.page(
                Place::new("tags/index.html", "tags.html", "Tags", "tags"),
                lists::label_index(data, &kb.tags, tag_path),
            ),
            Job::Services => self.page(
                Place::new(
                    "services/index.html",
                    "services.html",
                    "Services",
                    "services",
                ),
                lists::label_index(data, &kb.services, service_path),
            ),
            Job::Tag(group) => {
                let path = tag_path(&group.label.slug);
                self.page(
                    Place::new(
                        &path,
                        "tag.html",
                        format!("Tag: {}", group.label.name),
                        "tags",
                    ),
                    lists::label(data, group, path),
                )
            }
            Job::Service(group) => {
                let path = service_path(&group.label.slug);
                self.page(
                    Place::new(
                        &path,
                        "service.html",
                        format!("Service: {}", group.label.name),
                        "services",
                    ),
                    lists::label(data, group, path),
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
            Job::Severity(rank) => {
                let context = lists::severity(data, rank);
                let name = &context.severity.name;
                self.page(
                    Place::new(
                        severity_path(name),
                        "severity.html",
                        format!("Severity {name}"),
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
                lists::lessons(data),
            ),
            Job::ActionItems => self.page(
                Place::new(
                    "action-items/index.html",
                    "action_items.html",
                    "Action items",
                    "action-items",
                ),
                action_items::page(kb),
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
    ) -> Result<(PageDone, Vec<u8>), TemplateError> {
        let frame = self.frame(&place);
        self.render(place, frame, context, &(), |_| {})
    }

    /// An incident's page: its body renders only when the page does.
    fn incident(&self, n: usize) -> Result<(PageDone, Vec<u8>), TemplateError> {
        let incident = &self.data.kb.incidents[n];
        let (context, body) = incident::page(self.data.kb, n);
        let place = Place::new(
            incident_path(&incident.slug),
            "incident.html",
            format!("{}: {}", incident.id, incident.title),
            "incidents",
        );
        let frame = self.frame(&place);
        self.render(place, frame, context, &body, |context| {
            context.set_body(profile::MARKDOWN.time(|| render_body(&body)));
        })
    }

    /// Served from any depth: its links are relative to a `<base>` element,
    /// the site's base path (corrected in the browser, see 404.html).
    fn not_found(&self) -> Result<(PageDone, Vec<u8>), TemplateError> {
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
    ) -> Result<(PageDone, Vec<u8>), TemplateError> {
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
                    self.theme.render(place.template, &context)?.into_bytes(),
                    true,
                )
            }
        };
        let done = PageDone {
            path: place.path,
            fingerprint,
            rendered,
        };
        Ok((done, html))
    }
}
