//! `hindsight serve`: the real binary on a copy of the bundled knowledge
//! base, driven over HTTP while its files are edited; `hostile`: clients
//! that misbehave. Every wait is bounded, so a broken server fails the test
//! instead of hanging it.

mod hostile;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{Site, hindsight};

/// Long enough for a debug build of the site on a busy machine.
const WAIT: Duration = Duration::from_secs(90);

pub(crate) const INCIDENT: &str = "content/2024/INC-2024-002-connection-pool-exhaustion.md";
const INCIDENT_PAGE: &str = "/incidents/inc-2024-002/";
const OLD_TITLE: &str = "Database connection pool exhaustion from carrier-performance export";
const NEW_TITLE: &str = "Zeppelin-sized connection pool exhaustion";

/// A running `hindsight serve`; killed when dropped.
pub(crate) struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub(crate) origin: String,
    stdout: Receiver<String>,
    /// Everything the server printed on stdout and stderr so far.
    output: Arc<Mutex<String>>,
}

impl Server {
    pub(crate) fn start(site: &Site, extra: &[&str]) -> Server {
        Server::start_with(site, extra, |_| {})
    }

    /// Starts the server with `setup` applied to its command first.
    fn start_with(site: &Site, extra: &[&str], setup: impl FnOnce(&mut Command)) -> Server {
        let mut command = hindsight();
        command
            .arg("--root")
            .arg(site.root())
            .args(["serve", "--port", "0", "--now", "2026-01-15"])
            .args(extra);
        setup(&mut command);
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hindsight serve");
        let output = Arc::new(Mutex::new(String::new()));
        let (lines, stdout) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let log = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                log.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = lines.send(line);
            }
        });
        let err = child.stderr.take().unwrap();
        let log = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                log.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let mut server = Server {
            child,
            origin: String::new(),
            stdout,
            output,
        };
        let line = server.line_with("Serving http://");
        server.origin = line
            .trim_start_matches("Serving ")
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches('/')
            .to_string();
        server
    }

    /// The next stdout line containing `text`.
    fn line_with(&self, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stdout.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no line with {text:?}; output:\n{}", self.output());
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    fn address(&self) -> &str {
        self.origin.trim_start_matches("http://")
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn get(&self, target: &str) -> Response {
        request(self.address(), target, &[])
    }

    /// Polls `target` until `done` holds for the response.
    fn wait_for(&self, target: &str, what: &str, done: impl Fn(&Response) -> bool) -> Response {
        let deadline = Instant::now() + WAIT;
        loop {
            let response = self.get(target);
            if done(&response) {
                return response;
            }
            assert!(
                Instant::now() < deadline,
                "{target}: timed out waiting for {what}; last status {}; output:\n{}",
                response.status,
                self.output()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub(crate) fn wait_for_output(&self, text: &str) {
        self.wait_for_count(text, 1);
    }

    /// Waits until the output has `text` `times` times.
    fn wait_for_count(&self, text: &str, times: usize) {
        let deadline = Instant::now() + WAIT;
        while self.output().matches(text).count() < times {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?} ×{times} in output:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.0 request with the target sent exactly as given (a real
/// client would normalise `..` away).
fn request(address: &str, target: &str, headers: &[(&str, &str)]) -> Response {
    let mut head = format!("GET {target} HTTP/1.0\r\nHost: {address}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    exchange(address, &head, WAIT)
}

/// Sends `head` as it is and reads the answer until the server closes the
/// connection, waiting at most `patience` for each read.
fn exchange(address: &str, head: &str, patience: Duration) -> Response {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(patience)).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("read the answer to {:?}: {e}", first_line(head)));
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// A connection that has asked for the live-reload event stream, as a page
/// does, and has read nothing yet.
fn event_stream(address: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "GET /__hindsight/live-reload HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    stream
}

/// The live-reload event stream, read in the background.
struct Events(Arc<Mutex<String>>);

impl Events {
    fn open(server: &Server) -> Events {
        let mut stream = event_stream(server.address());
        let text = Arc::new(Mutex::new(String::new()));
        let into = text.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = stream.read(&mut buffer) {
                into.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let events = Events(text);
        events.wait_for("retry:", server);
        events
    }

    fn text(&self) -> String {
        self.0.lock().unwrap().clone()
    }

    /// Waits until the stream has `text`, and returns what came up to the
    /// end of it (later waits see only what comes after).
    fn wait_for(&self, text: &str, server: &Server) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            {
                let mut seen = self.0.lock().unwrap();
                if let Some(at) = seen.find(text) {
                    return seen.drain(..at + text.len()).collect();
                }
            }
            assert!(
                Instant::now() < deadline,
                "no {text:?} in the event stream: {:?}; output:\n{}",
                self.text(),
                server.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn search_ids(site: &Site, out: &str, query: &str) -> Vec<String> {
    let run = site.run(&["search", "--out", out, "--json", query]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hits: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON output");
    hits.as_array()
        .expect("a list of hits")
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn edits_deletions_and_errors_show_up_while_serving() {
    let site = Site::bundled();
    let out = site.root().join("served");
    let server = Server::start(&site, &["--out", out.to_str().unwrap()]);
    assert!(
        server.origin.starts_with("http://127.0.0.1:"),
        "{}",
        server.origin
    );

    let page = server.get(INCIDENT_PAGE);
    assert_eq!(page.status, 200);
    assert!(page.text().contains(OLD_TITLE));
    assert!(
        page.text()
            .contains("<script src=\"/__hindsight/live-reload.js\" defer></script></body>"),
        "pages get the live-reload script"
    );
    let script = server.get("/__hindsight/live-reload.js");
    assert_eq!(script.status, 200);
    assert!(script.text().contains("EventSource"));
    let events = Events::open(&server);

    // A new title: its page at once, then the incident list, then search.
    let source = site.read(INCIDENT);
    site.write(INCIDENT, source.replace(OLD_TITLE, NEW_TITLE));
    server.wait_for(INCIDENT_PAGE, "the new title", |r| {
        r.text().contains(NEW_TITLE)
    });
    let list = server.wait_for("/incidents/", "the new title", |r| {
        r.text().contains(NEW_TITLE)
    });
    assert!(!list.text().contains(OLD_TITLE));
    events.wait_for("event: reload", &server);
    server.wait_for_output("Search and similar incidents caught up");
    server.wait_for(INCIDENT_PAGE, "search caught up", |r| {
        !r.text().contains("data-search-behind")
    });
    let rebuilt = server.line_with("Rebuilt in");
    let (rendered, total) = rebuilt
        .split_once('(')
        .and_then(|(_, counts)| counts.split_once(" of "))
        .map(|(n, rest)| {
            (
                n.parse::<usize>().unwrap(),
                rest.split_whitespace()
                    .next()
                    .unwrap()
                    .parse::<usize>()
                    .unwrap(),
            )
        })
        .expect("`Rebuilt in X ms (N of M pages)`");
    assert!(
        (2..total / 2).contains(&rendered),
        "a title edit re-renders its page and the lists showing it, not the whole site: {rebuilt}"
    );
    assert_eq!(
        search_ids(&site, out.to_str().unwrap(), "zeppelin")
            .first()
            .map(String::as_str),
        Some("INC-2024-002")
    );

    // A deleted postmortem: its page is gone (the site's 404 page).
    std::fs::remove_file(site.root().join(INCIDENT)).unwrap();
    let gone = server.wait_for(INCIDENT_PAGE, "a 404", |r| r.status == 404);
    assert!(gone.text().contains("Page not found"));
    assert!(!server.get("/incidents/").text().contains(NEW_TITLE));
    events.wait_for("event: reload", &server);

    // A broken postmortem: the error is reported, the last good site stays.
    const OTHER: &str = "content/2026/INC-2026-001-payments-connection-pool-starvation.md";
    const OTHER_PAGE: &str = "/incidents/inc-2026-001/";
    let good = site.read(OTHER);
    site.write(
        OTHER,
        good.replacen("severity:", "severity: SEV9\nseverity_was:", 1),
    );
    events.wait_for("event: build-error", &server);
    // The rest of the event: the diagnostic the page shows over itself.
    let overlay = events.wait_for("\n\n", &server);
    assert!(
        overlay.contains(&format!("data:  --> {OTHER}:4:1"))
            && overlay.contains("data: error[unknown-severity]: unknown severity `SEV9`"),
        "the overlay names the error and the file: {overlay}"
    );
    server.wait_for_output("still serving the last good site");
    assert!(server.output().contains("SEV9"));
    let still = server.get(OTHER_PAGE);
    assert_eq!(still.status, 200);
    assert!(still.text().contains("Payments connection pool starved"));
    // A page opened now learns about the error at once.
    Events::open(&server).wait_for("event: build-error", &server);

    // Fixed: the site rebuilds and pages reload.
    site.write(
        OTHER,
        good.replace("starved by retries", "starved by eager retries"),
    );
    server.wait_for(OTHER_PAGE, "the fixed page", |r| {
        r.text().contains("starved by eager retries")
    });
    events.wait_for("event: reload", &server);

    stop_with_ctrl_c(server);
}

/// Ctrl-C stops the server cleanly, with exit code 0.
#[cfg(target_os = "linux")]
fn stop_with_ctrl_c(mut server: Server) {
    // SAFETY: signalling our own child process.
    let sent = unsafe { libc::kill(server.child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0), "{}", server.output());
    server.line_with("Stopped.");
}

#[cfg(not(target_os = "linux"))]
fn stop_with_ctrl_c(_server: Server) {}

#[test]
fn only_files_of_the_built_site_are_served() {
    let site = Site::bundled();
    site.write("secret.txt", "TOP-SECRET-ROOT");
    site.write("content/secret.txt", "TOP-SECRET-CONTENT");
    let server = Server::start(&site, &[]);
    let root = site.root().display().to_string();
    let traversals = [
        "/../secret.txt".to_string(),
        "/../../secret.txt".into(),
        "/incidents/../../secret.txt".into(),
        "/%2e%2e/secret.txt".into(),
        "/%2E%2E/secret.txt".into(),
        "/%2e%2e%2fsecret.txt".into(),
        "/incidents%2f..%2f..%2fsecret.txt".into(),
        "/..%5csecret.txt".into(),
        "/..\\secret.txt".into(),
        "/%252e%252e/secret.txt".into(),
        "//etc/passwd".into(),
        format!("/{root}/secret.txt"),
        format!("{root}/secret.txt"),
        "http://evil.example/secret.txt".into(),
        "/content/secret.txt".into(),
        "/static/%00../../secret.txt".into(),
        "/./secret.txt".into(),
        "/%c0%ae%c0%ae/secret.txt".into(),
    ];
    for target in &traversals {
        let response = server.get(target);
        assert!(
            matches!(response.status, 400 | 404),
            "{target}: status {}",
            response.status
        );
        assert!(
            !response.text().contains("TOP-SECRET"),
            "{target} leaked a file"
        );
    }

    // What is served is served right: types, ranges, 404 and folders.
    // (The runtime is named by its content.)
    let wasm_path = hindsight_search::runtime_files()
        .into_iter()
        .find(|(name, _)| name.ends_with(".wasm"))
        .map(|(name, _)| format!("/search/{name}"))
        .expect("a .wasm file");
    let wasm = server.get(&wasm_path);
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("Content-Type"), Some("application/wasm"));
    let part = request(server.address(), &wasm_path, &[("Range", "bytes=0-3")]);
    assert_eq!(part.status, 206);
    assert_eq!(part.body, b"\0asm");
    let len = wasm.body.len();
    assert_eq!(
        part.header("Content-Range"),
        Some(format!("bytes 0-3/{len}").as_str())
    );
    let beyond = format!("bytes={len}-");
    let unsatisfiable = request(server.address(), &wasm_path, &[("Range", &beyond)]);
    assert_eq!(unsatisfiable.status, 416);
    let css = server.get("/static/style.css");
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Page not found"));
    let folder = server.get("/incidents");
    assert_eq!(folder.status, 301);
    assert_eq!(folder.header("Location"), Some("/incidents/"));
}

#[test]
fn build_output_has_no_live_reload_script() {
    let site = Site::bundled();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = site.files("public");
    assert!(files.iter().any(|(path, _)| path.ends_with(".html")));
    for (path, bytes) in files {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("__hindsight"),
            "{path} has serve's live-reload script"
        );
    }
}
