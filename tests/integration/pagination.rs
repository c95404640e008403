//! Long lists are split into pages, so that no page grows with the
//! knowledge base (docs/output.md): the incidents list, tags, services,
//! severity levels, lessons and action items, on a generated knowledge base
//! with more of each than one page shows.

use std::collections::BTreeMap;

use crate::support::Site;

/// A knowledge base of `count` incidents, one every other day from 2020-01-01: the
/// first tag cycles over `alpha`, `beta`, `gamma`, every incident is also
/// tagged `common`, services alternate; each has three lessons and two
/// action items, one overdue (as of 2026-01-15) and one done.
pub fn large_site(count: usize) -> Site {
    let site = Site::empty();
    site.write(
        "hindsight.yaml",
        "title: Large\nbase_url: https://incidents.example.com/\n",
    );
    let start = jiff::civil::date(2020, 1, 1);
    for n in 0..count {
        let day = start
            .checked_add(jiff::Span::new().days(2 * n as i64))
            .expect("a date");
        let first_tag = ["alpha", "beta", "gamma"][n % 3];
        site.write(
            &format!("content/{}/inc-{n:04}.md", day.year()),
            format!(
                "---\nid: INC-{n:04}\ntitle: \"Incident number {n}\"\ndate: {day}\nseverity: SEV{}\n\
                 tags: [{first_tag}, common]\nservices: [svc-{}]\n\
                 action_items:\n  - {{ title: \"Fix cause {n}\", owner: Ann, due: 2025-01-01, status: open }}\n  \
                 - {{ title: \"Add alert {n}\", owner: Bo, due: 2025-02-01, status: done }}\n---\n\
                 ## Summary\n\nSomething broke on day {n}.\n\n## Lessons learned\n\n\
                 - First lesson of {n}\n- Second lesson of {n}\n- Third lesson of {n}\n",
                n % 4 + 1,
                n % 2,
            ),
        );
    }
    site
}

/// The pages of a list, from its first page (`folder/index.html`), following
/// the pagers' `rel="next"` links; each as (path, HTML).
fn pages(site: &Site, folder: &str) -> Vec<(String, String)> {
    let next = regex::Regex::new(r#"<a rel="next" href="([^"]+)""#).unwrap();
    let mut path = format!("{folder}index.html");
    let mut found = Vec::new();
    loop {
        let html = site.read(&format!("public/{path}"));
        let link = next.captures(&html).map(|c| c[1].to_string());
        found.push((path.clone(), html));
        let Some(link) = link else { break };
        path = resolve(&path, &link);
        assert!(found.len() < 1000, "endless pager from {folder}");
    }
    found
}

/// The path from the site root that `link` on the page at `page` names.
fn resolve(page: &str, link: &str) -> String {
    let mut segments: Vec<&str> = page.split('/').collect();
    segments.pop();
    for part in link.split('/') {
        match part {
            ".." => {
                segments.pop();
            }
            "." | "" => {}
            part => segments.push(part),
        }
    }
    segments.join("/")
}

/// How often each match of `pattern`'s first group occurs on `pages`.
fn tally(pages: &[(String, String)], pattern: &str) -> BTreeMap<String, usize> {
    let re = regex::Regex::new(pattern).unwrap();
    let mut seen = BTreeMap::new();
    for (_, html) in pages {
        for c in re.captures_iter(html) {
            *seen.entry(c[1].to_string()).or_insert(0) += 1;
        }
    }
    seen
}

fn assert_each_once(seen: &BTreeMap<String, usize>, expected: usize, what: &str) {
    let repeated: Vec<_> = seen.iter().filter(|&(_, &n)| n != 1).collect();
    assert!(
        repeated.is_empty(),
        "{what} listed more than once: {repeated:?}"
    );
    assert_eq!(seen.len(), expected, "{what} listed");
}

#[test]
fn long_lists_are_split_into_pages_that_show_every_item_once() {
    let site = large_site(260);
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // The incidents list: 100 rows a page, each incident once, newest first.
    let list = pages(&site, "incidents/");
    let paths: Vec<&str> = list.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "incidents/index.html",
            "incidents/page/2/index.html",
            "incidents/page/3/index.html"
        ]
    );
    let row = r#"<td><a href="[./]*incidents/(inc-\d+)/index.html">"#;
    for (path, html) in &list {
        let rows = tally(&[(path.clone(), html.clone())], row).len();
        assert!(rows <= 100, "{path}: {rows} rows");
    }
    assert_each_once(&tally(&list, row), 260, "incidents on the list's pages");
    let (_, second) = &list[1];
    assert!(second.contains("<title>All incidents, page 2 of 3 · Large</title>"));
    assert!(second.contains(r#"<a rel="prev" href="../../../incidents/index.html">"#));
    assert!(second.contains(r#"aria-current="page">2</a>"#));
    assert!(
        list[0]
            .1
            .contains(r#"<a href="../incidents/index.html">2020 <span class="count">183</span>"#),
        "the list links each year's first page"
    );
    // Every row, for the filter and sort across pages, in the list's order.
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&site.read("public/incidents/rows.json")).unwrap();
    assert_eq!(rows.len(), 260);
    assert_eq!(rows[0]["id"], "INC-0259");
    assert_eq!(rows[259]["id"], "INC-0000");

    // A tag on every incident: 50 a page; a service on half of them.
    let common = pages(&site, "tags/common/");
    assert_eq!(common.len(), 6);
    let card = r#"<a class="card-title" href="[./]*incidents/(inc-\d+)/index.html">"#;
    assert_each_once(&tally(&common, card), 260, "incidents on tag pages");
    assert!(common[0].1.contains("260 incidents and 780 lessons tagged"));
    let service = pages(&site, "services/svc-0/");
    assert_each_once(&tally(&service, card), 130, "incidents on service pages");
    let severity = pages(&site, "severity/sev1/");
    assert_each_once(&tally(&severity, card), 65, "incidents on severity pages");

    // Lessons: once each, under the incident's first tag, with the other
    // tags as links; a group with more than the index shows has pages.
    let index = site.read("public/lessons/index.html");
    let lesson = r#"<li><a href="[./]*incidents/(inc-\d+/index.html#lesson-\d)">"#;
    let mut all_lessons = BTreeMap::new();
    for tag in ["alpha", "beta", "gamma"] {
        assert!(
            index.contains(&format!(r#"href="../lessons/tag/{tag}/index.html">All "#)),
            "the index links the {tag} lessons' pages"
        );
        let group = pages(&site, &format!("lessons/tag/{tag}/"));
        assert_eq!(group.len(), 2, "{tag}: 260 lessons, 200 a page");
        for (lesson, n) in tally(&group, lesson) {
            *all_lessons.entry(lesson).or_insert(0) += n;
        }
    }
    assert_each_once(&all_lessons, 780, "lessons on the lessons pages");
    assert!(
        index.contains(
            r#"<span class="lesson-tags"><a href="../tags/common/index.html">common</a></span>"#
        ),
        "other tags follow each lesson"
    );
    assert!(
        !index.contains("lessons/tag/common/"),
        "no group for a tag never first"
    );

    // Action items: 260 overdue and 260 done, 200 a page beyond the index.
    let action = r#"<td>((?:Fix cause|Add alert) \d+)<span class="item-incident">"#;
    let overdue = pages(&site, "action-items/overdue/");
    assert_eq!(overdue.len(), 2);
    assert_each_once(&tally(&overdue, action), 260, "overdue action items");
    let done = pages(&site, "action-items/done/");
    assert_each_once(&tally(&done, action), 260, "done action items");
    assert!(!site.exists("public/action-items/open/index.html"));
}
