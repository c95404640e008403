//! The build pipeline: sources → incidents → knowledge base → files. `load`
//! happens before; everything here is pure except that finished files go to
//! a [`Sink`]: memory, or the writer's staging folder.
//! A rebuild ([`rebuild`]) reuses and updates a [`RebuildCache`]: it redoes
//! only the parsing and rendering a change affects.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use indicatif::ProgressBar;
use jiff::civil::Date;
use rayon::prelude::*;

use crate::cache::{
    Corpus, Kept, Latest, Parsed, RebuildCache, Versions, carry_over, text_hash, version,
};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::incident::{Incident, parse_incident};
use crate::link::{CarryMeaning, Earlier, Kb, Related, Scope, link};
use crate::load::{Reads, SourceFile, Sources};
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
    /// A rebuild in the background stopped because a newer edit superseded
    /// it ([`rebuild_in_background`]); its result would have been dropped.
    #[error("the rebuild was superseded by a newer one")]
    Superseded,
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
    /// The search files (and similar incidents) are the last complete
    /// build's: a quick rebuild's.
    pub search_behind: bool,
    /// Warnings (errors abort the build).
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses every content file in parallel.
pub fn parse_all(sources: &Sources, progress: &ProgressBar) -> (Vec<Incident>, Diagnostics) {
    let (parsed, _) = parse(sources, progress, None, false);
    collect_parsed(sources, parsed)
}

/// Parse results in source order, with each file's template placeholders
/// if `placeholders`; in a rebuild, files unchanged since the last build are
/// taken from its cache. Also returns how many files were parsed.
fn parse(
    sources: &Sources,
    progress: &ProgressBar,
    rebuilding: Option<&Rebuilding>,
    placeholders: bool,
) -> (Vec<Arc<Parsed>>, usize) {
    let results: Vec<(Arc<Parsed>, bool)> = sources
        .content
        .par_iter()
        .map(|file| {
            let known = rebuilding.and_then(|r| r.cache.parsed(file, r.reads));
            let result = match known {
                Some(parsed) => (parsed.clone(), false),
                None => {
                    let (incident, diagnostics) = parse_incident(file, &sources.config);
                    let placeholder = incident
                        .as_ref()
                        .filter(|i| placeholders && !i.draft)
                        .and_then(|_| crate::scan::unfinished_postmortem(file));
                    let parsed = Parsed {
                        text_hash: rebuilding.map_or(0, |_| text_hash(file)),
                        incident,
                        diagnostics,
                        placeholder,
                    };
                    (Arc::new(parsed), true)
                }
            };
            progress.inc(1);
            result
        })
        .collect();
    let count = results.iter().filter(|(_, fresh)| *fresh).count();
    (results.into_iter().map(|(p, _)| p).collect(), count)
}

