//! `cargo guild docs`: not built yet (see the open issues).

use crate::cli::{DocsCommand, GlobalOpts};
use crate::exit::Outcome;

pub fn execute(_global: &GlobalOpts, _args: DocsCommand) -> anyhow::Result<Outcome> {
    anyhow::bail!("`cargo guild docs` is not available in this build yet")
}
