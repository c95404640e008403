//! Markdown body → HTML: a pure function of a [`BodyInput`] (the body and
//! what it needs from the incident and the knowledge base). Headings get
//! anchors, lessons get their ids, `[[ID]]` becomes a link, code is
//! highlighted, raw HTML is escaped (or sanitised when allowed) and unsafe
//! URL schemes never reach the page.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::Hash;
use std::sync::LazyLock;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, LinkType, Parser, Tag, TagEnd, TextMergeWithOffset,
};

use super::highlight::{escape, highlight};
use crate::diagnostics::LineIndex;
use crate::incident::Incident;
use crate::incident::body::{REFERENCE, markdown_options};
use crate::slug::slugify;

/// A resolved `[[ID]]` target.
#[derive(Debug, Clone, Hash)]
pub struct LinkTarget {
    pub title: String,
    /// Relative to the incident page.
    pub href: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub title: String,
    pub anchor: String,
}

#[derive(Debug, Clone)]
pub struct RenderedBody {
    pub html: String,
    pub toc: Vec<TocEntry>,
}

/// Everything [`render_body`] reads, and nothing else: equal inputs render
/// the same body, so a rebuild tells a page's body is unchanged from the
/// input's hash without rendering it.
#[derive(Debug, Clone, Hash)]
pub struct BodyInput<'a> {
    /// The Markdown after the front matter.
    pub body: &'a str,
    /// The file line the body starts on.
    pub body_line: usize,
    /// The line of a `#` heading that is the title (not shown in the body).
    pub title_heading_line: Option<usize>,
    /// Each lesson's anchor, by the file line of its list item.
    pub lesson_anchors: BTreeMap<usize, &'a str>,
    /// Each `[[ID]]` as written, to its target.
    pub links: BTreeMap<String, LinkTarget>,
    pub allow_html: bool,
}

impl<'a> BodyInput<'a> {
    pub fn new(
        incident: &'a Incident,
        links: BTreeMap<String, LinkTarget>,
        allow_html: bool,
    ) -> Self {
        BodyInput {
            body: &incident.body,
            body_line: incident.body_line,
            title_heading_line: incident.title_heading_line,
            lesson_anchors: incident
                .lessons
                .iter()
                .map(|l| (l.line, l.anchor.as_str()))
                .collect(),
            links,
            allow_html,
        }
    }
}

