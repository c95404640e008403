//! `metrics.json` and the metrics pages of a fixture whose figures were
//! worked out by hand (see the comments in tests/fixtures/metrics/content).

use serde_json::{Value, json};

use crate::support::Site;

/// The fixture, built, and its `metrics.json`.
fn metrics_json() -> (Site, Value) {
    let site = Site::fixture("metrics");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = serde_json::from_str(&site.read("public/metrics.json")).expect("valid JSON");
    (site, json)
}

#[test]
fn quarters_follow_the_fiscal_year_and_skip_long_gaps() {
    let (_, json) = metrics_json();
    let listed: Vec<(&str, &str, &str, u64)> = json["quarters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["quarter"].as_str().unwrap(),
                q["start"].as_str().unwrap(),
                q["end"].as_str().unwrap(),
                q["incidents"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("2024-Q1", "2024-04-01", "2024-06-30", 3),
            ("2024-Q2", "2024-07-01", "2024-09-30", 1),
            ("2024-Q3", "2024-10-01", "2024-12-31", 0),
            ("2024-Q4", "2025-01-01", "2025-03-31", 1),
            ("2026-Q4", "2027-01-01", "2027-03-31", 1),
        ],
        "the draft and the undated incident are in no quarter; seven quiet quarters are left out"
    );
}

#[test]
fn a_quarter_has_every_figure() {
    let (_, json) = metrics_json();
    assert_eq!(
        json["quarters"][0],
        json!({
            "quarter": "2024-Q1",
            "start": "2024-04-01",
            "end": "2024-06-30",
            "incidents": 3,
            "by_severity": {"SEV1": 1, "SEV2": 1, "SEV3": 1, "SEV4": 0},
            "unrated": 0,
            // 120, 90 (duration) and 60 minutes; p90 at rank 1.8 = 90 + 0.8 · 30.
            "mttr_minutes": {"mean": 90.0, "median": 90.0, "p90": 114.0, "n": 3},
            "mttd_minutes": {"mean": 20.0, "median": 20.0, "p90": 20.0, "n": 1},
            "action_items": {"total": 3, "done": 2, "open": 1, "completion_rate": 0.667},
            "repeat_incidents": 1,
            "lessons_learned_again": 0,
            "top_tags": [["database", 2], ["dns", 1]],
            "top_services": [["api", 2], ["web", 1]],
            "top_contributing_factors": [["No failover drill", 2]]
        })
    );
    let quiet = &json["quarters"][2];
    assert_eq!(quiet["mttr_minutes"], Value::Null);
    assert_eq!(
        quiet["action_items"],
        json!({"total": 0, "done": 0, "open": 0, "completion_rate": null})
    );
    let q2 = &json["quarters"][1];
    assert_eq!(
        (q2["unrated"].as_u64(), q2["mttr_minutes"].is_null()),
        (Some(1), true)
    );
    assert_eq!(
        q2["action_items"]["completion_rate"],
        json!(0.0),
        "a won't-do item is not done"
    );
}

#[test]
fn years_sum_their_quarters() {
    let (_, json) = metrics_json();
    let years = json["years"].as_array().unwrap();
    assert_eq!(years.len(), 2);
    let fy2024 = &years[0];
    assert_eq!(
        (
            &fy2024["year"],
            &fy2024["start"],
            &fy2024["end"],
            &fy2024["incidents"]
        ),
        (
            &json!(2024),
            &json!("2024-04-01"),
            &json!("2025-03-31"),
            &json!(5)
        )
    );
    // 45, 60, 90, 120: mean 78.75 → 78.8; median 75; p90 at rank 2.7 = 90 + 0.7 · 30.
    assert_eq!(
        fy2024["mttr_minutes"],
        json!({"mean": 78.8, "median": 75.0, "p90": 111.0, "n": 4})
    );
    assert_eq!(
        fy2024["action_items"],
        json!({"total": 4, "done": 2, "open": 1, "completion_rate": 0.5})
    );
    assert_eq!(
        fy2024["repeat_incidents"],
        json!(2),
        "INC-2 detected, INC-5 declared"
    );
    assert_eq!(years[1]["year"], json!(2026));
}

