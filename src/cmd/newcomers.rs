//! `cargo guild newcomers`: not built yet (see the open issues).

use crate::cli::{GlobalOpts, NewcomersArgs};
use crate::exit::Outcome;

pub fn execute(_global: &GlobalOpts, _args: NewcomersArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`cargo guild newcomers` is not available in this build yet")
}
