//! `hindsight serve`: builds, serves the site from memory, rebuilds on
//! changes (re-parsing and re-rendering only what they affect) and tells
//! open pages to reload, or to show why the rebuild failed.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Instant;

use super::{Error, build, report};
use crate::cache::RebuildCache;
use crate::cli::ServeArgs;
use crate::diagnostics::Level;
use crate::load::{LoadError, SourceFile, decode, load_reusing, read_capped};
use crate::pipeline::{BuildOptions, Depth, Summary, preview, rebuild, rebuild_in_background};
use crate::serve::hosts::Hosts;
use crate::serve::live::LiveReload;
use crate::serve::routes::{Routes, Site};
use crate::serve::server::Server;
use crate::serve::watch::{Changes, Presence, Watcher};
use crate::write::{Files, Protected, write_site};

enum Event {
    Changed(Changes),
    /// A complete rebuild in the background finished.
    CaughtUp(Box<CatchUp>),
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
    let (send, events) = mpsc::channel();
    let mut builder = Builder {
        options: build::options(&args.build),
        out: args.build.out.clone(),
        cache: RebuildCache::default(),
        served: None,
        failing: false,
        generation: Arc::new(AtomicU64::new(0)),
        catching_up: CatchingUp::No,
        background: None,
        send: send.clone(),
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

    let mut watcher =
        Watcher::start(&builder.root, send.clone()).map_err(|e| Error::usage(e.to_string()))?;
    ctrlc::set_handler(move || {
        let _ = send.send(Event::Stop);
    })
    .map_err(|e| Error::usage(format!("cannot handle Ctrl-C: {e}")))?;
    println!("Serving http://{address}/ (Ctrl-C to stop)");

    'serve: while let Ok(event) = events.recv() {
        let first = match event {
            Event::Changed(changes) => changes,
            Event::CaughtUp(caught) => {
                builder.caught_up(*caught, &routes.site, &routes.live);
                continue;
            }
            Event::Stop => break,
        };
        // Changes that came in meanwhile are one rebuild.
        let mut changes = first;
        while let Ok(event) = events.try_recv() {
            match event {
                Event::Changed(more) => changes = changes.merge(more),
                Event::CaughtUp(caught) => builder.caught_up(*caught, &routes.site, &routes.live),
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
    /// Counts the builds in the foreground: a complete build started in
    /// the background is current while this has not changed, and stops
    /// early once it has.
    generation: Arc<AtomicU64>,
    catching_up: CatchingUp,
    /// Runs complete builds, on threads of their own so that an edit's
    /// quick build never waits behind one.
    background: Option<Arc<rayon::ThreadPool>>,
    send: mpsc::Sender<Event>,
}

/// Whether a complete build runs in the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CatchingUp {
    No,
    Running,
    /// Running, and stale already: another starts when it ends.
    RunningThenAgain,
}

/// A complete build made in the background, for foreground build
/// `generation`.
struct CatchUp {
    generation: u64,
    started: Instant,
    built: Result<(RebuildCache, Summary), Error>,
}

impl Builder {
    /// Shows an edited incident's page at once, then builds again and
    /// serves the result (whole-corpus stages carried over from the last
    /// complete build, which then catches up in the background), or reports
    /// why it failed and keeps serving the last good site.
    fn rebuild(&mut self, changes: Changes, site: &Site, live: &LiveReload) {
        let started = Instant::now();
        self.generation.fetch_add(1, Ordering::Relaxed);
        if changes.everything {
            // The cache holds pages rendered with the old theme and files
            // parsed with the old configuration.
            self.cache.clear();
        } else {
            let edited = self.edited_files(&changes);
            let pages = preview(&mut self.cache, &edited);
            if !pages.is_empty() {
                site.update(pages);
                live.reload();
            }
        }
        let built = load_reusing(&self.root, self.cache.reads())
            .map_err(Error::from)
            .and_then(|(sources, reads)| {
                rebuild(
                    sources,
                    Some(reads),
                    &self.options,
                    &mut self.cache,
                    Depth::Quick,
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
        let first = self.served.is_none();
        self.serve(site, live, summary.search_behind);
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
                "Rebuilt in {} ms ({} of {} pages), {} parsed again{}",
                elapsed.as_millis(),
                summary.rendered,
                summary.pages,
                report::plural(summary.parsed, "file"),
                if summary.search_behind {
                    "; search and similar incidents catch up in the background"
                } else {
                    ""
                }
            );
        }
        if summary.search_behind {
            self.catch_up();
        }
    }

    /// The edited Markdown files of `changes` that can be read, as the
    /// loader names them.
    fn edited_files(&self, changes: &Changes) -> Vec<SourceFile> {
        changes
            .edited
            .iter()
            .filter_map(|path| {
                let rel = path.strip_prefix(&self.root).ok()?;
                let rel: Vec<_> = rel.iter().map(|c| c.to_string_lossy()).collect();
                let rel = rel.join("/");
                let text = decode(&rel, read_capped(path).ok()?).ok()?;
                Some(SourceFile { path: rel, text })
            })
            .collect()
    }

    /// Serves the cache's files (and writes them to `--out`), and tells
    /// open pages to reload if they changed.
    fn serve(&mut self, site: &Site, live: &LiveReload, search_behind: bool) {
        let files = self.cache.files().clone();
        if let Some(out) = &self.out
            && let Err(e) = write_site(out, &files, &Protected { root: &self.root })
        {
            report::failure(&e.into());
        }
        let changed = self.served.as_ref() != Some(&files);
        site.replace(files.clone(), search_behind);
        self.served = Some(files);
        if changed || self.failing {
            live.reload();
        }
        self.failing = false;
    }

    /// Starts a complete build in the background from the cache's state,
    /// unless one runs already (it is then followed by another).
    fn catch_up(&mut self) {
        if self.catching_up != CatchingUp::No {
            self.catching_up = CatchingUp::RunningThenAgain;
            return;
        }
        let pool = match &self.background {
            Some(pool) => pool.clone(),
            None => match rayon::ThreadPoolBuilder::new()
                .thread_name(|n| format!("catch-up-{n}"))
                .start_handler(|_| yield_to_the_foreground())
                .build()
            {
                Ok(pool) => self.background.insert(Arc::new(pool)).clone(),
                Err(e) => {
                    return report::error(&format!("cannot start a background build: {e}"), None);
                }
            },
        };
        self.catching_up = CatchingUp::Running;
        let mut cache = self.cache.snapshot();
        let (root, options, send) = (self.root.clone(), self.options.clone(), self.send.clone());
        let current = self.generation.clone();
        let generation = current.load(Ordering::Relaxed);
        pool.spawn(move || {
            let started = Instant::now();
            let superseded = move || current.load(Ordering::Relaxed) != generation;
            let built = load_reusing(&root, cache.reads())
                .map_err(Error::from)
                .and_then(|(sources, reads)| {
                    rebuild_in_background(sources, Some(reads), &options, &mut cache, &superseded)
                        .map_err(Error::from)
                })
                .map(|summary| (cache, summary));
            let caught = CatchUp {
                generation,
                started,
                built,
            };
            let _ = send.send(Event::CaughtUp(Box::new(caught)));
        });
    }

    /// Serves a complete build made in the background if nothing was built
    /// since it started; else starts another if one is wanted.
    fn caught_up(&mut self, caught: CatchUp, site: &Site, live: &LiveReload) {
        let again = self.catching_up == CatchingUp::RunningThenAgain;
        self.catching_up = CatchingUp::No;
        if caught.generation != self.generation.load(Ordering::Relaxed) {
            if again {
                self.catch_up();
            }
            return;
        }
        match caught.built {
            Ok((cache, _)) => {
                self.cache = cache;
                self.serve(site, live, false);
                println!(
                    "Search and similar incidents caught up in {} ms",
                    caught.started.elapsed().as_millis()
                );
            }
            Err(error) => report::failure(&error),
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

/// Lowers the calling thread's priority: complete builds in the background
/// leave the CPU to the next edit's quick build and to requests.
#[cfg(target_os = "linux")]
fn yield_to_the_foreground() {
    // SAFETY: on Linux, `setpriority` with `who` 0 sets the niceness of the
    // calling thread only; a failure leaves it as it was.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

#[cfg(not(target_os = "linux"))]
fn yield_to_the_foreground() {}

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
