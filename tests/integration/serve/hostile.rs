//! Clients that misbehave (issue 18, items 12–19), against the real binary.
//! While each one does its worst, other clients must still be answered
//! within [`QUICK`]; every case prints the slowest answer it measured
//! (`cargo test serve::hostile -- --nocapture` shows them).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{
    Events, INCIDENT, INCIDENT_PAGE, NEW_TITLE, OLD_TITLE, Response, Server, WAIT, event_stream,
    exchange,
};
use crate::support::{Site, copy_dir};

/// How soon another client must be answered while one misbehaves.
const QUICK: Duration = Duration::from_secs(1);

/// What a browser asks for: pages, a style sheet, the ~1 MB search runtime.
fn targets() -> [String; 5] {
    [
        "/".to_string(),
        "/incidents/".to_string(),
        INCIDENT_PAGE.to_string(),
        "/static/style.css".to_string(),
        runtime_target(),
    ]
}

/// The search runtime's address (its name carries its content hash).
fn runtime_target() -> String {
    let (name, _) = hindsight_search::runtime_files()
        .into_iter()
        .find(|(name, _)| name.ends_with(".wasm"))
        .expect("the runtime has a .wasm file");
    format!("/search/{name}")
}

/// `hindsight serve` on a copy of the bundled site (the server is dropped
/// first, before the site's folder goes).
fn serving() -> (Server, Site) {
    let site = Site::bundled();
    (Server::start(&site, &[]), site)
}

/// A well-behaved `GET target`: answered with 200 within [`QUICK`]; the
/// time it took.
fn quick_get(address: &str, target: &str) -> Duration {
    let started = Instant::now();
    let response = exchange(address, &get(address, target), QUICK * 2);
    let took = started.elapsed();
    assert_eq!(response.status, 200, "{target}");
    assert!(took < QUICK, "{target} took {took:?}");
    took
}

fn get(host: &str, target: &str) -> String {
    format!("GET {target} HTTP/1.0\r\nHost: {host}\r\n\r\n")
}

/// Every one of [`targets`] asked at once, each by a client of its own:
/// the slowest answer.
fn others_answered(address: &str) -> Duration {
    std::thread::scope(|scope| {
        let clients: Vec<_> = targets()
            .into_iter()
            .map(|target| scope.spawn(move || quick_get(address, &target)))
            .collect();
        clients
            .into_iter()
            .map(|c| c.join().unwrap())
            .max()
            .unwrap()
    })
}

/// Reads from an event stream until its first event-stream line: the server
/// has taken the connection.
fn read_stream_head(stream: &mut TcpStream) {
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut seen = Vec::new();
    let mut buffer = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("retry:") {
        let n = stream.read(&mut buffer).expect("the event stream's head");
        assert!(n > 0, "the event stream closed");
        seen.extend_from_slice(&buffer[..n]);
    }
}

/// Polls `done` until it holds; how long that took (at most `limit`).
fn within(limit: Duration, what: &str, done: impl Fn() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "not within {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
    started.elapsed()
}

fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1e3)
}

/// Item 12: a connection that pipelines 20 requests for the runtime and
/// never reads the answers.
#[test]
fn a_client_that_pipelines_and_never_reads_blocks_no_one() {
    let (server, _site) = serving();
    let address = server.address();
    let runtime = runtime_target();
    let size = server.get(&runtime).body.len();
    assert!(size > 500_000, "the runtime is {size} bytes");

    let mut hog = TcpStream::connect(address).unwrap();
    let request = format!("GET {runtime} HTTP/1.1\r\nHost: {address}\r\n\r\n");
    hog.write_all(request.repeat(20).as_bytes()).unwrap();
    // Long enough for the server to fill the socket buffers and wait.
    std::thread::sleep(Duration::from_millis(300));
    let slowest = (0..3).map(|_| others_answered(address)).max().unwrap();
    eprintln!(
        "item 12: a client pipelining 20 × {size} bytes unread; the slowest of 15 other requests: {}",
        ms(slowest)
    );
    drop(hog);
}

