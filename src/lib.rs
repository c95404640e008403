//! hindsight: a static-site generator for incident postmortems.
//!
//! Data flows one way: [`load`] → [`incident`] → [`link`] → ([`metrics`] → [`render`] ∥
//! [`search_index`]) → [`write`],
//! driven by [`pipeline`]; [`commands`] is the thin layer the binary calls.

// Diagnostics are rich values carried on cold paths; boxing them buys nothing.
#![allow(clippy::result_large_err)]

// The library's public face: what the binary runs (`commands::run`), what
// the fuzz targets (fuzz/) drive directly (the pure stages that read what
// people write, the whole build in memory, serve's routes and connections),
// and the HTTP pieces of `serve` that the browser tests' static server reuses. Everything else is the crate's own.
pub mod commands;
pub mod config;
pub mod import;
pub mod incident;
pub mod load;
pub mod render;
pub mod scan;
pub mod serve;

pub(crate) mod cache;
pub(crate) mod check;
pub(crate) mod cli;
pub(crate) mod diagnostics;
pub(crate) mod field;
pub(crate) mod link;
pub(crate) mod metrics;
pub(crate) mod pipeline;
pub(crate) mod profile;
pub(crate) mod prose;
pub(crate) mod quarter;
pub(crate) mod scaffold;
pub(crate) mod search_index;
pub(crate) mod similar;
pub(crate) mod slug;
pub(crate) mod terminal;
pub(crate) mod write;

pub use pipeline::{BuildOptions, build_in_memory};