/// The incidents and diagnostics of parse results (copied out of those a
/// rebuild's cache shares).
fn collect_parsed(
    sources: &Sources,
    parsed: impl IntoIterator<Item = Arc<Parsed>>,
) -> (Vec<Incident>, Diagnostics) {
    let mut diagnostics = sources.diagnostics.clone();
    let mut incidents = Vec::with_capacity(sources.content.len());
    for parsed in parsed {
        let parsed = Arc::try_unwrap(parsed).unwrap_or_else(|shared| Parsed::clone(&shared));
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
    link_parsed(sources, incidents, diagnostics, options, None, None)
}

fn link_parsed(
    sources: Sources,
    incidents: Vec<Incident>,
    mut diagnostics: Diagnostics,
    options: &BuildOptions,
    carried: Option<&Corpus>,
    related: Option<&Related>,
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
    let carry = |incidents: &[Incident]| {
        let corpus = carried.expect("carried over only with a corpus");
        carry_over(&corpus.meaning, &corpus.sources, incidents)
    };
    let earlier = Earlier {
        meaning: carried.map(|_| &carry as &CarryMeaning<'_>),
        related,
    };
    let (kb, link_diagnostics) = link(incidents, config, scope, Some(&earlier));
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

/// How much of the site a rebuild brings up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// All but the whole-corpus stages: similar incidents and recurring
    /// lessons are carried over from the last complete build, and so are its
    /// search files ([`Summary::search_behind`]). Complete when the cache
    /// has no complete build.
    Quick,
    /// Everything: the files equal a full build's.
    Complete,
}

/// A rebuild's inputs besides the sources.
struct Rebuilding<'a> {
    cache: &'a RebuildCache,
    /// The content files' stamps, when they were loaded from disk.
    reads: Option<&'a Reads>,
    /// Carry the whole-corpus stages over from this complete build.
    carried: Option<&'a Corpus>,
    /// Reuse what is known to be unchanged without recomputing it: the
    /// related incidents whose inputs are unchanged and, in a quick
    /// rebuild, the incident pages whose dependencies are (tests turn it off
    /// to check that the result is the same).
    incremental: bool,
    /// Asked between stages and before each page: when it says yes, the
    /// rebuild stops with [`BuildError::Superseded`].
    superseded: &'a Superseded<'a>,
}

/// Whether a rebuild is superseded by a newer one (and should stop).
pub type Superseded<'a> = dyn Fn() -> bool + Sync + 'a;

/// Never superseded.
fn current() -> bool {
    false
}

/// A sink that refuses pages once the build is superseded, so that
/// rendering stops at the next page instead of finishing the site.
struct Stopping<'a> {
    sink: &'a dyn Sink,
    superseded: &'a Superseded<'a>,
    stopped: std::sync::atomic::AtomicBool,
}

impl Sink for Stopping<'_> {
    fn put(&self, path: String, bytes: bytes::Bytes) -> Result<(), WriteError> {
        if (self.superseded)() {
            self.stopped
                .store(true, std::sync::atomic::Ordering::Relaxed);
            return Err(WriteError::Io {
                path: path.into(),
                source: std::io::ErrorKind::Interrupted.into(),
            });
        }
        self.sink.put(path, bytes)
    }
}

/// Builds the site again after a change, in memory: files unchanged since
/// the last build (same size and modification time in `reads`, else same
/// text) are not parsed again, and pages whose template context is
/// unchanged keep their HTML. After a good build, `cache` holds it (its
/// files are the new site); after a failed one, it is left as it was.
pub fn rebuild(
    sources: Sources,
    reads: Option<Reads>,
    options: &BuildOptions,
    cache: &mut RebuildCache,
    depth: Depth,
) -> Result<Summary, BuildError> {
    rebuild_with(sources, reads, options, cache, depth, true, &current)
}

/// A complete [`rebuild`] that `serve` runs in the background: it stops
/// early, with [`BuildError::Superseded`] and `cache` as it was, once
/// `superseded` says that a newer edit made it stale.
pub fn rebuild_in_background(
    sources: Sources,
    reads: Option<Reads>,
    options: &BuildOptions,
    cache: &mut RebuildCache,
    superseded: &Superseded<'_>,
) -> Result<Summary, BuildError> {
    rebuild_with(
        sources,
        reads,
        options,
        cache,
        Depth::Complete,
        true,
        superseded,
    )
}

