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
use crate::serve::http::{self, Site};
use crate::serve::live::LiveReload;
use crate::serve::watch::{Changes, Watcher};
use crate::write::{Files, Protected, write_site};

/// Threads answering requests (a page fetches its styles and scripts in
/// parallel; event streams do not hold one).
const WORKERS: usize = 4;

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

    let site = Arc::new(Site::default());
    let live = Arc::new(LiveReload::default());
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
    builder.rebuild(Changes::default(), &site, &live);

    let server = tiny_http::Server::http(SocketAddr::new(ip, args.port))
        .map(Arc::new)
        .map_err(|e| {
            Error::usage(format!("cannot listen on {}:{}: {e}", args.bind, args.port))
                .hint("choose another --port, or --port 0 for any free one")
        })?;
    let address = server
        .server_addr()
        .to_ip()
        .map_or_else(|| format!("{}:{}", args.bind, args.port), |a| a.to_string());
    if !ip.is_loopback() {
        eprintln!(
            "warning: serving on {address}, which other machines can reach; drafts and internal incidents you include are visible to them"
        );
    }
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (server, site, live) = (server.clone(), site.clone(), live.clone());
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    http::respond(request, &site, &live);
                }
            })
        })
        .collect();

    let (send, events) = mpsc::channel();
    let mut watcher = Watcher::start(&builder.root, send.clone())
        .map_err(|e| Error::usage(format!("cannot watch {}: {e}", builder.root.display())))?;
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
        watcher.watch_theme(&builder.root);
        builder.rebuild(changes, &site, &live);
    }

    watcher.stop();
    live.close();
    for _ in &workers {
        server.unblock();
    }
    for worker in workers {
        let _ = worker.join();
    }
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
                "Built {} incidents: {} pages in {}",
                summary.incidents,
                summary.pages,
                report::seconds(elapsed)
            );
        } else {
            println!(
                "Rebuilt in {} ms ({} of {} pages)",
                elapsed.as_millis(),
                summary.rendered,
                summary.pages
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
