//! Diagnostics are data: every stage collects them, the edge prints them once,
//! sorted, either like a compiler (path:line:col, the line, a caret, a hint) or
//! as JSON for CI annotations.

pub mod codes;

use std::cell::Cell;
use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level as SnippetLevel, Renderer, Snippet};
use serde::Serialize;

use crate::terminal::printable;

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
    /// The text of the offending line, shown under the message: the whole
    /// line, or for a long line an excerpt around the column with `…` where
    /// it was cut.
    pub source_line: Option<String>,
    /// How many characters the caret underlines (at least one).
    pub width: usize,
    /// How many characters of the line come before the first character of
    /// `source_line` (counting a leading `…` as one of them): 0 unless the
    /// shown line is an excerpt.
    pub excerpt_offset: usize,
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
    /// line with a caret under the offending part, then the hint. Control
    /// characters of the file, the message or the hint are shown, never sent
    /// to the terminal.
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
        let path = printable(&self.path, false);
        let origin = printable(&self.origin(), false).into_owned();
        let message = printable(&self.message, false);
        let title = level.primary_title(message.as_ref()).id(self.code);
        // annotate-snippets names the column of the caret in the shown line;
        // for an excerpt of a long line, that column is corrected below.
        let mut shown_origin = None;
        let primary = match &self.location.source_line {
            Some(line) if self.location.line > 0 => {
                let line = printable(line, false);
                let caret = self
                    .location
                    .column
                    .saturating_sub(1)
                    .saturating_sub(self.location.excerpt_offset);
                let start = char_to_byte(&line, caret);
                let end = char_to_byte(&line, caret + self.location.width.max(1));
                let (start, end) = if start >= line.len() {
                    (line.len(), line.len())
                } else {
                    (start, end.max(start + 1).min(line.len()))
                };
                if self.location.excerpt_offset > 0 {
                    let shown_column = line[..start].chars().count() + 1;
                    shown_origin = Some(format!("{path}:{}:{shown_column}", self.location.line));
                }
                title.element(
                    Snippet::source(line.into_owned())
                        .line_start(self.location.line)
                        .path(path.as_ref())
                        .annotation(AnnotationKind::Primary.span(start..end)),
                )
            }
            _ => title.element(annotate_snippets::Origin::path(origin.as_str())),
        };
        let mut report = vec![primary];
        let hint = self.hint.as_deref().map(|h| printable(h, true));
        if let Some(hint) = &hint {
            report.push(Group::with_title(
                SnippetLevel::HELP.secondary_title(hint.as_ref()),
            ));
        }
        let text = renderer.render(&report).to_string();
        match shown_origin {
            Some(shown) => text.replacen(&shown, &origin, 1),
            None => text,
        }
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

impl Diagnostic {
    /// A GitHub Actions workflow command (`::error file=…,line=…::message`):
    /// printed in a workflow step, it marks the line in the pull request.
    pub fn github_annotation(&self) -> String {
        let command = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let mut properties = Vec::new();
        if !self.path.is_empty() {
            properties.push(format!("file={}", github_property(&self.path)));
        }
        if self.location.line > 0 {
            properties.push(format!("line={}", self.location.line));
            if self.location.column > 0 {
                properties.push(format!("col={}", self.location.column));
            }
        }
        properties.push(format!(
            "title={}",
            github_property(&format!("hindsight: {}", self.code))
        ));
        let mut message = self.message.clone();
        if let Some(hint) = &self.hint {
            message.push_str(&format!("\nhelp: {hint}"));
        }
        format!(
            "::{command} {}::{}",
            properties.join(","),
            github_data(&message)
        )
    }
}

/// One finding of a GitLab Code Quality report (a subset of the Code Climate
/// format): shown in the merge request, on the lines it names.
#[derive(Debug, Serialize)]
pub struct CodeQualityIssue<'a> {
    pub description: String,
    pub check_name: &'a str,
    /// Identifies the finding across pipelines (FNV-1a of path, code, message).
    pub fingerprint: String,
    pub severity: &'static str,
    pub location: CodeQualityLocation<'a>,
}

