//! A static host on loopback for a built site: `serve`'s own server and
//! answers (`hindsight::serve`: content types, single `Range` requests, the
//! site's `404.html`, folder redirects), from the output folder instead of
//! memory and without live reload, plus what a host adds: gzip for text and
//! WebAssembly. Every request is logged so tests can see what a page fetched
//! and when. [`Pace`] makes it answer like a distant host (each response a
//! fixed time late), or in rounds, counting how many times a page had to
//! wait for an answer before asking for more.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hindsight::serve::http::{self, Answer, Source};
use hindsight::serve::server::{Body, Server};
use hyper::body::{Frame, SizeHint};
use hyper::{Request, Response, header};

/// One answered request.
#[derive(Clone, Debug)]
pub struct Served {
    /// The request path with its query string, as sent.
    pub url: String,
    pub status: u16,
    /// Bytes of body sent (after compression).
    pub bytes: usize,
}

/// When the server answers.
#[derive(Clone, Copy, Debug)]
pub enum Pace {
    /// At once.
    Now,
    /// Every response this long after its request: a host far away (a
    /// round trip), whatever the number of requests in flight.
    Late(Duration),
    /// Requests are held until none has come for [`QUIET`], then all
    /// answered together: one round. A page that asks for everything it
    /// needs at once takes one round; one that waits for an answer before
    /// asking again takes one more each time.
    Rounds,
}

/// How long without a new request closes a round ([`Pace::Rounds`]): far
/// longer than a page takes to send requests it sends together.
pub const QUIET: Duration = Duration::from_millis(60);

/// A running server; stops when dropped.
pub struct StaticServer {
    server: Server,
    log: Arc<Mutex<Vec<Served>>>,
    rounds: Arc<Mutex<Rounds>>,
}

impl StaticServer {
    /// Serves `dir` on `127.0.0.1` at a free port.
    pub fn serve(dir: &Path) -> Self {
        StaticServer::serve_paced(dir, Pace::Now)
    }

    /// Serves `dir`, answering at `pace`.
    pub fn serve_paced(dir: &Path, pace: Pace) -> Self {
        let log = Arc::new(Mutex::new(Vec::new()));
        let rounds = Arc::new(Mutex::new(Rounds {
            last_request: Instant::now(),
            open: 0,
            closed: 0,
        }));
        let host = Host {
            folder: Folder::new(dir),
            gzipped: Mutex::default(),
            log: log.clone(),
        };
        let shared = rounds.clone();
        let server = Server::start("127.0.0.1:0".parse().unwrap(), move |request| {
            let response = host.respond(&request);
            let wait: Pin<Box<dyn Future<Output = ()> + Send>> = match pace {
                Pace::Now => return response,
                Pace::Late(delay) => Box::pin(tokio::time::sleep(delay)),
                Pace::Rounds => Box::pin(Rounds::join(shared.clone())),
            };
            response.map(|body| {
                use http_body_util::BodyExt;
                Held {
                    wait: Some(wait),
                    body,
                }
                .boxed_unsync()
            })
        })
        .expect("listen on loopback");
        StaticServer {
            server,
            log,
            rounds,
        }
    }

    /// Rounds answered so far ([`Pace::Rounds`]).
    pub fn rounds(&self) -> u64 {
        self.rounds.lock().unwrap().closed
    }

    /// The absolute URL of a path under the site root (`""` is the root).
    pub fn url(&self, path: &str) -> String {
        format!(
            "http://{}/{}",
            self.server.address(),
            path.trim_start_matches('/')
        )
    }

    /// Every request answered so far, in order of completion.
    pub fn requests(&self) -> Vec<Served> {
        self.log.lock().unwrap().clone()
    }
}

/// The rounds of a [`Pace::Rounds`] server.
struct Rounds {
    last_request: Instant,
    /// Number of the round that requests join now.
    open: u64,
    /// Rounds answered.
    closed: u64,
}

impl Rounds {
    /// Joins the open round and waits until it is answered: when no
    /// request has come for [`QUIET`].
    async fn join(rounds: Arc<Mutex<Rounds>>) {
        let mine = {
            let mut r = rounds.lock().unwrap();
            r.last_request = Instant::now();
            r.open
        };
        loop {
            let until = {
                let mut r = rounds.lock().unwrap();
                if r.open != mine {
                    return;
                }
                let until = r.last_request + QUIET;
                if Instant::now() >= until {
                    r.open += 1;
                    r.closed += 1;
                    return;
                }
                until
            };
            tokio::time::sleep_until(until.into()).await;
        }
    }
}

/// A response body held back until `wait` is over.
struct Held {
    wait: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    body: Body,
}

