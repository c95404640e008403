//! Search in a real browser, on the bundled site served over loopback: the
//! runtime loads only when the box gets focus, `/` focuses the box, results
//! appear as you type with the matched words marked, the arrow keys and
//! Enter move through them, the search page narrows results with a filter,
//! loads `?q=` links and says when nothing matches, and for a set of queries
//! shows the same ids in the same order as `hindsight search --json`.

use super::Served;
use super::chrome::{LIGHT, Tab, chrome};
use crate::support::Site;

/// The ids the header box lists, in order.
const BOX_IDS: &str =
    "[...document.querySelectorAll('#hs-box-results a.hs-hit')].map((a) => a.dataset.id)";

/// The ids the search page lists, in order.
const PAGE_IDS: &str =
    "[...document.querySelectorAll('#hs-page-results a.hs-hit')].map((a) => a.dataset.id)";

/// The header box shows 8 results, the search page 20 per page.
const BOX_LIMIT: usize = 8;
const PAGE_LIMIT: usize = 20;

/// What `hindsight search --json --limit N QUERY` finds, as ids in order.
fn cli_ids(site: &Site, query: &str, limit: usize) -> Vec<String> {
    let run = site.run(&["search", "--json", "--limit", &limit.to_string(), query]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hits: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).expect("JSON hits");
    hits.iter()
        .map(|h| h["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// Whether the server has answered a request for a file of the runtime.
fn runtime_fetched(served: &Served) -> bool {
    served.server.requests().iter().any(|r| {
        ["search-runtime.", "search-worker.", "index.boot"]
            .iter()
            .any(|file| r.url.contains(file))
    })
}

/// Every request for a search file was answered, whole (200) or in part
/// (206): nothing the runtime asked for was missing or out of range.
fn assert_search_files_served(served: &Served) {
    let search: Vec<_> = served
        .server
        .requests()
        .into_iter()
        .filter(|r| r.url.contains("/search/"))
        .collect();
    assert!(
        search.iter().any(|r| r.status == 206),
        "the index is read in ranges: {search:?}"
    );
    let failed: Vec<_> = search
        .iter()
        .filter(|r| r.status != 200 && r.status != 206)
        .collect();
    assert!(failed.is_empty(), "search requests failed: {failed:?}");
}

/// Opens the search page at `?q=query` and waits for its results.
fn open_search_page(tab: &Tab, served: &Served, query: &str) {
    // Percent-encodes every byte but letters and digits.
    let q: String = query
        .bytes()
        .map(|b| match b {
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    tab.open(&served.url(&format!("search/index.html?q={q}")));
    tab.wait_for(
        "document.documentElement.dataset.hsReady || ''",
        &"true".to_string(),
        &format!("results on the search page for {query}"),
    );
}

#[test]
fn search_box_and_page_find_what_hindsight_search_finds() {
    let Some(chrome) = chrome("search") else {
        return;
    };
    let served = Served::build(Site::bundled());
    let site = &served.site;
    let tab = chrome.tab();

    // Nothing of the runtime is fetched until the box gets focus.
    tab.look(LIGHT).open(&served.url("index.html"));
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        !runtime_fetched(&served),
        "the runtime was fetched before the box got focus: {:?}",
        served.server.requests()
    );
    tab.press("/");
    tab.wait_for(
        "document.activeElement.id",
        &"hs-box-q".to_string(),
        "`/` to focus the search box",
    );
    let start = std::time::Instant::now();
    while !runtime_fetched(&served) {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "focus did not fetch the runtime: {:?}",
            served.server.requests()
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }

    // Results as you type: each prefix's results, as the command finds them.
    tab.type_text("connection");
    let connection = cli_ids(site, "connection", BOX_LIMIT);
    assert!(connection.len() >= 3, "{connection:?}");
    tab.wait_for(BOX_IDS, &connection, "results for `connection`");
    tab.type_text(" pool");
    let pool = cli_ids(site, "connection pool", BOX_LIMIT);
    tab.wait_for(BOX_IDS, &pool, "results for `connection pool`");
    let titles: Vec<String> = tab.eval(
        "[...document.querySelectorAll('#hs-box-results .hs-hit-title')].map((t) => t.textContent)",
    );
    assert!(
        titles.iter().all(|t| !t.is_empty()) && titles.len() == pool.len(),
        "{titles:?}"
    );
    let marked: Vec<String> = tab.eval(
        "[...document.querySelectorAll('#hs-box-results .hs-snippet mark')].map((m) => m.textContent.toLowerCase())",
    );
    assert!(
        marked.iter().any(|m| m.starts_with("connection"))
            && marked.iter().any(|m| m.starts_with("pool"))
            && marked
                .iter()
                .all(|m| m.starts_with("connection") || m.starts_with("pool")),
        "matched words marked in snippets: {marked:?}"
    );
    let status: String =
        tab.eval("document.querySelector('.site-search-panel .hs-status').textContent");
    assert!(status.contains("for “connection pool”"), "{status}");

    // Keyboard: down, down, up selects the first result; Enter opens it.
    let selected = "document.getElementById('hs-box-q').getAttribute('aria-activedescendant')";
    tab.press("ArrowDown");
    tab.wait_for(
        selected,
        &Some("hs-box-opt-0".to_string()),
        "ArrowDown selects the first result",
    );
    tab.press("ArrowDown");
    tab.wait_for(
        selected,
        &Some("hs-box-opt-1".to_string()),
        "ArrowDown selects the second result",
    );
    tab.press("ArrowUp");
    tab.wait_for(
        selected,
        &Some("hs-box-opt-0".to_string()),
        "ArrowUp selects the first result again",
    );
    let chosen: Vec<String> = tab.eval(
        "[...document.querySelectorAll('#hs-box-results a[aria-selected=true]')].map((a) => a.href)",
    );
    assert_eq!(chosen.len(), 1, "one result selected: {chosen:?}");
    tab.press("Enter");
    tab.wait_for(
        "location.href",
        &chosen[0],
        "Enter to open the selected result",
    );
    tab.wait_until("document.readyState === 'complete'", "the incident page");

    // Escape closes the results; nothing matching says so.
    tab.open(&served.url("index.html"));
    tab.press("/").type_text("qqzzxv");
    tab.wait_until(
        "document.querySelector('.site-search-panel .hs-status').textContent.startsWith('No incidents or lessons match “qqzzxv”')",
        "the no-result message in the box",
    );
    tab.press("Escape");
    tab.wait_until(
        "document.querySelector('.site-search-panel').hidden",
        "Escape to close the results",
    );

    // The search page: a `?q=` link loads its results, which a filter narrows.
    open_search_page(&tab, &served, "connection pool");
    let all = cli_ids(site, "connection pool", PAGE_LIMIT);
    tab.wait_for(PAGE_IDS, &all, "the `?q=` link's results");
    // Incidents or lessons: one choice above the results.
    let lessons = cli_ids(site, "connection pool kind:lesson", PAGE_LIMIT);
    assert!(
        !lessons.is_empty() && lessons.iter().all(|id| id.contains("#lesson-")),
        "{lessons:?}"
    );
    tab.eval::<()>("document.querySelector('#hs-page-kinds input[value=lesson]').click()");
    tab.wait_for(PAGE_IDS, &lessons, "results with the Lessons choice");
    let counts: Vec<String> = tab.eval(
        "[...document.querySelectorAll('#hs-page-kinds label')].map((l) => l.textContent.trim())",
    );
    assert_eq!(counts.len(), 3, "{counts:?}");
    assert!(
        counts[0].starts_with("All") && counts[1].starts_with("Incidents"),
        "the other choices keep their counts: {counts:?}"
    );
    assert!(!counts[1].ends_with(" 0"), "{counts:?}");
    tab.eval::<()>("document.querySelector('#hs-page-kinds input[value=\"\"]').click()");
    tab.wait_for(PAGE_IDS, &all, "all results again");
    let sev1 = "document.querySelector('#hs-page-filters input[name=severity][value=sev1]')";
    tab.wait_until(sev1, "a SEV1 filter");
    // Filters name services as the rest of the site does, not by slug.
    let booking: String = tab.eval(
        "document.querySelector('#hs-page-filters input[name=service][value=booking-api]')\
         .parentElement.firstChild.nextSibling.textContent.trim()",
    );
    assert_eq!(booking, "Booking API");
    tab.eval::<()>(&format!("{sev1}.click()"));
    let narrowed = cli_ids(site, "connection pool severity:SEV1", PAGE_LIMIT);
    assert!(
        !narrowed.is_empty() && narrowed.len() < all.len(),
        "the filter narrows: {narrowed:?} of {all:?}"
    );
    tab.wait_for(PAGE_IDS, &narrowed, "results with the SEV1 filter");
    let badges: Vec<String> = tab.eval(
        "[...document.querySelectorAll('#hs-page-results .hs-meta .badge')].map((b) => b.textContent)",
    );
    assert!(badges.iter().all(|b| b == "SEV1"), "{badges:?}");
    let search: String = tab.eval("location.search");
    assert!(
        search.contains("severity=sev1"),
        "the filter is in the URL: {search}"
    );

    // Arrow keys move from the page's field through the result links.
    tab.eval::<()>("document.getElementById('hs-page-q').focus()");
    tab.press("ArrowDown");
    let focused = "document.activeElement.dataset.id || document.activeElement.id";
    tab.wait_for(focused, &narrowed[0], "ArrowDown to the first result");
    tab.press("ArrowUp");
    tab.wait_for(
        focused,
        &"hs-page-q".to_string(),
        "ArrowUp back to the field",
    );

    // Typing a query that matches nothing says so on the page.
    tab.eval::<()>("document.getElementById('hs-page-q').select()");
    tab.type_text("qqzzxv");
    tab.wait_until(
        "document.getElementById('hs-page-status').textContent.startsWith('No incidents or lessons match “qqzzxv”')",
        "the no-result message on the page",
    );
    tab.wait_for(PAGE_IDS, &Vec::<String>::new(), "no results listed");

    // Every kind of query gives the ids the command gives, in its order.
    for query in [
        "rollback debug flag",
        "\"connection pool exhaustion\"",
        "webhook AND (certificate OR signature) -mtls",
        "tag:dns OR service:payments",
        "certficate expird",
        "year:2025 queue",
        "what happens when the disk fills up",
        "expiring certificates",
        "db failover",
        "retry OR retries backoff",
    ] {
        let want = cli_ids(site, query, PAGE_LIMIT);
        assert!(!want.is_empty(), "{query} finds something");
        open_search_page(&tab, &served, query);
        tab.wait_for(PAGE_IDS, &want, &format!("the command's ids for {query}"));
    }
    assert_search_files_served(&served);
}

/// A severity scale with its own names gets the badge colours in search
/// results that the pages give it (by rank, not by a digit in the name).
#[test]
fn search_badges_have_the_pages_severity_colours() {
    let Some(chrome) = chrome("search badges") else {
        return;
    };
    let site = Site::empty();
    site.write(
        "hindsight.yaml",
        "severities:\n  - { name: Critical }\n  - { name: Major }\n  - { name: Minor }\n",
    );
    for (n, severity) in ["Critical", "Major", "Minor"].iter().enumerate() {
        site.write(
            &format!("content/inc-{n}.md"),
            format!(
                "---\nid: INC-{n}\ntitle: Gateway outage number {n}\nseverity: {severity}\ndate: 2025-03-0{}\n---\n\n## Summary\n\nThe gateway failed.\n",
                n + 1
            ),
        );
    }
    let served = Served::build(site);
    let tab = chrome.tab();
    open_search_page(&tab, &served, "gateway");
    let search_badges: Vec<(String, String)> = tab.eval(
        "[...document.querySelectorAll('#hs-page-results .hs-meta .badge')]\
         .map((b) => [b.textContent, b.className]).sort()",
    );
    assert_eq!(search_badges.len(), 3, "{search_badges:?}");
    for (name, class) in &search_badges {
        let n = ["Critical", "Major", "Minor"]
            .iter()
            .position(|s| s == name)
            .unwrap();
        tab.open(&served.url(&format!("incidents/inc-{n}/index.html")));
        let page_class: String = tab.eval(&format!(
            "[...document.querySelectorAll('.badge')].find((b) => b.textContent.trim() === {}).className",
            serde_json::json!(name)
        ));
        assert_eq!(class, &page_class, "{name}");
    }
    assert!(search_badges.iter().any(|(_, c)| c.contains("sev-1")));
}
