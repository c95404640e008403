mod common;

use common::{docs, open, scratch_dir};
use hindsight_search::{DocKind, Engine, IndexOptions, SearchRequest, SearchResponse, build_index};

fn search(engine: &Engine, q: &str) -> SearchResponse {
    engine.search(&SearchRequest::new(q).limit(20)).unwrap()
}

fn ids(r: &SearchResponse) -> Vec<&str> {
    r.hits.iter().map(|h| h.id.as_str()).collect()
}

fn engine() -> Engine {
    open(&build_index(docs(), &IndexOptions::default()).unwrap())
}

#[test]
fn build_is_deterministic() {
    let a = build_index(docs(), &IndexOptions::default()).unwrap();
    let b = build_index(docs(), &IndexOptions::default()).unwrap();
    assert_eq!(a, b);
    let names: Vec<&str> = a.files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(names.len(), 2);
    assert!(
        names[0].starts_with("index-") && names[0].ends_with(".pack"),
        "{names:?}"
    );
    assert_eq!(names[1], "index.boot");
    // Different content, different pack name.
    let mut d = docs();
    d[0].title.push_str(" again");
    let c = build_index(d, &IndexOptions::default()).unwrap();
    assert_ne!(c.files[0].0, a.files[0].0);
}

#[test]
fn words_rank_the_right_incident_first() {
    let e = engine();
    let r = search(&e, "connection pool");
    assert_eq!(r.hits[0].id, "INC-2024-001");
    assert!(!r.fuzzy);
    // Fewer than a page match both words: those matching one follow.
    assert!(r.relaxed && r.complete >= 1 && r.total > r.complete);
    let r = search(&e, "rollback debug flag");
    assert_eq!(r.hits[0].id, "INC-2024-002");
    let r = search(&e, "certificate expired");
    assert_eq!(r.hits[0].id, "INC-2022-003");
    // Ids are searchable.
    assert_eq!(search(&e, "INC-2023-011").hits[0].id, "INC-2023-011");
}

#[test]
fn hits_carry_what_the_ui_shows() {
    let e = engine();
    let r = search(&e, "connection pool");
    let h = &r.hits[0];
    assert_eq!(h.kind, DocKind::Incident);
    assert_eq!(h.title, "Checkout database connection pool exhausted");
    assert_eq!(h.url, "incidents/inc-2024-001/index.html");
    assert_eq!(h.severity.as_deref(), Some("SEV1"));
    assert_eq!(h.severity_rank, Some(1));
    assert_eq!(h.date.as_deref(), Some("2024-02-10"));
    assert!(h.score > 0.0);
    assert!(
        h.snippet_html
            .contains("<mark>connection</mark> <mark>pool</mark>"),
        "{}",
        h.snippet_html
    );
}

#[test]
fn lessons_are_found_on_their_own() {
    let e = engine();
    let r = search(&e, "saturation");
    assert_eq!(ids(&r), ["INC-2024-001#lesson-2", "INC-2024-001"]);
    let h = &r.hits[0];
    assert_eq!(h.kind, DocKind::Lesson);
    assert_eq!(h.url, "incidents/inc-2024-001/index.html#lesson-2");
    assert_eq!(
        h.parent_title.as_deref(),
        Some("Checkout database connection pool exhausted")
    );
    assert_eq!(
        h.snippet_html,
        "Alert on pool <mark>saturation</mark> before it reaches 100%."
    );
    // kind: filter.
    let r = search(&e, "pool kind:lesson");
    assert!(
        r.hits.iter().all(|h| h.kind == DocKind::Lesson) && r.total == 2,
        "{:?}",
        ids(&r)
    );
}

#[test]
fn misspelt_words_fall_back_to_fuzzy() {
    let e = engine();
    let r = search(&e, "conection pool");
    assert!(r.fuzzy);
    assert_eq!(r.hits[0].id, "INC-2024-001");
    assert_eq!(r.suggestion.as_deref(), Some("connection pool"));
    assert!(
        r.hits[0].snippet_html.contains("<mark>connection</mark>"),
        "{}",
        r.hits[0].snippet_html
    );
    let r = search(&e, "rollbakc");
    assert!(r.fuzzy);
    assert_eq!(r.hits[0].id, "INC-2024-002");
    let r = search(&e, "certficate");
    assert_eq!(r.hits[0].id, "INC-2022-003");
    // The suggestion spells words as the results do, never as stems.
    assert_eq!(r.suggestion.as_deref(), Some("certificate"));
    // Exact results do not expand.
    assert!(!search(&e, "rollback").fuzzy);
}

#[test]
fn unfinished_last_word_completes() {
    let e = engine();
    let r = search(&e, "stamp");
    assert!(r.fuzzy);
    assert_eq!(r.hits[0].id, "INC-2023-011");
    // Not when the word is finished (followed by a space).
    let r = search(&e, "stamp ");
    assert_eq!(r.total, 0);
}

