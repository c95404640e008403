//! The files of a new knowledge base (`hindsight init`): a commented
//! configuration, one sample postmortem, CI pipelines for GitHub and GitLab
//! that install this very version of hindsight, run `hindsight check` and
//! `hindsight build` and publish the site, and a `.gitignore` for the built
//! site. The texts live in `src/scaffold/init/`.

const CONFIG: &str = include_str!("init/hindsight.yaml");
const SAMPLE: &str = include_str!("init/sample.md");
const GITHUB_WORKFLOW: &str = include_str!("init/github-workflow.yml");
const GITLAB_CI: &str = include_str!("init/gitlab-ci.yml");
/// The pipelines' install step (a POSIX shell subshell): the release binary
/// of `.github/workflows/release.yml`, else `cargo install`.
const INSTALL: &str = include_str!("init/install.sh");

/// The sample postmortem's path.
pub const SAMPLE_PATH: &str = "content/INC-2025-001-checkout-connection-pool.md";

/// Not one of [`files`]: an existing one gets the missing lines appended.
pub const GITIGNORE_PATH: &str = ".gitignore";

/// What `.gitignore` must hold: the built site.
pub const GITIGNORE_LINES: &[&str] = &["/public/"];

/// (path relative to the new root, contents), in the order they are reported.
pub fn files() -> Vec<(&'static str, String)> {
    vec![
        ("hindsight.yaml", CONFIG.to_string()),
        (SAMPLE_PATH, SAMPLE.to_string()),
        (".github/workflows/hindsight.yml", pipeline(GITHUB_WORKFLOW)),
        (".gitlab-ci.yml", pipeline(GITLAB_CI)),
    ]
}

/// `existing` (the text of a `.gitignore`, if any) with the missing
/// [`GITIGNORE_LINES`] appended; `None` when nothing is missing.
pub fn gitignore(existing: Option<&str>) -> Option<String> {
    let existing = existing.unwrap_or_default();
    // `public`, `public/`, `/public` and `/public/` all ignore the site.
    let bare = |line: &str| line.trim().trim_matches('/').to_string();
    let present = |line: &str| existing.lines().any(|l| bare(l) == bare(line));
    let missing: Vec<&str> = GITIGNORE_LINES
        .iter()
        .copied()
        .filter(|line| !present(line))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut text = existing.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# The site `hindsight build` writes\n");
    for line in missing {
        text.push_str(line);
        text.push('\n');
    }
    Some(text)
}

/// A pipeline template with this build's version, crate and repository, and
/// the install step indented to where `{{INSTALL}}` stands.
fn pipeline(template: &str) -> String {
    let install = INSTALL.replace("{{CRATE}}", env!("CARGO_PKG_NAME"));
    let text = template
        .replace("{{VERSION}}", env!("CARGO_PKG_VERSION"))
        .replace("{{REPOSITORY}}", env!("CARGO_PKG_REPOSITORY"));
    let mut out = String::with_capacity(text.len() + install.len() * 2);
    for line in text.split_inclusive('\n') {
        match line.find("{{INSTALL}}") {
            Some(at) => {
                let indent = " ".repeat(line.len() - line.trim_start().len());
                out.push_str(&line[..at]);
                for (n, script_line) in install.lines().enumerate() {
                    if n > 0 && !script_line.is_empty() {
                        out.push_str(&indent);
                    }
                    out.push_str(script_line);
                    out.push('\n');
                }
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::incident::parse_incident;
    use crate::load::SourceFile;

    #[test]
    fn the_config_and_the_sample_are_valid() {
        let files = files();
        let config = Config::parse(&files[0].1).expect("the generated config is valid");
        let (incident, diagnostics) = parse_incident(
            &SourceFile {
                path: SAMPLE_PATH.into(),
                text: files[1].1.clone(),
            },
            &config,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let incident = incident.unwrap();
        assert_eq!(incident.action_items.len(), 3);
        assert_eq!(incident.lessons.len(), 2);
        for (path, text) in &files[2..] {
            // Every {{SLOT}} filled: only GitHub expressions, `${{ … }}`, remain.
            assert_eq!(
                text.matches("{{").count(),
                text.matches("${{").count(),
                "{path}"
            );
            assert!(text.contains("hindsight check"), "{path}");
            assert!(text.contains("hindsight build"), "{path}");
        }
    }

    #[test]
    fn gitignore_gets_only_the_missing_lines() {
        assert_eq!(
            gitignore(None).as_deref(),
            Some("# The site `hindsight build` writes\n/public/\n")
        );
        assert_eq!(
            gitignore(Some("target/")).as_deref(),
            Some("target/\n# The site `hindsight build` writes\n/public/\n")
        );
        assert_eq!(gitignore(Some("node_modules\npublic/\n")), None);
        assert_eq!(gitignore(Some("/public\n")), None);
    }
}