/// Item 13: live-reload clients that never read, while failed rebuilds
/// broadcast diagnostics of megabytes (more than their sockets hold).
#[test]
fn a_live_reload_client_that_never_reads_blocks_neither_requests_nor_rebuilds() {
    let (server, site) = serving();
    let address = server.address();
    let stuck: Vec<TcpStream> = (0..4).map(|_| event_stream(address)).collect();
    let events = Events::open(&server);

    let files: Vec<String> = site
        .files("content")
        .into_iter()
        .map(|(path, _)| format!("content/{path}"))
        .filter(|path| path.ends_with(".md"))
        .take(5)
        .collect();
    let originals: Vec<String> = files.iter().map(|f| site.read(f)).collect();
    let mut slowest = Duration::ZERO;
    for round in 0..3 {
        // An unknown severity of 200 KB: its diagnostic quotes it twice.
        let severity = format!("severity: SEV{round}{}\nseverity_was:", "x".repeat(200_000));
        for (file, text) in files.iter().zip(&originals) {
            site.write(file, text.replacen("severity:", &severity, 1));
        }
        events.wait_for("event: build-error", &server);
        let event = events.wait_for("\n\n", &server);
        assert!(event.len() > 1_000_000, "{} bytes", event.len());
        slowest = slowest.max(others_answered(address));
    }
    // Fixed, with a new title: rebuilt, and reloaded.
    for (file, text) in files.iter().zip(&originals) {
        site.write(file, text);
    }
    site.write(INCIDENT, site.read(INCIDENT).replace(OLD_TITLE, NEW_TITLE));
    let started = Instant::now();
    server.wait_for(INCIDENT_PAGE, "the new title", |r| {
        r.text().contains(NEW_TITLE)
    });
    let rebuilt = started.elapsed();
    events.wait_for("event: reload", &server);
    slowest = slowest.max(others_answered(address));
    eprintln!(
        "item 13: 4 event streams unread, 3 failed rebuilds of > 1 MB diagnostics each; the slowest of 20 other requests: {}; the fix served {} after it was saved",
        ms(slowest),
        ms(rebuilt)
    );
    drop(stuck);
}

/// Item 14: closed event streams give their descriptors back at once, and
/// running out of descriptors is said and outlived (the server runs with
/// a limit of 64).
#[cfg(target_os = "linux")]
#[test]
fn running_out_of_descriptors_never_stops_the_server() {
    use std::os::unix::process::CommandExt;
    const LIMIT: u64 = 64;
    let site = Site::bundled();
    let server = Server::start_with(&site, &[], |command| {
        // SAFETY: only setrlimit, which is async-signal-safe, runs between
        // fork and exec.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: LIMIT,
                    rlim_max: LIMIT,
                };
                match libc::setrlimit(libc::RLIMIT_NOFILE, &limit) {
                    0 => Ok(()),
                    _ => Err(std::io::Error::last_os_error()),
                }
            });
        }
    });
    let address = server.address();
    let open = || {
        std::fs::read_dir(format!("/proc/{}/fd", server.pid()))
            .unwrap()
            .count()
    };
    let idle = open();

    let mut streams: Vec<TcpStream> = (0..10).map(|_| event_stream(address)).collect();
    for stream in &mut streams {
        read_stream_head(stream);
    }
    assert!(open() >= idle + 10, "{} open, {idle} idle", open());
    drop(streams);
    let released = within(QUICK, "closed event streams released", || open() <= idle);

    // More streams than descriptors: accepting fails, and is said.
    let flood: Vec<TcpStream> = (0..LIMIT + 16).map(|_| event_stream(address)).collect();
    server.wait_for_output("cannot accept connections");
    assert!(open() as u64 >= LIMIT - 1, "{} open", open());
    drop(flood);
    let answered = quick_get(address, "/");
    server.wait_for_output("accepting connections again");
    let recovered = within(QUICK, "every descriptor back", || open() <= idle);
    let slowest = others_answered(address);
    eprintln!(
        "item 14: 10 closed event streams released in {}; after {} streams ran the server out of descriptors and closed, a page was answered in {} and every descriptor was back in {}; then the slowest of 5 requests: {}",
        ms(released),
        LIMIT + 16,
        ms(answered),
        ms(recovered),
        ms(slowest)
    );
}

