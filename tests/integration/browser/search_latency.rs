//! Search sizes and latency in headless Chromium, for a built site, when
//! asked: with `HINDSIGHT_SEARCH_BENCH=<built site folder>`, serves the folder
//! on loopback (gzip like a host) and prints
//!
//! - the runtime's and the index's sizes, raw and gzip;
//! - the bytes sent for a first query (a fresh tab focuses the box and types
//!   it: runtime, `index.boot` and the pack ranges, from the server's log);
//! - p50/p95 latency of ~50 queries derived from the site's incident titles,
//!   twice: the engine round trip (page → worker → runtime and the range
//!   requests it asks for → page, with a worker of our own) and keystroke to
//!   results shown in the header box (which waits 60 ms for typing to pause).
//!
//! Without the variable it does nothing. `scripts/bench-search-browser.sh`
//! builds the corpora and runs it.

use std::path::Path;
use std::time::Instant;

use super::chrome::{LIGHT, Tab, chrome};
use super::server::{Served, StaticServer};

/// How many queries are timed.
const QUERIES: usize = 50;

#[test]
fn search_latency_in_chromium_when_asked() {
    let Some(dir) = std::env::var_os("HINDSIGHT_SEARCH_BENCH") else {
        return;
    };
    let Some(chrome) = chrome("search latency") else {
        return;
    };
    let public = Path::new(&dir);
    let server = StaticServer::serve(public);
    let queries = bench_queries(public);
    let home = server.url("index.html");
    eprintln!("site {}: {} queries", public.display(), queries.len());
    print_sizes(public);

    // The first query in a fresh tab (no cache): what it fetches, how long
    // from focus to results (runtime download and compile included).
    let ui = chrome.tab();
    ui.look(LIGHT).open(&home);
    let before = server.requests().len();
    let cold = Instant::now();
    ui.press("/");
    let first_ms = shown_in_box(&ui, &queries[0]);
    let cold_ms = cold.elapsed().as_secs_f64() * 1e3;
    let first: Vec<Served> = server.requests()[before..].to_vec();
    print_first_query(&queries[0], &first, cold_ms, first_ms);

    // Keystroke to results shown, for the rest, in the same tab.
    let mut shown = vec![first_ms];
    shown.extend(queries[1..].iter().map(|q| shown_in_box(&ui, q)));

    // The engine round trip, in another fresh tab with a worker of our own.
    let engine = chrome.tab();
    engine.open(&home);
    engine.eval::<()>(START_WORKER);
    let round_trips: Vec<f64> = queries
        .iter()
        .map(|q| engine.eval(&format!("{TIME_QUERY}({})", serde_json::json!(q))))
        .collect();
    eprintln!(
        "latency over {} queries: engine round trip {}; keystroke to results shown {}",
        queries.len(),
        percentiles(&round_trips),
        percentiles(&shown)
    );
    let mut slowest: Vec<(f64, &String)> = round_trips.iter().copied().zip(&queries).collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let slowest: Vec<String> = slowest[..3.min(slowest.len())]
        .iter()
        .map(|(ms, q)| format!("`{q}` {ms:.0} ms"))
        .collect();
    eprintln!("latency slowest round trips: {}", slowest.join(", "));
}

