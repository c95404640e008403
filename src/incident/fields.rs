//! Typed access to front-matter fields: aliases resolved through the
//! configuration, empty values treated as absent, every type problem a
//! diagnostic pointing at the field's line.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use yaml_serde::{Mapping, Value};

use super::frontmatter::kind_name;
use super::timeparse::{
    MAX_DURATION_MINUTES, YEARS, date_in_range, parse_date, parse_duration, parse_timestamp,
    timestamp_in_range,
};
use super::{ActionItem, ActionStatus, ExtraField, ItemSource, Severity, Status, Visibility};
use crate::config::{Config, find_key_line};
use crate::diagnostics::{Diagnostic, LineIndex, Location, codes};
use crate::field;

/// The front matter of one file, keyed by canonical field name.
pub struct Fields<'a> {
    path: &'a str,
    config: &'a Config,
    yaml: &'a str,
    yaml_line: usize,
    lines: LineIndex<'a>,
    /// canonical name → (key as written, value), in file order.
    canonical: BTreeMap<String, Vec<(String, Value)>>,
    pub extra: Vec<ExtraField>,
    pub diagnostics: Vec<Diagnostic>,
    /// Where each canonical field is written, for later diagnostics.
    pub locations: BTreeMap<String, Location>,
    /// Where each key is written, once looked up: finding it costs a pass
    /// over the front matter, and a long list may report many items.
    key_locations: RefCell<HashMap<String, Location>>,
}

impl<'a> Fields<'a> {
    pub fn new(
        path: &'a str,
        file_text: &'a str,
        yaml: &'a str,
        yaml_line: usize,
        mapping: Mapping,
        config: &'a Config,
    ) -> Self {
        let mut fields = Fields {
            path,
            config,
            yaml,
            yaml_line,
            lines: LineIndex::new(file_text),
            canonical: BTreeMap::new(),
            extra: Vec::new(),
            diagnostics: Vec::new(),
            locations: BTreeMap::new(),
            key_locations: RefCell::new(HashMap::new()),
        };
        for (key, value) in mapping {
            let key = match key {
                Value::String(s) => s,
                other => scalar_text(&other).unwrap_or_default(),
            };
            if is_empty(&value) {
                continue;
            }
            let canonical = config.canonical_field(&key);
            if field::ALL.contains(&canonical) {
                if !fields.locations.contains_key(canonical) {
                    let at = fields.location_of(&key);
                    fields.locations.insert(canonical.to_string(), at);
                }
                fields
                    .canonical
                    .entry(canonical.to_string())
                    .or_default()
                    .push((key, value));
            } else {
                fields.extra.push(ExtraField {
                    key,
                    value: display_value(&value),
                });
            }
        }
        fields
    }

    /// Where `key` is written, for diagnostics.
    pub fn location_of(&self, key: &str) -> Location {
        self.key_locations
            .borrow_mut()
            .entry(key.to_string())
            .or_insert_with(|| {
                find_key_line(self.yaml, key)
                    .map(|l| self.lines.line(self.yaml_line + l - 1))
                    .unwrap_or_default()
            })
            .clone()
    }

    fn error(&mut self, key: &str, code: &'static str, message: String, hint: impl Into<String>) {
        let at = self.location_of(key);
        self.diagnostics.push(
            Diagnostic::error(code, self.path, message)
                .at(at)
                .hint(hint),
        );
    }

    fn warning(&mut self, key: &str, code: &'static str, message: String, hint: impl Into<String>) {
        let at = self.location_of(key);
        self.diagnostics.push(
            Diagnostic::warning(code, self.path, message)
                .at(at)
                .hint(hint),
        );
    }

    /// The single value of a scalar field. When several aliases give it, the
    /// canonical name wins, else the first written; the others are reported.
    fn single(&mut self, field: &str) -> Option<(String, Value)> {
        let mut values = self.canonical.remove(field)?;
        let chosen = values.iter().position(|(k, _)| k == field).unwrap_or(0);
        let kept = values.remove(chosen);
        for (key, _) in values {
            self.warning(
                &key,
                codes::DUPLICATE_FIELD,
                format!(
                    "`{key}` also sets `{field}`; the value of `{}` is used",
                    kept.0
                ),
                "remove one of the two fields",
            );
        }
        Some(kept)
    }

