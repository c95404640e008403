//! `hindsight import`: legacy postmortems in, front-matter files out. The
//! inference is [`crate::import::convert`]; this module reads the sources
//! and the knowledge base's ids, writes the files (never over an existing
//! one, never an incident imported before) and prints the report: per
//! incident what was inferred and from where, then a coverage table.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{Error, Exit, report};
use crate::cli::{Format, ImportArgs};
use crate::import::{Built, Conversion, Imported, convert, fingerprint_in, ids};
use crate::load::{MAX_CONTENT_BYTES, decode, read_capped, read_config};
use crate::scaffold::yaml::FieldValue;
use crate::slug::id_slug;
use crate::terminal::printable;

/// What happened to one incident.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Written(PathBuf, Built),
    /// Left out: an unfilled template (the evidence).
    Template(String),
    /// Imported before: the file that holds it.
    AlreadyImported(String),
    /// `build` would reject it, or it could not be written: why.
    Failed(String),
}

/// One incident of the run, for the report.
struct Record {
    source: String,
    incident: Imported,
    outcome: Outcome,
}

/// The ids and imported fingerprints a knowledge base already holds.
#[derive(Default)]
struct Existing {
    /// Id slugs (as `build` compares ids) → the file that has it.
    ids: BTreeMap<String, String>,
    /// Source fingerprints of earlier imports → the file.
    imported: BTreeMap<String, String>,
}

pub fn run(root: &Path, args: &ImportArgs) -> Result<(), Error> {
    let config = read_config(root)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("content").join("imported"));
    let sources = expand(&args.sources).map_err(|wrong| {
        // A device, socket or pipe exists but is never read: it may not end.
        let what = if wrong.exists() {
            "is not a file or a folder"
        } else {
            "does not exist"
        };
        Error::usage(format!("{} {what}", wrong.display()))
            .hint("give the legacy postmortems (files or folders) to import")
    })?;
    let existing = existing(&[root.join("content"), out.clone()]);
    let json = args.format == Format::Json;

    let mut taken: BTreeSet<String> = existing.ids.keys().cloned().collect();
    let mut stems: BTreeSet<String> = BTreeSet::new();
    let mut records: Vec<Record> = Vec::new();
    let mut refused: Vec<(String, String)> = Vec::new();
    let mut unreadable = 0;
    let mut left_out: Vec<(String, Vec<(String, usize)>)> = Vec::new();
    for source in &sources {
        let shown = source.display().to_string();
        let text = match read_source(source, &shown) {
            Ok(text) => text,
            Err(message) => {
                report::error(&format!("cannot import {shown}: {message}"), None);
                unreadable += 1;
                continue;
            }
        };
        let name = source
            .file_name()
            .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
        let Conversion {
            incidents,
            left_out: sections,
            refused: why,
        } = convert(&name, &text, &config);
        if let Some(why) = why {
            refused.push((shown, why));
            continue;
        }
        if !sections.is_empty() {
            left_out.push((shown.clone(), sections));
        }
        for mut incident in incidents {
            let outcome = place(
                &mut incident,
                &out,
                root,
                &existing,
                &mut taken,
                &mut stems,
                args,
                &config,
            );
            records.push(Record {
                source: shown.clone(),
                incident,
                outcome,
            });
        }
    }

    if json {
        print_json(&records, &refused, &left_out, &out, args.dry_run);
    } else {
        print_human(&records, &refused, &left_out, &out, args.dry_run);
    }
    let failed = records
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .count();
    if failed + unreadable > 0 {
        return Err(Error::reported(Exit::ContentErrors));
    }
    Ok(())
}

