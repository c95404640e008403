//! `hindsight build`: pages, data files, exclusion, safety, determinism, atomicity.

use crate::support::{Site, redact};

fn json(site: &Site, rel: &str) -> serde_json::Value {
    serde_json::from_str(&site.read(rel)).expect("valid JSON")
}

#[test]
fn bundled_content_builds_every_page_of_the_spec() {
    let site = Site::bundled();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.summary().starts_with("Built 23 incidents into "),
        "{}",
        run.stdout
    );

    let incidents = json(&site, "public/incidents.json");
    let incidents = incidents.as_array().unwrap();
    assert_eq!(incidents.len(), 23);
    for page in [
        "index.html",
        "incidents/index.html",
        "tags/index.html",
        "services/index.html",
        "severity/index.html",
        "lessons/index.html",
        "action-items/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "static/style.css",
    ] {
        assert!(site.exists(&format!("public/{page}")), "{page} is missing");
    }
    for incident in incidents {
        let url = incident["url"].as_str().unwrap();
        assert!(site.exists(&format!("public/{url}index.html")), "{url}");
        for tag in incident["tags"].as_array().unwrap() {
            assert!(site.exists(&format!("public/tags/{}/index.html", tag.as_str().unwrap())));
        }
    }
    for level in ["sev1", "sev2", "sev3", "sev4"] {
        assert!(
            site.exists(&format!("public/severity/{level}/index.html")),
            "{level}"
        );
    }
    for service in ["booking-api", "customer-portal", "api-gateway"] {
        assert!(
            site.exists(&format!("public/services/{service}/index.html")),
            "{service}"
        );
    }
    // Previews are plain text: a `[[ID]]` reference reads as the id.
    for list in ["index.html", "incidents/index.html"] {
        let page = site.read(&format!("public/{list}"));
        assert!(!page.contains("[["), "{list} shows link syntax");
    }
    let sitemap = site.read("public/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://incidents.example.com/incidents/inc-2024-002/</loc>"),
        "{sitemap}"
    );
    assert!(
        !sitemap.contains("404"),
        "the 404 page is not in the sitemap"
    );
    let feed = site.read("public/feed.xml");
    assert!(
        feed.contains("<link href=\"https://incidents.example.com/incidents/inc-2026-002/\"/>"),
        "{feed}"
    );
}

#[test]
fn drafts_and_internal_incidents_leave_no_byte_in_the_output() {
    const DRAFT: &str = "ZEBRA-DRAFT-MARKER-7731";
    const INTERNAL: &str = "OKAPI-INTERNAL-MARKER-4410";
    let contains = |site: &Site, out: &str, needle: &str| -> Vec<String> {
        site.files(out)
            .into_iter()
            .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
            .map(|(path, _)| path)
            .collect()
    };
    let site = Site::bundled();
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(contains(&site, "public", DRAFT), Vec::<String>::new());
    assert_eq!(contains(&site, "public", INTERNAL), Vec::<String>::new());
    // Neither their ids nor their titles appear in lists, tag counts, feeds or JSON.
    for id in [
        "inc-2025-007",
        "INC-2025-007",
        "inc-2024-012",
        "INC-2024-012",
    ] {
        assert_eq!(contains(&site, "public", id), Vec::<String>::new(), "{id}");
    }

    assert_eq!(site.build(&["--drafts", "--out", "with-drafts"]).code, 0);
    assert!(
        contains(&site, "with-drafts", DRAFT)
            .contains(&"incidents/inc-2025-007/index.html".to_string())
    );
    assert_eq!(
        contains(&site, "with-drafts", INTERNAL),
        Vec::<String>::new()
    );
    assert_eq!(
        site.build(&["--include-internal", "--out", "with-internal"])
            .code,
        0
    );
    assert!(
        contains(&site, "with-internal", INTERNAL)
            .contains(&"incidents/inc-2024-012/index.html".to_string())
    );
    assert_eq!(
        contains(&site, "with-internal", DRAFT),
        Vec::<String>::new()
    );
}