/// Item 15: heads too large are refused (414, 431) without being kept, and
/// heads sent a byte at a time hold no one else up.
#[test]
fn oversized_and_slow_request_heads_are_refused_without_holding_others() {
    let (server, _site) = serving();
    let address = server.address();

    let long_url = get(address, &format!("/{}", "a".repeat(20_000)));
    assert_eq!(exchange(address, &long_url, QUICK).status, 414);
    let big_header = format!(
        "GET / HTTP/1.0\r\nHost: {address}\r\nX-Big: {}\r\n\r\n",
        "b".repeat(40_000)
    );
    assert_eq!(exchange(address, &big_header, QUICK).status, 431);
    let fields: String = (0..100).map(|i| format!("X-{i}: v\r\n")).collect();
    let many = format!("GET / HTTP/1.0\r\nHost: {address}\r\n{fields}\r\n");
    assert_eq!(exchange(address, &many, QUICK).status, 431);

    // Four endless heads (200 MB each, if the server took them): cut off
    // after a few kilobytes, and nothing is kept once they are gone.
    let rss = || rss_kib(server.pid());
    let before = rss();
    let sent: Vec<usize> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| endless_head(address, 200 << 20)))
            .collect();
        clients.into_iter().map(|c| c.join().unwrap()).collect()
    });
    let after = rss();
    let most = *sent.iter().max().unwrap();
    assert!(most < 64 << 20, "the server read {most} bytes of one head");
    assert!(
        after < before + 32 * 1024,
        "memory grew from {before} to {after} KiB"
    );

    // Slow heads: 32 clients sending a byte every 100 ms.
    let stop = AtomicBool::new(false);
    let slowest = std::thread::scope(|scope| {
        for _ in 0..32 {
            scope.spawn(|| slow_head(address, &stop));
        }
        std::thread::sleep(Duration::from_millis(200));
        let slowest = (0..3).map(|_| others_answered(address)).max().unwrap();
        stop.store(true, Ordering::Relaxed);
        slowest
    });
    eprintln!(
        "item 15: 4 endless heads were cut off after at most {} KiB each, server memory {before} → {after} KiB; with 32 slow heads, the slowest of 15 other requests: {}",
        most >> 10,
        ms(slowest)
    );
}

/// Sends one header without end, up to `limit` bytes, until the server
/// closes the connection; the bytes it took.
fn endless_head(address: &str, limit: usize) -> usize {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let chunk = vec![b'b'; 1 << 20];
    let mut sent = 0;
    let head = format!("GET / HTTP/1.1\r\nHost: {address}\r\nX-Big: ");
    if stream.write_all(head.as_bytes()).is_err() {
        return sent;
    }
    while sent < limit {
        match stream.write(&chunk) {
            Ok(n) => sent += n,
            Err(e) => {
                assert_ne!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock,
                    "the server neither read nor closed"
                );
                break;
            }
        }
    }
    sent
}

