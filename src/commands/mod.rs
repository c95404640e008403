//! The commands behind the CLI: thin glue over the pipeline stages, plus
//! everything that talks to the terminal (diagnostics, progress, summary).

mod build;
mod check;
mod error;
mod import;
mod init;
mod new;
pub(crate) mod report;
mod search;
mod serve;

use std::process::ExitCode;

use clap::Parser;
use jiff::civil::Date;

pub(crate) use self::error::{Error, Exit};
use crate::cli::{Cli, Command};

/// Parses the command line and runs the command; the one place a failed
/// command is reported.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    report::show_paths_from(&cli.root);
    if !matches!(cli.command, Command::Serve(_)) {
        end_quietly_on_closed_pipes();
    }
    // A theme override is code: one that renders on and on stops the run.
    crate::render::theme::on_runaway(|diagnostic| {
        report::diagnostics(&[diagnostic]);
        eprintln!("Stopped: a theme template kept rendering; nothing was written.");
        std::process::exit(2);
    });
    let result = match cli.command {
        Command::Build(args) => build::run(&cli.root, &args),
        Command::Serve(args) => serve::run(&cli.root, &args),
        Command::Check(args) => check::run(&cli.root, &args),
        Command::New(args) => new::run(&cli.root, &args),
        Command::Import(args) => import::run(&cli.root, &args),
        Command::Search(args) => search::run(&cli.root, &args),
        Command::Init(args) => init::run(&cli.root, &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report::failure(&error);
            error.exit.into()
        }
    }
}

/// `date`, or today in the local time zone.
fn today_or(date: Option<Date>) -> Date {
    date.unwrap_or_else(|| jiff::ZonedDateTime::now().date())
}

/// `hindsight search … | head`: when the reader closes the pipe, end quietly
/// as Unix tools do (killed by SIGPIPE) instead of panicking in `println!`
/// (Rust ignores SIGPIPE, which turns the write into an error). `serve`
/// keeps ignoring it: a browser closing a connection must not end it.
fn end_quietly_on_closed_pipes() {
    #[cfg(unix)]
    // SAFETY: restores the default action of one signal before any thread
    // starts; no handler runs Rust code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