#[test]
fn phrases_and_exclusions() {
    let e = engine();
    let r = search(&e, "\"debug flag\"");
    assert_eq!(r.hits[0].id, "INC-2024-002");
    assert!(r.hits.iter().all(|h| h.id.starts_with("INC-2024-002")));
    let r = search(&e, "\"flag debug\"");
    assert_eq!(r.total, 0);
    let all = search(&e, "minutes");
    let some = search(&e, "minutes -dns");
    assert!(all.hits.iter().any(|h| h.id == "INC-2023-010"));
    assert!(!some.hits.iter().any(|h| h.id == "INC-2023-010"));
    assert_eq!(some.total + 1, all.total);
    let r = search(&e, "pool OR certificate");
    assert!(ids(&r).contains(&"INC-2024-001") && ids(&r).contains(&"INC-2022-003"));
    let r = search(&e, "title:pool");
    assert_eq!(ids(&r), ["INC-2024-001"]);
}

#[test]
fn filters_in_query_and_request() {
    let e = engine();
    let sev1 = search(&e, "severity:sev1");
    let mut got = ids(&sev1);
    got.sort();
    assert_eq!(
        got,
        [
            "INC-2023-010",
            "INC-2023-010#lesson-1",
            "INC-2024-001",
            "INC-2024-001#lesson-1",
            "INC-2024-001#lesson-2"
        ]
    );
    let r = search(&e, "minutes year:2023");
    assert_eq!(ids(&r), ["INC-2023-010"]);
    let r = search(&e, "quarter:2024-Q2");
    assert_eq!(r.total, 2);
    let r = search(&e, "service:payments tag:tls kind:incident");
    assert_eq!(ids(&r), ["INC-2022-003"]);
    let r = e
        .search(
            &SearchRequest::new("minutes")
                .filter("severity", "SEV1")
                .filter("severity", "SEV2"),
        )
        .unwrap();
    let mut got = ids(&r);
    got.sort();
    assert_eq!(
        got,
        [
            "INC-2022-003",
            "INC-2023-010",
            "INC-2024-001",
            "INC-2024-002"
        ]
    );
    let r = e
        .search(&SearchRequest::new("").filter("tag", "database"))
        .unwrap();
    assert_eq!(r.total, 3);
    assert!(
        e.search(&SearchRequest::new("x").filter("color", "red"))
            .is_err()
    );
}

#[test]
fn facets_count_matching_documents() {
    let e = engine();
    let r = search(&e, "minutes");
    let f = &r.facets;
    let sev: Vec<(&str, &str, usize)> = f
        .severity
        .iter()
        .map(|c| (c.value.as_str(), c.label.as_str(), c.count))
        .collect();
    assert_eq!(sev, [("sev1", "SEV1", 2), ("sev2", "SEV2", 2)]);
    let years: Vec<(&str, usize)> = f.year.iter().map(|c| (c.value.as_str(), c.count)).collect();
    assert_eq!(years, [("2024", 2), ("2023", 1), ("2022", 1)]);
    assert_eq!(f.kind.len(), 1);
    assert_eq!((f.kind[0].value.as_str(), f.kind[0].count), ("incident", 4));
    assert!(
        f.tag
            .iter()
            .any(|c| c.value == "connection-pool" && c.count == 1)
    );
    assert_eq!(f.service.iter().map(|c| c.count).sum::<usize>(), 5);
}

#[test]
fn nothing_found_and_nothing_asked() {
    let e = engine();
    let r = search(&e, "kubernetes");
    assert_eq!((r.total, r.hits.len(), r.fuzzy), (0, 0, false));
    assert_eq!(search(&e, "   ").total, 0);
    assert_eq!(search(&e, "-pool").total, 11 - 3);
}

#[test]
fn every_word_or_some_words() {
    let e = engine();
    // No document has both; relaxed to either.
    let r = search(&e, "stampede certificate");
    assert!(r.relaxed);
    let mut got = ids(&r);
    got.sort();
    assert_eq!(
        got,
        ["INC-2022-003", "INC-2022-003#lesson-1", "INC-2023-011"]
    );
}

#[test]
fn limit_and_offset() {
    let e = engine();
    let all = search(&e, "minutes");
    let page = e
        .search(&SearchRequest {
            offset: 1,
            limit: 2,
            ..SearchRequest::new("minutes")
        })
        .unwrap();
    assert_eq!(ids(&page), ids(&all)[1..3]);
    assert_eq!(page.total, all.total);
}

#[test]
fn reads_only_what_a_query_needs() {
    let files = build_index(docs(), &IndexOptions::default()).unwrap();
    let e = open(&files);
    let (r, rounds) = e
        .search_counting(&SearchRequest::new("connection pool"))
        .unwrap();
    assert_eq!(r.hits[0].id, "INC-2024-001");
    // Dictionary entries with their postings (bundles), then the hits.
    assert_eq!(rounds, 2);
    let first = e.fetch_stats();
    assert_eq!(first.sync_requests, 0, "{first:?}");
    // The same query again reads nothing new.
    let (_, rounds) = e
        .search_counting(&SearchRequest::new("connection pool"))
        .unwrap();
    assert_eq!((rounds, e.fetch_stats()), (0, first));
}

