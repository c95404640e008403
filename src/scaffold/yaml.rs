//! Writing front matter: YAML scalars that read back exactly as written.

/// A value of a front-matter field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    Text(String),
    List(Vec<String>),
}

/// `key: value` lines for a front-matter block (without the `---` lines).
pub fn fields_to_yaml<'a>(fields: impl IntoIterator<Item = (&'a str, &'a FieldValue)>) -> String {
    let mut out = String::new();
    for (key, value) in fields {
        let value = match value {
            FieldValue::Text(text) => scalar(text, false),
            FieldValue::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| scalar(i, true))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        out.push_str(&format!("{key}: {value}\n"));
    }
    out
}

/// `text` as a YAML scalar: plain when that reads back as the same string,
/// else double-quoted. `flow` is for items of a `[a, b]` list, where commas
/// and brackets need quoting too.
pub fn scalar(text: &str, flow: bool) -> String {
    if is_plain_safe(text, flow) {
        text.to_string()
    } else {
        double_quoted(text)
    }
}

/// A double-quoted YAML string. Characters YAML does not allow in a file
/// (controls, DEL, C1 controls, U+FFFE/U+FFFF) and those YAML 1.1 reads as
/// line breaks are written as escapes: JSON string syntax alone leaves DEL
/// and C1 controls raw, which YAML rejects.
fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if is_raw_safe(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// Characters that read back as themselves anywhere in a YAML scalar: YAML's
/// printable characters, less the line breaks of YAML 1.1 (NEL, U+2028,
/// U+2029) and the byte-order mark.
fn is_raw_safe(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{FFFD}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

fn is_plain_safe(text: &str, flow: bool) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let lower = text.to_ascii_lowercase();
    !(text.trim() != text
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(':')
        || !text.chars().all(is_raw_safe)
        || (flow && text.contains([',', '[', ']', '{', '}']))
        || matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
        )
        || text.parse::<f64>().is_ok()
        || lower.starts_with("0x")
        || lower.starts_with("0o"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads_back(text: &str, flow: bool) -> String {
        let yaml = if flow {
            format!("k: [{}]", scalar(text, true))
        } else {
            format!("k: {}", scalar(text, false))
        };
        let value: yaml_serde::Value = yaml_serde::from_str(&yaml).unwrap();
        let v = &value["k"];
        let v = if flow { &v[0] } else { v };
        v.as_str()
            .unwrap_or_else(|| panic!("{yaml} is not a string"))
            .to_string()
    }

    #[test]
    fn scalars_read_back_as_the_same_string() {
        for text in [
            "Plain title",
            "Outage: API down",
            "#hashtag",
            "- dash",
            "yes",
            "No",
            "null",
            "12",
            "1.5",
            "0x1F",
            "a, b",
            "[TITLE]",
            "quote \" and \\ backslash",
            " padded ",
            "ends with colon:",
            "@name",
            "line\nbreak",
            "Café – naïve",
            "2024-01-15",
            // Found by fuzzing `import`: DEL and C1 controls need escapes in YAML.
            "A copy th\u{7f}t kept\"the id",
            "\u{1}\u{80}\u{85}\u{9f}\u{feff}\u{fffe}\u{ffff}\r\t",
            "a\u{2028}b\u{2029}c\u{fffe}",
        ] {
            assert_eq!(reads_back(text, false), text, "{text}");
            assert_eq!(reads_back(text, true), text, "{text}");
        }
        assert_eq!(scalar("INC-2024-001", false), "INC-2024-001");
        assert_eq!(scalar("Outage: API down", false), "\"Outage: API down\"");
    }

    #[test]
    fn fields_become_yaml_lines() {
        let fields = [
            ("title", FieldValue::Text("A: b".into())),
            (
                "services",
                FieldValue::List(vec!["api".into(), "db, primary".into()]),
            ),
        ];
        assert_eq!(
            fields_to_yaml(fields.iter().map(|(k, v)| (*k, v))),
            "title: \"A: b\"\nservices: [api, \"db, primary\"]\n"
        );
    }
}
