//! HTTP for `hindsight serve`: answers requests from the built site held in
//! memory, so nothing on disk is ever served, whatever the request path
//! says. Content types, single byte ranges (the search worker reads its
//! index in ranges), the site's 404 page, and the live-reload script put
//! into every HTML answer.

use std::sync::{Arc, RwLock};

use http_range_header::{RangeUnsatisfiableError, parse_range_header};
use percent_encoding::percent_decode_str;

use super::live::{self, LiveReload};
use crate::write::Files;

/// The site being served: swapped whole after each good build; none until
/// the first one.
#[derive(Default)]
pub struct Site {
    files: RwLock<Option<Arc<Files>>>,
}

impl Site {
    pub fn replace(&self, files: Arc<Files>) {
        *self.files.write().unwrap_or_else(|e| e.into_inner()) = Some(files);
    }

    pub fn files(&self) -> Option<Arc<Files>> {
        self.files.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// What the server answers to one request.
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Answer {
            status,
            content_type: content_type.to_string(),
            headers: Vec::new(),
            body,
        }
    }

    fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
}

const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// Shown for every page while there is no good build yet; the live-reload
/// script shows the errors over it and reloads once the site builds.
const NO_SITE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hindsight serve</title></head>\n<body><main><h1>The site does not build yet</h1><p>Fix the errors shown in the terminal; this page reloads when the site builds.</p></main></body></html>\n";

/// Where a request path leads in the site.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A file of the site, by its path in the site map.
    File(String),
    /// Not a path this server answers: traversal, encoded separators,
    /// backslashes, control characters, invalid UTF-8.
    Refused,
}

/// Maps a request target (path and query) to a file of the site. Only plain
/// `/`-separated names are accepted, so nothing outside the site map can be
/// named, however it is encoded.
pub fn target(url: &str) -> Target {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(rest) = path.strip_prefix('/') else {
        // `*`, absolute-form `http://…` targets and the like.
        return Target::Refused;
    };
    // An encoded `/` or `\` could only serve to hide a separator.
    let lower = rest.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") {
        return Target::Refused;
    }
    let Ok(decoded) = percent_decode_str(rest).decode_utf8() else {
        return Target::Refused;
    };
    if decoded.chars().any(|c| c == '\\' || c.is_control()) {
        return Target::Refused;
    }
    let segments: Vec<&str> = decoded.split('/').collect();
    let (name, folders) = segments.split_last().expect("split yields a segment");
    // Only the last segment may be empty: `/`, `/incidents/`.
    if folders.iter().any(|s| matches!(*s, "" | "." | "..")) || matches!(*name, "." | "..") {
        return Target::Refused;
    }
    if name.is_empty() {
        Target::File(format!("{decoded}index.html"))
    } else {
        Target::File(decoded.into_owned())
    }
}

/// Answers `GET url` from `files` (`None` while no build succeeded),
/// honouring a `Range` header value.
pub fn answer(files: Option<&Files>, url: &str, range: Option<&str>) -> Answer {
    let Some(files) = files else {
        return html(503, NO_SITE.as_bytes());
    };
    let key = match target(url) {
        Target::Refused => return Answer::new(400, TEXT, b"bad request path\n".to_vec()),
        Target::File(key) => key,
    };
    let Some(body) = files.get(&key) else {
        if files.contains_key(&format!("{key}/index.html")) {
            let path = url.split(['?', '#']).next().unwrap_or("");
            return Answer::new(301, TEXT, b"moved\n".to_vec())
                .header("Location", format!("{path}/"));
        }
        return not_found(files);
    };
    let content_type = content_type(&key);
    if content_type.starts_with("text/html") {
        return html(200, body);
    }
    let len = body.len() as u64;
    match range.map(|r| parse_range_header(r).and_then(|r| r.validate(len))) {
        // One range: a part of the file. Several ranges are answered with
        // the whole file, which HTTP allows.
        Some(Ok(ranges)) if ranges.len() == 1 => {
            let (start, end) = (*ranges[0].start(), *ranges[0].end());
            let part = body[start as usize..=end as usize].to_vec();
            Answer::new(206, &content_type, part)
                .header("Accept-Ranges", "bytes".into())
                .header("Content-Range", format!("bytes {start}-{end}/{len}"))
        }
        Some(Err(RangeUnsatisfiableError::Unsatisfiable)) => {
            Answer::new(416, TEXT, Vec::new()).header("Content-Range", format!("bytes */{len}"))
        }
        _ => Answer::new(200, &content_type, body.clone()).header("Accept-Ranges", "bytes".into()),
    }
}

fn not_found(files: &Files) -> Answer {
    match files.get("404.html") {
        Some(page) => html(404, page),
        None => Answer::new(404, TEXT, b"not found\n".to_vec()),
    }
}

/// An HTML answer, with the live-reload script.
fn html(status: u16, page: &[u8]) -> Answer {
    Answer::new(status, HTML, live::inject(page))
}

