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
    /// Raw and gzip sizes of the runtime and the index. The index's gzip
    /// size is estimated from a sample of it ([`gzip_estimate`]):
    /// compressing all of it took seconds at 10,000 incidents, only to print
    /// a number.
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
        SearchSizes {
            runtime: raw(&runtime),
            runtime_gzip: runtime.iter().map(|b| gzip_len(b)).sum(),
            index: raw(&index),
            index_gzip: index.iter().map(|b| gzip_estimate(b)).sum(),
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
    /// Estimated for large files ([`gzip_estimate`]).
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
    let index: IndexFiles = profile::stage("  tantivy index", || build_index(docs, &options))?;
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

/// Files up to this size are compressed whole by [`gzip_estimate`].
const SAMPLE_CHUNK: usize = 64 * 1024;
/// [`gzip_estimate`] compresses one chunk in this many.
const SAMPLE_EVERY: usize = 16;

/// The gzip size of `bytes`: exact up to [`SAMPLE_EVERY`] chunks, above
/// that the ratio of every [`SAMPLE_EVERY`]th chunk of [`SAMPLE_CHUNK`]
/// bytes, applied to the whole (within a few percent on search indexes,
/// whose parts compress alike throughout).
fn gzip_estimate(bytes: &[u8]) -> u64 {
    if bytes.len() <= SAMPLE_CHUNK * SAMPLE_EVERY {
        return gzip_len(bytes);
    }
    let (mut raw, mut compressed) = (0u64, 0u64);
    for chunk in bytes.chunks(SAMPLE_CHUNK).step_by(SAMPLE_EVERY) {
        raw += chunk.len() as u64;
        compressed += gzip_len(chunk);
    }
    (bytes.len() as u128 * u128::from(compressed) / u128::from(raw)) as u64
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_gzip_sizes_are_estimated_closely() {
        // Text that compresses about as an index does, with some variety.
        let mut bytes = Vec::new();
        let mut state = 1u64;
        while bytes.len() < 40 * SAMPLE_CHUNK {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let word =
                ["pool", "retry", "timeout", "lock", "deploy", "cache"][(state >> 60) as usize % 6];
            bytes.extend_from_slice(format!("{word}{} ", state >> 54).as_bytes());
        }
        let exact = gzip_len(&bytes) as f64;
        let estimate = gzip_estimate(&bytes) as f64;
        assert!(
            (estimate / exact - 1.0).abs() < 0.05,
            "{estimate} vs {exact}"
        );
        let small = &bytes[..1000];
        assert_eq!(gzip_estimate(small), gzip_len(small));
    }
}
