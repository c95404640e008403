//! A static host on loopback for a built site: `serve`'s own server and
//! answers (`hindsight::serve`: content types, single `Range` requests, the
//! site's `404.html`, folder redirects), from the output folder instead of
//! memory and without live reload, plus what a host adds: gzip for text and
//! WebAssembly. Every request is logged so tests can see what a page fetched
//! and when.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use hindsight::serve::http::{self, Answer, Source};
use hindsight::serve::server::{Body, Server};
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

/// A running server; stops when dropped.
pub struct StaticServer {
    server: Server,
    log: Arc<Mutex<Vec<Served>>>,
}

impl StaticServer {
    /// Serves `dir` on `127.0.0.1` at a free port.
    pub fn serve(dir: &Path) -> Self {
        let log = Arc::new(Mutex::new(Vec::new()));
        let host = Host {
            folder: Folder::new(dir),
            gzipped: Mutex::default(),
            log: log.clone(),
        };
        let server = Server::start("127.0.0.1:0".parse().unwrap(), move |request| {
            host.respond(&request)
        })
        .expect("listen on loopback");
        StaticServer { server, log }
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
            url,
            status: answer.status.as_u16(),
            bytes: answer.body.len(),
        });
        answer.into_response()
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
