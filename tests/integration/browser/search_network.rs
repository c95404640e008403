//! Search over a real network, where every response costs a round trip.
//!
//! - `search_takes_few_rounds`: the static host answers in rounds (it holds
//!   requests until the page stops asking, then answers them together;
//!   see [`Pace::Rounds`]) and counts them: a query must take the rounds the
//!   engine says it took (its ranges of a round all in flight at once), and
//!   at most [`MOST_ROUNDS`] for words, misspellings included.
//! - `search_network_when_asked`: with `HINDSIGHT_NETWORK_BENCH=<built site
//!   with a Pagefind index in pagefind/>`, serves it with each response late
//!   by each of `HINDSIGHT_NETWORK_DELAYS` milliseconds (default `0,20,50,80`)
//!   and prints, for hindsight and for Pagefind, the cold and warm query
//!   times and what a first query fetched. `bench/search-network.sh` builds
//!   the sites and runs it. Without the variable it does nothing.

use std::path::Path;
use std::time::Duration;

use super::chrome::{Chrome, LIGHT, Tab, chrome};
use super::search_latency::{START_WORKER, bench_queries, percentiles, shown_in_box};
use super::server::{Pace, Served as Request, StaticServer};
use crate::support::Site;

/// Most rounds of range requests a cold query of words may take after
/// `index.boot`: dictionary blocks with the postings they point to, then
/// the stored documents of the hits; a misspelt word adds the dictionary of
/// its neighbours and their postings.
const MOST_ROUNDS: u64 = 4;

/// Runs `query` in the page's worker; resolves to the rounds of range
/// requests the engine counted (a new worker has counted nothing before).
const QUERY_ROUNDS: &str = r#"((query) => new Promise((resolve, reject) => {
  window.benchWorker.onmessage = (e) =>
    e.data.type === "result" ? resolve(e.data.stats.rounds) : reject(new Error(e.data.message));
  window.benchWorker.postMessage({ type: "search", id: 1, request: { query, limit: 8, facets: false } });
}))"#;

#[test]
fn search_takes_few_rounds() {
    let Some(chrome) = chrome("search rounds") else {
        return;
    };
    let site = Site::bundled();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    let server = StaticServer::serve_paced(&site.root().join("public"), Pace::Rounds);
    let tab = chrome.tab();
    tab.open(&server.url("index.html"));
    for (query, most) in [
        ("database", 2),
        ("connection pool", 2),
        ("replication lag failover", 2),
        ("certificate expiry tag:tls", 2),
        ("databse", MOST_ROUNDS),
        ("\"connection pool\"", 3),
    ] {
        // A new worker: nothing of the pack fetched yet. Its start
        // (runtime, index.boot, a probe) is not the query's.
        tab.eval::<()>(START_WORKER);
        let start = server.rounds();
        let engine: u64 = tab.eval(&format!("{QUERY_ROUNDS}({})", serde_json::json!(query)));
        let counted = server.rounds() - start;
        assert_eq!(
            counted, engine,
            "`{query}`: the host answered {counted} rounds for the engine's {engine}: requests of a round did not go at once"
        );
        assert!(
            engine <= most,
            "`{query}` took {engine} rounds of range requests, at most {most} expected"
        );
    }

    // While a query is typed, its whole words are fetched ahead: the query
    // after the last keystroke asks only for what its last word needs.
    let query = "replication lag failover";
    let ranges_of = |prefetch: Option<&str>| {
        tab.eval::<()>(START_WORKER);
        if let Some(typed) = prefetch {
            tab.eval::<()>(&format!(
                "window.benchWorker.postMessage({{ type: \"prefetch\", request: {{ query: {}, limit: 8, facets: false }} }})",
                serde_json::json!(typed)
            ));
            // The prefetch's round is answered after QUIET.
            tab.eval::<()>("new Promise((r) => setTimeout(r, 400))");
        }
        let before = server.requests().len();
        tab.eval::<u64>(&format!("{QUERY_ROUNDS}({})", serde_json::json!(query)));
        server.requests()[before..]
            .iter()
            .filter(|r| r.status == 206)
            .count()
    };
    let cold = ranges_of(None);
    let typed = ranges_of(Some("replication lag fa"));
    assert!(
        typed < cold,
        "`{query}` after `replication lag ` was prefetched: {typed} ranges, {cold} without"
    );
}

#[test]
fn a_second_visit_fetches_only_index_boot() {
    let Some(chrome) = chrome("second visit") else {
        return;
    };
    let site = Site::bundled();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    let server = StaticServer::serve(&site.root().join("public"));
    let tab = chrome.tab();
    let startup = |tab: &Tab| {
        let before = server.requests().len();
        tab.open(&server.url("index.html"));
        tab.press("/");
        shown_in_box(tab, "database");
        let mut files: Vec<String> = server.requests()[before..]
            .iter()
            .filter(|r| r.url.starts_with("/search/") && r.status != 206)
            .map(|r| r.url.clone())
            .collect();
        files.sort();
        files
    };
    let first = startup(&tab);
    assert!(
        first
            .iter()
            .any(|f| f.contains("/search-runtime.") && f.ends_with(".wasm")),
        "{first:?}"
    );
    // Back on the site (same browser): the runtime and the worker, named by
    // their content, come from the cache; only index.boot, whose name
    // stays, is asked for again (a host answers 304 when it is unchanged).
    assert_eq!(startup(&tab), ["/search/index.boot"]);
}

