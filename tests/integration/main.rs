//! One integration-test binary (one link step on slow machines): every module
//! drives the real `hindsight` binary on fixture sites in temporary folders.

mod support;

mod browser;
mod build;
mod check;
mod cli;
mod findability;
// Symlinks, signals and mounts: Unix only.
#[cfg(unix)]
mod hardening;
mod import;
mod init;
mod metrics;
mod new;
mod pages;
mod pagination;
mod search;
mod serve;
mod similarity;
