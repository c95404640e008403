//! `hindsight import`:
//!
//! - one fixture per inference rule (`tests/fixtures/import/<rule>.md`,
//!   short inputs written for these tests), its front matter and report
//!   pinned as a snapshot, and checked as `build` reads it;
//! - the legacy seeds (`$HINDSIGHT_SEEDS`) and the four real corpora of
//!   `$HINDSIGHT_CORPORA/import-dev/`: every real incident imported, every
//!   template skipped, `check` without errors, `build` with their dates in
//!   the metrics, the coverage of each field pinned;
//! - importing into a knowledge base that has content: never a collision,
//!   never an overwrite, and a second run writes nothing new;
//! - the report: `--dry-run`, `--format json`, unusable sources.

use std::path::{Path, PathBuf};

use hindsight::config::Config;
use hindsight::import::convert;

use crate::support::{Run, Site, corpus, redact, repo, seeds};

fn written(site: &Site, dir: &str) -> Vec<String> {
    site.files(dir).into_iter().map(|(path, _)| path).collect()
}

fn front_matter(text: &str) -> &str {
    let end = text[4..].find("\n---\n").expect("closed front matter") + 4;
    &text[..end + 5]
}

/// Each rule's fixture: what `convert` infers (front matter, where each
/// field came from, choices, notes) and what `build` then reads.
#[test]
fn each_inference_rule_on_its_fixture() {
    let dir = repo().join("tests/fixtures/import");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 20, "{fixtures:?}");
    let config = Config::default();
    for path in fixtures {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let conversion = convert(&name, &text, &config);
        let mut shown = String::new();
        if let Some(why) = &conversion.refused {
            shown.push_str(&format!("refused: {why}\n"));
        }
        for mut incident in conversion.incidents {
            let markdown_path = format!("content/imported/{}.md", incident.file_stem());
            let built = incident.finish(&markdown_path, &config);
            let markdown = incident.to_markdown();
            shown.push_str(&format!("{markdown_path}\n{}", front_matter(&markdown)));
            for (field, from) in &incident.sources {
                shown.push_str(&format!("  {field} ← {from}\n"));
            }
            for line in incident
                .choices
                .iter()
                .map(|c| format!("ambiguous: {c}"))
                .chain(incident.notes.iter().map(|n| format!("note: {n}")))
                .chain(incident.template.iter().map(|t| format!("template: {t}")))
            {
                shown.push_str(&format!("  {line}\n"));
            }
            match built {
                Ok(b) => shown.push_str(&format!(
                    "  build reads {} action items, {} lessons\n",
                    b.action_items, b.lessons
                )),
                Err(e) => panic!("{name}: build rejects what import would write: {e}\n{markdown}"),
            }
        }
        for (heading, line) in &conversion.left_out {
            shown.push_str(&format!("left out: \"{heading}\" (line {line})\n"));
        }
        let snapshot = name.trim_end_matches(".md").replace([' ', '.'], "_");
        insta::assert_snapshot!(snapshot, shown);
    }
}

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

fn import_seeds(site: &Site, extra: &[&str]) -> Run {
    let mut args = vec!["import"];
    let sources: Vec<String> = SEEDS.iter().map(|s| format!("legacy/{s}")).collect();
    args.extend(sources.iter().map(String::as_str));
    args.extend_from_slice(extra);
    site.run(&args)
}

