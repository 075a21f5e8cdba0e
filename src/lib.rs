//! cargo guild: a Git-native toolkit for communities of practice.
//!
//! The folders follow the one flow of DESIGN.md:
//! `sources` (git, GitHub, docs) → `events` (the ledger, identities) → `analysis`
//! (pure functions of events and config) → `snapshot` (the serialisable contract) →
//! `render` (terminal, JSON/CSV, site, comment). `cmd` holds one module per subcommand and
//! `config` is the only place that knows YAML.

pub mod analysis;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod events;
pub mod exit;
pub mod render;
pub mod session;
pub mod snapshot;
pub mod sources;
pub mod util;

/// Runs the command line and returns the process exit code (0 ok, 1 findings, 2 error).
pub fn main_entry() -> u8 {
    exit::run(std::env::args_os().collect())
}
