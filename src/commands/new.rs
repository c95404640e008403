//! `hindsight new`: a new postmortem from the theme's `postmortem.md`, with
//! the next free id, today's date and every canonical section.

use std::io::Write;
use std::path::Path;

use indicatif::ProgressBar;

use super::{Exit, report};
use crate::cli::NewArgs;
use crate::incident::parse_incident;
use crate::load::{SourceFile, load};
use crate::pipeline::parse_all;
use crate::render::theme::Theme;
use crate::scaffold::file_slug;
use crate::scaffold::ids::next_id;
use crate::scaffold::postmortem::{NewPostmortem, render};

pub fn run(root: &Path, args: &NewArgs) -> anyhow::Result<Exit> {
    let title = args.title.trim();
    if title.is_empty() {
        report::error(
            "the title is empty",
            Some("hindsight new \"Checkout outage\""),
        );
        return Ok(Exit::UsageOrConfig);
    }
    let sources = match load(root) {
        Ok(sources) => sources,
        Err(e) => {
            report::load_error(&e);
            return Ok(Exit::UsageOrConfig);
        }
    };
    let config = &sources.config;
    let severity = match &args.severity {
        None => String::new(),
        Some(label) => match config.severities.resolve(label) {
            Some((_, level)) => level.name.clone(),
            None => {
                report::error(
                    &format!("unknown severity `{label}`"),
                    Some(&format!(
                        "use one of the configured levels: {}",
                        config.severities.describe()
                    )),
                );
                return Ok(Exit::UsageOrConfig);
            }
        },
    };
    let theme = match Theme::load(&sources.theme_overrides) {
        Ok(theme) => theme,
        Err(diagnostics) => {
            report::diagnostics(&diagnostics);
            return Ok(Exit::UsageOrConfig);
        }
    };
    let Some(template) = theme
        .file("postmortem.md")
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
    else {
        report::error(
            "theme/postmortem.md is not UTF-8 text",
            Some("fix or delete the site's theme/postmortem.md to use the built-in one"),
        );
        return Ok(Exit::UsageOrConfig);
    };

    // Ids in use: every parsed incident's, and every file stem (the default id).
    let (incidents, _) = parse_all(&sources, &ProgressBar::hidden());
    let stems = sources.content.iter().map(|f| {
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        name.trim_end_matches(".md")
    });
    let date = args
        .date
        .unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let id = next_id(incidents.iter().map(|i| i.id.as_str()).chain(stems), date);

    let postmortem = NewPostmortem {
        id: id.clone(),
        title: title.to_string(),
        date: date.to_string(),
        severity,
        services: args.services.clone(),
        severities: config
            .severities
            .levels()
            .iter()
            .map(|l| l.name.clone())
            .collect(),
        timezone: config.timezone_name.clone(),
    };
    let text = match render(template, &postmortem) {
        Ok(text) => text,
        Err(message) => {
            report::error(
                &format!("theme/postmortem.md failed to render: {message}"),
                Some("fix the site's theme/postmortem.md, or delete it to use the built-in one"),
            );
            return Ok(Exit::UsageOrConfig);
        }
    };

    let slug = file_slug(title);
    let name = if slug.is_empty() {
        format!("{id}.md")
    } else {
        format!("{id}-{slug}.md")
    };
    let rel = format!("content/{name}");
    // A site's own template must still give a postmortem `build` accepts.
    let (_, problems) = parse_incident(
        &SourceFile {
            path: rel.clone(),
            text: text.clone(),
        },
        config,
    );
    let errors: Vec<_> = problems.into_iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        report::diagnostics(&errors);
        report::error(
            "theme/postmortem.md gives a postmortem that does not build; nothing was written",
            Some("fix the site's theme/postmortem.md, or delete it to use the built-in one"),
        );
        return Ok(Exit::UsageOrConfig);
    }
    let path = root.join(&rel);
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
    {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            report::error(
                &format!("{rel} already exists; it was not overwritten"),
                Some("choose another title, or edit the existing file"),
            );
            return Ok(Exit::UsageOrConfig);
        }
        Err(e) => {
            report::error(&format!("cannot write {rel}: {e}"), None);
            return Ok(Exit::UsageOrConfig);
        }
    }
    println!(
        "Created {rel} ({id}): replace its [bracketed] prompts; `hindsight check` lists any left."
    );
    Ok(Exit::Success)
}