/// The content type of a site file, by extension.
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    if mime.type_() == mime_guess::mime::TEXT
        || mime == mime_guess::mime::APPLICATION_JAVASCRIPT
        || mime.subtype() == mime_guess::mime::JSON
        || mime.suffix() == Some(mime_guess::mime::XML)
        || mime.subtype() == mime_guess::mime::XML
    {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// Answers one request: the live-reload stream and script, or a site file.
pub fn respond(request: tiny_http::Request, site: &Site, live: &LiveReload) {
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("");
    if path == live::EVENTS_PATH {
        live.connect(request.into_writer());
        return;
    }
    let answer = if path == live::SCRIPT_PATH {
        Answer::new(
            200,
            "text/javascript; charset=utf-8",
            live::SCRIPT.as_bytes().to_vec(),
        )
    } else if !matches!(
        request.method(),
        tiny_http::Method::Get | tiny_http::Method::Head
    ) {
        Answer::new(405, TEXT, b"method not allowed\n".to_vec()).header("Allow", "GET, HEAD".into())
    } else {
        let range = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Range"))
            .map(|h| h.value.as_str().to_string());
        answer(site.files().as_deref(), &url, range.as_deref())
    };
    let mut response = tiny_http::Response::from_data(answer.body).with_status_code(answer.status);
    let headers = [
        ("Content-Type", answer.content_type),
        ("Cache-Control", "no-store".into()),
    ];
    for (name, value) in headers.into_iter().chain(answer.headers) {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    // The client may have gone away; nothing to do about it.
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Files {
        [
            ("index.html", "<html><body>home</body></html>"),
            ("incidents/index.html", "<html><body>list</body></html>"),
            ("404.html", "<html><body>Page not found</body></html>"),
            ("search/index.pack", "0123456789"),
            ("search/runtime.wasm", "\0asm"),
        ]
        .into_iter()
        .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
        .collect()
    }

    #[test]
    fn plain_paths_name_site_files() {
        let file = |p: &str| Target::File(p.to_string());
        assert_eq!(target("/"), file("index.html"));
        assert_eq!(target("/incidents/"), file("incidents/index.html"));
        assert_eq!(target("/incidents/?q=a#top"), file("incidents/index.html"));
        assert_eq!(
            target("/tags/conn%20pool/"),
            file("tags/conn pool/index.html")
        );
        assert_eq!(target("/feed.xml"), file("feed.xml"));
    }

    #[test]
    fn traversal_in_any_spelling_is_refused() {
        for url in [
            "/..",
            "/../x",
            "/a/../../x",
            "/%2e%2e/x",
            "/%2E%2E/x",
            "/.%2e/x",
            "/a/%2e%2e%2fx",
            "/a%2fb",
            "/a%2Fb",
            "/..%5cx",
            "/..\\x",
            "/a\\..\\x",
            "//etc/passwd",
            "/a//b",
            "/./x",
            "/x%00.html",
            "/%ff%fe",
            "etc/passwd",
            "http://host/x",
            "*",
        ] {
            assert_eq!(target(url), Target::Refused, "{url}");
        }
        // Double encoding stays a literal name, which no site file has.
        assert_eq!(target("/%252e%252e/x"), Target::File("%2e%2e/x".into()));
    }

    #[test]
    fn answers_have_types_ranges_and_the_404_page() {
        let files = site();
        let get = |url: &str, range: Option<&str>| answer(Some(&files), url, range);

        let home = get("/", None);
        assert_eq!((home.status, home.content_type.as_str()), (200, HTML));
        assert!(
            String::from_utf8(home.body)
                .unwrap()
                .contains("live-reload.js")
        );

        let wasm = get("/search/runtime.wasm", None);
        assert_eq!(wasm.content_type, "application/wasm");

        let part = get("/search/index.pack", Some("bytes=2-4"));
        assert_eq!((part.status, part.body.as_slice()), (206, &b"234"[..]));
        assert!(
            part.headers
                .contains(&("Content-Range", "bytes 2-4/10".into()))
        );
        let tail = get("/search/index.pack", Some("bytes=-3"));
        assert_eq!(tail.body, b"789");
        assert_eq!(get("/search/index.pack", Some("bytes=10-")).status, 416);
        // Several ranges or a malformed one: the whole file.
        assert_eq!(get("/search/index.pack", Some("bytes=0-1,4-5")).status, 200);
        assert_eq!(get("/search/index.pack", Some("lines=1-2")).status, 200);

        let missing = get("/nope/", None);
        assert_eq!(missing.status, 404);
        assert!(
            String::from_utf8(missing.body)
                .unwrap()
                .contains("Page not found")
        );
        let folder = get("/incidents?x=1", None);
        assert_eq!(folder.status, 301);
        assert!(folder.headers.contains(&("Location", "/incidents/".into())));
        assert_eq!(get("/../index.html", None).status, 400);

        let none = answer(None, "/", None);
        assert_eq!(none.status, 503);
        assert!(
            String::from_utf8(none.body)
                .unwrap()
                .contains("live-reload.js")
        );
    }

    #[test]
    fn text_types_say_utf8() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("static/style.css"), "text/css; charset=utf-8");
        assert!(content_type("static/search.js").ends_with("javascript; charset=utf-8"));
        assert_eq!(
            content_type("incidents.json"),
            "application/json; charset=utf-8"
        );
        assert_eq!(content_type("feed.xml").split(';').next(), Some("text/xml"));
        assert_eq!(content_type("search/runtime.wasm"), "application/wasm");
        assert_eq!(
            content_type("search/index.pack"),
            "application/octet-stream"
        );
    }
}
