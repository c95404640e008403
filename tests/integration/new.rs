//! `hindsight new`: the theme's template, the next free id, a file that
//! builds, a site override, and never an overwrite.

use crate::support::Site;

#[test]
fn new_then_build() {
    let site = Site::bundled();
    let run = site.run(&[
        "new",
        "Checkout outage: payments down",
        "--severity",
        "p2",
        "--service",
        "payments",
        "--service",
        "Checkout API",
        "--date",
        "2026-03-01",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = "content/INC-2026-003-checkout-outage-payments-down.md";
    assert!(
        run.stdout
            .starts_with(&format!("Created {path} (INC-2026-003), a draft: replace")),
        "{}",
        run.stdout
    );
    insta::assert_snapshot!("new_postmortem", site.read(path));

    // A draft: left out of the site, shown with --drafts.
    let build = site.build(&[]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(
        build.summary().starts_with("Built 23 incidents"),
        "{}",
        build.stdout
    );
    assert!(!site.exists("public/incidents/inc-2026-003/index.html"));
    assert!(!site.read("public/index.html").contains("Checkout outage"));
    // (The bundled content has a draft of its own.)
    let drafts = site.build(&["--drafts"]);
    assert!(
        drafts.summary().starts_with("Built 25 incidents"),
        "{}",
        drafts.stdout
    );
    let page = site.read("public/incidents/inc-2026-003/index.html");
    assert!(page.contains("Checkout outage: payments down"));

    // Every prompt left in the draft is a placeholder warning for `check`...
    let placeholders = |run: &crate::support::Run, severity: &str| {
        let findings: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
        findings
            .iter()
            .filter(|f| {
                f["path"] == path && f["code"] == "placeholder" && f["severity"] == severity
            })
            .count()
    };
    let check = site.run(&["check", "--now", "2026-03-02", "--format", "json"]);
    assert_eq!(check.code, 0);
    assert_eq!(placeholders(&check, "warning"), 11);

    // ...and an error once it is no longer a draft; `build` publishes it, with a warning.
    let text = site.read(path).replace("\ndraft: true\n", "\n");
    site.write(path, text);
    let check = site.run(&["check", "--now", "2026-03-02", "--format", "json"]);
    assert_eq!(check.code, 1);
    assert_eq!(placeholders(&check, "error"), 11);
    let build = site.build(&[]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(
        build.summary().starts_with("Built 24 incidents"),
        "{}",
        build.stdout
    );
    assert!(
        build.stderr.contains(
            "warning[placeholder]: published with 11 placeholders left from the template, first `[What happened"
        ) && build.stderr.contains(&format!("--> {path}:")),
        "{}",
        build.stderr
    );
    assert_eq!(site.build(&["--strict"]).code, 1);
}

#[test]
fn the_id_follows_the_scheme_or_starts_one() {
    let site = Site::empty();
    let run = site.run(&["new", "First one", "--date", "2026-05-04"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.exists("content/INC-2026-001-first-one.md"));
    let run = site.run(&["new", "Second one", "--date", "2026-05-05"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.exists("content/INC-2026-002-second-one.md"));
    site.write("content/old/PM-0041.md", "# Old\n")
        .write("content/old/PM-0042.md", "# Old\n")
        .write("content/old/PM-0007.md", "# Old\n");
    let run = site.run(&["new", "Third one", "--date", "2027-01-02"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        site.exists("content/PM-0043-third-one.md"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_site_can_override_the_template() {
    let site = Site::empty();
    site.write(
        "theme/postmortem.md",
        "---\nid: {{ id }}\ntitle: {{ title | yaml }}\nservices: {{ services | yaml }}\n---\n\nOur own layout.\n",
    );
    let run = site.run(&[
        "new",
        "Queue: backlog",
        "--service",
        "queue",
        "--date",
        "2026-01-01",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        site.read("content/INC-2026-001-queue-backlog.md"),
        "---\nid: INC-2026-001\ntitle: \"Queue: backlog\"\nservices: [queue]\n---\n\nOur own layout.\n"
    );

    // An override that yields a postmortem `build` rejects writes nothing.
    site.write("theme/postmortem.md", "---\ntitle: [unclosed\n---\n");
    let before = site.files("content");
    let run = site.run(&["new", "Broken", "--date", "2026-01-01"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("does not build; nothing was written"),
        "{}",
        run.stderr
    );
    assert_eq!(site.files("content"), before);
}

#[test]
fn bad_input_is_a_usage_error_and_nothing_is_overwritten() {
    let site = Site::empty();
    let run = site.run(&["new", "Outage", "--severity", "SEV9"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown severity `SEV9`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("SEV1 (SEV-1, P0, P1, Critical)"),
        "{}",
        run.stderr
    );
    assert_eq!(site.run(&["new", "  "]).code, 2);

    // The next id is X-10, and a file of that name (with another id) exists.
    site.write("content/X-10-outage.md", "---\nid: X-9\ntitle: Mine\n---\n");
    let run = site.run(&["new", "Outage"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("content/X-10-outage.md already exists; it was not overwritten"),
        "{}",
        run.stderr
    );
    assert_eq!(
        site.read("content/X-10-outage.md"),
        "---\nid: X-9\ntitle: Mine\n---\n"
    );
}
