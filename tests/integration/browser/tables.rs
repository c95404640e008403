//! Long tables and lists in Chromium: the incidents filter finds tags too
//! and says when nothing matches; the tags page filters its tags; sorting
//! puts unknown values last in both directions; ids and dates in action-item
//! tables stay on one line on a desktop screen, and on a phone each action
//! item is a card with labelled cells, no table scrolling sideways.

use super::Served;
use super::chrome::{LIGHT, PHONE_LIGHT, Tab, chrome};
use crate::support::Site;

/// Types `text` into the filter `#id` (as an `input` event does).
fn filter(tab: &Tab, id: &str, text: &str) {
    tab.eval::<()>(&format!(
        "(() => {{ const i = document.getElementById({id:?}); i.value = {text:?}; i.dispatchEvent(new Event('input')); }})()"
    ));
}

fn visible(tab: &Tab, selector: &str) -> usize {
    tab.eval(&format!(
        "[...document.querySelectorAll({selector:?})].filter((e) => !e.hidden).length"
    ))
}

#[test]
fn the_incidents_filter_finds_tags_and_says_when_nothing_matches() {
    let Some(chrome) = chrome("tables") else {
        return;
    };
    let served = Served::build(Site::bundled());
    let incidents: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(served.public().join("incidents.json")).unwrap())
            .unwrap();
    let tab = chrome.tab();
    tab.look(LIGHT).open(&served.url("incidents/index.html"));
    let shown_text: String =
        tab.eval("document.getElementById('incident-table').tBodies[0].textContent.toLowerCase()");
    // A tag that no row shows (only the tags would find it), and its incidents.
    let (tag, expected) = incidents
        .iter()
        .flat_map(|i| i["tags"].as_array().unwrap().iter())
        .filter_map(|t| t.as_str())
        .filter(|t| !shown_text.contains(*t))
        .map(|t| {
            let n = incidents
                .iter()
                .filter(|i| i["tags"].as_array().unwrap().iter().any(|x| x == t))
                .count();
            (t.to_string(), n)
        })
        .next()
        .expect("a tag the table does not show");
    filter(&tab, "incident-filter", &tag);
    assert_eq!(
        visible(&tab, "#incident-table tbody tr"),
        expected,
        "tag {tag}"
    );
    assert!(
        tab.eval::<bool>("document.querySelector('.filter-empty').hidden"),
        "no message while rows match"
    );

    filter(&tab, "incident-filter", "zz-nothing-like-this");
    assert_eq!(visible(&tab, "#incident-table tbody tr"), 0);
    let message: String = tab.eval(
        "(() => { const p = document.querySelector('.filter-empty'); return p.hidden ? '' : p.textContent; })()",
    );
    assert_eq!(
        message,
        "No incidents match \u{201c}zz-nothing-like-this\u{201d}."
    );

    filter(&tab, "incident-filter", "");
    assert_eq!(visible(&tab, "#incident-table tbody tr"), incidents.len());
}

#[test]
fn the_tags_page_filters_its_tags() {
    let Some(chrome) = chrome("tables") else {
        return;
    };
    let served = Served::build(Site::bundled());
    let tab = chrome.tab();
    tab.look(LIGHT).open(&served.url("tags/index.html"));
    let names: Vec<String> =
        tab.eval("[...document.querySelectorAll('#label-list li a')].map((a) => a.textContent)");
    assert!(names.len() > 10, "{names:?}");
    assert!(tab.eval::<bool>("!document.querySelector('.table-tools').hidden"));
    let part = "data";
    let expected = names.iter().filter(|n| n.contains(part)).count();
    assert!(expected > 0 && expected < names.len());
    filter(&tab, "label-filter", part);
    assert_eq!(visible(&tab, "#label-list li"), expected);
    filter(&tab, "label-filter", "zz-nothing");
    assert_eq!(visible(&tab, "#label-list li"), 0);
    assert_eq!(
        tab.eval::<String>("document.querySelector('.filter-empty').textContent"),
        "No tags match \u{201c}zz-nothing\u{201d}."
    );
}

#[test]
fn sorting_by_time_to_resolve_puts_unknown_times_last_both_ways() {
    let Some(chrome) = chrome("tables") else {
        return;
    };
    let served = Served::build(Site::bundled());
    let tab = chrome.tab();
    tab.look(LIGHT).open(&served.url("incidents/index.html"));
    let column: usize = tab.eval(
        "[...document.querySelectorAll('#incident-table thead th')].findIndex((th) => th.textContent.includes('Time to resolve'))",
    );
    let sort_and_read = || -> Vec<Option<f64>> {
        tab.eval::<()>(&format!(
            "document.querySelectorAll('#incident-table thead th')[{column}].querySelector('button').click()"
        ));
        tab.eval(&format!(
            "[...document.getElementById('incident-table').tBodies[0].rows].map((r) => {{ const v = r.cells[{column}].dataset.value; return v === '' ? null : parseFloat(v); }})"
        ))
    };
    for ascending in [true, false] {
        let values = sort_and_read();
        let known: Vec<f64> = values.iter().flatten().copied().collect();
        let unknown = values.len() - known.len();
        assert!(known.len() > 3 && unknown > 0, "{values:?}");
        assert!(
            values[known.len()..].iter().all(Option::is_none),
            "unknown last ({}): {values:?}",
            if ascending { "ascending" } else { "descending" }
        );
        let mut sorted = known.clone();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
        if !ascending {
            sorted.reverse();
        }
        assert_eq!(known, sorted);
    }
}

#[test]
fn ids_and_dates_in_action_item_tables_stay_on_one_line() {
    let Some(chrome) = chrome("tables") else {
        return;
    };
    let served = Served::build(Site::bundled());
    let tab = chrome.tab();
    tab.look(LIGHT).open(&served.url("action-items/index.html"));
    // Every id link and due date: one line box each.
    let lines: Vec<(String, usize)> = tab.eval(
        "[...document.querySelectorAll('.action-table td.nowrap > *')].map((e) => [e.textContent, e.getClientRects().length])",
    );
    assert!(lines.len() > 20, "{lines:?}");
    let broken: Vec<_> = lines.iter().filter(|(_, n)| *n != 1).collect();
    assert!(broken.is_empty(), "broken across lines: {broken:?}");
}

#[test]
fn action_items_are_labelled_cards_on_a_phone() {
    let Some(chrome) = chrome("tables") else {
        return;
    };
    let served = Served::build(Site::bundled());
    let tab = chrome.tab();
    tab.look(PHONE_LIGHT)
        .open(&served.url("action-items/index.html"));
    // No table scrolls sideways: every column fits the phone's width.
    let scrolling: Vec<String> = tab.eval(
        "[...document.querySelectorAll('.table-wrap')].filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => w.querySelector('caption').textContent)",
    );
    assert!(
        scrolling.is_empty(),
        "tables scrolling sideways: {scrolling:?}"
    );
    // Each owner cell says what it is, since the header row is hidden.
    let owner_labels: Vec<String> = tab.eval(
        "[...document.querySelectorAll('.action-table td[data-label=\"Owner\"]')].map((td) => getComputedStyle(td, '::before').content)",
    );
    assert!(owner_labels.len() > 20, "{owner_labels:?}");
    assert!(
        owner_labels.iter().all(|c| c == "\"Owner \""),
        "{owner_labels:?}"
    );
}