impl hyper::body::Body for Held {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if let Some(wait) = this.wait.as_mut() {
            if wait.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.wait = None;
        }
        Pin::new(&mut this.body).poll_frame(cx)
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Answers `GET url` (path and query) from the built site in `dir`, as the
/// static host does before compression.
pub fn answer(dir: &Path, url: &str, range: Option<&str>) -> Answer {
    http::answer(&Folder::new(dir), url, range)
}

/// A built site folder, read on demand and kept (a page's assets and the
/// search index's ranges are asked for again and again).
struct Folder {
    dir: PathBuf,
    read: Mutex<HashMap<String, Option<Bytes>>>,
}

impl Folder {
    fn new(dir: &Path) -> Folder {
        Folder {
            dir: dir.to_path_buf(),
            read: Mutex::default(),
        }
    }
}

impl Source for Folder {
    fn file(&self, path: &str) -> Option<Bytes> {
        // `http::answer` names only plain paths under the root.
        let file = self.dir.join(path);
        self.read
            .lock()
            .unwrap()
            .entry(path.to_string())
            .or_insert_with(|| {
                file.is_file()
                    .then(|| std::fs::read(&file).ok().map(Bytes::from))
                    .flatten()
            })
            .clone()
    }
}

struct Host {
    folder: Folder,
    /// Gzipped bodies by status and URL.
    gzipped: Mutex<HashMap<String, Bytes>>,
    log: Arc<Mutex<Vec<Served>>>,
}

impl Host {
    fn respond<B>(&self, request: &Request<B>) -> Response<Body> {
        let header =
            |name: header::HeaderName| request.headers().get(name).and_then(|v| v.to_str().ok());
        let url = request.uri().to_string();
        let mut answer = http::answer(&self.folder, &url, header(header::RANGE));
        let gzip = compressible(&answer)
            && header(header::ACCEPT_ENCODING).is_some_and(|accept| accept.contains("gzip"));
        if gzip {
            let key = format!("{} {url}", answer.status);
            let body = answer.body.clone();
            answer.body = self
                .gzipped
                .lock()
                .unwrap()
                .entry(key)
                .or_insert_with(|| gzip_bytes(&body))
                .clone();
            answer = answer
                .header(header::CONTENT_ENCODING, "gzip".into())
                .header(header::VARY, "Accept-Encoding".into());
        }
        self.log.lock().unwrap().push(Served {
            url: url.clone(),
            status: answer.status.as_u16(),
            bytes: answer.body.len(),
        });
        let mut response = answer.into_response();
        // As a host configured for them does: files named by their content
        // never change, so browsers may keep them for good.
        if content_named(&url) {
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
        }
        response
    }
}

/// Whether a URL names a search file by its content:
/// `/search/<stem>.<16 hex digits>.<extension>` or `/search/index-<hex>.pack`.
fn content_named(url: &str) -> bool {
    let Some(name) = url.strip_prefix("/search/") else {
        return false;
    };
    let hex = |s: &str| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        [_, hash, _] => hex(hash),
        [stem, "pack"] => stem.strip_prefix("index-").is_some_and(hex),
        _ => false,
    }
}

/// What a host gzips: whole text and WebAssembly answers (a range is a
/// range of the file as stored).
fn compressible(answer: &Answer) -> bool {
    let kind = answer.content_type.as_str();
    answer.status != hyper::StatusCode::PARTIAL_CONTENT
        && (kind.starts_with("text/")
            || kind.starts_with("application/json")
            || kind.contains("xml")
            || kind.contains("javascript")
            || kind == "application/wasm")
}

fn gzip_bytes(data: &[u8]) -> Bytes {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("gzip in memory");
    encoder.finish().expect("gzip in memory").into()
}

#[test]
fn static_host_serves_the_folder_gzipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("search")).unwrap();
    std::fs::write(dir.path().join("index.html"), "<h1>home</h1>").unwrap();
    std::fs::write(dir.path().join("404.html"), "<h1>gone</h1>").unwrap();
    std::fs::write(dir.path().join("search/index.html"), "search").unwrap();
    std::fs::write(dir.path().join("search/index.pack"), b"0123456789").unwrap();
    let host = Host {
        folder: Folder::new(dir.path()),
        gzipped: Mutex::default(),
        log: Arc::default(),
    };
    let get = |url: &str, headers: &[(&str, &str)]| {
        let mut request = Request::get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        host.respond(&request.body(()).unwrap())
    };

    let home = get("/", &[("Accept-Encoding", "gzip, br")]);
    assert_eq!(home.status(), 200);
    assert_eq!(home.headers()[header::CONTENT_ENCODING], "gzip");
    let plain = get("/search/?q=pool", &[]);
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    let part = get(
        "/search/index.pack",
        &[("Range", "bytes=2-4"), ("Accept-Encoding", "gzip")],
    );
    assert_eq!(part.status(), 206);
    assert!(part.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(get("/search", &[]).status(), 301);
    assert_eq!(get("/nope.html", &[]).status(), 404);
    // What answers a page's links in `links` reads from the folder too.
    assert_eq!(answer(dir.path(), "/nope/", None).body, "<h1>gone</h1>");

    let log = host.log.lock().unwrap();
    let urls: Vec<_> = log.iter().map(|s| (s.url.as_str(), s.status)).collect();
    assert_eq!(
        urls,
        [
            ("/", 200),
            ("/search/?q=pool", 200),
            ("/search/index.pack", 206),
            ("/search", 301),
            ("/nope.html", 404)
        ]
    );
    assert_ne!(log[0].bytes, "<h1>home</h1>".len(), "gzipped size logged");
}
