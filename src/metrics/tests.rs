//! Every figure against values computed by hand.

use jiff::civil::date;

use super::stats::Minutes;
use super::*;
use crate::config::Config;
use crate::link::{Scope, link};
use crate::load::SourceFile;

fn kb(config_yaml: &str, postmortems: &[&str]) -> Kb {
    kb_on(date(2026, 6, 1), config_yaml, postmortems)
}

/// The knowledge base as seen on `now` (which picks the current quarter).
fn kb_on(now: Date, config_yaml: &str, postmortems: &[&str]) -> Kb {
    let config = Config::parse(config_yaml).expect("valid config");
    let incidents = postmortems
        .iter()
        .enumerate()
        .map(|(n, front_matter)| {
            let (incident, diagnostics) = crate::incident::parse_incident(
                &SourceFile {
                    path: format!("content/{n}.md"),
                    text: format!("---\n{front_matter}\n---\nBody.\n"),
                },
                &config,
            );
            assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
            incident.expect("valid incident")
        })
        .collect();
    let scope = Scope {
        drafts: false,
        include_internal: false,
        now,
    };
    let (kb, diagnostics) = link(incidents, config, scope, None);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    kb
}

fn labels(metrics: &Metrics) -> Vec<String> {
    metrics.quarters.iter().map(|q| q.quarter.label()).collect()
}

fn quarter<'a>(metrics: &'a Metrics, label: &str) -> &'a Figures {
    &metrics
        .quarters
        .iter()
        .find(|q| q.quarter.label() == label)
        .unwrap_or_else(|| panic!("{label} is listed"))
        .figures
}

fn stats(mean: f64, median: f64, p90: f64, n: usize) -> Option<DurationStats> {
    Some(DurationStats {
        mean: Minutes::rounded(mean),
        median: Minutes::rounded(median),
        p90: Minutes::rounded(p90),
        n,
    })
}

fn pairs(list: &[(&str, usize)]) -> Vec<(String, usize)> {
    list.iter().map(|(s, n)| (s.to_string(), *n)).collect()
}

fn ranked(list: &[Ranked]) -> Vec<(String, usize)> {
    list.iter().map(|r| (r.name.clone(), r.count)).collect()
}

const SITE: &[&str] = &[
    // 2024-Q1
    "id: A\ntitle: A\nseverity: SEV1\nstarted: 2024-01-10 10:00\ndetected: 2024-01-10 10:15\nresolved: 2024-01-10 12:00\ntags: [Database]\nservices: [api]\ncontributing_factors: [Missing alert, No load test]\naction_items:\n  - {title: a1, status: done}\n  - {title: a2, status: open}",
    // 45 minutes by `duration`; a detected repeat of A (22 days later, same service and tag).
    "id: B\ntitle: B\nseverity: P2\nstarted: 2024-02-01 09:00\nduration: 45m\ntags: [database]\nservices: [api]\ncontributing_factors: [missing  ALERT]\naction_items:\n  - {title: b1, status: wont-do}\n  - {title: b2, status: in-progress}",
    // No start time: the quarter comes from `date`, no durations.
    "id: C\ntitle: C\nseverity: Medium\ndate: 2024-03-15\ntags: [dns]\nservices: [web]",
    // 2024-Q2: 109 days after B, outside the 90-day repeat window.
    "id: D\ntitle: D\nseverity: SEV1\nstarted: 2024-05-20 08:00:00\ndetected: 2024-05-20 08:05:00\nresolved: 2024-05-20 08:30:20\ntags: [database]\nservices: [api]",
    // 2024-Q3 is quiet. 2024-Q4: a declared repeat without a severity.
    "id: E\ntitle: E\nstarted: 2024-10-02 00:00\nrepeat_of: A\naction_items:\n  - {title: e1, status: done}",
    // 2025 is quiet (four quarters: listed); 2026-Q2 … 2027-Q2 (five: left out).
    "id: F\ntitle: F\nseverity: SEV4\nstarted: 2026-01-05 12:00",
    "id: G\ntitle: G\nseverity: SEV4\nstarted: 2027-07-01 12:00",
    // No date at all: published, but in no quarter.
    "id: H\ntitle: H\nseverity: SEV1",
];

