//! `hindsight new`: a new postmortem from the theme's `postmortem.md`, with
//! the next free id, today's date and every canonical section.

use std::io::Write;
use std::path::Path;

use indicatif::ProgressBar;

use super::{Error, Exit, today_or};
use crate::cli::NewArgs;
use crate::incident::parse_incident;
use crate::load::{SourceFile, load};
use crate::pipeline::parse_all;
use crate::render::theme::Theme;
use crate::scaffold::file_slug;
use crate::scaffold::ids::next_id;
use crate::scaffold::postmortem::{NewPostmortem, render};

pub fn run(root: &Path, args: &NewArgs) -> Result<(), Error> {
    let title = args.title.trim();
    if title.is_empty() {
        return Err(Error::usage("the title is empty").hint("hindsight new \"Checkout outage\""));
    }
    let sources = load(root)?;
    let config = &sources.config;
    let severity = match &args.severity {
        None => String::new(),
        Some(label) => match config.severities.resolve(label) {
            Some((_, level)) => level.name.clone(),
            None => {
                return Err(
                    Error::usage(format!("unknown severity `{label}`")).hint(format!(
                        "use one of the configured levels: {}",
                        config.severities.describe()
                    )),
                );
            }
        },
    };
    let theme = Theme::load(&sources.theme_overrides)
        .map_err(|items| Error::diagnostics(items, Exit::UsageOrConfig))?;
    let Some(template) = theme
        .file("postmortem.md")
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
    else {
        return Err(Error::usage("theme/postmortem.md is not UTF-8 text")
            .hint("fix or delete the site's theme/postmortem.md to use the built-in one"));
    };

    // Ids in use: every parsed incident's, and every file stem (the default id).
    let (incidents, _) = parse_all(&sources, &ProgressBar::hidden());
    let stems = sources.content.iter().map(|f| {
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        name.trim_end_matches(".md")
    });
    let date = today_or(args.date);
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
    let text = render(template, &postmortem).map_err(|message| {
        Error::usage(format!("theme/postmortem.md failed to render: {message}"))
            .hint("fix the site's theme/postmortem.md, or delete it to use the built-in one")
    })?;

    let slug = file_slug(title);
    let name = if slug.is_empty() {
        format!("{id}.md")
    } else {
        format!("{id}-{slug}.md")
    };
    let rel = format!("content/{name}");
    // A site's own template must still give a postmortem `build` accepts.
    let (parsed, problems) = parse_incident(
        &SourceFile {
            path: rel.clone(),
            text: text.clone(),
        },
        config,
    );
    let errors: Vec<_> = problems.into_iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        return Err(Error::diagnostics(errors, Exit::UsageOrConfig)
            .and_message(
                "theme/postmortem.md gives a postmortem that does not build; nothing was written",
            )
            .hint("fix the site's theme/postmortem.md, or delete it to use the built-in one"));
    }
    let path = root.join(&rel);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                Error::usage(format!("{rel} already exists; it was not overwritten"))
                    .hint("choose another title, or edit the existing file")
            }
            _ => Error::usage(format!("cannot write {rel}: {e}")),
        })?;
    if parsed.is_some_and(|incident| incident.draft) {
        println!(
            "Created {rel} ({id}), a draft: replace its [bracketed] prompts (`hindsight check` lists those left), see it with `hindsight serve --drafts`, and delete `draft: true` to publish it."
        );
    } else {
        println!(
            "Created {rel} ({id}): replace its [bracketed] prompts; `hindsight check` lists any left."
        );
    }
    Ok(())
}
