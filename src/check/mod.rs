//! `hindsight check`: everything a build validates, without writing, plus
//! the rules a build does not enforce — secrets and personal data (errors),
//! placeholders left from templates and neglected action items (warnings).
//!
//! The scanners ([`secrets::scan`], [`placeholders::scan`]) are pure
//! functions of a text, so fuzz targets and tests can call them directly.

pub mod placeholders;
pub mod secrets;

use std::collections::HashMap;
use std::ops::Range;

use indicatif::ProgressBar;
use jiff::civil::Date;
use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex, Location};
use crate::incident::{ActionItem, Incident, ItemSource};
use crate::load::{SourceFile, Sources};
use crate::pipeline::{BuildOptions, knowledge_base};
use crate::render::theme::Theme;

/// One problem found by a scanner, as a byte range of the scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Diagnostic code, e.g. `secret-token` or `placeholder`.
    pub code: &'static str,
    pub range: Range<usize>,
    /// Never contains the secret itself.
    pub message: String,
    pub hint: String,
    /// Bytes that must never be printed (the secret), when there are any.
    pub redact: Option<Range<usize>>,
}

/// Sorted by position; of overlapping findings the earliest (then longest) wins.
pub(crate) fn without_overlaps(mut found: Vec<Finding>) -> Vec<Finding> {
    found.sort_by_key(|f| (f.range.start, std::cmp::Reverse(f.range.end)));
    let mut kept: Vec<Finding> = Vec::with_capacity(found.len());
    for f in found {
        if kept
            .last()
            .is_none_or(|last| f.range.start >= last.range.end)
        {
            kept.push(f);
        }
    }
    kept
}

/// What the content scan looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// Secrets and personal data only (what `build --strict` refuses).
    Secrets,
    /// Secrets, personal data and template placeholders (`check`).
    Everything,
}

/// Secrets (errors) and, with [`Scan::Everything`], placeholders (warnings)
/// in every content file, front matter included.
pub fn scan_sources(sources: &Sources, scan: Scan) -> Vec<Diagnostic> {
    sources
        .content
        .par_iter()
        .flat_map_iter(|file| scan_file(file, &sources.config, scan))
        .collect()
}

/// The findings of one file as diagnostics. Secrets are masked in the shown
/// line as well as in the message, so CI logs never carry them.
pub fn scan_file(file: &SourceFile, config: &Config, scan: Scan) -> Vec<Diagnostic> {
    let text = file.text.as_str();
    let lines = LineIndex::new(text);
    let secrets = secrets::scan(text, &config.secret_patterns);
    let hidden: Vec<Range<usize>> = secrets.iter().filter_map(|f| f.redact.clone()).collect();
    let placeholders = match scan {
        Scan::Everything => placeholders::scan(text),
        Scan::Secrets => Vec::new(),
    };
    let as_diagnostic = |f: Finding, error: bool| {
        let width = text[f.range.clone()]
            .split('\n')
            .next()
            .unwrap_or("")
            .chars()
            .count();
        let mut location = lines.location(f.range.start, width);
        location.source_line = location
            .source_line
            .map(|line| mask_line(text, f.range.start, &line, &hidden));
        let d = if error {
            Diagnostic::error(f.code, &file.path, f.message)
        } else {
            Diagnostic::warning(f.code, &file.path, f.message)
        };
        d.at(location).hint(f.hint)
    };
    secrets
        .into_iter()
        .map(|f| as_diagnostic(f, true))
        .chain(placeholders.into_iter().map(|f| as_diagnostic(f, false)))
        .collect()
}

/// `line` (the line of `text` containing byte `offset`) with every hidden
/// character replaced by `*`, one for one, so the caret still lines up.
fn mask_line(text: &str, offset: usize, line: &str, hidden: &[Range<usize>]) -> String {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    line.char_indices()
        .map(|(i, c)| {
            let at = line_start + i;
            if hidden.iter().any(|h| h.contains(&at)) {
                '*'
            } else {
                c
            }
        })
        .collect()
}

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
                    "action-item-no-owner",
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
                    "action-item-overdue",
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
                .get("action_items")
                .cloned()
                .unwrap_or_default();
            let front_matter_end = incident.body_line.saturating_sub(1);
            (key.line.max(1)..front_matter_end)
                .find(|&n| {
                    lines
                        .line(n)
                        .source_line
                        .is_some_and(|l| l.contains(item.title.as_str()))
                })
                .map_or(key, |n| lines.line(n))
        }
    }
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
    diagnostics.extend(scan_sources(&sources, Scan::Everything));
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
    let (kb, found) = knowledge_base(sources, &lenient, &ProgressBar::hidden());
    diagnostics.extend(found);
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
    fn secrets_are_masked_in_the_shown_line() {
        let text = "---\ntitle: T\n---\nToken ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked\n";
        let found = scan_file(&file(text), &Config::default(), Scan::Everything);
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(
            (d.code, d.location.line, d.location.column),
            ("secret-token", 4, 7)
        );
        assert_eq!(d.location.width, 40);
        assert_eq!(
            d.location.source_line.as_deref(),
            Some("Token ghp_************************************ leaked")
        );
        assert!(d.is_error());
    }

    #[test]
    fn overlapping_findings_keep_the_earliest() {
        let f = |code, range| Finding {
            code,
            range,
            message: String::new(),
            hint: String::new(),
            redact: None,
        };
        let kept = without_overlaps(vec![f("b", 5..9), f("a", 0..6), f("c", 9..10)]);
        assert_eq!(kept.iter().map(|f| f.code).collect::<Vec<_>>(), ["a", "c"]);
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
