//! The render stage: knowledge base in, every output file out (to a sink).

pub mod charts;
pub mod feeds;
pub mod fingerprint;
pub mod highlight;
pub mod markdown;
pub mod metrics_pages;
pub mod pages;
pub mod theme;
pub mod views;

use fingerprint::Fingerprints;
pub use pages::Extras;
use theme::{TemplateError, Theme};

use crate::link::Kb;
use crate::write::{Files, Sink, WriteError};

/// The last good render, for a rebuild with the same theme: pages whose
/// context is unchanged keep their HTML.
#[derive(Clone, Copy)]
pub struct Previous<'a> {
    pub fingerprints: &'a Fingerprints,
    pub files: &'a Files,
}

/// Whether a render fingerprints its pages' contexts (for the next rebuild),
/// and what it may reuse.
#[derive(Clone, Copy)]
pub enum Reuse<'a> {
    /// A one-off build: no fingerprints, everything renders.
    Nothing,
    /// Fingerprint every page; with the last good render, pages whose
    /// fingerprint is unchanged keep their HTML.
    Fingerprinted(Option<Previous<'a>>),
}

/// What [`render_site`] produced (the files themselves went to the sink).
pub struct Rendered {
    pub fingerprints: Fingerprints,
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

/// Renders the HTML pages, the theme's static files and the data files
/// into `sink`, each page as soon as it is ready (the sitemap comes last,
/// once every stage has added its pages).
pub fn render_site(
    kb: &Kb,
    theme: &Theme,
    extras: &Extras,
    reuse: Reuse<'_>,
    sink: &dyn Sink,
) -> Result<Rendered, RenderError> {
    let renderer = pages::PageRenderer::new(kb, theme, extras, reuse);
    let pages = renderer.render_all(sink)?;
    let rendered = pages.iter().filter(|p| p.rendered).count();
    let mut fingerprints = Fingerprints::with_capacity(pages.len());
    let mut paths = Vec::with_capacity(pages.len());
    for page in pages {
        if let Some(fingerprint) = page.fingerprint {
            fingerprints.insert(page.path.clone(), fingerprint);
        }
        paths.push(page.path);
    }
    for (path, bytes) in &theme.static_files {
        sink.put(format!("static/{path}"), bytes.clone())?;
    }
    sink.put("incidents.json".into(), feeds::incidents_json(kb))?;
    sink.put("feed.xml".into(), feeds::atom_feed(kb))?;
    if let Some(metrics) = &extras.metrics {
        sink.put("metrics.json".into(), feeds::metrics_json(metrics))?;
    }
    Ok(Rendered {
        fingerprints,
        pages: paths,
        rendered,
    })
}