/// Renders an incident's body.
pub fn render_body(input: &BodyInput<'_>) -> RenderedBody {
    let body = input.body;
    let lines = LineIndex::new(body);
    let file_line = |offset: usize| lines.line_number(offset) + input.body_line - 1;
    let lesson_lines = &input.lesson_anchors;

    let events: Vec<(Event, std::ops::Range<usize>)> =
        TextMergeWithOffset::new(Parser::new_ext(body, markdown_options()).into_offset_iter())
            .collect();
    // The page's <h1> is the title; the body's headings start at <h2>.
    let min_level = events
        .iter()
        .filter_map(|(e, r)| match e {
            Event::Start(Tag::Heading { level, .. })
                if Some(file_line(r.start)) != input.title_heading_line =>
            {
                Some(*level as u8)
            }
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let shift = 2u8.saturating_sub(min_level);

    let mut out: Vec<Event> = Vec::with_capacity(events.len() + 16);
    let mut toc = Vec::new();
    let mut anchors = Anchors {
        used: lesson_lines.values().map(|a| a.to_string()).collect(),
        ..Anchors::default()
    };
    let mut list_depth = 0usize;
    let mut skip_heading = false;
    let mut heading: Option<(u8, Vec<Event>, String)> = None;
    let mut code: Option<(String, String)> = None;

    for (event, range) in events {
        if skip_heading {
            skip_heading = !matches!(event, Event::End(TagEnd::Heading(_)));
            continue;
        }
        if let Some((_, text)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, text) = code.take().expect("inside a code block");
                    let lang_attr = if lang.is_empty() {
                        String::new()
                    } else {
                        format!(" data-lang=\"{}\"", escape(&lang))
                    };
                    // Focusable: a long line scrolls, and keyboard users must reach it.
                    out.push(Event::Html(
                        format!(
                            "<pre class=\"code\"{lang_attr} tabindex=\"0\"><code>{}</code></pre>\n",
                            highlight(&text, &lang)
                        )
                        .into(),
                    ));
                }
                _ => {}
            }
            continue;
        }
        let event = match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if Some(file_line(range.start)) == input.title_heading_line {
                    skip_heading = true;
                    continue;
                }
                heading = Some(((level as u8 + shift).min(6), Vec::new(), String::new()));
                continue;
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, inner, text)) = heading.take() else {
                    continue;
                };
                let anchor = anchors.unique(&text);
                toc.push(TocEntry {
                    level,
                    title: text.trim().to_string(),
                    anchor: anchor.clone(),
                });
                out.push(Event::Html(format!("<h{level} id=\"{anchor}\">").into()));
                out.extend(inner);
                out.push(Event::Html(format!("<a class=\"anchor\" href=\"#{anchor}\" aria-label=\"Link to this section\">#</a></h{level}>\n").into()));
                continue;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
                continue;
            }
            Event::Start(Tag::List(start)) => {
                list_depth += 1;
                Event::Start(Tag::List(start))
            }
            Event::End(TagEnd::List(ordered)) => {
                list_depth -= 1;
                Event::End(TagEnd::List(ordered))
            }
            Event::Start(Tag::Item) if list_depth == 1 => {
                match lesson_lines.get(&file_line(range.start)) {
                    Some(anchor) => Event::Html(lesson_item_start(anchor).into()),
                    None => Event::Start(Tag::Item),
                }
            }
            Event::TaskListMarker(done) => Event::Html(
                if done {
                    "<span class=\"task task-done\" role=\"img\" aria-label=\"Done\">✓</span> "
                } else {
                    "<span class=\"task task-open\" role=\"img\" aria-label=\"Open\">○</span> "
                }
                .into(),
            ),
            Event::Start(Tag::Table(alignments)) => {
                // A wide table scrolls inside its wrapper, which keyboard users must reach.
                out.push(Event::Html(
                    "<div class=\"table-wrap\" tabindex=\"0\">".into(),
                ));
                Event::Start(Tag::Table(alignments))
            }
            Event::End(TagEnd::Table) => {
                out.push(Event::End(TagEnd::Table));
                Event::Html("</div>\n".into())
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: safe_url(dest_url),
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: safe_url(dest_url),
                title,
                id,
            }),
            Event::Html(html) | Event::InlineHtml(html) if !input.allow_html => Event::Text(html),
            Event::Start(Tag::HtmlBlock) if !input.allow_html => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) if !input.allow_html => Event::End(TagEnd::Paragraph),
            Event::Text(text) if REFERENCE.is_match(&text) => {
                let target = heading.as_mut().map(|(_, inner, plain)| (inner, plain));
                let linked = link_references(&text, &input.links);
                match target {
                    Some((inner, plain)) => {
                        plain.push_str(&text);
                        inner.extend(linked);
                    }
                    None => out.extend(linked),
                }
                continue;
            }
            other => other,
        };
        match heading.as_mut() {
            Some((_, inner, plain)) => {
                if let Event::Text(t) | Event::Code(t) = &event {
                    plain.push_str(t);
                }
                inner.push(event);
            }
            None => out.push(event),
        }
    }

    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, flatten_deep(out).into_iter());
    if input.allow_html {
        if tag_depth(&html) > MAX_HTML_DEPTH {
            // The sanitiser's HTML parser takes quadratic time on deep nesting:
            // show such raw HTML as text instead.
            return render_body(&BodyInput {
                allow_html: false,
                ..input.clone()
            });
        }
        html = SANITIZER.clean(&html).to_string();
    }
    RenderedBody { html, toc }
}

/// Markdown nests deeper than this only when written to hurt (50,000 `>`).
const MAX_MARKDOWN_DEPTH: usize = 32;

/// Raw HTML (with `allow_html`) nested deeper than this is shown as text.
const MAX_HTML_DEPTH: usize = 256;

