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
use crate::diagnostics::{Diagnostic, LineIndex};
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
