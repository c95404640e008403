//! The command line as a whole: every option of every command says what it
//! does, and output into a pipe that closes early ends quietly.

use std::process::Stdio;

use crate::support::{Run, Site, hindsight};

const COMMANDS: &[&str] = &["build", "serve", "check", "new", "import", "search", "init"];

fn help(command: &str) -> String {
    let run: Run = hindsight()
        .args([command, "--help"])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{command} --help: {}", run.stderr);
    run.stdout
}

/// The option lines of a help text without a description: clap writes the
/// description on the same line or, when it is long, on the next ones.
fn undescribed_options(help: &str) -> Vec<String> {
    let lines: Vec<&str> = help.lines().collect();
    let is_option = |line: &str| {
        let t = line.trim_start();
        (t.starts_with("--") || (t.starts_with('-') && t.chars().nth(2) == Some(',')))
            && line.starts_with("  ")
    };
    (0..lines.len())
        .filter(|&i| is_option(lines[i]))
        .filter(|&i| {
            let inline = lines[i].trim().contains("  ");
            let below = lines
                .get(i + 1)
                .is_some_and(|next| next.starts_with("          ") && !is_option(next));
            !inline && !below
        })
        .map(|i| lines[i].trim().to_string())
        .collect()
}

#[test]
fn every_option_of_every_command_is_described() {
    for command in COMMANDS {
        let text = help(command);
        assert_eq!(
            undescribed_options(&text),
            Vec::<String>::new(),
            "{command}:\n{text}"
        );
    }
    // What the issue found wrong, said right.
    assert!(
        !help("init").contains("--root"),
        "init takes DIR, not --root"
    );
    assert!(help("new").contains("--severity <SEVERITY>  Severity: a configured level"));
    assert!(help("check").contains("gitlab: A GitLab Code Quality report"));
    let build = help("build");
    let out = build.lines().find(|l| l.contains("--out")).unwrap();
    assert!(!out.contains("serve"), "{out}");
    let serve = help("serve");
    let out = serve.lines().find(|l| l.contains("--out <DIR>")).unwrap();
    assert!(out.contains("Also write every good build"), "{out}");
    assert!(help("import").contains("Markdown files, or folders of .md/.txt files"));
}

#[test]
fn the_checker_finds_an_undescribed_option() {
    let text = "Options:\n      --format <FORMAT>\n      --strict  Treat warnings as errors\n  -h, --help  Print help\n";
    assert_eq!(undescribed_options(text), ["--format <FORMAT>"]);
}

/// Runs `args` with stdout a pipe whose reading end is already closed, as
/// `hindsight … | head` leaves it once `head` has read enough.
#[cfg(unix)]
fn into_a_closed_pipe(site: &Site, args: &[&str]) -> (Option<i32>, String) {
    use std::os::unix::process::ExitStatusExt;
    let mut child = hindsight()
        .current_dir(site.root())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let signal = output.status.signal();
    (signal, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[cfg(unix)]
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let site = Site::bundled();
    assert_eq!(site.build(&[]).code, 0);
    site.write(
        "legacy/outage.md",
        "# Checkout outage\n\n**Severity:** SEV2\n**Date:** 2024-03-01\n\n## Summary\n\nCheckout failed for an hour.\n",
    );
    for args in [
        &["search", "--limit", "50", "database"][..],
        &["check", "--format", "json", "--now", "2026-01-15"],
        &["check", "--format", "gitlab", "--now", "2026-01-15"],
        &["import", "--dry-run", "legacy"],
    ] {
        let (signal, stderr) = into_a_closed_pipe(&site, args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(signal, Some(libc::SIGPIPE), "{args:?}: {stderr}");
    }
}
