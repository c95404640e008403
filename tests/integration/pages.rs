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
