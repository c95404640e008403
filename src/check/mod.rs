//! `hindsight check`: everything a build validates, without writing, plus
//! the rules a build does not enforce — secrets and personal data (errors),
//! placeholders left from templates (the scanners of [`crate::scan`]) and
//! neglected action items (warnings).

use std::collections::{HashMap, HashSet};

use indicatif::ProgressBar;
use jiff::civil::Date;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Level, LineIndex, Location, codes};
use crate::field;
use crate::incident::{ActionItem, Incident, ItemSource};
use crate::load::{SourceFile, Sources};
use crate::pipeline::{BuildOptions, knowledge_base};
use crate::render::theme::Theme;
use crate::scan::{Scan, scan_sources};

/// Open action items without an owner, and open ones past their due date.
pub fn action_item_diagnostics(incident: &Incident, file_text: &str, now: Date) -> Vec<Diagnostic> {
    let lines = LineIndex::new(file_text);
    let mut out = Vec::new();
    for item in incident
        .action_items
        .iter()
        .filter(|a| a.status.is_pending())
    {
        let at = item_location(incident, item, &lines);
        if item.owner.is_none() {
            out.push(
                Diagnostic::warning(
                    codes::ACTION_ITEM_NO_OWNER,
                    &incident.source_path,
                    format!("action item `{}` has no owner", item.title),
                )
                .at(at.clone())
                .hint("name an owner (an Owner column, `owner:` in the front matter, or `@someone` in a task-list item) so it gets done"),
            );
        }
        if let Some(due) = item.due.filter(|&due| due < now) {
            out.push(
                Diagnostic::warning(
                    codes::ACTION_ITEM_OVERDUE,
                    &incident.source_path,
                    format!(
                        "action item `{}` was due {due} and is still {}",
                        item.title,
                        item.status.as_str()
                    ),
                )
                .at(at)
                .hint(format!(
                    "mark it done or wont-do, or move its due date (today is {now}; set another day with --now)"
                )),
            );
        }
    }
    out
}

/// The line of an action item: its body line, or the front-matter line that names it.
fn item_location(incident: &Incident, item: &ActionItem, lines: &LineIndex<'_>) -> Location {
    match item.source {
        ItemSource::Body(line) => lines.line(line),
        ItemSource::FrontMatter => {
            let key = incident
                .field_locations
                .get(field::ACTION_ITEMS)
                .cloned()
                .unwrap_or_default();
            let front_matter_end = incident.body_line.saturating_sub(1);
            (key.line.max(1)..front_matter_end)
                .find(|&n| {
                    lines
                        .line_text(n)
                        .is_some_and(|l| l.contains(item.title.as_str()))
                })
                .map_or(key, |n| lines.line(n))
        }
    }
}

/// Template placeholders left in a postmortem that will be published are
/// errors: its readers would see "[What happened…]". In a draft they are
/// warnings, the to-do list of the author. `publishable(path)` says whether
/// the file is not a draft.
fn placeholders_by_publication(
    scanned: Vec<Diagnostic>,
    publishable: impl Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    let mut drafts: HashMap<String, bool> = HashMap::new();
    scanned
        .into_iter()
        .map(|d| {
            if d.code != codes::PLACEHOLDER {
                return d;
            }
            let publishable = *drafts
                .entry(d.path.clone())
                .or_insert_with(|| publishable(&d.path));
            if publishable {
                Diagnostic {
                    level: Level::Error,
                    ..d
                }
                .hint(
                    "replace it with the real text, or mark the postmortem `draft: true` until it is finished (drafts are not published)",
                )
            } else {
                d
            }
        })
        .collect()
}

/// Whether a content file is a draft (parsed again: only files that are
/// not published by default and hold placeholders get here).
fn is_draft(path: &str, text: &str, config: &Config) -> bool {
    let file = SourceFile {
        path: path.to_string(),
        text: text.to_string(),
    };
    crate::incident::parse_incident(&file, config)
        .0
        .is_some_and(|incident| incident.draft)
}

/// The result of checking a knowledge base.
pub struct Report {
    /// Sorted; warnings already escalated under `--strict`.
    pub diagnostics: Vec<Diagnostic>,
    /// The theme does not compile (exit code 2, as for `build`).
    pub theme_broken: bool,
    pub files: usize,
    pub incidents: usize,
}

/// Checks everything: the build's own validation (`knowledge_base`), the
/// theme, secrets, placeholders and action items. Pure: nothing is written.
pub fn check(sources: Sources, options: &BuildOptions) -> Report {
    let mut diagnostics = Diagnostics::default();
    let theme_errors = Theme::load(&sources.theme_overrides)
        .err()
        .unwrap_or_default();
    let theme_broken = !theme_errors.is_empty();
    diagnostics.extend(theme_errors);
    let scanned = scan_sources(&sources, Scan::Everything);
    let files = sources.content.len();
    let texts: HashMap<String, String> = sources
        .content
        .iter()
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect();
    // Scanning and escalation are done here, once, for every rule.
    let lenient = BuildOptions {
        strict: false,
        ..options.clone()
    };
    let config = sources.config.clone();
    let (kb, found) = knowledge_base(sources, &lenient, &ProgressBar::hidden());
    diagnostics.extend(found);
    let published: HashSet<&str> = kb
        .incidents
        .iter()
        .map(|i| i.source_path.as_str())
        .collect();
    diagnostics.extend(placeholders_by_publication(scanned, |path| {
        published.contains(path)
            || texts
                .get(path)
                .is_none_or(|text| !is_draft(path, text, &config))
    }));
    for incident in &kb.incidents {
        if let Some(text) = texts.get(&incident.source_path) {
            diagnostics.extend(action_item_diagnostics(incident, text, kb.scope.now));
        }
    }
    if options.strict {
        diagnostics.escalate_warnings();
    }
    Report {
        diagnostics: diagnostics.into_sorted(),
        theme_broken,
        files,
        incidents: kb.incidents.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::parse_incident;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            path: "content/a.md".into(),
            text: text.into(),
        }
    }

    #[test]
    fn open_action_items_need_an_owner_and_a_future_due_date() {
        let text = "---\ntitle: T\naction_items:\n  - { title: Rotate keys, due: 2025-01-01, status: open }\n  - { title: Old and done, due: 2020-01-01, status: done }\n---\n## Action Items\n\n- [ ] Add alert (@sre, due 2030-01-01)\n- [ ] Write runbook\n";
        let (incident, _) = parse_incident(&file(text), &Config::default());
        let found =
            action_item_diagnostics(&incident.unwrap(), text, jiff::civil::date(2026, 1, 15));
        let summary: Vec<_> = found.iter().map(|d| (d.code, d.location.line)).collect();
        assert_eq!(
            summary,
            [
                ("action-item-no-owner", 4),
                ("action-item-overdue", 4),
                ("action-item-no-owner", 10)
            ]
        );
        assert_eq!(
            found[1].message,
            "action item `Rotate keys` was due 2025-01-01 and is still open"
        );
    }
}
