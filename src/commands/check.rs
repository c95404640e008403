//! `hindsight check`: validates the knowledge base for CI; writes nothing.

use std::path::Path;
use std::time::Instant;

use super::{Error, Exit, report, today_or};
use crate::check::check;
use crate::cli::{CheckArgs, Format};
use crate::diagnostics::{CodeQualityIssue, Diagnostic, JsonDiagnostic};
use crate::load::{LoadError, load};
use crate::pipeline::BuildOptions;

pub fn run(root: &Path, args: &CheckArgs) -> Result<(), Error> {
    let started = Instant::now();
    let sources = match load(root) {
        Err(LoadError::Config(items)) if args.format != Format::Human => {
            print_findings(args.format, &items);
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
    print_findings(args.format, &checked.diagnostics);
    match args.format {
        Format::Human => println!("{summary}"),
        Format::Json | Format::Github | Format::Gitlab => eprintln!("{summary}"),
    }
    if checked.theme_broken {
        Err(Error::reported(Exit::UsageOrConfig))
    } else if checked.diagnostics.iter().any(Diagnostic::is_error) {
        Err(Error::reported(Exit::ContentErrors))
    } else {
        Ok(())
    }
}

/// The findings in the chosen format: compiler-style diagnostics on stderr;
/// one JSON array on stdout; or, for CI, GitHub annotations or a GitLab Code
/// Quality report on stdout (for the pull or merge request) with the
/// diagnostics on stderr (for the log).
fn print_findings(format: Format, items: &[Diagnostic]) {
    if format != Format::Json {
        report::diagnostics(items);
    }
    let shown: Vec<_> = items.iter().map(report::shown).collect();
    match format {
        Format::Human => {}
        Format::Json => {
            let findings: Vec<JsonDiagnostic<'_>> = shown
                .iter()
                .map(|d| JsonDiagnostic::from(d.as_ref()))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&findings).expect("findings serialise")
            );
        }
        Format::Github => {
            for d in &shown {
                println!("{}", d.github_annotation());
            }
        }
        Format::Gitlab => {
            let issues: Vec<CodeQualityIssue<'_>> = shown
                .iter()
                .map(|d| CodeQualityIssue::from(d.as_ref()))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&issues).expect("findings serialise")
            );
        }
    }
}
