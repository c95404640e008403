//! A static HTTP server on loopback that serves a built site the way a static
//! host does: content types (`application/wasm` included), gzip for text and
//! WebAssembly, single HTTP `Range` requests (206, or 416 when unsatisfiable:
//! the search worker reads the index pack in ranges), the site's `404.html`
//! with status 404, and a redirect from a folder to its trailing-slash URL.
//! Every request is logged so tests can see what a page fetched and when.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// How many requests are answered at once (a page fetches in parallel).
const WORKERS: usize = 4;

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
    origin: String,
    server: Arc<tiny_http::Server>,
    workers: Vec<JoinHandle<()>>,
    log: Arc<Mutex<Vec<Served>>>,
}

impl StaticServer {
    /// Serves `dir` on `127.0.0.1` at a free port.
    pub fn serve(dir: &Path) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind loopback"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let gzipped = Arc::new(Mutex::new(HashMap::new()));
        let workers = (0..WORKERS)
            .map(|_| {
                let (server, log, gzipped) = (server.clone(), log.clone(), gzipped.clone());
                let dir = dir.to_path_buf();
                std::thread::spawn(move || {
                    while let Ok(request) = server.recv() {
                        let served = respond(&dir, request, &gzipped);
                        log.lock().unwrap().push(served);
                    }
                })
            })
            .collect();
        StaticServer {
            origin: format!("http://127.0.0.1:{port}"),
            server,
            workers,
            log,
        }
    }

    /// The absolute URL of a path under the site root (`""` is the root).
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.origin, path.trim_start_matches('/'))
    }

    /// Every request answered so far, in order of completion.
    pub fn requests(&self) -> Vec<Served> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        for _ in &self.workers {
            self.server.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// What the server answers for one request, before compression.
#[derive(Debug, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// Whether a client that accepts gzip gets the body gzipped.
    pub compressible: bool,
}

/// Answers `GET url_path` (query and fragment allowed) from `dir`, honouring
/// a `Range` header value when given. Pure apart from reading files.
pub fn answer(dir: &Path, url_path: &str, range: Option<&str>) -> Answer {
    let path = url_path.split(['?', '#']).next().unwrap_or("");
    let Some(rel) = decode_path(path) else {
        return not_found(dir);
    };
    let mut file = dir.join(&rel);
    if file.is_dir() {
        if !path.ends_with('/') {
            return Answer {
                status: 301,
                content_type: "text/plain; charset=utf-8",
                headers: vec![("Location", format!("{path}/"))],
                body: b"moved".to_vec(),
                compressible: false,
            };
        }
        file = file.join("index.html");
    }
    let Ok(len) = std::fs::metadata(&file).map(|m| m.len() as usize) else {
        return not_found(dir);
    };
    let (content_type, compressible) = content_type(&file);
    match range.map(|r| parse_range(r, len)) {
        // Only the range is read: index packs run to tens of megabytes.
        Some(RangeRequest::Satisfiable(start, end)) => Answer {
            status: 206,
            content_type,
            headers: vec![
                ("Accept-Ranges", "bytes".into()),
                ("Content-Range", format!("bytes {start}-{}/{len}", end - 1)),
            ],
            body: read_range(&file, start, end),
            compressible: false,
        },
        Some(RangeRequest::Unsatisfiable) => Answer {
            status: 416,
            content_type: "text/plain; charset=utf-8",
            headers: vec![("Content-Range", format!("bytes */{len}"))],
            body: Vec::new(),
            compressible: false,
        },
        Some(RangeRequest::Ignored) | None => Answer {
            status: 200,
            content_type,
            headers: vec![("Accept-Ranges", "bytes".into())],
            body: std::fs::read(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display())),
            compressible,
        },
    }
}

/// Bytes `start..end` of a file.
fn read_range(file: &Path, start: usize, end: usize) -> Vec<u8> {
    use std::io::{Read, Seek, SeekFrom};
    let mut body = vec![0; end - start];
    std::fs::File::open(file)
        .and_then(|mut f| {
            f.seek(SeekFrom::Start(start as u64))?;
            f.read_exact(&mut body)
        })
        .unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
    body
}

fn not_found(dir: &Path) -> Answer {
    Answer {
        status: 404,
        content_type: "text/html; charset=utf-8",
        headers: Vec::new(),
        body: std::fs::read(dir.join("404.html")).unwrap_or_else(|_| b"not found".to_vec()),
        compressible: true,
    }
}

/// A URL path as a path under the root: percent-decoded, never leaving it.
fn decode_path(path: &str) -> Option<PathBuf> {
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    let rel = PathBuf::from(String::from_utf8(decoded).ok()?.trim_start_matches('/'));
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(rel)
}

fn content_type(file: &Path) -> (&'static str, bool) {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => ("text/html; charset=utf-8", true),
        "css" => ("text/css; charset=utf-8", true),
        "js" => ("text/javascript; charset=utf-8", true),
        "json" => ("application/json", true),
        "xml" => ("application/xml", true),
        "svg" => ("image/svg+xml", true),
        "txt" => ("text/plain; charset=utf-8", true),
        "wasm" => ("application/wasm", true),
        "png" => ("image/png", false),
        "ico" => ("image/x-icon", false),
        "woff2" => ("font/woff2", false),
        _ => ("application/octet-stream", false),
    }
}

