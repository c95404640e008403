//! The runtime run natively (as an rlib, through its JSON step API, the way
//! the worker drives it) returns the same ids in the same order as the
//! engine that `hindsight search` uses.

use hindsight_search::pack::{BOOT_FILE, NoSource};
use hindsight_search::{
    DocKind, Engine, IndexOptions, MAX_ROUNDS, SearchDoc, SearchRequest, SearchResponse,
    build_index,
};
use hindsight_search_web::Runtime;

fn doc(id: &str, title: &str, summary: &str, tags: &[&str], lessons: &[&str]) -> Vec<SearchDoc> {
    let base = SearchDoc {
        kind: DocKind::Incident,
        id: id.into(),
        title: title.into(),
        url: format!("incidents/{}/index.html", id.to_lowercase()),
        parent_title: None,
        severity: Some(if id.ends_with('1') { "SEV1" } else { "SEV2" }.into()),
        severity_rank: Some(if id.ends_with('1') { 1 } else { 2 }),
        date: Some("2024-03-01".into()),
        year: Some(2024),
        quarter: Some("2024-Q1".into()),
        summary: summary.into(),
        body: format!("{summary} The team mitigated it and wrote this postmortem."),
        lessons: lessons.iter().map(|s| s.to_string()).collect(),
        root_cause: String::new(),
        services: vec!["api".into()],
        tags: tags.iter().map(|s| s.to_string()).collect(),
    };
    let mut out = vec![base.clone()];
    for (i, l) in lessons.iter().enumerate() {
        out.push(SearchDoc {
            kind: DocKind::Lesson,
            id: format!("{id}#lesson-{}", i + 1),
            title: l.to_string(),
            url: format!("{}#lesson-{}", base.url, i + 1),
            parent_title: Some(title.into()),
            lessons: vec![l.to_string()],
            summary: String::new(),
            body: String::new(),
            ..base.clone()
        });
    }
    out
}

fn docs() -> Vec<SearchDoc> {
    [
        doc(
            "INC-1",
            "Connection pool exhausted",
            "The database connection pool ran out during a traffic spike.",
            &["database"],
            &["Size connection pools per client."],
        ),
        doc(
            "INC-2",
            "Rollback blocked by debug flag",
            "A debug flag left on blocked the rollback.",
            &["release"],
            &["Remove debug flags before release."],
        ),
        doc(
            "INC-3",
            "DNS outage",
            "Resolvers lost their upstream configuration.",
            &["dns"],
            &[],
        ),
        doc(
            "INC-4",
            "Pool of workers starved",
            "The worker pool starved after a deploy; connections queued.",
            &["queue"],
            &["Alert on queue depth."],
        ),
    ]
    .concat()
}

/// What the worker does with the runtime (minus fetching in parallel): step,
/// supply the ranges asked for, until done.
fn drive(runtime: &Runtime, req: &SearchRequest, pack: &[u8]) -> SearchResponse {
    let json = serde_json::to_string(req).unwrap();
    for _ in 0..=MAX_ROUNDS {
        let out: serde_json::Value = serde_json::from_str(&runtime.step(&json).unwrap()).unwrap();
        if let Some(done) = out.get("done") {
            return serde_json::from_value(done.clone()).unwrap();
        }
        let need: Vec<(usize, usize)> = serde_json::from_value(out["need"].clone()).unwrap();
        for (s, e) in need {
            runtime.supply(s as u64, &pack[s..e]);
        }
    }
    panic!("{} did not settle", req.query);
}

#[test]
fn runtime_and_engine_agree() {
    let files = build_index(docs(), &IndexOptions::default()).unwrap();
    let boot = files.get(BOOT_FILE).unwrap();
    let pack = files
        .files
        .iter()
        .find(|(p, _)| p.ends_with(".pack"))
        .unwrap()
        .1
        .clone();

    let site = std::env::temp_dir().join(format!("hindsight-web-native-{}", std::process::id()));
    std::fs::create_dir_all(site.join("search")).unwrap();
    for (p, b) in &files.files {
        std::fs::write(site.join("search").join(p), b).unwrap();
    }
    let native = Engine::open_dir(&site).unwrap();
    // Ranges only from the step loop: a miss outside it would fail.
    let boot_raw = hindsight_search::pack::Boot::decode(boot).unwrap().encode();
    let runtime = Runtime::open(&boot_raw, Box::new(NoSource)).unwrap();

    for q in [
        "connection pool",
        "conection",
        "pool",
        "\"debug flag\"",
        "rollback OR dns",
        "pool -database",
        "severity:SEV1",
        "tag:dns",
        "flga debug",
        "nothing-matches-this",
    ] {
        let req = SearchRequest::new(q).limit(20);
        let a: Vec<String> = native
            .search(&req)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect();
        let resp = drive(&runtime, &req, &pack);
        let b: Vec<String> = resp.hits.into_iter().map(|h| h.id).collect();
        assert_eq!(a, b, "{q}");
    }
    let stats: serde_json::Value = serde_json::from_str(&runtime.stats()).unwrap();
    assert_eq!(stats["sync_requests"], 0);
    let _ = std::fs::remove_dir_all(&site);
}

#[test]
fn with_pack_needs_no_fetching() {
    let files = build_index(docs(), &IndexOptions::default()).unwrap();
    let boot = hindsight_search::pack::Boot::decode(files.get(BOOT_FILE).unwrap())
        .unwrap()
        .encode();
    let pack = files
        .files
        .iter()
        .find(|(p, _)| p.ends_with(".pack"))
        .unwrap()
        .1
        .clone();
    let rt = Runtime::with_pack(&boot, pack).unwrap();
    let out: serde_json::Value =
        serde_json::from_str(&rt.step(r#"{"query": "connection pool"}"#).unwrap()).unwrap();
    assert_eq!(out["done"]["hits"][0]["id"], "INC-1");
    assert!(rt.step("not json").is_err());
}