/// Decides what happens to one incident, and writes it unless this is a dry run.
#[allow(clippy::too_many_arguments)]
fn place(
    incident: &mut Imported,
    out: &Path,
    root: &Path,
    existing: &Existing,
    taken: &mut BTreeSet<String>,
    stems: &mut BTreeSet<String>,
    args: &ImportArgs,
    config: &crate::config::Config,
) -> Outcome {
    if let Some(evidence) = incident
        .template
        .as_ref()
        .filter(|_| !args.include_templates)
    {
        return Outcome::Template(evidence.clone());
    }
    if let Some(file) = existing.imported.get(&incident.fingerprint()) {
        return Outcome::AlreadyImported(file.clone());
    }
    let wanted = incident.id().to_string();
    let id = ids::unique(&wanted, taken);
    if id != wanted {
        let why = match existing.ids.get(&id_slug(&wanted)) {
            Some(file) => format!("is already used by {file}"),
            None => "is used by an earlier incident of this import".into(),
        };
        incident.set_id(id, &why);
    }
    // A file of that name may exist with another id in it.
    let stem = incident.file_stem();
    let mut candidate = stem.clone();
    let mut n = 2;
    while out.join(format!("{candidate}.md")).exists() || !stems.insert(candidate.to_lowercase()) {
        candidate = format!("{stem}-{n}");
        n += 1;
    }
    let path = out.join(format!("{candidate}.md"));
    let shown = path
        .strip_prefix(root)
        .unwrap_or(&path)
        .to_string_lossy()
        .replace('\\', "/");
    let built = match incident.finish(&shown, config) {
        Ok(built) => built,
        Err(why) => return Outcome::Failed(why.to_string()),
    };
    if !args.dry_run
        && let Err(e) = write_new(&path, &incident.to_markdown())
    {
        return Outcome::Failed(format!("cannot write {}: {e}", path.display()));
    }
    Outcome::Written(path, built)
}

/// The ids and import fingerprints of the Markdown files under `dirs`.
fn existing(dirs: &[PathBuf]) -> Existing {
    use crate::incident::frontmatter;
    let mut found = Existing::default();
    let mut seen = BTreeSet::new();
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
            let path = entry.path();
            if !entry.file_type().is_file()
                || path.extension().is_none_or(|e| e != "md")
                || !seen.insert(path.to_path_buf())
            {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let shown = path.display().to_string();
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let id = frontmatter::split(&shown, &text)
                .ok()
                .and_then(|split| frontmatter::parse_yaml(&shown, &text, &split).ok())
                .and_then(|fields| {
                    fields
                        .get("id")
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                })
                .unwrap_or(stem);
            found.ids.insert(id_slug(&id), shown.clone());
            if let Some(fingerprint) = fingerprint_in(&text) {
                found.imported.insert(fingerprint.to_string(), shown);
            }
        }
    }
    found
}

/// The text of a legacy file: UTF-8, not binary, no larger than a content file may be.
fn read_source(path: &Path, shown: &str) -> Result<String, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_CONTENT_BYTES {
        return Err(format!(
            "it is {:.1} MB; postmortems are limited to {} MB",
            size as f64 / 1_048_576.0,
            MAX_CONTENT_BYTES / 1_048_576
        ));
    }
    let bytes = read_capped(path).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_CONTENT_BYTES {
        return Err(format!(
            "it is larger than {} MB",
            MAX_CONTENT_BYTES / 1_048_576
        ));
    }
    decode(shown, bytes).map_err(|d| d.message)
}

/// Whether `dir` is a `content/` folder or inside one, where `build` finds it.
fn inside_content(dir: &Path) -> bool {
    dir.components().any(|c| c.as_os_str() == "content")
}

/// Files named on the command line; folders give their `.md`, `.markdown`
/// and `.txt` files, and files without an extension (legacy exports often
/// have none; a licence among them is recognised as no postmortem).
fn expand(sources: &[PathBuf]) -> Result<Vec<PathBuf>, PathBuf> {
    let mut out = Vec::new();
    for source in sources {
        if source.is_dir() {
            out.extend(
                walkdir::WalkDir::new(source)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .flatten()
                    .filter(|e| e.file_type().is_file())
                    .map(walkdir::DirEntry::into_path)
                    .filter(|p| match p.extension() {
                        Some(e) => {
                            matches!(e.to_string_lossy().as_ref(), "md" | "markdown" | "txt")
                        }
                        None => true,
                    }),
            );
        } else if source.is_file() {
            out.push(source.clone());
        } else {
            return Err(source.clone());
        }
    }
    Ok(out)
}

/// Creates the file only if it does not exist (checked atomically by the OS).
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes()).inspect_err(|_| {
        let _ = std::fs::remove_file(path);
    })
}

