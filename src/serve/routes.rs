//! What `hindsight serve` answers to one request, checked in this order:
//!
//! 1. a `Host` that is not allowed ([`Hosts`]): 403, nothing else learnt;
//! 2. a request target over [`MAX_TARGET`] bytes: 414;
//! 3. a method other than GET and HEAD: 405, whatever the path (the
//!    live-reload paths included);
//! 4. the live-reload event stream and script;
//! 5. a file of the site held in memory ([`http::answer`]), pages with the
//!    live-reload script; 503 with a waiting page until a build succeeds.

use std::sync::{Arc, RwLock};

use hyper::{Method, Request, Response, StatusCode, header};

use super::hosts::Hosts;
use super::http::{self, Answer, HTML};
use super::live::{self, LiveReload};
use super::server::Body;
use crate::write::Files;

/// The longest request target (path and query) answered.
pub const MAX_TARGET: usize = 8 * 1024;

/// Shown for every page while there is no good build yet; the live-reload
/// script shows the errors over it and reloads once the site builds.
const NO_SITE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hindsight serve</title></head>\n<body><main><h1>The site does not build yet</h1><p>Fix the errors shown in the terminal; this page reloads when the site builds.</p></main></body></html>\n";

/// The site being served: swapped whole after each good build, with the
/// pages rendered since on top of it; none until the first build.
#[derive(Default)]
pub struct Site {
    served: RwLock<Option<Arc<Served>>>,
}

/// One state of the site: a build's files, the pages rendered after it
/// (an edited incident's page, shown before the rest follows) and whether
/// its search index is behind its pages.
pub struct Served {
    files: Arc<Files>,
    newer: Files,
    pub search_behind: bool,
}

impl http::Source for Served {
    fn file(&self, path: &str) -> Option<bytes::Bytes> {
        self.newer.file(path).or_else(|| self.files.file(path))
    }

    fn has(&self, path: &str) -> bool {
        self.newer.has(path) || self.files.has(path)
    }
}

