//! The postmortems-app corpus (../../shared/corpora/postmortems-app, or
//! $HINDSIGHT_CORPUS): a distinctive phrase of any postmortem's summary finds
//! it first, also with one word misspelt.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use hindsight_search::{DocKind, Engine, SearchDoc, SearchRequest, build_index};

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("HINDSIGHT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/corpora/postmortems-app")
        });
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "corpus not found at {}",
        dir.display()
    );
    eprintln!("skipping: corpus not found at {}", dir.display());
    None
}

/// Just enough front matter: `key: value` lines and `- item` lists.
fn parse(path: &std::path::Path) -> Option<SearchDoc> {
    let text = std::fs::read_to_string(path).unwrap();
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---")?;
    let (front, body) = (&rest[..end], &rest[end + 4..]);
    let mut title = String::new();
    let mut summary = String::new();
    let mut tags = Vec::new();
    let mut services = Vec::new();
    let mut list: Option<&str> = None;
    for line in front.lines() {
        if let Some(item) = line.strip_prefix("- ") {
            let slug = item.trim().to_lowercase().replace(' ', "-");
            match list {
                Some("keywords") | Some("categories") => tags.push(slug),
                _ => {}
            }
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim().trim_matches('"').to_string();
        list = Some(k.trim()).filter(|_| v.is_empty()).map(|k| match k {
            "keywords" => "keywords",
            "categories" => "categories",
            _ => "",
        });
        match k.trim() {
            "title" => title = v,
            "summary" => summary = v,
            "product" if !v.is_empty() => services.push(v.to_lowercase().replace(' ', "-")),
            _ => {}
        }
    }
    let id = path.file_stem().unwrap().to_string_lossy().to_string();
    Some(SearchDoc {
        kind: DocKind::Incident,
        url: format!("incidents/{id}/index.html"),
        id,
        title,
        parent_title: None,
        severity: None,
        date: None,
        year: None,
        quarter: None,
        summary,
        body: body.to_string(),
        lessons: Vec::new(),
        root_cause: String::new(),
        services,
        tags,
    })
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The most distinctive six consecutive words of the summary: the window
/// with the largest summed inverse document frequency.
fn phrase(summary: &str, df: &HashMap<String, usize>, n_docs: usize) -> Vec<String> {
    let ws = words(summary);
    let n = 6.min(ws.len());
    let idf =
        |w: &String| ((n_docs as f64) / (*df.get(&w.to_lowercase()).unwrap_or(&1) as f64)).ln();
    let best = (0..=ws.len() - n)
        .max_by(|&a, &b| {
            let sa: f64 = ws[a..a + n].iter().map(idf).sum();
            let sb: f64 = ws[b..b + n].iter().map(idf).sum();
            sa.partial_cmp(&sb).unwrap().then(b.cmp(&a))
        })
        .unwrap();
    ws[best..best + n].to_vec()
}

/// Misspells the longest word of the phrase (swaps two inner letters, or
/// drops one).
fn misspell(words: &[String]) -> Option<(Vec<String>, String)> {
    let (i, w) = words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.chars().count() >= 6 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .max_by_key(|(i, w)| (w.len(), std::cmp::Reverse(*i)))?;
    let mut chars: Vec<char> = w.chars().collect();
    let k = chars.len() / 2;
    if chars[k] != chars[k + 1] {
        chars.swap(k, k + 1);
    } else {
        chars.remove(k);
    }
    let bad: String = chars.into_iter().collect();
    let mut out = words.to_vec();
    out[i] = bad.clone();
    Some((out, bad))
}

#[test]
fn summary_phrases_find_their_postmortem() {
    let Some(dir) = corpus_dir() else { return };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    let docs: Vec<SearchDoc> = paths
        .iter()
        .filter_map(|p| parse(p))
        .filter(|d| !d.summary.is_empty())
        .collect();
    assert!(docs.len() > 150, "{} docs", docs.len());
    let files = build_index(&docs).unwrap();
    let engine = common::open(&files);

    let first = |q: &str| -> (Option<String>, bool) {
        let r = engine.search(&SearchRequest::new(q).limit(3)).unwrap();
        (r.hits.first().map(|h| h.id.clone()), r.fuzzy)
    };
    let mut df: HashMap<String, usize> = HashMap::new();
    for d in &docs {
        let text = format!("{} {} {}", d.title, d.summary, d.body).to_lowercase();
        for w in words(&text).into_iter().collect::<HashSet<_>>() {
            *df.entry(w).or_default() += 1;
        }
    }
    let mut exact_fail = Vec::new();
    let mut fuzzy_fail = Vec::new();
    let mut fuzzy_tried = 0;
    for d in &docs {
        let words_ = phrase(&d.summary, &df, docs.len());
        let q = words_.join(" ");
        // The corpus has a few postmortems twice: any doc with the same
        // phrase in its summary counts.
        let same: Vec<&str> = docs
            .iter()
            .filter(|o| {
                words(&o.summary)
                    .join(" ")
                    .to_lowercase()
                    .contains(&q.to_lowercase())
            })
            .map(|o| o.id.as_str())
            .collect();
        let ok = |got: Option<String>| got.is_some_and(|g| same.contains(&g.as_str()));
        if !ok(first(&q).0) {
            exact_fail.push(q.clone());
        }
        if let Some((bad, _)) = misspell(&words_) {
            fuzzy_tried += 1;
            let q = bad.join(" ");
            if !ok(first(&q).0) {
                fuzzy_fail.push(q);
            }
        }
    }
    assert!(fuzzy_tried > 150);
    assert!(
        exact_fail.is_empty(),
        "{} of {} failed: {exact_fail:#?}",
        exact_fail.len(),
        docs.len()
    );
    assert!(
        fuzzy_fail.is_empty(),
        "{} of {fuzzy_tried} failed: {fuzzy_fail:#?}",
        fuzzy_fail.len()
    );
}

#[test]
fn native_search_matches_itself_across_openings() {
    // The same built files opened twice (pack by range vs. from disk) give
    // the same ids in the same order.
    let Some(dir) = corpus_dir() else { return };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    let docs: Vec<SearchDoc> = paths.iter().filter_map(|p| parse(p)).collect();
    let files = build_index(&docs).unwrap();
    let a = common::open(&files);
    let site = common::scratch_dir("corpus-site");
    std::fs::create_dir_all(site.join("search")).unwrap();
    for (p, b) in &files.files {
        std::fs::write(site.join("search").join(p), b).unwrap();
    }
    let b = Engine::open_dir(&site).unwrap();
    for q in [
        "database",
        "dns outage",
        "\"power loss\"",
        "certficate",
        "tag:cloud timeout",
        "deploy -rollback",
    ] {
        let ra = a.search(&SearchRequest::new(q).limit(20)).unwrap();
        let rb = b.search(&SearchRequest::new(q).limit(20)).unwrap();
        let ids = |r: &hindsight_search::SearchResponse| {
            r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>()
        };
        assert_eq!(ids(&ra), ids(&rb), "{q}");
        assert!(!ra.hits.is_empty(), "{q}");
    }
    let _ = std::fs::remove_dir_all(&site);
}