fn rebuild_with(
    sources: Sources,
    reads: Option<Reads>,
    options: &BuildOptions,
    cache: &mut RebuildCache,
    depth: Depth,
    incremental: bool,
    superseded: &Superseded<'_>,
) -> Result<Summary, BuildError> {
    let files = Mutex::new(Files::new());
    let rebuilding = Rebuilding {
        cache,
        reads: reads.as_ref(),
        carried: cache.corpus().filter(|_| depth == Depth::Quick),
        incremental,
        superseded,
    };
    let sink = Stopping {
        sink: &files,
        superseded,
        stopped: false.into(),
    };
    let (summary, kept) = build(
        sources,
        options,
        &ProgressBar::hidden(),
        Some(&rebuilding),
        &sink,
    )
    .map_err(|e| {
        if sink.stopped.load(std::sync::atomic::Ordering::Relaxed) {
            BuildError::Superseded
        } else {
            e
        }
    })?;
    let (parsed, fingerprints, dependencies, corpus, latest) =
        kept.expect("a rebuild keeps its state");
    let related = Related {
        lists: latest.kb.related.clone(),
        keys: latest.kb.related_keys.clone(),
    };
    let files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    profile::stage("keep", || {
        cache.replace(Kept {
            reads: reads.unwrap_or_default(),
            parsed,
            fingerprints,
            dependencies,
            files,
            corpus,
            related,
            latest,
        })
    });
    Ok(summary)
}

/// Incident pages (path and HTML) for `edited` content files, rendered at
/// once from the last build's knowledge base with each file's incident in
/// place of the one it had: the first view of an edit, before [`rebuild`]
/// brings the whole site up to date. A file that is new, has errors, or
/// changes its incident's id or publication has no preview (the rebuild
/// shows it).
pub fn preview(cache: &mut RebuildCache, edited: &[SourceFile]) -> Vec<(String, bytes::Bytes)> {
    let Some(latest) = cache.latest_mut() else {
        return Vec::new();
    };
    let mut pages = Vec::new();
    for file in edited {
        let kb = &mut latest.kb;
        let Some(n) = kb.incidents.iter().position(|i| i.source_path == file.path) else {
            continue;
        };
        let (incident, diagnostics) = parse_incident(file, &kb.config);
        let Some(incident) = incident.filter(|i| {
            i.id == kb.incidents[n].id
                && i.is_published(kb.scope.drafts, kb.scope.include_internal)
                && !diagnostics.iter().any(Diagnostic::is_error)
        }) else {
            continue;
        };
        let previous = std::mem::replace(&mut kb.incidents[n], incident);
        let page = crate::render::incident_page(kb, &latest.metrics, &latest.theme, n);
        latest.kb.incidents[n] = previous;
        pages.extend(page.ok());
    }
    pages
}

/// What a rebuild keeps for the next one, besides its files.
type KeptState = (
    HashMap<String, Arc<Parsed>>,
    crate::cache::Fingerprints,
    crate::cache::Dependencies,
    Option<Corpus>,
    Latest,
);