    pub fn string(&mut self, field: &str) -> Option<String> {
        let (key, value) = self.single(field)?;
        match scalar_text(&value) {
            Some(text) => Some(text.trim().to_string()).filter(|t| !t.is_empty()),
            None => {
                self.error(
                    &key,
                    codes::FIELD_TYPE,
                    format!("`{key}` should be text, not a {}", kind_name(&value)),
                    format!("write `{key}: some text`"),
                );
                None
            }
        }
    }

    /// A list of strings; a single scalar is a one-item list, and a string with
    /// commas is split. Several aliases (e.g. `categories` and `keywords` → `tags`) are merged.
    pub fn list(&mut self, field: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (key, value) in self.canonical.remove(field).unwrap_or_default() {
            match value {
                Value::Sequence(items) => {
                    // One diagnostic per field, however many items are wrong.
                    let mut wrong: Option<(&'static str, usize)> = None;
                    for item in items {
                        match scalar_text(&item) {
                            Some(text) if !text.trim().is_empty() => {
                                out.push(text.trim().to_string())
                            }
                            Some(_) => {}
                            None => {
                                let (_, count) = wrong.get_or_insert((kind_name(&item), 0));
                                *count += 1;
                            }
                        }
                    }
                    if let Some((kind, count)) = wrong {
                        let which = if count == 1 {
                            format!("one item is a {kind}")
                        } else {
                            format!("{count} items are not text (the first is a {kind})")
                        };
                        self.error(
                            &key,
                            codes::FIELD_TYPE,
                            format!("`{key}` should be a list of text items, but {which}"),
                            format!("write `{key}: [a, b]`"),
                        );
                    }
                }
                other => match scalar_text(&other) {
                    Some(text) => out.extend(
                        text.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(String::from),
                    ),
                    None => self.error(
                        &key,
                        codes::FIELD_TYPE,
                        format!("`{key}` should be a list, not a {}", kind_name(&other)),
                        format!("write `{key}: [a, b]`"),
                    ),
                },
            }
        }
        out
    }

    /// A list of tags or services: at most `max` of them, since every one
    /// becomes a page that shows the incident. Beyond that, an error (the
    /// first `max` are kept, so the rest of the checks still run).
    pub fn labels(&mut self, field: &str, max: usize) -> Vec<String> {
        let mut names = self.list(field);
        if names.len() > max {
            let key = self.written_key(field);
            self.error(
                &key,
                codes::TOO_MANY_LABELS,
                format!(
                    "`{key}` lists {} {field}; an incident lists at most {max}",
                    names.len()
                ),
                format!(
                    "keep the {field} this incident is about, and describe the rest in the body"
                ),
            );
            names.truncate(max);
        }
        names
    }

    pub fn bool(&mut self, field: &str) -> bool {
        let Some((key, value)) = self.single(field) else {
            return false;
        };
        match &value {
            Value::Bool(b) => *b,
            other => match scalar_text(other).map(|t| t.to_lowercase()).as_deref() {
                Some("true" | "yes" | "on" | "1") => true,
                Some("false" | "no" | "off" | "0") => false,
                _ => {
                    self.error(
                        &key,
                        codes::FIELD_TYPE,
                        format!("`{key}` should be true or false"),
                        format!("write `{key}: true`"),
                    );
                    false
                }
            },
        }
    }

    pub fn timestamp(&mut self, field: &str) -> Option<Timestamp> {
        let (key, value) = self.single(field)?;
        let text = scalar_text(&value).unwrap_or_default();
        let parsed = parse_timestamp(&text, &self.config.timezone);
        match parsed {
            None => self.error(
                &key,
                codes::INVALID_TIMESTAMP,
                format!("`{key}` is not a timestamp: `{}`", text.trim()),
                format!("use RFC 3339 (`2024-03-01T14:23:00Z`) or `2024-03-01 14:23` in the configured time zone ({})", self.config.timezone_name),
            ),
            Some(ts) if !timestamp_in_range(ts) => {
                self.out_of_range(&key, codes::INVALID_TIMESTAMP, text.trim());
                return None;
            }
            Some(_) => {}
        }
        parsed
    }

    fn out_of_range(&mut self, key: &str, code: &'static str, text: &str) {
        self.error(
            key,
            code,
            format!(
                "`{key}` is `{text}`, outside the years {} to {}",
                YEARS.start(),
                YEARS.end()
            ),
            "check the year for a typo",
        );
    }

    pub fn date(&mut self, field: &str) -> Option<Date> {
        let (key, value) = self.single(field)?;
        let text = scalar_text(&value).unwrap_or_default();
        let parsed = parse_date(&text);
        match parsed {
            None => self.error(
                &key,
                codes::INVALID_DATE,
                format!("`{key}` is not a date: `{}`", text.trim()),
                "write the date as YYYY-MM-DD, e.g. `2024-03-01`",
            ),
            Some(date) if !date_in_range(date) => {
                self.out_of_range(&key, codes::INVALID_DATE, text.trim());
                return None;
            }
            Some(_) => {}
        }
        parsed
    }

    pub fn duration(&mut self, field: &str) -> Option<f64> {
        let (key, value) = self.single(field)?;
        let text = scalar_text(&value).unwrap_or_default();
        let parsed = parse_duration(&text);
        match parsed {
            None => self.error(
                &key,
                codes::INVALID_DURATION,
                format!("`{key}` is not a duration: `{}`", text.trim()),
                "write e.g. `4h23m`, `90m` or `44 minutes 35 seconds`",
            ),
            Some(minutes) if minutes > MAX_DURATION_MINUTES => {
                self.error(
                    &key,
                    codes::INVALID_DURATION,
                    format!("`{key}` is `{}`, longer than ten years", text.trim()),
                    "check the number for a typo; write e.g. `4h23m` or `3 days`",
                );
                return None;
            }
            Some(_) => {}
        }
        parsed
    }

    pub fn severity(&mut self) -> Option<Severity> {
        let text = self.string(field::SEVERITY)?;
        let resolved = self
            .config
            .severities
            .resolve(&text)
            .map(|(rank, level)| Severity {
                rank,
                name: level.name.clone(),
            });
        if resolved.is_none() {
            let key = self.written_key(field::SEVERITY);
            let hint = format!(
                "use one of the configured levels: {}; or add `{text}` as an alias under `severities` in hindsight.yaml",
                self.config.severities.describe()
            );
            self.error(
                &key,
                codes::UNKNOWN_SEVERITY,
                format!("unknown severity `{text}`"),
                hint,
            );
        }
        resolved
    }

    pub fn status(&mut self) -> Status {
        let Some(text) = self.string(field::STATUS) else {
            return Status::default();
        };
        Status::parse(&text).unwrap_or_else(|| {
            let key = self.written_key(field::STATUS);
            self.error(
                &key,
                codes::UNKNOWN_STATUS,
                format!("unknown status `{text}`"),
                "use investigating, mitigated, resolved or closed",
            );
            Status::default()
        })
    }

    pub fn visibility(&mut self) -> Visibility {
        let Some(text) = self.string(field::VISIBILITY) else {
            return Visibility::default();
        };
        match text.to_lowercase().as_str() {
            "public" => Visibility::Public,
            "internal" | "private" => Visibility::Internal,
            _ => {
                let key = self.written_key(field::VISIBILITY);
                self.error(
                    &key,
                    codes::UNKNOWN_VISIBILITY,
                    format!("unknown visibility `{text}`"),
                    "use `public` or `internal`",
                );
                // Fail closed: an unreadable visibility must not publish the incident.
                Visibility::Internal
            }
        }
    }

    pub fn action_items(&mut self) -> Vec<ActionItem> {
        let Some((key, value)) = self.single(field::ACTION_ITEMS) else {
            return Vec::new();
        };
        let Value::Sequence(items) = value else {
            self.error(
                &key,
                codes::FIELD_TYPE,
                format!("`{key}` should be a list of {{title, owner, due, status}}"),
                "write `- { title: Add alert, owner: alice, due: 2025-03-01, status: open }`",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match item {
                Value::Mapping(map) => {
                    let get = |names: &[&str]| {
                        names
                            .iter()
                            .find_map(|n| map.get(*n).and_then(scalar_text))
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                    };
                    let Some(title) = get(&["title", "action", "task", "description", "item"])
                    else {
                        self.error(
                            &key,
                            codes::ACTION_ITEM_INVALID,
                            "an action item has no title".into(),
                            "give every action item a `title:`",
                        );
                        continue;
                    };
                    let status_text = get(&["status", "state"]).unwrap_or_default();
                    let status = ActionStatus::parse(&status_text).unwrap_or_else(|| {
                        self.warning(&key, codes::UNKNOWN_ACTION_STATUS, format!("action item `{title}` has unknown status `{status_text}`; counted as open"), "use open, in-progress, done or wont-do");
                        ActionStatus::Open
                    });
                    let due = get(&["due", "due_date", "deadline"]).and_then(|d| {
                        let parsed = parse_date(&d).filter(|&date| date_in_range(date));
                        if parsed.is_none() {
                            self.warning(
                                &key,
                                codes::INVALID_DATE,
                                format!("action item `{title}` has an unreadable due date `{d}`"),
                                "write the date as YYYY-MM-DD",
                            );
                        }
                        parsed
                    });
                    out.push(ActionItem {
                        title,
                        owner: get(&["owner", "assignee", "who"]),
                        due,
                        status,
                        source: ItemSource::FrontMatter,
                    });
                }
                other => match scalar_text(&other) {
                    Some(title) if !title.trim().is_empty() => out.push(ActionItem {
                        title: title.trim().to_string(),
                        owner: None,
                        due: None,
                        status: ActionStatus::Open,
                        source: ItemSource::FrontMatter,
                    }),
                    _ => self.error(
                        &key,
                        codes::ACTION_ITEM_INVALID,
                        format!("an action item is a {}", kind_name(&other)),
                        "write `- { title: …, owner: …, due: …, status: … }`",
                    ),
                },
            }
        }
        out
    }

    /// The key as the author wrote it (an alias, or the canonical name).
    fn written_key(&self, field: &str) -> String {
        self.config
            .field_aliases
            .iter()
            .find(|(from, to)| *to == field && find_key_line(self.yaml, from).is_some())
            .map_or(field.to_string(), |(from, _)| from.clone())
    }

    /// Unknown fields, diagnostics and field locations; every canonical field must have been read.
    pub fn finish(self) -> (Vec<ExtraField>, Vec<Diagnostic>, BTreeMap<String, Location>) {
        debug_assert!(
            self.canonical.is_empty(),
            "unconsumed fields: {:?}",
            self.canonical.keys()
        );
        (self.extra, self.diagnostics, self.locations)
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Sequence(s) => s.is_empty(),
        Value::Mapping(m) => m.is_empty(),
        _ => false,
    }
}

/// Text of a scalar (strings, numbers, booleans); `None` for lists and mappings.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(t) => scalar_text(&t.value),
        Value::Null | Value::Sequence(_) | Value::Mapping(_) => None,
    }
}

/// Unknown fields are shown as text: scalars as written, lists joined, mappings as `k: v`.
fn display_value(value: &Value) -> String {
    match value {
        Value::Sequence(items) => items
            .iter()
            .map(display_value)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Mapping(map) => map
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}: {}",
                    scalar_text(k).unwrap_or_default(),
                    display_value(v)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => scalar_text(other).unwrap_or_default(),
    }
}
