//! One module per subcommand, each with one entry point `execute`: options → session
//! (`crate::session`) → snapshot → renderer. What they share beyond that: `--since`,
//! buffered standard output and JSON printing.

pub mod action;
pub mod compare;
pub mod context;
pub mod docs;
pub mod domains;
pub mod endorse;
pub mod explain;
pub mod export;
pub mod init;
pub mod network;
pub mod new;
pub mod newcomers;
pub mod paths;
pub mod reputation;
pub mod rotate;
pub mod site;
pub mod suggest_reviewers;
pub mod sync;
pub mod trends;
pub mod whois;

use anyhow::Context as _;

use crate::cli::{Cli, Command};
use crate::exit::Outcome;
pub use crate::session::Session;

/// Dispatches to the subcommand.
pub fn execute(cli: Cli) -> anyhow::Result<Outcome> {
    let g = cli.global;
    match cli.command {
        Command::Init(a) => init::execute(&g, a),
        Command::Reputation(a) => reputation::execute(&g, a),
        Command::Explain(a) => explain::execute(&g, a),
        Command::Whois(a) => whois::execute(&g, a),
        Command::Rotate(a) => rotate::execute(&g, a),
        Command::Paths(a) => paths::execute(&g, a),
        Command::Endorse(a) => endorse::execute(&g, a),
        Command::Context(a) => context::execute(&g, a),
        Command::Export(a) => export::execute(&g, a),
        Command::Network(a) => network::execute(&g, a),
        Command::Domains(a) => domains::execute(&g, a),
        Command::Newcomers(a) => newcomers::execute(&g, a),
        Command::Trends(a) => trends::execute(&g, a),
        Command::Compare(a) => compare::execute(&g, a),
        Command::SuggestReviewers(a) => suggest_reviewers::execute(&g, a),
        Command::Sync(a) => sync::execute(&g, a),
        Command::New(a) => new::execute(&g, a),
        Command::Docs(a) => docs::execute(&g, a),
        Command::Site(a) => site::execute(&g, a),
        Command::Action(a) => action::execute(&g, a),
    }
}

/// Parses `--since` into Unix seconds.
pub fn since(s: Option<&str>) -> anyhow::Result<Option<i64>> {
    s.map(|d| crate::util::parse_date(d).context("in --since"))
        .transpose()
}

/// Standard output, buffered: a locked stdout alone flushes at every newline, one system
/// call per line of a table or of pretty JSON. Callers flush at the end.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock())
}

/// Writes JSON (pretty, trailing newline) to stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = stdout();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}
