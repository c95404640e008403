//! What `hindsight serve` runs on: an HTTP server for the site held in
//! memory ([`http`]), live reload over server-sent events ([`live`]) and the
//! file watcher ([`watch`]). `commands::serve` drives them; the build itself
//! is the pipeline's ([`crate::pipeline::rebuild`]).

pub mod http;
pub mod live;
pub mod watch;
