//! `hindsight.yaml`: defaults, field aliases, the severity scale, the time zone.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::diagnostics::{Diagnostic, LineIndex, codes};
use crate::field;

pub const CONFIG_FILE: &str = "hindsight.yaml";

/// The raw file, as written by the user.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawConfig {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<String>,
    timezone: Option<String>,
    fiscal_year_start_month: Option<u8>,
    severities: Option<Vec<RawSeverity>>,
    fields: BTreeMap<String, String>,
    repeat_window_days: Option<u32>,
    secrets: RawSecrets,
    allow_html: bool,
    ignore: Vec<String>,
    search: RawSearch,
    similar: Option<RawSimilar>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeverity {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawSecrets {
    extra_patterns: Vec<String>,
}

/// `search:`: `synonyms` maps a word to one or more equivalents
/// (`k8s: kubernetes`, `db: [database, datastore]`), added to the default
/// list unless `default_synonyms: false`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawSearch {
    synonyms: BTreeMap<String, OneOrMany>,
    default_synonyms: Option<bool>,
}

/// `similar:`: `false` turns similar incidents and recurring lessons off;
/// a mapping sets how many and how close.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawSimilar {
    Switch(bool),
    Settings(RawSimilarSettings),
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawSimilarSettings {
    incidents: Option<usize>,
    min_score: Option<f32>,
    lesson_threshold: Option<f32>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: Option<String>,
    /// Always ends with `/` when set.
    pub base_url: Option<String>,
    pub timezone: TimeZone,
    pub timezone_name: String,
    pub fiscal_year_start_month: u8,
    pub severities: SeverityScale,
    /// Other field names mapped onto canonical front-matter fields.
    pub field_aliases: BTreeMap<String, String>,
    pub repeat_window_days: u32,
    pub secret_patterns: Vec<regex::Regex>,
    pub allow_html: bool,
    /// Glob patterns (relative to `content/`) of files that are not postmortems.
    pub ignore: globset::GlobSet,
    /// Groups of equivalent search words: the defaults, then `search.synonyms`.
    pub search_synonyms: Vec<Vec<String>>,
    /// Similar incidents and recurring lessons (`similar:`).
    pub similar: crate::similar::Settings,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Incident Knowledge Base".into(),
            description: None,
            base_url: None,
            timezone: TimeZone::UTC,
            timezone_name: "UTC".into(),
            fiscal_year_start_month: 1,
            severities: SeverityScale::default(),
            field_aliases: BTreeMap::new(),
            repeat_window_days: 90,
            secret_patterns: Vec::new(),
            allow_html: false,
            ignore: globset::GlobSet::empty(),
            search_synonyms: hindsight_search::words::default_synonyms(),
            similar: crate::similar::Settings::default(),
        }
    }
}

impl Config {
    /// Parses the text of `hindsight.yaml`; every problem is a diagnostic on that file.
    pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let lines = LineIndex::new(text);
        let raw: RawConfig = if text.trim().is_empty() {
            RawConfig::default()
        } else {
            yaml_serde::from_str(text).map_err(|e| {
                let mut d = Diagnostic::error(
                    codes::CONFIG_INVALID,
                    CONFIG_FILE,
                    format!("invalid configuration: {}", strip_location(&e.to_string())),
                )
                .hint("see the configuration reference in docs/configuration.md");
                if let Some(loc) = e.location() {
                    d = d.at(lines.location(loc.index(), 1));
                }
                vec![d]
            })?
        };
        let mut errors = Vec::new();
        let key_error = |key: &str, message: String, hint: &str| {
            let at = find_key_line(text, key)
                .map(|l| lines.line(l))
                .unwrap_or_default();
            Diagnostic::error(codes::CONFIG_INVALID, CONFIG_FILE, message)
                .at(at)
                .hint(hint.to_string())
        };

