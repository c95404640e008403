//! `hindsight serve`'s request handling, from raw bytes: one connection of
//! the real server (hyper with serve's limits and timeouts, and serve's
//! routes over a small site in memory) fed the input, then closed. Time is
//! paused and runs ahead whenever everything waits, so head and write
//! timeouts and never-ending event streams cost no real time.
//!
//! Besides "no panic, no hang": every answer starts with a status line of a
//! status serve gives, and when the first request parses, a `Host` that is
//! not allowed gets 403 whatever its method and path.
#![no_main]

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use hindsight::serve::hosts::Hosts;
use hindsight::serve::routes::Routes;
use hindsight::serve::server::connection;
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

static ROUTES: LazyLock<Arc<Routes>> = LazyLock::new(|| {
    let routes = Routes::new(Hosts::new("127.0.0.1".parse().unwrap(), &[]));
    let files: BTreeMap<String, Vec<u8>> = [
        ("index.html", "<!doctype html><html><body><h1>home</h1></body></html>"),
        ("incidents/index.html", "<html><body>incidents</body></html>"),
        ("incidents/inc-1/index.html", "<html><body>INC-1</body></html>"),
        ("404.html", "<html><body>Page not found</body></html>"),
        ("static/style.css", "body { margin: 0 }"),
        ("search/index.pack", "0123456789abcdef"),
        ("feed.xml", "<feed/>"),
    ]
    .into_iter()
    .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
    .collect();
    routes.site.replace(Arc::new(files));
    Arc::new(routes)
});

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
});

/// Statuses serve and hyper's own error answers give.
const STATUSES: [u16; 11] = [200, 206, 301, 400, 403, 404, 405, 414, 416, 431, 503];

fuzz_target!(|input: &[u8]| {
    let output = RUNTIME.block_on(exchange(input));
    if output.is_empty() {
        return;
    }
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    // A head of more fields than that is not one serve writes.
    let parsed = response.parse(&output).expect("a response head");
    let status = response.code.expect("a status line");
    assert!(
        parsed.is_complete() && STATUSES.contains(&status),
        "status {status}: {:?}",
        String::from_utf8_lossy(&output[..output.len().min(300)])
    );
    if let Some(false) = first_host_allowed(input)
        && !matches!(status, 400 | 414 | 431)
    {
        assert_eq!(status, 403, "a Host that is not allowed");
    }
});

/// Serves one connection that receives `input` and is then closed by the
/// client; everything the server wrote.
async fn exchange(input: &[u8]) -> Vec<u8> {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let routes = ROUTES.clone();
    let served = tokio::spawn(connection(
        server,
        Arc::new(move |request| routes.respond(&request)),
    ));
    let (mut from_server, mut to_server) = tokio::io::split(client);
    let send = async {
        let _ = to_server.write_all(input).await;
        let _ = to_server.shutdown().await;
    };
    let mut output = Vec::new();
    let receive = async {
        let mut buffer = [0u8; 8192];
        while let Ok(n @ 1..) = from_server.read(&mut buffer).await {
            output.extend_from_slice(&buffer[..n]);
        }
    };
    // An event stream never ends by itself: a minute of (paused) time.
    let _ = tokio::time::timeout(Duration::from_secs(60), async {
        tokio::join!(send, receive)
    })
    .await;
    served.abort();
    output
}

/// Whether the first request's `Host` is allowed, when it parses.
fn first_host_allowed(input: &[u8]) -> Option<bool> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    if !request.parse(input).ok()?.is_complete() {
        return None;
    }
    let host = request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("host"))
        .map(|h| std::str::from_utf8(h.value).ok());
    Some(match host {
        None => false,
        Some(None) => return None,
        Some(Some(host)) => Hosts::new("127.0.0.1".parse().unwrap(), &[]).allows(host),
    })
}
