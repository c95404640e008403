//! Placeholders left from templates: `YYYY-MM-DD`, `INC-YYYYMMDD-####`,
//! `X hours`, `@name`, `[TITLE]`, `[One sentence root cause]`,
//! `[Investigating / Resolved]`… Code blocks and code spans are skipped: a
//! postmortem may well quote a date format in code.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::Finding;
use crate::diagnostics::codes;

/// Token placeholders; the first capture group (or the whole match) is the placeholder.
static TOKENS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // Ids before dates, so `INC-YYYY-MM-DD-XXX` is one finding.
        r"\b[A-Z][A-Z0-9]{1,9}-(?:YYYY(?:-?MM(?:-?DD)?)?|X{2,}|#{2,}|N{3,})(?:-(?:X{2,}|#{2,}|N{2,}|\d+))*",
        r"\b(?:YYYY[-/.]MM[-/.]DD|DD[-/.]MM[-/.]YYYY|MM[-/.]DD[-/.]YYYY|YYYYMMDD)(?:[ T]HH:MM(?::SS)?)?(?:\s?UTC\b)?",
        r"\bHH:MM(?::SS)?\b",
        r"\b[XY] (?:hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?|months?|users?|customers?|requests?|errors?|incidents?|people)\b(?: (?:and )?[XY] (?:hours?|hrs?|minutes?|mins?|seconds?|secs?))?",
        r"(?:^|[^\w%])([XY]%)",
        r"(?:^|[^\w$])(\$[XYN]\b)",
        r"(?:^|[^\w@.])(@(?:name|username|user|handle|person|someone|owner|assignee|your-?name))\b",
        r"(?i)\blorem ipsum\b",
    ]
    .iter()
    .map(|p| Regex::new(p).expect("valid placeholder pattern"))
    .collect()
});

static BRACKETS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\[\]\n]{1,160})\]").expect("valid regex"));

/// `[label]: url` definitions make `[label]` a link, not a placeholder.
static LINK_DEFINITION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^ {0,3}\[([^\]\n]+)\]:").expect("valid regex"));

/// Words that make an all-caps bracket a template slot: `[TITLE]`, `[SERVICE NAME]`.
const SLOT_WORDS: &[&str] = &[
    "TITLE",
    "NAME",
    "DATE",
    "TIME",
    "DESCRIPTION",
    "DESCRIBE",
    "SUMMARY",
    "LINK",
    "URL",
    "SERVICE",
    "TEAM",
    "OWNER",
    "NUMBER",
    "AMOUNT",
    "DURATION",
    "COMPANY",
    "PRODUCT",
    "CUSTOMER",
    "INSERT",
    "PLACEHOLDER",
    "EMAIL",
    "SEVERITY",
    "STATUS",
    "IMPACT",
    "CAUSE",
    "TODO",
    "TBD",
];

/// First words of prompts: `[What happened in one sentence]`, `[Link to recording]`.
const PROMPT_WORDS: &[&str] = &[
    "what",
    "how",
    "why",
    "when",
    "where",
    "which",
    "who",
    "describe",
    "description",
    "detailed",
    "details",
    "one",
    "brief",
    "short",
    "insert",
    "add",
    "enter",
    "fill",
    "list",
    "name",
    "names",
    "link",
    "links",
    "your",
    "explain",
    "include",
    "number",
    "amount",
    "placeholder",
    "todo",
    "tbd",
];

/// Placeholders in `text` (a whole file or one value). Pure.
pub fn scan(text: &str) -> Vec<Finding> {
    let definitions: BTreeSet<String> = LINK_DEFINITION
        .captures_iter(text)
        .map(|c| c[1].trim().to_lowercase())
        .collect();
    let mut found = Vec::new();
    for (start, line) in crate::prose::lines_outside_code(text) {
        let visible = without_code_spans(line);
        scan_line(&visible, start, &definitions, &mut found);
    }
    super::without_overlaps(found)
}

fn scan_line(line: &str, start: usize, definitions: &BTreeSet<String>, found: &mut Vec<Finding>) {
    for regex in TOKENS.iter() {
        for caps in regex.captures_iter(line) {
            let m = caps.get(1).unwrap_or_else(|| caps.get(0).expect("group 0"));
            found.push(finding(m.as_str(), start + m.start()..start + m.end()));
        }
    }
    for caps in BRACKETS.captures_iter(line) {
        let whole = caps.get(0).expect("group 0");
        let before = line[..whole.start()].chars().next_back();
        let after = line[whole.end()..].chars().next();
        let is_link_or_ref = matches!(before, Some('[' | '!' | '\\'))
            || matches!(after, Some('(' | '[' | ':' | ']'));
        let inner = caps[1].trim();
        if is_link_or_ref || definitions.contains(&inner.to_lowercase()) || !is_prompt(inner) {
            continue;
        }
        found.push(finding(
            whole.as_str(),
            start + whole.start()..start + whole.end(),
        ));
    }
}

fn finding(placeholder: &str, range: std::ops::Range<usize>) -> Finding {
    let shown: String = if placeholder.chars().count() > 48 {
        format!("{}…", placeholder.chars().take(47).collect::<String>())
    } else {
        placeholder.to_string()
    };
    Finding {
        code: codes::PLACEHOLDER,
        range,
        message: format!("template placeholder `{shown}` was never filled in"),
        hint: "replace it with the real value, or delete it if it does not apply".into(),
        redact: None,
    }
}

