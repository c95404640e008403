//! Layout in Chromium, on the bundled site and the postmortems-app corpus
//! (long `url` fields, hundreds of tags, many quarters): no page scrolls
//! sideways on a phone (390 px), and printed, no table, chart, code block or
//! image is wider than the paper, nor cut off inside a scrolling box (A4 is
//! the narrower of A4 and Letter).
//!
//! Pages: one of every kind, every incident page and every quarter page.

use std::path::Path;
use std::sync::Arc;

use super::chrome::{Chrome, Look, PHONE_LIGHT, Viewport, chrome};
use super::{Served, page_types};
use crate::support::Site;

/// A4's printable width at 96 px per inch: 210 mm less the 12 mm side
/// margins of `@page` in style.css ((210 − 24) / 25.4 × 96 = 703).
const A4_PRINTABLE_PX: u32 = 703;

const PRINT_A4: Look = Look {
    name: "print (A4)",
    dark: false,
    print: true,
    viewport: Viewport {
        width: A4_PRINTABLE_PX,
        height: 1000,
        mobile: false,
    },
};

/// What sticks out: the page's width against the viewport's, and up to five
/// of the innermost `selector` elements that reach past its right edge, or
/// whose content does (a long word), or (with `strict`) that hide content in
/// a scrolling box. Elements inside a box that scrolls on its own (a
/// table's wrapper) do not widen the page and are left out on screen; in
/// print nothing scrolls, so every one counts.
const OVERFLOW: &str = r##"((selector, strict) => {
  const limit = document.documentElement.clientWidth;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "");
  const path = (e) => [e.parentElement && e.parentElement !== document.body ? name(e.parentElement) : null, name(e)].filter(Boolean).join(" > ");
  const scrolls = (e) => { const o = getComputedStyle(e).overflowX; return o === "auto" || o === "scroll"; };
  const inScroller = (e) => { for (let p = e.parentElement; p; p = p.parentElement) if (scrolls(p)) return true; return false; };
  const found = [];
  for (const e of document.querySelectorAll(selector)) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || (!strict && inScroller(e))) continue;
    // (SVG elements have no scroll width to speak of.)
    const visible = e instanceof HTMLElement && getComputedStyle(e).overflowX === "visible";
    if (r.right > limit + 0.5) found.push([e, "right edge at " + Math.round(r.right) + " px"]);
    else if (visible && r.left + e.scrollWidth > limit + 1) found.push([e, "content reaches " + Math.round(r.left + e.scrollWidth) + " px"]);
    else if (strict && (scrolls(e) || visible) && e.scrollWidth > e.clientWidth + 1)
      found.push([e, "content " + e.scrollWidth + " px wide in a " + e.clientWidth + " px box"]);
  }
  const innermost = found.filter(([e]) => !found.some(([other]) => other !== e && e.contains(other)));
  return { page: document.documentElement.scrollWidth, limit, wide: innermost.slice(0, 5).map(([e, why]) => path(e) + ": " + why) };
})"##;

#[derive(serde::Deserialize)]
struct Overflow {
    page: u32,
    limit: u32,
    wide: Vec<String>,
}

/// One of every kind of page, every incident page and every quarter page.
fn layout_pages(public: &Path) -> Vec<String> {
    let mut pages: Vec<String> = page_types(public).into_iter().map(|(_, p)| p).collect();
    for folder in ["incidents", "metrics"] {
        let mut found: Vec<String> = std::fs::read_dir(public.join(folder))
            .unwrap()
            .flatten()
            .filter(|e| e.path().join("index.html").is_file())
            .map(|e| format!("{folder}/{}/index.html", e.file_name().to_string_lossy()))
            .collect();
        found.sort();
        pages.extend(found);
    }
    pages.sort();
    pages.dedup();
    pages
}

fn check_layout(chrome: &Arc<Chrome>, served: &Served, failures: &mut Vec<String>) -> usize {
    let pages = layout_pages(&served.public());
    for (look, selector, strict) in [
        (PHONE_LIGHT, "body *", false),
        (PRINT_A4, "table, th, td, svg, pre, img, .table-wrap", true),
    ] {
        // A tab per pass: hundreds of pages in one tab slow Chromium down.
        let tab = chrome.tab();
        tab.look(look);
        for path in &pages {
            tab.open(&served.url(path));
            let o: Overflow = tab.eval(&format!("{OVERFLOW}({selector:?}, {strict})"));
            if o.page > o.limit || !o.wide.is_empty() {
                failures.push(format!(
                    "{path}, {}: page {} px wide in {} px\n    {}",
                    look.name,
                    o.page,
                    o.limit,
                    o.wide.join("\n    ")
                ));
            }
        }
    }
    pages.len()
}

#[test]
fn no_page_scrolls_sideways_on_a_phone_or_prints_wider_than_a4() {
    let Some(chrome) = chrome("layout") else {
        return;
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    // Without HINDSIGHT_CORPORA (a developer machine), the bundled site only.
    let corpus = Site::postmortems_app();
    let with_corpus = corpus.is_some();
    for site in std::iter::once(Site::bundled()).chain(corpus) {
        checked += check_layout(&chrome, &Served::build(site), &mut failures);
    }
    assert!(
        checked > if with_corpus { 300 } else { 30 },
        "{checked} pages checked"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} pages too wide:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
