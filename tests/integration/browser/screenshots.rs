//! Screenshots of the bundled site for people to look at (theme work,
//! `docs/screenshot.png`): with `HINDSIGHT_SCREENSHOTS=<dir>`, writes
//! `<page>-<look>.png` for the home, incident, metrics, quarter and search
//! (with the results for "connection pool") pages in light, dark, print and
//! phone; without it, does nothing.
//!
//!     HINDSIGHT_SCREENSHOTS=/tmp/shots cargo test --test integration screenshots

use super::chrome::{DARK, LIGHT, PHONE_LIGHT, PRINT, chrome};
use super::{Served, page_types};
use crate::support::Site;

#[test]
fn screenshots_of_the_main_pages_when_asked() {
    let Some(dir) = std::env::var_os("HINDSIGHT_SCREENSHOTS") else {
        return;
    };
    let Some(chrome) = chrome("screenshots") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let served = Served::build(Site::bundled());
    let tab = chrome.tab();
    let wanted = std::env::var("HINDSIGHT_SCREENSHOT_PAGES")
        .unwrap_or_else(|_| "home,incident,metrics,quarter,search".into());
    for (kind, path) in page_types(&served.public()) {
        if !wanted.split(',').any(|w| w == kind) {
            continue;
        }
        if kind == "search" {
            tab.look(LIGHT)
                .open(&served.url(&format!("{path}?q=connection%20pool")));
            tab.wait_until("document.documentElement.dataset.hsReady", "search results");
        } else {
            tab.look(LIGHT).open(&served.url(&path));
        }
        for look in [LIGHT, DARK, PRINT, PHONE_LIGHT] {
            let file = dir.join(format!("{}-{}.png", kind.replace(' ', "-"), look.name));
            std::fs::write(&file, tab.screenshot(look)).unwrap();
            eprintln!("wrote {}", file.display());
        }
    }
}
