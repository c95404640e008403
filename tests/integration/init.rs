//! `hindsight init`: a knowledge base that checks and builds at once, CI
//! pipelines that run the commands the README documents, no overwrites.

use std::collections::BTreeSet;

use crate::support::{hindsight, repo};

/// The `hindsight …` commands in a text (`run: hindsight check`, `- hindsight build`, …).
fn commands(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.split(" #").next().unwrap_or(line).trim();
            let line = line
                .trim_start_matches("- ")
                .trim_start_matches("run: ")
                .trim();
            line.starts_with("hindsight ").then(|| line.to_string())
        })
        .collect()
}

#[test]
fn init_then_check_and_build() {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    let run: crate::support::Run = hindsight().arg("init").arg(&kb).output().unwrap().into();
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in [
        "hindsight.yaml",
        "content/INC-2025-001-checkout-connection-pool.md",
        ".github/workflows/hindsight.yml",
        ".gitlab-ci.yml",
    ] {
        assert!(kb.join(file).is_file(), "{file} missing");
        assert!(run.stdout.contains(file), "{}", run.stdout);
    }

    let check: crate::support::Run = hindsight()
        .arg("--root")
        .arg(&kb)
        .args(["check", "--strict", "--now", "2026-01-15"])
        .output()
        .unwrap()
        .into();
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("no problems found"),
        "{}",
        check.stdout
    );
    let build: crate::support::Run = hindsight()
        .arg("--root")
        .arg(&kb)
        .arg("build")
        .output()
        .unwrap()
        .into();
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(
        kb.join("public/incidents/inc-2025-001/index.html")
            .is_file()
    );
}

#[test]
fn the_pipelines_run_the_commands_the_readme_documents() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        hindsight()
            .arg("init")
            .arg(dir.path())
            .status()
            .unwrap()
            .success()
    );
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme
        .split("## Publishing from CI")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has a Publishing from CI section");
    // The commands of its code blocks (every other part of a split on ``` is code).
    let code: String = section.split("```").skip(1).step_by(2).collect();
    let documented = commands(&code);
    assert_eq!(
        documented,
        BTreeSet::from(["hindsight check".to_string(), "hindsight build".to_string()])
    );
    for file in [".github/workflows/hindsight.yml", ".gitlab-ci.yml"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        let _: yaml_serde::Value =
            yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{file} is not YAML: {e}"));
        assert_eq!(commands(&text), documented, "{file}");
        assert!(
            text.contains("cargo install --locked")
                && text.contains(
                    "--git https://github.com/hindsight-postmortems/hindsight --branch main"
                ),
            "{file} installs as the README says"
        );
    }
}

#[test]
fn init_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hindsight.yaml"), "title: Mine\n").unwrap();
    let run: crate::support::Run = hindsight()
        .arg("init")
        .arg(dir.path())
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("already has hindsight.yaml; nothing was written"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("hindsight.yaml")).unwrap(),
        "title: Mine\n"
    );
    assert!(!dir.path().join("content").exists());
}
