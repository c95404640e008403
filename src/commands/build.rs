//! `hindsight build`

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{Exit, report};
use crate::cli::BuildArgs;
use crate::load::load;
use crate::pipeline::{BuildError, BuildOptions, build_site};
use crate::write::{Protected, write_site};

pub fn options(args: &BuildArgs) -> BuildOptions {
    BuildOptions {
        drafts: args.drafts,
        include_internal: args.include_internal,
        strict: args.strict,
        offline: args.offline,
        base_url: args.base_url.clone(),
        now: args
            .now
            .unwrap_or_else(|| jiff::ZonedDateTime::now().date()),
    }
}

/// `--out`, or `public/` inside the root.
pub fn output_folder(root: &Path, out: Option<&PathBuf>) -> PathBuf {
    out.cloned().unwrap_or_else(|| root.join("public"))
}

pub fn run(root: &Path, args: &BuildArgs) -> anyhow::Result<Exit> {
    let started = Instant::now();
    let sources = match load(root) {
        Ok(sources) => sources,
        Err(e) => {
            report::load_error(&e);
            return Ok(Exit::UsageOrConfig);
        }
    };
    let progress = report::progress();
    let built = build_site(sources, &options(args), &progress);
    progress.finish_and_clear();
    let built = match built {
        Ok(built) => built,
        Err(BuildError::Content(diagnostics)) => {
            report::diagnostics(&diagnostics);
            eprintln!(
                "Build failed: {}; nothing was written.",
                report::counts(&diagnostics)
            );
            return Ok(Exit::ContentErrors);
        }
        Err(BuildError::Theme(diagnostics)) => {
            report::diagnostics(&diagnostics);
            eprintln!("Build failed: the theme has errors; nothing was written.");
            return Ok(Exit::UsageOrConfig);
        }
        Err(error @ BuildError::Search(_)) => {
            report::error(
                &error.to_string(),
                Some(
                    "this is a bug in hindsight: please report it with the content that triggers it",
                ),
            );
            return Ok(Exit::UsageOrConfig);
        }
    };
    report::diagnostics(&built.diagnostics);
    let out = output_folder(root, args.out.as_ref());
    let written = match write_site(&out, &built.files, &Protected { root }) {
        Ok(written) => written,
        Err(e) => {
            report::error(&e.to_string(), Some(e.hint()));
            return Ok(Exit::UsageOrConfig);
        }
    };
    let search = built.search.sizes(&built.files);
    println!(
        "Search: runtime {} ({} gzip), index {} ({} gzip)",
        report::size(search.runtime),
        report::size(search.runtime_gzip),
        report::size(search.index),
        report::size(search.index_gzip),
    );
    let warnings = report::counts(&built.diagnostics);
    println!(
        "Built {} incidents into {}: {} pages, {} files, {} in {}{}",
        built.incidents,
        out.display(),
        built.pages,
        written.files,
        report::size(written.bytes),
        report::seconds(started.elapsed()),
        if warnings.is_empty() {
            String::new()
        } else {
            format!(" ({warnings})")
        }
    );
    Ok(Exit::Success)
}
