//! What `serve` keeps from one build to the next, so that a rebuild redoes
//! only what an edit affects (docs/architecture.md#rebuilds): each content
//! file's parse result with a hash of its text, the template-context
//! fingerprint of every page, and the files of the last good build, whose
//! pages are reused when their fingerprint is unchanged.
//!
//! A cache holds one build's state as a whole: the pipeline replaces it
//! only after a build succeeds. It is valid for the configuration, theme
//! and options it was built with; after a change to any of them,
//! [`RebuildCache::clear`] it.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::incident::Incident;
use crate::load::SourceFile;
use crate::write::Files;

/// One content file's parse result.
#[derive(Clone)]
pub struct Parsed {
    /// Hash of the text it came from.
    pub text_hash: u64,
    pub incident: Option<Incident>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Template-context fingerprints of rendered pages, by page path.
pub type Fingerprints = HashMap<String, u64>;

#[derive(Default, Clone)]
pub struct RebuildCache {
    /// By source path.
    parsed: HashMap<String, Parsed>,
    fingerprints: Fingerprints,
    files: Arc<Files>,
}

/// The hash a parse result is kept under.
pub fn text_hash(file: &SourceFile) -> u64 {
    let mut hasher = DefaultHasher::new();
    file.text.hash(&mut hasher);
    hasher.finish()
}

impl RebuildCache {
    /// The parse result of a file whose text hashes to `text_hash`, if its
    /// text is unchanged since the last build.
    pub fn parsed(&self, path: &str, text_hash: u64) -> Option<&Parsed> {
        self.parsed.get(path).filter(|p| p.text_hash == text_hash)
    }

    /// The last build's bytes of the page at `path`, if its context had the
    /// same fingerprint then.
    pub fn page(&self, path: &str, fingerprint: u64) -> Option<&Vec<u8>> {
        if self.fingerprints.get(path) != Some(&fingerprint) {
            return None;
        }
        self.files.get(path)
    }

    /// The files of the last good build (empty before the first).
    pub fn files(&self) -> &Arc<Files> {
        &self.files
    }

    /// Forgets everything: the next build parses and renders from scratch.
    pub fn clear(&mut self) {
        *self = RebuildCache::default();
    }

    /// Keeps a successful build's state for the next one.
    pub(crate) fn replace(
        &mut self,
        parsed: HashMap<String, Parsed>,
        fingerprints: Fingerprints,
        files: Files,
    ) {
        *self = RebuildCache {
            parsed,
            fingerprints,
            files: Arc::new(files),
        };
    }
}
