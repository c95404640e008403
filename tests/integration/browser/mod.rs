//! The site in a real browser: headless Chromium over the DevTools protocol
//! (`chrome`), pages served over loopback by a static host (`server`).
//!
//! - `accessibility`: axe-core on every page type, light, dark and phone;
//! - `layout`: no page wider than a phone, nothing printed wider than A4;
//! - `not_found`: the 404 page under a base path, lowercase redirects;
//! - `links`: every internal link and asset of the bundled site resolves;
//! - `lists`: the incidents list's filter and sort across its pages;
//! - `screenshots`: pictures of the main pages, for people to look at;
//! - `search`: the search box and page find what `hindsight search` finds;
//! - `search_latency`: sizes and query latency in Chromium, when asked;
//! - `search_network`: rounds of requests per query, and (when asked)
//!   hindsight and Pagefind with every response late by a round trip;
//! - `serve_overlay`: `hindsight serve`'s build-error overlay;
//! - `tables`: filtering and sorting tables and lists;
//! - `findability_pagefind`: the findability suite through Pagefind, when asked.

mod accessibility;
mod chrome;
mod findability_pagefind;
mod layout;
mod links;
mod lists;
mod not_found;
mod screenshots;
mod search;
mod search_latency;
mod search_network;
mod serve_overlay;
mod server;
mod tables;

use std::path::Path;

use crate::support::Site;
use server::StaticServer;

/// A built site and the server that serves its output folder.
pub struct Served {
    // Field order matters: the server stops before the folder is removed.
    pub server: StaticServer,
    pub site: Site,
}

impl Served {
    /// Builds `site` into `public/` and serves it.
    pub fn build(site: Site) -> Self {
        let run = site.build(&[]);
        assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
        Served {
            server: StaticServer::serve(&site.root().join("public")),
            site,
        }
    }

    pub fn public(&self) -> std::path::PathBuf {
        self.site.root().join("public")
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }
}

/// One page of each kind the site has, as (kind, path under the site root),
/// chosen from the built output (the richest incident, the first tag…).
pub fn page_types(public: &Path) -> Vec<(&'static str, String)> {
    let mut pages = vec![
        ("home", "index.html".to_string()),
        ("incident", richest_incident(public)),
        ("incidents", "incidents/index.html".into()),
        ("tags", "tags/index.html".into()),
        ("tag", first_page_under(public, "tags")),
        ("services", "services/index.html".into()),
        ("service", first_page_under(public, "services")),
        ("severities", "severity/index.html".into()),
        ("severity", first_page_under(public, "severity")),
        ("lessons", "lessons/index.html".into()),
        ("action items", "action-items/index.html".into()),
        ("metrics", "metrics/index.html".into()),
        ("quarter", latest_quarter(public)),
    ];
    if public.join("search/index.html").is_file() {
        pages.push(("search", "search/index.html".into()));
    }
    // The not-found page as a host serves it: at an address that does not exist.
    pages.push(("404", "no/such/page/".into()));
    pages
}

/// The incident with the most lessons and action items (the fullest page).
fn richest_incident(public: &Path) -> String {
    let incidents: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(public.join("incidents.json")).unwrap()).unwrap();
    let weight = |inc: &serde_json::Value| {
        ["lessons", "action_items"]
            .iter()
            .map(|k| inc[k].as_array().map_or(0, Vec::len))
            .sum::<usize>()
    };
    let richest = incidents
        .iter()
        .max_by_key(|inc| weight(inc))
        .expect("at least one incident");
    let id = richest["id"].as_str().unwrap().to_lowercase();
    let path = format!("incidents/{id}/index.html");
    assert!(public.join(&path).is_file(), "{path} exists");
    path
}

/// The first sub-page of a listing folder (`tags/<first>/index.html`).
fn first_page_under(public: &Path, folder: &str) -> String {
    let mut names: Vec<String> = std::fs::read_dir(public.join(folder))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    format!("{folder}/{}/index.html", names.first().expect("a sub-page"))
}

/// The page of the latest quarter in `metrics.json`.
fn latest_quarter(public: &Path) -> String {
    let metrics: serde_json::Value =
        serde_json::from_slice(&std::fs::read(public.join("metrics.json")).unwrap()).unwrap();
    let quarter = metrics["quarters"]
        .as_array()
        .and_then(|q| q.last())
        .and_then(|q| q["quarter"].as_str())
        .expect("a quarter");
    format!("metrics/{quarter}/index.html")
}
