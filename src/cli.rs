//! Command-line interface (docs/cli.md).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "hindsight",
    version,
    about = "Turn a folder of postmortems into a searchable incident knowledge base"
)]
pub struct Cli {
    /// Folder holding hindsight.yaml, content/ and optionally theme/
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder
    Build(BuildArgs),
    /// Build, serve on loopback, rebuild on changes and live-reload open pages
    #[command(mut_arg("out", |arg| arg.help(
        "Also write every good build to this folder [default: write nothing to disk]"
    )))]
    Serve(ServeArgs),
    /// Validate the content without writing anything (for CI)
    Check(CheckArgs),
    /// Write a new postmortem from the theme's template with the next free id
    New(NewArgs),
    /// Convert legacy postmortems without front matter into front-matter files
    Import(ImportArgs),
    /// Query the built search index with the engine the browser uses
    Search(SearchArgs),
    /// Scaffold a new knowledge base: config, a sample postmortem, CI workflows
    Init(InitArgs),
}

#[derive(Debug, Args, Clone)]
pub struct BuildArgs {
    /// Output folder [default: public/ in the root]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Absolute URL the site is published at (overrides base_url in hindsight.yaml)
    #[arg(long, value_name = "URL", value_parser = parse_base_url_arg)]
    pub base_url: Option<String>,
    /// Include drafts
    #[arg(long)]
    pub drafts: bool,
    /// Include incidents with `visibility: internal`
    #[arg(long)]
    pub include_internal: bool,
    /// Treat warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// Package search so it works when the site is opened from disk (file://)
    #[arg(long)]
    pub offline: bool,
    /// The date to treat as today, YYYY-MM-DD (for overdue action items)
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    pub now: Option<jiff::civil::Date>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port; the address is printed)
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on; the default serves this machine only
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub bind: String,
    /// Also answer requests addressed to this host name (a proxy's, or this
    /// machine's on the network); by default only localhost, loopback
    /// addresses and the --bind address are answered. Repeatable
    #[arg(long, value_name = "NAME")]
    pub allow_host: Vec<String>,
    #[command(flatten)]
    pub build: BuildArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Compiler-style diagnostics with the offending line
    Human,
    /// One JSON array: path, line, column, severity, code, message, hint
    Json,
    /// GitHub Actions workflow commands: annotations on the pull request
    Github,
    /// A GitLab Code Quality report (JSON): findings in the merge request
    Gitlab,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// How to print findings: for people, as one JSON array, or for CI
    /// (GitHub annotations, a GitLab Code Quality report) to mark the lines of
    /// a pull or merge request
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// The date to treat as today, YYYY-MM-DD
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    pub now: Option<jiff::civil::Date>,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Title of the postmortem
    pub title: String,
    /// Severity: a configured level or one of its aliases (SEV2, P2, High…)
    #[arg(long)]
    pub severity: Option<String>,
    /// Affected service (repeat for several)
    #[arg(long = "service", value_name = "SERVICE")]
    pub services: Vec<String>,
    /// The incident's date, YYYY-MM-DD [default: today]; also picks the id's year
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    pub date: Option<jiff::civil::Date>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Legacy postmortems to convert: Markdown files, or folders of .md/.txt files
    #[arg(required = true, value_name = "SRC")]
    pub sources: Vec<PathBuf>,
    /// Where to write the converted files [default: content/imported/ in the root]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print what would be written without writing
    #[arg(long)]
    pub dry_run: bool,
    /// Also convert documents that look like unfilled templates
    #[arg(long)]
    pub include_templates: bool,
    /// `json` prints the report as one JSON document, for scripts
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query, in the syntax of the search box
    #[arg(required = true)]
    pub query: Vec<String>,
    /// The built site to search [default: public/ in the root]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print JSON: a list of {id, title, url, score, snippet}
    #[arg(long)]
    pub json: bool,
    /// How many results to print at most
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create the knowledge base in (created if missing)
    pub dir: PathBuf,
    /// Hides the global `--root` from `init --help`: init takes its folder as
    /// DIR (a subcommand's own argument stops clap propagating the global one).
    #[arg(long, hide = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

fn parse_date_arg(text: &str) -> Result<jiff::civil::Date, String> {
    let date: jiff::civil::Date = text
        .parse()
        .map_err(|_| format!("`{text}` is not a date; use YYYY-MM-DD"))?;
    let years = crate::incident::timeparse::YEARS;
    if !crate::incident::timeparse::date_in_range(date) {
        return Err(format!(
            "`{text}` is outside the years {} to {}",
            years.start(),
            years.end()
        ));
    }
    Ok(date)
}

fn parse_base_url_arg(text: &str) -> Result<String, String> {
    crate::config::parse_base_url(text).map_err(|e| format!("{}; {}", e.message, e.hint))
}
