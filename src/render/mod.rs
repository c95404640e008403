//! The render stage: knowledge base in, every output file out (in memory).

pub mod charts;
pub mod feeds;
pub mod highlight;
pub mod markdown;
pub mod metrics_pages;
pub mod pages;
pub mod theme;
pub mod views;

use std::collections::BTreeMap;

pub use pages::Extras;
use theme::{TemplateError, Theme};

use crate::link::Kb;

/// Output files by path relative to the output folder.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Renders the HTML pages, the theme's static files and the data files
/// (the sitemap comes last, once every stage has added its pages).
pub fn render_site(kb: &Kb, theme: &Theme, extras: &Extras) -> Result<Files, TemplateError> {
    let renderer = pages::PageRenderer::new(kb, theme, extras);
    let pages = renderer.render_all()?;
    let mut files: Files = pages
        .into_iter()
        .map(|(path, html)| (path, html.into_bytes()))
        .collect();
    for (path, bytes) in &theme.static_files {
        files.insert(format!("static/{path}"), bytes.clone());
    }
    files.insert("incidents.json".into(), feeds::incidents_json(kb));
    files.insert("feed.xml".into(), feeds::atom_feed(kb));
    if let Some(metrics) = &extras.metrics {
        files.insert("metrics.json".into(), feeds::metrics_json(metrics));
    }
    Ok(files)
}
