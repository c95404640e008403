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
/// else double-quoted (JSON string syntax is valid YAML). `flow` is for
/// items of a `[a, b]` list, where commas and brackets need quoting too.
pub fn scalar(text: &str, flow: bool) -> String {
    if is_plain_safe(text, flow) {
        text.to_string()
    } else {
        serde_json::to_string(text).expect("strings always serialise")
    }
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
        || text.chars().any(char::is_control)
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