/// The site's incident titles turned into queries of every kind: two words,
/// a phrase, one word misspelt, one word, an OR, each in turn.
pub(super) fn bench_queries(public: &Path) -> Vec<String> {
    let incidents: Vec<serde_json::Value> = serde_json::from_slice(
        &std::fs::read(public.join("incidents.json")).expect("incidents.json in the built site"),
    )
    .expect("incidents.json");
    let titles: Vec<Vec<String>> = incidents
        .iter()
        .map(|i| {
            i["title"]
                .as_str()
                .unwrap_or_default()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() >= 4)
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .filter(|words| words.len() >= 2)
        .collect();
    assert!(!titles.is_empty(), "no incident title has two words");
    let mut queries = Vec::new();
    for i in 0..QUERIES * 2 {
        let words = &titles[i * titles.len() / (QUERIES * 2) % titles.len()];
        let mut longest = words.clone();
        longest.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let query = match i % 5 {
            0 => format!("{} {}", longest[0], longest[1]),
            1 => format!("\"{} {}\"", words[0], words[1]),
            2 => misspelt(&longest[0]),
            3 => longest[0].clone(),
            _ => format!("{} OR {}", words[0], words[words.len() - 1]),
        };
        if !queries.contains(&query) {
            queries.push(query);
        }
    }
    queries.truncate(QUERIES);
    queries
}

/// Swaps the two middle letters (a typo the fuzzy fallback must absorb).
fn misspelt(word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let k = chars.len() / 2;
    chars.swap(k - 1, k);
    chars.into_iter().collect()
}

/// Types `query` into the header box (as one input event) and returns the
/// milliseconds until its results, or its no-result message, are shown.
pub(super) fn shown_in_box(tab: &Tab, query: &str) -> f64 {
    tab.eval(&format!(
        r#"((q) => new Promise((resolve, reject) => {{
  const input = document.getElementById("hs-box-q");
  const status = document.querySelector(".site-search-panel .hs-status");
  const want = "\u201c" + q + "\u201d";
  const t0 = performance.now();
  const timer = setTimeout(() => {{ seen.disconnect(); reject(new Error("no answer for " + q + ": " + status.textContent)); }}, 15000);
  const seen = new MutationObserver(() => {{
    if (!status.textContent.includes(want)) return;
    seen.disconnect();
    clearTimeout(timer);
    resolve(performance.now() - t0);
  }});
  seen.observe(status, {{ childList: true, characterData: true, subtree: true }});
  input.focus();
  input.value = q;
  input.dispatchEvent(new Event("input"));
}}))({})"#,
        serde_json::json!(query)
    ))
}

/// Starts the site's search worker and waits until it has the index.
pub(super) const START_WORKER: &str = r#"new Promise((resolve, reject) => {
  const worker = document.querySelector("[data-worker]").getAttribute("data-worker");
  window.benchWorker = new Worker(new URL("search/" + worker, location.href));
  window.benchWorker.onmessage = (e) => (e.data.type === "ready" ? resolve() : reject(new Error(e.data.message)));
})"#;

/// One query through the worker: milliseconds from the message out to the
/// result back.
const TIME_QUERY: &str = r#"((query) => new Promise((resolve, reject) => {
  const t0 = performance.now();
  window.benchWorker.onmessage = (e) =>
    e.data.type === "result" ? resolve(performance.now() - t0) : reject(new Error(e.data.message));
  window.benchWorker.postMessage({ type: "search", id: 1, request: { query, limit: 8, facets: false } });
}))"#;

fn print_sizes(public: &Path) {
    let search = public.join("search");
    let mut files: Vec<String> = std::fs::read_dir(&search)
        .expect("a search folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            name.starts_with("search-") || name == "index.boot" || name.ends_with(".pack")
        })
        .collect();
    files.sort();
    for name in files {
        let bytes = std::fs::read(search.join(&name)).unwrap();
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gzip, &bytes).unwrap();
        eprintln!(
            "size {name}: {} raw, {} gzip",
            kb(bytes.len()),
            kb(gzip.finish().unwrap().len())
        );
    }
}

/// The requests of the first query, grouped by what they fetched.
fn print_first_query(query: &str, requests: &[Served], cold_ms: f64, first_ms: f64) {
    let group = |r: &Served| {
        if r.url.contains("/search/search-") {
            "runtime"
        } else if r.url.contains("/search/index.boot") {
            "index.boot"
        } else if r.url.contains("/search/index-") {
            "pack ranges"
        } else {
            "other"
        }
    };
    // The browser's own requests (a favicon) are not the search's.
    let search: Vec<&Served> = requests.iter().filter(|r| group(r) != "other").collect();
    let mut line = format!(
        "first query `{query}`: {} in {} requests (",
        kb(search.iter().map(|r| r.bytes).sum()),
        search.len()
    );
    for name in ["runtime", "index.boot", "pack ranges", "other"] {
        let mine: Vec<&Served> = requests.iter().filter(|r| group(r) == name).collect();
        if !mine.is_empty() {
            let bytes: usize = mine.iter().map(|r| r.bytes).sum();
            line += &format!("{name} {} in {}", kb(bytes), mine.len());
            if name == "other" {
                let urls: Vec<&str> = mine.iter().map(|r| r.url.as_str()).collect();
                line += &format!(": {}", urls.join(" "));
            }
            line += "; ";
        }
    }
    eprintln!(
        "{}); focus to results {cold_ms:.0} ms, input to results {first_ms:.0} ms",
        line.trim_end_matches("; ")
    );
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// "p50 X ms, p95 Y ms" (nearest rank).
pub(super) fn percentiles(samples: &[f64]) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank =
        |p: f64| sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
    format!(
        "p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        rank(0.50),
        rank(0.95),
        sorted[sorted.len() - 1]
    )
}
