//! `hindsight build`

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{Error, report, today_or};
use crate::cli::BuildArgs;
use crate::load::load;
use crate::pipeline::{BuildError, BuildOptions, build_into};
use crate::profile;
use crate::write::{Protected, Staging};

/// What `build` and `serve` build.
pub fn options(args: &BuildArgs) -> BuildOptions {
    BuildOptions {
        drafts: args.drafts,
        include_internal: args.include_internal,
        strict: args.strict,
        offline: args.offline,
        base_url: args.base_url.clone(),
        ..BuildOptions::new(today_or(args.now))
    }
}

/// `--out`, or `public/` inside the root.
pub fn output_folder(root: &Path, out: Option<&PathBuf>) -> PathBuf {
    out.cloned().unwrap_or_else(|| root.join("public"))
}

pub fn run(root: &Path, args: &BuildArgs) -> Result<(), Error> {
    let started = Instant::now();
    let sources = profile::stage("load", || load(root))?;
    let relative_addresses = sources.config.base_url.is_none() && args.base_url.is_none();
    let out = output_folder(root, args.out.as_ref());
    // Pages go to the staging folder as they are rendered; it is swapped in
    // only when the build succeeds, and removed when it fails.
    let staging = Staging::create(&out, &Protected { root })?;
    let progress = report::progress();
    let built = build_into(sources, &options(args), &progress, &staging);
    progress.finish_and_clear();
    let built = built.map_err(failed)?;
    report::diagnostics(&built.diagnostics);
    let written = profile::stage("write (swap in)", || staging.finish())?;
    if let Some(search) = built.search {
        println!(
            "Search: runtime {} ({} gzip), index {} ({} gzip)",
            report::size(search.runtime),
            report::size(search.runtime_gzip),
            report::size(search.index),
            report::size(search.index_gzip),
        );
    }
    if relative_addresses {
        eprintln!(
            "warning: no base_url: sitemap.xml and the feed use addresses relative to the site (`/incidents/…`), and pages have no canonical link\n  help: set `base_url` in hindsight.yaml (or pass --base-url) to the address the site is published at, e.g. https://acme.github.io/incidents/"
        );
    }
    let warnings = report::counts(&built.diagnostics);
    println!(
        "Built {} into {}: {} pages, {} files, {} in {}{}",
        report::plural(built.incidents, "incident"),
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
    profile::report(started.elapsed());
    Ok(())
}

/// A failed build, and the line that says nothing was written.
fn failed(error: BuildError) -> Error {
    let closing = match &error {
        BuildError::Content(items) => Some(format!(
            "Build failed: {}; nothing was written.",
            report::counts(items)
        )),
        BuildError::Theme(_) => {
            Some("Build failed: the theme has errors; nothing was written.".to_string())
        }
        BuildError::Search(_) | BuildError::Write(_) | BuildError::Superseded => None,
    };
    let error = Error::from(error);
    match closing {
        Some(line) => error.closing(line),
        None => error,
    }
}
