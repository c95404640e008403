//! One content file in, one validated [`Incident`] (and its diagnostics) out.

use std::collections::BTreeSet;

use super::body::{self, BodyStructure};
use super::fields::Fields;
use super::frontmatter;
use super::{ActionItem, Incident, Label, normalise_word};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, LineIndex, codes};
use crate::field;
use crate::load::SourceFile;
use crate::slug::{id_slug, slugify};

/// Longest title derived from a sentence before it is shortened.
const DERIVED_TITLE_MAX_CHARS: usize = 80;

/// Parses a file. `None` when the file cannot become an incident; the
/// diagnostics say why. Pure: no I/O, safe to run in parallel.
pub fn parse_incident(file: &SourceFile, config: &Config) -> (Option<Incident>, Vec<Diagnostic>) {
    let path = file.path.as_str();
    let split = match frontmatter::split(path, &file.text) {
        Ok(split) => split,
        Err(d) => return (None, vec![d]),
    };
    let mapping = match frontmatter::parse_yaml(path, &file.text, &split) {
        Ok(mapping) => mapping,
        Err(d) => return (None, vec![d]),
    };
    let mut fields = Fields::new(
        path,
        &file.text,
        split.yaml,
        split.yaml_line,
        mapping,
        config,
    );
    let structure = body::extract(split.body, split.body_line);

    let explicit_id = fields.string(field::ID);
    let title_field = fields.string(field::TITLE);
    let summary_field = fields.string(field::SUMMARY);
    let date_field = fields.date(field::DATE);
    let severity = fields.severity();
    let status = fields.status();
    let started = fields.timestamp(field::STARTED);
    let detected = fields.timestamp(field::DETECTED);
    let mitigated = fields.timestamp(field::MITIGATED);
    let resolved = fields.timestamp(field::RESOLVED);
    let duration_minutes = fields.duration(field::DURATION);
    let services = labels(fields.list(field::SERVICES), false);
    let tags = labels(fields.list(field::TAGS), true);
    let commander = fields.string(field::COMMANDER);
    let responders = fields.list(field::RESPONDERS);
    let impact = fields.string(field::IMPACT);
    let related = fields.list(field::RELATED);
    let repeat_of = fields.string(field::REPEAT_OF);
    let trigger = fields.string(field::TRIGGER);
    let mut contributing_factors = fields.list(field::CONTRIBUTING_FACTORS);
    let front_matter_items = fields.action_items();
    let draft = fields.bool(field::DRAFT);
    let visibility = fields.visibility();
    let id_location = fields.location_of(field::ID);
    let order_errors = check_order(
        path,
        [
            (field::STARTED, started),
            (field::DETECTED, detected),
            (field::MITIGATED, mitigated),
            (field::RESOLVED, resolved),
        ],
        |key| fields.location_of(key),
    );
    let (extra, mut diagnostics, field_locations) = fields.finish();
    diagnostics.extend(order_errors);

    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".md");
    let id = explicit_id.clone().unwrap_or_else(|| stem.to_string());
    let slug = id_slug(&id);
    if !is_valid_id(&id) || slug.is_empty() {
        let length = id.chars().count();
        let message = if length > MAX_ID_CHARS {
            format!("the id is {length} characters long; ids have at most {MAX_ID_CHARS}")
        } else {
            format!("`{id}` cannot be an incident id")
        };
        let d = Diagnostic::error(codes::INVALID_ID, path, message);
        let d = if explicit_id.is_some() {
            d.at(id_location)
        } else {
            d
        };
        diagnostics.push(d.hint("ids use letters, digits, `-`, `_` and `.`, e.g. `INC-2024-007`; no `/`, no leading `.`"));
        return (None, diagnostics);
    }

    let lines = LineIndex::new(&file.text);
    let (title, title_heading_line) = match (title_field, &structure.first_h1) {
        (Some(title), _) => (title, None),
        (None, Some((heading, line))) if !heading.is_empty() => (heading.clone(), Some(*line)),
        _ => {
            match summary_field
                .as_deref()
                .or(structure.first_paragraph.as_deref())
                .map(shorten_sentence)
            {
                Some(title) if !title.is_empty() => {
                    diagnostics.push(
                    Diagnostic::warning(codes::TITLE_DERIVED, path, format!("no title; using \"{title}\""))
                        .at(lines.line(split.yaml_line.saturating_sub(1).max(1)))
                        .hint("add `title: …` to the front matter or start the body with a `# Heading`"),
                );
                    (title, None)
                }
                _ => {
                    diagnostics.push(
                    Diagnostic::error(codes::NO_TITLE, path, "the postmortem has no title and no text to derive one from")
                        .at(lines.line(1))
                        .hint("add `title: …` to the front matter, or a `# Heading` and a summary to the body"),
                );
                    return (None, diagnostics);
                }
            }
        }
    };

    let BodyStructure {
        summary_paragraph,
        sections,
        lessons,
        action_items: body_items,
        timeline,
        references,
        text: body_text,
        contributing_factors: body_factors,
        ..
    } = structure;
    if contributing_factors.is_empty() {
        contributing_factors = body_factors;
    }
    let date =
        date_field.or_else(|| started.map(|s| s.to_zoned_datetime(config.timezone.clone()).date()));

    let incident = Incident {
        id,
        slug,
        source_path: path.to_string(),
        title,
        date,
        severity,
        status,
        started,
        detected,
        mitigated,
        resolved,
        duration_minutes,
        services,
        tags,
        commander,
        responders,
        impact,
        related,
        repeat_of,
        trigger,
        contributing_factors,
        action_items: merge_action_items(front_matter_items, body_items),
        summary: summary_field.or(summary_paragraph),
        draft,
        visibility,
        extra,
        field_locations,
        body: split.body.to_string(),
        body_line: split.body_line,
        title_heading_line,
        sections,
        lessons,
        timeline,
        references,
        body_text,
    };
    (Some(incident), diagnostics)
}