        let mut config = Config::default();
        if let Some(title) = raw.title.filter(|t| !t.trim().is_empty()) {
            config.title = title;
        }
        config.description = raw.description.filter(|d| !d.trim().is_empty());
        if let Some(text) = raw.base_url.filter(|u| !u.trim().is_empty()) {
            match parse_base_url(&text) {
                Ok(url) => config.base_url = Some(url),
                Err(BaseUrlError { message, hint }) => {
                    errors.push(key_error("base_url", message, &hint))
                }
            }
        }
        if let Some(tz) = raw.timezone {
            match parse_timezone(&tz) {
                Some(zone) => {
                    config.timezone = zone;
                    config.timezone_name = tz;
                }
                None => errors.push(key_error(
                    "timezone",
                    format!("unknown time zone `{tz}`"),
                    "use an IANA name such as `UTC`, `Europe/Berlin` or `America/New_York`, or a fixed offset such as `+05:30`",
                )),
            }
        }
        if let Some(month) = raw.fiscal_year_start_month {
            if (1..=12).contains(&month) {
                config.fiscal_year_start_month = month;
            } else {
                errors.push(key_error(
                    "fiscal_year_start_month",
                    format!("fiscal_year_start_month must be between 1 and 12, not {month}"),
                    "1 means the fiscal year is the calendar year; 2 means Q1 = Feb–Apr",
                ));
            }
        }
        if let Some(levels) = raw.severities {
            match SeverityScale::new(levels.into_iter().map(|l| (l.name, l.aliases)).collect()) {
                Ok(scale) => config.severities = scale,
                Err(message) => errors.push(key_error(
                    "severities",
                    message,
                    "every level needs a distinct name; aliases must not repeat",
                )),
            }
        }
        for (from, to) in raw.fields {
            if field::ALL.contains(&to.as_str()) {
                config.field_aliases.insert(from, to);
            } else {
                errors.push(key_error(
                    &from,
                    format!(
                        "field alias `{from}` maps to `{to}`, which is not a front-matter field"
                    ),
                    &format!("map it onto one of: {}", field::ALL.join(", ")),
                ));
            }
        }
        if let Some(days) = raw.repeat_window_days {
            config.repeat_window_days = days;
        }
        for pattern in raw.secrets.extra_patterns {
            match regex::Regex::new(&pattern) {
                Ok(re) => config.secret_patterns.push(re),
                Err(e) => errors.push(key_error(
                    "extra_patterns",
                    format!("invalid secret pattern `{pattern}`: {e}"),
                    "patterns use Rust regex syntax",
                )),
            }
        }
        config.allow_html = raw.allow_html;
        let mut globs = globset::GlobSetBuilder::new();
        for pattern in &raw.ignore {
            match globset::Glob::new(pattern) {
                Ok(glob) => {
                    globs.add(glob);
                }
                Err(e) => errors.push(key_error(
                    "ignore",
                    format!("invalid ignore pattern `{pattern}`: {e}"),
                    "patterns are globs relative to content/, e.g. `README.md` or `drafts/**`",
                )),
            }
        }
        if raw.search.default_synonyms == Some(false) {
            config.search_synonyms.clear();
        }
        for (word, equivalents) in raw.search.synonyms {
            let equivalents = match equivalents {
                OneOrMany::One(w) => vec![w],
                OneOrMany::Many(ws) => ws,
            };
            let group: Vec<String> = std::iter::once(word.clone())
                .chain(equivalents)
                .map(|w| w.trim().to_string())
                .filter(|w| !w.is_empty())
                .collect();
            if word.trim().is_empty() || group.len() < 2 {
                errors.push(key_error(
                    "synonyms",
                    format!("search synonym `{word}` needs a word and at least one equivalent"),
                    "write `word: equivalent` or `word: [one, two]`, e.g. `k8s: kubernetes`",
                ));
            } else {
                config.search_synonyms.push(group);
            }
        }
        match raw.similar {
            None | Some(RawSimilar::Switch(true)) => {}
            Some(RawSimilar::Switch(false)) => config.similar.enabled = false,
            Some(RawSimilar::Settings(settings)) => {
                let similar = &mut config.similar;
                similar.incidents = settings.incidents.unwrap_or(similar.incidents);
                for (key, value, slot) in [
                    ("min_score", settings.min_score, &mut similar.min_score),
                    (
                        "lesson_threshold",
                        settings.lesson_threshold,
                        &mut similar.lesson_threshold,
                    ),
                ] {
                    match value {
                        Some(v) if (0.0..=1.0).contains(&v) && v > 0.0 => *slot = v,
                        Some(v) => errors.push(key_error(
                            key,
                            format!("similar.{key} is {v}, but it is a similarity between 0 and 1"),
                            "use a number above 0 and at most 1, e.g. 0.3; higher shows fewer, closer matches",
                        )),
                        None => {}
                    }
                }
            }
        }
        match globs.build() {
            Ok(set) => config.ignore = set,
            Err(e) => errors.push(key_error(
                "ignore",
                format!("invalid ignore patterns: {e}"),
                "patterns are globs relative to content/",
            )),
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// The canonical name for a front-matter key (itself when not aliased).
    pub fn canonical_field<'a>(&'a self, key: &'a str) -> &'a str {
        self.field_aliases.get(key).map_or(key, String::as_str)
    }
}

/// Why a `base_url` (or `--base-url`) was refused, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrlError {
    pub message: String,
    pub hint: String,
}