#[test]
fn seeds_become_one_file_per_incident_and_a_site_that_builds() {
    let Some(site) = site_with_seeds() else {
        return;
    };
    let run = import_seeds(&site, &["--out", "content"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!("seed_files", written(&site, "content").join("\n"));
    insta::assert_snapshot!("seed_report", redact(&run.stdout, &site));
    let all: String = site
        .files("content")
        .into_iter()
        .map(|(path, bytes)| {
            let text = String::from_utf8(bytes).unwrap();
            format!("{path}\n{}\n", front_matter(&text))
        })
        .collect();
    insta::assert_snapshot!("seed_front_matter", all);

    // Bodies are kept as written: the file ends with the incident's text.
    let source = std::fs::read_to_string(seeds().unwrap().join(SEEDS[2])).unwrap();
    let report =
        site.read("content/INC-2025-0023-database-connection-pool-exhaustion-production.md");
    assert_eq!(
        &report[front_matter(&report).len()..],
        format!("{}\n", source.trim_end())
    );

    // A placeholder its authors left in a report makes it a draft (a
    // placeholder is an error only in a published postmortem): check finds
    // no error, only the warning.
    let check = site.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check.stderr.contains(
            "warning[placeholder]: template placeholder `[Link to recording]` was never filled in"
        ),
        "{}",
        check.stderr
    );
    let build = site.build(&["--include-internal", "--drafts"]);
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
        report["severity"], "SEV1",
        "P1 (High) maps through the scale"
    );
    assert_eq!(report["started"], "2025-01-14T14:23:47Z");
    assert_eq!(report["resolved"], "2025-01-14T15:08:22Z");
    let first = find("INC-2024-001");
    assert_eq!(first["date"], "2024-01-15");
    assert_eq!(
        first["started"], "2024-01-15T09:15:00Z",
        "times take the Date: line's day"
    );
    assert_eq!(
        first["resolved"], "2024-01-15T13:38:00Z",
        "the all-clear row"
    );
    assert_eq!(first["action_items"].as_array().unwrap().len(), 4);
    assert_eq!(first["lessons"].as_array().unwrap().len(), 3);
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
    let run = import_seeds(&site, &["--out", "content"]);
    assert!(
        run.summary()
            .contains("wrote 12 incidents to content, 2 templates skipped"),
        "{}",
        run.stdout
    );
    let Some(site) = site_with_seeds() else {
        return;
    };
    let run = import_seeds(&site, &["--out", "content", "--include-templates"]);
    assert_eq!(run.code, 0);
    assert_eq!(written(&site, "content").len(), 14);
    assert_eq!(site.build(&[]).code, 0, "imported templates still build");
}