#[test]
fn search_network_when_asked() {
    let Some(dir) = std::env::var_os("HINDSIGHT_NETWORK_BENCH") else {
        return;
    };
    let Some(chrome) = chrome("search over a network") else {
        return;
    };
    let public = Path::new(&dir);
    let delays: Vec<u64> = std::env::var("HINDSIGHT_NETWORK_DELAYS")
        .unwrap_or_else(|_| "0,20,50,80".into())
        .split(',')
        .map(|d| d.trim().parse().expect("delays in milliseconds"))
        .collect();
    let runs: usize = std::env::var("HINDSIGHT_NETWORK_QUERIES")
        .ok()
        .map_or(30, |n| n.parse().expect("a number of queries"));
    let queries: Vec<String> = bench_queries(public).into_iter().take(runs + 1).collect();
    let pagefind = public.join("pagefind").is_dir();
    eprintln!(
        "site {}: {} queries after one warm-up{}",
        public.display(),
        queries.len() - 1,
        if pagefind {
            ""
        } else {
            " (no pagefind/: hindsight only)"
        }
    );
    for delay in delays {
        let server = StaticServer::serve_paced(public, Pace::Late(Duration::from_millis(delay)));
        let home = server.url("index.html");
        let h = measure(&chrome, &home, &queries, HINDSIGHT);
        eprintln!(
            "network {delay} ms hindsight: cold {}; warm {}",
            percentiles(&h.cold),
            percentiles(&h.warm)
        );
        first_query(
            &chrome,
            &server,
            &home,
            &queries[1],
            "hindsight",
            |tab, q| {
                tab.press("/");
                shown_in_box(tab, q)
            },
        );
        if pagefind {
            let p = measure(&chrome, &home, &queries, PAGEFIND);
            eprintln!(
                "network {delay} ms pagefind: cold {}; warm {}",
                percentiles(&p.cold),
                percentiles(&p.warm)
            );
            first_query(
                &chrome,
                &server,
                &home,
                &queries[1],
                "pagefind",
                |tab, q| tab.eval(&format!("{}({})", PAGEFIND.query, serde_json::json!(q))),
            );
        }
    }
}

/// How one tool starts and answers a query in a page, as JavaScript.
struct Tool {
    /// Resolves when the tool can answer (runtime and index opened).
    start: &'static str,
    /// Applied to a query: resolves to the milliseconds until the first
    /// page of results (8, with what a result shows) is there.
    query: &'static str,
}

const HINDSIGHT: Tool = Tool {
    start: START_WORKER,
    query: r#"((query) => new Promise((resolve, reject) => {
  const t0 = performance.now();
  window.benchWorker.onmessage = (e) =>
    e.data.type === "result" ? resolve(performance.now() - t0) : reject(new Error(e.data.message));
  window.benchWorker.postMessage({ type: "search", id: 1, request: { query, limit: 8, facets: false } });
}))"#,
};

/// Pagefind's own browser API, as its UI uses it: the search, then the
/// data (title, excerpt) of the first 8 results.
const PAGEFIND: Tool = Tool {
    start: r#"(async () => {
  window.pagefind = await import(new URL("pagefind/pagefind.js", location.href).href);
  await window.pagefind.init();
})()"#,
    query: r#"(async (q) => {
  const t0 = performance.now();
  const search = await window.pagefind.search(q);
  await Promise.all(search.results.slice(0, 8).map((r) => r.data()));
  return performance.now() - t0;
})"#,
};

struct Times {
    cold: Vec<f64>,
    warm: Vec<f64>,
}

/// Each query (after the first, a warm-up) in a fresh tab once the tool
/// has started (cold: nothing of the index but what starting fetched), then
/// again in that tab (warm).
fn measure(chrome: &std::sync::Arc<Chrome>, home: &str, queries: &[String], tool: Tool) -> Times {
    let mut times = Times {
        cold: Vec::new(),
        warm: Vec::new(),
    };
    for (i, q) in queries.iter().enumerate() {
        let tab = chrome.tab();
        tab.open(home);
        tab.eval::<()>(tool.start);
        let query = format!("{}({})", tool.query, serde_json::json!(q));
        let cold: f64 = tab.eval(&query);
        let warm: f64 = tab.eval(&query);
        if i > 0 {
            times.cold.push(cold);
            times.warm.push(warm);
        }
    }
    times
}

/// A first query in a fresh tab, from the moment search starts (the box gets
/// focus; Pagefind's init): time to results, and what was fetched.
fn first_query(
    chrome: &std::sync::Arc<Chrome>,
    server: &StaticServer,
    home: &str,
    query: &str,
    name: &str,
    run: impl FnOnce(&Tab, &str) -> f64,
) {
    let tab = chrome.tab();
    tab.look(LIGHT).open(home);
    let before = server.requests().len();
    let t0 = std::time::Instant::now();
    if name == "pagefind" {
        tab.eval::<()>(PAGEFIND.start);
    }
    let shown = run(&tab, query);
    let total = t0.elapsed().as_secs_f64() * 1e3;
    let fetched: Vec<Request> = server.requests()[before..]
        .iter()
        .filter(|r| r.url.contains("/search/") || r.url.contains("/pagefind/"))
        .cloned()
        .collect();
    let bytes: usize = fetched.iter().map(|r| r.bytes).sum();
    let ranges: Vec<&Request> = fetched.iter().filter(|r| r.status == 206).collect();
    eprintln!(
        "first query {name} `{query}`: {:.1} KB in {} requests ({} ranges, {:.1} KB); start to results {total:.0} ms, query to results {shown:.0} ms",
        bytes as f64 / 1000.0,
        fetched.len(),
        ranges.len(),
        ranges.iter().map(|r| r.bytes).sum::<usize>() as f64 / 1000.0,
    );
}