#[test]
fn quarters_with_incidents_and_short_quiet_gaps_are_listed() {
    let metrics = compute(&kb("", SITE));
    assert_eq!(
        labels(&metrics),
        [
            "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4",
            "2026-Q1", "2027-Q3"
        ]
    );
    let years: Vec<i16> = metrics.years.iter().map(|y| y.year).collect();
    assert_eq!(years, [2024, 2025, 2026, 2027]);
    let total: usize = metrics.quarters.iter().map(|q| q.figures.incidents).sum();
    assert_eq!(total, 7, "the undated incident H is in no quarter");
    let q2 = &metrics.quarters[1];
    assert_eq!((q2.start, q2.end), (date(2024, 4, 1), date(2024, 6, 30)));
}

#[test]
fn quarter_figures() {
    let metrics = compute(&kb("", SITE));
    let q1 = quarter(&metrics, "2024-Q1");
    assert_eq!(q1.incidents, 3);
    assert_eq!(
        q1.by_severity,
        SeverityCounts(pairs(&[("SEV1", 1), ("SEV2", 1), ("SEV3", 1), ("SEV4", 0)]))
    );
    assert_eq!(q1.unrated, 0);
    // A: 120 min from timestamps, B: 45 min from `duration`, C: unknown.
    // p90: rank 0.9 between 45 and 120 → 45 + 0.9 · 75 = 112.5.
    assert_eq!(q1.mttr_minutes, stats(82.5, 82.5, 112.5, 2));
    // Only A has `detected`.
    assert_eq!(q1.mttd_minutes, stats(15.0, 15.0, 15.0, 1));
    assert_eq!(
        q1.action_items,
        ActionItemCounts {
            total: 4,
            done: 1,
            open: 2,
            completion_rate: Some(0.25)
        }
    );
    assert_eq!(q1.repeat_incidents, 1, "B repeats A");
    // Tags are named as on their pages (as written by the newest incident).
    assert_eq!(ranked(&q1.top_tags), pairs(&[("database", 2), ("dns", 1)]));
    assert_eq!(q1.top_tags[0].slug.as_deref(), Some("database"));
    assert_eq!(ranked(&q1.top_services), pairs(&[("api", 2), ("web", 1)]));
    assert_eq!(
        ranked(&q1.top_contributing_factors),
        pairs(&[("Missing alert", 2), ("No load test", 1)]),
        "factors compare case- and space-insensitively"
    );
    assert_eq!(q1.members.len(), 3);

    let q2 = quarter(&metrics, "2024-Q2");
    // 30 min 20 s → 30.3.
    assert_eq!(q2.mttr_minutes, stats(30.3, 30.3, 30.3, 1));
    assert_eq!(q2.mttd_minutes, stats(5.0, 5.0, 5.0, 1));
    assert_eq!(q2.repeat_incidents, 0, "D is 109 days after B");

    let q4 = quarter(&metrics, "2024-Q4");
    assert_eq!((q4.incidents, q4.unrated, q4.repeat_incidents), (1, 1, 1));
    assert_eq!(q4.mttr_minutes, None);
    assert_eq!(q4.action_items.completion_rate, Some(1.0));
}

#[test]
fn a_quiet_quarter_has_zeros_and_nulls() {
    let kb = kb("", SITE);
    let metrics = compute(&kb);
    let q3 = quarter(&metrics, "2024-Q3");
    assert_eq!(*q3, quiet_figures(&kb));
    assert_eq!(
        *q3,
        Figures {
            incidents: 0,
            by_severity: SeverityCounts(pairs(&[
                ("SEV1", 0),
                ("SEV2", 0),
                ("SEV3", 0),
                ("SEV4", 0)
            ])),
            unrated: 0,
            mttr_minutes: None,
            mttd_minutes: None,
            action_items: ActionItemCounts {
                total: 0,
                done: 0,
                open: 0,
                completion_rate: None
            },
            repeat_incidents: 0,
            lessons_learned_again: 0,
            top_tags: vec![],
            top_services: vec![],
            top_contributing_factors: vec![],
            members: vec![],
        }
    );
}

