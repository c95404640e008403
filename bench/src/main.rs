//! `hindsight-bench`: benchmark helpers for hindsight (see BENCHMARKS.md).

mod code;
mod corpus;
mod hostile;
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
    /// Writes one hostile input of size n (see bench/hostile.sh), or with
    /// --list prints every kind as `name n command`.
    Hostile {
        /// The kind of input, e.g. `references`.
        #[arg(required_unless_present = "list")]
        kind: Option<String>,
        /// Its size [default: the kind's own].
        #[arg(long)]
        n: Option<usize>,
        /// Folder for the knowledge base; must be empty or new.
        #[arg(long, required_unless_present = "list")]
        out: Option<PathBuf>,
        /// Print the kinds instead.
        #[arg(long)]
        list: bool,
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
        Command::Hostile { kind, n, out, list } => {
            if list {
                for kind in hostile::KINDS {
                    println!("{} {} {} {}", kind.name, kind.n, kind.command, kind.what);
                }
                return Ok(());
            }
            let (Some(name), Some(out)) = (kind, out) else {
                anyhow::bail!("give a kind and --out");
            };
            let Some(kind) = hostile::kind(&name) else {
                anyhow::bail!("unknown kind `{name}`; see --list");
            };
            if out.exists() && std::fs::read_dir(&out)?.next().is_some() {
                anyhow::bail!("{} is not empty", out.display());
            }
            for (rel, text) in (kind.generate)(n.unwrap_or(kind.n)) {
                let path = out.join(rel);
                std::fs::create_dir_all(path.parent().expect("files are in content/"))?;
                std::fs::write(path, text)?;
            }
        }
    }
    Ok(())
}