#[derive(Debug, PartialEq)]
enum RangeRequest {
    /// Bytes `start..end` of the file.
    Satisfiable(usize, usize),
    Unsatisfiable,
    /// Several ranges or a syntax the server does not serve: the whole file
    /// (what RFC 9110 allows and what many static hosts do).
    Ignored,
}

fn parse_range(value: &str, len: usize) -> RangeRequest {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeRequest::Ignored;
    };
    if spec.contains(',') {
        return RangeRequest::Ignored;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return RangeRequest::Ignored;
    };
    let (first, last) = (first.trim(), last.trim());
    let range = match (first.parse::<usize>(), last.parse::<usize>()) {
        // bytes=-N: the last N bytes.
        (Err(_), Ok(suffix)) if first.is_empty() => {
            (suffix > 0).then(|| (len.saturating_sub(suffix), len))
        }
        (Ok(start), Err(_)) if last.is_empty() => Some((start, len)),
        (Ok(start), Ok(end)) if end >= start => Some((start, len.min(end + 1))),
        _ => return RangeRequest::Ignored,
    };
    match range {
        Some((start, end)) if start < len => RangeRequest::Satisfiable(start, end),
        _ => RangeRequest::Unsatisfiable,
    }
}

type GzipCache = Mutex<HashMap<String, Arc<Vec<u8>>>>;

fn respond(dir: &Path, request: tiny_http::Request, gzipped: &GzipCache) -> Served {
    let header = |name: &'static str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_owned())
    };
    let url = request.url().to_owned();
    let answer = answer(dir, &url, header("Range").as_deref());
    let gzip = answer.compressible
        && header("Accept-Encoding").is_some_and(|accept| accept.contains("gzip"));
    let status = answer.status;
    let mut headers = vec![("Content-Type", answer.content_type.to_owned())];
    headers.extend(answer.headers);
    let body = if gzip {
        headers.push(("Content-Encoding", "gzip".into()));
        headers.push(("Vary", "Accept-Encoding".into()));
        let key = format!("{status} {url}");
        let cached = gzipped.lock().unwrap().get(&key).cloned();
        cached
            .unwrap_or_else(|| {
                let compressed = Arc::new(gzip_bytes(&answer.body));
                gzipped.lock().unwrap().insert(key, compressed.clone());
                compressed
            })
            .to_vec()
    } else {
        answer.body
    };
    let bytes = body.len();
    let mut response = tiny_http::Response::from_data(body).with_status_code(status);
    for (name, value) in headers {
        response.add_header(
            tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header"),
        );
    }
    // The client may have gone away (a navigation cancels fetches): fine.
    let _ = request.respond(response);
    Served { url, status, bytes }
}

fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("gzip in memory");
    encoder.finish().expect("gzip in memory")
}

// The server itself: what a static host must get right for the site to work.

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("search")).unwrap();
    std::fs::write(dir.path().join("index.html"), "<h1>home</h1>").unwrap();
    std::fs::write(dir.path().join("404.html"), "<h1>gone</h1>").unwrap();
    std::fs::write(dir.path().join("search/index.html"), "search").unwrap();
    std::fs::write(dir.path().join("search/runtime.wasm"), b"\0asm").unwrap();
    std::fs::write(dir.path().join("search/index.pack"), b"0123456789").unwrap();
    dir
}

#[test]
fn static_server_sends_content_types_folders_and_the_404_page() {
    let dir = site();
    let home = answer(dir.path(), "/", None);
    assert_eq!(
        (home.status, home.content_type),
        (200, "text/html; charset=utf-8")
    );
    assert_eq!(home.body, b"<h1>home</h1>");
    let wasm = answer(dir.path(), "/search/runtime.wasm", None);
    assert_eq!((wasm.status, wasm.content_type), (200, "application/wasm"));
    assert_eq!(answer(dir.path(), "/search/?q=pool", None).body, b"search");
    let folder = answer(dir.path(), "/search", None);
    assert_eq!(folder.status, 301);
    assert_eq!(folder.headers, vec![("Location", "/search/".to_string())]);
    for missing in ["/nope.html", "/../etc/passwd", "/%2e%2e/x", "/bad%zz"] {
        let gone = answer(dir.path(), missing, None);
        assert_eq!(
            (gone.status, gone.body.as_slice()),
            (404, &b"<h1>gone</h1>"[..]),
            "{missing}"
        );
    }
}

#[test]
fn static_server_answers_range_requests() {
    let dir = site();
    let pack = |range| answer(dir.path(), "/search/index.pack", Some(range));
    let part = pack("bytes=2-4");
    assert_eq!((part.status, part.body.as_slice()), (206, &b"234"[..]));
    assert!(
        part.headers
            .contains(&("Content-Range", "bytes 2-4/10".into()))
    );
    assert!(!part.compressible);
    assert_eq!(pack("bytes=7-").body, b"789");
    assert_eq!(pack("bytes=-2").body, b"89");
    assert_eq!(pack("bytes=8-100").body, b"89");
    let beyond = pack("bytes=10-12");
    assert_eq!(beyond.status, 416);
    assert!(
        beyond
            .headers
            .contains(&("Content-Range", "bytes */10".into()))
    );
    assert_eq!(pack("bytes=-0").status, 416);
    assert_eq!(pack("bytes=0-1,4-5").status, 200);
    assert_eq!(pack("items=0-1").body, b"0123456789");
}
