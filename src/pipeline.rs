//! The build pipeline: sources → incidents → knowledge base → files. `load`
//! happens before; everything here is pure except that finished files go to
//! a [`Sink`]: memory, or the writer's staging folder.
//! A rebuild ([`rebuild_site`]) takes the previous build's [`Memo`] and redoes
//! only the parsing and rendering a change affects.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use indicatif::ProgressBar;
use jiff::civil::Date;
use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::incident::{Incident, parse_incident};
use crate::link::{Kb, Scope, link};
use crate::load::SourceFile;
use crate::load::Sources;
use crate::profile;
use crate::render::fingerprint::Fingerprints;
use crate::render::theme::Theme;
use crate::render::{Extras, Previous, RenderError, Reuse, feeds, render_site};
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

/// A complete site, in memory.
pub struct Built {
    pub files: Files,
    pub summary: Summary,
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
    /// Raw and gzip sizes of the search files, when asked for (compressing
    /// takes seconds for a large index, so only `build` asks).
    pub search: Option<SearchSizes>,
    /// Warnings (errors abort the build).
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses every content file in parallel.
pub fn parse_all(sources: &Sources, progress: &ProgressBar) -> (Vec<Incident>, Diagnostics) {
    let (parsed, _) = parse_with(sources, progress, None, false);
    collect_parsed(sources, parsed)
}

/// What a rebuild reuses from the previous build: parsed content files and
/// the fingerprints of the rendered pages. A memo is only valid for the
/// configuration, theme and options it was built with; after a change to any
/// of them, start again from `Memo::default()`.
#[derive(Default)]
pub struct Memo {
    /// By source path.
    parsed: HashMap<String, Parsed>,
    fingerprints: Fingerprints,
}

/// One content file's parse result, and a hash of the text it came from.
#[derive(Clone)]
struct Parsed {
    text_hash: u64,
    incident: Option<Incident>,
    diagnostics: Vec<Diagnostic>,
}

fn text_hash(file: &SourceFile) -> u64 {
    let mut hasher = DefaultHasher::new();
    file.text.hash(&mut hasher);
    hasher.finish()
}

/// Parse results in source order; with a memo, files whose text is
/// unchanged are taken from it. `record` computes the text hashes a memo
/// keeps. Also returns how many files were parsed.
fn parse_with(
    sources: &Sources,
    progress: &ProgressBar,
    memo: Option<&Memo>,
    record: bool,
) -> (Vec<Parsed>, usize) {
    let results: Vec<(Parsed, bool)> = sources
        .content
        .par_iter()
        .map(|file| {
            // Hashing costs a pass over the text: only when a memo uses it.
            let text_hash = if record { text_hash(file) } else { 0 };
            let known = memo
                .and_then(|m| m.parsed.get(&file.path))
                .filter(|p| p.text_hash == text_hash);
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

/// Builds the whole site in memory.
pub fn build_site(
    sources: Sources,
    options: &BuildOptions,
    progress: &ProgressBar,
) -> Result<Built, BuildError> {
    in_memory(|sink| build(sources, options, progress, Mode::Full, sink))
        .map(|(files, (summary, _))| Built { files, summary })
}

/// Builds the whole site into `sink`, each page as soon as it is rendered,
/// and measures the search files. On an error, part of the site may have
/// been put into `sink` already.
pub fn build_into(
    sources: Sources,
    options: &BuildOptions,
    progress: &ProgressBar,
    sink: &dyn Sink,
) -> Result<Summary, BuildError> {
    build(sources, options, progress, Mode::Measured, sink).map(|(summary, _)| summary)
}

/// Builds the site again after a change: files whose text is unchanged are
/// not parsed again, and pages whose template context is unchanged keep
/// their HTML. `previous` is the files of the last good build and its memo
/// (none for the first build); the result comes with the memo for the next
/// rebuild.
pub fn rebuild_site(
    sources: Sources,
    options: &BuildOptions,
    progress: &ProgressBar,
    previous: Option<(&Files, &Memo)>,
) -> Result<(Built, Memo), BuildError> {
    let (files, (summary, memo)) =
        in_memory(|sink| build(sources, options, progress, Mode::Rebuild(previous), sink))?;
    Ok((Built { files, summary }, memo.unwrap_or_default()))
}

/// Runs `build` with an in-memory sink and returns the files with its result.
fn in_memory<T>(
    build: impl FnOnce(&dyn Sink) -> Result<T, BuildError>,
) -> Result<(Files, T), BuildError> {
    let files = Mutex::new(Files::new());
    let result = build(&files)?;
    Ok((
        files.into_inner().unwrap_or_else(|e| e.into_inner()),
        result,
    ))
}

enum Mode<'a> {
    /// One build: nothing to reuse, nothing to keep.
    Full,
    /// A full build that also reports the sizes of the search files.
    Measured,
    /// Reuse what the previous build left, if any, and keep a memo.
    Rebuild(Option<(&'a Files, &'a Memo)>),
}

fn build(
    sources: Sources,
    options: &BuildOptions,
    progress: &ProgressBar,
    mode: Mode<'_>,
    sink: &dyn Sink,
) -> Result<(Summary, Option<Memo>), BuildError> {
    let measure = matches!(mode, Mode::Measured);
    let (record, previous) = match mode {
        Mode::Full | Mode::Measured => (false, None),
        Mode::Rebuild(previous) => (true, previous),
    };
    let theme = profile::stage("theme", || Theme::load(&sources.theme_overrides))
        .map_err(BuildError::Theme)?;
    progress.set_length(sources.content.len() as u64);
    progress.set_message("parsing");
    let (parsed, parsed_count) = profile::stage("parse", || {
        parse_with(&sources, progress, previous.map(|(_, memo)| memo), record)
    });
    // A rebuild keeps the parse results for the next one.
    let memo_parsed: Option<HashMap<String, Parsed>> = record.then(|| {
        sources
            .content
            .iter()
            .zip(&parsed)
            .map(|(file, parsed)| (file.path.clone(), parsed.clone()))
            .collect()
    });
    let (incidents, diagnostics) = collect_parsed(&sources, parsed);
    let (kb, diagnostics) = profile::stage("link", || {
        link_parsed(sources, incidents, diagnostics, options)
    });
    if diagnostics.has_errors() {
        return Err(BuildError::Content(diagnostics.into_sorted()));
    }

    let metrics = profile::stage("metrics", || crate::metrics::compute(&kb));
    progress.set_message("rendering and indexing");
    let extras = Extras {
        has_search: true,
        metrics: Some(metrics),
        ..Extras::default()
    };
    // Only a rebuild fingerprints pages: it keeps them for the next one.
    let reuse = if record {
        Reuse::Fingerprinted(previous.map(|(files, memo)| Previous {
            fingerprints: &memo.fingerprints,
            files,
        }))
    } else {
        Reuse::Nothing
    };
    // Indexing is one thread; rendering takes the others. The search files'
    // sizes are measured on the indexing side, while rendering goes on.
    let (rendered, search) = rayon::join(
        || {
            profile::stage("render (∥ search index)", || {
                render_site(&kb, &theme, &extras, reuse, sink)
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
    let memo = memo_parsed.map(|parsed| Memo {
        parsed,
        fingerprints: rendered.fingerprints,
    });
    let summary = Summary {
        incidents: kb.incidents.len(),
        pages: pages.len(),
        rendered: rendered.rendered,
        parsed: parsed_count,
        search: sizes,
        diagnostics: diagnostics.into_sorted(),
    };
    Ok((summary, memo))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

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
        BuildOptions {
            drafts: false,
            include_internal: false,
            strict: false,
            offline: false,
            base_url: None,
            now: jiff::civil::date(2026, 1, 15),
        }
    }

    fn edited(content: &mut [SourceFile]) -> &mut SourceFile {
        content
            .iter_mut()
            .find(|f| f.path == EDITED)
            .expect("the edited file")
    }

    #[test]
    fn a_rebuild_equals_a_full_build_and_redoes_only_what_changed() {
        let hidden = ProgressBar::hidden();
        let (first, memo) = rebuild_site(sources(&|_| {}), &options(), &hidden, None).unwrap();
        assert_eq!(
            first.summary.rendered, first.summary.pages,
            "a first build renders everything"
        );
        assert_eq!(first.summary.parsed, sources(&|_| {}).content.len());

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
            let (rebuilt, _) = rebuild_site(
                sources(&edit),
                &options(),
                &hidden,
                Some((&first.files, &memo)),
            )
            .unwrap();
            let full = build_site(sources(&edit), &options(), &hidden).unwrap();
            let differing: Vec<&String> = full
                .files
                .keys()
                .chain(rebuilt.files.keys())
                .filter(|p| full.files.get(*p) != rebuilt.files.get(*p))
                .collect();
            assert!(
                differing.is_empty(),
                "{name}: {differing:?} differ from a full build"
            );
            assert_eq!(rebuilt.summary.parsed, parsed, "{name}: files parsed");
            assert!(
                rebuilt.summary.rendered < rebuilt.summary.pages / 2,
                "{name}: {} of {} pages rendered",
                rebuilt.summary.rendered,
                rebuilt.summary.pages
            );
            if name == "nothing" {
                assert_eq!(rebuilt.summary.rendered, 0);
            } else {
                assert!(
                    rebuilt.summary.rendered > 0,
                    "{name}: its page renders again"
                );
            }
        }
    }
}