#[derive(Debug, Serialize)]
pub struct CodeQualityLocation<'a> {
    pub path: &'a str,
    pub lines: CodeQualityLines,
}

#[derive(Debug, Serialize)]
pub struct CodeQualityLines {
    pub begin: usize,
}

impl<'a> From<&'a Diagnostic> for CodeQualityIssue<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        let mut description = d.message.clone();
        if let Some(hint) = &d.hint {
            description.push_str(&format!(" (help: {hint})"));
        }
        let identity = format!("{}\0{}\0{}", d.path, d.code, d.message);
        let hash = identity.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        CodeQualityIssue {
            description,
            check_name: d.code,
            fingerprint: format!("{hash:016x}"),
            severity: match d.level {
                Level::Error => "major",
                Level::Warning => "minor",
            },
            location: CodeQualityLocation {
                path: &d.path,
                lines: CodeQualityLines {
                    begin: d.location.line.max(1),
                },
            },
        }
    }
}

/// Escapes a workflow command's message (GitHub's `escapeData`).
fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (GitHub's `escapeProperty`).
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
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

/// A line longer than this many bytes is shown as an excerpt: a diagnostic
/// then costs the same on a 100 KB line as on a short one, in memory and on
/// the terminal.
const MAX_SHOWN_LINE: usize = 160;
/// Characters shown before the column in an excerpt…
const EXCERPT_BEFORE: usize = 40;
/// …and at most this many in all (more when the underlined part is longer).
const EXCERPT_CHARS: usize = 120;

/// Maps byte offsets of one file to line/column locations.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// The last (byte offset, column) computed: a later offset on the same
    /// line counts characters from there, so locating many points of one long
    /// line in order costs its length once, not once per point.
    last_column: Cell<(usize, usize)>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            text,
            line_starts,
            last_column: Cell::new((0, 1)),
        }
    }

    /// The 1-based line holding `offset` (a byte offset into the text).
    pub fn line_number(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.line_starts.partition_point(|&s| s <= offset)
    }

    /// Location of `offset` (a byte offset into the text), underlining `width` characters.
    pub fn location(&self, offset: usize, width: usize) -> Location {
        self.location_shown(offset, width, |part, _| part.to_string())
    }

    /// Like [`location`](Self::location), with the shown part of the line
    /// passed through `show` (with its byte offset in the text) before it is
    /// kept: to mask secrets, for example. `show` must keep one character
    /// for each character, so the caret still lines up.
    pub fn location_shown(
        &self,
        offset: usize,
        width: usize,
        show: impl FnOnce(&str, usize) -> String,
    ) -> Location {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line_idx = self.line_number(offset) - 1;
        let start = self.line_starts[line_idx];
        let end = self.line_end(line_idx);
        let column = self.column(start, offset);
        let width = width.max(1);
        let (source_line, excerpt_offset) = if end - start <= MAX_SHOWN_LINE {
            (show(&self.text[start..end], start), 0)
        } else {
            // Up to EXCERPT_BEFORE characters before the offset, and enough after it.
            let line = &self.text[start..end];
            let at = offset.min(end) - start;
            let from = line[..at]
                .char_indices()
                .rev()
                .take(EXCERPT_BEFORE)
                .last()
                .map_or(at, |(i, _)| i);
            let before = line[from..at].chars().count();
            let after = EXCERPT_CHARS.saturating_sub(before).max(width);
            let to = line[at..]
                .char_indices()
                .nth(after)
                .map_or(line.len(), |(i, _)| at + i);
            let mut shown = String::with_capacity(to - from + 8);
            if from > 0 {
                shown.push('…');
            }
            shown.push_str(&show(&line[from..to], start + from));
            if to < line.len() {
                shown.push('…');
            }
            let skipped = column - 1 - before;
            (shown, skipped.saturating_sub(usize::from(from > 0)))
        };
        Location {
            line: line_idx + 1,
            column,
            source_line: Some(source_line),
            width,
            excerpt_offset,
        }
    }

    /// Location of a whole 1-based line, underlining its content (the start
    /// of it, for a long line).
    pub fn line(&self, line: usize) -> Location {
        let Some(text) = self.line_text(line) else {
            return Location::default();
        };
        let indent = text.chars().take_while(|c| c.is_whitespace()).count();
        let content = text.trim();
        if text.len() <= MAX_SHOWN_LINE {
            return Location {
                line,
                column: indent + 1,
                source_line: Some(text.to_string()),
                width: content.chars().count().max(1),
                excerpt_offset: 0,
            };
        }
        let content_start = self.line_starts[line - 1] + (text.len() - text.trim_start().len());
        self.location(content_start, EXCERPT_CHARS)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> Option<&'a str> {
        (line > 0 && line <= self.line_starts.len())
            .then(|| &self.text[self.line_starts[line - 1]..self.line_end(line - 1)])
    }

    /// Where line `idx` (0-based) ends, before its `\n` or `\r\n`.
    fn line_end(&self, idx: usize) -> usize {
        let start = self.line_starts[idx];
        let end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.text.len(), |&e| e - 1);
        let line = &self.text[start..end];
        start + line.trim_end_matches('\r').len()
    }

    /// The 1-based column of `offset` on the line starting at `start`.
    fn column(&self, start: usize, offset: usize) -> usize {
        let (last, last_column) = self.last_column.get();
        let column = if (start..=offset).contains(&last) {
            last_column + self.text[last..offset].chars().count()
        } else {
            self.text[start..offset].chars().count() + 1
        };
        self.last_column.set((offset, column));
        column
    }
}