#[test]
fn year_figures() {
    let metrics = compute(&kb("", SITE));
    let year = &metrics.year(2024).unwrap();
    assert_eq!(
        (year.start, year.end),
        (date(2024, 1, 1), date(2024, 12, 31))
    );
    let f = &year.figures;
    assert_eq!(f.incidents, 5);
    // 30.33, 45, 120: mean 65.1; median 45; p90 rank 1.8 → 45 + 0.8 · 75 = 105.
    assert_eq!(f.mttr_minutes, stats(65.1, 45.0, 105.0, 3));
    // 5 and 15.
    assert_eq!(f.mttd_minutes, stats(10.0, 10.0, 14.0, 2));
    assert_eq!(
        f.action_items,
        ActionItemCounts {
            total: 5,
            done: 2,
            open: 2,
            completion_rate: Some(0.4)
        }
    );
    assert_eq!(f.repeat_incidents, 2, "B detected, E declared");
    assert_eq!((f.unrated, f.top_tags[0].count), (1, 3));
    let quiet = &metrics.year(2025).unwrap().figures;
    assert_eq!((quiet.incidents, quiet.mttr_minutes), (0, None));
}

#[test]
fn completion_rate_rounds_to_three_decimals() {
    let metrics = compute(&kb(
        "",
        &[
            "id: A\ntitle: A\ndate: 2024-01-01\naction_items:\n  - {title: x, status: done}\n  - {title: y, status: done}\n  - {title: z}",
        ],
    ));
    assert_eq!(
        metrics.quarters[0].figures.action_items.completion_rate,
        Some(0.667)
    );
}

#[test]
fn the_repeat_window_is_configurable() {
    // With 120 days, D (109 days after B) is a repeat.
    let metrics = compute(&kb("repeat_window_days: 120", SITE));
    assert_eq!(quarter(&metrics, "2024-Q2").repeat_incidents, 1);
}

