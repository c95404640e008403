//! The render stage: knowledge base in, every output file out (in memory).

pub mod charts;
pub mod feeds;
pub mod fingerprint;
pub mod highlight;
pub mod markdown;
pub mod metrics_pages;
pub mod pages;
pub mod theme;
pub mod views;

use std::collections::BTreeMap;

use fingerprint::Fingerprints;
pub use pages::Extras;
use theme::{TemplateError, Theme};

use crate::link::Kb;

/// Output files by path relative to the output folder.
pub type Files = BTreeMap<String, Vec<u8>>;

/// The last good render, for a rebuild with the same theme: pages whose
/// context is unchanged keep their HTML.
#[derive(Clone, Copy)]
pub struct Previous<'a> {
    pub fingerprints: &'a Fingerprints,
    pub files: &'a Files,
}

/// What [`render_site`] produced.
pub struct Rendered {
    pub files: Files,
    pub fingerprints: Fingerprints,
    /// HTML pages in the site, and how many of them were rendered (the others
    /// were reused from `previous`).
    pub pages: usize,
    pub rendered: usize,
}

/// Renders the HTML pages, the theme's static files and the data files
/// (the sitemap comes last, once every stage has added its pages).
pub fn render_site(
    kb: &Kb,
    theme: &Theme,
    extras: &Extras,
    previous: Option<Previous<'_>>,
) -> Result<Rendered, TemplateError> {
    let renderer = pages::PageRenderer::new(kb, theme, extras, previous);
    let pages = renderer.render_all()?;
    let count = pages.len();
    let rendered = pages.iter().filter(|p| p.rendered).count();
    let mut fingerprints = Fingerprints::with_capacity(count);
    let mut files = Files::new();
    for page in pages {
        if let Some(fingerprint) = page.fingerprint {
            fingerprints.insert(page.path.clone(), fingerprint);
        }
        files.insert(page.path, page.html);
    }
    for (path, bytes) in &theme.static_files {
        files.insert(format!("static/{path}"), bytes.clone());
    }
    files.insert("incidents.json".into(), feeds::incidents_json(kb));
    files.insert("feed.xml".into(), feeds::atom_feed(kb));
    if let Some(metrics) = &extras.metrics {
        files.insert("metrics.json".into(), feeds::metrics_json(metrics));
    }
    Ok(Rendered {
        files,
        fingerprints,
        pages: count,
        rendered,
    })
}
