//! The build pipeline: sources → incidents → knowledge base → files. `load`
//! happens before; everything here is pure except that finished files go to
//! a [`Sink`]: memory, or the writer's staging folder.
//! A rebuild ([`rebuild`]) reuses and updates a [`RebuildCache`]: it redoes
//! only the parsing and rendering a change affects.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use indicatif::ProgressBar;
use jiff::civil::Date;
use rayon::prelude::*;

use crate::cache::{Parsed, RebuildCache, text_hash};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::incident::{Incident, parse_incident};
use crate::link::{Kb, Scope, link};
use crate::load::Sources;
use crate::profile;
use crate::render::theme::Theme;
use crate::render::{RenderError, feeds, render_site};
use crate::scan::{Scan, scan_sources};
use crate::search_index::{SearchSizes, search_files};
use crate::write::{Files, Sink, WriteError};
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

impl BuildOptions {
    /// A default build as of `now`: published incidents only, warnings
    /// allowed, search for a web server, `base_url` from the configuration.
    pub fn new(now: Date) -> Self {
        BuildOptions {
            drafts: false,
            include_internal: false,
            strict: false,
            offline: false,
            base_url: None,
            now,
        }
    }
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
    /// The output could not be written: exit code 2.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// What a build made, for its report.
pub struct Summary {
    pub incidents: usize,
    pub pages: usize,
    /// Pages rendered by this build (the others were reused from the
    /// previous one); all of them for a full build.
    pub rendered: usize,
    /// Content files parsed by this build (the others were reused).
    pub parsed: usize,
    /// Raw and gzip sizes of the search files, for `build`'s report
    /// (compressing takes seconds for a large index, so a rebuild skips it).
    pub search: Option<SearchSizes>,
    /// Warnings (errors abort the build).
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses every content file in parallel.
pub fn parse_all(sources: &Sources, progress: &ProgressBar) -> (Vec<Incident>, Diagnostics) {
    let (parsed, _) = parse(sources, progress, None);
    collect_parsed(sources, parsed)
}

/// Parse results in source order; with a cache, files whose text is
/// unchanged are taken from it (hashing the texts costs a pass over them, so
/// only a rebuild does). Also returns how many files were parsed.
fn parse(
    sources: &Sources,
    progress: &ProgressBar,
    cache: Option<&RebuildCache>,
) -> (Vec<Parsed>, usize) {
    let results: Vec<(Parsed, bool)> = sources
        .content
        .par_iter()
        .map(|file| {
            let text_hash = if cache.is_some() { text_hash(file) } else { 0 };
            let known = cache.and_then(|c| c.parsed(&file.path, text_hash));
            let result = match known {
                Some(parsed) => (parsed.clone(), false),
                None => {
                    let (incident, diagnostics) = parse_incident(file, &sources.config);
                    let parsed = Parsed {
                        text_hash,
                        incident,
                        diagnostics,
                    };
                    (parsed, true)
                }
            };
            progress.inc(1);
            result
        })
        .collect();
    let count = results.iter().filter(|(_, fresh)| *fresh).count();
    (results.into_iter().map(|(p, _)| p).collect(), count)
}

fn collect_parsed(
    sources: &Sources,
    parsed: impl IntoIterator<Item = Parsed>,
) -> (Vec<Incident>, Diagnostics) {
    let mut diagnostics = sources.diagnostics.clone();
    let mut incidents = Vec::with_capacity(sources.content.len());
    for parsed in parsed {
        diagnostics.extend(parsed.diagnostics);
        incidents.extend(parsed.incident);
    }
    (incidents, diagnostics)
}

/// Parses and links; the diagnostics include those of loading.
pub fn knowledge_base(
    sources: Sources,
    options: &BuildOptions,
    progress: &ProgressBar,
) -> (Kb, Diagnostics) {
    let (incidents, diagnostics) = parse_all(&sources, progress);
    link_parsed(sources, incidents, diagnostics, options)
}

fn link_parsed(
    sources: Sources,
    incidents: Vec<Incident>,
    mut diagnostics: Diagnostics,
    options: &BuildOptions,
) -> (Kb, Diagnostics) {
    if options.strict {
        // A strict build refuses secrets and personal data, as `check` does
        // (docs/safety.md).
        diagnostics.extend(scan_sources(&sources, Scan::Secrets));
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

/// Builds the whole site into `sink`, each page as soon as it is rendered,
/// and measures the search files for the report. On an error, part of the
/// site may have been put into `sink` already.
pub fn build_into(
    sources: Sources,
    options: &BuildOptions,
    progress: &ProgressBar,
    sink: &dyn Sink,
) -> Result<Summary, BuildError> {
    build(sources, options, progress, None, sink).map(|(summary, _)| summary)
}

/// Builds the whole site in memory, without a progress bar: every file by its
/// path. The fuzz target `build_one_file` drives the whole build through it.
pub fn build_in_memory(sources: Sources, options: &BuildOptions) -> Result<Files, BuildError> {
    let files = Mutex::new(Files::new());
    build_into(sources, options, &ProgressBar::hidden(), &files)?;
    Ok(files.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// Builds the site again after a change, in memory: files whose text is
/// unchanged are not parsed again, and pages whose template context is
/// unchanged keep their HTML. After a good build, `cache` holds it (its
/// files are the new site); after a failed one, it is left as it was.
pub fn rebuild(
    sources: Sources,
    options: &BuildOptions,
    progress: &ProgressBar,
    cache: &mut RebuildCache,
) -> Result<Summary, BuildError> {
    let files = Mutex::new(Files::new());
    let (summary, kept) = build(sources, options, progress, Some(cache), &files)?;
    let (parsed, fingerprints) = kept.expect("a build with a cache keeps its state");
    let files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    cache.replace(parsed, fingerprints, files);
    Ok(summary)
}

/// Parse results and page fingerprints of a build with a cache, for the next.
type Kept = (HashMap<String, Parsed>, crate::cache::Fingerprints);

fn build(
    sources: Sources,
    options: &BuildOptions,
    progress: &ProgressBar,
    cache: Option<&RebuildCache>,
    sink: &dyn Sink,
) -> Result<(Summary, Option<Kept>), BuildError> {
    let theme = profile::stage("theme", || Theme::load(&sources.theme_overrides))
        .map_err(BuildError::Theme)?;
    progress.set_length(sources.content.len() as u64);
    progress.set_message("parsing");
    let (parsed, parsed_count) = profile::stage("parse", || parse(&sources, progress, cache));
    // A rebuild keeps the parse results for the next one.
    let kept_parsed: Option<HashMap<String, Parsed>> = cache.map(|_| {
        sources
            .content
            .iter()
            .zip(&parsed)
            .map(|(file, parsed)| (file.path.clone(), parsed.clone()))
            .collect()
    });
    let (incidents, mut diagnostics) = collect_parsed(&sources, parsed);
    // Template placeholders in what will be published ("[What happened…]").
    diagnostics.extend(profile::stage("placeholders", || {
        let published: HashSet<&str> = incidents
            .iter()
            .filter(|i| !i.draft && i.is_published(options.drafts, options.include_internal))
            .map(|i| i.source_path.as_str())
            .collect();
        crate::scan::unfinished_postmortems(&sources, &published)
    }));
    let (kb, diagnostics) = profile::stage("link", || {
        link_parsed(sources, incidents, diagnostics, options)
    });
    if diagnostics.has_errors() {
        return Err(BuildError::Content(diagnostics.into_sorted()));
    }

    let metrics = profile::stage("metrics", || crate::metrics::compute(&kb));
    progress.set_message("rendering and indexing");
    // Only `build` reports the search files' sizes; a rebuild keeps them
    // out of its time.
    let measure = cache.is_none();
    // Indexing is one thread; rendering takes the others. The search files'
    // sizes are measured on the indexing side, while rendering goes on.
    let (rendered, search) = rayon::join(
        || {
            profile::stage("render (∥ search index)", || {
                render_site(&kb, &metrics, &theme, cache, sink)
            })
        },
        || {
            profile::stage("search index (∥ render)", || {
                search_files(&kb, options.offline).map(|search| {
                    let sizes = measure.then(|| profile::stage("  gzip sizes", || search.sizes()));
                    (search, sizes)
                })
            })
        },
    );
    let rendered = rendered.map_err(|e| match e {
        RenderError::Template(e) => BuildError::Theme(vec![e.into_diagnostic(&theme)]),
        RenderError::Write(e) => BuildError::Write(e),
    })?;
    let (search, sizes) = search.map_err(BuildError::Search)?;
    for (path, bytes) in search.files {
        sink.put(path, bytes)?;
    }
    let mut pages = rendered.pages;
    pages.sort();
    let sitemap = profile::stage("sitemap", || feeds::sitemap(&kb, &pages));
    sink.put("sitemap.xml".into(), sitemap)?;
    let kept = kept_parsed.map(|parsed| (parsed, rendered.fingerprints));
    let summary = Summary {
        incidents: kb.incidents.len(),
        pages: pages.len(),
        rendered: rendered.rendered,
        parsed: parsed_count,
        search: sizes,
        diagnostics: diagnostics.into_sorted(),
    };
    Ok((summary, kept))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::load::{SourceFile, load};

    const EDITED: &str = "content/2025/INC-2025-002-debug-allocation-flag-left-on.md";

    /// The bundled knowledge base, with `edit` applied to its files.
    fn sources(edit: &dyn Fn(&mut Vec<SourceFile>)) -> Sources {
        let mut sources = load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("bundled content");
        edit(&mut sources.content);
        sources
    }

    fn options() -> BuildOptions {
        BuildOptions::new(jiff::civil::date(2026, 1, 15))
    }

    fn edited(content: &mut [SourceFile]) -> &mut SourceFile {
        content
            .iter_mut()
            .find(|f| f.path == EDITED)
            .expect("the edited file")
    }

    /// A one-off build, in memory.
    fn full_build(sources: Sources) -> Files {
        build_in_memory(sources, &options()).unwrap()
    }

    #[test]
    fn a_rebuild_equals_a_full_build_and_redoes_only_what_changed() {
        let hidden = ProgressBar::hidden();
        let mut first = RebuildCache::default();
        let summary = rebuild(sources(&|_| {}), &options(), &hidden, &mut first).unwrap();
        assert_eq!(
            summary.rendered, summary.pages,
            "a first build renders everything"
        );
        assert_eq!(summary.parsed, sources(&|_| {}).content.len());
        assert_eq!(**first.files(), full_build(sources(&|_| {})));

        type Edit = Box<dyn Fn(&mut Vec<SourceFile>)>;
        let edits: [(&str, Edit, usize); 5] = [
            ("nothing", Box::new(|_| {}), 0),
            (
                "title",
                Box::new(|c| {
                    let file = edited(c);
                    file.text = file.text.replacen("title: ", "title: Renamed ", 1);
                }),
                1,
            ),
            (
                "body",
                Box::new(|c| edited(c).text.push_str("\nOne more paragraph.\n")),
                1,
            ),
            ("deletion", Box::new(|c| c.retain(|f| f.path != EDITED)), 0),
            (
                "rename",
                Box::new(|c| edited(c).path = "content/2025/moved.md".into()),
                1,
            ),
        ];
        for (name, edit, parsed) in edits {
            let mut cache = first.clone();
            let rebuilt = rebuild(sources(&edit), &options(), &hidden, &mut cache).unwrap();
            let full = full_build(sources(&edit));
            let differing: Vec<&String> = full
                .keys()
                .chain(cache.files().keys())
                .filter(|p| full.get(*p) != cache.files().get(*p))
                .collect();
            assert!(
                differing.is_empty(),
                "{name}: {differing:?} differ from a full build"
            );
            assert_eq!(rebuilt.parsed, parsed, "{name}: files parsed");
            assert!(
                rebuilt.rendered < rebuilt.pages / 2,
                "{name}: {} of {} pages rendered",
                rebuilt.rendered,
                rebuilt.pages
            );
            if name == "nothing" {
                assert_eq!(rebuilt.rendered, 0);
            } else {
                assert!(rebuilt.rendered > 0, "{name}: its page renders again");
            }
        }
    }
}
