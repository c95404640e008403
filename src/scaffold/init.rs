//! The files of a new knowledge base (`hindsight init`): a commented
//! configuration, one sample postmortem, and CI pipelines for GitHub and
//! GitLab that run `hindsight check` and `hindsight build` and publish the
//! site. The texts live in `src/scaffold/init/`.

const CONFIG: &str = include_str!("init/hindsight.yaml");
const SAMPLE: &str = include_str!("init/sample.md");
const GITHUB_WORKFLOW: &str = include_str!("init/github-workflow.yml");
const GITLAB_CI: &str = include_str!("init/gitlab-ci.yml");

/// Where the CI examples install hindsight from when the package does not
/// name its repository (`repository` in Cargo.toml).
const FALLBACK_REPOSITORY: &str = "https://github.com/your-org/hindsight";

/// The sample postmortem's path.
pub const SAMPLE_PATH: &str = "content/INC-2025-001-checkout-connection-pool.md";

/// (path relative to the new root, contents), in the order they are reported.
pub fn files() -> Vec<(&'static str, String)> {
    let repository = Some(env!("CARGO_PKG_REPOSITORY"))
        .filter(|r| !r.is_empty())
        .unwrap_or(FALLBACK_REPOSITORY);
    vec![
        ("hindsight.yaml", CONFIG.to_string()),
        (SAMPLE_PATH, SAMPLE.to_string()),
        (
            ".github/workflows/hindsight.yml",
            GITHUB_WORKFLOW.replace("{{REPOSITORY}}", repository),
        ),
        (
            ".gitlab-ci.yml",
            GITLAB_CI.replace("{{REPOSITORY}}", repository),
        ),
    ]
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
            assert!(!text.contains("{{REPOSITORY}}"), "{path}");
            assert!(text.contains("hindsight check"), "{path}");
            assert!(text.contains("hindsight build"), "{path}");
        }
    }
}
