//! hindsight's search engine: one schema, one analyzer and one query engine,
//! compiled into the `hindsight` binary (indexing at build time and
//! `hindsight search`) and into the WebAssembly runtime (`hindsight-search-web`)
//! that answers queries in the browser, so both give the same results.
//!
//! # Indexing (native only)
//!
//! ```no_run
//! use hindsight_search::{DocKind, IndexOptions, SearchDoc, build_index};
//! # fn docs() -> Vec<SearchDoc> { vec![] }
//! let files = build_index(docs(), &IndexOptions::default()).unwrap();
//! for (path, bytes) in &files.files {
//!     // write `bytes` to public/search/<path>
//! #   let _ = (path, bytes);
//! }
//! ```
//!
//! One [`SearchDoc`] per published incident, plus one per lesson
//! ([`DocKind::Lesson`], id `<incident-id>#<anchor>`, url with the anchor).
//! Only what the caller passes is indexed: leave drafts and internal
//! incidents out unless the build includes them. The output is
//! deterministic: the same docs in the same order give byte-identical files.
//!
//! # Files under `public/search/`
//!
//! | file | what |
//! |---|---|
//! | `index.boot` | file table, tantivy meta, facet labels, and the bytes that opening a searcher reads (see [`pack`]) |
//! | `index-<hash>.pack` | all tantivy segment files, read by HTTP range requests |
//! | [`runtime_files`] | the WASM runtime, its JS glue and the Web Worker script, all named by content ([`worker_file`]: what pages start) |
//! | `offline/*.js` | only with `--offline`: see [`offline_bundle`] |
//!
//! # Querying
//!
//! [`Engine::open_dir`] opens a built site natively; [`Engine::search`]
//! answers a [`SearchRequest`]. The browser runtime drives the same engine
//! with [`Engine::search_step`], which returns either the byte ranges the
//! next stage of the query needs ([`Step::Need`], fetched in parallel by the
//! worker and handed back with [`Engine::supply`]) or the response. Native
//! [`Engine::search`] runs exactly that loop, reading the ranges from disk.
//!
//! The query language is described in [`query`]; how results are ranked,
//! in [`Engine::search_step`] (and, for users, in the project's docs).
//!
//! Words the index does not know are expanded into the dictionary terms
//! within edit distance 1 (words of up to 5 letters) or 2 (longer), and, for
//! the last word while it is being typed, into its completions; the expanded
//! query is scored normally (so snippets highlight the matched terms), and
//! [`SearchResponse::suggestion`] spells the query as understood, with words
//! as they appear in the matching documents.

pub mod pack;
pub mod query;
pub mod schema;
pub mod snippet;

pub mod bundle;
mod engine;
mod facets;
mod fuzzy;
#[cfg(not(target_arch = "wasm32"))]
mod hash;
#[cfg(not(target_arch = "wasm32"))]
mod indexer;
mod offset;
mod rank;
#[cfg(not(target_arch = "wasm32"))]
mod runtime;
mod sort;
pub mod words;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use engine::{Engine, MAX_ROUNDS, Step};
#[cfg(not(target_arch = "wasm32"))]
pub use indexer::build_index;
#[cfg(not(target_arch = "wasm32"))]
pub use runtime::{offline_bundle, runtime_files, worker_file};

/// What an index is built with besides its documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexOptions {
    /// Groups of equivalent words or phrases (`search.synonyms` in
    /// `hindsight.yaml`, after the defaults of [`words::DEFAULT_SYNONYMS`]).
    /// They travel in `index.boot`, so every reader applies the same ones.
    pub synonyms: Vec<Vec<String>>,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            synonyms: words::default_synonyms(),
        }
    }
}

/// What a search document stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    Incident,
    Lesson,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Incident => "incident",
            DocKind::Lesson => "lesson",
        }
    }
}

/// One document to index: a published incident, or one of its lessons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub kind: DocKind,
    /// Incident id; for a lesson, `"<incident-id>#<anchor>"`.
    pub id: String,
    /// Incident title; for a lesson, the lesson text (shortened).
    pub title: String,
    /// Site-relative URL, e.g. `incidents/inc-2024-003/index.html` (with
    /// `#lesson-2` for a lesson).
    pub url: String,
    /// For a lesson: the incident's title (shown with the hit).
    pub parent_title: Option<String>,
    /// Canonical severity level name, e.g. `SEV1`.
    pub severity: Option<String>,
    /// Its place in the site's severity scale, 1 = most severe (what the
    /// pages colour badges by).
    pub severity_rank: Option<u32>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Fiscal year of the incident's quarter.
    pub year: Option<i64>,
    /// `2024-Q1`.
    pub quarter: Option<String>,
    pub summary: String,
    /// Plain text of the body: indexed, not stored.
    pub body: String,
    /// For a lesson: just its own text.
    pub lessons: Vec<String>,
    pub root_cause: String,
    /// Service slugs.
    pub services: Vec<String>,
    /// Tag slugs.
    pub tags: Vec<String>,
}

