//! `cargo guild sync`: not built yet (see the open issues).

use crate::cli::{GlobalOpts, SyncArgs};
use crate::exit::Outcome;

pub fn execute(_global: &GlobalOpts, _args: SyncArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`cargo guild sync` is not available in this build yet")
}