#[test]
fn a_query_takes_two_rounds_a_misspelt_word_at_most_four() {
    let files = build_index(docs(), &IndexOptions::default()).unwrap();
    for (query, most) in [
        ("rollback", 2),
        ("\"connection pool\"", 2),
        ("pool -redis", 2),
        ("conection", 4),
    ] {
        // A new engine each time: nothing of the pack fetched yet.
        let e = open(&files);
        let (r, rounds) = e.search_counting(&SearchRequest::new(query)).unwrap();
        assert!(!r.hits.is_empty(), "{query}: no hits");
        assert!(rounds <= most, "{query}: {rounds} rounds");
        assert_eq!(e.fetch_stats().sync_requests, 0, "{query}");
    }
}

#[test]
fn open_dir_reads_a_built_site() {
    let files = build_index(docs(), &IndexOptions::default()).unwrap();
    let dir = scratch_dir("open-dir");
    std::fs::create_dir_all(dir.join("search")).unwrap();
    for (p, b) in &files.files {
        std::fs::write(dir.join("search").join(p), b).unwrap();
    }
    let e = Engine::open_dir(&dir).unwrap();
    assert_eq!(search(&e, "rollback").hits[0].id, "INC-2024-002");
    assert_eq!(e.num_docs(), 11);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(Engine::open_dir(&dir).is_err());
}

#[test]
fn offline_bundle_has_both_scripts() {
    let files = build_index(docs(), &IndexOptions::default()).unwrap();
    let bundle = hindsight_search::offline_bundle(&files);
    let names: Vec<&str> = bundle.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        names,
        ["offline/search-index.js", "offline/search-runtime.js"]
    );
    let idx = String::from_utf8(bundle[0].1.clone()).unwrap();
    assert!(
        idx.starts_with("self.hindsightOfflineIndex = {\"boot\": \"H4sI"),
        "{}",
        &idx[..60]
    );
}

#[test]
fn empty_index_answers_nothing() {
    let e = open(&build_index(Vec::new(), &IndexOptions::default()).unwrap());
    assert_eq!(search(&e, "anything").total, 0);
}

#[test]
fn inflections_are_one_word() {
    let e = engine();
    // "expired" in the text, "expiring" in the query: one stem.
    let r = search(&e, "certificates expiring");
    assert_eq!(r.hits[0].id, "INC-2022-003");
    assert!(
        r.hits[0].snippet_html.contains("<mark>expired</mark>"),
        "{}",
        r.hits[0].snippet_html
    );
}

#[test]
fn common_words_neither_rank_nor_highlight() {
    let e = engine();
    // "what", "when" and "the" are optional: the certificate incident has
    // every word that counts.
    let r = search(&e, "what was it when the certificate expired");
    assert_eq!(r.hits[0].id, "INC-2022-003");
    assert!(r.complete >= 1);
    // "happens" counts, and no document has it: partial matches, same order.
    let r = search(&e, "what happens when the certificate expired");
    assert_eq!(r.hits[0].id, "INC-2022-003");
    assert_eq!(r.complete, 0);
    assert!(
        !r.hits[0].snippet_html.contains("<mark>the</mark>"),
        "{}",
        r.hits[0].snippet_html
    );
    // Alone, common words are searched.
    assert!(search(&e, "when").total > 0);
}

#[test]
fn synonyms_find_each_other() {
    let e = engine();
    // The default list: `db` is `database`.
    assert_eq!(search(&e, "db pool").hits[0].id, "INC-2024-001");
    // A site's own list travels in the index.
    let options = IndexOptions {
        synonyms: vec![vec!["herd".into(), "stampede".into()]],
    };
    let e = open(&build_index(docs(), &options).unwrap());
    let r = search(&e, "herd");
    assert_eq!(r.hits[0].id, "INC-2023-011");
    assert!(!r.fuzzy);
    assert_eq!(search(&e, "db").total, 0, "defaults replaced");
}

#[test]
fn tags_match_whole_not_as_text() {
    let e = engine();
    // `network` is only a tag of the DNS incident, never in its text.
    // (Its lesson carries the incident's tags, so it is found too.)
    let r = search(&e, "network");
    assert_eq!(ids(&r), ["INC-2023-010", "INC-2023-010#lesson-1"]);
    // Part of a tag (`feature-flags`) finds nothing through it.
    assert!(!ids(&search(&e, "feature")).contains(&"INC-2024-002"));
    // A whole tag counts as the word being there.
    let r = search(&e, "network outage");
    assert_eq!(r.hits[0].id, "INC-2023-010");
    assert_eq!(r.complete, 1);
}

#[test]
fn a_chosen_filter_keeps_its_own_counts() {
    let e = engine();
    let r = e
        .search(&SearchRequest::new("minutes").filter("severity", "SEV1"))
        .unwrap();
    assert!(r.hits.iter().all(|h| h.severity.as_deref() == Some("SEV1")));
    let sev: Vec<(&str, usize)> = r
        .facets
        .severity
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    assert_eq!(sev, [("sev1", 2), ("sev2", 2)]);
    // Other facets are narrowed by it.
    assert_eq!(r.facets.kind.iter().map(|c| c.count).sum::<usize>(), 2);
}
