//! The findability suite run through Pagefind, unconfigured, on the HTML
//! hindsight built, when asked: with `HINDSIGHT_PAGEFIND_SITES=<folder>`,
//! where `<folder>/<corpus>/` is a built site whose `pagefind/` index
//! Pagefind wrote, serves each site, runs the suite's queries through
//! Pagefind's own browser API in headless Chromium, and prints the table
//! BENCHMARKS.md shows beside hindsight's. `scripts/bench-findability.sh`
//! builds the sites and runs it. Without the variable it does nothing.

use std::collections::HashMap;
use std::path::Path;

use super::chrome::chrome;
use super::server::StaticServer;
use crate::findability::{Judged, Report, Scores, TOP, score, suite};

#[test]
fn findability_of_pagefind_when_asked() {
    let Some(dir) = std::env::var_os("HINDSIGHT_PAGEFIND_SITES") else {
        return;
    };
    let Some(chrome) = chrome("findability of Pagefind") else {
        return;
    };
    let suite = suite();
    let mut results: Vec<(&Judged, Scores)> = Vec::new();
    let mut corpora: Vec<&str> = suite.iter().map(|j| j.corpus.as_str()).collect();
    corpora.sort();
    corpora.dedup();
    for corpus in corpora {
        let public = Path::new(&dir).join(corpus);
        if !public.join("pagefind").is_dir() {
            eprintln!(
                "note: no Pagefind index in {}: skipping {corpus}",
                public.display()
            );
            continue;
        }
        let ids = incident_ids(&public);
        let server = StaticServer::serve(&public);
        let tab = chrome.tab();
        tab.open(&server.url("index.html"));
        tab.eval::<()>(START_PAGEFIND);
        for judged in suite.iter().filter(|j| j.corpus == corpus) {
            let urls: Vec<String> = tab.eval(&search(&judged.query));
            // Pages that are no incident (lists, tags) count as misses.
            let hits: Vec<String> = urls
                .iter()
                .map(|u| ids.get(&page(u)).cloned().unwrap_or_else(|| u.clone()))
                .collect();
            let scores = score(&hits, &judged.relevant);
            if scores.recall < 1.0 || scores.success_at_1 < 1.0 {
                eprintln!(
                    "pagefind {:<12} {:<16} rr {:.2} recall {:.2}  {:?}",
                    judged.kind, corpus, scores.reciprocal_rank, scores.recall, judged.query
                );
            }
            results.push((judged, scores));
        }
    }
    if results.is_empty() {
        return;
    }
    eprintln!("{}", Report::new(&results).table("Pagefind"));
}

/// Incident page (as `incidents/<slug>/`) → incident id, from `incidents.json`.
fn incident_ids(public: &Path) -> HashMap<String, String> {
    let incidents: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(public.join("incidents.json")).unwrap()).unwrap();
    incidents
        .iter()
        .map(|i| {
            let url = i["url"].as_str().expect("an incident url");
            (page(url), i["id"].as_str().unwrap().to_string())
        })
        .collect()
}

/// A result URL as `incidents/<slug>/` (Pagefind drops `index.html`).
fn page(url: &str) -> String {
    let path = url.split(['#', '?']).next().unwrap_or(url);
    let path = path.trim_start_matches('/');
    path.strip_suffix("index.html").unwrap_or(path).to_string()
}

/// Loads Pagefind's browser API from the site, as a page would.
const START_PAGEFIND: &str = r#"(async () => {
  window.pagefind = await import(new URL("pagefind/pagefind.js", location.href).href);
  await window.pagefind.init();
})()"#;

/// An expression that resolves to the URLs of the first results of the
/// query it is applied to, in Pagefind's order.
fn search(query: &str) -> String {
    format!(
        r#"(async (q) => {{
  const search = await window.pagefind.search(q);
  const data = await Promise.all(search.results.slice(0, {TOP}).map((r) => r.data()));
  return data.map((d) => d.url);
}})({})"#,
        serde_json::json!(query)
    )
}