fn build(
    sources: Sources,
    options: &BuildOptions,
    progress: &ProgressBar,
    rebuilding: Option<&Rebuilding>,
    sink: &dyn Sink,
) -> Result<(Summary, Option<KeptState>), BuildError> {
    let cache = rebuilding.map(|r| r.cache);
    let superseded = rebuilding.map_or(&current as &Superseded<'_>, |r| r.superseded);
    let stop_if_superseded = || {
        if superseded() {
            Err(BuildError::Superseded)
        } else {
            Ok(())
        }
    };

    let known_theme = cache
        .and_then(RebuildCache::latest)
        .map(|latest| latest.theme.clone());
    let theme = match known_theme {
        Some(theme) => theme,
        None => profile::stage("theme", || Theme::load(&sources.theme_overrides))
            .map(Arc::new)
            .map_err(BuildError::Theme)?,
    };
    progress.set_length(sources.content.len() as u64);
    progress.set_message("parsing");
    let (parsed, parsed_count) =
        profile::stage("parse", || parse(&sources, progress, rebuilding, true));
    // Template placeholders in what will be published ("[What happened…]").
    let placeholders: Vec<Diagnostic> = parsed
        .iter()
        .filter(|p| {
            p.incident
                .as_ref()
                .is_some_and(|i| i.is_published(options.drafts, options.include_internal))
        })
        .filter_map(|p| p.placeholder.clone())
        .collect();
    // A rebuild keeps the parse results for the next one.
    let kept_parsed: Option<HashMap<String, Arc<Parsed>>> = rebuilding.map(|_| {
        sources
            .content
            .iter()
            .zip(&parsed)
            .map(|(file, parsed)| (file.path.clone(), parsed.clone()))
            .collect()
    });
    stop_if_superseded()?;
    let (incidents, mut diagnostics) =
        profile::stage("collect", || collect_parsed(&sources, parsed));
    diagnostics.extend(placeholders);
    let carried = rebuilding.and_then(|r| r.carried);
    let related = rebuilding
        .filter(|r| r.incremental)
        .and_then(|r| r.cache.related());
    let (kb, diagnostics) = profile::stage("link", || {
        link_parsed(sources, incidents, diagnostics, options, carried, related)
    });
    if diagnostics.has_errors() {
        return Err(BuildError::Content(diagnostics.into_sorted()));
    }

    stop_if_superseded()?;
    let metrics = profile::stage("metrics", || crate::metrics::compute(&kb));
    progress.set_message("rendering and indexing");
    // Only `build` reports the search files' sizes; a rebuild keeps them
    // out of its time.
    let measure = cache.is_none();
    // A rebuild knows each incident's version; a quick one keeps the
    // incident pages whose dependencies are unchanged without assembling them.
    let versions = kept_parsed.as_ref().map(|parsed| Versions {
        of: kb
            .incidents
            .iter()
            .map(|i| {
                version(
                    &i.source_path,
                    parsed.get(&i.source_path).map_or(0, |p| p.text_hash),
                )
            })
            .collect(),
        keep_by_dependencies: carried.is_some() && rebuilding.is_some_and(|r| r.incremental),
    });
    let render = || {
        profile::stage("render (∥ search index)", || {
            render_site(&kb, &metrics, &theme, cache, versions.as_ref(), sink)
        })
    };
    // Indexing is one thread; rendering takes the others. The search files'
    // sizes are measured on the indexing side, while rendering goes on. A
    // quick rebuild keeps the last complete build's search files.
    let (rendered, search) = match carried {
        Some(_) => (render(), None),
        None => {
            let (rendered, search) = rayon::join(render, || {
                profile::stage("search index (∥ render)", || {
                    search_files(&kb, options.offline).map(|search| {
                        let sizes =
                            measure.then(|| profile::stage("  gzip sizes", || search.sizes()));
                        (search, sizes)
                    })
                })
            });
            (rendered, Some(search.map_err(BuildError::Search)?))
        }
    };
    let rendered = rendered.map_err(|e| match e {
        RenderError::Template(e) => BuildError::Theme(vec![e.into_diagnostic(&theme)]),
        RenderError::Write(e) => BuildError::Write(e),
    })?;
    let mut search_paths = Vec::new();
    let mut sizes = None;
    match (search, carried) {
        (Some((search, measured)), _) => {
            sizes = measured;
            for (path, bytes) in search.files {
                search_paths.push(path.clone());
                sink.put(path, bytes.into())?;
            }
        }
        (None, Some(corpus)) => {
            let files = cache.expect("carried over from a cache").files();
            for path in &corpus.search {
                if let Some(bytes) = files.get(path) {
                    sink.put(path.clone(), bytes.clone())?;
                }
            }
        }
        (None, None) => {}
    }
    let mut pages = rendered.pages;
    pages.sort();
    let sitemap = profile::stage("sitemap", || feeds::sitemap(&kb, &pages));
    sink.put("sitemap.xml".into(), sitemap.into())?;
    let summary = Summary {
        incidents: kb.incidents.len(),
        pages: pages.len(),
        rendered: rendered.rendered,
        parsed: parsed_count,
        search: sizes,
        search_behind: carried.is_some(),
        diagnostics: diagnostics.into_sorted(),
    };
    let kept = kept_parsed.map(|parsed| {
        let corpus = carried.is_none().then(|| Corpus {
            meaning: kb.meaning.clone(),
            sources: kb.incidents.iter().map(|i| i.source_path.clone()).collect(),
            search: search_paths,
        });
        let latest = Latest { kb, metrics, theme };
        (
            parsed,
            rendered.fingerprints,
            rendered.dependencies,
            corpus,
            latest,
        )
    });
    Ok((summary, kept))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::load::load;

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
    fn full_build(sources: Sources) -> Result<Files, BuildError> {
        build_in_memory(sources, &options())
    }

    /// The paths where two sites differ.
    fn differing(a: &Files, b: &Files) -> Vec<String> {
        let mut paths: Vec<String> = a
            .keys()
            .chain(b.keys())
            .filter(|p| a.get(*p) != b.get(*p))
            .cloned()
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }

    fn complete(sources: Sources, cache: &mut RebuildCache) -> Result<Summary, BuildError> {
        rebuild(sources, None, &options(), cache, Depth::Complete)
    }

    #[test]
    fn a_rebuild_equals_a_full_build_and_redoes_only_what_changed() {
        let mut first = RebuildCache::default();
        let summary = complete(sources(&|_| {}), &mut first).unwrap();
        assert_eq!(
            summary.rendered, summary.pages,
            "a first build renders everything"
        );
        assert_eq!(summary.parsed, sources(&|_| {}).content.len());
        assert!(differing(first.files(), &full_build(sources(&|_| {})).unwrap()).is_empty());

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
            let mut cache = first.snapshot();
            let rebuilt = complete(sources(&edit), &mut cache).unwrap();
            let full = full_build(sources(&edit)).unwrap();
            let differing = differing(&full, cache.files());
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

    #[test]
    fn an_edited_incident_is_previewed_then_a_quick_rebuild_catches_up_but_search() {
        let mut cache = RebuildCache::default();
        complete(sources(&|_| {}), &mut cache).unwrap();
        let retitle = |c: &mut Vec<SourceFile>| {
            let file = edited(c);
            file.text = file.text.replacen("title: ", "title: Renamed ", 1);
        };
        let edited_file = sources(&retitle)
            .content
            .into_iter()
            .find(|f| f.path == EDITED)
            .unwrap();
        let pages = preview(&mut cache, std::slice::from_ref(&edited_file));
        assert_eq!(pages.len(), 1);
        let (path, html) = &pages[0];
        assert_eq!(path, "incidents/inc-2025-002/index.html");
        assert!(String::from_utf8_lossy(html).contains("Renamed Debug allocation"));

        // Carried over unchanged, the whole-corpus stages change no page.
        let mut unchanged = cache.snapshot();
        let same = rebuild(
            sources(&|_| {}),
            None,
            &options(),
            &mut unchanged,
            Depth::Quick,
        );
        assert_eq!(same.unwrap().rendered, 0);

        let quick = rebuild(
            sources(&retitle),
            None,
            &options(),
            &mut cache,
            Depth::Quick,
        )
        .unwrap();
        assert!(quick.search_behind);
        let full = full_build(sources(&retitle)).unwrap();
        let stale = differing(&full, cache.files());
        assert!(
            stale.iter().all(|p| p.starts_with("search/")),
            "only the search files lag behind: {stale:?}"
        );
        assert!(!stale.is_empty(), "the search index has the old title");
        assert_eq!(cache.files().get(path), full.get(path));
    }

    #[test]
    fn a_superseded_background_rebuild_stops_at_the_next_check_and_leaves_its_cache() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let mut cache = RebuildCache::default();
        let first = complete(sources(&|_| {}), &mut cache).unwrap();
        let retitle = |c: &mut Vec<SourceFile>| {
            let file = edited(c);
            file.text = file.text.replacen("title: ", "title: Renamed ", 1);
        };
        // Superseded before any check, after the stages' checks, and while
        // pages are rendered.
        for current_for in [0, 2, 30] {
            let asked = AtomicUsize::new(0);
            let superseded = || asked.fetch_add(1, Ordering::Relaxed) >= current_for;
            let mut background = cache.snapshot();
            let result = rebuild_in_background(
                sources(&retitle),
                None,
                &options(),
                &mut background,
                &superseded,
            );
            assert!(
                matches!(result, Err(BuildError::Superseded)),
                "superseded after {current_for} checks"
            );
            assert!(
                Arc::ptr_eq(background.files(), cache.files()),
                "the cache is left as it was"
            );
            // Each rendering thread asks once more at most before it stops.
            let asked = asked.into_inner();
            let threads = rayon::current_num_threads();
            assert!(
                asked <= current_for + threads + 1 && asked < first.pages,
                "stops early: asked {asked} times, superseded after {current_for}"
            );
        }
        let never = || false;
        let mut background = cache.snapshot();
        rebuild_in_background(sources(&retitle), None, &options(), &mut background, &never)
            .unwrap();
        let full = full_build(sources(&retitle)).unwrap();
        assert!(differing(&full, background.files()).is_empty());
    }

    /// One change to the knowledge base, as an author makes it in `serve`.
    #[derive(Debug, Clone)]
    enum Edit {
        Title(usize),
        Tags(usize),
        Severity(usize),
        Body(usize),
        /// Relates the first to the second.
        Relate(usize, usize),
        Rename(usize),
        Delete(usize),
        /// A new incident, made from the given one.
        Create(usize),
        Draft(usize),
        /// Breaks the front matter; the next [`Edit::Fix`] mends it.
        Break(usize),
        Fix,
    }

    fn edit_strategy() -> impl Strategy<Value = Edit> {
        let n = || 0..64usize;
        prop_oneof![
            n().prop_map(Edit::Title),
            n().prop_map(Edit::Tags),
            n().prop_map(Edit::Severity),
            n().prop_map(Edit::Body),
            (n(), n()).prop_map(|(a, b)| Edit::Relate(a, b)),
            n().prop_map(Edit::Rename),
            n().prop_map(Edit::Delete),
            n().prop_map(Edit::Create),
            n().prop_map(Edit::Draft),
            n().prop_map(Edit::Break),
            Just(Edit::Fix),
        ]
    }

    /// The front-matter line starting with `key: ` replaced with `line`.
    fn set_field(text: &str, key: &str, line: &str) -> String {
        let prefix = format!("{key}: ");
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        match lines.iter().position(|l| l.starts_with(&prefix)) {
            Some(at) => lines[at] = line.to_string(),
            None => lines.insert(1, line.to_string()),
        }
        lines.join("\n") + "\n"
    }

    fn id_of(file: &SourceFile) -> String {
        let line = file.text.lines().find(|l| l.starts_with("id: ")).unwrap();
        line["id: ".len()..].trim().to_string()
    }

    /// Applies `edit` to `content` (`step` makes new names unique); a
    /// broken file is remembered in `broken` until fixed.
    fn apply(
        content: &mut Vec<SourceFile>,
        edit: &Edit,
        step: usize,
        broken: &mut Option<(String, String)>,
    ) {
        let count = content.len();
        let at = |n: usize| n % count.max(1);
        match *edit {
            _ if count == 0 => {}
            Edit::Title(n) => {
                let file = &mut content[at(n)];
                file.text = file
                    .text
                    .replacen("title: ", &format!("title: Edit {step} "), 1);
            }
            Edit::Tags(n) => {
                let tags = ["memory", "dns", "deploy", "config"][step % 4];
                let file = &mut content[at(n)];
                file.text = set_field(&file.text, "tags", &format!("tags: [{tags}, edit-{step}]"));
            }
            Edit::Severity(n) => {
                let level = ["Critical", "Major", "Minor"][step % 3];
                let file = &mut content[at(n)];
                file.text = set_field(&file.text, "severity", &format!("severity: {level}"));
            }
            Edit::Body(n) => content[at(n)].text.push_str(&format!(
                "\nA paragraph of edit {step} about the connection pool.\n"
            )),
            Edit::Relate(a, b) => {
                let target = id_of(&content[at(b)]);
                let file = &mut content[at(a)];
                file.text = set_field(&file.text, "related", &format!("related: [{target}]"));
            }
            Edit::Rename(n) => content[at(n)].path = format!("content/renamed-{step}.md"),
            Edit::Delete(n) => {
                content.remove(at(n));
            }
            Edit::Create(n) => {
                let mut file = content[at(n)].clone();
                file.path = format!("content/new-{step}.md");
                file.text = set_field(&file.text, "id", &format!("id: NEW-{step}"));
                content.push(file);
                content.sort_by(|a, b| a.path.cmp(&b.path));
            }
            Edit::Draft(n) => {
                let file = &mut content[at(n)];
                file.text = set_field(&file.text, "draft", "draft: true");
            }
            Edit::Break(n) => {
                if broken.is_none() {
                    let file = &mut content[at(n)];
                    *broken = Some((file.path.clone(), file.text.clone()));
                    file.text = file.text.replacen("title: ", "title: [unclosed ", 1);
                }
            }
            Edit::Fix => {
                if let Some((path, text)) = broken.take()
                    && let Some(file) = content.iter_mut().find(|f| f.path == path)
                {
                    file.text = text;
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

        /// `serve`'s rebuilds after any sequence of edits, each a quick
        /// rebuild with complete ones in the background that finish, or are
        /// superseded, at any point, end with the files of a full build once
        /// the background work is done.
        #[test]
        fn any_sequence_of_edits_ends_as_a_full_build(
            steps in proptest::collection::vec((edit_strategy(), any::<bool>()), 1..7)
        ) {
            let all = sources(&|_| {}).content;
            // A small site: rebuilds of the whole bundled one take long in a debug build.
            let mut content: Vec<SourceFile> = all.into_iter().step_by(3).collect();
            let with = |content: &Vec<SourceFile>| {
                sources(&|c| *c = content.clone())
            };
            let mut cache = RebuildCache::default();
            complete(with(&content), &mut cache).unwrap();
            let mut broken = None;
            for (step, (edit, caught_up)) in steps.iter().enumerate() {
                apply(&mut content, edit, step, &mut broken);
                // What an incremental quick rebuild reuses (related
                // incidents by their keys, incident pages by their
                // dependencies) is what one that recomputes them and checks
                // every fingerprint makes.
                let mut checked = cache.snapshot();
                let all_checked = rebuild_with(with(&content), None, &options(), &mut checked, Depth::Quick, false, &current);
                // A failed rebuild leaves the cache as it was, as in `serve`.
                let quick = rebuild(with(&content), None, &options(), &mut cache, Depth::Quick);
                if quick.is_ok() {
                    prop_assert!(all_checked.is_ok());
                    let differing = differing(checked.files(), cache.files());
                    prop_assert!(differing.is_empty(), "quick, after {:?}: {:?}", &steps[..=step], differing);
                }
                if quick.is_ok() && *caught_up {
                    let mut background = cache.snapshot();
                    complete(with(&content), &mut background).unwrap();
                    cache = background;
                    let full = full_build(with(&content)).unwrap();
                    let differing = differing(&full, cache.files());
                    prop_assert!(differing.is_empty(), "after {:?}: {:?}", &steps[..=step], differing);
                }
            }
            let mut background = cache.snapshot();
            let last = complete(with(&content), &mut background);
            match full_build(with(&content)) {
                Ok(full) => {
                    prop_assert!(last.is_ok());
                    let differing = differing(&full, background.files());
                    prop_assert!(differing.is_empty(), "after {:?}: {:?}", steps, differing);
                }
                Err(_) => prop_assert!(last.is_err(), "both fail"),
            }
        }
    }
}
