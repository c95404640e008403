//! The findability suite (`tests/findability/`): judged queries run through
//! the engine `hindsight search` and the browser use, scored with
//! success@1, MRR@10 and recall@10, overall and per kind, against floors.

use std::collections::BTreeMap;

use hindsight_search::{Engine, SearchRequest};
use serde::Deserialize;

use crate::support::{Site, repo};

/// Floors the suite must stay above (issue 14).
const MIN_RECALL: f64 = 0.85;
const MIN_MRR: f64 = 0.90;
const MIN_SUCCESS_AT_1: f64 = 0.85;
const MIN_KIND_RECALL: f64 = 0.75;
/// Hits a user looks at.
pub const TOP: usize = 10;

#[derive(Debug, Clone, Deserialize)]
pub struct Judged {
    pub query: String,
    pub kind: String,
    pub corpus: String,
    pub relevant: Vec<String>,
}

/// The suite, in file order.
pub fn suite() -> Vec<Judged> {
    let path = repo().join("tests/findability/queries.yaml");
    let text = std::fs::read_to_string(&path).expect("tests/findability/queries.yaml");
    yaml_serde::from_str(&text).expect("queries.yaml parses")
}

/// The knowledge base a corpus name stands for, built; `None` (after a
/// note) when its files are not available.
pub fn built_site(corpus: &str) -> Option<Site> {
    let site = match corpus {
        "bundled" => Site::bundled(),
        "postmortems-app" => Site::postmortems_app()?,
        other => panic!("unknown corpus {other} in queries.yaml"),
    };
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "building {corpus}: {}", run.stderr);
    Some(site)
}

/// Scores of one query.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scores {
    pub success_at_1: f64,
    pub reciprocal_rank: f64,
    pub recall: f64,
}

/// Scores a ranked list of hit ids (lesson ids `<incident>#<anchor>` count
/// as their incident) against the judged relevant incidents.
pub fn score(hits: &[String], relevant: &[String]) -> Scores {
    let incident = |id: &String| id.split('#').next().unwrap_or(id).to_string();
    let top: Vec<String> = hits.iter().take(TOP).map(incident).collect();
    let first = top.iter().position(|id| relevant.contains(id));
    let mut found: Vec<&String> = top.iter().filter(|id| relevant.contains(id)).collect();
    found.sort();
    found.dedup();
    Scores {
        success_at_1: f64::from(u8::from(first == Some(0))),
        reciprocal_rank: first.map_or(0.0, |rank| 1.0 / (rank + 1) as f64),
        recall: found.len() as f64 / relevant.len().min(TOP) as f64,
    }
}

/// Mean scores per kind and overall, with the number of queries.
#[derive(Debug, Default)]
pub struct Report {
    pub by_kind: BTreeMap<String, (Scores, usize)>,
    pub overall: (Scores, usize),
}

impl Report {
    pub fn new(results: &[(&Judged, Scores)]) -> Report {
        let mean = |items: &[Scores]| Scores {
            success_at_1: items.iter().map(|s| s.success_at_1).sum::<f64>() / items.len() as f64,
            reciprocal_rank: items.iter().map(|s| s.reciprocal_rank).sum::<f64>()
                / items.len() as f64,
            recall: items.iter().map(|s| s.recall).sum::<f64>() / items.len() as f64,
        };
        let mut kinds: BTreeMap<String, Vec<Scores>> = BTreeMap::new();
        for (judged, scores) in results {
            kinds.entry(judged.kind.clone()).or_default().push(*scores);
        }
        let all: Vec<Scores> = results.iter().map(|(_, s)| *s).collect();
        Report {
            by_kind: kinds
                .iter()
                .map(|(kind, items)| (kind.clone(), (mean(items), items.len())))
                .collect(),
            overall: (mean(&all), all.len()),
        }
    }

    /// A Markdown table: kind, queries, success@1, MRR@10, recall@10.
    pub fn table(&self, engine: &str) -> String {
        let mut out = format!(
            "| {engine} | queries | success@1 | MRR@10 | recall@10 |\n|---|---:|---:|---:|---:|\n"
        );
        let row = |name: &str, (s, n): &(Scores, usize)| {
            format!(
                "| {name} | {n} | {:.2} | {:.2} | {:.2} |\n",
                s.success_at_1, s.reciprocal_rank, s.recall
            )
        };
        for (kind, entry) in &self.by_kind {
            out += &row(kind, entry);
        }
        out += &row("**all**", &self.overall);
        out
    }
}

/// Runs every query of the suite whose corpus is available through `run`
/// (given the built site and the query; returns hit ids in rank order).
pub fn run_suite(
    mut run: impl FnMut(&Site, &str) -> Vec<String>,
) -> Vec<(Judged, Scores, Vec<String>)> {
    let suite = suite();
    let mut corpora: Vec<String> = suite.iter().map(|j| j.corpus.clone()).collect();
    corpora.sort();
    corpora.dedup();
    let mut out = Vec::new();
    for corpus in corpora {
        let Some(site) = built_site(&corpus) else {
            continue;
        };
        for judged in suite.iter().filter(|j| j.corpus == corpus) {
            let hits = run(&site, &judged.query);
            out.push((judged.clone(), score(&hits, &judged.relevant), hits));
        }
    }
    out
}

#[test]
fn findability_suite_meets_its_floors() {
    let results = run_suite(|site, query| {
        let engine = Engine::open_dir(&site.root().join("public")).expect("index");
        engine
            .search(&SearchRequest::new(query).limit(TOP))
            .expect("search")
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect()
    });
    for (judged, scores, hits) in &results {
        if scores.recall < 1.0 || scores.success_at_1 < 1.0 {
            eprintln!(
                "{:<12} {:<16} rr {:.2} recall {:.2}  {:?} -> {:?}",
                judged.kind,
                judged.corpus,
                scores.reciprocal_rank,
                scores.recall,
                judged.query,
                hits.iter()
                    .map(|h| h.chars().take(13).collect::<String>())
                    .collect::<Vec<_>>()
            );
        }
    }
    let scored: Vec<(&Judged, Scores)> = results.iter().map(|(j, s, _)| (j, *s)).collect();
    let report = Report::new(&scored);
    eprintln!("{}", report.table("hindsight"));
    let (overall, n) = report.overall;
    assert!(n >= 10, "only {n} queries ran");
    assert!(
        overall.recall >= MIN_RECALL,
        "recall@10 {:.3}",
        overall.recall
    );
    assert!(
        overall.reciprocal_rank >= MIN_MRR,
        "MRR@10 {:.3}",
        overall.reciprocal_rank
    );
    assert!(
        overall.success_at_1 >= MIN_SUCCESS_AT_1,
        "success@1 {:.3}",
        overall.success_at_1
    );
    for (kind, (scores, _)) in &report.by_kind {
        assert!(
            scores.recall >= MIN_KIND_RECALL,
            "{kind}: recall@10 {:.3}",
            scores.recall
        );
    }
}

#[test]
fn scores_count_lessons_as_their_incident() {
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let s = score(&ids(&["B#lesson-1", "A", "B"]), &ids(&["B", "C"]));
    assert_eq!(s.success_at_1, 1.0);
    assert_eq!(s.reciprocal_rank, 1.0);
    assert_eq!(s.recall, 0.5);
    let s = score(&ids(&["X", "Y", "C"]), &ids(&["C"]));
    assert_eq!((s.success_at_1, s.recall), (0.0, 1.0));
    assert!((s.reciprocal_rank - 1.0 / 3.0).abs() < 1e-9);
}