/// The built index: `(path relative to public/search/, bytes)`, sorted by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexFiles {
    pub files: Vec<(String, Vec<u8>)>,
}

impl IndexFiles {
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, b)| b.as_slice())
    }
}

fn default_limit() -> usize {
    10
}

/// A query. Deserializes from JSON (what the browser sends) with every
/// field but `query` optional.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub query: String,
    #[serde(default = "default_limit")]
    pub limit: usize,
    #[serde(default)]
    pub offset: usize,
    /// Filters chosen in the UI, by filter name (`severity`, `service`,
    /// `tag`, `year`, `quarter`, `kind`): a document must match one of the
    /// values of every name given. Same effect as `name:value` in the query.
    #[serde(default)]
    pub filters: BTreeMap<String, Vec<String>>,
    /// Whether to count facets (the search page wants them; the header
    /// box's dropdown does not, and skipping them saves reading the facet
    /// columns).
    #[serde(default = "yes")]
    pub facets: bool,
}

fn yes() -> bool {
    true
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            limit: default_limit(),
            offset: 0,
            filters: BTreeMap::new(),
            facets: true,
        }
    }
    pub fn limit(mut self, limit: usize) -> SearchRequest {
        self.limit = limit;
        self
    }
    pub fn filter(mut self, name: &str, value: &str) -> SearchRequest {
        self.filters
            .entry(name.to_string())
            .or_default()
            .push(value.to_string());
        self
    }
}

/// One result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: String,
    pub kind: DocKind,
    pub title: String,
    /// Site-relative; prefix it with the page's path to the site root.
    pub url: String,
    pub score: f32,
    /// HTML: escaped text with the matched words in `<mark>`.
    pub snippet_html: String,
    pub severity: Option<String>,
    /// 1 = most severe (see [`SearchDoc::severity_rank`]).
    pub severity_rank: Option<u32>,
    pub date: Option<String>,
    /// For a lesson: its incident's title.
    pub parent_title: Option<String>,
}

/// How many matching documents have a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// What to filter on (`SearchRequest::filters` or `name:value`).
    pub value: String,
    /// What to show.
    pub label: String,
    pub count: usize,
}

/// Facet counts over the results (incidents and lessons). A filter chosen
/// in the request does not narrow its own facet's counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// By label.
    pub severity: Vec<FacetCount>,
    /// By count, then label.
    pub service: Vec<FacetCount>,
    /// By count, then label.
    pub tag: Vec<FacetCount>,
    /// Newest first.
    pub year: Vec<FacetCount>,
    /// Incidents, then lessons.
    pub kind: Vec<FacetCount>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    pub hits: Vec<Hit>,
    /// Results in all (`complete` of them first, then partial matches).
    pub total: usize,
    /// Results that match every word of the query.
    pub complete: usize,
    pub facets: Facets,
    /// Misspelt or unfinished words were expanded to similar terms.
    pub fuzzy: bool,
    /// Fewer than a page of results match every word, so results that
    /// match only some of them follow (see [`Engine::search_step`]).
    pub relaxed: bool,
    /// With `fuzzy`: the query as understood, with the words as they appear
    /// in the results, e.g. `"connection pool"`.
    pub suggestion: Option<String>,
}

impl Facets {
    /// Replaces the counts of `field` with those of `other`.
    pub(crate) fn take(&mut self, field: schema::FilterField, other: Facets) {
        use schema::FilterField as F;
        match field {
            F::Severity => self.severity = other.severity,
            F::Service => self.service = other.service,
            F::Tag => self.tag = other.tag,
            F::Year => self.year = other.year,
            F::Kind => self.kind = other.kind,
            F::Quarter => {}
        }
    }
}

/// Why a search or an index build failed.
#[derive(Debug)]
pub enum SearchError {
    /// No index at the given place (not built yet?).
    NotFound(String),
    Io(std::io::Error),
    /// tantivy failed (corrupt or incompatible index).
    Index(String),
    /// Bad input (a request that does not parse).
    Invalid(String),
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchError::NotFound(what) => write!(f, "no search index: {what}"),
            SearchError::Io(e) => write!(f, "search index: {e}"),
            SearchError::Index(e) => write!(f, "search index: {e}"),
            SearchError::Invalid(e) => write!(f, "search request: {e}"),
        }
    }
}

impl std::error::Error for SearchError {}

impl From<std::io::Error> for SearchError {
    fn from(e: std::io::Error) -> Self {
        SearchError::Io(e)
    }
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(e.to_string())
    }
}

impl From<tantivy::directory::error::OpenReadError> for SearchError {
    fn from(e: tantivy::directory::error::OpenReadError) -> Self {
        SearchError::Index(e.to_string())
    }
}
