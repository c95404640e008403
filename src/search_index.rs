//! The index stage: knowledge base in, the files of `search/` out (docs/search.md).
//!
//! Every published incident is one document, and each of its lessons is one
//! more, so a hit on a lesson links straight to its anchor. The schema, the
//! analyzer and the index format belong to `hindsight_search`, shared with
//! the browser runtime.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use hindsight_search::{DocKind, IndexFiles, IndexOptions, SearchDoc, SearchError, build_index};

use crate::incident::{Incident, SectionKind};
use crate::link::{Kb, incident_day};
use crate::profile;
use crate::render::views::{incident_path, shorten};

/// Folder of the search files in the output.
pub const SEARCH_DIR: &str = "search";
/// A lesson's title in results is its text, cut to this many characters.
const LESSON_TITLE_CHARS: usize = 140;

/// The search files, by path relative to the output folder.
pub struct SearchFiles {
    pub files: Vec<(String, Vec<u8>)>,
    pub parts: SearchParts,
}

/// Which output files are the browser runtime and which the index, so that
/// their sizes can be reported.
#[derive(Debug, Clone, Default)]
pub struct SearchParts {
    pub runtime: Vec<String>,
    pub index: Vec<String>,
}

impl SearchFiles {
    /// Raw and gzip sizes of the runtime and the index. Compressing takes a
    /// while (seconds for a large index), so only `build` asks.
    pub fn sizes(&self) -> SearchSizes {
        let part = |paths: &[String]| -> Vec<&[u8]> {
            self.files
                .iter()
                .filter(|(path, _)| paths.contains(path))
                .map(|(_, bytes)| bytes.as_slice())
                .collect()
        };
        let (runtime, index) = (part(&self.parts.runtime), part(&self.parts.index));
        let raw = |bytes: &[&[u8]]| bytes.iter().map(|b| b.len() as u64).sum();
        let gzip = |bytes: &[&[u8]]| bytes.iter().map(|b| gzip_len(b)).sum();
        SearchSizes {
            runtime: raw(&runtime),
            runtime_gzip: gzip(&runtime),
            index: raw(&index),
            index_gzip: gzip(&index),
        }
    }
}

/// Raw and gzip sizes in bytes: the build reports them (issue: sizes are
/// part of the product).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchSizes {
    pub runtime: u64,
    pub runtime_gzip: u64,
    pub index: u64,
    pub index_gzip: u64,
}

/// One document per published incident, then one per lesson, in the
/// knowledge base's order (so the index is deterministic).
pub fn search_docs(kb: &Kb) -> Vec<SearchDoc> {
    let mut docs = Vec::new();
    for (n, incident) in kb.incidents.iter().enumerate() {
        let incident_doc = incident_doc(kb, n, incident);
        // What a lesson shares with its incident. Without the incident's own
        // texts: each lesson copying every lesson would be quadratic.
        let shared = SearchDoc {
            kind: DocKind::Lesson,
            id: String::new(),
            title: String::new(),
            parent_title: Some(incident.title.clone()),
            summary: String::new(),
            body: String::new(),
            lessons: Vec::new(),
            root_cause: String::new(),
            ..incident_doc.clone()
        };
        docs.push(incident_doc);
        docs.extend(incident.lessons.iter().map(|lesson| SearchDoc {
            id: format!("{}#{}", incident.id, lesson.anchor),
            title: shorten(&lesson.text, LESSON_TITLE_CHARS),
            url: format!("{}#{}", shared.url, lesson.anchor),
            summary: lesson.text.clone(),
            lessons: vec![lesson.text.clone()],
            ..shared.clone()
        }));
    }
    docs
}

fn incident_doc(kb: &Kb, n: usize, incident: &Incident) -> SearchDoc {
    let section_text = |kind| {
        incident
            .section(kind)
            .map(|s| s.text.clone())
            .unwrap_or_default()
    };
    let quarter = kb.quarters[n];
    SearchDoc {
        kind: DocKind::Incident,
        id: incident.id.clone(),
        title: incident.title.clone(),
        url: incident_path(&incident.slug),
        parent_title: None,
        severity: incident.severity.as_ref().map(|s| s.name.clone()),
        severity_rank: incident
            .severity
            .as_ref()
            .and_then(|s| u32::try_from(s.rank).ok()),
        date: incident_day(incident, &kb.config).map(|d| d.to_string()),
        year: quarter.map(|q| i64::from(q.year)),
        quarter: quarter.map(|q| q.label()),
        summary: incident
            .summary
            .clone()
            .unwrap_or_else(|| section_text(SectionKind::Summary)),
        body: incident.body_text.clone(),
        lessons: incident.lessons.iter().map(|l| l.text.clone()).collect(),
        root_cause: section_text(SectionKind::RootCause),
        services: incident.services.iter().map(|l| l.slug.clone()).collect(),
        tags: incident.tags.iter().map(|l| l.slug.clone()).collect(),
    }
}

/// Builds the index and adds the browser runtime (and, for sites opened
/// from disk, the offline bundle). Paths are relative to the output folder.
pub fn search_files(kb: &Kb, offline: bool) -> Result<SearchFiles, SearchError> {
    let docs = profile::stage("  search documents", || search_docs(kb));
    let options = IndexOptions {
        synonyms: kb.config.search_synonyms.clone(),
    };
    let index: IndexFiles = profile::stage("  tantivy index", || build_index(&docs, &options))?;
    drop(docs);
    let runtime = hindsight_search::runtime_files();
    let output_path = |path: &str| format!("{SEARCH_DIR}/{path}");
    let parts = SearchParts {
        runtime: runtime.iter().map(|(path, _)| output_path(path)).collect(),
        index: index
            .files
            .iter()
            .map(|(path, _)| output_path(path))
            .collect(),
    };
    let mut files: Vec<(String, Vec<u8>)> = runtime;
    if offline {
        files.extend(hindsight_search::offline_bundle(&index));
    }
    files.extend(index.files);
    let files = files
        .into_iter()
        .map(|(path, bytes)| (output_path(&path), bytes))
        .collect();
    Ok(SearchFiles { files, parts })
}

/// What a file weighs over the wire with gzip (the common default of static
/// hosts).
fn gzip_len(bytes: &[u8]) -> u64 {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    // Writing to memory cannot fail.
    let compressed = encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .unwrap_or_default();
    compressed.len() as u64
}
