//! Answers from a built site: request paths mapped to site files (never to
//! the disk, whatever the path says), content types, single byte ranges (the
//! search worker reads its index in ranges), folder redirects and the site's
//! 404 page. Pure: `serve` answers from the site held in memory, the browser
//! tests from a built folder, through [`Source`].

use bytes::Bytes;
use http_range_header::{RangeUnsatisfiableError, parse_range_header};
use hyper::{Response, StatusCode, header};
use percent_encoding::percent_decode_str;

use super::server::{Body, full};
use crate::write::Files;

/// Where a site's files come from.
pub trait Source {
    /// The bytes of the file at `path` in the site map (`incidents/index.html`).
    fn file(&self, path: &str) -> Option<Bytes>;

    fn has(&self, path: &str) -> bool {
        self.file(path).is_some()
    }
}

impl Source for Files {
    fn file(&self, path: &str) -> Option<Bytes> {
        self.get(path).cloned()
    }

    fn has(&self, path: &str) -> bool {
        self.contains_key(path)
    }
}

/// What the server answers to one request.
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: Vec<(header::HeaderName, String)>,
    pub body: Bytes,
}

impl Answer {
    pub fn new(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Self {
        Answer {
            status,
            content_type: content_type.to_string(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A plain-text answer.
    pub fn text(status: StatusCode, text: &'static str) -> Self {
        Answer::new(status, TEXT, text)
    }

    pub fn header(mut self, name: header::HeaderName, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn is_html(&self) -> bool {
        self.content_type.starts_with("text/html")
    }

    /// The HTTP response: never cached (the site changes under the browser),
    /// never sniffed into another type.
    pub fn into_response(self) -> Response<Body> {
        let mut response = Response::new(full(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        let fixed = [
            (header::CONTENT_TYPE, self.content_type),
            (header::CACHE_CONTROL, "no-store".into()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
        ];
        for (name, value) in fixed.into_iter().chain(self.headers) {
            if let Ok(value) = header::HeaderValue::try_from(value) {
                headers.append(name, value);
            }
        }
        response
    }
}

pub const HTML: &str = "text/html; charset=utf-8";
pub const TEXT: &str = "text/plain; charset=utf-8";

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

/// Answers `GET url` (the request target: path and query) from `site`,
/// honouring a `Range` header value for files other than pages.
pub fn answer(site: &impl Source, url: &str, range: Option<&str>) -> Answer {
    let key = match target(url) {
        Target::Refused => return Answer::text(StatusCode::BAD_REQUEST, "bad request path\n"),
        Target::File(key) => key,
    };
    let Some(body) = site.file(&key) else {
        let path = url.split(['?', '#']).next().unwrap_or("");
        if site.has(&format!("{key}/index.html")) {
            return Answer::text(StatusCode::MOVED_PERMANENTLY, "moved\n")
                .header(header::LOCATION, format!("{path}/"));
        }
        // Site URLs are lowercase (`/incidents/inc-2025-001/`): an address
        // typed as the id is written (`/incidents/INC-2025-001/`) leads there.
        let lower = key.to_ascii_lowercase();
        if lower != key && (site.has(&lower) || site.has(&format!("{lower}/index.html"))) {
            let query = url[path.len()..].split('#').next().unwrap_or("");
            return Answer::text(StatusCode::MOVED_PERMANENTLY, "moved\n").header(
                header::LOCATION,
                format!("{}{query}", path.to_ascii_lowercase()),
            );
        }
        return not_found(site);
    };
    let content_type = content_type(&key);
    if content_type.starts_with("text/html") {
        // Pages are answered whole: `serve` adds its script to them.
        return Answer::new(StatusCode::OK, &content_type, body);
    }
    let len = body.len() as u64;
    match range.map(|r| parse_range_header(r).and_then(|r| r.validate(len))) {
        // One range: a part of the file. Several ranges are answered with
        // the whole file, which HTTP allows.
        Some(Ok(ranges)) if ranges.len() == 1 => {
            let (start, end) = (*ranges[0].start(), *ranges[0].end());
            let part = body.slice(start as usize..=end as usize);
            Answer::new(StatusCode::PARTIAL_CONTENT, &content_type, part)
                .header(header::ACCEPT_RANGES, "bytes".into())
                .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))
        }
        Some(Err(RangeUnsatisfiableError::Unsatisfiable)) => {
            Answer::new(StatusCode::RANGE_NOT_SATISFIABLE, TEXT, Bytes::new())
                .header(header::CONTENT_RANGE, format!("bytes */{len}"))
        }
        _ => Answer::new(StatusCode::OK, &content_type, body)
            .header(header::ACCEPT_RANGES, "bytes".into()),
    }
}

/// The site's 404 page, with status 404.
fn not_found(site: &impl Source) -> Answer {
    match site.file("404.html") {
        Some(page) => Answer::new(StatusCode::NOT_FOUND, HTML, page),
        None => Answer::text(StatusCode::NOT_FOUND, "not found\n"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Files {
        [
            ("index.html", "<html><body>home</body></html>"),
            ("incidents/index.html", "<html><body>list</body></html>"),
            (
                "incidents/inc-1/index.html",
                "<html><body>one</body></html>",
            ),
            ("404.html", "<html><body>Page not found</body></html>"),
            ("search/index.pack", "0123456789"),
            ("search/runtime.wasm", "\0asm"),
        ]
        .into_iter()
        .map(|(p, b)| (p.to_string(), Bytes::from_static(b.as_bytes())))
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
        let get = |url: &str, range: Option<&str>| answer(&files, url, range);
        let header = |answer: &Answer, name: header::HeaderName| {
            answer
                .headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        };

        let home = get("/", None);
        assert_eq!(
            (home.status, home.content_type.as_str()),
            (StatusCode::OK, HTML)
        );
        assert_eq!(home.body, "<html><body>home</body></html>");
        // Pages are whole whatever the range.
        assert_eq!(get("/", Some("bytes=0-1")).status, StatusCode::OK);

        let wasm = get("/search/runtime.wasm", None);
        assert_eq!(wasm.content_type, "application/wasm");

        let part = get("/search/index.pack", Some("bytes=2-4"));
        assert_eq!((part.status.as_u16(), &part.body[..]), (206, &b"234"[..]));
        assert_eq!(
            header(&part, header::CONTENT_RANGE).as_deref(),
            Some("bytes 2-4/10")
        );
        let tail = get("/search/index.pack", Some("bytes=-3"));
        assert_eq!(tail.body, "789");
        let beyond = get("/search/index.pack", Some("bytes=10-"));
        assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(
            header(&beyond, header::CONTENT_RANGE).as_deref(),
            Some("bytes */10")
        );
        // Several ranges or a malformed one: the whole file.
        let whole = get("/search/index.pack", Some("bytes=0-1,4-5"));
        assert_eq!(
            (whole.status, &whole.body[..]),
            (StatusCode::OK, &b"0123456789"[..])
        );
        assert_eq!(
            get("/search/index.pack", Some("lines=1-2")).status,
            StatusCode::OK
        );

        let missing = get("/nope/", None);
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(missing.body, "<html><body>Page not found</body></html>");
        let any_case = get("/Incidents/INC-1/?q=A", None);
        assert_eq!(any_case.status, StatusCode::MOVED_PERMANENTLY);
        assert_eq!(
            header(&any_case, header::LOCATION).as_deref(),
            Some("/incidents/inc-1/?q=A")
        );
        assert_eq!(get("/NOPE/", None).status, StatusCode::NOT_FOUND);
        let folder = get("/incidents?x=1", None);
        assert_eq!(folder.status, StatusCode::MOVED_PERMANENTLY);
        assert_eq!(
            header(&folder, header::LOCATION).as_deref(),
            Some("/incidents/")
        );
        assert_eq!(get("/../index.html", None).status, StatusCode::BAD_REQUEST);
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
