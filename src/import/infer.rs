//! One incident's front matter from its text: key lines, headings, the
//! timeline, sentences and the file name, each field from the most explicit
//! source that gives it. Where sources disagree, the choice is recorded.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::civil::{Date, DateTime};
use jiff::{SignedDuration, ZonedDateTime};
use regex::Regex;

use super::blocks::{self, Block};
use super::clock::{Order, Stamp, resolve_day, stamps_in};
use super::ids;
use super::metadata::{self, Field, RawField};
use super::moments::{self, Moment};
use super::sentences::{self, Said};
use super::template::{self, Signals};
use super::timeline;
use super::values::{self, Reading, reading};
use super::zones::{self, Zone};
use super::{Imported, split, title};
use crate::config::Config;
use crate::field;
use crate::scaffold::file_slug;
use crate::scaffold::yaml::FieldValue;

/// What the whole document says, for each of its incidents.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    pub file_name: &'a str,
    /// The file name without its extension.
    pub stem: &'a str,
    /// The file holds this one incident (its name describes it).
    pub single: bool,
    pub order: Order,
    /// A zone statement anywhere in the document.
    pub zone: Option<Zone>,
    /// A date at the start of the file name: a weak hint (often the publication date).
    pub file_date: Option<Date>,
    pub config: &'a Config,
}

/// A value with where it came from.
#[derive(Debug, Clone, PartialEq)]
struct Sourced<T> {
    value: T,
    from: String,
}

fn sourced<T>(value: T, from: impl Into<String>) -> Sourced<T> {
    Sourced {
        value,
        from: from.into(),
    }
}

/// The canonical fields of the report, in front-matter order.
pub const CANONICAL: [&str; 18] = [
    field::ID,
    field::TITLE,
    field::DATE,
    field::SEVERITY,
    field::STATUS,
    field::STARTED,
    field::DETECTED,
    field::MITIGATED,
    field::RESOLVED,
    field::DURATION,
    field::SERVICES,
    field::TAGS,
    field::COMMANDER,
    field::RESPONDERS,
    field::IMPACT,
    field::TRIGGER,
    field::SUMMARY,
    field::VISIBILITY,
];

