//! The build pipeline: sources → incidents → knowledge base → files, all in
//! memory. `load` happens before and `write` after; everything here is pure.

use indicatif::ProgressBar;
use jiff::civil::Date;
use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::incident::{Incident, parse_incident};
use crate::link::{Kb, Scope, link};
use crate::load::Sources;
use crate::render::theme::Theme;
use crate::render::{Extras, Files, feeds, render_site};
use crate::search_index::{SearchSizes, search_files};
use hindsight_search::SearchError;

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub drafts: bool,
    pub include_internal: bool,
    /// Warnings count as errors.
    pub strict: bool,
    /// Package search for `file://` use.
    pub offline: bool,
    /// Overrides `base_url` from the configuration.
    pub base_url: Option<String>,
    /// "Today", for overdue action items.
    pub now: Date,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Invalid postmortems: exit code 1.
    #[error("the content has errors")]
    Content(Vec<Diagnostic>),
    /// A broken theme: exit code 2.
    #[error("the theme has errors")]
    Theme(Vec<Diagnostic>),
    /// The search index could not be built (a bug, not bad content): exit code 2.
    #[error("the search index could not be built: {0}")]
    Search(#[from] SearchError),
}

/// A complete site, ready to write.
pub struct Built {
    pub files: Files,
    pub incidents: usize,
    pub pages: usize,
    pub search: SearchSizes,
    /// Warnings (errors abort the build).
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses every content file in parallel.
pub fn parse_all(sources: &Sources, progress: &ProgressBar) -> (Vec<Incident>, Diagnostics) {
    let results: Vec<(Option<Incident>, Vec<Diagnostic>)> = sources
        .content
        .par_iter()
        .map(|file| {
            let parsed = parse_incident(file, &sources.config);
            progress.inc(1);
            parsed
        })
        .collect();
    let mut diagnostics = sources.diagnostics.clone();
    let mut incidents = Vec::with_capacity(results.len());
    for (incident, found) in results {
        diagnostics.extend(found);
        incidents.extend(incident);
    }
    (incidents, diagnostics)
}

/// Parses and links; the diagnostics include those of loading.
pub fn knowledge_base(
    sources: Sources,
    options: &BuildOptions,
    progress: &ProgressBar,
) -> (Kb, Diagnostics) {
    let (incidents, mut diagnostics) = parse_all(&sources, progress);
    if options.strict {
        // SPEC §7: a strict build refuses secrets and personal data, as `check` does.
        diagnostics.extend(crate::check::scan_sources(
            &sources,
            crate::check::Scan::Secrets,
        ));
    }
    let mut config = sources.config;
    if let Some(base_url) = &options.base_url {
        config.base_url = Some(if base_url.ends_with('/') {
            base_url.clone()
        } else {
            format!("{base_url}/")
        });
    }
    let scope = Scope {
        drafts: options.drafts,
        include_internal: options.include_internal,
        now: options.now,
    };
    let (kb, link_diagnostics) = link(incidents, config, scope);
    diagnostics.extend(link_diagnostics);
    if options.strict {
        diagnostics.escalate_warnings();
    }
    (kb, diagnostics)
}

/// Builds the whole site in memory.
pub fn build_site(
    sources: Sources,
    options: &BuildOptions,
    progress: &ProgressBar,
) -> Result<Built, BuildError> {
    let theme = Theme::load(&sources.theme_overrides).map_err(BuildError::Theme)?;
    progress.set_length(sources.content.len() as u64);
    progress.set_message("parsing");
    let (kb, diagnostics) = knowledge_base(sources, options, progress);
    if diagnostics.has_errors() {
        return Err(BuildError::Content(diagnostics.into_sorted()));
    }

    let metrics = crate::metrics::compute(&kb);
    progress.set_message("rendering and indexing");
    let extras = Extras {
        has_search: true,
        metrics: Some(metrics),
        ..Extras::default()
    };
    let (rendered, search) = rayon::join(
        || render_site(&kb, &theme, &extras),
        || search_files(&kb, options.offline),
    );
    let mut files = rendered.map_err(|e| BuildError::Theme(vec![e.into_diagnostic(&theme)]))?;
    let search = search.map_err(BuildError::Search)?;
    files.extend(search.files);
    let pages: Vec<String> = files
        .keys()
        .filter(|p| p.ends_with(".html"))
        .cloned()
        .collect();
    files.insert("sitemap.xml".into(), feeds::sitemap(&kb, &pages));
    Ok(Built {
        files,
        incidents: kb.incidents.len(),
        pages: pages.len(),
        search: search.sizes,
        diagnostics: diagnostics.into_sorted(),
    })
}
