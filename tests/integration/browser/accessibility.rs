//! axe-core (vendored in `tests/vendor/axe-core/`) on one page of every kind
//! of the bundled site, and on search results (the page's and the header
//! box's), in light and dark mode and at phone width: no violation of
//! serious or critical impact.

use super::chrome::{DARK, LIGHT, Look, Tab, chrome};
use super::{Served, page_types};
use crate::support::Site;

pub(super) const AXE: &str = include_str!("../../vendor/axe-core/axe.min.js");

/// The phone pass is dark: it checks the phone layout and, once more, the
/// dark colours (a light phone would check nothing the light desktop did not).
const PHONE_DARK: Look = Look {
    name: "phone, dark",
    dark: true,
    ..super::chrome::PHONE_LIGHT
};

/// Every rule axe runs by default.
pub(super) const ALL_RULES: &str = "{}";

/// The rules a colour scheme can change: the dark pass checks only these
/// (the light pass already checked structure, names and roles).
pub(super) const COLOUR_RULES: &str = r#"{ runOnly: ["color-contrast", "link-in-text-block"] }"#;

/// Runs axe on the document with the options that follow it, and keeps the
/// serious and critical violations, each with up to five offending elements.
const RUN_AXE: &str = r#"((options) => axe.run(document, { ...options, resultTypes: ["violations"] }).then((r) =>
  r.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " → " + (n.failureSummary || "").replace(/\s+/g, " ")),
    }))))"#;

#[derive(serde::Deserialize)]
pub(super) struct Violation {
    pub rule: String,
    pub impact: String,
    pub help: String,
    pub nodes: Vec<String>,
}

/// The serious and critical violations of `rules` in the tab's document, as
/// it looks now (after `tab.run_script(AXE)`).
pub(super) fn violations(tab: &Tab, rules: &str) -> Vec<Violation> {
    tab.eval(&format!("{RUN_AXE}({rules})"))
}

/// The serious and critical violations on the page open in `tab`, in each
/// look (every rule, but only the colour rules on a dark desktop: the light
/// pass checked the rest), as lines that say where.
fn failures_in_looks(tab: &Tab, what: &str, looks: &[Look]) -> Vec<String> {
    tab.run_script(AXE);
    let mut failures = Vec::new();
    for look in looks {
        let rules = if look.dark && !look.viewport.mobile {
            COLOUR_RULES
        } else {
            ALL_RULES
        };
        tab.look(*look);
        for v in violations(tab, rules) {
            failures.push(format!(
                "{what}, {}: {} [{}] {}\n    {}",
                look.name,
                v.rule,
                v.impact,
                v.help,
                v.nodes.join("\n    ")
            ));
        }
    }
    failures
}

#[test]
fn every_page_type_has_no_serious_accessibility_violation() {
    let Some(chrome) = chrome("accessibility") else {
        return;
    };
    let served = Served::build(Site::bundled());
    check_pages(&chrome, &served, page_types(&served.public()));
}

/// The pages of long lists: a page in the middle of a list (its pager),
/// the lessons of one tag, the action items of one status.
#[test]
fn pages_of_long_lists_have_no_serious_accessibility_violation() {
    let Some(chrome) = chrome("accessibility of long lists") else {
        return;
    };
    let served = Served::build(crate::pagination::large_site(260));
    let pages = [
        ("incidents, page 2", "incidents/page/2/index.html"),
        ("tag, page 3", "tags/common/page/3/index.html"),
        ("lessons of a tag", "lessons/tag/alpha/index.html"),
        ("lessons index", "lessons/index.html"),
        ("overdue action items", "action-items/overdue/index.html"),
    ];
    check_pages(
        &chrome,
        &served,
        pages.map(|(kind, path)| (kind, path.to_string())).to_vec(),
    );
}

fn check_pages(
    chrome: &std::sync::Arc<super::chrome::Chrome>,
    served: &Served,
    pages: Vec<(&'static str, String)>,
) {
    let tab = chrome.tab();
    let mut failures = Vec::new();
    for (kind, path) in pages {
        tab.look(LIGHT).open(&served.url(&path));
        failures.extend(failures_in_looks(
            &tab,
            &format!("{kind} page ({path})"),
            &[LIGHT, DARK, PHONE_DARK],
        ));
    }
    assert!(
        failures.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn search_results_have_no_serious_accessibility_violation() {
    let Some(chrome) = chrome("accessibility of search results") else {
        return;
    };
    let served = Served::build(Site::bundled());
    let tab = chrome.tab();
    let mut failures = Vec::new();
    // The search page with results, marked words, filters and the
    // Incidents/Lessons choice.
    tab.look(LIGHT)
        .open(&served.url("search/index.html?q=connection%20pool%20retries"));
    tab.wait_for(
        "document.documentElement.dataset.hsReady || ''",
        &"true".to_string(),
        "results on the search page",
    );
    tab.wait_until(
        "document.querySelector('#hs-page-results mark') && !document.getElementById('hs-page-kinds').hidden",
        "marked words and the kind choice",
    );
    failures.extend(failures_in_looks(
        &tab,
        "search page with results",
        &[LIGHT, DARK, PHONE_DARK],
    ));
    // The header box's results, open over a page.
    tab.look(LIGHT).open(&served.url("index.html"));
    tab.press("/").type_text("certificate");
    tab.wait_until(
        "document.querySelector('#hs-box-results mark') !== null",
        "results in the header box",
    );
    failures.extend(failures_in_looks(
        &tab,
        "header box with results",
        &[LIGHT, DARK],
    ));
    assert!(
        failures.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
