//! The hindsight search runtime for the browser: [`hindsight_search::Engine`]
//! behind a small wasm-bindgen API, driven by `js/search-worker.js` (and, for
//! sites built with `--offline`, by `search.js` on the page itself).
//!
//! JS API (class `SearchRuntime`):
//!
//! * `new SearchRuntime(bootBytes)`: opens the index from `index.boot`;
//!   ranges of the pack a query needs but nobody supplied are read with the
//!   global `hindsightFetchRangeSync(start, end) -> Uint8Array` (synchronous
//!   XHR, so worker only; a fallback that normal queries do not hit).
//! * `SearchRuntime.withPack(bootBytes, packBytes)`: everything in memory.
//! * `packName()`, `numDocs()`.
//! * `step(requestJson) -> string`: JSON, either `{"need": [[start, end], ...]}`
//!   (fetch those byte ranges of the pack, all at once, `supply` each, and
//!   call `step` again) or `{"done": SearchResponse}`. `js/search-driver.js`
//!   runs that loop, for the worker and for `--offline` pages alike.
//! * `supply(offset, bytes)`.
//! * `stats() -> string`: JSON [`hindsight_search::pack::FetchStats`] plus
//!   `cached_bytes`.
//!
//! [`Runtime`] is the same thing as plain Rust, for native tests.
//! * `maxRounds()`: how many `need` answers a query may take at most.

use hindsight_search::pack::{Boot, NoSource, RangeSource};
use hindsight_search::{Engine, SearchRequest, SearchResponse, Step};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The runtime as plain Rust (what the wasm-bindgen class wraps).
pub struct Runtime {
    engine: Engine,
    pack_name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum StepJson {
    Need(Vec<(u64, u64)>),
    Done(SearchResponse),
}

impl Runtime {
    /// Opens from `index.boot`; misses go to `source`.
    pub fn open(boot: &[u8], source: Box<dyn RangeSource>) -> Result<Runtime, String> {
        let boot = Boot::decode(boot).map_err(|e| e.to_string())?;
        let pack_name = boot.header.pack.clone();
        let engine = Engine::open_boot(boot, source).map_err(|e| e.to_string())?;
        Ok(Runtime { engine, pack_name })
    }

    /// Opens with the whole pack in memory.
    pub fn with_pack(boot: &[u8], pack: Vec<u8>) -> Result<Runtime, String> {
        let rt = Runtime::open(boot, Box::new(NoSource))?;
        rt.engine.supply(0, &pack);
        Ok(rt)
    }

    pub fn pack_name(&self) -> &str {
        &self.pack_name
    }

    pub fn num_docs(&self) -> u64 {
        self.engine.num_docs()
    }

    /// One step of a query given as JSON ([`SearchRequest`]); returns JSON.
    pub fn step(&self, request_json: &str) -> Result<String, String> {
        let req: SearchRequest =
            serde_json::from_str(request_json).map_err(|e| format!("bad search request: {e}"))?;
        let out = match self.engine.search_step(&req).map_err(|e| e.to_string())? {
            Step::Need(ranges) => {
                StepJson::Need(ranges.into_iter().map(|r| (r.start, r.end)).collect())
            }
            Step::Done(resp) => StepJson::Done(resp),
        };
        serde_json::to_string(&out).map_err(|e| e.to_string())
    }

    pub fn supply(&self, offset: u64, bytes: &[u8]) {
        self.engine.supply(offset, bytes);
    }

    pub fn stats(&self) -> String {
        let s = self.engine.fetch_stats();
        let mut v = serde_json::to_value(s).unwrap_or_default();
        v["cached_bytes"] = self.engine.cached_bytes().into();
        v.to_string()
    }
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
extern "C" {
    /// Defined by search-worker.js: bytes `start..end` of the pack,
    /// fetched synchronously.
    #[wasm_bindgen(js_name = hindsightFetchRangeSync, catch)]
    fn fetch_range_sync(start: f64, end: f64) -> Result<Vec<u8>, JsValue>;
}

/// Synchronous XHR through the worker (fallback for unplanned reads).
#[cfg(target_arch = "wasm32")]
struct XhrSource;

#[cfg(target_arch = "wasm32")]
impl RangeSource for XhrSource {
    fn read_range(&self, r: std::ops::Range<u64>) -> std::io::Result<Vec<u8>> {
        fetch_range_sync(r.start as f64, r.end as f64)
            .map_err(|_| std::io::Error::other("fetching part of the search index failed"))
    }
}

fn js_err(e: String) -> JsValue {
    JsValue::from_str(&e)
}

/// The runtime, for JavaScript.
#[wasm_bindgen]
pub struct SearchRuntime(Runtime);

#[wasm_bindgen]
impl SearchRuntime {
    #[wasm_bindgen(constructor)]
    pub fn new(boot: &[u8]) -> Result<SearchRuntime, JsValue> {
        #[cfg(target_arch = "wasm32")]
        let source: Box<dyn RangeSource> = Box::new(XhrSource);
        #[cfg(not(target_arch = "wasm32"))]
        let source: Box<dyn RangeSource> = Box::new(NoSource);
        Runtime::open(boot, source)
            .map(SearchRuntime)
            .map_err(js_err)
    }

    #[wasm_bindgen(js_name = withPack)]
    pub fn with_pack(boot: &[u8], pack: Vec<u8>) -> Result<SearchRuntime, JsValue> {
        Runtime::with_pack(boot, pack)
            .map(SearchRuntime)
            .map_err(js_err)
    }

    #[wasm_bindgen(js_name = packName)]
    pub fn pack_name(&self) -> String {
        self.0.pack_name().to_string()
    }

    #[wasm_bindgen(js_name = numDocs)]
    pub fn num_docs(&self) -> f64 {
        self.0.num_docs() as f64
    }

    pub fn step(&self, request_json: &str) -> Result<String, JsValue> {
        self.0.step(request_json).map_err(js_err)
    }

    pub fn supply(&self, offset: f64, bytes: &[u8]) {
        self.0.supply(offset as u64, bytes);
    }

    pub fn stats(&self) -> String {
        self.0.stats()
    }

    #[wasm_bindgen(js_name = maxRounds)]
    pub fn max_rounds() -> u32 {
        hindsight_search::MAX_ROUNDS as u32
    }
}
