//! `hindsight import` on the legacy seeds (`$HINDSIGHT_SEEDS`, five real
//! documents without front matter; skipped without it): one file per real
//! incident, templates skipped, what is inferred pinned, a site that builds,
//! and nothing ever overwritten. The seeds are what teams have before
//! hindsight:
//!
//! - `000_…`: a whole incident history in one document, five `## INC-…`
//!   incidents with bold `**Key:** value` fields, an overview and a metrics
//!   summary that are not incidents;
//! - `001_…`: dated headings (`## Service Outage (2024-01-20)`) under two
//!   top-level sections, plain `Key: value` lines;
//! - `002_…`: one detailed report (INC-2025-0023) with `**Key**: value`
//!   fields, a bold-time timeline and an action-item table;
//! - `003_…`, `004_…`: unfilled templates (`[TITLE]`, `INC-YYYYMMDD-####`,
//!   `@name`; a `| **Key** | value |` metadata table).

use crate::support::{Run, Site, redact, seeds};

const SEEDS: [&str; 5] = [
    "000_b8687fdcb6c5d86d.txt",
    "001_86d20cdff8d0cd14.txt",
    "002_e345da5553c8a06a.txt",
    "003_6406f1d84ed4befd.txt",
    "004_93d1abe38624a250.txt",
];

/// A site with the seeds under `legacy/` (not content: they have no front
/// matter yet); `None` (the test is skipped) without `HINDSIGHT_SEEDS`.
fn site_with_seeds() -> Option<Site> {
    let dir = seeds()?;
    let site = Site::empty();
    for seed in SEEDS {
        let text = std::fs::read(dir.join(seed))
            .unwrap_or_else(|e| panic!("HINDSIGHT_SEEDS has no {seed}: {e}"));
        site.write(&format!("legacy/{seed}"), text);
    }
    Some(site)
}

fn import(site: &Site, extra: &[&str]) -> Run {
    let mut args = vec!["import"];
    let sources: Vec<String> = SEEDS.iter().map(|s| format!("legacy/{s}")).collect();
    args.extend(sources.iter().map(String::as_str));
    args.extend_from_slice(extra);
    site.run(&args)
}

fn written(site: &Site, dir: &str) -> Vec<String> {
    site.files(dir).into_iter().map(|(path, _)| path).collect()
}

fn front_matter(text: &str) -> &str {
    let end = text[4..].find("\n---\n").expect("closed front matter") + 4;
    &text[..end + 5]
}

#[test]
fn seeds_become_one_file_per_incident_and_a_site_that_builds() {
    let Some(site) = site_with_seeds() else {
        return;
    };
    let run = import(&site, &["--out", "content"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        written(&site, "content"),
        [
            "2023-12-15-database-overload.md",
            "2024-01-15-database-performance-crisis.md",
            "2024-01-20-service-outage.md",
            "2024-02-01-service-cascade-failure.md",
            "2024-02-10-performance-degradation.md",
            "2024-03-10-memory-leak-incident.md",
            "INC-2024-001-ai-gateway-memory-leak.md",
            "INC-2024-007-database-connection-pool-exhaustion.md",
            "INC-2024-012-graphrag-index-corruption.md",
            "INC-2024-019-hipaa-compliance-alert-log-exposure.md",
            "INC-2024-025-azure-openai-rate-limiting.md",
            "INC-2025-0023-database-connection-pool-exhaustion-production.md",
        ]
    );
    insta::assert_snapshot!("seed_report", redact(&run.stdout, &site));

    // Every inferred field of every seed incident.
    let all: String = site
        .files("content")
        .into_iter()
        .map(|(path, bytes)| {
            let text = String::from_utf8(bytes).unwrap();
            format!("{path}\n{}\n", front_matter(&text))
        })
        .collect();
    insta::assert_snapshot!("seed_front_matter", all);

    // Bodies are kept as written: each file ends with its incident's text.
    let source = site.read(&format!("legacy/{}", SEEDS[2]));
    let report =
        site.read("content/INC-2025-0023-database-connection-pool-exhaustion-production.md");
    assert_eq!(
        &report[front_matter(&report).len()..],
        format!("{}\n", source.trim_end())
    );

    let build = site.build(&[]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(
        build.summary().starts_with("Built 12 incidents"),
        "{}",
        build.stdout
    );
    let incidents: serde_json::Value =
        serde_json::from_str(&site.read("public/incidents.json")).unwrap();
    let find = |id: &str| {
        incidents
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))
            .clone()
    };
    let report = find("INC-2025-0023");
    assert_eq!(
        report["title"],
        "Database Connection Pool Exhaustion - Production"
    );
    assert_eq!(
        report["severity"], "SEV1",
        "P1 (High) maps through the scale"
    );
    assert_eq!(report["status"], "resolved");
    assert_eq!(report["started"], "2025-01-14T14:23:47Z");
    assert_eq!(report["resolved"], "2025-01-14T15:08:22Z");
    assert_eq!(report["duration_minutes"], 44.6);
    let statuses: Vec<&str> = report["action_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["done", "in-progress", "open", "done", "in-progress"]
    );

    let first = find("INC-2024-001");
    assert_eq!(first["date"], "2024-01-15");
    assert_eq!(first["severity"], "SEV2");
    assert_eq!(first["duration_minutes"], 263.0);
    assert_eq!(
        first["services"],
        serde_json::json!(["AI Gateway", "Project Alpha Assistant"])
    );
    assert_eq!(first["action_items"].as_array().unwrap().len(), 4);
    assert_eq!(first["lessons"].as_array().unwrap().len(), 3);
    assert_eq!(
        find("INC-2024-019")["severity"],
        "SEV2",
        "SEV-2 (escalated from SEV-3)"
    );
    let outage = find("2024-01-20-service-outage");
    assert_eq!(
        (outage["title"].as_str(), outage["date"].as_str()),
        (Some("Service Outage"), Some("2024-01-20"))
    );
}