/// The largest char boundary at or before `offset`.
fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
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
    fn long_lines_are_shown_as_an_excerpt_around_the_column() {
        let line = format!("{}[[X]]{}", "a ".repeat(50_000), "b ".repeat(50_000));
        let text = format!("first\n{line}\nlast");
        let idx = LineIndex::new(&text);
        let offset = text.find("[[X]]").unwrap();
        let loc = idx.location(offset, 5);
        assert_eq!((loc.line, loc.column), (2, 100_001));
        let shown = loc.source_line.clone().unwrap();
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.chars().count() <= 2 + 120, "{shown}");
        // The caret still points at the reference.
        let caret = loc.column - 1 - loc.excerpt_offset;
        let at: String = shown.chars().skip(caret).take(5).collect();
        assert_eq!(at, "[[X]]");
        let rendered = Diagnostic::error("x", "a.md", "m").at(loc).render(false);
        assert!(rendered.contains("a.md:2:100001"), "{rendered}");
        assert!(
            rendered.lines().any(|l| l.trim_end().ends_with("^^^^^")),
            "{rendered}"
        );
        assert!(rendered.len() < 1000, "{rendered}");
        // Later points of the same line are located from the last one.
        assert_eq!(idx.location(offset + 5, 1).column, 100_006);
        assert_eq!(idx.location(2, 1).column, 3);
        assert_eq!(idx.line_number(offset), 2);
        let whole = idx.line(2);
        assert!(whole.source_line.unwrap().chars().count() <= 122);
        assert_eq!(idx.line(3).source_line.as_deref(), Some("last"));
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
            excerpt_offset: 0,
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

    #[test]
    fn github_annotations_escape_what_workflow_commands_parse() {
        let d = Diagnostic::warning("placeholder", "content/a, b.md", "50% left: `[TITLE]`")
            .at(Location {
                line: 7,
                column: 3,
                ..Location::default()
            })
            .hint("replace it\nor mark the postmortem a draft");
        assert_eq!(
            d.github_annotation(),
            "::warning file=content/a%2C b.md,line=7,col=3,title=hindsight%3A placeholder::50%25 left: `[TITLE]`%0Ahelp: replace it%0Aor mark the postmortem a draft"
        );
        let whole_file = Diagnostic::error("yaml-syntax", "", "bad");
        assert_eq!(
            whole_file.github_annotation(),
            "::error title=hindsight%3A yaml-syntax::bad"
        );
    }
}
