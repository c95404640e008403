//! Diagnostics are data: every stage collects them, the edge prints them once,
//! sorted, either like a compiler (path:line:col, the line, a caret, a hint) or
//! as JSON for CI annotations.

pub mod codes;

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level as SnippetLevel, Renderer, Snippet};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// A position in a source file; `line` and `column` are 1-based, and 0 means
/// "the whole file" (or "the whole line" for the column).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    /// The text of the offending line, shown under the message.
    pub source_line: Option<String>,
    /// How many characters the caret underlines (at least one).
    pub width: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub level: Level,
    /// Stable identifier, e.g. `unknown-severity`; used by tests and CI filters.
    pub code: &'static str,
    /// Path relative to the knowledge-base root, with `/` separators.
    pub path: String,
    pub location: Location,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Level::Error, code, path, message)
    }

    pub fn warning(
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Level::Warning, code, path, message)
    }

    fn new(
        level: Level,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            level,
            code,
            path: path.into(),
            location: Location::default(),
            message: message.into(),
            hint: None,
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    fn sort_key(&self) -> (&str, usize, usize, &'static str, &str) {
        (
            &self.path,
            self.location.line,
            self.location.column,
            self.code,
            &self.message,
        )
    }

    /// Compiler-style text: `error[code]: message`, ` --> path:line:col`, the
    /// line with a caret under the offending part, then the hint.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let level = match self.level {
            Level::Error => SnippetLevel::ERROR,
            Level::Warning => SnippetLevel::WARNING,
        };
        let origin = self.origin();
        let title = level.primary_title(&self.message).id(self.code);
        let primary = match &self.location.source_line {
            Some(line) if self.location.line > 0 => {
                let start = char_to_byte(line, self.location.column.saturating_sub(1));
                let end = char_to_byte(
                    line,
                    self.location.column.saturating_sub(1) + self.location.width.max(1),
                );
                let (start, end) = if start >= line.len() {
                    (line.len(), line.len())
                } else {
                    (start, end.max(start + 1).min(line.len()))
                };
                title.element(
                    Snippet::source(line.as_str())
                        .line_start(self.location.line)
                        .path(self.path.as_str())
                        .annotation(AnnotationKind::Primary.span(start..end)),
                )
            }
            _ => title.element(annotate_snippets::Origin::path(origin.as_str())),
        };
        let mut report = vec![primary];
        if let Some(hint) = &self.hint {
            report.push(Group::with_title(
                SnippetLevel::HELP.secondary_title(hint.as_str()),
            ));
        }
        renderer.render(&report).to_string()
    }

    /// `path:line:col` (omitting what is unknown).
    pub fn origin(&self) -> String {
        match (self.location.line, self.location.column) {
            (0, _) => self.path.clone(),
            (line, 0) => format!("{}:{line}", self.path),
            (line, col) => format!("{}:{line}:{col}", self.path),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

fn char_to_byte(line: &str, chars: usize) -> usize {
    line.char_indices()
        .nth(chars)
        .map_or(line.len(), |(i, _)| i)
}

/// One finding as a CI annotation (docs/cli.md#hindsight-check: path, line, column, severity, code, message, hint).
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub path: &'a str,
    pub line: usize,
    pub column: usize,
    pub severity: Level,
    pub code: &'a str,
    pub message: &'a str,
    pub hint: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        JsonDiagnostic {
            path: &d.path,
            line: d.location.line,
            column: d.location.column,
            severity: d.level,
            code: d.code,
            message: &d.message,
            hint: d.hint.as_deref(),
        }
    }
}

/// All diagnostics of a run.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Under `--strict`, every warning counts as an error.
    pub fn escalate_warnings(&mut self) {
        for d in &mut self.items {
            d.level = Level::Error;
        }
    }

    /// Sorted by file and position so output is stable across parallel runs.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.items.dedup();
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Maps byte offsets of one file to line/column locations.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, line_starts }
    }

    /// Location of `offset` (a byte offset into the text), underlining `width` characters.
    pub fn location(&self, offset: usize, width: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line_idx = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line_idx];
        let line_text = self.line_text(line_idx);
        let prefix = self.text.get(start..offset).unwrap_or("");
        Location {
            line: line_idx + 1,
            column: prefix.chars().count() + 1,
            source_line: Some(line_text.to_string()),
            width: width.max(1),
        }
    }

    /// Location of a whole 1-based line, underlining its content.
    pub fn line(&self, line: usize) -> Location {
        if line == 0 || line > self.line_starts.len() {
            return Location::default();
        }
        let text = self.line_text(line - 1);
        let indent = text.chars().take_while(|c| c.is_whitespace()).count();
        Location {
            line,
            column: indent + 1,
            source_line: Some(text.to_string()),
            width: text.trim().chars().count().max(1),
        }
    }

    fn line_text(&self, idx: usize) -> &'a str {
        let start = self.line_starts[idx];
        let end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.text.len(), |&e| e - 1);
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_maps_offsets_to_one_based_positions() {
        let text = "first\nsecond line\nthird";
        let idx = LineIndex::new(text);
        let loc = idx.location(text.find("line").unwrap(), 4);
        assert_eq!((loc.line, loc.column), (2, 8));
        assert_eq!(loc.source_line.as_deref(), Some("second line"));
        assert_eq!(idx.line(3).source_line.as_deref(), Some("third"));
    }

    #[test]
    fn renders_like_a_compiler() {
        let d = Diagnostic::error(
            "unknown-severity",
            "content/a.md",
            "unknown severity `SEV9`",
        )
        .at(Location {
            line: 3,
            column: 11,
            source_line: Some("severity: SEV9".into()),
            width: 4,
        })
        .hint("use one of SEV1, SEV2");
        let text = d.render(false);
        assert!(
            text.contains("error[unknown-severity]: unknown severity `SEV9`"),
            "{text}"
        );
        assert!(text.contains("content/a.md:3:11"), "{text}");
        assert!(text.contains("severity: SEV9"), "{text}");
        assert!(text.contains("^^^^"), "{text}");
        assert!(text.contains("help: use one of SEV1, SEV2"), "{text}");
    }
}