#[test]
fn fiscal_years_starting_in_february() {
    let metrics = compute(&kb_on(
        date(2025, 1, 20),
        "fiscal_year_start_month: 2",
        &[
            "id: A\ntitle: A\nstarted: 2024-01-31 12:00",
            "id: B\ntitle: B\nstarted: 2024-02-01 00:00",
            "id: C\ntitle: C\ndate: 2025-01-15",
        ],
    ));
    assert_eq!(
        labels(&metrics),
        ["2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    );
    let q4 = &metrics.quarters[4];
    assert_eq!((q4.start, q4.end), (date(2024, 11, 1), date(2025, 1, 31)));
    assert_eq!(q4.figures.incidents, 1);
    let fy: Vec<_> = metrics
        .years
        .iter()
        .map(|y| (y.year, y.start, y.end, y.figures.incidents))
        .collect();
    assert_eq!(
        fy,
        [
            (2023, date(2023, 2, 1), date(2024, 1, 31), 1),
            (2024, date(2024, 2, 1), date(2025, 1, 31), 2)
        ]
    );
}

#[test]
fn quarters_follow_the_configured_time_zone() {
    // 23:30 on 31 March in UTC−5 is 04:30 on 1 April in UTC.
    let incident = ["id: A\ntitle: A\nstarted: 2024-03-31T23:30:00-05:00"];
    let kb = |config| kb_on(date(2024, 3, 31), config, &incident);
    let utc = compute(&kb("timezone: UTC"));
    assert_eq!(labels(&utc), ["2024-Q2"]);
    let new_york = compute(&kb("timezone: \"-05:00\""));
    assert_eq!(labels(&new_york), ["2024-Q1"]);
    // A time without an offset is read in the configured zone.
    let local = compute(&kb_on(
        date(2024, 3, 31),
        "timezone: America/New_York",
        &["id: A\ntitle: A\nstarted: 2024-03-31 23:30"],
    ));
    assert_eq!(labels(&local), ["2024-Q1"]);
}

#[test]
fn counts_by_quarter_for_a_trend() {
    let kb = kb("", SITE);
    let metrics = compute(&kb);
    let window: Vec<Quarter> = metrics.quarters.iter().take(4).map(|q| q.quarter).collect();
    let database = &kb.tags[0];
    assert_eq!(database.label.slug, "database");
    assert_eq!(
        Metrics::counts_by_quarter(&kb, &database.incidents, &window),
        [2, 1, 0, 0]
    );
}

#[test]
fn serialises_to_the_metrics_json_schema() {
    let metrics = compute(&kb_on(date(2024, 3, 31), "", &SITE[..3]));
    let json = serde_json::to_value(&metrics).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "quarters": [{
                "quarter": "2024-Q1",
                "start": "2024-01-01",
                "end": "2024-03-31",
                "incidents": 3,
                "by_severity": {"SEV1": 1, "SEV2": 1, "SEV3": 1, "SEV4": 0},
                "unrated": 0,
                "mttr_minutes": {"mean": 82.5, "median": 82.5, "p90": 112.5, "n": 2},
                "mttd_minutes": {"mean": 15.0, "median": 15.0, "p90": 15.0, "n": 1},
                "action_items": {"total": 4, "done": 1, "open": 2, "completion_rate": 0.25},
                "repeat_incidents": 1,
                "lessons_learned_again": 0,
                "top_tags": [["database", 2], ["dns", 1]],
                "top_services": [["api", 2], ["web", 1]],
                "top_contributing_factors": [["Missing alert", 2], ["No load test", 1]]
            }],
            "years": [{
                "year": 2024,
                "start": "2024-01-01",
                "end": "2024-12-31",
                "incidents": 3,
                "by_severity": {"SEV1": 1, "SEV2": 1, "SEV3": 1, "SEV4": 0},
                "unrated": 0,
                "mttr_minutes": {"mean": 82.5, "median": 82.5, "p90": 112.5, "n": 2},
                "mttd_minutes": {"mean": 15.0, "median": 15.0, "p90": 15.0, "n": 1},
                "action_items": {"total": 4, "done": 1, "open": 2, "completion_rate": 0.25},
                "repeat_incidents": 1,
                "lessons_learned_again": 0,
                "top_tags": [["database", 2], ["dns", 1]],
                "top_services": [["api", 2], ["web", 1]],
                "top_contributing_factors": [["Missing alert", 2], ["No load test", 1]]
            }]
        })
    );
    let text = serde_json::to_string(&metrics.quarters[0].figures.by_severity).unwrap();
    assert_eq!(
        text, r#"{"SEV1":1,"SEV2":1,"SEV3":1,"SEV4":0}"#,
        "scale order"
    );
}

#[test]
fn the_current_quarter_is_listed_even_when_quiet() {
    let incidents = [
        "id: A\ntitle: A\ndate: 2024-02-10",
        "id: B\ntitle: B\ndate: 2024-05-10",
    ];
    let on = |now| labels(&compute(&kb_on(now, "", &incidents)));
    // Two quiet quarters up to today are listed with zeros...
    assert_eq!(
        on(date(2024, 12, 1)),
        ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    );
    // ...a long quiet gap is left out, but today's quarter is still there...
    assert_eq!(on(date(2026, 6, 1)), ["2024-Q1", "2024-Q2", "2026-Q2"]);
    // ...and incidents dated after today keep their quarters.
    assert_eq!(on(date(2024, 1, 5)), ["2024-Q1", "2024-Q2"]);
    let metrics = compute(&kb_on(date(2024, 12, 1), "", &incidents));
    let today = metrics.quarters.last().unwrap();
    assert_eq!(
        (today.figures.incidents, today.figures.action_items.total),
        (0, 0)
    );
    assert_eq!(metrics.years.len(), 1);
}