/// Infers one incident. `heading` is the heading that names it, if any;
/// `line` is where its text starts in the source.
pub fn incident(doc: &Document<'_>, text: &str, heading: Option<&str>, line: usize) -> Imported {
    let mut notes: Vec<String> = Vec::new();
    let mut choices: Vec<String> = Vec::new();
    let order = doc.order;
    let blocks = blocks::blocks(text);
    let heading = heading.unwrap_or("");

    // Key lines: the first real value of each field.
    let mut first: BTreeMap<Field, RawField> = BTreeMap::new();
    let (mut placeholder_fields, mut real_fields) = (Vec::new(), 0);
    for raw in metadata::extract(text) {
        match reading(raw.field, &raw.value) {
            Reading::Nothing => {}
            Reading::Placeholder(p) => placeholder_fields.push(format!("{}: `{p}`", raw.key)),
            Reading::Value => {
                real_fields += 1;
                first.entry(raw.field).or_insert(raw);
            }
        }
    }
    let key = |field: Field| first.get(&field);
    let key_from = |raw: &RawField| format!("`{}:` line {}", raw.key, line + raw.line - 1);

    // The zone: a statement in this incident's text, else the document's, else the configured one.
    let zone = crate::prose::lines_outside_code(text)
        .find_map(|(_, l)| zones::statement(l))
        .or_else(|| doc.zone.clone());
    let tz = zone
        .as_ref()
        .map_or(doc.config.timezone.clone(), |z| z.tz.clone());

    let stamp_of = |raw: &RawField| stamps_in(&raw.value, order).into_iter().next();
    let key_when = key(Field::When).and_then(|r| Some((stamp_of(r)?, r)));
    let key_started = key(Field::Started).and_then(|r| Some((stamp_of(r)?, r)));
    let heading_stamp = stamps_in(heading, order)
        .into_iter()
        .find(|s| s.day.is_some());
    let tl = timeline::read(&blocks, order);
    let intro = sentences::introduction(&blocks);

    // A year for dates written without one.
    let full = |s: &Stamp| {
        s.day
            .filter(|d| d.year.is_some())
            .and_then(|d| resolve_day(d, None))
    };
    let near = key_when
        .as_ref()
        .and_then(|(s, _)| full(s))
        .or_else(|| key_started.as_ref().and_then(|(s, _)| full(s)))
        .or_else(|| heading_stamp.as_ref().and_then(full))
        .or_else(|| tl.stated_day.as_ref().and_then(|(s, _)| full(s)))
        .or_else(|| tl.entries.iter().find_map(|e| full(&e.stamp)))
        .or_else(|| {
            sentences::read(&blocks, &intro, order, None, &tz)
                .iter()
                .find_map(|s| s.day)
        })
        .or(doc.file_date);
    let said = sentences::read(&blocks, &intro, order, near, &tz);
    let day_of = |s: &Stamp| s.day.and_then(|d| resolve_day(d, near));
    // The day a key line (`Date:`, `Start time:`) or the heading states.
    let key_day = |key: &Option<(Stamp, &RawField)>| {
        key.as_ref()
            .and_then(|(s, r)| Some(sourced(day_of(s)?, key_from(r))))
    };
    let heading_day = || {
        heading_stamp
            .as_ref()
            .and_then(|s| Some(sourced(day_of(s)?, "the heading")))
    };

    // The day the document states, for times written without one.
    let stated: Option<Sourced<Date>> = key_day(&key_when)
        .or_else(|| key_day(&key_started))
        .or_else(heading_day)
        .or_else(|| {
            tl.stated_day.as_ref().and_then(|(s, l)| {
                Some(sourced(
                    day_of(s)?,
                    format!("the timeline, line {}", line + l - 1),
                ))
            })
        })
        .or_else(|| {
            said.iter().find_map(|s| {
                Some(sourced(
                    s.day?,
                    format!("a sentence, line {}", line + s.line - 1),
                ))
            })
        });
    let file_day = doc
        .file_date
        .map(|d| sourced(d, "the file name (a weak hint: often the publication date)"));
    let context_day = stated.clone().or(file_day.clone());
    let dated = timeline::date_entries(&tl.entries, context_day.as_ref().map(|d| d.value), &tz);
    for d in dated.iter().filter(|d| d.rolled) {
        let entry = &tl.entries[d.index];
        notes.push(format!(
            "timeline line {}: the time goes back, read as the next day ({})",
            line + entry.line - 1,
            d.date.map(|x| x.to_string()).unwrap_or_default()
        ));
    }
    let timeline_moments = moments::moments(&tl.entries, &dated);
    let from_timeline = |m: Moment| {
        timeline_moments
            .iter()
            .find(|(k, _)| *k == m)
            .and_then(|(_, f)| f.as_ref())
            .map(|f| {
                sourced(
                    f.at.clone(),
                    format!("timeline line {} ({})", line + f.line - 1, f.why),
                )
            })
    };

    let instant = |stamp: &Stamp, day: Option<Date>| -> Option<ZonedDateTime> {
        let date = day_of(stamp).or(day)?;
        let zone = stamp.zone.as_ref().map_or(&tz, |z| &z.tz);
        DateTime::from_parts(date, stamp.time?)
            .to_zoned_datetime(zone.clone())
            .ok()
    };
    let stated_day = stated.as_ref().map(|s| s.value);
    let key_instant = |field: Field| {
        let raw = key(field)?;
        instant(&stamp_of(raw)?, stated_day).map(|at| sourced(at, key_from(raw)))
    };

    // Started: the most explicit source; the others are reported when they disagree.
    let prose_start = said.iter().find(|s| s.start.is_some()).cloned();
    let candidates: Vec<Sourced<ZonedDateTime>> = [
        key_instant(Field::Started),
        from_timeline(Moment::Started),
        key_instant(Field::When),
        heading_stamp
            .as_ref()
            .and_then(|s| instant(s, None).map(|at| sourced(at, "the heading"))),
        prose_start.as_ref().and_then(|s: &Said| {
            Some(sourced(
                s.start.clone()?,
                format!("a sentence, line {}", line + s.line - 1),
            ))
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    let started = candidates.first().cloned();
    if let Some(chosen) = &started {
        for other in &candidates[1..] {
            let apart = (other.value.timestamp() - chosen.value.timestamp()).abs();
            if apart > SignedDuration::from_mins(1)
                && !choices.iter().any(|c| c.contains(&other.from))
            {
                choices.push(format!(
                    "two start times: {} ({}) and {} ({}); chose the first",
                    rfc3339(&chosen.value),
                    chosen.from,
                    rfc3339(&other.value),
                    other.from
                ));
            }
        }
    }

    // Stats lines: durations after the start. "Detection time: 8 minutes"
    // is one too, but "Detection time: 14:05" is a time.
    let stat = |field: Field| {
        let raw = key(field)?;
        let (written, minutes) = values::duration(&raw.value)?;
        if !written.chars().any(char::is_alphabetic) {
            return None;
        }
        Some((
            SignedDuration::from_secs((minutes * 60.0).round() as i64),
            raw,
        ))
    };
    let after_start = |field: Field| {
        let start = started.as_ref()?;
        let (span, raw) = stat(field)?;
        let at = start.value.checked_add(span).ok()?;
        Some(sourced(at, format!("{} after the start", key_from(raw))))
    };
    let detected = key_instant(Field::Detected)
        .or_else(|| from_timeline(Moment::Detected))
        .or_else(|| after_start(Field::TimeToDetect))
        .or_else(|| after_start(Field::Detected));
    let mitigated = key_instant(Field::Mitigated)
        .or_else(|| from_timeline(Moment::Mitigated))
        .or_else(|| after_start(Field::TimeToMitigate))
        .or_else(|| after_start(Field::Mitigated));
    let prose_end = prose_start.as_ref().and_then(|s| {
        Some(sourced(
            s.end.clone()?,
            format!("a sentence, line {}", line + s.line - 1),
        ))
    });
    let resolved = key_instant(Field::Resolved)
        .or_else(|| from_timeline(Moment::Resolved))
        .or(prose_end)
        .or_else(|| after_start(Field::TimeToResolve));

    let mut stamps = [
        (field::STARTED, started),
        (field::DETECTED, detected),
        (field::MITIGATED, mitigated),
        (field::RESOLVED, resolved),
    ];
    keep_in_order(&mut stamps, &mut notes);

    // The date: the start's, else the most explicit day, else the file name's.
    let earliest_entry = dated
        .iter()
        .filter_map(|d| Some((d.date?, d.index)))
        .min()
        .map(|(d, i)| {
            sourced(
                d,
                format!("timeline line {}", line + tl.entries[i].line - 1),
            )
        });
    let date = stamps[0]
        .1
        .as_ref()
        .map(|s| sourced(s.value.date(), s.from.clone()))
        .or_else(|| key_day(&key_when))
        .or_else(heading_day)
        .or(earliest_entry)
        .or(stated)
        .or_else(|| {
            file_day.clone().inspect(|_| {
                notes.push("the date comes from the file name only; check it".into());
            })
        });
    if let (Some(d), Some((s, r))) = (&date, &key_when)
        && let Some(key_day) = day_of(s)
        && key_day != d.value
    {
        choices.push(format!(
            "two dates: {} ({}) and {key_day} ({}); chose the first",
            d.value,
            d.from,
            key_from(r)
        ));
    } else if let (Some(d), Some(s)) = (&date, &heading_stamp)
        && let Some(heading_day) = day_of(s)
        && heading_day != d.value
    {
        choices.push(format!(
            "two dates: {} ({}) and {heading_day} (the heading); chose the first",
            d.value, d.from
        ));
    }

    // Text fields.
    let mut fields: BTreeMap<&'static str, Sourced<FieldValue>> = BTreeMap::new();
    let text_value = |v: String| FieldValue::Text(v);
    let title = key(Field::Title)
        .map(|r| sourced(r.value.clone(), key_from(r)))
        .or_else(|| title::from_heading(heading, order).map(|t| sourced(t, "the heading")))
        .or_else(|| {
            doc.single
                .then(|| title::from_file_stem(doc.stem))
                .flatten()
                .filter(|_| ids::is_readable(doc.stem))
                .map(|t| sourced(t, "the file name"))
        })
        .or_else(|| first_sentence(&blocks).map(|t| sourced(t, "the first sentence")));
    let id = choose_id(
        doc,
        &first,
        heading,
        title.as_ref().map(|t| t.value.as_str()),
        date.as_ref().map(|d| d.value),
        &mut notes,
    );
    let title = title.unwrap_or_else(|| {
        notes.push("no title found; using the id".into());
        sourced(id.value.clone(), "the id")
    });
    let template = template::evidence(
        text,
        &blocks,
        &Signals {
            file_name: doc.file_name,
            heading,
            placeholder_fields: placeholder_fields.len(),
            real_fields,
            dated_entries: dated.iter().filter(|d| d.date.is_some()).count(),
        },
    );
    // A template is shown by its heading as written ("Incident Report: [TITLE]").
    let title = match &template {
        Some(_) if !heading.is_empty() => sourced(heading.to_string(), "the heading"),
        _ => title,
    };
    fields.insert(
        field::ID,
        sourced(text_value(id.value.clone()), id.from.clone()),
    );
    fields.insert(
        field::TITLE,
        sourced(text_value(title.value.clone()), title.from.clone()),
    );
    if let Some(d) = &date {
        fields.insert(
            field::DATE,
            sourced(text_value(d.value.to_string()), d.from.clone()),
        );
    }
    for (name, stamp) in &stamps {
        if let Some(s) = stamp {
            fields.insert(name, sourced(text_value(rfc3339(&s.value)), s.from.clone()));
        }
    }
    let severity = key(Field::Severity)
        .and_then(|r| {
            let level = values::severity(&r.value, doc.config);
            if level.is_none() {
                notes.push(format!(
                    "{} `{}` is not on the severity scale ({}); left out",
                    r.key,
                    r.value,
                    doc.config.severities.describe()
                ));
            }
            Some(sourced(level?, key_from(r)))
        })
        .or_else(|| {
            title::SEVERITY
                .find(heading)
                .and_then(|m| values::severity(m.as_str(), doc.config))
                .map(|level| sourced(level, "the heading"))
        });
    if let Some(s) = severity {
        fields.insert(field::SEVERITY, sourced(text_value(s.value), s.from));
    }
    if let Some(r) = key(Field::Status) {
        match values::status(&r.value) {
            Some(s) => {
                fields.insert(
                    field::STATUS,
                    sourced(text_value(s.as_str().into()), key_from(r)),
                );
            }
            None => notes.push(format!(
                "status `{}` is not investigating, mitigated, resolved or closed; left out",
                r.value
            )),
        }
    }
    if let Some(r) = key(Field::Duration).or_else(|| key(Field::TimeToResolve)) {
        match values::duration(&r.value) {
            Some((written, _)) => {
                fields.insert(field::DURATION, sourced(text_value(written), key_from(r)));
            }
            None => notes.push(format!(
                "{} `{}` is not a duration; left out",
                r.key, r.value
            )),
        }
    }
    for (name, field) in [
        (field::SERVICES, Field::Services),
        (field::TAGS, Field::Tags),
    ] {
        if let Some(r) = key(field) {
            let items: Vec<String> = values::list(&r.value)
                .into_iter()
                .filter(|i| i.split_whitespace().count() <= 6)
                .collect();
            if items.is_empty() {
                notes.push(format!("{} `{}` names no {name}; left out", r.key, r.value));
            } else {
                fields.insert(name, sourced(FieldValue::List(items), key_from(r)));
            }
        }
    }
    if let Some(r) = key(Field::Commander)
        && let Some(c) = values::person(&r.value)
    {
        fields.insert(field::COMMANDER, sourced(text_value(c), key_from(r)));
    }
    if let Some(r) = key(Field::Responders) {
        let people = values::people(&r.value);
        if people.is_empty() {
            notes.push(format!("{} `{}` names no one; left out", r.key, r.value));
        } else {
            fields.insert(
                field::RESPONDERS,
                sourced(FieldValue::List(people), key_from(r)),
            );
        }
    }
    for (name, field) in [
        (field::IMPACT, Field::Impact),
        (field::TRIGGER, Field::Trigger),
        (field::SUMMARY, Field::Summary),
    ] {
        if let Some(r) = key(field) {
            fields.insert(name, sourced(text_value(r.value.clone()), key_from(r)));
        }
    }
    if let Some(r) = key(Field::Visibility)
        && INTERNAL.is_match(&r.value)
    {
        fields.insert(
            field::VISIBILITY,
            sourced(text_value("internal".into()), key_from(r)),
        );
    }

    let ordered: Vec<(&'static str, FieldValue, String)> = CANONICAL
        .iter()
        .filter_map(|name| fields.remove(name).map(|s| (*name, s.value, s.from)))
        .collect();
    let missing = CANONICAL
        .iter()
        .copied()
        .filter(|name| !ordered.iter().any(|(n, _, _)| n == name))
        .filter(|name| {
            !matches!(
                *name,
                field::IMPACT | field::TRIGGER | field::SUMMARY | field::VISIBILITY
            )
        })
        .collect();
    Imported {
        origin: doc.file_name.to_string(),
        line,
        fields: ordered
            .iter()
            .map(|(name, value, _)| (*name, value.clone()))
            .collect(),
        sources: ordered
            .into_iter()
            .map(|(name, _, from)| (name, from))
            .collect(),
        missing,
        notes,
        choices,
        template,
        action_items: Vec::new(),
        body: super::body_of(text),
        draft: false,
    }
}

/// `Classification: Internal`, `Confidential`, `Restricted`.
static INTERNAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:internal|confidential|restricted|private|secret|need[- ]to[- ]know)\b")
        .expect("valid regex")
});

/// RFC 3339 with the zone's offset (`Z` for UTC), as the document would read it.
pub fn rfc3339(at: &ZonedDateTime) -> String {
    if at.offset().seconds() == 0 {
        at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        at.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}

/// started ≤ detected ≤ mitigated ≤ resolved: a later moment that comes
/// earlier (a report mixing zones, an end past midnight) is left out.
fn keep_in_order(
    stamps: &mut [(&'static str, Option<Sourced<ZonedDateTime>>)],
    notes: &mut Vec<String>,
) {
    let mut latest: Option<(&str, jiff::Timestamp)> = None;
    for (name, stamp) in stamps.iter_mut() {
        let Some(t) = stamp.as_ref().map(|s| s.value.timestamp()) else {
            continue;
        };
        match latest {
            Some((earlier, prev)) if t < prev => {
                notes.push(format!(
                    "{name} ({t}) is before {earlier} ({prev}); {name} left out"
                ));
                *stamp = None;
            }
            _ => latest = Some((name, t)),
        }
    }
}

/// The id: a field, an id in the heading, an id-like or dated file name (for
/// a file holding one incident), else a slug of the date and title.
fn choose_id(
    doc: &Document<'_>,
    first: &BTreeMap<Field, RawField>,
    heading: &str,
    title: Option<&str>,
    date: Option<Date>,
    notes: &mut Vec<String>,
) -> Sourced<String> {
    if let Some(raw) = first.get(&Field::Id) {
        match values::id(&raw.value).filter(|id| id.chars().count() <= ids::MAX_ID_CHARS) {
            Some(id) => return sourced(id, format!("`{}:`", raw.key)),
            None => notes.push(format!(
                "{} `{}` cannot be an id (letters, digits, `-`, `_`, `.`; at most {} characters); left out",
                raw.key,
                raw.value,
                ids::MAX_ID_CHARS
            )),
        }
    }
    if let Some(id) = split::id_in(heading).and_then(values::id) {
        return sourced(id, "the heading");
    }
    if doc.single {
        if let Some(id) = ids::id_prefix(doc.stem) {
            return sourced(id.to_string(), "the file name");
        }
        if ids::starts_with_date(doc.stem) || ids::is_readable(doc.stem) {
            let slug = file_slug(doc.stem);
            if !slug.is_empty() {
                return sourced(slug, "the file name");
            }
        }
    }
    let title_slug = title.map(file_slug).unwrap_or_default();
    let slug = match date {
        Some(d) if !title_slug.is_empty() => file_slug(&format!("{d} {title_slug}")),
        Some(d) => d.to_string(),
        None => title_slug,
    };
    if slug.is_empty() {
        let fallback = file_slug(doc.stem);
        return sourced(
            if fallback.is_empty() {
                "incident".into()
            } else {
                fallback
            },
            "the file name",
        );
    }
    sourced(slug, "the date and title")
}

/// The first sentence of the prose (not of the metadata lines), as `build`
/// would derive a title.
fn first_sentence(blocks: &[Block]) -> Option<String> {
    blocks
        .iter()
        .filter(|b| b.level().is_none() && !b.quoted)
        .flat_map(|b| b.text.lines())
        .find(|l| {
            !metadata::is_field_line(l) && l.chars().filter(|c| c.is_alphabetic()).count() >= 8
        })
        .map(crate::incident::parse::shorten_sentence)
        .filter(|s| !s.is_empty())
}
