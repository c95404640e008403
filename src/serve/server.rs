//! The HTTP/1.1 server under `hindsight serve` (and the browser tests'
//! static host): hyper on a small tokio runtime of its own. Every connection
//! is a task, so a client that stops reading, sends its head byte by byte or
//! holds an event stream open costs one task and its buffers, never another
//! client's turn. What bounds each connection:
//!
//! - a request head over [`MAX_HEAD`] bytes or [`MAX_HEADERS`] fields: 431,
//!   and the connection closes (hyper never buffers more than [`MAX_BUFFER`]);
//! - a head not complete [`HEAD_TIMEOUT`] after it began, or an idle
//!   keep-alive connection: closed (slow-header clients);
//! - an answer the client does not read for [`WRITE_TIMEOUT`]: closed;
//! - a client that closes its side: its task ends at once (event streams
//!   included), releasing the descriptor.
//!
//! When accepting fails (no descriptor left), the loop says so once, waits a
//! little longer each time, and keeps listening; connections wait in the
//! listen queue meanwhile.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_io_timeout::TimeoutStream;

/// A response body: a whole file, or an event stream.
pub type Body = UnsyncBoxBody<Bytes, Infallible>;

/// A body of known bytes.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed_unsync()
}

/// The largest request head (request line and header fields) answered.
pub const MAX_HEAD: usize = 32 * 1024;
/// The most header fields in one request.
pub const MAX_HEADERS: usize = 64;
/// What hyper reads ahead of a complete head (pipelined requests included).
const MAX_BUFFER: usize = 64 * 1024;
/// From the first byte of a request head (or the end of the previous
/// answer, on a kept-alive connection) to its last.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one write may wait for the client to read.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Waits before accepting again after a failed accept: the first, and the
/// longest (short, so that a freed descriptor is used within a second).
const BACKOFF: (Duration, Duration) = (Duration::from_millis(20), Duration::from_millis(320));

/// A running server; stops (closing every connection) when dropped.
pub struct Server {
    address: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
    stop: Option<oneshot::Sender<()>>,
}

impl Server {
    /// Listens on `address` (port 0: any free one) and answers each request
    /// with `handler`.
    pub fn start<H>(address: SocketAddr, handler: H) -> std::io::Result<Server>
    where
        H: Fn(Request<Incoming>) -> Response<Body> + Send + Sync + 'static,
    {
        // Two threads: answers are copies from memory; the builds run
        // beside them on the other cores.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hindsight-http")
            .enable_all()
            .build()?;
        let listener = runtime.block_on(TcpListener::bind(address))?;
        let address = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        let handler = Arc::new(handler);
        runtime.spawn(async move {
            tokio::select! {
                () = accept(listener, handler) => {}
                _ = stopped => {}
            }
        });
        Ok(Server {
            address,
            runtime: Some(runtime),
            stop: Some(stop),
        })
    }

    /// The address listened on (with the port chosen when 0 was asked).
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            // Open connections (event streams) are dropped with their tasks.
            runtime.shutdown_background();
        }
    }
}

/// Accepts connections until the task is dropped.
async fn accept<H>(listener: TcpListener, handler: Arc<H>)
where
    H: Fn(Request<Incoming>) -> Response<Body> + Send + Sync + 'static,
{
    let mut waiting: Option<Duration> = None;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                if waiting.take().is_some() {
                    eprintln!("serve: accepting connections again");
                }
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, handler.clone()));
            }
            // The client gave up before it was accepted: nothing to wait for.
            Err(e) if is_client_gone(&e) => {}
            Err(e) => {
                let wait = match waiting {
                    None => {
                        eprintln!(
                            "warning: serve cannot accept connections: {e}; new connections wait until some close (raise the limit with `ulimit -n`)"
                        );
                        BACKOFF.0
                    }
                    Some(wait) => (wait * 2).min(BACKOFF.1),
                };
                waiting = Some(wait);
                tokio::time::sleep(wait).await;
            }
        }
    }
}

fn is_client_gone(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionReset, Interrupted};
    matches!(
        error.kind(),
        ConnectionAborted | ConnectionReset | Interrupted
    )
}

/// Serves one connection (any byte stream: a socket, or the fuzz target's
/// in-memory pipe) with the limits above, until either side closes it.
pub async fn connection<I, H>(io: I, handler: Arc<H>)
where
    I: AsyncRead + AsyncWrite + Send + 'static,
    H: Fn(Request<Incoming>) -> Response<Body> + Send + Sync + 'static,
{
    let mut io = TimeoutStream::new(io);
    io.set_write_timeout(Some(WRITE_TIMEOUT));
    let service = service_fn(move |request| {
        let response = handler(request);
        async move { Ok::<_, Infallible>(response) }
    });
    // Errors are the client's (a bad head, a timeout, a reset): hyper has
    // answered what can be answered (400, 431), and the connection ends.
    let _ = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_buf_size(MAX_BUFFER)
        .max_header_size(MAX_HEAD)
        .max_headers(MAX_HEADERS)
        .serve_connection(TokioIo::new(Box::pin(io)), service)
        .await;
}
