//! `cargo guild domains`: not built yet (see the open issues).

use crate::cli::{DomainsArgs, GlobalOpts};
use crate::exit::Outcome;

pub fn execute(_global: &GlobalOpts, _args: DomainsArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`cargo guild domains` is not available in this build yet")
}