#[test]
fn templates_are_skipped_unless_asked_for() {
    let Some(site) = site_with_seeds() else {
        return;
    };
    let run = import(&site, &["--out", "content"]);
    assert!(
        run.stdout
            .contains("Read 5 files: wrote 12 incidents to content, 2 templates skipped."),
        "{}",
        run.stdout
    );
    let Some(site) = site_with_seeds() else {
        return;
    };
    let run = import(&site, &["--out", "content", "--include-templates"]);
    assert_eq!(run.code, 0);
    assert_eq!(written(&site, "content").len(), 14);
    assert!(
        site.exists("content/003-6406f1d84ed4befd-incident-report-title.md"),
        "{:?}",
        written(&site, "content")
    );
    assert!(site.exists("content/004-93d1abe38624a250-incident-postmortem-template.md"));
    assert_eq!(site.build(&[]).code, 0, "imported templates still build");
}

#[test]
fn import_never_overwrites() {
    let Some(site) = site_with_seeds() else {
        return;
    };
    assert_eq!(import(&site, &["--out", "content"]).code, 0);
    site.write(
        "content/INC-2024-001-ai-gateway-memory-leak.md",
        "---\ntitle: Edited by hand\n---\n",
    );
    let before = site.files("content");
    let run = import(&site, &["--out", "content"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("the file exists; import never overwrites"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("wrote 0 incidents"), "{}", run.stdout);
    assert_eq!(site.files("content"), before);
}

#[test]
fn dry_run_shows_the_front_matter_and_writes_nothing() {
    let Some(site) = site_with_seeds() else {
        return;
    };
    let run = site.run(&["import", "--dry-run", "legacy/002_e345da5553c8a06a.txt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!site.exists("content/imported"));
    assert!(run.stdout.contains("content/imported/INC-2025-0023-database-connection-pool-exhaustion-production.md (dry run)"), "{}", run.stdout);
    assert!(
        run.stdout.contains("    started: 2025-01-14T14:23:47Z\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("would write 1 incident to"),
        "{}",
        run.stdout
    );
}

#[test]
fn default_output_is_content_imported_in_the_root() {
    let Some(site) = site_with_seeds() else {
        return;
    };
    let run = site.run(&["import", "legacy"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(written(&site, "content/imported").len(), 12);
    assert_eq!(site.build(&[]).code, 0);
}

#[test]
fn unusable_sources_are_reported() {
    let site = Site::empty();
    site.write(
        "legacy/has-front-matter.md",
        "---\ntitle: Already converted\n---\nBody\n",
    )
    .write("legacy/notes.md", "Shopping list: eggs, milk.\n")
    .write("legacy/binary.md", b"\x00\x01\x02".as_slice());
    let run = site.run(&["import", "legacy"]);
    assert_eq!(run.code, 1, "the binary file is unreadable");
    assert!(
        run.stdout
            .contains("has-front-matter.md: skipped: it already has front matter"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("notes.md: skipped: it does not look like a postmortem"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("binary.md"), "{}", run.stderr);
    let run = site.run(&["import", "missing.md"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("missing.md does not exist"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_id_used_twice_in_one_import_is_kept_once() {
    let site = Site::empty();
    site.write(
        "legacy/a.md",
        "## INC-2024-001: Cache full\n\n**Severity:** SEV2\n",
    )
    .write(
        "legacy/b.md",
        "## INC-2024-001: Cache full again\n\n**Severity:** SEV3\n",
    );
    let run = site.run(&["import", "legacy", "--out", "content"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        written(&site, "content"),
        ["INC-2024-001-cache-full.md", "b-cache-full-again.md"]
    );
    assert!(
        run.stdout.contains(
            "note: id `INC-2024-001` is used by an earlier incident of this import; left out"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(site.build(&[]).code, 0);
}