#[test]
fn output_is_byte_identical_across_runs() {
    let site = Site::bundled();
    assert_eq!(site.build(&["--out", "one"]).code, 0);
    assert_eq!(site.build(&["--out", "two"]).code, 0);
    let one = site.files("one");
    let two = site.files("two");
    assert!(one.len() > 60);
    assert_eq!(
        one.iter().map(|f| &f.0).collect::<Vec<_>>(),
        two.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((path, a), (_, b)) in one.iter().zip(&two) {
        assert!(a == b, "{path} differs between runs");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let site = Site::bundled();
    assert_eq!(site.build(&[]).code, 0);
    let before = site.files("public");
    site.write("content/broken.md", "---\ntitle: [unclosed\n---\nbody\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("content/broken.md:2:1"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(before == site.files("public"), "the previous site changed");
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(
        leftovers,
        Vec::<String>::new(),
        "no temporary folders are left behind"
    );
}

#[test]
fn canonical_fields_and_aliases_reach_incidents_json() {
    let site = Site::fixture("fields");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_json_snapshot!(
        "fields_incidents_json",
        json(&site, "public/incidents.json")
    );
    let page = site.read("public/incidents/inc-2025-0042/index.html");
    // Unknown fields are kept and shown.
    assert!(
        page.contains("<dt>customer_tickets</dt><dd>14</dd>"),
        "{page}"
    );
    assert!(
        page.contains("<dt>jira</dt><dd>OPS-1, OPS-2</dd>"),
        "{page}"
    );
    // Times are shown in the configured zone.
    assert!(page.contains("2025-03-31 23:30 EDT"), "{page}");
    // Overdue relative to --now 2026-01-15: three pending items are past due (two from the body).
    assert!(
        page.contains("3 still open, <strong class=\"overdue-text\">3 overdue</strong>"),
        "{page}"
    );
    // [[ID]] became a link with the target's title, and the target links back.
    let alias = site.read("public/incidents/inc-2025-0043/index.html");
    assert!(alias.contains("<a href=\"../../incidents/inc-2025-0042/index.html\">Checkout latency from a saturated connection pool</a>"), "{alias}");
    assert!(page.contains("Referenced by"), "{page}");
}

#[test]
fn hostile_markup_is_escaped_or_removed_everywhere() {
    // Payloads may appear as escaped text; never as markup.
    let event_handler = regex::Regex::new(r"<[a-z][^>]*\son[a-z]+\s*=").unwrap();
    let unsafe_url = regex::Regex::new(
        r#"<[a-z][^>]*\s(href|src|action)\s*=\s*["']?\s*(javascript|data|vbscript):"#,
    )
    .unwrap();
    for allow_html in [false, true] {
        let site = Site::fixture("xss");
        if allow_html {
            site.write(
                "hindsight.yaml",
                "title: \"XSS <script>alert('xss-title')</script>\"\nallow_html: true\n",
            );
        }
        let run = site.build(&[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        for (path, bytes) in site
            .files("public")
            .into_iter()
            .filter(|(p, _)| p.ends_with(".html"))
        {
            let text = String::from_utf8_lossy(&bytes).to_lowercase();
            for needle in ["<script>alert", "<svg", "<img src=x"] {
                assert!(
                    !text.contains(needle),
                    "allow_html={allow_html}: {path} contains {needle}"
                );
            }
            assert!(
                !event_handler.is_match(&text),
                "allow_html={allow_html}: {path} has an event handler attribute"
            );
            assert!(
                !unsafe_url.is_match(&text),
                "allow_html={allow_html}: {path} links to an unsafe URL scheme"
            );
        }
        assert!(
            site.read("public/feed.xml")
                .contains("&lt;script&gt;alert(&apos;xss-fm-title&apos;)")
        );
        let page = site.read("public/incidents/xss-1/index.html");
        assert!(
            page.contains("&lt;script&gt;alert(&#x27;xss-fm-title&#x27;)&lt;/script&gt; Title")
                || page
                    .contains("&lt;script&gt;alert(&#39;xss-fm-title&#39;)&lt;/script&gt; Title"),
            "{page}"
        );
        if allow_html {
            assert!(page.contains("raw link"), "sanitised HTML keeps its text");
        } else {
            assert!(
                page.contains("&lt;div onclick="),
                "raw HTML is shown as text: {page}"
            );
        }
    }
}

#[test]
fn every_diagnostic_names_the_file_line_and_fix() {
    let site = Site::empty();
    site.write("content/unclosed.md", "---\ntitle: Never closed\n\nbody\n")
        .write("content/bad-yaml.md", "---\ntitle: A\nseverity: [SEV1\n---\nbody\n")
        .write("content/not-a-map.md", "---\n- a\n- b\n---\nbody\n")
        .write("content/severity.md", "---\ntitle: Unknown severity\nseverity: SEV9\n---\n")
        .write("content/status.md", "---\ntitle: Unknown status\nstatus: pending-review\n---\n")
        .write("content/times.md", "---\ntitle: Bad times\nstarted: yesterday at noon\nduration: X hours\ndate: soon\n---\n")
        .write("content/order.md", "---\ntitle: Resolved before started\nstarted: 2024-05-02 10:00\nresolved: 2024-05-01 09:00\n---\n")
        .write("content/types.md", "---\ntitle: Wrong types\ntags: { a: 1 }\ndraft: maybe\n---\n")
        .write("content/id.md", "---\ntitle: Hostile id\nid: ../../etc/passwd\n---\n")
        .write("content/dup-a.md", "---\nid: DUP-1\ntitle: First\n---\n")
        .write("content/dup-b.md", "---\nid: dup-1\ntitle: Second\n---\n")
        .write("content/empty.md", "")
        .write("content/binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".as_slice())
        .write("content/latin1.md", b"---\ntitle: Caf\xe9\n---\n".as_slice())
        .write("content/refs.md", "---\ntitle: Refs\nrelated: [NOPE-1]\n---\nSee [[NOPE-2]].\n")
        .write("content/derived.md", "The cache grew without bound. It fell over.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("diagnostics", redact(&run.stderr, &site));
}

#[test]
fn configuration_errors_exit_2() {
    let site = Site::empty();
    site.write("hindsight.yaml", "titel: typo\ntimezone: Mars/Olympus\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    insta::assert_snapshot!("config_errors", redact(&run.stderr, &site));
    let missing = Site::empty();
    std::fs::remove_dir(missing.root().join("content")).unwrap();
    let run = missing.build(&[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no content/ folder"), "{}", run.stderr);
}

#[test]
fn a_site_theme_file_overrides_the_built_in_one() {
    let site = Site::fixture("fields");
    site.write("theme/templates/404.html", "{% extends \"base.html\" %}{% block content %}<h1>Custom 404 for {{ site.title }}</h1>{% endblock content %}");
    assert_eq!(site.build(&[]).code, 0);
    assert!(
        site.read("public/404.html")
            .contains("<h1>Custom 404 for Fields fixture</h1>")
    );
    site.write("theme/templates/404.html", "{% if %}");
    let run = site.build(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("theme/templates/404.html"),
        "{}",
        run.stderr
    );
}

#[test]
fn postmortems_app_corpus_renders_all_242_postmortems() {
    let Some(site) = Site::postmortems_app() else {
        return;
    };
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.summary().starts_with("Built 242 incidents"),
        "{}",
        run.stdout
    );
    let incidents = json(&site, "public/incidents.json");
    assert_eq!(incidents.as_array().unwrap().len(), 242);
    let pages = site.files("public/incidents").len();
    assert_eq!(
        pages, 246,
        "242 incident pages, the list's 3 pages (100 a page) and its rows.json"
    );
}
