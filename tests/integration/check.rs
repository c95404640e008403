//! `hindsight check`: one fixture per kind of finding (snapshots of the human
//! and JSON output), exit codes, `--strict`, secrets never printed, nothing
//! written, and the bundled and real corpora free of errors.

use crate::support::{Run, Site, redact, repo};

/// `check` with a fixed "today", so overdue items do not change with the calendar.
fn check(site: &Site, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--now", "2026-01-15"];
    args.extend_from_slice(extra);
    site.run(&args)
}

fn json(run: &Run) -> Vec<serde_json::Value> {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// The summary line ends with the time taken.
fn without_timing(text: &str) -> String {
    let timing = regex::Regex::new(r"in \d+\.\d+s").unwrap();
    timing.replace_all(text, "in [TIME]").into_owned()
}

/// (fixture, exit code, exit code under --strict): errors fail at once,
/// warnings only under --strict.
const FIXTURES: &[(&str, i32, i32)] = &[
    ("action-item-no-owner", 0, 1),
    ("action-item-overdue", 0, 1),
    ("duplicate-id", 1, 1),
    ("pii-card-number", 1, 1),
    ("pii-national-id", 1, 1),
    // Errors in INC-8 (published), warnings in INC-9 (a draft).
    ("placeholder", 1, 1),
    ("secret-cloud-key", 1, 1),
    ("secret-custom-pattern", 1, 1),
    ("secret-password-in-url", 1, 1),
    ("secret-private-key", 1, 1),
    ("secret-token", 1, 1),
    ("timestamps-out-of-order", 1, 1),
    ("unknown-reference", 0, 1),
];

#[test]
fn every_kind_of_finding_has_a_fixture_with_snapshots() {
    let folders: Vec<String> = std::fs::read_dir(repo().join("tests/fixtures/check"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(folders.len(), FIXTURES.len(), "{folders:?}");
    for &(name, code, strict_code) in FIXTURES {
        let site = Site::fixture(&format!("check/{name}"));

        let human = check(&site, &[]);
        assert_eq!(human.code, code, "{name}: {}", human.stderr);
        insta::assert_snapshot!(
            format!("{name}_human"),
            without_timing(&redact(&format!("{}{}", human.stderr, human.stdout), &site))
        );

        let machine = check(&site, &["--format", "json"]);
        assert_eq!(machine.code, code, "{name}");
        let findings = json(&machine);
        assert!(
            findings.iter().all(|f| f["code"] == name),
            "{name} fixture gives other findings: {findings:?}"
        );
        assert!(!findings.is_empty(), "{name}");
        for f in &findings {
            for key in ["path", "line", "column", "severity", "code", "message"] {
                assert!(!f[key].is_null(), "{name}: {key} missing in {f}");
            }
        }
        insta::assert_snapshot!(format!("{name}_json"), machine.stdout);

        assert_eq!(
            check(&site, &["--strict"]).code,
            strict_code,
            "{name} --strict"
        );
    }
}

#[test]
fn secrets_are_never_printed_back() {
    let secrets = [
        "ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0000",
        "xoxb-000000000000-FAKEfakeFAKEfake",
        "sk_live_FAKEfakeFAKEfakeFAKE0000",
        "FAKEfakeFAKEfake0123456789/+FAKEfakeFAKE",
        "AKIAZ7FAKE2345ABCDEF",
        "S3cretFAKE",
        "4111 1111 1111 1111",
        "219-09-9999",
        "JG 10 37 59 A",
        "MRN-204518",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
    ];
    for name in [
        "secret-token",
        "secret-cloud-key",
        "secret-password-in-url",
        "pii-card-number",
        "pii-national-id",
        "secret-custom-pattern",
        "secret-private-key",
    ] {
        let site = Site::fixture(&format!("check/{name}"));
        for format in ["human", "json"] {
            let run = check(&site, &["--format", format]);
            for secret in secrets {
                assert!(
                    !run.stdout.contains(secret) && !run.stderr.contains(secret),
                    "{name} ({format}) printed {secret}"
                );
            }
        }
    }
}

#[test]
fn check_writes_nothing() {
    let site = Site::fixture("check/placeholder");
    let before = site.files("");
    assert_eq!(check(&site, &[]).code, 1);
    assert_eq!(site.files(""), before);
}

#[test]
fn bundled_content_and_the_real_corpus_have_no_errors() {
    let sites = [
        Some(("bundled", Site::bundled())),
        Site::postmortems_app().map(|site| ("postmortems-app", site)),
    ];
    for (name, site) in sites.into_iter().flatten() {
        let run = check(&site, &["--format", "json"]);
        assert_eq!(run.code, 0, "{name}: {}", run.stdout);
        let errors: Vec<_> = json(&run)
            .into_iter()
            .filter(|f| f["severity"] == "error")
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
}

#[test]
fn a_strict_build_refuses_secrets_too() {
    let site = Site::fixture("check/secret-token");
    assert_eq!(site.build(&[]).code, 0);
    let run = site.build(&["--strict", "--out", "strict"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[secret-token]"), "{}", run.stderr);
    assert!(!site.exists("strict"));
}

#[test]
fn configuration_and_theme_errors_exit_2() {
    let site = Site::fixture("check/placeholder");
    site.write("hindsight.yaml", "timezone: Mars/Olympus\n");
    let run = check(&site, &["--format", "json"]);
    assert_eq!(run.code, 2);
    assert_eq!(json(&run)[0]["code"], "config-invalid");

    let site = Site::fixture("check/placeholder");
    site.write("theme/templates/base.html", "{% if %}");
    let run = check(&site, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[template-error]"),
        "{}",
        run.stderr
    );
}