/// The address the site is published at, as every canonical link, the
/// sitemap and the feed write it: an absolute `http(s)://host/path/`
/// (normalised, ending with `/`). Anything else (`javascript:…`, `file:`, a
/// bare `acme.github.io/incidents`) would be written into every page.
pub fn parse_base_url(text: &str) -> Result<String, BaseUrlError> {
    let text = text.trim();
    let refuse = |message: String, hint: String| Err(BaseUrlError { message, hint });
    let url = match url::Url::parse(text) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) if text.starts_with('/') => {
            return refuse(
                format!("base_url `{text}` is a path, not an address"),
                "write the whole address the site is published at, e.g. `https://acme.github.io/incidents/`; links between pages are relative already".into(),
            );
        }
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            return refuse(
                format!("base_url `{text}` has no scheme"),
                format!(
                    "write `https://{}`",
                    text.trim_end_matches('/').to_string() + "/"
                ),
            );
        }
        Err(e) => {
            return refuse(
                format!("base_url `{text}` is not a URL: {e}"),
                "write the address the site is published at, e.g. `https://acme.github.io/incidents/`".into(),
            );
        }
    };
    if !matches!(url.scheme(), "http" | "https") {
        return refuse(
            format!(
                "base_url `{text}` is a `{}:` URL; only http and https are published",
                url.scheme()
            ),
            "write the address the site is published at, e.g. `https://acme.github.io/incidents/`; leave base_url out for a site opened from disk".into(),
        );
    }
    if url.host_str().is_none_or(str::is_empty) {
        return refuse(
            format!("base_url `{text}` names no host"),
            "write e.g. `https://acme.github.io/incidents/`".into(),
        );
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse(
            "base_url holds a user name or password, which every page would publish".into(),
            "remove the credentials from base_url (and change the password)".into(),
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        return refuse(
            format!("base_url `{text}` has a query or fragment"),
            "page addresses are appended to base_url: give it a path only, e.g. `https://acme.github.io/incidents/`".into(),
        );
    }
    let url = url.as_str();
    Ok(if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    })
}

