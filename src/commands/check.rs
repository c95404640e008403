//! `hindsight check`: validates the knowledge base for CI; writes nothing.

use std::path::Path;
use std::time::Instant;

use super::{Error, Exit, report, today_or};
use crate::check::check;
use crate::cli::{CheckArgs, Format};
use crate::diagnostics::{Diagnostic, JsonDiagnostic};
use crate::load::{LoadError, load};
use crate::pipeline::BuildOptions;

pub fn run(root: &Path, args: &CheckArgs) -> Result<(), Error> {
    let started = Instant::now();
    let sources = match load(root) {
        Err(LoadError::Config(items)) if args.format == Format::Json => {
            print_json(&items);
            return Err(Error::reported(Exit::UsageOrConfig));
        }
        loaded => loaded?,
    };
    // What a default build sees, with `check`'s own strictness.
    let options = BuildOptions {
        strict: args.strict,
        ..BuildOptions::new(today_or(args.now))
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
            print_json(&checked.diagnostics);
            eprintln!("{summary}");
        }
    }
    if checked.theme_broken {
        Err(Error::reported(Exit::UsageOrConfig))
    } else if checked.diagnostics.iter().any(Diagnostic::is_error) {
        Err(Error::reported(Exit::ContentErrors))
    } else {
        Ok(())
    }
}

/// One JSON array of findings, for CI annotations.
fn print_json(items: &[Diagnostic]) {
    let findings: Vec<JsonDiagnostic<'_>> = items.iter().map(JsonDiagnostic::from).collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&findings).expect("findings serialise")
    );
}