/// Drops the tags of elements nested deeper than [`MAX_MARKDOWN_DEPTH`],
/// keeping their text, so pages stay shallow enough for browsers and for the
/// sanitiser. A table is kept or flattened whole (its rows and cells need it).
fn flatten_deep(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut kept = Vec::with_capacity(events.len());
    let mut depth = 0usize;
    // The depth of the outermost flattened element, while inside one.
    let mut flattened_at: Option<usize> = None;
    for event in events {
        match &event {
            Event::Start(tag) => {
                depth += 1;
                let needs = if matches!(tag, Tag::Table(_)) { 3 } else { 1 };
                if flattened_at.is_none() && depth + needs - 1 > MAX_MARKDOWN_DEPTH {
                    flattened_at = Some(depth);
                }
                if flattened_at.is_some() {
                    continue;
                }
            }
            Event::End(_) => {
                let inside = flattened_at.is_some();
                if flattened_at == Some(depth) {
                    flattened_at = None;
                }
                depth = depth.saturating_sub(1);
                if inside {
                    continue;
                }
            }
            _ => {}
        }
        kept.push(event);
    }
    kept
}

/// How deep the tags of `html` nest, counted from above: every start tag
/// except void ones opens a level (even when HTML would close it implicitly),
/// every end tag closes one. Linear in the length of `html`.
fn tag_depth(html: &str) -> usize {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let (mut depth, mut max) = (0usize, 0usize);
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        if rest.starts_with('/') {
            depth = depth.saturating_sub(1);
        } else if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let name_len = rest
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(rest.len());
            if !VOID.contains(&rest[..name_len].to_ascii_lowercase().as_str()) {
                depth += 1;
                max = max.max(depth);
            }
        }
    }
    max
}

/// Splits text at `[[ID]]` references; resolved ones become links titled by their incident.
fn link_references<'a>(text: &str, links: &BTreeMap<String, LinkTarget>) -> Vec<Event<'a>> {
    let mut events = Vec::new();
    let mut last = 0;
    for caps in REFERENCE.captures_iter(text) {
        let whole = caps.get(0).expect("group 0");
        let Some(target) = links.get(caps[1].trim()) else {
            continue;
        };
        events.push(Event::Text(text[last..whole.start()].to_string().into()));
        events.push(Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: target.href.clone().into(),
            title: CowStr::Borrowed(""),
            id: CowStr::Borrowed(""),
        }));
        events.push(Event::Text(target.title.clone().into()));
        events.push(Event::End(TagEnd::Link));
        last = whole.end();
    }
    events.push(Event::Text(text[last..].to_string().into()));
    events
}

/// Anchors given so far, and for each base the next number to try, so that
/// 40,000 headings with the same text take linear time, not quadratic.
#[derive(Default)]
struct Anchors {
    used: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Anchors {
    /// `base`, or `base-2`, `base-3`… the first one not given yet.
    fn unique(&mut self, text: &str) -> String {
        let base = match slugify(text) {
            s if s.is_empty() => "section".to_string(),
            s => s,
        };
        if self.used.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(2);
        loop {
            let anchor = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(anchor.clone()) {
                return anchor;
            }
        }
    }
}

/// Only http(s), mailto, tel and scheme-less (relative) URLs survive;
/// anything else (`javascript:`, `data:`, `vbscript:`…) becomes `#`.
pub fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    if is_safe_url(&url) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

pub fn is_safe_url(url: &str) -> bool {
    // Browsers ignore whitespace and control characters inside schemes ("java\tscript:").
    let compact: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let Some(colon) = compact.find(':') else {
        return true;
    };
    let before = &compact[..colon];
    if before.contains(['/', '?', '#']) {
        return true; // the colon is in the path or query, not a scheme
    }
    matches!(
        before.to_ascii_lowercase().as_str(),
        "http" | "https" | "mailto" | "tel"
    )
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["class", "id", "role", "aria-label", "data-lang"])
        .add_tags(["mark", "details", "summary", "figure", "figcaption"])
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"));
    builder
});