fn parse_timezone(name: &str) -> Option<TimeZone> {
    let name = name.trim();
    if name.eq_ignore_ascii_case("utc") || name == "Z" {
        return Some(TimeZone::UTC);
    }
    if let Ok(tz) = TimeZone::get(name) {
        return Some(tz);
    }
    // Fixed offsets such as "+05:30" or "-05:00".
    let (sign, rest) = match name.as_bytes().first()? {
        b'+' => (1, &name[1..]),
        b'-' => (-1, &name[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let seconds = sign * (h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60);
    jiff::tz::Offset::from_seconds(seconds)
        .ok()
        .map(TimeZone::fixed)
}

/// yaml_serde appends " at line L column C" to messages; we show the location ourselves.
pub fn strip_location(message: &str) -> &str {
    message.find(" at line ").map_or(message, |i| &message[..i])
}

/// The 1-based line where a top-level or nested `key:` first appears.
pub fn find_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start().trim_start_matches("- ");
            t.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
                || t.strip_prefix(&format!("\"{key}\""))
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// One level of the severity scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityLevel {
    pub name: String,
    pub aliases: Vec<String>,
}

/// The configured levels, most severe first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityScale {
    levels: Vec<SeverityLevel>,
}

impl Default for SeverityScale {
    fn default() -> Self {
        let level = |name: &str, aliases: &[&str]| {
            (
                name.to_string(),
                aliases.iter().map(|a| a.to_string()).collect(),
            )
        };
        SeverityScale::new(vec![
            level("SEV1", &["SEV-1", "P0", "P1", "Critical"]),
            level("SEV2", &["SEV-2", "P2", "High"]),
            level("SEV3", &["SEV-3", "P3", "Medium"]),
            level("SEV4", &["SEV-4", "P4", "Low"]),
        ])
        .expect("the default scale is valid")
    }
}

impl SeverityScale {
    pub fn new(levels: Vec<(String, Vec<String>)>) -> Result<Self, String> {
        if levels.is_empty() {
            return Err("the severity scale needs at least one level".into());
        }
        // Labels compare loosely (`SEV-1` = `sev1`), so two levels must not share one.
        let mut seen = std::collections::BTreeMap::new();
        for (index, (name, aliases)) in levels.iter().enumerate() {
            for label in std::iter::once(name).chain(aliases) {
                let key = severity_key(label);
                if key.is_empty() {
                    return Err(format!("severity label `{label}` has no letters or digits"));
                }
                if seen.insert(key, index).is_some_and(|other| other != index) {
                    return Err(format!(
                        "severity label `{label}` names two different levels"
                    ));
                }
            }
        }
        Ok(SeverityScale {
            levels: levels
                .into_iter()
                .map(|(name, aliases)| SeverityLevel { name, aliases })
                .collect(),
        })
    }

    pub fn levels(&self) -> &[SeverityLevel] {
        &self.levels
    }

    /// Finds the level for a label such as `SEV-1`, `sev1`, `P1 (High)` or `critical`;
    /// returns its 1-based rank (1 = most severe).
    pub fn resolve(&self, label: &str) -> Option<(usize, &SeverityLevel)> {
        let candidates = [
            label,
            label.split('(').next().unwrap_or(label),
            label.split_whitespace().next().unwrap_or(label),
        ];
        candidates.iter().find_map(|candidate| {
            let key = severity_key(candidate);
            self.levels.iter().enumerate().find_map(|(i, level)| {
                std::iter::once(&level.name)
                    .chain(&level.aliases)
                    .any(|l| severity_key(l) == key)
                    .then_some((i + 1, level))
            })
        })
    }

    /// "SEV1 (SEV-1, P0, P1, Critical), SEV2 (…)" for hints.
    pub fn describe(&self) -> String {
        self.levels
            .iter()
            .map(|l| {
                if l.aliases.is_empty() {
                    l.name.clone()
                } else {
                    format!("{} ({})", l.name, l.aliases.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Labels compare by their letters and digits only, case-insensitively.
fn severity_key(label: &str) -> String {
    label
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_aliases_resolve_through_the_scale() {
        let scale = SeverityScale::default();
        for (label, expected) in [
            ("SEV-1", "SEV1"),
            ("sev1", "SEV1"),
            ("P1", "SEV1"),
            ("Critical", "SEV1"),
            ("P1 (High)", "SEV1"),
            ("p2", "SEV2"),
            ("Medium", "SEV3"),
            ("SEV 4", "SEV4"),
        ] {
            assert_eq!(
                scale.resolve(label).map(|(_, l)| l.name.as_str()),
                Some(expected),
                "{label}"
            );
        }
        assert_eq!(scale.resolve("SEV1").unwrap().0, 1);
        assert!(scale.resolve("SEV9").is_none());
    }

    #[test]
    fn config_reads_aliases_timezone_and_scale() {
        let config = Config::parse(
            "title: Acme\nbase_url: https://x.example\ntimezone: America/New_York\nfiscal_year_start_month: 2\nfields:\n  start_time: started\n  keywords: tags\nseverities:\n  - { name: Major, aliases: [M] }\n  - { name: Minor }\n",
        )
        .unwrap();
        assert_eq!(config.title, "Acme");
        assert_eq!(config.base_url.as_deref(), Some("https://x.example/"));
        assert_eq!(config.fiscal_year_start_month, 2);
        assert_eq!(config.canonical_field("start_time"), "started");
        assert_eq!(config.canonical_field("title"), "title");
        assert_eq!(config.severities.resolve("m").unwrap().1.name, "Major");
        assert_eq!(config.timezone_name, "America/New_York");
    }

    #[test]
    fn config_errors_point_at_the_key() {
        let errors =
            Config::parse("title: x\ntimezone: Mars/Olympus\nfields:\n  foo: bar\n").unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].location.line, 2);
        assert!(errors[1].message.contains("`bar`"));
        let errors = Config::parse("titel: x\n").unwrap_err();
        assert!(
            errors[0].message.contains("unknown field `titel`"),
            "{}",
            errors[0].message
        );
        assert_eq!(errors[0].location.line, 1);
    }

    #[test]
    fn base_url_is_an_http_address() {
        assert_eq!(
            parse_base_url(" https://acme.github.io/incidents ").as_deref(),
            Ok("https://acme.github.io/incidents/")
        );
        assert_eq!(
            parse_base_url("http://localhost:8080").as_deref(),
            Ok("http://localhost:8080/")
        );
        for (text, says) in [
            ("javascript:alert('base')//", "`javascript:` URL"),
            ("acme.github.io/incidents", "has no scheme"),
            ("/incidents/", "is a path"),
            ("file:///srv/site/", "`file:` URL"),
            ("https://user:secret@host/", "user name or password"),
            ("https://host/?q=1", "query or fragment"),
            ("https://", "not a URL"),
        ] {
            let error = parse_base_url(text).unwrap_err();
            assert!(error.message.contains(says), "{text}: {error:?}");
        }
        assert_eq!(
            parse_base_url("acme.github.io/incidents").unwrap_err().hint,
            "write `https://acme.github.io/incidents/`"
        );
        let errors = Config::parse("base_url: \"javascript:alert('base')//\"\n").unwrap_err();
        assert_eq!(
            (errors[0].code, errors[0].location.line),
            ("config-invalid", 1)
        );
    }

    #[test]
    fn search_synonyms_extend_or_replace_the_defaults() {
        let defaults = Config::default().search_synonyms;
        assert!(defaults.contains(&vec!["k8s".to_string(), "kubernetes".to_string()]));
        let config = Config::parse(
            "search:\n  synonyms:\n    pg: postgres\n    db: [database, datastore]\n",
        )
        .unwrap();
        assert_eq!(config.search_synonyms.len(), defaults.len() + 2);
        assert!(config.search_synonyms.contains(&vec![
            "db".into(),
            "database".into(),
            "datastore".into()
        ]));
        let config =
            Config::parse("search:\n  default_synonyms: false\n  synonyms:\n    pg: postgres\n")
                .unwrap();
        assert_eq!(
            config.search_synonyms,
            [vec!["pg".to_string(), "postgres".to_string()]]
        );
        let errors = Config::parse("search:\n  synonyms:\n    pg: []\n").unwrap_err();
        assert!(errors[0].message.contains("`pg`"), "{}", errors[0].message);
        assert_eq!(errors[0].location.line, 2);
    }

    #[test]
    fn similar_is_on_by_default_off_with_false_and_tuned_by_its_keys() {
        let defaults = crate::similar::Settings::default();
        assert_eq!(Config::parse("").unwrap().similar, defaults);
        assert!(!Config::parse("similar: false\n").unwrap().similar.enabled);
        assert!(Config::parse("similar: true\n").unwrap().similar.enabled);
        let tuned = Config::parse("similar:\n  incidents: 5\n  lesson_threshold: 0.6\n")
            .unwrap()
            .similar;
        assert_eq!((tuned.incidents, tuned.lesson_threshold), (5, 0.6));
        assert_eq!(tuned.min_score, defaults.min_score);
        let errors = Config::parse("similar:\n  min_score: 0\n").unwrap_err();
        assert_eq!(errors[0].location.line, 2, "{errors:?}");
        assert!(
            Config::parse("similar:\n  neighbours: 3\n").is_err(),
            "unknown keys"
        );
    }

    #[test]
    fn fixed_offsets_are_time_zones() {
        assert!(parse_timezone("+05:30").is_some());
        assert!(parse_timezone("-05:00").is_some());
        assert!(parse_timezone("nowhere").is_none());
    }
}
