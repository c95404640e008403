//! `hindsight serve`'s build-error overlay in Chromium: over the page when a
//! rebuild fails, opaque (the page must not show through the diagnostics),
//! a modal dialog that takes the focus and closes with Escape, and without
//! a serious accessibility violation in light or dark mode.

use super::accessibility::{ALL_RULES, AXE, COLOUR_RULES, violations};
use super::chrome::{DARK, LIGHT, chrome};
use crate::serve::{INCIDENT, Server};
use crate::support::Site;

const OVERLAY: &str = "document.getElementById('hindsight-build-error')";

#[test]
fn the_build_error_overlay_is_opaque_and_accessible() {
    let Some(chrome) = chrome("serve overlay") else {
        return;
    };
    let site = Site::bundled();
    let server = Server::start(&site, &[]);
    let good = site.read(INCIDENT);
    site.write(
        INCIDENT,
        good.replacen("severity:", "severity: SEV9\nseverity_was:", 1),
    );
    server.wait_for_output("still serving the last good site");

    let tab = chrome.tab();
    tab.look(LIGHT)
        .open(&format!("{}/incidents/", server.origin));
    tab.wait_until(&format!("{OVERLAY}?.open"), "the overlay");
    let shown: String = tab.eval(&format!("{OVERLAY}.innerText"));
    assert!(
        shown.contains("unknown severity `SEV9`") && shown.contains("last good version"),
        "{shown}"
    );
    // Opaque, over the whole viewport, on top of everything.
    let background: String = tab.eval(&format!("getComputedStyle({OVERLAY}).backgroundColor"));
    assert!(background.starts_with("rgb("), "{background}");
    for (x, y) in [(0.05, 0.05), (0.5, 0.5), (0.95, 0.95)] {
        let on_top: bool = tab.eval(&format!(
            "{OVERLAY}.contains(document.elementFromPoint(innerWidth * {x}, innerHeight * {y}))"
        ));
        assert!(on_top, "the page shows at ({x}, {y})");
    }
    let focused: bool = tab.eval(&format!("{OVERLAY}.contains(document.activeElement)"));
    assert!(focused, "focus moves into the dialog");

    if let Some(dir) = std::env::var_os("HINDSIGHT_SCREENSHOTS") {
        let file = std::path::Path::new(&dir).join("serve-overlay-light.png");
        std::fs::write(file, tab.screenshot(LIGHT)).unwrap();
    }

    tab.run_script(AXE);
    let mut failures = Vec::new();
    for (look, rules) in [(LIGHT, ALL_RULES), (DARK, COLOUR_RULES)] {
        tab.look(look);
        for v in violations(&tab, rules) {
            failures.push(format!(
                "{}: {} [{}] {}\n    {}",
                look.name,
                v.rule,
                v.impact,
                v.help,
                v.nodes.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    tab.press("Escape");
    tab.wait_until(&format!("!{OVERLAY}"), "the overlay closed by Escape");
}
