//! Every internal link and asset of a built site resolves (the bundled one,
//! and one whose lists take many pages): each
//! `href`/`src` of every HTML page, each `url()` of every stylesheet and each
//! `<loc>` of the sitemap names a file the static server answers with 200, and
//! each `#fragment` names an element of its target page. Needs no browser.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::server::answer;
use crate::support::Site;

#[test]
fn every_internal_link_and_asset_of_the_bundled_site_resolves() {
    assert_links_resolve(&Site::bundled(), 60);
}

/// The pagers of long lists, the years of the incidents list, the lessons'
/// and action items' own pages.
#[test]
fn every_internal_link_of_a_site_with_long_lists_resolves() {
    assert_links_resolve(&crate::pagination::large_site(260), 300);
}

/// Builds `site` (whose `base_url` is `https://incidents.example.com/`) and
/// checks every internal link of at least `min_pages` files.
fn assert_links_resolve(site: &Site, min_pages: usize) {
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let public = site.root().join("public");
    let attribute = regex::Regex::new(r#"\s(?:href|src)="([^"]*)""#).unwrap();
    let base = regex::Regex::new(r#"<base href="/">"#).unwrap();
    let css_url = regex::Regex::new(r#"url\(\s*['"]?([^'")]+)"#).unwrap();
    let sitemap_loc = regex::Regex::new(r"<loc>([^<]*)</loc>").unwrap();
    let base_url = "https://incidents.example.com/";

    // (page the link is on, link as written, resolved target path)
    let mut links: Vec<(String, String, String)> = Vec::new();
    for (path, bytes) in site.files("public") {
        let text = String::from_utf8_lossy(&bytes);
        if path.ends_with(".html") {
            // 404.html's `<base href="/">` is the folder its links resolve
            // against (the site's root, where it lies), not a link.
            let text = base.replace(&text, "");
            for cap in attribute.captures_iter(&text) {
                let link = cap[1].replace("&amp;", "&");
                if let Some(target) = resolve(&path, &link) {
                    links.push((path.clone(), link, target));
                }
            }
        } else if path.ends_with(".css") {
            for cap in css_url.captures_iter(&text) {
                if let Some(target) = resolve(&path, &cap[1]) {
                    links.push((path.clone(), cap[1].to_string(), target));
                }
            }
        } else if path == "sitemap.xml" {
            for cap in sitemap_loc.captures_iter(&text) {
                let rel = cap[1]
                    .strip_prefix(base_url)
                    .expect("sitemap under base_url");
                links.push((path.clone(), cap[1].to_string(), format!("/{rel}")));
            }
        }
    }

    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut broken = Vec::new();
    for (page, link, target) in &links {
        let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
        let served = answer(&public, file, None);
        if served.status != 200 {
            broken.push(format!("{page}: {link} → {file} answers {}", served.status));
        } else if !fragment.is_empty() {
            let targets = ids
                .entry(file.to_string())
                .or_insert_with(|| element_ids(&served.body));
            if !targets.contains(fragment) {
                broken.push(format!("{page}: {link} → no element #{fragment} in {file}"));
            }
        }
    }
    let pages = links.iter().map(|l| &l.0).collect::<BTreeSet<_>>().len();
    assert!(
        pages > min_pages,
        "only {pages} files with links: is the site complete?"
    );
    assert!(
        broken.is_empty(),
        "{} of {} internal links are broken:\n{}",
        broken.len(),
        links.len(),
        broken.join("\n")
    );
}

/// The absolute path (from the site root, with any `#fragment`) that `link`
/// on the page at `page` (relative to the root) points to; `None` for links
/// that leave the site. A link above the root keeps its `..`.
fn resolve(page: &str, link: &str) -> Option<String> {
    if link.contains("://") || link.starts_with("//") || link.starts_with("mailto:") {
        return None;
    }
    let (link, fragment) = link.split_once('#').unwrap_or((link, ""));
    let link = link.split('?').next().unwrap_or("");
    let mut segments: Vec<&str> = if link.starts_with('/') {
        Vec::new()
    } else {
        page.split('/').collect()
    };
    if !link.starts_with('/') {
        segments.pop(); // the page's own file name
    }
    if link.is_empty() {
        segments.push(Path::new(page).file_name()?.to_str()?);
    }
    for part in link.split('/').filter(|p| !p.is_empty() && *p != ".") {
        if part == ".." {
            // Above the root stays visible as `..`, which no server answers.
            if segments.pop().is_none() {
                segments.push("..");
            }
        } else {
            segments.push(part);
        }
    }
    let trailing = if link.ends_with('/') { "/" } else { "" };
    let fragment = if fragment.is_empty() {
        String::new()
    } else {
        format!("#{fragment}")
    };
    Some(format!("/{}{trailing}{fragment}", segments.join("/")))
}

/// The `id` attributes of an HTML page.
fn element_ids(html: &[u8]) -> BTreeSet<String> {
    let id = regex::Regex::new(r#"\sid="([^"]*)""#).unwrap();
    id.captures_iter(&String::from_utf8_lossy(html))
        .map(|c| c[1].to_string())
        .collect()
}

#[test]
fn link_resolution_follows_relative_paths() {
    let on = "incidents/inc-1/index.html";
    assert_eq!(
        resolve(on, "../../static/style.css").unwrap(),
        "/static/style.css"
    );
    assert_eq!(
        resolve(on, "../inc-2/index.html#l-1").unwrap(),
        "/incidents/inc-2/index.html#l-1"
    );
    assert_eq!(
        resolve(on, "#timeline").unwrap(),
        "/incidents/inc-1/index.html#timeline"
    );
    assert_eq!(
        resolve(on, "/lessons/index.html").unwrap(),
        "/lessons/index.html"
    );
    assert_eq!(resolve("index.html", "tags/").unwrap(), "/tags/");
    assert_eq!(
        resolve("index.html", "../x").unwrap(),
        "/../x",
        "above the root"
    );
    assert_eq!(resolve(on, "https://example.com/"), None);
}
