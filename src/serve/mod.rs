//! What `hindsight serve` runs on: the HTTP server ([`server`]), what it
//! answers ([`routes`]: the `Host` check in [`hosts`], site files from
//! memory in [`http`]), live reload over server-sent events ([`live`]) and
//! the file watcher ([`watch`]). `commands::serve` drives them; the build
//! itself is the pipeline's ([`crate::pipeline::rebuild`]).

pub mod hosts;
pub mod http;
pub(crate) mod live;
pub mod routes;
pub mod server;
pub(crate) mod watch;