#[test]
fn every_listed_quarter_has_a_page_and_the_site_links_to_them() {
    let (site, json) = metrics_json();
    for q in json["quarters"].as_array().unwrap() {
        let label = q["quarter"].as_str().unwrap();
        let page = site.read(&format!("public/metrics/{label}/index.html"));
        assert!(page.contains(&format!("<h1>{label}")), "{label}");
    }
    let index = site.read("public/metrics/index.html");
    assert!(index.contains(r#"href="../metrics/2024-Q1/index.html""#));
    assert!(
        index.contains("<svg class=\"chart-svg\""),
        "charts are inline SVG"
    );
    assert!(
        !index.contains("<script>"),
        "charts need no JavaScript (the page only loads the shared search script)"
    );
    let home = site.read("public/index.html");
    assert!(home.contains(r#"href="metrics/index.html""#), "navigation");
    assert!(home.contains("Latest quarter: <a href=\"metrics/2026-Q4/index.html\">2026-Q4</a>"));
    let tag = site.read("public/tags/database/index.html");
    assert!(
        tag.contains("Incidents per quarter"),
        "tag pages show their trend"
    );
    // The quarter page lists the open action item of its incidents.
    let q1 = site.read("public/metrics/2024-Q1/index.html");
    assert!(q1.contains("Document the runbook"));
    assert!(
        !q1.contains("Run a failover drill"),
        "done items are not open"
    );
}

#[test]
fn trend_chart_markup() {
    let (site, _) = metrics_json();
    let page = site.read("public/tags/database/index.html");
    let start = page
        .find(r#"<figure class="chart" id="trend-database">"#)
        .expect("trend chart");
    let end = start + page[start..].find("</figure>").expect("closed") + "</figure>".len();
    insta::assert_snapshot!(&page[start..end]);
}

/// Three quarters of the postmortems-app corpus, counted another way: a Python
/// script over the front matter (quarter of `start_time` in UTC, `end_time −
/// start_time` in minutes, numpy-style percentiles). 169 of the 242
/// postmortems have a start time.
#[test]
fn postmortems_app_metrics_agree_with_an_independent_count() {
    let Some(site) = Site::postmortems_app() else {
        return;
    };
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&site.read("public/metrics.json")).unwrap();
    let quarters = json["quarters"].as_array().unwrap();
    let total: u64 = quarters
        .iter()
        .map(|q| q["incidents"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 169);
    assert_eq!(
        quarters.len(),
        75,
        "64 with incidents and 11 quiet ones in short gaps"
    );
    assert_eq!(quarters[0]["quarter"], json!("1628-Q3"));
    assert_eq!(json["years"].as_array().unwrap().len(), 28);
    let quarter = |label: &str| {
        quarters
            .iter()
            .find(|q| q["quarter"] == json!(label))
            .unwrap_or_else(|| panic!("{label} is listed"))
    };
    for (label, incidents, mttr) in [
        (
            "2017-Q1",
            12,
            json!({"mean": 1208.6, "median": 316.0, "p90": 4351.0, "n": 11}),
        ),
        (
            "2021-Q4",
            8,
            json!({"mean": 980.5, "median": 343.5, "p90": 2574.0, "n": 8}),
        ),
        (
            "2024-Q3",
            4,
            json!({"mean": 423.0, "median": 245.0, "p90": 939.8, "n": 4}),
        ),
    ] {
        let q = quarter(label);
        assert_eq!(q["incidents"], json!(incidents), "{label}");
        assert_eq!(q["mttr_minutes"], mttr, "{label}");
        assert_eq!(
            q["mttd_minutes"],
            Value::Null,
            "the corpus has no detection times"
        );
    }
}
