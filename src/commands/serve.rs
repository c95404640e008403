//! `hindsight serve`: builds, serves the site from memory, rebuilds on
//! changes (re-parsing and re-rendering only what they affect) and tells
//! open pages to reload, or to show why the rebuild failed.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::Instant;

use indicatif::ProgressBar;

use super::{Error, build, report};
use crate::cache::RebuildCache;
use crate::cli::ServeArgs;
use crate::diagnostics::Level;
use crate::load::{LoadError, load};
use crate::pipeline::{BuildOptions, rebuild};
use crate::serve::hosts::Hosts;
use crate::serve::live::LiveReload;
use crate::serve::routes::{Routes, Site};
use crate::serve::server::Server;
use crate::serve::watch::{Changes, Presence, Watcher};
use crate::write::{Files, Protected, write_site};

enum Event {
    Changed(Changes),
    Stop,
}

impl From<Changes> for Event {
    fn from(changes: Changes) -> Self {
        Event::Changed(changes)
    }
}

pub fn run(root: &Path, args: &ServeArgs) -> Result<(), Error> {
    let ip = args.bind.parse::<IpAddr>().map_err(|_| {
        Error::usage(format!("`{}` is not an IP address", args.bind))
            .hint("use --bind 127.0.0.1 (the default), ::1, or 0.0.0.0 to serve the network")
    })?;
    // Event paths are compared with the root, so it must be canonical.
    let root = match root.canonicalize() {
        Ok(root) if root.join("content").is_dir() => root,
        _ if root.is_dir() => return Err(LoadError::NoContent(root.to_path_buf()).into()),
        _ => return Err(LoadError::NoRoot(root.to_path_buf()).into()),
    };

    let routes = Arc::new(Routes::new(Hosts::new(ip, &args.allow_host)));
    let mut builder = Builder {
        options: build::options(&args.build),
        out: args.build.out.clone(),
        cache: RebuildCache::default(),
        served: None,
        failing: false,
        root,
    };
    // A first build that fails is reported like any other; the server
    // starts anyway, and the fix is picked up.
    builder.rebuild(Changes::default(), &routes.site, &routes.live);

    let answer = routes.clone();
    let server = Server::start(SocketAddr::new(ip, args.port), move |request| {
        answer.respond(&request)
    })
    .map_err(|e| {
        Error::usage(format!("cannot listen on {}:{}: {e}", args.bind, args.port))
            .hint("choose another --port, or --port 0 for any free one")
    })?;
    let address = server.address();
    if !ip.is_loopback() {
        eprintln!(
            "warning: serving on {address}, which other machines can reach; drafts and internal incidents you include are visible to them"
        );
    }

    let (send, events) = mpsc::channel();
    let mut watcher =
        Watcher::start(&builder.root, send.clone()).map_err(|e| Error::usage(e.to_string()))?;
    ctrlc::set_handler(move || {
        let _ = send.send(Event::Stop);
    })
    .map_err(|e| Error::usage(format!("cannot handle Ctrl-C: {e}")))?;
    println!("Serving http://{address}/ (Ctrl-C to stop)");

    'serve: while let Ok(Event::Changed(first)) = events.recv() {
        // Changes that came in meanwhile are one rebuild.
        let mut changes = first;
        while let Ok(event) = events.try_recv() {
            match event {
                Event::Changed(more) => changes = changes.merge(more),
                Event::Stop => break 'serve,
            }
        }
        match watcher.refresh() {
            Ok(Presence::Same) => {}
            Ok(Presence::Gone) => eprintln!(
                "warning: content/ was removed; still serving the last good site, and watching for content/ to come back"
            ),
            Ok(Presence::Back) => eprintln!("content/ is there again: watching it"),
            Err(e) => report::error(
                &e.to_string(),
                Some(
                    "edits to content/ are not seen until this is fixed; restart `hindsight serve`",
                ),
            ),
        }
        builder.rebuild(changes, &routes.site, &routes.live);
    }

    watcher.stop();
    // Closes every connection, event streams included.
    drop(server);
    println!("Stopped.");
    Ok(())
}

/// The state kept between builds.
struct Builder {
    root: PathBuf,
    options: BuildOptions,
    /// Also write each good build here (`--out`).
    out: Option<PathBuf>,
    /// For the configuration and theme the last build saw.
    cache: RebuildCache,
    /// The site being served: the last good build's files.
    served: Option<Arc<Files>>,
    /// The last build failed: open pages show its errors.
    failing: bool,
}

impl Builder {
    /// Builds again and serves the result, or reports why it failed and
    /// keeps serving the last good site.
    fn rebuild(&mut self, changes: Changes, site: &Site, live: &LiveReload) {
        let started = Instant::now();
        if changes.everything {
            // The cache holds pages rendered with the old theme and files
            // parsed with the old configuration.
            self.cache.clear();
        }
        let built = load(&self.root).map_err(Error::from).and_then(|sources| {
            rebuild(
                sources,
                &self.options,
                &ProgressBar::hidden(),
                &mut self.cache,
            )
            .map_err(Error::from)
        });
        let summary = match built {
            Ok(summary) => summary,
            Err(error) => {
                report::failure(&error);
                return self.fail(&overlay_text(&error), live);
            }
        };
        report::diagnostics(&summary.diagnostics);
        let files = self.cache.files().clone();
        if let Some(out) = &self.out
            && let Err(e) = write_site(out, &files, &Protected { root: &self.root })
        {
            report::failure(&e.into());
        }
        let first = self.served.is_none();
        let changed = self.served.as_ref() != Some(&files);
        site.replace(files.clone());
        self.served = Some(files);
        if changed || self.failing {
            live.reload();
        }
        self.failing = false;
        let elapsed = started.elapsed();
        if first {
            println!(
                "Built {}: {} pages in {}",
                report::plural(summary.incidents, "incident"),
                summary.pages,
                report::seconds(elapsed)
            );
        } else {
            println!(
                "Rebuilt in {} ms ({} of {} pages), {} parsed again",
                elapsed.as_millis(),
                summary.rendered,
                summary.pages,
                report::plural(summary.parsed, "file")
            );
        }
    }

    fn fail(&mut self, diagnostics: &str, live: &LiveReload) {
        self.failing = true;
        live.fail(diagnostics);
        eprintln!(
            "Rebuild failed; {}.",
            if self.served.is_some() {
                "still serving the last good site"
            } else {
                "the site is served once it builds"
            }
        );
    }
}

/// What the page overlay shows of a failed rebuild: the errors among its
/// diagnostics as plain text (warnings stay in the terminal), else its message.
fn overlay_text(error: &Error) -> String {
    if error.diagnostics.is_empty() {
        return error.to_string();
    }
    error
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .map(|d| d.render(false))
        .collect::<Vec<_>>()
        .join("\n")
}
