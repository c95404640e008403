//! `hindsight import`: legacy postmortems in, front-matter files out. The
//! inference is [`crate::import::convert`]; this module reads the sources,
//! writes the files (never over an existing one) and prints the report.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Error, Exit, report};
use crate::cli::ImportArgs;
use crate::import::{Conversion, Imported, convert};
use crate::load::{MAX_CONTENT_BYTES, decode, read_config};
use crate::slug::id_slug;

/// What happened to the incidents of one run.
#[derive(Default)]
struct Tally {
    files: usize,
    written: usize,
    templates: usize,
    /// Not written because the file exists, or could not be written.
    failed: usize,
    unreadable: usize,
}

pub fn run(root: &Path, args: &ImportArgs) -> Result<(), Error> {
    let config = read_config(root)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("content").join("imported"));
    let sources = expand(&args.sources).map_err(|missing| {
        Error::usage(format!("{} does not exist", missing.display()))
            .hint("give the legacy postmortems (files or folders) to import")
    })?;

    let mut tally = Tally::default();
    // File names and ids given out by this run (compared like slugs).
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for source in &sources {
        tally.files += 1;
        let shown = source.display().to_string();
        let text = match read_source(source, &shown) {
            Ok(text) => text,
            Err(message) => {
                report::error(&format!("cannot import {shown}: {message}"), None);
                tally.unreadable += 1;
                continue;
            }
        };
        let name = source
            .file_name()
            .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
        let conversion = convert(&name, &text, &config);
        print_source_header(&shown, &conversion, args.include_templates);
        let Conversion {
            incidents,
            left_out,
            ..
        } = conversion;
        for mut incident in incidents {
            if let Some(evidence) = incident
                .template
                .as_ref()
                .filter(|_| !args.include_templates)
            {
                tally.templates += 1;
                println!(
                    "  skipped \"{}\" (line {}): it looks like an unfilled template: {evidence}; --include-templates imports it anyway",
                    incident.title, incident.line
                );
                continue;
            }
            let id_key = incident.id.as_deref().map(id_slug);
            if id_key.is_some_and(|key| !ids.insert(key)) {
                incident.drop_id("is used by an earlier incident of this import");
            }
            let path = out.join(format!("{}.md", unique_stem(&incident, &mut taken)));
            match place(&path, &incident, args.dry_run) {
                Ok(()) => tally.written += 1,
                Err(why) => {
                    tally.failed += 1;
                    println!("  not written: {}: {why}", path.display());
                }
            }
        }
        if !left_out.is_empty() {
            let sections: Vec<String> = left_out
                .iter()
                .map(|(heading, line)| format!("\"{heading}\" (line {line})"))
                .collect();
            println!("  left out, not incidents: {}", sections.join(", "));
        }
    }

    let verb = if args.dry_run { "would write" } else { "wrote" };
    let mut summary = format!(
        "Read {}: {verb} {} to {}",
        report::plural(tally.files, "file"),
        report::plural(tally.written, "incident"),
        out.display()
    );
    for (n, what) in [
        (tally.templates, "templates skipped"),
        (tally.failed, "not written"),
        (tally.unreadable, "files unreadable"),
    ] {
        if n > 0 {
            summary.push_str(&format!(", {n} {what}"));
        }
    }
    println!("{summary}.");
    if tally.written > 0 && !inside_content(&out) {
        println!(
            "hindsight builds postmortems from a knowledge base's content/ folder: move them there, or import with --out <root>/content."
        );
    }
    if tally.failed + tally.unreadable > 0 {
        return Err(Error::reported(Exit::ContentErrors));
    }
    Ok(())
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
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    decode(shown, bytes).map_err(|d| d.message)
}

/// Whether `dir` is a `content/` folder or inside one, where `build` finds it.
fn inside_content(dir: &Path) -> bool {
    dir.components().any(|c| c.as_os_str() == "content")
}

/// Files named on the command line; folders give their `.md`, `.markdown` and `.txt` files.
fn expand(sources: &[PathBuf]) -> Result<Vec<PathBuf>, PathBuf> {
    let mut out = Vec::new();
    for source in sources {
        if source.is_dir() {
            out.extend(
                walkdir::WalkDir::new(source)
                    .sort_by_file_name()
                    .into_iter()
                    .flatten()
                    .filter(|e| e.file_type().is_file())
                    .map(walkdir::DirEntry::into_path)
                    .filter(|p| {
                        let hidden = p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                        let text = p.extension().is_some_and(|e| {
                            matches!(e.to_string_lossy().as_ref(), "md" | "markdown" | "txt")
                        });
                        text && !hidden
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

fn print_source_header(shown: &str, conversion: &Conversion, include_templates: bool) {
    if let Some(why) = &conversion.refused {
        println!("{shown}: skipped: {why}");
        return;
    }
    let templates = conversion
        .incidents
        .iter()
        .filter(|i| i.template.is_some() && !include_templates)
        .count();
    let real = conversion.incidents.len() - templates;
    println!("{shown}: {}", report::plural(real, "incident"));
}

/// `<stem>`, or `<stem>-2`… when an earlier incident of this run took the name
/// (compared case-insensitively, for case-insensitive file systems).
fn unique_stem(incident: &Imported, taken: &mut BTreeSet<String>) -> String {
    let stem = incident.file_stem();
    let mut candidate = stem.clone();
    let mut n = 2;
    while !taken.insert(candidate.to_lowercase()) {
        candidate = format!("{stem}-{n}");
        n += 1;
    }
    candidate
}

/// Writes (or, in a dry run, shows) one incident, and reports what was inferred.
fn place(path: &Path, incident: &Imported, dry_run: bool) -> Result<(), String> {
    if path.exists() {
        return Err(
            "the file exists; import never overwrites (move it away or use another --out)".into(),
        );
    }
    let markdown = incident.to_markdown();
    if dry_run {
        println!("  {} (dry run)", path.display());
        let (front_matter, _) = markdown.split_at(markdown.len() - incident.body.len());
        for line in front_matter.lines() {
            println!("    {line}");
        }
        println!(
            "    … then the incident's {} lines as written",
            incident.body.lines().count()
        );
    } else {
        write_new(path, &markdown).map_err(|e| format!("cannot write it: {e}"))?;
        println!("  {}", path.display());
    }
    println!("    inferred: {}", list_or_none(&incident.inferred()));
    println!("    not found: {}", list_or_none(&incident.missing));
    for note in &incident.notes {
        println!("    note: {note}");
    }
    Ok(())
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "—".into()
    } else {
        items.join(", ")
    }
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