fn value_text(value: &FieldValue) -> String {
    match value {
        FieldValue::Text(t) => t.clone(),
        FieldValue::List(items) => items.join(", "),
    }
}

/// The columns of the coverage table: a field, or two that count together.
const COVERAGE: &[(&str, &[&str])] = &[
    ("id", &["id"]),
    ("title", &["title"]),
    ("date", &["date"]),
    ("started", &["started"]),
    ("detected", &["detected"]),
    ("mitigated", &["mitigated"]),
    ("resolved", &["resolved"]),
    ("duration", &["duration"]),
    ("resolved or duration", &["resolved", "duration"]),
    ("severity", &["severity"]),
    ("status", &["status"]),
    ("services", &["services"]),
    ("tags", &["tags"]),
    ("commander", &["commander"]),
    ("responders", &["responders"]),
    ("commander or responders", &["commander", "responders"]),
];

/// (label, incidents with it) for every coverage column, over written incidents.
fn coverage(written: &[(&Imported, &Built)]) -> Vec<(&'static str, usize)> {
    let mut rows: Vec<(&'static str, usize)> = COVERAGE
        .iter()
        .map(|(label, fields)| {
            let n = written
                .iter()
                .filter(|(i, _)| fields.iter().any(|f| i.field(f).is_some()))
                .count();
            (*label, n)
        })
        .collect();
    rows.push((
        "action items",
        written.iter().filter(|(_, b)| b.action_items > 0).count(),
    ));
    rows.push((
        "lessons",
        written.iter().filter(|(_, b)| b.lessons > 0).count(),
    ));
    rows
}

fn written(records: &[Record]) -> Vec<(&Imported, &Built)> {
    records
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Written(_, built) => Some((&r.incident, built)),
            _ => None,
        })
        .collect()
}

fn print_human(
    records: &[Record],
    refused: &[(String, String)],
    left_out: &[(String, Vec<(String, usize)>)],
    out: &Path,
    dry_run: bool,
) {
    let mut last_source = "";
    for record in records {
        if record.source != last_source {
            let n = records.iter().filter(|r| r.source == record.source).count();
            println!("{}: {}", record.source, report::plural(n, "incident"));
            last_source = &record.source;
        }
        let i = &record.incident;
        // Titles and values come from the legacy files: never raw control characters.
        let heading = format!("\"{}\" (line {})", printable(i.title(), false), i.line);
        match &record.outcome {
            Outcome::Template(evidence) => {
                println!(
                    "  skipped {heading}: it looks like an unfilled template, {}; --include-templates imports it anyway",
                    printable(evidence, false)
                );
                continue;
            }
            Outcome::AlreadyImported(file) => {
                println!("  skipped {heading}: already imported as {file}");
                continue;
            }
            Outcome::Failed(why) => println!("  not imported {heading}: {why}"),
            Outcome::Written(path, _) => println!(
                "  {}{}",
                path.display(),
                if dry_run {
                    " (dry run: not written)"
                } else {
                    ""
                }
            ),
        }
        let width = i.fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let values: Vec<String> = i
            .fields
            .iter()
            .map(|(_, v)| printable(&value_text(v), false).into_owned())
            .collect();
        let value_width = values
            .iter()
            .map(|v| v.chars().count())
            .max()
            .unwrap_or(0)
            .min(40);
        for (((name, _), value), (_, from)) in i.fields.iter().zip(&values).zip(&i.sources) {
            println!("    {name:width$}  {value:value_width$}  ← {from}");
        }
        for item in &i.action_items {
            println!(
                "    action item \"{}\": {}{}",
                printable(&item.title, false),
                item.status.as_str(),
                item.due.map(|d| format!(", due {d}")).unwrap_or_default()
            );
        }
        if let Outcome::Written(_, built) = &record.outcome {
            println!(
                "    {} and {} (read by build from the body)",
                report::plural(built.action_items, "action item"),
                report::plural(built.lessons, "lesson")
            );
        }
        if !i.missing.is_empty() {
            println!("    not found: {}", i.missing.join(", "));
        }
        for choice in &i.choices {
            println!("    ambiguous: {}", printable(choice, false));
        }
        for note in &i.notes {
            println!("    note: {}", printable(note, false));
        }
    }
    for (source, sections) in left_out {
        let sections: Vec<String> = sections
            .iter()
            .map(|(heading, line)| format!("\"{}\" (line {line})", printable(heading, false)))
            .collect();
        println!("{source}: left out, not incidents: {}", sections.join(", "));
    }
    for (source, why) in refused {
        println!("{source}: skipped: {why}");
    }

    let written = written(records);
    if !written.is_empty() {
        println!(
            "\nCoverage of the {} imported:",
            report::plural(written.len(), "incident")
        );
        for (label, n) in coverage(&written) {
            println!("  {label:<24} {n:>4}/{}", written.len());
        }
        println!();
    }
    let count = |f: fn(&Outcome) -> bool| records.iter().filter(|r| f(&r.outcome)).count();
    let files = records
        .iter()
        .map(|r| &r.source)
        .collect::<BTreeSet<_>>()
        .len()
        + refused.len();
    let verb = if dry_run { "would write" } else { "wrote" };
    let mut summary = format!(
        "Read {}: {verb} {} to {}",
        report::plural(files, "file"),
        report::plural(written.len(), "incident"),
        out.display()
    );
    for (n, what) in [
        (
            count(|o| matches!(o, Outcome::Template(_))),
            "templates skipped",
        ),
        (
            count(|o| matches!(o, Outcome::AlreadyImported(_))),
            "already imported",
        ),
        (count(|o| matches!(o, Outcome::Failed(_))), "not imported"),
        (refused.len(), "files not postmortems"),
    ] {
        if n > 0 {
            summary.push_str(&format!(", {n} {what}"));
        }
    }
    if !written.is_empty() && !inside_content(out) {
        println!(
            "hindsight builds postmortems from a knowledge base's content/ folder: move them there, or import with --out <root>/content."
        );
    }
    println!("{summary}.");
}

