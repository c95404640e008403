//! The incidents list split over pages, in a real browser: its filter and
//! its sort work on every incident (from `incidents/rows.json`), and a row
//! made by the script is the row the page's template writes.

use super::Served;
use super::chrome::{LIGHT, chrome};
use crate::pagination::large_site;

/// The ids of the rows shown, in order.
const ROW_IDS: &str = "[...document.querySelectorAll('#incident-table tbody tr:not([hidden])')].map((r) => r.querySelector('.mono').textContent)";

#[test]
fn the_incidents_filter_and_sort_work_across_pages() {
    let Some(chrome) = chrome("lists") else {
        return;
    };
    let served = Served::build(large_site(260));
    let tab = chrome.tab();
    tab.look(LIGHT).open(&served.url("incidents/index.html"));
    let first_page: Vec<String> = tab.eval(ROW_IDS);
    assert_eq!(first_page.len(), 100);
    assert_eq!(first_page[0], "INC-0259");

    // INC-0007 is on the last page; the filter finds it from the first.
    tab.eval::<()>("document.getElementById('incident-filter').focus()");
    tab.type_text("inc-0007");
    tab.wait_for(
        ROW_IDS,
        &vec!["INC-0007".to_string()],
        "the filter to find INC-0007",
    );
    let status: String = tab.eval("document.querySelector('.filter-count').textContent");
    assert_eq!(status, "1 of 260 match");
    assert!(tab.eval::<bool>("document.querySelector('nav.pagination').hidden"));
    let made: String = tab.eval("document.querySelector('#incident-table tbody tr').outerHTML");

    // The same row as the last page's template wrote it.
    tab.open(&served.url("incidents/page/3/index.html"));
    let written: String = tab.eval(
        "[...document.querySelectorAll('#incident-table tbody tr')].find((r) => r.querySelector('.mono').textContent === 'INC-0007').outerHTML",
    );
    // (Links are relative: the last page is two folders deeper.)
    let written = written.replace("=\"../../../", "=\"../");
    let between_cells = regex::Regex::new(r">\s*\n\s*<").unwrap();
    assert_eq!(made, between_cells.replace_all(&written, "><"));

    // Sorting by severity, most severe first, sorts every incident: the
    // SEV1 incidents (every fourth) come first, whichever page they were on.
    tab.open(&served.url("incidents/index.html"));
    tab.eval::<()>("document.querySelectorAll('#incident-table th button')[2].click()");
    tab.wait_until(
        "document.querySelector('.filter-count').textContent === 'All 260 incidents, sorted'",
        "the sort over every incident",
    );
    let sorted: Vec<String> = tab.eval(ROW_IDS);
    assert_eq!(sorted.len(), 200, "the first 200 shown");
    let sev1 = sorted.iter().take_while(|id| {
        let n: usize = id[4..].parse().unwrap();
        n.is_multiple_of(4)
    });
    assert_eq!(sev1.count(), 65, "{sorted:?}");
    tab.eval::<()>("document.querySelector('.show-more').click()");
    tab.wait_for(
        &format!("{ROW_IDS}.length"),
        &260usize,
        "the rest after Show more",
    );
}
