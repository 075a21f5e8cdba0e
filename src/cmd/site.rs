//! `cargo guild site`: not built yet (see the open issues).

use crate::cli::{GlobalOpts, SiteCommand};
use crate::exit::Outcome;

pub fn execute(_global: &GlobalOpts, _args: SiteCommand) -> anyhow::Result<Outcome> {
    anyhow::bail!("`cargo guild site` is not available in this build yet")
}
