//! `hindsight check`: validates the knowledge base for CI; writes nothing.

use std::path::Path;
use std::time::Instant;

use super::{Exit, report};
use crate::check::check;
use crate::cli::{CheckArgs, Format};
use crate::diagnostics::{Diagnostic, JsonDiagnostic};
use crate::load::{LoadError, load};
use crate::pipeline::BuildOptions;

pub fn run(root: &Path, args: &CheckArgs) -> anyhow::Result<Exit> {
    let started = Instant::now();
    let sources = match load(root) {
        Ok(sources) => sources,
        Err(LoadError::Config(items)) if args.format == Format::Json => {
            print_json(&items)?;
            return Ok(Exit::UsageOrConfig);
        }
        Err(e) => {
            report::load_error(&e);
            return Ok(Exit::UsageOrConfig);
        }
    };
    let options = BuildOptions {
        drafts: false,
        include_internal: false,
        strict: args.strict,
        offline: false,
        base_url: None,
        now: args
            .now
            .unwrap_or_else(|| jiff::ZonedDateTime::now().date()),
    };
    let checked = check(sources, &options);
    let counts = report::counts(&checked.diagnostics);
    let summary = format!(
        "Checked {} ({} published): {} in {}",
        report::plural(checked.files, "file"),
        report::plural(checked.incidents, "incident"),
        if counts.is_empty() {
            "no problems found"
        } else {
            counts.as_str()
        },
        report::seconds(started.elapsed())
    );
    match args.format {
        Format::Human => {
            report::diagnostics(&checked.diagnostics);
            println!("{summary}");
        }
        Format::Json => {
            print_json(&checked.diagnostics)?;
            eprintln!("{summary}");
        }
    }
    Ok(if checked.theme_broken {
        Exit::UsageOrConfig
    } else if checked.diagnostics.iter().any(Diagnostic::is_error) {
        Exit::ContentErrors
    } else {
        Exit::Success
    })
}

/// One JSON array of findings, for CI annotations.
fn print_json(items: &[Diagnostic]) -> anyhow::Result<()> {
    let findings: Vec<JsonDiagnostic<'_>> = items.iter().map(JsonDiagnostic::from).collect();
    println!("{}", serde_json::to_string_pretty(&findings)?);
    Ok(())
}
