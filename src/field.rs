//! The canonical front-matter field names (docs/content.md#front-matter),
//! spelt once: the parser reads them, the configuration checks aliases
//! against them, `import` writes them and diagnostics point at them.

pub const ID: &str = "id";
pub const TITLE: &str = "title";
pub const DATE: &str = "date";
pub const SEVERITY: &str = "severity";
pub const STATUS: &str = "status";
pub const STARTED: &str = "started";
pub const DETECTED: &str = "detected";
pub const MITIGATED: &str = "mitigated";
pub const RESOLVED: &str = "resolved";
pub const DURATION: &str = "duration";
pub const SERVICES: &str = "services";
pub const TAGS: &str = "tags";
pub const COMMANDER: &str = "commander";
pub const RESPONDERS: &str = "responders";
pub const IMPACT: &str = "impact";
pub const RELATED: &str = "related";
pub const REPEAT_OF: &str = "repeat_of";
pub const TRIGGER: &str = "trigger";
pub const CONTRIBUTING_FACTORS: &str = "contributing_factors";
pub const ACTION_ITEMS: &str = "action_items";
pub const SUMMARY: &str = "summary";
pub const DRAFT: &str = "draft";
pub const VISIBILITY: &str = "visibility";

/// Every canonical field, in the order of the reference: the only valid
/// targets of `fields:` aliases in `hindsight.yaml`.
pub const ALL: &[&str] = &[
    ID,
    TITLE,
    DATE,
    SEVERITY,
    STATUS,
    STARTED,
    DETECTED,
    MITIGATED,
    RESOLVED,
    DURATION,
    SERVICES,
    TAGS,
    COMMANDER,
    RESPONDERS,
    IMPACT,
    RELATED,
    REPEAT_OF,
    TRIGGER,
    CONTRIBUTING_FACTORS,
    ACTION_ITEMS,
    SUMMARY,
    DRAFT,
    VISIBILITY,
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_content_reference_lists_every_field() {
        let reference = include_str!("../docs/content.md");
        let missing: Vec<&&str> = super::ALL
            .iter()
            .filter(|field| !reference.contains(&format!("`{field}`")))
            .collect();
        assert!(
            missing.is_empty(),
            "docs/content.md does not list {missing:?}"
        );
    }
}
