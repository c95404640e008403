//! The render stage: knowledge base in, every output file out (to a sink).

pub(crate) mod charts;
pub(crate) mod feeds;
pub(crate) mod fingerprint;
pub(crate) mod highlight;
pub mod markdown;
pub(crate) mod pages;
pub(crate) mod renderer;
pub(crate) mod theme;
pub(crate) mod views;

use theme::{TemplateError, Theme};

use crate::cache::{Dependencies, Fingerprints, RebuildCache, Versions};
use crate::link::Kb;
use crate::metrics::Metrics;
use crate::write::{Sink, WriteError};

/// What [`render_site`] produced (the files themselves went to the sink).
pub struct Rendered {
    /// Of every page, with a cache (for the next rebuild); empty without.
    pub fingerprints: Fingerprints,
    /// Of every incident page, with versions (for the next rebuild).
    pub dependencies: Dependencies,
    /// Paths of the HTML pages.
    pub pages: Vec<String>,
    /// How many pages were rendered (the others were reused from `previous`).
    pub rendered: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Incident `n`'s page alone (its path and HTML), as [`render_site`]
/// renders it from the same knowledge base: `serve` shows an edited
/// incident at once, before the rest of the site follows.
pub fn incident_page(
    kb: &Kb,
    metrics: &Metrics,
    theme: &Theme,
    n: usize,
) -> Result<(String, bytes::Bytes), TemplateError> {
    renderer::Renderer::incident_pages(kb, metrics, theme).incident_page(n)
}

/// Renders the HTML pages, the theme's static files and the data files
/// into `sink`, each page as soon as it is ready (the sitemap comes last,
/// once every stage has added its pages). With a cache, every page's
/// context is fingerprinted, and a page whose fingerprint is unchanged keeps
/// the cache's HTML.
pub fn render_site(
    kb: &Kb,
    metrics: &Metrics,
    theme: &Theme,
    cache: Option<&RebuildCache>,
    versions: Option<&Versions>,
    sink: &dyn Sink,
) -> Result<Rendered, RenderError> {
    let renderer = renderer::Renderer::new(kb, metrics, theme, cache, versions);
    let pages = crate::profile::stage("  pages", || renderer.render_all(sink))?;
    let rendered = pages.iter().filter(|p| p.rendered).count();
    let mut fingerprints = Fingerprints::with_capacity(pages.len());
    let mut dependencies = Dependencies::new();
    let mut paths = Vec::with_capacity(pages.len());
    for page in pages {
        if let Some(fingerprint) = page.fingerprint {
            fingerprints.insert(page.path.clone(), fingerprint);
        }
        if let Some(key) = page.dependencies {
            dependencies.insert(page.path.clone(), key);
        }
        paths.push(page.path);
    }
    let feeds = crate::profile::stage("  feeds", || -> Result<(), WriteError> {
        if let Some(rows) = renderer.incident_rows() {
            sink.put(pages::lists::INCIDENT_ROWS_FILE.into(), rows.into())?;
        }
        for (path, bytes) in &theme.static_files {
            sink.put(format!("static/{path}"), bytes.clone().into())?;
        }
        sink.put("incidents.json".into(), feeds::incidents_json(kb).into())?;
        sink.put("lessons.json".into(), feeds::lessons_json(kb).into())?;
        sink.put("feed.xml".into(), feeds::atom_feed(kb).into())?;
        sink.put("metrics.json".into(), feeds::metrics_json(metrics).into())?;
        sink.put("metrics.csv".into(), feeds::metrics_csv(metrics).into())?;
        Ok(())
    });
    feeds?;
    Ok(Rendered {
        fingerprints,
        dependencies,
        pages: paths,
        rendered,
    })
}
