//! hindsight: a static-site generator for incident postmortems.
//!
//! Data flows one way: [`load`] → [`incident`] → [`link`] → ([`metrics`] → [`render`] ∥
//! [`search_index`]) → [`write`],
//! driven by [`pipeline`]; [`commands`] is the thin layer the binary calls.

// Diagnostics are rich values carried on cold paths; boxing them buys nothing.
#![allow(clippy::result_large_err)]

pub mod cache;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnostics;
pub mod field;
pub mod import;
pub mod incident;
pub mod link;
pub mod load;
pub mod metrics;
pub mod pipeline;
pub mod profile;
pub mod prose;
pub mod quarter;
pub mod render;
pub mod scaffold;
pub mod scan;
pub mod search_index;
pub mod serve;
pub mod slug;
pub mod write;
