//! The content scanners: secrets and personal data ([`secrets`]) and
//! placeholders left from templates ([`placeholders`]). A leaf of the crate:
//! the scanners are pure functions of a text, used by `check`, by
//! `build --strict` (the pipeline) and by `import`; fuzz targets and tests
//! call them directly. What they find is documented in docs/safety.md.

pub(crate) mod placeholders;
pub mod secrets;

use std::ops::Range;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, LineIndex, codes};
use crate::load::{SourceFile, Sources};

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

/// What `build` says about placeholders in a postmortem it publishes (and
/// that is not a draft): a warning at the first one, if it still holds any.
/// The site is built all the same; `check`, which CI runs first, fails on
/// them, and `build --strict` refuses them.
pub fn unfinished_postmortem(file: &SourceFile) -> Option<Diagnostic> {
    let found = placeholders::scan(&file.text);
    let first = found.first()?;
    let shown = file.text[first.range.clone()]
        .lines()
        .next()
        .unwrap_or_default();
    let location = LineIndex::new(&file.text).location(first.range.start, shown.chars().count());
    let (count, them) = match found.len() {
        1 => ("1 placeholder".to_string(), "it"),
        n => (format!("{n} placeholders"), "them"),
    };
    Some(
                Diagnostic::warning(
                    codes::PLACEHOLDER,
                    &file.path,
                    format!("published with {count} left from the template, first `{shown}`"),
                )
                .at(location)
                .hint(format!("replace {them}, or mark the postmortem `draft: true` until it is finished; `hindsight check` lists every one")),
            )
}

/// The findings of one file as diagnostics. Secrets are masked in the shown
/// line as well as in the message, so CI logs never carry them.
pub fn scan_file(file: &SourceFile, config: &Config, scan: Scan) -> Vec<Diagnostic> {
    let text = file.text.as_str();
    let lines = LineIndex::new(text);
    let secrets = secrets::scan(text, &config.secret_patterns);
    let hidden = Hidden::new(secrets.iter().filter_map(|f| f.redact.clone()));
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
        let location = lines.location_shown(f.range.start, width, |part, at| hidden.mask(part, at));
        let d = if error {
            Diagnostic::error(f.code, &file.path, f.message)
        } else {
            Diagnostic::warning(f.code, &file.path, f.message)
        };
        d.at(location).hint(f.hint)
    };
    // Both lists are sorted by position, so the shown lines are located in order.
    let mut found: Vec<(Finding, bool)> = secrets
        .into_iter()
        .map(|f| (f, true))
        .chain(placeholders.into_iter().map(|f| (f, false)))
        .collect();
    found.sort_by_key(|(f, _)| f.range.start);
    found
        .into_iter()
        .map(|(f, error)| as_diagnostic(f, error))
        .collect()
}

/// The bytes of a text that must never be shown: sorted, disjoint ranges.
struct Hidden(Vec<Range<usize>>);

impl Hidden {
    fn new(ranges: impl Iterator<Item = Range<usize>>) -> Self {
        let mut ranges: Vec<Range<usize>> = ranges.filter(|r| !r.is_empty()).collect();
        ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        Hidden(merged)
    }

    /// `part` (the text at byte offset `at`) with every hidden character
    /// replaced by `*`, one for one, so the caret still lines up. Costs the
    /// length of `part` plus a binary search, however many secrets the text holds.
    fn mask(&self, part: &str, at: usize) -> String {
        let first = self.0.partition_point(|h| h.end <= at);
        let mut ranges = self.0[first..].iter().peekable();
        part.char_indices()
            .map(|(i, c)| {
                let pos = at + i;
                while ranges.next_if(|h| h.end <= pos).is_some() {}
                if ranges.peek().is_some_and(|h| h.start <= pos) {
                    '*'
                } else {
                    c
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