/// Bracketed text that reads like a template slot rather than prose.
fn is_prompt(inner: &str) -> bool {
    if inner.is_empty() || inner.starts_with('^') || inner.eq_ignore_ascii_case("x") {
        return false;
    }
    // `[Investigating / Mitigating / Resolved]`: a choice left for the author.
    let choices: Vec<&str> = inner.split(" / ").map(str::trim).collect();
    if choices.len() >= 2 && choices.iter().all(|c| !c.is_empty() && c.len() <= 30) {
        return true;
    }
    let words: Vec<&str> = inner
        .split(|c: char| !(c.is_alphanumeric() || c == '$'))
        .filter(|w| !w.is_empty())
        .collect();
    let Some(first) = words.first() else {
        return false;
    };
    let has_lowercase = inner.chars().any(char::is_lowercase);
    if !has_lowercase {
        return words.iter().any(|w| SLOT_WORDS.contains(w));
    }
    let last = words.last().map(|w| w.to_lowercase()).unwrap_or_default();
    first.starts_with('$')
        || PROMPT_WORDS.contains(&first.to_lowercase().as_str())
        || matches!(last.as_str(), "link" | "url" | "here")
}

/// The line with the contents of `code spans` blanked out (same byte length,
/// so offsets still point into the original line). A run of backticks opens
/// a span that the next run of the same length closes; linear in the line's
/// length, however many runs stay unclosed.
fn without_code_spans(line: &str) -> String {
    let bytes = line.as_bytes();
    // Maximal runs of backticks, as (start, length).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let len = bytes[i..].iter().take_while(|&&b| b == b'`').count();
            runs.push((i, len));
            i += len;
        } else {
            i += 1;
        }
    }
    // The next run of the same length after each run.
    let mut next_same = vec![None; runs.len()];
    let mut seen: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for (k, &(_, len)) in runs.iter().enumerate().rev() {
        next_same[k] = seen.insert(len, k);
    }
    let mut out = bytes.to_vec();
    let mut k = 0;
    while k < runs.len() {
        match next_same[k] {
            Some(close) => {
                let (start, len) = runs[k];
                out[start + len..runs[close].0].fill(b' ');
                k = close + 1;
            }
            None => k += 1,
        }
    }
    String::from_utf8(out).expect("only ASCII bytes were replaced by spaces")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        scan(text).into_iter().map(|f| &text[f.range]).collect()
    }

    #[test]
    fn finds_the_placeholders_of_common_templates() {
        assert_eq!(found("# Incident Report: [TITLE]"), ["[TITLE]"]);
        assert_eq!(
            found("**Incident ID**: INC-YYYYMMDD-####"),
            ["INC-YYYYMMDD-####"]
        );
        assert_eq!(
            found("| **Incident ID** | INC-YYYY-MM-DD-XXX |"),
            ["INC-YYYY-MM-DD-XXX"]
        );
        assert_eq!(found("**Date**: YYYY-MM-DD"), ["YYYY-MM-DD"]);
        assert_eq!(
            found("| Date/Time | YYYY-MM-DD HH:MM UTC |"),
            ["YYYY-MM-DD HH:MM UTC"]
        );
        assert_eq!(found("**Duration**: HH:MM (from detection)"), ["HH:MM"]);
        assert_eq!(
            found("| **Duration** | X hours Y minutes |"),
            ["X hours Y minutes"]
        );
        assert_eq!(found("**Incident Commander**: @name"), ["@name"]);
        assert_eq!(
            found("**Root Cause**: [One sentence root cause]"),
            ["[One sentence root cause]"]
        );
        assert_eq!(
            found("**Severity**: [P0-Critical / P1-High / P2-Medium]"),
            ["[P0-Critical / P1-High / P2-Medium]"]
        );
        assert_eq!(
            found("- **Revenue impact**: [$amount or N/A]"),
            ["[$amount or N/A]"]
        );
        assert_eq!(found("[Error budget consumed: X%]"), ["X%"]);
        assert_eq!(
            found("- **Recording**: [Link to recording]"),
            ["[Link to recording]"]
        );
        assert_eq!(
            found("- **Error Rate**: [Grafana Link]"),
            ["[Grafana Link]"]
        );
        assert_eq!(found("Lorem ipsum dolor sit amet"), ["Lorem ipsum"]);
    }

    #[test]
    fn leaves_real_text_alone() {
        for text in [
            "See [the runbook](runbooks/db.md) and [[INC-2024-007]].",
            "- [x] Done\n- [ ] Open",
            "A footnote[^1] and [sic] and [redacted] and [REDACTED] and [ERROR] logs.",
            "Dated 2024-01-15 at 14:23 UTC by @alice, 4 hours, 12% errors.",
            "[runbook]\n\n[runbook]: https://example.com",
            "Use `YYYY-MM-DD` in the config.",
            "```\nINC-YYYYMMDD-####\nX hours\n```",
            "~~~text\n[TITLE]\n~~~",
            "INC-2024-001, SEV-2, API-MD, X-Ray, Y axis, N+1 query",
            "Wrote to [INFO] and [WARN] streams; [API] prefix.",
        ] {
            assert_eq!(found(text), Vec::<&str>::new(), "{text}");
        }
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "line one\n`code` then [TITLE] here\n";
        let f = scan(text);
        assert_eq!(f.len(), 1);
        assert_eq!(&text[f[0].range.clone()], "[TITLE]");
        assert_eq!(scan("@name").len(), 1);
        assert!(scan("Sarah Mitchell").is_empty());
    }
}
