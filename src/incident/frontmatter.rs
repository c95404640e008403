//! Splitting a content file into YAML front matter and Markdown body.

use yaml_serde::{Mapping, Value};

use crate::config::strip_location;
use crate::diagnostics::{Diagnostic, LineIndex, codes};

/// Front matter larger than this is refused (it is metadata, not content).
const MAX_FRONT_MATTER_BYTES: usize = 256 * 1024;

/// Brackets and braces nested deeper than this are refused before the YAML
/// reader sees them: its scanner takes time quadratic in the depth (100,000
/// `[` took a minute), and its own limit (128 levels) only applies after.
const MAX_FLOW_DEPTH: usize = 1000;

const DEEP_HINT: &str =
    "front matter is nested too deeply or expands too many aliases; write the values out plainly";

#[derive(Debug)]
pub struct Split<'a> {
    /// The YAML text between the `---` lines (empty without front matter).
    pub yaml: &'a str,
    /// 1-based line of the first YAML line.
    pub yaml_line: usize,
    pub body: &'a str,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

/// Splits `---\n yaml \n---\n body`. A file without an opening `---` line is all body.
pub fn split<'a>(path: &str, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let Some(first_newline) = text.find('\n') else {
        return Ok(whole_body(text));
    };
    if text[..first_newline].trim_end() != "---" {
        return Ok(whole_body(text));
    }
    let yaml_start = first_newline + 1;
    let mut offset = yaml_start;
    for (i, raw) in text[yaml_start..].split_inclusive('\n').enumerate() {
        let trimmed = raw.trim_end();
        if trimmed == "---" || trimmed == "..." {
            // The closing line is line i + 2; the body starts on the next one.
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[offset + raw.len()..],
                body_line: i + 3,
            });
        }
        offset += raw.len();
    }
    Err(Diagnostic::error(
        codes::FRONT_MATTER_UNCLOSED,
        path,
        "front matter is not closed",
    )
    .at(LineIndex::new(text).line(1))
    .hint("end the front matter with a line containing only `---`"))
}

fn whole_body(text: &str) -> Split<'_> {
    Split {
        yaml: "",
        yaml_line: 1,
        body: text,
        body_line: 1,
    }
}

/// Parses the YAML into a mapping; errors point into the file.
pub fn parse_yaml(path: &str, file_text: &str, split: &Split<'_>) -> Result<Mapping, Diagnostic> {
    if split.yaml.trim().is_empty() {
        return Ok(Mapping::new());
    }
    let lines = LineIndex::new(file_text);
    if split.yaml.len() > MAX_FRONT_MATTER_BYTES {
        return Err(Diagnostic::error(
            codes::FRONT_MATTER_TOO_LARGE,
            path,
            format!(
                "front matter is {} KB; the limit is {} KB",
                split.yaml.len() / 1024,
                MAX_FRONT_MATTER_BYTES / 1024
            ),
        )
        .at(lines.line(split.yaml_line))
        .hint("keep front matter to metadata; move long text into the body"));
    }
    if let Some(at) = too_deep(split.yaml) {
        let yaml_offset = split.yaml.as_ptr() as usize - file_text.as_ptr() as usize;
        return Err(Diagnostic::error(
            codes::YAML_SYNTAX,
            path,
            format!("invalid front matter: brackets nested more than {MAX_FLOW_DEPTH} levels deep"),
        )
        .at(lines.location(yaml_offset + at, 1))
        .hint(DEEP_HINT));
    }
    let value: Value = yaml_serde::from_str(split.yaml).map_err(|e| {
        let yaml_offset = split.yaml.as_ptr() as usize - file_text.as_ptr() as usize;
        // Errors found at the end of the YAML (an unclosed `[`) belong to its last line, not the `---`.
        let last_line_start = split.yaml.trim_end().rfind('\n').map_or(0, |i| i + 1);
        let location = e
            .location()
            .map(|l| {
                l.index()
                    .min(split.yaml.trim_end().len().max(last_line_start))
            })
            .map(|index| {
                if index >= split.yaml.trim_end().len() {
                    lines.location(yaml_offset + last_line_start, 1)
                } else {
                    lines.location(yaml_offset + index, 1)
                }
            })
            .unwrap_or_else(|| lines.line(split.yaml_line));
        let message = strip_location(&e.to_string()).to_string();
        let hint = if message.contains("recursion limit") || message.contains("repetition limit") {
            DEEP_HINT
        } else if message.contains("mapping values are not allowed") {
            "quote values that contain `: `, e.g. title: \"Outage: API down\""
        } else {
            "front matter must be YAML `key: value` lines between two `---` lines"
        };
        Diagnostic::error(
            codes::YAML_SYNTAX,
            path,
            format!("invalid front matter: {message}"),
        )
        .at(location)
        .hint(hint)
    })?;
    match value {
        Value::Mapping(mapping) => Ok(mapping),
        Value::Null => Ok(Mapping::new()),
        other => Err(Diagnostic::error(
            codes::FRONT_MATTER_NOT_MAPPING,
            path,
            format!(
                "front matter is a {}, not a set of `key: value` fields",
                kind_name(&other)
            ),
        )
        .at(lines.line(split.yaml_line))
        .hint("write one `key: value` per line, e.g. `title: Database outage`")),
    }
}

/// Where `[` and `{` first nest more than [`MAX_FLOW_DEPTH`] deep, counting
/// every bracket (quoted or not: no real front matter comes close).
fn too_deep(yaml: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in yaml.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

pub fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Sequence(_) => "list",
        Value::Mapping(_) => "mapping",
        Value::Tagged(_) => "tagged value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body_with_line_numbers() {
        let text = "---\ntitle: A\n---\n# Body\n";
        let split = split("a.md", text).unwrap();
        assert_eq!(split.yaml, "title: A\n");
        assert_eq!(split.body, "# Body\n");
        assert_eq!(split.body_line, 4);
        let mapping = parse_yaml("a.md", text, &split).unwrap();
        assert_eq!(mapping.get("title").and_then(Value::as_str), Some("A"));
    }

    #[test]
    fn no_front_matter_means_all_body() {
        let split = split("a.md", "# Title\ntext").unwrap();
        assert_eq!(split.yaml, "");
        assert_eq!(split.body_line, 1);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let d = split("a.md", "---\ntitle: A\n# Body\n").unwrap_err();
        assert_eq!(d.code, "front-matter-unclosed");
        assert_eq!(d.location.line, 1);
    }

    #[test]
    fn yaml_errors_point_at_the_file_line() {
        let text = "---\ntitle: A\nseverity: [SEV1\n---\nbody\n";
        let split = split("a.md", text).unwrap();
        let d = parse_yaml("a.md", text, &split).unwrap_err();
        assert_eq!(d.code, "yaml-syntax");
        assert!(d.location.line >= 3, "{d:?}");
    }
}
