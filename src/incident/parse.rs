//! One content file in, one validated [`Incident`] (and its diagnostics) out.

use std::collections::BTreeSet;

use super::body::{self, BodyStructure, MAX_LESSONS};
use super::fields::Fields;
use super::frontmatter;
use super::{ActionItem, Incident, Label, SectionKind, normalise_word};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, LineIndex, codes};
use crate::field;
use crate::load::SourceFile;
use crate::slug::{id_slug, slugify};

/// Most tags (and most services) one incident may list: each becomes a page
/// showing the incident, and no postmortem is about more.
pub const MAX_LABELS: usize = 100;

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
    let services = labels(fields.labels(field::SERVICES, MAX_LABELS), false);
    let tags = labels(fields.labels(field::TAGS, MAX_LABELS), true);
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
    if let Some(problem) = id_problem(&id).or_else(|| {
        slug.is_empty()
            .then(|| format!("`{id}` has no letter or digit"))
    }) {
        let d = Diagnostic::error(codes::INVALID_ID, path, problem);
        let d = if explicit_id.is_some() {
            d.at(id_location).hint(ID_RULE)
        } else {
            d.hint(format!(
                "the id comes from the file name: rename the file, or give it an `id:` in the front matter; {ID_RULE}"
            ))
        };
        diagnostics.push(d);
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

    if structure.lessons_left_out > 0 {
        let heading = structure
            .sections
            .iter()
            .find(|s| s.kind == SectionKind::Lessons);
        let at = heading.map_or_else(|| lines.line(split.body_line), |s| lines.line(s.line));
        diagnostics.push(
            Diagnostic::warning(
                codes::TOO_MANY_LESSONS,
                path,
                format!(
                    "only the first {MAX_LESSONS} of {} lessons count as lessons (search, the lessons pages); the rest are text of the page",
                    MAX_LESSONS + structure.lessons_left_out
                ),
            )
            .at(at)
            .hint("keep the lessons that matter in this section; move long lists (checklists, logs) under another heading"),
        );
    }
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

const ID_RULE: &str = "ids use ASCII letters, digits, `-`, `_` and `.`, e.g. `INC-2024-007`, and do not start with `.`";

/// Why `id` cannot be an incident id, if it cannot. Ids name folders, URLs
/// and `[[ID]]` links, and people type them: only ASCII letters, digits, `-`,
/// `_` and `.`, so no id can hide a space, a path, markup or a look-alike
/// (`a\u{200b}b` shows as `ab`; Cyrillic `а` as Latin `a`).
fn id_problem(id: &str) -> Option<String> {
    let length = id.chars().count();
    if length == 0 {
        return Some("the id is empty".into());
    }
    if length > MAX_ID_CHARS {
        return Some(format!(
            "the id is {length} characters long; ids have at most {MAX_ID_CHARS}"
        ));
    }
    // Invisible characters written out: `a\u{200b}b`, not a look-alike of `ab`.
    let shown: String = id
        .chars()
        .map(|c| {
            if is_invisible(c) {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect();
    let wrong: Vec<char> = id
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .collect();
    if !wrong.is_empty() {
        let mut named: Vec<String> = Vec::new();
        for c in wrong {
            let name = describe_char(c);
            if !named.contains(&name) {
                named.push(name);
            }
        }
        let more = named.len().saturating_sub(5);
        named.truncate(5);
        if more > 0 {
            named.push(format!("{more} more"));
        }
        return Some(format!(
            "`{shown}` cannot be an incident id: it contains {}",
            named.join(", ")
        ));
    }
    id.starts_with('.')
        .then(|| format!("`{shown}` cannot be an incident id: it starts with `.`"))
}

/// Control, format and space characters other than the plain space.
fn is_invisible(c: char) -> bool {
    (c.is_whitespace() && c != ' ')
        || c.is_control()
        || matches!(c, '\u{ad}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// A character as a diagnostic names it: `<`, a space, `🙂` (U+1F642), an
/// invisible U+200B.
fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        _ if is_invisible(c) => format!("an invisible U+{:04X}", c as u32),
        _ if c.is_ascii() => format!("`{c}`"),
        _ => format!("`{c}` (U+{:04X})", c as u32),
    }
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
        for (id, says) in [
            (
                "\"A B <x> 🙂 ; rm -rf\"",
                "a space, `<`, `>`, `🙂` (U+1F642), `;`",
            ),
            ("\"a\\u200bb\"", "an invisible U+200B"),
            ("\"inc\\u0430\"", "`а` (U+0430)"),
            ("\".hidden\"", "starts with `.`"),
        ] {
            let (incident, diags) = parse(&format!("---\ntitle: T\nid: {id}\n---\n"));
            assert!(incident.is_none(), "{id}");
            assert!(
                diags[0].message.contains(says),
                "{id}: {}",
                diags[0].message
            );
        }
        let (_, diags) = parse("---\ntitle: T\nid: \"a\\u001b]0;x\"\n---\n");
        assert!(!diags[0].message.contains('\u{1b}'), "{}", diags[0].message);
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
