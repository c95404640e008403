//! Search through the built site: the index stage's output, queried by
//! `hindsight search` and by the engine the browser runtime wraps.

use std::collections::{HashMap, HashSet};

use hindsight_search::{Engine, SearchRequest};

use crate::support::Site;

/// `hindsight search --json QUERY` → the ids, in order.
fn search_ids(site: &Site, query: &str) -> Vec<String> {
    let run = site.run(&["search", "--json", query]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hits: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON output");
    hits.as_array()
        .expect("a list")
        .iter()
        .map(|h| {
            for key in ["id", "title", "url", "score", "snippet"] {
                assert!(h.get(key).is_some(), "{key} missing in {h}");
            }
            h["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn build_writes_the_index_runtime_and_search_page_and_reports_sizes() {
    let site = Site::bundled();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in [
        "public/search/index.html",
        "public/search/index.boot",
        "public/static/search.js",
    ] {
        assert!(site.exists(file), "{file} missing");
    }
    // The runtime and the worker are named by their content, the worker
    // knows the runtime's names, and every page's search box the worker's.
    let worker_file = hindsight_search::worker_file();
    let worker = site.read(&format!("public/search/{worker_file}"));
    for page in ["public/index.html", "public/search/index.html"] {
        assert!(
            site.read(page)
                .contains(&format!("data-worker=\"{worker_file}\"")),
            "{page} does not start {worker_file}"
        );
    }
    for (name, bytes) in hindsight_search::runtime_files() {
        let path = format!("public/search/{name}");
        assert_eq!(
            std::fs::read(site.root().join(&path)).unwrap(),
            bytes,
            "{path}"
        );
        if name.starts_with("search-runtime.") {
            assert!(
                worker.contains(&format!("\"{name}\"")),
                "{name} not in the worker"
            );
        }
    }
    let packs: Vec<String> = site
        .files("public/search")
        .into_iter()
        .map(|(path, _)| path)
        .filter(|p| p.starts_with("index-") && p.ends_with(".pack"))
        .collect();
    assert_eq!(packs.len(), 1, "{packs:?}");
    assert!(
        !site.exists("public/search/offline"),
        "offline only on request"
    );
    let sizes = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Search: runtime "))
        .unwrap_or_else(|| panic!("no size line in {}", run.stdout));
    assert!(sizes.contains(" gzip), index "), "{sizes}");
    assert!(
        run.summary().starts_with("Built "),
        "the summary line comes last: {}",
        run.stdout
    );
    // Every page has the box; it loads nothing heavy until used.
    let home = site.read("public/index.html");
    assert!(home.contains("data-hs-box"), "{home}");
    assert!(
        !home.contains(".wasm"),
        "the runtime is fetched on focus only"
    );
}

#[test]
fn offline_builds_bundle_the_index_and_runtime_as_scripts() {
    let site = Site::bundled();
    let run = site.build(&["--offline"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let index = site.read("public/search/offline/search-index.js");
    assert!(index.starts_with("self.hindsightOfflineIndex = {\"boot\": \""));
    let runtime = site.read("public/search/offline/search-runtime.js");
    assert!(runtime.contains("self.hindsightOfflineWasm = \""));
}

#[test]
fn incidents_and_lessons_are_found_with_their_links() {
    let site = Site::bundled();
    assert_eq!(site.build(&[]).code, 0);
    let ids = search_ids(&site, "connection pool");
    assert!(!ids.is_empty());
    let run = site.run(&["search", "--json", "--limit", "50", "lessons:retry"]);
    let hits: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let lesson = hits
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"].as_str().unwrap().contains("#lesson-"))
        .unwrap_or_else(|| panic!("no lesson hit: {hits}"));
    let (incident, anchor) = lesson["id"].as_str().unwrap().split_once('#').unwrap();
    let url = lesson["url"].as_str().unwrap();
    assert!(url.ends_with(&format!("/index.html#{anchor}")), "{url}");
    let page = site.read(&format!("public/{}", url.split('#').next().unwrap()));
    assert!(
        page.contains(&format!("id=\"{anchor}\"")),
        "{incident}: {url}"
    );
    assert!(lesson["snippet"].as_str().unwrap().contains("<mark>"));
}

#[test]
fn a_misspelling_that_keeps_the_ending_its_stem_drops_still_finds_the_word() {
    // "saturation" is indexed as the stem "satur", four edits from
    // "saturaton" as typed (docs/search.md, Misspellings).
    let site = Site::bundled();
    assert_eq!(site.build(&[]).code, 0);
    let ids = search_ids(&site, "saturaton");
    for id in [
        "INC-2024-002#lesson-5",
        "INC-2024-011#lesson-5",
        "INC-2026-001#lesson-4",
    ] {
        assert!(ids.iter().any(|i| i == id), "{id} missing from {ids:?}");
    }
    let run = site.run(&["search", "saturaton"]);
    assert!(
        run.stdout.contains("(similar words: saturation)"),
        "{}",
        run.stdout
    );
}

#[test]
fn drafts_and_internal_incidents_are_indexed_only_when_built() {
    let site = Site::bundled();
    assert_eq!(site.build(&[]).code, 0);
    for marker in ["ZEBRA-DRAFT-MARKER-7731", "OKAPI-INTERNAL-MARKER-4410"] {
        assert_eq!(search_ids(&site, marker), Vec::<String>::new(), "{marker}");
    }
    assert_eq!(site.build(&["--drafts", "--include-internal"]).code, 0);
    for marker in ["ZEBRA-DRAFT-MARKER-7731", "OKAPI-INTERNAL-MARKER-4410"] {
        assert_eq!(search_ids(&site, marker).len(), 1, "{marker}");
    }
}

#[test]
fn human_output_and_missing_index_diagnostic() {
    let site = Site::bundled();
    let run = site.run(&["search", "pool"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("run `hindsight build` first"),
        "{}",
        run.stderr
    );
    assert_eq!(site.build(&[]).code, 0);
    let run = site.run(&["search", "--limit", "2", "pool"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("1. "), "{}", run.stdout);
    assert!(run.stdout.contains('*'), "matches marked: {}", run.stdout);
    let last = run.stdout.lines().last().unwrap();
    assert!(last.starts_with("2 of "), "{last}");
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The most distinctive six consecutive words of a summary: the window with
/// the largest summed inverse document frequency.
fn distinctive_phrase(summary: &str, df: &HashMap<String, usize>, docs: usize) -> Vec<String> {
    let ws = words(summary);
    let n = 6.min(ws.len());
    let idf = |w: &String| (docs as f64 / *df.get(&w.to_lowercase()).unwrap_or(&1) as f64).ln();
    let score = |at: usize| -> f64 { ws[at..at + n].iter().map(idf).sum() };
    let best = (0..=ws.len() - n)
        .max_by(|&a, &b| score(a).total_cmp(&score(b)).then(b.cmp(&a)))
        .unwrap();
    ws[best..best + n].to_vec()
}

/// Misspells the phrase's longest word: swaps two inner letters (or drops
/// one when they are the same).
fn misspell(phrase: &[String]) -> Option<Vec<String>> {
    let (i, word) = phrase
        .iter()
        .enumerate()
        .filter(|(_, w)| w.len() >= 6 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .max_by_key(|(i, w)| (w.len(), std::cmp::Reverse(*i)))?;
    let mut chars: Vec<char> = word.chars().collect();
    let k = chars.len() / 2;
    if chars[k] == chars[k + 1] {
        chars.remove(k);
    } else {
        chars.swap(k, k + 1);
    }
    let mut out = phrase.to_vec();
    out[i] = chars.into_iter().collect();
    Some(out)
}

#[test]
fn postmortems_app_summary_phrases_find_their_postmortem_even_misspelt() {
    let Some(site) = Site::postmortems_app() else {
        return;
    };
    assert_eq!(site.build(&[]).code, 0);
    let incidents: serde_json::Value =
        serde_json::from_str(&site.read("public/incidents.json")).unwrap();
    // (id, title, summary): the title is derived from the body when missing.
    let docs: Vec<(String, String, String)> = incidents
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let text = |key: &str| i[key].as_str().unwrap_or_default().to_string();
            (text("id"), text("title"), text("summary"))
        })
        .collect();
    // Each postmortem's file as lowercase words (files are named by id).
    let sources: Vec<String> = docs
        .iter()
        .map(|(id, _, _)| {
            words(&site.read(&format!("content/{id}.md")))
                .join(" ")
                .to_lowercase()
        })
        .collect();
    let with_summary = docs.iter().filter(|(_, _, s)| !s.is_empty()).count();
    assert!(with_summary > 150, "{with_summary} summaries");
    let mut df: HashMap<String, usize> = HashMap::new();
    for (_, title, summary) in &docs {
        let text = format!("{title} {summary}").to_lowercase();
        for w in words(&text).into_iter().collect::<HashSet<_>>() {
            *df.entry(w).or_default() += 1;
        }
    }
    let engine = Engine::open_dir(&site.root().join("public")).expect("index");
    let top3 = |query: &str| -> Vec<String> {
        engine
            .search(&SearchRequest::new(query).limit(3))
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    // (query, rank of its postmortem among the first three, if there).
    let mut ranks: Vec<(String, Option<usize>)> = Vec::new();
    let mut misspelt = 0;
    for (_, _, summary) in docs.iter().filter(|(_, _, s)| !s.is_empty()) {
        let phrase = distinctive_phrase(summary, &df, docs.len());
        let query = phrase.join(" ");
        // The corpus has a few incidents twice, in different words: any
        // postmortem whose file has the phrase counts.
        let owners: Vec<&str> = docs
            .iter()
            .zip(&sources)
            .filter(|(_, source)| source.contains(&query.to_lowercase()))
            .map(|((id, _, _), _)| id.as_str())
            .collect();
        let rank = |query: &str| {
            top3(query)
                .iter()
                .position(|g| owners.contains(&g.as_str()))
        };
        ranks.push((query.clone(), rank(&query)));
        if let Some(bad) = misspell(&phrase) {
            misspelt += 1;
            let query = bad.join(" ");
            ranks.push((query.clone(), rank(&query)));
        }
    }
    assert!(misspelt > 150, "{misspelt}");
    // Every phrase finds its postmortem among the first three, nearly
    // always first. (Not always: common words weigh little, so a fragment
    // like "window because there were too much" is mostly one word.)
    let missing: Vec<&String> = ranks
        .iter()
        .filter(|(_, r)| r.is_none())
        .map(|(q, _)| q)
        .collect();
    assert_eq!(missing, Vec::<&String>::new());
    let first = ranks.iter().filter(|(_, r)| *r == Some(0)).count();
    assert!(
        first * 100 >= ranks.len() * 97,
        "{first} of {} first: {:?}",
        ranks.len(),
        ranks
            .iter()
            .filter(|(_, r)| *r != Some(0))
            .collect::<Vec<_>>()
    );
    // The command answers as the engine does.
    let (id, _, summary) = docs.iter().find(|(_, _, s)| !s.is_empty()).unwrap();
    let query = distinctive_phrase(summary, &df, docs.len()).join(" ");
    assert_eq!(search_ids(&site, &query).first(), Some(id));
}
