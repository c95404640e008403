//! Hostile inputs whose size grows with `n` (issue 18): each kind is one
//! knowledge base that once took hindsight quadratic time or memory. Used by
//! `hindsight-bench hostile` (`bench/hostile.sh` times each kind at n, 2n and
//! 4n) and by `tests/integration/hardening.rs`, which includes this file, so
//! the benchmark and the tests run the same inputs. Standard library only.

/// One kind of input.
pub struct Kind {
    pub name: &'static str,
    /// What it is, for tables.
    pub what: &'static str,
    /// The size the benchmark starts at: one the issue reported as slow.
    pub n: usize,
    /// The command that met it: `build` or `check`.
    pub command: &'static str,
    /// The files of the knowledge base, relative to its root.
    pub generate: fn(usize) -> Vec<(String, String)>,
}

pub const KINDS: &[Kind] = &[
    Kind {
        name: "references",
        what: "`[[B]] ` × n on one line",
        n: 20_000,
        command: "build",
        generate: references,
    },
    Kind {
        name: "unknown-references",
        what: "`[[Xi]] ` × n on one line, none of them an incident",
        n: 10_000,
        command: "build",
        generate: unknown_references,
    },
    Kind {
        name: "services",
        what: "n services on one incident",
        n: 5_000,
        command: "build",
        generate: services,
    },
    Kind {
        name: "tags",
        what: "n tags in a block list",
        n: 10_000,
        command: "build",
        generate: tags,
    },
    Kind {
        name: "lessons",
        what: "a lessons list of n items",
        n: 50_000,
        command: "build",
        generate: lessons,
    },
    Kind {
        name: "headings",
        what: "n identical `## Same` headings",
        n: 20_000,
        command: "build",
        generate: headings,
    },
    Kind {
        name: "nested-brackets",
        what: "n nested `[` in front matter",
        n: 25_000,
        command: "build",
        generate: nested_brackets,
    },
    Kind {
        name: "nested-braces",
        what: "n nested `{` in front matter",
        n: 25_000,
        command: "build",
        generate: nested_braces,
    },
    Kind {
        name: "tokens",
        what: "n `ghp_…` tokens on one line",
        n: 5_000,
        command: "check",
        generate: tokens,
    },
    Kind {
        name: "placeholders",
        what: "n `YYYY-MM-DD` placeholders on one line",
        n: 10_000,
        command: "check",
        generate: placeholders,
    },
];

pub fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

fn file(name: &str, text: String) -> (String, String) {
    (format!("content/{name}.md"), text)
}

/// The incident every reference points at.
fn target() -> (String, String) {
    file("b", "---\ntitle: The referenced incident\n---\nB.\n".into())
}

fn references(n: usize) -> Vec<(String, String)> {
    let line = "[[B]] ".repeat(n);
    vec![
        file("a", format!("---\ntitle: Many references\n---\n{line}\n")),
        target(),
    ]
}

fn unknown_references(n: usize) -> Vec<(String, String)> {
    let line: String = (0..n).map(|i| format!("[[X{i}]] ")).collect();
    vec![file(
        "a",
        format!("---\ntitle: Unknown references\n---\n{line}\n"),
    )]
}

fn services(n: usize) -> Vec<(String, String)> {
    let list: Vec<String> = (0..n).map(|i| format!("service-{i}")).collect();
    vec![file(
        "a",
        format!(
            "---\ntitle: Many services\nservices: [{}]\n---\nText.\n",
            list.join(", ")
        ),
    )]
}

fn tags(n: usize) -> Vec<(String, String)> {
    let list: String = (0..n).map(|i| format!("  - tag-{i}\n")).collect();
    vec![file(
        "a",
        format!("---\ntitle: Many tags\ntags:\n{list}---\nText.\n"),
    )]
}

fn lessons(n: usize) -> Vec<(String, String)> {
    let list: String = (0..n).map(|i| format!("- Lesson number {i}\n")).collect();
    vec![file(
        "a",
        format!("---\ntitle: Many lessons\n---\n## Lessons learned\n\n{list}"),
    )]
}

fn headings(n: usize) -> Vec<(String, String)> {
    vec![file(
        "a",
        format!(
            "---\ntitle: Many headings\n---\n{}",
            "## Same\n\nText.\n\n".repeat(n)
        ),
    )]
}

fn nested_brackets(n: usize) -> Vec<(String, String)> {
    vec![file(
        "a",
        format!("---\ntitle: Nested\nx: {}\n---\nText.\n", "[".repeat(n)),
    )]
}

fn nested_braces(n: usize) -> Vec<(String, String)> {
    vec![file(
        "a",
        format!("---\ntitle: Nested\nx: {}\n---\nText.\n", "{".repeat(n)),
    )]
}

fn tokens(n: usize) -> Vec<(String, String)> {
    let line: String = (0..n).map(|i| format!("ghp_{i:036} ")).collect();
    vec![file(
        "a",
        format!("---\ntitle: Leaked tokens\n---\n{line}\n"),
    )]
}

fn placeholders(n: usize) -> Vec<(String, String)> {
    vec![file(
        "a",
        format!(
            "---\ntitle: Unfilled template\n---\n{}\n",
            "YYYY-MM-DD ".repeat(n)
        ),
    )]
}
