//! The HTML pages of SPEC §4: which pages exist, and the context each
//! template gets. Pages are independent, so they render in parallel.

use std::collections::BTreeMap;

use super::RenderError;
use super::fingerprint::PageContext;
use super::markdown::{BodyInput, LinkTarget, render_body};
use super::theme::{TemplateError, Theme};
use super::views::{
    ActionItemView, IncidentCard, IncidentRef, IncidentView, LinkView, SeverityView,
    action_item_view, incident_path, is_overdue, service_path, tag_path,
};
use crate::cache::RebuildCache;
use crate::link::{Group, Kb};
use crate::metrics::Metrics;
use crate::profile;
use crate::write::Sink;
use rayon::prelude::*;
use serde::Serialize;

/// How many incidents the home page lists.
const HOME_RECENT: usize = 8;

#[derive(Debug, Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    base_url: Option<&'a str>,
    /// Optional sections the navigation links to.
    has_metrics: bool,
    has_search: bool,
}

#[derive(Debug, Serialize)]
struct PageMeta<'a> {
    title: &'a str,
    /// Path of the page relative to the site root.
    path: &'a str,
    /// Absolute URL when `base_url` is set.
    canonical: Option<String>,
    /// Navigation entry to mark as current.
    section: &'a str,
}

/// What the other stages contribute to the pages.
#[derive(Default)]
pub struct Extras {
    /// The index stage ran: the header gets a search box and `search/index.html` exists.
    pub has_search: bool,
    /// Extra values for the home page context.
    pub home: BTreeMap<String, serde_json::Value>,
    /// The metrics stage's figures: metrics pages, headline, trends, `metrics.json`.
    pub metrics: Option<Metrics>,
}

/// `../` repeated once per folder level of `path`.
pub fn root_prefix(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Pretty URL of a page for canonical links and sitemaps: `incidents/x/`.
pub fn pretty_path(path: &str) -> &str {
    path.strip_suffix("index.html").unwrap_or(path)
}

pub struct PageRenderer<'a> {
    pub(super) kb: &'a Kb,
    theme: &'a Theme,
    extras: &'a Extras,
    cards: Vec<IncidentCard>,
    cache: Option<&'a RebuildCache>,
}

/// One page of the site.
pub struct Page {
    pub path: String,
    pub html: Vec<u8>,
    /// Of its template context; `None` when unknown.
    pub fingerprint: Option<u64>,
    /// False when the HTML is the previous render's (its context is unchanged).
    pub rendered: bool,
}

