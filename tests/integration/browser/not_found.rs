//! The not-found page as a static host serves it, for a site published under
//! a base path (a GitHub project site: `/<repository>/`): styled, with links
//! into the site, at any depth; and an address that differs only in case
//! from a page (`/incidents/INC-2025-004/`) leads to that page.

use super::chrome::{LIGHT, Tab, chrome};
use super::server::StaticServer;
use crate::support::{Site, copy_dir};

/// The host's folder: the site under `kb/`, and the site's 404 page at the
/// top, as GitHub Pages answers a missing address under a project site.
fn host_with_site_under_kb(site: &Site) -> tempfile::TempDir {
    let host = tempfile::tempdir().unwrap();
    copy_dir(&site.root().join("public"), &host.path().join("kb"));
    std::fs::copy(
        site.root().join("public/404.html"),
        host.path().join("404.html"),
    )
    .unwrap();
    host
}

/// Whether the page is styled by the site's stylesheet, and where its
/// "Home" link leads.
fn styled_and_home(tab: &Tab) -> (bool, String) {
    tab.eval(
        "[getComputedStyle(document.querySelector('.site-header')).borderBottomStyle === 'solid', [...document.querySelectorAll('main a')].find((a) => a.textContent === 'Home').href]",
    )
}

#[test]
fn the_not_found_page_works_under_a_base_path_and_leads_to_lowercase_urls() {
    let Some(chrome) = chrome("not_found") else {
        return;
    };
    let site = Site::bundled();
    assert_eq!(site.build(&[]).code, 0);
    let host = host_with_site_under_kb(&site);
    let server = StaticServer::serve(host.path());
    let tab = chrome.tab();
    let home = server.url("kb/index.html");

    // Inside a section: the root is found in the address at once.
    tab.look(LIGHT)
        .open(&server.url("kb/incidents/no-such-incident/"));
    assert_eq!(styled_and_home(&tab), (true, home.clone()));

    // Anywhere else: found by asking the host for the nearest 404.html.
    tab.open(&server.url("kb/no-such-page"));
    tab.wait_for(
        "[...document.querySelectorAll('main a')].find((a) => a.textContent === 'Home').href",
        &home,
        "the Home link to lead to the site's root",
    );
    tab.wait_until(
        "getComputedStyle(document.querySelector('.site-header')).borderBottomStyle === 'solid'",
        "the stylesheet under the found root",
    );

    // An id typed in capitals: to the page, whose URL is lowercase.
    tab.open(&server.url("kb/incidents/INC-2025-004/"));
    tab.wait_for(
        "location.pathname",
        &"/kb/incidents/inc-2025-004/".to_string(),
        "the redirect to the lowercase address",
    );
    tab.wait_until(
        "document.querySelector('h1#incident-title')",
        "the incident's page",
    );
    // A capitalised address of no page stays on the not-found page.
    tab.open(&server.url("kb/incidents/INC-9999-999/"));
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(
        tab.eval::<String>("location.pathname"),
        "/kb/incidents/INC-9999-999/"
    );
    assert_eq!(
        tab.eval::<String>("document.querySelector('h1').textContent"),
        "Page not found"
    );
}