/// The opening tag of lesson `anchor`'s list item: pages find a lesson in
/// the rendered body by it.
pub fn lesson_item_start(anchor: &str) -> String {
    format!("<li id=\"{anchor}\" class=\"lesson\">")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::load::SourceFile;

    fn incident(text: &str) -> Incident {
        crate::incident::parse_incident(
            &SourceFile {
                path: "content/x.md".into(),
                text: text.into(),
            },
            &Config::default(),
        )
        .0
        .unwrap()
    }

    fn render(text: &str, allow_html: bool) -> RenderedBody {
        let mut links = BTreeMap::new();
        links.insert(
            "INC-1".to_string(),
            LinkTarget {
                title: "Pool <exhausted>".into(),
                href: "../inc-1/index.html".into(),
            },
        );
        render_body(&BodyInput::new(&incident(text), links, allow_html))
    }

    #[test]
    fn title_heading_is_dropped_and_sections_start_at_h2() {
        let html = render("# Title\n\n## Summary\n\nText\n\n### Detail\n", false).html;
        assert!(!html.contains("Title"), "{html}");
        assert!(
            html.contains("<h2 id=\"summary\">Summary<a class=\"anchor\" href=\"#summary\""),
            "{html}"
        );
        assert!(html.contains("<h3 id=\"detail\">"), "{html}");
        let html = render("---\ntitle: T\n---\n# Overview\n\n# Overview\n", false).html;
        assert!(
            html.contains("<h2 id=\"overview\">") && html.contains("<h2 id=\"overview-2\">"),
            "{html}"
        );
    }

    #[test]
    fn lessons_get_anchors_and_references_become_links() {
        let html = render("---\ntitle: T\n---\n## Lessons learned\n\n- Watch [[INC-1]] closely\n- Second\n\nSee [[INC-404]].\n", false).html;
        assert!(html.contains("<li id=\"lesson-1\" class=\"lesson\">Watch <a href=\"../inc-1/index.html\">Pool &lt;exhausted&gt;</a> closely</li>"), "{html}");
        assert!(
            html.contains("<li id=\"lesson-2\" class=\"lesson\">Second</li>"),
            "{html}"
        );
        assert!(html.contains("See [[INC-404]]."), "{html}");
    }

    #[test]
    fn raw_html_is_escaped_unless_allowed_and_then_sanitised() {
        let text = "---\ntitle: T\n---\n<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)> [x](javascript:alert(1)) [y](JaVa\tScRiPt:alert(1))\n";
        let html = render(text, false).html;
        assert!(
            !html.contains("<script") && !html.contains("<img"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        let html = render(text, true).html;
        assert!(
            !html.contains("<script")
                && !html.contains("onerror")
                && !html.to_lowercase().contains("javascript"),
            "{html}"
        );
    }

    #[test]
    fn deep_nesting_is_flattened_and_deep_raw_html_is_text() {
        let quotes = format!("---\ntitle: T\n---\n{} deep\n", ">".repeat(50_000));
        let html = render(&quotes, true).html;
        assert_eq!(html.matches("<blockquote>").count(), MAX_MARKDOWN_DEPTH);
        assert!(html.contains("deep"), "{html}");
        let table = format!(
            "---\ntitle: T\n---\n{0}| a |\n{0}|---|\n{0}| b |\n",
            "> ".repeat(31)
        );
        let html = render(&table, false).html;
        assert!(!html.contains("<table") && html.contains('b'), "{html}");
        let divs = format!("---\ntitle: T\n---\n{}x\n", "<div>".repeat(10_000));
        let html = render(&divs, true).html;
        assert!(!html.contains("<div>") && html.contains("&lt;div&gt;"));
        let details = "---\ntitle: T\n---\n<details><summary>More</summary>x</details>\n";
        assert!(render(details, true).html.contains("<details>"));
    }

    #[test]
    fn code_is_highlighted_and_tasks_are_accessible() {
        let html = render("---\ntitle: T\n---\n```sql\nSELECT 1;\n```\n\n## Action items\n\n- [x] done\n- [ ] open\n", false).html;
        assert!(
            html.contains(
                "<pre class=\"code\" data-lang=\"sql\" tabindex=\"0\"><code><span class=\"hl-source hl-sql\">"
            ),
            "{html}"
        );
        assert!(html.contains("aria-label=\"Done\""), "{html}");
        assert!(!html.contains("<input"), "{html}");
    }

    #[test]
    fn url_schemes() {
        for ok in [
            "https://x.org",
            "/a/b",
            "../x.html",
            "#frag",
            "mailto:a@b.c",
            "a/b:c",
            "?q=a:b",
        ] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            " JAVASCRIPT:x",
            "java\nscript:x",
            "data:text/html,x",
            "vbscript:x",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }
}