/// The real corpora of `$HINDSIGHT_CORPORA/import-dev/`, as a new user
/// imports them: every postmortem file of a folder (its SOURCE.md and
/// LICENSE are recognised as not postmortems).
#[test]
fn real_corpora_import_check_and_build() {
    let Some(dir) = corpus("import-dev") else {
        return;
    };
    // (corpus, incidents, incidents whose text states a time of day)
    for (name, incidents, timed) in [
        ("chia", 24, 15),
        ("mybinder", 23, 23),
        ("posthog", 10, 10),
        ("test-infra", 5, 5),
    ] {
        let site = Site::empty();
        let folder = dir.join(name);
        let run = site.run(&["import", folder.to_str().unwrap(), "--format", "json"]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(report["written"], incidents, "{name}");
        let coverage = &report["coverage"];
        let n = |field: &str| coverage[field].as_u64().unwrap() as usize;
        assert!(n("date") * 100 >= incidents * 95, "{name}: date {coverage}");
        assert!(
            n("started") * 100 >= timed * 80,
            "{name}: started {coverage}"
        );
        insta::assert_snapshot!(
            format!("corpus_coverage_{name}"),
            serde_json::to_string_pretty(coverage).unwrap()
        );
        let check = site.run(&["check", "--format", "json"]);
        assert!(
            !check.stdout.contains("\"level\": \"error\""),
            "{name}: {}",
            check.stdout
        );
        let build = site.build(&[]);
        assert_eq!(build.code, 0, "{name}: {}", build.stderr);
        let metrics: serde_json::Value =
            serde_json::from_str(&site.read("public/metrics.json")).unwrap();
        let in_quarters: u64 = metrics["quarters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["incidents"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(
            in_quarters as usize, incidents,
            "{name}: every incident in a quarter"
        );
    }
}

/// The knowledge base already holds content: imported ids never collide
/// with it, nothing is overwritten, and importing again writes nothing.
#[test]
fn importing_twice_into_a_knowledge_base_writes_nothing_new() {
    let site = Site::bundled();
    site.write(
        "legacy/RCA-17 - Disk full.md",
        "# Disk full\n\n**Date:** 2020-11-02\n**Severity:** SEV3\n\n## Root cause\n\nOld artifacts.\n",
    )
    .write(
        "legacy/outages.md",
        "# History\n\n## INC-2024-007: Pool exhaustion again\n\n**Date:** 2024-06-01\n\n## Cache stampede (2024-07-01)\n\n**Severity:** SEV2\n",
    );
    let before = site.files("content");
    let first = site.run(&["import", "legacy", "--out", "content/imported"]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(
        first
            .stdout
            .contains("note: id `INC-2024-007` is already used by"),
        "the bundled content has INC-2024-007: {}",
        first.stdout
    );
    let after_first = site.files("content");
    for (path, bytes) in &before {
        assert!(
            after_first.contains(&(path.clone(), bytes.clone())),
            "{path} was changed"
        );
    }
    assert_eq!(after_first.len(), before.len() + 3);
    assert_eq!(site.run(&["check"]).code, 0);
    assert_eq!(site.build(&[]).code, 0);

    let second = site.run(&["import", "legacy", "--out", "content/imported"]);
    assert_eq!(second.code, 0, "{}", second.stdout);
    assert_eq!(
        site.files("content"),
        after_first,
        "nothing new, nothing overwritten"
    );
    assert!(
        second.summary().contains("wrote 0 incidents")
            && second.summary().contains("3 already imported"),
        "{}",
        second.stdout
    );
    assert!(
        second.stdout.contains("already imported as"),
        "{}",
        second.stdout
    );
}

#[test]
fn import_never_overwrites_a_file() {
    let site = Site::empty();
    site.write(
        "legacy/cache-full.md",
        "# Cache full\n\n**Date:** 2024-01-02\n**Severity:** SEV2\n",
    )
    .write(
        "content/cache-full.md",
        "---\nid: other\ntitle: Edited by hand\n---\n",
    );
    let run = site.run(&["import", "legacy/cache-full.md", "--out", "content"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        site.read("content/cache-full.md"),
        "---\nid: other\ntitle: Edited by hand\n---\n"
    );
    assert_eq!(
        written(&site, "content"),
        ["cache-full-2.md", "cache-full.md"]
    );
    assert_eq!(site.build(&[]).code, 0);
}

#[test]
fn an_id_used_twice_in_one_import_gets_a_suffix() {
    let site = Site::empty();
    site.write("legacy/a.md", "## INC-2024-001: Cache full\n\n**Severity:** SEV2\n\n## INC-2024-002: Disk full\n\n**Severity:** SEV3\n")
        .write("legacy/b.md", "## INC-2024-001: Cache full again\n\n**Severity:** SEV3\n\n## INC-2024-003: Queue stuck\n\n**Severity:** SEV3\n");
    let run = site.run(&["import", "legacy", "--out", "content"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "note: id `INC-2024-001` is used by an earlier incident of this import; using `INC-2024-001-2`"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(site.build(&[]).code, 0);
}

#[test]
fn dry_run_shows_the_report_and_writes_nothing() {
    let site = Site::empty();
    site.write(
        "legacy/pm.md",
        std::fs::read_to_string(fixture("timeline-table-with-full-dates.md")).unwrap(),
    );
    let run = site.run(&["import", "--dry-run", "legacy/pm.md"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!site.exists("content/imported"));
    insta::assert_snapshot!("dry_run_report", redact(&run.stdout, &site));
}

#[test]
fn json_report_for_scripts() {
    let site = Site::empty();
    site.write(
        "legacy/pm.md",
        std::fs::read_to_string(fixture("two-start-times-are-reported.md")).unwrap(),
    )
    .write(
        "legacy/template.md",
        std::fs::read_to_string(fixture("template-by-placeholder-density.md")).unwrap(),
    );
    let run = site.run(&["import", "legacy", "--format", "json", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    let incidents = report["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 2);
    let real = incidents
        .iter()
        .find(|i| i["outcome"] == "would-write")
        .unwrap();
    assert_eq!(real["fields"]["started"]["value"], "2021-05-09T12:48:00Z");
    assert!(
        real["ambiguous"][0]
            .as_str()
            .unwrap()
            .starts_with("two start times")
    );
    let template = incidents
        .iter()
        .find(|i| i["outcome"] == "template")
        .unwrap();
    assert!(template["reason"].as_str().unwrap().contains("placeholder"));
    assert_eq!(report["coverage"]["started"], 1);
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

fn fixture(name: &str) -> PathBuf {
    Path::new(&repo()).join("tests/fixtures/import").join(name)
}

mod always_builds {
    //! Property: whatever a legacy document says, what `import` would write
    //! for it is a file `build` accepts with every inferred field (nothing
    //! dropped by the safety net in `Imported::finish`).

    use hindsight::config::Config;
    use hindsight::import::convert;
    use proptest::prelude::*;

    fn number() -> impl Strategy<Value = u32> {
        prop_oneof![
            0u32..13,
            0u32..32,
            0u32..61,
            0u32..100,
            Just(2021),
            1990u32..2040
        ]
    }

    /// Dates and times in the shapes import reads, with numbers that may
    /// not make a valid date (`2021-13-45`, `25:99`).
    fn stamp() -> impl Strategy<Value = String> {
        let month = prop_oneof![
            Just("Jan"),
            Just("February"),
            Just("Sept"),
            Just("Oct"),
            Just("May")
        ];
        let zone = prop_oneof![
            Just(""),
            Just(" UTC"),
            Just(" PST"),
            Just(" (CET)"),
            Just(" GMT+2"),
            Just(" UTC-7"),
            Just(" XYZT")
        ];
        (
            number(),
            number(),
            number(),
            number(),
            number(),
            month,
            zone,
            0usize..9,
        )
            .prop_map(|(a, b, c, d, e, month, zone, shape)| match shape {
                0 => format!("{d}:{e:02}{zone}"),
                1 => format!("{d}:{e:02} PM{zone}"),
                2 => format!("{c}-{a:02}-{b:02} {d}:{e:02}{zone}"),
                3 => format!("{a}/{b}/{c}"),
                4 => format!("[{d}:{e:02}]"),
                5 => format!("{month} {b}th, {c}, {d}:{e:02} AM"),
                6 => format!("{b}. {month}, {d}:{e:02}"),
                7 => format!("**{d}:{e:02}{zone}**"),
                _ => format!("[{a:02}-{b:02} {d}:{e:02}]"),
            })
    }

    fn words() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("outage begins".to_string()),
            Just("alert fired, on-call paged".to_string()),
            Just("rolled back; mitigated".to_string()),
            Just("service fully recovered, all clear".to_string()),
            Just("Incident closed".to_string()),
            Just("[TITLE]".to_string()),
            Just("YYYY-MM-DD".to_string()),
            Just("X minutes".to_string()),
            "\\PC{0,30}",
            ".{0,20}",
        ]
    }

    fn line() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("Date"),
            Just("Severity"),
            Just("Start time"),
            Just("End time"),
            Just("Duration"),
            Just("Services affected"),
            Just("Incident commander"),
            Just("Participants"),
            Just("Status"),
            Just("Classification"),
            Just("Time to detection"),
            Just("Time to recovery"),
            Just("Title"),
            Just("Incident ID"),
            Just("Tags"),
            Just("Priority"),
            Just("Detected"),
            Just("Mitigated")
        ];
        let heading = prop_oneof![
            Just("Timeline".to_string()),
            Just("Action items".to_string()),
            Just("Lessons learned".to_string()),
            Just("What went well".to_string()),
            Just("Summary".to_string()),
            Just("Incident Title".to_string()),
            Just("INC-2024-001: Cache".to_string()),
            words()
        ];
        prop_oneof![
            (1usize..4, heading, stamp())
                .prop_map(|(n, h, s)| format!("{} {h} ({s})", "#".repeat(n))),
            (1usize..4, words()).prop_map(|(n, w)| format!("{} {w}", "#".repeat(n))),
            (key.clone(), stamp()).prop_map(|(k, v)| format!("**{k}:** {v}")),
            (key.clone(), words()).prop_map(|(k, v)| format!("{k}: {v}")),
            (key, words()).prop_map(|(k, v)| format!("| **{k}** | {v} |")),
            (stamp(), words()).prop_map(|(s, w)| format!("- {s} - {w}")),
            (stamp(), words()).prop_map(|(s, w)| format!("{s}: {w}")),
            (stamp(), stamp(), words()).prop_map(|(a, b, w)| format!("| {a} | {b} | {w}")),
            Just("|---|---|---|".to_string()),
            Just("All times in PDT".to_string()),
            Just("```".to_string()),
            Just("- [x] done item (@owner, due 2025-01-02)".to_string()),
            words(),
            Just(String::new()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn import_output_always_builds(
            lines in proptest::collection::vec(line(), 0..40),
            name in prop_oneof![Just("legacy.md"), Just("2021-06-22-outage.md"), Just("PM2021-005 - Title.md"), Just("x")],
            new_york in any::<bool>(),
        ) {
            let text = lines.join("\n");
            let mut config = Config::default();
            if new_york {
                config.timezone = jiff::tz::TimeZone::get("America/New_York").unwrap();
            }
            for mut incident in convert(name, &text, &config).incidents {
                let path = format!("content/imported/{}.md", incident.file_stem());
                let built = incident.finish(&path, &config);
                // The generated text holds no secrets: nothing may be refused.
                prop_assert!(built.is_ok(), "{built:?}\n{}", incident.to_markdown());
                prop_assert!(
                    !incident.notes.iter().any(|n| n.starts_with("build rejected")),
                    "{:?}\n{}", incident.notes, incident.to_markdown()
                );
            }
        }
    }
}
