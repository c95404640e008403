//! The commands behind the CLI: thin glue over the pipeline stages, plus
//! everything that talks to the terminal (diagnostics, progress, summary).

mod build;
mod check;
mod import;
mod init;
mod new;
pub mod report;
mod search;
mod serve;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// Exit codes of SPEC §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success,
    /// Invalid postmortems, failed checks.
    ContentErrors,
    /// Usage or configuration errors.
    UsageOrConfig,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        match exit {
            Exit::Success => ExitCode::SUCCESS,
            Exit::ContentErrors => ExitCode::from(1),
            Exit::UsageOrConfig => ExitCode::from(2),
        }
    }
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
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
        Command::Init(args) => init::run(&args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(error) => {
            report::error(&format!("{error:#}"), None);
            Exit::UsageOrConfig.into()
        }
    }
}
