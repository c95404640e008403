//! The postmortem `hindsight new` writes: the theme's `postmortem.md`
//! rendered with tera. Its `yaml` filter writes any value as a front-matter
//! value (quoted when needed; lists in `[a, b]` form).

use serde::Serialize;
use tera::{Context, Kwargs, State, Tera, TeraResult, Value};

use super::yaml::scalar;

/// What the template receives.
#[derive(Debug, Serialize)]
pub struct NewPostmortem {
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD`
    pub date: String,
    /// The canonical level name, or empty.
    pub severity: String,
    pub services: Vec<String>,
    /// The configured level names, most severe first.
    pub severities: Vec<String>,
    /// The configured time zone, for the timestamp hint.
    pub timezone: String,
}

/// Renders `template` (the text of `postmortem.md`).
pub fn render(template: &str, postmortem: &NewPostmortem) -> Result<String, String> {
    let mut tera = Tera::default();
    tera.register_filter("yaml", yaml);
    let context = Context::from_serialize(postmortem).map_err(|e| e.to_string())?;
    tera.render_str(template, &context, false).map_err(|e| {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        text
    })
}

fn yaml(value: Value, _: Kwargs, _: &State) -> TeraResult<String> {
    Ok(match value.as_array() {
        Some(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|item| scalar(&text_of(item), true))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None if value.is_none() || value.is_undefined() => String::new(),
        None => {
            let text = text_of(&value);
            if text.is_empty() {
                text
            } else {
                scalar(&text, false)
            }
        }
    })
}

fn text_of(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_yaml_filter_quotes_what_needs_quoting() {
        let postmortem = NewPostmortem {
            id: "INC-2026-003".into(),
            title: "Outage: API down".into(),
            date: "2026-03-01".into(),
            severity: String::new(),
            services: vec!["api".into(), "db, primary".into()],
            severities: vec!["SEV1".into(), "SEV2".into()],
            timezone: "UTC".into(),
        };
        let text = render(
            "title: {{ title | yaml }}\nseverity: {{ severity | yaml }}\nservices: {{ services | yaml }}\nlevels: {{ severities | join(sep=\", \") }}\n",
            &postmortem,
        )
        .unwrap();
        assert_eq!(
            text,
            "title: \"Outage: API down\"\nseverity: \nservices: [api, \"db, primary\"]\nlevels: SEV1, SEV2\n"
        );
        assert!(render("{{ nope(", &postmortem).is_err());
    }
}