/// A head sent one byte every 100 ms, until `stop`.
fn slow_head(address: &str, stop: &AtomicBool) {
    let mut stream = TcpStream::connect(address).unwrap();
    let head = format!("GET / HTTP/1.1\r\nHost: {address}\r\nX-Slow: ");
    for byte in head.bytes().chain(std::iter::repeat(b's')) {
        if stop.load(Ordering::Relaxed) || stream.write_all(&[byte]).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Item 16: a request naming another host (DNS rebinding) learns nothing,
/// internal incidents included; `--bind` and `--allow-host` widen the list.
#[test]
fn only_loopback_names_and_the_bound_address_are_answered() {
    let site = Site::bundled();
    let server = Server::start(&site, &["--include-internal"]);
    let address = server.address();
    let port = address.rsplit(':').next().unwrap();
    let with_host = |host: &str, target: &str| exchange(address, &get(host, target), QUICK);
    let home = with_host(address, "/");
    assert_eq!(home.status, 200);

    let refused = |response: Response, what: &str| {
        assert_eq!(response.status, 403, "{what}");
        assert!(
            !response.text().contains('<'),
            "{what}: {}",
            response.text()
        );
    };
    for host in [
        format!("evil.example:{port}"),
        "evil.example".into(),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("localhost@evil.example:{port}"),
        format!("192.168.1.20:{port}"),
    ] {
        for target in [
            "/",
            INCIDENT_PAGE,
            "/incidents.json",
            "/__hindsight/live-reload",
        ] {
            refused(with_host(&host, target), &format!("{host} {target}"));
        }
    }
    let without_host = exchange(address, "GET / HTTP/1.0\r\n\r\n", QUICK);
    refused(without_host, "no Host");
    for host in [
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("docs.localhost:{port}"),
        format!("[::1]:{port}"),
        format!("127.0.0.2:{port}"),
    ] {
        let answer = with_host(&host, "/");
        assert_eq!(answer.status, 200, "{host}");
        assert_eq!(answer.body, home.body, "{host}");
    }

    let wide = Server::start(&site, &["--bind", "0.0.0.0", "--allow-host", "devbox.lan"]);
    wide.wait_for_output("which other machines can reach");
    let port = wide.address().rsplit(':').next().unwrap();
    let local = format!("127.0.0.1:{port}");
    for host in [format!("192.0.2.7:{port}"), format!("devbox.lan:{port}")] {
        assert_eq!(
            exchange(&local, &get(&host, "/"), QUICK).status,
            200,
            "{host}"
        );
    }
    refused(
        exchange(&local, &get("evil.example", "/"), QUICK),
        "evil.example, bound to all addresses",
    );
}

/// Item 17: `content/` removed and restored (copied back, or renamed away
/// and back): warned about meanwhile, watched again after.
#[test]
fn removing_and_restoring_content_watches_it_again() {
    let (server, site) = serving();
    let address = server.address();
    let content = site.root().join("content");
    let backup = tempfile::tempdir().unwrap();
    copy_dir(&content, backup.path());
    let source = site.read(INCIDENT);

    std::fs::remove_dir_all(&content).unwrap();
    server.wait_for_output("warning: content/ was removed");
    let meanwhile = others_answered(address);
    copy_dir(backup.path(), &content);
    server.wait_for_output("content/ is there again");
    site.write(INCIDENT, source.replace(OLD_TITLE, NEW_TITLE));
    server.wait_for(INCIDENT_PAGE, "the new title", |r| {
        r.text().contains(NEW_TITLE)
    });

    // Renamed away and back: the same folder, whose watch was dropped.
    let away = site.root().join("content.away");
    std::fs::rename(&content, &away).unwrap();
    server.wait_for_count("warning: content/ was removed", 2);
    std::fs::rename(&away, &content).unwrap();
    server.wait_for_count("content/ is there again", 2);
    site.write(INCIDENT, source.replace(OLD_TITLE, "Renamed-back title"));
    server.wait_for(INCIDENT_PAGE, "the second new title", |r| {
        r.text().contains("Renamed-back title")
    });
    let after = others_answered(address);
    eprintln!(
        "item 17: while content/ was gone, the slowest of 5 requests: {}; after it came back: {}",
        ms(meanwhile),
        ms(after)
    );
}

/// Item 18: on a fresh start, 20 event streams and 20 page requests at once
/// (a browser restoring 20 tabs).
#[test]
fn page_requests_on_a_fresh_start_are_not_starved_by_live_reload_streams() {
    let (server, _site) = serving();
    let address = server.address();
    let start = Barrier::new(40);
    let (slowest, streams) = std::thread::scope(|scope| {
        let streams: Vec<_> = (0..20)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    let mut stream = event_stream(address);
                    read_stream_head(&mut stream);
                    stream
                })
            })
            .collect();
        let pages: Vec<_> = (0..20)
            .map(|i| {
                let start = &start;
                scope.spawn(move || {
                    start.wait();
                    let targets = targets();
                    quick_get(address, &targets[i % targets.len()])
                })
            })
            .collect();
        let slowest = pages.into_iter().map(|p| p.join().unwrap()).max();
        let streams: Vec<TcpStream> = streams.into_iter().map(|s| s.join().unwrap()).collect();
        (slowest.unwrap(), streams)
    });
    eprintln!(
        "item 18: {} event streams and 20 page requests at once; the slowest page: {}",
        streams.len(),
        ms(slowest)
    );
}

/// Item 19: methods are checked before paths, live-reload paths included.
#[test]
fn methods_other_than_get_and_head_are_refused_on_every_path() {
    let (server, _site) = serving();
    let address = server.address();
    for target in [
        "/__hindsight/live-reload",
        "/__hindsight/live-reload.js",
        "/",
        INCIDENT_PAGE,
        "/no/such/page",
    ] {
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let head = format!(
                "{method} {target} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let started = Instant::now();
            let answer = exchange(address, &head, QUICK);
            assert!(started.elapsed() < QUICK, "{method} {target}");
            assert_eq!(answer.status, 405, "{method} {target}");
            assert_eq!(
                answer.header("Allow"),
                Some("GET, HEAD"),
                "{method} {target}"
            );
        }
    }
    let head = exchange(
        address,
        &format!("HEAD / HTTP/1.0\r\nHost: {address}\r\n\r\n"),
        QUICK,
    );
    assert_eq!((head.status, head.body.len()), (200, 0));
}