/// Ids name folders and URLs; this keeps them well inside path limits.
const MAX_ID_CHARS: usize = 120;

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= MAX_ID_CHARS
        && !id.starts_with('.')
        && !id.contains(['/', '\\'])
        && !id.chars().any(char::is_control)
}

/// Labels in first-seen order, one per slug. Tags display as their slug
/// (lowercase-kebab, docs/content.md); services keep the name as first written.
fn labels(names: Vec<String>, tag: bool) -> Vec<Label> {
    let mut seen = BTreeSet::new();
    names
        .into_iter()
        .filter_map(|name| {
            let slug = slugify(&name);
            (!slug.is_empty() && seen.insert(slug.clone())).then(|| Label {
                name: if tag { slug.clone() } else { name },
                slug,
            })
        })
        .collect()
}

/// Front-matter items first; body items add what the front matter does not list.
fn merge_action_items(front_matter: Vec<ActionItem>, body: Vec<ActionItem>) -> Vec<ActionItem> {
    let known: BTreeSet<String> = front_matter
        .iter()
        .map(|a| normalise_word(&a.title))
        .collect();
    let mut items = front_matter;
    items.extend(
        body.into_iter()
            .filter(|a| !known.contains(&normalise_word(&a.title))),
    );
    items
}

/// The first sentence, shortened at a word boundary.
pub(crate) fn shorten_sentence(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence = flat
        .find(". ")
        .map_or(flat.as_str(), |i| &flat[..i])
        .trim_end_matches('.');
    if sentence.chars().count() <= DERIVED_TITLE_MAX_CHARS {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(DERIVED_TITLE_MAX_CHARS).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", at_word.trim_end_matches([',', ';', ':']))
}

/// started ≤ detected ≤ mitigated ≤ resolved, for the timestamps present.
fn check_order<const N: usize>(
    path: &str,
    stamps: [(&str, Option<jiff::Timestamp>); N],
    location_of: impl Fn(&str) -> crate::diagnostics::Location,
) -> Vec<Diagnostic> {
    let present: Vec<(&str, jiff::Timestamp)> = stamps
        .iter()
        .filter_map(|(name, ts)| ts.map(|t| (*name, t)))
        .collect();
    present
        .windows(2)
        .filter(|pair| pair[1].1 < pair[0].1)
        .map(|pair| {
            let ((earlier, a), (later, b)) = (pair[0], pair[1]);
            Diagnostic::error(codes::TIMESTAMPS_OUT_OF_ORDER, path, format!("`{later}` ({b}) is before `{earlier}` ({a})"))
                .at(location_of(later))
                .hint("timestamps must follow started ≤ detected ≤ mitigated ≤ resolved; check the date and the time zone")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Incident>, Vec<Diagnostic>) {
        parse_incident(
            &SourceFile {
                path: "content/inc-1.md".into(),
                text: text.into(),
            },
            &Config::default(),
        )
    }

    #[test]
    fn shortens_long_sentences_at_a_word_boundary() {
        assert_eq!(shorten_sentence("Short one. Another."), "Short one");
        let long = "On 2023-07-20 between 12:17 and 12:30 UTC all crate downloads from crates.io were broken due to a deployment bug.";
        let title = shorten_sentence(long);
        assert!(
            title.ends_with('…') && title.chars().count() <= DERIVED_TITLE_MAX_CHARS + 1,
            "{title}"
        );
        assert!(title.starts_with("On 2023-07-20 between"));
    }

    #[test]
    fn title_comes_from_field_then_heading_then_first_sentence() {
        assert_eq!(
            parse("---\ntitle: Field\n---\n# Heading\n")
                .0
                .unwrap()
                .title,
            "Field"
        );
        let (incident, diags) = parse("# Heading\n\nText.\n");
        let incident = incident.unwrap();
        assert_eq!(
            (incident.title.as_str(), incident.title_heading_line),
            ("Heading", Some(1))
        );
        assert!(diags.is_empty());
        let (incident, diags) =
            parse("---\nsummary: The cache grew without bound. Then it fell over.\n---\nBody.\n");
        assert_eq!(incident.unwrap().title, "The cache grew without bound");
        assert_eq!(diags[0].code, "title-derived");
        let (incident, diags) = parse("");
        assert!(incident.is_none());
        assert_eq!(diags[0].code, "no-title");
    }

    #[test]
    fn id_defaults_to_the_file_stem_and_hostile_ids_are_refused() {
        assert_eq!(parse("# T\n").0.unwrap().id, "inc-1");
        let (incident, diags) = parse("---\ntitle: T\nid: ../../etc/passwd\n---\n");
        assert!(incident.is_none());
        assert_eq!((diags[0].code, diags[0].location.line), ("invalid-id", 3));
        assert_eq!(
            parse("---\ntitle: T\nid: INC-2024-007\n---\n")
                .0
                .unwrap()
                .slug,
            "inc-2024-007"
        );
    }

    #[test]
    fn resolved_before_started_is_an_error() {
        let (_, diags) =
            parse("---\ntitle: T\nstarted: 2024-01-02 10:00\nresolved: 2024-01-01 10:00\n---\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(
            (diags[0].code, diags[0].location.line),
            ("timestamps-out-of-order", 4)
        );
    }
}