impl Site {
    /// Serves `files`, whose search index is behind its pages if `search_behind`.
    pub fn replace(&self, files: Arc<Files>, search_behind: bool) {
        let served = Served {
            files,
            newer: Files::new(),
            search_behind,
        };
        *self.served.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(served));
    }

    /// Serves `pages` over the current files (until the next [`Site::replace`]);
    /// the search index is behind them. Nothing before the first build.
    pub fn update(&self, pages: impl IntoIterator<Item = (String, bytes::Bytes)>) {
        let mut served = self.served.write().unwrap_or_else(|e| e.into_inner());
        let Some(current) = served.as_ref() else {
            return;
        };
        let mut newer = current.newer.clone();
        newer.extend(pages);
        *served = Some(Arc::new(Served {
            files: current.files.clone(),
            newer,
            search_behind: true,
        }));
    }

    pub fn served(&self) -> Option<Arc<Served>> {
        self.served
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Everything a request is answered from.
pub struct Routes {
    pub site: Site,
    pub live: LiveReload,
    hosts: Hosts,
}

impl Routes {
    pub fn new(hosts: Hosts) -> Routes {
        Routes {
            site: Site::default(),
            live: LiveReload::default(),
            hosts,
        }
    }

    /// Answers one request (its body, if any, is never read).
    pub fn respond<B>(&self, request: &Request<B>) -> Response<Body> {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        if !host.is_some_and(|host| self.hosts.allows(host)) {
            return Answer::text(
                StatusCode::FORBIDDEN,
                "hindsight serve answers only requests addressed to localhost, a loopback address or the address it listens on; start it with --allow-host NAME to open it by another name\n",
            )
            .into_response();
        }
        let url = request.uri().to_string();
        if url.len() > MAX_TARGET {
            return Answer::text(StatusCode::URI_TOO_LONG, "request target too long\n")
                .into_response();
        }
        if !matches!(*request.method(), Method::GET | Method::HEAD) {
            return Answer::text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n")
                .header(header::ALLOW, "GET, HEAD".into())
                .into_response();
        }
        match request.uri().path() {
            live::EVENTS_PATH => {
                let mut response = Response::new(self.live.stream());
                let headers = response.headers_mut();
                headers.insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static("text/event-stream"),
                );
                headers.insert(
                    header::CACHE_CONTROL,
                    header::HeaderValue::from_static("no-store"),
                );
                response
            }
            live::SCRIPT_PATH => Answer::new(
                StatusCode::OK,
                "text/javascript; charset=utf-8",
                live::SCRIPT,
            )
            .into_response(),
            _ => self.file(&url, request).into_response(),
        }
    }

    /// A file of the site; pages get the live-reload script.
    fn file<B>(&self, url: &str, request: &Request<B>) -> Answer {
        let Some(served) = self.site.served() else {
            return Answer::new(
                StatusCode::SERVICE_UNAVAILABLE,
                HTML,
                live::inject(NO_SITE.as_bytes(), false),
            );
        };
        let range = request
            .headers()
            .get(header::RANGE)
            .and_then(|r| r.to_str().ok());
        let mut answer = http::answer(&*served, url, range);
        if answer.is_html() {
            answer.body = live::inject(&answer.body, served.search_behind).into();
        }
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn routes() -> Routes {
        let routes = Routes::new(Hosts::new("127.0.0.1".parse().unwrap(), &[]));
        let files: Files = [
            ("index.html", "<html><body>home</body></html>"),
            ("404.html", "<html><body>Page not found</body></html>"),
            ("search/index.pack", "0123456789"),
        ]
        .into_iter()
        .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec().into()))
        .collect();
        routes.site.replace(Arc::new(files), false);
        routes
    }

    fn request(method: Method, target: &str, host: Option<&str>) -> Request<()> {
        let mut request = Request::builder().method(method).uri(target);
        if let Some(host) = host {
            request = request.header(header::HOST, host);
        }
        request.body(()).unwrap()
    }

    /// Status and body of a response whose body is complete.
    fn answer(routes: &Routes, request: &Request<()>) -> (u16, String) {
        let response = routes.respond(request);
        let status = response.status().as_u16();
        let body = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(response.into_body().collect())
            .unwrap()
            .to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[test]
    fn pages_get_the_live_reload_script_and_other_files_do_not() {
        let routes = routes();
        let (status, page) = answer(&routes, &request(Method::GET, "/", Some("localhost:1111")));
        assert_eq!(status, 200);
        assert!(
            page.contains("live-reload.js\" defer></script></body>"),
            "{page}"
        );
        let (status, missing) = answer(&routes, &request(Method::GET, "/x/", Some("localhost")));
        assert_eq!(status, 404);
        assert!(missing.contains("Page not found") && missing.contains("live-reload.js"));
        let pack = request(Method::GET, "/search/index.pack", Some("localhost"));
        assert_eq!(answer(&routes, &pack), (200, "0123456789".into()));

        let waiting = Routes::new(Hosts::new("127.0.0.1".parse().unwrap(), &[]));
        let (status, page) = answer(&waiting, &request(Method::GET, "/", Some("localhost")));
        assert_eq!(status, 503);
        assert!(page.contains("does not build yet") && page.contains("live-reload.js"));
    }

    #[test]
    fn pages_newer_than_the_build_are_served_over_it_and_search_is_behind_them() {
        let routes = routes();
        let page = |routes: &Routes, path: &str| {
            answer(routes, &request(Method::GET, path, Some("localhost"))).1
        };
        assert!(!page(&routes, "/").contains("data-search-behind"));
        routes
            .site
            .update([("index.html".to_string(), "<body>edited</body>".into())]);
        let edited = page(&routes, "/");
        assert!(
            edited.contains("edited") && edited.contains("data-search-behind"),
            "{edited}"
        );
        assert_eq!(page(&routes, "/search/index.pack"), "0123456789");
        routes
            .site
            .replace(routes.site.served().unwrap().files.clone(), false);
        let rebuilt = page(&routes, "/");
        assert!(rebuilt.contains("home") && !rebuilt.contains("data-search-behind"));
    }

    #[test]
    fn host_then_length_then_method_then_path() {
        let routes = routes();
        let status = |method: Method, target: &str, host: Option<&str>| {
            routes
                .respond(&request(method, target, host))
                .status()
                .as_u16()
        };
        assert_eq!(status(Method::GET, "/", Some("evil.example:1111")), 403);
        assert_eq!(status(Method::GET, "/", None), 403);
        assert_eq!(
            status(Method::POST, live::EVENTS_PATH, Some("evil.example")),
            403
        );
        let long = format!("/{}", "a".repeat(MAX_TARGET));
        assert_eq!(status(Method::GET, &long, Some("localhost")), 414);
        assert_eq!(
            status(Method::GET, &long[..MAX_TARGET], Some("localhost")),
            404
        );
        for path in [live::EVENTS_PATH, live::SCRIPT_PATH, "/", "/../x"] {
            for method in [Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS] {
                let response = routes.respond(&request(method.clone(), path, Some("localhost")));
                assert_eq!(response.status(), 405, "{method} {path}");
                assert_eq!(response.headers()[header::ALLOW], "GET, HEAD");
            }
        }
        assert_eq!(
            status(Method::HEAD, live::SCRIPT_PATH, Some("localhost")),
            200
        );
        assert_eq!(status(Method::GET, "/../x", Some("localhost")), 400);
        let events = routes.respond(&request(Method::GET, live::EVENTS_PATH, Some("[::1]:1")));
        assert_eq!(events.headers()[header::CONTENT_TYPE], "text/event-stream");
    }
}
