//! What pages show, in the built HTML: an unknown field holding a web
//! address is a (safe) link; "Referenced by" names each incident once; lists
//! of severities have no stray separators.

use crate::support::Site;

#[test]
fn an_unknown_field_holding_a_web_address_is_a_link() {
    let site = Site::empty();
    site.write(
        "content/INC-1.md",
        "---\nid: INC-1\ntitle: Links\ndate: 2025-01-02\nrunbook: https://wiki.example.com/runbooks/db?a=1&b=\"2\"\nscript: javascript:alert(1)\nticket: https://tickets.example.com/a b\nplain: just text\n---\nBody.\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = site.read("public/incidents/inc-1/index.html");
    assert!(
        page.contains(r#"<a class="url" href="https://wiki.example.com/runbooks/db?a=1&amp;b=&quot;2&quot;" rel="nofollow noopener">https://wiki.example.com/runbooks/db?a=1&amp;b=&quot;2&quot;</a>"#),
        "{page}"
    );
    assert!(!page.contains(r#"href="javascript"#), "{page}");
    assert!(page.contains("<dd>javascript:alert(1)</dd>"), "{page}");
    assert!(
        page.contains("<dd>https://tickets.example.com/a b</dd>"),
        "{page}"
    );
    assert!(page.contains("<dd>just text</dd>"), "{page}");
}

#[test]
fn referenced_by_names_each_incident_once() {
    let site = Site::bundled();
    assert_eq!(site.build(&[]).code, 0);
    let heading = r#"<h2 id="backlinks-title">Referenced by</h2>"#;
    let item = regex::Regex::new(r#"<li><a href="[^"]*">[^<]*</a> <span class="muted">([^ ]+) ·"#)
        .unwrap();
    let mut lists = 0;
    for (path, bytes) in site.files("public/incidents") {
        let html = String::from_utf8(bytes).unwrap();
        let Some(section) = html.split(heading).nth(1) else {
            continue;
        };
        let list = section.split("</ul>").next().unwrap();
        let ids: Vec<&str> = item
            .captures_iter(list)
            .map(|c| c.get(1).unwrap().as_str())
            .collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(ids.len(), unique.len(), "{path}: {ids:?}");
        lists += 1;
    }
    // The bundled content has repeats that also link to what they repeat.
    assert!(lists >= 4, "{lists}");
}

#[test]
fn severity_counts_have_no_stray_separators() {
    let site = Site::bundled();
    assert_eq!(site.build(&[]).code, 0);
    let mut quarters = 0;
    for (path, bytes) in site.files("public/metrics") {
        let html = String::from_utf8(bytes).unwrap();
        for detail in html.split(r#"<dd class="stat-detail dot-list">"#).skip(1) {
            let detail = detail.split("</dd>").next().unwrap();
            assert!(
                !detail.contains('·'),
                "{path}: separators come from CSS: {detail}"
            );
            assert!(!detail.contains("<span></span>"), "{path}: {detail}");
            quarters += 1;
        }
    }
    assert!(quarters > 5, "{quarters}");
}

/// The bundled site in December 2026: its last incidents are from 2026-Q2.
fn bundled_in_december() -> Site {
    let site = Site::bundled();
    let run = site.run(&["build", "--now", "2026-12-07"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    site
}

/// The text of `html` without tags, spaces collapsed.
fn text(html: &str) -> String {
    let tags = regex::Regex::new(r"<[^>]+>").unwrap();
    tags.replace_all(html, " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_headline_is_the_current_quarter_even_without_incidents() {
    let site = bundled_in_december();
    let home = site.read("public/index.html");
    let headline = home.split(r#"<section class="headline""#).nth(1).unwrap();
    let headline =
        text(&headline[headline.find('>').unwrap() + 1..headline.find("</section>").unwrap()]);
    assert!(
        headline.starts_with(
            "This quarter: 2026-Q4 in progress Oct – Dec 2026 Incidents 0 no change vs 2026-Q3 (0)"
        ),
        "{headline}"
    );
    // The quiet quarters are listed, with pages and rows of their own.
    let metrics: serde_json::Value =
        serde_json::from_str(&site.read("public/metrics.json")).unwrap();
    let quarters: Vec<&str> = metrics["quarters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["quarter"].as_str().unwrap())
        .collect();
    assert_eq!(
        quarters[quarters.len() - 3..],
        ["2026-Q2", "2026-Q3", "2026-Q4"]
    );
    assert!(site.exists("public/metrics/2026-Q4/index.html"));
    // Built in the past (January 2026), the latest quarter with incidents leads.
    assert_eq!(site.build(&[]).code, 0);
    let home = site.read("public/index.html");
    assert!(
        home.contains(r#"<h2 id="headline-title">Latest quarter: <a href="metrics/2026-Q2/index.html">2026-Q2</a>"#),
        "{home}"
    );
}

#[test]
fn small_samples_are_flagged_and_their_changes_never_coloured() {
    let site = bundled_in_december();
    // 2026-Q2: one incident, 1 of 3 action items done.
    let page = site.read("public/metrics/2026-Q2/index.html");
    let stats = text(page.split(r#"<dl class="stats">"#).nth(1).unwrap());
    assert!(
        stats.contains("Action items completed 33%* 1 of 3 done · 2 open"),
        "{stats}"
    );
    let row = page
        .split("<th scope=\"row\">Action items completed</th>")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains(">33%*<"), "{row}");
    assert_eq!(row.matches("delta delta-unclear").count(), 2, "{row}");
    assert!(
        !row.contains("delta-better") && !row.contains("delta-worse"),
        "{row}"
    );
    assert!(page.contains("a change between small samples is not coloured"));
    // No coloured change anywhere has a small sample on either side.
    for (path, bytes) in site.files("public") {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for row in html
            .split("<tr")
            .filter(|r| r.contains("delta-better") || r.contains("delta-worse"))
        {
            let row = row.split("</tr>").next().unwrap();
            let row_head = row.split("</th>").next().unwrap_or("");
            // Counts are not samples; a year's change is of its incidents.
            if ["Incidents", "SEV", "Repeat", "period-note"]
                .iter()
                .any(|w| row_head.contains(w))
            {
                continue;
            }
            assert!(
                !row.contains("*<") || row.contains("delta-unclear"),
                "{path}: a coloured change next to a small sample: {row}"
            );
        }
    }
}

#[test]
fn the_quarter_table_is_exported_as_csv() {
    let site = bundled_in_december();
    let csv = site.read("public/metrics.csv");
    let metrics: serde_json::Value =
        serde_json::from_str(&site.read("public/metrics.json")).unwrap();
    let quarters = metrics["quarters"].as_array().unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), quarters.len() + 1);
    assert!(
        lines[0].starts_with(
            "quarter,start,end,incidents,SEV1,SEV2,SEV3,SEV4,unrated,ttr_median_minutes,"
        ),
        "{}",
        lines[0]
    );
    let header: Vec<&str> = lines[0].split(',').collect();
    for (line, q) in lines[1..].iter().zip(quarters) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), header.len(), "{line}");
        assert_eq!(cells[0], q["quarter"].as_str().unwrap());
        assert_eq!(cells[3], q["incidents"].to_string());
        let done = header
            .iter()
            .position(|h| *h == "action_items_done")
            .unwrap();
        assert_eq!(cells[done], q["action_items"]["done"].to_string());
    }
    assert_eq!(
        lines.last().unwrap(),
        &"2026-Q4,2026-10-01,2026-12-31,0,0,0,0,0,0,,,,0,,,,0,0,0,0,,0,0"
    );
    assert!(
        site.read("public/metrics/index.html")
            .contains(r#"href="../metrics.csv" download"#)
    );
}

#[test]
fn time_to_resolve_by_year_is_charted_with_its_values() {
    let site = bundled_in_december();
    let page = site.read("public/metrics/index.html");
    let chart = page
        .split(r#"id="chart-years-ttr">"#)
        .nth(1)
        .expect("the chart")
        .split("</figure>")
        .next()
        .unwrap();
    let metrics: serde_json::Value =
        serde_json::from_str(&site.read("public/metrics.json")).unwrap();
    for year in metrics["years"].as_array().unwrap() {
        let name = year["year"].to_string();
        assert!(chart.contains(&name), "{name}: {chart}");
    }
    // Every bar is labelled with its median (2024: 308 minutes of 12
    // incidents; 2025: 110.5 of 8); 2026 has no known time.
    let medians: Vec<f64> = metrics["years"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|y| y["mttr_minutes"]["median"].as_f64())
        .collect();
    assert_eq!(medians, [308.0, 110.5]);
    let values = regex::Regex::new(r#"<text class="chart-value"[^>]*>([^<]*)<"#).unwrap();
    let labels: Vec<&str> = values
        .captures_iter(chart)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert_eq!(labels, ["5h 8m", "1h 51m", "–"]);
}

#[test]
fn open_action_items_are_counted_alike_and_grouped_by_owner() {
    let site = bundled_in_december();
    let home = site.read("public/index.html");
    let items = site.read("public/action-items/index.html");
    let stat = |html: &str, name: &str| -> usize {
        let re = regex::Regex::new(&format!(r"<dt>{name}</dt><dd><a[^>]*>(\d+)<")).unwrap();
        re.captures(html)
            .unwrap_or_else(|| panic!("{name}: {html}"))[1]
            .parse()
            .unwrap()
    };
    let open = stat(&items, "Open");
    assert_eq!(stat(&home, "Open action items"), open);
    assert_eq!(stat(&home, "Overdue"), stat(&items, "Overdue"));
    let metrics: serde_json::Value =
        serde_json::from_str(&site.read("public/metrics.json")).unwrap();
    let in_years: u64 = metrics["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["action_items"]["open"].as_u64().unwrap())
        .sum();
    assert_eq!(in_years as usize, open);
    // By owner: every open item once, most overdue owners first, with days
    // overdue and the incident's title.
    let owners = items
        .split(r#"<h2 id="owners">"#)
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    let summary = regex::Regex::new(r"<summary>.*?</summary>").unwrap();
    let groups: Vec<String> = summary
        .find_iter(owners)
        .map(|m| text(m.as_str()))
        .collect();
    assert!(groups.len() > 5, "{groups:?}");
    assert_eq!(
        owners.matches("<tr").count() - groups.len(),
        open,
        "one header row per group"
    );
    let counts = regex::Regex::new(r"(\d+) open(?:, (\d+) overdue)?").unwrap();
    let overdue: Vec<usize> = groups
        .iter()
        .map(|g| {
            counts
                .captures(g)
                .unwrap()
                .get(2)
                .map_or(0, |m| m.as_str().parse().unwrap())
        })
        .collect();
    let mut sorted = overdue.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(overdue, sorted, "{groups:?}");
    assert!(owners.contains("Overdue by 798 days"), "{owners}");
    assert!(owners.contains(r#"<span class="item-incident">"#));
}
