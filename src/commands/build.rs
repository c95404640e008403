//! `hindsight build`

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{Exit, report};
use crate::cli::BuildArgs;
use crate::load::load;
use crate::pipeline::{BuildError, BuildOptions, build_into};
use crate::profile;
use crate::write::{Protected, Staging};

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
    let sources = match profile::stage("load", || load(root)) {
        Ok(sources) => sources,
        Err(e) => {
            report::load_error(&e);
            return Ok(Exit::UsageOrConfig);
        }
    };
    let relative_addresses = sources.config.base_url.is_none() && args.base_url.is_none();
    let out = output_folder(root, args.out.as_ref());
    // Pages go to the staging folder as they are rendered; it is swapped in
    // only when the build succeeds, and removed when it fails.
    let staging = match Staging::create(&out, &Protected { root }) {
        Ok(staging) => staging,
        Err(e) => {
            report::write_error(&e);
            return Ok(Exit::UsageOrConfig);
        }
    };
    let progress = report::progress();
    let built = build_into(sources, &options(args), &progress, &staging);
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
        Err(BuildError::Write(e)) => {
            report::write_error(&e);
            return Ok(Exit::UsageOrConfig);
        }
    };
    report::diagnostics(&built.diagnostics);
    let written = match profile::stage("write (swap in)", || staging.finish()) {
        Ok(written) => written,
        Err(e) => {
            report::write_error(&e);
            return Ok(Exit::UsageOrConfig);
        }
    };
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
    profile::report(started.elapsed());
    Ok(Exit::Success)
}