fn print_json(
    records: &[Record],
    refused: &[(String, String)],
    left_out: &[(String, Vec<(String, usize)>)],
    out: &Path,
    dry_run: bool,
) {
    let incidents: Vec<Value> = records
        .iter()
        .map(|r| {
            let i = &r.incident;
            let (outcome, file, reason, built) = match &r.outcome {
                Outcome::Written(path, built) => (
                    if dry_run { "would-write" } else { "written" },
                    Some(path.display().to_string()),
                    None,
                    Some(built),
                ),
                Outcome::Template(why) => ("template", None, Some(why.clone()), None),
                Outcome::AlreadyImported(file) => {
                    ("already-imported", Some(file.clone()), None, None)
                }
                Outcome::Failed(why) => ("not-imported", None, Some(why.clone()), None),
            };
            let fields: serde_json::Map<String, Value> = i
                .fields
                .iter()
                .zip(&i.sources)
                .map(|((name, value), (_, from))| {
                    let value = match value {
                        FieldValue::Text(t) => json!(t),
                        FieldValue::List(items) => json!(items),
                    };
                    (name.to_string(), json!({"value": value, "from": from}))
                })
                .collect();
            json!({
                "source": r.source,
                "line": i.line,
                "outcome": outcome,
                "file": file,
                "reason": reason,
                "id": i.id(),
                "title": i.title(),
                "fields": fields,
                "missing": i.missing,
                "action_items": built.map(|b| b.action_items),
                "lessons": built.map(|b| b.lessons),
                "ambiguous": i.choices,
                "notes": i.notes,
            })
        })
        .collect();
    let written = written(records);
    let coverage: serde_json::Map<String, Value> = coverage(&written)
        .into_iter()
        .map(|(label, n)| (label.to_string(), json!(n)))
        .collect();
    let report = json!({
        "out": out.display().to_string(),
        "dry_run": dry_run,
        "incidents": incidents,
        "written": written.len(),
        "coverage": coverage,
        "skipped_files": refused.iter().map(|(s, why)| json!({"source": s, "reason": why})).collect::<Vec<_>>(),
        "left_out": left_out.iter().flat_map(|(s, sections)| sections.iter().map(move |(h, l)| json!({"source": s, "heading": h, "line": l}))).collect::<Vec<_>>(),
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    );
}
