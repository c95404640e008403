//! `hindsight-bench`: benchmark helpers for hindsight (see BENCHMARKS.md).

mod code;
mod corpus;
mod sites;
mod vocab;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes a deterministic corpus of realistic postmortems as a hindsight
    /// knowledge base (and optionally as the equivalent Hugo site).
    Gen {
        /// Number of postmortems.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// The same seed gives the same corpus.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder for the knowledge base (`hindsight.yaml`, `content/`); must be empty or new.
        #[arg(long)]
        out: PathBuf,
        /// Folder for the equivalent Hugo site; must be empty or new.
        #[arg(long)]
        hugo: Option<PathBuf>,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Gen {
            count,
            seed,
            out,
            hugo,
        } => {
            let corpus = corpus::generate(count, seed);
            sites::write_hindsight(&out, &corpus)?;
            if let Some(hugo) = &hugo {
                sites::write_hugo(hugo, &corpus)?;
            }
            let bytes: usize = corpus.iter().map(|p| p.body.len()).sum();
            println!(
                "Wrote {count} postmortems (seed {seed}, {} KiB of Markdown bodies) into {}{}",
                bytes / 1024,
                out.display(),
                hugo.map(|h| format!(" and {}", h.display()))
                    .unwrap_or_default()
            );
        }
    }
    Ok(())
}