/// A page that went to the sink: what a rebuild needs to know of it.
pub struct PageDone {
    pub path: String,
    pub fingerprint: Option<u64>,
    pub rendered: bool,
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
    Severity(usize),
    Lessons,
    ActionItems,
    NotFound,
    Search,
    Metrics(&'a Metrics),
    /// Index into `Metrics::quarters`.
    Quarter(&'a Metrics, usize),
}

impl<'a> PageRenderer<'a> {
    /// With a cache, pages whose context is unchanged keep their HTML.
    pub fn new(
        kb: &'a Kb,
        theme: &'a Theme,
        extras: &'a Extras,
        cache: Option<&'a RebuildCache>,
    ) -> Self {
        let cards = (0..kb.incidents.len())
            .into_par_iter()
            .map(|n| IncidentCard::new(kb, n))
            .collect();
        PageRenderer {
            kb,
            theme,
            extras,
            cards,
            cache,
        }
    }

    /// Renders every page into `sink` as soon as it is ready.
    pub fn render_all(&self, sink: &dyn Sink) -> Result<Vec<PageDone>, RenderError> {
        let kb = self.kb;
        let mut jobs = vec![
            Job::Home,
            Job::Incidents,
            Job::Tags,
            Job::Services,
            Job::Severities,
            Job::Lessons,
            Job::ActionItems,
            Job::NotFound,
        ];
        if self.extras.has_search {
            jobs.push(Job::Search);
        }
        jobs.extend((0..kb.incidents.len()).map(Job::Incident));
        jobs.extend(kb.tags.iter().map(Job::Tag));
        jobs.extend(kb.services.iter().map(Job::Service));
        jobs.extend((1..=kb.config.severities.levels().len()).map(Job::Severity));
        if let Some(metrics) = &self.extras.metrics {
            jobs.push(Job::Metrics(metrics));
            jobs.extend((0..metrics.quarters.len()).map(|i| Job::Quarter(metrics, i)));
        }
        jobs.par_iter()
            .map(|job| {
                let page = self.render_job(job)?;
                sink.put(page.path.clone(), page.html)?;
                Ok(PageDone {
                    path: page.path,
                    fingerprint: page.fingerprint,
                    rendered: page.rendered,
                })
            })
            .collect()
    }

    fn render_job(&self, job: &Job<'_>) -> Result<Page, TemplateError> {
        match job {
            Job::Home => self.home(),
            Job::Incidents => self.page(
                "incidents/index.html",
                "incidents.html",
                "All incidents",
                "incidents",
                |ctx| {
                    ctx.insert("incidents", &self.cards);
                },
            ),
            Job::Incident(n) => self.incident(*n),
            Job::Tags => self.label_index(
                "tags/index.html",
                "tags.html",
                "Tags",
                "tags",
                &self.kb.tags,
                tag_path,
            ),
            Job::Services => self.label_index(
                "services/index.html",
                "services.html",
                "Services",
                "services",
                &self.kb.services,
                service_path,
            ),
            Job::Tag(group) => self.label_page(
                group,
                "tag.html",
                "tags",
                tag_path(&group.label.slug),
                format!("Tag: {}", group.label.name),
            ),
            Job::Service(group) => self.label_page(
                group,
                "service.html",
                "services",
                service_path(&group.label.slug),
                format!("Service: {}", group.label.name),
            ),
            Job::Severities => self.severities(),
            Job::Severity(rank) => self.severity(*rank),
            Job::Lessons => self.lessons(),
            Job::ActionItems => self.action_items(),
            Job::NotFound => self.not_found(),
            Job::Search => self.page(
                "search/index.html",
                "search.html",
                "Search",
                "search",
                |ctx| ctx.insert("facet_labels", &self.facet_labels()),
            ),
            Job::Metrics(metrics) => self.metrics_index(metrics),
            Job::Quarter(metrics, i) => self.quarter_page(metrics, *i),
        }
    }

    /// The index stores services and tags as slugs; the search page's filters
    /// show their names, as every other page does.
    fn facet_labels(&self) -> String {
        fn names(groups: &[Group]) -> BTreeMap<&str, &str> {
            groups
                .iter()
                .map(|g| (g.label.slug.as_str(), g.label.name.as_str()))
                .collect()
        }
        let labels = BTreeMap::from([
            ("service", names(&self.kb.services)),
            ("tag", names(&self.kb.tags)),
        ]);
        serde_json::to_string(&labels).expect("string maps serialise")
    }

    fn context(&self, path: &str, template: &str, title: &str, section: &str) -> PageContext {
        let config = &self.kb.config;
        let mut ctx = PageContext::new(template, self.cache.is_some());
        ctx.insert(
            "site",
            &SiteView {
                title: &config.title,
                description: config.description.as_deref(),
                base_url: config.base_url.as_deref(),
                has_metrics: self.extras.metrics.is_some(),
                has_search: self.extras.has_search,
            },
        );
        ctx.insert("root", &root_prefix(path));
        ctx.insert(
            "page",
            &PageMeta {
                title,
                path,
                canonical: config
                    .base_url
                    .as_ref()
                    .map(|b| format!("{b}{}", pretty_path(path))),
                section,
            },
        );
        ctx
    }

    pub(super) fn page(
        &self,
        path: &str,
        template: &str,
        title: &str,
        section: &str,
        fill: impl FnOnce(&mut PageContext),
    ) -> Result<Page, TemplateError> {
        let mut ctx = self.context(path, template, title, section);
        fill(&mut ctx);
        self.finish(path, template, ctx, |_| {})
    }

    /// Renders the page, unless the previous render had the same context:
    /// then its HTML is reused. `complete` adds what the fingerprint only
    /// marked, and runs only when the page renders.
    fn finish(
        &self,
        path: &str,
        template: &str,
        mut ctx: PageContext,
        complete: impl FnOnce(&mut tera::Context),
    ) -> Result<Page, TemplateError> {
        let fingerprint = ctx.fingerprint();
        let reused = self
            .cache
            .zip(fingerprint)
            .and_then(|(cache, fingerprint)| cache.page(path, fingerprint));
        let (html, rendered) = match reused {
            Some(html) => (html.clone(), false),
            None => {
                complete(ctx.context_mut());
                (
                    self.theme.render(template, ctx.context())?.into_bytes(),
                    true,
                )
            }
        };
        Ok(Page {
            path: path.to_string(),
            html,
            fingerprint,
            rendered,
        })
    }

    pub(super) fn cards_of(&self, members: &[usize]) -> Vec<&IncidentCard> {
        members.iter().map(|&n| &self.cards[n]).collect()
    }

    fn home(&self) -> Result<Page, TemplateError> {
        let kb = self.kb;
        let open: usize = kb
            .incidents
            .iter()
            .flat_map(|i| &i.action_items)
            .filter(|a| a.status.is_pending())
            .count();
        let overdue: usize = kb
            .incidents
            .iter()
            .flat_map(|i| &i.action_items)
            .filter(|a| is_overdue(a, kb))
            .count();
        let lessons: usize = kb.incidents.iter().map(|i| i.lessons.len()).sum();
        let stats = serde_json::json!({
            "incidents": kb.incidents.len(),
            "lessons": lessons,
            "open_action_items": open,
            "overdue_action_items": overdue,
            "services": kb.services.len(),
            "tags": kb.tags.len(),
        });
        let top = |groups: &[Group], path: fn(&str) -> String| -> Vec<serde_json::Value> {
            groups.iter().take(12).map(|g| serde_json::json!({"name": g.label.name, "path": path(&g.label.slug), "count": g.incidents.len()})).collect()
        };
        let recent_lessons: Vec<LessonRow> = kb
            .incidents
            .iter()
            .enumerate()
            .flat_map(|(n, i)| i.lessons.iter().map(move |l| (n, l)))
            .take(6)
            .map(|(n, l)| self.lesson_row(n, l))
            .collect();
        self.page(
            "index.html",
            "index.html",
            &kb.config.title,
            "home",
            |ctx| {
                ctx.insert(
                    "recent",
                    &self.cards.iter().take(HOME_RECENT).collect::<Vec<_>>(),
                );
                ctx.insert("stats", &stats);
                ctx.insert("top_tags", &top(&kb.tags, tag_path));
                ctx.insert("top_services", &top(&kb.services, service_path));
                ctx.insert("recent_lessons", &recent_lessons);
                if let Some(metrics) = &self.extras.metrics {
                    ctx.insert("headline", &self.headline(metrics));
                }
                for (key, value) in &self.extras.home {
                    ctx.insert(key.clone(), value);
                }
            },
        )
    }

    fn incident(&self, n: usize) -> Result<Page, TemplateError> {
        let kb = self.kb;
        let incident = &kb.incidents[n];
        let path = incident_path(&incident.slug);
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
        let mut view = IncidentView::new(kb, n);
        let title = format!("{}: {}", incident.id, incident.title);
        let mut ctx = self.context(&path, "incident.html", &title, "incidents");
        // The body is the costly part: it renders only when the page does.
        ctx.mark("incident", || &view);
        ctx.mark("body", || body.key());
        self.finish(&path, "incident.html", ctx, |ctx| {
            view.set_body(profile::MARKDOWN.time(|| render_body(&body)));
            ctx.insert("incident", &view);
        })
    }

    fn label_index(
        &self,
        path: &str,
        template: &str,
        title: &str,
        section: &str,
        groups: &[Group],
        link: fn(&str) -> String,
    ) -> Result<Page, TemplateError> {
        let items: Vec<serde_json::Value> = groups
            .iter()
            .map(|g| {
                let latest = g.incidents.first().and_then(|&n| self.cards[n].date.clone());
                serde_json::json!({"name": g.label.name, "slug": g.label.slug, "path": link(&g.label.slug), "count": g.incidents.len(), "latest": latest})
            })
            .collect();
        self.page(path, template, title, section, |ctx| {
            ctx.insert("labels", &items)
        })
    }

    fn label_page(
        &self,
        group: &Group,
        template: &str,
        section: &str,
        path: String,
        title: String,
    ) -> Result<Page, TemplateError> {
        let lessons: Vec<LessonRow> = group
            .incidents
            .iter()
            .flat_map(|&n| self.kb.incidents[n].lessons.iter().map(move |l| (n, l)))
            .map(|(n, l)| self.lesson_row(n, l))
            .collect();
        let label = LinkView {
            name: group.label.name.clone(),
            slug: group.label.slug.clone(),
            path: path.clone(),
        };
        let trend = self
            .extras
            .metrics
            .as_ref()
            .map(|m| self.trend(m, &group.incidents, &format!("trend-{}", group.label.slug)));
        self.page(&path, template, &title, section, |ctx| {
            ctx.insert("trend", &trend);
            ctx.insert("label", &label);
            ctx.insert("incidents", &self.cards_of(&group.incidents));
            ctx.insert("lessons", &lessons);
        })
    }

    fn severities(&self) -> Result<Page, TemplateError> {
        let levels: Vec<serde_json::Value> = self
            .kb
            .severity_groups()
            .into_iter()
            .map(|(rank, name, members)| serde_json::json!({"severity": SeverityView::new(&name, rank), "count": members.len()}))
            .collect();
        let unrated = self
            .kb
            .incidents
            .iter()
            .filter(|i| i.severity.is_none())
            .count();
        self.page(
            "severity/index.html",
            "severities.html",
            "Severity levels",
            "severity",
            |ctx| {
                ctx.insert("levels", &levels);
                ctx.insert("unrated", &unrated);
            },
        )
    }

    fn severity(&self, rank: usize) -> Result<Page, TemplateError> {
        let groups = self.kb.severity_groups();
        let (_, name, members) = &groups[rank - 1];
        let severity = SeverityView::new(name, rank);
        self.page(
            &severity.path.clone(),
            "severity.html",
            &format!("Severity {name}"),
            "severity",
            |ctx| {
                ctx.insert("severity", &severity);
                ctx.insert("incidents", &self.cards_of(members));
            },
        )
    }

    fn lesson_row(&self, n: usize, lesson: &crate::incident::Lesson) -> LessonRow {
        let incident = &self.kb.incidents[n];
        LessonRow {
            text: lesson.text.clone(),
            path: format!("{}#{}", incident_path(&incident.slug), lesson.anchor),
            incident: IncidentRef::new(incident),
            date: self.cards[n].date.clone(),
        }
    }

    fn lessons(&self) -> Result<Page, TemplateError> {
        let kb = self.kb;
        let mut groups: Vec<LessonGroup> = kb
            .tags
            .iter()
            .map(|g| LessonGroup {
                name: g.label.name.clone(),
                slug: g.label.slug.clone(),
                path: Some(tag_path(&g.label.slug)),
                lessons: g
                    .incidents
                    .iter()
                    .flat_map(|&n| kb.incidents[n].lessons.iter().map(move |l| (n, l)))
                    .map(|(n, l)| self.lesson_row(n, l))
                    .collect(),
            })
            .filter(|g| !g.lessons.is_empty())
            .collect();
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        let untagged: Vec<LessonRow> = kb
            .incidents
            .iter()
            .enumerate()
            .filter(|(_, i)| i.tags.is_empty())
            .flat_map(|(n, i)| i.lessons.iter().map(move |l| (n, l)))
            .map(|(n, l)| self.lesson_row(n, l))
            .collect();
        if !untagged.is_empty() {
            groups.push(LessonGroup {
                name: "Untagged".into(),
                slug: "untagged".into(),
                path: None,
                lessons: untagged,
            });
        }
        let total: usize = kb.incidents.iter().map(|i| i.lessons.len()).sum();
        self.page(
            "lessons/index.html",
            "lessons.html",
            "Lessons learned",
            "lessons",
            |ctx| {
                ctx.insert("groups", &groups);
                ctx.insert("total", &total);
            },
        )
    }

    fn action_items(&self) -> Result<Page, TemplateError> {
        let kb = self.kb;
        let mut items: Vec<(ActionItemView, Option<jiff::civil::Date>)> = kb
            .incidents
            .iter()
            .flat_map(|i| i.action_items.iter().map(move |a| (i, a)))
            .map(|(i, a)| (action_item_view(a, kb, Some(i)), a.due))
            .collect();
        // Overdue first (oldest due date first), then pending by due date, then the rest.
        items.sort_by(|(a, ad), (b, bd)| {
            let rank = |v: &ActionItemView| {
                if v.overdue {
                    0
                } else if matches!(v.status, "open" | "in-progress") {
                    1
                } else {
                    2
                }
            };
            rank(a)
                .cmp(&rank(b))
                .then_with(|| ad.is_none().cmp(&bd.is_none()))
                .then(ad.cmp(bd))
        });
        let bucket = |pred: &dyn Fn(&ActionItemView) -> bool| {
            items
                .iter()
                .map(|(v, _)| v)
                .filter(|v| pred(v))
                .collect::<Vec<_>>()
        };
        let overdue = bucket(&|v| v.overdue);
        let open = bucket(&|v| !v.overdue && matches!(v.status, "open" | "in-progress"));
        let done = bucket(&|v| v.status == "done");
        let wont = bucket(&|v| v.status == "wont-do");
        let total = items.len();
        let completion =
            (total > 0).then(|| (done.len() as f64 * 1000.0 / total as f64).round() / 10.0);
        self.page(
            "action-items/index.html",
            "action_items.html",
            "Action items",
            "action-items",
            |ctx| {
                ctx.insert("overdue", &overdue);
                ctx.insert("open", &open);
                ctx.insert("done", &done);
                ctx.insert("wont_do", &wont);
                ctx.insert("total", &total);
                ctx.insert("completion_percent", &completion);
                ctx.insert("now", &kb.scope.now.to_string());
            },
        )
    }

    fn not_found(&self) -> Result<Page, TemplateError> {
        // Served from any depth, so links are absolute from the site's base path.
        let base_path = self
            .kb
            .config
            .base_url
            .as_deref()
            .and_then(|u| u.split_once("://").map(|(_, rest)| rest))
            .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_else(|| "/".to_string());
        let mut ctx = self.context("404.html", "404.html", "Page not found", "");
        ctx.insert("root", &base_path);
        self.finish("404.html", "404.html", ctx, |_| {})
    }
}

#[derive(Debug, Serialize)]
struct LessonRow {
    text: String,
    /// Incident page with the lesson's anchor.
    path: String,
    incident: IncidentRef,
    date: Option<String>,
}

#[derive(Debug, Serialize)]
struct LessonGroup {
    name: String,
    slug: String,
    path: Option<String>,
    lessons: Vec<LessonRow>,
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
